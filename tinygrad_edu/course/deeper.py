"""The checks of chapter 10: exploding gradients and clipping, batch normalization, convolution."""

from __future__ import annotations

import math
from typing import Any, Callable

from .verdicts import Verdict, answered, close, number_check, say, unanswered

__all__ = ["check_batch_normalised", "check_clipped_gradient", "check_kernel_gradient"]

# ------------------------------------------------------------------ chapter 10


def check_clipped_gradient(clip: Callable[[list[float], float], Any]) -> Verdict:
    """The learner's g·min(1, c/‖g‖) on plain floats, against the closed form on a few gradients."""
    cases = (([3.0, 4.0], 1.0), ([0.3, 0.4], 1.0), ([1.0, -2.0, 2.0], 1.5), ([-6.0, 8.0], 10.0))
    for g, c in cases:
        norm = math.sqrt(sum(v * v for v in g))
        expected = [v * min(1.0, c / norm) for v in g]
        got, verdict = answered(clip, "clip", f"clip({g}, {c})", list(g), c)
        if verdict is not None:
            return verdict
        try:
            found = [float(v) for v in got]
        except (TypeError, ValueError):
            return say(False, f"clip({g}, {c}) should return a list of numbers, and it returns {got!r}")
        if len(found) != len(g) or not all(close(a, b) for a, b in zip(found, expected)):
            return say(False, f"clip({g}, {c}): ‖g‖ = {norm:g}, so expected {expected}, found {got!r}")
    return say(True, "g·min(1, c/‖g‖): a long gradient is shortened to length c, a short one left alone")


def check_batch_normalised(value: Any) -> Verdict:
    """x = 6 in the batch [1, 2, 3, 6], γ = 2, β = 0.5, ε = 0: γ·(x − μ)/σ + β with μ = 3, σ² = 3.5."""
    batch, gamma, beta = [1.0, 2.0, 3.0, 6.0], 2.0, 0.5
    mean = sum(batch) / len(batch)
    variance = sum((v - mean) ** 2 for v in batch) / len(batch)  # biased: divided by n
    expected = gamma * (6.0 - mean) / math.sqrt(variance) + beta
    why = f"2·(6 − 3)/√3.5 + 0.5 ≈ {expected:.4f}: standardised over the batch, then scaled and shifted"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        unbiased = gamma * (6.0 - mean) / math.sqrt(variance * 4 / 3) + beta
        if close(float(value), unbiased):
            return say(False, f"found {value!r}, with the unbiased variance (÷ n − 1); training divides by n")
    return number_check(value, "normalised", expected, why, "γ·(x − μ)/√σ² + β")


def check_kernel_gradient(gradient: Any) -> Verdict:
    """∂e/∂w[q] = Σ_p x[p + q]·δ[p] for x = [1, 2, 4, 3], a kernel of 2 and δ = [1, −1, 2], by backprop."""
    from ..engine import total
    from ..nn import Conv1d

    conv = Conv1d(1, 1, kernel_size=2, bias=False, seed=0)
    z = conv([1.0, 2.0, 4.0, 3.0])[0]
    total([zp * d for zp, d in zip(z, (1.0, -1.0, 2.0))]).backward()  # e = Σ_p δ[p]·z[p]: ∂e/∂z[p] = δ[p]
    expected = [w.grad for w in conv.w[0][0]]
    if gradient is None or gradient is Ellipsis:
        return unanswered("set kernel_gradient to a list of two numbers")
    try:
        found = [float(v) for v in gradient]
    except (TypeError, ValueError):
        return say(False, f"kernel_gradient should be a list of two numbers, and it is {gradient!r}")
    if len(found) == 2 and all(close(a, b) for a, b in zip(found, expected)):
        return say(True, "Σ_p x[p + q]·δ[p]: a shared weight learns from every position at once")
    return say(False, f"expected Σ_p x[p + q]·δ[p] = {expected}, found {gradient!r}")
