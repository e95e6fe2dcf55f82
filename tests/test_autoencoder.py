"""The autoencoder (nn.Autoencoder) and greedy layer-wise pre-training (train.pretrain_layerwise).

The autoencoder is two existing layers, so its gradients are checked against the same two
layers in PyTorch (float64, weights copied); pre-training is checked for what it promises:
each layer's reconstruction error goes down, the model's hidden layers are the trained
encoders, each autoencoder learns the codes of the one below it, and bad input is refused.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import close, requires_torch, torch

from tinygrad_edu import checkpoint, losses
from tinygrad_edu.modes import no_grad
from tinygrad_edu.nn import MLP, Autoencoder, Layer
from tinygrad_edu.optim import SGD, Adam, StepLR
from tinygrad_edu.train import FitOptions, evaluate, fit, pretrain_layerwise

DATA = [[math.sin(1.7 * i + j) + 0.3 * j for j in range(4)] for i in range(12)]  # 12 samples of 4 numbers


def _autoencoder(activation: str = "sigmoid", decoder: str = "linear", seed: int = 0) -> Autoencoder:
    return Autoencoder(Layer(4, 3, activation, seed=seed), Layer(3, 4, decoder, seed=seed + 1))


# ------------------------------------------------------------------ the module


def test_an_autoencoder_is_its_two_layers() -> None:
    ae = _autoencoder()
    x = DATA[0]
    h = ae.encode(x)
    assert [v.data for v in h] == [v.data for v in ae.encoder(x)]  # type: ignore[union-attr]
    assert [v.data for v in ae(x)] == [v.data for v in ae.decoder(h)]  # type: ignore[union-attr]
    assert ae.parameters() == ae.encoder.parameters() + ae.decoder.parameters()
    assert (ae.nin, ae.nhidden) == (4, 3)
    assert ae.config() == {
        "encoder": {"nin": 4, "nout": 3, "activation": "sigmoid", "bias": True},
        "decoder": {"nin": 3, "nout": 4, "activation": "linear", "bias": True},
    }
    ae.config()["encoder"]["nin"] = 99  # a copy: the module's record is unchanged
    assert ae.config()["encoder"]["nin"] == 4
    assert repr(ae) == ("Autoencoder(Layer(4, 3, activation='sigmoid'), Layer(3, 4, activation='linear'))")


def test_codes_and_reconstructions_are_lists_even_of_one() -> None:
    """A layer of one neuron gives a lone Value; the autoencoder always gives lists."""
    narrow = Autoencoder(Layer(2, 1, "tanh", seed=0), Layer(1, 2, seed=1))
    assert len(narrow.encode([1.0, 2.0])) == 1 and len(narrow([1.0, 2.0])) == 2
    scalar = Autoencoder(Layer(1, 2, "tanh", seed=0), Layer(2, 1, seed=1))
    assert len(scalar([0.5])) == 1


def _torch_copy(layer: Layer) -> Any:
    lin = torch.nn.Linear(layer.nin, layer.nout).double()
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64))
        lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))  # type: ignore[union-attr]
    return lin


TORCH_ACTIVATIONS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "linear": "Identity"}


@requires_torch
@pytest.mark.parametrize(
    "activation, decoder", [("sigmoid", "linear"), ("tanh", "tanh"), ("relu", "sigmoid")]
)
def test_gradients_and_a_training_step_match_torch(activation: str, decoder: str) -> None:
    """The mean squared reconstruction error, every parameter's gradient, and the parameters after one
    step of fit (full batch, SGD) equal those of nn.Sequential(Linear, act, Linear, act) in float64."""
    ae = _autoencoder(activation, decoder, seed=3)
    layers = (ae.encoder, ae.decoder)
    acts = (activation, decoder)
    net = torch.nn.Sequential(
        *(
            m
            for layer, a in zip(layers, acts)
            for m in (_torch_copy(layer), getattr(torch.nn, TORCH_ACTIVATIONS[a])())
        )
    )
    X = torch.tensor(DATA, dtype=torch.float64)
    t_e = torch.nn.functional.mse_loss(net(X), X)
    t_e.backward()
    e = losses.mse([v for x in DATA for v in ae(x)], [v for x in DATA for v in x])
    e.backward()
    assert close(e.data, t_e.item())
    linears = [net[0], net[2]]
    for layer, lin in zip(layers, linears):
        for i, n in enumerate(layer.neurons):
            assert n.b is not None and close(n.b.grad, lin.bias.grad[i].item())
            for j, w in enumerate(n.w):
                assert close(w.grad, lin.weight.grad[i, j].item()), (i, j)
    # one step of fit on the same batch: θ ← θ − α·∇e, the same in both
    ae.zero_grad()
    history = fit(
        ae, DATA, DATA, loss="mse", epochs=1, options=FitOptions(lr=0.3, shuffle=False, verbose=False)
    )
    assert close(history.train_loss[0], t_e.item())
    with torch.no_grad():
        for p in net.parameters():
            p -= 0.3 * p.grad
    for layer, lin in zip(layers, linears):
        for i, n in enumerate(layer.neurons):
            assert n.b is not None and close(n.b.data, lin.bias[i].item())
            assert all(close(w.data, lin.weight[i, j].item()) for j, w in enumerate(n.w))


@given(x=st.lists(st.floats(-3, 3), min_size=4, max_size=4), seed=st.integers(0, 100))
def test_the_reconstruction_gradient_is_x_times_delta(x: list[float], seed: int) -> None:
    """∂e/∂wᵢⱼ = aⱼ·δᵢ in both layers (a the layer's input), as for any two-layer network."""
    ae = _autoencoder("tanh", "linear", seed=seed)
    h = ae.encode(x)
    e = losses.mse(ae(x), x)
    e.backward()
    for layer, inputs in ((ae.encoder, x), (ae.decoder, [v.data for v in h])):
        for n in layer.neurons:
            assert all(abs(w.grad - a * n.delta) <= 1e-12 * (1 + abs(w.grad)) for w, a in zip(n.w, inputs))


# ------------------------------------------------------------------ pre-training


def _adam(ae: Any) -> Adam:
    return Adam(ae.parameters(), lr=0.05)


def _pretrained(**kwargs: Any) -> Any:
    settings: dict[str, Any] = {"epochs": 40, "make_optimizer": _adam, "seed": 1}
    settings |= kwargs
    return pretrain_layerwise(4, [5, 3, 2], DATA, options=FitOptions(verbose=False), **settings)


def _codes(ae: Autoencoder, rows: list[list[float]]) -> list[list[float]]:
    with no_grad():
        return [[v.data for v in ae.encode(x)] for x in rows]


def test_pretraining_lowers_every_layers_reconstruction_error() -> None:
    """Full batch: the first epoch's loss is the error before any step. Each autoencoder ends far
    below it, and below the error of always answering the mean of its data."""
    result = _pretrained()
    assert len(result.autoencoders) == len(result.histories) == 2
    codes = DATA
    for ae, history in zip(result.autoencoders, result.histories):
        before = history.train_loss[0]
        after, _ = evaluate(ae, codes, codes, loss="mse")
        assert after == pytest.approx(history.train_loss[-1], rel=0.5)  # the loss it was trained on
        assert after < 0.5 * before, (before, after)
        means = [sum(col) / len(codes) for col in zip(*codes)]
        mean_error = sum((v - m) ** 2 for row in codes for v, m in zip(row, means)) / (
            len(codes) * len(means)
        )
        assert after < mean_error, (after, mean_error)
        codes = _codes(ae, codes)  # the next autoencoder's data


def test_the_models_hidden_layers_are_the_trained_encoders() -> None:
    result = _pretrained()
    model = result.model
    assert isinstance(model, MLP)
    assert model.config() == MLP(4, [5, 3, 2], "sigmoid").config()
    for k, ae in enumerate(result.autoencoders):
        assert ae.encoder is model.layers[k]
        assert [p.data for p in ae.encoder.parameters()] == [p.data for p in model.layers[k].parameters()]
        assert ae.decoder.config() == {
            "nin": ae.nhidden,
            "nout": ae.nin,
            "activation": "linear",
            "bias": True,
        }
    # the network started as MLP(..., seed=seed): its output layer is still that one's, as drawn
    start = MLP(4, [5, 3, 2], "sigmoid", seed=1)
    assert [p.data for p in model.layers[-1].parameters()] == [p.data for p in start.layers[-1].parameters()]
    for k in range(2):  # and its hidden layers moved away from it: they were trained
        assert [p.data for p in model.layers[k].parameters()] != [
            p.data for p in start.layers[k].parameters()
        ]


def test_each_autoencoder_learns_the_codes_of_the_one_below() -> None:
    """The second autoencoder, rebuilt as it started and trained by hand with fit on the first one's
    codes, ends with the same weights bit for bit; and the same seed gives the same model."""
    result = _pretrained(epochs=5, make_optimizer=None, batch_size=4)
    first, second = result.autoencoders
    again = _pretrained(epochs=5, make_optimizer=None, batch_size=4)
    assert [p.data for p in again.model.parameters()] == [p.data for p in result.model.parameters()]
    # the draws, in order: the model as MLP(..., seed=1) would be, the decoders, a seed for each fit
    gen = random.Random(1)
    start = MLP(4, [5, 3, 2], "sigmoid", rng=gen)
    Layer(5, 4, "linear", rng=gen)  # the first decoder
    by_hand = Autoencoder(start.layers[1], Layer(3, 5, "linear", rng=gen))
    seeds = [int(gen.random() * 2**31) for _ in range(2)]
    codes = _codes(first, DATA)
    fit(by_hand, codes, codes, epochs=5, batch_size=4, seed=seeds[1], options=FitOptions(verbose=False))
    assert [p.data for p in by_hand.parameters()] == [p.data for p in second.parameters()]


def test_fine_tuning_the_pretrained_model_trains_it_and_it_saves() -> None:
    result = _pretrained()
    model = result.model
    y = [i % 2 for i in range(len(DATA))]
    history = fit(model, DATA, y, loss="cross_entropy", epochs=3, options=FitOptions(lr=0.5, verbose=False))
    assert len(history.train_loss) == 3
    assert result.autoencoders[0].encoder is model.layers[0]  # fine-tuning moved the encoders too


def test_pretraining_with_input_noise_is_a_denoising_autoencoder() -> None:
    """FitOptions pass through to every autoencoder's fit: noisy inputs, clean targets."""
    result = pretrain_layerwise(
        4, [3, 1], DATA, epochs=3, seed=0, options=FitOptions(input_noise=0.1, verbose=False)
    )
    assert len(result.histories) == 1 and result.histories[0].epochs == 3


def test_the_result_saves_as_a_plain_mlp(tmp_path: Any) -> None:
    model = _pretrained(epochs=2).model
    checkpoint.save(model, tmp_path / "pre.json")
    loaded = checkpoint.load(tmp_path / "pre.json")
    assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]


# ------------------------------------------------------------------ bad input


def test_bad_autoencoders() -> None:
    enc = Layer(4, 3, seed=0)
    with pytest.raises(TypeError, match=r"^Autoencoder: encoder must be a Layer \(x -> h\), got MLP"):
        Autoencoder(MLP(4, [3]), Layer(3, 4))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^Autoencoder: decoder must be a Layer"):
        Autoencoder(enc, None)  # type: ignore[arg-type]
    with pytest.raises(
        ValueError, match=r"^Autoencoder: the decoder takes 2 inputs but the encoder gives 3 codes"
    ):
        Autoencoder(enc, Layer(2, 4))
    with pytest.raises(
        ValueError, match=r"^Autoencoder: the decoder gives 5 outputs but the encoder takes 4"
    ):
        Autoencoder(enc, Layer(3, 5))
    square = Layer(3, 3)
    with pytest.raises(ValueError, match=r"^Autoencoder: decoder must be a Layer other than the encoder"):
        Autoencoder(square, square)
    ae = Autoencoder(enc, Layer(3, 4))
    with pytest.raises(ValueError, match=r"^Autoencoder: x must be a sequence of 4 inputs, got list \[1.0\]"):
        ae([1.0])
    with pytest.raises(TypeError, match=r"^Autoencoder: x must be a sequence of 4 inputs, got str"):
        ae.encode("abcd")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^Autoencoder: x\[2\] must be a real number, got str"):
        ae([1.0, 2.0, "3", 4.0])


def _bad_optimizers(ae: Any) -> Any:
    return SGD(ae.parameters(), lr=0.1) if ae.nin == 4 else "adam"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"nin": 0}, ValueError, r"nin must be an integer in \[1, 1000000000\], got int 0"),
        ({"nouts": [2]}, ValueError, r"nouts must be a list of layer sizes: .*at least one hidden layer"),
        ({"nouts": 3}, TypeError, r"nouts must be a list of layer sizes"),
        ({"nouts": [3, 0]}, ValueError, r"nouts\[1\] must be an integer in \[1, "),
        (
            {"X": [[1.0, 2.0]]},
            ValueError,
            r"X\[0\] must be a list of 4 numbers \(nin\), got list \[1.0, 2.0\]",
        ),
        ({"X": [1.0]}, ValueError, r"X\[0\] must be a list of 4 numbers"),
        ({"X": [[1.0, 2.0, math.nan, 0.0]]}, ValueError, r"X\[0\]\[2\] must be a finite number"),
        ({"X": []}, ValueError, r"X must be a non-empty list of samples"),
        (
            {"activation": "swish"},
            ValueError,
            r"activation must be one of .*, or a function, got str 'swish'",
        ),
        ({"output_activation": 3}, TypeError, r"output_activation must be a name or a function"),
        ({"decoder_activation": "nope"}, ValueError, r"decoder_activation must be one of"),
        ({"init": "glorot"}, ValueError, r"init must be one of"),
        ({"epochs": 0}, ValueError, r"epochs must be an integer >= 1"),
        ({"batch_size": 1.5}, TypeError, r"batch_size must be an integer >= 1"),
        ({"seed": 1, "rng": random.Random(0)}, ValueError, r"seed must be None when rng= is given"),
        ({"make_optimizer": 3}, TypeError, r"make_optimizer must be None or a function"),
        (
            {"make_optimizer": _bad_optimizers, "nouts": [3, 2, 1]},
            TypeError,
            r"make_optimizer\(autoencoders\[1\]\) must be an optimizer",
        ),
        ({"options": {"lr": 0.1}}, TypeError, r"options must be None or a FitOptions"),
        ({"options": FitOptions(lr=-1.0)}, ValueError, r"lr must be a finite number > 0"),
        ({"options": FitOptions(rng=random.Random(0))}, ValueError, r"options.rng must be None"),
    ],
)
def test_bad_pretraining_arguments(kwargs: dict[str, Any], error: type, message: str) -> None:
    call: dict[str, Any] = {"nin": 4, "nouts": [3, 2], "X": DATA, "epochs": 1, "seed": 0}
    call |= kwargs
    nin, nouts, X = call.pop("nin"), call.pop("nouts"), call.pop("X")
    with pytest.raises(error, match="^pretrain_layerwise: " + message):
        pretrain_layerwise(nin, nouts, X, **call)


def test_a_scheduler_is_refused_and_nothing_trains_on_bad_input() -> None:
    ae_params = Layer(1, 1).parameters()
    scheduler = StepLR(SGD(ae_params, lr=0.1), step_size=1)
    with pytest.raises(ValueError, match=r"^pretrain_layerwise: options.scheduler must be None"):
        pretrain_layerwise(4, [3, 2], DATA, seed=0, options=FitOptions(scheduler=scheduler))
    built: list[tuple[Any, list[float]]] = []

    def recording(ae: Any) -> Any:  # every optimizer is built before the first autoencoder trains
        built.append((ae, [p.data for p in ae.parameters()]))
        return SGD(ae.parameters(), lr=0.1) if len(built) == 1 else None

    with pytest.raises(TypeError, match=r"make_optimizer\(autoencoders\[1\]\) must be an optimizer"):
        pretrain_layerwise(4, [3, 2, 1], DATA, seed=0, make_optimizer=recording)
    assert len(built) == 2
    assert all([p.data for p in ae.parameters()] == start for ae, start in built)  # nothing trained
