"""Tests of tinygrad_edu.testing: gradcheck, finite_floats and the expressions strategy.

References: closed-form derivatives and central differences computed by hand
for gradcheck's verdicts and messages; PyTorch float64 (tests/oracle.py) for
the values and gradients of every drawn expression.
"""

from __future__ import annotations

import math
import re
from functools import partial
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_table import OP_TABLE
from oracle import close, requires_torch, torch, torch_value_and_grads

from tinygrad_edu import Value, gradients, no_grad, ops
from tinygrad_edu.testing import OPS, Expression, expressions, finite_floats, gradcheck


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


def central_difference_in(message: str) -> float:
    match = re.search(r"central difference (\S+),", message)
    assert match, f"no central difference in {message!r}"
    return float(match.group(1))


# ------------------------------------------------------------------ gradcheck


@given(floats(-2, 2), floats(-2, 2))
def test_gradcheck_accepts_correct_gradients(a: float, b: float) -> None:
    """A function whose graph is intact passes: gradcheck returns True."""
    f = lambda x, y: x * y.exp() + x / (1 + y * y) + (x * y).tanh() - y.sigmoid() * x
    assert gradcheck(f, [a, b]) is True


def test_gradcheck_accepts_ints_and_kink_free_points() -> None:
    """Integer inputs are converted; ∂(x·y)/∂x = 3, ∂/∂y = 2 at (2, 3) pass; abs at 0 passes (0 = 0)."""
    assert gradcheck(lambda x, y: x * y, [2, 3]) is True
    # engine abs'(0) = 0 (PyTorch) and (|ε| − |−ε|)/2ε = 0 too
    assert gradcheck(lambda x: abs(x), [0.0]) is True
    # sign and step far from their jump: both derivatives are 0
    assert gradcheck(lambda x: x.sign() + x.step(), [0.5]) is True


def test_gradcheck_rejects_broken_graph_and_names_input() -> None:
    """x·y.data + y treats y.data as a constant: engine ∂/∂y = 1, true ∂/∂y = x + 1 = 3 → input 1 fails."""
    with pytest.raises(AssertionError) as info:
        gradcheck(lambda x, y: x * y.data + y, [2.0, 3.0])
    message = str(info.value)
    assert "input 1" in message and "input 0" not in message
    assert "engine gradient 1.0" in message
    assert close(central_difference_in(message), 3.0, rtol=1e-6)
    assert "x = 3.0" in message


def test_gradcheck_rejects_detached_first_input() -> None:
    """Value(x.data)·y cuts x out of the graph: engine ∂/∂x = 0, true ∂/∂x = y = −1.5 → input 0 fails."""
    with pytest.raises(AssertionError, match="input 0") as info:
        gradcheck(lambda x, y: Value(x.data) * y, [4.0, -1.5])
    assert "engine gradient 0.0" in str(info.value)
    assert close(central_difference_in(str(info.value)), -1.5, rtol=1e-6)


@pytest.mark.parametrize(
    ("name", "f", "quotient"),
    [
        ("sign", lambda x: x.sign(), 2.0 / 2e-6),  # (1 − (−1)) / 2ε
        ("step", lambda x: x.step(), 1.0 / 2e-6),  # (1 − 0) / 2ε
        ("relu", lambda x: x.relu(), 0.5),  # (ε − 0) / 2ε
    ],
)
def test_gradcheck_fails_at_jumps_and_kinks(name: str, f: Callable[[Value], Value], quotient: float) -> None:
    """At 0 the engine says 0 but the difference quotient across the jump/kink is 1/ε, 1/2ε or ½."""
    with pytest.raises(AssertionError, match="input 0") as info:
        gradcheck(f, [0.0])
    message = str(info.value)
    assert "engine gradient 0.0" in message
    assert close(central_difference_in(message), quotient, rtol=1e-6), name


def test_gradcheck_eps_controls_truncation_error() -> None:
    """x³ at 1: the central difference is 3 + ε², so ε = 0.1 gives 3.01 and fails; ε = 1e-6 passes."""
    with pytest.raises(AssertionError) as info:
        gradcheck(lambda x: x**3, [1.0], eps=0.1)
    assert close(central_difference_in(str(info.value)), 3.01, rtol=1e-12)
    assert gradcheck(lambda x: x**3, [1.0]) is True


def test_gradcheck_tolerances() -> None:
    """Engine 1 vs true 3 (diff 2): passes with atol = 3 or rtol = 0.7 (2.1), fails at rtol = 0.6 (1.8)."""
    broken = lambda x, y: x * y.data + y
    assert gradcheck(broken, [2.0, 3.0], atol=3.0) is True
    assert gradcheck(broken, [2.0, 3.0], rtol=0.7) is True
    with pytest.raises(AssertionError, match="input 1"):
        gradcheck(broken, [2.0, 3.0], rtol=0.6)


def test_gradcheck_type_errors() -> None:
    """f must return a Value; inputs must be real numbers (not strings, not Values)."""
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: x.data * 2.0, [1.0])
    with pytest.raises(TypeError, match=r"inputs\[1\]"):
        gradcheck(lambda x, y: x * y, [1.0, "2.0"])
    with pytest.raises(TypeError, match=r"inputs\[0\]"):
        gradcheck(lambda x: x * 2, [Value(1.0)])


# gradcheck documents its test as |engine − numerical| ≤ atol + rtol·|numerical| but implements it
# with math.isclose, i.e. ≤ max(atol, rtol·max(|engine|, |numerical|)). The two disagree both ways.
# f = c·x + Value(d·x.data): engine derivative c, true derivative c + d (the second term is cut off).


def test_gradcheck_documented_tolerance_accepts() -> None:
    """Engine 0.01, numerical 0.010015: documented tolerance 1e-5 + 1e-3·0.010015 ≈ 2.0e-5 ≥ 1.5e-5 → True."""
    assert gradcheck(lambda x: 0.01 * x + Value(1.5e-5 * x.data), [0.0]) is True


def test_gradcheck_documented_tolerance_rejects() -> None:
    """Engine 1.9, numerical 1.0, rtol 0.5: documented tolerance 1e-5 + 0.5·1.0 < 0.9 → AssertionError."""
    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(lambda x: 1.9 * x + Value(-0.9 * x.data), [0.0], rtol=0.5)


# -------------------------------------------------------------- finite_floats


@given(st.data())
def test_finite_floats_in_range(data: st.DataObject) -> None:
    """Every draw of finite_floats(lo, hi) is a finite float in [lo, hi]."""
    lo = data.draw(floats(-1e6, 1e6), label="lo")
    hi = data.draw(floats(lo, 1e6), label="hi")
    for _ in range(5):
        v = data.draw(finite_floats(lo, hi), label="v")
        assert isinstance(v, float) and math.isfinite(v) and lo <= v <= hi


@given(finite_floats())
def test_finite_floats_default_range(v: float) -> None:
    """The default range is [−1e3, 1e3], never nan or inf."""
    assert math.isfinite(v) and -1e3 <= v <= 1e3


# ---------------------------------------------------------------- expressions


def step_values(expr: Expression) -> list[float]:
    """The value of every step, computed op by op on fresh leaves (independently of Expression.evaluate)."""
    values: list[float] = []
    with no_grad():
        for name, *args in expr.steps:
            if name == "x":
                values.append(expr.inputs[args[0]])
            else:
                values.append(OPS[name].apply(*[Value(values[j]) for j in args]).data)
    return values


def leaves(expr: Expression) -> list[Value]:
    return [Value(x) for x in expr.inputs]


def test_ops_are_derived_from_the_op_table() -> None:
    """OPS holds every op of ops.table() that has a domain, by the same name, with its domain, its
    kink, its number of inputs, and its constant: the op's example, else the defaults of its call."""
    drawable = {name: op for name, op in ops.table().items() if op.domain is not None}
    assert list(OPS) == list(drawable)
    for name, op in drawable.items():
        spec = OPS[name]
        assert (spec.valid, spec.kink) == (op.domain, op.kink), name
        c = op.example if op.example is not None else op.bind((), {})
        assert spec.constant == c, name
        xs = [Value(0.5 + i) for i in range(spec.arity)]
        y = spec.apply(*xs)
        assert y.rule is op and y.inputs == tuple(xs) and y.constant == c, name
    assert {"dot", "dot_c", "sum", "sign", "step"}.isdisjoint(OPS)  # no domain: never drawn


def test_ops_compute_what_their_names_say() -> None:
    """A few rows of OPS in closed form, with their constants: x + 1.5, 1.5 − x, x·(−2.5), x³, 2ˣ,
    1/x, leaky_relu's default slope 0.01, elu's α = 1, hardtanh's [−1, 1]."""
    at = lambda name, *xs: OPS[name].apply(*[Value(x) for x in xs]).data
    assert at("add_c", 2.0) == 3.5 and at("sub_c", 2.0) == 0.5 and at("rsub_c", 2.0) == -0.5
    assert at("mul_c", 2.0) == -5.0 and at("div_c", 2.0) == 0.5 and at("rdiv_c", 4.0) == 0.25
    assert at("pow_const", -2.0) == -8.0 and at("rpow", 3.0) == 8.0
    assert at("leaky_relu", -2.0) == pytest.approx(-0.02, rel=1e-15)
    assert at("elu", -1.0) == pytest.approx(math.exp(-1.0) - 1, rel=1e-14)
    assert at("prelu", -2.0, 0.25) == -0.5 and at("prelu", 2.0, 0.25) == 2.0
    assert at("hardtanh", 5.0) == 1.0 and at("hardtanh", -5.0) == -1.0 and at("hardtanh", 0.5) == 0.5
    assert at("softplus", 0.0) == pytest.approx(math.log(2.0), rel=1e-15)
    assert at("softsign", 3.0) == 0.75
    assert at("arctan", 1.0) == pytest.approx(math.pi / 4, rel=1e-15)
    assert (
        at("sin", 0.5) == math.sin(0.5)
        and at("cos", 0.5) == math.cos(0.5)
        and at("tan", 0.5) == math.tan(0.5)
    )
    assert at("pow", 2.0, 0.5) == pytest.approx(math.sqrt(2.0), rel=1e-15)
    assert at("maximum", 1.0, 2.0) == 2.0 and at("minimum", 1.0, 2.0) == 1.0


@pytest.mark.parametrize(("max_inputs", "max_ops", "bound"), [(3, 8, 3.0), (1, 1, 3.0), (5, 14, 0.5)])
@given(data=st.data())
def test_expression_structure(max_inputs: int, max_ops: int, bound: float, data: st.DataObject) -> None:
    """Inputs in [−bound, bound]; steps read inputs then apply OPS (right arity) to earlier steps only;
    every op was valid for its operands; every value is finite, below 1e4, and the output is the last step."""
    expr = data.draw(expressions(max_inputs=max_inputs, max_ops=max_ops, bound=bound), label="expr")
    n = len(expr.inputs)
    assert 1 <= n <= max_inputs
    assert all(math.isfinite(x) and -bound <= x <= bound for x in expr.inputs)
    assert expr.steps[:n] == tuple(("x", i) for i in range(n))
    op_steps = expr.steps[n:]
    assert 1 <= len(op_steps) <= max_ops  # the default ops always include some valid op (tanh, neg, ...)
    values = step_values(expr)
    for position, (name, *args) in enumerate(op_steps, start=n):
        assert name in OPS and len(args) == OPS[name].arity
        assert all(isinstance(j, int) and 0 <= j < position for j in args), (position, args)
        assert OPS[name].valid(*[values[j] for j in args]), (name, [values[j] for j in args])
    assert all(math.isfinite(v) and abs(v) < 1e4 for v in values), values
    out = expr(*leaves(expr))
    assert isinstance(out, Value) and out.data == values[-1]


@given(expressions(max_inputs=3, max_ops=8))
def test_expression_formula(expr: Expression) -> None:
    """formula() names only OPS and inputs x0..x(n−1), and evaluating it as Python gives the same value."""
    text = expr.formula()
    assert set(re.findall(r"([a-z_0-9]+)\(", text)) <= set(OPS)
    assert {int(i) for i in re.findall(r"\bx(\d+)\b", text)} <= set(range(len(expr.inputs)))
    namespace: dict[str, Any] = {"__builtins__": {}, **{name: spec.apply for name, spec in OPS.items()}}
    namespace.update({f"x{i}": v for i, v in enumerate(leaves(expr))})
    assert eval(text, namespace).data == expr(*leaves(expr)).data
    assert text in repr(expr)


@given(st.data())
def test_expressions_ops_restriction(data: st.DataObject) -> None:
    """expressions(ops=[...]) only ever applies the listed ops."""
    allowed = data.draw(
        st.lists(st.sampled_from(sorted(OPS)), min_size=1, max_size=4, unique=True), label="ops"
    )
    expr = data.draw(expressions(ops=allowed), label="expr")
    used = {name for name, *_ in expr.steps if name != "x"}
    assert used <= set(allowed)


@given(expressions(ops=["log", "sqrt"], max_ops=4))
def test_expressions_log_sqrt_only_on_valid_operands(expr: Expression) -> None:
    """With ops = log and sqrt, every operand is above 0.2, and the value is the closed-form composition."""
    values = step_values(expr)
    for name, j in expr.steps[len(expr.inputs) :]:
        assert name in ("log", "sqrt") and values[j] > 0.2
    expected: list[float] = []
    for name, *args in expr.steps:
        if name == "x":
            expected.append(expr.inputs[args[0]])
        else:
            expected.append((math.log if name == "log" else math.sqrt)(expected[args[0]]))
    assert close(expr(*leaves(expr)).data, expected[-1], rtol=1e-15, atol=0.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ops": ["tanh", "sinh"]},
        {"ops": ["sign"]},
        {"ops": ["Tanh"]},
        {"ops": []},
        {"max_ops": 0},
        {"max_inputs": 0},
        {"max_ops": -1},
    ],
)
def test_expressions_invalid_arguments(kwargs: dict[str, Any]) -> None:
    """Unknown op names, an empty op list, and max_ops or max_inputs below 1 are ValueErrors at once."""
    with pytest.raises(ValueError, match="expressions"):
        expressions(**kwargs)


def test_expressions_unknown_op_named_in_message() -> None:
    """The ValueError names the unknown op."""
    with pytest.raises(ValueError, match="sinh"):
        expressions(ops=["tanh", "sinh"])


def torch_ops() -> dict[str, Callable[..., Any]]:
    """The same math as OPS, in PyTorch (float64 tensors in, tensors out): the op table's rows,
    each given the constant OPS uses."""
    return {name: partial(OP_TABLE[name].torch, spec.constant) for name, spec in OPS.items()}


@requires_torch
def test_torch_table_covers_ops() -> None:
    """Every op of OPS has its row in the op table, and agrees with it on a kink-free point."""
    assert set(OPS) <= set(OP_TABLE)
    table = torch_ops()
    for name, spec in OPS.items():
        args = [0.7, 1.3][: spec.arity]
        ours = spec.apply(*[Value(a) for a in args]).data
        theirs = table[name](*[torch.tensor(a, dtype=torch.float64) for a in args]).item()
        assert close(ours, theirs), (name, ours, theirs)


def _check_against_torch(expr: Expression) -> None:
    table = torch_ops()
    xs = leaves(expr)
    out = expr(*xs)
    ours = gradients(out, xs)
    value, theirs = torch_value_and_grads(lambda *ts: expr.evaluate(ts, table), expr.inputs)
    assert math.isfinite(out.data)
    assert close(out.data, value), f"value of {expr!r}: ours {out.data!r}, torch {value!r}"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert close(a, b), f"∂/∂x{i} of {expr!r}: ours {a!r}, torch {b!r}"


@requires_torch
@given(expressions())
def test_expression_value_and_gradients_match_torch(expr: Expression) -> None:
    """Each drawn expression's value and gradients equal PyTorch float64's within rel 1e-9."""
    _check_against_torch(expr)


@requires_torch
@given(expressions(max_inputs=4, max_ops=16))
def test_deeper_expression_value_and_gradients_match_torch(expr: Expression) -> None:
    """Deeper graphs (up to 16 ops, 4 inputs, with shared sub-expressions) also match PyTorch."""
    _check_against_torch(expr)


@given(expressions())
def test_gradcheck_passes_on_drawn_expressions(expr: Expression) -> None:
    """Every drawn expression is smooth around its inputs: gradcheck agrees with central differences."""
    assert gradcheck(expr, expr.inputs) is True


@given(expressions(ops=["log", "sqrt"], max_ops=4))
def test_restricted_expressions_apply_at_least_one_op(expr: Expression) -> None:
    """The docstring promises 1..max_ops op steps: the output is never a bare input."""
    assert len(expr.steps) > len(expr.inputs), repr(expr)


# relu(x0·e^(3x1) − e^(3x1)) at x0 = 1 + 7e-7, x1 = 2.5
KINK_COUNTEREXAMPLE = Expression(
    (("x", 0), ("x", 1), ("exp", 1), ("pow_const", 2), ("mul", 3, 0), ("sub", 4, 3), ("relu", 5)),
    (1.0 + 7e-7, 2.5),
)


def test_kink_margin_scales_with_sensitivity() -> None:
    """relu(x0·e^(3x1) − e^(3x1)) at (1 + 7e-7, 2.5): the relu's operand is 1.27e-3 above the kink,
    beyond a fixed 1e-3 margin, but it moves by ∂/∂x0 ≈ 1808 per unit of x0, so central differences
    with ε = 1e-6 straddle the kink and gradcheck fails. expressions() scales the margin by that
    sensitivity, 1e-3·(1 + 1808), so it never draws this expression."""
    expr = KINK_COUNTEREXAMPLE
    values = step_values(expr)
    e3 = math.exp(3 * 2.5)
    assert close(values[-2], e3 * 7e-7, rtol=1e-6)  # the relu's operand
    xs = leaves(expr)
    operand = Expression(expr.steps[:-1], expr.inputs)(*xs)
    sensitivity = max(abs(g) for g in gradients(operand, xs))
    assert close(sensitivity, e3, rtol=1e-9)  # ∂/∂x0 = e^(3x1) ≈ 1808
    assert OPS["relu"].kink(values[-2]) > 1e-3  # a fixed margin would allow it...
    assert not OPS["relu"].kink(values[-2]) > 1e-3 * (1 + sensitivity)  # ...the scaled one does not
    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(expr, expr.inputs)  # and rightly so: the kink is within ε's reach
