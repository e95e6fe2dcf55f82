"""Plots for the examples: decision boundaries, training curves, optimizer trajectories, images.

matplotlib is an optional dependency (``pip install "tinygrad_edu[plot]"``):
these modules import it only inside their functions, so ``import tinygrad_edu.viz.plot``
always works, :func:`available` says whether plots can be drawn, and every
plotting function raises :class:`PlotsUnavailable` (an ``ImportError``) with
the install hint when matplotlib is missing.

Every function writes one file and returns its path; the format comes from
the suffix (``.png``, ``.svg`` or ``.pdf``). Figures are drawn on matplotlib's
Agg canvas without pyplot, so nothing needs a display, no global backend is
switched, and no figure outlives the call. The output is deterministic: SVG
ids are salted with a fixed string, no creation date is written, and SVG
text stays text (so titles and legends can be searched for in the file).
Files are written whole or not at all (a temporary file renamed into place).

A model's decision regions are computed by :func:`decision_grid`, without
matplotlib, so you can check them against the model yourself:

>>> from tinygrad_edu.nn import MLP
>>> model = MLP(2, [4, 1], seed=0)
>>> grid = decision_grid(model, [[0.0, 0.0], [1.0, 1.0]], resolution=3)
>>> len(grid.xs), len(grid.ys), len(grid.classes), len(grid.classes[0])
(3, 3, 3, 3)
>>> grid.classes[1][2] == (1 if model([grid.xs[2], grid.ys[1]]).data > 0 else 0)
True

The modules: :mod:`~tinygrad_edu.viz.plot.figures` (matplotlib on demand, checked arguments,
figures written to files), :mod:`~tinygrad_edu.viz.plot.curves` (training curves, lines and
bars), :mod:`~tinygrad_edu.viz.plot.plane` (pictures over the plane: decision regions, and
optimizer trajectories over a function's contour lines), :mod:`~tinygrad_edu.viz.plot.scatter`
(point clouds side by side, each with its covariance ellipse: data before and after a transform),
:mod:`~tinygrad_edu.viz.plot.kernels` (grids of weights as images, such as a convolution's learned
kernels) and :mod:`~tinygrad_edu.viz.plot.images` (a grid of small images such as digits or a
layer's weights, and a confusion matrix, whose counts :func:`confusion_counts` gives without
matplotlib).
"""

from __future__ import annotations

from .curves import bars, history, lines
from .figures import FORMATS, INSTALL_HINT, PlotsUnavailable, available
from .images import confusion_counts, confusion_matrix, image_grid
from .kernels import kernels
from .plane import DecisionGrid, decision_boundary, decision_grid, trajectories
from .scatter import covariance_ellipse, scatter_panels

__all__ = [
    "FORMATS",
    "INSTALL_HINT",
    "DecisionGrid",
    "PlotsUnavailable",
    "available",
    "bars",
    "confusion_counts",
    "confusion_matrix",
    "covariance_ellipse",
    "decision_boundary",
    "decision_grid",
    "history",
    "image_grid",
    "kernels",
    "lines",
    "scatter_panels",
    "trajectories",
]
