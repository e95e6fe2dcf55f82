"""The picture of a computation graph: ``draw_dot`` builds it as a Graphviz ``Digraph``.

Every value node shows its label, data and grad; every operation is a small node of its own
between its inputs and its output, as in micrograd's pictures. Nodes made inside a neuron are
grouped in a labelled cluster (``layer 1 · neuron 3``), so an MLP's graph reads as its
architecture; parameters are blue, inputs grey, constants dashed. Past ``max_nodes`` value
nodes each neuron's nodes become one node, and past :data:`MAX_BOXES` neurons each layer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

import graphviz  # type: ignore[import-untyped]

from .. import checks, ops
from ..engine import Value, number, topological_order
from .colours import (
    HIGHLIGHT,
    INPUT_FILL,
    PARAM_FILL,
    VALUE_FILL,
    add_legend,
    box_style,
    grad_colour,
    grad_legend,
    grad_top,
)
from .labels import (
    LABEL_CHARS,
    LABEL_LINES,
    NOTE_CHARS,
    NOTE_LINES,
    OP_CHARS,
    TITLE_CHARS,
    TITLE_LINES,
    escape_label,
    fit_path,
    fit_text,
    join_caption,
    label_text,
    number_text,
    tooltip,
)

__all__ = ["HARD_LIMIT", "MAX_BOXES", "MAX_NODES", "draw_dot"]

MAX_NODES = 400  # value nodes drawn one by one before collapse="auto" collapses
MAX_BOXES = 24  # neurons drawn one box each before collapse="auto" collapses whole layers instead
HARD_LIMIT = 3000  # value nodes (or groups) never handed to dot: it would take minutes
FONT = "Courier"  # lays out the same in native dot and in the WebAssembly build


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
            return grad_colour(number(n.grad), self.top)
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
    checks.integer(max_nodes, "draw_dot", "max_nodes", low=1)
    for arg, on in (("color_by_grad", color_by_grad), ("show_delta", show_delta), ("show_grad", show_grad)):
        checks.flag(on, where, arg)
    checks.instance(title, where, "title", str, "a str")
    params = None if params is None else _check_values(params, where, "params")  # (a generator, once)
    highlight = _check_values(highlight, where, "highlight")
    highlight_ops = _check_values(highlight_ops, where, "highlight_ops")
    for arg, texts in (("notes", notes), ("fills", fills)):
        _check_node_texts(texts, where, arg)
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
        top=grad_top(order),
        across=rankdir in ("LR", "RL"),
    )
    graph = _new_graph(format, rankdir)
    collapsed: list[str] = []  # what the caption says after the title
    if level is None:
        _draw_nodes(graph, order, root, look)
    else:
        groups = _groups(order, root, level)
        _draw_groups(graph, groups, root, look)
        collapsed.append(_collapse_caption(len(order), groups, level))
    if color_by_grad:
        add_legend(graph, "grad", "|grad|, log scale", grad_legend(look.top))
    _add_caption(graph, title, collapsed)
    return graph


def _check_node_texts(texts: Any, where: str, arg: str) -> None:
    """None or a dict from Values to str (``notes``, ``fills``)."""
    if texts is not None:
        if not isinstance(texts, Mapping):
            checks.type_error(where, arg, "None or a dict from Values to str", texts)
        _check_values(list(texts), where, f"{arg}'s keys")
        for v in texts.values():
            checks.instance(v, where, f"{arg}'s values", str, "a str")


def _new_graph(format: str, rankdir: str) -> graphviz.Digraph:
    """An empty graph with the pictures' font, sizes and direction."""
    return graphviz.Digraph(
        format=format,
        graph_attr={"rankdir": rankdir, "fontname": FONT, "fontsize": "11", "nodesep": "0.15"},
        node_attr={"fontname": FONT, "fontsize": "10", "shape": "box", "height": "0.3"},
        edge_attr={"arrowsize": "0.6"},
    )


def _add_caption(graph: graphviz.Digraph, title: str, more: list[str]) -> None:
    """The caption above the picture, if any: the title as the picture shows it, then ``more``."""
    shown, cut = fit_text(title, TITLE_CHARS, TITLE_LINES)
    caption = [shown] if title else []
    caption += more
    if caption:
        # \l ends each line left-aligned; the tooltip of a shortened title is the graph's, which
        # an SVG shows over the caption and the picture's background
        graph.attr(
            label=escape_label(join_caption(*caption), end="\\l") + "\\l",
            labelloc="t",
            labeljust="l",
            **(tooltip(title) if cut else {}),
        )


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
            op, cut = fit_text(n.op, OP_CHARS)
            target.node(
                f"{vid}_op",
                label=escape_label(op),
                shape="circle",
                width="0.3",
                margin="0.02",
                **box_style(op_fill),
                **(tooltip(label_text(n.op)) if cut else {}),
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
                shown, cut = fit_path(prefix)
                sub.attr(
                    label=escape_label(shown),
                    style="rounded,dashed",
                    color="#9ca3af",
                    fontsize="10",
                    **(tooltip(" · ".join(prefix)) if cut else {}),
                )
                clusters[prefix] = sub
    return clusters


def _value_node(n: Value, root: Value, look: _Look) -> dict[str, str]:
    """A record of fields: label, data, grad, δ (for a z with show_delta), and the node's note;
    a tooltip with the label and note in full when the record shows them shortened."""
    label, label_cut = fit_text(n.label, LABEL_CHARS, LABEL_LINES)
    note, note_cut = fit_text(look.notes.get(n) or "", NOTE_CHARS, NOTE_LINES)
    fields = [label] if n.label else []
    fields.append(f"data {number_text(n.data)}")
    if look.show_grad:
        fields.append(f"grad {number_text(n.grad)}")
    if look.show_delta and n.label == "z":
        fields.append(f"δ = {number_text(n.grad)}")
    if look.notes.get(n):
        fields.append(note)
    record = "|".join(escape_label(f) for f in fields)
    full = [label_text(n.label)] if label_cut else []
    full += [label_text(look.notes[n])] if note_cut else []
    highlighted = n in look.highlight
    style = box_style(
        look.fill(n),
        outline=HIGHLIGHT if highlighted else "black",
        thick=n is root or highlighted,
        dashed=not n.inputs and not n.label,  # a constant
    )
    label_attr = f"{{{record}}}" if look.across else record
    return {"label": label_attr, "shape": "record", **style, **tooltip(*full)}


def _constant_node(c: float, look: _Look) -> dict[str, str]:
    """A dashed record for a number operand: its data only (it has no gradient of its own)."""
    record = escape_label(f"data {number_text(c)}")
    style = box_style(VALUE_FILL, outline="black", thick=False, dashed=True)
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
        full = label_text(root.label)
        name, cut = fit_text(root.label or "output", LABEL_CHARS, LABEL_LINES)
        lines = [name, f"data {number_text(root.data)}"]
    else:
        full = " · ".join(path)
        name, cut = fit_path(path) if path else (kind, False)
        lines = [name, f"{len(members)} nodes"]
    zs = [abs(number(n.grad)) for n in members if n.label == "z"]
    mean_delta = sum(zs) / len(zs) if zs else None
    if mean_delta is not None:
        lines.append(f"mean |δ| {number_text(mean_delta)}")
    highlighted = any(n in look.highlight or n in look.highlight_ops for n in members)
    style = box_style(
        _group_fill(kind, members, mean_delta, look),
        outline=HIGHLIGHT if highlighted else "black",
        thick=highlighted,
    )
    return {"label": escape_label("\n".join(lines)), **style, **(tooltip(full) if cut else {})}


def _group_fill(kind: str, members: list[Value], mean_delta: Optional[float], look: _Look) -> str:
    """``fills`` of a highlighted member, else of the first that has one; then as for a node."""
    marked = [n for n in members if n in look.fills]
    if marked:
        return look.fills[next((n for n in marked if n in look.highlight), marked[0])]
    if look.color_by_grad and mean_delta is not None:
        return grad_colour(mean_delta, look.top)
    if any(look.is_param(n) for n in members):
        return PARAM_FILL
    return INPUT_FILL if kind == "inputs" else VALUE_FILL
