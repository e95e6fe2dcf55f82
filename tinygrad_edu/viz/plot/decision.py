"""Decision regions: the class a model gives every point of the plane, and their picture."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from ... import checks
from ...data import linspace
from ...engine import number
from ...modes import no_grad
from .figures import (
    PathLike,
    check_texts,
    format_of,
    import_matplotlib,
    new_axes,
    new_figure,
    padded_span,
    save_figure,
)

# matplotlib is optional, so mypy may run where it is not installed: each import of it says
# "not found is fine here" (and "fine if found", for where it is installed).
if TYPE_CHECKING:  # only for the annotations: matplotlib stays optional at run time
    from matplotlib.axes import Axes  # type: ignore[import-not-found, unused-ignore]

__all__ = ["DecisionGrid", "decision_boundary", "decision_grid"]

# class colours: regions (light) and points (dark), cycling for more than four classes
REGION_COLOURS = ["#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb"]
POINT_COLOURS = ["#2171b5", "#d94801", "#238b45", "#6a51a3"]


@dataclass
class DecisionGrid:
    """The class a model gives every point of a regular grid over the plane.

    ``classes[i][j]`` is the class of the point (``xs[j]``, ``ys[i]``) — rows
    follow y, as matplotlib's contour functions expect. ``scores[i][j]`` is the
    model's raw output there (the single score, or the largest of several);
    ``binary`` says whether the model has a single output (class 1 ⇔ score > 0).
    """

    xs: list[float]
    ys: list[float]
    classes: list[list[int]]
    scores: list[list[float]]
    binary: bool


def _class_of_output(out: Any) -> tuple[int, float, bool]:
    """(class, score, single output?) of a model output: score > 0 ⇒ class 1 for one output,
    the argmax for several."""
    if isinstance(out, (list, tuple)):
        values = [float(number(o)) for o in out]
        if len(values) == 1:
            return int(values[0] > 0.0), values[0], True
        best = max(range(len(values)), key=values.__getitem__)
        return best, values[best], False
    score = float(number(out))
    return int(score > 0.0), score, True


def _class_of_label(label: Any) -> int:
    """A label as a class index: ±1 and 0/1 give 0/1, an int is itself, a one-hot vector its argmax."""
    if isinstance(label, (list, tuple)):
        return max(range(len(label)), key=lambda i: float(label[i]))
    value = float(label)
    return 0 if value < 0 else int(value)


def decision_grid(
    model: Callable[[list[float]], Any],
    X: Sequence[Sequence[float]],
    *,
    resolution: int = 50,
    padding: float = 0.15,
) -> DecisionGrid:
    """Evaluate ``model`` on a ``resolution`` × ``resolution`` grid covering the 2-D inputs X.

    The grid spans each coordinate's range widened by ``padding`` (a fraction
    of the range) on each side. Each point's class is 1 where a single-output
    model's score is > 0 (0 otherwise) and the argmax of a multi-output
    model's outputs. The model runs under :func:`~tinygrad_edu.engine.no_grad`
    and in evaluation mode (dropout off), and is put back in the mode it was
    in. Needs no matplotlib. The cost is resolution² forward passes.
    """
    where = "decision_grid"
    checks.function(model, where, "model")
    resolution = checks.integer(resolution, where, "resolution", low=2, high=2000)
    padding = checks.real(padding, where, "padding", low=0.0, high=10.0)
    if isinstance(X, (str, bytes)) or not isinstance(X, Sequence) or not X:
        checks.type_error(where, "X", "a non-empty list of 2-D points", X)
    for i, point in enumerate(X):
        if isinstance(point, (str, bytes)) or not isinstance(point, Sequence) or len(point) != 2:
            checks.value_error(where, f"X[{i}]", "a 2-D point [x, y]", point)
        for j, v in enumerate(point):
            checks.real(v, where, f"X[{i}][{j}]")
    xs = linspace(*padded_span([row[0] for row in X], padding), resolution)
    ys = linspace(*padded_span([row[1] for row in X], padding), resolution)
    was_training = getattr(model, "training", None)
    if was_training is not None:
        model.eval()  # type: ignore[attr-defined]
    classes, scores, binary = [], [], True
    try:
        with no_grad():
            for y in ys:
                row = [_class_of_output(model([x, y])) for x in xs]
                classes.append([c for c, _, _ in row])
                scores.append([s for _, s, _ in row])
                binary = binary and all(single for _, _, single in row)
    finally:
        if was_training is not None:
            model.train(was_training)  # type: ignore[attr-defined]
    return DecisionGrid(xs, ys, classes, scores, binary)


def decision_boundary(
    model: Callable[[list[float]], Any],
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    path: PathLike,
    *,
    resolution: int = 50,
    grid: Optional[DecisionGrid] = None,
    title: str = "decision boundary",
    class_names: Optional[Sequence[str]] = None,
) -> Path:
    """Draw the model's decision regions over the plane with the data points on top; return the path.

    The regions are filled by class (see :func:`decision_grid`), the boundary
    between them is a black line, and each point of X is coloured by its
    label (0/1, ±1, a class index or a one-hot vector). Pass the ``grid`` of
    an earlier :func:`decision_grid` call to draw the same model in several
    formats without evaluating it again. ``class_names`` label the classes in
    the legend (default ``class 0``, ``class 1``, ...; for ±1 labels class 0 is −1).
    X must be 2-D.
    """
    where = "decision_boundary"
    checks.function(model, where, "model")
    if grid is not None:
        checks.instance(grid, where, "grid", DecisionGrid, "None or a DecisionGrid from decision_grid")
    for arg, v in (("X", X), ("y", y)):
        if isinstance(v, (str, bytes)) or not isinstance(v, Sequence):
            checks.type_error(where, arg, "a sequence", v)
    checks.integer(resolution, where, "resolution", low=2, high=2000)
    check_texts(where, title=title)
    if class_names is not None:
        if isinstance(class_names, (str, bytes)) or not isinstance(class_names, Sequence):
            checks.type_error(where, "class_names", "None or a list of str", class_names)
        check_texts(where, **{f"class_names[{i}]": n for i, n in enumerate(class_names)})
    format_of(path, "decision_boundary")
    import_matplotlib()
    if len(X) != len(y):
        raise ValueError(f"decision_boundary: X has {len(X)} points but y has {len(y)} labels")
    if grid is None:
        grid = decision_grid(model, X, resolution=resolution)
    labels = [_class_of_label(t) for t in y]
    k = max(max(labels), max(max(row) for row in grid.classes), 1 if grid.binary else 0) + 1

    fig = new_figure(5.5, 4.5)
    ax = new_axes(fig, title, "x₁", "x₂")
    ax.grid(False)
    _draw_regions(ax, grid, k)
    _draw_points(ax, X, labels, k, class_names)
    ax.set_xlim(grid.xs[0], grid.xs[-1])
    ax.set_ylim(grid.ys[0], grid.ys[-1])
    ax.legend(loc="upper right", fontsize=8)
    return save_figure(fig, path)


def _draw_regions(ax: Axes, grid: DecisionGrid, k: int) -> None:
    """The grid's ``k`` classes as filled regions, with a black line where the class changes."""
    levels = [c - 0.5 for c in range(k + 1)]
    regions = [REGION_COLOURS[c % len(REGION_COLOURS)] for c in range(k)]
    if grid.binary:  # the score's zero level: a smooth boundary (interpolated between grid points)
        flat = [s for row in grid.scores for s in row if math.isfinite(s)]
        lo, hi = min([*flat, 0.0]) - 1.0, max([*flat, 0.0]) + 1.0
        z: list[list[float]] = [[min(max(s, lo), hi) for s in row] for row in grid.scores]
        levels = [lo, 0.0, hi]
    else:
        z = [[float(c) for c in row] for row in grid.classes]
    ax.contourf(grid.xs, grid.ys, z, levels=levels, colors=regions)
    if len({c for row in grid.classes for c in row}) > 1:  # a boundary to draw
        ax.contour(grid.xs, grid.ys, z, levels=levels[1:-1], colors="black", linewidths=1.0)


def _draw_points(
    ax: Axes,
    X: Sequence[Sequence[float]],
    labels: list[int],
    k: int,
    class_names: Optional[Sequence[str]],
) -> None:
    """The points of each of the ``k`` classes, in the class's colour, named in the legend."""
    for c in range(k):
        points = [row for row, t in zip(X, labels) if t == c]
        if points:
            ax.scatter(
                [p[0] for p in points],
                [p[1] for p in points],
                s=22,
                color=POINT_COLOURS[c % len(POINT_COLOURS)],
                edgecolors="black",
                linewidths=0.5,
                label=class_names[c] if class_names is not None and c < len(class_names) else f"class {c}",
                gid=f"points-class-{c}",
            )
