"""Model checkpoints: save a model to a human-readable JSON file and load it back, exactly.

A checkpoint holds what is needed to rebuild the model and nothing else: the
architecture (each module's type and constructor arguments) and every
parameter under its :meth:`~tinygrad_edu.nn.Module.named_parameters` name.
Floats are written with ``repr``, which round-trips bit for bit (−0.0,
subnormals, 1.7976931348623157e+308), so a loaded model computes exactly the
same outputs as the saved one. JSON has no nan or inf, so those are written as
the strings ``"nan"``, ``"-nan"`` (a nan with its sign bit set), ``"inf"`` and
``"-inf"``; a nan's payload bits are not kept. Version 1 of the format::

    {
      "format": "tinygrad_edu.checkpoint",
      "version": 1,
      "training": false,
      "architecture": {
        "type": "MLP", "nin": 2, "nouts": [3, 1], "activation": "tanh",
        "output_activation": "linear", "bias": true, "dropout": 0.0
      },
      "parameters": {
        "layers.0.neurons.0.w.0": -0.6520463310297735,
        "layers.0.neurons.0.w.1": "nan",
        "layers.0.neurons.0.b": 0.0,
        ...
      }
    }

(``save`` writes one field per line, indented by 2.) The architectures are
``{"type": "Neuron", "nin", "activation", "bias"}``, ``{"type": "Layer",
"nin", "nout", "activation", "bias"}``, ``{"type": "MLP", "nin", "nouts",
"activation", "output_activation", "bias", "dropout"}``, ``{"type":
"Dropout", "p"}`` and ``{"type": "Sequential", "layers": [architecture, ...]}``.
An MLP's ``dropout`` is the p of its Dropout modules (0.0 when it has none,
which includes every one-layer MLP); a one-layer MLP's hidden
``activation`` is unused and written as the one it was built with.

Not stored: the init strategy and seed (the parameters themselves are stored),
gradients, parameter labels, and random-generator state. ``training`` is the
model's train/eval mode and a loaded model is put in it; a model whose modules
are in different modes is refused. A loaded model's Dropout modules draw from
Python's global ``random`` generator, like those of a model built without
``seed=``; loading draws nothing from it.

>>> import os, tempfile
>>> from tinygrad_edu.nn import MLP
>>> from tinygrad_edu.checkpoint import load, save
>>> model = MLP(2, [3, 1], activation="tanh", seed=0).eval()
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = save(model, os.path.join(tmp, "model.json"))
...     restored = load(path)
>>> restored
MLP(2, [3, 1], activation='tanh', output_activation='linear')
>>> restored([0.5, -1.0]).data == model([0.5, -1.0]).data, restored.training
(True, False)

Writes are atomic: ``save`` writes a temporary file next to the target,
fsyncs it and renames it onto the target with :func:`os.replace`, so the
target is always either the old checkpoint or the new one, never half of one.
(A process killed mid-write can leave a ``.<name>.<random>.tmp`` file behind;
an error raised inside ``save`` removes it.) Loading never unpickles or
evaluates anything: it parses JSON and calls the module constructors.
"""

from __future__ import annotations

import errno
import json
import math
import numbers
import os
from pathlib import Path
from typing import Any, Callable, NamedTuple, NoReturn, Optional, Union

from .engine import Value
from .files import write_atomic
from .nn import ACTIVATIONS, MLP, Dropout, Layer, Module, Neuron, Sequential

__all__ = [
    "FORMAT",
    "SUPPORTED_VERSIONS",
    "VERSION",
    "CheckpointError",
    "architecture",
    "load",
    "load_parameters",
    "save",
]

FORMAT = "tinygrad_edu.checkpoint"  #: the marker every checkpoint carries in its "format" field
VERSION = 1  #: the version ``save`` writes
SUPPORTED_VERSIONS = (1,)  #: the versions ``load`` reads

PathArg = Union[str, "os.PathLike[str]"]
Architecture = dict[str, Any]  # JSON values only: str, int, float, bool, lists and dicts of them

_ACTIVATION_NAMES = sorted([*ACTIVATIONS, "prelu"])
_NON_FINITE = {"nan": math.nan, "-nan": math.copysign(math.nan, -1.0), "inf": math.inf, "-inf": -math.inf}
_MODULE_TYPES = {"Neuron": Neuron, "Layer": Layer, "MLP": MLP, "Dropout": Dropout, "Sequential": Sequential}
_REBUILD_SLACK = 10_000  # build an architecture to name its parameters only if it is about the file's size


class CheckpointError(ValueError):
    """A file that is not a loadable checkpoint, or does not fit the model it is loaded into.

    ``path`` is the file; the message names it and says what is wrong.
    """

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class _Invalid(Exception):
    """Raised by the file checks; turned into a CheckpointError that names the file."""


# ------------------------------------------------------------------ saving
def save(model: Module, path: PathArg) -> Path:
    """Write ``model`` to ``path`` as a JSON checkpoint (see the module docstring); return the path.

    The write is atomic: a temporary file in the same directory is written,
    fsynced and renamed onto ``path`` (an existing file there, whose
    permissions are kept, stays intact until that rename). A symlink at
    ``path`` is followed. Raises ``TypeError`` for what cannot be described
    (a custom activation function, a user-defined Module subclass) and
    ``ValueError`` for what cannot be rebuilt (mixed activations in one Layer,
    shared parameters, modules in different train/eval modes); nothing is
    written then.
    """
    p = _as_path(path, "save")
    arch = _describe(model, "save", check_modes=True)
    parameters = {name: _encode(v.data, name) for name, v in model.named_parameters()}
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "training": bool(model.training),
        "architecture": arch,
        "parameters": parameters,
    }
    data = (json.dumps(doc, indent=2, allow_nan=False) + "\n").encode("utf-8")
    write_atomic(Path(os.path.realpath(p)), data, shown=p, where="save")
    return p


def architecture(model: Module) -> Architecture:
    """The JSON description of ``model`` that ``save`` stores: types and constructor arguments.

    >>> from tinygrad_edu.nn import Layer
    >>> architecture(Layer(3, 2, "tanh", bias=False))
    {'type': 'Layer', 'nin': 3, 'nout': 2, 'activation': 'tanh', 'bias': False}
    """
    return _describe(model, "architecture", check_modes=False)


def _describe(model: Module, op: str, check_modes: bool) -> Architecture:
    """Describe ``model`` by inspecting its attributes; raise if rebuilding it would not give it back."""
    mode = bool(model.training)
    seen: dict[int, str] = {}  # id(parameter) -> its name, to refuse shared parameters

    def param(v: Any, name: str) -> None:
        if not isinstance(v, Value):
            raise TypeError(f"{op}: {name} should be a Value parameter, got {type(v).__name__} {v!r}")
        if id(v) in seen:
            raise ValueError(
                f"{op}: parameter {name} is the same Value as {seen[id(v)]} (shared weights); a checkpoint "
                "rebuilds every parameter separately, so shared ones can't be saved"
            )
        seen[id(v)] = name

    def of_type(m: Any, classes: tuple[type, ...], path: str) -> None:
        if type(m) not in classes:
            names = [c.__name__ for c in classes]
            wanted = " or ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} or {names[-1]}"
            got = f"a {type(m).__qualname__}" + (
                ", a user-defined Module subclass" if isinstance(m, Module) else ", not a Module"
            )
            raise TypeError(
                f"{op}: {_where(path)} is {got}; only {wanted} modules can be described "
                "(the classes themselves, not subclasses)"
            )
        if check_modes and bool(m.training) != mode:
            raise ValueError(
                f"{op}: mixed train/eval modes: the model is in {_mode(mode)} mode but "
                f"{_where(path)} is in {_mode(not mode)} mode; call model.train() or "
                "model.eval() first so that the whole model is in one mode"
            )

    def neuron(n: Any, path: str) -> tuple[int, str, bool]:
        of_type(n, (Neuron,), path)
        act = n.activation
        if not isinstance(act, str):
            name = getattr(act, "__name__", repr(act))
            raise TypeError(
                f"{op}: neuron {_where(path)} uses a custom activation function {name}; only "
                f"named activations can be saved ({', '.join(_ACTIVATION_NAMES)})"
            )
        if act not in _ACTIVATION_NAMES:
            raise ValueError(f"{op}: neuron {_where(path)} has unknown activation {act!r}")
        if not isinstance(n.w, list) or not n.w:
            raise TypeError(
                f"{op}: neuron {_where(path)}: w should be a non-empty list of Values, not {n.w!r}"
            )
        for i, w in enumerate(n.w):
            param(w, _join(path, "w", i))
        if n.b is not None:
            param(n.b, _join(path, "b"))
        if act == "prelu":
            param(getattr(n, "a", None), _join(path, "a"))
        return len(n.w), act, n.b is not None

    def layer(m: Any, path: str) -> tuple[int, int, str, bool]:
        of_type(m, (Layer,), path)
        if not isinstance(m.neurons, list) or not m.neurons:
            raise ValueError(f"{op}: layer {_where(path)} should have a non-empty list of neurons")
        found = [neuron(n, _join(path, "neurons", i)) for i, n in enumerate(m.neurons)]
        for what, k in (("input counts", 0), ("activations", 1), ("bias and no bias", 2)):
            _same(
                found,
                k,
                f"{op}: layer {_where(path)} mixes {what} across its neurons",
                "neuron",
                "a Layer builds all its neurons alike",
            )
        return found[0][0], len(found), found[0][1], found[0][2]

    def module(m: Any, path: str) -> Architecture:
        of_type(m, tuple(_MODULE_TYPES.values()), path)
        if type(m) is Neuron:
            nin, act, bias = neuron(m, path)
            return {"type": "Neuron", "nin": nin, "activation": act, "bias": bias}
        if type(m) is Layer:
            nin, nout, act, bias = layer(m, path)
            return {"type": "Layer", "nin": nin, "nout": nout, "activation": act, "bias": bias}
        if type(m) is Dropout:
            return {"type": "Dropout", "p": _probability(m.p, op, path)}
        if type(m) is Sequential:
            return {
                "type": "Sequential",
                "layers": [module(x, _join(path, "layers", i)) for i, x in enumerate(m.layers)],
            }
        return mlp(m, path)

    def mlp(m: MLP, path: str) -> Architecture:
        if not isinstance(m.layers, list) or not m.layers:
            raise ValueError(f"{op}: MLP {_where(path)} should have a non-empty list of layers")
        found = [layer(x, _join(path, "layers", i)) for i, x in enumerate(m.layers)]
        for i in range(len(found) - 1):
            if found[i][1] != found[i + 1][0]:
                raise ValueError(
                    f"{op}: MLP {_where(path)}: layer {i} has {found[i][1]} outputs but layer "
                    f"{i + 1} takes {found[i + 1][0]} inputs"
                )
        hidden = "MLP {} uses one activation for every hidden layer; use a Sequential of Layers"
        _same(
            found[:-1],
            2,
            f"{op}: MLP {_where(path)} mixes activations across its hidden layers",
            "layer",
            hidden.format(_where(path)),
        )
        _same(
            found,
            3,
            f"{op}: MLP {_where(path)} mixes bias and no bias across its layers",
            "layer",
            "an MLP builds all its layers alike",
        )
        drops = m.dropout
        if not isinstance(drops, list) or len(drops) not in (0, len(found) - 1):
            raise ValueError(
                f"{op}: MLP {_where(path)} should have 0 or {len(found) - 1} Dropout modules "
                f"(one after each hidden layer), got {drops!r}"
            )
        ps = []
        for i, d in enumerate(drops):
            of_type(d, (Dropout,), _join(path, "dropout", i))
            ps.append((_probability(d.p, op, _join(path, "dropout", i)),))
        _same(
            ps,
            0,
            f"{op}: MLP {_where(path)} has different dropout probabilities",
            "dropout",
            "an MLP uses one p after every hidden layer",
        )
        return {
            "type": "MLP",
            "nin": found[0][0],
            "nouts": [f[1] for f in found],
            # a one-layer MLP has no hidden layer to read it from: take what it was given
            "activation": found[0][2] if len(found) > 1 else _unused_hidden_activation(m),
            "output_activation": found[-1][2],
            "bias": found[0][3],
            "dropout": ps[0][0] if ps else 0.0,
        }

    arch = module(model, "")
    # Whatever the walk above missed (a Value attribute added after construction, reordered
    # attributes) shows up as a difference from the parameters of the rebuilt model.
    ours = [name for name, _ in model.named_parameters()]
    rebuilt = [name for name, _ in _build(arch).named_parameters()]
    if ours != rebuilt:
        extra, missing = _diff(ours, rebuilt)
        problem = "in a different order" if not extra and not missing else _listing(extra, missing)
        raise ValueError(
            f"{op}: the model's parameters differ from those its architecture rebuilds: {problem} "
            "(attributes added or removed after construction can't be saved)"
        )
    return arch


def _same(found: list[Any], k: int, problem: str, item: str, why: str) -> None:
    """Raise ValueError if the k-th field of ``found`` (one tuple per item) is not the same throughout."""
    for i, f in enumerate(found):
        if f[k] != found[0][k]:
            raise ValueError(f"{problem}: {item} 0 has {found[0][k]!r} but {item} {i} has {f[k]!r}; {why}")


def _probability(p: Any, op: str, path: str) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout {_where(path)} has p = {p!r}; expected a probability in [0, 1]")
    return float(p)


def _encode(x: Any, name: str) -> Union[float, str]:
    """A parameter's float as JSON: itself if finite, else "nan", "-nan", "inf" or "-inf"."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"save: parameter {name} holds {type(x).__name__} {x!r}, not a number")
    try:
        f = float(x)
    except OverflowError:
        raise ValueError(f"save: parameter {name} holds {x!r}, too large for a float") from None
    if math.isfinite(f):
        return f
    if math.isnan(f):
        return "-nan" if math.copysign(1.0, f) < 0 else "nan"
    return "inf" if f > 0 else "-inf"


# ------------------------------------------------------------------ loading
class _Checkpoint(NamedTuple):
    training: bool
    architecture: Architecture
    parameters: dict[str, float]


def load(path: PathArg) -> Module:
    """The model saved at ``path``: rebuilt from its architecture, with its parameters and mode.

    Raises ``FileNotFoundError`` naming the path if there is no file, and
    :class:`CheckpointError` (a ``ValueError``) naming the file and the problem
    if it is empty, truncated, not JSON, not a checkpoint, of an unsupported
    version, or inconsistent (unknown module type or activation, missing,
    extra or non-numeric parameters).
    """
    p = _as_path(path, "load")
    ckpt = _read(p, "load")
    model = _build(ckpt.architecture)
    _assign(model, ckpt.parameters, p, "load")
    model.train(ckpt.training)
    return model


def load_parameters(model: Module, path: PathArg) -> None:
    """Set the parameters of ``model`` to those saved at ``path``; its architecture must match.

    Only the parameters' ``data`` changes: not their gradients or labels, nor
    the model's train/eval mode. The whole file is checked first, so on any
    error the model is left untouched. A :class:`CheckpointError` names the
    first difference, e.g. ``architecture.nouts (layer sizes) is [8, 1] in the
    model but [16, 16, 1] in the file``. Other errors are as for :func:`load`
    and (for a model that can't be described) :func:`save`.
    """
    p = _as_path(path, "load_parameters")
    ckpt = _read(p, "load_parameters")
    ours = _describe(model, "load_parameters", check_modes=False)
    difference = _difference(ours, ckpt.architecture, "architecture")
    if difference is not None:
        raise CheckpointError(
            f"load_parameters: the model does not match the checkpoint {str(p)!r}: {difference}", p
        )
    _assign(model, ckpt.parameters, p, "load_parameters")


def _read(p: Path, op: str) -> _Checkpoint:
    """Parse and check the file at ``p``: everything but the parameter names."""
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"{op}: no checkpoint file", str(p)) from None
    try:
        return _parse(raw)
    except _Invalid as e:
        raise CheckpointError(f"{op}: {str(p)!r} {e}", p) from None


def _parse(raw: bytes) -> _Checkpoint:
    if not raw.strip():
        raise _Invalid("is empty, not a checkpoint" if not raw else "holds only whitespace, not a checkpoint")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _Invalid(
            f"is corrupt: byte {raw[e.start]:#04x} at offset {e.start} is not UTF-8 text, "
            "so this is not a JSON checkpoint"
        ) from None
    try:
        doc = json.loads(text, object_pairs_hook=_object, parse_constant=_constant, parse_float=_float)
    except json.JSONDecodeError as e:
        ended = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string")
        what = "is truncated: the JSON ends early" if ended else "is corrupt: not valid JSON"
        raise _Invalid(f"{what} ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise _Invalid("is not a checkpoint: its JSON is nested too deeply") from None

    if not isinstance(doc, dict):
        raise _Invalid(
            f'is JSON but not a checkpoint: it holds {_kind(doc)}, not an object with "format": "{FORMAT}"'
        )
    if doc.get("format") != FORMAT:
        found = f"its format is {doc['format']!r}" if "format" in doc else 'it has no "format" field'
        raise _Invalid(f'is JSON but not a tinygrad_edu checkpoint: {found} (expected "format": "{FORMAT}")')
    version = doc.get("version")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        found = f"version {version!r}"
        if isinstance(version, str):
            found += " (a string; versions are integers)"
        if "version" not in doc:
            found = 'no "version" field'
        supported = ", ".join(map(str, SUPPORTED_VERSIONS))
        raise _Invalid(f"has {found}, but this tinygrad_edu reads checkpoint version {supported} only")
    keys = ["format", "version", "training", "architecture", "parameters"]
    missing, extra = [k for k in keys if k not in doc], [k for k in doc if k not in keys]
    if missing or extra:
        raise _Invalid(f"is not a valid version-1 checkpoint: {_listing(extra, missing, 'key')}")
    if not isinstance(doc["training"], bool):
        raise _Invalid(f'has "training": {doc["training"]!r}; expected true or false')
    try:
        _check_architecture(doc["architecture"], "architecture")
    except RecursionError:
        raise _Invalid("is not a checkpoint: its architecture is nested too deeply") from None
    stored = doc["parameters"]
    if not isinstance(stored, dict):
        raise _Invalid(f'has "parameters" that is {_kind(stored)}, not an object of name: number')
    parameters = {name: _decode(v, name) for name, v in stored.items()}
    expected = _count(doc["architecture"])
    if expected != len(parameters) and expected > len(parameters) + _REBUILD_SLACK:
        raise _Invalid(
            f"does not fit together: its architecture has {expected} parameters but the file "
            f"stores {len(parameters)}"
        )
    return _Checkpoint(doc["training"], doc["architecture"], parameters)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing duplicate keys (json would keep the last one silently)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Invalid(f"is corrupt: the key {k!r} appears twice in one JSON object")
        out[k] = v
    return out


def _constant(name: str) -> NoReturn:
    raise _Invalid(
        f'is not strict JSON: it contains {name}; non-finite parameters are written "nan", '
        '"-nan", "inf" or "-inf"'
    )


def _float(text: str) -> float:
    x = float(text)
    if not math.isfinite(x):
        raise _Invalid(f"contains the number {text}, which is out of the range of a float")
    return x


def _decode(v: Any, name: str) -> float:
    """A stored parameter as a float: a JSON number, or one of the strings for non-finite values."""
    if isinstance(v, float):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        try:
            return float(v)
        except OverflowError:
            raise _Invalid(f"has parameter {name!r} = {v}, out of the range of a float") from None
    if isinstance(v, str) and v in _NON_FINITE:
        return _NON_FINITE[v]
    shown = f"the string {v!r}" if isinstance(v, str) else _kind(v)
    raise _Invalid(
        f"has parameter {name!r} that is {shown}, not a number (non-finite values are written "
        '"nan", "-nan", "inf" or "-inf")'
    )


def _size(v: Any) -> Optional[str]:
    ok = type(v) is int and v >= 1
    return None if ok else f"should be a positive integer, got {v!r}"


def _sizes(v: Any) -> Optional[str]:
    ok = isinstance(v, list) and v and all(_size(x) is None for x in v)
    return None if ok else f"should be a non-empty list of positive integers, got {v!r}"


def _activation(v: Any) -> Optional[str]:
    if v in _ACTIVATION_NAMES and isinstance(v, str):
        return None
    return f"is an unknown activation {v!r}; known: {', '.join(_ACTIVATION_NAMES)}"


def _flag(v: Any) -> Optional[str]:
    return None if isinstance(v, bool) else f"should be true or false, got {v!r}"


def _p(v: Any) -> Optional[str]:
    ok = not isinstance(v, bool) and isinstance(v, (int, float)) and 0.0 <= v <= 1.0
    return None if ok else f"should be a probability in [0, 1], got {v!r}"


def _modules(v: Any) -> Optional[str]:
    return None if isinstance(v, list) else f"should be a list of module architectures, got {v!r}"


#: Each module type's constructor arguments and the check of each one's value.
_FIELDS: dict[str, dict[str, Callable[[Any], Optional[str]]]] = {
    "Neuron": {"nin": _size, "activation": _activation, "bias": _flag},
    "Layer": {"nin": _size, "nout": _size, "activation": _activation, "bias": _flag},
    "MLP": {
        "nin": _size,
        "nouts": _sizes,
        "activation": _activation,
        "output_activation": _activation,
        "bias": _flag,
        "dropout": _p,
    },
    "Dropout": {"p": _p},
    "Sequential": {"layers": _modules},
}


def _check_architecture(arch: Any, where: str) -> None:
    if not isinstance(arch, dict):
        raise _Invalid(f"has {where} that is {_kind(arch)}, not an object describing a module")
    kind = arch.get("type")
    if kind not in _FIELDS or not isinstance(kind, str):
        found = f"unknown module type {kind!r}" if "type" in arch else 'no "type"'
        raise _Invalid(f"has {where} with {found}; known: {', '.join(sorted(_FIELDS))}")
    fields = _FIELDS[kind]
    missing = [k for k in fields if k not in arch]
    extra = [k for k in arch if k != "type" and k not in fields]
    if missing or extra:
        raise _Invalid(f"has {where} (a {kind}) with {_listing(extra, missing, 'field')}")
    for k, check in fields.items():
        problem = check(arch[k])
        if problem is not None:
            raise _Invalid(f"has {where}.{k} that {problem}")
    if kind == "Sequential":
        for i, sub in enumerate(arch["layers"]):
            _check_architecture(sub, f"{where}.layers[{i}]")


def _count(arch: Architecture) -> int:
    """How many parameters a (checked) architecture has, without building it."""

    def neuron(nin: int, act: str, bias: bool) -> int:
        return nin + int(bias) + int(act == "prelu")

    kind = arch["type"]
    if kind == "Neuron":
        return neuron(arch["nin"], arch["activation"], arch["bias"])
    if kind == "Layer":
        return int(arch["nout"]) * neuron(arch["nin"], arch["activation"], arch["bias"])
    if kind == "MLP":
        sizes = [arch["nin"], *arch["nouts"]]
        acts = [arch["activation"]] * (len(sizes) - 2) + [arch["output_activation"]]
        return sum(sizes[i + 1] * neuron(sizes[i], act, arch["bias"]) for i, act in enumerate(acts))
    if kind == "Sequential":
        return sum(_count(a) for a in arch["layers"])
    return 0  # Dropout


def _build(arch: Architecture) -> Module:
    """A fresh module with this (checked) architecture. Zero init: no draws from any generator."""
    kind = arch["type"]
    if kind == "Neuron":
        return Neuron(arch["nin"], arch["activation"], init="zeros", bias=arch["bias"])
    if kind == "Layer":
        return Layer(arch["nin"], arch["nout"], arch["activation"], init="zeros", bias=arch["bias"])
    if kind == "MLP":
        return MLP(
            arch["nin"],
            arch["nouts"],
            arch["activation"],
            arch["output_activation"],
            init="zeros",
            bias=arch["bias"],
            dropout=arch["dropout"],
        )
    if kind == "Dropout":
        return Dropout(arch["p"])
    return Sequential(*[_build(a) for a in arch["layers"]])


def _assign(model: Module, parameters: dict[str, float], p: Path, op: str) -> None:
    """Check that the file has exactly the model's parameters, then set each one's data."""
    params = model.named_parameters()
    names = [name for name, _ in params]
    extra, missing = _diff(list(parameters), names)
    if extra or missing:
        raise CheckpointError(
            f"{op}: {str(p)!r} does not fit together: its architecture has {len(names)} "
            f"parameters and the file stores {len(parameters)}: "
            f"{_listing(extra, missing, 'parameter')}",
            p,
        )
    for name, v in params:
        v.data = parameters[name]


def _difference(ours: Any, theirs: Any, where: str) -> Optional[str]:
    """The first difference between two architectures, in words; None if they are equal."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if ours["type"] != theirs["type"]:
            return f"{where} is a {ours['type']} in the model but a {theirs['type']} in the file"
        for k in ours:
            found = _difference(ours[k], theirs[k], f"{where}.{k}")
            if found is not None:
                return found
        return None
    if isinstance(ours, list) and any(isinstance(x, dict) for x in [*ours, *theirs]):  # Sequential.layers
        if len(ours) != len(theirs):
            return f"{where} has {len(ours)} modules in the model but {len(theirs)} in the file"
        found_all = (_difference(a, b, f"{where}[{i}]") for i, (a, b) in enumerate(zip(ours, theirs)))
        return next((f for f in found_all if f is not None), None)
    if ours != theirs:
        label = _LABELS.get(where.rsplit(".", 1)[-1], "")
        return f"{where}{label} is {ours!r} in the model but {theirs!r} in the file"
    return None


_LABELS = {
    "nin": " (input count)",
    "nout": " (neuron count)",
    "nouts": " (layer sizes)",
    "p": " (dropout p)",
    "dropout": " (dropout p)",
}


# ------------------------------------------------------------------ helpers
def _as_path(path: Any, op: str) -> Path:
    if isinstance(path, (str, os.PathLike)):
        fspath = os.fspath(path)
        if isinstance(fspath, str):
            return Path(fspath)
    raise TypeError(f"{op}: path must be a str or os.PathLike of str, got {type(path).__name__} {path!r}")


def _join(path: str, *parts: Union[str, int]) -> str:
    return ".".join([*([path] if path else []), *map(str, parts)])


def _where(path: str) -> str:
    return path if path else "(the model itself)"


def _mode(training: bool) -> str:
    return "training" if training else "eval"


def _kind(v: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(v), "a number")


def _diff(have: list[str], want: list[str]) -> tuple[list[str], list[str]]:
    """(names in ``have`` but not ``want``, names in ``want`` but not ``have``), each in order."""
    have_set, want_set = set(have), set(want)
    return [n for n in have if n not in want_set], [n for n in want if n not in have_set]


def _listing(extra: list[str], missing: list[str], item: str = "parameter") -> str:
    def some(names: list[str]) -> str:
        shown = ", ".join(repr(n) for n in names[:5])
        return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")

    parts = [
        f"missing {item}s {some(missing)}" if missing else "",
        f"unexpected {item}s {some(extra)}" if extra else "",
    ]
    return "; ".join(x for x in parts if x)


def _unused_hidden_activation(m: MLP) -> str:
    given = getattr(m, "_hidden_activation", "relu")
    return given if isinstance(given, str) else "relu"
