"""Backprop replay: one HTML page that steps through backpropagation, node by node.

:func:`replay_html` writes a single self-contained file — the graph as inline
SVG, with its own CSS and JavaScript; nothing is fetched from anywhere — in
which a student replays backprop in exactly the order the engine runs it.

Backprop as dynamic programming
-------------------------------
For every node s of the graph of ``e = root`` we want δₛ = ∂e/∂s. The chain
rule gives it from the nodes t that *consume* s::

    δₑ = 1,        δₛ = Σ_{consumers t of s}  ∂t/∂s · δₜ

a recurrence over the graph, solved by dynamic programming: visit the nodes
in :func:`~tinygrad_edu.engine.topological_order` (each node after all of its
consumers), so that every δₜ on the right is final when δₛ is needed, and
compute each δ once. Step k of the page is the k-th node of that order: its δ
has just been completed. The page shows that δ in the picture, marks the
nodes already done, keeps the rest as ``grad ?``, and spells out the sum with
the actual numbers — each consumer t, its local derivative ∂t/∂s (from
:mod:`tinygrad_edu.ops`), its δₜ, and their product.

>>> from tinygrad_edu import Value
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = x * w + x                       # ∂y/∂x = w + 1 = -2, ∂y/∂w = x = 2
>>> data = replay_data(y)
>>> [(s["id"], s["name"], s["grad"]) for s in data["steps"]]
[('v0', 'v0', 1.0), ('v1', 'v1', 1.0), ('v2', 'w', 2.0), ('v3', 'x', -2.0)]
>>> [(t["consumer"], t["local"], t["delta"]) for t in data["steps"][3]["terms"]]   # x: two consumers
[('v0', 1.0, 1.0), ('v1', -3.0, 1.0)]

``replay_html(y, "backprop.html")`` writes the page (it needs Graphviz's
``dot``, like :func:`tinygrad_edu.viz.render`).
"""

from __future__ import annotations

import functools
import html
import json
import math
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Union

from .. import checks, ops
from ..checks import seconds
from ..engine import Value, topological_order
from ..files import write_atomic
from .diagnostics import deltas
from .graph import draw_dot
from .labels import number_text
from .rendering import run_dot

__all__ = ["MAX_STEPS", "Replay", "replay", "replay_data", "replay_html", "replay_page"]

MAX_STEPS = 300  # value nodes: past this, stepping one node at a time stops being instructive

# To find each node's grad text in Graphviz's SVG (which keeps no ids below a node), the
# picture is drawn with stand-in gradients: numbers no real graph shows, as wide as the real
# gradient in viz's format (so every box fits its answer), one digit to vary if they clash.
_STAND_INS = {
    6: "-{d}e+99",
    7: "-{d}e+199",
    8: "-{d}.1e+99",
    9: "-{d}.1e+199",
    10: "-{d}.13e+199",
    11: "-{d}.137e+199",
}
_SVG_PIECE = re.compile(r"<title>([^<]*)</title>|<text([^>]*)>([^<]*)</text>")


def replay_data(root: Value) -> dict[str, Any]:
    """The steps of backprop through root's graph, as the page embeds them (JSON-ready).

    ``{"root": "v0", "root_name": ..., "steps": [...]}``, one step per node of
    ``topological_order(root)``, in that order. Step i has ``id`` ``"v<i>"``
    (the node's name in :func:`tinygrad_edu.viz.draw_dot`), ``label``, ``op``,
    ``name`` (the label, a constant's value, or the id), ``formula`` (how the
    node was made, e.g. ``"n = s + b"``), ``where`` (the module it was made in,
    e.g. ``"layer 2 · neuron 3"``, or ``""``), ``data``, ``grad`` = δ = ∂root/∂node
    (as :func:`tinygrad_edu.viz.deltas` computes it; ``.grad`` is not touched),
    their ``*_text`` as the picture prints numbers, and ``terms``: one entry per
    edge to a consumer t, in the order backprop adds them — ``consumer``,
    ``consumer_name``, ``consumer_formula``, ``consumer_where``, ``slot`` (which input of t), ``local``
    = ∂t/∂s, ``delta`` = δₜ and ``term`` = ∂t/∂s · δₜ. The terms of a node add
    up to its grad exactly (the root has none: its δ is the seed 1). Where the
    op lets no gradient flow to an input (``relu`` for x ≤ 0, the losing input
    of ``maximum``, ...), ``flows`` is false and ``local`` and ``term`` are 0,
    even when δₜ is inf or nan, as in backprop. Numbers that are not finite
    are the strings ``"nan"``, ``"inf"``, ``"-inf"``.
    """
    if not isinstance(root, Value):
        raise TypeError(f"replay_data: root must be a Value, got {type(root).__name__}")
    order = topological_order(root)
    return _replay_steps(root, order, deltas(root))


def replay_html(
    root: Value,
    path: Union[str, os.PathLike[str]] = "backprop.html",
    *,
    timeout: float = 60.0,
    **draw_options: Any,
) -> Path:
    """Write the backprop replay page of root's graph to ``path`` and return the path.

    One self-contained HTML file (inline SVG, CSS and JavaScript; no network):
    Previous / Next / Play-Pause / Reset, a slider, the arrow keys (Home, End,
    Space too) and ``#step=k`` in the URL choose the step k of n; at step k the
    k-th node of ``topological_order(root)`` is highlighted with its new δ,
    earlier nodes are marked done, later ones show ``grad ?``, and a side panel
    writes out δₛ = Σₜ ∂t/∂s · δₜ with the numbers (see :func:`replay_data`).
    The picture never shows a gradient before its step.

    ``draw_options`` go to :func:`tinygrad_edu.viz.draw_dot` (``rankdir``,
    ``params``, ``highlight``, ``highlight_ops``, ``notes``, ``fills``,
    ``title``); the graph is always drawn uncollapsed, and ``color_by_grad``
    and ``show_delta``, which would give the answers away, and
    ``show_grad=False`` are refused. Raises ``ValueError`` for a
    graph of more than :data:`MAX_STEPS` nodes (replay a smaller one: a
    neuron, a tiny network), :class:`tinygrad_edu.viz.GraphvizNotFound` with
    install instructions when Graphviz's ``dot`` is missing (and no
    WebAssembly fallback is installed), and ``RuntimeError`` if ``dot`` fails
    or takes longer than ``timeout`` seconds. The file appears whole or not at
    all; nodes' ``.grad`` are left as they were.
    """
    checks.instance(path, "replay_html", "path", (str, os.PathLike), "a file path (str or Path)")
    page = replay_page(root, timeout=timeout, where="replay_html", **draw_options)
    target = Path(path)
    write_atomic(target, page.encode("utf-8"), where="replay_html")
    return target


def replay_page(
    root: Value, *, timeout: float = 60.0, where: str = "replay_page", **draw_options: Any
) -> str:
    """The text of the page :func:`replay_html` writes (same options, same errors, named ``where``)."""
    if not isinstance(root, Value):
        raise TypeError(f"{where}: root must be a Value, got {type(root).__name__}")
    collapse = draw_options.pop("collapse", None)
    if collapse not in (None, "none"):
        raise ValueError(
            f"{where}: collapse must be None, got {collapse!r}: a collapsed picture hides the nodes "
            "whose gradients the page steps through"
        )
    for option in ("color_by_grad", "show_delta"):
        if draw_options.get(option):
            raise ValueError(f"{where}: {option}=True would show every gradient before its step")
    if not draw_options.get("show_grad", True):
        raise ValueError(f"{where}: show_grad=False would hide the gradients the page steps through")
    seconds(timeout, where)
    order = topological_order(root)
    if len(order) > MAX_STEPS:
        raise ValueError(
            f"{where}: the graph has {len(order)} nodes, more than {MAX_STEPS} steps can usefully be "
            "replayed; replay a smaller graph (one neuron, or a network with fewer inputs and units)"
        )
    delta = deltas(root)
    picture = _picture(root, order, delta, timeout, draw_options)
    return _page(picture, _replay_steps(root, order, delta))


class Replay:
    """The replay page shown inside a notebook: ``replay(root)`` as the last line of a cell.

    The page runs in a sandboxed frame of its own (scripts allowed, nothing else: it cannot
    reach the notebook, and any label is shown as text), so it stays self-contained."""

    def __init__(self, page: str) -> None:
        self.page = page

    def _repr_html_(self) -> str:
        frame = html.escape(self.page, quote=True)
        return (
            f'<iframe srcdoc="{frame}" sandbox="allow-scripts" '
            'style="width: 100%; height: 640px; border: 1px solid #ddd"></iframe>'
        )


def replay(root: Value, *, timeout: float = 60.0, **draw_options: Any) -> Replay:
    """The backprop replay of root's graph, to show inline in a notebook (see :func:`replay_html`)."""
    return Replay(replay_page(root, timeout=timeout, where="replay", **draw_options))


# ----------------------------------------------------------------------- data
def _json_number(x: float) -> Union[float, str]:
    """x for JSON: finite floats as numbers, nan and ±inf as strings (JSON has no such numbers)."""
    x = float(x)
    return x if math.isfinite(x) else repr(x)


def _replay_steps(root: Value, order: list[Value], delta: dict[Value, float]) -> dict[str, Any]:
    """What :func:`replay_data` returns, for the nodes of ``order`` and their δs ``delta``."""
    ids = {n: f"v{i}" for i, n in enumerate(order)}

    def name(n: Value) -> str:
        if n.label:
            return n.label
        return number_text(n.data) if not n.inputs else ids[n]

    def formula(n: Value) -> str:
        if n.rule is None:
            return ""
        return f"{name(n)} = {ops.formula(n.rule, n.constant, [name(p) for p in n.inputs], number_text)}"

    def where(n: Value) -> str:  # the module the node was made in, e.g. "layer 2 · neuron 3"
        return " · ".join(n.scope or ())

    def consumer(t: Value) -> dict[str, Any]:
        return {
            "consumer": ids[t],
            "consumer_name": name(t),
            "consumer_formula": formula(t),
            "consumer_where": where(t),
        }

    terms = _terms(order, delta, consumer)
    steps = [
        {
            "id": ids[n],
            "label": n.label,
            "op": n.op,
            "name": name(n),
            "formula": formula(n),
            "where": where(n),
            "leaf": not n.inputs,
            # a module's parameter: a labelled leaf made inside a module (it carries a scope)
            "parameter": not n.inputs and bool(n.label) and n.scope is not None,
            "data": _json_number(n.data),
            "data_text": number_text(n.data),
            "grad": _json_number(delta[n]),
            "grad_text": number_text(delta[n]),
            "terms": terms[n],
        }
        for n in order
    ]
    return {"root": ids[root], "root_name": name(root), "steps": steps}


def _terms(
    order: list[Value], delta: dict[Value, float], consumer: Callable[[Value], dict[str, Any]]
) -> dict[Value, list[dict[str, Any]]]:
    """Each node's terms ∂t/∂s · δₜ, one per edge to a consumer t (described by ``consumer``)."""
    terms: dict[Value, list[dict[str, Any]]] = {n: [] for n in order}
    for t in order:  # in backprop order, so each node's terms add up as backpropagate adds them
        if t.rule is None:
            continue
        local = t.rule.local(ops.FLOATS, t.constant, t.data, *[p.data for p in t.inputs])
        for slot, (s, d) in enumerate(zip(t.inputs, local)):
            # None: no gradient flows along this edge, so its term is 0 whatever δₜ is
            flows = d is not None
            d, term = (d, d * delta[t]) if flows else (0.0, 0.0)
            terms[s].append(
                {
                    **consumer(t),
                    "slot": slot,
                    "flows": flows,
                    "local": _json_number(d),
                    "local_text": number_text(d),
                    "delta": _json_number(delta[t]),
                    "delta_text": number_text(delta[t]),
                    "term": _json_number(term),
                    "term_text": number_text(term),
                }
            )
    return terms


# -------------------------------------------------------------------- picture
def _token(text: str) -> re.Pattern[str]:
    """``text`` as a whole number: not part of a longer one."""
    return re.compile(rf"(?<![\w.+-]){re.escape(text)}(?![\w.+-])")


def _source_with_grads(root: Value, order: list[Value], grads: list[float], options: dict[str, Any]) -> str:
    """The DOT source of root's graph drawn as if each node's .grad were ``grads[i]``; .grad restored."""
    saved = [n.grad for n in order]
    # a node without a label is named in the picture as in the panel (v3), so the two can be matched
    notes = {n: f"v{i}" for i, n in enumerate(order) if n.inputs and not n.label}
    notes.update(options.get("notes") or {})
    try:
        for n, g in zip(order, grads):
            n.grad = g
        source: str = draw_dot(root, collapse=None, **{**options, "notes": notes}).source
        return source
    finally:
        for n, g in zip(order, saved):
            n.grad = g


def _picture(
    root: Value, order: list[Value], delta: dict[Value, float], timeout: float, options: dict[str, Any]
) -> str:
    """The inline SVG: laid out for the final grads, but showing ``grad ?`` (the page fills them in)."""
    widths = [min(max(len(number_text(delta[n])), 6), 11) for n in order]
    for digit in "7531":
        texts = [_STAND_INS[w].format(d=digit) for w in widths]
        source = _source_with_grads(root, order, [float(t) for t in texts], options)
        # each stand-in must occur once per node that has it: in no label, note, title or data
        if all(len(_token(t).findall(source)) == texts.count(t) for t in set(texts)):
            break
    else:
        raise RuntimeError("replay_html: the labels contain every stand-in gradient; rename a node")
    svg = run_dot(source, "svg", timeout).decode("utf-8")

    index = {f"v{i}": i for i in range(len(order))}
    tokens = {t: _token(t) for t in set(texts)}
    marked: set[str] = set()
    current = ""

    def hide(m: re.Match[str]) -> str:
        nonlocal current
        if m.group(1) is not None:  # a node's (or edge's, cluster's) <title>: what follows is its own
            current = html.unescape(m.group(1))
            return m.group(0)
        i = index.get(current)
        content = html.unescape(m.group(3))
        found = tokens[texts[i]].search(content) if i is not None else None
        if found is None:
            return m.group(0)
        if current in marked:
            raise RuntimeError(f"replay_html: two grad texts in the picture of {current}")
        marked.add(current)
        prefix, suffix = content[: found.start()], content[found.end() :]
        attributes = (
            f'class="grad-text" data-node="{current}" data-prefix="{html.escape(prefix)}"'
            f' data-suffix="{html.escape(suffix)}"{m.group(2)}'
        )
        return f"<text {attributes}>{html.escape(prefix + '?' + suffix)}</text>"

    svg = _SVG_PIECE.sub(hide, svg)
    if len(marked) != len(order):
        raise RuntimeError(
            f"replay_html: found the grad text of {len(marked)} of {len(order)} nodes in Graphviz's SVG"
        )
    svg = svg[svg.index("<svg") :]
    # inline in HTML the namespace declarations are implied; dropping them keeps the file free of URLs
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s+xmlns(?::xlink)?="[^"]*"', "", head)
    return f'{head} id="graph" role="img" aria-label="computation graph">{rest}'


# ----------------------------------------------------------------------- page
def _json_for_script(data: dict[str, Any]) -> str:
    """JSON that cannot end its <script> block or open a comment: <, > and & written as \\u escapes."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(svg: str, data: dict[str, Any]) -> str:
    head, panel, script = _template()
    n = len(data["steps"])
    return (
        head
        + f'<div id="picture">{svg}</div>\n'
        + panel.replace("@N@", str(n))
        + f'<script type="application/json" id="replay-data">{_json_for_script(data)}</script>\n'
        + f"<script>{script}</script>\n</body>\n</html>\n"
    )


@functools.cache
def _template() -> tuple[str, str, str]:
    """The page's fixed parts, from the files in ``replay_page/`` (package data): the head with
    its CSS, the side panel, and the script. The script is static code: every piece of user
    text reaches the page through ``textContent``, never as markup."""
    folder = resources.files(__package__).joinpath("replay_page")

    def read(name: str) -> str:
        return folder.joinpath(name).read_text(encoding="utf-8")

    return read("head.html").replace("@CSS@", read("replay.css")), read("panel.html"), read("replay.js")
