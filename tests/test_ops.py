"""Tests of tinygrad_edu.ops: numerics where a local derivative is zero, the trigonometric ops,
and the op table of docs/values.md.

References: PyTorch float64 (tests/oracle.py) and closed forms. Where a local
derivative is ``None`` no gradient flows, not even an inf or nan δ: PyTorch's
masks. Each case runs with δ = 1, inf and nan, with and without create_graph.
"""

from __future__ import annotations

import inspect
import math
from functools import partial
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from op_table import OP_TABLE, constant
from oracle import assert_matches_torch, close, requires_torch, tensors, torch, torch_hessian

from tinygrad_edu import Value, grad, hessian, maximum, minimum, ops
from tinygrad_edu.engine import apply, number

F = torch.nn.functional if torch is not None else None
inf, nan = math.inf, math.nan
DELTAS = [1.0, inf, -inf, nan]
README = Path(__file__).resolve().parent.parent / "docs" / "values.md"  # where the op table lives


def _prelu_torch(x: Any, a: Any) -> Any:
    return F.prelu(x.reshape(1), a.reshape(1)).reshape(())


def ours_grads(fn: Callable[..., Value], xs: list[float], delta: float, create_graph: bool) -> list[float]:
    """∂(fn · δ)/∂x for each x: the output's gradient δ reaches fn's node through a product."""
    vs = [Value(x) for x in xs]
    (fn(*vs) * delta).backward(create_graph=create_graph)
    return [number(v.grad) for v in vs]


def torch_grads(fn: Callable[..., Any], xs: list[float], delta: float) -> list[float]:
    ts = tensors(xs)
    gs = torch.autograd.grad(fn(*ts) * delta, ts, allow_unused=True)
    return [0.0 if g is None else g.item() for g in gs]


# ------------------------------------------------------- no gradient where the derivative is 0


class Masked(NamedTuple):
    name: str
    ours: Callable[..., Value]
    theirs: Optional[Callable[..., Any]]  # PyTorch's; None: no PyTorch op (the closed form is 0)
    xs: list[float]
    masked: tuple[int, ...]  # the inputs that get no gradient at all


MASKED = [
    Masked("relu below 0", lambda x: x.relu(), lambda x: torch.relu(x), [-1.0], (0,)),
    Masked("relu at 0", lambda x: x.relu(), lambda x: torch.relu(x), [0.0], (0,)),
    Masked("sign", lambda x: x.sign(), lambda x: torch.sign(x), [-2.5], (0,)),
    Masked("sign at 0", lambda x: x.sign(), lambda x: torch.sign(x), [0.0], (0,)),
    Masked("step", lambda x: x.step(), None, [0.7], (0,)),  # torch.heaviside has no derivative
    Masked("hardtanh below", lambda x: x.hardtanh(), lambda x: F.hardtanh(x), [-3.0], (0,)),
    Masked("hardtanh above", lambda x: x.hardtanh(), lambda x: F.hardtanh(x), [3.0], (0,)),
    Masked("hardtanh at max_val", lambda x: x.hardtanh(), lambda x: F.hardtanh(x), [1.0], (0,)),
    Masked("hardtanh at min_val", lambda x: x.hardtanh(), lambda x: F.hardtanh(x), [-1.0], (0,)),
    Masked("maximum, a loses", maximum, lambda a, b: torch.maximum(a, b), [-1.0, 2.0], (0,)),
    Masked("maximum, b loses", maximum, lambda a, b: torch.maximum(a, b), [2.0, -1.0], (1,)),
    Masked("minimum, a loses", minimum, lambda a, b: torch.minimum(a, b), [2.0, -1.0], (0,)),
    Masked("minimum, b loses", minimum, lambda a, b: torch.minimum(a, b), [-1.0, 2.0], (1,)),
    Masked("prelu slope for x > 0", lambda x, a: x.prelu(a), _prelu_torch, [1.5, 0.25], (1,)),
    Masked("a ** b at b = 0, a subnormal", lambda a, b: a**b, lambda a, b: a**b, [1e-310, 0.0], (0,)),
    Masked("a ** b at b = 0, a = 0", lambda a, b: a**b, lambda a, b: a**b, [0.0, 0.0], (0,)),
    Masked("a ** b at b = 0, a < 0 subnormal", lambda a, b: a**b, lambda a, b: a**b, [-1e-310, 0.0], (0,)),
    Masked("x ** 0", lambda x: x**0, lambda x: x**0, [3.0], (0,)),
]


@requires_torch
@pytest.mark.parametrize("create_graph", [False, True], ids=["floats", "create_graph"])
@pytest.mark.parametrize("delta", DELTAS)
@pytest.mark.parametrize("case", MASKED, ids=[c.name for c in MASKED])
def test_no_gradient_flows_where_pytorch_masks(case: Masked, delta: float, create_graph: bool) -> None:
    """A masked input's gradient is exactly 0 for any δ, inf and nan included; every gradient
    equals PyTorch's."""
    ours = ours_grads(case.ours, case.xs, delta, create_graph)
    for i in case.masked:
        assert ours[i] == 0.0, f"{case.name}: ∂/∂x{i} = {ours[i]!r} with δ = {delta}"
    if case.theirs is not None:
        theirs = torch_grads(case.theirs, case.xs, delta)
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert close(a, b), f"{case.name}: ∂/∂x{i} ours {a!r}, torch {b!r} (δ = {delta})"


@requires_torch
@pytest.mark.parametrize("create_graph", [False, True], ids=["floats", "create_graph"])
def test_relu_then_sqrt_at_a_negative_input_has_gradient_zero(create_graph: bool) -> None:
    """sqrt'(0) = inf reaches relu as δ = inf; relu lets none of it through for x ≤ 0 (not 0·inf = nan)."""
    x = Value(-1.0)
    x.relu().sqrt().backward(create_graph=create_graph)
    t = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)
    torch.relu(t).sqrt().backward()
    assert number(x.grad) == 0.0 == t.grad.item()


@requires_torch
@given(
    x=st.floats(max_value=0.0, allow_nan=False),
    delta=st.sampled_from([inf, -inf, nan]),
    create_graph=st.booleans(),
)
def test_masking_holds_for_any_input_at_or_below_zero(x: float, delta: float, create_graph: bool) -> None:
    """relu (x ≤ 0), sign, step, hardtanh (x ≤ −1) and x ** 0: gradient 0 for any such x and any
    non-finite δ, as PyTorch."""
    cases: list[tuple[Callable[..., Value], Optional[Callable[..., Any]]]] = [
        (lambda v: v.relu(), lambda t: torch.relu(t)),
        (lambda v: v.sign(), lambda t: torch.sign(t)),
        (lambda v: v.step(), None),
        (lambda v: (v - 1.0).hardtanh(), lambda t: F.hardtanh(t - 1.0)),  # x − 1 ≤ −1
        (lambda v: v**0, lambda t: t**0),
    ]
    for ours, theirs in cases:
        assert ours_grads(ours, [x], delta, create_graph) == [0.0]
        if theirs is not None:
            assert torch_grads(theirs, [x], delta) == [0.0]


@requires_torch
@given(
    a=st.floats(allow_nan=False),
    b=st.floats(allow_nan=False),
    delta=st.sampled_from([inf, -inf, nan]),
    create_graph=st.booleans(),
)
def test_the_losing_input_of_maximum_and_minimum_gets_no_gradient(
    a: float, b: float, delta: float, create_graph: bool
) -> None:
    """For a < b: maximum sends nothing to a, minimum nothing to b, whatever δ; the same as PyTorch."""
    assume(a < b)
    assert ours_grads(maximum, [a, b], delta, create_graph)[0] == 0.0
    assert ours_grads(minimum, [a, b], delta, create_graph)[1] == 0.0
    assert torch_grads(lambda s, t: torch.maximum(s, t), [a, b], delta)[0] == 0.0
    assert torch_grads(lambda s, t: torch.minimum(s, t), [a, b], delta)[1] == 0.0


@requires_torch
@given(
    x=st.floats(min_value=0.0, exclude_min=True),
    a=st.floats(allow_nan=False),
    delta=st.sampled_from([inf, -inf, nan]),
    create_graph=st.booleans(),
)
def test_prelu_slope_gets_no_gradient_for_x_over_0(
    x: float, a: float, delta: float, create_graph: bool
) -> None:
    """prelu(x, a) = x for x > 0 does not depend on a: ∂/∂a is 0 for any δ, as PyTorch's."""
    assert ours_grads(lambda v, s: v.prelu(s), [x, a], delta, create_graph)[1] == 0.0
    assert torch_grads(_prelu_torch, [x, a], delta)[1] == 0.0


@requires_torch
@given(a=st.floats(min_value=-2.2e-308, max_value=2.2e-308), create_graph=st.booleans())
def test_pow_at_exponent_0_gives_no_gradient_to_a_tiny_base(a: float, create_graph: bool) -> None:
    """aᵇ at b = 0 is 1 for every a: ∂/∂a = 0 even where b·aᵇ⁻¹ would be 0·inf (PyTorch: 0)."""
    assert ours_grads(lambda s, t: s**t, [a, 0.0], 1.0, create_graph)[0] == 0.0
    assert torch_grads(lambda s, t: s**t, [a, 0.0], 1.0)[0] == 0.0


# ------------------------------------------------------------- nan operands of maximum, minimum


@requires_torch
@pytest.mark.parametrize("create_graph", [False, True], ids=["floats", "create_graph"])
@pytest.mark.parametrize("xs", [[nan, 2.0], [2.0, nan], [nan, nan], [nan, -inf]], ids=str)
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_a_nan_operand_of_maximum_or_minimum_sends_the_gradient_to_both(
    name: str, xs: list[float], create_graph: bool
) -> None:
    """With a nan operand the result is nan and both inputs get δ: what torch.maximum gives."""
    ours = maximum if name == "maximum" else minimum
    theirs = torch.maximum if name == "maximum" else torch.minimum
    vs = [Value(x) for x in xs]
    y = ours(*vs)
    y.backward(create_graph=create_graph)
    assert math.isnan(y.data)
    assert [number(v.grad) for v in vs] == [1.0, 1.0] == torch_grads(theirs, xs, 1.0)


# ------------------------------------------------------------------ special values, every op


def _sweep_ops() -> list[tuple[str, Callable[..., Value], Callable[..., Any], int]]:
    """Every op with a fixed number of inputs, as the op test table has it (a new op is swept with
    no edit here), and the constants where PyTorch's conventions matter most."""
    cases = []
    for name, row in OP_TABLE.items():
        op = ops.table()[name]
        params = inspect.signature(op.forward).parameters.values()
        if name == "step" or any(p.kind is p.VAR_POSITIONAL for p in params):
            continue  # sums have shapes, not arities; PyTorch has no step with a derivative
        c = constant(name)
        cases.append((name, partial(apply, op, c=c), partial(row.torch, c), len(params) - 2))
    return [
        *cases,
        ("x ** 0", lambda x: x**0, lambda x: x**0, 1),
        ("0 ** x", lambda x: 0.0**x, lambda x: 0.0**x, 1),
        ("x ** 2", lambda x: x**2, lambda x: x**2, 1),
        ("prelu, as F.prelu", lambda x, a: x.prelu(a), _prelu_torch, 2),
    ]


SPECIAL = [nan, inf, -inf, 0.0, -0.0, 1e-310, -1e-310, 1.0, -1.0, 2.0]


def known_difference(name: str, xs: tuple[float, ...], delta: float) -> bool:
    """The places where we differ from PyTorch on purpose (the README's numerics section)."""
    if name == "prelu":
        return True  # the table's torch.where(x > 0, x, a·x) is no prelu at inf/nan; F.prelu's case is swept
    if name == "softsign" and (math.isinf(xs[0]) or not math.isfinite(delta)):
        # ours has the limit ±1 at ±inf (README); PyTorch's softsign is x/(1 + |x|) op by op, so
        # it computes inf/inf = nan, and an infinite δ reaches x through both of its uses: inf − inf
        return True
    if name in ("abs", "sign") and math.isnan(xs[0]):
        return True  # torch.sign(nan) is 0 (so abs'(nan) = 0); ours keeps the nan
    if name == "pow" and xs[1] == 0.0 and not math.isinf(ops.FLOATS.pow(xs[0], -1.0)):
        # at b = 0, ∂/∂a = b·aᵇ⁻¹ = 0 stays a graph (for the Hessian), so a non-finite δ gives
        # 0·δ = nan, and so does a nan base (0·nan); PyTorch drops ∂/∂a at b = 0
        return not math.isfinite(delta) or math.isnan(xs[0])
    return False


SWEEP = [
    (name, ours, theirs, xs, delta)
    for name, ours, theirs, n in _sweep_ops()
    for xs in ([(x,) for x in SPECIAL] if n == 1 else [(a, b) for a in SPECIAL for b in SPECIAL])
    for delta in (1.0, inf, nan)
    if not known_difference(name, xs, delta)
]


@requires_torch
@pytest.mark.parametrize("name", sorted({case[0] for case in SWEEP}))
def test_values_and_gradients_at_special_inputs_match_torch(name: str) -> None:
    """nan, ±inf, ±0 and subnormal inputs, with δ = 1, inf or nan: the same value and gradients
    as PyTorch, with and without create_graph (apart from the listed known differences)."""
    for _, ours, theirs, xs, delta in (case for case in SWEEP if case[0] == name):
        vs = [Value(x) for x in xs]
        y = ours(*vs)
        t = theirs(*tensors(xs))
        assert close(y.data, t.item()), f"{name}{xs}: ours {y.data!r}, torch {t.item()!r}"
        expected = torch_grads(theirs, list(xs), delta)
        for create_graph in (False, True):
            got = ours_grads(ours, list(xs), delta, create_graph)
            assert all(map(close, got, expected)), f"{name}{xs}, δ = {delta}: ours {got}, torch {expected}"


@requires_torch
def test_a_local_derivative_that_overflows_gives_inf_where_the_product_would_not() -> None:
    """The limit of the local form (README, numerics): ∂(x/b)/∂x = 1/b = inf at b = 1e-310, so
    (x/b)·1e-20 has ∂/∂x = inf·1e-20 = inf, where PyTorch's δ/b = 1e-20/1e-310 = 1e290."""
    x, b = Value(1.0), Value(1e-310)
    ((x / b) * 1e-20).backward()
    assert x.grad == inf
    assert close(torch_grads(lambda s, t: (s / t) * 1e-20, [1.0, 1e-310], 1.0)[0], 1e290)


# ------------------------------------------------------------------------- sin, cos, tan

TRIG: list[tuple[str, Callable[[Value], Value], Callable[[Any], Any]]] = [
    ("sin", lambda x: x.sin(), lambda x: torch.sin(x)),
    ("cos", lambda x: x.cos(), lambda x: torch.cos(x)),
    ("tan", lambda x: x.tan(), lambda x: torch.tan(x)),
]


@requires_torch
@pytest.mark.parametrize("name, ours, theirs", TRIG, ids=[t[0] for t in TRIG])
@given(x=st.floats(-20.0, 20.0))
def test_trig_values_first_and_second_derivatives_match_torch(
    name: str, ours: Callable[[Value], Value], theirs: Callable[[Any], Any], x: float
) -> None:
    """sin, cos, tan and their first and second derivatives equal PyTorch float64's
    (tan away from its poles, where it and its derivatives blow up)."""
    if name == "tan":
        assume(abs(math.cos(x)) > 0.05)
    assert_matches_torch(ours, theirs, [x])
    ((h,),) = hessian(ours, [x])
    ((t,),) = torch_hessian(theirs, [x])
    assert close(h, t, rtol=1e-9, atol=1e-12 * max(1.0, abs(t))), f"{name}'' at {x}: ours {h}, torch {t}"


@given(x=st.floats(-20.0, 20.0))
def test_trig_derivatives_match_their_closed_forms(x: float) -> None:
    """sin' = cos, cos' = −sin, tan' = 1 + tan² = 1/cos²."""
    assert grad(lambda v: v.sin())(x) == math.cos(x)
    assert grad(lambda v: v.cos())(x) == -math.sin(x)
    assume(abs(math.cos(x)) > 0.05)
    assert close(grad(lambda v: v.tan())(x), 1.0 / math.cos(x) ** 2, rtol=1e-12)


@pytest.mark.parametrize("x", [nan, inf, -inf])
def test_trig_of_a_non_finite_input_is_nan(x: float) -> None:
    """As IEEE (and PyTorch): no ValueError from Python's math.sin(inf)."""
    v = Value(x)
    for y in (v.sin(), v.cos(), v.tan()):
        y.backward()
        assert math.isnan(y.data)


def _nth_derivative(f: Callable[[Any], Any], n: int) -> Callable[[Any], Any]:
    for _ in range(n):
        f = grad(f)
    return f


def _torch_nth_derivative_of_sin(x: float, n: int) -> float:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = torch.sin(t)
    for _ in range(n):
        (y,) = torch.autograd.grad(y, t, create_graph=True)
    return float(y.item())


@requires_torch
@pytest.mark.parametrize("n", range(1, 7))
@given(x=st.floats(-10.0, 10.0))
def test_nth_derivative_of_sin_through_nested_grad(n: int, x: float) -> None:
    """grad(grad(…(sin)…)) n deep is sin⁽ⁿ⁾ = cos, −sin, −cos, sin, cos, −sin for n = 1…6: the
    closed form, and PyTorch's repeated autograd.grad(create_graph=True)."""
    closed = [math.sin(x), math.cos(x), -math.sin(x), -math.cos(x)][n % 4]
    ours = _nth_derivative(lambda v: v.sin(), n)(x)
    assert isinstance(ours, float)
    assert close(ours, closed, rtol=1e-12), f"sin^({n})({x}): ours {ours!r}, closed form {closed!r}"
    theirs = _torch_nth_derivative_of_sin(x, n)
    assert close(ours, theirs, rtol=1e-12), f"sin^({n})({x}): ours {ours!r}, torch {theirs!r}"


# ------------------------------------------------------------------------ the README's table


def test_readme_op_table_is_the_one_ops_derives() -> None:
    """The op table of docs/values.md ("What a Value can do") is ops.markdown_table(), verbatim."""
    assert ops.markdown_table() in README.read_text(encoding="utf-8")


def test_op_table_has_a_row_for_every_op_users_call() -> None:
    table = ops.markdown_table()
    for name, op in ops.functions().items():
        assert f"| `{op.call}` | `{op.name}` | {op.derivative.replace('|', chr(92) + '|')} |" in table, name
    assert "\\|x\\|" in table  # softsign's |x| is escaped, so it does not split the row
