"""Tests of tinygrad_edu.autograd: gradients, grad, value_and_grad, hessian, and create_graph.

References: closed-form derivatives, PyTorch float64 (tests/oracle.py) for
first and second derivatives, and the symmetry of second derivatives.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from oracle import assert_matches_torch, close, requires_torch, torch, torch_hessian, torch_value_and_grads

import tinygrad_edu
from tinygrad_edu import Value, grad, gradients, hessian, value_and_grad

F = torch.nn.functional if torch is not None else None


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def assert_close(ours: float, ref: float, what: str, rtol: float = 1e-9, atol: float = 1e-12) -> None:
    assert close(ours, ref, rtol, atol), f"{what}: ours {ours!r}, reference {ref!r}"


# --------------------------------------------------------------- gradients


def test_exported_from_package() -> None:
    """The four functions are the same objects at tinygrad_edu and tinygrad_edu.autograd."""
    from tinygrad_edu import autograd

    for name in ("gradients", "grad", "value_and_grad", "hessian"):
        assert getattr(tinygrad_edu, name) is getattr(autograd, name)


@given(floats(-2, 2), floats(-2, 2))
def test_gradients_closed_form(a: float, b: float) -> None:
    """f = x·y + eˣ·tanh y: ∂f/∂x = y + eˣ tanh y, ∂f/∂y = x + eˣ(1 − tanh² y); floats out."""
    x, y = Value(a), Value(b)
    out = x * y + x.exp() * y.tanh()
    gx, gy = gradients(out, [x, y])
    assert type(gx) is float and type(gy) is float
    t = math.tanh(b)
    assert_close(gx, b + math.exp(a) * t, "∂f/∂x")
    assert_close(gy, a + math.exp(a) * (1 - t * t), "∂f/∂y")


def test_gradients_leaves_every_grad_unchanged() -> None:
    """Preset .grad on leaves, an intermediate and the output survive gradients() (both modes)."""
    x, y = Value(0.5), Value(-1.25)
    h = x * y
    out = h.tanh() + x.exp()
    marker = Value(42.0)  # a Value grad, as left by backward(create_graph=True)
    preset = {x: 5.0, y: marker, h: 7.0, out: 11.0}
    for node, g in preset.items():
        node.grad = g
    for create_graph in (False, True):
        gx, gy, gh = gradients(out, [x, y, h], create_graph=create_graph)
        t = math.tanh(0.5 * -1.25)
        assert_close(float(getattr(gx, "data", gx)), (1 - t * t) * -1.25 + math.exp(0.5), "∂out/∂x")
        assert_close(float(getattr(gy, "data", gy)), (1 - t * t) * 0.5, "∂out/∂y")
        assert_close(float(getattr(gh, "data", gh)), 1 - t * t, "∂out/∂h (an intermediate)")
        for node, g in preset.items():
            assert node.grad is g, f"{node!r}: grad changed from {g!r}"
    # and a later backward() accumulates onto the untouched leaf gradient, as if gradients() never ran
    x.grad = 5.0
    out.backward()
    assert_close(x.grad, 5.0 + (1 - t * t) * -1.25 + math.exp(0.5), "x.grad after backward")


def test_gradients_with_respect_to_intermediate() -> None:
    """∂(tanh h)/∂h = 1 − tanh² h for an intermediate h = x·y, not the leaves' gradient."""
    x, y = Value(0.3), Value(2.0)
    h = x * y
    out = h.tanh() * 3.0
    (gh,) = gradients(out, [h])
    assert_close(gh, 3.0 * (1 - math.tanh(0.6) ** 2), "∂out/∂h")


def test_gradients_unreachable_input_is_zero() -> None:
    """An input the output does not depend on gets 0.0 (and Value(0) with create_graph), grad untouched."""
    x, z = Value(1.5), Value(-4.0)
    z.grad = 3.0
    out = x * x
    assert gradients(out, [x, z]) == [3.0, 0.0]
    gx, gz = gradients(out, [x, z], create_graph=True)
    assert isinstance(gz, Value) and gz.data == 0.0
    assert gradients(gz, [x, z]) == [0.0, 0.0]
    assert_close(gx.data, 3.0, "∂x²/∂x")
    assert z.grad == 3.0


def test_gradients_output_is_input() -> None:
    """∂x/∂x = 1, and a repeated input gets its gradient in each position."""
    x = Value(2.0)
    assert gradients(x, [x]) == [1.0]
    y = x * x * x
    assert gradients(y, [x, x]) == [12.0, 12.0]


@given(floats(-3, 3))
def test_gradients_create_graph_second_derivative(a: float) -> None:
    """create_graph=True returns Values: d/dx of (x³ + x·eˣ) is 3x² + (x+1)eˣ, and again 6x + (x+2)eˣ."""
    x = Value(a)
    out = x**3 + x * x.exp()
    (g,) = gradients(out, [x], create_graph=True)
    assert isinstance(g, Value)
    assert_close(g.data, 3 * a * a + (a + 1) * math.exp(a), "first derivative")
    (h,) = gradients(g, [x])
    assert_close(h, 6 * a + (a + 2) * math.exp(a), "second derivative")
    assert x.grad == 0.0


def test_gradients_type_errors_name_the_argument() -> None:
    """A non-Value output or input is a TypeError whose message names which argument."""
    x = Value(1.0)
    with pytest.raises(TypeError, match="output"):
        gradients(1.0, [x])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"inputs\[1\]"):
        gradients(x * 2, [x, 2.0])  # type: ignore[list-item]


# ------------------------------------------------------------ grad / value_and_grad

# f, f', f'', f''' (closed forms) and the domain
Derivatives3 = Callable[[float], tuple[float, float, float]]
CLOSED_FORMS: dict[str, tuple[Callable[[Any], Any], Derivatives3, float, float]] = {
    "cube": (lambda x: x**3, lambda a: (3 * a * a, 6 * a, 6.0), -3.0, 3.0),
    "x_exp": (
        lambda x: x * x.exp(),
        lambda a: ((a + 1) * math.exp(a), (a + 2) * math.exp(a), (a + 3) * math.exp(a)),
        -3.0,
        3.0,
    ),
    "tanh": (
        lambda x: x.tanh(),
        lambda a: (
            1 - math.tanh(a) ** 2,
            -2 * math.tanh(a) * (1 - math.tanh(a) ** 2),
            -2 * (1 - math.tanh(a) ** 2) * (1 - 3 * math.tanh(a) ** 2),
        ),
        -3.0,
        3.0,
    ),
    "sigmoid": (
        lambda x: x.sigmoid(),
        lambda a: (
            sigmoid(a) * (1 - sigmoid(a)),
            sigmoid(a) * (1 - sigmoid(a)) * (1 - 2 * sigmoid(a)),
            sigmoid(a) * (1 - sigmoid(a)) * (1 - 6 * sigmoid(a) + 6 * sigmoid(a) ** 2),
        ),
        -4.0,
        4.0,
    ),
    "log": (lambda x: x.log(), lambda a: (1 / a, -1 / a**2, 2 / a**3), 0.2, 5.0),
    "sqrt": (lambda x: x.sqrt(), lambda a: (0.5 * a**-0.5, -0.25 * a**-1.5, 0.375 * a**-2.5), 0.2, 5.0),
    "arctan": (
        lambda x: x.arctan(),
        lambda a: (1 / (1 + a * a), -2 * a / (1 + a * a) ** 2, (6 * a * a - 2) / (1 + a * a) ** 3),
        -3.0,
        3.0,
    ),
    "softplus": (
        lambda x: x.softplus(),
        lambda a: (
            sigmoid(a),
            sigmoid(a) * (1 - sigmoid(a)),
            sigmoid(a) * (1 - sigmoid(a)) * (1 - 2 * sigmoid(a)),
        ),
        -4.0,
        4.0,
    ),
    "reciprocal": (lambda x: 1.0 / x, lambda a: (-1 / a**2, 2 / a**3, -6 / a**4), 0.3, 3.0),
    "exp2": (
        lambda x: 2.0**x,
        lambda a: tuple(math.log(2) ** k * 2.0**a for k in (1, 2, 3)),  # type: ignore[return-value]
        -3.0,
        3.0,
    ),
    "elu_negative": (lambda x: x.elu(1.5), lambda a: (1.5 * math.exp(a),) * 3, -3.0, -0.01),  # type: ignore[return-value]
    "softsign_positive": (
        lambda x: x.softsign(),
        lambda a: ((1 + a) ** -2, -2 * (1 + a) ** -3, 6 * (1 + a) ** -4),
        0.01,
        3.0,
    ),
    "softsign_negative": (
        lambda x: x.softsign(),
        lambda a: ((1 - a) ** -2, 2 * (1 - a) ** -3, 6 * (1 - a) ** -4),
        -3.0,
        -0.01,
    ),
    "product_of_activations": (
        lambda x: x.tanh() * x.sigmoid(),
        lambda a: _tanh_sigmoid_derivatives(a),
        -3.0,
        3.0,
    ),
}


def _tanh_sigmoid_derivatives(a: float) -> tuple[float, float, float]:
    """(t·s)', (t·s)'', (t·s)''' by Leibniz's rule from the closed forms of tanh and sigmoid."""
    t, s = math.tanh(a), sigmoid(a)
    t1, t2, t3 = 1 - t * t, -2 * t * (1 - t * t), -2 * (1 - t * t) * (1 - 3 * t * t)
    s1 = s * (1 - s)
    s2, s3 = s1 * (1 - 2 * s), s1 * (1 - 6 * s + 6 * s * s)
    return t1 * s + t * s1, t2 * s + 2 * t1 * s1 + t * s2, t3 * s + 3 * t2 * s1 + 3 * t1 * s2 + t * s3


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
@given(data=st.data())
def test_grad_first_second_third_closed_forms(name: str, data: st.DataObject) -> None:
    """grad(f), grad(grad(f)), grad(grad(grad(f))) equal f', f'', f''' in closed form."""
    f, derivatives, lo, hi = CLOSED_FORMS[name]
    a = data.draw(floats(lo, hi), label="x")
    d1, d2, d3 = derivatives(a)
    g1 = grad(f)
    g2 = grad(g1)
    g3 = grad(g2)
    for k, (ours, ref) in enumerate(((g1(a), d1), (g2(a), d2), (g3(a), d3)), start=1):
        assert type(ours) is float
        assert_close(ours, ref, f"{name}: derivative {k} at {a!r}")


def test_grad_docstring_example() -> None:
    """f = x³ at 2: f' = 12, f'' = 12, f''' = 6."""
    f = lambda x: x**3
    assert grad(f)(2.0) == 12.0
    assert grad(grad(f))(2.0) == 12.0
    assert grad(grad(grad(f)))(2.0) == 6.0


@given(floats(-2, 2), floats(-2, 2))
def test_value_and_grad_floats(a: float, b: float) -> None:
    """value_and_grad(f)(a, b) = (f, ∂f/∂x) as floats for f = x²·2ʸ; argnums=1 gives ∂f/∂y = x²2ʸ ln 2."""
    f = lambda x, y: x**2 * 2.0**y  # the other argument arrives as a plain float: use ops floats have
    v, g = value_and_grad(f)(a, b)
    assert type(v) is float and type(g) is float
    assert_close(v, a * a * 2.0**b, "value")
    assert_close(g, 2 * a * 2.0**b, "∂f/∂x")
    v1, g1 = value_and_grad(f, argnums=1)(a, b)
    assert_close(v1, a * a * 2.0**b, "value")
    assert_close(g1, a * a * 2.0**b * math.log(2.0), "∂f/∂y")


def test_argnums_int_vs_tuple_and_order() -> None:
    """An int argnums gives one number; a tuple or list gives a tuple in the order asked for."""
    f = lambda x, y, z: x * y + z**0.5 * x  # ∂x = y + √z, ∂y = x, ∂z = x/(2√z)
    args = (2.0, -3.0, 4.0)
    expected = {0: -3.0 + 2.0, 1: 2.0, 2: 0.5}
    g = grad(f, argnums=2)(*args)
    assert not isinstance(g, tuple)
    assert_close(g, expected[2], "∂f/∂z")
    one = grad(f, argnums=(1,))(*args)
    assert isinstance(one, tuple) and len(one) == 1
    assert_close(one[0], expected[1], "∂f/∂y")
    for argnums in ((0, 1, 2), (2, 0), [1, 2]):
        gs = grad(f, argnums=argnums)(*args)
        assert isinstance(gs, tuple) and len(gs) == len(argnums)
        for i, gi in zip(argnums, gs):
            assert_close(gi, expected[i], f"∂f/∂args[{i}]")
    v, gs = value_and_grad(f, argnums=(0, 2))(*args)
    assert_close(v, -6.0 + 2.0 * 2.0, "value")
    assert_close(gs[0], expected[0], "∂f/∂x")
    assert_close(gs[1], expected[2], "∂f/∂z")


def test_negative_argnums() -> None:
    """argnums=-1 is the last argument, -3 the first of three, as in Python indexing."""
    f = lambda x, y, z: x * y * y + 2.0**z
    args = (1.5, 2.0, 0.5)
    assert_close(grad(f, argnums=-1)(*args), 2.0**0.5 * math.log(2.0), "∂f/∂z")
    assert_close(grad(f, argnums=-2)(*args), 2 * 1.5 * 2.0, "∂f/∂y")
    assert_close(grad(f, argnums=-3)(*args), 4.0, "∂f/∂x")
    gs = grad(f, argnums=(-1, 0))(*args)
    assert_close(gs[0], 2.0**0.5 * math.log(2.0), "∂f/∂z")
    assert_close(gs[1], 4.0, "∂f/∂x")


@pytest.mark.parametrize("argnums", [2, -3, (0, 5), 10])
def test_argnums_out_of_range(argnums: Any) -> None:
    """An argnums position beyond the arguments is a ValueError naming it, for grad and value_and_grad."""
    f = lambda x, y: x * y
    for make in (grad, value_and_grad):
        with pytest.raises(ValueError, match="out of range"):
            make(f, argnums=argnums)(1.0, 2.0)


@pytest.mark.parametrize("result", [lambda x: x.data * 2.0, lambda x: 3, lambda x: None, lambda x: [x]])
def test_f_returning_non_value_is_type_error(result: Callable[[Value], Any]) -> None:
    """f must return a Value: a float, int, None or list is a TypeError."""
    with pytest.raises(TypeError, match="must return a Value"):
        grad(result)(1.0)
    with pytest.raises(TypeError, match="must return a Value"):
        value_and_grad(result)(1.0)


def test_non_number_argument_is_type_error() -> None:
    """The differentiated argument must be a real number or a Value."""
    with pytest.raises(TypeError, match="argument 0"):
        grad(lambda x: x * 2)("1.0")


@given(floats(-2, 2))
def test_values_in_values_out(a: float) -> None:
    """Called with a Value, value_and_grad returns Values (data = f, f') differentiable again."""
    f = lambda x: x.tanh() * x
    x = Value(a)
    v, g = value_and_grad(f)(x)
    assert isinstance(v, Value) and isinstance(g, Value)
    t = math.tanh(a)
    assert_close(v.data, t * a, "value")
    assert_close(g.data, (1 - t * t) * a + t, "f'")
    (h,) = gradients(g, [x])
    assert_close(h, 2 * (1 - t * t) - 2 * t * (1 - t * t) * a, "f'' = 2 sech² − 2 tanh sech² · x")
    assert x.grad == 0.0


def test_non_differentiated_arguments_pass_through() -> None:
    """Arguments not in argnums reach f as the very same objects (not lifted to Values)."""
    seen: list[Any] = []
    tag = object()
    scale = Value(3.0)

    def f(x: Value, k: int, s: Value, t: object) -> Value:
        seen.extend([k, s, t])
        return x**k * s

    g = grad(f)(2.0, 2, scale, tag)
    assert seen[0] == 2 and type(seen[0]) is int
    assert seen[1] is scale and seen[2] is tag
    # a Value among the arguments makes the gradient a graph that depends on it
    assert isinstance(g, Value)
    assert_close(g.data, 2 * 2.0 * 3.0, "∂(x^k·s)/∂x = k·x^(k−1)·s")
    assert_close(gradients(g, [scale])[0], 2 * 2.0, "∂²(x^k·s)/∂s∂x = k·x^(k−1)")
    assert scale.grad == 0.0
    assert type(grad(f)(2.0, 2, 3.0, tag)) is float  # plain numbers only: a float


def test_grad_of_constant_and_identity() -> None:
    """d/dx x = 1 and d²/dx² x = 0; f = 2x has f'' = 0 (the gradient is a constant)."""
    assert grad(lambda x: x)(5.0) == 1.0
    assert grad(grad(lambda x: x))(5.0) == 0.0
    assert grad(grad(lambda x: x * 2))(5.0) == 0.0
    assert grad(grad(lambda x: x + 1.0))(5.0) == 0.0


def test_mixed_partial_by_composing_grad() -> None:
    """∂²(x²eʸ)/∂y∂x = 2x·eʸ via grad(grad(f, 0), 1), as in JAX."""
    f = lambda x, y: x**2 * y.exp()
    assert_close(grad(grad(f, 0), 1)(2.0, 0.5), 4.0 * math.exp(0.5), "∂²f/∂y∂x")


def test_inner_gradient_depends_on_other_value_argument() -> None:
    """h(x, y) = (∂(x·y)/∂x)·y = y², so ∂h/∂y = 2y = 6 at y = 3."""
    inner = grad(lambda x, y: x * y, 0)
    h = lambda x, y: inner(x, y) * y
    assert_close(grad(h, 1)(2.0, 3.0), 6.0, "∂h/∂y")


# --------------------------------------------------------------- hessian


@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(floats(-5, 5), min_size=n, max_size=n), min_size=n, max_size=n),
            st.lists(floats(-3, 3), min_size=n, max_size=n),
        )
    )
)
def test_hessian_of_quadratic_form(drawn: tuple[list[list[float]], list[float]]) -> None:
    """f(x) = Σᵢⱼ Aᵢⱼxᵢxⱼ has Hessian A + Aᵀ at every point."""
    A, point = drawn
    n = len(point)
    f = lambda *xs: sum((A[i][j] * xs[i] * xs[j] for i in range(n) for j in range(n)), Value(0.0))
    H = hessian(f, point)
    assert len(H) == n and all(len(row) == n for row in H)
    for i in range(n):
        for j in range(n):
            assert_close(H[i][j], A[i][j] + A[j][i], f"H[{i}][{j}]", rtol=1e-12, atol=1e-12)


@given(floats(-2, 2), floats(0.3, 2), floats(-1.5, 1.5))
def test_hessian_is_symmetric(a: float, b: float, c: float) -> None:
    """∂²f/∂xᵢ∂xⱼ = ∂²f/∂xⱼ∂xᵢ (Schwarz) for a smooth f of three variables."""
    f = lambda x, y, z: (x * y).tanh() * z.exp() + y**z * x.sigmoid() + (x * z) / (1 + y * y)
    H = hessian(f, [a, b, c])
    scale = max(1.0, *(abs(h) for row in H for h in row))
    for i in range(3):
        for j in range(i + 1, 3):
            assert_close(H[i][j], H[j][i], f"H[{i}][{j}] vs H[{j}][{i}]", atol=1e-12 * scale)


def test_hessian_closed_form_and_unused_input() -> None:
    """f(x, y) = x²·y at (3, 5): H = [[2y, 2x], [2x, 0]]; an unused z gets a zero row and column."""
    H = hessian(lambda x, y, z: x * x * y, [3.0, 5.0, -1.0])
    assert H == [[10.0, 6.0, 0.0], [6.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    assert hessian(lambda x, y: 2 * x - y + 1, [1, 2]) == [[0.0, 0.0], [0.0, 0.0]]


def test_hessian_type_errors() -> None:
    """hessian needs f to return a Value and real-number coordinates."""
    with pytest.raises(TypeError, match="must return a Value"):
        hessian(lambda x: x.data, [1.0])
    with pytest.raises(TypeError, match=r"xs\[1\]"):
        hessian(lambda x, y: x * y, [1.0, "2"])  # type: ignore[list-item]


# (ours, torch twin or None if the same lambda works on tensors, domain per argument, smooth-at predicate)
HigherCase = tuple[Callable[..., Any], Any, list[tuple[float, float]], Callable[..., bool]]
ANYWHERE: Callable[..., bool] = lambda *xs: True

HIGHER_ORDER: dict[str, HigherCase] = {
    "tanh_exp_sigmoid": (lambda x: (x.tanh() * x.exp()).sigmoid(), None, [(-3, 3)], ANYWHERE),
    "tanh_product_and_division": (
        lambda x, y: (x * y).tanh() + x / (1 + y * y),
        None,
        [(-2, 2), (-2, 2)],
        ANYWHERE,
    ),
    "value_exponent_pow_sqrt": (lambda a, b: a**b * b.sqrt(), None, [(0.3, 3), (0.3, 2.5)], ANYWHERE),
    "log_exp_three_args": (
        lambda x, y, z: (x.exp() + y * z).log() + (y / z).tanh() * x,
        None,
        [(-2, 2), (0.2, 2), (0.2, 2)],
        ANYWHERE,
    ),
    "pow_with_tanh_exponent": (
        lambda x, y: (x * x + 1) ** y.tanh() / (1 + y.exp()),
        None,
        [(-2, 2), (-2, 2)],
        lambda x, y: y != 0.0,  # PyTorch's Hessian of aᵇ is wrong at b = 0 (ours is right, tested below)
    ),
    "sqrt_log_division": (
        lambda x, y: (x * x + y * y).sqrt() * (x * x + 1).log() / y,
        None,
        [(0.5, 3), (0.5, 3)],
        ANYWHERE,
    ),
    "relu_product": (
        lambda x, y: (x * y).relu() * x.exp() + x.relu() * y * y,
        None,
        [(-2, 2), (-2, 2)],
        lambda x, y: abs(x * y) > 1e-6 and abs(x) > 1e-6,
    ),
    "softplus": (
        lambda x, y: (x * y).softplus() * x + y.softplus(),
        lambda x, y: F.softplus(x * y) * x + F.softplus(y),
        [(-3, 3), (-3, 3)],
        ANYWHERE,
    ),
    "elu": (
        lambda x, y: (x * y).elu(1.5) + x.elu() * y,
        lambda x, y: F.elu(x * y, alpha=1.5) + F.elu(x) * y,
        [(-2, 2), (-2, 2)],
        lambda x, y: abs(x * y) > 1e-6 and abs(x) > 1e-6,
    ),
    "arctan": (
        lambda x, y: (x * y).arctan() + x.arctan() * y,
        lambda x, y: torch.atan(x * y) + torch.atan(x) * y,
        [(-3, 3), (-3, 3)],
        ANYWHERE,
    ),
    "softsign": (
        lambda x, y: (x + y * y).softsign() * x,
        lambda x, y: F.softsign(x + y * y) * x,
        [(-3, 3), (-2, 2)],
        lambda x, y: abs(x + y * y) > 1e-6,
    ),
    "mixed_activations_three_args": (
        lambda x, y, z: (x.sigmoid() * y).tanh() ** z + (x - z) / (y * y + 0.5),
        None,
        [(-2, 2), (-2, 2), (-2, 2)],
        # z = 0 exactly: PyTorch's Hessian of aᵇ is wrong at b = 0 (see test_pow_hessian_at_zero_exponent)
        lambda x, y, z: math.tanh(sigmoid(x) * y) > 0.05 and z != 0.0,
    ),
}


def reference_hessian(fn: Callable[..., Any], xs: list[float]) -> list[list[float]]:
    return torch_hessian(fn, xs)


def _draw_point(data: st.DataObject, case: HigherCase) -> list[float]:
    _, _, domain, smooth = case
    point = [data.draw(floats(lo, hi), label=f"x{i}") for i, (lo, hi) in enumerate(domain)]
    assume(smooth(*point))
    return point


@requires_torch
@pytest.mark.parametrize("name", sorted(HIGHER_ORDER))
@given(data=st.data())
def test_hessian_matches_torch(name: str, data: st.DataObject) -> None:
    """hessian(f, xs) equals PyTorch float64's second derivatives; value and gradient match too."""
    case = HIGHER_ORDER[name]
    ours, theirs = case[0], case[1] or case[0]
    point = _draw_point(data, case)
    assert_matches_torch(ours, theirs, point)
    H = hessian(ours, point)
    T = reference_hessian(theirs, point)
    scale = max(1.0, *(abs(t) for row in T for t in row))
    for i, (row, trow) in enumerate(zip(H, T)):
        for j, (h, t) in enumerate(zip(row, trow)):
            assert_close(h, t, f"{name}: H[{i}][{j}] at {point}", atol=1e-12 * scale)


@requires_torch
@pytest.mark.parametrize("name", sorted(HIGHER_ORDER))
@given(data=st.data())
def test_value_and_grad_matches_torch(name: str, data: st.DataObject) -> None:
    """value_and_grad(f, all argnums) equals PyTorch float64's value and gradient."""
    case = HIGHER_ORDER[name]
    ours, theirs = case[0], case[1] or case[0]
    point = _draw_point(data, case)
    v, gs = value_and_grad(ours, argnums=tuple(range(len(point))))(*point)
    tv, tgs = torch_value_and_grads(theirs, point)
    assert_close(v, tv, f"{name}: value")
    for i, (g, tg) in enumerate(zip(gs, tgs)):
        assert_close(g, tg, f"{name}: ∂/∂x{i}")


# ------------------------------------------------ backward(create_graph=True)


def second_derivative_by_backward(f: Callable[[Value], Value], a: float) -> tuple[Value, float]:
    """f'(a) as a Value from backward(create_graph=True), then f''(a) from backward on it."""
    x = Value(a)
    f(x).backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value), "after backward(create_graph=True) x.grad must be a Value"
    x.grad = 0.0  # leaf gradients accumulate: clear before differentiating again
    g.backward()
    return g, x.grad


SECOND_CLOSED_FORMS: dict[str, tuple[Callable[[Value], Value], Callable[[float], float], float, float]] = {
    "tanh": (lambda x: x.tanh(), lambda a: -2 * math.tanh(a) * (1 - math.tanh(a) ** 2), -3.0, 3.0),
    "sigmoid": (
        lambda x: x.sigmoid(),
        lambda a: sigmoid(a) * (1 - sigmoid(a)) * (1 - 2 * sigmoid(a)),
        -4.0,
        4.0,
    ),
    "log": (lambda x: x.log(), lambda a: -1 / a**2, 0.2, 5.0),
    "sqrt": (lambda x: x.sqrt(), lambda a: -0.25 * a**-1.5, 0.2, 5.0),
    "exp": (lambda x: x.exp(), math.exp, -3.0, 3.0),
    "cube": (lambda x: x**3, lambda a: 6 * a, -3.0, 3.0),
    "reciprocal": (lambda x: 1 / x, lambda a: 2 / a**3, 0.3, 3.0),
    "log_of_square_plus_one": (
        lambda x: (x * x + 1).log(),
        lambda a: 2 * (1 - a * a) / (1 + a * a) ** 2,
        -3.0,
        3.0,
    ),
}


@pytest.mark.parametrize("name", sorted(SECOND_CLOSED_FORMS))
@given(data=st.data())
def test_backward_create_graph_second_derivative(name: str, data: st.DataObject) -> None:
    """x.grad after backward(create_graph=True) differentiates to the closed-form f''."""
    f, d2, lo, hi = SECOND_CLOSED_FORMS[name]
    a = data.draw(floats(lo, hi), label="x")
    g, second = second_derivative_by_backward(f, a)
    assert_close(g.data, grad(f)(a), f"{name}: f' at {a!r}")
    assert_close(second, d2(a), f"{name}: f'' at {a!r}")


@given(floats(0.3, 3), floats(-2, 2))
def test_pow_value_exponent_mixed_partial(a0: float, b0: float) -> None:
    """For aᵇ: ∂²/∂a∂b = ∂²/∂b∂a = a^(b−1)(1 + b ln a), from either first derivative."""
    expected = a0 ** (b0 - 1) * (1 + b0 * math.log(a0))
    for first, other in ((0, 1), (1, 0)):
        a, b = Value(a0), Value(b0)
        (a**b).backward(create_graph=True)
        leaves = (a, b)
        g = leaves[first].grad
        assert isinstance(g, Value)
        a.grad, b.grad = 0.0, 0.0
        g.backward()
        assert_close(leaves[other].grad, expected, f"∂²(aᵇ)/∂{'ab'[first]}∂{'ab'[other]}")
    # and the pure second derivatives: ∂²/∂a² = b(b−1)a^(b−2), ∂²/∂b² = aᵇ (ln a)²
    H = hessian(lambda a, b: a**b, [a0, b0])
    assert_close(H[0][0], b0 * (b0 - 1) * a0 ** (b0 - 2), "∂²/∂a²")
    assert_close(H[1][1], a0**b0 * math.log(a0) ** 2, "∂²/∂b²")
    assert_close(H[0][1], expected, "H[0][1]")


@pytest.mark.parametrize("a0", [2.0, 0.5])
def test_pow_hessian_at_zero_exponent(a0: float) -> None:
    """At b = 0, aᵇ has Hessian [[0, 1/a], [1/a, (ln a)²]] (the mixed partial a^(b−1)(1 + b ln a))."""
    H = hessian(lambda a, b: a**b, [a0, 0.0])
    assert_close(H[1][0], 1 / a0, "∂²/∂a∂b via ∂/∂b first")
    assert_close(H[1][1], math.log(a0) ** 2, "∂²/∂b²")
    assert_close(H[0][0], 0.0, "∂²/∂a²")
    assert_close(H[0][1], 1 / a0, "∂²/∂b∂a via ∂/∂a first")


def test_second_backward_without_zeroing_accumulates() -> None:
    """Not clearing x.grad: the second backward adds f'' onto f' (leaf accumulation), f = x³ at 2."""
    x = Value(2.0)
    (x**3).backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value) and g.data == 12.0
    g.backward()
    assert float(getattr(x.grad, "data", x.grad)) == 12.0 + 12.0


def test_every_name_in_the_package_all_is_importable() -> None:
    namespace: dict[str, object] = {}
    exec("from tinygrad_edu import *", namespace)  # what `import *` in a notebook does
    assert set(tinygrad_edu.__all__) <= set(namespace)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: grad(lambda x: x, argnums="a"),
            TypeError,
            r"^grad: argnums must be an integer, got str 'a'",
        ),
        (
            lambda: grad(lambda x: x, argnums=[]),
            TypeError,
            r"^grad: argnums must be an integer or a non-empty",
        ),
        (lambda: grad(lambda x: x, argnums=[0, 1.5]), TypeError, r"^grad: argnums\[1\] must be an integer"),
        (lambda: grad(lambda x: x, argnums=True), TypeError, r"^grad: argnums must be an integer, got bool"),
        (lambda: value_and_grad(5), TypeError, r"^value_and_grad: f must be a function, got int 5"),
        (lambda: grad(lambda x: x)(10**400), ValueError, r"^grad: argument 0 must be .*float range"),
        (lambda: grad(lambda x: x, argnums=10**5000)(1.0), ValueError, r"^grad: argnums .* out of range"),
        (
            lambda: hessian(lambda x: x, 5),
            TypeError,
            r"^hessian: xs must be a list or tuple of numbers, got int 5",
        ),
        (lambda: hessian(5, [1.0]), TypeError, r"^hessian: f must be a function, got int 5"),
        (
            lambda: hessian(lambda x: x, [10**5000]),
            ValueError,
            r"^hessian: xs\[0\] .*an integer of 16610 bits",
        ),
        (
            lambda: gradients(Value(1.0), 5),
            TypeError,
            r"^gradients: inputs must be a list or tuple of Values",
        ),
        (lambda: gradients(1.0, []), TypeError, r"^gradients: output must be a Value, got float 1.0"),
    ],
)
def test_bad_arguments_are_refused_naming_the_function(
    call: Callable[[], Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        call()
