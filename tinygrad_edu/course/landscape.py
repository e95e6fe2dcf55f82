"""The checks of chapter 11: a learning-rate schedule, the updates of a budget, critical points, one unit."""

from __future__ import annotations

import math
from typing import Any, Callable

from .verdicts import Verdict, answered, close, number_check, say, unanswered

__all__ = [
    "check_critical_kind",
    "check_inverse_time_rate",
    "check_monotone_bound",
    "check_updates_per_budget",
]

# ------------------------------------------------------------------ chapter 11


def check_inverse_time_rate(lr_at: Callable[[int], Any]) -> Verdict:
    """The learner's α(t) for note 002's α(t) = α₀·τ/max(t, τ), α₀ = 0.5 and τ = 10, at t = 0, …, 60."""
    lr0, tau = 0.5, 10
    for t in range(61):
        expected = lr0 * tau / max(t, tau)
        got, verdict = answered(lr_at, "lr_at", f"lr_at({t})", t)
        if verdict is not None:
            return verdict
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            return say(False, f"lr_at({t}) should return a number, and it returns {got!r}")
        if not close(float(got), expected):
            phase = "constant until τ = 10" if t <= tau else "α₀·τ/t after τ"
            return say(False, f"at t = {t} the rate should be {expected:g} ({phase}), found {got!r}")
    return say(True, "α₀·τ/max(t, τ): the starting rate until τ, then a decay like 1/t")


def check_updates_per_budget(updates: Any) -> Verdict:
    """Mini-batches of Q = 8 over N = 60 points for 20 epochs: ⌈60/8⌉ = 8 updates an epoch, 160 in all."""
    if isinstance(updates, (int, float)) and not isinstance(updates, bool):
        found = f"found {updates!r}"
        if close(float(updates), 20 * 60 / 8):
            return say(False, f"{found}: an epoch's last mini-batch, of 60 − 7·8 = 4 points, is a step too")
        if close(float(updates), 20 * 60):
            return say(False, f"{found}: that is the gradient evaluations; an update uses up to 8 of them")
    why = "⌈60/8⌉ = 8 updates an epoch (seven of 8 points and one of 4), for the same 1200 evaluations"
    return number_check(updates, "updates", 20 * math.ceil(60 / 8), why, "20·⌈N/Q⌉")


def _eigenvalues(H: list[list[float]]) -> tuple[float, float]:
    (a, b), (_, d) = H
    root = math.hypot((a - d) / 2, b)
    return (a + d) / 2 - root, (a + d) / 2 + root


def check_critical_kind(kind: Callable[[list[list[float]]], Any]) -> Verdict:
    """The learner's kind(H) for symmetric 2×2 Hessians: "minimum", "maximum" or "saddle" by the signs of
    H's eigenvalues λ = tr/2 ± √((a − d)²/4 + b²), on matrices whose diagonal alone can mislead."""
    cases = (
        [[2.0, 0.0], [0.0, 3.0]],
        [[-1.0, 0.0], [0.0, -4.0]],
        [[3.0, 0.0], [0.0, -1.0]],
        [[1.0, 2.0], [2.0, 1.0]],  # a positive diagonal, yet λ = 3 and −1: a saddle
        [[2.0, 1.0], [1.0, 2.0]],
        [[-3.0, 2.0], [2.0, -3.0]],
        [[-1.0, 3.0], [3.0, -1.0]],
    )
    for H in cases:
        low, high = _eigenvalues(H)
        expected = "minimum" if low > 0 else "maximum" if high < 0 else "saddle"
        got, verdict = answered(kind, "kind", f"kind({H})", [list(row) for row in H])
        if verdict is not None:
            return verdict
        if not isinstance(got, str):
            return say(False, f'kind({H}) should return "minimum", "maximum" or "saddle", not {got!r}')
        if got.strip().lower() != expected:
            eigen = f"its eigenvalues are {low:g} and {high:g}"
            return say(False, f"kind({H}): {eigen}, so expected {expected!r}, found {got!r}")
    return say(True, "the signs of the eigenvalues, not of the diagonal, tell a minimum from a saddle")


def check_monotone_bound(bound: Any) -> Verdict:
    """A monotone s against sin on [−π, π]: since s(−π) ≤ s(−π/2) (or ≥), max |s − sin| ≥ 1/2."""
    if bound is None or bound is Ellipsis:
        return unanswered("set bound to a number")
    why = "s(−π) ≤ s(−π/2) while sin goes from 0 down to −1: one of them misses by at least 1/2"
    return number_check(bound, "bound", 0.5, why, "(sin(−π) − sin(−π/2))/2")
