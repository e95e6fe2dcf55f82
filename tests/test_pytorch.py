"""tinygrad_edu.pytorch: the door to PyTorch, checked against PyTorch float64 itself.

Both ways, on random architectures, activations, weights and inputs: the outputs, the gradients of
the inputs and the gradients of every parameter agree to the last bit or within 1e-12 (relative
to values above 1); a round trip gives back the same numbers; what has no counterpart is a
TypeError naming it and its place. torch stays optional: importing the package never imports it,
and a missing torch is an ImportError saying how to install it (both checked in a subprocess,
without torch).
"""

from __future__ import annotations

import copy
import math
import random
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import requires_torch, torch

from tinygrad_edu import Value
from tinygrad_edu.nn import MLP, Dropout, Layer, Module, Neuron, Sequential
from tinygrad_edu.pytorch import TORCH_ACTIVATIONS, from_torch, to_torch

ROOT = Path(__file__).resolve().parents[1]
ACTIVATIONS = sorted([*TORCH_ACTIVATIONS, "linear", "prelu"])
TOLERANCE = 1e-12


def agree(a: float, b: float) -> bool:
    """Equal, or within 1e-12 (relative, for numbers above 1)."""
    return a == b or abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def assert_all_agree(ours: list[float], theirs: list[float], what: str) -> None:
    assert len(ours) == len(theirs), what
    bad = [(i, a, b) for i, (a, b) in enumerate(zip(ours, theirs)) if not agree(a, b)]
    assert not bad, f"{what}: (index, ours, torch) {bad[:5]}"


# ------------------------------------------------------------- reading both sides the same way


def dense(model: Module) -> list[list[Neuron]]:
    """The neurons of every dense layer, in the order the model applies them."""
    if isinstance(model, Neuron):
        return [[model]]
    if isinstance(model, Layer):
        return [model.neurons]
    if isinstance(model, (MLP, Sequential)):
        return [group for part in model.layers for group in dense(part)]
    return []


def in_torch_order(model: Module) -> list[Value]:
    """Our parameters in the order of ``to_torch(model).parameters()``: each layer's W row by row,
    its b, its PReLU slopes."""
    found: list[Value] = []
    for neurons in dense(model):
        found += [w for n in neurons for w in n.w]
        found += [n.b for n in neurons if n.b is not None]
        found += [n.a for n in neurons if n.activation == "prelu"]
    return found


def flat(xs: Any) -> list[float]:
    return [float(v) for v in (xs if isinstance(xs, list) else [xs])]


def ours_run(model: Module, batch: list[list[float]], weights: list[float]) -> tuple[list[float], ...]:
    """Outputs, ∂L/∂inputs and ∂L/∂parameters (torch's order) for L = Σ weights·outputs."""
    xs = [[Value(x) for x in row] for row in batch]
    outs = []
    for row in xs:
        out = model(row)
        outs += out if isinstance(out, list) else [out]
    model.zero_grad()
    loss = sum((c * o for c, o in zip(weights, outs)), Value(0.0))
    loss.backward()
    return (
        [o.data for o in outs],
        [x.grad for row in xs for x in row],
        [p.grad for p in in_torch_order(model)],
    )


def torch_run(module: Any, batch: list[list[float]], weights: list[float]) -> tuple[list[float], ...]:
    """The same, computed by PyTorch on a (batch, nin) float64 tensor."""
    x = torch.tensor(batch, dtype=torch.float64, requires_grad=True)
    y = module(x)
    module.zero_grad()
    (y * torch.tensor(weights, dtype=torch.float64).reshape(y.shape)).sum().backward()
    grads = [g for p in module.parameters() for g in (p.grad if p.grad is not None else 0 * p).flatten()]
    return y.flatten().tolist(), x.grad.flatten().tolist(), [float(g) for g in grads]


def assert_same_function(model: Module, module: Any, batch: list[list[float]], seed: int) -> None:
    nout = len(dense(model)[-1])
    weights = [random.Random(seed).uniform(-2.0, 2.0) for _ in range(len(batch) * nout)]
    ours, theirs = ours_run(model, batch, weights), torch_run(module, batch, weights)
    for what, a, b in zip(("outputs", "input gradients", "parameter gradients"), ours, theirs):
        assert_all_agree(a, b, what)


# ---------------------------------------------------------------------------- random models


@st.composite
def our_models(draw: st.DrawFn) -> tuple[Module, list[list[float]], int]:
    """A random Neuron, Layer, MLP or Sequential (eval mode), random weights, and a batch."""
    kind = draw(st.sampled_from(["neuron", "layer", "mlp", "sequential"]))
    nin = draw(st.integers(1, 4))
    activation = st.sampled_from(ACTIVATIONS)
    bias = draw(st.booleans())
    model: Module
    if kind == "neuron":
        model = Neuron(nin, draw(activation), bias=bias, seed=0)
    elif kind == "layer":
        model = Layer(nin, draw(st.integers(1, 4)), draw(activation), bias=bias, seed=0)
    elif kind == "mlp":
        nouts = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
        dropout = draw(st.sampled_from([0.0, 0.3]))
        model = MLP(nin, nouts, draw(activation), draw(activation), bias=bias, dropout=dropout, seed=0)
    else:
        parts: list[Module] = []
        width = nin
        for _ in range(draw(st.integers(1, 3))):
            nout = draw(st.integers(1, 4))
            parts.append(Layer(width, nout, draw(activation), bias=draw(st.booleans()), seed=0))
            if draw(st.booleans()):
                parts.append(Dropout(0.5))
            width = nout
        model = Sequential(Sequential(*parts[:2]), *parts[2:]) if draw(st.booleans()) else Sequential(*parts)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    for p in model.parameters():  # every parameter random: the biases (0) and slopes (0.25) too
        p.data = rng.uniform(-1.5, 1.5)
    row = st.lists(st.floats(-3.0, 3.0), min_size=nin, max_size=nin)
    return model.eval(), draw(st.lists(row, min_size=1, max_size=3)), seed


TORCH_ACTIVATION_MODULES: dict[str, Callable[[int], Any]] = {
    "none": lambda n: None,
    "Identity": lambda n: torch.nn.Identity(),
    "ReLU": lambda n: torch.nn.ReLU(),
    "Tanh": lambda n: torch.nn.Tanh(),
    "Sigmoid": lambda n: torch.nn.Sigmoid(),
    "LeakyReLU": lambda n: torch.nn.LeakyReLU(),
    "ELU": lambda n: torch.nn.ELU(),
    "Softplus": lambda n: torch.nn.Softplus(threshold=40.0),
    "Hardtanh": lambda n: torch.nn.Hardtanh(),
    "Softsign": lambda n: torch.nn.Softsign(),
    "PReLU": lambda n: torch.nn.PReLU(n),
}


@st.composite
def torch_models(draw: st.DrawFn) -> tuple[Any, list[list[float]], int]:
    """A random nn.Sequential of Linear layers, activations and Dropout (eval mode), float64 or
    float32, random weights, and a batch."""
    dtype = draw(st.sampled_from([torch.float64, torch.float32]))
    nin = draw(st.integers(1, 4))
    parts: list[Any] = []
    width = nin
    for _ in range(draw(st.integers(1, 3))):
        nout = draw(st.integers(1, 4))
        parts.append(torch.nn.Linear(width, nout, bias=draw(st.booleans()), dtype=dtype))
        activation = TORCH_ACTIVATION_MODULES[draw(st.sampled_from(sorted(TORCH_ACTIVATION_MODULES)))](nout)
        if activation is not None:
            parts.append(activation.to(dtype))
        if draw(st.booleans()):
            parts.append(torch.nn.Dropout(0.5))
        width = nout
    module = torch.nn.Sequential(*parts)
    seed = draw(st.integers(0, 2**32 - 1))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-1.5, 1.5, generator=generator)
    row = st.lists(st.floats(-3.0, 3.0), min_size=nin, max_size=nin)
    return module.eval(), draw(st.lists(row, min_size=1, max_size=3)), seed


# ------------------------------------------------------------------------------ both ways


@requires_torch
@given(our_models())
def test_to_torch_computes_the_same_outputs_and_gradients(
    case: tuple[Module, list[list[float]], int],
) -> None:
    model, batch, seed = case
    module = to_torch(model)
    assert all(p.dtype == torch.float64 for p in module.parameters())
    assert [float(x) for p in module.parameters() for x in p.detach().flatten().tolist()] == [
        p.data for p in in_torch_order(model)
    ]  # every weight copied exactly
    assert_same_function(model, module, batch, seed)


@requires_torch
@given(torch_models())
def test_from_torch_computes_the_same_outputs_and_gradients(case: tuple[Any, list[list[float]], int]) -> None:
    module, batch, seed = case
    model = from_torch(module)
    exact = [
        float(x) for p in module.parameters() for x in p.detach().flatten().tolist()
    ]  # float32 → float64 is exact
    assert [p.data for p in in_torch_order(model)] == exact
    assert_same_function(model, copy.deepcopy(module).double(), batch, seed)


@requires_torch
@given(our_models())
def test_a_round_trip_gives_back_the_same_parameters(case: tuple[Module, list[list[float]], int]) -> None:
    model, _, _ = case
    back = from_torch(to_torch(model))
    assert [p.data for p in in_torch_order(back)] == [p.data for p in in_torch_order(model)]
    shape = [[(n.nin, n.activation, n.b is None) for n in group] for group in dense(model)]
    assert [[(n.nin, n.activation, n.b is None) for n in group] for group in dense(back)] == shape
    if isinstance(model, MLP) and len(model.layers) > 1:
        assert isinstance(back, MLP) and back.config() == model.config()


@requires_torch
@given(torch_models())
def test_a_round_trip_from_torch_gives_back_the_same_tensors(
    case: tuple[Any, list[list[float]], int],
) -> None:
    module, _, _ = case
    back = to_torch(from_torch(module))
    ours, theirs = list(back.parameters()), list(module.parameters())
    assert len(ours) == len(theirs)
    assert all(torch.equal(a, b.double()) for a, b in zip(ours, theirs))


# ------------------------------------------------------------------- each activation, at its edges

EDGES = [-800.0, -40.0, -20.5, -1.0, -0.5, -1e-300, -0.0, 0.0, 1e-300, 0.5, 1.0, 1.5]
EDGES += [20.0, 20.5, 25.0, 33.0, 34.0, 39.9, 40.0, 41.0, 100.0, 709.0, 710.0, 800.0]


def identity_layer(activation: str) -> Layer:
    """θ(z) with z = 1.0·x, exactly x on both sides."""
    layer = Layer(1, 1, activation, bias=False, seed=0)
    layer.neurons[0].w[0].data = 1.0
    return layer


@requires_torch
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_each_activation_agrees_at_its_kinks_and_far_out(activation: str) -> None:
    """Both sides' θ(z) and θ'(z) at 0, ±1, ±1e-300, the softplus thresholds 20 and 40, ±800."""
    layer = identity_layer(activation)
    batch = [[z] for z in EDGES]
    assert_same_function(layer, to_torch(layer), batch, seed=1)
    module = torch.nn.Sequential(torch.nn.Linear(1, 1, bias=False, dtype=torch.float64))
    if activation != "linear":
        module.append(to_torch(layer)[1])
    with torch.no_grad():
        module[0].weight.fill_(1.0)
    assert_same_function(from_torch(module), module, batch, seed=2)


@requires_torch
def test_pytorchs_default_softplus_differs_by_at_most_e_to_the_minus_20() -> None:
    """nn.Softplus() returns z itself above 20; ours is ln(1 + eᶻ) there, e⁻ᶻ more, until 34, where
    ln(1 + eᶻ) rounds to z. from_torch reads it anyway, as the module's docstring says."""
    module = torch.nn.Sequential(torch.nn.Linear(1, 1, bias=False, dtype=torch.float64), torch.nn.Softplus())
    with torch.no_grad():
        module[0].weight.fill_(1.0)
    model = from_torch(module)
    assert model.neurons[0].activation == "softplus"
    for z in EDGES:
        ours, theirs = model([z]).data, module(torch.tensor([[z]], dtype=torch.float64)).item()
        if 20.0 < z < 34.0:
            assert 0.0 < ours - theirs <= math.exp(-20.0)
            assert abs((ours - theirs) - math.exp(-z)) <= math.ulp(z)  # e⁻ᶻ, rounded to z's last bit
        else:
            assert agree(ours, theirs), z


# ------------------------------------------------------------------- shapes, modes, dtypes


@requires_torch
def test_what_each_module_becomes() -> None:
    nn = torch.nn
    neuron = to_torch(Neuron(3, "tanh", seed=0))
    assert [type(m) for m in neuron] == [nn.Linear, nn.Tanh] and neuron[0].out_features == 1
    assert type(to_torch(Layer(3, 2, "linear", seed=0))) is nn.Linear
    assert to_torch(Layer(3, 2, "relu", bias=False, seed=0))[0].bias is None
    assert isinstance(to_torch(Dropout(0.25)), nn.Dropout) and to_torch(Dropout(0.25)).p == 0.25
    mlp = to_torch(MLP(2, [4, 4, 1], "prelu", "sigmoid", dropout=0.1, seed=0))
    kinds = [nn.Linear, nn.PReLU, nn.Dropout, nn.Linear, nn.PReLU, nn.Dropout, nn.Linear, nn.Sigmoid]
    assert [type(m) for m in mlp] == kinds
    assert mlp[1].num_parameters == 4
    assert type(to_torch(Sequential(Layer(2, 2, "linear", seed=0)))) is nn.Sequential
    assert type(to_torch(MLP(2, [3], seed=0))) is nn.Sequential
    # and back: one Linear is a Layer, an MLP's shape an MLP, anything else a Sequential
    assert isinstance(from_torch(nn.Linear(2, 3)), Layer)
    assert isinstance(from_torch(nn.Sequential(nn.Linear(2, 3), nn.ReLU())), Layer)
    assert isinstance(from_torch(nn.Dropout(0.3)), Dropout)
    assert isinstance(from_torch(nn.Sequential()), Sequential)
    assert from_torch(mlp).config() == MLP(2, [4, 4, 1], "prelu", "sigmoid", dropout=0.1).config()
    mixed = from_torch(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1)))
    assert isinstance(mixed, Sequential) and len(mixed.layers) == 3


@requires_torch
def test_train_and_eval_modes_cross_the_door_module_by_module() -> None:
    model = MLP(2, [3, 3, 1], dropout=0.5, seed=0)
    assert to_torch(model.train()).training and all(m.training for m in to_torch(model).modules())
    assert not any(m.training for m in to_torch(model.eval()).modules())
    model.dropout[1].train()  # a mixed model stays mixed
    module = to_torch(model)
    assert [m.training for m in module] == [False, False, False, False, False, True, False]
    back = from_torch(module)
    assert isinstance(back, MLP) and not back.training and [d.training for d in back.dropout] == [False, True]
    assert from_torch(module.train()).training and not from_torch(module.eval()).training


@requires_torch
def test_float32_and_float16_weights_convert_exactly() -> None:
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        linear = torch.nn.Linear(3, 2).to(dtype)
        layer = from_torch(linear)
        assert [
            w.data for n in layer.neurons for w in n.w
        ] == linear.weight.detach().double().flatten().tolist()


@requires_torch
def test_to_torch_leaves_pytorchs_random_generator_alone() -> None:
    state = torch.get_rng_state()
    to_torch(MLP(3, [8, 8, 1], seed=0))
    assert torch.equal(state, torch.get_rng_state())


@requires_torch
def test_the_moved_model_trains_like_ours() -> None:
    """One SGD step on each side from the same weights gives the same weights."""
    from tinygrad_edu.optim import SGD

    model = MLP(2, [3, 1], "tanh", seed=3)
    module = to_torch(model)
    batch = [[0.5, -1.0], [1.5, 2.0]]
    ours_run(model, batch, [1.0, -1.0])
    SGD(model.parameters(), lr=0.1).step()
    torch_run(module, batch, [1.0, -1.0])
    torch.optim.SGD(module.parameters(), lr=0.1).step()
    assert_all_agree(
        [p.data for p in in_torch_order(model)],
        [float(x) for p in module.parameters() for x in p.detach().flatten().tolist()],
        "after a step",
    )


# ------------------------------------------------------------------------ what is refused


class Conv1d(Module):
    """Stands in for a module class with no mapping."""

    def forward(self, x: Any) -> Any:
        return x


def swish(z: Value) -> Value:
    return z * z.sigmoid()


@requires_torch
@pytest.mark.parametrize(
    "model, message",
    [
        (Layer(2, 2, "step", seed=0), "the model has activation 'step', which has no PyTorch module"),
        (Neuron(2, "sign", seed=0), "activation 'sign'"),
        (MLP(2, [2, 1], "arctan", seed=0), "layers.0 has activation 'arctan'"),
        (
            Sequential(Layer(2, 2, "relu"), Layer(2, 1, swish)),
            "layers.1 has activation swish (a function of your own)",
        ),
        (Sequential(Layer(2, 2), Conv1d()), "layers.1 is a Conv1d, which has no PyTorch counterpart here"),
        (Conv1d(), "the model is a Conv1d"),
        (Sequential(Sequential(Layer(2, 2), Conv1d())), "layers.0.layers.1 is a Conv1d"),
        (Sequential(*[Layer(2, 2, seed=0)] * 2), "layers.1 is the same Layer as layers.0 (shared weights)"),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_to_torch_refuses_what_has_no_counterpart_naming_it(model: Module, message: str) -> None:
    with pytest.raises(TypeError, match=r"^to_torch: .*" + _escape(message)):
        to_torch(model)


@requires_torch
@pytest.mark.parametrize("bad", [3, None, "mlp", [Layer(2, 2)], Value(1.0)], ids=repr)
def test_to_torch_names_a_wrong_argument(bad: Any) -> None:
    with pytest.raises(TypeError, match=r"^to_torch: model must be a tinygrad_edu Module"):
        to_torch(bad)


def torch_refusals() -> list[tuple[Callable[[], Any], str]]:
    nn = torch.nn

    class MyLinear(nn.Linear):
        pass

    shared = nn.Linear(2, 2)
    return [
        (
            lambda: nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.LSTM(3, 3)),
            "module 2 (nn.LSTM) is not supported",
        ),
        (lambda: nn.Conv3d(1, 1, 2), "the module (nn.Conv3d) is not supported; supported: nn.Linear"),
        (
            lambda: nn.Sequential(nn.Linear(2, 3), nn.LayerNorm(3)),
            "module 1 (nn.LayerNorm) is not supported",
        ),
        (
            lambda: nn.Sequential(nn.Sequential(nn.Linear(2, 3), nn.MaxPool1d(2))),
            r"module 0.1 (nn.MaxPool1d)",
        ),
        (lambda: nn.Sequential(nn.ReLU(), nn.Linear(2, 3)), "module 0 (nn.ReLU) follows no nn.Linear"),
        (
            lambda: nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Tanh()),
            "module 2 (nn.Tanh) follows no nn.Linear",
        ),
        (
            lambda: nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2)),
            "has negative_slope=0.2, which ours lacks",
        ),
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.ELU(2.0)), "module 1 (nn.ELU) has alpha=2.0"),
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.Hardtanh(-2.0, 2.0)), "has min_val=-2.0, max_val=2.0"),
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.Softplus(beta=2.0)), "(nn.Softplus) has beta=2.0"),
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.Softplus(threshold=10.0)), "threshold=10.0"),
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.PReLU()), "has 1 slope(s) after a Linear of 3 outputs"),
        (
            lambda: nn.Sequential(shared, nn.ReLU(), shared),
            "module 2 (nn.Linear) is the same module as module 0",
        ),
        (
            lambda: MyLinear(2, 2),
            "the module (test_pytorch.torch_refusals.<locals>.MyLinear) is not supported",
        ),
        (lambda: nn.ModuleList([nn.Linear(2, 2)]), "the module (nn.ModuleList) is not supported"),
    ]


@requires_torch
@pytest.mark.parametrize("case", range(15))
def test_from_torch_refuses_what_it_cannot_read_naming_it(case: int) -> None:
    make, message = torch_refusals()[case]
    with pytest.raises(TypeError, match=r"^from_torch: .*" + _escape(message)):
        from_torch(make())


@requires_torch
@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors is a no-op")
def test_from_torch_names_layers_that_do_not_chain_and_wrong_arguments() -> None:
    nn = torch.nn
    with pytest.raises(
        ValueError, match=r"^from_torch: module 2 \(nn.Linear\) takes 4 inputs, but the layer"
    ):
        from_torch(nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.1), nn.Linear(4, 1)))
    with pytest.raises(ValueError, match=r"^from_torch: the module \(nn.Linear\) must have an input"):
        from_torch(nn.Linear(0, 2))
    for bad in (3, None, MLP(2, [1]), "linear"):
        with pytest.raises(TypeError, match=r"^from_torch: module must be a torch.nn.Module"):
            from_torch(bad)


def _escape(text: str) -> str:
    import re

    return re.escape(text)


# ------------------------------------------------------------------------- torch is optional


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60
    )


def test_importing_the_package_never_imports_torch() -> None:
    done = run_python(
        "import sys\n"
        "import tinygrad_edu, tinygrad_edu.nn, tinygrad_edu.pytorch\n"
        "from tinygrad_edu.pytorch import to_torch, from_torch\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    assert done.returncode == 0, done.stderr


def test_without_torch_both_functions_say_how_to_install_it() -> None:
    done = run_python(
        "import sys\n"
        "sys.modules['torch'] = None  # as if it were not installed: importing it raises ImportError\n"
        "from tinygrad_edu.nn import MLP\n"
        "from tinygrad_edu.pytorch import from_torch, to_torch\n"
        "for f, arg in ((to_torch, MLP(2, [1], seed=0)), (from_torch, None)):\n"
        "    try:\n"
        "        f(arg)\n"
        "    except ModuleNotFoundError as e:\n"
        "        assert e.name == 'torch'\n"
        "        print(e)\n"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    for line, name in zip(lines, ("to_torch", "from_torch")):
        assert line.startswith(f"{name}: PyTorch is needed")
        assert "pip install torch" in line and "torch==2.13.0" in line
