"""tinygrad_edu.engine and tinygrad_edu.ops: every op's value, first and second derivatives
against PyTorch float64 and central differences; IEEE numerics; bad input; backprop semantics."""

from __future__ import annotations

import gc
import inspect
import math
import sys
import types
from fractions import Fraction
from typing import Any, Callable, NamedTuple

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from op_table import AWAY0, OP_TABLE, POS, REALS, constant, reals
from oracle import assert_matches_torch, close, requires_torch, torch, torch_hessian

import tinygrad_edu
from tinygrad_edu import (
    AnomalyError,
    Value,
    backpropagate,
    detect_anomaly,
    dot,
    hessian,
    is_grad_enabled,
    maximum,
    minimum,
    no_grad,
    ops,
    topological_order,
    total,
)
from tinygrad_edu.engine import apply
from tinygrad_edu.testing import expressions, finite_floats, gradcheck

F = torch.nn.functional if torch is not None else None


class Case(NamedTuple):
    """An op of ops.table() with a constant, checked against its row of tests/op_table.py."""

    name: str  # the op's name in ops.table()
    c: Any  # the op's constant
    domains: tuple[Any, ...]  # one strategy per input

    def ours(self, *xs: Value) -> Value:
        return apply(ops.table()[self.name], *xs, c=self.c)

    def theirs(self, *ts: Any) -> Any:
        return OP_TABLE[self.name].torch(self.c, *ts)


# Every op with its row's constant and inputs; then more constants for ops whose rule depends
# on theirs (a power's exponent, a Σ node's length, with or without its b), inputs drawn to suit.
CASES = [Case(name, constant(name), row.domains) for name, row in OP_TABLE.items()] + [
    Case("pow_const", 2.0, (REALS,)),
    Case("pow_const", 1.5, (POS,)),
    Case("pow_const", -2.0, (AWAY0,)),
    Case("rpow", 0.5, (REALS,)),
    Case("dot", 3, (REALS,) * 6),  # no b
    Case("dot_c", (1.5,), (REALS,)),
    Case("sum", None, (REALS,) * 2),
    Case("hardtanh", (-1.0, 1.0), (reals(away=(-1.0, 1.0)),)),
    Case("leaky_relu", 0.01, (AWAY0,)),
]
IDS = [f"{case.name}({case.c!r})" for case in CASES]


def draw_args(data: Any, case: Case) -> list[float]:
    xs = [data.draw(d, label=f"x{i}") for i, d in enumerate(case.domains)]
    assume(OP_TABLE[case.name].valid(*xs))
    return xs


def test_every_op_has_a_row_in_the_op_table() -> None:
    """Adding an op to ops.py means adding its PyTorch row to tests/op_table.py."""
    missing, stale = set(ops.table()) - set(OP_TABLE), set(OP_TABLE) - set(ops.table())
    assert not missing, f"ops without a row in tests/op_table.py: {sorted(missing)}"
    assert not stale, f"rows of tests/op_table.py for no op of ops.table(): {sorted(stale)}"


def test_every_function_users_call_makes_its_op() -> None:
    """Each op users call by name is there, as a Value method or a function of the package, and
    makes a node of that op, with the defaults of its call as the constant."""
    for name, op in ops.functions().items():
        fn = getattr(Value, name, None) or getattr(tinygrad_edu, name)
        xs = [Value(0.5 + i) for i in range(len(op.inputs))]
        if op is ops.DOT:
            y = fn(xs[:1], xs[1:2], xs[2])
        else:
            y = fn(xs) if op is ops.SUM else fn(*xs)
        assert y.rule is op and y.inputs == tuple(xs), name
        if op.params:
            assert y.constant == op.bind((), {}), name


@requires_torch
@pytest.mark.parametrize("case", CASES, ids=IDS)
@given(data=st.data())
def test_op_value_and_gradient_match_torch(case: Case, data: Any) -> None:
    assert_matches_torch(case.ours, case.theirs, draw_args(data, case))


@pytest.mark.parametrize("case", CASES, ids=IDS)
@given(data=st.data())
def test_op_gradient_matches_central_differences(case: Case, data: Any) -> None:
    gradcheck(case.ours, draw_args(data, case))


@requires_torch
@pytest.mark.parametrize("case", CASES, ids=IDS)
@given(data=st.data())
def test_op_second_derivatives_match_torch(case: Case, data: Any) -> None:
    xs = draw_args(data, case)
    ours, theirs = hessian(case.ours, xs), torch_hessian(case.theirs, xs)
    for i, (row, trow) in enumerate(zip(ours, theirs)):
        for j, (h, th) in enumerate(zip(row, trow)):
            assert close(h, th, rtol=1e-9, atol=1e-10), f"H[{i}][{j}] at {xs}: ours {h!r}, torch {th!r}"


@requires_torch
def test_an_input_repeated_in_one_node_adds_up_as_in_torch() -> None:
    """dot([w, x], [w, w]) = w² + xw and total([a, b, a]) hold an input twice: its terms add."""
    assert_matches_torch(lambda w, x: dot([w, x], [w, w]), lambda w, x: w * w + x * w, [1.5, -0.5])
    assert_matches_torch(lambda a, b: total([a, b, a], 1.5), lambda a, b: 1.5 + a + b + a, [0.3, 2.0])


# ------------------------------------------------------------ kinks and edges


def _prelu_torch(x: Any, a: Any) -> Any:
    return F.prelu(x.reshape(1), a.reshape(1)).sum()


# The derivative at kinks and domain edges follows PyTorch: (ours, torch's, point)
KINKS = [
    ("relu(0)", lambda x: x.relu(), lambda x: x.relu(), [0.0]),
    ("abs(0)", abs, lambda x: x.abs(), [0.0]),
    ("hardtanh(-1)", lambda x: x.hardtanh(), lambda x: F.hardtanh(x), [-1.0]),
    ("hardtanh(1)", lambda x: x.hardtanh(), lambda x: F.hardtanh(x), [1.0]),
    ("leaky_relu(0)", lambda x: x.leaky_relu(0.2), lambda x: F.leaky_relu(x, 0.2), [0.0]),
    ("elu(0)", lambda x: x.elu(1.3), lambda x: F.elu(x, 1.3), [0.0]),
    ("prelu(0)", lambda x, a: x.prelu(a), lambda x, a: _prelu_torch(x, a), [0.0, 0.3]),
    ("prelu(<0)", lambda x, a: x.prelu(a), lambda x, a: _prelu_torch(x, a), [-2.0, 0.3]),
    ("maximum tie", maximum, lambda a, b: torch.maximum(a, b), [1.5, 1.5]),
    ("minimum tie", minimum, lambda a, b: torch.minimum(a, b), [1.5, 1.5]),
    ("sign(0)", lambda x: x.sign(), lambda x: torch.sign(x), [0.0]),
    ("sqrt(0)", lambda x: x.sqrt(), lambda x: x.sqrt(), [0.0]),
    ("log(0)", lambda x: x.log(), lambda x: x.log(), [0.0]),
    ("0**2", lambda x: x**2, lambda x: x**2, [0.0]),
    ("0**0", lambda x: x**0, lambda x: x**0, [0.0]),
    ("0**0.5", lambda x: x**0.5, lambda x: x**0.5, [0.0]),
    ("0**b (b>0)", lambda a, b: a**b, lambda a, b: a**b, [0.0, 2.0]),
    ("0**b (b=0)", lambda a, b: a**b, lambda a, b: a**b, [0.0, 0.0]),
    ("a**b (b=0)", lambda a, b: a**b, lambda a, b: a**b, [2.0, 0.0]),
    ("(-2)**3 Value exponent", lambda a, b: a**b, lambda a, b: a**b, [-2.0, 3.0]),
    ("0**x", lambda x: 0.0**x, lambda x: 0.0**x, [2.0]),
    ("x/0", lambda a, b: a / b, lambda a, b: a / b, [1.0, 0.0]),
    ("exp(1000)", lambda x: x.exp(), lambda x: x.exp(), [1000.0]),
    ("sigmoid(-1e308)", lambda x: x.sigmoid(), lambda x: x.sigmoid(), [-1e308]),
    ("sigmoid(1e308)", lambda x: x.sigmoid(), lambda x: x.sigmoid(), [1e308]),
    ("tanh(-1e308)", lambda x: x.tanh(), lambda x: x.tanh(), [-1e308]),
    ("softplus(1e308)", lambda x: x.softplus(), lambda x: F.softplus(x), [1e308]),
    ("softplus(-1e308)", lambda x: x.softplus(), lambda x: F.softplus(x), [-1e308]),
    ("elu(-1e308)", lambda x: x.elu(), lambda x: F.elu(x), [-1e308]),
]


@requires_torch
@pytest.mark.parametrize("ours, theirs, xs", [k[1:] for k in KINKS], ids=[k[0] for k in KINKS])
def test_kinks_and_edges_follow_torch(ours: Any, theirs: Any, xs: list[float]) -> None:
    assert_matches_torch(ours, theirs, xs)


def test_kink_conventions_closed_form() -> None:
    """The documented conventions, without PyTorch: relu'(0)=0, abs'(0)=0, hardtanh'(±1)=0,
    leaky'(0)=k, elu'(0)=α, prelu at 0 passes a to x and 0 to a, ties split ½/½."""

    def d(f: Callable[..., Value], *xs: float) -> list[float]:
        vs = [Value(x) for x in xs]
        f(*vs).backward()
        return [v.grad for v in vs]

    assert d(lambda x: x.relu(), 0.0) == [0.0]
    assert d(abs, 0.0) == [0.0]
    assert d(lambda x: x.hardtanh(), 1.0) == [0.0]
    assert d(lambda x: x.hardtanh(), -1.0) == [0.0]
    assert d(lambda x: x.leaky_relu(0.2), 0.0) == [0.2]
    assert d(lambda x: x.elu(1.3), 0.0) == [1.3]
    assert d(lambda x, a: x.prelu(a), 0.0, 0.25) == [0.25, 0.0]
    assert d(maximum, 2.0, 2.0) == [0.5, 0.5]
    assert d(minimum, 2.0, 2.0) == [0.5, 0.5]
    assert d(lambda x: x.sign(), 0.0) == [0.0]
    assert d(lambda x: x.step(), 0.0) == [0.0]


# IEEE/PyTorch semantics: (expression, expected value); none of these may raise.
IEEE = [
    ("exp overflow", lambda: Value(1000.0).exp(), math.inf),
    ("log 0", lambda: Value(0.0).log(), -math.inf),
    ("log negative", lambda: Value(-1.0).log(), math.nan),
    ("sqrt negative", lambda: Value(-4.0).sqrt(), math.nan),
    ("1/0", lambda: Value(1.0) / 0, math.inf),
    ("-1/0", lambda: Value(-1.0) / 0, -math.inf),
    ("1/-0.0", lambda: 1 / Value(-0.0), -math.inf),
    ("0/0", lambda: Value(0.0) / 0, math.nan),
    ("10**400", lambda: Value(10.0) ** 400, math.inf),
    ("(-10)**401", lambda: Value(-10.0) ** 401, -math.inf),
    ("(-8)**(1/3)", lambda: Value(-8.0) ** (1 / 3), math.nan),
    ("0**-1", lambda: Value(0.0) ** -1, math.inf),
    ("(-0.0)**-1", lambda: Value(-0.0) ** -1, -math.inf),
    ("0**-2", lambda: Value(0.0) ** -2, math.inf),
    ("2**2000", lambda: 2 ** Value(2000.0), math.inf),
    ("Value**Value overflow", lambda: Value(10.0) ** Value(400.0), math.inf),
    ("1e308*10", lambda: Value(1e308) * 10, math.inf),
    ("sigmoid(-1e308)", lambda: Value(-1e308).sigmoid(), 0.0),
    ("sigmoid(1e308)", lambda: Value(1e308).sigmoid(), 1.0),
    ("tanh(1e308)", lambda: Value(1e308).tanh(), 1.0),
    ("softplus(1e308)", lambda: Value(1e308).softplus(), 1e308),
    ("softplus(-1e308)", lambda: Value(-1e308).softplus(), 0.0),
    ("softsign(1e308)", lambda: Value(1e308).softsign(), 1.0),
    ("softsign(inf)", lambda: Value(math.inf).softsign(), 1.0),
    ("elu(-1e308)", lambda: Value(-1e308).elu(2.0), -2.0),
    ("arctan(inf)", lambda: Value(math.inf).arctan(), math.pi / 2),
    ("relu(nan)", lambda: Value(math.nan).relu(), math.nan),
    ("maximum(nan, 1)", lambda: maximum(math.nan, 1.0), math.nan),
    ("maximum(1, nan)", lambda: maximum(1.0, math.nan), math.nan),
    ("minimum(1, nan)", lambda: minimum(1.0, math.nan), math.nan),
]


@pytest.mark.parametrize("make, expected", [c[1:] for c in IEEE], ids=[c[0] for c in IEEE])
def test_ieee_values_instead_of_exceptions(make: Callable[[], Value], expected: float) -> None:
    y = make()
    assert close(y.data, expected, rtol=1e-15)
    y.backward()  # the derivative rules must not raise either (inf/nan allowed)


@given(finite_floats(-1e308, 1e308))
def test_activations_are_stable_for_any_finite_input(x: float) -> None:
    """σ, tanh, softplus never overflow: values in range, finite non-negative derivatives."""
    for f, lo, hi in [(Value.sigmoid, 0.0, 1.0), (Value.tanh, -1.0, 1.0), (Value.softsign, -1.0, 1.0)]:
        v = Value(x)
        y = f(v)
        y.backward()
        assert lo <= y.data <= hi and 0.0 <= v.grad <= 1.0
    v = Value(x)
    y = v.softplus()
    y.backward()
    assert y.data >= max(x, 0.0) and math.isfinite(y.data) and 0.0 <= v.grad <= 1.0


@requires_torch
@given(finite_floats(-1e308, 1e308))
def test_sigmoid_and_tanh_match_torch_over_the_whole_float_range(x: float) -> None:
    assert_matches_torch(lambda v: v.sigmoid(), lambda t: t.sigmoid(), [x])
    assert_matches_torch(lambda v: v.tanh(), lambda t: t.tanh(), [x])


# ------------------------------------------------------------------- input


@pytest.mark.parametrize(
    "x, expected", [(3, 3.0), (True, 1.0), (Fraction(1, 4), 0.25), (-0.5, -0.5), (2**60, float(2**60))]
)
def test_any_real_number_is_stored_as_float(x: Any, expected: float) -> None:
    v = Value(x)
    assert type(v.data) is float and v.data == expected and v.grad == 0.0 and v.op == ""


def test_numpy_scalars_are_accepted() -> None:
    np = pytest.importorskip("numpy")
    for x in (np.float64(1.5), np.float32(1.5), np.int64(3)):
        v = Value(x) * x
        assert type(v.data) is float and v.data == float(x) ** 2


bad_inputs = st.one_of(
    st.text(max_size=5), st.complex_numbers(), st.none(), st.lists(st.floats(), max_size=2), st.just(object())
)


@given(bad_inputs)
def test_value_rejects_non_real_data_naming_the_type(x: Any) -> None:
    with pytest.raises(TypeError, match=type(x).__name__):
        Value(x)


@given(bad_inputs)
def test_operators_reject_non_real_operands(x: Any) -> None:
    v = Value(1.0)
    for op in (
        lambda: v + x, lambda: x + v, lambda: v - x, lambda: x - v, lambda: v * x, lambda: x * v,
        lambda: v / x, lambda: x / v, lambda: v**x, lambda: x**v,
    ):  # fmt: skip
        with pytest.raises(TypeError):
            op()


def test_error_messages_name_the_operation_and_value() -> None:
    with pytest.raises(TypeError, match=r"Value: data must be a real number, got str '1'"):
        Value("1")
    with pytest.raises(TypeError, match=r"got a Value \(use its \.data"):
        Value(Value(1.0))
    with pytest.raises(TypeError, match=r"^Value: label .*\b3\b"):
        Value(1.0, label=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^maximum: .*str 'a'"):
        maximum(Value(1.0), "a")
    with pytest.raises(TypeError, match=r"^leaky_relu: k must be a real number, got str 'x'"):
        Value(1.0).leaky_relu("x")
    with pytest.raises(TypeError, match=r"^prelu: .*str 'x'"):
        Value(1.0).prelu("x")
    with pytest.raises(ValueError, match=r"^hardtanh: min_val must be below max_val, got 1\.0, -1\.0"):
        Value(1.0).hardtanh(1.0, -1.0)
    # a wrong signature is Python's own TypeError, which names the method and the argument
    with pytest.raises(TypeError, match=r"hardtanh\(\) got an unexpected keyword argument 'foo'"):
        Value(1.0).hardtanh(foo=1.0)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"tanh\(\) takes 1 positional argument but 2 were given"):
        Value(1.0).tanh(2.0)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="within float range"):
        Value(10**400)
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'Value' and 'str'"):
        Value(1.0) + "a"  # type: ignore[operator]


# -------------------------------------------------------------- the graph


def test_value_api_and_micrograd_neuron() -> None:
    """micrograd's neuron example: o = tanh(x1·w1 + x2·w2 + b), gradients by the chain rule."""
    x1, x2, w1, w2 = Value(2.0, label="x1"), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    delta = 1 - math.tanh(n.data) ** 2  # δ of the pre-activation
    assert o.op == "tanh" and n.op == "+" and x1.op == "" and x1.label == "x1"
    assert n.grad == pytest.approx(delta, rel=1e-15)
    assert (x1.grad, w1.grad, x2.grad, w2.grad, b.grad) == pytest.approx(
        (-3 * delta, 2 * delta, delta, 0.0, delta), rel=1e-15
    )
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(x1) == "Value(data=2.0, grad=" + repr(x1.grad) + ", label='x1')"


def test_a_value_keeps_its_fields_in_slots_and_has_no_dict_until_a_user_sets_an_attribute() -> None:
    v = Value(1.5, label="v")
    fields = ("data", "grad", "label", "_prev", "_op", "_rule", "_c", "_scope")
    assert all(isinstance(vars(Value)[f], types.MemberDescriptorType) for f in fields)
    # what the garbage collector sees of the node (without making its __dict__, as reading
    # v.__dict__ would): its fields and its type, and nothing else
    held = gc.get_referents(v)
    assert sorted(map(id, held)) == sorted(id(x) for x in [*(getattr(v, f) for f in fields), Value])
    v.m = 0.25  # a user's own attribute, as hand-written optimizers set on parameters
    assert v.m == 0.25 and vars(v) == {"m": 0.25}
    assert any(held is vars(v) for held in gc.get_referents(v))  # the dict exists now, and holds it


def test_shared_subexpressions_accumulate() -> None:
    """A node used by several consumers gets the sum of their contributions (δ = Σ ∂t/∂s·δₜ)."""
    x = Value(1.5)
    a = x * x  # used three times below
    y = a * a + a.tanh() + 3 * a
    y.backward()
    av = 1.5**2
    dy_da = 2 * av + (1 - math.tanh(av) ** 2) + 3
    assert a.grad == pytest.approx(dy_da, rel=1e-14)
    assert x.grad == pytest.approx(dy_da * 2 * 1.5, rel=1e-14)
    z = Value(2.0)
    w = z + z + z * z  # the same leaf twice in one op, twice more in another
    w.backward()
    assert z.grad == 2 + 2 * 2.0


def test_backward_twice_adds_the_same_gradient_again() -> None:
    """micrograd's bug: intermediate grads from the first pass leaking into the second."""
    x, y = Value(0.7), Value(-1.2)
    h = (x * y).tanh()
    out = h * h + h * x
    out.backward()
    first = (x.grad, y.grad, h.grad)
    out.backward()
    assert (x.grad, y.grad) == pytest.approx((2 * first[0], 2 * first[1]), rel=1e-15)
    assert h.grad == first[2]  # intermediates hold this pass's δ, not a sum
    x.grad = y.grad = 0.0
    out.backward()
    assert (x.grad, y.grad, h.grad) == first  # the very same numbers, bit for bit


def test_leaf_gradients_accumulate_until_zeroed() -> None:
    x = Value(3.0)
    (x * x).backward()
    (x * 2).backward()
    assert x.grad == 2 * 3.0 + 2
    x.grad = 0.0
    (x * x).backward()
    assert x.grad == 6.0
    leaf = Value(5.0)
    leaf.backward()
    leaf.backward()
    assert leaf.grad == 2.0  # ∂leaf/∂leaf = 1, accumulated


def test_million_node_chain_backprops_without_recursion() -> None:
    """y = x·c·c·…·c (10⁶ multiplications) — ∂y/∂x = cⁿ; recursion limit irrelevant."""
    n, c = 1_000_000, 1.0 + 1e-6
    x = Value(2.0)
    y, k = x, Value(c)
    for _ in range(n):
        y = y * k
    assert len(topological_order(y)) == n + 2
    y.backward()
    assert x.grad == pytest.approx(c**n, rel=1e-8)
    assert k.grad == pytest.approx(n * 2.0 * c ** (n - 1), rel=1e-8)
    del y
    gc.collect()  # a million-deep graph is also freed without crashing


def test_backpropagate_runs_each_rule_once_and_shows_it_to_check() -> None:
    """Seeded at the first node of a topological order, backpropagate visits each op node once,
    consumers first, adding local·δ into each input; check(node, local, δ) sees every visit."""
    x = Value(3.0)
    z = (x * x).tanh()
    order = topological_order(z)
    z.grad = 1.0
    seen: list[tuple[str, tuple[Any, ...], float]] = []
    backpropagate(order, check=lambda node, local, delta: seen.append((node.op, local, delta)))
    d = 1.0 - z.data * z.data  # tanh' = 1 − tanh²
    assert seen == [("tanh", (d,), 1.0), ("*", (3.0, 3.0), d)]
    assert x.grad == 3.0 * d + 3.0 * d


@given(expressions(max_inputs=3, max_ops=10))
def test_topological_order_lists_each_node_once_after_all_its_consumers(expr: Any) -> None:
    out = expr(*[Value(x) for x in expr.inputs])
    order = topological_order(out)
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order) and order[0] is out
    for node in order:
        for p in node.inputs:
            assert position[p] > position[node]


@requires_torch
@given(expressions(max_inputs=3, max_ops=10))
def test_intermediate_grads_are_the_deltas(expr: Any) -> None:
    """After backward, every node's .grad is ∂out/∂node: check against gradients() on a detached copy."""
    xs = [Value(x) for x in expr.inputs]
    out = expr(*xs)
    out.backward()
    for node in topological_order(out):
        assert math.isfinite(node.grad)
    # ∂out/∂x via gradients() (a fresh pass) agrees with the leaves' accumulated grads
    from tinygrad_edu import gradients

    for x, g in zip(xs, gradients(out, xs)):
        assert x.grad == pytest.approx(g, rel=1e-12, abs=1e-15)


def test_no_grad_records_nothing_and_restores_the_mode() -> None:
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * x + 1
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert y.data == 5.0 and y.op == "" and not y.inputs
    y.backward()
    assert x.grad == 0.0  # nothing connects y to x
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError
    assert is_grad_enabled()

    @no_grad()
    def evaluate(v: Value) -> Value:
        return v.exp()

    assert evaluate(x).inputs == () and is_grad_enabled()


def test_detach_stops_the_gradient() -> None:
    x = Value(3.0, label="x")
    d = x.detach()
    assert d.data == 3.0 and d.label == "x" and d is not x and not d.inputs
    (x * d).backward()
    assert x.grad == 3.0  # only through the attached side: ∂(x·c)/∂x = c


def test_create_graph_makes_gradients_differentiable() -> None:
    """y = x³: after backward(create_graph=True), x.grad = 3x² is a Value with a graph."""
    x = Value(2.0)
    y = x**3
    y.backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value) and g.data == 12.0
    x.grad = 0.0
    g.backward()  # type: ignore[attr-defined]
    assert x.grad == 12.0  # d(3x²)/dx = 6x
    c = Value(1.0)
    (c + 1).backward(create_graph=True)  # a constant gradient still comes back as a Value
    assert isinstance(c.grad, Value) and c.grad.data == 1.0  # type: ignore[attr-defined]


def test_detect_anomaly_names_the_forward_op() -> None:
    x = Value(-1.0)
    assert math.isnan(x.log().data)  # outside the block: IEEE nan, no error
    message = r"forward of 'log' produced nan from inputs \(-2\.0\)"
    with detect_anomaly(), pytest.raises(AnomalyError, match=message) as e:
        (x * 2).log()
    assert e.value.phase == "forward" and e.value.op == "log" and e.value.inputs == (-2.0,)
    assert math.isnan(e.value.node.data)
    assert math.isnan((x * 2).log().data)  # the mode is restored after the error
    w, xs, b = [Value(1e308), Value(-2.0)], [Value(10.0), Value(1.0)], Value(0.5)
    with detect_anomaly(), pytest.raises(AnomalyError, match="forward of 'Σ' produced inf") as e:
        dot(w, xs, b)  # a Σ node names its inputs in order: w…, x…, b
    assert e.value.inputs == (1e308, -2.0, 10.0, 1.0, 0.5)


def test_detect_anomaly_names_the_backward_op() -> None:
    x = Value(0.0)
    y = x.sqrt() + 1  # finite forward; ∂√x/∂x = inf at 0
    with detect_anomaly(), pytest.raises(AnomalyError, match="backward of 'sqrt' produced gradient inf") as e:
        y.backward()
    assert e.value.phase == "backward" and e.value.op == "sqrt" and e.value.input_index == 0
    with detect_anomaly():
        z = Value(0.5)
        (z.sqrt() * z).backward()  # all finite: no error
    assert z.grad == pytest.approx(1.5 * math.sqrt(0.5))


# ------------------------------------------------------------ nodes that hold more
# A node may hold more than a micrograd node: a number operand (x * 2 is one node, the 2
# kept as its constant), or a whole sum (a neuron's Σ wᵢxᵢ + b). Each must give what the
# plain op-by-op graph gives.

NUMBER_OPS = [
    ("x + c", lambda x, c: x + c),
    ("c + x", lambda x, c: c + x),
    ("x - c", lambda x, c: x - c),
    ("c - x", lambda x, c: c - x),
    ("x * c", lambda x, c: x * c),
    ("c * x", lambda x, c: c * x),
    ("x / c", lambda x, c: x / c),
    ("c / x", lambda x, c: c / x),
]
# x ** c and c ** x (ops.POW_CONST, ops.RPOW) follow PyTorch's conventions at c = 0, where
# the two-Value ops.POW differs on purpose: compared on second derivatives only, away from 0
POWERS = [("x ** c", lambda x, c: x**c), ("c ** x", lambda x, c: c**x)]


def _same(a: float, b: float) -> bool:
    """Bit for bit, nan matching nan."""
    return (a == b and math.copysign(1.0, a) == math.copysign(1.0, b)) or (a != a and b != b)


@pytest.mark.parametrize("name, op", NUMBER_OPS, ids=[n for n, _ in NUMBER_OPS])
@given(x=st.floats(allow_nan=False), c=st.floats(allow_nan=False))
def test_a_number_operand_gives_what_a_constant_leaf_gives(name: str, op: Any, x: float, c: float) -> None:
    fast_x = Value(x)
    fast = op(fast_x, c)
    assert fast.inputs == (fast_x,)  # one node: the number is kept in it, not made a leaf
    fast.backward()
    plain_x, leaf = Value(x), Value(c)
    plain = op(plain_x, leaf)
    plain.backward()
    assert _same(fast.data, plain.data), f"{name} at x={x!r}, c={c!r}: {fast.data!r} != {plain.data!r}"
    assert _same(fast_x.grad, plain_x.grad), f"∂({name})/∂x at x={x!r}, c={c!r}"


@pytest.mark.parametrize("name, op", NUMBER_OPS + POWERS, ids=[n for n, _ in NUMBER_OPS + POWERS])
@given(x=reals(0.2, 3.0), c=reals(0.5, 3.0))
def test_a_number_operand_keeps_second_derivatives(name: str, op: Any, x: float, c: float) -> None:
    fast, plain = hessian(lambda v: op(v, c), [x]), hessian(lambda v: op(v, Value(c)), [x])
    assert close(fast[0][0], plain[0][0], rtol=1e-15)


def _plain_dot(w: list[Value], x: list[Any], b: Any) -> Value:
    """Σ wᵢxᵢ + b op by op: 2n binary nodes, numbers made constant leaves."""
    start = b if b is not None else Value(0.0)
    return sum((wi * (xi if isinstance(xi, Value) else Value(xi)) for wi, xi in zip(w, x)), start)


PY_SUM_EXACT = sys.version_info < (3, 12)  # 3.12's sum() of floats is compensated: last-bit differences


@given(
    st.integers(0, 8).flatmap(
        lambda n: st.tuples(
            st.lists(reals(-1e3, 1e3), min_size=n, max_size=n),
            st.lists(reals(-1e3, 1e3), min_size=n, max_size=n),
            st.one_of(st.none(), reals(-1e3, 1e3)),
            st.booleans(),
        )
    )
)
def test_dot_is_the_sum_of_products_op_by_op(case: tuple[list[float], list[float], Any, bool]) -> None:
    ws, xs, b, numbers = case
    outs, grads = [], []
    for build in (dot, _plain_dot):
        w = [Value(v) for v in ws]
        x: list[Any] = list(xs) if numbers else [Value(v) for v in xs]
        bias = None if b is None else Value(b)
        out = (build(w, x, bias) * 1.5).tanh()  # something downstream, so δ is not 1
        out.backward()
        outs.append(out.data)
        inputs = w + ([] if numbers else x) + ([bias] if bias else [])
        grads.append([v.grad for v in inputs])
    if PY_SUM_EXACT:
        assert _same(outs[0], outs[1]) and all(map(_same, grads[0], grads[1]))
    else:
        assert close(outs[0], outs[1], rtol=1e-12) and all(close(a, c, 1e-12) for a, c in zip(*grads))


@given(st.lists(st.one_of(reals(-1e3, 1e3), st.integers(-5, 5)), min_size=1, max_size=8), st.booleans())
def test_total_is_the_sum_op_by_op(terms: list[float], with_start: bool) -> None:
    fast_in, plain_in = [Value(t) for t in terms], [Value(t) for t in terms]
    fast = total(fast_in, 0.25) if with_start else total(fast_in)
    plain = sum(plain_in[1:], 0.25 + plain_in[0] if with_start else plain_in[0])
    for out in (fast, plain):
        (out * out).backward()
    assert len(fast.inputs) == len(terms)
    if PY_SUM_EXACT:
        assert _same(fast.data, plain.data)
        assert all(_same(a.grad, b.grad) for a, b in zip(fast_in, plain_in))
    else:
        assert close(fast.data, plain.data, rtol=1e-12)


def test_total_and_dot_reject_bad_input() -> None:
    with pytest.raises(TypeError, match="total: values must be an iterable of Values or numbers, got str"):
        total("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"total: values\[1\] must be a real number, got str 'a'"):
        total([Value(1.0), "a"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="dot: 2 weights but 3 inputs"):
        dot([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"dot: w\[1\] must be a Value, got float 2.0"):
        dot([Value(1.0), 2.0], [1.0, 2.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"dot: bias must be None or a Value, got float 0\.5"):
        dot([Value(1.0)], [1.0], 0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"dot: x\[0\] must be a real number, got str"):
        dot([Value(1.0)], ["x"])
    assert total([]).data == 0.0 and total([], 2).data == 2.0
    assert dot([], [], Value(0.5)).data == 0.5
    mixed = dot([Value(2.0), Value(3.0)], [Value(1.0), 4])  # a mix: the number becomes a leaf
    assert mixed.data == 14.0 and len(mixed.inputs) == 4


def test_an_interior_node_used_twice_by_one_node_is_backpropagated_once() -> None:
    x = Value(3.0)
    s = x + 1.0  # interior
    (s * s).backward()  # ∂/∂x = 2(x + 1)
    assert x.grad == 8.0
    x.grad = 0.0
    t = x.tanh()
    y = dot([t, t], [t, t])  # 2t² through one Σ node, t repeated four times
    y.backward()
    assert x.grad == pytest.approx(4 * math.tanh(3.0) * (1 - math.tanh(3.0) ** 2), rel=1e-15)


def test_a_sigma_node_reads_its_inputs_in_order() -> None:
    """A Σ node's inputs are w…, x…, b and its constant n: ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1."""
    w, x, b = [Value(2.0), Value(-1.0)], [Value(3.0), Value(4.0)], Value(0.5)
    z = dot(w, x, b)
    assert z.inputs == (*w, *x, b) and z.constant == 2 and z.rule is ops.DOT and z.op == "Σ"
    z.backward()
    assert [v.grad for v in (*w, *x, b)] == [3.0, 4.0, 2.0, -1.0, 1.0]


def test_an_interrupted_backward_leaves_the_graph_as_it_was() -> None:
    """Ctrl-C while backward() orders the graph: no gradient has changed, and backward runs again."""

    class Interrupting:  # an input whose inputs cannot be read
        @property
        def _prev(self) -> tuple[Value, ...]:
            raise KeyboardInterrupt

    x = Value(2.0)
    a = x.tanh()
    b = a * 3.0
    c = b + a
    c._prev = (b, Interrupting())  # type: ignore[assignment]
    with pytest.raises(KeyboardInterrupt):
        c.backward()
    assert all(type(n.grad) is float for n in (a, b, c))
    c._prev = (b, a)
    c.backward()  # the same graph, walked again from scratch
    t = math.tanh(2.0)
    assert x.grad == pytest.approx(4 * (1 - t * t), rel=1e-15)


@requires_torch
@pytest.mark.parametrize("special", [math.inf, -math.inf, math.nan])
def test_a_zero_delta_times_an_inf_or_nan_is_nan_as_in_torch(special: float) -> None:
    """δ = 0 is not skipped: the local derivative inf or nan times δ = 0 is nan, as in PyTorch."""
    xs = [0.5, -2.0, 3.0, special, 1.5]
    assert_matches_torch(
        lambda w1, w2, x1, x2, b: dot([w1, w2], [x1, x2], b) * 0.0,
        lambda w1, w2, x1, x2, b: (w1 * x1 + w2 * x2 + b) * 0.0,
        xs,
    )
    assert_matches_torch(
        lambda w1, w2, b: dot([w1, w2], [3.0, special], b) * 0.0,
        lambda w1, w2, b: (w1 * 3.0 + w2 * special + b) * 0.0,
        [xs[0], xs[1], xs[4]],
    )


# Where PyTorch masks (no gradient flows to an input there), not even an inf or nan δ passes:
# (name, ours, PyTorch's, point); the factor y makes δ inf or nan at the masked node. 0 ** x is
# no mask: PyTorch multiplies δ by a local derivative 0 there, so inf·0 = nan does flow.
MASKS = [
    ("relu(x<0)", lambda x, y: x.relu() * y, lambda x, y: x.relu() * y, [-1.0, math.inf]),
    ("relu(0)", lambda x, y: x.relu() * y, lambda x, y: x.relu() * y, [0.0, math.nan]),
    ("hardtanh(x>1)", lambda x, y: x.hardtanh() * y, lambda x, y: F.hardtanh(x) * y, [2.0, math.inf]),
    ("sign", lambda x, y: x.sign() * y, lambda x, y: torch.sign(x) * y, [2.0, math.inf]),
    ("maximum's loser", lambda a, b, y: maximum(a, b) * y, lambda a, b, y: torch.maximum(a, b) * y,
     [1.0, 2.0, math.inf]),
    ("minimum's loser", lambda a, b, y: minimum(a, b) * y, lambda a, b, y: torch.minimum(a, b) * y,
     [1.0, 2.0, math.nan]),
    ("prelu's slope, x>0", lambda x, a, y: x.prelu(a) * y, lambda x, a, y: _prelu_torch(x, a) * y,
     [2.0, 0.25, math.inf]),
    ("x ** 0", lambda x, y: x**0 * y, lambda x, y: x**0 * y, [2.0, math.inf]),
    ("0 ** x, x>0 (no mask)", lambda x, y: 0.0**x * y, lambda x, y: 0.0**x * y, [2.0, math.inf]),
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize("ours, theirs, xs", [m[1:] for m in MASKS], ids=[m[0] for m in MASKS])
def test_no_gradient_passes_a_mask_not_even_inf_or_nan(ours: Any, theirs: Any, xs: list[float]) -> None:
    assert_matches_torch(ours, theirs, xs)


@given(st.lists(reals(), min_size=8, max_size=8), st.integers(min_value=1, max_value=3))
def test_sigma_nodes_sharing_inputs_match_the_same_graph_op_by_op(data: list[float], samples: int) -> None:
    """Σ nodes that share inputs (a neuron's w and b for every sample, a layer's x for every
    neuron): the interior nodes reached only through them (the x's, and a weight that is itself
    computed) must each be backpropagated once, after all of their consumers."""

    def grads(fused: bool) -> list[float]:
        leaves = [Value(v) for v in data]
        w1, w2, b1, b2, u = leaves[:5]
        wb1 = (w1, u.tanh(), b1)  # one weight is an interior node, shared by every sample
        wb2 = (w2, w1 * u, b2)
        outs = []
        for k in range(samples):
            x0, x1, x2 = leaves[5:8]
            xs = ((x0 * (k + 1.0)).relu(), x1 + x2 * k)  # interior, shared by both neurons
            for wb in (wb1, wb2):
                if fused:
                    z = dot(wb[:2], xs, wb[2])
                else:
                    z = wb[0] * xs[0] + wb[1] * xs[1] + wb[2]
                outs.append(z.sigmoid())
        loss = outs[0]
        for o in outs[1:]:
            loss = loss * 0.5 + o
        loss.backward()
        return [v.grad for v in leaves]

    got, want = grads(True), grads(False)
    for g, e in zip(got, want):
        assert g == pytest.approx(e, rel=1e-12, abs=1e-12)


def test_each_method_takes_its_ops_constants_with_the_defaults_of_the_ops_call() -> None:
    """A Value method is one line over its op; its constants' names and defaults are the op's own
    (``leaky_relu(x, k=0.01)``), so the two cannot drift apart."""
    for name, op in ops.functions().items():
        if name in ("dot", "total", "maximum", "minimum"):  # functions of several Values, not methods
            continue
        parameters = list(inspect.signature(getattr(Value, name)).parameters.values())
        assert [p.name for p in parameters[: len(op.inputs)]][1:] == list(op.inputs[1:]), name
        assert [(p.name, p.default) for p in parameters[len(op.inputs) :]] == list(op.params), name
        x = Value(0.25)
        node = getattr(x, name)(*[Value(0.5)] * (len(op.inputs) - 1))
        assert node.rule is op and node.inputs[0] is x, name


def test_backward_refuses_a_leaf_grad_that_is_not_a_number() -> None:
    """A leaf adds its new δ to .grad: None or a string there is named, not Python's += error."""
    w = Value(2.0, label="w")
    y = w * w
    w.grad = None
    with pytest.raises(
        TypeError, match=r"^backward: the grad of leaf w must be a real number, got NoneType None"
    ):
        y.backward()
    w.grad = 3  # any real number is fine, and accumulates: 3 + ∂y/∂w = 3 + 2w
    y.backward()
    assert w.grad == 7.0 and type(w.grad) is float
