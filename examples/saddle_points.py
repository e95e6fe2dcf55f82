"""Local minima and saddle points: where gradient descent ends, told apart by the Hessian (notes 001, 003).

The notes warn that a cost surface has local minima (a surface "with two minima, one local
and one global", where the algorithm "converges to the local minimum instead of the global
minimum"), saddle points and flat regions, and name the matrix that tells them apart
(note 003): the Hessian

    H = [[∂²f/∂x², ∂²f/∂x∂y], [∂²f/∂y∂x, ∂²f/∂y²]].

At a critical point (∇f = 0) the function looks like ½·dᵀHd around it, so the signs of H's
eigenvalues λ₁, λ₂ (the curvatures along its eigenvectors) classify the point:

    both > 0: a minimum      mixed signs: a saddle      both < 0: a maximum

The surface, built from Value ops, is a sum of two one-dimensional wells:

    f(x, y) = g(x) + h(y),   g(x) = x⁴/4 − x³/3 − x²,   h(y) = y⁴/4 − y²/2

g'(x) = x³ − x² − 2x = x(x + 1)(x − 2) vanishes at x = −1, 0, 2 (a shallow well at −1,
g = −5/12, a deeper one at 2, g = −8/3, and a hump between them at 0), and
h'(y) = y³ − y = y(y + 1)(y − 1) at y = −1, 0, 1. So f has nine critical points, in closed
form: every (x, y) with x ∈ {−1, 0, 2} and y ∈ {−1, 0, 1}, with H = diag(g''(x), h''(y)),
g''(x) = 3x² − 2x − 2, h''(y) = 3y² − 1. Four minima (two local ones at (−1, ±1), f = −2/3,
and two global ones at (2, ±1), f = −35/12), four saddles and one maximum, at (0, 0).

Gradient descent θ ← θ − α∇f (α = 0.05, gradients from the engine's ``value_and_grad``) runs
from six starts until ‖∇f‖ < 10⁻¹⁰. The script asserts what the notes say:

1. ``tinygrad_edu.hessian`` (backprop applied twice) gives the closed-form H at all nine
   critical points, and its eigenvalues' signs classify them: 4 minima, 4 saddles, 1 maximum;
2. the starts left of the hump end in a *local* minimum, f = −2/3, well above the global
   −35/12: gradient descent only goes downhill from where it starts;
3. a start on a saddle's stable manifold slides into the saddle and stops there, ∇f = 0,
   although it is no minimum: the Hessian's mixed signs say so. The saddles (0, ±1) curve
   up along y and down along x, and on the line x = 0 the gradient has no x part at all
   (g'(0) = 0), so a start on it never leaves it; likewise y = 0 for the saddle (2, 0);
4. a start only 10⁻⁶ off that line also slides towards the saddle (0, 1) and lingers there,
   where f is nearly flat (more than 40% of its steps within 0.1 of the saddle: the
   slow-down the notes warn about), while the negative curvature multiplies its distance
   from the line by 1 + α·|g''(0)| = 1.1 per step, until it escapes to a global minimum.
   Saddles attract only a set of measure zero, but they slow everything passing nearby.

With matplotlib it draws the trajectories on the contour plot of f.

Run: python examples/saddle_points.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import math
import sys
from fractions import Fraction
from pathlib import Path
from typing import Optional, Sequence

from tinygrad_edu import Value, hessian, value_and_grad

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
ALPHA = 0.05  # below 2/λ_max on the whole window (g''(3) = 19: 2/19 ≈ 0.105)
TOL = 1e-10  # stop when ‖∇f‖ < TOL
MAX_STEPS = 5000
NEAR = 0.1  # "near a critical point": closer than this
STARTS = {  # name: start (x, y)
    "A": (-2.0, 1.8),
    "B": (-0.5, -2.0),
    "C": (0.5, 0.4),
    "D": (3.0, 0.0),  # on the line y = 0: the stable manifold of the saddle (2, 0)
    "E": (0.0, -2.0),  # on the line x = 0: the stable manifold of the saddles (0, ±1)
    "F": (1e-6, 2.0),  # 10⁻⁶ off that line
}
# the zeros of g'(x) = x(x + 1)(x − 2) and h'(y) = y(y + 1)(y − 1), paired
CRITICAL = [(x, y) for x in (-1, 0, 2) for y in (-1, 0, 1)]


def f(x: Value, y: Value) -> Value:
    """f(x, y) = x⁴/4 − x³/3 − x² + y⁴/4 − y²/2, built from Value ops."""
    return x**4 / 4 - x**3 / 3 - x * x + y**4 / 4 - y * y / 2


f_and_grad = value_and_grad(f, argnums=(0, 1))  # (f, (∂f/∂x, ∂f/∂y)) at a point of floats


def exact_f(x: Fraction, y: Fraction) -> Fraction:
    return x**4 / 4 - x**3 / 3 - x * x + y**4 / 4 - y * y / 2


def exact_hessian(x: float, y: float) -> list[list[float]]:
    """diag(g''(x), h''(y)) with g'' = 3x² − 2x − 2, h'' = 3y² − 1 (f is a sum of a g(x) and an h(y))."""
    return [[3 * x * x - 2 * x - 2, 0.0], [0.0, 3 * y * y - 1]]


def eigenvalues_2x2(H: list[list[float]]) -> tuple[float, float]:
    """(λ₁, λ₂), λ₁ ≤ λ₂, of a symmetric 2×2 matrix: λ = tr/2 ± √((a − d)²/4 + b²)."""
    (a, b), (_, d) = H
    root = math.hypot((a - d) / 2, b)
    return (a + d) / 2 - root, (a + d) / 2 + root


def kind(lams: tuple[float, float]) -> str:
    """A critical point's kind from the signs of H's eigenvalues."""
    if min(lams) > 0:
        return "minimum"
    if max(lams) < 0:
        return "maximum"
    if min(lams) < 0 < max(lams):
        return "saddle"
    return "degenerate (a zero eigenvalue: H cannot tell)"


Path2D = list[tuple[float, float]]  # the points of a trajectory, start first


def descend(start: tuple[float, float], tol: float) -> Path2D:
    """The points gradient descent visits from ``start`` (start first) until ‖∇f‖ < tol."""
    x, y = start
    path = [(x, y)]
    for _ in range(MAX_STEPS):
        _, (gx, gy) = f_and_grad(x, y)
        if math.hypot(gx, gy) < tol:
            return path
        x, y = x - ALPHA * gx, y - ALPHA * gy
        path.append((x, y))
    raise AssertionError(f"no convergence from {start} in {MAX_STEPS} steps")


def steps_near(path: Path2D, point: tuple[float, float], radius: float = NEAR) -> int:
    """How many of the path's points lie within ``radius`` of ``point``."""
    return sum(math.dist(p, point) < radius for p in path)


def classify_critical_points() -> dict[tuple[int, int], str]:
    """Every closed-form critical point, with the engine's Hessian checked and its eigenvalues' signs."""
    print("the nine critical points (closed form), classified by the eigenvalues of hessian():")
    print("     (x, y)     f(x, y)           H from hessian()           λ₁       λ₂    kind")
    kinds = {}
    for x, y in CRITICAL:
        H = hessian(f, [float(x), float(y)])
        exact = exact_hessian(x, y)
        assert all(abs(H[i][j] - exact[i][j]) <= 1e-12 for i in range(2) for j in range(2)), (x, y, H)
        lams = eigenvalues_2x2(H)
        kinds[(x, y)] = kind(lams)
        shown = f"[[{H[0][0]:+.1f}, {H[0][1]:+.1f}], [{H[1][0]:+.1f}, {H[1][1]:+.1f}]]"
        value = exact_f(Fraction(x), Fraction(y))
        print(
            f"  ({x:+d}, {y:+d})  {float(value):+8.4f}   {shown:<28} {lams[0]:+7.2f}  {lams[1]:+7.2f}"
            f"   {kinds[(x, y)]}"
        )
    counts = {k: list(kinds.values()).count(k) for k in ("minimum", "saddle", "maximum")}
    print(f"  hessian() equals the closed form at all nine (to 1e-12): {counts['minimum']} minima, ", end="")
    print(f"{counts['saddle']} saddles, {counts['maximum']} maximum\n")
    assert counts == {"minimum": 4, "saddle": 4, "maximum": 1}
    assert kinds[(0, 0)] == "maximum" and kinds[(2, 1)] == kinds[(-1, -1)] == "minimum"
    return kinds


Ends = dict[str, tuple[tuple[int, int], str]]  # start name: (the critical point reached, its kind)


def run_descents(tol: float) -> tuple[dict[str, Path2D], Ends]:
    """Gradient descent from every start: prints where each ends and what the Hessian says it is.
    Returns the paths by start name, and the critical point each reached with its kind."""
    print(f"gradient descent θ ← θ − {ALPHA}·∇f from six starts, until ‖∇f‖ < {tol:g}:")
    print("  start            steps  end point                         f(end)   λ₁ and λ₂   kind")
    paths, ends = {}, {}
    for name, start in STARTS.items():
        paths[name] = path = descend(start, tol)
        x, y = path[-1]
        nearest = min(CRITICAL, key=lambda p: math.dist(p, (x, y)))
        assert math.dist(nearest, (x, y)) < 1e-8, f"{name} should end at a critical point"
        lams = eigenvalues_2x2(hessian(f, [x, y]))  # the engine's Hessian at the end point
        label = kind(lams)
        if label == "minimum":
            label = "global minimum" if nearest[0] == 2 else "local minimum"
        ends[name] = nearest, label
        start_text = f"{name} ({start[0]:+g}, {start[1]:+g})"
        value = f(Value(x), Value(y)).data
        print(
            f"  {start_text:<16} {len(path) - 1:>5}  ({x:+.10f}, {y:+.10f})  {value:+.5f}"
            f"   {lams[0]:+6.2f} {lams[1]:+6.2f}   {label}"
        )
    return paths, ends


def check_claims(paths: dict[str, Path2D], ends: Ends) -> None:
    """The notes' claims about where gradient descent ends (asserted, then printed)."""
    reached = {name: point for name, (point, _) in ends.items()}
    local, best = float(exact_f(Fraction(-1), Fraction(1))), float(exact_f(Fraction(2), Fraction(1)))
    assert reached["A"] == (-1, 1) and reached["B"] == (-1, -1), "left of the hump: a local minimum"
    assert reached["C"] == (2, 1), "right of the hump: the global minimum"
    print(f"\nA and B end in a local minimum, f = {local:.4f}; C in a global one, f = {best:.4f}:")
    print("  gradient descent only goes downhill from where it starts.")
    assert reached["D"] == (2, 0) and reached["E"] == (0, -1), "on a stable manifold: the saddle"
    print("D and E start on a saddle's stable manifold (y = 0, x = 0) and stop at the saddle, ∇f = 0;")
    print("  the mixed signs of λ say it is no minimum.")
    near, total = steps_near(paths["F"], (0.0, 1.0)), len(paths["F"]) - 1
    assert reached["F"] == (2, 1) and near > 80 and near > 0.4 * total
    assert steps_near(paths["C"], (0.0, 1.0)) == 0  # a start away from the line passes far from it
    print(f"F starts 1e-06 off x = 0: it spends {near} of its {total} steps within {NEAR} of the saddle")
    print("  (0, 1), where f is nearly flat, then escapes along the negative curvature to a global minimum.")


def draw(paths: dict[str, Path2D], out: Path, quick: bool) -> None:
    from tinygrad_edu.viz import plot

    if not plot.available():
        print(f"\n({plot.INSTALL_HINT})")
        return
    title = "f = x⁴/4 − x³/3 − x² + y⁴/4 − y²/2: gradient descent from six starts"
    levels = [-2.9, -2.7, -2.4, -2.0, -1.5, -1.0, -0.6, -0.3, -0.2, 0.0, 0.5, 1.0, 2.0, 4.0, 8.0]
    written = [
        plot.trajectories(
            f,
            paths,
            out / f"saddle_points.{suffix}",
            xlim=(-2.3, 3.2),
            ylim=(-2.3, 2.3),
            levels=levels,
            resolution=60 if quick else 150,
            minimum=(2.0, 1.0),
            title=title,
        )
        for suffix in (("png",) if quick else ("png", "svg"))
    ]
    for path in written:
        print(f"wrote {path}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    parser.add_argument("--quick", action="store_true", help="a coarser contour plot, PNG only")
    args = parser.parse_args(argv)
    print("f(x, y) = x⁴/4 − x³/3 − x² + y⁴/4 − y²/2\n")
    classify_critical_points()
    paths, ends = run_descents(TOL)
    check_claims(paths, ends)
    named = {f"{name} ({p[0][0]:+g}, {p[0][1]:+g}) → {ends[name][1]}": p for name, p in paths.items()}
    draw(named, args.out, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
