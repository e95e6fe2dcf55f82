"""The checks of chapters 5–9: optimizers, initialisation, regularisation, second-order
methods, real data."""

from __future__ import annotations

import math
from typing import Any, Callable

from ..engine import Value
from .verdicts import Verdict, answered, close, number_check, say, unanswered

__all__ = [
    "check_accuracy",
    "check_dropout_scale",
    "check_he_std",
    "check_hessian_by_hand",
    "check_largest_stable_rate",
    "check_momentum_step",
    "check_newton_step",
    "check_standardised",
    "check_step_decay",
    "check_test_point",
    "check_vanishing_bound",
    "check_weight_decay_step",
    "check_weight_elimination_gradient",
    "check_xavier_bound",
]

# ------------------------------------------------------------------ chapter 5


def check_largest_stable_rate(rate: Any) -> Verdict:
    """Gradient descent on f(w) = w²: w ← w − α·2w = (1 − 2α)w shrinks only while |1 − 2α| < 1."""
    why = "α < 1: each step multiplies w by 1 − 2α, which must stay inside (−1, 1)"
    return number_check(rate, "rate", 1.0, why, "the α where |1 − 2α| reaches 1")


def check_momentum_step(momentum_step: Callable[[float, float, float, float, float], Any]) -> Verdict:
    """The learner's (θ, b) ← (θ − lr·b', b') with b' = μb + g (b' = g on the first step, b = 0),
    against the engine's SGD with momentum over a few steps of changing gradients."""
    from ..optim import SGD

    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=0.9)
    theta, buffer = 1.0, 0.0
    for i, g in enumerate((2.0, -1.0, 0.5, 3.0)):
        w.grad = g
        opt.step()
        got, verdict = answered(momentum_step, "momentum_step", "momentum_step", theta, buffer, g, 0.1, 0.9)
        if verdict is not None:
            return verdict
        if not isinstance(got, tuple) or len(got) != 2:
            return say(False, f"momentum_step should return (theta, buffer), and it returns {got!r}")
        theta, buffer = got
        if not close(float(theta), w.data):
            return say(False, f"after step {i + 1} θ should be {w.data:.6f}, found {theta!r}")
    return say(
        True, "the same steps as torch.optim.SGD(momentum=0.9): the velocity adds up the past gradients"
    )


def check_step_decay(lr_at: Callable[[int], Any]) -> Verdict:
    """The learner's step decay lr_k = 0.5 · 0.5^⌊k/10⌋, against the engine's StepLR."""
    from ..optim import SGD, StepLR

    opt = SGD([Value(0.0)], lr=0.5)
    schedule = StepLR(opt, step_size=10, gamma=0.5)
    for k in range(35):
        got, verdict = answered(lr_at, "lr_at", f"lr_at({k})", k)
        if verdict is not None:
            return verdict
        if not isinstance(got, (int, float)) or not close(float(got), opt.lr):
            return say(False, f"at step {k} the rate should be {opt.lr}, found {got!r}")
        schedule.step()
    return say(True, "halved every 10 steps, as StepLR(step_size=10, gamma=0.5)")


# ------------------------------------------------------------------ chapter 6


def check_vanishing_bound(bound: Any) -> Verdict:
    """The largest product of ten sigmoid derivatives: σ′ ≤ 0.25, so 0.25¹⁰."""
    why = "0.25¹⁰ ≈ 1e-6: ten sigmoid layers shrink δ a millionfold at least, whatever the weights"
    return number_check(bound, "bound", 0.25**10, why, "0.25¹⁰")


def check_xavier_bound(bound: Any) -> Verdict:
    """Glorot/Xavier's uniform bound for fan-in 64 and fan-out 32: √(6/(64 + 32))."""
    why = "√(6/96) = 0.25: the signal's variance is kept the same forward and backward"
    return number_check(bound, "xavier", math.sqrt(6 / (64 + 32)), why, "√(6/(m + n))")


def check_he_std(std: Any) -> Verdict:
    """He's standard deviation for a ReLU layer of fan-in 50: √(2/50)."""
    why = "√(2/50) = 0.2: twice Xavier's variance, because a ReLU passes only half of its inputs on"
    return number_check(std, "std", math.sqrt(2 / 50), why, "√(2/fan_in)")


# ------------------------------------------------------------------ chapter 7


def check_weight_decay_step(w: Any) -> Verdict:
    """One step on J + λw² from w = 2 with ∂J/∂w = 0.5, λ = 0.1, α = 0.5: w − α(0.5 + 2λw)."""
    why = "w − α(g + 2λw) = 1.55: the penalty pulls every weight toward 0, in proportion to its size"
    return number_check(w, "w", 2.0 - 0.5 * (0.5 + 2 * 0.1 * 2.0), why, "w − α·(g + 2λw)")


def check_dropout_scale(scale: Any) -> Verdict:
    """Inverted dropout with drop probability p = 0.2 scales the survivors by 1/(1 − p)."""
    why = "1/(1 − p) = 1.25: the expected output stays what it is without dropout"
    return number_check(scale, "scale", 1 / (1 - 0.2), why, "1/(1 − p)")


def check_weight_elimination_gradient(gradient: Callable[[float], Any]) -> Verdict:
    """The learner's d/dw of w²/(1 + w²) (note 004's weight elimination), against backprop's."""
    from ..losses import weight_elimination

    for w in (-3.0, -0.5, 0.0, 0.2, 1.0, 10.0):
        v = Value(w)
        weight_elimination([v]).backward()
        got, verdict = answered(gradient, "gradient", f"gradient({w})", w)
        if verdict is not None:
            return verdict
        if not isinstance(got, (int, float)) or not close(float(got), v.grad):
            return say(False, f"at w = {w} the derivative is {v.grad:.6f}, found {got!r}")
    return say(True, "2w/(1 + w²)²: large weights cost about the same, so only small ones are pushed to 0")


# ------------------------------------------------------------------ chapter 8


def check_hessian_by_hand(h: Any) -> Verdict:
    """The Hessian of f(x, y) = x²y + y³ at (1, 2): [[2y, 2x], [2x, 6y]] = [[4, 2], [2, 12]]."""
    from ..autograd import hessian

    expected = hessian(lambda x, y: x * x * y + y**3, [1.0, 2.0])
    if h is None or h is Ellipsis:
        return unanswered("set h to a 2×2 list of numbers")
    try:
        rows = [[float(v) for v in row] for row in h]
    except (TypeError, ValueError):
        return say(False, f"h should be a 2×2 list of numbers, and it is {h!r}")
    if len(rows) != 2 or any(len(r) != 2 for r in rows):
        return say(False, f"h should be 2×2, and it is {len(rows)} rows of {[len(r) for r in rows]}")
    if all(close(a, b) for r, e in zip(rows, expected) for a, b in zip(r, e)):
        return say(True, "[[2y, 2x], [2x, 6y]] at (1, 2): symmetric, as every smooth function's Hessian")
    return say(False, f"expected {expected}, found {rows}")


def check_newton_step(newton_step: Callable[[Callable[[Value], Value], float], Any]) -> Verdict:
    """The learner's x − f′(x)/f″(x), against the closed forms of a few functions."""
    cases = (
        (lambda x: x**4, 1.0, 1.0 - 4.0 / 12.0),
        (lambda x: (x - 3.0) * (x - 3.0), 10.0, 3.0),  # a quadratic: one step to its minimum
        (lambda x: x.exp() - 2.0 * x, 0.0, 1.0),  # x − (eˣ − 2)/eˣ at 0
    )
    for f, x, expected in cases:
        got, verdict = answered(newton_step, "newton_step", f"newton_step at x = {x}", f, x)
        if verdict is not None:
            return verdict
        if not isinstance(got, (int, float)) or not close(float(got), expected):
            return say(False, f"from x = {x} the step should land at {expected:.6f}, found {got!r}")
    return say(True, "x − f′/f″: on a quadratic it lands on the minimum in one step")


# ------------------------------------------------------------------ chapter 9


def check_standardised(value: Any) -> Verdict:
    """x = 4 in a training column [1, 2, 3, 4]: (x − μ)/σ with its mean 2.5 and standard deviation √1.25."""
    why = "(4 − 2.5)/√1.25 ≈ 1.342: the standard deviation of the column itself, dividing by n"
    return number_check(value, "value", (4 - 2.5) / math.sqrt(1.25), why, "(x − μ)/σ")


def check_test_point(value: Any) -> Verdict:
    """A test point x = 6, standardised with the *training* column's μ = 2.5 and σ = √1.25."""
    why = "(6 − 2.5)/√1.25 ≈ 3.130: the test set is scaled by what the training set taught, never by itself"
    return number_check(value, "test_value", (6 - 2.5) / math.sqrt(1.25), why, "(6 − μ_train)/σ_train")


def check_accuracy(accuracy: Callable[[list[list[int]]], Any]) -> Verdict:
    """The learner's accuracy from a confusion matrix (rows: true class, columns: predicted)."""
    for matrix in ([[15, 0, 0], [0, 14, 1], [0, 2, 13]], [[3, 1], [2, 4]], [[5]]):
        expected = sum(matrix[c][c] for c in range(len(matrix))) / sum(map(sum, matrix))
        got, verdict = answered(accuracy, "accuracy", f"accuracy({matrix})", [row[:] for row in matrix])
        if verdict is not None:
            return verdict
        if not isinstance(got, (int, float)) or not close(float(got), expected):
            return say(False, f"for {matrix} the accuracy is {expected:.4f}, found {got!r}")
    return say(True, "the diagonal over the total: every count off the diagonal is a mistake")
