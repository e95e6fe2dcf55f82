"""Tracing: record a function's graph once, then replay it as one compiled function of floats.

Eager backprop (:mod:`tinygrad_edu.engine`) makes a ``Value`` object for every
operation on every call, then sorts those objects and visits each one to push
gradients down. When the graph has the same shape on every call (a training
step of one network, on new data or with new weights) that bookkeeping is the
same every time. :func:`trace` does it once: it runs ``fn`` on example
arguments, records the graph, writes straight-line Python source for its
forward and backward pass, and compiles that with the builtin ``compile``.
Calling the result runs one function of float arithmetic: each node is a local
variable, each gradient δ another (``g_<name>``), each op one line. No
``Value`` is made, no graph walked or sorted, and the common ops' derivatives
are written out instead of called; only the captured leaves (the parameters)
are touched, their ``.data`` read at the start and their ``.grad`` added to at
the end. On micrograd's moons step (6,805 nodes with inputs) that is 4-5x faster
than eager, and faster than the same network hand-written on plain floats
(see ``benchmarks/README.md``).

``traced.source`` is that function, meant to be read: it *is* what backprop
executes, δₛ = Σₜ ∂t/∂s · δₜ over the consumers t of s, written out edge by edge.

>>> from tinygrad_edu.nn import Neuron
>>> neuron = Neuron(2, activation="tanh", seed=0)
>>> step = trace(lambda x1, x2: neuron([x1, x2]), 1.0, 2.0)
>>> print(step.source)
def replay(inputs, leaves):
    x1, x2 = inputs
    w1, w2, b = map(data, leaves)  # captured leaves: their current .data
    # forward, in creation order
    z = b + w1 * x1 + w2 * x2  # w1*x1 + w2*x2 + b
    out = tanh(z)
    # backward, newest node first: g_v = ∂out/∂v = 0.0 + Σ over v's consumers t of ∂t/∂v · g_t
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

Bit for bit
-----------
``traced(*args)`` returns the output y, adds ∂y/∂p into every captured leaf's
``.grad`` and leaves ∂y/∂x in ``traced.input_grads``: exactly the floats that
building the graph again with ``fn`` on the new arguments and calling
``y.backward()`` would give. The replay does the same float operations in the
same order. A forward line is the op's own formula (or a call of its
``forward``); a Σ node adds its terms left to right as ``sum`` does. Each
gradient is the sum of the products ∂t/∂s·δₜ over the consumers t of s,
newest consumer first and a consumer's inputs in order, started from 0.0 (for
a captured leaf, from its ``.grad``): the additions ``backward()`` makes into
``s.grad``, one by one. The 0.0 keeps even the sign of a zero gradient. The one
liberty: ``1.0 * δ`` is written ``δ`` and ``-1.0 * δ`` is ``-δ``, the same
number for every δ except that a nan may come out with the other sign bit (it
is nan either way). The tests check all of this against eager backward on
random graphs and on every op at IEEE edge cases (0/0, overflow, inf, nan).

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
* **Ops are open.** The common ops (``+ - * /`` with Values or numbers, Σ
  nodes, neg, relu, tanh, sigmoid, exp, ``x ** c``) are written inline; any
  other op, including one added to :mod:`tinygrad_edu.ops` later, is replayed by
  calling its own ``forward`` and ``local`` with ``ops.FLOAT_MATH``.
* **Compiling costs.** A graph of n nodes becomes one function of about 2n
  locals and n to 2n lines. CPython compiles it in time about linear in its
  size: under a second for the moons step, 3 s for a chain of 10⁵ nodes (a chain of 10⁶
  takes a minute and gigabytes). Tracing pays when a graph is replayed often.
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
from itertools import count
from operator import attrgetter
from typing import Any, Callable, Optional, Sequence, Union

from . import ops
from .engine import Value, _to_float, is_grad_enabled
from .ops import Op

__all__ = ["Traced", "trace"]

# How the example arguments nest: None for a number; (list or tuple, the entries' specs,
# whether every entry is a number) for a list or tuple.
Spec = Optional[tuple[type, tuple["Spec", ...], bool]]

# Python 3.12 made ``sum`` of floats compensated (Neumaier), so ``sum(xs, s)`` is no longer
# ((s + x₁) + x₂) + …  The Σ ops use ``sum``: on such a Python the replay calls it too.
_PLAIN_SUM = sum([1e100, 1.0, -1e100], 0.0) == 0.0
_CHUNK = 100  # terms per statement: a longer a + b + … nests too deep for CPython's compiler

_data = attrgetter("data")
_grad = attrgetter("grad")
_seq = attrgetter("_seq")
_traces = count(1)

# What the generated code may call, by the names it uses.
_NAMESPACE: dict[str, Any] = {
    "data": _data,
    "grad": _grad,
    "M": ops.FLOAT_MATH,
    "inf": math.inf,
    "nan": math.nan,
    "div_": ops.div_,
    "exp_": ops.exp_,
    "pow_": ops.pow_,
    "sigmoid_": ops.sigmoid_,
    "tanh": math.tanh,
    "__builtins__": builtins,
}
# Ops replayed by calling their forward/local appear in the source under their name in ops.py.
_OP_NAMES = {id(v): k for k, v in vars(ops).items() if isinstance(v, Op)}
_RESERVED = (
    frozenset(keyword.kwlist)
    | frozenset(keyword.softkwlist)
    | frozenset(dir(builtins))
    | frozenset(_NAMESPACE)
    | frozenset(_OP_NAMES.values())
    | {"inputs", "leaves", "leaf", "g", "replay", "forward", "out"}
)
_GENERATED = re.compile(r"(v|C)\d+\Z|OP\d+\Z")  # the names given to unlabeled nodes, constants, ops


def _usable(label: str) -> bool:
    """Whether a label can name a variable without clashing with anything the source uses."""
    return (
        label.isidentifier()
        and not label.startswith(("_", "g_", "d_"))  # prefixes of gradients, local derivatives
        and label not in _RESERVED
        and _GENERATED.match(label) is None
        and unicodedata.normalize("NFKC", label) == label  # Python would merge ﬁ with fi
    )


def _scoped_label(v: Value) -> str:
    """The label prefixed by the node's scope, abbreviated, as one identifier: ("layer 1",
    "neuron 3") and "w1" give "l1n3_w1" ("" without a label or a scope)."""
    if not v.label or not v._scope:
        return ""
    # each word of the scope by its first letter, numbers whole: "layer 1" → "l1"
    short = "".join(w if w.isdigit() else w[:1] for part in v._scope for w in re.findall(r"\w+", part))
    return f"{short}_{v.label}"


def _literal(x: Any) -> str:
    """A float (or int, or None) as Python source that reads back bit for bit."""
    if isinstance(x, float):
        if x != x:
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
    return repr(x)


# ------------------------------------------------------------- the inline ops
# forward: (c, input names) → an expression, or a list of terms added left to right (Σ nodes).
# local: (c, input names, y, g) → one expression per input for ∂y/∂xᵢ · g, the product
# backward() adds into xᵢ's gradient (d * delta, with d = ∂y/∂xᵢ from op.local), in input order.
Forward = Callable[[Any, Sequence[str]], Union[str, list[str]]]
Local = Callable[[Any, Sequence[str], str, str], list[str]]


def _div_c(c: Any, a: Sequence[str]) -> str:
    # x / c raises only for c = 0, known now: then div_ gives ±inf or nan like ops.DIV_C
    return f"{a[0]} / {_literal(c)}" if c != 0.0 else f"div_({a[0]}, {_literal(c)})"


def _dot(c: Any, a: Sequence[str]) -> list[str]:
    # ops._dot: sum(map(mul, w, x), b or 0.0) = ((b + w₁x₁) + w₂x₂) + …
    n = c
    start = a[2 * n] if len(a) > 2 * n else "0.0"
    return [start, *(f"{w} * {x}" for w, x in zip(a[:n], a[n : 2 * n]))]


def _dot_local(c: Any, a: Sequence[str], y: str, g: str) -> list[str]:
    n = c  # ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1
    return [f"{x} * {g}" for x in a[n : 2 * n]] + [f"{w} * {g}" for w in a[:n]] + [g] * (len(a) - 2 * n)


def _dot_c(c: Any, a: Sequence[str]) -> list[str]:
    # ops._dot_c: sum(map(mul, w, c), b or 0.0), the xᵢ = cᵢ numbers kept in the node
    start = a[len(c)] if len(a) > len(c) else "0.0"
    return [start, *(f"{w} * {_literal(x)}" for w, x in zip(a, c))]


def _dot_c_local(c: Any, a: Sequence[str], y: str, g: str) -> list[str]:
    return [f"{_literal(x)} * {g}" for x in c] + [g] * (len(a) - len(c))


def _sum(c: Any, a: Sequence[str]) -> list[str]:
    return list(a) if c is None else [_literal(c), *a]  # sum(x[1:], x[0]) or sum(x, c)


def _pow_const_local(c: Any, a: Sequence[str], y: str, g: str) -> list[str]:
    # ∂(xᶜ)/∂x = c·xᶜ⁻¹ (0 for c = 0); c - 1.0 is the same float now as in op.local
    if c == 0.0:
        return [f"0.0 * {g}"]
    return [f"{_literal(c)} * pow_({a[0]}, {_literal(c - 1.0)}) * {g}"]


_INLINE: dict[int, tuple[Forward, Local]] = {
    id(ops.ADD): (lambda c, a: f"{a[0]} + {a[1]}", lambda c, a, y, g: [g, g]),
    id(ops.SUB): (lambda c, a: f"{a[0]} - {a[1]}", lambda c, a, y, g: [g, f"-{g}"]),
    id(ops.MUL): (lambda c, a: f"{a[0]} * {a[1]}", lambda c, a, y, g: [f"{a[1]} * {g}", f"{a[0]} * {g}"]),
    id(ops.DIV): (
        lambda c, a: f"div_({a[0]}, {a[1]})",
        lambda c, a, y, g: [f"div_(1.0, {a[1]}) * {g}", f"-div_({y}, {a[1]}) * {g}"],
    ),
    id(ops.ADD_C): (lambda c, a: f"{a[0]} + {_literal(c)}", lambda c, a, y, g: [g]),
    id(ops.SUB_C): (lambda c, a: f"{a[0]} - {_literal(c)}", lambda c, a, y, g: [g]),
    id(ops.RSUB_C): (lambda c, a: f"{_literal(c)} - {a[0]}", lambda c, a, y, g: [f"-{g}"]),
    id(ops.MUL_C): (lambda c, a: f"{a[0]} * {_literal(c)}", lambda c, a, y, g: [f"{_literal(c)} * {g}"]),
    id(ops.DIV_C): (_div_c, lambda c, a, y, g: [f"{_literal(ops.div_(1.0, c))} * {g}"]),
    id(ops.RDIV_C): (
        lambda c, a: f"div_({_literal(c)}, {a[0]})",
        lambda c, a, y, g: [f"-div_({y}, {a[0]}) * {g}"],  # ∂(c/x)/∂x = −y/x, as op.local
    ),
    id(ops.DOT): (_dot, _dot_local),
    id(ops.DOT_C): (_dot_c, _dot_c_local),
    id(ops.SUM): (_sum, lambda c, a, y, g: [g] * len(a)),
    id(ops.NEG): (lambda c, a: f"-{a[0]}", lambda c, a, y, g: [f"-{g}"]),
    id(ops.RELU): (
        lambda c, a: f"0.0 if {a[0]} <= 0.0 else {a[0]}",
        lambda c, a, y, g: [f"({g} if {a[0]} > 0.0 else 0.0 * {g})"],  # relu' = 1 for x > 0, else 0
    ),
    id(ops.TANH): (lambda c, a: f"tanh({a[0]})", lambda c, a, y, g: [f"(1.0 - {y} * {y}) * {g}"]),
    id(ops.SIGMOID): (lambda c, a: f"sigmoid_({a[0]})", lambda c, a, y, g: [f"{y} * (1.0 - {y}) * {g}"]),
    id(ops.EXP): (lambda c, a: f"exp_({a[0]})", lambda c, a, y, g: [f"{y} * {g}"]),
    id(ops.POW_CONST): (lambda c, a: f"pow_({a[0]}, {_literal(c)})", _pow_const_local),
}


def _sum_lines(target: str, terms: Sequence[str], comment: str, compensated: bool = False) -> list[str]:
    """``target = t₀ + t₁ + …`` (left to right), split so that no statement nests too deep."""
    if compensated:  # Python ≥ 3.12: the Σ ops' sum() is compensated, so call it too
        rest = "".join(f"{t}, " for t in terms[1:])
        return [f"{target} = sum(({rest}), {terms[0]}){comment}"]
    lines = [f"{target} = {' + '.join(terms[:_CHUNK])}{comment}"]
    for i in range(_CHUNK, len(terms), _CHUNK):
        lines.append(f"{target} = {target} + {' + '.join(terms[i : i + _CHUNK])}")
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
        raise TypeError(f"trace: fn must be callable, got {type(fn).__name__} {fn!r}")
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
        raise TypeError(f"trace: fn must return a Value, got {type(out).__name__} {out!r}")
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
    _to_float(x, f"trace: {path}")  # TypeError for a non-number, ValueError for a huge int
    return None


def _flatten(x: Any, spec: Spec, out: list[float], where: str, path: str) -> None:
    """Append the numbers of ``x`` to ``out``, checking that it nests as ``spec`` says."""
    if spec is None:
        if type(x) is not float:
            if isinstance(x, (list, tuple)):
                raise ValueError(f"{where}: {path} should be a number (as traced), got a {type(x).__name__}")
            x = _to_float(x, f"{where}: {path}")
        out.append(x)
        return
    kind, children, flat = spec
    if not isinstance(x, (list, tuple)):
        if isinstance(x, Value) or not _is_real(x):
            raise TypeError(
                f"{where}: {path} should be a {kind.__name__} of {len(children)} entries, got "
                f"{type(x).__name__} {x!r}"
            )
        raise ValueError(f"{where}: {path} should be a {kind.__name__} of {len(children)} entries, got {x!r}")
    if len(x) != len(children):
        raise ValueError(f"{where}: {path} has {len(x)} entries; it was traced with {len(children)}")
    if flat and all(type(xi) is float for xi in x):  # the usual case, at C speed
        out.extend(x)
        return
    for i, (xi, si) in enumerate(zip(x, children)):
        _flatten(xi, si, out, where, f"{path}[{i}]")


def _is_real(x: Any) -> bool:
    try:
        _to_float(x, "")
    except (TypeError, ValueError):
        return False
    return True


def _nest(spec: Spec, flat: Any) -> Any:
    """The next values of the iterator ``flat``, nested as ``spec`` says."""
    if spec is None:
        return next(flat)
    kind, children, _ = spec
    return kind(_nest(s, flat) for s in children)


# ---------------------------------------------------------------- the graph


def _walk(root: Value) -> list[Value]:
    """The nodes with inputs that ``root`` depends on (itself included), in creation order."""
    seen = {root}
    stack = [root]
    interior = []
    while stack:  # iterative: a chain of a million nodes is fine
        node = stack.pop()
        if node._prev:
            interior.append(node)
            for p in node._prev:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
    interior.sort(key=_seq)  # creation order is a topological order (engine._made)
    return interior


class _Source:
    """The generated source, and the names its namespace needs, for one graph."""

    def __init__(self, root: Value, inputs: list[Value], interior: list[Value]) -> None:
        self.root = root
        self.inputs = inputs
        self.interior = interior
        input_set = set(inputs)
        # the captured leaves in order of first use, so that w1, w2, b read as in the formulas
        captured: list[Value] = []
        leaves: set[Value] = set()
        for node in interior:
            for p in node._prev:
                if not p._prev and p not in leaves:
                    leaves.add(p)
                    if p not in input_set:
                        captured.append(p)
        if not root._prev:  # fn returned a leaf: the graph is that leaf alone
            leaves.add(root)
            if root not in input_set:
                captured.append(root)
        self.captured = captured
        self.used = leaves  # the leaves in the graph (an input fn ignored is not)
        self.namespace: dict[str, Any] = dict(_NAMESPACE)
        self.names = self._names()
        self._formulas: dict[Value, str] = {}
        self._constants: dict[Value, str] = {}

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
            names = [self.names[p] for p in node._prev]
            text = ops.formula(node._op, node._c, names, _literal)  # type: ignore[arg-type]
            if not text.isprintable():  # an op's name may hold a newline: keep it out of the code
                text = "".join(ch if ch.isprintable() else "?" for ch in text)
            self._formulas[node] = text
        return text

    def _constant(self, node: Value) -> str:
        """The node's constant as source: a literal for a number or None, else a namespace name."""
        c = node._c
        if c is None or type(c) in (float, int):
            return _literal(c)
        if node not in self._constants:
            self._constants[node] = name = f"C{len(self.namespace)}"
            self.namespace[name] = c
        return self._constants[node]

    def _op_name(self, op: Op) -> str:
        """How the source refers to an op it calls: its name in ops.py (OPn for another op)."""
        name = _OP_NAMES.get(id(op))
        if name is None or self.namespace.get(name, op) is not op:
            name = next((k for k, v in self.namespace.items() if v is op), f"OP{len(self.namespace)}")
        self.namespace[name] = op
        return name

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
        """One line (a few for a long Σ) per interior node, in creation order."""
        names, lines = self.names, []
        for node in self.interior:
            op: Op = node._op  # type: ignore[assignment]
            args = [names[p] for p in node._prev]
            y = names[node]
            inline = _INLINE.get(id(op))
            if inline is None:  # any other op: its own forward, on floats
                call = ", ".join([self._constant(node), *args])
                expr: Union[str, list[str]] = f"{self._op_name(op)}.forward({call})"
            else:
                expr = inline[0](node._c, args)
            formula = self._formula(node)
            code = " + ".join(expr) if isinstance(expr, list) else expr  # a list: a Σ node's terms
            comment = "" if formula == code else f"  # {_short(formula)}"  # no comment repeating the code
            if isinstance(expr, list):
                lines += _sum_lines(y, expr, comment, compensated=not _PLAIN_SUM)
            else:
                lines.append(f"{y} = {expr}{comment}")
        return lines

    def backward_lines(self) -> list[str]:
        """Every node's gradient, newest node first, then the leaves'; see the module docstring."""
        names = self.names
        terms: dict[Value, list[str]] = {}  # each node's products ∂t/∂v · g_t, in backward()'s order
        consumers: dict[Value, list[Value]] = {}  # those t, for the comments
        lines = [f"g_{names[self.root]} = 1.0"] if self.root._prev else []
        for node in reversed(self.interior):  # backward()'s order: newest first
            y = names[node]
            g = f"g_{y}"
            if node is not self.root:  # all of its consumers came before: its gradient is complete
                lines += _sum_lines(g, ["0.0", *terms.pop(node)], self._from(consumers.pop(node)))
            op: Op = node._op  # type: ignore[assignment]
            args = [names[p] for p in node._prev]
            inline = _INLINE.get(id(op))
            if inline is None:  # any other op: its own local derivatives, on floats
                call = ", ".join(["M", self._constant(node), y, *args])
                wrt = ", ".join(f"∂{y}/∂{a}" for a in args)
                wrt = wrt if len(args) == 1 else f"({wrt})"
                lines.append(f"d_{y} = {self._op_name(op)}.local({call})  # {wrt}")
                products = [f"d_{y}[{i}] * {g}" for i in range(len(args))]
            else:
                products = inline[1](node._c, args, y, g)
            for p, product in zip(node._prev, products):
                terms.setdefault(p, []).append(product)
                seen = consumers.setdefault(p, [])
                if not seen or seen[-1] is not node:
                    seen.append(node)
        if not self.root._prev:  # the output is a leaf: backward() adds 1 to its .grad
            terms[self.root], consumers[self.root] = ["1.0"], []
        for x in self.inputs:  # a new input's .grad starts at 0.0
            if x in terms:
                lines += _sum_lines(f"g_{names[x]}", ["0.0", *terms[x]], self._from(consumers[x]))
        if self.captured:
            grads = [f"g_{names[p]}" for p in self.captured]
            lines.append("# captured leaves accumulate, as after backward(): .grad + the terms, in its order")
            lines.append(f"{_tuple(grads)[1:-1]} = map(grad, leaves)")
            for p, g in zip(self.captured, grads):
                lines += _sum_lines(g, [g, *terms[p]], self._from(consumers[p]))
            lines.append(f"for leaf, g in zip(leaves, {_tuple(grads)}):")
            lines.append("    leaf.grad = g")
        return lines

    def _from(self, consumers: list[Value]) -> str:
        """The comment of a gradient's line: the node its terms come from."""
        if len(consumers) == 1:
            return f"  # {self.names[consumers[0]]} = {_short(self._formula(consumers[0]))}"
        return f"  # from {len(consumers)} consumers" if consumers else ""

    def sources(self) -> tuple[str, str]:
        """The replay, ``def replay(inputs, leaves) -> (out, input gradients)``, and the
        forward pass alone, ``def forward(inputs, leaves) -> out``."""
        head, forward = self.head(), self.forward_lines()
        out = self.names[self.root]
        grads = [f"g_{self.names[x]}" if x in self.used else "0.0" for x in self.inputs]
        replay = [
            *head,
            "# forward, in creation order",
            *forward,
            "# backward, newest node first: g_v = ∂out/∂v = 0.0 + Σ over v's consumers t of ∂t/∂v · g_t",
            *self.backward_lines(),
            f"return {out}, {_tuple(grads)}",
        ]
        return _function("replay", replay), _function("forward", [*head, *forward, f"return {out}"])


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
        src = _Source(root, inputs, _walk(root))
        self.captured: tuple[Value, ...] = tuple(src.captured)
        self.nodes = len(src.interior)
        self.inputs = len(inputs)
        self._op_counts = Counter(node._op.name for node in src.interior)  # type: ignore[union-attr]
        self.source, self._forward_source = src.sources()
        self._namespace = src.namespace
        self._filename = f"<trace {next(_traces)}: {name}>"
        self._replay = _compile(self.source, "replay", self._filename, self._namespace)
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
            self._forward = _compile(self._forward_source, "forward", filename, self._namespace)
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
