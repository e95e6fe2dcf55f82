"""BatchNorm against torch.nn.BatchNorm1d in float64, and how networks with it run and train on batches.

Every torch comparison builds both layers with the same γ, β and running statistics, runs the
same batches through both, and compares outputs, the gradients of the inputs, γ and β (of the
loss Σ g_ic·y_ic for random g) and the running statistics after every step.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oracle import close, requires_torch, torch
from tinygrad_edu import Value
from tinygrad_edu.checkpoint import CheckpointError, architecture, load, load_parameters, save
from tinygrad_edu.engine import total
from tinygrad_edu.modes import no_grad
from tinygrad_edu.nn import MLP, BatchNorm, Dropout, Layer, Module, Sequential
from tinygrad_edu.optim import SGD
from tinygrad_edu.train import FitOptions, bagging, evaluate, fit

TOL = 1e-10


def near(a: float, b: float, scale: float = 1.0) -> bool:
    """a ≈ b, relative to the size of the quantities the computation went through."""
    return close(a, b, rtol=TOL, atol=TOL * scale)


def batch(rng: random.Random, n: int, c: int, spread: float = 3.0) -> list[list[float]]:
    return [[rng.uniform(-spread, spread) + j for j in range(c)] for _ in range(n)]


def torch_twin(bn: BatchNorm) -> Any:
    """torch.nn.BatchNorm1d in float64 with bn's configuration, γ, β and running statistics."""
    cfg = bn.config()
    t = torch.nn.BatchNorm1d(
        cfg["num_features"],
        eps=cfg["eps"],
        momentum=cfg["momentum"],
        affine=cfg["affine"],
        track_running_stats=cfg["track_running_stats"],
        dtype=torch.float64,
    )
    with torch.no_grad():
        if bn.gamma is not None and bn.beta is not None:
            t.weight.copy_(torch.tensor([g.data for g in bn.gamma], dtype=torch.float64))
            t.bias.copy_(torch.tensor([b.data for b in bn.beta], dtype=torch.float64))
        if bn.running_mean is not None and bn.running_var is not None:
            t.running_mean.copy_(torch.tensor(bn.running_mean, dtype=torch.float64))
            t.running_var.copy_(torch.tensor(bn.running_var, dtype=torch.float64))
            t.num_batches_tracked.fill_(bn.num_batches_tracked or 0)
    t.train(bn.training)
    return t


def compare_step(bn: BatchNorm, t: Any, X: list[list[float]], G: list[list[float]]) -> None:
    """One forward and backward pass of Σ g·y through both layers; everything must agree."""
    bn.zero_grad()
    xs = [[Value(v) for v in row] for row in X]
    ys = bn(xs)
    total([g * y for grow, yrow in zip(G, ys) for g, y in zip(grow, yrow)]).backward()

    tx = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    ty = t(tx)
    (ty * torch.tensor(G, dtype=torch.float64)).sum().backward()

    scale = max(1.0, *(abs(v) for row in X for v in row)) * max(1.0, *(abs(g) for row in G for g in row))
    if bn.gamma is not None:
        scale *= max(1.0, *(abs(g.data) for g in bn.gamma)) / math.sqrt(bn.eps)
    for i, (row, trow) in enumerate(zip(ys, ty.tolist())):
        for j, (y, ty_ij) in enumerate(zip(row, trow)):
            assert near(y.data, ty_ij, scale), f"y[{i}][{j}]: ours {y.data!r}, torch {ty_ij!r}"
    assert tx.grad is not None
    for i, (row, trow) in enumerate(zip(xs, tx.grad.tolist())):
        for j, (x, g) in enumerate(zip(row, trow)):
            assert near(x.grad, g, scale), f"∂/∂x[{i}][{j}]: ours {x.grad!r}, torch {g!r}"
    if bn.gamma is not None and bn.beta is not None:
        for j, (p, g) in enumerate(zip(bn.gamma, t.weight.grad.tolist())):
            assert near(p.grad, g, scale), f"∂/∂γ{j}: ours {p.grad!r}, torch {g!r}"
        for j, (p, g) in enumerate(zip(bn.beta, t.bias.grad.tolist())):
            assert near(p.grad, g, scale), f"∂/∂β{j}: ours {p.grad!r}, torch {g!r}"
        t.weight.grad = t.bias.grad = None
    compare_running(bn, t)


def compare_running(bn: BatchNorm, t: Any) -> None:
    if bn.running_mean is None or bn.running_var is None:
        assert t.running_mean is None and t.running_var is None
        return
    assert bn.num_batches_tracked == int(t.num_batches_tracked)
    for j, (ours, theirs) in enumerate(zip(bn.running_mean, t.running_mean.tolist())):
        assert close(ours, theirs, rtol=1e-13, atol=1e-14), f"running_mean[{j}]: {ours!r} vs {theirs!r}"
    for j, (ours, theirs) in enumerate(zip(bn.running_var, t.running_var.tolist())):
        assert close(ours, theirs, rtol=1e-13, atol=1e-14), f"running_var[{j}]: {ours!r} vs {theirs!r}"


def random_affine(bn: BatchNorm, rng: random.Random) -> None:
    for g, b in zip(bn.gamma or [], bn.beta or []):
        g.data, b.data = rng.uniform(0.5, 2.0), rng.uniform(-1.0, 1.0)


# --------------------------------------------------------------------------- against torch


@requires_torch
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"momentum": 0.3, "eps": 1e-3},
        {"momentum": None},
        {"affine": False},
        {"track_running_stats": False},
        {"momentum": 0.0},
        {"momentum": 1.0},
    ],
    ids=["defaults", "momentum-eps", "cumulative", "no-affine", "no-running-stats", "m0", "m1"],
)
def test_several_training_steps_then_eval_match_torch(kwargs: dict[str, Any]) -> None:
    """Training steps update the running statistics as torch does; eval mode then uses them."""
    rng = random.Random(7)
    bn = BatchNorm(3, **kwargs)
    random_affine(bn, rng)
    t = torch_twin(bn)
    for n in (4, 2, 7, 5):  # batches of different sizes: N/(N − 1) differs each time
        compare_step(bn, t, batch(rng, n, 3), batch(rng, n, 3, 1.0))
    bn.eval()
    t.eval()
    for n in (1, 3):  # a batch of one is fine in eval mode when there are running statistics
        if n == 1 and not bn.config()["track_running_stats"]:
            continue
        compare_step(bn, t, batch(rng, n, 3), batch(rng, n, 3, 1.0))
    bn.train()
    t.train()
    compare_step(bn, t, batch(rng, 3, 3), batch(rng, 3, 3, 1.0))  # and training again afterwards


@requires_torch
@settings(deadline=None, max_examples=40)
@given(
    n=st.integers(2, 6),
    c=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    spread=st.sampled_from([1e-3, 1.0, 100.0]),
    momentum=st.one_of(st.none(), st.floats(0.0, 1.0)),
    training=st.booleans(),
)
def test_any_batch_matches_torch(
    n: int, c: int, seed: int, spread: float, momentum: Optional[float], training: bool
) -> None:
    rng = random.Random(seed)
    bn = BatchNorm(c, momentum=momentum, eps=rng.choice([1e-5, 0.1]))
    random_affine(bn, rng)
    if bn.running_mean is not None and bn.running_var is not None:
        bn.running_mean = [rng.uniform(-1, 1) for _ in range(c)]
        bn.running_var = [rng.uniform(0.5, 2) for _ in range(c)]
    bn.num_batches_tracked = rng.randrange(3)
    bn.train(training)
    t = torch_twin(bn)
    compare_step(bn, t, batch(rng, n, c, spread), batch(rng, n, c, 1.0))


@requires_torch
def test_values_from_a_layer_below_get_their_gradients() -> None:
    """Inputs that are Values of a graph (a layer's outputs) are differentiated through."""
    rng = random.Random(3)
    layer = Layer(2, 3, "tanh", seed=1)
    bn = BatchNorm(3)
    X = batch(rng, 4, 2)
    out = bn([layer(x) for x in X])
    total([y * (i + j + 1) for i, row in enumerate(out) for j, y in enumerate(row)]).backward()

    lin = torch.nn.Linear(2, 3, dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64))
        lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
    tb = torch_twin(bn)
    tb.num_batches_tracked.zero_()
    tb.running_mean.zero_()
    tb.running_var.fill_(1.0)
    ty = tb(torch.tanh(lin(torch.tensor(X, dtype=torch.float64))))
    weights = torch.tensor([[i + j + 1.0 for j in range(3)] for i in range(4)], dtype=torch.float64)
    (ty * weights).sum().backward()
    assert lin.weight.grad is not None
    for k, n in enumerate(layer.neurons):
        for i, w in enumerate(n.w):
            assert near(w.grad, lin.weight.grad[k, i].item(), 100.0)
    compare_running(bn, tb)


@requires_torch
def test_a_small_network_trains_by_fit_as_torch_trains_it() -> None:
    """Layer → BatchNorm → Layer, trained by fit on mini-batches with SGD, side by side with torch:
    the weights, γ, β and the running statistics agree after every epoch, and so do eval outputs."""
    rng = random.Random(11)
    X = batch(rng, 10, 3)
    y = [math.sin(x[0]) + x[1] * x[2] / 5 for x in X]
    model = Sequential(Layer(3, 4, "tanh", seed=2), BatchNorm(4, momentum=0.2), Layer(4, 1, "linear", seed=3))
    random_affine(model.layers[1], rng)

    l1, l2 = torch.nn.Linear(3, 4, dtype=torch.float64), torch.nn.Linear(4, 1, dtype=torch.float64)
    tb = torch_twin(model.layers[1])
    with torch.no_grad():
        for lin, layer in ((l1, model.layers[0]), (l2, model.layers[2])):
            lin.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
    net = torch.nn.Sequential(l1, torch.nn.Tanh(), tb, l2)
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    tX, ty = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)

    for _ in range(4):
        fit(
            model,
            X,
            y,
            epochs=1,
            batch_size=4,
            optimizer=SGD(model.parameters(), lr=0.05),
            options=FitOptions(shuffle=False, verbose=False),
        )
        for start in range(0, 10, 4):  # batches of 4, 4 and 2, in order
            opt.zero_grad()
            torch.nn.functional.mse_loss(
                net(tX[start : start + 4]).squeeze(1), ty[start : start + 4]
            ).backward()
            opt.step()
        compare_running(model.layers[1], tb)
        ours = [
            p.data for layer in (model.layers[0], model.layers[2]) for n in layer.neurons for p in [*n.w, n.b]
        ]
        theirs = [
            v for lin in (l1, l2) for row, b in zip(lin.weight.tolist(), lin.bias.tolist()) for v in [*row, b]
        ]
        assert all(close(a, b, rtol=1e-9, atol=1e-11) for a, b in zip(ours, theirs)), (ours, theirs)
        bn = model.layers[1]
        assert all(close(g.data, v, 1e-9, 1e-11) for g, v in zip(bn.gamma, tb.weight.tolist()))
        assert all(close(b.data, v, 1e-9, 1e-11) for b, v in zip(bn.beta, tb.bias.tolist()))

    net.eval()
    loss, _ = evaluate(model, X, y)  # eval mode: the running statistics
    expected = torch.nn.functional.mse_loss(net(tX).squeeze(1), ty).item()
    assert close(loss, expected, rtol=1e-9)
    assert model.training  # evaluate puts the mode back


# --------------------------------------------------------------------------- the math by hand


def test_training_output_is_standardised_per_feature() -> None:
    """With γ = 1 and β = 0 each feature of the output has mean 0 and variance σ²/(σ² + ε)."""
    rng = random.Random(0)
    X = batch(rng, 6, 2, 5.0)
    ys = BatchNorm(2)(X)
    for j in range(2):
        col = [row[j].data for row in ys]
        xs = [row[j] for row in X]
        mu = sum(xs) / 6
        var = sum((x - mu) ** 2 for x in xs) / 6
        assert abs(sum(col) / 6) < 1e-14
        assert math.isclose(sum(v * v for v in col) / 6, var / (var + 1e-5), rel_tol=1e-12)


def test_eval_mode_is_an_affine_map_with_the_running_statistics() -> None:
    bn = BatchNorm(2, eps=0.5)
    bn.running_mean, bn.running_var = [1.0, -2.0], [3.5, 0.5]
    bn.gamma[1].data, bn.beta[1].data = 2.0, 0.25  # type: ignore[index]
    bn.eval()
    (y,) = bn([[2.0, -1.0]])
    assert y[0].data == pytest.approx((2.0 - 1.0) / 2.0)
    assert y[1].data == pytest.approx(2.0 * (-1.0 + 2.0) / 1.0 + 0.25)
    assert bn.num_batches_tracked == 0 and bn.running_mean == [1.0, -2.0]  # eval changes nothing


def test_running_statistics_by_hand_and_cumulative_momentum() -> None:
    bn = BatchNorm(1, momentum=None)
    bn([[1.0], [3.0]])  # μ = 2, unbiased var = 2, m = 1/1
    assert bn.running_mean == [2.0] and bn.running_var == [2.0] and bn.num_batches_tracked == 1
    bn([[0.0], [0.0], [6.0]])  # μ = 2, unbiased var = 12, m = 1/2
    assert bn.running_mean == [2.0] and bn.running_var == [7.0] and bn.num_batches_tracked == 2
    bn = BatchNorm(1)
    bn([5.0, 7.0])  # single numbers for one feature: μ = 6, var = 2
    assert bn.running_mean == [pytest.approx(0.6)] and bn.running_var == [pytest.approx(0.9 + 0.2)]


def test_no_grad_and_scalar_samples_keep_their_shape() -> None:
    bn = BatchNorm(1)
    out = bn([Value(1.0), Value(2.0), 4.0])
    assert len(out) == 3 and all(isinstance(y, Value) for y in out)
    with no_grad():
        out = bn([[1.0], [2.0]])
    assert all(isinstance(row, list) and len(row) == 1 for row in out)
    assert bn.num_batches_tracked == 2  # a forward pass in training mode counts, graph or not


def test_buffers_are_not_parameters() -> None:
    bn = BatchNorm(2)
    assert [name for name, _ in bn.named_parameters()] == ["gamma.0", "gamma.1", "beta.0", "beta.1"]
    assert bn.named_buffers() == [
        ("running_mean.0", 0.0),
        ("running_mean.1", 0.0),
        ("running_var.0", 1.0),
        ("running_var.1", 1.0),
        ("num_batches_tracked", 0),
    ]
    assert BatchNorm(2, affine=False, track_running_stats=False).parameters() == []
    assert BatchNorm(2, track_running_stats=False).named_buffers() == []
    assert bn.config() == {
        "num_features": 2,
        "eps": 1e-5,
        "momentum": 0.1,
        "affine": True,
        "track_running_stats": True,
    }
    model = Sequential(Layer(1, 2, seed=0), bn)
    assert model.named_buffers()[0] == ("layers.1.running_mean.0", 0.0)
    values = {name: float(i) for i, (name, _) in enumerate(model.named_buffers())}
    values["layers.1.num_batches_tracked"] = 7
    model.load_buffers(values)  # type: ignore[arg-type]
    assert bn.running_mean == [0.0, 1.0] and bn.running_var == [2.0, 3.0] and bn.num_batches_tracked == 7
    with pytest.raises(ValueError, match="integer"):
        model.load_buffers({**values, "layers.1.num_batches_tracked": 1.5})
    with pytest.raises(ValueError, match="buffers"):
        model.load_buffers({})
    assert bn.num_batches_tracked == 7


def test_repr() -> None:
    assert repr(BatchNorm(3)) == "BatchNorm(3)"
    assert repr(BatchNorm(3, momentum=None, affine=False)) == "BatchNorm(3, momentum=None, affine=False)"


# --------------------------------------------------------------------------- networks on batches


def test_a_sequential_with_batchnorm_takes_batches_and_maps_the_others_over_samples() -> None:
    first, bn, last = Layer(2, 3, "tanh", seed=0), BatchNorm(3), Layer(3, 2, "linear", seed=1)
    drop = Dropout(0.0)
    model = Sequential(first, drop, Sequential(bn), last)
    assert model.takes_batches() and not MLP(2, [3]).takes_batches() and not Sequential(first).takes_batches()
    X = [[0.0, 1.0], [1.0, -1.0], [2.0, 0.5]]
    out = model(X)
    by_hand = [last(row) for row in BatchNorm(3)([first(x) for x in X])]
    assert [[y.data for y in row] for row in out] == [[y.data for y in row] for row in by_hand]
    with pytest.raises(TypeError, match="Sequential: batch must be a list of samples"):
        model(3.0)


def test_a_sequential_without_batchnorm_is_unchanged() -> None:
    """Bit for bit: one sample in, one output out, as layer2(layer1(x))."""
    a, b = Layer(3, 4, "tanh", seed=5), Layer(4, 1, "linear", seed=6)
    model = Sequential(a, b)
    x = [0.3, -1.2, 2.0]
    assert not model.takes_batches()
    assert model(x).data == b(a(x)).data


def test_fit_without_batchnorm_is_the_per_sample_loop_bit_for_bit() -> None:
    """fit on an MLP still calls it once per sample: the same parameters as a loop written out."""
    X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.5, 0.5]]
    y = [1.0, 1.0, 0.0, 0.0, 0.5]
    model, twin = MLP(2, [3, 1], activation="tanh", seed=4), MLP(2, [3, 1], activation="tanh", seed=4)
    fit(model, X, y, epochs=3, batch_size=2, options=FitOptions(shuffle=False, lr=0.3, verbose=False))
    from tinygrad_edu import losses

    for _ in range(3):
        for start in range(0, 5, 2):
            twin.zero_grad()
            losses.mse([twin(x) for x in X[start : start + 2]], y[start : start + 2]).backward()
            for p in twin.parameters():
                p.data -= 0.3 * p.grad
    assert [p.data for p in model.parameters()] == [p.data for p in twin.parameters()]


def test_fit_refuses_a_batch_of_one_for_a_model_with_batchnorm() -> None:
    model = Sequential(Layer(2, 2, seed=0), BatchNorm(2), Layer(2, 1, "linear", seed=1))
    X, y = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [2.0, 1.0]], [0.0, 1.0, 1.0, 0.0, 1.0]
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=r"fit: batch_size must be .*BatchNorm.*batch_size 1"):
        fit(model, X, y, batch_size=1, options=FitOptions(verbose=False))
    with pytest.raises(ValueError, match=r"a last batch of 1 \(5 samples = 2×2 \+ 1\)"):
        fit(model, X, y, batch_size=2, options=FitOptions(verbose=False))
    assert [p.data for p in model.parameters()] == before and model.layers[1].num_batches_tracked == 0
    history = fit(model, X, y, batch_size=3, epochs=2, options=FitOptions(verbose=False))
    assert history.epochs == 2 and model.layers[1].num_batches_tracked == 4


def test_fit_with_patience_puts_back_the_best_epochs_running_statistics() -> None:
    model = Sequential(Layer(1, 3, "tanh", seed=0), BatchNorm(3), Layer(3, 1, "linear", seed=1))
    X = [[x / 4] for x in range(-8, 9)]
    y = [x[0] ** 2 for x in X]
    snapshots: list[list[tuple[str, float]]] = []
    history = fit(
        model,
        X,
        y,
        epochs=12,
        batch_size=5,
        validation=([[5.0], [-5.0]], [1.0, 1.0]),
        callbacks=[lambda epoch, h: bool(snapshots.append(model.named_buffers()))],
        options=FitOptions(lr=0.2, patience=3, verbose=False),
    )
    assert history.best_epoch is not None and history.best_epoch < history.epochs  # it stopped early
    assert model.named_buffers() == snapshots[history.best_epoch - 1]


def test_bagging_models_with_batchnorm() -> None:
    X = [[x / 4] for x in range(-6, 7)]
    y = [abs(x[0]) for x in X]

    def make(i: int) -> Sequential:
        return Sequential(Layer(1, 3, "tanh", seed=i), BatchNorm(3), Layer(3, 1, "linear", seed=i + 10))

    ensemble, histories = bagging(
        make, X, y, 2, seed=0, epochs=2, batch_size=5, options=FitOptions(verbose=False)
    )
    assert ensemble.takes_batches() and len(histories) == 2
    loss, _ = evaluate(ensemble, X, y)
    for m in ensemble.models:
        m.eval()
    mixed = type(ensemble)([*ensemble.models, MLP(1, [1], seed=0)])
    outs = mixed(X)
    assert len(outs) == len(X) and isinstance(outs[0], Value) and math.isfinite(loss)


# --------------------------------------------------------------------------- bad input


def test_a_batch_of_one_in_training_mode_is_a_value_error_naming_the_sizes() -> None:
    bn = BatchNorm(3)
    with pytest.raises(
        ValueError, match=r"BatchNorm: .*at least 2 samples.*got a batch of 1 sample of 3 features"
    ):
        bn([[1.0, 2.0, 3.0]])
    assert bn.num_batches_tracked == 0
    bn.eval()
    assert len(bn([[1.0, 2.0, 3.0]])) == 1
    no_stats = BatchNorm(3, track_running_stats=False).eval()
    with pytest.raises(ValueError, match=r"BatchNorm: .*batch of 1"):
        no_stats([[1.0, 2.0, 3.0]])


@pytest.mark.parametrize(
    ("batch", "error", "pattern"),
    [
        ([[1.0, 2.0], [1.0, 2.0, 3.0]], ValueError, r"BatchNorm: batch\[0\] must be a sample of 3 .*got 2"),
        ([[1.0, 2.0, 3.0], []], ValueError, r"BatchNorm: batch\[1\] .* 3 features .*got 0"),
        ([[1.0, 2.0, 3.0, 4.0]] * 2, ValueError, r"got 4 features"),
        ([], ValueError, r"BatchNorm: batch must be a non-empty list"),
        ("abc", TypeError, r"BatchNorm: batch must be a list of samples"),
        (3.0, TypeError, r"BatchNorm: batch must be a list"),
        ([1.0, 2.0], TypeError, r"BatchNorm: batch\[0\] must be a list of 3"),
        ([[1.0, "x", 3.0]] * 2, TypeError, r"BatchNorm: batch\[0\]\[1\] must be a real number"),
        ([[1.0, 10**400, 3.0]] * 2, ValueError, r"BatchNorm: batch\[0\]\[1\]"),
    ],
)
def test_bad_batches(batch: Any, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        BatchNorm(3)(batch)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"num_features": 0}, ValueError, "BatchNorm: num_features must be an integer in"),
        ({"num_features": 2.0}, TypeError, "BatchNorm: num_features"),
        ({"num_features": 2, "eps": 0.0}, ValueError, "BatchNorm: eps must be a finite number > 0"),
        ({"num_features": 2, "momentum": 1.5}, ValueError, "BatchNorm: momentum"),
        ({"num_features": 2, "momentum": "x"}, TypeError, "BatchNorm: momentum"),
        ({"num_features": 2, "affine": 1}, TypeError, "BatchNorm: affine must be True or False"),
        ({"num_features": 2, "track_running_stats": None}, TypeError, "BatchNorm: track_running_stats"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        BatchNorm(**kwargs)


def test_a_wrong_width_inside_a_network_is_the_layers_value_error() -> None:
    model = Sequential(Layer(2, 3, seed=0), BatchNorm(4))
    with pytest.raises(ValueError, match=r"BatchNorm: batch.* 4 features .*got 3"):
        model([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match=r"fit: X must be samples the model accepts \(BatchNorm"):
        fit(model, [[0.0, 1.0], [1.0, 0.0]], [[0.0] * 4] * 2, options=FitOptions(verbose=False))


def test_a_module_of_your_own_holding_a_batchnorm_takes_batches() -> None:
    """Module's default takes_batches looks at every module inside."""

    class Net(Module):
        def __init__(self) -> None:
            self.layer = Layer(2, 2, seed=0)
            self.norm = BatchNorm(2)

        def forward(self, batch: Any) -> Any:
            return self.norm([self.layer(x) for x in batch])

    net = Net()
    assert net.takes_batches() and Sequential(net).takes_batches()
    assert len(
        fit(net, [[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0]] * 2, options=FitOptions(verbose=False)).train_loss
    )


# --------------------------------------------------------------------------- checkpoints


def trained_network() -> Sequential:
    model = Sequential(Layer(2, 3, "tanh", seed=0), BatchNorm(3, momentum=0.3), Layer(3, 1, "linear", seed=1))
    X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.5, -1.0]]
    fit(model, X, [1.0, 1.0, 0.0, 0.0, 0.5], epochs=3, batch_size=3, options=FitOptions(verbose=False))
    return model


def test_a_network_with_batchnorm_round_trips_with_its_running_statistics(tmp_path: Path) -> None:
    model = trained_network().eval()
    path = save(model, tmp_path / "bn.json")
    doc = json.loads(path.read_text())
    assert doc["version"] == 2 and list(doc)[-1] == "buffers"
    assert doc["buffers"]["layers.1.num_batches_tracked"] == 6  # written as the integer it is
    assert doc["architecture"]["layers"][1] == {
        "type": "BatchNorm",
        "num_features": 3,
        "eps": 1e-5,
        "momentum": 0.3,
        "affine": True,
        "track_running_stats": True,
    }
    restored = load(path)
    assert repr(restored) == repr(model) and not restored.training
    assert restored.named_buffers() == model.named_buffers()
    assert type(restored.layers[1].num_batches_tracked) is int  # type: ignore[attr-defined]
    assert [p.data for p in restored.parameters()] == [p.data for p in model.parameters()]
    X = [[0.3, -0.2], [1.5, 0.5]]
    assert [y.data for y in restored(X)] == [y.data for y in model(X)]

    twin = trained_network()  # the same architecture, other running statistics and mode
    twin.layers[1].running_mean[0] = 42.0  # type: ignore[attr-defined, index]
    load_parameters(twin, path)
    assert twin.named_buffers() == model.named_buffers() and twin.training  # the mode stays


@pytest.mark.parametrize(
    "kwargs",
    [{"momentum": None, "eps": 0.25}, {"affine": False}, {"track_running_stats": False}, {}],
)
def test_a_batchnorm_alone_round_trips(kwargs: dict[str, Any], tmp_path: Path) -> None:
    bn = BatchNorm(2, **kwargs)
    random_affine(bn, random.Random(0))
    bn([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    if bn.running_var is not None:
        bn.running_var[1] = math.inf  # non-finite floats are written as strings, as parameters are
    restored = load(save(bn, tmp_path / "bn.json"))
    assert isinstance(restored, BatchNorm) and restored.config() == bn.config()
    assert restored.named_buffers() == bn.named_buffers()
    assert [p.data for p in restored.parameters()] == [p.data for p in bn.parameters()]


def edited(tmp_path: Path, change: Callable[[dict[str, Any]], Any]) -> Path:
    path = save(trained_network(), tmp_path / "bn.json")
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))
    return path


def _bn(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["architecture"]["layers"][1]  # type: ignore[no-any-return]


def _as_version_1(doc: dict[str, Any]) -> None:
    doc["version"] = 1
    del doc["buffers"]


BAD_FILES: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    (
        "v1-with-batchnorm",
        _as_version_1,
        r"architecture has 7 buffers and the file stores 0: missing buffers",
    ),
    (
        "v1-with-buffers",
        lambda d: d.update(version=1),
        r"not a valid version-1 checkpoint: unexpected keys 'buffers'",
    ),
    ("no-buffers", lambda d: d.pop("buffers"), r"not a valid version-2 checkpoint: missing keys 'buffers'"),
    ("buffers-list", lambda d: d.update(buffers=[]), r'has "buffers" that is a list, not an object'),
    (
        "missing-buffer",
        lambda d: d["buffers"].pop("layers.1.running_var.2"),
        r"missing buffers 'layers\.1\.running_var\.2'",
    ),
    ("extra-buffer", lambda d: d["buffers"].update(x=1.0), r"unexpected buffers 'x'"),
    (
        "string-buffer",
        lambda d: d["buffers"].update({"layers.1.running_mean.0": "0.5"}),
        r"has buffer 'layers\.1\.running_mean\.0' that is the string '0\.5', not a number",
    ),
    (
        "float-count",
        lambda d: d["buffers"].update({"layers.1.num_batches_tracked": 1.5}),
        r"has buffer 'layers\.1\.num_batches_tracked' = 1\.5, not a count",
    ),
    (
        "negative-count",
        lambda d: d["buffers"].update({"layers.1.num_batches_tracked": -1}),
        r"num_batches_tracked' = -1, not a count",
    ),
    (
        "huge-int-buffer",
        lambda d: d["buffers"].update({"layers.1.running_var.0": 10**400}),
        r"has buffer 'layers\.1\.running_var\.0' = an integer of \d+ bits, which is beyond the range",
    ),
    (
        "eps-zero",
        lambda d: _bn(d).update(eps=0),
        r"architecture\.layers\[1\]\.eps that should be a finite number > 0",
    ),
    (
        "momentum-two",
        lambda d: _bn(d).update(momentum=2),
        r"\.momentum that should be null or a probability in \[0, 1\], got 2",
    ),
    ("affine-str", lambda d: _bn(d).update(affine="yes"), r"\.affine that should be true or false"),
    ("no-eps", lambda d: _bn(d).pop("eps"), r"\(a BatchNorm\) with missing fields 'eps'"),
    (  # refused before building: 2·10**12 numbers would not fit in memory
        "huge",
        lambda d: _bn(d).update(num_features=10**12),
        r"does not fit together: its architecture has 2000000000013 parameters but the file stores 19",
    ),
    (
        "huge-buffers",
        lambda d: _bn(d).update(num_features=10**12, affine=False),
        r"does not fit together: its architecture has 2000000000001 buffers but the file stores 7",
    ),
]


@pytest.mark.parametrize(("name", "change", "pattern"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_batchnorm_checkpoints(
    name: str, change: Callable[[dict[str, Any]], Any], pattern: str, tmp_path: Path
) -> None:
    path = edited(tmp_path, change)
    with pytest.raises(CheckpointError, match=pattern):
        load(path)
    twin = trained_network()
    before = twin.named_buffers()
    with pytest.raises(CheckpointError):
        load_parameters(twin, path)
    assert twin.named_buffers() == before  # untouched on any error


def test_a_batchnorm_changed_since_it_was_built_is_not_saved(tmp_path: Path) -> None:
    bn = BatchNorm(3)
    bn.running_mean = [0.0, 0.0]
    with pytest.raises(
        ValueError, match=r"save: the model's buffers differ .*missing buffers 'running_mean\.2'"
    ):
        save(bn, tmp_path / "bn.json")
    bn = BatchNorm(3)
    bn.gamma = bn.gamma[:2]  # type: ignore[index]
    with pytest.raises(
        ValueError, match=r"save: the model's parameters differ .*missing parameters 'gamma\.2'"
    ):
        save(bn, tmp_path / "bn.json")
    model = Sequential(Layer(2, 2, seed=0), BatchNorm(2))
    model.layers[1].eval()
    with pytest.raises(ValueError, match=r"save: mixed train/eval modes: .* layers\.1 is in eval mode"):
        save(model, tmp_path / "bn.json")
    assert architecture(model)["layers"][1]["type"] == "BatchNorm"


def test_load_parameters_names_a_different_feature_count(tmp_path: Path) -> None:
    path = save(Sequential(BatchNorm(4)), tmp_path / "bn.json")
    with pytest.raises(
        CheckpointError, match=r"num_features \(feature count\) is 3 in the model but 4 in the file"
    ):
        load_parameters(Sequential(BatchNorm(3)), path)


def test_config_is_what_the_module_uses_now(tmp_path: Path) -> None:
    """eps and momentum may be changed after construction (e.g. momentum None to re-estimate the
    running statistics); config(), and so a checkpoint, has what the module uses."""
    bn = BatchNorm(2)
    bn.momentum, bn.eps = None, 0.5
    assert bn.config()["momentum"] is None and bn.config()["eps"] == 0.5
    assert repr(bn) == "BatchNorm(2, eps=0.5, momentum=None)"
    restored = load(save(bn, tmp_path / "bn.json"))
    assert isinstance(restored, BatchNorm) and restored.momentum is None and restored.eps == 0.5
