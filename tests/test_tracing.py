"""tinygrad_edu.tracing: a traced graph replayed on new numbers gives what eager backward gives on a
graph built afresh from them, bit for bit (value, input gradients, captured leaves' gradients),
for random expressions, for every op of ops.py at IEEE edge cases, for a new op written only as an
Op row, and for a small moons network; the network also against PyTorch float64. Then the
semantics (accumulation, fresh parameters, forward only, nesting), the readable source, and the
errors.
"""

from __future__ import annotations

import gc
import inspect
import linecache
import math
import random
import re
import struct
import traceback
from typing import Any, Callable, NamedTuple, Optional, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import close, requires_torch

import tinygrad_edu.tracing.source_math as source_math
from tinygrad_edu import Value, detect_anomaly, no_grad, ops
from tinygrad_edu.engine import apply, dot, total
from tinygrad_edu.losses import l2, svm_loss
from tinygrad_edu.nn import MLP, Neuron
from tinygrad_edu.ops import Op
from tinygrad_edu.testing import expressions, finite_floats
from tinygrad_edu.tracing import Traced, trace

# ------------------------------------------------------------------ helpers


def same(a: float, b: float) -> bool:
    """a and b are the same float bit for bit (so 0.0 is not -0.0); any nan matches any nan,
    because tracing writes -1.0·δ as -δ, which may flip a nan's sign bit (see tracing.codegen)."""
    if a != a or b != b:
        return a != a and b != b
    return struct.pack("<d", a) == struct.pack("<d", b)


def assert_same(ours: Sequence[float], eager: Sequence[float], what: str) -> None:
    for i, (a, b) in enumerate(zip(ours, eager, strict=True)):
        assert same(a, b), f"{what}[{i}]: traced {a!r}, eager {b!r}"


class Run(NamedTuple):
    out: float
    input_grads: list[float]
    captured_grads: list[float]


def run_traced(traced: Traced, xs: Sequence[float], captured: Sequence[Value], grad0: Sequence[float]) -> Run:
    for p, g in zip(captured, grad0):
        p.grad = g
    out = traced(*xs)
    return Run(out, list(traced.input_grads), [p.grad for p in captured])


def run_eager(
    fn: Callable[..., Value], xs: Sequence[float], captured: Sequence[Value], grad0: Sequence[float]
) -> Run:
    """fn on a graph built afresh from xs, then backward(): what the replay must reproduce."""
    for p, g in zip(captured, grad0):
        p.grad = g
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    out.backward()
    return Run(out.data, [x.grad for x in leaves], [p.grad for p in captured])


def assert_replays_like_eager(
    fn: Callable[..., Value],
    example: Sequence[float],
    points: Sequence[Sequence[float]],
    captured: Sequence[Value] = (),
    grad0: Sequence[float] = (),
) -> Traced:
    """Trace fn at ``example``, then at every point compare the replay with eager backward."""
    traced = trace(fn, *example)
    grad0 = list(grad0) or [0.0] * len(captured)
    for xs in points:
        ours = run_traced(traced, xs, captured, grad0)
        eager = run_eager(fn, xs, captured, grad0)
        assert_same([ours.out], [eager.out], f"value at {list(xs)}")
        assert_same(ours.input_grads, eager.input_grads, f"input gradients at {list(xs)}")
        assert_same(ours.captured_grads, eager.captured_grads, f"captured gradients at {list(xs)}")
    return traced


# --------------------------------------------------------- random expressions


@given(expressions(max_inputs=4, max_ops=10), st.data())
def test_random_expressions_replay_like_eager_on_new_inputs(expr: Any, data: Any) -> None:
    n = len(expr.inputs)
    k = data.draw(st.integers(0, n), label="traced inputs")  # the rest are captured leaves
    captured = [Value(x, label=f"p{i}") for i, x in enumerate(expr.inputs[k:])]

    def fn(*xs: Value) -> Value:
        return expr(*xs, *captured)  # type: ignore[no-any-return]

    traced = trace(fn, *expr.inputs[:k])
    for _ in range(2):
        new = data.draw(st.lists(finite_floats(-3.0, 3.0), min_size=n, max_size=n), label="new point")
        grad0 = data.draw(st.lists(finite_floats(-1.0, 1.0), min_size=n - k, max_size=n - k), label="grads")
        for p, x in zip(captured, new[k:]):
            p.data = x  # captured leaves are read afresh at every call
        ours = run_traced(traced, new[:k], captured, grad0)
        eager = run_eager(fn, new[:k], captured, grad0)
        assert_same([ours.out], [eager.out], "value")
        assert_same(ours.input_grads, eager.input_grads, "input gradients")
        assert_same(ours.captured_grads, eager.captured_grads, "captured gradients")


# ---------------------------------------------------------------- every op

# IEEE edge cases: zeros of both signs, a subnormal, overflow of exp (710) and of squares, infinities, nan
EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 710.0, -710.0, 1e200, -5e-324, math.inf, -math.inf, math.nan]


class OpCase(NamedTuple):
    op: Op
    arity: int
    build: Callable[..., Value]


def _fixed_arity(op: Op) -> Optional[int]:
    """How many inputs the op's forward takes, or None for a sum of any length."""
    kinds = [p.kind for p in inspect.signature(op.forward).parameters.values()]
    return None if inspect.Parameter.VAR_POSITIONAL in kinds else len(kinds) - 2


def _cases() -> list[OpCase]:
    # every op of ops.py with a fixed number of inputs, at the constant the op tests use: a new
    # op is covered here with no edit; then more constants, and sums of several shapes
    cases = []
    for op in ops.table().values():
        arity = _fixed_arity(op)
        if arity is not None:
            c = op.example if op.example is not None else op.bind((), {})
            cases.append(OpCase(op, arity, lambda *xs, op=op, c=c: apply(op, *xs, c=c)))
    cases += [
        OpCase(ops.HARDTANH, 1, lambda x: x.hardtanh(-0.5, 2.0)),
        OpCase(ops.DOT, 5, lambda a, b, c, d, e: dot([a, b], [c, d], e)),
        OpCase(ops.DOT, 4, lambda a, b, c, d: dot([a, b], [c, d])),
        OpCase(ops.DOT, 3, lambda a, b, c: dot([a, a, b], [a, b, c], b)),  # inputs repeated
        OpCase(ops.DOT_C, 3, lambda a, b, c: dot([a, b], [1.5, -0.0], c)),
        OpCase(ops.DOT_C, 2, lambda a, b: dot([a, b, a], [0.25, 3.0, -2.0])),
        OpCase(ops.SUM, 3, lambda a, b, c: total([a, b, c, a])),
        OpCase(ops.SUM, 2, lambda a, b: total([a, b], start=-1.5)),
        OpCase(ops.SUM, 1, lambda a: total([a])),
    ]
    for c in (2.0, -0.5, 0.0, -0.0, math.inf, math.nan):
        cases += [
            OpCase(ops.ADD_C, 1, lambda x, c=c: x + c),
            OpCase(ops.SUB_C, 1, lambda x, c=c: x - c),
            OpCase(ops.RSUB_C, 1, lambda x, c=c: c - x),
            OpCase(ops.MUL_C, 1, lambda x, c=c: c * x),
            OpCase(ops.DIV_C, 1, lambda x, c=c: x / c),
            OpCase(ops.RDIV_C, 1, lambda x, c=c: c / x),
            OpCase(ops.RPOW, 1, lambda x, c=c: c**x),
            OpCase(ops.LEAKY_RELU, 1, lambda x, c=c: x.leaky_relu(c)),
            OpCase(ops.ELU, 1, lambda x, c=c: x.elu(c)),
        ]
    for c in (2.0, 3.0, 0.5, -1.0, 0.0, -2.0):
        cases.append(OpCase(ops.POW_CONST, 1, lambda x, c=c: x**c))
    return cases


CASES = _cases()


def _points(arity: int) -> list[list[float]]:
    if arity == 1:
        return [[x] for x in EDGES]
    if arity == 2:
        return [[a, b] for a in EDGES for b in EDGES]
    rng = random.Random(arity)  # a spread of edge-case tuples, the same every run
    return [[EDGES[(i + j) % len(EDGES)] for j in range(arity)] for i in range(len(EDGES))] + [
        [rng.choice(EDGES) for _ in range(arity)] for _ in range(60)
    ]


def test_the_op_table_covers_every_op_in_ops() -> None:
    every = ops.table()
    covered = {id(case.op) for case in CASES}
    missing = [name for name, op in every.items() if id(op) not in covered]
    assert not missing, f"sums without a shape in test_tracing's CASES: {missing} (add one)"


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.op.name}/{case.arity}")
def test_every_op_replays_like_eager_at_edge_cases(case: OpCase) -> None:
    example = [0.75 - 0.5 * i for i in range(case.arity)]
    made = case.build(*[Value(x) for x in example])
    assert made.rule is case.op, f"the row builds {made.op!r}, not {case.op.name!r}"
    assert_replays_like_eager(case.build, example, _points(case.arity))


def test_every_op_replays_like_eager_on_captured_leaves_with_grads() -> None:
    # the same ops with their operands captured (a parameter's .grad accumulates, starting nonzero)
    for case in CASES:
        leaves = [Value(0.3 * (i + 1)) for i in range(case.arity)]

        def fn(x: Value, case: OpCase = case, leaves: list[Value] = leaves) -> Value:
            return case.build(*leaves) * x

        traced = trace(fn, 1.0)
        for point in _points(case.arity)[:40]:
            for p, v in zip(leaves, point):
                p.data = v
            grad0 = [0.125, -0.0, 3.0, 1e-300, -2.0][: case.arity]
            ours = run_traced(traced, [1.5], leaves, grad0)
            xs = [Value(1.5)]
            for p, g in zip(leaves, grad0):
                p.grad = g
            out = fn(xs[0])
            out.backward()
            assert_same([ours.out], [out.data], f"{case.op.name} at {point}")
            assert_same(ours.captured_grads, [p.grad for p in leaves], f"{case.op.name} at {point}")


# Two ops that exist only here, as rows of the op table would: trace knows nothing of them.
CUBE = Op("cube", lambda m, c, x: c * x * x * x, lambda m, c, y, x: (3.0 * c * x * x,))
# eˣ up to x = c, then flat at eᶜ: no gradient flows above c (a mask), and m.exp's IEEE overflow
CAPPED_EXP = Op(
    "capped_exp",
    lambda m, c, x: m.where(x < c, m.exp(x), m.exp(c)),
    lambda m, c, y, x: (m.where(x < c, y, None),),
)


def test_an_op_added_as_a_row_is_traced_through_its_own_rules() -> None:
    def fn(x: Value, s: Value) -> Value:
        return apply(CUBE, x * 2.0, c=0.5) * s + apply(CAPPED_EXP, x, c=1.0) * s

    points = [[x, s] for x in EDGES for s in (1.5, -0.0, math.inf, math.nan)]
    traced = assert_replays_like_eager(fn, [0.5, 1.0], points)
    # the rules' own arithmetic, written out inline: no call of the op or of its rules
    lines = [line.strip() for line in traced.source.splitlines()]
    for expected in [
        "v3 = 0.5 * v2 * v2 * v2  # cube(v2)",
        "v5 = exp(x1) if x1 < 1.0 else 2.718281828459045  # capped_exp(x1)",  # m.exp(c): computed now
        "g_v2 = 0.0 + 1.5 * v2 * v2 * g_v3  # v3 = cube(v2)",  # 3.0 * c: computed now
        "g_x1 = 0.0 + (v5 * g_v5 if x1 < 1.0 else 0.0) + 2.0 * g_v2  # from 2 consumers",
    ]:
        assert expected in lines, f"{expected!r} not in\n{traced.source}"
    assert ".forward" not in traced.source and ".local" not in traced.source
    # the mask stops even an infinite δ above the cap: ∂/∂x is 0.0 there, not 0 · inf = nan
    capped = trace(lambda x, s: apply(CAPPED_EXP, x, c=1.0) * s, 0.5, 1.0)
    assert capped(3.0, math.inf) == math.inf and capped.input_grads == (0.0, math.e)


def test_an_op_whose_rule_branches_with_a_python_if_is_a_type_error_naming_it() -> None:
    # a Python if on an input works on floats, but source cannot be written from it: m.where can
    branchy_forward = Op("branchy", lambda m, c, x: x if x > 0.0 else 0.0, lambda m, c, y, x: (1.0,))
    branchy_local = Op("max_ish", lambda m, c, x: x * 2.0, lambda m, c, y, x: (max(x, 1.0),))
    for op in (branchy_forward, branchy_local):
        assert apply(op, Value(1.5)).data > 0  # eager is fine
        with pytest.raises(
            TypeError, match=rf"trace: the op '{op.name}' cannot be written as source: .*m\.where"
        ):
            trace(lambda x, op=op: apply(op, x * 1.5), 1.0)


def test_a_masked_term_leaves_a_captured_leafs_minus_zero_grad_alone() -> None:
    # eager skips a masked term; a captured leaf's sum, which may start at -0.0, adds -0.0 there,
    # the one float whose addition changes nothing (0.0 would turn the -0.0 into 0.0)
    w = Value(-1.0, label="w")
    traced = trace(lambda x: w.relu() * x, 2.0)
    assert "g_w = g_w + (-0.0 if w <= 0.0 else g_v2)  # v2 = relu(w)" in traced.source
    assert "# (-0.0 where no gradient flows: adding it changes no .grad, not even a -0.0)" in traced.source
    for data, grad in [(-1.0, -0.0), (-1.0, 0.0), (math.nan, -0.0), (3.0, -0.0), (-1.0, math.inf)]:
        w.data = data
        assert_replays_like_eager(lambda x: w.relu() * x, [2.0], [[2.0], [math.inf]], [w], [grad])
    w.data, w.grad = -1.0, -0.0
    traced(2.0)
    assert same(w.grad, -0.0)
    # an input's or an interior node's sum starts at 0.0 and is never -0.0: there the term is 0.0
    relu = trace(lambda x: x.relu(), 1.0)
    assert "g_x1 = 0.0 + (0.0 if x1 <= 0.0 else g_out)  # out = relu(x1)" in relu.source


def test_sums_replay_like_eager_in_the_code_shape_used_where_sum_is_compensated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Python ≥ 3.12 sums floats with compensation, so there Σ nodes are replayed by sum(); check
    # that code shape here too (on 3.11 sum() is plain, so both shapes must agree with eager)
    monkeypatch.setattr(source_math, "PLAIN_SUM", False)
    points = [[1e16, 1.0, -1e16, 3.0, 0.1], [0.1, 0.2, 0.3, -0.0, -0.0], [math.inf, -math.inf, 1.0, 2.0, 3.0]]
    traced = assert_replays_like_eager(lambda a, b, c, d, e: dot([a, b], [c, d], e), [1.0] * 5, points)
    assert "sum((" in traced.source
    assert_replays_like_eager(lambda a, b, c, d, e: total([a, b, c, d, e], start=0.5), [1.0] * 5, points)


# ----------------------------------------------------------- a moons network


def moons_like(n: int, seed: int) -> tuple[list[list[float]], list[int]]:
    rng = random.Random(seed)
    X = [[rng.uniform(-1.5, 2.5), rng.uniform(-1.0, 1.5)] for _ in range(n)]
    return X, [1 if x[1] > 0.3 * x[0] else -1 for x in X]


def test_an_mlp_with_svm_loss_and_l2_replays_like_eager_bit_for_bit() -> None:
    model = MLP(2, [8, 8, 1], seed=3)
    params = model.parameters()
    X, y = moons_like(10, seed=4)

    def loss(xs: list[list[Value]]) -> Value:
        return svm_loss([model(x) for x in xs], y) + 1e-4 * l2(params)

    traced = trace(loss, X)
    assert traced.nodes > 100 and len(traced.captured) == len(params) + len(y)  # + the label leaves
    for seed in (5, 6):
        X2, _ = moons_like(10, seed)
        model.zero_grad()
        out = traced(X2)
        ours = [p.grad for p in params]
        (ours_x,) = traced.input_grads
        model.zero_grad()
        xs = [[Value(v) for v in row] for row in X2]
        eager = loss(xs)
        eager.backward()
        assert same(out, eager.data)
        assert_same(ours, [p.grad for p in params], "parameter gradients")
        assert_same([g for row in ours_x for g in row], [v.grad for row in xs for v in row], "∂/∂X")
        for p in params:  # an SGD step between calls: the next replay must read the new weights
            p.data -= 0.5 * p.grad


def test_an_mlp_traced_with_its_data_as_numbers_replays_like_eager() -> None:
    # the data closed over as numbers: the first layer's Σ nodes keep them as constants (DOT_C)
    model = MLP(2, [6, 1], seed=1)
    params = model.parameters()
    X, y = moons_like(8, seed=2)

    def loss() -> Value:
        return svm_loss([model(x) for x in X], y) + 1e-4 * l2(params)

    traced = trace(loss)
    for step in range(3):
        model.zero_grad()
        out = traced()
        ours = [p.grad for p in params]
        model.zero_grad()
        eager = loss()
        eager.backward()
        assert same(out, eager.data), step
        assert_same(ours, [p.grad for p in params], f"step {step}")
        for p in params:
            p.data -= 0.3 * p.grad


@requires_torch
def test_an_mlp_with_svm_loss_and_l2_matches_pytorch_float64() -> None:
    import torch

    model = MLP(2, [8, 8, 1], seed=7)
    params = model.parameters()
    X, y = moons_like(10, seed=8)
    traced = trace(lambda xs: svm_loss([model(x) for x in xs], y) + 1e-4 * l2(params), X)
    X2, _ = moons_like(10, seed=9)
    model.zero_grad()
    out = traced(X2)

    t = {p: torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in params}
    scores = []
    for row in X2:
        a = [torch.tensor(v, dtype=torch.float64) for v in row]
        for i, layer in enumerate(model.layers):
            s = [sum((t[w] * ai for w, ai in zip(n.w, a)), t[n.b]) for n in layer.neurons]  # type: ignore[index]
            a = s if i == len(model.layers) - 1 else [torch.relu(v) for v in s]
        scores.append(a[0])
    hinge: Any = sum(torch.relu(1.0 - yi * si) for yi, si in zip(y, scores)) / len(y)
    expected: Any = hinge + 1e-4 * sum(tp * tp for tp in t.values())
    grads = torch.autograd.grad(expected, list(t.values()))
    assert close(out, expected.item())
    for p, g in zip(params, grads):
        assert close(p.grad, g.item()), f"∂/∂{p.label}: traced {p.grad!r}, torch {g.item()!r}"


# ---------------------------------------------------------------- semantics


def test_two_calls_add_twice_like_two_backward_calls() -> None:
    w = Value(0.7, label="w")
    w.grad = 0.1
    traced = trace(lambda x: (w * x).tanh() * w, 0.3)
    traced(0.3)
    traced(0.3)
    ours = w.grad
    w.grad = 0.1
    out = (w * Value(0.3)).tanh() * w
    out.backward()
    out.backward()
    assert same(ours, w.grad) and ours != 0.1


def test_parameters_changed_between_calls_are_read_fresh() -> None:
    w, b = Value(2.0), Value(0.5)
    traced = trace(lambda x: w * x + b, 3.0)
    assert traced(3.0) == 6.5
    w.data, b.data = -1.0, 10.0
    assert traced.forward(3.0) == 7.0
    w.grad = b.grad = 0.0
    assert traced(4.0) == 6.0
    assert (w.grad, b.grad, traced.input_grads) == (4.0, 1.0, (-1.0,))


def test_input_grads_nest_like_the_arguments() -> None:
    def fn(pairs: list[tuple[Value, Value]], s: Value, flat: tuple[Value, ...]) -> Value:
        return total([a * b for a, b in pairs]) * s + total(flat) * 2.0

    traced = trace(fn, [(1.0, 2.0), (3.0, 4.0)], 5.0, (6.0, 7.0, 8.0))
    assert traced.inputs == 8
    traced([[1.0, 2.0], (3.0, 4.0)], 2, (0.0, 0.0, 0.0))  # lists and tuples, ints: all fine
    assert traced.input_grads == ([(4.0, 2.0), (8.0, 6.0)], 14.0, (2.0, 2.0, 2.0))
    assert type(traced.input_grads[0][0]) is tuple and type(traced.input_grads[2]) is tuple


def test_forward_only_leaves_every_gradient_alone() -> None:
    w = Value(1.5)
    w.grad = 0.25
    traced = trace(lambda x: (w * x).exp(), 1.0)
    assert traced.forward(2.0) == math.exp(3.0) == traced(2.0)
    assert w.grad == 0.25 + 2.0 * math.exp(3.0)
    w.grad = 0.25
    traced.forward(1.0)
    assert w.grad == 0.25
    with pytest.raises(RuntimeError, match="input_grads"):
        _ = traced.input_grads  # the previous call's gradients belong to another point


def test_an_input_fn_ignores_gets_gradient_zero() -> None:
    traced = trace(lambda x, unused: x * 2.0, 1.0, 2.0)
    assert traced(3.0, 4.0) == 6.0 and traced.input_grads == (2.0, 0.0)


def test_the_output_may_be_a_leaf() -> None:
    traced = trace(lambda x: x, 2.0)  # an input: ∂x/∂x = 1
    assert traced(5.0) == 5.0 and traced.input_grads == (1.0,)
    w = Value(3.0)
    w.grad = 0.5
    traced = trace(lambda x: w, 2.0)  # a captured leaf: backward() adds 1 to its grad
    assert traced(7.0) == 3.0 and traced.input_grads == (0.0,) and w.grad == 1.5


def test_values_made_under_no_grad_inside_fn_are_frozen_constants() -> None:
    w = Value(2.0)

    def fn(x: Value) -> Value:
        with no_grad():
            scale = w * 3.0  # a leaf: recorded by value, not as a function of w
        return scale * x

    traced = trace(fn, 1.0)
    w.data = 100.0
    w.grad = 0.0
    assert traced(2.0) == 12.0 and w.grad == 0.0 and len(traced.captured) == 1


def test_control_flow_is_frozen_but_kinks_are_not() -> None:
    def fn(x: Value) -> Value:
        return x * 2.0 if x.data > 0 else x * -3.0  # Python branches on .data: frozen

    traced = trace(fn, 1.0)
    assert traced(-1.0) == -2.0
    relu = trace(lambda x: x.relu(), 1.0)  # the op's own kink: evaluated every call
    assert (relu(-1.0), relu.input_grads) == (0.0, (0.0,))


def test_a_traced_function_keeps_no_graph() -> None:
    # the replay needs floats only: the graph's nodes are freed once trace returns, and the
    # source registered for tracebacks goes with the Traced object
    w = Value(0.5)
    gc.collect()  # garbage of earlier tests (tracebacks holding Values) goes first
    before = sum(type(o) is Value for o in gc.get_objects())
    traced = trace(lambda x: total([(w * x + float(i)).tanh() for i in range(300)]), 1.0)
    gc.collect()
    assert sum(type(o) is Value for o in gc.get_objects()) == before
    filename = traced._filename
    assert filename in linecache.cache
    del traced
    gc.collect()
    assert filename not in linecache.cache


def test_a_deep_chain_traces_without_recursion() -> None:
    w = Value(0.9999, label="w")

    def chain(x: Value) -> Value:
        for _ in range(5_000):
            x = x * w + 0.001  # 10,000 nodes
        return x

    traced = assert_replays_like_eager(chain, [1.0], [[0.5], [-2.0]], captured=[w])
    assert traced.nodes == 10_000


# -------------------------------------------------------------- the source


def test_the_source_of_a_two_input_neuron_reads_like_the_textbook() -> None:
    neuron = Neuron(2, activation="tanh", seed=0)
    traced = trace(lambda x1, x2: neuron([x1, x2]), 1.0, 2.0)
    lines = [line.strip() for line in traced.source.splitlines()]
    for expected in [
        "def replay(inputs, leaves):",
        "x1, x2 = inputs",
        "z = b + w1 * x1 + w2 * x2  # w1*x1 + w2*x2 + b",
        "out = tanh(z)",
        "g_out = 1.0",
        "g_z = 0.0 + (1.0 - out * out) * g_out  # out = tanh(z)",
        "g_x1 = 0.0 + w1 * g_z  # z = w1*x1 + w2*x2 + b",
        "g_w1 = g_w1 + x1 * g_z  # z = w1*x1 + w2*x2 + b",
        "g_b = g_b + g_z  # z = w1*x1 + w2*x2 + b",
        "return out, (g_x1, g_x2)",
    ]:
        assert expected in lines, f"{expected!r} not in\n{traced.source}"
    # forward, each node after its inputs; then backward, each node after its consumers
    assert lines.index("z = b + w1 * x1 + w2 * x2  # w1*x1 + w2*x2 + b") < lines.index("out = tanh(z)")
    assert lines.index("g_out = 1.0") < lines.index("g_z = 0.0 + (1.0 - out * out) * g_out  # out = tanh(z)")
    assert repr(traced) == "<Traced <lambda>: 2 nodes (1 Σ, 1 tanh), 2 inputs, 3 captured leaves>"


def test_labels_that_cannot_be_variables_fall_back_to_v_names() -> None:
    a, b, c = Value(1.0, label="my weight"), Value(2.0, label="for"), Value(3.0, label="g_x")
    d, e = Value(4.0, label="sum"), Value(5.0, label="v1")
    twins = Value(6.0, label="twin"), Value(7.0, label="twin")
    evil = Value(8.0, label="k\nimport os")

    def fn(x: Value) -> Value:
        return total([a * x, b, c, d, e, twins[0], twins[1] * x, evil])

    traced = assert_replays_like_eager(fn, [1.0], [[2.0], [-1.5]], captured=[a, b, c, d, e, *twins, evil])
    for label in ("twin", "my weight", "for,", "g_x,", "sum,", "import os"):
        assert label not in traced.source, label
    assert "v1, v2, v3, v4, v5, v6, v7, v8 = map(data, leaves)" in traced.source


def test_an_error_inside_the_replay_shows_the_generated_line() -> None:
    # an op whose forward uses Python's / (not m.div) raises at 0, in the replay as in eager
    broken = Op("broken", lambda m, c, x: 1.0 / x, lambda m, c, y, x: (-y / x,))
    traced = trace(lambda x: apply(broken, x), 1.0)
    with pytest.raises(ZeroDivisionError) as info:
        traced(0.0)
    shown = "".join(traceback.format_exception(info.value))
    assert "out = 1.0 / x1" in shown


def test_the_source_of_a_relu_tanh_network_is_every_rule_written_out() -> None:
    model = MLP(2, [2, 1], seed=0)  # relu hidden layer, linear output; tanh on top
    traced = trace(lambda x1, x2: model([x1, x2]).tanh(), 0.5, -1.0)
    lines = [line.strip() for line in traced.source.splitlines()]
    for expected in [
        "# forward, each node after its inputs",
        "l1n1_z = l1n1_b + l1n1_w1 * x1 + l1n1_w2 * x2  # l1n1_w1*x1 + l1n1_w2*x2 + l1n1_b",
        "v12 = 0.0 if l1n1_z <= 0.0 else l1n1_z  # relu(l1n1_z)",
        "l2n1_z = l2n1_b + l2n1_w1 * v12 + l2n1_w2 * v14  # l2n1_w1*v12 + l2n1_w2*v14 + l2n1_b",
        "out = tanh(l2n1_z)",
        "g_out = 1.0",
        "g_l2n1_z = 0.0 + (1.0 - out * out) * g_out  # out = tanh(l2n1_z)",
        "g_v12 = 0.0 + l2n1_w1 * g_l2n1_z  # l2n1_z = l2n1_w1*v12 + l2n1_w2*v14 + l2n1_b",
        "g_l1n1_z = 0.0 + (0.0 if l1n1_z <= 0.0 else g_v12)  # v12 = relu(l1n1_z)",
        "g_x1 = 0.0 + l1n2_w1 * g_l1n2_z + l1n1_w1 * g_l1n1_z  # from 2 consumers",
        "g_l2n1_w1 = g_l2n1_w1 + v12 * g_l2n1_z  # l2n1_z = l2n1_w1*v12 + l2n1_w2*v14 + l2n1_b",
        "return out, (g_x1, g_x2)",
    ]:
        assert expected in lines, f"{expected!r} not in\n{traced.source}"
    # everything inline: the only calls (outside comments) are tanh, the reads and the write-back
    code = "\n".join(line.split("#")[0] for line in lines)
    calls = set(re.findall(r"([A-Za-z_][\w.]*)\(", code)) - {"replay"}
    assert calls == {"tanh", "map", "zip"}, calls
    assert set(traced._replay.__globals__) >= {"tanh", "data", "grad"}


# ------------------------------------------------------------------ errors


def test_trace_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError, match=r"trace: fn must be callable, got int 3"):
        trace(3, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"trace: example argument 0\[1\].*str 'a'"):
        trace(lambda x: x[0], [1.0, "a"])
    with pytest.raises(TypeError, match=r"trace: example argument 0 is a Value"):
        trace(lambda x: x, Value(1.0))
    with pytest.raises(ValueError, match=r"trace: example argument 0 must be .* within float range"):
        trace(lambda x: x, 10**400)
    with pytest.raises(TypeError, match=r"trace: fn must return a Value, got float 3.0"):
        trace(lambda x: 3.0, 1.0)  # type: ignore[arg-type, return-value]


def test_a_node_made_by_hand_cannot_be_traced() -> None:
    def fn(x: Value) -> Value:
        out = Value(math.tanh(x.data), (x,), "tanh")  # micrograd's way: no row of ops.py

        def _backward() -> None:
            x.grad += (1.0 - out.data**2) * out.grad

        out._backward = _backward
        return out * 2.0

    with pytest.raises(TypeError, match=r"trace: the node Value\(data=.*\(op 'tanh'\) was made by hand"):
        trace(fn, 0.5)


def test_trace_works_under_detect_anomaly() -> None:
    # detect_anomaly checks eager numbers; the source has none, and the replay is eager-free
    w = Value(2.0)
    with detect_anomaly():
        traced = trace(lambda x: (w * x).tanh(), 0.5)
    assert_replays_like_eager(lambda x: (w * x).tanh(), [0.5], [[1.0], [-3.0]], [w])
    assert traced(1.0) == math.tanh(2.0)


def test_trace_inside_no_grad_is_an_error() -> None:
    with no_grad(), pytest.raises(RuntimeError, match=r"trace: called inside no_grad\(\)"):
        trace(lambda x: x * 2.0, 1.0)


def test_a_call_with_other_structure_or_non_numbers_is_an_error() -> None:
    traced = trace(lambda xs, s: total(xs) * s, [1.0, 2.0], 3.0)
    where = r"trace\(<lambda>\) called"
    with pytest.raises(ValueError, match=where + r" with 1 arguments; it was traced with 2"):
        traced([1.0, 2.0])
    with pytest.raises(ValueError, match=where + r": argument 0 has 3 entries; it was traced with 2"):
        traced([1.0, 2.0, 3.0], 1.0)
    with pytest.raises(ValueError, match=where + r": argument 0 should be a list of 2 entries, got 1.0"):
        traced(1.0, 1.0)
    with pytest.raises(
        ValueError, match=where + r": argument 1 should be a number \(as traced\), got a list"
    ):
        traced([1.0, 2.0], [3.0])
    with pytest.raises(TypeError, match=where + r": argument 0\[1\] must be a real number, got str 'b'"):
        traced([1.0, "b"], 1.0)
    with pytest.raises(TypeError, match=where + r": argument 1 must be a real number, got a Value"):
        traced([1.0, 2.0], Value(1.0))
    with pytest.raises(TypeError, match=where + r": argument 0 should be a list of 2 entries, got NoneType"):
        traced(None, 1.0)


def test_parameters_of_a_network_are_named_by_where_they_live() -> None:
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    traced = trace(lambda x1, x2: model([x1, x2]), 0.5, -1.0)
    lines = traced.source.splitlines()
    # every neuron has a w1, a b and a z: the scope makes them unique (layer 1, neuron 2 → l1n2)
    leaves = "l1n1_w1, l1n1_w2, l1n1_b, l1n2_w1, l1n2_w2, l1n2_b, l2n1_w1, l2n1_w2, l2n1_b"
    assert f"    {leaves} = map(data, leaves)  # captured leaves: their current .data" in lines
    assert any(line.startswith("    l1n2_z = l1n2_b + l1n2_w1 * x1 + l1n2_w2 * x2") for line in lines)
    # a label unique in its graph stays short; one that stays ambiguous even with its scope (a
    # neuron run twice makes two z) is numbered
    n = model.layers[0].neurons[0]
    twice = trace(lambda x: total([n([x, x]), n([x, -x])]), 0.5)
    assert "\n    w1, w2, b = map(data, leaves)  #" in twice.source
    assert "z" not in re.findall(r"\b\w+(?= = )", twice.source)
