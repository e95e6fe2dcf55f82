"""Note 003: second-order methods. Newton's method vs gradient descent in a curved valley.

Note 003 names the problem ("valleys: the Hessian is ill-conditioned") and the matrix of
second derivatives that describes it,

    H = [[∂²f/∂x², ∂²f/∂x∂y], [∂²f/∂y∂x, ∂²f/∂y²]].

Gradient descent, θ ← θ − α∇f, uses one step size for every direction. Near a minimum the
function looks like a quadratic with curvatures λ_min ≤ λ_max (the eigenvalues of H): the step
must stay below 2/λ_max or it overshoots across the steep walls, and then along the flat
valley floor each step only removes a fraction ~αλ_min of the error. With the best constant
step α = 2/(λ_min + λ_max) the error still shrinks only by (κ − 1)/(κ + 1) per step, where
κ = λ_max/λ_min is the condition number: thousands of steps when κ is in the hundreds.

Newton's method fits that quadratic at the current point and jumps to its minimum:

    θ ← θ − H⁻¹∇f

which rescales every direction by its own curvature. Near the minimum the error is squared at
every step (quadratic convergence), so a handful of steps reach machine precision. The price
(note 003: "second order methods do not scale well"): H has n² entries and solving with it
costs O(n³), hopeless for a network with millions of weights, but trivial for n = 2.

The function: a Rosenbrock valley, f(x, y) = (1 − x)² + 10·(y − x²)², non-quadratic, with its
minimum f = 0 at (1, 1) at the end of a curved, narrow valley. Gradients come from the engine
(``value_and_grad``), the Hessian from ``tinygrad_edu.hessian`` (backprop applied twice),
checked here against the closed form.

Run: python examples/newton.py
"""

import math
from itertools import pairwise

from tinygrad_edu import Value, hessian, value_and_grad

TOL = 1e-10  # stop when ‖∇f‖ < TOL
START = (-1.2, 1.0)  # the classic Rosenbrock starting point
B = 10.0  # how steep the valley's walls are


def f(x: Value, y: Value) -> Value:
    return (1 - x) ** 2 + B * (y - x * x) ** 2


f_and_grad = value_and_grad(f, argnums=(0, 1))  # (f, (∂f/∂x, ∂f/∂y)) at a point of floats


def hessian_closed_form(x: float, y: float) -> list[list[float]]:
    # ∂f/∂x = −2(1 − x) − 4Bx(y − x²),  ∂f/∂y = 2B(y − x²)
    return [[2 - 4 * B * y + 12 * B * x * x, -4 * B * x], [-4 * B * x, 2 * B]]


def gradient_closed_form(x: float, y: float) -> list[float]:
    return [-2 * (1 - x) - 4 * B * x * (y - x * x), 2 * B * (y - x * x)]


def solve_2x2(H: list[list[float]], g: list[float]) -> list[float]:
    """d with H·d = g, by Cramer's rule (H must be invertible; here it is positive definite)."""
    (a, b), (c, d) = H
    det = a * d - b * c
    return [(d * g[0] - b * g[1]) / det, (a * g[1] - c * g[0]) / det]


def eigenvalues_2x2(H: list[list[float]]) -> tuple[float, float]:
    """(λ_min, λ_max) of a symmetric 2×2 matrix: the roots of λ² − tr·λ + det = 0."""
    tr, det = H[0][0] + H[1][1], H[0][0] * H[1][1] - H[0][1] * H[1][0]
    root = math.sqrt(tr * tr / 4 - det)
    return tr / 2 - root, tr / 2 + root


# --------------------------------------------------------------------------- check H
print(f"f(x, y) = (1 − x)² + {B:g}·(y − x²)², starting at {START}\n")
H0 = hessian(f, list(START))
H0_exact = hessian_closed_form(*START)
_, g0 = f_and_grad(*START)
g0_exact = gradient_closed_form(*START)
print("  at the start:")
print(f"    hessian():    [[{H0[0][0]:.10f}, {H0[0][1]:.10f}], [{H0[1][0]:.10f}, {H0[1][1]:.10f}]]")
print(
    f"    closed form:  [[{H0_exact[0][0]:.10f}, {H0_exact[0][1]:.10f}], "
    f"[{H0_exact[1][0]:.10f}, {H0_exact[1][1]:.10f}]]"
)
print(f"    engine ∇f = [{g0[0]:.10f}, {g0[1]:.10f}], closed form [{g0_exact[0]:.10f}, {g0_exact[1]:.10f}]")
for i in range(2):
    assert abs(g0[i] - g0_exact[i]) <= 1e-12 * (1 + abs(g0_exact[i]))
    for j in range(2):
        assert abs(H0[i][j] - H0_exact[i][j]) <= 1e-12 * (1 + abs(H0_exact[i][j]))
print("  Hessian check: hessian() equals the closed form at the start (to 1e-12)\n")

# --------------------------------------------------------------------------- Newton
print("Newton's method  θ ← θ − H⁻¹∇f")
print("   k            x                   y               f(θ)        ‖∇f‖")
theta = list(START)
newton_steps = 0
values = []
while True:
    value, grad = f_and_grad(*theta)
    values.append(value)
    norm = math.hypot(*grad)
    print(f"  {newton_steps:>2}  {theta[0]:+.15f}  {theta[1]:+.15f}  {value:.3e}  {norm:.3e}")
    if norm < TOL:
        break
    H = hessian(f, theta)
    assert H[0][0] > 0 and H[0][0] * H[1][1] - H[0][1] * H[1][0] > 0, "H is positive definite here"
    step = solve_2x2(H, list(grad))  # H⁻¹∇f, without forming H⁻¹
    theta = [theta[0] - step[0], theta[1] - step[1]]
    newton_steps += 1
    assert newton_steps < 50, "Newton's method should converge in a handful of steps here"
assert abs(theta[0] - 1) < 1e-12 and abs(theta[1] - 1) < 1e-12
print(f"  Newton: converged to ‖∇f‖ < {TOL:g} in {newton_steps} steps, at ({theta[0]:.12f}, {theta[1]:.12f})")
assert any(b > a for a, b in pairwise(values))
print("  (f went up at some steps: H is positive definite along the way, so the Newton direction")
print("   points downhill, but the full step trusts the local quadratic model too far from the")
print("   minimum; practical versions add a line search. Near the minimum ‖∇f‖ is roughly squared")
print("   at every step: quadratic convergence.)\n")

# --------------------------------------------------------------------------- GD
lam_min, lam_max = eigenvalues_2x2(hessian(f, theta))  # curvatures at the minimum
kappa = lam_max / lam_min
best_alpha = 2 / (lam_min + lam_max)
print("Gradient descent  θ ← θ − α∇f  with a fixed step α")
print(f"  at the minimum: λ_min = {lam_min:.4f}, λ_max = {lam_max:.4f}, condition number κ = {kappa:.1f}")
print(f"  stable only for α < 2/λ_max = {2 / lam_max:.5f}; best constant step 2/(λ_min + λ_max) = ", end="")
print(f"{best_alpha:.5f}")
print(f"  so each step shrinks the error by only (κ − 1)/(κ + 1) = {(kappa - 1) / (kappa + 1):.4f}\n")


def gradient_descent(alpha: float, max_steps: int = 10_000) -> int | None:
    """Steps until ‖∇f‖ < TOL from START, or None if it has not converged after max_steps."""
    theta = list(START)
    for k in range(max_steps):
        _, grad = f_and_grad(*theta)
        norm = math.hypot(*grad)
        if norm < TOL:
            return k
        if not math.isfinite(norm):
            return None
        theta = [theta[0] - alpha * grad[0], theta[1] - alpha * grad[1]]
    return None


print("       α     steps to ‖∇f‖ < 1e-10")
runs = {}
for alpha in (0.01, 0.015, best_alpha, 0.021):
    runs[alpha] = gradient_descent(alpha)
    shown = "not converged after 10000 (overshoots: α > 2/λ_max)" if runs[alpha] is None else runs[alpha]
    print(f"  {alpha:.5f}   {shown}")
gd_steps = runs[best_alpha]
assert gd_steps is not None and runs[0.021] is None
assert min(s for s in runs.values() if s is not None) == gd_steps, "the tuned step should be the fastest"
print(f"\n  gradient descent: converged to ‖∇f‖ < {TOL:g} in {gd_steps} steps (tuned α = {best_alpha:.5f})")
ratio = gd_steps / newton_steps
print(f"  Newton: {newton_steps} steps; gradient descent: {gd_steps} steps ({ratio:.0f}× as many)")
assert newton_steps <= 10 and gd_steps > 100 * newton_steps
