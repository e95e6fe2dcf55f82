"""tinygrad_edu.pytorch for BatchNorm, Conv1d, Conv2d and Flatten, checked against PyTorch float64.

Both ways: outputs, the gradients of the inputs and of every parameter agree within 1e-12 (relative
to values above 1); BatchNorm's running statistics agree after several training steps on both
sides; round trips keep parameters and buffers bit for bit; what has no counterpart is a TypeError
naming it and its place.
"""

from __future__ import annotations

import copy
import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import requires_torch, torch
from test_pytorch import assert_all_agree

from tinygrad_edu import Value
from tinygrad_edu.nn import BatchNorm, Conv1d, Conv2d, Flatten, Layer, Module, Sequential
from tinygrad_edu.pytorch import from_torch, to_torch

CONV_ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid", "elu", "softplus", "leaky_relu"]


def entries(x: Any) -> list[Any]:
    """Nested lists flat, in order (a sample channel by channel, row by row: PyTorch's order)."""
    return [y for v in x for y in entries(v)] if isinstance(x, (list, tuple)) else [x]


def in_torch_order(model: Module) -> list[Value]:
    """Our parameters in the order of ``to_torch(model).parameters()``."""
    if isinstance(model, Sequential):
        return [p for part in model.layers for p in in_torch_order(part)]
    if isinstance(model, Layer):
        ns = model.neurons
        return [w for n in ns for w in n.w] + [n.b for n in ns if n.b is not None]
    return model.parameters()  # a convolution's w then b; BatchNorm's γ then β


def torch_numbers(module: Any) -> list[float]:
    return [float(x) for p in module.parameters() for x in p.detach().flatten().tolist()]


def ours_run(model: Module, batch: list[Any], weights: list[float]) -> tuple[list[float], ...]:
    """Outputs, ∂L/∂inputs and ∂L/∂parameters (torch's order) for L = Σ weights·outputs."""
    xs = [_values(sample) for sample in batch]
    outs = entries(model(xs) if model.takes_batches() else [model(x) for x in xs])
    model.zero_grad()
    loss = sum((c * o for c, o in zip(weights, outs)), Value(0.0))
    loss.backward()
    return [o.data for o in outs], [x.grad for x in entries(xs)], [p.grad for p in in_torch_order(model)]


def _values(x: Any) -> Any:
    return [_values(v) for v in x] if isinstance(x, list) else Value(x)


def torch_run(module: Any, batch: list[Any], weights: list[float]) -> tuple[list[float], ...]:
    """The same, computed by PyTorch on the batch as one float64 tensor."""
    x = torch.tensor(batch, dtype=torch.float64, requires_grad=True)
    y = module(x)
    module.zero_grad()
    (y * torch.tensor(weights, dtype=torch.float64).reshape(y.shape)).sum().backward()
    grads = [g for p in module.parameters() for g in (p.grad if p.grad is not None else 0 * p).flatten()]
    return y.flatten().tolist(), x.grad.flatten().tolist(), [float(g) for g in grads]


def assert_same_step(model: Module, module: Any, batch: list[Any], seed: int) -> None:
    """One forward and backward pass on each side: outputs and gradients agree."""
    with torch.no_grad():  # on a copy: a pass in training mode moves the running statistics
        count = copy.deepcopy(module)(torch.tensor(batch, dtype=torch.float64)).numel()
    weights = [random.Random(seed).uniform(-2.0, 2.0) for _ in range(count)]
    ours, theirs = ours_run(model, batch, weights), torch_run(module, batch, weights)
    for what, a, b in zip(("outputs", "input gradients", "parameter gradients"), ours, theirs):
        assert_all_agree(a, b, what)


def randomise(model: Module, seed: int) -> Module:
    """Every parameter of ours uniform in [−1.5, 1.5] (the biases too, and γ, β)."""
    rng = random.Random(seed)
    for p in model.parameters():
        p.data = rng.uniform(-1.5, 1.5)
    return model


def randomise_torch(module: Any, seed: int) -> Any:
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-1.5, 1.5, generator=generator)
    return module


def assert_parameters_cross_exactly(model: Module, module: Any) -> None:
    assert torch_numbers(module) == [p.data for p in in_torch_order(model)]


# ------------------------------------------------------------------------------ convolutions


@st.composite
def conv_cases(draw: st.DrawFn) -> tuple[dict[str, Any], list[Any], int]:
    """The arguments of a random Conv1d or Conv2d (strides, paddings, channels, bias, activation)
    and a batch of one or two samples that fits it."""
    dims = draw(st.sampled_from([1, 2]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(dims))
    sizes = [draw(st.integers(max(1, k - 2 * p), max(1, k - 2 * p) + 3)) for k, p in zip(kernel, padding)]
    arguments = {
        "dims": dims,
        "in_channels": draw(st.integers(1, 3)),
        "out_channels": draw(st.integers(1, 3)),
        "kernel_size": kernel,
        "stride": tuple(draw(st.integers(1, 2)) for _ in range(dims)),
        "padding": padding,
        "bias": draw(st.booleans()),
        "activation": draw(st.sampled_from(CONV_ACTIVATIONS)),
    }
    number = st.floats(-3.0, 3.0)
    sample = st.lists(number, min_size=sizes[-1], max_size=sizes[-1])
    if dims == 2:
        sample = st.lists(sample, min_size=sizes[0], max_size=sizes[0])
    channels = st.lists(sample, min_size=arguments["in_channels"], max_size=arguments["in_channels"])
    return arguments, draw(st.lists(channels, min_size=1, max_size=2)), draw(st.integers(0, 2**32 - 1))


def our_conv(arguments: dict[str, Any]) -> Module:
    kind = Conv1d if arguments["dims"] == 1 else Conv2d
    rest = {k: v for k, v in arguments.items() if k not in ("dims", "activation")}
    return kind(**rest, activation=arguments["activation"], seed=0)


def torch_conv(arguments: dict[str, Any], dtype: Any) -> Any:
    kind = torch.nn.Conv1d if arguments["dims"] == 1 else torch.nn.Conv2d
    rest = {k: v for k, v in arguments.items() if k not in ("dims", "activation")}
    conv = kind(**rest, dtype=dtype)
    if arguments["activation"] == "linear":
        return conv
    activation = to_torch(Layer(1, 1, arguments["activation"])).pop(-1)  # the activation's module
    return torch.nn.Sequential(conv, activation)


@requires_torch
@settings(max_examples=40)
@given(conv_cases())
def test_convolutions_compute_the_same_outputs_and_gradients_both_ways(
    case: tuple[dict[str, Any], list[Any], int],
) -> None:
    arguments, batch, seed = case
    model = randomise(our_conv(arguments), seed)
    module = to_torch(model)
    assert_parameters_cross_exactly(model, module)
    assert_same_step(model, module, batch, seed)
    back = from_torch(module)  # and a round trip gives back the same, bit for bit
    assert back.config() == model.config()
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]

    dtype = torch.float32 if seed % 2 else torch.float64
    theirs = randomise_torch(torch_conv(arguments, dtype), seed)
    ours = from_torch(theirs)
    assert ours.config() == model.config()
    assert_parameters_cross_exactly(ours, theirs)  # float32 → float64 is exact
    assert_same_step(ours, copy.deepcopy(theirs).double(), batch, seed)
    again = to_torch(ours)
    assert all(torch.equal(a, b.double()) for a, b in zip(again.parameters(), theirs.parameters()))


@requires_torch
def test_a_convolution_network_agrees_both_ways() -> None:
    """Sequential(Conv1d, Flatten, Layer): PyTorch's Flatten(start_dim=1) orders the entries as ours."""
    model = Sequential(
        Conv1d(2, 3, 3, stride=2, padding=1, activation="tanh", seed=0),
        Flatten(),
        Layer(3 * 4, 2, "sigmoid", seed=1),
    )
    randomise(model, 1)
    module = to_torch(model)
    assert [type(m).__name__ for m in module] == ["Conv1d", "Tanh", "Flatten", "Linear", "Sigmoid"]
    rng = random.Random(2)
    batch = [[[rng.uniform(-2, 2) for _ in range(7)] for _ in range(2)] for _ in range(3)]
    assert_same_step(model, module, batch, seed=3)
    back = from_torch(module)
    assert repr(back) == repr(model)
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
    image = Sequential(
        Conv2d(1, 2, (2, 3), padding=(1, 0), activation="relu", seed=0), Flatten(), Layer(16, 1)
    )
    batch2 = [[[[rng.uniform(-2, 2) for _ in range(4)] for _ in range(3)]] for _ in range(2)]
    assert_same_step(randomise(image, 4), to_torch(image), batch2, seed=5)


@requires_torch
def test_torchs_padding_names_read_as_numbers() -> None:
    nn = torch.nn
    assert from_torch(nn.Conv1d(1, 1, 3, padding="same")).padding == (1,)
    assert from_torch(nn.Conv2d(1, 1, (3, 5), padding="same")).padding == (1, 2)
    assert from_torch(nn.Conv1d(1, 1, 2, padding="valid")).padding == (0,)


# ------------------------------------------------------------------------------ batch normalization

BATCH_NORMS = [
    {"momentum": 0.1, "affine": True, "track_running_stats": True},
    {"momentum": None, "affine": True, "track_running_stats": True},
    {"momentum": 0.5, "affine": False, "track_running_stats": True},
    {"momentum": 0.1, "affine": True, "track_running_stats": False},
    {"momentum": 1.0, "affine": False, "track_running_stats": False},
]


def batches(seed: int, width: int, sizes: list[int]) -> list[list[list[float]]]:
    rng = random.Random(seed)
    return [[[rng.uniform(-3.0, 3.0) for _ in range(width)] for _ in range(n)] for n in sizes]


def assert_same_buffers(norm: BatchNorm, module: Any) -> None:
    if norm.running_mean is None or norm.running_var is None:
        assert module.running_mean is None and module.running_var is None
        return
    assert_all_agree(norm.running_mean, module.running_mean.tolist(), "running_mean")
    assert_all_agree(norm.running_var, module.running_var.tolist(), "running_var")
    assert norm.num_batches_tracked == module.num_batches_tracked.item()


def train_then_evaluate(model: Module, module: Any, norm: BatchNorm, bn: Any, width: int, seed: int) -> None:
    """Three training steps on each side (different batch sizes), the running statistics compared
    after each, then a step in evaluation mode (with a batch of one when running statistics exist)."""
    model.train()
    module.train()
    for step, batch in enumerate(batches(seed, width, [2, 5, 3])):
        assert_same_step(model, module, batch, seed + step)
        assert_same_buffers(norm, bn)
    model.eval()
    module.eval()
    sizes = [1, 4] if norm.running_mean is not None else [3]
    for step, batch in enumerate(batches(seed + 1, width, sizes)):
        assert_same_step(model, module, batch, seed + 10 + step)
    assert_same_buffers(norm, bn)


@requires_torch
@pytest.mark.parametrize("settings_", BATCH_NORMS, ids=str)
def test_batch_norm_agrees_in_training_and_evaluation_both_ways(settings_: dict[str, Any]) -> None:
    norm = randomise(BatchNorm(3, eps=1e-3, **settings_), 0)
    assert isinstance(norm, BatchNorm)
    if norm.running_mean is not None:
        norm.running_mean, norm.running_var, norm.num_batches_tracked = [0.5, -1.0, 2.0], [0.3, 2.0, 1.5], 4
    module = to_torch(norm)
    assert type(module) is torch.nn.BatchNorm1d and module.momentum == norm.momentum and module.eps == 1e-3
    assert_parameters_cross_exactly(norm, module)
    assert [float(x) for b in module.buffers() for x in b.flatten().tolist()] == [
        v for _, v in norm.named_buffers()
    ]
    train_then_evaluate(norm, module, norm, module, 3, seed=1)

    theirs = torch.nn.BatchNorm1d(4, eps=1e-4, dtype=torch.float32, **settings_)
    randomise_torch(theirs, 2)
    if theirs.running_mean is not None:
        theirs.running_var.fill_(0.75)
        theirs.num_batches_tracked.fill_(9)
    ours = from_torch(theirs)
    assert isinstance(ours, BatchNorm) and ours.eps == theirs.eps and ours.momentum == theirs.momentum
    assert ours.config()["affine"] == settings_["affine"]
    assert ours.config()["track_running_stats"] == settings_["track_running_stats"]
    theirs = theirs.double()
    assert_parameters_cross_exactly(ours, theirs)
    train_then_evaluate(ours, theirs, ours, theirs, 4, seed=3)


@requires_torch
@pytest.mark.parametrize("momentum", [0.1, None])
def test_a_network_with_batch_norm_agrees_both_ways(momentum: Any) -> None:
    """Sequential(Layer, BatchNorm, Layer) takes a batch, as PyTorch's module does."""
    norm = BatchNorm(4, momentum=momentum)
    model = randomise(Sequential(Layer(3, 4, "tanh", seed=0), norm, Layer(4, 2, "linear", seed=1)), 5)
    module = to_torch(model)
    assert [type(m).__name__ for m in module] == ["Linear", "Tanh", "BatchNorm1d", "Linear"]
    train_then_evaluate(model, module, norm, module[2], 3, seed=6)
    # round trips keep parameters and buffers bit for bit (each side's, after its own training steps)
    back = from_torch(to_torch(model))
    assert repr(back) == repr(model) and not back.training
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
    assert back.named_buffers() == model.named_buffers()
    again = to_torch(from_torch(module))
    assert list(again.state_dict()) == list(module.state_dict())
    assert all(torch.equal(a, b) for a, b in zip(again.state_dict().values(), module.state_dict().values()))

    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 3, dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.BatchNorm1d(3, momentum=momentum, dtype=torch.float64),
        torch.nn.Linear(3, 1, dtype=torch.float64),
    )
    randomise_torch(theirs, 7)
    ours = from_torch(theirs)
    assert repr(ours) == repr(
        Sequential(Layer(2, 3, "relu"), BatchNorm(3, momentum=momentum), Layer(3, 1, "linear"))
    )
    assert isinstance(ours, Sequential) and isinstance(ours.layers[1], BatchNorm)
    train_then_evaluate(ours, theirs, ours.layers[1], theirs[2], 2, seed=8)


# ------------------------------------------------------------------------------ what is refused


def swish(z: Value) -> Value:
    return z * z.sigmoid()


@requires_torch
@pytest.mark.parametrize(
    "model, message",
    [
        (Conv1d(1, 2, 2, activation="step", seed=0), "the model has activation 'step', which has no PyTorch"),
        (
            Sequential(Conv2d(1, 1, 1, activation=swish)),
            "layers.0 has activation swish (a function of your own)",
        ),
        (Sequential(*[BatchNorm(2)] * 2), "layers.1 is the same BatchNorm as layers.0 (shared weights)"),
    ],
    ids=["step", "swish", "shared"],
)
def test_to_torch_refuses_what_has_no_counterpart_naming_it(model: Module, message: str) -> None:
    with pytest.raises(TypeError, match=r"^to_torch: .*" + re.escape(message)):
        to_torch(model)


def torch_refusals() -> list[tuple[Any, str]]:
    nn = torch.nn
    return [
        (nn.Conv1d(1, 1, 2, dilation=2), "the module (nn.Conv1d) has dilation=(2,), which ours lacks"),
        (nn.Conv2d(2, 2, 1, groups=2), "(nn.Conv2d) has groups=2, which ours lacks (ours: 1)"),
        (nn.Conv1d(1, 1, 3, padding=1, padding_mode="reflect"), "has padding_mode='reflect'"),
        (nn.Conv1d(1, 1, 2, padding="same"), "has padding='same' with an even kernel_size"),
        (nn.Sequential(nn.Conv1d(1, 2, 2), nn.PReLU()), "module 1 (nn.PReLU) follows a convolution"),
        (nn.Sequential(nn.Conv1d(1, 2, 2), nn.BatchNorm1d(2)), "module 1 (nn.BatchNorm1d) has no nn.Flatten"),
        (
            nn.Sequential(nn.Conv1d(1, 2, 2), nn.ReLU(), nn.Linear(3, 1)),
            "module 2 (nn.Linear) has no nn.Flatten",
        ),
        (nn.Flatten(0), "the module (nn.Flatten) has start_dim=0, end_dim=-1"),
        (nn.BatchNorm2d(3), "the module (nn.BatchNorm2d) is not supported"),
        (nn.BatchNorm1d(3, bias=False), "has a weight but no bias (bias=False), which ours lacks"),
        (nn.BatchNorm1d(3, eps=0.0), "(nn.BatchNorm1d) has eps=0.0, momentum=0.1; ours needs eps > 0"),
        (
            nn.Sequential(nn.BatchNorm1d(3), nn.ReLU()),
            "module 1 (nn.ReLU) follows no nn.Linear or convolution",
        ),
    ]


@requires_torch
@pytest.mark.parametrize("case", range(12))
def test_from_torch_refuses_what_it_cannot_read_naming_it(case: int) -> None:
    module, message = torch_refusals()[case]
    with pytest.raises(TypeError, match=r"^from_torch: .*" + re.escape(message)):
        from_torch(module)


@requires_torch
def test_from_torch_names_layers_that_do_not_chain() -> None:
    nn = torch.nn
    cases = [
        (nn.Sequential(nn.Conv1d(1, 2, 2), nn.Conv1d(3, 1, 2)), r"module 1 \(nn.Conv1d\) takes 3 channels"),
        (nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(4)), r"module 1 \(nn.BatchNorm1d\) takes 4 inputs"),
        (nn.Sequential(nn.Linear(2, 3), nn.Conv1d(1, 1, 1)), r"module 1 \(nn.Conv1d\) takes 1 channels"),
    ]
    for module, message in cases:
        with pytest.raises(ValueError, match=r"^from_torch: " + message):
            from_torch(module)
