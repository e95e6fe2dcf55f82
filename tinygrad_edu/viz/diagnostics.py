"""Diagnostic pictures built on ``draw_dot``, and the gradients they show.

:func:`deltas` is ∂root/∂node for every node, leaving ``.grad`` alone; :func:`draw_gradcheck`
colours every node by how far backprop's gradient is from a central difference (the picture to
look at when ``gradcheck`` fails), and :func:`draw_anomaly` shows where an
:class:`~tinygrad_edu.engine.AnomalyError` first produced a nan or inf.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Optional

import graphviz  # type: ignore[import-untyped]

from .. import checks, ops
from ..autograd import all_gradients
from ..engine import Value, topological_order
from ..modes import AnomalyError
from .colours import AGREEMENT, DISAGREEMENT_FILL, HIGHLIGHT, NONFINITE_FILL, add_legend
from .graph import draw_dot
from .labels import LABEL_CHARS, fit_text, join_caption

__all__ = ["deltas", "draw_anomaly", "draw_gradcheck"]


def deltas(root: Value) -> dict[Value, float]:
    """∂root/∂node for every node of root's graph, leaving every ``.grad`` as it was."""
    checks.instance(root, "deltas", "root", Value, "a Value")
    return all_gradients(root)


# --------------------------------------------------------------------- gradcheck
def draw_gradcheck(root: Value, eps: float = 1e-6, max_nodes: int = 300, **options: Any) -> graphviz.Digraph:
    """root's graph with, on every value node s, backprop's ∂root/∂s next to a central difference.

    The numerical derivative perturbs s alone, even an intermediate node:
    (root(s + ε) − root(s − ε)) / 2ε, where root(s ± ε) recomputes every node
    downstream of s with its op's forward on floats (the graph's data is not
    touched). Backprop's derivative comes from :func:`deltas` (``.grad`` is
    neither used nor changed). Like :func:`tinygrad_edu.testing.gradcheck`, ε is
    absolute, so this is the picture of what gradcheck reported.

    Each node's note shows both numbers and their disagreement
    |backprop − numeric| / max(1, |backprop|, |numeric|) — relative for
    gradients above 1, absolute below, so that rounding noise in tiny
    gradients does not alarm. Fills: green ≤ 1e-6 (agree), yellow ≤ 1e-4,
    orange ≤ 1e-2, red above 1e-2 or when either number is nan/inf (a wrong
    derivative, or a kink within ε of the point); a legend says so.

    Every node costs a forward pass of what lies downstream of it, O(nodes²)
    in all: graphs of more than ``max_nodes`` value nodes are a ``ValueError``.
    ``options`` go to :func:`draw_dot` (never collapsed; ``.grad`` rows hidden
    unless ``show_grad=True``; a ``title`` goes above the summary).

    >>> from tinygrad_edu import Value
    >>> x = Value(3.0, label="x")
    >>> g = draw_gradcheck(x * x)
    >>> "backprop 6" in g.source and "numeric 6" in g.source
    True
    """
    checks.instance(root, "draw_gradcheck", "root", Value, "a Value")
    eps = checks.real(eps, "draw_gradcheck", "eps", low=0.0, low_open=True)
    checks.integer(max_nodes, "draw_gradcheck", "max_nodes", low=1)
    _refuse(options, ("collapse", "notes", "fills"), "draw_gradcheck")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"draw_gradcheck: the graph has {len(order)} value nodes, more than max_nodes={max_nodes}; "
            "each node's numerical derivative recomputes everything computed from it (O(nodes²)): "
            "check a smaller graph or pass a larger max_nodes"
        )
    backprop = deltas(root)
    numeric = _central_differences(order, eps)
    errors = {n: _disagreement(backprop[n], numeric[n]) for n in order}
    notes = {n: f"backprop {backprop[n]:.6g}\nnumeric {numeric[n]:.6g}\nerror {errors[n]:.1e}" for n in order}
    fills = {n: _agreement_fill(e) for n, e in errors.items()}
    bad = sum(1 for e in errors.values() if not e <= AGREEMENT[0][0])
    name = fit_text(root.label, LABEL_CHARS)[0] or "the output"  # as the picture shows it, in one line
    verdict = (
        f"{bad} of {len(order)} nodes disagree by more than {AGREEMENT[0][0]:g}"
        if bad
        else f"all {len(order)} nodes agree within {AGREEMENT[0][0]:g}"
    )
    title = join_caption(
        options.pop("title", ""), f"gradcheck of {name} (central differences, eps={eps:g}): {verdict}"
    )
    options.setdefault("show_grad", False)
    graph = draw_dot(root, collapse=None, notes=notes, fills=fills, title=title, **options)
    add_legend(
        graph, "gradcheck", "|backprop − numeric| / max(1, |backprop|, |numeric|)", _agreement_legend()
    )
    return graph


def _central_differences(order: list[Value], eps: float) -> dict[Value, float]:
    """(root(s + ε) − root(s − ε)) / 2ε for every node s of a topological order (root first)."""
    forward = order[::-1]  # leaves first: every node after its inputs
    return {
        s: (_shifted_output(forward, i, eps) - _shifted_output(forward, i, -eps)) / (2.0 * eps)
        for i, s in enumerate(forward)
    }


def _shifted_output(forward: list[Value], start: int, shift: float) -> float:
    """The output's data after adding ``shift`` to node ``forward[start]``'s data.

    Recomputes, on floats kept in a dict, each node downstream of it from its
    inputs with the op's own forward; ``forward`` lists inputs before consumers
    and ends with the output.
    """
    s = forward[start]
    changed = {s: s.data + shift}
    for n in forward[start + 1 :]:
        if any(p in changed for p in n.inputs):
            if n.rule is None:  # made by hand: its forward is not known here
                raise ValueError(f"the node {n!r} was made by hand, without a rule from ops.py")
            changed[n] = n.rule.forward(ops.FLOATS, n.constant, *[changed.get(p, p.data) for p in n.inputs])
    root = forward[-1]
    return changed.get(root, root.data)


def _disagreement(backprop: float, numeric: float) -> float:
    """|a − n| / max(1, |a|, |n|); inf when either is nan or inf."""
    if not (math.isfinite(backprop) and math.isfinite(numeric)):
        return math.inf
    return abs(backprop - numeric) / max(1.0, abs(backprop), abs(numeric))


def _agreement_fill(error: float) -> str:
    return next((fill for limit, fill in AGREEMENT if error <= limit), DISAGREEMENT_FILL)


def _agreement_legend() -> list[tuple[str, str]]:
    rows = [(fill, f"≤ {limit:.0e}") for limit, fill in AGREEMENT]
    return [*rows, (DISAGREEMENT_FILL, f"> {AGREEMENT[-1][0]:.0e}, or nan/inf")]


# --------------------------------------------------------------------- anomaly
def draw_anomaly(error: AnomalyError, root: Optional[Value] = None, **options: Any) -> graphviz.Digraph:
    """The picture of an :class:`~tinygrad_edu.engine.AnomalyError`: where the first nan/inf appeared.

    Draws the graph of ``error.node`` or, when given, of ``root`` (the whole
    computation, which must contain ``error.node``), titled with the error's
    message. Red (fill and outline): the culprit — for a forward error the
    node whose data became nan/inf, for a backward error the input
    (``error.input_index``) whose gradient became nan/inf — and, filled red,
    the op that did it (the op that made ``error.node``). Light red: every
    other node whose data is nan or inf (what the culprit spread to, or
    what was already wrong upstream of it). A legend says so. ``options`` go
    to :func:`draw_dot`; a collapsed picture outlines the culprit's group.

    >>> from tinygrad_edu import Value, AnomalyError, detect_anomaly
    >>> x = Value(-2.0, label="x")
    >>> try:
    ...     with detect_anomaly():
    ...         y = x.log()
    ... except AnomalyError as e:
    ...     g = draw_anomaly(e)
    >>> "produced nan" in g.source
    True
    """
    if not isinstance(error, AnomalyError):
        raise TypeError(f"draw_anomaly: error must be an AnomalyError, got {type(error).__name__}")
    if root is not None and not isinstance(root, Value):
        raise TypeError(f"draw_anomaly: root must be a Value or None, got {type(root).__name__}")
    _refuse(options, ("highlight", "highlight_ops", "fills"), "draw_anomaly")
    culprit = _anomaly_culprit(error)
    drawn = error.node if root is None else root
    order = topological_order(drawn)
    if not any(n is error.node for n in order):
        raise ValueError(
            f"draw_anomaly: root's graph does not contain the node where the error happened "
            f"(the output of {error.op!r}); pass the root it was computed for, or no root"
        )
    fills = {n: NONFINITE_FILL for n in order if not math.isfinite(n.data)}
    fills[culprit] = HIGHLIGHT
    title = join_caption(options.pop("title", ""), str(error))
    graph = draw_dot(
        drawn, highlight=[culprit], highlight_ops=[error.node], fills=fills, title=title, **options
    )
    add_legend(graph, "anomaly", "anomaly", _anomaly_legend(error))
    return graph


def _anomaly_culprit(error: AnomalyError) -> Value:
    """The node whose data (forward) or gradient (backward) first became nan or inf."""
    node: Value = error.node
    inputs: tuple[Value, ...] = node.inputs
    if error.phase == "backward" and error.input_index is not None and error.input_index < len(inputs):
        return inputs[error.input_index]
    return node


def _anomaly_legend(error: AnomalyError) -> list[tuple[str, str]]:
    if error.phase == "backward":
        first = f"input {error.input_index} of {error.op!r}, its gradient {error.gradient!r}, and that op"
    else:
        first = f"the output of {error.op!r}, {error.output!r}, and that op"
    return [(HIGHLIGHT, first), (NONFINITE_FILL, "other nodes whose data is nan or inf")]


def _refuse(options: Mapping[str, Any], names: Iterable[str], where: str) -> None:
    for name in names:
        if name in options:
            raise TypeError(f"{where}: {name}= is set by {where} itself")
