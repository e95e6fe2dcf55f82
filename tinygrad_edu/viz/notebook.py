"""Pictures in notebooks: a cell that ends in a ``Value`` (or a network) shows its picture.

The package calls :func:`show_values_in_notebooks` on import when it runs in IPython; the
``*_or_none`` functions it registers never raise: where a picture cannot be rendered (no
Graphviz, a timeout), the notebook shows the repr instead.
"""

from __future__ import annotations

from typing import Any, Optional

from ..engine import Value
from ..nn import Module
from .architecture import draw_architecture
from .rendering import run_dot, svg

__all__ = ["architecture_svg_or_none", "show_values_in_notebooks", "svg_or_none"]


def show_values_in_notebooks(shell: Any) -> None:
    """Make an IPython ``shell`` (Jupyter's kernel) show a cell's ``Value`` result as the picture of
    its graph, and a network (a :class:`~tinygrad_edu.nn.Module`) as the picture of its
    architecture, falling back to the repr where they cannot be rendered. The package does this
    on import when it runs in IPython: formatters registered with the shell, so neither the
    engine nor the modules need to know anything of pictures."""
    formatter = shell.display_formatter.formatters["image/svg+xml"]
    formatter.for_type(Value, svg_or_none)
    formatter.for_type(Module, architecture_svg_or_none)


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
