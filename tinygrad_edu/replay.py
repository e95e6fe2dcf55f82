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

import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Union

from . import checks, ops
from .checks import seconds
from .engine import Value, topological_order
from .files import write_atomic
from .viz import deltas, draw_dot, number_text, run_dot

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
    return _data(root, order, deltas(root))


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
    return _page(picture, _data(root, order, delta))


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


def _data(root: Value, order: list[Value], delta: dict[Value, float]) -> dict[str, Any]:
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
                    "consumer": ids[t],
                    "consumer_name": name(t),
                    "consumer_formula": formula(t),
                    "consumer_where": where(t),
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
    n = len(data["steps"])
    return (
        _HEAD
        + f'<div id="picture">{svg}</div>\n'
        + _PANEL.replace("@N@", str(n))
        + f'<script type="application/json" id="replay-data">{_json_for_script(data)}</script>\n'
        + f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )


_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backprop replay</title>
<style>
:root { --done: #15803d; --current: #d97706; --consumer: #2563eb; --pending: #9ca3af; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827;
       background: #f9fafb; }
header { padding: .6rem 1rem; border-bottom: 1px solid #e5e7eb; background: #fff; }
h1 { font-size: 1.15rem; margin: 0; }
header p { margin: .15rem 0 0; color: #4b5563; font-size: .9rem; }
main { display: flex; height: calc(100vh - 4.3rem); min-height: 24rem; }
#picture { flex: 1 1 auto; overflow: auto; padding: 1rem; background: #fff; }
#picture.fit svg { width: 100%; height: auto; }
#panel { flex: 0 0 25rem; overflow: auto; padding: .8rem 1rem; border-left: 1px solid #e5e7eb; }
@media (max-width: 900px) {
  main { flex-direction: column; height: auto; }
  #panel { flex-basis: auto; border-left: 0; border-top: 1px solid #e5e7eb; }
}
.controls { display: flex; gap: .35rem; flex-wrap: wrap; }
button { font: inherit; padding: .25rem .65rem; border: 1px solid #9ca3af; border-radius: .3rem;
         background: #fff; color: inherit; cursor: pointer; }
button:hover:enabled { background: #f3f4f6; }
button:disabled { opacity: .45; cursor: default; }
#counter { font-weight: 600; font-variant-numeric: tabular-nums; }
#slider { width: 100%; margin: .3rem 0 .6rem; }
h2 { font-size: 1.05rem; margin: .4rem 0; overflow-wrap: anywhere; }
.mono { font-family: ui-monospace, "Courier New", monospace; overflow-wrap: anywhere; }
#step-grad { font-size: 1.05rem; }
#step-grad b { color: #b45309; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin: .3rem 0; }
th, td { border-bottom: 1px solid #e5e7eb; padding: .2rem .3rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; overflow-wrap: anywhere; }
.note { color: #4b5563; font-size: .9rem; }
details { margin: .8rem 0; font-size: .9rem; }
ol#order { font-size: .85rem; max-height: 14rem; overflow: auto; padding-left: 2.6rem; margin: .3rem 0; }
ol#order button { border: 0; padding: 0 .2rem; background: none; text-align: left; overflow-wrap: anywhere; }
ol#order li.done button { color: var(--done); }
ol#order li.current button { color: #fff; background: var(--current); border-radius: .2rem; }
ol#order li.pending button { color: #6b7280; }
.legend { list-style: none; padding: 0; font-size: .85rem; }
.swatch { display: inline-block; width: 1.6em; height: .9em; margin-right: .4em; vertical-align: middle;
          border: 2px solid; }
/* the picture: graphviz's own colours, overridden by the state of each step */
#graph g.node.pending text.grad-text { fill: var(--pending); }
#graph g.node.done text.grad-text { fill: var(--done); font-weight: bold; }
#graph g.node.done polygon { stroke: var(--done); stroke-width: 2.5px; }
#graph g.node.consumer polygon { stroke: var(--consumer); stroke-width: 3px; stroke-dasharray: 5 3; }
#graph g.node.current polygon { stroke: var(--current); stroke-width: 4px; }
#graph g.node.current polygon:not([fill="none"]) { fill: #fef3c7; }
#graph g.node.current text.grad-text { fill: #b45309; }
#graph g.edge.flow path { stroke: var(--current); stroke-width: 2.5px; }
#graph g.edge.flow polygon { fill: var(--current); stroke: var(--current); }
</style>
</head>
<body>
<header>
<h1>Backprop replay</h1>
<p id="subtitle">Each step completes one gradient δ = ∂e/∂node, in the order the engine runs backprop
(topological order: every node after all of its consumers).</p>
</header>
<main>
"""

_PANEL = """<aside id="panel">
<div class="controls">
<button id="reset" type="button" title="Back to step 0 (Home)">Reset</button>
<button id="prev" type="button" title="Previous step (&#x2190;)">&#x25C0; Previous</button>
<button id="play" type="button" title="Play / pause (Space)" aria-pressed="false">&#x25B6; Play</button>
<button id="next" type="button" title="Next step (&#x2192;)">Next &#x25B6;</button>
<button id="fit" type="button" title="Shrink the picture to the window's width" aria-pressed="false">Fit
width</button>
</div>
<p><span id="counter" aria-live="polite">step 0 / @N@</span></p>
<input id="slider" type="range" min="0" max="@N@" step="1" value="0" aria-label="step">
<section id="explain" aria-live="polite">
<h2 id="step-title">Nothing computed yet</h2>
<p id="step-formula" class="mono"></p>
<p id="step-grad"></p>
<p id="step-rule" class="note"></p>
<table id="step-terms" hidden>
<thead><tr><th>consumer t</th><th>&#x2202;t/&#x2202;s</th><th>&#x3B4;&#x209C;</th>
<th>&#x2202;t/&#x2202;s &#xB7; &#x3B4;&#x209C;</th></tr></thead>
<tbody></tbody>
</table>
<p id="step-sum" class="mono"></p>
<p id="step-next" class="note"></p>
</section>
<ul class="legend">
<li><span class="swatch" style="border-color: var(--current); background: #fef3c7"></span>this step's
node</li>
<li><span class="swatch" style="border-color: var(--done)"></span>done: its &#x3B4; is final</li>
<li><span class="swatch" style="border-color: var(--consumer); border-style: dashed"></span>its consumers,
whose &#x3B4; it uses</li>
<li><span class="swatch" style="border-color: var(--pending)"></span>not yet: grad ?</li>
</ul>
<details open>
<summary>Backprop is dynamic programming</summary>
<p>For every node s we want &#x3B4;&#x209B; = &#x2202;e/&#x2202;s. The chain rule gives it from the nodes t
that use s: &#x3B4;&#x209B; = &#x3A3;&#x209C; &#x2202;t/&#x2202;s &#xB7; &#x3B4;&#x209C;, starting from
&#x3B4;&#x2091; = 1. Visiting the nodes so that each comes after all of its consumers makes every
&#x3B4;&#x209C; final before it is needed, so each &#x3B4; is computed once and reused by everything
below it. That order is the list below; the picture marks where the replay is in it.</p>
</details>
<h3>Order</h3>
<ol id="order"></ol>
<p class="note">Keys: &#x2190; &#x2192; step, Home / End, Space plays. Hover over a box to see its id
(v0 is the output). Add <span class="mono">#step=k</span> to the address to open at step k.</p>
</aside>
</main>
"""

# Static code: every piece of user text reaches the page through textContent, never as markup.
_SCRIPT = r"""
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("replay-data").textContent);
  const steps = data.steps, n = steps.length;
  const svg = document.getElementById("graph");
  const $ = (id) => document.getElementById(id);
  const nodeOf = {}, gradOf = {}, edgesFrom = {};
  for (const g of svg.querySelectorAll("g.node")) {
    const title = g.querySelector("title");
    if (title) nodeOf[title.textContent] = g;
  }
  for (const t of svg.querySelectorAll("text.grad-text")) gradOf[t.getAttribute("data-node")] = t;
  for (const g of svg.querySelectorAll("g.edge")) {
    const title = g.querySelector("title");
    if (!title) continue;
    const ends = title.textContent.split("->");
    (edgesFrom[ends[0]] = edgesFrom[ends[0]] || []).push({ to: ends[1], g: g });
  }
  const index = {};
  steps.forEach((s, i) => { index[s.id] = i; });

  document.title = "Backprop replay: " + data.root_name;
  $("subtitle").textContent = "Each step completes one gradient \u03b4 = \u2202" + data.root_name +
    "/\u2202node, in the order the engine runs backprop (topological order: every node after all " +
    "of its consumers).";

  const order = $("order"), items = [];
  steps.forEach((s, i) => {
    const li = document.createElement("li"), b = document.createElement("button");
    b.type = "button";
    b.textContent = s.formula || s.name;
    b.addEventListener("click", () => { pause(); show(i + 1); });
    li.appendChild(b);
    order.appendChild(li);
    items.push(li);
  });

  let k = 0, timer = null;

  function el(tag, text) {
    const e = document.createElement(tag);
    e.textContent = text;
    return e;
  }

  function explain() {
    const rule = $("step-rule"), body = $("step-terms").tBodies[0];
    body.replaceChildren();
    $("step-terms").hidden = true;
    $("step-sum").textContent = "";
    $("step-next").textContent = "";
    if (k === 0) {
      $("step-title").textContent = "Nothing computed yet";
      $("step-formula").textContent = "";
      $("step-grad").textContent = "";
      rule.textContent = "Backprop will complete the " + n + " gradients one at a time, starting " +
        "from the output " + data.root_name + ". Press Next (\u2192) or Play.";
      return;
    }
    const s = steps[k - 1];
    $("step-title").textContent = "Step " + k + ": \u03b4 of " + s.name + " (" + s.id + ")" +
      (s.where ? " in " + s.where : "");
    $("step-formula").textContent = s.formula ? s.formula + "   (data " + s.data_text + ")"
      : (s.label ? s.name + " is a leaf, data " + s.data_text : "a constant, " + s.data_text);
    const grad = $("step-grad");
    grad.replaceChildren("\u03b4(" + s.name + ") = \u2202" + data.root_name + "/\u2202" + s.name + " = ",
      el("b", s.grad_text));
    if (s.terms.length === 0) {
      rule.textContent = "The seed: \u2202" + data.root_name + "/\u2202" + data.root_name +
        " = 1. Every other \u03b4 grows from it.";
    } else {
      rule.textContent = "Chain rule: \u03b4(" + s.name + ") = \u03a3 over consumers t of " + s.name +
        ": \u2202t/\u2202" + s.name + " \u00b7 \u03b4(t). Every consumer came earlier, " +
        "so its \u03b4 is final.";
      const uses = {};
      for (const t of s.terms) uses[t.consumer] = (uses[t.consumer] || 0) + 1;
      for (const t of s.terms) {
        const row = document.createElement("tr");
        let who = t.consumer_formula || t.consumer_name;
        if (t.consumer_where) who += "  in " + t.consumer_where;
        if (uses[t.consumer] > 1) who += "  (input " + (t.slot + 1) + ")";
        row.append(el("td", who), el("td", t.local_text), el("td", t.delta_text), el("td", t.term_text));
        body.appendChild(row);
      }
      $("step-terms").hidden = false;
      const paren = (x) => (x.startsWith("-") ? "(" + x + ")" : x);
      // an edge along which no gradient flows adds 0, whatever its consumer's δ
      const product = (t) => (t.flows ? paren(t.local_text) + " \u00b7 " + paren(t.delta_text) : "0");
      $("step-sum").textContent = "\u03b4(" + s.name + ") = " + s.terms.map(product).join(" + ") +
        " = " + s.grad_text;
    }
    $("step-next").textContent = s.parameter
      ? s.name + " is a parameter: this \u03b4 is the gradient an optimizer would use."
      : s.leaf
        ? (s.label
          ? s.name + " is an input: its \u03b4 says how the output moves with it; nothing updates it."
          : "A constant: nothing to update.")
        : "Now that it is final, backprop passes it through the op into " + s.name + "'s inputs.";
  }

  function show(step) {
    k = Math.max(0, Math.min(n, step));
    const current = k > 0 ? steps[k - 1] : null;
    const consumers = new Set(current ? current.terms.map((t) => t.consumer) : []);
    steps.forEach((s, i) => {
      const g = nodeOf[s.id], done = i < k;
      if (g) {
        g.classList.toggle("done", done);
        g.classList.toggle("pending", !done);
        g.classList.toggle("current", i === k - 1);
        g.classList.toggle("consumer", consumers.has(s.id));
      }
      const t = gradOf[s.id];
      if (t) t.textContent = t.dataset.prefix + (done ? s.grad_text : "?") + t.dataset.suffix;
      items[i].className = i === k - 1 ? "current" : (done ? "done" : "pending");
    });
    for (const from in edgesFrom) {
      for (const e of edgesFrom[from]) {
        const to = e.to.replace(/_op$/, "");
        e.g.classList.toggle("flow", current !== null && from === current.id && consumers.has(to));
      }
    }
    $("counter").textContent = "step " + k + " / " + n;
    $("slider").value = String(k);
    $("prev").disabled = k === 0;
    $("reset").disabled = k === 0;
    $("next").disabled = k === n;
    explain();
    if (current && nodeOf[current.id]) reveal($("picture"), nodeOf[current.id]);
    if (k > 0) reveal(order, items[k - 1]);
  }

  // scroll only the box itself (scrollIntoView would scroll the panel and the window too)
  function reveal(box, target) {
    const b = box.getBoundingClientRect(), r = target.getBoundingClientRect(), pad = 16;
    if (r.left < b.left) box.scrollLeft += r.left - b.left - pad;
    else if (r.right > b.right) box.scrollLeft += Math.min(r.right - b.right + pad, r.left - b.left - pad);
    if (r.top < b.top) box.scrollTop += r.top - b.top - pad;
    else if (r.bottom > b.bottom) box.scrollTop += Math.min(r.bottom - b.bottom + pad, r.top - b.top - pad);
  }

  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    $("play").textContent = "\u25b6 Play";
    $("play").setAttribute("aria-pressed", "false");
  }

  function play() {
    if (k >= n) show(0);
    $("play").textContent = "\u2016 Pause";
    $("play").setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      show(k + 1);
      if (k >= n) pause();
    }, 900);
  }

  $("next").addEventListener("click", () => { pause(); show(k + 1); });
  $("prev").addEventListener("click", () => { pause(); show(k - 1); });
  $("reset").addEventListener("click", () => { pause(); show(0); });
  $("play").addEventListener("click", () => { if (timer === null) play(); else pause(); });
  $("fit").addEventListener("click", () => {
    const fit = $("picture").classList.toggle("fit");
    $("fit").setAttribute("aria-pressed", String(fit));
    $("fit").textContent = fit ? "Actual size" : "Fit width";
  });
  $("slider").addEventListener("input", () => { pause(); show(Number($("slider").value)); });
  document.addEventListener("keydown", (ev) => {
    const tag = ev.target && ev.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    let handled = true;
    if (ev.key === "ArrowRight") { pause(); show(k + 1); }
    else if (ev.key === "ArrowLeft") { pause(); show(k - 1); }
    else if (ev.key === "Home") { pause(); show(0); }
    else if (ev.key === "End") { pause(); show(n); }
    else if (ev.key === " " && tag !== "BUTTON") { if (timer === null) play(); else pause(); }
    else handled = false;
    if (handled) ev.preventDefault();
  });

  // a picture up to half again as wide as its box starts shrunk to fit; a bigger one scrolls
  if (svg.getBoundingClientRect().width <= 1.5 * $("picture").clientWidth) $("fit").click();
  const m = /^#step=(\d+)$/.exec(location.hash);
  show(m ? Number(m[1]) : 0);
})();
"""
