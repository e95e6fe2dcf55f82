"""The picture of a network's architecture: its inputs, then one box per layer."""

from __future__ import annotations

from typing import Any

import graphviz  # type: ignore[import-untyped]

from ..checks import instance, short
from ..nn import Conv1d, Conv2d, Layer, Module, Neuron
from .colours import INPUT_FILL, PARAM_FILL, VALUE_FILL, box_style
from .labels import NOTE_CHARS, NOTE_LINES, escape_label, fit_text, tooltip

__all__ = ["draw_architecture"]


def draw_architecture(model: Module) -> graphviz.Digraph:
    """A network's architecture: its inputs, then each layer as a box with its number of
    neurons (a convolution's: channels and kernel size), its activation and its number of
    parameters (an MLP's or a Sequential's layers, or a single Layer, Neuron, Conv1d or
    Conv2d; any other module is one box with its repr, shortened as a
    note is in :func:`draw_dot`, with the whole of it in the box's tooltip)."""
    instance(model, "draw_architecture", "model", Module, "a Module (an MLP, a Layer, …)")
    graph = graphviz.Digraph(graph_attr={"rankdir": "LR"}, node_attr={"shape": "box", "fontsize": "11"})
    parts = list(getattr(model, "layers", [model]))
    first = parts[0] if parts else model
    nin = getattr(first, "nin", "?")
    inputs = f"{nin if isinstance(nin, str) else short(nin)} numbers"
    if isinstance(first, (Conv1d, Conv2d)):
        inputs = f"{first.in_channels} channel{'s' if first.in_channels != 1 else ''}"
    _box(graph, "input", f"input\n{inputs}", INPUT_FILL)
    before = "input"
    for i, part in enumerate(parts, 1):
        count = len(part.parameters())
        if isinstance(part, Layer):
            size = f"{part.nout} neuron{'s' if part.nout != 1 else ''}"
            text = f"layer {i}\n{size} · {part.neurons[0].activation}\n{count} parameters"
        elif isinstance(part, (Conv1d, Conv2d)):
            channels = f"{part.out_channels} channel{'s' if part.out_channels != 1 else ''}"
            kernel = "×".join(map(str, part.kernel_size))
            size = f"{type(part).__name__} · {channels} · kernel {kernel}"
            text = f"layer {i}\n{size} · {part.activation}\n{count} parameters"
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
    shown, cut = fit_text(text, NOTE_CHARS, NOTE_LINES)
    graph.node(name, escape_label(shown), **box_style(fill), **(tooltip(text) if cut else {}))


def _repr(x: Any) -> str:
    """repr(x), or ``<type>`` when its __repr__ fails."""
    try:
        return repr(x)
    except Exception:  # a user module's broken __repr__ must not stop the picture
        return f"<{type(x).__name__}>"
