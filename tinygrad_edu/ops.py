"""The primitive operations: each op's forward and its local derivatives, side by side.

Every node of a computation graph was made by one of the ops below. An op is
two functions:

``forward(c, *x) -> y``
    the value, computed on plain floats. ``c`` is the op's constant (the
    exponent of ``x ** 3``, the slope ``k`` of a leaky ReLU, ...) or ``None``.

``local(m, c, y, *x) -> (∂y/∂x₁, ∂y/∂x₂, ...)``
    the *local* derivatives of the output with respect to each input. Backprop
    multiplies them by the output's gradient δ = ∂e/∂y and adds the products
    into the inputs' gradients (the chain rule).

``local`` is written once and runs in two modes. For ordinary backprop its
arguments are floats and ``m`` is :data:`FLOAT_MATH` below. For higher-order
derivatives (``backward(create_graph=True)``) its arguments are the graph's own
``Value`` nodes and ``m`` is the engine's graph math, so the derivative is
itself recorded as a graph and can be differentiated again. Rules therefore
use only arithmetic operators and the few functions on ``m``; a branch on the
sign of an input reads the number inside it with ``m.num(x)``, which works for both.

Numerics follow IEEE 754 and PyTorch: overflow gives ``inf``, ``log(0)`` is
``-inf``, ``log(-1)`` is ``nan``, ``1/0`` is ``inf`` with the sign of the
numerator. Python's ``math`` module raises instead; the ``*_`` helpers here
catch that so no ``OverflowError``, ``ZeroDivisionError`` or ``ValueError``
ever reaches a user.

Derivatives at kinks follow PyTorch: ``relu'(0) = 0``, ``abs'(0) = 0``,
``hardtanh'(±1) = 0``, ``leaky_relu'(0) = k``, ``elu'(0) = alpha``,
``prelu'(0) = a``, and ``maximum``/``minimum`` split the gradient equally on a
tie. ``sign`` and ``step`` are piecewise constant: their derivative is 0.
"""

from __future__ import annotations

import math
from operator import mul
from typing import Any, Callable, Iterable, NamedTuple, Optional, Sequence

inf = math.inf
nan = math.nan


# ---------------------------------------------------------------- float math
# IEEE-style versions of the math functions that Python makes raise.


def exp_(x: float) -> float:
    """eˣ; ``inf`` on overflow instead of ``OverflowError``."""
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def log_(x: float) -> float:
    """ln x; ``-inf`` at 0, ``nan`` below 0 (and for nan)."""
    if x > 0.0:
        return math.log(x)
    return -inf if x == 0.0 else nan


def sqrt_(x: float) -> float:
    """√x; ``nan`` below 0."""
    return math.sqrt(x) if x >= 0.0 else nan


def div_(a: float, b: float) -> float:
    """a / b; ``±inf`` for a nonzero a over 0 (sign of a·b, IEEE), ``nan`` for 0/0."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def _is_odd_integer(b: float) -> bool:
    return math.isfinite(b) and b == math.floor(b) and math.fmod(b, 2.0) != 0.0


def pow_(a: float, b: float) -> float:
    """aᵇ with C99/IEEE semantics: ``inf`` on overflow, ``nan`` for a < 0 and non-integer b."""
    try:
        return math.pow(a, b)
    except OverflowError:
        return -inf if a < 0.0 and _is_odd_integer(b) else inf
    except ValueError:
        if a == 0.0:  # 0 to a negative power: a pole, signed like a for odd b
            return math.copysign(inf, a) if _is_odd_integer(b) else inf
        return nan


def sigmoid_(x: float) -> float:
    """σ(x) = 1/(1+e⁻ˣ), evaluated so that exp never overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = exp_(x)  # x < 0 (or nan): e ≤ 1
    return e / (1.0 + e)


def softplus_(x: float) -> float:
    """ln(1+eˣ) = max(x, 0) + ln(1+e^−|x|): no overflow for any x."""
    return (x if x > 0.0 else 0.0) + math.log1p(exp_(-abs(x)))


def softsign_(x: float) -> float:
    """x / (1+|x|), with its limits ±1 at ±inf."""
    if math.isinf(x):
        return math.copysign(1.0, x)
    return x / (1.0 + abs(x))


def sign_(x: float) -> float:
    """−1, 0 or +1 (nan stays nan)."""
    if x != x:
        return nan
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


class FLOAT_MATH:
    """The functions a derivative rule may call, on floats. The engine has a twin on Values."""

    num = float  # the number inside x: x itself (float() of a float is that float, and a C call)
    exp = staticmethod(exp_)
    log = staticmethod(log_)
    sigmoid = staticmethod(sigmoid_)
    div = staticmethod(div_)
    pow = staticmethod(pow_)


# ---------------------------------------------------------------------- ops


class Op(NamedTuple):
    """A primitive operation: its name, its forward on floats, its local derivatives.

    ``template``, optional, is how a node made by the op reads as a formula, with
    ``{0}``, ``{1}`` for its inputs and ``{c}`` for its constant ("{c} - {0}");
    without one it reads ``name(inputs)`` (see :func:`formula`).

    ``backward``, optional, is a faster way to do what backprop does with ``local``
    on floats, for ops with many inputs: ``backward(c, y, delta, a, b)`` adds
    ∂y/∂xᵢ·δ into each input's ``.grad``, in the same order and with the same
    products as ``local`` would, so the gradients are bit for bit the same. ``a``
    and ``b`` are what the node keeps of its inputs (``Value._in``, ``_in2``): for
    ``DOT`` its (w₁…wₙ, b) and (x₁…xₙ), for other ops all inputs and None.
    """

    name: str
    forward: Callable[..., float]
    local: Callable[..., tuple[Any, ...]]
    template: str = ""
    backward: Optional[Callable[[Any, float, float, tuple[Any, ...], Any], None]] = None


def _step(x: float) -> float:
    return 1.0 if x > 0.0 else 0.0


def _pow_local(m: Any, c: None, y: Any, a: Any, b: Any) -> tuple[Any, Any]:
    # ∂(aᵇ)/∂a = b·aᵇ⁻¹ ; ∂(aᵇ)/∂b = aᵇ·ln a.  At a = 0 these are 0·∞ and 0·(−∞); like
    # PyTorch we give their limits, 0, there. Unlike PyTorch, ∂/∂a is not masked where
    # only b = 0: the rule b·aᵇ⁻¹ must stay in the graph so its derivative in b (1/a)
    # survives, or the Hessian of aᵇ at b = 0 comes out asymmetric.
    a0 = m.num(a) == 0.0
    da = 0.0 if a0 and m.num(b) == 0.0 else b * m.pow(a, b - 1.0)
    db = 0.0 if a0 and m.num(b) >= 0.0 else y * m.log(a)
    return da, db


def _maximum_local(m: Any, c: None, y: Any, a: Any, b: Any) -> tuple[float, float]:
    # the larger input gets the whole gradient; a tie splits it (PyTorch)
    fa, fb = m.num(a), m.num(b)
    if fa == fb:
        return 0.5, 0.5
    return (1.0, 0.0) if fa > fb else (0.0, 1.0)


def _minimum_local(m: Any, c: None, y: Any, a: Any, b: Any) -> tuple[float, float]:
    da, db = _maximum_local(m, c, y, a, b)
    return db, da


def _maximum(c: None, a: float, b: float) -> float:
    return a if a >= b or a != a else b  # nan in either input propagates


def _minimum(c: None, a: float, b: float) -> float:
    return a if a <= b or a != a else b


# --- arithmetic ---------------------------------------------------------------
ADD = Op("+", lambda c, a, b: a + b, lambda m, c, y, a, b: (1.0, 1.0), "{0} + {1}")
SUB = Op("-", lambda c, a, b: a - b, lambda m, c, y, a, b: (1.0, -1.0), "{0} - {1}")
MUL = Op("*", lambda c, a, b: a * b, lambda m, c, y, a, b: (b, a), "{0} * {1}")
# y = a/b:  ∂y/∂a = 1/b ; ∂y/∂b = −a/b² = −y/b
DIV = Op("/", lambda c, a, b: div_(a, b), lambda m, c, y, a, b: (m.div(1.0, b), -m.div(y, b)), "{0} / {1}")

# The same ops with a plain number c on one side. The number is kept in the node
# (its ``c``) instead of becoming a leaf of its own: ``w * 2.0`` is one node, not two.
# Each gives bit for bit what the two-Value op gives (IEEE + and * are commutative).
ADD_C = Op("+", lambda c, x: x + c, lambda m, c, y, x: (1.0,), "{0} + {c}")  # x + c  and  c + x
SUB_C = Op("-", lambda c, x: x - c, lambda m, c, y, x: (1.0,), "{0} - {c}")  # x − c
RSUB_C = Op("-", lambda c, x: c - x, lambda m, c, y, x: (-1.0,), "{c} - {0}")  # c − x
MUL_C = Op("*", lambda c, x: x * c, lambda m, c, y, x: (c,), "{0} * {c}")  # x·c  and  c·x
DIV_C = Op("/", lambda c, x: div_(x, c), lambda m, c, y, x: (div_(1.0, c),), "{0} / {c}")  # x / c
# c / x: ∂/∂x = −c/x² = −y/x
RDIV_C = Op("/", lambda c, x: div_(c, x), lambda m, c, y, x: (-m.div(y, x),), "{c} / {0}")


# --- n-ary sums -----------------------------------------------------------------
# A neuron's pre-activation z = Σᵢ wᵢxᵢ + b as ONE node instead of 2n: n products and
# n sums would each be a Python object, with their own δ, that nobody looks at.
# The sum runs in the order of the two-Value ops, ((b + w₁x₁) + w₂x₂) + ..., so z is
# bit for bit what ``sum((w * x for ...), b)`` gives (on Python ≤ 3.11; from 3.12
# ``sum`` of floats is compensated, and z may differ in the last bit or so).
#   ∂z/∂wᵢ = xᵢ ,  ∂z/∂xᵢ = wᵢ ,  ∂z/∂b = 1


def dot_sum(w: Iterable[float], x: Iterable[float], b: float) -> float:
    """((b + w₁x₁) + w₂x₂) + …: the number every Σ node holds. The engine calls it on
    its inputs' data directly, without first packing them into an argument tuple."""
    return sum(map(mul, w, x), b)


def _dot(n: int, *v: float) -> float:
    # v = (w₁ … wₙ, x₁ … xₙ) or (w₁ … wₙ, x₁ … xₙ, b)
    return dot_sum(v[:n], v[n : 2 * n], v[2 * n] if len(v) > 2 * n else 0.0)


def _dot_local(m: Any, n: int, y: Any, *v: Any) -> tuple[Any, ...]:
    return (*v[n : 2 * n], *v[:n], 1.0)[: len(v)]


def _adds_only_zeros(y: float, delta: float) -> bool:
    """δ = 0 into a Σ node with a finite value: every product ∂y/∂xᵢ·δ is ±0 (y finite means
    every wᵢ, xᵢ, b is finite), and adding ±0 to a gradient changes it only if it is exactly
    −0.0, which sums that start at +0.0 never are. A dead ReLU sends δ = 0 to a third to a half
    of a network's Σ nodes: skipping them saves that share of backprop's biggest loops."""
    return delta == 0.0 and -inf < y < inf


def _dot_backward(n: int, y: float, delta: float, wb: tuple[Any, ...], xs: tuple[Any, ...]) -> None:
    # _dot_local's products without building its tuple of 2n + 1 numbers: about twice as
    # fast for a 16-input neuron. Same order as zip(inputs, local): all w, then all x, then b.
    # The node keeps wb = (w₁…wₙ) or (w₁…wₙ, b) and xs = (x₁…xₙ); zip stops at xₙ.
    if _adds_only_zeros(y, delta):
        return
    for w, x in zip(wb, xs):
        w.grad += x.data * delta
    for w, x in zip(wb, xs):
        x.grad += w.data * delta
    if len(wb) > n:
        wb[n].grad += 1.0 * delta


def _dot_c(c: tuple[float, ...], *v: float) -> float:
    # v = (w₁ … wₙ) or (w₁ … wₙ, b), and c = (x₁ … xₙ), numbers
    return dot_sum(v, c, v[-1] if len(v) > len(c) else 0.0)


def _dot_c_local(m: Any, c: tuple[float, ...], y: Any, *v: Any) -> tuple[Any, ...]:
    return (*c, 1.0)[: len(v)]


def _dot_c_backward(c: tuple[float, ...], y: float, delta: float, v: tuple[Any, ...], _: None) -> None:
    # _dot_c_local's products in its order (all w, then b), skipping a δ of 0 as _dot_backward
    if _adds_only_zeros(y, delta):
        return
    for w, x in zip(v, c):
        w.grad += x * delta
    if len(v) > len(c):
        v[-1].grad += 1.0 * delta


DOT = Op("Σ", _dot, _dot_local, backward=_dot_backward)  # Σ wᵢxᵢ (+ b), every wᵢ and xᵢ a Value; c = n
DOT_C = Op("Σ", _dot_c, _dot_c_local, backward=_dot_c_backward)  # Σ wᵢcᵢ (+ b), the xᵢ = cᵢ plain numbers
# y = x₁ + x₂ + … (or c + x₁ + …, when there is a constant c): every ∂y/∂xᵢ = 1
SUM = Op("Σ", lambda c, *x: sum(x[1:], x[0]) if c is None else sum(x, c), lambda m, c, y, *x: (1.0,) * len(x))
NEG = Op("neg", lambda c, x: -x, lambda m, c, y, x: (-1.0,))
# y = xᶜ for a constant c: ∂y/∂x = c·xᶜ⁻¹ (0 when c = 0, as PyTorch)
POW_CONST = Op(
    "**",
    lambda c, x: pow_(x, c),
    lambda m, c, y, x: (0.0 if c == 0.0 else c * m.pow(x, c - 1.0),),
    "{0} ** {c}",
)
# y = aᵇ with both a Value
POW = Op("**", lambda c, a, b: pow_(a, b), _pow_local, "{0} ** {1}")
# y = cˣ for a constant base c: ∂y/∂x = cˣ·ln c (0 where c = 0 and x ≥ 0, as PyTorch)
RPOW = Op(
    "**",
    lambda c, x: pow_(c, x),
    lambda m, c, y, x: (0.0 if c == 0.0 and m.num(x) >= 0.0 else y * log_(c),),
    "{c} ** {0}",
)
ABS = Op("abs", lambda c, x: abs(x), lambda m, c, y, x: (sign_(m.num(x)),))
MAXIMUM = Op("max", _maximum, _maximum_local)
MINIMUM = Op("min", _minimum, _minimum_local)

# --- elementary functions -----------------------------------------------------
EXP = Op("exp", lambda c, x: exp_(x), lambda m, c, y, x: (y,))  # (eˣ)' = eˣ
LOG = Op("log", lambda c, x: log_(x), lambda m, c, y, x: (m.div(1.0, x),))  # (ln x)' = 1/x
SQRT = Op("sqrt", lambda c, x: sqrt_(x), lambda m, c, y, x: (m.div(0.5, y),))  # (√x)' = 1/(2√x)
ARCTAN = Op("arctan", lambda c, x: math.atan(x), lambda m, c, y, x: (1.0 / (1.0 + x * x),))

# --- activations --------------------------------------------------------------
TANH = Op("tanh", lambda c, x: math.tanh(x), lambda m, c, y, x: (1.0 - y * y,))  # 1 − tanh²
SIGMOID = Op("sigmoid", lambda c, x: sigmoid_(x), lambda m, c, y, x: (y * (1.0 - y),))  # σ(1−σ)
RELU = Op(
    "relu", lambda c, x: 0.0 if x <= 0.0 else x, lambda m, c, y, x: (1.0 if m.num(x) > 0.0 else 0.0,)
)
# leaky(x) = x for x > 0, k·x otherwise; derivative k at 0 (PyTorch)
LEAKY_RELU = Op(
    "leaky_relu",
    lambda c, x: x if x > 0.0 else c * x,
    lambda m, c, y, x: (1.0 if m.num(x) > 0.0 else c,),
)
# prelu(x, a) = x for x > 0, a·x otherwise, with a learnable slope a
PRELU = Op(
    "prelu",
    lambda c, x, a: x if x > 0.0 else a * x,
    lambda m, c, y, x, a: (1.0, 0.0) if m.num(x) > 0.0 else (a, x),
)
# elu(x) = x for x > 0, α(eˣ − 1) otherwise; derivative αeˣ for x ≤ 0 (PyTorch: α at 0).
# αeˣ, not y + α: the latter cancels catastrophically for very negative x.
ELU = Op(
    "elu",
    lambda c, x: x if x > 0.0 else c * math.expm1(x),
    lambda m, c, y, x: (1.0 if m.num(x) > 0.0 else c * m.exp(x),),
)
SOFTPLUS = Op("softplus", lambda c, x: softplus_(x), lambda m, c, y, x: (m.sigmoid(x),))
# softsign'(x) = 1/(1+|x|)²  (ERRATA: not sgn(x)/(1+x)²)
SOFTSIGN = Op(
    "softsign",
    lambda c, x: softsign_(x),
    lambda m, c, y, x: (1.0 / ((1.0 + abs(x)) * (1.0 + abs(x))),),
)
# hardtanh clamps to [lo, hi] = c; derivative 1 strictly inside, 0 outside and at the kinks
HARDTANH = Op(
    "hardtanh",
    lambda c, x: min(max(x, c[0]), c[1]),
    lambda m, c, y, x: (1.0 if c[0] < m.num(x) < c[1] else 0.0,),
)
SIGN = Op("sign", lambda c, x: sign_(x), lambda m, c, y, x: (0.0,))
STEP = Op("step", lambda c, x: nan if x != x else _step(x), lambda m, c, y, x: (0.0,))


# ------------------------------------------------------------------ reading nodes


def formula(op: Op, c: Any, names: Sequence[str], num: Callable[[float], str] = repr) -> str:
    """How a node made by ``op`` reads, given its inputs' ``names`` and ``num`` to show numbers:
    ``a + b``, ``2.0 - x``, ``x ** 3.0``, ``w1*x1 + w2*x2 + b``, ``tanh(z)``."""
    if op.template:
        return op.template.format(*names, c=num(c) if c is not None else "")
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
    if "{c}" in op.template or (op is SUM and c is not None):
        return (c,)
    if op is DOT_C:
        return tuple(c)
    return ()
