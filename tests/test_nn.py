"""tinygrad_edu.nn: parameters and names, initialisers, activations, dropout, the δ view,
micrograd compatibility, and an MLP against torch.nn with the same weights."""

from __future__ import annotations

import math
import random
import statistics
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import close, requires_torch, torch

from tinygrad_edu import Value
from tinygrad_edu.nn import ACTIVATIONS, INITIALIZERS, MLP, Dropout, Layer, Module, Neuron, Sequential

ALL_ACTIVATIONS = sorted([*ACTIVATIONS, "prelu"])


def sigmoid(s: float) -> float:
    return 1.0 / (1.0 + math.exp(-s))


# θ for every activation, in closed form on floats (prelu with its initial slope 0.25)
CLOSED_FORM: dict[str, Callable[[float], float]] = {
    "linear": lambda s: s,
    "step": lambda s: 1.0 if s > 0 else 0.0,
    "sign": lambda s: math.copysign(1.0, s) if s else 0.0,
    "sigmoid": sigmoid,
    "tanh": math.tanh,
    "hardtanh": lambda s: min(1.0, max(-1.0, s)),
    "softsign": lambda s: s / (1 + abs(s)),
    "relu": lambda s: max(0.0, s),
    "leaky_relu": lambda s: s if s > 0 else 0.01 * s,
    "prelu": lambda s: s if s > 0 else 0.25 * s,
    "elu": lambda s: s if s > 0 else math.exp(s) - 1,
    "softplus": lambda s: math.log(1 + math.exp(s)),
    "arctan": math.atan,
}


# ------------------------------------------------------------ structure


def test_parameter_counts() -> None:
    """micrograd's MLP(2, [16, 16, 1]): 2·16+16 + 16·16+16 + 16+1 = 337; note 004's 3 → 2 → 1: 11."""
    assert len(MLP(2, [16, 16, 1]).parameters()) == 337
    assert len(MLP(3, [2, 1]).parameters()) == (3 + 1) * 2 + (2 + 1) * 1 == 11
    assert len(MLP(3, [2, 1], bias=False).parameters()) == 3 * 2 + 2
    assert len(MLP(3, [2, 1], activation="prelu").parameters()) == 11 + 2  # one slope per PReLU neuron
    assert len(Neuron(5).parameters()) == 6 and len(Layer(5, 4).parameters()) == 24


def test_named_parameters_are_stable_dotted_paths() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    named = model.named_parameters()
    names = [n for n, _ in named]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert "layers.1.neurons.3.w.15" in names and names[-1] == "layers.2.neurons.0.b"
    assert len(set(names)) == len(names) == 337
    assert [p for _, p in named] == model.parameters()
    assert [n for n, _ in model.named_parameters()] == names  # same every call
    assert model.layers[1].neurons[3].w[15] is dict(named)["layers.1.neurons.3.w.15"]
    prelu = Neuron(2, "prelu")
    assert [n for n, _ in prelu.named_parameters()] == ["w.0", "w.1", "b", "a"]


def test_shared_parameters_are_listed_once() -> None:
    class Tied(Module):
        def __init__(self) -> None:
            self.first = Neuron(2, seed=1)
            self.second = Neuron(2, seed=2)
            self.second.w = self.first.w  # tied weights

    tied = Tied()
    names = [n for n, _ in tied.named_parameters()]
    assert names == ["first.w.0", "first.w.1", "first.b", "second.b"]
    # parameters() walks without building names: the same Values, in the same order
    assert tied.parameters() == [p for _, p in tied.named_parameters()]

    class Mixed(Module):  # Values in a tuple, a nested list and a module, one of them repeated
        def __init__(self) -> None:
            self.pair = (Value(1.0), [Value(2.0), Neuron(1, seed=3)])
            self.again = [self.pair[0], Value(3.0)]

    mixed = Mixed()
    names = ["pair.0", "pair.1.0", "pair.1.1.w.0", "pair.1.1.b", "again.1"]
    assert [n for n, _ in mixed.named_parameters()] == names
    assert mixed.parameters() == [p for _, p in mixed.named_parameters()]
    assert len(mixed.modules()) == 2


def test_zero_grad_train_eval_and_modules() -> None:
    model = MLP(2, [3, 1], dropout=0.5, seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert model.eval() is model and not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    assert len(model.modules()) == 1 + 2 + (3 + 1) + 1  # MLP, 2 layers, 4 neurons, 1 dropout


def test_reprs() -> None:
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2, [16, 16, 1], activation='relu', output_activation='linear')"
    assert repr(MLP(2, [4, 1], "tanh", "sigmoid", dropout=0.5)) == (
        "MLP(2, [4, 1], activation='tanh', output_activation='sigmoid', dropout=0.5)"
    )
    assert repr(Layer(3, 2, "elu")) == "Layer(3, 2, activation='elu')"
    assert repr(Neuron(3)) == "Neuron(3, activation='relu')"
    assert (
        repr(Sequential(Layer(2, 2), Dropout(0.1)))
        == "Sequential(Layer(2, 2, activation='relu'), Dropout(p=0.1))"
    )


# ------------------------------------------------------------ seeds and initialisers


def data_of(m: Module) -> list[float]:
    return [p.data for p in m.parameters()]


@given(st.integers(0, 2**32))
def test_same_seed_same_network_bit_for_bit(seed: int) -> None:
    assert data_of(MLP(3, [5, 2], seed=seed)) == data_of(MLP(3, [5, 2], seed=seed))
    assert data_of(MLP(3, [5, 2], seed=seed)) == data_of(MLP(3, [5, 2], rng=random.Random(seed)))
    assert data_of(MLP(3, [5, 2], seed=seed)) != data_of(MLP(3, [5, 2], seed=seed + 1))


def test_unseeded_modules_use_the_global_generator_like_micrograd() -> None:
    random.seed(1337)
    a = data_of(MLP(2, [4, 1]))
    random.seed(1337)
    assert data_of(MLP(2, [4, 1])) == a


def test_seed_errors() -> None:
    with pytest.raises(ValueError, match="give seed= or rng=, not both"):
        MLP(2, [1], seed=1, rng=random.Random(1))
    with pytest.raises(TypeError, match="seed must be an integer, got str"):
        Neuron(2, seed="1")  # type: ignore[arg-type]


def weights(layer: Layer) -> list[float]:
    return [w.data for n in layer.neurons for w in n.w]


def test_xavier_init_is_uniform_within_the_normalized_bound() -> None:
    """W ~ U(±√(6/(m+n))) (docs/errata.md: not 6/√(m+n)): all inside, variance bound²/3, biases 0."""
    m, n = 100, 150
    layer = Layer(m, n, "tanh", init="xavier", seed=0)
    ws, bound = weights(layer), math.sqrt(6 / (m + n))
    assert all(abs(w) <= bound for w in ws) and max(map(abs, ws)) > 0.99 * bound
    assert statistics.pvariance(ws) == pytest.approx(bound**2 / 3, rel=0.03)
    assert statistics.fmean(ws) == pytest.approx(0.0, abs=0.01 * bound)
    assert all(nr.b is not None and nr.b.data == 0.0 for nr in layer.neurons)


def test_he_normal_and_zero_inits() -> None:
    assert statistics.pstdev(weights(Layer(50, 300, init="he", seed=1))) == pytest.approx(
        math.sqrt(2 / 50), rel=0.03
    )
    assert statistics.pstdev(weights(Layer(50, 300, init="normal", seed=2))) == pytest.approx(0.01, rel=0.03)
    assert set(weights(Layer(4, 3, init="zeros"))) == {0.0}
    assert all(-1 <= w <= 1 for w in weights(Layer(40, 40, init="uniform", seed=3)))  # micrograd's U(−1, 1)


def test_auto_init_is_he_for_relu_and_xavier_otherwise() -> None:
    relu, tanh = Layer(50, 300, "relu", seed=4), Layer(50, 300, "tanh", seed=4)
    assert statistics.pstdev(weights(relu)) == pytest.approx(math.sqrt(2 / 50), rel=0.03)
    assert max(map(abs, weights(tanh))) <= math.sqrt(6 / 350)


def test_custom_and_bad_initializers() -> None:
    layer = Layer(3, 2, init=lambda fan_in, fan_out, rng: fan_in + 10 * fan_out)
    assert set(weights(layer)) == {23.0}
    with pytest.raises(
        ValueError, match=r"init must be one of auto, xavier, .*, or a function, got str 'glorot'"
    ):
        Layer(2, 2, init="glorot")
    with pytest.raises(ValueError, match="initializer's weight must be a finite number, got float nan"):
        Neuron(2, init=lambda m, n, rng: math.nan)
    assert set(INITIALIZERS) == {"xavier", "he", "normal", "uniform", "zeros"}


def test_zero_init_keeps_hidden_neurons_identical() -> None:
    """The symmetry problem: with all weights equal, every hidden neuron gets the same gradient."""
    model = MLP(2, [4, 1], "tanh", init=lambda m, n, rng: 0.3)
    ((model([0.5, -1.0]) - 1.0) ** 2).backward()
    grads = [[w.grad for w in n.w] for n in model.layers[0].neurons]
    assert all(g == grads[0] for g in grads)


# ------------------------------------------------------------ activations and the forward pass


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
@given(xs=st.lists(st.floats(-3, 3), min_size=3, max_size=3), seed=st.integers(0, 1000))
def test_neuron_computes_theta_of_weighted_sum(name: str, xs: list[float], seed: int) -> None:
    n = Neuron(3, name, init="uniform", seed=seed)
    n.b.data = 0.1  # type: ignore[union-attr]
    z = sum(w.data * x for w, x in zip(n.w, xs)) + 0.1
    out = n(xs)
    assert close(n.z.data, z, rtol=1e-12, atol=1e-12)
    assert close(out.data, CLOSED_FORM[name](z), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("numbers", [True, False], ids=["number inputs", "Value inputs"])
def test_a_neuron_reads_the_values_its_w_and_b_hold_at_each_forward_pass(bias: bool, numbers: bool) -> None:
    """Replacing a weight, the bias or the whole list puts the new Values in the next graph
    (and leaves earlier graphs alone): a forward pass reads ``w`` and ``b`` as they are."""
    n = Neuron(2, "linear", bias=bias, seed=0)

    def x() -> list[Any]:
        return [1.5, -2.0] if numbers else [Value(1.5), Value(-2.0)]

    first = n(x())
    old = n.w[1]
    n.w[1] = Value(0.25)
    third = n(x())
    b = n.b.data if n.b is not None else 0.0
    assert third.data == (b + n.w[0].data * 1.5) + 0.25 * -2.0
    third.backward()
    assert n.w[1].grad == -2.0 and old.grad == 0.0
    first.backward()  # the earlier graph still holds the old weight
    assert old.grad == -2.0 and n.w[1].grad == -2.0
    n.w = [Value(1.0), Value(3.0)]
    if bias:
        n.b = Value(0.5)
    fourth = n(x())
    assert fourth.data == ((0.5 if bias else 0.0) + 1.5) + 3.0 * -2.0
    fourth.backward()
    assert [w.grad for w in n.w] == [1.5, -2.0]
    assert fourth.inputs[:2] == tuple(n.w) and (not bias or fourth.inputs[-1] is n.b)


def test_callable_activation_and_nonlin() -> None:
    n = Neuron(2, lambda z: z * z, init="uniform", seed=0)
    z = n.w[0].data * 2 + n.w[1].data * 3
    assert n([2, 3]).data == pytest.approx(z * z, rel=1e-15)
    assert (
        Neuron(2, nonlin=False).activation == "linear"
        and Layer(2, 2, nonlin=True).neurons[1].activation == "relu"
    )


def test_bad_activation_and_inputs() -> None:
    with pytest.raises(
        ValueError, match=r"activation must be one of arctan, elu, .*, or a function, got str 'swish'"
    ):
        MLP(2, [1], activation="swish")
    with pytest.raises(TypeError, match="activation must be a name or a function, got int"):
        Neuron(2, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="MLP: expected 2 inputs, got 3"):
        MLP(2, [3, 1])([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Neuron: expected 2 inputs, got 3"):
        Neuron(2)([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"Layer: x\[1\] must be a real number, got str '2'"):
        Layer(2, 3)([1.0, "2"])
    with pytest.raises(TypeError, match=r"Neuron: x must be a sequence of 2 inputs, got float 1\.0"):
        Neuron(2)(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Neuron: nin must be an integer in \\[1, 1000000000\\], got int 0"):
        Neuron(0)
    with pytest.raises(TypeError, match="nouts must be a non-empty list of layer sizes, got int 3"):
        MLP(2, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Sequential: item 1 must be a Module, got str"):
        Sequential(Layer(2, 2), "relu")  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError, match="must define forward"):
        Module()(1.0)


def test_layer_returns_a_value_for_one_output_like_micrograd() -> None:
    assert isinstance(Layer(2, 1)([1, 2]), Value)
    out = Layer(2, 3)([1, 2])
    assert isinstance(out, list) and len(out) == 3
    assert isinstance(MLP(2, [3, 1])([1, 2]), Value) and len(MLP(2, [3, 2])([1, 2])) == 2


def test_micrograd_training_loop_runs_unchanged() -> None:
    """micrograd's demo loop (SVM loss + L2, SGD with decaying rate) separates a small dataset."""
    random.seed(1337)
    X = [
        [-2.0, -1.0],
        [-1.5, -2.0],
        [-1.0, -1.5],
        [1.0, 1.5],
        [2.0, 1.0],
        [1.5, 2.0],
        [-1.0, 1.0],
        [1.0, -1.0],
    ]
    y = [-1, -1, -1, 1, 1, 1, 1, -1]
    model = MLP(2, [16, 16, 1])
    for k in range(60):
        scores = [model(x) for x in X]
        losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
    accuracy = sum((s.data > 0) == (yi > 0) for yi, s in zip(y, [model(x) for x in X])) / len(y)
    assert accuracy == 1.0


# ------------------------------------------------------------ dropout


def test_dropout_scales_survivors_and_zeroes_the_rest() -> None:
    drop = Dropout(0.25, seed=0)
    xs = [Value(1.0 + i) for i in range(2000)]
    out = drop(xs)
    kept = [0.0 if o.data == 0.0 else 1 / 0.75 for o in out]
    assert all(o.data == x.data * k for o, x, k in zip(out, xs, kept))
    assert kept.count(0.0) / len(kept) == pytest.approx(0.25, abs=0.03)
    sum(out).backward()  # the gradient flows through survivors only, scaled by 1/(1 − p)
    assert [x.grad for x in xs] == kept


def test_dropout_eval_identity_and_edge_probabilities() -> None:
    x = [Value(2.0), Value(3.0)]
    drop = Dropout(0.9)
    assert drop.eval()(x) is x and Dropout(0.0)(x) is x
    assert [v.data for v in Dropout(1.0)(x)] == [0.0, 0.0]
    assert Dropout(0.5, seed=1)(4.0).data in (0.0, 8.0)  # a plain number works too
    for p in (-0.1, 1.5, math.nan, 10**400):
        with pytest.raises(ValueError, match=r"^Dropout: p must be a finite number in \[0, 1\]"):
            Dropout(p)
    with pytest.raises(TypeError, match=r"^Dropout: p must be a finite number in \[0, 1\], got str '0\.5'"):
        Dropout("0.5")  # type: ignore[arg-type]
    assert Dropout(True).p == 1.0  # a bool is a number, 0 or 1, everywhere


def test_mlp_dropout_is_identity_in_eval_mode() -> None:
    plain, dropped = MLP(2, [8, 8, 1], seed=5), MLP(2, [8, 8, 1], seed=5, dropout=0.5)
    x = [0.3, -0.7]
    assert dropped.eval()(x).data == plain(x).data
    dropped.train()
    outs = {dropped(x).data for _ in range(20)}
    assert len(outs) > 1  # training mode: random masks


def test_sequential_composes() -> None:
    seq = Sequential(Layer(2, 3, "tanh", seed=0), Dropout(0.5), Layer(3, 1, "linear", seed=1)).eval()
    a, b = Layer(2, 3, "tanh", seed=0), Layer(3, 1, "linear", seed=1)
    assert seq([0.5, 1.5]).data == b(a([0.5, 1.5])).data
    assert len(seq.parameters()) == 9 + 4


# ------------------------------------------------------------ the δ view


@given(seed=st.integers(0, 10_000), x=st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_weight_gradient_is_input_times_delta(seed: int, x: list[float]) -> None:
    """∂e/∂wᵢ = xᵢ·δ for every neuron, where xᵢ is what the neuron received; ∂e/∂b = δ."""
    model = MLP(3, [4, 3, 2], activation="tanh", seed=seed)
    inputs = [x] + [[v.data for v in layer_out] for layer_out in _layer_outputs(model, x)]
    out = model(x)  # (after _layer_outputs: each neuron keeps the z of its latest call)
    e = (out[0] - 0.5) ** 2 + (out[1] + 0.25) ** 2
    e.backward()
    deltas = model.deltas()
    assert [len(d) for d in deltas] == [4, 3, 2]
    for layer, received, layer_deltas in zip(model.layers, inputs, deltas):
        for n, delta in zip(layer.neurons, layer_deltas):
            assert delta == n.z.grad == n.delta
            assert n.b is not None and n.b.grad == delta
            for w, xi in zip(n.w, received):
                assert close(w.grad, xi * delta, rtol=1e-12, atol=1e-15)
    assert [[z.data for z in zs] for zs in model.pre_activations()] == [
        [n.z.data for n in L.neurons] for L in model.layers
    ]


def _layer_outputs(model: MLP, x: list[float]) -> list[list[Value]]:
    outs, h = [], x
    for layer in model.layers[:-1]:
        o = layer(h)
        h = o if isinstance(o, list) else [o]
        outs.append(h)
    return outs


def test_deltas_need_a_forward_pass() -> None:
    with pytest.raises(ValueError, match="no forward pass yet"):
        MLP(2, [2, 1]).deltas()


# ------------------------------------------------------------ against torch.nn


def torch_activation(name: str, n_out: int) -> Any:
    nn, F = torch.nn, torch.nn.functional
    simple = {
        "linear": nn.Identity(),
        "sigmoid": nn.Sigmoid(),
        "tanh": nn.Tanh(),
        "hardtanh": nn.Hardtanh(),
        "softsign": nn.Softsign(),
        "relu": nn.ReLU(),
        "leaky_relu": nn.LeakyReLU(0.01),
        "elu": nn.ELU(1.0),
        "prelu": nn.PReLU(n_out, init=0.25).double(),
    }
    if name in simple:
        return simple[name]
    fns = {
        "softplus": lambda t: F.softplus(t, threshold=50.0),  # exact, as ours (no cut-off at 20)
        "arctan": torch.atan,
        "sign": torch.sign,
        "step": lambda t: (t > 0).double() + 0.0 * t,
    }

    class Fn(nn.Module):  # type: ignore[misc]
        def forward(self, t: Any) -> Any:
            return fns[name](t)

    return Fn()


def to_torch(model: MLP) -> Any:
    """A torch.nn.Sequential of Linear layers (and activations) holding the same weights."""
    mods = []
    for layer in model.layers:
        lin = torch.nn.Linear(layer.nin, layer.nout).double()
        with torch.no_grad():
            lin.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))  # type: ignore[union-attr]
        mods += [lin, torch_activation(layer.neurons[0].activation, layer.nout)]  # type: ignore[arg-type]
    return torch.nn.Sequential(*mods)


@requires_torch
@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
@given(seed=st.integers(0, 10_000), x=st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_mlp_matches_torch_sequential(name: str, seed: int, x: list[float]) -> None:
    """Same weights → same outputs and the same gradient for every parameter (squared error)."""
    model = MLP(
        3, [5, 4, 2], activation=name, output_activation=name if name != "step" else "linear", seed=seed
    )
    net = to_torch(model)
    out = model(x)
    t_out = net(torch.tensor([x], dtype=torch.float64))[0]  # a batch of one (PReLU wants channels on dim 1)
    target = [0.3, -0.6]
    e = sum((o - t) ** 2 for o, t in zip(out, target))
    t_e = ((t_out - torch.tensor(target, dtype=torch.float64)) ** 2).sum()
    e.backward()
    t_e.backward()
    assert close(e.data, t_e.item())
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    prelus = [m for m in net if isinstance(m, torch.nn.PReLU)]
    for li, (layer, lin) in enumerate(zip(model.layers, linears)):
        for i, n in enumerate(layer.neurons):
            assert n.b is not None and close(n.b.grad, lin.bias.grad[i].item()), f"layer {li} bias {i}"
            for j, w in enumerate(n.w):
                assert close(w.grad, lin.weight.grad[i, j].item()), f"layer {li} w[{i}][{j}]"
    for layer, prelu in zip(model.layers, prelus):
        for i, n in enumerate(layer.neurons):
            assert close(n.a.grad, prelu.weight.grad[i].item())


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(s=st.one_of(st.sampled_from([0.0, -1.0, 1.0, -0.0]), st.floats(-6, 6)))
def test_activation_derivatives_equal_the_closed_forms(name: str, s: float) -> None:
    """The engine's θ(s) and θ'(s) equal the textbook's closed forms (corrected: docs/errata.md), at the kinks
    too (relu'(0) = 0, leaky'(0) = k, elu'(0) = 1, hardtanh'(±1) = 0, sign' = step' = 0)."""
    from tinygrad_edu.textbook import DERIVATIVES

    theta, theta_prime = DERIVATIVES[name]
    v = Value(s)
    y = ACTIVATIONS[name](v)
    y.backward()
    assert close(y.data, theta(s), rtol=1e-14, atol=1e-300)
    # tanh' = 1 − y² and σ' = y(1 − y) subtract from 1 a number rounded near 1: they are exact
    # only to ~1 ulp of 1 (2⁻⁵²) in absolute terms, whatever their size (PyTorch's formulas too)
    near_one = 2.0**-52 if name in ("tanh", "sigmoid") else 1e-300
    assert close(v.grad, theta_prime(s), rtol=1e-14, atol=near_one)


# every loss on a batch through the same MLP in both libraries: (ours, torch's, output activation, n outputs)
def _torch_losses() -> dict[str, Any]:
    from tinygrad_edu import losses as L

    F = torch.nn.functional
    t = lambda xs: torch.tensor(xs, dtype=torch.float64)
    ys01, idx = [1.0, 0.0, 1.0, 0.0], [2, 0, 1, 2]
    onehot = [[1.0 if j == i else 0.0 for j in range(3)] for i in idx]
    return {
        "mse": (
            lambda out: L.mse(out, [0.5, -0.2, 0.1, 0.9]),
            lambda o: F.mse_loss(o[:, 0], t([0.5, -0.2, 0.1, 0.9])),
            "linear",
            1,
        ),
        "squared_error": (
            lambda out: L.squared_error(out[0], 0.3),
            lambda o: (o[0, 0] - 0.3) ** 2,
            "linear",
            1,
        ),
        "bce": (
            lambda out: L.binary_cross_entropy(out, ys01),
            lambda o: F.binary_cross_entropy(o[:, 0], t(ys01)),
            "sigmoid",
            1,
        ),
        "bce_logits": (
            lambda out: L.binary_cross_entropy_with_logits(out, ys01, reduction="sum"),
            lambda o: F.binary_cross_entropy_with_logits(o[:, 0], t(ys01), reduction="sum"),
            "linear",
            1,
        ),
        "cross_entropy_index": (
            lambda out: L.cross_entropy(out, idx),
            lambda o: F.cross_entropy(o, torch.tensor(idx)),
            "linear",
            3,
        ),
        "cross_entropy_onehot": (
            lambda out: L.cross_entropy(out, onehot),
            lambda o: F.cross_entropy(o, t(onehot)),
            "linear",
            3,
        ),
        "svm": (
            lambda out: L.svm_loss(out, [1, -1, 1, -1]),
            lambda o: torch.relu(1 - t([1, -1, 1, -1]) * o[:, 0]).mean(),
            "linear",
            1,
        ),
        "max_margin": (
            lambda out: L.max_margin(out[0][0], out[0][1]),
            lambda o: torch.clamp(1 + o[0, 1] - o[0, 0], min=0),
            "linear",
            2,
        ),
    }


# the same penalties on torch's parameter tensors
TORCH_PENALTIES = {
    "l1": lambda ps: sum(p.abs().sum() for p in ps),
    "l2": lambda ps: sum((p * p).sum() for p in ps),
    "weight_elimination": lambda ps: sum((p * p / (1 + p * p)).sum() for p in ps),
}


@requires_torch
@pytest.mark.parametrize(
    "loss_name",
    [
        "mse",
        "squared_error",
        "bce",
        "bce_logits",
        "cross_entropy_index",
        "cross_entropy_onehot",
        "svm",
        "max_margin",
    ],
)
@pytest.mark.parametrize("penalty", [None, "l1", "l2", "weight_elimination"])
def test_mlp_gradients_match_torch_for_every_loss(loss_name: str, penalty: Any) -> None:
    """Same weights, a batch of 4: the loss (+ 1e-3·penalty) and every parameter's gradient agree."""
    from tinygrad_edu import losses as L

    ours_loss, torch_loss, out_act, nout = _torch_losses()[loss_name]
    model = MLP(3, [5, 4, nout], activation="tanh", output_activation=out_act, seed=7)
    net = to_torch(model)
    X = [[0.5, -1.0, 2.0], [-0.3, 0.8, 0.1], [1.5, 0.2, -0.7], [0.0, -2.0, 1.0]]
    out = [model(x) for x in X]
    e = ours_loss(out)
    t_out = net(torch.tensor(X, dtype=torch.float64))
    t_e = torch_loss(t_out)
    if penalty is not None:
        e = e + 1e-3 * getattr(L, penalty)(model.parameters())
        t_e = t_e + 1e-3 * TORCH_PENALTIES[penalty](list(net.parameters()))
    e.backward()
    t_e.backward()
    assert close(e.data, t_e.item()), f"{loss_name}: loss {e.data!r} vs {t_e.item()!r}"
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for layer, lin in zip(model.layers, linears):
        for i, n in enumerate(layer.neurons):
            assert n.b is not None and close(n.b.grad, lin.bias.grad[i].item())
            for j, w in enumerate(n.w):
                assert close(w.grad, lin.weight.grad[i, j].item()), f"{loss_name} + {penalty}: w[{i}][{j}]"


def test_a_module_that_contains_itself_or_is_shared_is_walked_once() -> None:
    """parameters() and modules() look inside each module once: a self-reference cannot loop,
    and Sequential(s, s) nested 60 deep is 60 modules, not 2**60 paths."""
    m = MLP(2, [1], seed=0)
    m.me = m  # type: ignore[attr-defined]
    assert len(m.parameters()) == 3 and m.modules().count(m) == 1  # w1, w2, b
    s: Module = Layer(2, 2, seed=0)
    first = s.parameters()
    for _ in range(60):
        s = Sequential(s, s)
    assert s.parameters() == first and len(s.modules()) == 60 + 1 + 2


# ------------------------------------------------------------ configuration
CONFIGURED = [
    (Neuron(3, "tanh", bias=False, seed=0), {"nin": 3, "activation": "tanh", "bias": False}),
    (Layer(2, 4, "prelu", seed=0), {"nin": 2, "nout": 4, "activation": "prelu", "bias": True}),
    (Dropout(0.25), {"p": 0.25}),
    (
        MLP(2, [3, 3, 1], "sigmoid", dropout=0.5, bias=False, seed=0),
        {
            "nin": 2,
            "nouts": [3, 3, 1],
            "activation": "sigmoid",
            "output_activation": "linear",
            "bias": False,
            "dropout": 0.5,
        },
    ),
]


@pytest.mark.parametrize("module, expected", CONFIGURED, ids=lambda x: type(x).__name__)
def test_config_is_what_the_module_was_built_with(module: Module, expected: dict[str, Any]) -> None:
    assert module.config() == expected
    again = type(module)(**module.config())  # the same architecture, fresh parameters
    assert repr(again) == repr(module) and again.config() == expected
    assert [n for n, _ in again.named_parameters()] == [n for n, _ in module.named_parameters()]
    module.config()[next(iter(expected))] = "changed"  # a copy: the module keeps its own
    assert module.config() == expected


def test_config_normalises_what_it_records() -> None:
    """Numbers of other types are recorded as the int, bool and float the module uses; micrograd's
    nonlin= as the activation it means; a one-layer MLP has no hidden layer to drop after."""
    np = pytest.importorskip("numpy")
    assert Neuron(np.int64(2), nonlin=False, bias=np.bool_(True)).config() == {
        "nin": 2,
        "activation": "linear",
        "bias": True,
    }
    config = MLP(np.int64(2), (np.int64(3),), dropout=1).config()
    assert config["nouts"] == [3] and type(config["nouts"][0]) is int and config["dropout"] == 0.0
    assert type(Dropout(True).config()["p"]) is float


def test_sequential_config_is_its_parts_as_they_are() -> None:
    a, b = Layer(2, 2, seed=0), Dropout(0.1)
    s = Sequential(a)
    s.layers.append(b)
    assert s.config() == {"layers": [a, b]} and s.config()["layers"][0] is a


def test_a_module_of_your_own_records_no_configuration_unless_it_says() -> None:
    class Scale(Module):
        def forward(self, x: Any) -> Any:
            return x * 2

    with pytest.raises(TypeError, match=r"^Scale\.config: this module records no configuration"):
        Scale().config()
