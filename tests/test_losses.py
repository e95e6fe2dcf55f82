"""tinygrad_edu.losses: every loss's value and gradient against PyTorch float64 and closed forms;
stability at huge inputs; note 001's cat/dog cross-entropy; note 002's NER window; bad input.

References: PyTorch float64 (tests/oracle.py; skipped without torch), and closed forms computed
with plain floats, ``math`` and ``fractions`` — never with the engine under test.
"""

from __future__ import annotations

import doctest
import math
import random
from fractions import Fraction
from typing import Any, Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from oracle import assert_matches_torch, close, requires_torch, torch, torch_hessian

from tinygrad_edu import Value, hessian, losses, total
from tinygrad_edu.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1,
    l2,
    log_softmax,
    max_margin,
    mse,
    softmax,
    squared_error,
    svm_loss,
    weight_elimination,
)
from tinygrad_edu.testing import finite_floats

F = torch.nn.functional if torch is not None else None

REDUCTIONS = st.sampled_from(["mean", "sum"])
# moderate and huge logits, mixed within one draw
LOGITS = st.one_of(finite_floats(-30.0, 30.0), finite_floats(-1e300, 1e300))
# probabilities including both ends, PyTorch's clamp region (p < e⁻¹⁰⁰) and subnormals
PROBABILITIES = st.one_of(st.sampled_from([0.0, 1.0, 1e-50, 1e-300]), st.floats(0.0, 1.0))
# where p(1 − p) ≥ 1e-12, so that PyTorch's backward is the derivative of its forward
INTERIOR = st.one_of(st.sampled_from([2e-12, 0.5, 1 - 2e-12]), st.floats(2e-12, 1 - 2e-12))
SOFT_TARGETS = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))


def assert_close(ours: float, ref: float, what: str, rtol: float = 1e-9, atol: float = 1e-12) -> None:
    assert close(ours, ref, rtol, atol), f"{what}: ours {ours!r}, reference {ref!r}"


def leaves(xs: list[float]) -> list[Value]:
    return [Value(x) for x in xs]


def value_and_grads(loss: Value, xs: list[Value]) -> tuple[float, list[float]]:
    loss.backward()
    return loss.data, [x.grad for x in xs]


def reduce_ref(terms: list[float], reduction: str) -> float:
    """The reference reduction: an exactly rounded sum (math.fsum), over N for the mean."""
    total = math.fsum(terms)
    return total / len(terms) if reduction == "mean" else total


def batch(data: Any, elements: Any, n: int) -> list[float]:
    return data.draw(st.lists(elements, min_size=n, max_size=n))


def stack(ts: Any) -> Any:
    return torch.stack(list(ts))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


# ---------------------------------------------------------------- regression


@requires_torch
@given(data=st.data(), n=st.integers(1, 6), reduction=REDUCTIONS)
def test_mse_matches_torch(data: Any, n: int, reduction: str) -> None:
    xs = batch(data, finite_floats(), 2 * n)
    assert_matches_torch(
        lambda *v: mse(v[:n], v[n:], reduction),
        lambda *t: F.mse_loss(stack(t[:n]), stack(t[n:]), reduction=reduction),
        xs,
    )


@given(data=st.data(), n=st.integers(1, 6), reduction=REDUCTIONS)
def test_mse_closed_form(data: Any, n: int, reduction: str) -> None:
    """(1/N)·Σ(p − t)² or Σ(p − t)²; ∂/∂p = 2(p − t)/N or 2(p − t), ∂/∂t the opposite."""
    p, t = batch(data, finite_floats(), n), batch(data, finite_floats(), n)
    vp, vt = leaves(p), leaves(t)
    value, grads = value_and_grads(mse(vp, vt, reduction), vp + vt)
    scale = 1.0 / n if reduction == "mean" else 1.0
    assert_close(value, reduce_ref([(a - b) ** 2 for a, b in zip(p, t)], reduction), "value")
    for i, (a, b) in enumerate(zip(p, t)):
        assert_close(grads[i], 2 * (a - b) * scale, f"∂/∂p{i}")
        assert_close(grads[n + i], -2 * (a - b) * scale, f"∂/∂t{i}")


@given(data=st.data(), n=st.integers(1, 6))
def test_summed_squared_error_is_mse_with_sum(data: Any, n: int) -> None:
    """Note 004's eₙ = (sₙ − yₙ)², δ = 2(s − y); mse(..., "sum") is Σ eₙ."""
    p, t = batch(data, finite_floats(), n), batch(data, finite_floats(), n)
    for a, b in zip(p, t):
        s = Value(a)
        e, (delta,) = value_and_grads(squared_error(s, b), [s])
        assert e == (a - b) ** 2 and delta == 2 * (a - b)
    total = mse(p, t, reduction="sum").data
    assert_close(total, math.fsum(squared_error(a, b).data for a, b in zip(p, t)), "Σ squared_error")


@requires_torch
@given(finite_floats(), finite_floats())
def test_squared_error_matches_torch(p: float, t: float) -> None:
    assert_matches_torch(squared_error, lambda a, b: F.mse_loss(a, b, reduction="sum"), [p, t])


# ----------------------------------------------------- binary cross-entropy


def bce_ref(p: float, y: float) -> float:
    """PyTorch's formula on floats: −[y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100)]."""
    log_p = math.log(p) if p > 0 else -math.inf
    log_q = math.log1p(-p) if p < 1 else -math.inf
    return -(y * max(log_p, -100.0) + (1 - y) * max(log_q, -100.0))


@requires_torch
@given(data=st.data(), n=st.integers(1, 5), reduction=REDUCTIONS)
def test_binary_cross_entropy_value_matches_torch_everywhere(data: Any, n: int, reduction: str) -> None:
    """Including p = 0 and 1, subnormal p and PyTorch's clamp of each log at −100."""
    p, y = batch(data, PROBABILITIES, n), batch(data, SOFT_TARGETS, n)
    ours = binary_cross_entropy(p, y, reduction).data
    theirs = F.binary_cross_entropy(
        torch.tensor(p, dtype=torch.float64), torch.tensor(y, dtype=torch.float64), reduction=reduction
    ).item()
    assert math.isfinite(ours)
    assert_close(ours, theirs, "value")
    assert_close(ours, reduce_ref([bce_ref(a, b) for a, b in zip(p, y)], reduction), "closed form")


@requires_torch
@given(data=st.data(), n=st.integers(1, 5), reduction=REDUCTIONS)
def test_binary_cross_entropy_gradients_match_torch(data: Any, n: int, reduction: str) -> None:
    """Wherever p(1 − p) ≥ 1e-12, i.e. where PyTorch's backward is the derivative of its forward."""
    p, y = batch(data, INTERIOR, n), batch(data, SOFT_TARGETS, n)
    assert_matches_torch(
        lambda *v: binary_cross_entropy(v[:n], v[n:], reduction),
        lambda *t: F.binary_cross_entropy(stack(t[:n]), stack(t[n:]), reduction=reduction),
        p + y,
    )


@given(INTERIOR, SOFT_TARGETS)
def test_binary_cross_entropy_gradient_closed_form(p: float, y: float) -> None:
    """∂/∂p = (p − y)/(p(1 − p)) and ∂/∂y = ln(1 − p) − ln p, away from the clamp."""
    vp, vy = Value(p), Value(y)
    value, (dp, dy) = value_and_grads(binary_cross_entropy([vp], [vy]), [vp, vy])
    assert_close(value, bce_ref(p, y), "value", atol=1e-15)
    assert_close(dp, (p - y) / (p * (1 - p)), "∂/∂p")
    assert_close(dy, math.log1p(-p) - math.log(p), "∂/∂y", atol=1e-15)


@requires_torch
@pytest.mark.parametrize("p", [0.0, 1.0, 1e-50, 1e-320])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_binary_cross_entropy_at_the_ends_matches_torch_clamp(p: float, y: float) -> None:
    """p = 0 or 1 gives PyTorch's finite loss: each log is clamped at −100 (so at most 100)."""
    vp = Value(p)
    loss = binary_cross_entropy([vp], [y])
    theirs = F.binary_cross_entropy(
        torch.tensor([p], dtype=torch.float64), torch.tensor([y], dtype=torch.float64)
    )
    assert loss.data == pytest.approx(theirs.item(), rel=1e-12, abs=1e-15)
    assert loss.data == pytest.approx(bce_ref(p, y), rel=1e-12, abs=1e-15)
    loss.backward()
    # Our gradient is the derivative of the loss as computed: a clamped log is constant, so only
    # the other term contributes: (1 − y)/(1 − p) near p = 0, −y/p at p = 1. PyTorch's backward
    # instead gives (p − y)/max(p(1 − p), ε) with ε = float32(1e-12): ±1e12 here, which is not the
    # derivative of its own forward (see the docstring).
    expected = (1 - y) / (1 - p) if p < 0.5 else -y / p
    assert math.isfinite(vp.grad) and vp.grad == pytest.approx(expected, rel=1e-15)


def test_binary_cross_entropy_clamp_is_exactly_minus_100() -> None:
    """The clamp max(ln p, −100) is taken as ln(max(p, e⁻¹⁰⁰)): ln(e⁻¹⁰⁰) must be −100 exactly."""
    assert math.log(math.exp(-100.0)) == -100.0
    for p in (0.0, 1e-300, 1e-50, math.exp(-100.0)):
        assert binary_cross_entropy([p], [1]).data == 100.0
        assert binary_cross_entropy([1 - p], [0]).data == 100.0  # 1 − p rounds to 1: ln(1 − 1) clamped
    p = math.exp(-99.0)
    assert binary_cross_entropy([p], [1]).data == pytest.approx(99.0, rel=1e-15)


@requires_torch
@given(data=st.data(), n=st.integers(1, 5), reduction=REDUCTIONS)
def test_bce_with_logits_matches_torch_for_huge_logits(data: Any, n: int, reduction: str) -> None:
    """Logits anywhere in ±1e300 with 0/1 labels: finite, and value and gradients match."""
    z = batch(data, LOGITS, n)
    y = batch(data, st.sampled_from([0.0, 1.0]), n)
    vz = leaves(z)
    loss = binary_cross_entropy_with_logits(vz, y, reduction)
    loss.backward()
    assert math.isfinite(loss.data) and all(math.isfinite(v.grad) for v in vz)
    assert_matches_torch(
        lambda *v: binary_cross_entropy_with_logits(v[:n], v[n:], reduction),
        lambda *t: F.binary_cross_entropy_with_logits(stack(t[:n]), stack(t[n:]), reduction=reduction),
        z + y,
    )


@requires_torch
@given(data=st.data(), n=st.integers(1, 5), reduction=REDUCTIONS)
def test_bce_with_logits_soft_targets_match_torch(data: Any, n: int, reduction: str) -> None:
    """Soft targets, logits within ±100 (see the next test for why not beyond)."""
    z, y = batch(data, finite_floats(-100.0, 100.0), n), batch(data, SOFT_TARGETS, n)
    assert_matches_torch(
        lambda *v: binary_cross_entropy_with_logits(v[:n], v[n:], reduction),
        lambda *t: F.binary_cross_entropy_with_logits(stack(t[:n]), stack(t[n:]), reduction=reduction),
        z + y,
    )


@given(finite_floats(-1e300, -1e3), st.floats(1e-300, 1.0))
def test_bce_with_logits_is_exact_for_huge_negative_logits(z: float, y: float) -> None:
    """For z ≪ 0 the loss softplus(z) − y·z is y·|z| (softplus(z) < e⁻¹⁰⁰⁰): checked against exact
    rational arithmetic. (PyTorch evaluates (1 − y)·z − ln σ(z), which cancels here: for
    z = −9.2e299, y = 7.3e-11 it is off by 7e-7 relative, so soft targets are compared with
    PyTorch only for |z| ≤ 100.)"""
    vz, vy = Value(z), Value(y)
    value, (dz, dy) = value_and_grads(binary_cross_entropy_with_logits([vz], [vy]), [vz, vy])
    assert value == float(Fraction(y) * Fraction(-z))
    assert dz == -y and dy == -z  # σ(z) − y with σ(z) = 0, and −z


@given(finite_floats(-30.0, 30.0), SOFT_TARGETS)
def test_bce_with_logits_closed_form(z: float, y: float) -> None:
    """softplus(z) − y·z = BCE(σ(z), y); ∂/∂z = σ(z) − y, ∂/∂y = −z."""
    vz, vy = Value(z), Value(y)
    value, (dz, dy) = value_and_grads(binary_cross_entropy_with_logits([vz], [vy]), [vz, vy])
    softplus = max(z, 0.0) + math.log1p(math.exp(-abs(z)))
    assert_close(value, softplus - y * z, "value", atol=1e-14)
    if abs(z) <= 10:  # beyond, 1 − σ(z) in floats loses the digits the reference needs
        assert_close(value, bce_ref(sigmoid(z), y), "BCE(σ(z))", rtol=1e-9, atol=1e-12)
    assert_close(dz, sigmoid(z) - y, "∂/∂z", atol=1e-15)
    assert_close(dy, -z, "∂/∂y")


def test_bce_with_logits_keeps_the_digits_when_labels_agree() -> None:
    """y = 1, z = 40: the loss is ln(1 + e⁻⁴⁰) ≈ 4.2e-18, not softplus(40) − 40 = 0 (cancelled)."""
    assert binary_cross_entropy_with_logits([40.0], [1.0]).data == pytest.approx(
        math.log1p(math.exp(-40)), rel=1e-15
    )
    assert binary_cross_entropy_with_logits([-40.0], [0.0]).data == pytest.approx(
        math.log1p(math.exp(-40)), rel=1e-15
    )
    assert binary_cross_entropy_with_logits([1e300], [0.0]).data == 1e300
    assert binary_cross_entropy_with_logits([1e300, -1e300], [1.0, 0.0], reduction="sum").data == 0.0


# ------------------------------------------------------------------ softmax


def softmax_ref(z: list[float]) -> list[float]:
    m = max(z)
    e = [math.exp(x - m) for x in z]
    s = math.fsum(e)
    return [x / s for x in e]


def log_softmax_ref(z: list[float]) -> list[float]:
    m = max(z)
    log_s = math.log(math.fsum(math.exp(x - m) for x in z))
    return [(x - m) - log_s for x in z]


def weighted(outputs: list[Value], w: list[float]) -> Value:
    """Σ wᵢ·outputᵢ: a scalar whose gradient exercises every output."""
    total = outputs[0] * w[0]
    for o, wi in zip(outputs[1:], w[1:]):
        total = total + o * wi
    return total


@given(st.lists(finite_floats(-1e300, 1e300), min_size=1, max_size=6))
def test_softmax_sums_to_one_and_is_stable_for_huge_logits(z: list[float]) -> None:
    vz = leaves(z)
    p = softmax(vz)
    assert len(p) == len(z) and all(isinstance(x, Value) for x in p)
    assert all(0.0 <= x.data <= 1.0 for x in p)
    assert math.fsum(x.data for x in p) == pytest.approx(1.0, abs=1e-15 * len(z))
    for x, ref in zip(p, softmax_ref(z)):
        assert_close(x.data, ref, "softmax", atol=1e-15)
    weighted(p, [1.0 + i for i in range(len(z))]).backward()
    assert all(math.isfinite(v.grad) for v in vz)


@requires_torch
@given(st.lists(LOGITS, min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_softmax_value_and_gradient_match_torch(z: list[float], rnd: random.Random) -> None:
    w = [rnd.uniform(-2, 2) for _ in z]
    assert_matches_torch(
        lambda *v: weighted(softmax(v), w),
        lambda *t: (torch.softmax(stack(t), 0) * torch.tensor(w, dtype=torch.float64)).sum(),
        z,
    )


@given(st.lists(finite_floats(-1e300, 1e300), min_size=1, max_size=6))
def test_log_softmax_is_stable_for_huge_logits(z: list[float]) -> None:
    vz = leaves(z)
    out = log_softmax(vz)
    assert all(math.isfinite(x.data) and x.data <= 0.0 for x in out)
    for x, ref in zip(out, log_softmax_ref(z)):
        assert_close(x.data, ref, "log_softmax", atol=1e-15)
    weighted(out, [1.0 + i for i in range(len(z))]).backward()
    assert all(math.isfinite(v.grad) for v in vz)


@requires_torch
@given(st.lists(LOGITS, min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_log_softmax_value_and_gradient_match_torch(z: list[float], rnd: random.Random) -> None:
    w = [rnd.uniform(-2, 2) for _ in z]
    assert_matches_torch(
        lambda *v: weighted(log_softmax(v), w),
        lambda *t: (torch.log_softmax(stack(t), 0) * torch.tensor(w, dtype=torch.float64)).sum(),
        z,
    )


@given(st.lists(finite_floats(-20.0, 20.0), min_size=1, max_size=6), finite_floats(-1e3, 1e3))
def test_softmax_closed_forms(z: list[float], c: float) -> None:
    """Shift invariance, log_softmax = ln softmax, and ∂softmaxᵢ/∂zⱼ = pᵢ([i = j] − pⱼ)."""
    p = softmax_ref(z)
    for a, b in zip(softmax([x + c for x in z]), p):
        assert_close(a.data, b, "softmax(z + c)", rtol=1e-9, atol=1e-13)
    for a, b in zip(log_softmax(z), p):
        assert_close(a.data, math.log(b), "log_softmax", atol=1e-14)
    vz = leaves(z)
    softmax(vz)[0].backward()
    for j, v in enumerate(vz):
        assert_close(v.grad, p[0] * ((j == 0) - p[j]), f"∂p0/∂z{j}", atol=1e-15)


def test_softmax_edges() -> None:
    z = Value(3.0)
    (p,) = softmax([z])
    p.backward()
    assert p.data == 1.0 and z.grad == 0.0  # one logit: softmax ≡ 1
    assert [v.data for v in log_softmax([7.0])] == [0.0]
    assert [v.data for v in softmax([1000.0, 0.0])] == [1.0, 0.0]
    assert [v.data for v in log_softmax([1e300, -1e300])] == [0.0, -2e300]
    assert all(math.isnan(v.data) for v in softmax([math.inf, 0.0]))  # as torch.softmax


# ------------------------------------------------------------ cross-entropy


def ce_ref(z: list[float], t: Any) -> float:
    """−Σ tᵢ log_softmax(z)ᵢ, or −log_softmax(z)ₖ for an index k."""
    log_p = log_softmax_ref(z)
    if isinstance(t, int):
        return -log_p[t]
    return -math.fsum(ti * lp for ti, lp in zip(t, log_p) if ti != 0)


def draw_rows(data: Any, n: int, c: int) -> list[list[float]]:
    return [batch(data, LOGITS, c) for _ in range(n)]


def draw_distribution(data: Any, c: int) -> list[float]:
    w = batch(data, st.one_of(st.just(0.0), st.floats(0.01, 1.0)), c)
    assume(sum(w) > 0)
    return [x / sum(w) for x in w]


@requires_torch
@given(data=st.data(), n=st.integers(1, 4), c=st.integers(1, 5), reduction=REDUCTIONS)
def test_cross_entropy_with_class_indices_matches_torch(data: Any, n: int, c: int, reduction: str) -> None:
    rows = draw_rows(data, n, c)
    k = batch(data, st.integers(0, c - 1), n)
    assert_matches_torch(
        lambda *v: cross_entropy([v[i * c : (i + 1) * c] for i in range(n)], k, reduction),
        lambda *t: F.cross_entropy(stack(t).reshape(n, c), torch.tensor(k), reduction=reduction),
        [x for row in rows for x in row],
    )


@requires_torch
@given(data=st.data(), n=st.integers(1, 4), c=st.integers(1, 5), reduction=REDUCTIONS)
def test_cross_entropy_with_probability_targets_matches_torch(
    data: Any, n: int, c: int, reduction: str
) -> None:
    """Gradients with respect to the logits and to the target probabilities."""
    rows = draw_rows(data, n, c)
    targets = [draw_distribution(data, c) for _ in range(n)]
    m = n * c
    assert_matches_torch(
        lambda *v: cross_entropy(
            [v[i * c : (i + 1) * c] for i in range(n)],
            [v[m + i * c : m + (i + 1) * c] for i in range(n)],
            reduction,
        ),
        lambda *t: F.cross_entropy(
            stack(t[:m]).reshape(n, c), stack(t[m:]).reshape(n, c), reduction=reduction
        ),
        [x for row in rows for x in row] + [x for row in targets for x in row],
    )


@requires_torch
@given(data=st.data(), c=st.integers(1, 5), reduction=REDUCTIONS)
def test_cross_entropy_of_one_sample_matches_torch(data: Any, c: int, reduction: str) -> None:
    """A flat list of logits is one sample: torch's 1-D input with a 0-D index or a 1-D distribution."""
    z = batch(data, LOGITS, c)
    k = data.draw(st.integers(0, c - 1))
    t = draw_distribution(data, c)
    assert_matches_torch(
        lambda *v: cross_entropy(v, k, reduction),
        lambda *x: F.cross_entropy(stack(x), torch.tensor(k), reduction=reduction),
        z,
    )
    assert_matches_torch(
        lambda *v: cross_entropy(v[:c], v[c:], reduction),
        lambda *x: F.cross_entropy(stack(x[:c]), stack(x[c:]), reduction=reduction),
        z + t,
    )


@given(data=st.data(), n=st.integers(1, 4), c=st.integers(1, 5), reduction=REDUCTIONS)
def test_cross_entropy_closed_form(data: Any, n: int, c: int, reduction: str) -> None:
    """Per sample ln Σ e^zⱼ − zₖ (or −Σ tᵢ log_softmax(z)ᵢ), reduced over the batch; ∂/∂z = p − t;
    a one-hot vector is the same as its index, and indices and vectors may be mixed."""
    rows = draw_rows(data, n, c)
    k = batch(data, st.integers(0, c - 1), n)
    mixed = [t if i % 2 else [float(j == t) for j in range(c)] for i, t in enumerate(k)]
    expected = reduce_ref([ce_ref(z, t) for z, t in zip(rows, k)], reduction)
    vz = [leaves(z) for z in rows]
    loss = cross_entropy(vz, mixed, reduction)
    assert_close(loss.data, expected, "value")
    assert_close(cross_entropy(rows, k, reduction).data, expected, "indices")
    loss.backward()
    scale = 1.0 / n if reduction == "mean" else 1.0
    for z, t, vs in zip(rows, k, vz):
        for j, (p, v) in enumerate(zip(softmax_ref(z), vs)):
            assert_close(v.grad, (p - (j == t)) * scale, f"∂/∂z{j}", atol=1e-15)


def test_cross_entropy_edges() -> None:
    z = leaves([1e300, -1e300])
    loss = cross_entropy(z, 1)
    loss.backward()
    assert loss.data == 2e300 and [v.grad for v in z] == [1.0, -1.0]  # p − onehot(1)
    assert cross_entropy([1e300, -1e300], 0).data == 0.0
    # a plain 0 in a target vector adds nothing, even where log_softmax is −inf (0·−inf would be nan)
    assert cross_entropy([1.7e308, -1.7e308], [1.0, 0.0]).data == 0.0
    assert cross_entropy([5.0], 0).data == 0.0  # one class: always certain
    single = cross_entropy([0.5, -1.0, 2.0], 2)
    assert cross_entropy([0.5, -1.0, 2.0], 2, reduction="sum").data == single.data
    assert cross_entropy([[0.5, -1.0, 2.0]], [2]).data == single.data


PERFECT = [
    ("mse", lambda: mse([1.5], [1.5])),
    ("bce p=0 y=0", lambda: binary_cross_entropy([0.0], [0.0])),
    ("bce p=1 y=1", lambda: binary_cross_entropy([1.0], [1.0], reduction="sum")),
    ("bce with logits", lambda: binary_cross_entropy_with_logits([1e300, -1e300], [1, 0])),
    ("cross_entropy index", lambda: cross_entropy([5.0], 0)),
    ("cross_entropy vector", lambda: cross_entropy([[1e300, -1e300]], [[1.0, 0.0]], reduction="sum")),
    ("svm_loss", lambda: svm_loss([2.0], [1])),
    ("max_margin", lambda: max_margin(2.0, 1.0)),
    ("penalties", lambda: l1([-0.0]) + l2([-0.0]) + weight_elimination([-0.0])),
]


@pytest.mark.parametrize("make", [p[1] for p in PERFECT], ids=[p[0] for p in PERFECT])
def test_a_perfect_prediction_costs_positive_zero(make: Callable[[], Value]) -> None:
    """0.0, not −0.0 (which compares equal but prints oddly); PyTorch gives +0.0 too."""
    loss = make()
    assert loss.data == 0.0 and math.copysign(1.0, loss.data) == 1.0 and repr(loss.data) == "0.0"


# ------------------------------------------------ note 001's cat/dog example


def accuracy(outputs: list[list[float]], labels: list[int]) -> float:
    hits = [max(range(len(a)), key=a.__getitem__) == y for a, y in zip(outputs, labels)]
    return sum(hits) / len(hits)


# (softmax outputs a₁, a₂ over [cat, dog]; labels y₁, y₂ as class indices)
FIRST = ([[0.55, 0.45], [0.44, 0.56]], [0, 1])  # y₁ = [1, 0], y₂ = [0, 1]: barely right
SECOND = ([[0.51, 0.49], [0.41, 0.59]], [1, 0])  # y₁ = [0, 1], y₂ = [1, 0]: barely wrong


def note_001_losses(outputs: list[list[float]], labels: list[int]) -> list[float]:
    """The cross-entropy −(1/N)·Σₙ ln aₙ[yₙ] of probabilities, computed three ways with our losses."""
    p_cat = [a[0] for a in outputs]
    is_cat = [float(y == 0) for y in labels]
    log_a = [[math.log(x) for x in a] for a in outputs]  # softmax(ln a) = a, as Σ a = 1
    one_hot = [[float(j == y) for j in range(2)] for y in labels]
    return [
        binary_cross_entropy(p_cat, is_cat).data,  # two classes: BCE on p(cat)
        cross_entropy(log_a, labels).data,
        cross_entropy(log_a, one_hot).data,
    ]


def test_note_001_cat_dog_cross_entropy() -> None:
    """Note 001: cross-entropy rises as the predictions get worse, while accuracy only jumps.

    First situation: −(ln 0.55 + ln 0.56)/2 = 0.5888… ("0.59") at 100% accuracy. Second: the
    note prints −(ln 0.49 + ln 0.59)/2 = 0.62, but its own label y₂ = [1, 0] makes sample 2 a cat,
    whose predicted probability is a₂[cat] = 0.41, not 0.59 (that is the dog's, the wrong class).
    The cross-entropy is −(ln 0.49 + ln 0.41)/2 = 0.8025… at 0% accuracy (docs/errata.md).
    """
    first = -(math.log(0.55) + math.log(0.56)) / 2
    second = -(math.log(0.49) + math.log(0.41)) / 2
    assert accuracy(*FIRST) == 1.0 and accuracy(*SECOND) == 0.0
    assert f"{first:.4f}" == "0.5888" and round(first, 2) == 0.59
    assert f"{second:.4f}" == "0.8025"
    note_printed = -(math.log(0.49) + math.log(0.59)) / 2
    assert round(note_printed, 2) == 0.62 and not math.isclose(note_printed, second, abs_tol=0.1)
    for ours in note_001_losses(*FIRST):
        assert ours == pytest.approx(first, rel=1e-14)
    for ours in note_001_losses(*SECOND):
        assert ours == pytest.approx(second, rel=1e-14)


@requires_torch
def test_note_001_cat_dog_matches_torch_nll() -> None:
    for (outputs, labels), ref in ((FIRST, 0.5888), (SECOND, 0.8025)):
        a = torch.tensor(outputs, dtype=torch.float64)
        theirs = F.nll_loss(a.log(), torch.tensor(labels)).item()
        assert round(theirs, 4) == ref
        for ours in note_001_losses(outputs, labels):
            assert_close(ours, theirs, "cross-entropy", rtol=1e-14)


# ---------------------------------------------------------- max-margin (002)


@requires_torch
@given(finite_floats(-10, 10), finite_floats(-10, 10), finite_floats(0, 3))
def test_max_margin_matches_torch(s: float, s_c: float, delta: float) -> None:
    """Away from the tie: PyTorch's margin_ranking_loss with target 1 is max(0, Δ − (s − s_c))."""
    assume(abs(delta + s_c - s) > 1e-6)
    assert_matches_torch(
        lambda a, b: max_margin(a, b, delta),
        lambda a, b: F.margin_ranking_loss(a, b, torch.tensor(1.0, dtype=torch.float64), margin=delta),
        [s, s_c],
    )


@requires_torch
def test_max_margin_tie_splits_the_gradient_like_torch_maximum() -> None:
    """At Δ + s_c = s the engine's maximum gives ½/½, as torch.maximum does (PyTorch's
    margin_ranking_loss clamps instead, which passes the whole gradient at the tie)."""
    assert_matches_torch(
        lambda a, b: max_margin(a, b, 1.0),
        lambda a, b: torch.maximum(1.0 + b - a, torch.tensor(0.0, dtype=torch.float64)),
        [3.0, 2.0],
    )
    s, s_c = Value(3.0), Value(2.0)
    assert value_and_grads(max_margin(s, s_c), [s, s_c]) == (0.0, [-0.5, 0.5])


@given(finite_floats(-10, 10), finite_floats(-10, 10), finite_floats(0, 3))
def test_max_margin_closed_form(s: float, s_c: float, delta: float) -> None:
    """Note 002: J = max(Δ + s_c − s, 0); while J > 0, ∂J/∂s = −∂J/∂s_c = −1; else both 0."""
    j = delta + s_c - s
    assume(abs(j) > 1e-9)
    vs, vc = Value(s), Value(s_c)
    value, grads = value_and_grads(max_margin(vs, vc, margin=delta), [vs, vc])
    assert value == max(j, 0.0)
    assert grads == ([-1.0, 1.0] if j > 0 else [0.0, 0.0])
    assert max_margin(s, s_c, margin=0).data == max(s_c - s, 0.0)  # the note's objective without Δ


WORDS = ["museums", "in", "paris", "are", "amazing", "not", "all"]
TRUE_WINDOW = "Museums in Paris are amazing".lower().split()
CORRUPT_WINDOW = "Not all museums in Paris".lower().split()


def ner_setup() -> tuple[dict[str, list[float]], list[list[float]], list[float], list[float]]:
    """Note 002's window classifier: 4-d word vectors, 5-word windows (x ∈ ℝ²⁰), 8 hidden units."""
    rnd = random.Random(2)
    vectors = {w: [rnd.gauss(0, 1) for _ in range(4)] for w in WORDS}
    W = [[rnd.gauss(0, 0.5) for _ in range(20)] for _ in range(8)]
    b = [rnd.gauss(0, 0.5) for _ in range(8)]
    U = [rnd.gauss(0, 0.5) for _ in range(8)]
    return vectors, W, b, U


def window(vectors: dict[str, Any], words: list[str]) -> list[Any]:
    return [x for w in words for x in vectors[w]]


def ner_score(W: list[list[Value]], b: list[Value], U: list[Value], x: list[Value]) -> Value:
    """s = Uᵀσ(Wx + b), built from Values."""
    hidden = [sum((W[i][j] * x[j] for j in range(20)), b[i]).sigmoid() for i in range(8)]
    return sum((U[i] * hidden[i] for i in range(1, 8)), U[0] * hidden[0])


def test_ner_window_max_margin_gradients_closed_form() -> None:
    """J = max(1 + s_c − s, 0) with s = Uᵀσ(Wx + b): the gradients of note 002 §5, by hand.

    While J > 0, ∂J/∂s = −1 and ∂J/∂s_c = +1, so ∂J/∂U = a_c − a with a = σ(Wx + b),
    ∂J/∂bᵢ = Uᵢ(σ'(z_c,ᵢ) − σ'(zᵢ)), ∂J/∂Wᵢⱼ = Uᵢ(σ'(z_c,ᵢ)x_c,ⱼ − σ'(zᵢ)xⱼ), and a word vector
    gets (Wᵀδ) at each position it fills, summed over both windows (δᵢ = ±Uᵢσ'(zᵢ)).
    """
    vectors, W, b, U = ner_setup()
    vv = {w: leaves(v) for w, v in vectors.items()}
    vW, vb, vU = [leaves(row) for row in W], leaves(b), leaves(U)
    assert sum(len(r) for r in vW) + len(vb) + len(vU) == 8 * 20 + 8 + 8

    J = max_margin(
        ner_score(vW, vb, vU, window(vv, TRUE_WINDOW)), ner_score(vW, vb, vU, window(vv, CORRUPT_WINDOW))
    )
    J.backward()

    def forward(words: list[str]) -> tuple[list[float], list[float], float]:
        x = window(vectors, words)
        a = [sigmoid(b[i] + math.fsum(W[i][j] * x[j] for j in range(20))) for i in range(8)]
        return x, a, math.fsum(u * ai for u, ai in zip(U, a))

    x, a, s = forward(TRUE_WINDOW)
    xc, ac, sc = forward(CORRUPT_WINDOW)
    assert 1 + sc - s > 0.1  # the pair is inside the margin: gradients flow
    assert_close(J.data, 1 + sc - s, "J")
    d, dc = [a_ * (1 - a_) for a_ in a], [a_ * (1 - a_) for a_ in ac]
    for i in range(8):
        assert_close(vU[i].grad, ac[i] - a[i], f"∂J/∂U{i}")
        assert_close(vb[i].grad, U[i] * (dc[i] - d[i]), f"∂J/∂b{i}")
        for j in range(20):
            assert_close(vW[i][j].grad, U[i] * (dc[i] * xc[j] - d[i] * x[j]), f"∂J/∂W{i},{j}")
    for w in WORDS:
        for k in range(4):
            ref = math.fsum(
                sign * U[i] * dd[i] * W[i][4 * pos + k]
                for sign, words, dd in ((1, CORRUPT_WINDOW, dc), (-1, TRUE_WINDOW, d))
                for pos, word in enumerate(words)
                if word == w
                for i in range(8)
            )
            assert_close(vv[w][k].grad, ref, f"∂J/∂{w}[{k}]")


@requires_torch
def test_ner_window_max_margin_matches_torch() -> None:
    vectors, W, b, U = ner_setup()
    flat = [x for w in WORDS for x in vectors[w]] + [x for row in W for x in row] + b + U
    n_v = 4 * len(WORDS)

    def unpack(xs: Any) -> tuple[dict[str, Any], list[Any], list[Any], list[Any]]:
        vec = {w: list(xs[4 * i : 4 * i + 4]) for i, w in enumerate(WORDS)}
        rest = xs[n_v:]
        return (
            vec,
            [list(rest[20 * i : 20 * i + 20]) for i in range(8)],
            list(rest[160:168]),
            list(rest[168:]),
        )

    def ours(*xs: Value) -> Value:
        vec, Wv, bv, Uv = unpack(xs)
        return max_margin(
            ner_score(Wv, bv, Uv, window(vec, TRUE_WINDOW)),
            ner_score(Wv, bv, Uv, window(vec, CORRUPT_WINDOW)),
        )

    def theirs(*ts: Any) -> Any:
        vec, Wt, bt, Ut = unpack(ts)
        Wm, bm, Um = stack([stack(r) for r in Wt]), stack(bt), stack(Ut)

        def score(words: list[str]) -> Any:
            return Um @ torch.sigmoid(Wm @ stack(window(vec, words)) + bm)

        return torch.clamp_min(1.0 + score(CORRUPT_WINDOW) - score(TRUE_WINDOW), 0.0)

    assert_matches_torch(ours, theirs, flat)


# -------------------------------------------------------------- svm_loss


@requires_torch
@given(data=st.data(), n=st.integers(1, 6), reduction=REDUCTIONS)
def test_svm_loss_matches_torch_twins(data: Any, n: int, reduction: str) -> None:
    """relu(1 − y·s) in PyTorch, and 2·multi_margin_loss over the two scores (−s/2, s/2)."""
    s = batch(data, finite_floats(-5, 5), n)
    y = batch(data, st.sampled_from([-1.0, 1.0]), n)
    assume(all(abs(1 - a * b) > 1e-6 for a, b in zip(s, y)))  # away from the kink
    assert_matches_torch(
        lambda *v: svm_loss(v[:n], v[n:], reduction),
        lambda *t: getattr(torch.relu(1.0 - stack(t[n:]) * stack(t[:n])), reduction)(),
        s + y,
    )
    classes = torch.tensor([int(b > 0) for b in y])
    assert_matches_torch(
        lambda *v: svm_loss(v, y, reduction),
        lambda *t: (
            2
            * F.multi_margin_loss(torch.stack([-stack(t) / 2, stack(t) / 2], 1), classes, reduction=reduction)
        ),
        s,
    )


@given(data=st.data(), n=st.integers(1, 6), reduction=REDUCTIONS)
def test_svm_loss_closed_form(data: Any, n: int, reduction: str) -> None:
    """micrograd's data loss: mean of max(0, 1 − yᵢsᵢ); ∂/∂sᵢ = −yᵢ/N inside the margin, else 0."""
    s = batch(data, st.one_of(finite_floats(-5, 5), st.sampled_from([1.0, -1.0])), n)
    y = batch(data, st.sampled_from([-1, 1]), n)
    vs = leaves(s)
    value, grads = value_and_grads(svm_loss(vs, y, reduction), vs)
    assert_close(value, reduce_ref([max(0.0, 1 - a * b) for a, b in zip(s, y)], reduction), "value")
    scale = 1.0 / n if reduction == "mean" else 1.0
    for g, a, b in zip(grads, s, y):
        assert g == (-b * scale if 1 - a * b > 0 else 0.0)  # relu'(0) = 0: no gradient at margin 1


# ---------------------------------------------------------------- penalties


def penalty_refs(w: list[float]) -> dict[str, tuple[float, list[float]]]:
    """(value, gradient) of each penalty, by hand."""
    sign = [(x > 0) - (x < 0) for x in w]
    return {
        "l1": (math.fsum(abs(x) for x in w), [float(s) for s in sign]),
        "l2": (math.fsum(x * x for x in w), [2 * x for x in w]),
        "weight_elimination": (
            math.fsum(x * x / (1 + x * x) for x in w),
            [2 * x / (1 + x * x) ** 2 for x in w],
        ),
    }


PENALTIES = {"l1": l1, "l2": l2, "weight_elimination": weight_elimination}


@given(st.lists(st.one_of(st.just(0.0), finite_floats(-100, 100)), min_size=1, max_size=8))
def test_penalties_closed_form(w: list[float]) -> None:
    for name, (ref, ref_grads) in penalty_refs(w).items():
        vw = leaves(w)
        value, grads = value_and_grads(PENALTIES[name](p for p in vw), vw)  # any iterable
        assert_close(value, ref, name)
        for i, (g, r) in enumerate(zip(grads, ref_grads)):
            assert_close(g, r, f"∂{name}/∂w{i}", atol=1e-15)


@requires_torch
@given(st.lists(st.one_of(st.just(0.0), finite_floats(-100, 100)), min_size=1, max_size=8))
def test_penalties_match_torch(w: list[float]) -> None:
    assert_matches_torch(lambda *v: l1(v), lambda *t: stack(t).abs().sum(), w)
    assert_matches_torch(lambda *v: l2(v), lambda *t: (stack(t) ** 2).sum(), w)
    assert_matches_torch(
        lambda *v: weight_elimination(v), lambda *t: (stack(t) ** 2 / (1 + stack(t) ** 2)).sum(), w
    )


@given(
    st.lists(finite_floats(-100, 100), min_size=1, max_size=8),
    st.lists(finite_floats(-10, 10), min_size=8, max_size=8),
    finite_floats(-1e3, 1e3),
)
def test_l2_as_one_sigma_node_matches_the_sum_of_squares_op_by_op(
    w: list[float], other: list[float], lam: float
) -> None:
    """l2 is one Σ node w·w: the same number as Σ w**2 built op by op, bit for bit; each wᵢ
    gets w·δ twice instead of (2w)·δ once, so with other terms in its grad the two may differ
    in the last bits (within 1e-12 relative, as the README says)."""
    results = []
    for fused in (True, False):
        vw = [Value(x) for x in w]
        penalty = l2(vw) if fused else total([x**2 for x in vw])
        data = sum((v * o for v, o in zip(vw, other)), Value(0.0))  # another path into each w
        (data + lam * penalty).backward()
        results.append((penalty.data, [v.grad for v in vw]))
    (p_fused, g_fused), (p_ops, g_ops) = results
    assert p_fused == p_ops
    for a, b in zip(g_fused, g_ops):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


def test_weight_elimination_limits() -> None:
    """Note 004: ≈ weight decay w² for small w; ≈ the constant 1, gradient → 0, for large w."""
    small, large, huge = Value(1e-4), Value(1e10), Value(1e300)
    value, grads = value_and_grads(weight_elimination([small, large, huge]), [small, large, huge])
    assert value == pytest.approx(1e-8 + 2.0, rel=1e-15)
    assert grads[0] == pytest.approx(2e-4, rel=1e-7)  # 2w/(1 + w²)² ≈ 2w
    assert grads[1] == pytest.approx(2e-30, rel=1e-12)  # ≈ 2/w³, kept to full precision
    assert grads[2] == 0.0 and weight_elimination([1e300]).data == 1.0  # no inf/inf = nan


def test_penalty_factors_and_scalings() -> None:
    """No ½ anywhere; the notes' conventions are a multiplication away."""
    w = [Value(-2.0), Value(0.5)]
    half_l1 = 0.5 * l1(w)  # note 001's printed ½‖w‖₁ (a typo for ‖w‖₁, docs/errata.md)
    half_l1.backward()
    assert half_l1.data == 1.25 and [x.grad for x in w] == [-0.5, 0.5]
    for x in w:
        x.grad = 0.0
    alpha = 0.1
    decay = alpha / 2 * l2(w)  # note 001: J + (α/2)·wᵀw, gradient α·w
    decay.backward()
    assert decay.data == pytest.approx(0.05 * 4.25) and [x.grad for x in w] == pytest.approx([-0.2, 0.05])
    lam, n = 0.01, 50  # note 004's (λ/N)·Σw²
    assert (lam / n * l2(w)).data == pytest.approx(lam / n * 4.25)
    assert l2([1, 2, Value(3)]).data == 14.0  # plain numbers are fine


# ------------------------------------------------------- second derivatives


@requires_torch
@given(data=st.data(), c=st.integers(1, 4))
def test_cross_entropy_hessian_is_diag_p_minus_ppt(data: Any, c: int) -> None:
    """∂²/∂zᵢ∂zⱼ of −log_softmax(z)ₖ = pᵢ[i = j] − pᵢpⱼ: against the closed form and PyTorch."""
    z = batch(data, finite_floats(-10, 10), c)
    k = data.draw(st.integers(0, c - 1))
    ours = hessian(lambda *v: cross_entropy(v, k), z)
    theirs = torch_hessian(lambda *t: F.cross_entropy(stack(t), torch.tensor(k)), z)
    p = softmax_ref(z)
    for i in range(c):
        for j in range(c):
            assert_close(ours[i][j], p[i] * (i == j) - p[i] * p[j], f"H[{i}][{j}]", atol=1e-14)
            assert_close(ours[i][j], theirs[i][j], f"H[{i}][{j}] vs torch", atol=1e-14)


@given(finite_floats(-30, 30), SOFT_TARGETS)
def test_bce_with_logits_second_derivative_is_sigmoid_prime(z: float, y: float) -> None:
    ((h,),) = hessian(lambda v: binary_cross_entropy_with_logits([v], [y]), [z])
    assert_close(h, sigmoid(z) * (1 - sigmoid(z)), "σ'(z)", atol=1e-15)


# ------------------------------------------------------------------ input


def test_numbers_and_values_mix() -> None:
    """Plain numbers become constants; gradients reach only the Values passed in."""
    p = Value(2.0)
    loss = mse([p, 1], [0, Value(1.0)])
    loss.backward()
    assert loss.data == 2.0 and p.grad == 2.0
    assert isinstance(max_margin(1, 2), Value) and max_margin(1, 2).data == 2.0
    assert svm_loss((s for s in [0.5]), (y for y in [True])).data == 0.5  # generators, a bool label
    assert cross_entropy([[0.0, 0.0]], (k for k in [1])).data == pytest.approx(math.log(2))


def test_numpy_scalars_are_numbers() -> None:
    np = pytest.importorskip("numpy")
    assert mse(np.array([2.0, 1.0]), [np.int64(0), np.float32(1.0)]).data == 2.0
    assert [p.data for p in softmax(np.zeros(2))] == [0.5, 0.5]
    assert cross_entropy(np.zeros((2, 4)), np.array([3, 0])).data == pytest.approx(math.log(4))


Call = Callable[[], Any]
ERRORS: list[tuple[str, Call, type, str]] = [
    # reductions
    (
        "mse reduction",
        lambda: mse([1], [1], reduction="none"),
        ValueError,
        "mse: reduction must be 'mean' or 'sum', got str 'none'",
    ),
    (
        "bce reduction",
        lambda: binary_cross_entropy([0.5], [1], reduction=None),
        ValueError,
        "binary_cross_entropy: reduction must be 'mean' or 'sum', got None",
    ),
    (
        "bcel reduction",
        lambda: binary_cross_entropy_with_logits([0], [1], "Mean"),
        ValueError,
        "binary_cross_entropy_with_logits: reduction must be 'mean' or 'sum', got str 'Mean'",
    ),
    (
        "ce reduction",
        lambda: cross_entropy([0, 1], 0, reduction="max"),
        ValueError,
        "cross_entropy: reduction must be 'mean' or 'sum', got str 'max'",
    ),
    (
        "svm reduction",
        lambda: svm_loss([0], [1], reduction=""),
        ValueError,
        "svm_loss: reduction must be 'mean' or 'sum', got str ''",
    ),
    # shapes and types
    (
        "mse lengths",
        lambda: mse([1, 2, 3], [1, 2]),
        ValueError,
        "mse: predictions has 3 entries but targets has 2",
    ),
    ("mse empty", lambda: mse([], []), ValueError, r"mse: predictions is empty \(an exhausted generator\?\)"),
    (
        "mse scalar",
        lambda: mse(Value(1.0), [1.0]),
        TypeError,
        r"mse: predictions must be an iterable of Values or numbers, "
        r"got a Value \(use its .data for the number\); for one use squared_error",
    ),
    (
        "mse element",
        lambda: mse([1, "2"], [1, 2]),
        TypeError,
        "mse: predictions\\[1\\] must be a Value or a real number, got str '2'",
    ),
    (
        "mse none",
        lambda: mse([1], None),
        TypeError,
        "mse: targets must be an iterable of Values or numbers, got NoneType None",
    ),
    (
        "mse string",
        lambda: mse("12", [1, 2]),
        TypeError,
        "mse: predictions must be an iterable of Values or numbers, got str '12'",
    ),
    (
        "squared_error batch",
        lambda: squared_error([1.0], 0.0),
        TypeError,
        r"squared_error: prediction must be a Value or a real number, got list \[1.0\]; for a batch use mse",
    ),
    (
        "squared_error target",
        lambda: squared_error(1.0, "0"),
        TypeError,
        "squared_error: target must be a Value or a real number, got str '0'",
    ),
    (
        "bce lengths",
        lambda: binary_cross_entropy([0.5], [1, 0]),
        ValueError,
        "binary_cross_entropy: probabilities has 1 entries but targets has 2",
    ),
    (
        "bce empty",
        lambda: binary_cross_entropy([], []),
        ValueError,
        "binary_cross_entropy: probabilities is empty",
    ),
    (
        "bcel lengths",
        lambda: binary_cross_entropy_with_logits([0.5, 1], [1]),
        ValueError,
        "binary_cross_entropy_with_logits: logits has 2 entries but targets has 1",
    ),
    (
        "bcel logit type",
        lambda: binary_cross_entropy_with_logits([None], [1]),
        TypeError,
        r"binary_cross_entropy_with_logits: logits\[0\] must be a Value or a real number, got NoneType None",
    ),
    ("svm lengths", lambda: svm_loss([1.0], []), ValueError, "svm_loss: labels is empty"),
    (
        "softmax empty",
        lambda: softmax([]),
        ValueError,
        r"softmax: logits is empty \(an exhausted generator\?\); it needs at least one entry",
    ),
    (
        "softmax scalar",
        lambda: softmax(3.0),
        TypeError,
        "softmax: logits must be an iterable of Values or numbers, got float 3.0",
    ),
    (
        "softmax element",
        lambda: softmax([1.0, [2.0]]),
        TypeError,
        r"softmax: logits\[1\] must be a Value or a real number, got list \[2.0\]",
    ),
    ("log_softmax empty", lambda: log_softmax(iter([])), ValueError, "log_softmax: logits is empty"),
    (
        "log_softmax object",
        lambda: log_softmax(object()),
        TypeError,
        "log_softmax: logits must be an iterable of Values or numbers, got object",
    ),
    # domains
    (
        "bce p > 1",
        lambda: binary_cross_entropy([0.5, 1.5], [1, 1]),
        ValueError,
        r"binary_cross_entropy: probabilities\[1\] = 1.5 is not in \[0, 1\] "
        r"\(for scores, use binary_cross_entropy_with_logits\)",
    ),
    (
        "bce p < 0",
        lambda: binary_cross_entropy([Value(-0.1)], [0]),
        ValueError,
        r"probabilities\[0\] = -0.1 is not in \[0, 1\]",
    ),
    (
        "bce p nan",
        lambda: binary_cross_entropy([math.nan], [0]),
        ValueError,
        r"probabilities\[0\] = nan is not in \[0, 1\]",
    ),
    (
        "bce target",
        lambda: binary_cross_entropy([0.5], [2]),
        ValueError,
        r"binary_cross_entropy: targets\[0\] = 2.0 is not in \[0, 1\]",
    ),
    (
        "bcel target",
        lambda: binary_cross_entropy_with_logits([3.0], [-1]),
        ValueError,
        r"binary_cross_entropy_with_logits: targets\[0\] = -1.0 is not in \[0, 1\]",
    ),
    (
        "bcel target nan",
        lambda: binary_cross_entropy_with_logits([3.0], [math.nan]),
        ValueError,
        r"targets\[0\] = nan is not in \[0, 1\]",
    ),
    (
        "svm label 0",
        lambda: svm_loss([1.0, 2.0], [1, 0]),
        ValueError,
        r"svm_loss: labels\[1\] = 0.0 is not -1 or \+1 \(0/1 labels y become 2\*y - 1\)",
    ),
    (
        "svm label 2",
        lambda: svm_loss([1.0], [Value(2.0)]),
        ValueError,
        r"svm_loss: labels\[0\] = 2.0 is not -1 or \+1",
    ),
    ("svm label nan", lambda: svm_loss([1.0], [math.nan]), ValueError, r"labels\[0\] = nan is not -1 or \+1"),
    (
        "margin negative",
        lambda: max_margin(1.0, 2.0, margin=-0.5),
        ValueError,
        "max_margin: margin must be a finite number >= 0, got float -0.5",
    ),
    (
        "margin nan",
        lambda: max_margin(1.0, 2.0, margin=math.nan),
        ValueError,
        "max_margin: margin must be a finite number >= 0, got float nan",
    ),
    (
        "margin inf",
        lambda: max_margin(1.0, 2.0, margin=math.inf),
        ValueError,
        "max_margin: margin must be a finite number >= 0, got float inf",
    ),
    (
        "margin Value",
        lambda: max_margin(1.0, 2.0, margin=Value(1.0)),
        TypeError,
        r"max_margin: margin must be a real number, got a Value \(use its \.data",
    ),
    (
        "margin str",
        lambda: max_margin(1.0, 2.0, margin="1"),
        TypeError,
        "max_margin: margin must be a real number, got str '1'",
    ),
    (
        "margin score",
        lambda: max_margin([1.0], 2.0),
        TypeError,
        r"max_margin: score_true must be a Value or a real number, got list \[1.0\]",
    ),
    (
        "margin corrupt",
        lambda: max_margin(1.0, None),
        TypeError,
        "max_margin: score_corrupt must be a Value or a real number, got NoneType None",
    ),
    # cross_entropy
    (
        "ce index high",
        lambda: cross_entropy([0.1, 0.2, 0.3], 3),
        ValueError,
        r"cross_entropy: target = 3 is not a class index in 0..2 \(3 classes\)",
    ),
    (
        "ce index negative",
        lambda: cross_entropy([[0.1, 0.2], [0.0, 0.0]], [0, -1]),
        ValueError,
        r"cross_entropy: target\[1\] = -1 is not a class index in 0..1 \(2 classes\)",
    ),
    (
        "ce float index",
        lambda: cross_entropy([0.1, 0.2], 1.0),
        TypeError,
        r"cross_entropy: target must be a class index \(int\) or a probability vector of 2 entries, "
        r"got float 1.0",
    ),
    (
        "ce bool index",
        lambda: cross_entropy([0.1, 0.2], True),
        TypeError,
        r"target must be a class index \(int\) or a probability vector of 2 entries, got bool True",
    ),
    (
        "ce vector length",
        lambda: cross_entropy([0.1, 0.2, 0.3], [1]),
        ValueError,
        "cross_entropy: target has 1 entries but the logits have 3 classes",
    ),
    (
        "ce vector sum",
        lambda: cross_entropy([0.1, 0.2], [0.5, 0.6]),
        ValueError,
        "cross_entropy: target sums to 1.1, not 1; a probability vector must sum to 1",
    ),
    (
        "ce vector entry",
        lambda: cross_entropy([0.1, 0.2], [1.5, -0.5]),
        ValueError,
        r"cross_entropy: target\[0\] = 1.5 is not in \[0, 1\]",
    ),
    (
        "ce vector element",
        lambda: cross_entropy([[0.1, 0.2]], [[1, "0"]]),
        TypeError,
        r"cross_entropy: target\[0\]\[1\] must be a Value or a real number, got str '0'",
    ),
    (
        "ce batch count",
        lambda: cross_entropy([[0.1, 0.2], [0.3, 0.4]], [0, 1, 1]),
        ValueError,
        "cross_entropy: 3 targets for a batch of 2 samples",
    ),
    (
        "ce batch target int",
        lambda: cross_entropy([[0.1, 0.2], [0.3, 0.4]], 1),
        TypeError,
        r"cross_entropy: target must be one class index or probability vector per sample \(2\), got int 1",
    ),
    (
        "ce ragged",
        lambda: cross_entropy([[0.1, 0.2], [0.3]], [0, 0]),
        ValueError,
        r"cross_entropy: logits\[1\] has 1 classes but logits\[0\] has 2",
    ),
    (
        "ce mixed",
        lambda: cross_entropy([0.1, [0.2]], 0),
        TypeError,
        r"cross_entropy: logits mixes numbers and rows \(logits\[0\] is float, logits\[1\] is list\)",
    ),
    ("ce empty", lambda: cross_entropy([], 0), ValueError, "cross_entropy: logits is empty"),
    ("ce empty row", lambda: cross_entropy([[]], [0]), ValueError, r"cross_entropy: logits\[0\] is empty"),
    (
        "ce string logits",
        lambda: cross_entropy("ab", 0),
        TypeError,
        "cross_entropy: logits must be an iterable of Values or numbers, got str 'ab'",
    ),
    # penalties
    ("l1 empty", lambda: l1([]), ValueError, r"l1: params is empty \(an exhausted generator\?\)"),
    (
        "l2 scalar",
        lambda: l2(Value(1.0)),
        TypeError,
        r"l2: params must be an iterable of Values or numbers, "
        r"got a Value \(use its .data for the number\); wrap a single parameter in a list",
    ),
    (
        "l2 element",
        lambda: l2([Value(1.0), None]),
        TypeError,
        r"l2: params\[1\] must be a Value or a real number, got NoneType None",
    ),
    (
        "weight_elimination empty",
        lambda: weight_elimination(()),
        ValueError,
        "weight_elimination: params is empty",
    ),
    (
        "weight_elimination str",
        lambda: weight_elimination("w"),
        TypeError,
        "weight_elimination: params must be an iterable of Values or numbers, got str 'w'",
    ),
]


@pytest.mark.parametrize("call, error, message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_bad_input_errors_name_the_function_and_the_value(call: Call, error: type, message: str) -> None:
    with pytest.raises(error, match=message) as info:
        call()
    assert type(info.value) is error


def test_an_exhausted_generator_is_an_error_not_a_zero_penalty() -> None:
    params = (Value(x) for x in (1.0, -2.0))
    assert l2(params).data == 5.0
    with pytest.raises(ValueError, match="l2: params is empty"):
        l2(params)


# ------------------------------------------------------------ public surface


def test_public_surface_and_docstring_examples() -> None:
    """A deliberate __all__; every function documents itself with a runnable example."""
    assert losses.__all__ == sorted(losses.__all__)
    assert set(losses.__all__) == {
        "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "l1", "l2",
        "log_softmax", "max_margin", "mse", "softmax", "squared_error", "svm_loss", "weight_elimination",
    }  # fmt: skip
    for name in losses.__all__:
        doc = getattr(losses, name).__doc__
        assert doc and ">>>" in doc, name
    result = doctest.testmod(losses)
    assert result.failed == 0 and result.attempted >= 30
