"""Gradient clipping, in place: by value (each component) or by the total norm (the direction kept)."""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from ..checks import as_float, flag, real, value_error
from ..engine import Value
from .parameters import grads_as_floats, parameter_list

__all__ = ["clip_grad_norm", "clip_grad_value"]

_SMALLEST_NORMAL = 2.2250738585072014e-308  # below it a float loses precision (subnormal), then becomes 0


def clip_grad_value(params: Iterable[Value], clip_value: float) -> None:
    """Clamp every gradient to [−c, c] in place: g ← min(max(g, −c), c).

    As ``torch.nn.utils.clip_grad_value_``: each component is clipped on its
    own, so the gradient's direction may change (compare
    :func:`clip_grad_norm`). nan stays nan. ``c`` must be a finite number ≥ 0.

    >>> a, b = Value(0.0), Value(0.0)
    >>> a.grad, b.grad = 5.0, -0.5
    >>> clip_grad_value([a, b], 1.0)
    >>> a.grad, b.grad
    (1.0, -0.5)
    """
    where = "clip_grad_value"
    ps = parameter_list(params, where, allow_empty=True)
    c = real(clip_value, where, "clip_value", low=0.0)
    for p, g in zip(ps, grads_as_floats(ps, where)):
        p.grad = min(max(g, -c), c)  # a nan stays nan: max and min keep their first argument


def clip_grad_norm(
    params: Iterable[Value],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Rescale all gradients together so that their norm is at most about ``max_norm``; return the norm.

    As ``torch.nn.utils.clip_grad_norm_``: with the total norm
    ‖g‖ = (Σᵢ|gᵢ|ᵖ)^(1/p) over every parameter's gradient (p = ``norm_type``,
    2 by default; ``math.inf`` gives maxᵢ|gᵢ|), every gradient is multiplied
    by min(1, max_norm/(‖g‖ + 1e-6)). The direction is kept; only the length
    changes, which is the usual cure for exploding gradients (note 003). The
    1e-6 guards against division by zero and makes the clipped norm slightly
    less than ``max_norm`` (and clips, very slightly, a norm within 1e-6
    below it, exactly as PyTorch does).

    Returns the total norm *before* clipping, as a float (PyTorch returns a
    tensor). No parameters: 0.0. A nan or inf norm propagates (every gradient
    becomes nan, or 0 and nan) unless ``error_if_nonfinite=True``, which
    raises a ValueError instead and leaves the gradients untouched.

    The norm is computed as m·(Σᵢ(|gᵢ|/m)ᵖ)^(1/p) with m = maxᵢ|gᵢ|, so it
    neither overflows nor underflows on the way: it is inf only when the
    norm itself exceeds the float range (e.g. 3 unit gradients with
    p = 0.001 have norm 3¹⁰⁰⁰). Where PyTorch's float64 Σ|gᵢ|ᵖ overflows or
    underflows (‖(1e200, 1e200)‖₂, ‖(1e-200, 1e-200)‖₂) it returns inf or
    0; this returns the true norm (1.41e200, 1.41e-200).

    >>> a, b = Value(0.0), Value(0.0)
    >>> a.grad, b.grad = 3.0, 4.0
    >>> clip_grad_norm([a, b], max_norm=1.0)       # ‖(3, 4)‖ = 5
    5.0
    >>> round(a.grad, 6), round(b.grad, 6)         # (3, 4)/5
    (0.6, 0.8)
    """
    where = "clip_grad_norm"
    ps = parameter_list(params, where, allow_empty=True)
    max_norm = real(max_norm, where, "max_norm", low=0.0)
    order = "a number > 0 (math.inf for the largest |g|)"
    order_p = as_float(norm_type, where, "norm_type", order)
    if not order_p > 0.0:  # also rejects nan
        value_error(where, "norm_type", order, norm_type)
    error_if_nonfinite = flag(error_if_nonfinite, where, "error_if_nonfinite")
    grads = grads_as_floats(ps, where)
    total = _norm(grads, order_p)
    if error_if_nonfinite and not math.isfinite(total):
        raise ValueError(
            f"{where}: the gradients' total norm of order {order_p:g} must be finite with "
            f"error_if_nonfinite=True (False clips anyway), got float {total!r}"
        )
    coef = min(max_norm / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
    for p, g in zip(ps, grads):
        p.grad = g * coef
    return total


def _norm(xs: Sequence[float], p: float) -> float:
    """‖x‖ₚ = (Σ|xᵢ|ᵖ)^(1/p) for p > 0, as m·(Σ(|xᵢ|/m)ᵖ)^(1/p) with m = max|xᵢ|; max|xᵢ| for p = inf.

    Every term (|xᵢ|/m)ᵖ lies in [0, 1] and the largest is exactly 1, so the
    sum s is in [1, n]: nothing overflows before the last step, m·s^(1/p),
    which is inf only when the norm itself is. nan wins.
    """
    if not xs:
        return 0.0
    if any(math.isnan(x) for x in xs):
        return math.nan
    m = max(abs(x) for x in xs)
    if p == math.inf or m == 0.0 or m == math.inf:
        return m
    if p == 2.0:
        return math.hypot(*xs)
    s = math.fsum(_ratio_power(abs(x), m, p) for x in xs)
    return _times_root(m, s, p)


def _ratio_power(x: float, m: float, p: float) -> float:
    """(x/m)ᵖ for 0 ≤ x ≤ m, m > 0, also when x/m underflows but (x/m)ᵖ does not (p small).

    A small p makes every nonzero gradient count: (1e-26/1e298)^(5e-324) is 1 to
    15 digits, though 1e-324 is below the smallest float. So an underflowing
    x/m = (a/b)·2^(i−j) (frexp: x = a·2^i, m = b·2^j) is raised as 2^(p·log₂(x/m))
    with log₂(x/m) = log₂(a/b) + (i − j), which needs no number below the float range.
    """
    r = x / m
    if r >= _SMALLEST_NORMAL or x == 0.0:  # 0ᵖ = 0 for p > 0
        return math.pow(r, p)
    a, i = math.frexp(x)
    b, j = math.frexp(m)
    return math.pow(2.0, p * (math.log2(a / b) + (i - j)))


def _times_root(m: float, s: float, p: float) -> float:
    """m·s^(1/p) for m > 0, s ≥ 1 and p > 0; +inf only when the product itself does not fit a float."""
    inverse = 1.0 / p  # +inf for a subnormal p; then s^(1/p) is 1 for s = 1 and inf otherwise
    try:
        return m * math.pow(s, inverse)
    except OverflowError:  # s^(1/p) alone overflows, but m·s^(1/p) may fit: m = 1e-300, s = 3, p = 1e-3
        pass
    # s^(1/p) = 2^e with e = log₂(s)/p = k + f (k an integer, 0 ≤ f < 1), and m = μ·2^j exactly
    # (frexp), so m·s^(1/p) = (μ·2^f)·2^(j + k), whose ldexp overflows only if the result does
    e = math.log2(s) * inverse
    if not e < 2200.0:  # m ≥ 2⁻¹⁰⁷⁴, so m·2^e > 2¹⁰²⁴: overflow (also avoids floor(inf))
        return math.inf
    k = math.floor(e)
    mu, j = math.frexp(m)
    try:
        return math.ldexp(mu * 2.0 ** (e - k), j + k)
    except OverflowError:
        return math.inf
