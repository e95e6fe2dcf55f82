"""Preprocessing: one-hot labels, input noise, and feature scaling fitted on the training set.

Preprocessing follows the notes (002 §7.2): statistics are fitted on the **training**
set only, and those same statistics transform the validation and test sets, so nothing
about the held-out data leaks into training (``MeanSubtraction``, ``Standardizer``,
``Whitening``: ``fit(X_train)``, then ``transform`` any rows).
"""

from __future__ import annotations

import decimal
import math
from fractions import Fraction
from typing import Optional, Sequence, TypeVar

from .. import checks
from ..checks import RandomLike
from .arguments import MAX_SIZE, Matrix, Rows, as_matrix, checked_count, finite_noise, is_list_like
from .linalg import binary_exponent, jacobi_eigh, ldexp_or_inf

__all__ = ["MeanSubtraction", "Standardizer", "Whitening", "add_noise", "one_hot"]


def one_hot(labels: Sequence[int], num_classes: Optional[int] = None) -> Matrix:
    """Class indices as one-hot rows: row i has 1.0 at ``labels[i]`` and 0.0 elsewhere.

    Labels are ints 0 ≤ c < ``num_classes`` ≤ ``MAX_SIZE``; the default number of classes is
    max(labels) + 1. An empty list of labels gives an empty list.

    >>> one_hot([0, 2, 1])
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    where = "one_hot"
    if not is_list_like(labels):
        checks.type_error(where, "labels", "a list of integer class labels", labels)
    if num_classes is None:  # k = max(labels) + 1
        classes = [checks.integer(c, where, f"labels[{i}]", low=0) for i, c in enumerate(labels)]
        for i, c in enumerate(classes):
            if c >= MAX_SIZE:  # a row of max(labels) + 1 entries: at most MAX_SIZE
                checks.value_error(where, f"labels[{i}]", f"a class index below MAX_SIZE = {MAX_SIZE}", c)
        k = max(classes) + 1 if classes else 0
    else:
        k = checked_count(num_classes, where, "num_classes", 1)
        classes = [checks.integer(c, where, f"labels[{i}]", low=0, high=k - 1) for i, c in enumerate(labels)]
    return [[1.0 if j == c else 0.0 for j in range(k)] for c in classes]


def add_noise(X: Rows, std: float, *, seed: Optional[int] = None, rng: Optional[RandomLike] = None) -> Matrix:
    """A noisy copy of X: x̃ᵢⱼ = xᵢⱼ + εᵢⱼ with independent εᵢⱼ ~ N(0, std²); X is unchanged.

    Note 004's regulariser: train on noisy copies of the inputs (a fresh copy each epoch
    — pass one ``rng=`` to every call — with the labels unchanged), so the model cannot fit
    the exact training points. std ≥ 0; std = 0 returns an exact copy.

    >>> noisy = add_noise([[1.0, 2.0], [3.0, 4.0]], 0.1, seed=0)
    >>> all(abs(a - b) < 1.0 for r, s in zip(noisy, [[1.0, 2.0], [3.0, 4.0]]) for a, b in zip(r, s))
    True
    """
    where = "add_noise"
    rows = as_matrix(X, where)
    std = checks.real(std, where, "std", low=0.0)
    generator = checks.random_source(seed, rng, where)
    if std == 0:
        return rows
    return finite_noise([[x + generator.gauss(0.0, std) for x in row] for row in rows], std, where, "std")


P = TypeVar("P", bound="_Preprocessor")


def _scaled_mean(column: list[float], e: int) -> float:
    """2⁻ᵉ·μ for the column's mean μ = x₀ + (1/N)·Σᵢ(xᵢ − x₀), computed on the entries 2⁻ᵉ·xᵢ.

    With 2ᵉ above every |xᵢ| those lie in (−1, 1), so no difference or sum can overflow (the
    mean of 1e308 and −1e308 is 0, not inf − inf); scaling by a power of two is exact, so
    for ordinary data this is bit for bit the unscaled formula. Shifting by the first entry
    makes a constant column's mean exactly that constant, so centring it gives exact zeros.
    """
    scaled = [math.ldexp(x, -e) for x in column]
    first = scaled[0]
    return first + math.fsum(x - first for x in scaled) / len(scaled)


def _rms(xs: list[float]) -> float:
    """√(Σ x²/N), scaled by m = max |x| first: m·√(Σ (x/m)²/N), so that squares of tiny
    (or huge) deviations neither underflow to subnormals nor overflow."""
    m = max(abs(x) for x in xs)
    if m == 0.0 or not math.isfinite(m):
        return m
    return m * math.sqrt(math.fsum((x / m) ** 2 for x in xs) / len(xs))


def _digits(x: float, e: int) -> str:
    """x·2ᵉ to 6 significant digits for a message, even where it is no float (2.5e-324, 1e400)."""
    with decimal.localcontext() as context:
        context.prec = 6
        return str(+(decimal.Decimal(x) * decimal.Decimal(2) ** e))


def _times_power_of_two(x: float, e: int) -> Fraction:
    """x·2ᵉ exactly, as a fraction (for the rare transform whose floats overflow on the way)."""
    return Fraction(x) * Fraction(2) ** e


class _Preprocessor:
    """fit(X_train) estimates statistics; transform(X) applies them to any rows.

    Statistics are computed on each feature divided by a power of two 2ᵉ ≥ max|xᵢⱼ| (exact),
    so data anywhere in float range — ±1e308, or subnormals near 5e-324 — neither overflow
    nor lose their digits; ``mean_`` and the other public attributes are those statistics
    in the data's own units, rounded to floats.
    """

    mean_: Optional[list[float]]

    def __init__(self) -> None:
        self.mean_ = None
        self._exponents: list[int] = []  # feature j is handled as 2^(−e_j)·x_j
        self._means: list[float] = []  # 2^(−e_j)·μ_j

    def fit(self: P, X: Rows) -> P:
        """Estimate the statistics from the training rows X (N ≥ 1); returns self."""
        where = f"{type(self).__name__}.fit"
        self._fit(as_matrix(X, where))
        return self

    def transform(self, X: Rows) -> Matrix:
        """X transformed with the statistics fitted on the training set (new rows)."""
        where = f"{type(self).__name__}.transform"
        if self.mean_ is None:
            raise RuntimeError(f"{where}: not fitted yet; call fit(X_train) first")
        rows = as_matrix(X, where)
        if len(rows[0]) != len(self.mean_):
            raise ValueError(
                f"{where}: X must be rows of {len(self.mean_)} features, as fit saw, "
                f"got rows of {len(rows[0])}"
            )
        return [self._transform_row(row, i, where) for i, row in enumerate(rows)]

    def fit_transform(self, X: Rows) -> Matrix:
        """``fit(X)`` then ``transform(X)``: for the training set only."""
        where = f"{type(self).__name__}.fit_transform"
        rows = as_matrix(X, where)
        self._fit(rows)
        return [self._transform_row(row, i, where) for i, row in enumerate(rows)]

    def _fit(self, rows: Matrix) -> None:
        columns = [list(column) for column in zip(*rows)]
        self._exponents = [binary_exponent(max(abs(x) for x in column)) for column in columns]
        self._means = [_scaled_mean(column, e) for column, e in zip(columns, self._exponents)]
        self.mean_ = [ldexp_or_inf(m, e) for m, e in zip(self._means, self._exponents)]
        self._fit_scaled(rows, columns)

    def _fit_scaled(self, rows: Matrix, columns: Matrix) -> None:
        pass

    def _transform_row(self, row: list[float], i: int, where: str) -> list[float]:
        raise NotImplementedError

    def _centred(self, x: float, i: int, j: int, where: str) -> float:
        """x − μⱼ for X[i][j], or a ValueError naming that entry if it is beyond float range."""
        assert self.mean_ is not None
        m = self.mean_[j]
        if not math.isfinite(x - m):
            checks.value_error(
                where,
                f"X[{i}][{j}]",
                f"close enough to feature {j}'s mean {m:.6g} that x − μ fits a float (|x − μ| < 1.8e308)",
                x,
            )
        return x - m

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MeanSubtraction(_Preprocessor):
    """Zero-centre each feature: x ↦ x − μ, with μⱼ = (1/N)·Σᵢ xᵢⱼ over the training rows.

    μ is computed without overflow (the mean of 1e308 and −1e308 is 0); a centred value that
    itself lies beyond float range (|x − μ| > 1.8e308) is a ``ValueError`` naming the entry.

    >>> m = MeanSubtraction().fit([[1.0, 10.0], [3.0, 20.0]])
    >>> m.mean_, m.transform([[2.0, 0.0]])
    ([2.0, 15.0], [[0.0, -15.0]])
    >>> MeanSubtraction().fit_transform([[1e308], [-1e308]])
    [[1e+308], [-1e+308]]
    """

    def _transform_row(self, row: list[float], i: int, where: str) -> list[float]:
        return [self._centred(x, i, j, where) for j, x in enumerate(row)]


class Standardizer(_Preprocessor):
    """Per-feature normalisation: x ↦ (x − μ)/σ with the training set's μ and σ.

    σⱼ = √((1/N)·Σᵢ(xᵢⱼ − μⱼ)²), the population standard deviation (normalised by N, as
    scikit-learn's ``StandardScaler``), so the transformed training set has mean 0 and
    variance exactly 1 with that same normalisation. A feature constant on the training
    set (σⱼ = 0) is only centred: it stays 0 there instead of becoming 0/0.

    Standardising does not depend on the units: it is computed on each feature divided by a
    power of two (exactly), so 2ᵏ·X gives the same output as X, bit for bit, and data near
    ±1e308 or subnormals standardise as well as any. ``std_`` is σ rounded to a float (for
    subnormal data it loses digits, which the transform keeps). An output beyond float range
    — a new x far from a feature of tiny σ — is a ``ValueError`` naming the entry.

    >>> s = Standardizer().fit([[1.0, 5.0], [3.0, 5.0]])
    >>> s.mean_, s.std_
    ([2.0, 5.0], [1.0, 0.0])
    >>> s.transform([[4.0, 6.0]])
    [[2.0, 1.0]]
    >>> Standardizer().fit_transform([[1e308], [-1e308]])
    [[1.0], [-1.0]]
    """

    std_: Optional[list[float]]

    def __init__(self) -> None:
        super().__init__()
        self.std_ = None
        self._stds: list[float] = []  # 2^(−e_j)·σ_j

    def _fit_scaled(self, rows: Matrix, columns: Matrix) -> None:
        self._stds = [
            _rms([math.ldexp(x, -e) - m for x in column])
            for column, e, m in zip(columns, self._exponents, self._means)
        ]
        self.std_ = [ldexp_or_inf(s, e) for s, e in zip(self._stds, self._exponents)]

    def _transform_row(self, row: list[float], i: int, where: str) -> list[float]:
        out = []
        for j, x in enumerate(row):
            e, m, s = self._exponents[j], self._means[j], self._stds[j]
            if s == 0:  # a feature constant on the training set: only centred
                out.append(self._centred(x, i, j, where))
                continue
            z = (ldexp_or_inf(x, -e) - m) / s  # (x − μ)/σ with all three divided by 2ᵉ
            if not math.isfinite(z):  # 2⁻ᵉ·x or the quotient overflowed: redo it exactly
                try:
                    z = float((Fraction(x) - _times_power_of_two(m, e)) / _times_power_of_two(s, e))
                except OverflowError:
                    checks.value_error(
                        where,
                        f"X[{i}][{j}]",
                        f"close enough to feature {j}'s training data that (x − μ)/σ fits a float "
                        f"(μ = {_digits(m, e)}, σ = {_digits(s, e)})",
                        x,
                    )
            out.append(z)
        return out


class Whitening(_Preprocessor):
    """Decorrelate the features to identity covariance: z = (x − μ)·W with the training set's μ, W.

    With the training covariance Σ = (1/N)·Σᵢ(xᵢ − μ)ᵀ(xᵢ − μ) (normalised by N, like
    ``Standardizer``; numpy's ``np.cov(X, rowvar=False, bias=True)``) and its
    eigendecomposition Σ = V·diag(λ)·Vᵀ (``jacobi_eigh``), each eigen-direction k is
    scaled by 1/√λ̃ₖ, λ̃ₖ = max(λₖ, eps·λ_max):

    - ``method="pca"`` (the notes' version): W = V·diag(1/√λ̃) — project onto the
      eigenvectors, largest variance first, then divide by each one's standard deviation.
      (The notes divide by the singular values sₖ of the centred data, sₖ = √(N·λₖ), which
      gives variance 1/N; dividing by √λₖ gives variance 1.)
    - ``method="zca"``: W = V·diag(1/√λ̃)·Vᵀ — the same whitening rotated back to the
      original axes, the whitened data closest to the input.

    The transformed training set has covariance I exactly, except along directions with
    λₖ < eps·λ_max (rank-deficient or nearly so): these are divided by √(eps·λ_max)
    instead of a near-zero number — the notes' "divide by a small number instead" —
    which keeps every output finite; their variance becomes λₖ/(eps·λ_max) < 1.
    ``eps`` > 0 is relative to the largest eigenvalue, so the guard does not depend on
    the units of the data.

    Nor does the whitening itself: Σ, V and W are computed on the data divided by one power
    of two 2ᵉ ≥ max|xᵢⱼ| (exactly; one for all features, since whitening is invariant under a
    common scale but not under per-feature ones), so 2ᵏ·X whitens to the same output as X,
    bit for bit, and data near ±1e308 whiten without overflowing. ``eigenvalues_`` and
    ``matrix_`` are reported in the data's own units, rounded to floats: variances of data
    beyond about ±1.3e154 exceed float range and read ``inf`` there, which the transform
    does not use. A whitened value beyond float range is a ``ValueError`` naming the row.

    >>> w = Whitening(method="zca").fit([[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0]])
    >>> w.eigenvalues_
    [1.0, 1.0]
    >>> w.transform([[1.0, 1.0], [2.0, 2.0]])
    [[0.0, 0.0], [1.0, 1.0]]
    """

    eigenvalues_: Optional[list[float]]
    components_: Optional[Matrix]
    matrix_: Optional[Matrix]

    def __init__(self, method: str = "pca", eps: float = 1e-10) -> None:
        method = checks.choice(method, "Whitening", "method", ("pca", "zca"))
        eps = checks.real(eps, "Whitening", "eps", low=0.0, low_open=True)
        super().__init__()
        self.method, self.eps = str(method), eps
        self.eigenvalues_ = self.components_ = self.matrix_ = None
        self._exponent = 0  # the data are handled as 2^(−e)·x
        self._centre: list[float] = []  # 2^(−e)·μ
        self._matrix: Matrix = []  # 2^e·W, the whitening matrix of 2^(−e)·x

    def _fit_scaled(self, rows: Matrix, columns: Matrix) -> None:
        e = self._exponent = max(self._exponents)
        self._centre = [math.ldexp(m, e_j - e) for m, e_j in zip(self._means, self._exponents)]
        centred = [[math.ldexp(x, -e) - c for x, c in zip(row, self._centre)] for row in rows]
        d, N = len(centred[0]), len(centred)
        cov = [[0.0] * d for _ in range(d)]  # entries in [−4, 4]: |2⁻ᵉ(x − μ)| < 2
        for a in range(d):
            for b in range(a, d):
                cov[a][b] = cov[b][a] = math.fsum(row[a] * row[b] for row in centred) / N
        w, V = jacobi_eigh(cov)
        order = list(range(d))[::-1]  # largest variance first
        lams = [w[k] for k in order]
        self.eigenvalues_ = [ldexp_or_inf(lam, 2 * e) for lam in lams]  # Σ of x is 2²ᵉ times Σ of 2⁻ᵉx
        self.components_ = [[V[i][k] for i in range(d)] for k in order]  # row k: eigenvector k
        lam_max = max(lams[0], 0.0)
        floor = self.eps * lam_max
        if floor == 0:  # Σ = 0: every centred row is exactly 0, so any scale gives 0
            floor = 1.0
        # 1/√max(λ, floor), where √floor = √eps·√λ_max when eps·λ_max alone would overflow
        root_floor = math.sqrt(floor) if math.isfinite(floor) else math.sqrt(self.eps) * math.sqrt(lam_max)
        scales = [1.0 / math.sqrt(lam) if lam >= floor else 1.0 / root_floor for lam in lams]
        U = self.components_
        if self.method == "pca":  # W[i][k] = V[i][k]/√λ̃ₖ
            self._matrix = [[U[k][i] * scales[k] for k in range(d)] for i in range(d)]
        else:  # W[i][j] = Σₖ V[i][k] V[j][k]/√λ̃ₖ
            self._matrix = [
                [math.fsum(U[k][i] * U[k][j] * scales[k] for k in range(d)) for j in range(d)]
                for i in range(d)
            ]
        self.matrix_ = [[ldexp_or_inf(v, -e) for v in row] for row in self._matrix]

    def _transform_row(self, row: list[float], i: int, where: str) -> list[float]:
        e, W = self._exponent, self._matrix
        centred = [ldexp_or_inf(x, -e) - c for x, c in zip(row, self._centre)]
        try:
            z = [math.fsum(x * W[a][b] for a, x in enumerate(centred)) for b in range(len(W))]
        except (OverflowError, ValueError):  # fsum's intermediate overflow, or inf − inf
            z = [math.inf]
        if all(math.isfinite(v) for v in z):
            return z
        # a centred value or a product overflowed on the way: the same sums in exact fractions
        exact = [_times_power_of_two(x, -e) - Fraction(c) for x, c in zip(row, self._centre)]
        out = []
        for b in range(len(W)):
            try:
                out.append(float(sum(x * Fraction(W[a][b]) for a, x in enumerate(exact))))
            except OverflowError:
                checks.value_error(
                    where,
                    f"X[{i}]",
                    f"a row close enough to the training data that whitened component {b} fits a float "
                    "(|z| < 1.8e308)",
                    row,
                )
        return out

    def __repr__(self) -> str:
        return f"Whitening(method={self.method!r}, eps={self.eps!r})"
