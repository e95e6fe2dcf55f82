"""tinygrad_edu.checkpoint: save/load round trips, load_parameters, the file format, atomic writes,
and a clear error for every corrupt file and every model that can't be saved.

References: the saved model itself (a loaded model must give back every parameter bit for bit and
the same outputs), a checkpoint written by hand in the test (format stability) evaluated with
``math``, and the JSON text read back with the standard ``json`` module.
"""

from __future__ import annotations

import copy
import json
import math
import os
import pickle
import random
import re
import struct
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tinygrad_edu import Value
from tinygrad_edu.checkpoint import (
    FORMAT,
    MAX_DEPTH,
    VERSION,
    CheckpointError,
    architecture,
    load,
    load_parameters,
    save,
)
from tinygrad_edu.nn import ACTIVATIONS, MLP, Dropout, Layer, Module, Neuron, Sequential

ACTIVATION_NAMES = sorted([*ACTIVATIONS, "prelu"])
SPECIAL_FLOATS = [
    0.0,
    -0.0,
    5e-324,  # the smallest subnormal
    -2.5e-320,
    2.2250738585072014e-308,  # the smallest normal
    1.7976931348623157e308,  # the largest float
    -1.7976931348623157e308,
    0.1,
    1 / 3,
    math.pi,
    -123456789.123456789,
    math.inf,
    -math.inf,
    math.nan,
    math.copysign(math.nan, -1.0),
]


# ------------------------------------------------------------------ helpers
def bits(x: float) -> bytes:
    return struct.pack(">d", x)


def same_float(a: float, b: float) -> bool:
    """Bit for bit, except that a nan only has to keep its sign (its payload is not stored)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b) and math.copysign(1.0, a) == math.copysign(1.0, b)
    return type(b) is float and bits(a) == bits(b)


def same_output(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or bits(a) == bits(b)


def assert_same_parameters(original: Module, loaded: Module) -> None:
    ours, theirs = original.named_parameters(), loaded.named_parameters()
    assert [n for n, _ in ours] == [n for n, _ in theirs], "names or their order differ"
    for (name, a), (_, b) in zip(ours, theirs):
        assert same_float(a.data, b.data), f"{name}: saved {a.data!r}, loaded {b.data!r}"


def outputs(model: Module, x: list[float]) -> list[float]:
    """The model's outputs as floats (a Dropout or an empty Sequential in eval mode returns x itself)."""
    out = model(x)
    return [v.data if isinstance(v, Value) else v for v in (out if isinstance(out, list) else [out])]


def assert_same_outputs(original: Module, loaded: Module, nin: int, seed: int = 0, trials: int = 5) -> None:
    """Equal outputs (bit for bit; nan matches nan) on random inputs, in eval mode (dropout is random)."""
    modes = original.training, loaded.training
    original.eval(), loaded.eval()
    rng = random.Random(seed)
    for _ in range(trials):
        x = [rng.uniform(-3.0, 3.0) for _ in range(nin)]
        a, b = outputs(original, x), outputs(loaded, x)
        assert len(a) == len(b) and all(map(same_output, a, b)), f"x={x}: {a} != {b}"
    original.train(modes[0]), loaded.train(modes[1])


def round_trip(model: Module, path: Path) -> Module:
    assert save(model, path) == path
    loaded = load(path)
    assert type(loaded) is type(model) and repr(loaded) == repr(model)
    assert architecture(loaded) == architecture(model)
    assert_same_parameters(model, loaded)
    assert [m.training for m in loaded.modules()] == [m.training for m in model.modules()]
    return loaded


def set_parameters(model: Module, values: list[float]) -> None:
    for p, v in zip(model.parameters(), values):
        p.data = v


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_round_trip_every_activation(activation: str, tmp_path: Path) -> None:
    """Every named activation, hidden and output, including prelu's learned slopes."""
    model = MLP(3, [4, 2], activation, output_activation=activation, seed=1)
    for p in model.parameters():  # move prelu slopes and biases off their initial values
        p.data += random.Random(p.data).uniform(-0.5, 0.5)
    loaded = round_trip(model, tmp_path / "model.json")
    assert_same_outputs(model, loaded, 3)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dropout", [0.0, 0.25])
def test_round_trip_bias_and_dropout(bias: bool, dropout: float, tmp_path: Path) -> None:
    model = MLP(3, [5, 4, 1], "tanh", bias=bias, dropout=dropout, seed=2)
    loaded = round_trip(model, tmp_path / "model.json")
    assert isinstance(loaded, MLP)
    assert [d.p for d in loaded.dropout] == [dropout] * (2 if dropout else 0)
    assert all(n.b is None for layer in loaded.layers for n in layer.neurons) == (not bias)
    assert_same_outputs(model, loaded, 3)


@pytest.mark.parametrize(
    "make, nin",
    [
        (lambda: Neuron(3, "tanh", seed=3), 3),
        (lambda: Neuron(2, "prelu", bias=False, seed=3), 2),
        (lambda: Layer(3, 2, "sigmoid", seed=3), 3),
        (lambda: Layer(2, 1, "elu", bias=False, seed=3), 2),
        (lambda: MLP(2, [1], seed=3), 2),
        (lambda: Dropout(0.5), 3),
        (lambda: Sequential(), 2),
        (
            lambda: Sequential(
                Layer(3, 4, "relu", seed=4),
                Dropout(0.2),
                MLP(4, [3, 2], "elu", "softsign", dropout=0.1, seed=5),
                Sequential(Layer(2, 2, "prelu", seed=6), Layer(2, 1, "softplus", bias=False, seed=7)),
            ),
            3,
        ),
    ],
    ids=["neuron", "neuron-prelu-nobias", "layer", "layer-1", "mlp-1", "dropout", "empty-seq", "nested-seq"],
)
def test_round_trip_other_modules(make: Callable[[], Module], nin: int, tmp_path: Path) -> None:
    model = make()
    loaded = round_trip(model, tmp_path / "model.json")
    assert_same_outputs(model, loaded, nin)


@pytest.mark.parametrize("training", [True, False])
def test_round_trip_keeps_the_mode(training: bool, tmp_path: Path) -> None:
    model = Sequential(MLP(2, [3, 3], dropout=0.5, seed=0), Dropout(0.3)).train(training)
    loaded = round_trip(model, tmp_path / "model.json")
    assert loaded.training is training
    assert all(m.training is training for m in loaded.modules())


def test_parameters_of_any_real_type_are_saved_as_floats(tmp_path: Path) -> None:
    """A parameter's data set by hand to a Fraction, a Decimal, a numpy scalar or a bool is a number."""
    model = Layer(3, 2, "tanh", seed=0)
    values = [
        Fraction(1, 3),
        Decimal("0.25"),
        np.float32(0.5),
        np.int64(-2),
        True,
        np.longdouble(1.5),
        0.0,
        -1.0,
    ]
    set_parameters(model, values)  # type: ignore[arg-type]
    loaded = load(save(model, tmp_path / "model.json"))
    assert [p.data for p in loaded.parameters()] == [1 / 3, 0.25, 0.5, -2.0, 1.0, 1.5, 0.0, -1.0]
    assert all(type(p.data) is float for p in loaded.parameters())


def test_round_trip_special_floats(tmp_path: Path) -> None:
    """-0.0, subnormals, the extremes, nan with either sign and ±inf come back bit for bit."""
    model = Layer(4, 3, "prelu", seed=0)  # 3 · (4 + b + a) = 18 parameters
    values = [*SPECIAL_FLOATS, 2.0**-1074 * 3, -1e-310, 7e300]
    assert len(values) == len(model.parameters())
    set_parameters(model, values)
    path = tmp_path / "model.json"
    loaded = round_trip(model, path)
    assert_same_outputs(model, loaded, 4)
    stored = json.loads(path.read_text())["parameters"]
    assert stored["neurons.2.w.1"] == "nan" and stored["neurons.2.w.2"] == "-nan"
    assert stored["neurons.2.w.0"] == "-inf" and stored["neurons.1.a"] == "inf"
    assert stored["neurons.0.w.2"] == 5e-324 and str(stored["neurons.0.w.1"]) == "-0.0"


@st.composite
def models(draw: st.DrawFn) -> tuple[Module, int]:
    """A random module and its input count; Sequential chains fit, so the model can be run."""
    nin = draw(st.integers(1, 4))
    act, flag = st.sampled_from(ACTIVATION_NAMES), st.booleans()
    prob = st.floats(0.0, 1.0)
    seed = draw(st.integers(0, 2**32))

    def module(size: int, is_list: bool, depth: int) -> tuple[Module, int, bool]:
        kinds = ["Layer", "MLP", "Dropout"] + (["Neuron"] if is_list else []) + (["Sequential"] * (depth < 2))
        kind = draw(st.sampled_from(kinds))
        if kind == "Neuron":
            return Neuron(size, draw(act), bias=draw(flag), seed=seed), 1, False
        if kind == "Layer":
            nout = draw(st.integers(1, 3))
            return Layer(size, nout, draw(act), bias=draw(flag), seed=seed), nout, nout > 1
        if kind == "MLP":
            nouts = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
            drop = draw(prob) if draw(flag) else 0.0
            m = MLP(size, nouts, draw(act), draw(act), bias=draw(flag), dropout=drop, seed=seed)
            return m, nouts[-1], nouts[-1] > 1
        if kind == "Dropout":
            return Dropout(draw(prob)), size, is_list
        items = []
        for _ in range(draw(st.integers(0, 3))):
            item, size, is_list = module(size, is_list, depth + 1)
            items.append(item)
        return Sequential(*items), size, is_list

    model, _, _ = module(nin, True, 0)
    n = len(model.parameters())
    set_parameters(model, draw(st.lists(st.floats(), min_size=n, max_size=n)))
    model.train(draw(st.booleans()))
    return model, nin


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A fresh directory per hypothesis test, shared by its examples (hypothesis refuses tmp_path)."""
    return lambda name: tmp_path_factory.mktemp(name)


@given(models(), st.integers(0, 1000))
def test_round_trip_random_models(
    scratch: Callable[[str], Path], model_and_nin: tuple[Module, int], seed: int
) -> None:
    """Random architectures and parameter values (any float: nan, inf, subnormals)."""
    model, nin = model_and_nin
    directory = scratch("round_trip")
    loaded = round_trip(model, directory / "model.json")
    assert_same_outputs(model, loaded, nin, seed=seed, trials=2)
    assert os.listdir(directory) == ["model.json"]


@given(models())
def test_load_parameters_random_models(
    scratch: Callable[[str], Path], model_and_nin: tuple[Module, int]
) -> None:
    """load_parameters into a twin built from the architecture restores every parameter."""
    model, _ = model_and_nin
    path = save(model, scratch("load_parameters") / "model.json")
    twin = load(path)
    for p in twin.parameters():
        p.data = 0.5
    load_parameters(twin, path)
    assert_same_parameters(model, twin)


def test_golden_file(tmp_path: Path) -> None:
    """A version-1 checkpoint written by hand loads, and computes what the math says."""
    text = """{
      "format": "tinygrad_edu.checkpoint",
      "version": 1,
      "training": false,
      "architecture": {"type": "MLP", "nin": 2, "nouts": [2, 1], "activation": "tanh",
                       "output_activation": "sigmoid", "bias": true, "dropout": 0.5},
      "parameters": {
        "layers.0.neurons.0.w.0": 0.5, "layers.0.neurons.0.w.1": -1.25, "layers.0.neurons.0.b": 0.125,
        "layers.0.neurons.1.w.0": 2, "layers.0.neurons.1.w.1": 0.75, "layers.0.neurons.1.b": -0.5,
        "layers.1.neurons.0.w.0": -1.5, "layers.1.neurons.0.w.1": 0.25, "layers.1.neurons.0.b": 1e-3
      }
    }"""
    path = tmp_path / "golden.json"
    path.write_text(text)
    model = load(str(path))
    assert isinstance(model, MLP) and not model.training and [d.p for d in model.dropout] == [0.5]
    assert model.layers[0].neurons[1].w[0].data == 2.0 and type(model.layers[0].neurons[1].w[0].data) is float
    for x0, x1 in [(0.3, -0.7), (-2.0, 1.5), (0.0, 0.0)]:
        h0 = math.tanh(0.5 * x0 - 1.25 * x1 + 0.125)
        h1 = math.tanh(2.0 * x0 + 0.75 * x1 - 0.5)
        y = 1.0 / (1.0 + math.exp(-(-1.5 * h0 + 0.25 * h1 + 1e-3)))
        assert math.isclose(model([x0, x1]).data, y, rel_tol=1e-14)


# ------------------------------------------------------------------ the file
def test_file_is_readable_json(tmp_path: Path) -> None:
    model = MLP(2, [3, 1], "tanh", seed=0)
    model.eval()
    model.layers[1].neurons[0].b.data = math.inf  # type: ignore[union-attr]
    path = save(model, tmp_path / "model.json")
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)  # strict JSON: the standard parser reads it
    assert list(doc) == ["format", "version", "training", "architecture", "parameters", "buffers"]
    assert doc["format"] == FORMAT == "tinygrad_edu.checkpoint" and doc["version"] == VERSION == 2
    assert doc["buffers"] == {}  # an MLP has none (BatchNorm's running statistics are buffers)
    assert doc["training"] is False
    assert doc["architecture"] == {
        "type": "MLP",
        "nin": 2,
        "nouts": [3, 1],
        "activation": "tanh",
        "output_activation": "linear",
        "bias": True,
        "dropout": 0.0,
    }
    names = [n for n, _ in model.named_parameters()]
    assert list(doc["parameters"]) == names and len(names) == 3 * 3 + 4
    for name, p in model.named_parameters():
        assert f'    "{name}": ' in text  # one parameter per line, indented
        assert doc["parameters"][name] == (p.data if math.isfinite(p.data) else "inf")
    assert text.startswith('{\n  "format": "tinygrad_edu.checkpoint",\n  "version": 2,')
    assert text.endswith("}\n") and "NaN" not in text and "Infinity" not in text
    assert save(model, tmp_path / "again.json").read_text() == text  # stable: same model, same bytes


def test_architecture_of_each_module() -> None:
    assert architecture(Neuron(3, "prelu", bias=False)) == {
        "type": "Neuron",
        "nin": 3,
        "activation": "prelu",
        "bias": False,
    }
    assert architecture(Neuron(2, nonlin=False)) == {
        "type": "Neuron",
        "nin": 2,
        "activation": "linear",
        "bias": True,
    }
    assert architecture(Sequential(Dropout(0.25))) == {
        "type": "Sequential",
        "layers": [{"type": "Dropout", "p": 0.25}],
    }
    # a one-layer MLP has no hidden layer: its hidden activation and dropout are unused
    one = architecture(MLP(2, [1], activation="tanh", dropout=0.5))
    assert one["activation"] == "tanh" and one["dropout"] == 0.0  # kept though no layer uses it


def test_paths_and_return_value(tmp_path: Path) -> None:
    class Custom(os.PathLike):  # type: ignore[type-arg]
        def __fspath__(self) -> str:
            return str(tmp_path / "custom.json")

    model = Neuron(2, seed=0)
    assert save(model, str(tmp_path / "s.json")) == tmp_path / "s.json"
    assert save(model, Custom()) == tmp_path / "custom.json"
    assert_same_parameters(model, load(Custom()))
    with pytest.raises(TypeError, match=r"save: path must be a str or os.PathLike of str, got int 3"):
        save(model, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"load: path must be .* got bytes"):
        load(b"model.json")  # type: ignore[arg-type]


def test_loading_draws_no_random_numbers(tmp_path: Path) -> None:
    path = save(MLP(3, [4, 4, 2], dropout=0.5, seed=0), tmp_path / "model.json")
    state = random.getstate()
    load(path)
    assert random.getstate() == state


# ------------------------------------------------------------------ load_parameters
def test_load_parameters_restores_outputs(tmp_path: Path) -> None:
    model = MLP(3, [6, 4, 2], "prelu", "sigmoid", dropout=0.3, seed=0)
    for p in model.parameters():
        p.data *= 1.5
    path = save(model, tmp_path / "model.json")
    fresh = MLP(3, [6, 4, 2], "prelu", "sigmoid", dropout=0.3, seed=99).eval()
    fresh.parameters()[0].grad = 7.0
    load_parameters(fresh, path)
    assert_same_parameters(model, fresh)
    assert_same_outputs(model, fresh, 3)
    assert not fresh.training and fresh.parameters()[0].grad == 7.0  # mode and gradients untouched


@pytest.mark.parametrize(
    "saved, model, message",
    [
        (
            MLP(2, [16, 16, 1]),
            MLP(2, [8, 1]),
            r"architecture\.nouts \(layer sizes\) is \[8, 1\] in the model but \[16, 16, 1\] in the file",
        ),
        (
            MLP(2, [4, 1]),
            MLP(3, [4, 1]),
            r"architecture\.nin \(input count\) is 3 in the model but 2 in the file",
        ),
        (
            MLP(2, [4, 1]),
            MLP(2, [4, 1], "tanh"),
            r"architecture\.activation is 'tanh' in the model but 'relu'",
        ),
        (MLP(2, [4, 1]), MLP(2, [4, 1], bias=False), r"architecture\.bias is False in the model but True"),
        (
            MLP(2, [4, 1], dropout=0.5),
            MLP(2, [4, 1]),
            r"architecture\.dropout \(dropout p\) is 0\.0 .* but 0\.5",
        ),
        (Layer(2, 3), MLP(2, [3]), r"architecture is a MLP in the model but a Layer in the file"),
        (
            Sequential(Layer(2, 2), Dropout()),
            Sequential(Layer(2, 2)),
            r"architecture\.layers has 1 modules in the model but 2 in the file",
        ),
        (
            Sequential(Layer(2, 2), Neuron(2, "elu")),
            Sequential(Layer(2, 2), Neuron(2, "relu")),
            r"architecture\.layers\[1\]\.activation is 'relu' in the model but 'elu' in the file",
        ),
    ],
)
def test_load_parameters_mismatch(saved: Module, model: Module, message: str, tmp_path: Path) -> None:
    path = save(saved, tmp_path / "model.json")
    before = [p.data for p in model.parameters()]
    with pytest.raises(CheckpointError, match=r"load_parameters: the model does not match the checkpoint .*"):
        load_parameters(model, path)
    with pytest.raises(CheckpointError, match=message):
        load_parameters(model, path)
    assert [p.data for p in model.parameters()] == before


def test_load_parameters_bad_file_leaves_model_untouched(tmp_path: Path) -> None:
    model = MLP(2, [3, 1], seed=0)
    path = save(model, tmp_path / "model.json")
    doc = json.loads(path.read_text())
    doc["parameters"]["layers.1.neurons.0.b"] = "oops"  # the last parameter: all others are fine
    path.write_text(json.dumps(doc))
    target = MLP(2, [3, 1], seed=1)
    before = [p.data for p in target.parameters()]
    with pytest.raises(CheckpointError, match=r"'layers\.1\.neurons\.0\.b' that is the string 'oops'"):
        load_parameters(target, path)
    assert [p.data for p in target.parameters()] == before


def test_load_parameters_refuses_an_unsaveable_model(tmp_path: Path) -> None:
    path = save(MLP(2, [3, 1]), tmp_path / "model.json")
    with pytest.raises(
        TypeError, match=r"load_parameters: neuron layers\.0\.neurons\.0 uses a custom activation"
    ):
        load_parameters(MLP(2, [3, 1], activation=lambda z: z.relu()), path)


# ------------------------------------------------------------------ atomic writes
@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, bytes]:
    """A good checkpoint at model.json, alone in its directory."""
    path = save(Layer(2, 2, seed=0), tmp_path / "model.json")
    return path, path.read_bytes()


def fail(*args: Any, **kwargs: Any) -> Any:
    raise OSError(28, "No space left on device (simulated)")


@pytest.mark.parametrize("where", ["json.dumps", "os.fsync", "os.replace", "os.chmod"])
def test_failed_save_keeps_the_previous_file(
    where: str, previous: tuple[Path, bytes], monkeypatch: Any
) -> None:
    """A crash before, during or after writing the temporary file never touches model.json."""
    path, old = previous
    module, name = where.split(".")
    seen: list[str] = []

    def crash(*args: Any, **kwargs: Any) -> Any:
        seen.extend(os.listdir(path.parent))  # the half-done state, just before the crash
        fail()

    monkeypatch.setattr(json if module == "json" else os, name, crash)
    with pytest.raises(OSError, match="simulated"):
        save(MLP(2, [8, 8, 1], seed=1), path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert os.listdir(path.parent) == ["model.json"]  # the temporary file was removed
    if module == "os":  # the new bytes went to a temporary file beside the target, not to the target
        (tmp,) = set(seen) - {"model.json"}
        assert tmp.startswith(".model.json.") and tmp.endswith(".tmp")


def test_killed_process_keeps_the_previous_file(previous: tuple[Path, bytes]) -> None:
    """A real crash (os._exit just before the rename): the old file survives, whole."""
    path, old = previous
    script = (
        "import os, sys\n"
        "from tinygrad_edu.checkpoint import save\n"
        "from tinygrad_edu.nn import MLP\n"
        "os.replace = lambda *a: os._exit(3)\n"
        "save(MLP(2, [8, 1], seed=0), sys.argv[1])\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, timeout=60)
    assert result.returncode == 3, result.stderr
    assert path.read_bytes() == old
    leftovers = [n for n in os.listdir(path.parent) if n != "model.json"]
    # documented: a killed process can't clean up its temporary file
    assert len(leftovers) == 1 and leftovers[0].startswith(".model.json.")
    json.loads((path.parent / leftovers[0]).read_text())  # it is the complete new checkpoint, fsynced


def test_unsaveable_model_writes_nothing(previous: tuple[Path, bytes]) -> None:
    path, old = previous
    with pytest.raises(TypeError):
        save(Neuron(2, activation=math.sin), path)  # type: ignore[arg-type]
    assert path.read_bytes() == old and os.listdir(path.parent) == ["model.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and symlinks")
def test_replacing_keeps_permissions_and_follows_symlinks(previous: tuple[Path, bytes]) -> None:
    path, _ = previous
    path.chmod(0o600)
    link = path.parent / "latest.json"
    link.symlink_to(path.name)
    save(Neuron(3, seed=0), link)
    assert link.is_symlink() and (path.stat().st_mode & 0o777) == 0o600
    assert architecture(load(path)) == architecture(Neuron(3))


def test_save_into_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"save: directory .*nowhere.* does not exist"):
        save(Neuron(2), tmp_path / "nowhere" / "model.json")


def test_save_onto_a_directory_names_save(tmp_path: Path) -> None:
    (tmp_path / "model.json").mkdir()
    with pytest.raises(IsADirectoryError, match=r"save: the path is a directory, not a file"):
        save(Neuron(2), tmp_path / "model.json")
    assert list(tmp_path.iterdir()) == [tmp_path / "model.json"]  # no temporary file left behind


# ------------------------------------------------------------------ corrupt files
@pytest.fixture
def good(tmp_path: Path) -> Path:
    return save(MLP(2, [2, 1], seed=0), tmp_path / "model.json")


def edit(path: Path, change: Callable[[dict[str, Any]], Any]) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc, indent=2))


def set_arch(**fields: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda doc: doc["architecture"].update(fields)


CORRUPT_TEXT: list[tuple[str, Callable[[str], bytes], str]] = [
    ("truncated", lambda t: t[: len(t) // 2].encode(), r"is truncated: the JSON ends early"),
    ("truncated-in-string", lambda t: t[: t.index('"layers.1') + 4].encode(), r"is truncated"),
    ("empty", lambda t: b"", r"is empty, not a checkpoint"),
    ("whitespace", lambda t: b"  \n\n", r"holds only whitespace"),
    ("garbage-bytes", lambda t: bytes(range(256)) * 4, r"is corrupt: byte 0x80 at offset 128 is not UTF-8"),
    (
        "garbage-text",
        lambda t: b"PK\x03\x04 not json at all",
        r"is corrupt: not valid JSON \(Expecting value",
    ),
    ("trailing-garbage", lambda t: (t + "}").encode(), r"is corrupt: not valid JSON \(Extra data"),
    ("list", lambda t: b"[1, 2, 3]", r"is JSON but not a checkpoint: it holds a list, not an object"),
    ("nan-literal", lambda t: t.replace("0.0", "NaN", 1).encode(), r"is not strict JSON: it contains NaN"),
    (  # the first 0.0 in the file is the architecture's dropout
        "overflow",
        lambda t: t.replace("0.0", "1e400", 1).encode(),
        r"has architecture\.dropout that should be a probability in \[0, 1\], got 1e400$",
    ),
    (
        "deep-json",
        lambda t: ("[" * 100_000 + "]" * 100_000).encode(),
        r"is not a checkpoint: its JSON is nested too deeply",
    ),
    ("duplicate-key", lambda t: t.replace('"version": 2,', '"version": 2, "version": 2,').encode(), "twice"),
]


@pytest.mark.parametrize("name, corrupt, message", CORRUPT_TEXT, ids=[c[0] for c in CORRUPT_TEXT])
def test_corrupt_text(name: str, corrupt: Callable[[str], bytes], message: str, good: Path) -> None:
    good.write_bytes(corrupt(good.read_text()))
    for op in (load, lambda p: load_parameters(MLP(2, [2, 1]), p)):
        with pytest.raises(CheckpointError, match=message) as info:
            op(good)
        assert isinstance(info.value, ValueError) and info.value.path == good
        assert str(good) in str(info.value)


def drop_parameter(doc: dict[str, Any]) -> None:
    del doc["parameters"]["layers.0.neurons.1.w.0"]


CORRUPT_DOC: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    (
        "no-marker",
        lambda d: d.pop("format"),
        r'is JSON but not a tinygrad_edu checkpoint: it has no "format"',
    ),
    (
        "wrong-marker",
        lambda d: d.update(format="pytorch"),
        r"its format is 'pytorch' \(expected \"format\": ",
    ),
    (
        "version-3",
        lambda d: d.update(version=3),
        r"has version 3, but this tinygrad_edu reads checkpoint versions 1 and 2 only",
    ),
    (
        "version-str",
        lambda d: d.update(version="1"),
        r"version '1' \(a string; versions are integers\), but .* 1",
    ),
    ("version-bool", lambda d: d.update(version=True), r"has version True, but"),
    ("no-version", lambda d: d.pop("version"), r'has no "version" field'),
    ("extra-key", lambda d: d.update(comment="hi"), r"unexpected keys 'comment'"),
    ("no-training", lambda d: d.pop("training"), r"missing keys 'training'"),
    ("training-str", lambda d: d.update(training="yes"), r'"training": \'yes\'; expected true or false'),
    ("missing-parameter", drop_parameter, r"missing parameters 'layers\.0\.neurons\.1\.w\.0'"),
    ("extra-parameter", lambda d: d["parameters"].update(bogus=1.0), r"unexpected parameters 'bogus'"),
    (
        "string-parameter",
        lambda d: d["parameters"].update({"layers.0.neurons.0.b": "0.5"}),
        r"parameter 'layers\.0\.neurons\.0\.b' that is the string '0\.5', not a number",
    ),
    ("null-parameter", lambda d: d["parameters"].update({"layers.0.neurons.0.b": None}), r"that is null"),
    (
        "bool-parameter",
        lambda d: d["parameters"].update({"layers.0.neurons.0.b": True}),
        r"that is a boolean",
    ),
    ("parameters-list", lambda d: d.update(parameters=[]), r'has "parameters" that is a list'),
    (
        "architecture-list",
        lambda d: d.update(architecture=[]),
        r"has architecture that is a list, not an object",
    ),
    (
        "unknown-activation",
        set_arch(activation="swish"),
        r"architecture\.activation that is an unknown activation 'swish'; known: arctan, elu",
    ),
    (
        "unknown-type",
        set_arch(type="Conv3d"),
        r"architecture with unknown module type 'Conv3d'; known: BatchNorm, Conv1d, Conv2d, Dropout, "
        r"Flatten, Layer, MLP, Neuron, Sequential",
    ),
    ("no-type", lambda d: d["architecture"].pop("type"), r'architecture with no "type"'),
    (
        "type-list",
        set_arch(type=["MLP"]),
        r"architecture with unknown module type \['MLP'\]; known: BatchNorm, Conv1d, Conv2d, Dropout",
    ),
    ("type-object", set_arch(type={"MLP": 1}), r"architecture with unknown module type \{'MLP': 1\}; known"),
    (
        "nested-type-list",
        lambda d: d.update(architecture={"type": "Sequential", "layers": [{"type": []}]}),
        r"architecture\.layers\[0\] with unknown module type \[\]; known",
    ),
    ("type-null", set_arch(type=None), r"architecture with unknown module type None; known"),
    ("extra-field", set_arch(init="he"), r"architecture \(a MLP\) with unexpected fields 'init'"),
    (
        "missing-field",
        lambda d: d["architecture"].pop("bias"),
        r"architecture \(a MLP\) with missing fields 'bias'",
    ),
    (
        "zero-size",
        set_arch(nouts=[2, 0]),
        r"architecture\.nouts that should be a non-empty list of positive int",
    ),
    ("string-size", set_arch(nin="2"), r"architecture\.nin that should be a positive integer, got '2'"),
    (
        "bad-p",
        set_arch(dropout=1.5),
        r"architecture\.dropout that should be a probability in \[0, 1\], got 1\.5",
    ),
    (
        "nested-unknown",
        lambda d: d.update(architecture={"type": "Sequential", "layers": [{"type": "Dropout", "p": 0.1}, 7]}),
        r"architecture\.layers\[1\] that is a number, not an object",
    ),
    (
        "count-mismatch",
        set_arch(nouts=[3, 1]),
        r"its architecture has 13 parameters and the file stores 9: "
        r"missing parameters 'layers\.0\.neurons\.2\.w\.0'",
    ),
    ("huge", set_arch(nin=10**9), r"its architecture has 2000000005 parameters but the file stores 9"),
    (
        "prelu-without-slopes",
        set_arch(activation="prelu"),
        r"missing parameters 'layers\.0\.neurons\.0\.a', 'layers\.0\.neurons\.1\.a'",
    ),
]


@pytest.mark.parametrize("name, change, message", CORRUPT_DOC, ids=[c[0] for c in CORRUPT_DOC])
def test_corrupt_checkpoint(
    name: str, change: Callable[[dict[str, Any]], Any], message: str, good: Path
) -> None:
    edit(good, change)
    with pytest.raises(CheckpointError, match=message) as info:
        load(good)
    assert str(info.value).startswith(f"load: {str(good)!r} ")
    assert isinstance(info.value, ValueError)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(FileNotFoundError, match=r"load: no checkpoint file: .*absent\.json") as info:
        load(path)
    assert info.value.filename == str(path)
    with pytest.raises(FileNotFoundError, match=r"load_parameters: no checkpoint file"):
        load_parameters(Neuron(2), path)
    with pytest.raises(IsADirectoryError, match=r"load: a directory, not a checkpoint file: ") as directory:
        load(tmp_path)
    assert directory.value.filename == str(tmp_path)


def test_byte_order_mark_is_accepted(good: Path) -> None:
    good.write_bytes(b"\xef\xbb\xbf" + good.read_bytes())  # as some Windows editors save
    assert isinstance(load(good), MLP)


# ------------------------------------------------------------------ unsaveable models
def mixed_layer() -> Module:
    layer = Layer(2, 3, seed=0)
    layer.neurons[2].activation = "tanh"
    return Sequential(Layer(2, 2), layer)


def mixed_hidden() -> Module:
    model = MLP(2, [3, 3, 1], seed=0)
    model.layers[1] = Layer(3, 3, "tanh")
    return model


def shared() -> Module:
    layer = Layer(2, 2, seed=0)
    return Sequential(layer, layer)


def extra_value() -> Module:
    model = MLP(2, [2, 1], seed=0)
    model.scale = Value(2.0)  # type: ignore[attr-defined]
    return model


def mixed_modes() -> Module:
    return Sequential(MLP(2, [2]).eval(), Dropout())


def bad_item() -> Module:
    model = Sequential(Layer(2, 2))
    model.layers.append(3)  # type: ignore[arg-type]
    return model


class MyMLP(MLP):
    """A user-defined subclass: its forward may differ, so it can't be rebuilt as an MLP."""


def changed(model: Module, change: Callable[[Any], Any]) -> Module:
    """``model`` after ``change(model)``: an attribute set or deleted behind the constructor's back."""
    change(model)
    return model


def weird_value() -> Module:
    n = Neuron(2, seed=0)
    n.w[0].data = "1.0"  # type: ignore[assignment]
    return n


UNSAVEABLE: list[tuple[str, Callable[[], Module], type, str]] = [
    (
        "custom-activation",
        lambda: MLP(2, [3, 1], activation=lambda z: z.tanh()),
        TypeError,
        r"save: neuron layers\.0\.neurons\.0 uses a custom activation function <lambda>; "
        r"only named activations can be saved \(arctan, elu",
    ),
    (
        "custom-activation-root",
        lambda: Neuron(2, activation=Value.tanh),
        TypeError,
        r"save: neuron \(the model itself\) uses a custom activation function tanh",
    ),
    (
        "subclass",
        lambda: Sequential(Layer(2, 2), MyMLP(2, [1])),
        TypeError,
        r"save: layers\.1 is a MyMLP, a user-defined Module subclass; only Neuron, Layer, MLP, Dropout, "
        r"Sequential, BatchNorm, Conv1d, Conv2d or Flatten modules can be described",
    ),
    ("not-a-module", bad_item, TypeError, r"save: layers\.1 is a int, not a Module"),
    (
        "mixed-layer",
        mixed_layer,
        ValueError,
        r"save: layer layers\.1 mixes activations across its neurons: "
        r"neuron 0 has 'relu' but neuron 2 has 'tanh'",
    ),
    (
        "mixed-hidden",
        mixed_hidden,
        ValueError,
        r"save: MLP \(the model itself\) mixes activations across its hidden layers: layer 0 has 'relu' but "
        r"layer 1 has 'tanh'; .* use a Sequential of Layers",
    ),
    (
        "shared",
        shared,
        ValueError,
        r"save: parameter layers\.1\.neurons\.0\.w\.0 is the same Value as layers\.0\.neurons\.0\.w\.0 "
        r"\(shared weights\)",
    ),
    (
        "extra-value",
        extra_value,
        ValueError,
        r"save: the model's parameters differ .* unexpected parameters 'scale'",
    ),
    (
        "mixed-modes",
        mixed_modes,
        ValueError,
        r"save: mixed train/eval modes: the model is in training mode but layers\.0 is in eval mode; "
        r"call model\.train\(\) or model\.eval\(\)",
    ),
    ("string-data", weird_value, TypeError, r"save: parameter w\.0 must be a real number, got str '1\.0'"),
    (
        "huge-data",
        lambda: changed(Neuron(2, seed=0), lambda n: setattr(n.w[1], "data", 10**400)),
        ValueError,
        r"save: parameter w\.1 must be a real number within float range \(\|x\| < 1\.8e308\), "
        r"got an integer of 1329 bits",
    ),
    (
        "dropout-p",
        lambda: changed(Sequential(Dropout(0.5)), lambda s: setattr(s.layers[0], "p", 1.5)),
        ValueError,
        r"save: the p of dropout layers\.0 must be a finite number in \[0, 1\], got float 1\.5",
    ),
    (
        "dropout-p-str",
        lambda: changed(MLP(2, [2, 1], dropout=0.5), lambda m: setattr(m.dropout[0], "p", "0.5")),
        TypeError,
        r"save: the p of dropout dropout\.0 must be a finite number in \[0, 1\], got str '0\.5'",
    ),
    (
        "w-tuple",
        lambda: changed(Neuron(2, seed=0), lambda n: setattr(n, "w", tuple(n.w))),
        TypeError,
        r"save: Neuron \(the model itself\) should have a non-empty list of Values as its \.w, got tuple \(",
    ),
    (
        "no-neurons",
        lambda: changed(Layer(2, 2), lambda m: setattr(m, "neurons", [])),
        ValueError,
        r"save: Layer \(the model itself\) should have a non-empty list of neurons as its \.neurons, "
        r"got list \[\]",
    ),
    (
        "layers-tuple",
        lambda: changed(Sequential(Layer(2, 2)), lambda m: setattr(m, "layers", tuple(m.layers))),
        TypeError,
        r"save: Sequential \(the model itself\) should have a list of modules as its \.layers, got tuple",
    ),
    (
        "deleted-activation",
        lambda: changed(Sequential(Neuron(2)), lambda m: delattr(m.layers[0], "activation")),
        ValueError,
        r"save: neuron layers\.0 has unknown activation None",
    ),
    (
        "not-a-value",
        lambda: changed(Neuron(2, bias=True), lambda n: setattr(n, "b", 0.5)),
        TypeError,
        r"save: parameter b must be a Value, got float 0\.5",
    ),
]


@pytest.mark.parametrize("name, make, error, message", UNSAVEABLE, ids=[u[0] for u in UNSAVEABLE])
def test_unsaveable_model(
    name: str, make: Callable[[], Module], error: type, message: str, tmp_path: Path
) -> None:
    with pytest.raises(error, match=message):
        save(make(), tmp_path / "model.json")
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------ numbers out of range, in every field
MARK = "@@raw json@@"


def put(doc: Any, keys: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of ``doc`` with the entry at ``keys`` (dict keys and list indices) set to ``value``."""
    if not keys:
        return value
    out = copy.deepcopy(doc)
    place = out
    for k in keys[:-1]:
        place = place[k]
    place[keys[-1]] = value
    return out


def with_raw(doc: dict[str, Any], keys: tuple[Any, ...], raw: str) -> str:
    """The checkpoint's text with the entry at ``keys`` written as the JSON text ``raw``, verbatim
    (``json.dumps`` can't write 1e400 or a 5,000-digit integer, which Python refuses to print)."""
    return json.dumps(put(doc, keys, MARK), indent=2).replace(json.dumps(MARK), raw)


HUGE_NUMBERS = [  # (JSON text, how a message shows it)
    ("1" * 5000, "an integer of 5000 digits"),
    ("-" + "9" * 4301, "an integer of 4301 digits"),  # one digit over Python's limit on int(text)
    ("9" * 4300, f"an integer of {int('9' * 4300).bit_length()} bits"),  # at the limit: still an int
    ("1" * 400, f"an integer of {int('1' * 400).bit_length()} bits"),
    ("1e400", "1e400"),
    ("-2.5E308", "-2.5E308"),
    ("1" + "0" * 400 + ".5", "100000000000000000000000... (403 characters)"),
]
NUMERIC_FIELDS = [  # (where in the file, the message, with {} for the number)
    (("version",), r"has version {}, but this tinygrad_edu reads checkpoint versions 1 and 2 only$"),
    (("format",), r"its format is {} \(expected \"format\": \"tinygrad_edu\.checkpoint\"\)$"),
    (("training",), r"has \"training\": {}; expected true or false$"),
    (("architecture", "type"), r"has architecture with unknown module type {}; known: BatchNorm, Conv1d"),
    (
        ("architecture", "nin"),
        r"has architecture\.nin that should be a positive integer"
        r"(?: at most 9223372036854775807 \(sys\.maxsize\))?, got {}$",
    ),
    (
        ("architecture", "nouts", 1),
        r"has architecture\.nouts that should be a non-empty list of positive integers, but its item 1 "
        r"should be a positive integer(?: at most 9223372036854775807 \(sys\.maxsize\))?, got {}$",
    ),
    (
        ("architecture", "dropout"),
        r"has architecture\.dropout that should be a probability in \[0, 1\], got {}$",
    ),
    (
        ("parameters", "layers.1.neurons.0.b"),
        r"has parameter 'layers\.1\.neurons\.0\.b' = {}, which is beyond the range of a float "
        r"\(\|x\| < 1\.8e308\)$",
    ),
]


@pytest.mark.parametrize(
    "raw, shown", HUGE_NUMBERS, ids=[f"{len(r)}-chars-{r[-4:]}" for r, _ in HUGE_NUMBERS]
)
@pytest.mark.parametrize(
    "keys, message", NUMERIC_FIELDS, ids=[".".join(map(str, k)) for k, _ in NUMERIC_FIELDS]
)
def test_number_out_of_range(keys: tuple[Any, ...], message: str, raw: str, shown: str, good: Path) -> None:
    """A number no float or field can hold, in any field: a CheckpointError naming the file and the
    field, never Python's own ValueError about integer string conversion."""
    good.write_text(with_raw(json.loads(good.read_text()), keys, raw))
    for op, call in (("load", load), ("load_parameters", lambda p: load_parameters(MLP(2, [2, 1]), p))):
        with pytest.raises(CheckpointError) as info:
            call(good)
        text = str(info.value)
        assert text.startswith(f"{op}: {str(good)!r} ") and info.value.path == good
        assert re.search(message.format(re.escape(shown)), text), text


def test_number_beyond_a_lowered_digit_limit(good: Path) -> None:
    """Python's limit on int(text) can be lowered (sys.set_int_max_str_digits); the file still reads."""
    good.write_text(with_raw(json.loads(good.read_text()), ("architecture", "nin"), "7" * 1000))
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        with pytest.raises(
            CheckpointError, match=r"architecture\.nin that should be .*, got an integer of 1000 dig"
        ):
            load(good)
    finally:
        sys.set_int_max_str_digits(before)


def test_largest_numbers_that_fit(good: Path) -> None:
    """The edges that do fit: the largest float, and an integer that rounds to it."""
    doc = json.loads(good.read_text())
    text = with_raw(doc, ("parameters", "layers.0.neurons.0.w.0"), "1.7976931348623157e308")
    just_below_halfway = 2**1024 - 2**970 - 1  # halfway to 2**1024 would round up, out of range
    good.write_text(
        text.replace('"layers.0.neurons.0.b": 0.0', f'"layers.0.neurons.0.b": {just_below_halfway}')
    )
    model = load(good)
    assert isinstance(model, MLP)
    assert model.layers[0].neurons[0].w[0].data == model.layers[0].neurons[0].b.data == sys.float_info.max  # type: ignore[union-attr]


# ------------------------------------------------------------------ nesting
def nested(levels: int) -> Module:
    """A Layer inside Sequentials, ``levels`` levels deep in all (the model itself is level 1)."""
    model: Module = Layer(2, 2, "tanh", seed=0)
    for _ in range(levels - 1):
        model = Sequential(model)
    return model


def nested_architecture(levels: int) -> str:
    """The JSON text of a Dropout inside Sequentials, ``levels`` levels deep (built as text: json.dumps
    itself recurses)."""
    return (
        '{"type": "Sequential", "layers": [' * (levels - 1)
        + '{"type": "Dropout", "p": 0.5}'
        + "]}" * (levels - 1)
    )


def at_depth(frames: int, f: Callable[[], Any]) -> Any:
    """f() called with ``frames`` more frames on the stack, as if from deep inside a caller's code."""
    return f() if frames == 0 else at_depth(frames - 1, f)


def test_deepest_model_round_trips_and_runs(tmp_path: Path) -> None:
    """MAX_DEPTH levels save, load and run, with room on the stack to spare for the caller."""
    model = nested(MAX_DEPTH)
    loaded = round_trip(model, tmp_path / "model.json")
    assert_same_outputs(model, loaded, 2)
    shown = at_depth(250, lambda: repr(loaded))
    assert shown == "Sequential(" * (MAX_DEPTH - 1) + "Layer(2, 2, activation='tanh')" + ")" * (MAX_DEPTH - 1)
    out = at_depth(250, lambda: loaded([0.5, -1.0]))
    at_depth(250, lambda: (out[0] + out[1]).backward())
    assert loaded.parameters()[0].grad != 0.0


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 300, 2_000, 100_000])
def test_too_deep_file(levels: int, good: Path) -> None:
    """Deeper than MAX_DEPTH (the old limit was RecursionError on repr or forward after loading), or
    deeper than Python's JSON parser goes: a CheckpointError either way."""
    doc = json.loads(good.read_text())
    good.write_text(with_raw(put(doc, ("parameters",), {}), ("architecture",), nested_architecture(levels)))
    expected = (
        r"has modules nested more than 100 levels deep in Sequentials \(the model itself is level 1\), "
        r"first at architecture\.layers\[0\]\.layers\[0\]\..*\.layers\[0\]; load reads at most 100 levels"
        if levels < 900
        else r"is not a checkpoint: its JSON is nested too deeply$"
    )
    for op in (load, lambda p: load_parameters(nested(3), p)):
        with pytest.raises(CheckpointError, match=expected) as info:
            op(good)
        assert info.value.path == good


def test_file_at_the_depth_limit_loads(good: Path) -> None:
    doc = json.loads(good.read_text())
    good.write_text(
        with_raw(put(doc, ("parameters",), {}), ("architecture",), nested_architecture(MAX_DEPTH))
    )
    model = load(good)
    assert repr(model).count("Sequential(") == MAX_DEPTH - 1 and model.training
    assert all(isinstance(y, Value) for y in model([1.0, 2.0]))  # dropped or scaled by 1 / (1 - 0.5)
    assert model.eval()([1.0, 2.0]) == [1.0, 2.0]


def test_too_deep_or_cyclic_model_is_not_saved(tmp_path: Path) -> None:
    deep = nested(MAX_DEPTH + 1)
    looped = Sequential(Layer(2, 2, seed=0))
    looped.layers.append(looped)
    too_deep = (
        r"the model nests modules more than 100 levels deep in Sequentials \(the model itself is level 1, "
        r"the parts of a Sequential one level below it\); a checkpoint holds at most 100 levels"
    )
    itself = r"the model contains itself: a Sequential is one of its own parts$"
    for model, message in ((deep, too_deep), (looped, itself)):
        with pytest.raises(ValueError, match=rf"^save: {message}"):
            save(model, tmp_path / "model.json")
        with pytest.raises(ValueError, match=rf"^architecture: {message}"):
            architecture(model)
        with pytest.raises(ValueError, match=rf"^load_parameters: {message}"):
            load_parameters(model, tmp_path / "absent.json")  # the model is checked before the file
    assert os.listdir(tmp_path) == []


def nested_shared(levels: int) -> Module:
    """Sequential(m, m) in Sequential(m, m) ...: ``levels`` levels and modules, 2**(levels - 1) paths."""
    model: Module = Dropout(0.5)
    for _ in range(levels - 1):
        model = Sequential(model, model)
    return model


def test_shared_modules_are_counted_once(tmp_path: Path) -> None:
    """A Sequential used twice (no shared parameters: Dropouts) is not a cycle; each use is saved.
    The depth check visits each module once: 2**100 paths lead down nested_shared(101)."""
    inner = Sequential(Dropout(0.25))
    assert architecture(Sequential(inner, inner)) == {
        "type": "Sequential",
        "layers": [{"type": "Sequential", "layers": [{"type": "Dropout", "p": 0.25}]}] * 2,
    }
    with pytest.raises(ValueError, match="more than 100 levels deep"):
        save(nested_shared(MAX_DEPTH + 1), tmp_path / "model.json")


# ------------------------------------------------------------------ arguments
class BytesPath(os.PathLike):  # type: ignore[type-arg]
    def __fspath__(self) -> bytes:
        return b"model.json"


ARGUMENTS: list[tuple[str, Callable[[Path], Any], type, str]] = [
    (
        "save-model",
        lambda p: save("model", p),  # type: ignore[arg-type]
        TypeError,
        r"save: model must be a Module \(Neuron, Layer, MLP, Dropout, BatchNorm or Sequential\), "
        r"got str 'model'",
    ),
    (
        "save-value",
        lambda p: save(Value(1.0), p),  # type: ignore[arg-type]
        TypeError,
        r"save: model must be a Module .*, got a Value \(use its \.data for the number\)",
    ),
    (
        "save-path",
        lambda p: save(Neuron(2), None),  # type: ignore[arg-type]
        TypeError,
        r"save: path must be a str or os\.PathLike of str, got NoneType None",
    ),
    (
        "save-empty-path",
        lambda p: save(Neuron(2), ""),
        ValueError,
        r"save: path must be a non-empty file path, got str ''",
    ),
    (
        "save-nul",
        lambda p: save(Neuron(2), str(p / "a\0b.json")),
        ValueError,
        r"save: path must be a file path without NUL characters, got str '.*a\\x00b\.json'",
    ),
    (
        "load-bytes-pathlike",
        lambda p: load(BytesPath()),
        TypeError,
        r"load: path must be a str or os\.PathLike of str, got BytesPath <.* object at .*>",
    ),
    (
        "load-surrogate",
        lambda p: load(str(p / "\ud800.json")),
        ValueError,
        r"load: path must be a file path the file system's encoding can write, got str '.*\\ud800\.json'",
    ),
    (
        "load-huge",
        lambda p: load(10**5000),
        TypeError,
        r"load: path must be .*, got an integer of 16610 bits",
    ),  # type: ignore[arg-type]
    (
        "load_parameters-model",
        lambda p: load_parameters([Neuron(2)], p),  # type: ignore[arg-type]
        TypeError,
        r"load_parameters: model must be a Module \(.*\), got list \[Neuron\(2, activation='relu'\)\]",
    ),
    (
        "load_parameters-path",
        lambda p: load_parameters(Neuron(2), 2.5),  # type: ignore[arg-type]
        TypeError,
        r"load_parameters: path must be a str or os\.PathLike of str, got float 2\.5",
    ),
    (
        "architecture-model",
        lambda p: architecture(None),  # type: ignore[arg-type]
        TypeError,
        r"architecture: model must be a Module \(.*\), got NoneType None",
    ),
    (
        "CheckpointError-message",
        lambda p: CheckpointError(None, p),  # type: ignore[arg-type]
        TypeError,
        r"CheckpointError: message must be a str, got NoneType None",
    ),
    (
        "CheckpointError-path",
        lambda p: CheckpointError("bad", 3),  # type: ignore[arg-type]
        TypeError,
        r"CheckpointError: path must be a str or os\.PathLike of str, got int 3",
    ),
]


@pytest.mark.parametrize("name, call, error, message", ARGUMENTS, ids=[a[0] for a in ARGUMENTS])
def test_bad_arguments(
    name: str, call: Callable[[Path], Any], error: type, message: str, tmp_path: Path
) -> None:
    """Checked before any work, in the one message style "<op>: <argument> must be ..., got ..."."""
    (tmp_path / "sub").mkdir()
    with pytest.raises(error, match=rf"^{message}$"):
        call(tmp_path / "sub")
    assert os.listdir(tmp_path / "sub") == []


def test_checkpoint_error_pickles(tmp_path: Path) -> None:
    """Exceptions cross process boundaries (multiprocessing) by pickling: path and message survive."""
    error = CheckpointError("load: 'x.json' is empty, not a checkpoint", str(tmp_path / "x.json"))
    assert error.path == tmp_path / "x.json"
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is CheckpointError and str(again) == str(error) and again.path == error.path


WRONG_TYPES = st.one_of(
    st.sampled_from(
        [
            10**400,
            10**5000,
            -(10**400),
            math.inf,
            -math.inf,
            math.nan,
            5e-324,
            True,
            None,
            [],
            b"model.json",
            1 + 2j,
            Fraction(10**400, 3),
            Decimal("1e400"),
            Decimal("nan"),
            Value(1.0),
            {"type": "MLP"},
            ["model.json"],
            random.Random(0),
        ]
    ),
    st.integers(),
    st.floats(),
    st.lists(st.integers(), max_size=3),
    st.binary(max_size=5),
)
CALLS: list[tuple[str, Callable[[Any, Path], Any]]] = [
    ("save", lambda bad, p: save(bad, p)),
    ("save", lambda bad, p: save(Neuron(2), bad)),
    ("load", lambda bad, p: load(bad)),
    ("load_parameters", lambda bad, p: load_parameters(bad, p)),
    ("load_parameters", lambda bad, p: load_parameters(Neuron(2), bad)),
    ("architecture", lambda bad, p: architecture(bad)),
    ("CheckpointError", lambda bad, p: CheckpointError(bad, p)),
    ("CheckpointError", lambda bad, p: CheckpointError("message", bad)),
]


@given(st.sampled_from(CALLS), WRONG_TYPES)
def test_wrong_types_for_every_public_function(
    scratch: Callable[[str], Path], call: tuple[str, Callable[[Any, Path], Any]], bad: Any
) -> None:
    """Every argument of every public function, given something of the wrong type (numbers of every
    kind and size, None, bytes, lists, a Value): a TypeError naming the function, before any work."""
    name, f = call
    directory = scratch("wrong_types")
    path = save(Neuron(2, seed=0), directory / "model.json")
    with pytest.raises(TypeError) as info:
        f(bad, path)
    assert str(info.value).startswith(f"{name}: ") and " must be " in str(info.value)
    assert sorted(os.listdir(directory)) == ["model.json"]


# ------------------------------------------------------------------ mutated files
def fuzz_model() -> Module:
    """Every module type, nested, so that a mutation can reach every kind of field."""
    return Sequential(
        Layer(2, 3, "prelu", seed=1),
        Dropout(0.25),
        Sequential(Neuron(3, "tanh", seed=2)),
        MLP(1, [2, 1], "elu", dropout=0.5, seed=3),
    )


def entries(doc: Any, keys: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The place of every value in a JSON document (the document itself first)."""
    found = [keys]
    if isinstance(doc, dict):
        for k, v in doc.items():
            found += entries(v, (*keys, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            found += entries(v, (*keys, i))
    return found


def output_size(arch: dict[str, Any], n: int) -> Optional[int]:
    """How many outputs a (loaded) architecture gives for n inputs; None if its sizes don't chain
    (Sequential(Layer(2, 3), Layer(5, 1)) can be built, saved and loaded, but not run)."""
    kind = arch["type"]
    if kind == "Dropout":
        return n
    if kind == "Sequential":
        size: Optional[int] = n
        for a in arch["layers"]:
            size = None if size is None else output_size(a, size)
        return size
    if arch["nin"] != n:
        return None
    return {"Neuron": 1, "Layer": arch.get("nout"), "MLP": arch.get("nouts", [0])[-1]}[kind]  # type: ignore[no-any-return]


def input_size(arch: dict[str, Any]) -> int:
    if arch["type"] == "Sequential":
        return next((input_size(a) for a in arch["layers"] if a["type"] != "Dropout"), 2)
    return 2 if arch["type"] == "Dropout" else int(arch["nin"])


def assert_usable(model: Module) -> None:
    """What load gives can be shown, described and run (or says cleanly that its sizes don't chain)."""
    assert isinstance(repr(model), str)
    arch = architecture(model)
    n = input_size(arch)
    for training in (True, False):
        model.train(training)
        if output_size(arch, n) is None:
            with pytest.raises(ValueError):
                model([0.5] * n)
        else:
            model([0.5] * n)


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(
        ["nan", "-inf", "relu", "prelu", "Sequential", "MLP", "Dropout", "Layer", "Neuron", FORMAT]
    )
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["type", "nin", "nout", "nouts", "layers", "p", "bias", "activation"])
            | st.text(max_size=4),
            inner,
            max_size=4,
        )
    ),
    max_leaves=10,
)
PLAUSIBLE = st.one_of(  # values that often fit where they land, so that many mutated files load
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-3, 3).map(str),
    st.sampled_from(['"nan"', '"-inf"', "true", "false", "0.5", '"tanh"', '"linear"', '"sigmoid"']),
    st.sampled_from(['{"type": "Dropout", "p": 1}', '{"type": "Sequential", "layers": []}', "[]"]),
)
RAW_JSON = st.one_of(
    PLAUSIBLE,
    JSON_VALUES.map(json.dumps),
    st.sampled_from(
        [
            "1" * 5000,
            "-" + "1" * 5000,
            "1" * 400,
            "1e400",
            "-1e400",
            "[" * 100_000 + "]" * 100_000,
            '{"a": ' * 50_000 + "1" + "}" * 50_000,
            "[" * 500 + "]" * 500,  # within what Python's parser reads; its repr in a message is shortened
            '{"type": "Layer", "nin": 3, "nout": 1, "activation": "relu", "bias": true}',
            '{"type": "Layer", "nin": 1, "nout": 1, "activation": "relu", "bias": true}',
            '{"type": "MLP", "nin": 1, "nouts": [2, 1], "activation": "elu", "output_activation": "linear", '
            '"bias": true, "dropout": 0}',
        ]
    ),
    st.integers(MAX_DEPTH - 2, MAX_DEPTH + 2).map(nested_architecture),
    st.integers(1, 2_000).map(nested_architecture),
)


@given(st.data(), RAW_JSON)
def test_mutated_checkpoints(scratch: Callable[[str], Path], data: st.DataObject, raw: str) -> None:
    """Any one value of a valid checkpoint replaced by any JSON (lists, objects, huge numbers, deep
    nesting): load and load_parameters raise CheckpointError naming the file, or give a usable model."""
    original = fuzz_model()
    path = save(original, scratch("mutated") / "model.json")
    doc = json.loads(path.read_text())
    keys = data.draw(st.sampled_from(entries(doc)), label="replaced")
    path.write_text(with_raw(doc, keys, raw))
    for op in ("load", "load_parameters"):
        try:
            if op == "load":
                model = load(path)
            else:
                model = fuzz_model()
                load_parameters(model, path)
        except CheckpointError as e:
            assert e.path == path and str(e).startswith(f"{op}: ") and repr(str(path)) in str(e), str(e)
            event(f"{op}: CheckpointError")
            continue
        event(f"{op}: loaded")
        assert_usable(model)


def test_a_model_changed_since_it_was_built_is_refused(tmp_path: Path) -> None:
    """A checkpoint stores what each module was built with (Module.config); a model whose modules
    were changed alike afterwards (all neurons of a layer now tanh) would not come back the same."""
    layer = Layer(2, 3, "relu", seed=0)
    for n in layer.neurons:
        n.activation = "tanh"
    message = (
        r"^save: the model has changed since it was built: architecture\.activation is 'tanh' now "
        r"but 'relu' as built"
    )
    with pytest.raises(ValueError, match=message):
        save(layer, tmp_path / "model.json")
    model = MLP(2, [3, 1], dropout=0.5, seed=0)
    for d in model.dropout:
        d.p = 0.25
    with pytest.raises(
        ValueError, match=r"architecture\.dropout \(dropout p\) is 0\.25 now but 0\.5 as built"
    ):
        architecture(model)
    assert os.listdir(tmp_path) == []


def test_the_architecture_is_the_modules_configuration() -> None:
    model = Sequential(MLP(2, [3, 1], "tanh", seed=0), Dropout(0.5), Layer(1, 2, "elu", seed=1))
    assert architecture(model) == {
        "type": "Sequential",
        "layers": [{"type": type(m).__name__, **m.config()} for m in model.layers],
    }


# ------------------------------------------------------------------ a module type of the registry
class Scale(Module):
    """y_i = a_i·x_i, counting its forward passes: a parameter list and a buffer."""

    buffer_names = ("calls",)

    def __init__(self, n: int, start: float = 1.0) -> None:
        self._config = {"n": n, "start": start}
        self.a = [Value(start) for _ in range(n)]
        self.calls = 0

    def forward(self, x: list[Any]) -> list[Value]:
        self.calls += 1
        return [a * xi for a, xi in zip(self.a, x)]


def test_a_self_described_module_type_needs_only_a_registry_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module whose config() describes it, whose parameters named_parameters() finds and whose
    buffers named_buffers() finds is saved and loaded once registered under its class name."""
    from tinygrad_edu.checkpoint import registry

    model = Sequential(Layer(2, 2, "tanh", seed=0), Scale(2, 0.5))
    with pytest.raises(TypeError, match=r"layers\.1 is a Scale, a user-defined Module subclass"):
        save(model, tmp_path / "scale.json")
    entry = registry.ModuleType(
        Scale,
        {"n": registry.positive_size, "start": registry.positive_number},
        parameters=lambda arch: int(arch["n"]),
        buffers=lambda arch: 1,
    )
    monkeypatch.setitem(registry.SELF_DESCRIBED, "Scale", entry)
    model.layers[1].a[1].data = -3.0  # type: ignore[attr-defined]
    model([1.0, 2.0])
    path = save(model, tmp_path / "scale.json")
    assert json.loads(path.read_text())["buffers"] == {"layers.1.calls": 1}
    restored = load(path)
    assert isinstance(restored.layers[1], Scale)  # type: ignore[attr-defined]
    assert restored.named_buffers() == [("layers.1.calls", 1)]
    assert [p.data for p in restored.parameters()] == [p.data for p in model.parameters()]
    edit(path, lambda d: d["architecture"]["layers"][1].update(start=0))
    with pytest.raises(CheckpointError, match=r"layers\[1\]\.start that should be a finite number > 0"):
        load(path)


def test_convolutions_round_trip(tmp_path: Path) -> None:
    """Conv1d, Conv2d and Flatten are saved by their configuration and rebuilt, outputs bit for bit."""
    from tinygrad_edu.nn import Conv1d, Conv2d, Flatten

    conv1d = Conv1d(1, 2, 3, stride=2, padding=1, activation="relu", seed=0)
    model = Sequential(conv1d, Flatten(), Layer(10, 1))
    loaded = round_trip(model, tmp_path / "conv1d.json")
    x = [[0.5, -1.0, 2.0, 0.0, 1.5, 1.0, -0.5, 0.25, 1.0, 2.0]]
    assert loaded(x).data == model(x).data
    conv = Conv2d(2, 2, (2, 1), padding=(1, 0), bias=False, seed=0)
    again = round_trip(conv, tmp_path / "conv2d.json")
    image = [[[1.0, 2.0], [3.0, 4.0]], [[0.5, 0.0], [1.0, -1.0]]]
    same = [[[v.data for v in row] for row in channel] for channel in again(image)]
    assert same == [[[v.data for v in row] for row in channel] for channel in conv(image)]
    assert architecture(again)["kernel_size"] == [2, 1] and architecture(again)["bias"] is False


@pytest.mark.parametrize(
    "field, bad, message",
    [
        ("kernel_size", 0, r"kernel_size that should be a positive integer, got 0"),
        ("padding", -1, r"padding that should be an integer >= 0, got -1"),
        ("activation", "prelu", r"activation that is 'prelu', which convolutions do not take"),
        ("kernel_size", 10**6, r"does not fit together: its architecture has 2000002 parameters"),
    ],
)
def test_a_bad_convolution_field_is_named(field: str, bad: Any, message: str, tmp_path: Path) -> None:
    from tinygrad_edu.nn import Conv1d

    path = save(Sequential(Conv1d(1, 2, 3, seed=0)), tmp_path / "model.json")
    doc = json.loads(path.read_text())
    doc["architecture"]["layers"][0][field] = bad
    path.write_text(json.dumps(doc))
    with pytest.raises(CheckpointError, match=message):
        load(path)
