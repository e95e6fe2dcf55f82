"""Loss functions and weight penalties, composed from :class:`~tinygrad_edu.engine.Value` ops.

Nothing here has a derivative rule of its own: every loss is built from the
engine's ops (``+ − × ÷ **``, ``exp``, ``log``, ``softplus``, ``relu``, ``abs``,
``maximum``), so its gradient is backprop through them, and second derivatives
work too. Where a docstring names a PyTorch counterpart, the function matches it
in float64, value and gradient, to 1e-9 relative, except where it says otherwise.

Conventions shared by every function here:

* **Numbers and Values mix freely.** A plain real number is lifted to a constant
  ``Value`` leaf. Anything else (a string, ``None``, a ``Value`` where a sequence
  is expected) is a ``TypeError`` that names the function, the argument and the
  value.
* **A batch is an iterable** (a list, a tuple, a generator; it is read once) of
  per-sample entries. ``reduction="mean"`` (the default) averages the per-sample
  losses and ``reduction="sum"`` adds them; anything else is a ``ValueError``.
* **An empty batch is a ValueError.** PyTorch returns nan for its mean and 0 for
  its sum; here it is treated as the bug it usually is (an exhausted generator).
* **IEEE numerics, as in the engine.** Large inputs never raise, and nan in gives
  nan out. Inputs are validated only where the math has a domain: probabilities
  in [0, 1], labels ±1, class indices in range, a margin ≥ 0.

>>> from tinygrad_edu import Value
>>> z = [Value(2.0), Value(1.0), Value(0.1)]
>>> loss = cross_entropy(z, 0)        # −ln softmax(z)₀
>>> loss.backward()
>>> round(loss.data, 4), [round(x.grad, 4) for x in z]      # ∂/∂zᵢ = softmax(z)ᵢ − [i = 0]
(0.417, [-0.341, 0.2424, 0.0986])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any, Union

from .checks import as_float, is_real, message, short, type_error, value_error
from .engine import Value, ValueLike, dot, maximum, total

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "l1",
    "l2",
    "log_softmax",
    "max_margin",
    "mse",
    "softmax",
    "squared_error",
    "svm_loss",
    "weight_elimination",
]

#: One sample's logits, or a batch of them (rows of equal length).
Logits = Union[Iterable[ValueLike], Iterable[Iterable[ValueLike]]]
#: One sample's target (a class index or a probability vector), or a batch of them.
Target = Union[int, Iterable[ValueLike], Iterable[Union[int, Iterable[ValueLike]]]]

_LOG_FLOOR = -100.0  # PyTorch clamps each log of binary_cross_entropy at −100
_P_FLOOR = math.exp(_LOG_FLOOR)  # e⁻¹⁰⁰ ≈ 3.7e-44; its ln is −100.0 exactly in double precision
_SUM_TOLERANCE = 1e-6  # how far from 1 a probability-vector target may sum


# ------------------------------------------------------------------ input


def _is_scalar(x: Any) -> bool:
    return isinstance(x, Value) or is_real(x)


def _value(x: Any, fn: str, arg: str) -> Value:
    """x as a Value: itself, or a constant leaf for a real number; a TypeError naming ``fn`` and ``arg``."""
    if isinstance(x, Value):
        return x
    if not is_real(x):
        type_error(fn, arg, "a Value or a real number", x)
    return Value(as_float(x, fn, arg))


def _items(xs: Any, fn: str, arg: str, hint: str = "") -> list[Any]:
    """The entries of a batch argument; TypeError for a scalar or non-iterable, ValueError if empty."""
    if _is_scalar(xs) or isinstance(xs, (str, bytes)) or not isinstance(xs, Iterable):
        raise TypeError(message(fn, arg, "an iterable of Values or numbers", xs) + hint)
    items = list(xs)
    if not items:
        raise ValueError(f"{fn}: {arg} is empty (an exhausted generator?); it needs at least one entry")
    return items


def _value_list(xs: Any, fn: str, arg: str, hint: str = "") -> list[Value]:
    return [_value(x, fn, f"{arg}[{i}]") for i, x in enumerate(_items(xs, fn, arg, hint))]


def _paired(
    a: Any, b: Any, fn: str, names: tuple[str, str], hint: str = ""
) -> tuple[list[Value], list[Value]]:
    xs, ys = _value_list(a, fn, names[0], hint), _value_list(b, fn, names[1], hint)
    if len(xs) != len(ys):
        raise ValueError(f"{fn}: {names[0]} has {len(xs)} entries but {names[1]} has {len(ys)}")
    return xs, ys


def _check_reduction(reduction: Any, fn: str) -> None:
    if not isinstance(reduction, str) or reduction not in ("mean", "sum"):
        value_error(fn, "reduction", "'mean' or 'sum'", reduction)


def _check_unit_interval(xs: list[Value], fn: str, arg: str, hint: str = "") -> None:
    for i, x in enumerate(xs):
        if not 0.0 <= x.data <= 1.0:  # False for nan too
            raise ValueError(f"{fn}: {arg}[{i}] = {x.data!r} is not in [0, 1]{hint}")


# -------------------------------------------------------------- reductions


def _total(terms: list[Value]) -> Value:
    """t₀ + t₁ + … (at least one term) as one Σ node, the same number as adding them one by one."""
    return terms[0] if len(terms) == 1 else total(terms)


def _reduce(terms: list[Value], reduction: str) -> Value:
    total = _total(terms)
    return total / len(terms) if reduction == "mean" else total


# ------------------------------------------------------------- regression


def squared_error(prediction: ValueLike, target: ValueLike) -> Value:
    """e = (p − t)², the squared error of one prediction (note 004's eₙ = (s⁽ᴸ⁾ − yₙ)²).

    Its derivative ∂e/∂p = 2(p − t) is the output δ of note 004's backprop
    (whose slides lost the minus sign). Defined for all real p and t; overflows
    to inf for |p − t| > 1.3e154. ``mse(predictions, targets, reduction="sum")``
    is the sum of these over a batch.

    >>> p = Value(3.0)
    >>> e = squared_error(p, 1.0)
    >>> e.backward()
    >>> e.data, p.grad          # (3 − 1)², 2·(3 − 1)
    (4.0, 4.0)
    """
    if not _is_scalar(prediction):
        raise TypeError(
            message("squared_error", "prediction", "a Value or a real number", prediction)
            + "; for a batch use mse"
        )
    p = _value(prediction, "squared_error", "prediction")
    t = _value(target, "squared_error", "target")
    return (p - t) ** 2


def mse(predictions: Iterable[ValueLike], targets: Iterable[ValueLike], reduction: str = "mean") -> Value:
    """The mean squared error (1/N)·Σₙ (pₙ − tₙ)², or with ``reduction="sum"`` the summed
    squared error Σₙ (pₙ − tₙ)², over a batch of N ≥ 1 predictions and as many targets.

    Matches ``torch.nn.functional.mse_loss``. ∂/∂pₙ = 2(pₙ − tₙ)/N (mean) or
    2(pₙ − tₙ) (sum). Defined for all reals; large differences overflow to inf.

    >>> mse([Value(2.0), 0.5], [1.0, 0.5]).data                  # ((2 − 1)² + 0²)/2
    0.5
    >>> mse([Value(2.0), 0.5], [1.0, 0.5], reduction="sum").data
    1.0
    """
    _check_reduction(reduction, "mse")
    ps, ts = _paired(predictions, targets, "mse", ("predictions", "targets"), "; for one use squared_error")
    return _reduce([(p - t) ** 2 for p, t in zip(ps, ts)], reduction)


# ---------------------------------------------------------- binary labels


def _clamped_log(x: Value) -> Value:
    """max(ln x, −100), computed as ln(max(x, e⁻¹⁰⁰)).

    The two are equal (ln is increasing, and ln(e⁻¹⁰⁰) rounds to exactly −100.0),
    but only the second is safe at x = 0: ``maximum(x.log(), -100)`` would pass its
    zero gradient through a log node whose local derivative is 1/0 = inf, and
    inf·0 = nan. Below e⁻¹⁰⁰ the gradient to x is 0: the term is constant there.
    """
    return maximum(x, _P_FLOOR).log()


def binary_cross_entropy(
    probabilities: Iterable[ValueLike], targets: Iterable[ValueLike], reduction: str = "mean"
) -> Value:
    """Binary cross-entropy from probabilities: the mean (or sum) over n of

        −[yₙ·max(ln pₙ, −100) + (1 − yₙ)·max(ln(1 − pₙ), −100)]

    with pₙ ∈ [0, 1] the predicted probability of class 1 and yₙ ∈ [0, 1] its
    target (0/1 labels, or soft labels). Matches
    ``torch.nn.functional.binary_cross_entropy``, including its clamp of each log
    at −100, so p = 0 or 1 gives a finite loss (at most 100 per sample) and never
    nan. A probability or target outside [0, 1] (or nan) is a ValueError.

    Gradient: ∂/∂p = (p − y)/(p(1 − p)) and ∂/∂y = ln(1 − p) − ln p (over N for
    the mean), the same as PyTorch's wherever p(1 − p) ≥ 1e-12. Closer to 0 or 1
    they differ, by design. PyTorch's backward is a separate formula,
    (p − y)/max(p(1 − p), ε) with ε = float32(1e-12), which there is not the
    derivative of its own forward: at p = 0 it gives −1/ε ≈ −1e12 for y = 1 and 0
    for y = 0, where the derivative of its loss is 0 and 1. Ours is always the
    exact derivative of the loss computed, so it agrees with central
    differences: a clamped log (p or 1 − p below e⁻¹⁰⁰) is constant and passes
    no gradient, so at p = 0, ∂/∂p = 1 − y and ∂/∂y = 100 (PyTorch: inf). For
    scores rather than probabilities use
    :func:`binary_cross_entropy_with_logits`, exact and stable everywhere.

    >>> p = [Value(0.8), Value(0.4)]
    >>> loss = binary_cross_entropy(p, [1, 0])          # −(ln 0.8 + ln 0.6)/2
    >>> round(loss.data, 6)
    0.366985
    >>> binary_cross_entropy([0.0], [1.0]).data         # ln 0 clamped at −100
    100.0
    """
    fn = "binary_cross_entropy"
    _check_reduction(reduction, fn)
    ps, ys = _paired(probabilities, targets, fn, ("probabilities", "targets"))
    _check_unit_interval(ps, fn, "probabilities", " (for scores, use binary_cross_entropy_with_logits)")
    _check_unit_interval(ys, fn, "targets")
    # −y·ln p − (1 − y)·ln(1 − p), arranged so that a zero loss is +0.0 rather than −0.0
    terms = [-y * _clamped_log(p) - (1.0 - y) * _clamped_log(1.0 - p) for p, y in zip(ps, ys)]
    return _reduce(terms, reduction)


def _logit_term(z: Value, y: Value) -> Value:
    """softplus(z) − y·z, written so that both added terms are ≥ 0 (for y in [0, 1])."""
    if z.data >= 0.0:
        return (1.0 - y) * z + (-z).softplus()  # softplus(z) = z + softplus(−z)
    return z.softplus() - y * z  # nan logits land here and give nan


def binary_cross_entropy_with_logits(
    logits: Iterable[ValueLike], targets: Iterable[ValueLike], reduction: str = "mean"
) -> Value:
    """Binary cross-entropy of σ(z) from scores (logits) z: the mean (or sum) over n of

        −[yₙ·ln σ(zₙ) + (1 − yₙ)·ln(1 − σ(zₙ))] = softplus(zₙ) − yₙ·zₙ

    with targets yₙ ∈ [0, 1] (0/1 labels or soft labels; outside is a
    ValueError) and any real zₙ. ∂/∂zₙ = σ(zₙ) − yₙ (over N for the mean).
    Matches ``torch.nn.functional.binary_cross_entropy_with_logits``.

    Stable for logits of any magnitude: no exp overflows (softplus is stable)
    and the loss is never nan for finite input. For z ≥ 0 it is evaluated as
    (1 − y)·z + softplus(−z), the same number by softplus(z) = z + softplus(−z):
    both terms are then ≥ 0, so no digits cancel when y ≈ 1 and z is large (for
    y = 1, z = 40 the loss is e⁻⁴⁰ ≈ 4e-18, not 40 − 40 = 0).

    >>> z = Value(0.0)
    >>> loss = binary_cross_entropy_with_logits([z], [1.0])   # ln 2, σ(0) − 1
    >>> loss.backward()
    >>> round(loss.data, 6), z.grad
    (0.693147, -0.5)
    >>> binary_cross_entropy_with_logits([1e300, -1e300], [1, 0]).data
    0.0
    """
    fn = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, fn)
    zs, ys = _paired(logits, targets, fn, ("logits", "targets"))
    _check_unit_interval(ys, fn, "targets")
    return _reduce([_logit_term(z, y) for z, y in zip(zs, ys)], reduction)


def svm_loss(scores: Iterable[ValueLike], labels: Iterable[ValueLike], reduction: str = "mean") -> Value:
    """The hinge loss of micrograd's demo: the mean (or sum) over n of relu(1 − yₙ·sₙ),
    for scores sₙ and labels yₙ ∈ {−1, +1}.

    A sample scored on the right side with margin yₙ·sₙ ≥ 1 costs nothing and
    gets no gradient (relu'(0) = 0, so not at yₙ·sₙ = 1 exactly either);
    otherwise ∂/∂sₙ = −yₙ (over N for the mean). A label other than −1 or +1 is
    a ValueError (0/1 labels y become ±1 labels as 2y − 1). micrograd's total
    loss adds a weight penalty: ``svm_loss(scores, ys) + 1e-4 * l2(params)``.

    >>> s = [Value(2.0), Value(0.5), Value(-0.3)]
    >>> loss = svm_loss(s, [1, 1, 1])                   # (0 + 0.5 + 1.3)/3
    >>> loss.backward()
    >>> round(loss.data, 6), [round(x.grad, 6) for x in s]
    (0.6, [0.0, -0.333333, -0.333333])
    """
    fn = "svm_loss"
    _check_reduction(reduction, fn)
    ss, ys = _paired(scores, labels, fn, ("scores", "labels"))
    for i, y in enumerate(ys):
        if y.data not in (-1.0, 1.0):
            raise ValueError(f"{fn}: labels[{i}] = {y.data!r} is not -1 or +1 (0/1 labels y become 2*y - 1)")
    return _reduce([(1.0 - y * s).relu() for s, y in zip(ss, ys)], reduction)


def max_margin(score_true: ValueLike, score_corrupt: ValueLike, margin: float = 1.0) -> Value:
    """Note 002's maximum-margin objective J = max(Δ + s_c − s, 0) for one pair of windows.

    ``score_true`` is the score s of the true window, ``score_corrupt`` the score
    s_c of a corrupt one, and ``margin`` Δ by how much s must beat s_c before
    the pair costs nothing. While Δ + s_c − s > 0, ∂J/∂s = −1 and ∂J/∂s_c = +1;
    while it is < 0 (J = 0), both are 0; at the tie Δ + s_c = s the engine's
    ``maximum`` splits the gradient ½/½ (so ∂J/∂s = −½), as ``torch.maximum``
    does (``torch.nn.functional.margin_ranking_loss`` instead passes the whole
    gradient at the tie). For several corrupt windows, add the pairs' losses.

    Δ is a real number ≥ 0 (Δ = 0 is the note's objective without a margin of
    safety); a negative or non-finite margin is a ValueError, because it would
    let the corrupt window outscore the true one at no cost. It is a constant:
    a ``Value`` margin is a TypeError.

    >>> s, s_c = Value(2.5), Value(2.0)
    >>> J = max_margin(s, s_c)            # max(1 + 2 − 2.5, 0)
    >>> J.backward()
    >>> J.data, s.grad, s_c.grad
    (0.5, -1.0, 1.0)
    >>> max_margin(3.5, 2.0).data         # s beats s_c by more than Δ = 1
    0.0
    """
    delta = as_float(margin, "max_margin", "margin")
    if not (math.isfinite(delta) and delta >= 0.0):
        value_error("max_margin", "margin", "a finite number >= 0", margin)
    s = _value(score_true, "max_margin", "score_true")
    s_c = _value(score_corrupt, "max_margin", "score_corrupt")
    return maximum(delta + s_c - s, 0.0)


# --------------------------------------------------------------- classes


def _shift_by_max(zs: list[Value]) -> list[Value]:
    """zᵢ − m with m = maxⱼ zⱼ taken as a constant (a float, not a node).

    Softmax is shift-invariant, softmax(z − c) = softmax(z) for any constant c,
    so the shift changes neither the values nor the gradient (∂(zᵢ − c)/∂zᵢ = 1:
    the graph is that of softmax(z) itself). With c = max z every exponent is ≤ 0,
    so no e^(zᵢ − m) overflows, and the largest is e⁰ = 1, so Σⱼ e^(zⱼ − m) ≥ 1 and
    its log is finite. Infinite or nan logits give nan, as in PyTorch.
    """
    m = max(z.data for z in zs)  # a float: no node, so no gradient flows through the max
    return [z - m for z in zs]  # softmax(z − m) = softmax(z): same values, same gradient


def _shifted_and_log_total(zs: list[Value]) -> tuple[list[Value], Value]:
    """(zᵢ − m for each i, ln Σⱼ e^(zⱼ − m)), so that log_softmax(z)ᵢ = (zᵢ − m) − ln Σⱼ e^(zⱼ − m)."""
    shifted = _shift_by_max(zs)
    return shifted, _total([x.exp() for x in shifted]).log()


def _log_softmax(zs: list[Value]) -> list[Value]:
    shifted, log_total = _shifted_and_log_total(zs)
    return [x - log_total for x in shifted]


def argmax(xs: Sequence[float]) -> int:
    """The index of the largest of ``xs`` (the first one on a tie): the class a model's logits
    (or a one-hot target) pick, as training's accuracy and the plots read it."""
    return max(range(len(xs)), key=xs.__getitem__)


def softmax(logits: Iterable[ValueLike]) -> list[Value]:
    """softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ for one sample's logits z₁…z_C (C ≥ 1), as a list of C Values.

    The outputs are in [0, 1] and sum to 1 (to rounding). Stable for logits of
    any magnitude: it is computed as e^(zᵢ − m)/Σⱼ e^(zⱼ − m) with m = max z,
    which never overflows. ∂softmax(z)ᵢ/∂zⱼ = softmax(z)ᵢ·([i = j] − softmax(z)ⱼ).
    A single logit gives [1.0]; no logits is a ValueError. Matches
    ``torch.softmax``; inf or nan logits give nan, as there.

    >>> [round(p.data, 4) for p in softmax([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
    >>> [p.data for p in softmax([1000.0, 0.0])]     # e¹⁰⁰⁰ would overflow
    [1.0, 0.0]
    """
    exps = [x.exp() for x in _shift_by_max(_value_list(logits, "softmax", "logits"))]
    total = _total(exps)
    return [e / total for e in exps]


def log_softmax(logits: Iterable[ValueLike]) -> list[Value]:
    """log_softmax(z)ᵢ = zᵢ − ln Σⱼ e^zⱼ for one sample's logits z₁…z_C (C ≥ 1), as a list of C Values.

    Computed as (zᵢ − m) − ln Σⱼ e^(zⱼ − m) with m = max z: no exp overflows and
    the log is of a number ≥ 1, so it is finite for any finite logits up to a
    spread of ~1.8e308 (beyond that zᵢ − m itself is −inf). More accurate than
    ln(softmax(z)ᵢ), which is −inf once softmax(z)ᵢ underflows.
    ∂log_softmax(z)ᵢ/∂zⱼ = [i = j] − softmax(z)ⱼ. A single logit gives [0.0];
    no logits is a ValueError. Matches ``torch.log_softmax``.

    >>> [round(v.data, 4) for v in log_softmax([1.0, 2.0, 3.0])]
    [-2.4076, -1.4076, -0.4076]
    >>> [v.data for v in log_softmax([1e300, -1e300])]
    [0.0, -2e+300]
    """
    return _log_softmax(_value_list(logits, "log_softmax", "logits"))


def _sample_cross_entropy(z: list[Value], t: Any, where: str) -> Value:
    """−Σᵢ tᵢ·log_softmax(z)ᵢ for one sample; t a class index or a probability vector."""
    fn, c = "cross_entropy", len(z)
    if isinstance(t, numbers.Integral) and not isinstance(t, bool):
        k = int(t)
        if not 0 <= k < c:
            raise ValueError(f"{fn}: {where} = {short(k)} is not a class index in 0..{c - 1} ({c} classes)")
        shifted, log_total = _shifted_and_log_total(z)
        return log_total - shifted[k]  # −log_softmax(z)ₖ, written as a difference so that 0 is +0.0
    if _is_scalar(t) or isinstance(t, (str, bytes)) or not isinstance(t, Iterable):
        type_error(fn, where, f"a class index (int) or a probability vector of {c} entries", t)
    raw = list(t)
    if len(raw) != c:
        raise ValueError(f"{fn}: {where} has {len(raw)} entries but the logits have {c} classes")
    ts = [_value(x, fn, f"{where}[{i}]") for i, x in enumerate(raw)]
    _check_unit_interval(ts, fn, where)
    total = math.fsum(x.data for x in ts)
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise ValueError(f"{fn}: {where} sums to {total!r}, not 1; a probability vector must sum to 1")
    shifted, log_total = _shifted_and_log_total(z)
    # Σ tᵢ·(ln Σⱼ e^(zⱼ − m) − (zᵢ − m)): terms ≥ 0. A plain-number tᵢ = 0 contributes nothing
    # to the value or any gradient: leave it out (0·inf would be nan where zᵢ − m = −inf).
    terms = [ti * (log_total - x) for r, ti, x in zip(raw, ts, shifted) if isinstance(r, Value) or r != 0]
    return _total(terms)


def cross_entropy(logits: Logits, target: Target, reduction: str = "mean") -> Value:
    """The cross-entropy of softmax(z) against a target distribution t: −Σᵢ tᵢ·log_softmax(z)ᵢ.

    Shapes (this decides what ``logits`` and ``target`` mean):

    * **One sample:** ``logits`` is a sequence of C ≥ 1 Values or numbers, and
      ``target`` either an ``int`` class index k in 0..C−1 (the loss is then
      −log_softmax(z)ₖ, note 001's categorical cross-entropy) or a one-hot or
      probability vector of C entries in [0, 1] summing to 1 (within 1e-6).
      ``reduction`` makes no difference.
    * **A batch of N ≥ 1 samples:** ``logits`` is a sequence of N rows of C
      logits each, and ``target`` a sequence of N per-sample targets as above
      (indices or vectors; they may be mixed). ``reduction`` averages
      (``"mean"``) or adds (``"sum"``) the N per-sample losses.

    So a flat ``target`` list means one probability vector when ``logits`` is
    flat, and one class index per sample when ``logits`` is a list of rows.
    Matches ``torch.nn.functional.cross_entropy`` with class indices or
    probability targets. ∂/∂zᵢ = softmax(z)ᵢ − tᵢ per sample (over N for the
    mean). Stable for logits of any magnitude (see :func:`log_softmax`).

    Errors: a ValueError for a class index out of range, a target vector of
    the wrong length or that is not a probability vector, rows of different
    lengths, or an empty batch or row; a TypeError for a class index that is
    not an int (``1.0``, ``True``), a batch target that is not a sequence, or
    logits that mix numbers and rows.

    >>> round(cross_entropy([2.0, 1.0, 0.1], 0).data, 4)                 # one sample
    0.417
    >>> round(cross_entropy([2.0, 1.0, 0.1], [0.5, 0.5, 0.0]).data, 4)   # soft target
    0.917
    >>> round(cross_entropy([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]], [0, 2]).data, 4)   # batch, mean
    0.7578
    """
    fn = "cross_entropy"
    _check_reduction(reduction, fn)
    items = _items(logits, fn, "logits")
    scalars = [_is_scalar(x) for x in items]
    if all(scalars):  # one sample
        return _sample_cross_entropy(_value_list(items, fn, "logits"), target, "target")
    if any(scalars):
        i, j = scalars.index(True), scalars.index(False)
        raise TypeError(
            f"{fn}: logits mixes numbers and rows (logits[{i}] is {type(items[i]).__name__}, "
            f"logits[{j}] is {type(items[j]).__name__}); pass one sample's logits or a batch of rows"
        )
    rows = [_value_list(row, fn, f"logits[{n}]") for n, row in enumerate(items)]
    for n, row in enumerate(rows):
        if len(row) != len(rows[0]):
            raise ValueError(f"{fn}: logits[{n}] has {len(row)} classes but logits[0] has {len(rows[0])}")
    if _is_scalar(target) or isinstance(target, (str, bytes)) or not isinstance(target, Iterable):
        type_error(fn, "target", f"one class index or probability vector per sample ({len(rows)})", target)
    targets = list(target)
    if len(targets) != len(rows):
        raise ValueError(f"{fn}: {len(targets)} targets for a batch of {len(rows)} samples")
    terms = [_sample_cross_entropy(row, t, f"target[{n}]") for n, (row, t) in enumerate(zip(rows, targets))]
    return _reduce(terms, reduction)


# ---------------------------------------------------------------- penalties


def _penalised(params: Any, fn: str) -> list[Value]:
    return _value_list(params, fn, "params", "; wrap a single parameter in a list")


def l1(params: Iterable[ValueLike]) -> Value:
    """The L1 penalty ‖w‖₁ = Σ |w| over the parameters (e.g. ``model.parameters()``).

    No factor ½: note 001 prints Ω(θ) = ½‖w‖₁ (a typo, see docs/errata.md; the usual
    L1 penalty is ‖w‖₁). Write ``0.5 * l1(params)`` for the ½ convention, and
    ``lam * l1(params)`` for a strength λ. ∂/∂w = sign(w), 0 at w = 0 (as
    PyTorch's abs). An empty iterable is a ValueError (an exhausted generator?).

    >>> w = [Value(-2.0), Value(0.5)]
    >>> penalty = l1(w)
    >>> penalty.backward()
    >>> penalty.data, [x.grad for x in w]
    (2.5, [-1.0, 1.0])
    """
    return _total([abs(w) for w in _penalised(params, "l1")])


def l2(params: Iterable[ValueLike]) -> Value:
    """The L2 penalty ‖w‖²₂ = Σ w² over the parameters (e.g. ``model.parameters()``); ∂/∂w = 2w.

    No factor ½: note 001 writes Ω(θ) = ½‖w‖²₂, i.e. J + (α/2)·wᵀw, whose
    gradient is α·w; that is ``alpha / 2 * l2(params)``. Note 004's weight
    decay (λ/N)·Σ w² is ``lam / N * l2(params)``. Overflows to inf for
    |w| > 1.3e154. An empty iterable is a ValueError (an exhausted generator?).

    >>> w = [Value(-2.0), Value(0.5)]
    >>> penalty = l2(w)
    >>> penalty.backward()
    >>> penalty.data, [x.grad for x in w]
    (4.25, [-4.0, 1.0])
    """
    # ‖w‖² = w·w: one Σ node with every wᵢ on both sides (∂/∂wᵢ = wᵢ + wᵢ = 2wᵢ), the same
    # number as adding the wᵢ² one by one, instead of a ** node per parameter and a Σ node
    w = _penalised(params, "l2")
    return dot(w, w)


def _eliminated(w: Value) -> Value:
    if abs(w.data) <= 1.0:
        w2 = w**2
        return w2 / (1.0 + w2)
    # the same function as 1/(1 + w⁻²): w² overflows for |w| > 1.3e154 and inf/inf is nan,
    # while 1/(1 + 1/inf) = 1 with gradient 0, the right limits
    return 1.0 / (1.0 + 1.0 / w**2)


def weight_elimination(params: Iterable[ValueLike]) -> Value:
    """Note 004's weight-elimination penalty Σ w²/(1 + w²) over the parameters.

    ∂/∂w = 2w/(1 + w²)². For small |w| each term is ≈ w², like weight decay;
    for large |w| it approaches the constant 1 and its gradient vanishes, so it
    pushes small weights to 0 ("eliminates" them) and leaves large ones alone.
    Each term is in [0, 1), so the sum is finite for any finite weights. The
    note's λ/N scaling is the caller's: ``lam / N * weight_elimination(params)``.
    An empty iterable is a ValueError (an exhausted generator?).

    >>> w = Value(1.0)
    >>> penalty = weight_elimination([w, 0.0])    # 1/(1 + 1) + 0
    >>> penalty.backward()
    >>> penalty.data, w.grad                      # 2·1/(1 + 1)²
    (0.5, 0.5)
    """
    return _total([_eliminated(w) for w in _penalised(params, "weight_elimination")])
