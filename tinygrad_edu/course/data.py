"""The checks of chapter 12: whitening, and initialisation (zero weights, saturated tanh)."""

from __future__ import annotations

import math
import random
import statistics
from typing import Any, Callable

from .verdicts import Verdict, answered, close, number_check, say

__all__ = ["check_saturated_at", "check_tanh_init", "check_whitened_length"]

# ------------------------------------------------------------------ chapter 12


def check_whitened_length(length: Any) -> Verdict:
    """‖z‖ for the centred point x = (2, 0) whitened with Σ = [[2, 1], [1, 2]]: ‖z‖² = xᵀΣ⁻¹x = 8/3.

    Σ = V·diag(3, 1)·Vᵀ with V's columns (1, 1)/√2 and (1, −1)/√2, so z = diag(1/√3, 1)·Vᵀx
    = (√2/√3, √2) up to the eigenvectors' signs, which do not change its length."""
    expected = math.sqrt(8 / 3)
    why = "Vᵀx = (√2, √2), divided by (√3, 1): ‖z‖ = √(2/3 + 2) = √(8/3) ≈ 1.633 = √(xᵀΣ⁻¹x)"
    if isinstance(length, (int, float)) and not isinstance(length, bool):
        if close(float(length), math.sqrt(2)):
            return say(
                False,
                f"found {length!r}: that is the standardised point (2/√2, 0)'s length; "
                "standardising ignores the correlation, whitening divides along Σ's eigenvectors",
            )
        if close(float(length), 8 / 3):
            return say(False, f"found {length!r}: that is ‖z‖², take its square root")
    return number_check(length, "length", expected, why, "√(z₁² + z₂²)")


def check_saturated_at(z: Any) -> Verdict:
    """The z > 0 where tanh'(z) = 1 − tanh²(z) falls to 0.01: tanh(z) = √0.99, z = atanh(√0.99) ≈ 2.993."""
    expected = math.atanh(math.sqrt(0.99))
    why = (
        f"1 − tanh²(z) = 0.01 at z = atanh(√0.99) ≈ {expected:.4f}: beyond |z| ≈ 3 a tanh unit "
        "passes back less than 1% of δ"
    )
    if isinstance(z, (int, float)) and not isinstance(z, bool) and close(float(z), math.atanh(0.99)):
        return say(False, f"found {z!r}, where tanh(z) = 0.99; the slope is 1 − tanh²(z), so tanh²(z) = 0.99")
    return number_check(z, "z", expected, why, "atanh(√0.99)")


def _hidden_units_identical(init: Callable[..., Any]) -> bool:
    """Whether MLP(2, [4, 1], "tanh", init=init) starts with four identical hidden units."""
    from ..nn import MLP

    layer = MLP(2, [4, 1], activation="tanh", init=init, seed=0).layers[0]
    units = [[w.data for w in n.w] for n in layer.neurons]
    return all(u == units[0] for u in units)


def _deep_tanh_statistics(init: Callable[..., Any]) -> tuple[list[float], list[float]]:
    """A tanh MLP(4, [10]×8 + [1]) drawn with init, on 8 samples x ~ N(0, 1)⁴ with targets ±1: per
    hidden layer, the fraction of saturated units (tanh'(z) < 0.01) and the median |δ| over units
    and samples, each sample's e = (out − t)² backpropagated alone."""
    from ..nn import MLP

    rng = random.Random(1000)
    X = [[rng.gauss(0.0, 1.0) for _ in range(4)] for _ in range(8)]
    T = [rng.choice([-1.0, 1.0]) for _ in X]
    model = MLP(4, [10] * 8 + [1], activation="tanh", init=init, seed=0)
    hidden = model.layers[:-1]
    deltas: list[list[float]] = [[] for _ in hidden]
    saturated: list[list[bool]] = [[] for _ in hidden]
    for x, t in zip(X, T):
        ((model(x) - t) ** 2).backward()
        for k, layer in enumerate(hidden):
            deltas[k] += [abs(n.delta) for n in layer.neurons]
            saturated[k] += [1.0 - math.tanh(n.z.data) ** 2 < 0.01 for n in layer.neurons]
    return [sum(s) / len(s) for s in saturated], [statistics.median(d) for d in deltas]


def check_tanh_init(init: Callable[[int, int, random.Random], Any]) -> Verdict:
    """``init(m, n, rng)``, one weight of a tanh layer with m inputs and n outputs, judged on what it
    does: the hidden units must start different (else the symmetry never breaks), no deep tanh
    network's layer may be saturated, and the typical |δ| of its 8 hidden layers must stay within
    a factor of 100 of each other (neither vanishing nor collapsing)."""
    if not callable(init):
        return say(False, f"init should be a function init(m, n, rng), and it is {init!r}")
    got, verdict = answered(init, "init", "init(2, 4, rng)", 2, 4, random.Random(0))
    if verdict is not None:
        return verdict
    if not isinstance(got, (int, float)) or isinstance(got, bool) or not math.isfinite(got):
        return say(False, f"init(2, 4, rng) should return a finite number (a weight), not {got!r}")
    try:
        identical = _hidden_units_identical(init)
        fractions, medians = _deep_tanh_statistics(init)
    except Exception as error:  # the learner's function: any error is reported, never raised
        return say(False, f"building a network with init raised {type(error).__name__}: {error}")
    if identical:
        return say(
            False,
            "all 4 hidden units of MLP(2, [4, 1]) start with the same weights: they get the same δ "
            "and the same update, so they stay identical and the symmetry never breaks",
        )
    worst = max(range(len(fractions)), key=lambda k: fractions[k])
    if fractions[worst] >= 0.25:
        return say(
            False,
            f"too large: {fractions[worst]:.0%} of hidden layer {worst + 1}'s units are saturated "
            "(|z| > 3, tanh'(z) < 0.01), and they pass back almost no δ",
        )
    spread = max(medians) / min(medians) if min(medians) > 0 else math.inf
    if spread > 100:
        return say(
            False,
            f"the typical |δ| of the 8 hidden layers differs by a factor of {spread:.3g}: the weights "
            "scale δ by much less than 1 per layer; keep Var(w)·m near 1",
        )
    return say(
        True,
        f"the units start different, no layer is saturated (at most {fractions[worst]:.0%}), and the "
        f"typical |δ| stays within a factor of {spread:.3g} over the 8 hidden layers",
    )
