"""How the pictures' nodes look: fills and their meaning, the |grad| colour scale, legends."""

from __future__ import annotations

import math

import graphviz  # type: ignore[import-untyped]

from ..engine import Value, number
from .labels import TITLE_CHARS, escape_label, fit_text, tooltip

__all__ = [
    "AGREEMENT",
    "DARK_FILLS",
    "DECADES_PER_STOP",
    "DISAGREEMENT_FILL",
    "GRAD_STOPS",
    "HIGHLIGHT",
    "INPUT_FILL",
    "NONFINITE_FILL",
    "PARAM_FILL",
    "VALUE_FILL",
    "ZERO_FILL",
]

# node fills
PARAM_FILL, INPUT_FILL, VALUE_FILL = "#dbeafe", "#eeeeee", "#ffffff"
HIGHLIGHT = "#dc2626"  # red: the culprit of an anomaly, a nan/inf gradient
NONFINITE_FILL = "#fecaca"  # light red: other nodes whose data is nan or inf
# |grad| colour map (pale → dark blue): the darkest for the top DECADES_PER_STOP decades
# below the largest |grad| (rounded up to a power of ten), one stop lighter per further
# DECADES_PER_STOP decades, the palest for everything below
GRAD_STOPS = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
DECADES_PER_STOP = 2
ZERO_FILL = "#fde2e2"  # an exactly-zero gradient: nothing flows here
# draw_gradcheck: (largest disagreement, fill) from good to bad; worse than the last is red
AGREEMENT = [(1e-6, "#86efac"), (1e-4, "#fde047"), (1e-2, "#fdba74")]
DISAGREEMENT_FILL = "#f87171"
DARK_FILLS = (GRAD_STOPS[-1], GRAD_STOPS[-2], HIGHLIGHT)  # drawn with white text


def box_style(
    fill: str, *, outline: str = "black", thick: bool = False, dashed: bool = False
) -> dict[str, str]:
    """Graphviz attributes of a node drawn on ``fill``: text colour, outline, line style."""
    return {
        "style": "filled,dashed" if dashed else "filled",
        "fillcolor": fill,
        "fontcolor": "white" if fill in DARK_FILLS else "black",
        "color": outline,
        "penwidth": "3" if thick else "1",
    }


def grad_top(order: list[Value]) -> int:
    """⌈log₁₀ max |grad|⌉ over the finite, nonzero gradients (0 when there are none)."""
    logs = [math.log10(abs(g)) for g in (number(n.grad) for n in order) if g != 0.0 and math.isfinite(g)]
    return math.ceil(max(logs, default=0.0))


def _grad_thresholds(top: int) -> list[int]:
    """log₁₀ |grad| at which each colour but the palest starts, darkest first."""
    return [top - DECADES_PER_STOP * (k + 1) for k in range(len(GRAD_STOPS) - 1)]


def grad_colour(g: float, top: int) -> str:
    """Fill for a gradient g on the log scale below 10^top (see GRAD_STOPS)."""
    if g == 0.0:
        return ZERO_FILL
    if not math.isfinite(g):
        return HIGHLIGHT
    for k, start in enumerate(_grad_thresholds(top)):
        if math.log10(abs(g)) >= start:
            return GRAD_STOPS[-1 - k]
    return GRAD_STOPS[0]


def grad_legend(top: int) -> list[tuple[str, str]]:
    starts = _grad_thresholds(top)
    rows = [(GRAD_STOPS[-1 - k], f"|grad| ≥ 1e{start}") for k, start in enumerate(starts)]
    return [
        *rows,
        (GRAD_STOPS[0], f"|grad| < 1e{starts[-1]}"),
        (ZERO_FILL, "grad = 0"),
        (HIGHLIGHT, "nan or inf"),
    ]


def add_legend(graph: graphviz.Digraph, key: str, heading: str, rows: list[tuple[str, str]]) -> None:
    """A cluster ``cluster_legend_<key>`` titled ``heading``: a node ``legend_<key>_<i>`` per
    colour, filled with it and saying what it means (one line of at most TITLE_CHARS).

    A legend is added after the caption, so it would inherit the caption's tooltip: its own
    empty tooltip says it has none."""
    legend = graphviz.Digraph(name=f"cluster_legend_{key}")
    legend.attr(label=escape_label(heading), style="rounded", color="#9ca3af", fontsize="10", tooltip="")
    for i, (colour, meaning) in enumerate(rows):
        shown, cut = fit_text(meaning, TITLE_CHARS)
        tip = tooltip(meaning) if cut else {}
        legend.node(f"legend_{key}_{i}", label=escape_label(shown), shape="box", **box_style(colour), **tip)
    graph.subgraph(legend)
