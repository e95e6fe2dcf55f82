"""The scalar autodiff engine: ``Value`` nodes and reverse-mode backpropagation.

Every operation on :class:`Value` objects returns a new ``Value`` that remembers
the op that made it and its inputs. The result is a directed acyclic graph
whose single sink is, typically, a loss ``e``.

Backprop is dynamic programming
-------------------------------
For every node ``s`` we want its gradient δₛ = ∂e/∂s (the textbook δ). The
chain rule writes it through the nodes ``t`` that *consume* ``s``::

    δₛ = Σₜ ∂t/∂s · δₜ

So δₛ can be computed as soon as the δ of every consumer is known, and each δ
is computed once, then reused by every node below it: that reuse is why
reverse mode costs about as much as the forward pass.

:func:`topological_order` lists the graph so that each node comes after all of
its consumers. :func:`backpropagate` visits the nodes in that order: when it
reaches ``t``, δₜ is final, and it adds ``∂t/∂s · δₜ`` into the ``.grad`` of each
input ``s``. The local derivatives ∂t/∂s of each op sit next to its forward in
:mod:`tinygrad_edu.ops`.

Gradients of leaves (inputs and parameters) *accumulate* across calls to
:meth:`Value.backward`, as in PyTorch: zero them between steps (``p.grad = 0.0``,
or ``zero_grad()`` on a module or optimizer). Interior nodes are reset at the
start of every ``backward()``.

A node refers only to its inputs, never to itself or its consumers, and holds
no closure, so a graph has no reference cycles: it is freed the moment the last
``Value`` that reaches it goes away.

The modes (:func:`no_grad`, :func:`detect_anomaly`, :func:`scope`) are context
managers in :mod:`tinygrad_edu.modes`, re-exported here.
"""

from __future__ import annotations

import math
from operator import attrgetter
from typing import Any, Callable, Iterable, Optional, Sequence, SupportsFloat, Union

from . import ops
from .checks import as_float, is_real, short, type_error
from .modes import AnomalyError, detect_anomaly, enable_grad, is_grad_enabled, mode, no_grad, scope  # noqa: F401 (re-exported)
from .ops import FLOATS, FloatMath, Op

Number = SupportsFloat  # int, float, bool, Fraction, numpy scalars, ...
ValueLike = Union["Value", SupportsFloat]


def number(x: Any) -> float:
    """The float in a gradient: ``x.data`` for a Value (after ``backward(create_graph=True)``), else x."""
    return x.data if isinstance(x, Value) else x


class Value:
    """A scalar in a computation graph: its ``data``, its ``grad`` = ∂e/∂self, and how it was made.

    ``Value(data, _children=(), _op='', label='')`` is micrograd's constructor:
    a node made by hand with children and a ``_backward`` function of its own
    is backpropagated by calling that function.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad     # ∂c/∂a = b + 1, ∂c/∂b = a
    (-2.0, 2.0)
    """

    # no __dict__ of its own until a user sets an attribute (p.m = 0, as hand-written code does)
    __slots__ = ("data", "grad", "label", "_prev", "_op", "_rule", "_c", "_scope", "__dict__")
    # numpy must not broadcast a Value over an array (an array of Values, silently): with this,
    # array + Value calls Value.__radd__, which refuses the array; numpy scalars still mix
    __array_ufunc__ = None

    def __init__(self, data: Number, _children: Iterable[Value] = (), _op: str = "", label: str = "") -> None:
        if type(label) is not str or type(_op) is not str:
            raise TypeError(f"Value: label and _op must be str, got {short(label)} and {short(_op)}")
        self.data = data if type(data) is float else as_float(data, "Value", "data")
        self.grad: Any = 0.0  # a Value after backward(create_graph=True)
        self.label = label
        self._prev: tuple[Value, ...] = tuple(_children)  # the inputs
        self._op = _op  # the op's symbol: "+", "tanh"; "" for a leaf
        self._rule: Optional[Op] = None  # the op's row in ops.py
        self._c: Any = None  # the op's constant: the 2 of x * 2
        self._scope = mode.scope  # where the node was made (see scope())

    # -- what other modules read of a node: its inputs, its op's name, rule and constant, its scope
    inputs = property(attrgetter("_prev"), doc="The node's inputs, in order; () for a leaf.")
    op = property(attrgetter("_op"), doc='The symbol of the op that made it: "+", "tanh"; "" for a leaf.')
    rule = property(attrgetter("_rule"), doc="The row of ops.py that made the node, or None.")
    constant = property(attrgetter("_c"), doc="The op's constant: the 2.0 of x * 2.0, or None.")
    scope = property(
        attrgetter("_scope"),
        lambda self, path: setattr(self, "_scope", path),
        doc='Where the node was made, ("layer 1", "neuron 3") or None; modules set it on their parameters.',
    )

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- arithmetic, with numbers on either side: a number stays in its node as the op's constant
    # (one short method per operator, deliberately alike: Python looks each one up by its name)
    def __add__(self, other: ValueLike) -> Value:
        return _arithmetic(ops.ADD, ops.ADD_C, self, other)

    def __radd__(self, other: ValueLike) -> Value:  # other + self
        return _arithmetic(ops.ADD, ops.ADD_C, self, other)

    def __sub__(self, other: ValueLike) -> Value:
        return _arithmetic(ops.SUB, ops.SUB_C, self, other)

    def __rsub__(self, other: ValueLike) -> Value:  # other - self
        return _arithmetic(ops.SUB, ops.RSUB_C, self, other)

    def __mul__(self, other: ValueLike) -> Value:
        return _arithmetic(ops.MUL, ops.MUL_C, self, other)

    def __rmul__(self, other: ValueLike) -> Value:
        return _arithmetic(ops.MUL, ops.MUL_C, self, other)

    def __truediv__(self, other: ValueLike) -> Value:
        return _arithmetic(ops.DIV, ops.DIV_C, self, other)

    def __rtruediv__(self, other: ValueLike) -> Value:
        return _arithmetic(ops.DIV, ops.RDIV_C, self, other)

    def __pow__(self, other: ValueLike) -> Value:
        return _arithmetic(ops.POW, ops.POW_CONST, self, other)

    def __rpow__(self, other: ValueLike) -> Value:
        return _arithmetic(ops.POW, ops.RPOW, self, other)

    def __neg__(self) -> Value:
        return apply(ops.NEG, self)

    def __pos__(self) -> Value:
        return self

    # -- comparisons read .data; == stays identity, so Values can live in sets and dicts
    def __lt__(self, other: ValueLike) -> bool:
        return self.data < _comparable(other)

    def __le__(self, other: ValueLike) -> bool:
        return self.data <= _comparable(other)

    def __gt__(self, other: ValueLike) -> bool:
        return self.data > _comparable(other)

    def __ge__(self, other: ValueLike) -> bool:
        return self.data >= _comparable(other)

    # -- the ops users call by name, one line each: an op's forward and derivative are its row in ops.py
    # fmt: off
    def __abs__(self) -> Value: return apply(ops.ABS, self)
    def abs(self) -> Value: return apply(ops.ABS, self)
    def exp(self) -> Value: return apply(ops.EXP, self)
    def log(self) -> Value: return apply(ops.LOG, self)
    def sqrt(self) -> Value: return apply(ops.SQRT, self)
    def sin(self) -> Value: return apply(ops.SIN, self)
    def cos(self) -> Value: return apply(ops.COS, self)
    def tan(self) -> Value: return apply(ops.TAN, self)
    def arctan(self) -> Value: return apply(ops.ARCTAN, self)
    def tanh(self) -> Value: return apply(ops.TANH, self)
    def sigmoid(self) -> Value: return apply(ops.SIGMOID, self)
    def relu(self) -> Value: return apply(ops.RELU, self)
    def softplus(self) -> Value: return apply(ops.SOFTPLUS, self)
    def softsign(self) -> Value: return apply(ops.SOFTSIGN, self)
    def sign(self) -> Value: return apply(ops.SIGN, self)
    def step(self) -> Value: return apply(ops.STEP, self)
    def prelu(self, a: ValueLike) -> Value: return call(ops.PRELU, self, a)
    def leaky_relu(self, k: float = 0.01) -> Value: return call(ops.LEAKY_RELU, self, k)
    def elu(self, alpha: float = 1.0) -> Value: return call(ops.ELU, self, alpha)
    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0) -> Value: return call(ops.HARDTANH, self, min_val, max_val)  # noqa: E501
    # fmt: on

    # -- graph
    def detach(self) -> Value:
        """A new leaf with the same data (and label): gradients do not flow through it."""
        return Value(self.data, label=self.label)

    def backward(self, create_graph: bool = False) -> None:
        """Set every node's ``.grad`` to ∂self/∂node: seed δ = 1 here, then :func:`backpropagate`
        down :func:`topological_order`. Interior nodes are reset first; leaves accumulate.

        With ``create_graph=True`` the gradients are themselves ``Value`` graphs, computed by
        the same rules on Values, so they can be differentiated again (``x.grad.backward()``).
        """
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
            elif type(node.grad) is not float:  # a leaf accumulates: its grad must be a number
                node.grad = _leaf_grad(node)
        self.grad = 1.0 if self._prev else self.grad + 1.0
        if not create_graph:
            backpropagate(order)
            return
        with enable_grad():
            backpropagate(order, GRAPH)
        for node in order:
            if not isinstance(node.grad, Value):  # a constant gradient, e.g. ∂(x+1)/∂x
                node.grad = Value(node.grad)

    def _step(self) -> None:
        """Backprop's step at this one node: each input's grad += local·δ (micrograd's _backward)."""
        if self._rule is not None:
            backpropagate([self])

    @property
    def _backward(self) -> Callable[[], None]:
        return self.__dict__.get("_backward", self._step)  # type: ignore[no-any-return]

    @_backward.setter
    def _backward(self, step: Callable[[], None]) -> None:  # an op written by hand, micrograd's way
        self.__dict__["_backward"], self._rule = step, None


def _leaf_grad(node: Value) -> Any:
    """A leaf's grad, which backward() adds to: a number (as a float) or a Value (create_graph)."""
    if isinstance(node.grad, Value):
        return node.grad
    return as_float(node.grad, "backward", f"the grad of leaf {node.label or short(node.data)}")


def _comparable(x: Any) -> float:
    return x.data if isinstance(x, Value) else as_float(x, "Value comparison", "the other side")


def _arithmetic(op: Op, op_c: Op, x: Value, other: Any) -> Value:
    """op(x, other) when other is a Value; else op_c(x) with the number as its constant."""
    if isinstance(other, Value):
        return apply(op, x, other)
    if type(other) is not float:  # an int, a Fraction, ...: its float, checked
        if not is_real(other):
            if hasattr(other, "__array__"):  # an array would make an array of Values: refuse it here
                type_error(f"Value {op.name}", "the other operand", "a Value or a real number", other)
            return NotImplemented  # type: ignore[no-any-return]  # Python then raises its TypeError
        other = as_float(other, f"Value {op_c.name}", "the number")
    return apply(op_c, x, c=other)


def apply(op: Op, *inputs: Value, c: Any = None) -> Value:
    """The node ``op(inputs)`` with constant ``c``: its forward value and, unless in :func:`no_grad`,
    its inputs and rule, which put it in the graph. Every node an op makes is made here."""
    data = op.forward(FLOATS, c, *[x.data for x in inputs])
    if mode.grad:
        out = Value(data, inputs, op.name)
        out._rule = op
        out._c = c
    else:
        out = Value(data)
    if mode.anomaly and not math.isfinite(data):
        raise AnomalyError("forward", op.name, tuple(x.data for x in inputs), data, out)
    return out


def _lift(x: Any, where: str, arg: Any) -> Value:  # x as a Value: itself, or a constant leaf for a number
    return x if isinstance(x, Value) else Value(as_float(x, where, str(arg)))


def call(op: Op, *args: Any, **params: Any) -> Value:
    """``op`` called as its ``call`` in ops.py reads: its inputs (Values, or numbers, which
    become constant leaves), then its constants by position or by name."""
    n, name = len(op.inputs), op.call.split("(")[0]
    if len(args) < n:
        raise TypeError(f"{name}: expected {op.call}, got {len(args)} arguments")
    inputs = [_lift(x, name, i) for i, x in zip(op.inputs, args)]
    return apply(op, *inputs, c=op.bind(args[n:], params))


def maximum(a: ValueLike, b: ValueLike) -> Value:
    """max(a, b): the larger gets δ, a tie ½δ each. The max-margin J = max(0, Δ + s_c − s)."""
    return call(ops.MAXIMUM, a, b)


def minimum(a: ValueLike, b: ValueLike) -> Value:
    """min(a, b): the smaller gets δ, a tie ½δ each."""
    return call(ops.MINIMUM, a, b)


def dot(w: Sequence[Value], x: Sequence[ValueLike], bias: Optional[Value] = None) -> Value:
    """z = Σᵢ wᵢxᵢ + b as one node (a neuron's pre-activation); ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1.

    ``x`` may be Values or numbers (numbers stay in the node). ``z`` is bit for bit
    ``sum((wi * xi for ...), bias)``, with one node instead of 2n.

    >>> w, x, b = [Value(2.0), Value(-1.0)], [Value(3.0), Value(4.0)], Value(0.5)
    >>> z = dot(w, x, b)          # 2·3 − 1·4 + 0.5
    >>> z.backward()
    >>> z.data, [wi.grad for wi in w], [xi.grad for xi in x], b.grad
    (2.5, [3.0, 4.0], [2.0, -1.0], 1.0)
    """
    for arg, seq in (("w", w), ("x", x)):
        if isinstance(seq, (str, bytes)) or not isinstance(seq, Iterable):
            type_error("dot", arg, "a sequence", seq)
    ws, xs, b = tuple(w), tuple(x), () if bias is None else (bias,)
    if bias is not None and not isinstance(bias, Value):
        type_error("dot", "bias", "None or a Value", bias)
    if not set(map(type, ws)) <= {Value}:  # (a subclass of Value passes below)
        for i, wi in enumerate(ws):
            if not isinstance(wi, Value):
                type_error("dot", f"w[{i}]", "a Value", wi)
    if len(xs) != len(ws):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    kinds = set(map(type, xs))
    if kinds == {Value}:  # a neuron's inputs: every wᵢ and xᵢ is an input of the node
        return apply(ops.DOT, *ws, *xs, *b, c=len(ws))  # type: ignore[arg-type]
    if kinds <= {float}:  # numbers stay in the node
        return apply(ops.DOT_C, *ws, *b, c=xs)
    if not any(isinstance(xi, Value) for xi in xs):
        return apply(ops.DOT_C, *ws, *b, c=tuple(as_float(xi, "dot", f"x[{i}]") for i, xi in enumerate(xs)))
    return apply(ops.DOT, *ws, *[_lift(xi, "dot", f"x[{i}]") for i, xi in enumerate(xs)], *b, c=len(ws))


def total(values: Iterable[ValueLike], start: Optional[Number] = None) -> Value:
    """y = Σ xᵢ as one node, adding left to right (after ``start``, if given); every ∂y/∂xᵢ = 1.

    Numbers among the xᵢ become constant leaves; a term that appears twice counts twice;
    an empty ``values`` gives a leaf holding ``start`` (or 0).
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        type_error("total", "values", "an iterable of Values or numbers", values)
    c = None if start is None else as_float(start, "total", "start")
    terms = [_lift(v, "total", f"values[{i}]") for i, v in enumerate(values)]
    return apply(ops.SUM, *terms, c=c) if terms else Value(0.0 if c is None else c)


# ------------------------------------------------------------------ backprop


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each listed after all of its consumers.

    Depth first: a node is finished once all of its inputs are, so the nodes
    finish inputs-first, and the reverse of that is consumers-first. ``root``
    comes first: this is the order in which backprop completes each δ. An
    explicit stack of (node, its inputs still to visit) replaces recursion,
    so the depth of the graph does not matter.
    """
    if not isinstance(root, Value):
        type_error("topological_order", "root", "a Value", root)
    finished: list[Value] = []
    seen = {root}
    stack = [(root, iter(root._prev))]
    while stack:
        node, inputs = stack[-1]
        for p in inputs:
            if p not in seen:  # visit p first; node's remaining inputs wait on the stack
                seen.add(p)
                stack.append((p, iter(p._prev)))
                break
        else:  # every input of node is finished
            stack.pop()
            finished.append(node)
    finished.reverse()
    return finished


def backpropagate(order: list[Value], m: Any = FLOATS, check: Optional[Callable[..., None]] = None) -> None:
    """Push gradients down a :func:`topological_order`: δₛ += ∂t/∂s · δₜ for every edge s → t.

    The first node's ``.grad`` must hold the seed (1 for ∂e/∂e). Each node's δ is
    final when it is visited, because all its consumers came before it. ``m`` is
    the math the rules run on: :data:`~tinygrad_edu.ops.FLOATS`, or :data:`GRAPH`
    to make the gradients Value graphs. ``check(node, local, delta)``, if given,
    sees every node's local derivatives and δ; under :func:`detect_anomaly` it defaults to a
    check that raises at the first product that is nan or inf.
    """
    if check is None and mode.anomaly:
        check = _check_backward
    value, delta_of = m.value, m.delta  # on floats: x.data and x.grad
    for node in order:
        if node._rule is None:  # a leaf, or an op written by hand in micrograd's way
            if node._prev:
                node._backward()
            continue
        delta = delta_of(node)
        local = node._rule.local(m, node._c, value(node), *map(value, node._prev))
        for x, d in zip(node._prev, local):
            if d is not None:  # None: no gradient flows this way, not even an inf or nan δ
                x.grad += d * delta
        if check is not None:
            check(node, local, delta)


class GraphMath(FloatMath):
    """The math of Values: a rule run on it records its derivative as a graph (create_graph)."""

    value = staticmethod(lambda node: node)  # the rules run on the nodes themselves

    # comparisons and sign read the numbers (sign's derivative is 0 wherever it has one)
    eq = staticmethod(lambda a, b: number(a) == number(b))
    isinf = staticmethod(lambda x: math.isinf(number(x)))
    sign = staticmethod(lambda x: FloatMath.sign(number(x)))
    # the functions rules call: on Values, ops that record the graph; on constants, floats
    div = staticmethod(lambda a, b: a / b if _any_value(a, b) else FloatMath.div(a, b))
    pow = staticmethod(lambda a, b: a**b if _any_value(a, b) else FloatMath.pow(a, b))
    exp = staticmethod(lambda x: x.exp() if _any_value(x) else FloatMath.exp(x))
    log = staticmethod(lambda x: x.log() if _any_value(x) else FloatMath.log(x))
    sin = staticmethod(lambda x: x.sin() if _any_value(x) else FloatMath.sin(x))
    cos = staticmethod(lambda x: x.cos() if _any_value(x) else FloatMath.cos(x))
    sigmoid = staticmethod(lambda x: x.sigmoid() if _any_value(x) else FloatMath.sigmoid(x))


def _any_value(*xs: Any) -> bool:
    return any(isinstance(x, Value) for x in xs)


GRAPH = GraphMath()


def _check_backward(node: Value, local: tuple[Any, ...], delta: Any) -> None:
    for i, d in enumerate(local):
        g = 0.0 if d is None else number(d) * number(delta)
        if not math.isfinite(g):
            inputs = tuple(p.data for p in node._prev)
            raise AnomalyError("backward", node._op, inputs, node.data, node, i, g)
