"""Whitening: a correlated, shifted 2-D cloud before and after mean subtraction, standardisation
and whitening, side by side (note 002, §7.2).

Note 002 describes three ways to prepare inputs, each fitted on the training set only and then
applied, with the same statistics, to the validation and test sets (so nothing leaks):

- mean subtraction (``MeanSubtraction``): x ↦ x − μ, μ = (1/N)·Σᵢ xᵢ — "zero-center the data";
- normalisation (``Standardizer``): x ↦ (x − μ)/σ per feature — "dividing the features by
  their respective standard deviation", so features in different units weigh the same;
- whitening (``Whitening``): "converts the data to have an identity covariance matrix — that
  is, features become uncorrelated and have a variance of 1". With the covariance
  Σ = (1/N)·Σᵢ(xᵢ − μ)(xᵢ − μ)ᵀ = V·diag(λ)·Vᵀ, z = diag(1/√λ)·Vᵀ(x − μ): project onto the
  eigenvectors (the principal axes), then divide each by its standard deviation √λₖ.

The data: N points x = m + A·u with u ~ N(0, I) and m = (5, −3), A = [[3, 0], [0.4, 0.3]], so
x₁ has standard deviation 3, x₂ 0.5, and their correlation is 0.4·3/(3·0.5) = 0.8. The
script fits each transform on a training set and asserts the note's claims on it:

1. after mean subtraction the mean is 0 (to 1e-12) and the covariance is unchanged;
2. after standardising every feature has mean 0 and variance 1, and the correlation is kept
   (standardising only rescales the axes: the cloud is still a tilted ellipse);
3. after whitening the covariance is the identity I (to 1e-12): uncorrelated, variance 1.

A held-out test set, transformed with the training statistics, comes out with mean ≈ 0 and
covariance ≈ I only up to sampling error (it was not used to fit them): that is the price of
not leaking, and it shrinks like 1/√N.

With matplotlib it draws the four clouds side by side
(``tinygrad_edu.viz.plot.scatter_panels``), each with its 2σ covariance ellipse: a tilted,
shifted ellipse, the same ellipse centred, a still tilted one with unit spreads, and a
circle of radius 2.

Run: python examples/whitening.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path
from typing import Optional, Sequence, Union

from tinygrad_edu.data import MeanSubtraction, Standardizer, Whitening

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
SEED = 0
CENTRE = (5.0, -3.0)
MIXING = ((3.0, 0.0), (0.4, 0.3))  # x = CENTRE + MIXING·u: σ₁ = 3, σ₂ = 0.5, correlation 0.8
TOL = 1e-12
Matrix = list[list[float]]
Preprocessor = Union[MeanSubtraction, Standardizer, Whitening]


def make_cloud(n: int, seed: int = SEED) -> Matrix:
    """n points x = m + A·u, u ~ N(0, I): a Gaussian cloud with mean m and covariance A·Aᵀ."""
    rng = random.Random(seed)
    points = []
    for _ in range(n):
        u = (rng.gauss(0.0, 1.0), rng.gauss(0.0, 1.0))
        points.append([c + a * u[0] + b * u[1] for c, (a, b) in zip(CENTRE, MIXING)])
    return points


def mean(X: Matrix) -> list[float]:
    return [math.fsum(column) / len(X) for column in zip(*X)]


def covariance(X: Matrix) -> Matrix:
    """Σ = (1/N)·Σᵢ(xᵢ − μ)(xᵢ − μ)ᵀ, normalised by N as the preprocessors do."""
    mu = mean(X)
    d = len(mu)
    return [
        [math.fsum((x[a] - mu[a]) * (x[b] - mu[b]) for x in X) / len(X) for b in range(d)] for a in range(d)
    ]


def correlation(S: Matrix) -> float:
    """ρ = Σ₁₂/(σ₁σ₂), the correlation of the two features."""
    return S[0][1] / math.sqrt(S[0][0] * S[1][1])


def describe(name: str, X: Matrix) -> tuple[list[float], Matrix]:
    """Print a set's mean, covariance and correlation; return the mean and covariance."""
    mu, S = mean(X), covariance(X)
    print(
        f"  {name:<16} mean ({mu[0]:+.3e}, {mu[1]:+.3e})   var ({S[0][0]:.6f}, {S[1][1]:.6f})"
        f"   cov {S[0][1]:+.6f}   corr {correlation(S):+.6f}"
    )
    return mu, S


def close(A: Sequence[Sequence[float]], B: Sequence[Sequence[float]], tol: float = TOL) -> bool:
    """Entry by entry within tol (relative to the larger entry, or absolute below 1)."""
    return all(abs(a - b) <= tol * max(1.0, abs(a), abs(b)) for ra, rb in zip(A, B) for a, b in zip(ra, rb))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    parser.add_argument("--quick", action="store_true", help="400 training points instead of 2000, PNG only")
    args = parser.parse_args(argv)
    n = 400 if args.quick else 2000
    X_train, X_test = make_cloud(n, SEED), make_cloud(n // 4, SEED + 1)  # a held-out set: new draws
    print(f"points x = m + A·u, u ~ N(0, I), m = {CENTRE}, A = {[list(r) for r in MIXING]}")
    print(f"(σ₁ = 3, σ₂ = 0.5, correlation 0.8); {len(X_train)} to fit on, {len(X_test)} held out\n")

    whitening = Whitening(method="pca").fit(X_train)
    steps: dict[str, Preprocessor] = {
        "mean-subtracted": MeanSubtraction().fit(X_train),
        "standardised": Standardizer().fit(X_train),
        "whitened": whitening,
    }
    panels = {"raw": X_train, **{name: pre.transform(X_train) for name, pre in steps.items()}}
    print("the training set, before and after (statistics fitted on it):")
    stats = {name: describe(name, points) for name, points in panels.items()}
    check_claims(stats)

    assert whitening.eigenvalues_ is not None
    lams = whitening.eigenvalues_
    print(
        f"\nwhitening: Σ's eigenvalues λ = ({lams[0]:.4f}, {lams[1]:.4f}); each principal axis divided by √λ"
    )
    singular = [math.sqrt(len(X_train) * lam) for lam in lams]  # of the centred data: sₖ² = N·λₖ
    print(f"  (the note divides by the centred data's singular values √(N·λ) = ({singular[0]:.2f}, ", end="")
    print(f"{singular[1]:.2f}),\n  which gives variance 1/N instead of 1)")

    held_out(steps, X_test)
    draw(panels, args.out, args.quick)
    return 0


def held_out(steps: dict[str, Preprocessor], X_test: Matrix) -> None:
    """The held-out set, transformed with the training statistics: right only up to sampling error."""
    print("\nthe held-out set, transformed with the training statistics:")
    for name, pre in steps.items():
        describe(name, pre.transform(X_test))
    Z_test = steps["whitened"].transform(X_test)
    mu, S = mean(Z_test), covariance(Z_test)
    off = max([abs(m) for m in mu] + [abs(S[a][b] - (a == b)) for a in range(2) for b in range(2)])
    assert off < 0.3, "the held-out set is off by sampling error only"
    print(f"  whitened held-out set: mean and covariance differ from 0 and I by up to {off:.3f}")


def check_claims(stats: dict[str, tuple[list[float], Matrix]]) -> None:
    """The note's claims on the training set, asserted, then printed."""
    _, raw = stats["raw"]
    identity = [[1.0, 0.0], [0.0, 1.0]]
    mu, S = stats["mean-subtracted"]
    assert close([mu], [[0.0, 0.0]]) and close(S, raw), "centring moves the cloud, not its shape"
    mu, S = stats["standardised"]
    assert close([mu], [[0.0, 0.0]]) and close([[S[0][0], S[1][1]]], [[1.0, 1.0]])
    assert abs(correlation(S) - correlation(raw)) < TOL and abs(S[0][1]) > 0.7, "the correlation stays"
    mu, S = stats["whitened"]
    assert close([mu], [[0.0, 0.0]]) and close(S, identity), "whitened: identity covariance"
    print(f"\nmean-subtracted: mean 0 (to {TOL:g}), covariance unchanged")
    print(f"standardised: mean 0, variance 1 per feature (to {TOL:g}), correlation kept: ", end="")
    print(f"{correlation(stats['standardised'][1]):+.6f} = {correlation(raw):+.6f}")
    print(f"whitened: covariance = identity (to {TOL:g}): uncorrelated, variance 1")


def draw(panels: dict[str, Matrix], out: Path, quick: bool) -> None:
    from tinygrad_edu.viz import plot

    if not plot.available():
        print(f"\n({plot.INSTALL_HINT})")
        return
    title = "a correlated cloud before and after preprocessing (2σ covariance ellipses)"
    for suffix in ("png",) if quick else ("png", "svg"):
        path = plot.scatter_panels(panels, out / f"whitening.{suffix}", title=title)
        print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
