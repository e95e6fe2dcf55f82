"""Checks for the exercises of the course in ``course/``: each takes a learner's answer and says,
in one sentence, whether it is right, or what was expected and what was found.

A check returns a :class:`Verdict`, true for a right answer, which a notebook shows as its
sentence. It never raises: an answer that is not written yet (``...``, or a function that
returns nothing) gets "not answered yet", and one that raises gets the error's name. The
course's notebooks call them in their check cells; ``tests/test_course.py`` runs them against
the solutions in ``course/solutions/``.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from .engine import Value
from .ops import FLOATS, SIGMOID

__all__ = ["Verdict", "check_neuron_delta", "check_op_by_hand", "check_sigmoid_local"]

# the neuron of chapter 1: o = tanh(x1·w1 + x2·w2 + b)
NEURON = {"x1": 2.0, "w1": -3.0, "x2": 0.0, "w2": 1.0, "b": 6.8813735870195432}


class Verdict:
    """A check's answer: true when the learner's answer is right; shown as one sentence."""

    def __init__(self, right: bool, text: str) -> None:
        self.right, self.text = right, text

    def __bool__(self) -> bool:
        return self.right

    def __repr__(self) -> str:
        return self.text


def _say(right: bool, text: str) -> Verdict:
    return Verdict(right, ("✓ right: " if right else "✗ ") + text)


def _unanswered(what: str) -> Verdict:
    return Verdict(False, f"… not answered yet: {what}")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _attempt(answer: Callable[..., Any], *args: Any) -> tuple[Any, str]:
    """answer(*args), or (None, why it gave nothing usable)."""
    try:
        got = answer(*args)
    except Exception as error:  # the learner's code: any error is reported, never raised
        return None, f"it raised {type(error).__name__}: {error}"
    if got is None or got is Ellipsis:
        return None, "unanswered"
    return got, ""


def check_neuron_delta(delta: Any) -> Verdict:
    """δ of the neuron's pre-activation z = x1·w1 + x2·w2 + b for o = tanh(z): ∂o/∂z = 1 − tanh²(z)."""
    z = NEURON["x1"] * NEURON["w1"] + NEURON["x2"] * NEURON["w2"] + NEURON["b"]
    expected = 1.0 - math.tanh(z) ** 2
    if delta is None or delta is Ellipsis:
        return _unanswered("set delta to a number")
    if not isinstance(delta, (int, float)) or isinstance(delta, bool):
        return _say(False, f"delta should be a number, and it is {type(delta).__name__} {delta!r}")
    if _close(float(delta), expected):
        return _say(True, f"δ = 1 − tanh²(z) = {expected:.6f}; every weight's gradient is its input × δ")
    return _say(False, f"expected δ = 1 − tanh²({z:.4f}) = {expected:.6f}, found {delta!r}")


def check_sigmoid_local(sigmoid_local: Callable[[float], Any]) -> Verdict:
    """The learner's ∂σ/∂z written with the output y = σ(z) alone, against the engine's rule."""
    for z in (-4.0, -0.5, 0.0, 0.7, 3.0):
        y = FLOATS.sigmoid(z)
        got, why = _attempt(sigmoid_local, y)
        if why == "unanswered":
            return _unanswered("write sigmoid_local's body")
        if why:
            return _say(False, f"sigmoid_local({y:.4f}): {why}")
        (expected,) = SIGMOID.local(FLOATS, None, y, z)
        if not isinstance(got, (int, float)) or not _close(float(got), expected):
            return _say(False, f"at y = σ({z}) = {y:.4f} expected {expected:.6f}, found {got!r}")
    return _say(True, "σ'(z) = y·(1 − y): the largest it gets is 0.25, at z = 0")


def check_op_by_hand(
    op: Callable[[Value], Value], f: Callable[[float], float], df: Callable[[float], float]
) -> Verdict:
    """An op written by hand, micrograd's way (``Value(y, (x,), name)`` with its own ``_backward``):
    its value must be f(x), and backward must give f'(x), at a few points."""
    for x in (-1.5, -0.3, 0.4, 2.0):
        leaf = Value(x)
        out, why = _attempt(op, leaf)
        if why == "unanswered":
            return _unanswered("write the op's body")
        if why:
            return _say(False, f"op(Value({x})): {why}")
        if not isinstance(out, Value):
            return _say(False, f"op(Value({x})) should return a Value, and it returns {type(out).__name__}")
        if not _close(out.data, f(x)):
            return _say(False, f"at x = {x} the value should be {f(x):.6f}, found {out.data!r}")
        if leaf not in out.inputs:
            return _say(False, f"at x = {x} the output does not list x among its inputs (_children)")
        out.backward()
        if not _close(leaf.grad, df(x)):
            return _say(False, f"at x = {x} backward should give ∂/∂x = {df(x):.6f}, found {leaf.grad!r}")
    return _say(True, "the value and the gradient match at every point tried")
