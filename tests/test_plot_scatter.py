"""tinygrad_edu.viz.plot.scatter: the covariance ellipse against numpy, and the panels' files."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_plot import ids, needs_matplotlib, svg_tree, texts

from tinygrad_edu.viz import plot


def cloud(n: int = 40, seed: int = 0) -> list[list[float]]:
    """A correlated, shifted 2-D Gaussian cloud."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        a, b = rng.gauss(0, 1), rng.gauss(0, 1)
        out.append([3.0 + 2.0 * a, -1.0 + 0.8 * a + 0.5 * b])
    return out


# ------------------------------------------------------------------ the ellipse (no matplotlib needed)
points_2d = st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)).map(list), min_size=3, max_size=30)


@settings(deadline=None)
@given(points=points_2d, radius=st.floats(0.5, 3.0))
def test_every_point_of_the_ellipse_is_at_mahalanobis_distance_radius(
    points: list[list[float]], radius: float
) -> None:
    """(x − μ)ᵀΣ⁻¹(x − μ) = radius² on the curve, with μ and Σ (normalised by N) from numpy."""
    X = np.array(points)
    sigma = np.cov(X, rowvar=False, bias=True)
    spread = np.abs(X).max()
    if np.linalg.eigvalsh(sigma).min() < 1e-6 * max(spread, 1.0) ** 2:
        return  # (nearly) on a line: Σ⁻¹ is not defined; see the degenerate test
    curve = plot.covariance_ellipse(points, radius=radius, samples=17)
    assert len(curve) == 17 and curve[0] == curve[-1]
    inverse = np.linalg.inv(sigma)
    mu = X.mean(axis=0)
    for p in curve:
        d = np.array(p) - mu
        assert math.isclose(float(d @ inverse @ d), radius**2, rel_tol=1e-6)


def test_a_whitened_cloud_gives_a_circle_and_a_line_a_segment() -> None:
    square = [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]  # mean 0, Σ = I/2
    for x, y in plot.covariance_ellipse(square, radius=2.0):
        assert math.isclose(math.hypot(x, y), 2.0 * math.sqrt(0.5), rel_tol=1e-12)
    line = [[0.0, 0.0], [1.0, 2.0], [2.0, 4.0]]  # Σ of rank 1: the ellipse is a segment on y = 2x
    for x, y in plot.covariance_ellipse(line):
        assert abs(y - 2 * x) < 1e-12
    vertical = [[5.0, 0.0], [5.0, 2.0]]  # a constant x: var(x) = 0
    assert {round(x, 12) for x, _ in plot.covariance_ellipse(vertical)} == {5.0}
    assert plot.covariance_ellipse([[0.0, 0.0], [0.0, 0.0]], samples=4) == [(0.0, 0.0)] * 4


def test_huge_and_tiny_coordinates_neither_overflow_nor_vanish() -> None:
    big = [[1e307 * x, 1e307 * y] for x, y in cloud(10)]
    small = [[1e-310 * x, 1e-310 * y] for x, y in cloud(10)]
    plain = plot.covariance_ellipse(cloud(10), samples=9)
    for scale, pts in ((1e307, big), (1e-310, small)):
        for (x, y), (u, v) in zip(plot.covariance_ellipse(pts, samples=9), plain):
            assert math.isclose(x, scale * u, rel_tol=1e-6) and math.isclose(y, scale * v, rel_tol=1e-6)
    with pytest.raises(ValueError, match="covariance_ellipse: points must be points whose ellipse"):
        plot.covariance_ellipse([[1.7e308, 0.0], [-1.7e308, 0.0]])


def test_covariance_ellipse_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"covariance_ellipse: points must be a list of at least 2"):
        plot.covariance_ellipse([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"points\[1\] must be a 2-D point"):
        plot.covariance_ellipse([[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="samples"):
        plot.covariance_ellipse(cloud(), samples=2)
    with pytest.raises(TypeError, match=r"points\[0\]\[1\]"):
        plot.covariance_ellipse([[1.0, "2"], [0.0, 0.0]])  # type: ignore[list-item]


# ------------------------------------------------------------------ the panels
@needs_matplotlib
def test_scatter_panels_png_and_svg(tmp_path: Path) -> None:
    raw = cloud()
    centred = [[x - 3.0, y + 1.0] for x, y in raw]
    panels = {"raw": raw, "centred": centred, "scaled": [[x / 2, y] for x, y in centred]}
    png = plot.scatter_panels(panels, tmp_path / "s.png")
    assert png == tmp_path / "s.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    root = svg_tree(plot.scatter_panels(panels, tmp_path / "s.svg", title="before and after"))
    assert {"before and after", "raw", "centred", "scaled", "x₁", "x₂"} <= set(texts(root))
    assert sorted(ids(root, "points-")) == ["points-centred", "points-raw", "points-scaled"]
    assert sorted(ids(root, "ellipse-")) == ["ellipse-centred", "ellipse-raw", "ellipse-scaled"]
    assert len(ids(root, "mean-")) == 3
    assert len([e for e in root.iter() if e.get("id", "").startswith("axes_")]) == 3


@needs_matplotlib
def test_scatter_panels_by_class_in_rows_and_without_ellipses(tmp_path: Path) -> None:
    raw = cloud(12)
    labels = [i % 3 for i in range(12)]
    panels = {"a": raw, "b": raw, "c": raw, "d": raw}
    root = svg_tree(
        plot.scatter_panels(
            panels, tmp_path / "c.svg", labels=labels, columns=2, ellipses=False, origin=False
        )
    )
    assert sorted(ids(root, "points-a-")) == ["points-a-class-0", "points-a-class-1", "points-a-class-2"]
    assert ids(root, "ellipse-") == [] and ids(root, "mean-") == []
    one = svg_tree(plot.scatter_panels({"one point": [[1.0, 2.0]]}, tmp_path / "one.svg"))
    assert ids(one, "points-") == ["points-one point"] and ids(one, "ellipse-") == []  # no spread, no ellipse


@needs_matplotlib
def test_scatter_panels_is_deterministic(tmp_path: Path) -> None:
    for suffix in ("png", "svg"):
        a = plot.scatter_panels({"raw": cloud()}, tmp_path / f"a.{suffix}").read_bytes()
        b = plot.scatter_panels({"raw": cloud()}, tmp_path / f"b.{suffix}").read_bytes()
        assert a == b


def test_scatter_panels_rejects_bad_arguments(tmp_path: Path) -> None:
    good = {"raw": cloud(5)}
    with pytest.raises(ValueError, match="scatter_panels: panels must be at least one panel"):
        plot.scatter_panels({}, tmp_path / "e.png")
    with pytest.raises(TypeError, match="scatter_panels: panels must be a dict"):
        plot.scatter_panels([cloud(5)], tmp_path / "e.png")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"panel 'raw' has 5 points but labels has 2"):
        plot.scatter_panels(good, tmp_path / "e.png", labels=[0, 1])
    with pytest.raises(ValueError, match=r"labels\[0\]"):
        plot.scatter_panels(good, tmp_path / "e.png", labels=[-1, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="columns"):
        plot.scatter_panels(good, tmp_path / "e.png", columns=2)
    with pytest.raises(ValueError, match=r"panels\['raw'\]\[0\]\[0\]"):
        plot.scatter_panels({"raw": [[math.nan, 0.0]]}, tmp_path / "e.png")
    with pytest.raises(ValueError, match=r"use \.png, \.svg or \.pdf"):
        plot.scatter_panels(good, tmp_path / "e.jpg")
    assert list(tmp_path.iterdir()) == []


def test_without_matplotlib_scatter_panels_explains_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(plot.PlotsUnavailable, match=r'pip install "tinygrad_edu\[plot\]"'):
        plot.scatter_panels({"raw": cloud(5)}, tmp_path / "s.png")
    assert len(plot.covariance_ellipse(cloud(5), samples=5)) == 5  # needs no matplotlib
