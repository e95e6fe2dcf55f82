"""Pictures over the plane: a model's decision regions, and optimizer trajectories over the
contour lines of a function. Both evaluate something (under ``no_grad``) on a grid spanning a
window of the plane."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence, Union

from ... import checks
from ...data import linspace
from ...engine import Value, number
from ...losses import argmax
from ...modes import no_grad
from .figures import (
    PathLike,
    check_numbers,
    check_pair,
    check_texts,
    format_of,
    import_matplotlib,
    new_axes,
    new_figure,
    save_figure,
)

if TYPE_CHECKING:  # only for the annotations, as in figures.py: matplotlib stays optional
    from matplotlib.axes import Axes  # type: ignore[import-not-found, unused-ignore]

__all__ = ["DecisionGrid", "decision_boundary", "decision_grid", "trajectories"]

# ------------------------------------------------------------------ decision regions
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
        best = argmax(values)
        return best, values[best], False
    score = float(number(out))
    return int(score > 0.0), score, True


def _class_of_label(label: Any) -> int:
    """A label as a class index: ±1 and 0/1 give 0/1, an int is itself, a one-hot vector its argmax."""
    if isinstance(label, (list, tuple)):
        return argmax([float(v) for v in label])
    value = float(label)
    return 0 if value < 0 else int(value)


def _span(values: Sequence[float], padding: float) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    pad = padding * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


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
    xs = linspace(*_span([row[0] for row in X], padding), resolution)
    ys = linspace(*_span([row[1] for row in X], padding), resolution)
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


# ------------------------------------------------------------------ optimizer trajectories
def trajectories(
    f: Callable[[Value, Value], Any],
    paths: Mapping[str, Sequence[Sequence[float]]],
    path: PathLike,
    *,
    xlim: Optional[tuple[float, float]] = None,
    ylim: Optional[tuple[float, float]] = None,
    levels: Union[int, Sequence[float]] = 15,
    resolution: int = 120,
    minimum: Optional[tuple[float, float]] = None,
    title: str = "optimizer trajectories",
) -> Path:
    """Contour lines of f(x, y) with one trajectory per optimizer on top; return the path.

    ``f`` is called with two Values (under ``no_grad``) and returns a Value or
    a number, so a function built from Values for the optimizers draws as it
    is. ``paths`` maps each optimizer's name to its list of (x, y) points,
    start first; non-finite points (a divergence) end the line. The window is
    ``xlim`` × ``ylim`` or, by default, the box around all the finite points.
    ``levels``: a count (spaced geometrically when f ≥ 0 on the window, so the
    valley floor gets contours too, evenly otherwise) or the levels themselves.
    ``minimum`` marks a point (the optimum) with a star.
    """
    where = "trajectories"
    checks.function(f, where, "f")
    _check_paths(paths, where)
    check_pair(xlim, where, "xlim", ordered=True)
    check_pair(ylim, where, "ylim", ordered=True)
    check_pair(minimum, where, "minimum")
    if isinstance(levels, Sequence) and not isinstance(levels, (str, bytes)):
        check_numbers(levels, where, "levels", gaps=False)
    else:
        checks.integer(levels, where, "levels", low=2, high=1000)
    checks.integer(resolution, where, "resolution", low=2, high=2000)
    check_texts(where, title=title)
    format_of(path, "trajectories")
    import_matplotlib()
    finite_paths = {name: _finite_prefix(points) for name, points in paths.items()}
    xlim, ylim = _window(finite_paths, minimum, xlim, ylim)
    xs, ys = linspace(*xlim, resolution), linspace(*ylim, resolution)
    with no_grad():
        zs = [[_height(f(Value(x), Value(y))) for x in xs] for y in ys]
    fig = new_figure(6.5, 4.8)
    ax = new_axes(fig, title, "x", "y")
    ax.contour(xs, ys, zs, levels=_contour_levels(zs, levels), colors="grey", linewidths=0.6, alpha=0.8)
    for name, pts in finite_paths.items():
        if not pts:
            continue
        ax.plot(
            [p[0] for p in pts],
            [p[1] for p in pts],
            marker="o",
            markersize=2.5,
            linewidth=1.2,
            label=name,
            gid=f"trajectory-{name}",
        )
    starts = _starts(finite_paths)
    if starts:
        _mark(ax, starts, "start", marker="s", color="black", markersize=5)
    if minimum is not None:
        _mark(ax, [minimum], "minimum", marker="*", color="gold", markeredgecolor="black", markersize=12)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.legend(fontsize=8, loc="best")
    return save_figure(fig, path)


def _check_paths(paths: Any, where: str) -> None:
    """A dict {name: list of (x, y) points}; the coordinates may be nan or inf (a divergence)."""
    if not isinstance(paths, Mapping):
        checks.type_error(where, "paths", "a dict {name: [(x, y), ...]}", paths)
    for name, points in paths.items():
        checks.instance(name, where, "a name in paths", str, "a str")
        if isinstance(points, (str, bytes)) or not isinstance(points, Sequence):
            checks.type_error(where, f"paths[{checks.short(name)}]", "a list of (x, y) points", points)
        for i, p in enumerate(points):
            if isinstance(p, (str, bytes)) or not isinstance(p, Sequence) or len(p) != 2:
                checks.type_error(where, f"paths[{checks.short(name)}][{i}]", "an (x, y) point", p)
            for j, v in enumerate(p):
                checks.real(v, where, f"paths[{checks.short(name)}][{i}][{j}]", finite=False)


def _window(
    finite_paths: Mapping[str, list[tuple[float, float]]],
    minimum: Optional[tuple[float, float]],
    xlim: Optional[tuple[float, float]],
    ylim: Optional[tuple[float, float]],
) -> tuple[tuple[float, float], tuple[float, float]]:
    """``xlim`` and ``ylim``, each by default the span of the finite points and the minimum."""
    points = [p for pts in finite_paths.values() for p in pts]
    if minimum is not None:
        points.append((float(minimum[0]), float(minimum[1])))
    if (xlim is None or ylim is None) and not points:
        raise ValueError("trajectories: give xlim and ylim, or at least one finite point")
    if xlim is None:
        xlim = _span([p[0] for p in points], 0.1)
    if ylim is None:
        ylim = _span([p[1] for p in points], 0.1)
    return xlim, ylim


def _mark(ax: Axes, points: Sequence[Sequence[float]], name: str, **style: Any) -> None:
    """Markers alone (no line) at ``points``: ``name`` in the legend and as the SVG id."""
    ax.plot([p[0] for p in points], [p[1] for p in points], linestyle="none", label=name, gid=name, **style)


def _height(v: Any) -> float:
    """A contour's height: the number in v, with ±inf as nan (a gap in the picture)."""
    x = float(number(v))
    return x if math.isfinite(x) else math.nan


def _finite_prefix(points: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
    """The points up to (not including) the first with a non-finite coordinate."""
    out = []
    for p in points:
        x, y = float(p[0]), float(p[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            break
        out.append((x, y))
    return out


def _starts(paths: Mapping[str, list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """The distinct first points of the trajectories."""
    starts: list[tuple[float, float]] = []
    for pts in paths.values():
        if pts and pts[0] not in starts:
            starts.append(pts[0])
    return starts


def _contour_levels(zs: list[list[float]], levels: Union[int, Sequence[float]]) -> list[float]:
    if not isinstance(levels, int):
        return sorted(float(v) for v in levels)
    if isinstance(levels, bool) or levels < 2:
        raise ValueError(f"trajectories: levels must be an int >= 2 or a list of levels, got {levels!r}")
    values = [z for row in zs for z in row if math.isfinite(z)]
    lo, hi = min(values), max(values)
    if hi <= lo:
        return [lo]
    if lo >= 0.0:  # geometric spacing: the floor of a valley gets contours too
        start = max(lo, hi * 1e-4)
        return [start * (hi / start) ** (k / (levels - 1)) for k in range(levels)]
    return linspace(lo, hi, levels)
