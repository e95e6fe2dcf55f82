"""Linear algebra for preprocessing: exact power-of-two scaling and the Jacobi eigensolver.

Dividing by a power of two is exact, so the statistics here are computed on data scaled into
(−1, 1) — nothing overflows or loses subnormal digits — and scaled back at the end.
"""

from __future__ import annotations

import math

from .. import checks
from .arguments import Matrix, Rows, as_matrix

__all__ = ["jacobi_eigh"]


def binary_exponent(largest: float) -> int:
    """e with 2ᵉ⁻¹ ≤ largest < 2ᵉ (0 for 0): dividing by 2ᵉ brings |x| ≤ largest into (−1, 1)."""
    return math.frexp(largest)[1]


def ldexp_or_inf(x: float, e: int) -> float:
    """x·2ᵉ, exact unless it underflows to a subnormal (rounded) or overflows (±inf, not an error)."""
    try:
        return math.ldexp(x, e)
    except OverflowError:
        return math.copysign(math.inf, x)


def jacobi_eigh(A: Rows, *, tol: float = 1e-15, max_sweeps: int = 100) -> tuple[list[float], Matrix]:
    """Eigenvalues and eigenvectors of a real symmetric matrix, A = V·diag(w)·Vᵀ (cyclic Jacobi).

    Each step picks an off-diagonal entry a_pq ≠ 0 and applies the plane rotation J that
    zeroes it, A ← JᵀAJ, V ← VJ, with

        τ = (a_qq − a_pp)/(2a_pq),   t = sign(τ)/(|τ| + √(1 + τ²)),   c = 1/√(1 + t²),  s = t·c,

    so a_pp ← a_pp − t·a_pq and a_qq ← a_qq + t·a_pq. A sweep visits every pair p < q in
    turn; sweeps repeat until the off-diagonal norm is at most ``tol``·‖A‖_F (convergence is
    quadratic: a handful of sweeps). Returns ``(w, V)`` as ``numpy.linalg.eigh`` does:
    eigenvalues ascending, eigenvector k in *column* k (``V[i][k]``), orthonormal; each
    eigenvector's largest-magnitude component is made positive. A must be square and
    symmetric to 1e-12 relative (it is symmetrised); ``RuntimeError`` if ``max_sweeps``
    sweeps do not converge.

    The rotations run on 2⁻ᵉ·A, with 2ᵉ just above max|aᵢⱼ| (an exact scaling that leaves V
    unchanged), so entries near ±1e308 neither overflow nor lose their subnormal digits;
    the eigenvalues are 2ᵉ times those found, and a ``ValueError`` if they leave float range
    (|λ| ≤ n·max|aᵢⱼ|, e.g. 2·1e308 for [[1e308, 1e308], [1e308, 1e308]]).

    >>> w, V = jacobi_eigh([[2.0, 1.0], [1.0, 2.0]])
    >>> [round(x, 12) for x in w]
    [1.0, 3.0]
    >>> [round(V[i][1], 12) for i in range(2)]          # (1, 1)/√2
    [0.707106781187, 0.707106781187]
    """
    where = "jacobi_eigh"
    M = as_matrix(A, where, "A")
    n = len(M)
    if len(M[0]) != n:
        raise ValueError(f"{where}: A must be a square matrix, got a {n}×{len(M[0])} matrix")
    tol = checks.real(tol, where, "tol", low=0.0)
    max_sweeps = checks.integer(max_sweeps, where, "max_sweeps", low=1)
    # Work on 2⁻ᵉ·A, e the exponent of max|aᵢⱼ|, whose entries lie in (−1, 1): squares and sums
    # cannot overflow, and scaling by a power of two is exact, so V is unchanged and the
    # eigenvalues are 2ᵉ times those found (for ordinary matrices, bit for bit the unscaled run).
    e = binary_exponent(max(abs(a) for row in M for a in row))
    original = M
    M = [[math.ldexp(a, -e) for a in row] for row in original]
    largest = max(abs(a) for row in M for a in row)
    for p in range(n):
        for q in range(p + 1, n):
            if abs(M[p][q] - M[q][p]) > 1e-12 * largest:
                raise ValueError(
                    f"{where}: A must be symmetric (to 1e-12 relative), got "
                    f"A[{p}][{q}] = {original[p][q]!r} but A[{q}][{p}] = {original[q][p]!r}"
                )
            M[p][q] = M[q][p] = 0.5 * (M[p][q] + M[q][p])
    V = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    norm = math.sqrt(math.fsum(a * a for row in M for a in row))  # invariant under rotations
    for sweep in range(max_sweeps + 1):  # check convergence before each sweep and after the last
        off = math.sqrt(math.fsum(M[p][q] ** 2 for p in range(n) for q in range(p + 1, n)))
        if off <= tol * norm:
            break
        if sweep == max_sweeps:
            raise RuntimeError(
                f"{where}: no convergence after max_sweeps={max_sweeps} sweeps "
                f"(off-diagonal norm {off:.3g}, matrix norm {norm:.3g})"
            )
        for p in range(n - 1):
            for q in range(p + 1, n):
                if M[p][q] != 0.0:
                    _rotate(M, V, p, q)
    order = sorted(range(n), key=lambda k: M[k][k])
    w = [ldexp_or_inf(M[k][k], e) for k in order]
    if not all(math.isfinite(lam) for lam in w):  # |λ| ≤ n·max|aᵢⱼ| can exceed float range
        checks.value_error(where, "A", "a matrix whose eigenvalues fit a float (|λ| < 1.8e308)", A)
    columns = []
    for k in order:
        v = [V[i][k] for i in range(n)]
        sign = math.copysign(1.0, max(v, key=abs))
        columns.append([sign * x for x in v])
    return w, [[columns[k][i] for k in range(n)] for i in range(n)]


def _rotate(M: Matrix, V: Matrix, p: int, q: int) -> None:
    """One Jacobi rotation, in place: zero M[p][q] ≠ 0 by M ← JᵀMJ, and accumulate V ← VJ."""
    n = len(M)
    apq = M[p][q]
    tau = (M[q][q] - M[p][p]) / (2.0 * apq)
    t = math.copysign(1.0, tau) / (abs(tau) + math.hypot(1.0, tau))  # the smaller root
    c = 1.0 / math.sqrt(1.0 + t * t)
    s = t * c
    M[p][p] -= t * apq
    M[q][q] += t * apq
    M[p][q] = M[q][p] = 0.0
    for k in range(n):
        if k != p and k != q:  # rows (and, by symmetry, columns) p and q
            akp, akq = M[k][p], M[k][q]
            M[k][p] = M[p][k] = c * akp - s * akq
            M[k][q] = M[q][k] = s * akp + c * akq
        vkp, vkq = V[k][p], V[k][q]
        V[k][p] = c * vkp - s * vkq
        V[k][q] = s * vkp + c * vkq
