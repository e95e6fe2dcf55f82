"""Optimizer trajectories drawn over the contour lines of the function they minimise."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence, Union

from ... import checks
from ...data import linspace
from ...engine import Value, number
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
    padded_span,
    save_figure,
)

# matplotlib is optional, so mypy may run where it is not installed: each import of it says
# "not found is fine here" (and "fine if found", for where it is installed).
if TYPE_CHECKING:  # only for the annotations: matplotlib stays optional at run time
    from matplotlib.axes import Axes  # type: ignore[import-not-found, unused-ignore]

__all__ = ["trajectories"]


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
        xlim = padded_span([p[0] for p in points], 0.1)
    if ylim is None:
        ylim = padded_span([p[1] for p in points], 0.1)
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
