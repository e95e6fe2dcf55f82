"""The scalar autodiff engine: ``Value`` nodes and reverse-mode backpropagation.

Every arithmetic operation on :class:`Value` objects returns a new ``Value``
that remembers the op that made it and its inputs (``_prev``). The result is a
directed acyclic graph whose single sink is, typically, a loss ``e``.

Backprop as dynamic programming
-------------------------------
For every node ``s`` we want its gradient δₛ = ∂e/∂s (the textbook δ). The
chain rule expresses it through the nodes that *consume* ``s``::

    δₛ = Σ_{consumers t of s}  ∂t/∂s · δₜ

so δₛ is ready as soon as every consumer's δ is known. :func:`topological_order`
lists the graph so that each node comes after all its consumers (Kahn's
algorithm on the reversed edges, with an explicit stack: no recursion, so a
chain of a million nodes is fine). :func:`backpropagate` then visits the nodes
in that order, once each: when a node is visited its δ (``.grad``) is final,
and it adds ``∂t/∂s · δₜ`` into each input's ``.grad``. Each δ is computed
once and reused by every input below it, which is what makes reverse mode cost
about as much as the forward pass. The local derivatives ``∂t/∂s`` of each op
live in :mod:`tinygrad_edu.ops`, next to the op's forward.

What makes it fast (each measured in ``benchmarks/``):

- A plain number is not a node: ``w * 2.0`` is one node that keeps the 2.0
  (``ops.MUL_C``), not a product of ``w`` and a constant leaf.
- A neuron's pre-activation z = Σᵢ wᵢxᵢ + b is one node (:func:`dot`), and a
  long sum is one node (:func:`total`): one Python object where op-by-op
  arithmetic makes 2n, giving the same number. The Σ node keeps its inputs in
  two tuples that already exist, its neuron's (w₁…wₙ, b) and its layer's
  (x₁…xₙ), so it too is a single object.
- ``backward()`` does not count consumers: creation order is already a
  topological order (a node's inputs exist before it does), so it collects the
  nodes with inputs a layer at a time and sorts them newest first by their
  creation number. Leaves are never listed; they only receive gradients.
- A Σ node whose δ is 0 (its neuron's ReLU was off) is skipped by backward:
  all it would add are zeros (see ``ops._adds_only_zeros`` for when that is
  exact). In a ReLU network that is a third to a half of the Σ nodes.
- Nodes have ``__slots__`` and no closures, so they are small and hold no
  reference cycles: reference counting frees each graph the moment it is
  dropped, and Python's cyclic garbage collector never has garbage to find.

Gradients of leaves (inputs and parameters) *accumulate* across calls to
:meth:`Value.backward`, as in PyTorch: set ``p.grad = 0.0`` (or call
``zero_grad()`` on a module or optimizer) between steps. Intermediate nodes
are reset at the start of every ``backward()``, so calling it twice on the
same graph adds exactly the same gradient to each leaf twice.

Memory: a node refers only to its inputs, never to itself or its consumers, so
graphs contain no reference cycles and are freed by reference counting as soon
as the last ``Value`` that reaches them goes away. (A graph of 10⁶ nodes is
still walked by Python's collector as it grows; see ``benchmarks/README.md``.)

Modes: :func:`no_grad` (ops record no graph), :func:`detect_anomaly` (raise
at the first nan or inf) and :func:`scope` (tag new nodes with where they were
made, e.g. ``("layer 1", "neuron 3")``, for the pictures of
:mod:`tinygrad_edu.viz`) are the only global state; all are context managers
that restore the previous mode on exit. They are per process, not per thread.
"""

from __future__ import annotations

import math
import numbers
from contextlib import contextmanager
from itertools import count
from operator import attrgetter
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, SupportsFloat, Union

from . import ops
from .ops import FLOAT_MATH, Op

Number = SupportsFloat  # int, float, bool, Fraction, numpy scalars, ...
ValueLike = Union["Value", SupportsFloat]


class _Mode:
    """The two switches, flipped only by the context managers below."""

    __slots__ = ("grad", "anomaly", "scope")

    def __init__(self) -> None:
        self.grad = True
        self.anomaly = False
        self.scope: Optional[tuple[str, ...]] = None


_mode = _Mode()


def _to_float(x: Any, where: str) -> float:
    """The float inside a real number, or a TypeError/ValueError naming ``where`` and ``x``."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):  # int, bool, Fraction, numpy scalars, ...
        try:
            return float(x)
        except OverflowError:
            raise ValueError(f"{where}: {x!r} is too large for a float") from None
    if isinstance(x, Value):
        raise TypeError(f"{where}: expected a real number, got a Value; use its .data")
    raise TypeError(f"{where}: expected a real number, got {type(x).__name__} {x!r}")


def _arithmetic(name: str, op: Op, op_c: Op) -> Callable[[Value, ValueLike], Value]:
    """The method for ``self ∘ other``: ``op`` when ``other`` is a Value, ``op_c`` (which keeps
    the number in the node as its constant) when it is a number."""
    # the four arithmetic operators make most nodes outside neurons: each is this one function,
    # with its ops held in the closure rather than looked up on every call
    forward, forward_c = op.forward, op_c.forward

    def method(self: Value, other: ValueLike) -> Value:
        if isinstance(other, Value):
            return _record(op, forward(None, self.data, other.data), self, other, None)
        if type(other) is float:
            return _record(op_c, forward_c(other, self.data), self, None, other)
        return _with_number(op_c, self, other)

    method.__name__ = name
    method.__qualname__ = f"Value.{name}"
    return method


class Value:
    """A scalar in a computation graph: its ``data``, its ``grad`` = ∂e/∂self, and how it was made.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad     # ∂c/∂a = b + 1, ∂c/∂b = a
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "_op", "_in", "_in2", "_c", "_scope", "_seq")

    data: float
    grad: float  # a Value after backward(create_graph=True)
    label: str
    _op: Optional[Op]
    # The inputs, read through _prev. One or two inputs are kept in the node itself (_in, and
    # _in2 for a second one): no tuple per node, so a graph is one object per node instead of
    # two, which is less memory and less for Python's cyclic collector to walk. A leaf has
    # _in = (), a node with three or more inputs the tuple of them. A neuron's Σ node (ops.DOT)
    # keeps two tuples that already exist, shared with the neuron's other Σ nodes: its
    # parameters (w₁…wₙ, b) in _in and its layer's inputs (x₁…xₙ) in _in2, so it is one object too.
    _in: Union[Value, tuple[Value, ...]]
    _in2: Union[Value, tuple[Value, ...], None]
    _c: Any
    _scope: Optional[tuple[str, ...]]  # where the node was made (see scope())
    _seq: int  # when the node was made: inputs are always made before the nodes that use them

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__} {label!r}")
        self.data = _to_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self._op = None
        self._in = ()
        self._in2 = None
        self._c = None
        self._scope = _mode.scope
        self._seq = 0  # a leaf: never sorted

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The inputs of the node, in order (``()`` for a leaf; w₁…wₙ, x₁…xₙ, b for a Σ node)."""
        return _inputs(self._in, self._in2)

    @_prev.setter
    def _prev(self, inputs: tuple[Value, ...]) -> None:
        inputs = tuple(inputs)
        if self._op is ops.DOT:  # kept as (w₁…wₙ, b) and (x₁…xₙ), n = the node's constant
            n = self._c
            self._in, self._in2 = (*inputs[:n], *inputs[2 * n :]), inputs[n : 2 * n]
        elif 1 <= len(inputs) <= 2:
            self._in, self._in2 = inputs[0], inputs[-1] if len(inputs) == 2 else None
        else:
            self._in, self._in2 = inputs, None

    @property
    def op(self) -> str:
        """The name of the op that made this node (``"+"``, ``"tanh"``, ...); ``""`` for a leaf."""
        return self._op.name if self._op is not None else ""

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def _repr_svg_(self) -> Optional[str]:
        """Jupyter shows a Value as the picture of its graph (None: fall back to repr)."""
        from .viz import svg_or_none  # imported here: the engine itself needs no Graphviz

        return svg_or_none(self)

    # -- arithmetic: a + b, a - b, a * b, a / b, a ** b, with numbers on either side
    # (x.__radd__(2) computes 2 + x: the reflected forms put the number first). A number
    # stays a number: it is stored in the node as the op's constant (ops.ADD_C, ...).
    __add__ = _arithmetic("__add__", ops.ADD, ops.ADD_C)

    def __radd__(self, other: ValueLike) -> Value:
        return _with_number(ops.ADD_C, self, other)

    __sub__ = _arithmetic("__sub__", ops.SUB, ops.SUB_C)

    def __rsub__(self, other: ValueLike) -> Value:
        return _with_number(ops.RSUB_C, self, other)

    __mul__ = _arithmetic("__mul__", ops.MUL, ops.MUL_C)

    def __rmul__(self, other: ValueLike) -> Value:
        return _with_number(ops.MUL_C, self, other)

    __truediv__ = _arithmetic("__truediv__", ops.DIV, ops.DIV_C)

    def __rtruediv__(self, other: ValueLike) -> Value:
        return _with_number(ops.RDIV_C, self, other)

    def __pow__(self, other: ValueLike) -> Value:
        if isinstance(other, Value):  # aᵇ, both in the graph
            return _apply(ops.POW, (self, other))
        if not isinstance(other, numbers.Real):
            return NotImplemented
        return _apply(ops.POW_CONST, (self,), _to_float(other, "Value ** exponent"))

    def __rpow__(self, other: ValueLike) -> Value:
        if not isinstance(other, numbers.Real):
            return NotImplemented
        return _apply(ops.RPOW, (self,), _to_float(other, "base ** Value"))

    def __neg__(self) -> Value:
        return _apply(ops.NEG, (self,))

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        """|x|; derivative sign(x), 0 at x = 0 (PyTorch)."""
        return _apply(ops.ABS, (self,))

    # -- elementary functions
    def exp(self) -> Value:
        """eˣ; overflows to inf for x > 709.78. Derivative eˣ."""
        return _apply(ops.EXP, (self,))

    def log(self) -> Value:
        """ln x; -inf at 0, nan for x < 0. Derivative 1/x."""
        return _apply(ops.LOG, (self,))

    def sqrt(self) -> Value:
        """√x; nan for x < 0. Derivative 1/(2√x) (inf at 0)."""
        return _apply(ops.SQRT, (self,))

    def arctan(self) -> Value:
        """tan⁻¹ x. Derivative 1/(1 + x²)."""
        return _apply(ops.ARCTAN, (self,))

    # -- activations
    def tanh(self) -> Value:
        """tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ), stable for any x. Derivative 1 − tanh² x."""
        return _apply(ops.TANH, (self,))

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e⁻ˣ), stable for any x. Derivative σ(x)(1 − σ(x)), at most 0.25."""
        return _apply(ops.SIGMOID, (self,))

    def relu(self) -> Value:
        """max(x, 0). Derivative 1 for x > 0, else 0 (0 at x = 0, PyTorch)."""
        return _record(ops.RELU, ops.RELU.forward(None, self.data), self, None, None)

    def leaky_relu(self, k: float = 0.01) -> Value:
        """x for x > 0, else k·x. Derivative 1 for x > 0, else k (k at x = 0, PyTorch)."""
        return _apply(ops.LEAKY_RELU, (self,), _to_float(k, "leaky_relu: k"))

    def prelu(self, a: ValueLike) -> Value:
        """x for x > 0, else a·x, with a slope ``a`` that may be a learned Value.

        ∂/∂x = 1 for x > 0, else a;  ∂/∂a = 0 for x > 0, else x (at x = 0: a and 0, PyTorch).
        """
        o = _lift(a)
        if o is None:
            raise TypeError(f"prelu: slope must be a Value or a real number, got {type(a).__name__}")
        return _apply(ops.PRELU, (self, o))

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0, else α(eˣ − 1). Derivative 1 for x > 0, else αeˣ (α at x = 0, PyTorch)."""
        return _apply(ops.ELU, (self,), _to_float(alpha, "elu: alpha"))

    def softplus(self) -> Value:
        """ln(1 + eˣ), stable for any x. Derivative σ(x)."""
        return _apply(ops.SOFTPLUS, (self,))

    def softsign(self) -> Value:
        """x/(1 + |x|). Derivative 1/(1 + |x|)²."""
        return _apply(ops.SOFTSIGN, (self,))

    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0) -> Value:
        """x clamped to [min_val, max_val].

        Derivative 1 strictly inside, 0 outside and at the ends (PyTorch).
        """
        lo, hi = _to_float(min_val, "hardtanh: min_val"), _to_float(max_val, "hardtanh: max_val")
        if not lo < hi:
            raise ValueError(f"hardtanh: min_val must be below max_val, got {lo!r} and {hi!r}")
        return _apply(ops.HARDTANH, (self,), (lo, hi))

    def sign(self) -> Value:
        """−1, 0 or +1. Piecewise constant: its derivative is 0 everywhere (no gradient flows)."""
        return _apply(ops.SIGN, (self,))

    def step(self) -> Value:
        """The Heaviside step: 1 for x > 0, else 0. Derivative 0 everywhere (no gradient flows)."""
        return _apply(ops.STEP, (self,))

    # -- graph
    def detach(self) -> Value:
        """A new leaf with the same data (and label): gradients do not flow through it."""
        return Value(self.data, self.label)

    def backward(self, create_graph: bool = False) -> None:
        """Set every node's ``.grad`` to ∂self/∂node, accumulating into leaves.

        Seeds ``self.grad`` with 1 and runs :func:`backpropagate` over the nodes
        with inputs, newest first (creation order is a topological order; the
        result is what :func:`topological_order` gives, see the module notes).
        Intermediate nodes' gradients are reset first; leaves' gradients are
        added to (zero them between training steps).

        With ``create_graph=True`` the gradients are themselves ``Value`` nodes
        with a graph, so they can be differentiated again (``x.grad.backward()``).
        """
        order = _interior_order(self)  # also resets each interior node's grad to 0
        seed: Any = 1.0 if self._in else self.grad + 1.0
        self.grad = seed
        backpropagate(order, create_graph=create_graph)
        if create_graph:
            for node in order:
                for p in (node, *node._prev):
                    if not isinstance(p.grad, Value):  # a constant gradient, e.g. ∂(x+1)/∂x
                        p.grad = Value(p.grad)  # type: ignore[assignment]


def _lift(x: Any) -> Optional[Value]:
    """x as a Value: itself, a constant leaf for a real number, or None (→ NotImplemented)."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real):
        return Value(x)
    return None


def _with_number(op: Op, x: Value, c: Any) -> Value:
    """op(x) with the number ``c`` as its constant; NotImplemented (→ Python's TypeError) for a non-number."""
    if type(c) is not float:
        if not isinstance(c, numbers.Real):
            return NotImplemented  # type: ignore[no-any-return]  # the operator protocol's "not mine"
        c = _to_float(c, f"Value {op.name} number")
    return _record(op, op.forward(c, x.data), x, None, c)


def _apply(op: Op, args: tuple[Value, ...], c: Any = None, data: Optional[float] = None) -> Value:
    """Run ``op`` forward on ``args`` (unless its value ``data`` is already known) and, unless
    in no_grad mode, record it in the graph."""
    n = len(args)
    # unary and binary ops are nearly all nodes: call them without building an argument list
    if n == 1:
        a = args[0]
        return _record(op, op.forward(c, a.data) if data is None else data, a, None, c)
    if n == 2:
        a, b = args
        return _record(op, op.forward(c, a.data, b.data) if data is None else data, a, b, c)
    return _record(op, op.forward(c, *map(_data, args)) if data is None else data, args, None, c)


def _record(op: Op, data: float, a: Any, b: Any, c: Any) -> Value:
    """A new node holding ``data``, made by ``op`` from its inputs with constant ``c``; unless in
    no_grad mode the node remembers them, which is what puts it in the graph. The inputs are
    kept as ``Value._in`` and ``_in2`` keep them: ``a`` and ``b`` (None for one input), ``a`` a
    tuple of all of them and ``b`` None, or a Σ node's (w₁…wₙ, b) and (x₁…xₙ). Every node is
    made here."""
    # Every node of every graph passes through here, so it is written for speed: one
    # attribute store per statement (a multiple assignment would build a tuple first).
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    mode = _mode
    if mode.grad:
        out._op = op
        out._in = a
        out._in2 = b
        out._c = c
        out._scope = mode.scope
        out._seq = next(_made)
    else:
        out._op = None
        out._in = ()
        out._in2 = None
        out._c = None
        out._scope = None
        out._seq = 0
    if mode.anomaly and not math.isfinite(data):
        raise AnomalyError("forward", op.name, tuple(x.data for x in _inputs(a, b)), data, out)
    return out


def _inputs(a: Any, b: Any) -> tuple[Value, ...]:
    """A node's inputs in order, from what it keeps in ``_in`` (a) and ``_in2`` (b)."""
    if type(a) is tuple:
        if b is None:
            return a
        n = len(b)  # a Σ node: a = (w₁…wₙ) or (w₁…wₙ, b), b = (x₁…xₙ)
        return (*a[:n], *b, *a[n:])
    return (a,) if b is None else (a, b)


_new = object.__new__  # a node without running __init__'s checks: _record sets every slot
_data = attrgetter("data")  # x ↦ x.data, mapped over many inputs at C speed
# Creation order is a topological order: a node's inputs exist before it does. Every
# recorded node takes the next number, so backward() can sort instead of walking twice.
_made = count(1)
_seq = attrgetter("_seq")


def dot(w: Sequence[Value], x: Sequence[ValueLike], bias: Optional[Value] = None) -> Value:
    """z = Σᵢ wᵢxᵢ + b as a single node (a neuron's pre-activation); ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1.

    ``w`` are Values, ``x`` Values or plain numbers (numbers are kept in the node, not
    made leaves), ``bias`` a Value or None. The result is bit for bit
    ``sum((wi * xi for ...), bias)`` (see :data:`ops.DOT` for Python ≥ 3.12), with one
    node instead of 2n, so the graph is smaller and backprop faster; pictures draw it as Σ.

    >>> w, x, b = [Value(2.0), Value(-1.0)], [Value(3.0), Value(4.0)], Value(0.5)
    >>> z = dot(w, x, b)          # 2·3 − 1·4 + 0.5
    >>> z.backward()
    >>> z.data, [wi.grad for wi in w], [xi.grad for xi in x], b.grad
    (2.5, [3.0, 4.0], [2.0, -1.0], 1.0)
    """
    ws = tuple(w)
    for i, wi in enumerate(ws):
        if not isinstance(wi, Value):
            raise TypeError(f"dot: w[{i}] must be a Value, got {type(wi).__name__} {wi!r}")
    if bias is not None and not isinstance(bias, Value):
        raise TypeError(f"dot: bias must be a Value or None, got {type(bias).__name__} {bias!r}")
    xs = _operands(x, "dot: x")
    if len(xs) != len(ws):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    return _dot(ws if bias is None else (*ws, bias), xs)


def _operands(x: Iterable[Any], where: str) -> tuple[Any, ...]:
    """x as a tuple that is all Values or all floats (a mix: the numbers become constant leaves)."""
    xs = tuple(x)
    kinds = set(map(type, xs))
    if kinds == {Value} or kinds <= {float}:
        return xs
    if all(isinstance(xi, Value) for xi in xs):
        return xs
    floats = tuple(xi if isinstance(xi, Value) else _to_float(xi, f"{where}[{i}]") for i, xi in enumerate(xs))
    if any(isinstance(xi, Value) for xi in floats):
        return tuple(xi if isinstance(xi, Value) else Value(xi) for xi in floats)
    return floats


def _leaf(x: Any, where: str) -> Value:
    return Value(_to_float(x, where))


def _dot(wb: tuple[Value, ...], xs: tuple[Any, ...], xdata: Optional[tuple[float, ...]] = None) -> Value:
    """dot() on checked arguments: ``wb`` = (w₁…wₙ) or (w₁…wₙ, b); ``xs`` from :func:`_operands`,
    n long; ``xdata`` their data if the caller has it (a layer reads it once for all its neurons).

    The node keeps both tuples as they are (see ``Value._in``): a neuron passes the same ``wb``
    for every sample and a layer the same ``xs`` to all its neurons, so no tuple is made here."""
    # ops.DOT's and ops.DOT_C's forward is ops.dot_sum; called here on the inputs' data
    # directly, it needs no tuple of 2n + 1 numbers first
    n = len(xs)
    b = wb[n].data if len(wb) > n else 0.0
    if n and type(xs[0]) is not float:  # Values: every wᵢ and xᵢ is an input of the node
        xd = map(_data, xs) if xdata is None else xdata
        return _record(ops.DOT, ops.dot_sum(map(_data, wb), xd, b), wb, xs, n)
    return _record(ops.DOT_C, ops.dot_sum(map(_data, wb), xs, b), wb, None, xs)  # numbers: kept in the node


def total(values: Iterable[ValueLike], start: Optional[Number] = None) -> Value:
    """y = Σ xᵢ as a single node, adding left to right (after ``start``, if given); every ∂y/∂xᵢ = 1.

    The same number as ``x₁ + x₂ + …`` with one node instead of one per term (bit
    for bit on Python ≤ 3.11; 3.12's compensated float ``sum`` may differ in the
    last bit). Numbers among the xᵢ become constant leaves; a term that appears
    twice counts twice. An empty ``values`` gives a leaf holding ``start`` (or 0).

    >>> a, b = Value(1.5), Value(-4.0)
    >>> s = total([a, b, a, 2])
    >>> s.backward()
    >>> s.data, a.grad, b.grad
    (1.0, 2.0, 1.0)
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"total: expected an iterable of Values or numbers, got {type(values).__name__}")
    c = None if start is None else _to_float(start, "total: start")
    where = "total: values"
    terms = tuple(v if isinstance(v, Value) else _leaf(v, f"{where}[{i}]") for i, v in enumerate(values))
    if not terms:
        return Value(0.0 if c is None else c)
    return _apply(ops.SUM, terms, c)
def maximum(a: ValueLike, b: ValueLike) -> Value:
    """max(a, b), a Value; either side may be a number. A tie splits the gradient ½/½ (PyTorch).

    For the max-margin objective J = max(0, Δ + s_c − s): ``maximum(0, 1 + s_c - s)``.
    """
    return _apply(ops.MAXIMUM, _lift_pair(a, b, "maximum"))


def minimum(a: ValueLike, b: ValueLike) -> Value:
    """min(a, b), a Value; either side may be a number. A tie splits the gradient ½/½ (PyTorch)."""
    return _apply(ops.MINIMUM, _lift_pair(a, b, "minimum"))


def _lift_pair(a: Any, b: Any, name: str) -> tuple[Value, Value]:
    la, lb = _lift(a), _lift(b)
    for x, lx in ((a, la), (b, lb)):
        if lx is None:
            raise TypeError(f"{name}: expected Values or real numbers, got {type(x).__name__} {x!r}")
    assert la is not None and lb is not None
    return la, lb


# ------------------------------------------------------------------ backprop


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each listed after all of its consumers.

    Kahn's algorithm on the reversed graph: count each node's consumers, then
    release a node once all of them have been listed. ``root`` comes first and
    leaves come last; this is the order in which backprop completes each δ.
    Iterative, so the depth of the graph does not matter.
    """
    consumers: dict[Value, int] = {root: 0}
    stack = [root]
    while stack:
        for p in stack.pop()._prev:
            if p in consumers:
                consumers[p] += 1
            else:
                consumers[p] = 1
                stack.append(p)
    order = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for p in node._prev:
            consumers[p] -= 1
            if consumers[p] == 0:
                ready.append(p)
    return order


def _interior_order(root: Value) -> list[Value]:
    """The nodes with inputs that ``root`` depends on, consumers first; each one's grad set to 0.

    What ``backward()`` needs. A leaf's δ is only ever added to, never passed on,
    so leaves need no place in the order, and most edges of a network's graph end
    at one (a weight or an input). The walk goes a layer of the graph at a time,
    letting ``set.update`` follow the edges in C; creation order (``_seq``,
    newest first) then puts every node after all of its consumers.
    """
    if not root._in:
        return [root]
    # A node is marked as found by its own grad slot (about to be reset anyway) rather than
    # by a set of a million entries: the mark sits in memory the walk touches already.
    order = [root]
    frontier = order
    root.grad = _FOUND
    try:
        while frontier:
            if len(frontier) == 1:  # a chain, e.g. the loss of one sample: no set needed
                node = frontier[0]
                found: Any = _inputs(node._in, node._in2)
            else:
                found = set()
                # A tuple of inputs is usually shared: a neuron's (w₁…wₙ, b) by its Σ node of
                # every sample, a layer's (x₁…xₙ) by the Σ nodes of all its neurons. Each tuple
                # is read once, by identity, instead of once per node: 33 reads of 17 Values
                # instead of 1,600 for the second layer of micrograd's moons step.
                tuples: dict[int, Any] = {}
                for node in frontier:
                    a = node._in
                    b = node._in2
                    if type(a) is tuple:
                        tuples[id(a)] = a
                        if b is not None:  # a Σ node's x₁…xₙ
                            tuples[id(b)] = b
                    else:
                        found.add(a)
                        if b is not None:
                            found.add(b)
                for inputs in tuples.values():
                    found.update(inputs)
            frontier = []
            for p in found:
                if p._in and p.grad is not _FOUND:  # p._in: p has inputs (a Value, or a tuple)
                    frontier.append(p)  # listed before marked: every mark is in a list below
                    p.grad = _FOUND
            order += frontier
    except BaseException:  # e.g. KeyboardInterrupt: leave no mark behind for the next walk
        for node in (*order, *frontier):
            node.grad = 0.0
        raise
    # found layer by layer, the list is already nearly newest-first: timsort's runs make this cheap
    order.sort(key=_seq, reverse=True)
    for node in order:
        node.grad = 0.0
    return order


_FOUND: Any = object()  # the mark of a node already found by _interior_order's walk


def backpropagate(order: list[Value], create_graph: bool = False) -> None:
    """Push gradients down a :func:`topological_order`: δₛ += ∂t/∂s · δₜ for every edge s → t.

    The first node's ``.grad`` must already hold the seed (1 for ∂e/∂e). Each
    node's δ is final when it is visited, because all its consumers came
    before it. With ``create_graph=True`` the local derivatives are computed
    on the graph's own nodes, so the gradients become ``Value`` graphs.
    """
    if create_graph:
        _backpropagate_graph(order)
        return
    if _mode.anomaly:
        _backpropagate_checked(order)
        return
    M = FLOAT_MATH
    for node in order:
        a = node._in
        if type(a) is not tuple:  # one or two inputs, kept in the node: nearly all nodes
            b: Any = node._in2
            if b is None:
                (d,) = node._op.local(M, node._c, node.data, a.data)  # type: ignore[union-attr]
                a.grad += d * node.grad  # type: ignore[union-attr]
            else:
                da, db = node._op.local(M, node._c, node.data, a.data, b.data)  # type: ignore[union-attr]
                delta = node.grad
                a.grad += da * delta  # type: ignore[union-attr]
                b.grad += db * delta
        elif a:  # a tuple of inputs (a Σ); a leaf has none
            op: Op = node._op  # type: ignore[assignment]
            delta = node.grad
            if op.backward is not None:  # the op's own loop, e.g. Σ wᵢxᵢ + b
                op.backward(node._c, node.data, delta, a, node._in2)
                continue
            local = op.local(M, node._c, node.data, *map(_data, a))
            for p, d in zip(a, local):
                p.grad += d * delta


def _backpropagate_checked(order: list[Value]) -> None:
    """backpropagate under detect_anomaly(): the same sums, checking each product for nan/inf."""
    for node in order:
        prev = node._prev
        if not prev:
            continue
        delta = node.grad
        op = node._op
        assert op is not None
        local = op.local(FLOAT_MATH, node._c, node.data, *[p.data for p in prev])
        for p, d in zip(prev, local):
            p.grad += d * delta
        _check_backward(node, local, delta)


def _backpropagate_graph(order: list[Value]) -> None:
    with _enable_grad():
        for node in order:
            prev, delta = node._prev, node.grad
            if not prev or _is_zero(delta):
                continue
            op = node._op
            assert op is not None
            local = op.local(_GRAPH_MATH, node._c, node, *prev)
            for p, d in zip(prev, local):
                if _is_zero(d):
                    continue  # a constant zero: record nothing
                term = _times(d, delta)
                p.grad = term if _is_zero(p.grad) else p.grad + term
            if _mode.anomaly:
                _check_backward(node, local, delta)


def _is_zero(x: Any) -> bool:
    return type(x) is float and x == 0.0


def _times(d: Any, delta: Any) -> Any:
    """d·δ, without recording a multiplication by a constant ±1."""
    if type(d) is float:
        if d == 1.0:
            return delta
        if d == -1.0:
            return -delta
    if type(delta) is float and delta == 1.0:
        return d
    return d * delta


def _number(x: Any) -> float:
    return x.data if isinstance(x, Value) else x


def _check_backward(node: Value, local: tuple[Any, ...], delta: Any) -> None:
    for i, d in enumerate(local):
        g = _number(d) * _number(delta)
        if not math.isfinite(g):
            assert node._op is not None
            inputs = tuple(p.data for p in node._prev)
            raise AnomalyError("backward", node._op.name, inputs, node.data, node, i, g)


class _GraphMath:
    """The functions a derivative rule may call (see :mod:`tinygrad_edu.ops`), on Values."""

    num = staticmethod(_number)
    exp = staticmethod(Value.exp)
    log = staticmethod(Value.log)
    sigmoid = staticmethod(Value.sigmoid)

    @staticmethod
    def div(a: ValueLike, b: ValueLike) -> Value:
        la, lb = _lift_pair(a, b, "div")
        return la / lb

    @staticmethod
    def pow(a: Value, b: ValueLike) -> Value:
        return a**b


_GRAPH_MATH = _GraphMath


# --------------------------------------------------------------------- modes


class AnomalyError(FloatingPointError):
    """Raised under :func:`detect_anomaly` by the first op that produces a nan or inf.

    Attributes: ``phase`` ("forward" or "backward"), ``op`` (its name),
    ``inputs`` (the input data), ``output`` (the op's output data), ``node``
    (the Value the op made), and for backward ``input_index`` and ``gradient``.
    """

    def __init__(
        self,
        phase: str,
        op: str,
        inputs: tuple[float, ...],
        output: float,
        node: Value,
        input_index: Optional[int] = None,
        gradient: Optional[float] = None,
    ) -> None:
        self.phase, self.op, self.inputs, self.output, self.node = phase, op, inputs, output, node
        self.input_index, self.gradient = input_index, gradient
        shown = ", ".join(repr(x) for x in inputs)
        if phase == "forward":
            msg = f"forward of {op!r} produced {output!r} from inputs ({shown})"
        else:
            msg = (
                f"backward of {op!r} produced gradient {gradient!r} for its input {input_index} "
                f"(inputs ({shown}), output {output!r})"
            )
        super().__init__(msg)


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops compute values but record no graph (results are leaves).

    Use it for evaluation and for parameter updates. Also works as a decorator.
    """
    previous, _mode.grad = _mode.grad, False
    try:
        yield
    finally:
        _mode.grad = previous


@contextmanager
def _enable_grad() -> Iterator[None]:
    previous, _mode.grad = _mode.grad, True
    try:
        yield
    finally:
        _mode.grad = previous


class scope:
    """Nodes made inside ``with scope(path):`` record ``path`` (a tuple of names such as
    ``("layer 1", "neuron 3")``) as where they were made. :mod:`tinygrad_edu.nn` uses it
    so that :mod:`tinygrad_edu.viz` can draw each neuron's nodes as a cluster. The path is
    absolute: an inner ``scope`` replaces the outer one until it exits.
    """

    __slots__ = ("path", "_previous")

    def __init__(self, path: tuple[str, ...]) -> None:
        if not isinstance(path, tuple) or not all(isinstance(p, str) for p in path):
            raise TypeError(f"scope: path must be a tuple of str, got {path!r}")
        self.path = path
        self._previous: Optional[tuple[str, ...]] = None

    def __enter__(self) -> scope:
        self._previous, _mode.scope = _mode.scope, self.path
        return self

    def __exit__(self, *exc: object) -> None:
        _mode.scope = self._previous


def is_grad_enabled() -> bool:
    """False inside :func:`no_grad`."""
    return _mode.grad


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside this block the first op whose forward value or backward gradient is nan or inf
    raises :class:`AnomalyError` naming the op and its inputs. Slower; for debugging."""
    previous, _mode.anomaly = _mode.anomaly, True
    try:
        yield
    finally:
        _mode.anomaly = previous
