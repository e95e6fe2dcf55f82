"""The replay's source: one traced graph written out as straight-line Python, forward then backward.

The forward lines follow the engine's topological order backwards: each node
after its inputs, its op's forward rule run on the source math
(:mod:`tinygrad_edu.tracing.source_math`). The backward lines are written by
the engine's own :func:`~tinygrad_edu.engine.backpropagate`, run on the source
math in the order of :func:`~tinygrad_edu.engine.topological_order`
(consumers first): its ``x.grad += d * δ`` appends the term ``d * g_t`` to the
input's sum, and when it reaches a node, that node's δ is complete and is
written as one line.

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
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from .. import ops
from ..engine import Value, backpropagate, topological_order
from . import source_math  # for source_math.PLAIN_SUM, read where Sum reads it (a test sets it)
from .names import node_names
from .source_math import PREC_ADD, PREC_WHERE, SOURCE, Expr, SourceMath, Sum, Where, literal, wrap

__all__ = ["GraphSource"]

_CHUNK = 100  # terms per statement: a longer a + b + … nests too deep for CPython's compiler


class _Terms(list):  # type: ignore[type-arg]
    """A gradient's sum, term by term, as backprop adds them into ``.grad``: ``+=`` appends."""

    def __iadd__(self, term: Any) -> _Terms:  # type: ignore[misc]
        self.append(term)
        return self


def _sum_lines(target: str, terms: Sequence[Any], comment: str) -> list[str]:
    """``target = t₀ + t₁ + …`` (left to right), split so that no statement nests too deep."""
    texts = [wrap(t, PREC_ADD + 1) for t in terms]
    lines = [f"{target} = {' + '.join(texts[:_CHUNK])}{comment}"]
    for i in range(_CHUNK, len(texts), _CHUNK):
        lines.append(f"{target} = {target} + {' + '.join(texts[i : i + _CHUNK])}")
    return lines


class GraphSource:
    """The generated source for one graph: its nodes in order, its captured leaves, each node's
    variable and consumers; :meth:`sources` writes the replay and the forward pass."""

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
        used_inputs = [x for x in inputs if x in self.used]
        self.names = node_names(used_inputs + self.captured + self.interior, root)
        self._formulas: dict[Value, str] = {}

    def _formula(self, node: Value) -> str:
        """The node as a formula of its inputs' names, safe inside a comment."""
        text = self._formulas.get(node)
        if text is None:
            assert node.rule is not None
            text = ops.formula(node.rule, node.constant, [self.names[p] for p in node.inputs], literal)
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
            code = wrap(y, PREC_WHERE)
            formula = self._formula(node)
            comment = "" if formula == code else f"  # {_short(formula)}"  # no comment repeating the code
            if isinstance(y, Sum) and source_math.PLAIN_SUM:  # a Σ node: its terms, left to right
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
        forward_only = [*head, *forward, f"return {out}"]
        return _function_source("replay", replay), _function_source("forward", forward_only)


class _BackwardMath(SourceMath):
    """The source math as backpropagate reads a node: when it reaches a node, all of the node's
    consumers have added their terms to its sum, so its δ is complete and its line is written."""

    def __init__(self, source: GraphSource) -> None:
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


def _function_source(name: str, body: list[str]) -> str:
    return f"def {name}(inputs, leaves):\n" + "".join(f"    {line}\n" for line in body)
