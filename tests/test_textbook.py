"""tinygrad_edu.textbook: the plain-float δ recursion of notes 002–004 equals the engine's gradients,
on random networks with every activation; and a network small enough to do by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import close

from tinygrad_edu.nn import ACTIVATIONS, MLP
from tinygrad_edu.textbook import DERIVATIVES, Network, backprop

ALL_ACTIVATIONS = sorted([*ACTIVATIONS, "prelu"])


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
@given(
    seed=st.integers(0, 10_000),
    x=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    y=st.lists(st.floats(-1, 1), min_size=2, max_size=2),
)
def test_textbook_backprop_equals_the_engine(name: str, seed: int, x: list[float], y: list[float]) -> None:
    """s, x, δ per layer and ∂e/∂W, ∂e/∂b, ∂e/∂a agree with the engine (e = Σ (out − y)²)."""
    model = MLP(3, [4, 3, 2], activation=name, output_activation=name, seed=seed)
    for p in model.parameters():  # PReLU slopes away from their initial 0.25, biases nonzero
        p.data += 0.1
    book = backprop(model, x, y)
    out = model(x)
    e = sum((o - t) ** 2 for o, t in zip(out, y))
    e.backward()

    assert close(book.loss, e.data, rtol=1e-12)  # type: ignore[arg-type]
    assert book.x[0] == x and close_all(book.x[-1], [v.data for v in out])
    for l, layer in enumerate(model.layers):  # noqa: E741
        for i, n in enumerate(layer.neurons):
            assert close(book.s[l][i], n.z.data, rtol=1e-12), f"s[{l}][{i}]"
            assert close(book.deltas[l][i], n.delta, rtol=1e-11, atol=1e-14), f"δ[{l}][{i}]"
            assert n.b is not None and close(book.grad_b[l][i], n.b.grad, rtol=1e-11, atol=1e-14)
            for j, w in enumerate(n.w):
                assert close(book.grad_w[l][i][j], w.grad, rtol=1e-11, atol=1e-14), f"∂e/∂W[{l}][{i}][{j}]"
            if name == "prelu":
                assert close(book.grad_slopes[l][i], n.a.grad, rtol=1e-11, atol=1e-14)
    assert [len(d) for d in book.deltas] == [len(d) for d in model.deltas()] == [4, 3, 2]


def close_all(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(close(u, v, rtol=1e-12) for u, v in zip(a, b))


def test_a_network_by_hand() -> None:
    """1 → 1 → 1 tanh network, w⁽¹⁾ = 0.5, b⁽¹⁾ = 0.1, w⁽²⁾ = −2, b⁽²⁾ = 0.3, x = 1, y = 0.

    s⁽¹⁾ = 0.6, x⁽¹⁾ = tanh 0.6; s⁽²⁾ = −2 tanh 0.6 + 0.3, x⁽²⁾ = tanh s⁽²⁾;
    δ⁽²⁾ = 2(x⁽²⁾ − y)(1 − (x⁽²⁾)²); δ⁽¹⁾ = (1 − (x⁽¹⁾)²) · w⁽²⁾ δ⁽²⁾; ∂e/∂w⁽ˡ⁾ = x⁽ˡ⁻¹⁾ δ⁽ˡ⁾.
    """
    net = Network(W=[[[0.5]], [[-2.0]]], b=[[0.1], [0.3]], activations=["tanh", "tanh"], slopes=[[], []])
    r = backprop(net, [1.0], [0.0])
    x1 = math.tanh(0.6)
    s2 = -2 * x1 + 0.3
    x2 = math.tanh(s2)
    d2 = 2 * (x2 - 0.0) * (1 - x2**2)
    d1 = (1 - x1**2) * (-2.0) * d2
    assert r.s == [[pytest.approx(0.6)], [pytest.approx(s2)]]
    assert r.deltas == [[pytest.approx(d1)], [pytest.approx(d2)]]
    assert r.grad_w == [[[pytest.approx(1.0 * d1)]], [[pytest.approx(x1 * d2)]]]
    assert r.loss == pytest.approx(x2**2)


def test_custom_output_gradient() -> None:
    """Any loss through its gradient ∂e/∂x⁽ᴸ⁾: e = −x⁽ᴸ⁾₀ gives δ⁽ᴸ⁾ = −θ'(s⁽ᴸ⁾)."""
    model = MLP(2, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=3)
    r = backprop(model, [0.2, -0.4], output_grad=lambda out: [-1.0, 0.0])
    out = model([0.2, -0.4])
    (-out[0]).backward()
    assert r.loss is None
    for mine, engine in zip(r.deltas, model.deltas()):
        assert mine == pytest.approx(engine, rel=1e-12)


@pytest.mark.parametrize("name", sorted(DERIVATIVES))
@given(s=st.floats(-4, 4).filter(lambda s: min(abs(s), abs(abs(s) - 1)) > 1e-4))
def test_derivative_table_matches_central_differences(name: str, s: float) -> None:
    """θ' in the textbook table is the derivative of θ (away from kinks); sign/step: 0."""
    theta, theta_prime = DERIVATIVES[name]
    h = 1e-6
    numeric = (theta(s + h) - theta(s - h)) / (2 * h)
    assert theta_prime(s) == pytest.approx(numeric, rel=1e-6, abs=1e-7)


def test_errors() -> None:
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="either a target y or an output_grad"):
        backprop(model, [1.0, 2.0])
    with pytest.raises(ValueError, match="either a target y or an output_grad"):
        backprop(model, [1.0, 2.0], [1.0], output_grad=lambda out: out)
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        backprop(model, [1.0, 2.0, 3.0], [1.0])
    with pytest.raises(ValueError, match="has 1 outputs, got 2 targets"):
        backprop(model, [1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="network_of: each activation must be a named one"):
        backprop(MLP(2, [1], output_activation=lambda z: z), [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        backprop(Network([[[1.0]]], [[0.0]], ["swish"], [[]]), [1.0], [1.0])
