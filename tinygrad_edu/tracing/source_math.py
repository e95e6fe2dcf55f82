"""The source math: the rules of :mod:`tinygrad_edu.ops`, run on expressions, write Python source.

Nothing here restates a derivative. The ``forward`` and ``local`` rules of
:mod:`tinygrad_edu.ops` run on a math ``m``: on floats they compute numbers,
on the engine's graph math they build Values, and on :class:`SourceMath` they
write source. Its numbers are expressions (:class:`Expr`): tanh's local
derivative ``1.0 - y * y``, run on the name ``out``, is the expression
``1.0 - out * out``. A choice is written as one: relu's
``m.where(x <= 0.0, None, 1.0)`` times δ is ``0.0 if z <= 0.0 else g_h``. A
function of the math is called by its name in
:class:`~tinygrad_edu.ops.FloatMath`: ``exp``, ``div`` and ``pow`` in the
source are its IEEE versions (inf or nan where Python's would raise). A number
that no input changes (``m.exp(c)`` of a constant c) is computed while tracing.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any, Callable, Optional

from .. import ops

__all__ = [
    "PLAIN_SUM",
    "PREC_ADD",
    "PREC_WHERE",
    "SOURCE",
    "Expr",
    "SourceMath",
    "Sum",
    "Where",
    "literal",
    "wrap",
]

# Python 3.12 made ``sum`` of floats compensated (Neumaier), so ``sum(xs, s)`` is no longer
# ((s + x₁) + x₂) + …  The Σ ops use ``sum``: on such a Python the replay calls it too.
PLAIN_SUM = sum([1e100, 1.0, -1e100], 0.0) == 0.0


def literal(x: Any) -> str:
    """A float (or int, or bool) as Python source that reads back bit for bit."""
    if isinstance(x, float):
        if x != x:
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
    return repr(x)


# The third reading of the rules in ops.py. Run on Exprs, an op's forward and local rules return
# Exprs: source that computes, at replay, what the rule computes on floats, by the same operations
# in the same order. Numbers that do not depend on an Expr (a constant's logarithm) are computed
# now, by the float math, as eager computes them on every call.

# how tightly each operator binds
PREC_WHERE, PREC_COMPARE, PREC_AND, PREC_ADD, PREC_MUL, PREC_UNARY, PREC_ATOM = 1, 3, 5, 6, 7, 8, 9


def _infix(op: str, prec: int) -> Callable[[Expr, Any], Expr]:
    """The method of Expr writing ``self op other``."""

    def method(self: Expr, other: Any) -> Expr:
        return _binary(self, op, other, prec)

    return method


def _reflected(op: str, prec: int) -> Callable[[Expr, Any], Expr]:
    """The method of Expr writing ``other op self``."""

    def method(self: Expr, other: Any) -> Expr:
        return _binary(other, op, self, prec)

    return method


class Expr:
    """A Python expression being written: its text, and how tightly its outermost operator binds."""

    __slots__ = ("text", "prec")

    def __init__(self, text: str, prec: int = PREC_ATOM) -> None:
        self.text, self.prec = text, prec

    def __bool__(self) -> bool:
        raise TypeError(
            f"a rule used {self.text!r}, which depends on the traced numbers, as a truth value (in an if, "
            "and, or, not, min or max)"
        )

    # the operators a rule may use, each writing itself at its precedence; the reflected ones
    # (__radd__, ...) are what Python calls for a number on the left, as in 1.0 - y * y
    __add__, __radd__ = _infix("+", PREC_ADD), _reflected("+", PREC_ADD)
    __sub__, __rsub__ = _infix("-", PREC_ADD), _reflected("-", PREC_ADD)
    __truediv__, __rtruediv__ = _infix("/", PREC_MUL), _reflected("/", PREC_MUL)
    __lt__, __le__ = _infix("<", PREC_COMPARE), _infix("<=", PREC_COMPARE)
    __gt__, __ge__ = _infix(">", PREC_COMPARE), _infix(">=", PREC_COMPARE)
    # both conditions, as & does on bools
    __and__, __rand__ = _infix("&", PREC_AND), _reflected("&", PREC_AND)

    def __mul__(self, other: Any) -> Expr:
        return _product(self, other)

    def __rmul__(self, other: Any) -> Expr:
        return _product(other, self)

    def __neg__(self) -> Expr:
        return Expr(f"-{wrap(self, PREC_UNARY)}", PREC_UNARY)

    def __abs__(self) -> Expr:
        return Expr(f"abs({self.text})")


class Where(Expr):
    """``a if condition else b``. A branch may be None, a masked derivative (no gradient flows),
    written as ``nothing``, the term a gradient's sum adds instead (see
    :mod:`tinygrad_edu.tracing.codegen`)."""

    __slots__ = ("condition", "a", "b", "masked")

    def __init__(self, condition: Expr, a: Any, b: Any, nothing: str = "0.0") -> None:
        self.condition, self.a, self.b = condition, a, b
        self.masked: bool = any(x is None or (isinstance(x, Where) and x.masked) for x in (a, b))
        show = [nothing if x is None else wrap(x, PREC_WHERE + 1) for x in (a, b)]
        super().__init__(f"{show[0]} if {wrap(condition, PREC_WHERE + 1)} else {show[1]}", PREC_WHERE)


class Sum(Expr):
    """t₀ + t₁ + t₂ + …, added left to right as ``sum(terms, t₀)`` does (on a Python whose ``sum``
    is compensated, written as that call). Its terms stay at hand, for long sums split over lines."""

    __slots__ = ("terms",)

    def __init__(self, terms: list[Any]) -> None:
        self.terms = terms
        texts = [wrap(t, PREC_ADD + 1) for t in terms]
        if PLAIN_SUM:
            super().__init__(" + ".join(texts), PREC_ADD)
        else:
            rest = "".join(f"{t}, " for t in texts[1:])  # (t₁, t₂, ): a tuple even for one term
            super().__init__(f"sum(({rest}), {texts[0]})")


def wrap(x: Any, prec: int) -> str:
    """x as an operand where an operator of precedence ``prec`` stands: in parentheses if it binds less."""
    if isinstance(x, Expr):
        return x.text if x.prec >= prec else f"({x.text})"
    text = literal(x)
    return text if not text.startswith("-") or prec < PREC_UNARY else f"({text})"


def _binary(a: Any, op: str, b: Any, prec: int) -> Expr:
    # left-associative: an operand on the right at the same precedence needs parentheses, and
    # comparisons chain in Python (a < b < c), so there one on the left needs them too
    left = prec + 1 if prec == PREC_COMPARE else prec
    return Expr(f"{wrap(a, left)} {op} {wrap(b, prec + 1)}", prec)


def _product(a: Any, b: Any) -> Expr:
    """a · b, written as backprop's ∂t/∂s · δ is: 1.0 · δ as δ, −1.0 · δ as −δ (the same number,
    but a nan may come out with the other sign bit: see :mod:`tinygrad_edu.tracing.codegen`)."""
    for one, other in ((a, b), (b, a)):
        if type(one) is float and one in (1.0, -1.0) and isinstance(other, Expr):
            return other if one == 1.0 else -other
    # a choice moves outward, (x if c else y) · δ = x·δ if c else y·δ, so that a masked branch
    # stays a term that adds nothing, not 0.0 · δ (nan for an infinite δ)
    if isinstance(a, Where):
        return Where(a.condition, _times(a.a, b), _times(a.b, b))
    if isinstance(b, Where):
        return Where(b.condition, _times(a, b.a), _times(a, b.b))
    return _binary(a, "*", b, PREC_MUL)


def _times(a: Any, b: Any) -> Optional[Expr]:
    """a · b, where None (a masked derivative) stays None."""
    return None if a is None or b is None else _product(a, b)


class SourceMath:
    """The math that writes source: a rule run on it with Exprs for numbers returns an Expr.
    Its functions are written as calls of their float twins (``m.exp(x)`` as ``exp(x)``), and
    computed now where no argument is an Expr."""

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        """``a if condition else b``: decided now for a known condition, else written out."""
        if isinstance(condition, Expr):
            return Where(condition, a, b)
        return a if condition else b

    @staticmethod
    def eq(a: Any, b: Any) -> Any:
        """``a == b``."""
        if isinstance(a, Expr) or isinstance(b, Expr):
            return _binary(a, "==", b, PREC_COMPARE)
        return a == b

    @staticmethod
    def sum(terms: Any, start: Any) -> Sum:
        """``start + t₁ + t₂ + …``, left to right."""
        return Sum([start, *terms])

    @staticmethod
    def div(a: Any, b: Any) -> Any:
        """``div(a, b)``, IEEE: a / b, with ±inf or nan for b = 0."""
        if isinstance(a, Expr) and type(b) is float and b != 0.0:
            return a / b  # x / c raises only for c = 0, known now: there plain / is the same float
        return _call_expr("div", ops.FLOATS.div, a, b)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return partial(_call_expr, name, getattr(ops.FLOATS, name))


SOURCE = SourceMath()


def _call_expr(name: str, function: Callable[..., Any], *args: Any) -> Any:
    """``name(args)`` written out, or, when no argument is an Expr, ``function(args)`` computed now,
    as eager computes it."""
    if any(isinstance(x, Expr) for x in args):
        return Expr(f"{name}({', '.join(wrap(x, PREC_WHERE) for x in args)})")
    return function(*args)
