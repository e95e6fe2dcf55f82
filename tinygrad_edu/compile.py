"""Tracing: record a function's graph once, then replay it as one compiled function of floats.

Eager backprop (:mod:`tinygrad_edu.engine`) makes a ``Value`` object for every
operation on every call, then sorts those objects and visits each one to push
gradients down. When the graph has the same shape on every call (a training
step of one network, on new data or with new weights) that bookkeeping is the
same every time. :func:`trace` does it once: it runs ``fn`` on example
arguments, records the graph, writes straight-line Python source for its
forward and backward pass, and compiles that with the builtin ``compile``.
Calling the result runs one function of float arithmetic: each node is a local
variable, each gradient δ another (``g_<name>``), each op's rule written out
inline. No ``Value`` is made, no graph walked or sorted, no rule called; only
the captured leaves (the parameters) are touched, their ``.data`` read at the
start and their ``.grad`` added to at the end. (``benchmarks/README.md`` has
the speeds.)

``traced.source`` is that function, meant to be read: it *is* what backprop
executes, δₛ = Σₜ ∂t/∂s · δₜ over the consumers t of s, written out edge by edge.

>>> from tinygrad_edu.nn import Neuron
>>> neuron = Neuron(2, activation="tanh", seed=0)
>>> step = trace(lambda x1, x2: neuron([x1, x2]), 1.0, 2.0)
>>> print(step.source)
def replay(inputs, leaves):
    x1, x2 = inputs
    w1, w2, b = map(data, leaves)  # captured leaves: their current .data
    # forward, each node after its inputs
    z = b + w1 * x1 + w2 * x2  # w1*x1 + w2*x2 + b
    out = tanh(z)
    # backward, consumers first: g_v = ∂out/∂v = 0.0 + Σ over v's consumers t of ∂t/∂v · g_t
    g_out = 1.0
    g_z = 0.0 + (1.0 - out * out) * g_out  # out = tanh(z)
    g_x1 = 0.0 + w1 * g_z  # z = w1*x1 + w2*x2 + b
    g_x2 = 0.0 + w2 * g_z  # z = w1*x1 + w2*x2 + b
    # captured leaves accumulate, as after backward(): .grad + the terms, in its order
    g_w1, g_w2, g_b = map(grad, leaves)
    g_w1 = g_w1 + x1 * g_z  # z = w1*x1 + w2*x2 + b
    g_w2 = g_w2 + x2 * g_z  # z = w1*x1 + w2*x2 + b
    g_b = g_b + g_z  # z = w1*x1 + w2*x2 + b
    for leaf, g in zip(leaves, (g_w1, g_w2, g_b)):
        leaf.grad = g
    return out, (g_x1, g_x2)
<BLANKLINE>
>>> y = step(0.5, -1.0)                          # forward + backward at a new point
>>> step.input_grads == (neuron.w[0].data * (1 - y * y), neuron.w[1].data * (1 - y * y))
True

One rule, three readings
------------------------
Nothing here restates a derivative. The ``forward`` and ``local`` rules of
:mod:`tinygrad_edu.ops` run on a math ``m``: on floats they compute numbers,
on the engine's graph math they build Values, and on :class:`SourceMath` they
write source. Its numbers are expressions (:class:`Expr`): tanh's local
derivative ``1.0 - y * y``, run on the name ``out``, is the expression
``1.0 - out * out``. A choice is written as one: relu's
``m.where(x <= 0.0, None, 1.0)`` times δ is ``0.0 if z <= 0.0 else g_h``. A
function of the math is called by its name in
:class:`~tinygrad_edu.ops.FloatMath`: ``exp``, ``div`` and ``pow`` in the
source are its IEEE versions (inf or nan where Python's would raise). A number
that no input changes (``m.exp(c)`` of a constant c) is computed while tracing.

The forward lines follow the engine's topological order backwards: each node
after its inputs. The backward lines are written by the engine's own
:func:`~tinygrad_edu.engine.backpropagate`, run on the source math in the
order of :func:`~tinygrad_edu.engine.topological_order` (consumers first):
its ``x.grad += d * δ`` appends the term ``d * g_t`` to the input's sum, and
when it reaches a node, that node's δ is complete and is written as one line.

Bit for bit
-----------
``traced(*args)`` returns the output y, adds ∂y/∂p into every captured leaf's
``.grad`` and leaves ∂y/∂x in ``traced.input_grads``: exactly the floats that
building the graph again with ``fn`` on the new arguments and calling
``y.backward()`` would give. The replay does the same float operations in the
same order, because it runs the same rules in the same order. A Σ node adds
its terms left to right, as ``sum`` does. Each gradient is the sum of the
products ∂t/∂s·δₜ over the consumers t of s, in the engine's order, started
from 0.0 (for a captured leaf, from its ``.grad``): the additions
``backward()`` makes into ``s.grad``, one by one. The 0.0 keeps even the sign
of a zero gradient. Two things are written differently, to the same effect:

* ``1.0 * δ`` is written ``δ`` and ``-1.0 * δ`` is ``-δ``: the same number for
  every δ, except that a nan may come out with the other sign bit (it is nan
  either way).
* Where a local derivative is ``None`` (no gradient flows), eager skips the
  addition; the source adds a term that changes nothing:
  ``(0.0 if z <= 0.0 else g_h)``. A sum that starts at 0.0 is never −0.0, so
  adding 0.0 changes nothing in it. A captured leaf's sum starts at its
  ``.grad``, which may be −0.0 (and −0.0 + 0.0 is 0.0), so there the term
  adds −0.0, the one float whose addition changes no float at all.

The tests check all of this against eager backward on random graphs and on
every op at IEEE edge cases (0/0, overflow, inf, nan, −0.0).

Limits
------
* **Control flow is frozen.** Python code in ``fn`` that reads ``.data``
  (``if loss.data > 1: ...``, a loop until convergence, picking the argmax) ran
  once, at trace time; the replay repeats the ops that branch recorded, like
  ``torch.jit.trace``. The ops' own kinks are *not* frozen: ``relu``, ``abs``,
  ``maximum``, ``hardtanh``, ... apply their rule to the new numbers on every
  call, as eager ops do. Likewise a value ``fn`` computes under ``no_grad()``
  is a leaf, replayed with its traced value.
* **The structure is fixed.** New arguments must nest like the examples (the
  same lengths). Numbers ``fn`` puts into the graph as constants (the 2 of
  ``x * 2.0``, data closed over) are part of the source; captured leaves are
  read afresh on every call, so optimizer updates between calls take effect.
* **Only the output, the leaves and the inputs get numbers.** The interior
  nodes exist only as locals of the replay: their ``.grad`` (a neuron's δ) is
  not set. ``create_graph`` (higher derivatives) and
  :func:`~tinygrad_edu.engine.detect_anomaly` are eager only.
* **Ops are open.** Any op of :mod:`tinygrad_edu.ops`, and any new ``Op`` row
  applied with :func:`~tinygrad_edu.engine.apply`, is written out through its
  own rules, with no change here. So its rules must make every choice with
  ``m.where``: a Python ``if`` on an input (or ``and``, ``or``, ``min``,
  ``max``) cannot become source, and ``trace`` raises a TypeError naming the op.
  A node made by hand with its own ``_backward`` has no rules to run: a TypeError too.
* **Compiling costs.** A graph of n nodes becomes one function of about 2n
  locals and n to 2n lines, which CPython compiles in time about linear in its
  size. Tracing pays when a graph is replayed often.
"""

from __future__ import annotations

import builtins
import keyword
import linecache
import math
import re
import unicodedata
import weakref
from collections import Counter
from functools import partial
from itertools import count
from operator import attrgetter
from typing import Any, Callable, Optional, Sequence

from . import ops
from .checks import as_float, is_real, received, short
from .engine import Value, backpropagate, topological_order
from .modes import is_grad_enabled

__all__ = ["Expr", "SourceMath", "Traced", "trace"]

# How the example arguments nest: None for a number; (list or tuple, the entries' specs,
# whether every entry is a number) for a list or tuple.
Spec = Optional[tuple[type, tuple["Spec", ...], bool]]

# Python 3.12 made ``sum`` of floats compensated (Neumaier), so ``sum(xs, s)`` is no longer
# ((s + x₁) + x₂) + …  The Σ ops use ``sum``: on such a Python the replay calls it too.
_PLAIN_SUM = sum([1e100, 1.0, -1e100], 0.0) == 0.0
_CHUNK = 100  # terms per statement: a longer a + b + … nests too deep for CPython's compiler

_data = attrgetter("data")
_grad = attrgetter("grad")
_traces = count(1)

# The functions of the float math, by their own names: the source calls exp(x) where a rule
# calls m.exp(x). (A rule's m.where, m.eq and m.sum are written as Python's if-else, == and +.)
_FUNCTIONS = {
    name: getattr(ops.FLOATS, name)
    for name in dir(ops.FloatMath)
    if not name.startswith("_") and name not in ("read", "where", "eq", "sum")
}
# What the generated code may use, by the names it uses.
_NAMESPACE: dict[str, Any] = {
    "data": _data,
    "grad": _grad,
    "inf": math.inf,
    "nan": math.nan,
    **_FUNCTIONS,
    "__builtins__": builtins,
}
_RESERVED = (
    frozenset(keyword.kwlist)
    | frozenset(keyword.softkwlist)
    | frozenset(dir(builtins))
    | frozenset(_NAMESPACE)
    | {"inputs", "leaves", "leaf", "g", "replay", "forward", "out"}
)
_GENERATED = re.compile(r"v\d+\Z")  # the names given to unlabeled nodes


def _usable(label: str) -> bool:
    """Whether a label can name a variable without clashing with anything the source uses."""
    return (
        label.isidentifier()
        and not label.startswith(("_", "g_"))  # g_: the prefix of gradients
        and label not in _RESERVED
        and _GENERATED.match(label) is None
        and unicodedata.normalize("NFKC", label) == label  # Python would merge ﬁ with fi
    )


def _scoped_label(v: Value) -> str:
    """The label prefixed by the node's scope, abbreviated, as one identifier: ("layer 1",
    "neuron 3") and "w1" give "l1n3_w1" ("" without a label or a scope)."""
    if not v.label or not v.scope:
        return ""
    # each word of the scope by its first letter, numbers whole: "layer 1" → "l1"
    short = "".join(w if w.isdigit() else w[:1] for part in v.scope for w in re.findall(r"\w+", part))
    return f"{short}_{v.label}"


def _literal(x: Any) -> str:
    """A float (or int, or bool) as Python source that reads back bit for bit."""
    if isinstance(x, float):
        if x != x:
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
    return repr(x)


# ------------------------------------------------------------- the source math
# The third reading of the rules in ops.py. Run on Exprs, an op's forward and local rules return
# Exprs: source that computes, at replay, what the rule computes on floats, by the same operations
# in the same order. Numbers that do not depend on an Expr (a constant's logarithm) are computed
# now, by the float math, as eager computes them on every call.

_WHERE, _COMPARE, _AND, _ADD, _MUL, _UNARY, _ATOM = 1, 3, 5, 6, 7, 8, 9  # how tightly each binds


class Expr:
    """A Python expression being written: its text, and how tightly its outermost operator binds."""

    __slots__ = ("text", "prec")

    def __init__(self, text: str, prec: int = _ATOM) -> None:
        self.text, self.prec = text, prec

    def __bool__(self) -> bool:
        raise TypeError(
            f"a rule used {self.text!r}, which depends on the traced numbers, as a truth value (in an if, "
            "and, or, not, min or max)"
        )

    def __add__(self, other: Any) -> Expr:
        return _binary(self, "+", other, _ADD)

    def __radd__(self, other: Any) -> Expr:
        return _binary(other, "+", self, _ADD)

    def __sub__(self, other: Any) -> Expr:
        return _binary(self, "-", other, _ADD)

    def __rsub__(self, other: Any) -> Expr:
        return _binary(other, "-", self, _ADD)

    def __mul__(self, other: Any) -> Expr:
        return _product(self, other)

    def __rmul__(self, other: Any) -> Expr:
        return _product(other, self)

    def __truediv__(self, other: Any) -> Expr:
        return _binary(self, "/", other, _MUL)

    def __rtruediv__(self, other: Any) -> Expr:
        return _binary(other, "/", self, _MUL)

    def __neg__(self) -> Expr:
        return Expr(f"-{_wrap(self, _UNARY)}", _UNARY)

    def __abs__(self) -> Expr:
        return Expr(f"abs({self.text})")

    def __lt__(self, other: Any) -> Expr:
        return _binary(self, "<", other, _COMPARE)

    def __le__(self, other: Any) -> Expr:
        return _binary(self, "<=", other, _COMPARE)

    def __gt__(self, other: Any) -> Expr:
        return _binary(self, ">", other, _COMPARE)

    def __ge__(self, other: Any) -> Expr:
        return _binary(self, ">=", other, _COMPARE)

    def __and__(self, other: Any) -> Expr:  # both conditions, as & does on bools
        return _binary(self, "&", other, _AND)

    def __rand__(self, other: Any) -> Expr:
        return _binary(other, "&", self, _AND)


class Where(Expr):
    """``a if condition else b``. A branch may be None, a masked derivative (no gradient flows),
    written as ``nothing``, the term a gradient's sum adds instead (see the module docstring)."""

    __slots__ = ("condition", "a", "b", "masked")

    def __init__(self, condition: Expr, a: Any, b: Any, nothing: str = "0.0") -> None:
        self.condition, self.a, self.b = condition, a, b
        self.masked: bool = any(x is None or (isinstance(x, Where) and x.masked) for x in (a, b))
        show = [nothing if x is None else _wrap(x, _WHERE + 1) for x in (a, b)]
        super().__init__(f"{show[0]} if {_wrap(condition, _WHERE + 1)} else {show[1]}", _WHERE)


class Sum(Expr):
    """t₀ + t₁ + t₂ + …, added left to right as ``sum(terms, t₀)`` does (on a Python whose ``sum``
    is compensated, written as that call). Its terms stay at hand, for long sums split over lines."""

    __slots__ = ("terms",)

    def __init__(self, terms: list[Any]) -> None:
        self.terms = terms
        texts = [_wrap(t, _ADD + 1) for t in terms]
        if _PLAIN_SUM:
            super().__init__(" + ".join(texts), _ADD)
        else:
            rest = "".join(f"{t}, " for t in texts[1:])  # (t₁, t₂, ): a tuple even for one term
            super().__init__(f"sum(({rest}), {texts[0]})")


def _wrap(x: Any, prec: int) -> str:
    """x as an operand where an operator of precedence ``prec`` stands: in parentheses if it binds less."""
    if isinstance(x, Expr):
        return x.text if x.prec >= prec else f"({x.text})"
    text = _literal(x)
    return text if not text.startswith("-") or prec < _UNARY else f"({text})"


def _binary(a: Any, op: str, b: Any, prec: int) -> Expr:
    # left-associative: an operand on the right at the same precedence needs parentheses, and
    # comparisons chain in Python (a < b < c), so there one on the left needs them too
    left = prec + 1 if prec == _COMPARE else prec
    return Expr(f"{_wrap(a, left)} {op} {_wrap(b, prec + 1)}", prec)


def _product(a: Any, b: Any) -> Expr:
    """a · b, written as backprop's ∂t/∂s · δ is: 1.0 · δ as δ, −1.0 · δ as −δ (the same number,
    but a nan may come out with the other sign bit: see the module docstring)."""
    for one, other in ((a, b), (b, a)):
        if type(one) is float and one in (1.0, -1.0) and isinstance(other, Expr):
            return other if one == 1.0 else -other
    # a choice moves outward, (x if c else y) · δ = x·δ if c else y·δ, so that a masked branch
    # stays a term that adds nothing, not 0.0 · δ (nan for an infinite δ)
    if isinstance(a, Where):
        return Where(a.condition, _times(a.a, b), _times(a.b, b))
    if isinstance(b, Where):
        return Where(b.condition, _times(a, b.a), _times(a, b.b))
    return _binary(a, "*", b, _MUL)


def _times(a: Any, b: Any) -> Optional[Expr]:
    """a · b, where None (a masked derivative) stays None."""
    return None if a is None or b is None else _product(a, b)


class SourceMath:
    """The math that writes source: a rule run on it with Exprs for numbers returns an Expr.
    Its functions are written as calls of their float twins (``m.exp(x)`` as ``exp(x)``), and
    computed now where no argument is an Expr."""

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        """``a if condition else b``: decided now for a known condition, else written out."""
        if isinstance(condition, Expr):
            return Where(condition, a, b)
        return a if condition else b

    @staticmethod
    def eq(a: Any, b: Any) -> Any:
        """``a == b``."""
        if isinstance(a, Expr) or isinstance(b, Expr):
            return _binary(a, "==", b, _COMPARE)
        return a == b

    @staticmethod
    def sum(terms: Any, start: Any) -> Sum:
        """``start + t₁ + t₂ + …``, left to right."""
        return Sum([start, *terms])

    @staticmethod
    def div(a: Any, b: Any) -> Any:
        """``div(a, b)``, IEEE: a / b, with ±inf or nan for b = 0."""
        if isinstance(a, Expr) and type(b) is float and b != 0.0:
            return a / b  # x / c raises only for c = 0, known now: there plain / is the same float
        return _call("div", ops.FLOATS.div, a, b)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return partial(_call, name, getattr(ops.FLOATS, name))


SOURCE = SourceMath()


def _call(name: str, function: Callable[..., Any], *args: Any) -> Any:
    """``name(args)`` written out, or, when no argument is an Expr, ``function(args)`` computed now,
    as eager computes it."""
    if any(isinstance(x, Expr) for x in args):
        return Expr(f"{name}({', '.join(_wrap(x, _WHERE) for x in args)})")
    return function(*args)


class _Terms(list):  # type: ignore[type-arg]
    """A gradient's sum, term by term, as backprop adds them into ``.grad``: ``+=`` appends."""

    def __iadd__(self, term: Any) -> _Terms:  # type: ignore[misc]
        self.append(term)
        return self


def _sum_lines(target: str, terms: Sequence[Any], comment: str) -> list[str]:
    """``target = t₀ + t₁ + …`` (left to right), split so that no statement nests too deep."""
    texts = [_wrap(t, _ADD + 1) for t in terms]
    lines = [f"{target} = {' + '.join(texts[:_CHUNK])}{comment}"]
    for i in range(_CHUNK, len(texts), _CHUNK):
        lines.append(f"{target} = {target} + {' + '.join(texts[i : i + _CHUNK])}")
    return lines


# ------------------------------------------------------------------ tracing


def trace(fn: Callable[..., Value], *example_args: Any) -> Traced:
    """Record ``fn``'s graph on the example arguments and compile its forward and backward pass.

    Each example argument is a real number or a (nested) list or tuple of them.
    ``fn`` is called once with the same nesting, each number replaced by a new
    leaf ``Value`` (an *input*, labelled ``x1``, ``x2``, … in order), and must
    return a ``Value``, the output y. Every other leaf of the graph behind y is
    *captured* (typically a parameter): the replay reads its ``.data`` at every
    call, so updates between calls take effect.

    The returned :class:`Traced` computes, for new arguments of the same
    structure, y and every ∂y/∂v exactly as ``y.backward()`` on a graph built by
    ``fn`` from those arguments would, bit for bit (see the module docstring;
    control flow in ``fn`` that reads ``.data`` is frozen at this trace).

    >>> from tinygrad_edu import Value
    >>> w = Value(3.0)
    >>> f = trace(lambda x: w * x * x, 2.0)       # y = w·x², ∂y/∂x = 2wx, ∂y/∂w = x²
    >>> f(5.0), f.input_grads, w.grad             # input_grads: one entry per argument
    (75.0, (30.0,), 25.0)
    """
    if not callable(fn):
        raise TypeError(f"trace: fn must be callable, got {received(fn)}")
    if not is_grad_enabled():
        raise RuntimeError(
            "trace: called inside no_grad(), where ops record no graph, so there would be nothing "
            "to trace; call trace outside the no_grad block"
        )
    specs = tuple(_example_spec(a, f"example argument {i}") for i, a in enumerate(example_args))
    flat: list[float] = []
    for i, (a, spec) in enumerate(zip(example_args, specs)):
        _flatten(a, spec, flat, "trace", f"example argument {i}")
    inputs = [Value(x, label=f"x{i + 1}") for i, x in enumerate(flat)]
    feed = iter(inputs)
    out = fn(*(_nest(spec, feed) for spec in specs))
    if not isinstance(out, Value):
        raise TypeError(f"trace: fn must return a Value, got {received(out)}")
    return Traced(_name_of(fn), out, inputs, specs)


def _name_of(fn: Any) -> str:
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) else type(fn).__name__


def _example_spec(x: Any, path: str) -> Spec:
    """How an example argument nests; a TypeError for anything but real numbers in lists and tuples."""
    if isinstance(x, (list, tuple)):
        children = tuple(_example_spec(xi, f"{path}[{i}]") for i, xi in enumerate(x))
        return (type(x), children, all(s is None for s in children))
    if isinstance(x, Value):
        raise TypeError(
            f"trace: {path} is a Value; pass numbers (its .data): trace makes each one a new input Value"
        )
    as_float(x, "trace", path)  # TypeError for a non-number, ValueError for a huge int
    return None


def _flatten(x: Any, spec: Spec, out: list[float], where: str, path: str) -> None:
    """Append the numbers of ``x`` to ``out``, checking that it nests as ``spec`` says."""
    if spec is None:
        if type(x) is not float:
            if isinstance(x, (list, tuple)):
                raise ValueError(f"{where}: {path} should be a number (as traced), got a {type(x).__name__}")
            x = as_float(x, where, path)
        out.append(x)
        return
    kind, children, flat = spec
    if not isinstance(x, (list, tuple)):
        if isinstance(x, Value) or not is_real(x):
            raise TypeError(
                f"{where}: {path} should be a {kind.__name__} of {len(children)} entries, got {received(x)}"
            )
        raise ValueError(
            f"{where}: {path} should be a {kind.__name__} of {len(children)} entries, got {short(x)}"
        )
    if len(x) != len(children):
        raise ValueError(f"{where}: {path} has {len(x)} entries; it was traced with {len(children)}")
    if flat and all(type(xi) is float for xi in x):  # the usual case, at C speed
        out.extend(x)
        return
    for i, (xi, si) in enumerate(zip(x, children)):
        _flatten(xi, si, out, where, f"{path}[{i}]")


def _nest(spec: Spec, flat: Any) -> Any:
    """The next values of the iterator ``flat``, nested as ``spec`` says."""
    if spec is None:
        return next(flat)
    kind, children, _ = spec
    return kind(_nest(s, flat) for s in children)


# ---------------------------------------------------------------- the graph


# ---------------------------------------------------------------- the graph


class _Source:
    """The generated source for one graph."""

    def __init__(self, root: Value, inputs: list[Value]) -> None:
        self.root = root
        self.inputs = inputs
        self.order = topological_order(root)  # the engine's order: each node before its inputs
        self.interior = [n for n in reversed(self.order) if n.inputs]  # each node after its inputs
        for node in self.interior:
            if node.rule is None:
                raise TypeError(
                    f"trace: the node {node!r} (op {node.op!r}) was made by hand with its own _backward; "
                    "only nodes made by ops (tinygrad_edu.ops) can be traced"
                )
        input_set = set(inputs)
        # the captured leaves in order of first use, so that w1, w2, b read as in the formulas
        captured: dict[Value, None] = {}
        leaves: set[Value] = set()
        for node in self.interior:
            for p in node.inputs:
                if not p.inputs and p not in leaves:
                    leaves.add(p)
                    if p not in input_set:
                        captured[p] = None
        if not root.inputs:  # fn returned a leaf: the graph is that leaf alone
            leaves.add(root)
            if root not in input_set:
                captured[root] = None
        self.captured = list(captured)
        self.used = leaves  # the leaves in the graph (an input fn ignored is not)
        self.consumers: dict[Value, list[Value]] = {}  # in the order backprop adds their terms
        for node in self.order:
            for p in node.inputs:
                seen = self.consumers.setdefault(p, [])
                if not seen or seen[-1] is not node:
                    seen.append(node)
        self.names = self._names()
        self._formulas: dict[Value, str] = {}

    def _names(self) -> dict[Value, str]:
        """Each node's variable: its label when usable and unique in the graph; else its label
        prefixed by where it was made (``l1n3_w1``: layer 1, neuron 3) when that is; else v<index>."""
        nodes = [x for x in self.inputs if x in self.used] + self.captured + self.interior
        labels = Counter(v.label for v in nodes)
        scoped = {v: _scoped_label(v) for v in nodes if labels[v.label] > 1}
        scoped_counts = Counter(scoped.values())
        names: dict[Value, str] = {}
        for i, v in enumerate(nodes):
            if labels[v.label] == 1 and _usable(v.label):
                names[v] = v.label
            elif v in scoped and scoped_counts[scoped[v]] == 1 and _usable(scoped[v]):
                names[v] = scoped[v]
            else:
                names[v] = f"v{i}"
        if len(set(names.values())) < len(names):  # a scoped name equal to another's label
            unique = {v for v in nodes if labels[v.label] == 1 and _usable(v.label)}
            names = {v: v.label if v in unique else f"v{i}" for i, v in enumerate(nodes)}
        if names[self.root] != self.root.label:
            names[self.root] = "out"  # a name no label gets: the output reads best as out, g_out
        return names

    def _formula(self, node: Value) -> str:
        """The node as a formula of its inputs' names, safe inside a comment."""
        text = self._formulas.get(node)
        if text is None:
            assert node.rule is not None
            text = ops.formula(node.rule, node.constant, [self.names[p] for p in node.inputs], _literal)
            if not text.isprintable():  # an op's name may hold a newline: keep it out of the code
                text = "".join(ch if ch.isprintable() else "?" for ch in text)
            self._formulas[node] = text
        return text

    def _from(self, node: Value) -> str:
        """The comment of a gradient's line: the node its terms come from."""
        consumers = self.consumers.get(node, [])
        if len(consumers) == 1:
            return f"  # {self.names[consumers[0]]} = {_short(self._formula(consumers[0]))}"
        return f"  # from {len(consumers)} consumers" if consumers else ""

    def head(self) -> list[str]:
        """Unpack the inputs, and read the captured leaves' .data into locals."""
        lines = []
        if self.inputs:
            targets = [self.names[x] if x in self.used else "_" for x in self.inputs]
            lines.append(f"{_tuple(targets)[1:-1]} = inputs")
        if self.captured:
            targets = [self.names[p] for p in self.captured]
            read = f"{_tuple(targets)[1:-1]} = map(data, leaves)"
            lines.append(f"{read}  # captured leaves: their current .data")
        return lines

    def forward_lines(self) -> list[str]:
        """One line (a few for a long Σ) per interior node: its op's forward rule run on the source
        math, with its inputs' names for numbers."""
        names = self.names
        lines: list[str] = []
        for node in self.interior:
            assert node.rule is not None
            try:
                y = node.rule.forward(SOURCE, node.constant, *[Expr(names[p]) for p in node.inputs])
            except TypeError as error:  # a Python if on an input, or a function outside the math
                raise _unwritable(node, error) from None
            code = _wrap(y, _WHERE)
            formula = self._formula(node)
            comment = "" if formula == code else f"  # {_short(formula)}"  # no comment repeating the code
            if isinstance(y, Sum) and _PLAIN_SUM:  # a Σ node: its terms, left to right
                lines += _sum_lines(names[node], y.terms, comment)
            else:
                lines.append(f"{names[node]} = {code}{comment}")
        return lines

    def backward_lines(self) -> list[str]:
        """Every gradient, written by the engine's own backpropagate run on the source math: it
        appends each term ∂t/∂s · δₜ to the sum in s.grad, and when it reaches a node, that node's
        δ is complete and becomes a line. See the module docstring."""
        names, root, captured = self.names, self.root, set(self.captured)
        saved = [(n, n.grad) for n in self.order]  # the graph's .grad are borrowed, then put back
        writer = _BackwardMath(self)
        try:
            for node in self.order:  # a sum from 0.0, or, for a captured leaf, from its .grad at the call
                node.grad = _Terms([Expr(f"g_{names[node]}") if node in captured else 0.0])
            if root.inputs:
                root.grad = 1.0
            else:  # the output is a leaf: backward() adds 1 to its .grad
                root.grad += 1.0
            try:
                backpropagate(self.order, writer, check=_unchecked)
            except TypeError as error:
                raise _unwritable(writer.node, error) from None
            lines = writer.lines
            for x in self.inputs:  # a new input's .grad starts at 0.0
                if x in self.used:
                    lines += _sum_lines(f"g_{names[x]}", x.grad, self._from(x))
            if self.captured:
                lines += self._captured_lines()
            return lines
        finally:
            for node, g in saved:
                node.grad = g

    def _captured_lines(self) -> list[str]:
        """The captured leaves' gradients: each .grad plus its terms, written back."""
        grads = [f"g_{self.names[p]}" for p in self.captured]
        lines = ["# captured leaves accumulate, as after backward(): .grad + the terms, in its order"]
        if any(isinstance(t, Where) and t.masked for p in self.captured for t in p.grad):
            lines.append("# (-0.0 where no gradient flows: adding it changes no .grad, not even a -0.0)")
        lines.append(f"{_tuple(grads)[1:-1]} = map(grad, leaves)")
        for p, g in zip(self.captured, grads):
            lines += _sum_lines(g, [_minus_zero_if_masked(t) for t in p.grad], self._from(p))
        lines.append(f"for leaf, g in zip(leaves, {_tuple(grads)}):")
        lines.append("    leaf.grad = g")
        return lines

    def sources(self) -> tuple[str, str]:
        """The replay, ``def replay(inputs, leaves) -> (out, input gradients)``, and the
        forward pass alone, ``def forward(inputs, leaves) -> out``."""
        head, forward = self.head(), self.forward_lines()
        out = self.names[self.root]
        grads = [f"g_{self.names[x]}" if x in self.used else "0.0" for x in self.inputs]
        replay = [
            *head,
            "# forward, each node after its inputs",
            *forward,
            "# backward, consumers first: g_v = ∂out/∂v = 0.0 + Σ over v's consumers t of ∂t/∂v · g_t",
            *self.backward_lines(),
            f"return {out}, {_tuple(grads)}",
        ]
        return _function("replay", replay), _function("forward", [*head, *forward, f"return {out}"])


class _BackwardMath(SourceMath):
    """The source math as backpropagate reads a node: when it reaches a node, all of the node's
    consumers have added their terms to its sum, so its δ is complete and its line is written."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.lines: list[str] = []
        self.node: Optional[Value] = None  # the node being read, for an error naming its op

    def value(self, node: Value) -> Expr:
        return Expr(self.source.names[node])

    def delta(self, node: Value) -> Expr:
        """δ of the node backprop has reached: its line is written now, when its sum is complete."""
        self.node = node
        g = f"g_{self.source.names[node]}"
        if node is self.source.root:
            self.lines.append(f"{g} = 1.0")
        else:
            self.lines += _sum_lines(g, node.grad, self.source._from(node))
        return Expr(g)


def _unchecked(node: Value, local: tuple[Any, ...], delta: Any) -> None:
    """backpropagate's check, doing nothing: the source has no numbers to check (nor does
    detect_anomaly, whose check backpropagate would otherwise run)."""


def _unwritable(node: Any, error: Exception) -> TypeError:
    return TypeError(
        f"trace: the op {node.op!r} cannot be written as source: {error}. Its rules may use only "
        "arithmetic, comparisons, the functions of m and, for a choice, m.where(condition, a, b) "
        "(see tinygrad_edu.ops)"
    )


def _minus_zero_if_masked(term: Any) -> Any:
    """A captured leaf's term with each masked branch written -0.0 (see the module docstring)."""
    if not (isinstance(term, Where) and term.masked):
        return term
    a, b = (_minus_zero_if_masked(x) for x in (term.a, term.b))
    return Where(term.condition, a, b, nothing="-0.0")


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _tuple(items: Sequence[str]) -> str:
    """A tuple display: (a, b), (a,) or ()."""
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _function(name: str, body: list[str]) -> str:
    return f"def {name}(inputs, leaves):\n" + "".join(f"    {line}\n" for line in body)


def _compile(source: str, name: str, filename: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """Compile the function ``name`` defined by ``source``; a traceback shows its lines."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    scope = dict(namespace)
    exec(code, scope)
    return scope[name]  # type: ignore[no-any-return]


# ---------------------------------------------------------------- the result


class Traced:
    """A graph recorded by :func:`trace`, compiled to Python; call it with new arguments.

    ``traced(*args) -> float``
        forward and backward: returns y, adds ∂y/∂p into each captured leaf's
        ``.grad`` (accumulating, as ``backward()`` does) and sets :attr:`input_grads`.
    ``traced.forward(*args) -> float``
        y alone; no gradient is computed or touched.
    ``traced.source``
        the Python source of the replay, to read (``print(traced.source)``).
    ``traced.captured``
        the captured leaves (parameters and constants), in order of first use.
    ``traced.nodes``, ``traced.inputs``
        how many interior nodes the graph has, and how many numbers the arguments hold.

    Made by :func:`trace`; it keeps the captured leaves and the compiled code, not the graph.
    """

    def __init__(self, name: str, root: Value, inputs: list[Value], specs: tuple[Spec, ...]) -> None:
        self.name = name
        self._where = f"trace({name})"
        self._specs = specs
        src = _Source(root, inputs)
        self.captured: tuple[Value, ...] = tuple(src.captured)
        self.nodes = len(src.interior)
        self.inputs = len(inputs)
        self._op_counts = Counter(node.op for node in src.interior)
        self.source, self._forward_source = src.sources()
        self._filename = f"<trace {next(_traces)}: {name}>"
        self._replay = _compile(self.source, "replay", self._filename, _NAMESPACE)
        self._forward: Optional[Callable[..., Any]] = None
        self._input_grads: Optional[tuple[float, ...]] = None
        # the source stays readable in tracebacks while this object lives, and no longer
        weakref.finalize(self, _forget, self._filename)

    def _flat(self, args: tuple[Any, ...]) -> list[float]:
        where = f"{self._where} called"
        if len(args) != len(self._specs):
            raise ValueError(f"{where} with {len(args)} arguments; it was traced with {len(self._specs)}")
        flat: list[float] = []
        for i, (a, spec) in enumerate(zip(args, self._specs)):
            _flatten(a, spec, flat, where, f"argument {i}")
        return flat

    def __call__(self, *args: Any) -> float:
        """y at the new arguments; adds ∂y/∂p into every captured leaf's ``.grad``, sets input_grads."""
        out, grads = self._replay(self._flat(args), self.captured)
        self._input_grads = grads
        return out  # type: ignore[no-any-return]

    def forward(self, *args: Any) -> float:
        """y at the new arguments, without computing or touching any gradient."""
        flat = self._flat(args)
        if self._forward is None:  # compiled on first use: training only calls the replay
            filename = f"{self._filename[:-1]}, forward only>"
            self._forward = _compile(self._forward_source, "forward", filename, _NAMESPACE)
            weakref.finalize(self, _forget, filename)
        self._input_grads = None  # they belong to the previous point
        return self._forward(flat, self.captured)  # type: ignore[no-any-return]

    @property
    def input_grads(self) -> tuple[Any, ...]:
        """∂y/∂input from the latest call: a tuple with one entry per argument, each nested
        like that argument (a float for a number, lists and tuples as traced)."""
        if self._input_grads is None:
            raise RuntimeError(
                f"{self._where}: input_grads are set by calling the traced function, not by .forward"
            )
        feed = iter(self._input_grads)
        return tuple(_nest(spec, feed) for spec in self._specs)

    def __repr__(self) -> str:
        kinds = ", ".join(f"{n} {op}" for op, n in self._op_counts.most_common(4))
        more = ", ..." if len(self._op_counts) > 4 else ""
        return (
            f"<Traced {self.name}: {self.nodes} nodes ({kinds}{more}), {self.inputs} inputs, "
            f"{len(self.captured)} captured leaves>"
        )


def _forget(filename: str) -> None:
    linecache.cache.pop(filename, None)
