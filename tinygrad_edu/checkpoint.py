"""Model checkpoints: save a model to a human-readable JSON file and load it back, exactly.

A checkpoint holds what is needed to rebuild the model and nothing else: the
architecture (each module's type and the arguments it was built with, which
every module records: :meth:`~tinygrad_edu.nn.Module.config`) and every
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

Modules nest at most :data:`MAX_DEPTH` (100) levels deep in Sequentials (the
model itself is level 1, the parts of a Sequential one level below it):
``repr`` and the forward pass of nested Sequentials recurse a few Python frames
per level (100 levels of ``repr`` take about 400), which stays well inside
Python's default recursion limit of 1000. ``save`` refuses a deeper model and
``load`` a deeper file, so every file ``load`` accepts gives a model that can
be shown and run.
"""

from __future__ import annotations

import errno
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Callable, NamedTuple, NoReturn, Optional, Union

from . import checks
from .engine import Value
from .files import write_atomic
from .nn import ACTIVATIONS, MLP, Dropout, Layer, Module, Neuron, Sequential

__all__ = [
    "FORMAT",
    "MAX_DEPTH",
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
MAX_DEPTH = 100  #: how deep modules may nest in Sequentials in a checkpoint (the model itself is level 1)

PathArg = Union[str, "os.PathLike[str]"]
Architecture = dict[str, Any]  # JSON values only: str, int, float, bool, lists and dicts of them

_ACTIVATION_NAMES = sorted([*ACTIVATIONS, "prelu"])
_NON_FINITE = {"nan": math.nan, "-nan": math.copysign(math.nan, -1.0), "inf": math.inf, "-inf": -math.inf}
_MODULE_TYPES: dict[str, Any] = {
    "Neuron": Neuron,
    "Layer": Layer,
    "MLP": MLP,
    "Dropout": Dropout,
    "Sequential": Sequential,
}
_REBUILD_SLACK = 10_000  # build an architecture to name its parameters only if it is about the file's size
_MAX_DIGITS = 4300  # Python's default limit on the digits of an int it converts from text (and back)
_MODULE = "a Module (Neuron, Layer, MLP, Dropout or Sequential)"


class CheckpointError(ValueError):
    """A file that is not a loadable checkpoint, or does not fit the model it is loaded into.

    ``path`` is the file (a :class:`~pathlib.Path`); the message names it and says what is wrong.
    """

    def __init__(self, message: str, path: PathArg) -> None:
        checks.instance(message, "CheckpointError", "message", str, "a str")
        self.path = _as_path(path, "CheckpointError")
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # pickling (multiprocessing) rebuilds an exception from its args, which hold only the message
        return type(self), (str(self), self.path)


class _Invalid(Exception):
    """Raised by the file checks; turned into a CheckpointError that names the file."""


class _OutOfRange:
    """A JSON number that fits no field of a checkpoint, kept so that the field's check can name it:
    an integer of more digits than Python converts (it refuses them), or a float beyond ±1.8e308."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def __repr__(self) -> str:  # what the messages show, e.g. "an integer of 5000 digits" or "1e400"
        return self.shown


# ------------------------------------------------------------------ saving
def save(model: Module, path: PathArg) -> Path:
    """Write ``model`` to ``path`` as a JSON checkpoint (see the module docstring); return the path.

    The write is atomic: a temporary file in the same directory is written,
    fsynced and renamed onto ``path`` (an existing file there, whose
    permissions are kept, stays intact until that rename). A symlink at
    ``path`` is followed. Raises ``TypeError`` for what cannot be described
    (a custom activation function, a user-defined Module subclass) and
    ``ValueError`` for what cannot be rebuilt (mixed activations in one Layer,
    shared parameters, modules in different train/eval modes, modules
    nested more than :data:`MAX_DEPTH` levels deep, a Sequential inside itself);
    nothing is written then. A ``model`` that is not a Module, or a ``path``
    that is not a str or ``os.PathLike``, is a ``TypeError``.
    """
    checks.instance(model, "save", "model", Module, _MODULE)
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

    Raises as :func:`save` does for a model that can't be described.
    """
    checks.instance(model, "architecture", "model", Module, _MODULE)
    return _describe(model, "architecture", check_modes=False)


def _describe(model: Module, op: str, check_modes: bool) -> Architecture:
    """The architecture of ``model``: what each of its modules was built with (``Module.config``).

    Saved only if rebuilding it gives the model back: the audit reads what the modules hold now
    and must find exactly that architecture, and the rebuilt model must have the same parameters.
    """
    _check_nesting(model, op)  # first: the walks below recurse once per level of Sequentials
    found = _Audit(op, check_modes, bool(model.training)).module(model, "")
    built = _configuration(model)
    difference = _difference(found, built, "architecture", ("now", "as built"))
    if difference is not None:
        raise ValueError(
            f"{op}: the model has changed since it was built: {difference} (a checkpoint rebuilds each "
            "module from what it was built with; build the model you want to save with those arguments)"
        )
    # Whatever the audit missed (a Value attribute added after construction, reordered
    # attributes) shows up as a difference from the parameters of the rebuilt model.
    ours = [name for name, _ in model.named_parameters()]
    rebuilt = [name for name, _ in _build(built).named_parameters()]
    if ours != rebuilt:
        extra, missing = _diff(ours, rebuilt)
        problem = "in a different order" if not extra and not missing else _listing(extra, missing)
        raise ValueError(
            f"{op}: the model's parameters differ from those its architecture rebuilds: {problem} "
            "(attributes added or removed after construction can't be saved)"
        )
    return built


def _configuration(m: Module) -> Architecture:
    """``{"type": ..., **m.config()}``, with a Sequential's parts described in turn (audited first)."""
    config = m.config()
    if type(m) is Sequential:
        config["layers"] = [_configuration(x) for x in config["layers"]]
    return {"type": type(m).__name__, **config}


class _Audit:
    """What a model's modules hold now, as an architecture, checking on the way that each module
    is one a checkpoint can rebuild: a built-in type, named activations, no shared parameters,
    neurons alike within a layer, one train/eval mode."""

    def __init__(self, op: str, check_modes: bool, mode: bool) -> None:
        self.op, self.check_modes, self.mode = op, check_modes, mode
        self.seen: dict[int, str] = {}  # id(parameter) -> its name, to refuse shared parameters

    def param(self, v: Any, name: str) -> None:
        if not isinstance(v, Value):
            checks.type_error(self.op, f"parameter {name}", "a Value", v)
        if id(v) in self.seen:
            raise ValueError(
                f"{self.op}: parameter {name} is the same Value as {self.seen[id(v)]} (shared weights); a "
                "checkpoint rebuilds every parameter separately, so shared ones can't be saved"
            )
        self.seen[id(v)] = name

    def of_type(self, m: Any, classes: tuple[type, ...], path: str) -> None:
        if type(m) not in classes:
            names = [c.__name__ for c in classes]
            wanted = " or ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} or {names[-1]}"
            got = f"a {type(m).__qualname__}" + (
                ", a user-defined Module subclass" if isinstance(m, Module) else ", not a Module"
            )
            raise TypeError(
                f"{self.op}: {_where(path)} is {got}; only {wanted} modules can be described "
                "(the classes themselves, not subclasses)"
            )
        if self.check_modes and bool(m.training) != self.mode:
            raise ValueError(
                f"{self.op}: mixed train/eval modes: the model is in {_mode(self.mode)} mode but "
                f"{_where(path)} is in {_mode(not self.mode)} mode; call model.train() or "
                "model.eval() first so that the whole model is in one mode"
            )

    def items(self, m: Any, attribute: str, path: str, what: str, empty: bool = False) -> list[Any]:
        """``m.<attribute>``, which must be a list (non-empty unless ``empty``): a module's parts."""
        found = getattr(m, attribute, None)  # None too when a user deleted it: refused just below
        if not isinstance(found, list) or not (found or empty):
            kind = "a list" if empty else "a non-empty list"
            error = TypeError if not isinstance(found, list) else ValueError
            raise error(
                f"{self.op}: {type(m).__name__} {_where(path)} should have {kind} of {what} as its "
                f".{attribute}, got {checks.received(found)}"
            )
        return found

    def neuron(self, n: Any, path: str) -> tuple[int, str, bool]:
        self.of_type(n, (Neuron,), path)
        act = getattr(n, "activation", None)
        if callable(act):
            name = getattr(act, "__name__", None)
            raise TypeError(
                f"{self.op}: neuron {_where(path)} uses a custom activation function "
                f"{name if isinstance(name, str) else checks.short(act)}; only "
                f"named activations can be saved ({', '.join(_ACTIVATION_NAMES)})"
            )
        if not isinstance(act, str) or act not in _ACTIVATION_NAMES:
            raise ValueError(f"{self.op}: neuron {_where(path)} has unknown activation {checks.short(act)}")
        weights = self.items(n, "w", path, "Values")
        for i, w in enumerate(weights):
            self.param(w, _join(path, "w", i))
        b = getattr(n, "b", None)  # None: no bias
        if b is not None:
            self.param(b, _join(path, "b"))
        if act == "prelu":
            self.param(getattr(n, "a", None), _join(path, "a"))
        return len(weights), act, b is not None

    def layer(self, m: Any, path: str) -> tuple[int, int, str, bool]:
        self.of_type(m, (Layer,), path)
        neurons = self.items(m, "neurons", path, "neurons")
        found = [self.neuron(n, _join(path, "neurons", i)) for i, n in enumerate(neurons)]
        for what, k in (("input counts", 0), ("activations", 1), ("bias and no bias", 2)):
            problem = f"{self.op}: layer {_where(path)} mixes {what} across its neurons"
            _same(found, k, problem, "neuron", "a Layer builds all its neurons alike")
        return found[0][0], len(found), found[0][1], found[0][2]

    def module(self, m: Any, path: str) -> Architecture:
        self.of_type(m, tuple(_MODULE_TYPES.values()), path)
        if type(m) is Neuron:
            nin, act, bias = self.neuron(m, path)
            return {"type": "Neuron", "nin": nin, "activation": act, "bias": bias}
        if type(m) is Layer:
            nin, nout, act, bias = self.layer(m, path)
            return {"type": "Layer", "nin": nin, "nout": nout, "activation": act, "bias": bias}
        if type(m) is Dropout:
            return {"type": "Dropout", "p": _probability(getattr(m, "p", None), self.op, path)}
        if type(m) is Sequential:
            parts = self.items(m, "layers", path, "modules", empty=True)
            return {
                "type": "Sequential",
                "layers": [self.module(x, _join(path, "layers", i)) for i, x in enumerate(parts)],
            }
        return self.mlp(m, path)

    def mlp(self, m: MLP, path: str) -> Architecture:
        where = f"{self.op}: MLP {_where(path)}"
        layers = self.items(m, "layers", path, "Layers")
        found = [self.layer(x, _join(path, "layers", i)) for i, x in enumerate(layers)]
        for i in range(len(found) - 1):
            if found[i][1] != found[i + 1][0]:
                raise ValueError(
                    f"{where}: layer {i} has {found[i][1]} outputs but layer {i + 1} takes "
                    f"{found[i + 1][0]} inputs"
                )
        hidden = f"MLP {_where(path)} uses one activation for every hidden layer; use a Sequential of Layers"
        _same(found[:-1], 2, f"{where} mixes activations across its hidden layers", "layer", hidden)
        alike = "an MLP builds all its layers alike"
        _same(found, 3, f"{where} mixes bias and no bias across its layers", "layer", alike)
        p = self.dropout(m, path, len(found) - 1)
        return {
            "type": "MLP",
            "nin": found[0][0],
            "nouts": [f[1] for f in found],
            # a one-layer MLP has no hidden layer to read it from: what it was built with
            "activation": found[0][2] if len(found) > 1 else m.config()["activation"],
            "output_activation": found[-1][2],
            "bias": found[0][3],
            "dropout": p,
        }

    def dropout(self, m: MLP, path: str, hidden: int) -> float:
        """The p of an MLP's Dropout modules, one after each of its ``hidden`` layers (0.0 for none)."""
        drops = getattr(m, "dropout", None)
        if not isinstance(drops, list) or len(drops) not in (0, hidden):
            raise ValueError(
                f"{self.op}: MLP {_where(path)} should have 0 or {hidden} Dropout modules "
                f"(one after each hidden layer), got {checks.received(drops)}"
            )
        ps = []
        for i, d in enumerate(drops):
            self.of_type(d, (Dropout,), _join(path, "dropout", i))
            ps.append((_probability(getattr(d, "p", None), self.op, _join(path, "dropout", i)),))
        problem = f"{self.op}: MLP {_where(path)} has different dropout probabilities"
        _same(ps, 0, problem, "dropout", "an MLP uses one p after every hidden layer")
        return ps[0][0] if ps else 0.0


def _check_nesting(model: Module, op: str) -> None:
    """Refuse modules nested more than MAX_DEPTH levels deep in Sequentials, or a Sequential in itself.

    Iterative (the point is to avoid deep recursion), depth first, with each module's height
    (1 + its tallest part's for a Sequential, 1 for any other module) computed once, however
    often the module is shared: Sequential(s, s) nested n times has 2**n paths but n modules.
    """
    height: dict[int, int] = {}  # id(module) -> its height, once known
    open_: set[int] = set()  # the Sequentials on the current path from the model down
    stack: list[tuple[Any, bool]] = [(model, False)]  # (module, all its parts are done)
    while stack:
        m, done = stack.pop()
        parts = getattr(m, "layers", None) if type(m) is Sequential else None
        parts = parts if isinstance(parts, list) else []  # anything else: _describe says what is wrong
        if done:
            open_.discard(id(m))
            height[id(m)] = 1 + max((height[id(x)] for x in parts), default=0)
            if height[id(m)] > MAX_DEPTH:
                raise ValueError(
                    f"{op}: the model nests modules more than {MAX_DEPTH} levels deep in Sequentials "
                    "(the model itself is level 1, the parts of a Sequential one level below it); a "
                    f"checkpoint holds at most {MAX_DEPTH} levels, so that a model's repr and forward pass, "
                    "which recurse through them, stay well inside Python's recursion limit"
                )
        elif id(m) in open_:
            raise ValueError(f"{op}: the model contains itself: a Sequential is one of its own parts")
        elif id(m) not in height:
            open_.add(id(m))
            stack.append((m, True))
            stack.extend((x, False) for x in reversed(parts))


def _same(found: list[Any], k: int, problem: str, item: str, why: str) -> None:
    """Raise ValueError if the k-th field of ``found`` (one tuple per item) is not the same throughout."""
    for i, f in enumerate(found):
        if f[k] != found[0][k]:
            raise ValueError(f"{problem}: {item} 0 has {found[0][k]!r} but {item} {i} has {f[k]!r}; {why}")


def _probability(p: Any, op: str, path: str) -> float:
    return checks.real(p, op, f"the p of dropout {_where(path)}", low=0.0, high=1.0)


def _encode(x: Any, name: str) -> Union[float, str]:
    """A parameter's float as JSON: itself if finite, else "nan", "-nan", "inf" or "-inf"."""
    f = checks.as_float(x, "save", f"parameter {name}")
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

    Raises ``FileNotFoundError`` naming the path if there is no file
    (``IsADirectoryError`` if it is a directory), and
    :class:`CheckpointError` (a ``ValueError``) naming the file and the problem
    if it is empty, truncated, not JSON, not a checkpoint, of an unsupported
    version, or inconsistent (unknown module type or activation, missing,
    extra or non-numeric parameters, a field of the wrong kind, a number
    beyond the range of a float or an integer of more than 4300 digits).
    Modules may nest at most :data:`MAX_DEPTH` = 100 levels deep in
    Sequentials (the model itself is level 1, the parts of a Sequential one
    level below it), so that the model's ``repr`` and forward pass, which
    recurse through the levels, stay well inside Python's recursion limit; a
    deeper file, or JSON nested deeper than Python's parser goes, is a
    :class:`CheckpointError` too. A ``path`` that is not a str or
    ``os.PathLike`` is a ``TypeError``.
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
    and (for a model that can't be described) :func:`save`; the model is
    checked before the file is read.
    """
    checks.instance(model, "load_parameters", "model", Module, _MODULE)
    p = _as_path(path, "load_parameters")
    ours = _describe(model, "load_parameters", check_modes=False)
    ckpt = _read(p, "load_parameters")
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
    except IsADirectoryError:
        raise IsADirectoryError(errno.EISDIR, f"{op}: a directory, not a checkpoint file", str(p)) from None
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
        doc = json.loads(
            text, object_pairs_hook=_object, parse_constant=_constant, parse_float=_float, parse_int=_int
        )
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
        found = (
            f"its format is {checks.short(doc['format'])}" if "format" in doc else 'it has no "format" field'
        )
        raise _Invalid(f'is JSON but not a tinygrad_edu checkpoint: {found} (expected "format": "{FORMAT}")')
    version = doc.get("version")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        found = f"version {checks.short(version)}"
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
        raise _Invalid(f'has "training": {checks.short(doc["training"])}; expected true or false')
    _check_architecture(doc["architecture"], "architecture", 1)
    stored = doc["parameters"]
    if not isinstance(stored, dict):
        raise _Invalid(f'has "parameters" that is {_kind(stored)}, not an object of name: number')
    parameters = {name: _decode(v, name) for name, v in stored.items()}
    expected = _count(doc["architecture"])
    if expected != len(parameters) and expected > len(parameters) + _REBUILD_SLACK:
        raise _Invalid(
            f"does not fit together: its architecture has {_amount(expected)} parameters but the file "
            f"stores {len(parameters)}"
        )
    return _Checkpoint(doc["training"], doc["architecture"], parameters)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing duplicate keys (json would keep the last one silently)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Invalid(f"is corrupt: the key {checks.short(k)} appears twice in one JSON object")
        out[k] = v
    return out


def _constant(name: str) -> NoReturn:
    raise _Invalid(
        f'is not strict JSON: it contains {name}; non-finite parameters are written "nan", '
        '"-nan", "inf" or "-inf"'
    )


def _float(text: str) -> Union[float, _OutOfRange]:
    """A JSON number with a fraction or exponent; beyond ±1.8e308 it is kept as text for the message."""
    x = float(text)
    if math.isfinite(x):
        return x
    return _OutOfRange(text if len(text) <= 30 else f"{text[:24]}... ({len(text)} characters)")


def _int(text: str) -> Union[int, _OutOfRange]:
    """A JSON integer. Python refuses to convert more than 4300 digits (a guard against slow
    quadratic conversion), and no field of a checkpoint needs that many: count them instead."""
    digits = len(text.lstrip("-"))
    if digits <= _MAX_DIGITS:
        try:
            return int(text)
        except ValueError:  # a lower limit, set with sys.set_int_max_str_digits
            pass
    return _OutOfRange(f"an integer of {digits} digits")


def _decode(v: Any, name: str) -> float:
    """A stored parameter as a float: a JSON number, or one of the strings for non-finite values."""
    if isinstance(v, float):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        try:
            return float(v)  # the nearest float, as for 1.0e20
        except OverflowError:
            pass
    if isinstance(v, (int, _OutOfRange)) and not isinstance(v, bool):
        raise _Invalid(
            f"has parameter {checks.short(name)} = {checks.short(v)}, which is beyond the range of a "
            "float (|x| < 1.8e308)"
        )
    if isinstance(v, str) and v in _NON_FINITE:
        return _NON_FINITE[v]
    shown = f"the string {checks.short(v)}" if isinstance(v, str) else _kind(v)
    raise _Invalid(
        f"has parameter {checks.short(name)} that is {shown}, not a number (non-finite values are written "
        '"nan", "-nan", "inf" or "-inf")'
    )


def _size(v: Any) -> Optional[str]:
    if type(v) is int and 1 <= v <= sys.maxsize:
        return None
    if type(v) is int and v > sys.maxsize:  # a size is a list's length: no list is longer
        return f"should be a positive integer at most {sys.maxsize} (sys.maxsize), got {checks.short(v)}"
    return f"should be a positive integer, got {checks.short(v)}"


def _sizes(v: Any) -> Optional[str]:
    expected = "should be a non-empty list of positive integers"
    if not isinstance(v, list) or not v:
        return f"{expected}, got {checks.short(v)}"
    for i, x in enumerate(v):
        problem = _size(x)
        if problem is not None:
            return f"{expected}, but its item {i} {problem}"
    return None


def _activation(v: Any) -> Optional[str]:
    if isinstance(v, str) and v in _ACTIVATION_NAMES:
        return None
    return f"is an unknown activation {checks.short(v)}; known: {', '.join(_ACTIVATION_NAMES)}"


def _flag(v: Any) -> Optional[str]:
    return None if isinstance(v, bool) else f"should be true or false, got {checks.short(v)}"


def _p(v: Any) -> Optional[str]:
    ok = type(v) in (int, float) and 0.0 <= v <= 1.0
    return None if ok else f"should be a probability in [0, 1], got {checks.short(v)}"


def _modules(v: Any) -> Optional[str]:
    return None if isinstance(v, list) else f"should be a list of module architectures, got {checks.short(v)}"


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


def _check_architecture(arch: Any, where: str, level: int) -> None:
    """Check a module's architecture and (a Sequential's) those of its parts; the model is level 1."""
    if level > MAX_DEPTH:
        raise _Invalid(
            f"has modules nested more than {MAX_DEPTH} levels deep in Sequentials (the model itself is "
            f"level 1), first at {_deep(where)}; load reads at most {MAX_DEPTH} levels, so that the "
            "model's repr and forward pass, which recurse through them, stay well inside Python's "
            "recursion limit"
        )
    if not isinstance(arch, dict):
        raise _Invalid(f"has {where} that is {_kind(arch)}, not an object describing a module")
    kind = arch.get("type")
    if not isinstance(kind, str) or kind not in _FIELDS:  # a list or an object can't even be looked up
        found = f"unknown module type {checks.short(kind)}" if "type" in arch else 'no "type"'
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
            _check_architecture(sub, f"{where}.layers[{i}]", level + 1)


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
    """A fresh module with this (checked) architecture: each module's constructor called with the
    arguments it was built with. Zero init: no draws from any generator."""
    kind, args = arch["type"], {k: v for k, v in arch.items() if k != "type"}
    if kind == "Sequential":
        return Sequential(*[_build(a) for a in args["layers"]])
    if kind == "Dropout":
        return Dropout(**args)
    built: Module = _MODULE_TYPES[kind](**args, init="zeros")
    return built


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


def _difference(
    ours: Any, theirs: Any, where: str, sides: tuple[str, str] = ("in the model", "in the file")
) -> Optional[str]:
    """The first difference between two architectures, in words; None if they are equal."""
    a, b = sides
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if ours["type"] != theirs["type"]:
            return f"{where} is a {ours['type']} {a} but a {theirs['type']} {b}"
        for k in ours:
            found = _difference(ours[k], theirs.get(k), f"{where}.{k}", sides)
            if found is not None:
                return found
        return None
    if isinstance(ours, list) and any(isinstance(x, dict) for x in [*ours, *theirs]):  # Sequential.layers
        if len(ours) != len(theirs):
            return f"{where} has {len(ours)} modules {a} but {len(theirs)} {b}"
        found_all = (_difference(x, y, f"{where}[{i}]", sides) for i, (x, y) in enumerate(zip(ours, theirs)))
        return next((f for f in found_all if f is not None), None)
    if ours != theirs:
        label = _LABELS.get(where.rsplit(".", 1)[-1], "")
        return f"{where}{label} is {checks.short(ours)} {a} but {checks.short(theirs)} {b}"
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
    """A file path argument as a Path: a TypeError for anything but a str or os.PathLike of str, a
    ValueError for a path no file can have (empty, a NUL character, not encodable)."""
    expected = "a str or os.PathLike of str"
    text = path
    if isinstance(path, os.PathLike):
        try:
            text = os.fspath(path)
        except TypeError:  # its __fspath__ returned neither str nor bytes
            checks.type_error(op, "path", expected, path)
    if not isinstance(text, str):
        checks.type_error(op, "path", expected, path)
    if not text:
        checks.value_error(op, "path", "a non-empty file path", path)
    if "\0" in text:
        checks.value_error(op, "path", "a file path without NUL characters", path)
    try:
        os.fsencode(text)
    except UnicodeError:  # e.g. a lone surrogate that the file system's encoding refuses
        checks.value_error(op, "path", "a file path the file system's encoding can write", path)
    return Path(text)


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


def _amount(n: int) -> str:
    """An integer in words, safely: a count from a hostile file can have thousands of digits."""
    if n.bit_length() <= 64:
        return str(n)
    return f"about 10^{int(n.bit_length() * math.log10(2))}"


def _deep(where: str) -> str:
    """A long path into the architecture, shortened to its ends."""
    return where if len(where) <= 80 else f"{where[:40]}...{where[-30:]}"


def _listing(extra: list[str], missing: list[str], item: str = "parameter") -> str:
    def some(names: list[str]) -> str:
        shown = ", ".join(checks.short(n) for n in names[:5])
        return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")

    parts = [
        f"missing {item}s {some(missing)}" if missing else "",
        f"unexpected {item}s {some(extra)}" if extra else "",
    ]
    return "; ".join(x for x in parts if x)
