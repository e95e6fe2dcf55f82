"""The primitive operations: one row per op, its forward and its local derivatives side by side.

Every node of a computation graph was made by one of the ops below. An op's row holds:

``name``
    the symbol the node shows, as in micrograd: ``"+"``, ``"*"``, ``"tanh"``.
``forward(m, c, *x) -> y``
    the value. ``c`` is the op's constant (the 2 of ``x * 2``, the slope ``k``
    of a leaky ReLU, ...) or ``None``.
``local(m, c, y, *x) -> (∂y/∂x₁, ∂y/∂x₂, ...)``
    the *local* derivatives of the output y with respect to each input.
    Backprop multiplies each by the output's gradient δ = ∂e/∂y and adds the
    product into that input's gradient (the chain rule). ``None`` instead of a
    number means *no gradient flows to this input here*: not even an inf or
    nan δ, as PyTorch's masks do for ``relu`` where x ≤ 0.
``formula``
    how a node made by the op reads, with ``{0}``, ``{1}`` for its inputs and
    ``{c}`` for its constant (``"{c} - {0}"``); without one, ``name(inputs)``.
``call``
    for the ops users call by name: how they are called, ``"leaky_relu(x, k=0.01)"``.
``derivative``
    the local derivatives in words, as the README's table (:func:`markdown_table`)
    and the command line's help show them.
``domain``, ``kink``, ``example``
    where a gradient check may apply the op (see :mod:`tinygrad_edu.testing`).

One rule, three readings
------------------------
``forward`` and ``local`` are written once and run on whatever ``m`` is, *the
math*: on :data:`FLOATS` they compute numbers; on the engine's graph math their
arguments are ``Value`` nodes, so a derivative is itself a graph and can be
differentiated again (``backward(create_graph=True)``); on the tracer's source
math they write Python source (``tinygrad_edu.tracing``). So rules use only
arithmetic, comparisons, the functions of ``m`` and ``m.where(condition, a, b)``
for a choice (``a if condition else b``): never a Python ``if`` on an input.

Numerics follow IEEE 754 and PyTorch: overflow gives ``inf``, ``log(0)`` is
``-inf``, ``log(-1)`` is ``nan``, ``1/0`` is ``inf`` with the sign of the
numerator. Python's ``math`` module raises instead; :class:`FloatMath` catches
that, so no ``OverflowError``, ``ZeroDivisionError`` or ``ValueError`` reaches
a user. Derivatives at kinks follow PyTorch: ``relu'(0) = 0``, ``abs'(0) = 0``,
``hardtanh'(±1) = 0``, ``leaky_relu'(0) = k``, ``elu'(0) = alpha``,
``prelu'(0) = a``, and ``maximum``/``minimum`` split the gradient equally on a
tie (and send it to both inputs when one is nan). One limit of the local form:
a local derivative that overflows gives ``inf`` even where its product with δ
would not (``1/b`` at ``b = 1e-310``, times δ = 1e-20).
"""

from __future__ import annotations

import math
from functools import cache
from operator import attrgetter, mul
from typing import Any, Callable, Iterable, NamedTuple, Optional, Sequence

from .checks import as_float

inf = math.inf
nan = math.nan


class FloatMath:
    """The math of plain floats: IEEE results where Python's ``math`` would raise."""

    # what backprop reads of a node in this math: its value (the node's data) and its δ
    value = staticmethod(attrgetter("data"))
    delta = staticmethod(attrgetter("grad"))

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        """a if condition else b."""
        return a if condition else b

    @staticmethod
    def eq(a: float, b: float) -> bool:
        return a == b

    @staticmethod
    def isinf(x: float) -> bool:
        return math.isinf(x)

    @staticmethod
    def sum(terms: Iterable[float], start: float) -> float:
        """((start + t₁) + t₂) + … (compensated on Python ≥ 3.12, whose ``sum`` is)."""
        return sum(terms, start)

    # exp, expm1, cosh, sinh, …: each guard against OverflowError spelled out where its function
    # is, deliberately alike, so every float function reads on its own
    @staticmethod
    def exp(x: float) -> float:
        """eˣ; ``inf`` on overflow."""
        try:
            return math.exp(x)
        except OverflowError:
            return inf

    @staticmethod
    def expm1(x: float) -> float:
        """eˣ − 1, exact near 0; ``inf`` on overflow."""
        try:
            return math.expm1(x)
        except OverflowError:
            return inf

    @staticmethod
    def log(x: float) -> float:
        """ln x; ``-inf`` at 0, ``nan`` below 0 (and for nan)."""
        if x > 0.0:
            return math.log(x)
        return -inf if x == 0.0 else nan

    @staticmethod
    def sqrt(x: float) -> float:
        """√x; ``nan`` below 0."""
        return math.sqrt(x) if x >= 0.0 else nan

    @staticmethod
    def div(a: float, b: float) -> float:
        """a / b; ``±inf`` for a nonzero a over 0 (sign of a·b, IEEE), ``nan`` for 0/0."""
        try:
            return a / b
        except ZeroDivisionError:
            if a == 0.0 or a != a:
                return nan
            return math.copysign(inf, a) * math.copysign(1.0, b)

    @staticmethod
    def pow(a: float, b: float) -> float:
        """aᵇ with C99/IEEE semantics: ``inf`` on overflow, ``nan`` for a < 0 and non-integer b."""
        try:
            return math.pow(a, b)
        except OverflowError:
            return -inf if a < 0.0 and _is_odd_integer(b) else inf
        except ValueError:
            if a == 0.0:  # 0 to a negative power: a pole, signed like a for odd b
                return math.copysign(inf, a) if _is_odd_integer(b) else inf
            return nan

    @staticmethod
    def sin(x: float) -> float:
        return math.sin(x) if math.isfinite(x) else nan

    @staticmethod
    def cos(x: float) -> float:
        return math.cos(x) if math.isfinite(x) else nan

    @staticmethod
    def tan(x: float) -> float:
        return math.tan(x) if math.isfinite(x) else nan

    atan = staticmethod(math.atan)
    tanh = staticmethod(math.tanh)

    @staticmethod
    def sigmoid(x: float) -> float:
        """σ(x) = 1/(1+e⁻ˣ), evaluated so that exp never overflows."""
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = FloatMath.exp(x)  # x < 0 (or nan): e ≤ 1
        return e / (1.0 + e)

    @staticmethod
    def softplus(x: float) -> float:
        """ln(1+eˣ) = max(x, 0) + ln(1+e^−|x|): no overflow for any x."""
        return (x if x > 0.0 else 0.0) + math.log1p(FloatMath.exp(-abs(x)))

    @staticmethod
    def softsign(x: float) -> float:
        """x / (1+|x|), with its limits ±1 at ±inf."""
        if math.isinf(x):
            return math.copysign(1.0, x)
        return x / (1.0 + abs(x))

    @staticmethod
    def sign(x: float) -> float:
        """−1, 0 or +1 (nan stays nan)."""
        if x != x:
            return nan
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)

    @staticmethod
    def step(x: float) -> float:
        """1 for x > 0, else 0 (nan stays nan)."""
        return nan if x != x else (1.0 if x > 0.0 else 0.0)

    @staticmethod
    def maximum(a: float, b: float) -> float:
        return a if a >= b or a != a else b  # nan in either input propagates

    @staticmethod
    def minimum(a: float, b: float) -> float:
        return a if a <= b or a != a else b


FLOATS = FloatMath()


def _is_odd_integer(b: float) -> bool:
    return math.isfinite(b) and b == math.floor(b) and math.fmod(b, 2.0) != 0.0


# ---------------------------------------------------------------------- ops


def _always(*x: float) -> bool:
    return True


class Op(NamedTuple):
    """A primitive operation; see the module docstring for its fields."""

    name: str
    forward: Callable[..., Any]
    local: Callable[..., tuple[Any, ...]]
    formula: str = ""
    call: str = ""
    derivative: str = ""
    domain: Optional[Callable[..., bool]] = _always
    kink: Optional[Callable[..., float]] = None
    example: Any = None
    constraint: Optional[tuple[Callable[[Any], bool], str]] = None  # on c, with its message

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names of the inputs in ``call`` (those without a default): ``("x", "a")`` for prelu."""
        return tuple(p for p in _arguments(self.call) if "=" not in p)

    @property
    def params(self) -> tuple[tuple[str, float], ...]:
        """The constants in ``call`` with their defaults: ``(("k", 0.01),)`` for leaky_relu."""
        return tuple((p.split("=")[0], float(p.split("=")[1])) for p in _arguments(self.call) if "=" in p)

    def bind(self, given: Sequence[Any], named: dict[str, Any]) -> Any:
        """The node's constant c from the constants a user passes (by position, then by name;
        the defaults of ``call`` for the rest): one float, a tuple of several, or None."""
        name, names = self.call.split("(")[0], [p for p, _ in self.params]
        if len(given) > len(names) or set(named) - set(names[len(given) :]):
            raise TypeError(f"{name}: expected {self.call}, got {len(given)} constants and {sorted(named)}")
        values = {**dict(self.params), **dict(zip(names, given)), **named}
        cs = tuple(as_float(values[p], name, p) for p in names)
        if self.constraint is not None and not self.constraint[0](cs):
            raise ValueError(f"{name}: {self.constraint[1]}, got {', '.join(map(repr, cs))}")
        return cs[0] if len(cs) == 1 else (cs or None)


@cache
def _arguments(call: str) -> list[str]:
    inside = call[call.index("(") + 1 : -1] if "(" in call else ""
    return [p.strip() for p in inside.split(",") if p.strip()]


# --- arithmetic: two Values ----------------------------------------------------------------
ADD = Op(
    "+",
    lambda m, c, a, b: a + b,
    lambda m, c, y, a, b: (1.0, 1.0),
    "{0} + {1}",
    derivative="∂/∂a = 1, ∂/∂b = 1",
)
SUB = Op(
    "-",
    lambda m, c, a, b: a - b,
    lambda m, c, y, a, b: (1.0, -1.0),
    "{0} - {1}",
    derivative="∂/∂a = 1, ∂/∂b = −1",
)
MUL = Op(
    "*", lambda m, c, a, b: a * b, lambda m, c, y, a, b: (b, a), "{0} * {1}", derivative="∂/∂a = b, ∂/∂b = a"
)
# y = a/b:  ∂y/∂a = 1/b ;  ∂y/∂b = −a/b² = −y/b
DIV = Op(
    "/",
    lambda m, c, a, b: m.div(a, b),
    lambda m, c, y, a, b: (m.div(1.0, b), -m.div(y, b)),
    "{0} / {1}",
    derivative="∂/∂a = 1/b, ∂/∂b = −a/b²",
    domain=lambda a, b: abs(b) > 0.2,
)


# y = aᵇ:  ∂y/∂a = b·aᵇ⁻¹ ;  ∂y/∂b = aᵇ·ln a
def _pow_local(m: Any, c: None, y: Any, a: Any, b: Any) -> tuple[Any, Any]:
    # At b = 0, aᵇ = 1 for every a, and PyTorch gives ∂y/∂a = 0. b·aᵇ⁻¹ is that 0 unless aᵇ⁻¹
    # overflows (a = 0, or a subnormal a), where 0·inf is nan: there no gradient flows. Elsewhere
    # the 0 stays a graph, b·aᵇ⁻¹, so that its derivative in b (1/a) is there for the Hessian.
    # At a = 0 and b ≥ 0, ∂y/∂b = 0 (PyTorch; ln 0 = −inf would give 0·inf).
    a_to_b_1 = m.pow(a, b - 1.0)
    da = m.where(m.eq(b, 0.0) & m.isinf(a_to_b_1), None, b * a_to_b_1)
    db = m.where(m.eq(a, 0.0) & (b >= 0.0), 0.0, y * m.log(a))
    return da, db


POW = Op(
    "**",
    lambda m, c, a, b: m.pow(a, b),
    _pow_local,
    "{0} ** {1}",
    derivative="∂/∂a = b·aᵇ⁻¹ (none at b = 0 if aᵇ⁻¹ is inf), ∂/∂b = aᵇ·ln a (0 at a = 0 ≤ b)",
    domain=lambda a, b: a > 0.2 and abs(b * math.log(a)) < 5,
)

# --- arithmetic with a number: the number c stays in the node, so ``w * 2.0`` is one node ---
ADD_C = Op(
    "+", lambda m, c, x: x + c, lambda m, c, y, x: (1.0,), "{0} + {c}", derivative="1", example=1.5
)  # x + c, c + x
SUB_C = Op(
    "-", lambda m, c, x: x - c, lambda m, c, y, x: (1.0,), "{0} - {c}", derivative="1", example=1.5
)  # x − c
RSUB_C = Op(
    "-", lambda m, c, x: c - x, lambda m, c, y, x: (-1.0,), "{c} - {0}", derivative="−1", example=1.5
)  # c − x
MUL_C = Op(
    "*", lambda m, c, x: x * c, lambda m, c, y, x: (c,), "{0} * {c}", derivative="c", example=-2.5
)  # x·c, c·x
DIV_C = Op(
    "/",
    lambda m, c, x: m.div(x, c),
    lambda m, c, y, x: (m.div(1.0, c),),
    "{0} / {c}",
    derivative="1/c",
    example=4.0,
)
# y = c/x:  ∂y/∂x = −c/x² = −y/x
RDIV_C = Op(
    "/",
    lambda m, c, x: m.div(c, x),
    lambda m, c, y, x: (-m.div(y, x),),
    "{c} / {0}",
    derivative="−c/x²",
    domain=lambda x: abs(x) > 0.2,
    example=1.0,
)
# y = xᶜ:  ∂y/∂x = c·xᶜ⁻¹ (no gradient at all for c = 0, as PyTorch)
POW_CONST = Op(
    "**",
    lambda m, c, x: m.pow(x, c),
    lambda m, c, y, x: (None if c == 0.0 else c * m.pow(x, c - 1.0),),
    "{0} ** {c}",
    derivative="c·xᶜ⁻¹ (none for c = 0)",
    example=3.0,
)
# y = cˣ:  ∂y/∂x = cˣ·ln c (0 where c = 0 and x ≥ 0, as PyTorch: ln 0 = −inf would give 0·inf)
RPOW = Op(
    "**",
    lambda m, c, x: m.pow(c, x),
    lambda m, c, y, x: (m.where(x >= 0.0, 0.0, y * FLOATS.log(c)) if c == 0.0 else y * FLOATS.log(c),),
    "{c} ** {0}",
    derivative="cˣ·ln c (0 for c = 0 ≤ x)",
    domain=lambda x: x < 10,
    example=2.0,
)
NEG = Op("neg", lambda m, c, x: -x, lambda m, c, y, x: (-1.0,), "-{0}", derivative="−1")

# --- sums: a neuron's z = Σᵢ wᵢxᵢ + b is ONE node, not n products and n sums -----------------
# Its inputs are (w₁…wₙ, x₁…xₙ, b), or without b, and c = n. The sum runs in the order of the
# op-by-op graph, ((b + w₁x₁) + w₂x₂) + …, so z is bit for bit what it gives.
#   ∂z/∂wᵢ = xᵢ ,  ∂z/∂xᵢ = wᵢ ,  ∂z/∂b = 1
DOT = Op(
    "Σ",
    lambda m, n, *v: m.sum(map(mul, v[:n], v[n : 2 * n]), v[2 * n] if len(v) > 2 * n else 0.0),
    lambda m, n, y, *v: v[n : 2 * n] + v[:n] + (1.0,) * (len(v) - 2 * n),
    call="dot(w, x, b)",
    derivative="∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1",
    domain=None,
)
# The same with numbers x₁…xₙ, kept in the node as c: its inputs are (w₁…wₙ) or (w₁…wₙ, b)
DOT_C = Op(
    "Σ",
    lambda m, c, *v: m.sum(map(mul, v, c), v[-1] if len(v) > len(c) else 0.0),
    lambda m, c, y, *v: (*c, 1.0)[: len(v)],
    domain=None,
)
# y = x₁ + x₂ + … (or c + x₁ + …, when there is a constant c): every ∂y/∂xᵢ = 1
SUM = Op(
    "Σ",
    lambda m, c, *x: m.sum(x[1:], x[0]) if c is None else m.sum(x, c),
    lambda m, c, y, *x: (1.0,) * len(x),
    call="total(xs)",
    derivative="1 for each",
    domain=None,
)

# --- elementary functions -------------------------------------------------------------------
ABS = Op(
    "abs",
    lambda m, c, x: abs(x),
    lambda m, c, y, x: (m.sign(x),),
    call="abs(x)",
    derivative="sign(x)",
    kink=abs,
)
EXP = Op(
    "exp",
    lambda m, c, x: m.exp(x),
    lambda m, c, y, x: (y,),
    call="exp(x)",
    derivative="eˣ",
    domain=lambda x: x < 5,
)
LOG = Op(
    "log",
    lambda m, c, x: m.log(x),
    lambda m, c, y, x: (m.div(1.0, x),),
    call="log(x)",
    derivative="1/x",
    domain=lambda x: x > 0.2,
)
SQRT = Op(
    "sqrt",
    lambda m, c, x: m.sqrt(x),
    lambda m, c, y, x: (m.div(0.5, y),),
    call="sqrt(x)",
    derivative="1/(2√x)",
    domain=lambda x: x > 0.2,
)
SIN = Op("sin", lambda m, c, x: m.sin(x), lambda m, c, y, x: (m.cos(x),), call="sin(x)", derivative="cos x")
COS = Op("cos", lambda m, c, x: m.cos(x), lambda m, c, y, x: (-m.sin(x),), call="cos(x)", derivative="−sin x")
TAN = Op(
    "tan",
    lambda m, c, x: m.tan(x),
    lambda m, c, y, x: (1.0 + y * y,),
    call="tan(x)",
    derivative="1 + tan² x",
    domain=lambda x: abs(x) < 1.2,
)
ARCTAN = Op(
    "arctan",
    lambda m, c, x: m.atan(x),
    lambda m, c, y, x: (1.0 / (1.0 + x * x),),
    call="arctan(x)",
    derivative="1/(1 + x²)",
)

# --- activations ----------------------------------------------------------------------------
TANH = Op(
    "tanh",
    lambda m, c, x: m.tanh(x),
    lambda m, c, y, x: (1.0 - y * y,),
    call="tanh(x)",
    derivative="1 − tanh² x",
)
SIGMOID = Op(
    "sigmoid",
    lambda m, c, x: m.sigmoid(x),
    lambda m, c, y, x: (y * (1.0 - y),),
    call="sigmoid(x)",
    derivative="σ(x)(1 − σ(x))",
)
RELU = Op(
    "relu",
    lambda m, c, x: m.where(x <= 0.0, 0.0, x),
    lambda m, c, y, x: (m.where(x <= 0.0, None, 1.0),),  # nan: 1, as PyTorch
    call="relu(x)",
    derivative="none for x ≤ 0, else 1",
    kink=abs,
)
LEAKY_RELU = Op(
    "leaky_relu",
    lambda m, c, x: m.where(x > 0.0, x, c * x),
    lambda m, c, y, x: (m.where(x > 0.0, 1.0, c),),
    call="leaky_relu(x, k=0.01)",
    derivative="1 for x > 0, else k",
    kink=abs,
)
# a learned slope a: ∂/∂x = 1 or a; ∂/∂a = none for x > 0, else x
PRELU = Op(
    "prelu",
    lambda m, c, x, a: m.where(x > 0.0, x, a * x),
    lambda m, c, y, x, a: (m.where(x > 0.0, 1.0, a), m.where(x > 0.0, None, x)),
    call="prelu(x, a)",
    derivative="∂/∂x = 1 for x > 0, else a; ∂/∂a = none for x > 0, else x",
    kink=lambda x, a: abs(x),
)
# αeˣ below 0, not y + α: that cancels catastrophically for very negative x (nan: 1, as PyTorch)
ELU = Op(
    "elu",
    lambda m, c, x: m.where(x > 0.0, x, c * m.expm1(x)),
    lambda m, c, y, x: (m.where(x <= 0.0, c * m.exp(x), 1.0),),
    call="elu(x, alpha=1.0)",
    derivative="αeˣ for x ≤ 0, else 1",
    kink=abs,
)
SOFTPLUS = Op(
    "softplus",
    lambda m, c, x: m.softplus(x),
    lambda m, c, y, x: (m.sigmoid(x),),
    call="softplus(x)",
    derivative="σ(x)",
)
# softsign'(x) = 1/(1+|x|)², not sgn(x)/(1+x)² (a typo some notes carry)
SOFTSIGN = Op(
    "softsign",
    lambda m, c, x: m.softsign(x),
    lambda m, c, y, x: (1.0 / ((1.0 + abs(x)) * (1.0 + abs(x))),),
    call="softsign(x)",
    derivative="1/(1 + |x|)²",
)
# clamped to [lo, hi] = c; the gradient flows strictly inside only (and for nan, as PyTorch)
HARDTANH = Op(
    "hardtanh",
    lambda m, c, x: m.where(x < c[0], c[0], m.where(x > c[1], c[1], x)),
    lambda m, c, y, x: (m.where(x <= c[0], None, m.where(x >= c[1], None, 1.0)),),
    call="hardtanh(x, min_val=-1.0, max_val=1.0)",
    derivative="none for x ≤ min_val or x ≥ max_val, else 1",
    kink=lambda x: abs(abs(x) - 1.0),
    constraint=(lambda c: c[0] < c[1], "min_val must be below max_val"),
)
SIGN = Op(
    "sign",
    lambda m, c, x: m.sign(x),
    lambda m, c, y, x: (None,),
    call="sign(x)",
    derivative="none (piecewise constant)",
    domain=None,
)
STEP = Op(
    "step",
    lambda m, c, x: m.step(x),
    lambda m, c, y, x: (None,),
    call="step(x)",
    derivative="none (piecewise constant)",
    domain=None,
)
# the larger input gets the gradient; a tie splits it; with a nan both get it (PyTorch)
MAXIMUM = Op(
    "max",
    lambda m, c, a, b: m.maximum(a, b),
    lambda m, c, y, a, b: (
        m.where(m.eq(a, b), 0.5, m.where(a < b, None, 1.0)),
        m.where(m.eq(a, b), 0.5, m.where(a > b, None, 1.0)),
    ),
    call="maximum(a, b)",
    derivative="1 to the larger, none to the other; ½ each on a tie; 1 to each if one is nan",
    kink=lambda a, b: abs(a - b),
)
MINIMUM = Op(
    "min",
    lambda m, c, a, b: m.minimum(a, b),
    lambda m, c, y, a, b: (
        m.where(m.eq(a, b), 0.5, m.where(a > b, None, 1.0)),
        m.where(m.eq(a, b), 0.5, m.where(a < b, None, 1.0)),
    ),
    call="minimum(a, b)",
    derivative="1 to the smaller, none to the other; ½ each on a tie; 1 to each if one is nan",
    kink=lambda a, b: abs(a - b),
)


def table() -> dict[str, Op]:
    """Every op of this module by its name here, lower case: ``{"add": ADD, ..., "tanh": TANH}``."""
    return {k.lower(): v for k, v in globals().items() if isinstance(v, Op)}


def functions() -> dict[str, Op]:
    """The ops users call by name (``tanh(x)``, ``maximum(a, b)``), by that name."""
    return {op.call.split("(")[0]: op for op in table().values() if op.call}


def markdown_table() -> str:
    """The README's table, one row per op with a ``derivative`` text: how it is called (its
    ``call``, or its ``formula`` with inputs a, b or x and constant c), the symbol of the node
    it makes, and its local derivatives ("none": no gradient flows there, not even an inf or
    nan δ)."""
    rows = ["| call | node | local derivative |", "|---|---|---|"]
    for op in table().values():
        if op.derivative:
            names = ("a", "b") if "{1}" in op.formula else ("x",)
            written = op.call or formula(op, "c", names, str)
            derivative = op.derivative.replace("|", r"\|")  # |x| inside a table cell
            rows.append(f"| `{written}` | `{op.name}` | {derivative} |")
    return "\n".join(rows)


# ------------------------------------------------------------------ reading nodes


def formula(op: Op, c: Any, names: Sequence[str], num: Callable[[float], str] = repr) -> str:
    """How a node made by ``op`` reads, given its inputs' ``names`` and ``num`` to show numbers:
    ``a + b``, ``2.0 - x``, ``x ** 3.0``, ``w1*x1 + w2*x2 + b``, ``tanh(z)``."""
    if op.formula:
        return op.formula.format(*names, c=num(c) if c is not None else "")
    if op is DOT:  # c = n: names = w₁ … wₙ, x₁ … xₙ (, b)
        terms = [f"{w}*{x}" for w, x in zip(names[:c], names[c : 2 * c])] + list(names[2 * c :])
        return " + ".join(terms) if terms else "0.0"
    if op is DOT_C:  # c = the numbers x₁ … xₙ: names = w₁ … wₙ (, b)
        terms = [f"{w}*{num(x)}" for w, x in zip(names, c)] + list(names[len(c) :])
        return " + ".join(terms) if terms else "0.0"
    if op is SUM:
        return " + ".join(([] if c is None else [num(c)]) + list(names))
    return f"{op.name}({', '.join(names)})"


def constants(op: Op, c: Any) -> tuple[float, ...]:
    """The plain numbers a node made by ``op`` takes as operands (drawn as constant boxes):
    the 2 of ``x * 2``, the exponent of ``x ** 3``, a Σ node's numeric inputs."""
    if "{c}" in op.formula or (op is SUM and c is not None):
        return (c,)
    if op is DOT_C:
        return tuple(c)
    return ()
