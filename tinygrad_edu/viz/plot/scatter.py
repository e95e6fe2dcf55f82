"""Point clouds side by side: the same 2-D data in several panels (raw, centred, standardised,
whitened, ...), each with its covariance ellipse, so what a transform does to the data's mean,
spread and correlation can be seen at a glance."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from ... import checks
from ...data import linspace
from .figures import PathLike, check_texts, format_of, import_matplotlib, new_figure, save_figure
from .plane import POINT_COLOURS

if TYPE_CHECKING:  # only for the annotations, as in figures.py: matplotlib stays optional
    from matplotlib.axes import Axes  # type: ignore[import-not-found, unused-ignore]

__all__ = ["covariance_ellipse", "scatter_panels"]

Points = Sequence[Sequence[float]]


def _points(points: Any, where: str, arg: str, least: int = 1) -> list[tuple[float, float]]:
    """A list of at least ``least`` 2-D points of finite numbers, as (x, y) float pairs."""
    if isinstance(points, (str, bytes)) or not isinstance(points, Sequence):
        checks.type_error(where, arg, "a list of 2-D points [x, y]", points)
    if len(points) < least:
        checks.value_error(where, arg, f"a list of at least {least} 2-D points", points)
    out = []
    for i, p in enumerate(points):
        if isinstance(p, (str, bytes)) or not isinstance(p, Sequence) or len(p) != 2:
            checks.value_error(where, f"{arg}[{i}]", "a 2-D point [x, y]", p)
        x, y = (checks.real(v, where, f"{arg}[{i}][{j}]") for j, v in enumerate(p))
        out.append((x, y))
    return out


def covariance_ellipse(
    points: Points, *, radius: float = 2.0, samples: int = 100
) -> list[tuple[float, float]]:
    """The ellipse (x − μ)ᵀΣ⁻¹(x − μ) = radius² of 2-D points, as a closed curve (first = last point).

    μ is the points' mean and Σ = (1/N)·Σᵢ(xᵢ − μ)(xᵢ − μ)ᵀ their covariance (normalised by
    N, as :class:`~tinygrad_edu.data.Whitening` does). With Σ = LLᵀ (its Cholesky factor,
    L = [[√a, 0], [b/√a, √(d − b²/a)]] for Σ = [[a, b], [b, d]]), the ellipse is
    {μ + radius·L·u : u on the unit circle}: the unit circle stretched by the data's spread.
    For a Gaussian cloud, radius 2 encloses about 86% of the points (1 − e^{−radius²/2}).
    Uncorrelated data with unit variances (whitened) give a circle of that radius around μ;
    points on a line give a segment. Needs no matplotlib.

    >>> ellipse = covariance_ellipse([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]], samples=5)
    >>> [(round(x, 9) + 0.0, round(y, 9) + 0.0) for x, y in ellipse]
    [(1.414213562, 0.0), (0.0, 1.414213562), (-1.414213562, 0.0), (0.0, -1.414213562), (1.414213562, 0.0)]
    """
    where = "covariance_ellipse"
    pts = _points(points, where, "points", least=2)
    radius = checks.real(radius, where, "radius", low=0.0, low_open=True, high=1e6)
    samples = checks.integer(samples, where, "samples", low=3, high=100_000)
    # computed on the points divided by s = max|coordinate|, so no square overflows or underflows
    s = max(max(abs(x), abs(y)) for x, y in pts)
    if s == 0.0:
        return [(0.0, 0.0)] * samples
    scaled = [(x / s, y / s) for x, y in pts]
    n = len(scaled)
    mx, my = math.fsum(x for x, _ in scaled) / n, math.fsum(y for _, y in scaled) / n
    a = math.fsum((x - mx) ** 2 for x, _ in scaled) / n
    b = math.fsum((x - mx) * (y - my) for x, y in scaled) / n
    d = math.fsum((y - my) ** 2 for _, y in scaled) / n
    l11 = math.sqrt(a)
    l21 = b / l11 if l11 > 0 else 0.0
    l22 = math.sqrt(max(d - l21 * l21, 0.0))  # Σ is positive semi-definite: ≥ 0 up to rounding
    curve = []
    for t in linspace(0.0, 2 * math.pi, samples):
        u, v = math.cos(t), math.sin(t)
        x, y = s * (mx + radius * l11 * u), s * (my + radius * (l21 * u + l22 * v))
        if not (math.isfinite(x) and math.isfinite(y)):
            checks.value_error(where, "points", "points whose ellipse stays within float range", points)
        curve.append((x, y))
    curve[-1] = curve[0]  # closed exactly (cos 2π, sin 2π are only nearly 1, 0)
    return curve


def _check_panels(panels: Any, labels: Any, where: str) -> dict[str, list[tuple[float, float]]]:
    """{name: points}, non-empty; with labels, one int label per point of every panel."""
    if not isinstance(panels, Mapping):
        checks.type_error(where, "panels", "a dict {title: list of 2-D points}", panels)
    if not panels:
        checks.value_error(where, "panels", "at least one panel", panels)
    checked = {}
    for name, points in panels.items():
        checks.instance(name, where, "a name in panels", str, "a str")
        checked[name] = _points(points, where, f"panels[{checks.short(name)}]")
    if labels is not None:
        if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
            checks.type_error(where, "labels", "None or a list of class indices", labels)
        for i, c in enumerate(labels):
            checks.integer(c, where, f"labels[{i}]", low=0)
        for name, points in checked.items():
            if len(points) != len(labels):
                count = f"{len(points)} points but labels has {len(labels)}"
                raise ValueError(f"{where}: panel {checks.short(name)} has {count}")
    return checked


def scatter_panels(
    panels: Mapping[str, Points],
    path: PathLike,
    *,
    labels: Optional[Sequence[int]] = None,
    columns: Optional[int] = None,
    ellipses: bool = True,
    origin: bool = True,
    title: str = "",
    xlabel: str = "x₁",
    ylabel: str = "x₂",
) -> Path:
    """One scatter plot of 2-D points per named panel (``{title: points}``), side by side; return the path.

    Meant for the same data before and after a transform. ``labels`` (one class index per
    point, the same for every panel) colours the points by class. ``ellipses`` draws each
    panel's 2σ :func:`covariance_ellipse` and marks its mean (+); ``origin`` draws the axes
    x = 0 and y = 0. Every panel has equal scales on x and y, so a circle looks round: a
    whitened cloud's ellipse is then a circle of radius 2. ``columns`` panels per row (default:
    all in one row, up to 4). SVG ids: ``points-<title>`` (``points-<title>-class-<c>`` with
    labels), ``ellipse-<title>``, ``mean-<title>``.
    """
    where = "scatter_panels"
    checked = _check_panels(panels, labels, where)
    check_texts(where, title=title, xlabel=xlabel, ylabel=ylabel)
    checks.flag(ellipses, where, "ellipses")
    checks.flag(origin, where, "origin")
    if columns is not None:
        columns = checks.integer(columns, where, "columns", low=1, high=len(checked))
    format_of(path, where)
    import_matplotlib()
    cols = columns or min(len(checked), 4)
    rows = math.ceil(len(checked) / cols)
    fig = new_figure(3.4 * cols, 3.4 * rows + (0.3 if title else 0.0))
    if title:
        fig.suptitle(title)
    for k, (name, points) in enumerate(checked.items()):
        ax = fig.add_subplot(rows, cols, k + 1)
        ax.set_title(name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        _draw_panel(ax, name, points, labels, ellipses, origin)
    return save_figure(fig, path)


def _draw_panel(
    ax: Axes,
    name: str,
    points: list[tuple[float, float]],
    labels: Optional[Sequence[int]],
    ellipses: bool,
    origin: bool,
) -> None:
    """One panel: the points (by class), the axes through 0, the 2σ ellipse and the mean."""
    if origin:
        ax.axhline(0.0, color="grey", linewidth=0.8, zorder=0)
        ax.axvline(0.0, color="grey", linewidth=0.8, zorder=0)
    groups = {0: points} if labels is None else {}
    if labels is not None:
        for p, c in zip(points, labels):
            groups.setdefault(int(c), []).append(p)
    for c, group in sorted(groups.items()):
        ax.scatter(
            [p[0] for p in group],
            [p[1] for p in group],
            s=12,
            color=POINT_COLOURS[c % len(POINT_COLOURS)],
            alpha=0.7,
            linewidths=0,
            gid=f"points-{name}" if labels is None else f"points-{name}-class-{c}",
        )
    if ellipses and len(points) >= 2:
        curve = covariance_ellipse(points)
        ax.plot(
            [p[0] for p in curve], [p[1] for p in curve], color="black", linewidth=1.2, gid=f"ellipse-{name}"
        )
        mx, my = (math.fsum(p[i] / len(points) for p in points) for i in range(2))  # no overflow
        ax.plot([mx], [my], marker="+", color="black", markersize=10, linestyle="none", gid=f"mean-{name}")
    ax.set_aspect("equal", adjustable="datalim")
