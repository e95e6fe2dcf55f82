"""What every check of the course shares: the :class:`Verdict` it returns, and the helpers
that run a learner's answer without ever raising and say what was expected and what was found."""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from ..engine import Value

__all__ = ["Verdict", "answered", "attempt", "close", "number_check", "returned_value", "say", "unanswered"]


class Verdict:
    """A check's answer: true when the learner's answer is right; shown as one sentence."""

    def __init__(self, right: bool, text: str) -> None:
        self.right, self.text = right, text

    def __bool__(self) -> bool:
        return self.right

    def __repr__(self) -> str:
        return self.text


def say(right: bool, text: str) -> Verdict:
    return Verdict(right, ("✓ right: " if right else "✗ ") + text)


def unanswered(what: str) -> Verdict:
    return Verdict(False, f"… not answered yet: {what}")


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def attempt(answer: Callable[..., Any], *args: Any) -> tuple[Any, str]:
    """answer(*args), or (None, why it gave nothing usable)."""
    try:
        got = answer(*args)
    except Exception as error:  # the learner's code: any error is reported, never raised
        return None, f"it raised {type(error).__name__}: {error}"
    if got is None or got is Ellipsis:
        return None, "unanswered"
    return got, ""


def answered(fn: Callable[..., Any], name: str, call: str, *args: Any) -> tuple[Any, Optional[Verdict]]:
    """fn(*args), or else the verdict for an answer not written yet or one that raised."""
    got, why = attempt(fn, *args)
    if why == "unanswered":
        return None, unanswered(f"write {name}'s body")
    if why:
        return None, say(False, f"{call}: {why}")
    return got, None


def returned_value(fn: Callable[..., Any], name: str, call: str, *args: Any) -> tuple[Any, Optional[Verdict]]:
    """fn(*args) when it is a Value, or else the verdict that says why it is not."""
    got, verdict = answered(fn, name, call, *args)
    if verdict is not None:
        return None, verdict
    if not isinstance(got, Value):
        return None, say(False, f"{name} should return a Value, and it returns {type(got).__name__}")
    return got, None


def number_check(answer: Any, name: str, expected: float, why: str, formula: str) -> Verdict:
    if answer is None or answer is Ellipsis:
        return unanswered(f"set {name} to a number")
    if not isinstance(answer, (int, float)) or isinstance(answer, bool):
        return say(False, f"{name} should be a number, and it is {type(answer).__name__} {answer!r}")
    if close(float(answer), expected):
        return say(True, why)
    return say(False, f"expected {formula} = {expected:.6g}, found {answer!r}")
