"""The checkpoint file: JSON in, checked field by field, and floats out, exactly.

:func:`read` parses a file and checks everything in it but the parameter names (which need
the model); any problem is a :class:`CheckpointError` naming the file and the field.
:func:`encode` writes one parameter's float, non-finite ones as strings.
"""

from __future__ import annotations

import errno
import json
import math
import os
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, Union

from .. import checks
from .architecture import MAX_DEPTH, listing
from .registry import (
    SELF_DESCRIBED,
    Architecture,
    Check,
    activation,
    module_list,
    positive_size,
    probability,
    sizes,
    true_or_false,
)

FORMAT = "tinygrad_edu.checkpoint"  #: the marker every checkpoint carries in its "format" field
VERSION = 2  #: the version ``save`` writes (2 added "buffers": BatchNorm's running statistics)
SUPPORTED_VERSIONS = (1, 2)  #: the versions ``load`` reads
_KEYS = {  # the keys of a checkpoint of each version, in the order save writes them
    1: ["format", "version", "training", "architecture", "parameters"],
    2: ["format", "version", "training", "architecture", "parameters", "buffers"],
}

PathArg = Union[str, "os.PathLike[str]"]

_NON_FINITE = {"nan": math.nan, "-nan": math.copysign(math.nan, -1.0), "inf": math.inf, "-inf": -math.inf}
REBUILD_SLACK = 10_000  # build an architecture to name its parameters only if it is about the file's size
_MAX_DIGITS = 4300  # Python's default limit on the digits of an int it converts from text (and back)


class CheckpointError(ValueError):
    """A file that is not a loadable checkpoint, or does not fit the model it is loaded into.

    ``path`` is the file (a :class:`~pathlib.Path`); the message names it and says what is wrong.
    """

    def __init__(self, message: str, path: PathArg) -> None:
        checks.instance(message, "CheckpointError", "message", str, "a str")
        self.path = checks.file_path(path, "CheckpointError")
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # pickling (multiprocessing) rebuilds an exception from its args, which hold only the message
        return type(self), (str(self), self.path)


class Invalid(Exception):
    """Raised by the file checks; turned into a CheckpointError that names the file."""


class _OutOfRange:
    """A JSON number that fits no field of a checkpoint, kept so that the field's check can name it:
    an integer of more digits than Python converts (it refuses them), or a float beyond ±1.8e308."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def __repr__(self) -> str:  # what the messages show, e.g. "an integer of 5000 digits" or "1e400"
        return self.shown


def encode(x: Any, name: str, kind: str = "parameter") -> Union[float, str]:
    """A parameter's (or a buffer's) float as JSON: itself if finite, else "nan", "-nan", "inf" or "-inf"."""
    f = checks.as_float(x, "save", f"{kind} {name}")
    if math.isfinite(f):
        return f
    if math.isnan(f):
        return "-nan" if math.copysign(1.0, f) < 0 else "nan"
    return "inf" if f > 0 else "-inf"


class Checkpoint(NamedTuple):
    training: bool
    architecture: Architecture
    parameters: dict[str, float]
    buffers: dict[str, Union[float, int]]  # a count stays an int; version 1 has none


def read(p: Path, op: str) -> Checkpoint:
    """Parse and check the file at ``p``: everything but the parameter names."""
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"{op}: no checkpoint file", str(p)) from None
    except IsADirectoryError:
        raise IsADirectoryError(errno.EISDIR, f"{op}: a directory, not a checkpoint file", str(p)) from None
    try:
        return _parse(raw)
    except Invalid as e:
        raise CheckpointError(f"{op}: {str(p)!r} {e}", p) from None


def _parse(raw: bytes) -> Checkpoint:
    if not raw.strip():
        raise Invalid("is empty, not a checkpoint" if not raw else "holds only whitespace, not a checkpoint")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Invalid(
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
        raise Invalid(f"{what} ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise Invalid("is not a checkpoint: its JSON is nested too deeply") from None

    if not isinstance(doc, dict):
        raise Invalid(
            f"is JSON but not a checkpoint: it holds {json_kind(doc)}, "
            f'not an object with "format": "{FORMAT}"'
        )
    if doc.get("format") != FORMAT:
        found = (
            f"its format is {checks.short(doc['format'])}" if "format" in doc else 'it has no "format" field'
        )
        raise Invalid(f'is JSON but not a tinygrad_edu checkpoint: {found} (expected "format": "{FORMAT}")')
    version = doc.get("version")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        found = f"version {checks.short(version)}"
        if isinstance(version, str):
            found += " (a string; versions are integers)"
        if "version" not in doc:
            found = 'no "version" field'
        supported = " and ".join(map(str, SUPPORTED_VERSIONS))
        raise Invalid(f"has {found}, but this tinygrad_edu reads checkpoint versions {supported} only")
    keys = _KEYS[version]
    missing, extra = [k for k in keys if k not in doc], [k for k in doc if k not in keys]
    if missing or extra:
        raise Invalid(f"is not a valid version-{version} checkpoint: {listing(extra, missing, 'key')}")
    if not isinstance(doc["training"], bool):
        raise Invalid(f'has "training": {checks.short(doc["training"])}; expected true or false')
    check_architecture(doc["architecture"], "architecture", 1)
    parameters = _numbers(doc, "parameters", count_parameters(doc["architecture"]))
    buffers = _numbers(doc, "buffers", count_buffers(doc["architecture"])) if version >= 2 else {}
    return Checkpoint(doc["training"], doc["architecture"], parameters, buffers)


def _numbers(doc: dict[str, Any], key: str, expected: int) -> dict[str, Any]:
    """The "parameters" (or "buffers") object of a checkpoint, decoded, if it is about the size that
    the architecture says: building a huge model to name its numbers would take the memory first."""
    stored = doc[key]
    if not isinstance(stored, dict):
        raise Invalid(f'has "{key}" that is {json_kind(stored)}, not an object of name: number')
    kind = key[:-1]  # "parameter" or "buffer"
    found = {name: _decode(v, name, kind, keep_int=key == "buffers") for name, v in stored.items()}
    if expected != len(found) and expected > len(found) + REBUILD_SLACK:
        raise Invalid(
            f"does not fit together: its architecture has {amount(expected)} {key} but the file "
            f"stores {len(found)}"
        )
    return found


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing duplicate keys (json would keep the last one silently)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise Invalid(f"is corrupt: the key {checks.short(k)} appears twice in one JSON object")
        out[k] = v
    return out


def _constant(name: str) -> NoReturn:
    raise Invalid(
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


def _decode(v: Any, name: str, kind: str = "parameter", keep_int: bool = False) -> Any:
    """A stored parameter as a float: a JSON number, or one of the strings for non-finite values.
    With ``keep_int`` (buffers, where a count such as num_batches_tracked is an integer) a JSON
    integer stays an int."""
    if isinstance(v, float):
        return v
    if keep_int and type(v) is int:
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        try:
            return float(v)  # the nearest float, as for 1.0e20
        except OverflowError:
            pass
    if isinstance(v, (int, _OutOfRange)) and not isinstance(v, bool):
        raise Invalid(
            f"has {kind} {checks.short(name)} = {checks.short(v)}, which is beyond the range of a "
            "float (|x| < 1.8e308)"
        )
    if isinstance(v, str) and v in _NON_FINITE:
        return _NON_FINITE[v]
    shown = f"the string {checks.short(v)}" if isinstance(v, str) else json_kind(v)
    raise Invalid(
        f"has {kind} {checks.short(name)} that is {shown}, not a number (non-finite values are written "
        '"nan", "-nan", "inf" or "-inf")'
    )


_FIELDS: dict[str, dict[str, Check]] = {
    "Neuron": {"nin": positive_size, "activation": activation, "bias": true_or_false},
    "Layer": {"nin": positive_size, "nout": positive_size, "activation": activation, "bias": true_or_false},
    "MLP": {
        "nin": positive_size,
        "nouts": sizes,
        "activation": activation,
        "output_activation": activation,
        "bias": true_or_false,
        "dropout": probability,
    },
    "Dropout": {"p": probability},
    "Sequential": {"layers": module_list},
}  # and those of the registry's types (BatchNorm, ...): their config()


def check_architecture(arch: Any, where: str, level: int) -> None:
    """Check a module's architecture and (a Sequential's) those of its parts; the model is level 1."""
    if level > MAX_DEPTH:
        raise Invalid(
            f"has modules nested more than {MAX_DEPTH} levels deep in Sequentials (the model itself is "
            f"level 1), first at {_deep(where)}; load reads at most {MAX_DEPTH} levels, so that the "
            "model's repr and forward pass, which recurse through them, stay well inside Python's "
            "recursion limit"
        )
    if not isinstance(arch, dict):
        raise Invalid(f"has {where} that is {json_kind(arch)}, not an object describing a module")
    kind = arch.get("type")
    known = {**_FIELDS, **{name: t.fields for name, t in SELF_DESCRIBED.items()}}
    if not isinstance(kind, str) or kind not in known:  # a list or an object can't even be looked up
        found = f"unknown module type {checks.short(kind)}" if "type" in arch else 'no "type"'
        raise Invalid(f"has {where} with {found}; known: {', '.join(sorted(known))}")
    fields = known[kind]
    missing = [k for k in fields if k not in arch]
    extra = [k for k in arch if k != "type" and k not in fields]
    if missing or extra:
        raise Invalid(f"has {where} (a {kind}) with {listing(extra, missing, 'field')}")
    for k, check in fields.items():
        problem = check(arch[k])
        if problem is not None:
            raise Invalid(f"has {where}.{k} that {problem}")
    if kind == "Sequential":
        for i, sub in enumerate(arch["layers"]):
            check_architecture(sub, f"{where}.layers[{i}]", level + 1)


def count_parameters(arch: Architecture) -> int:
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
        return sum(count_parameters(a) for a in arch["layers"])
    if kind in SELF_DESCRIBED:
        return SELF_DESCRIBED[kind].parameters(arch)
    return 0  # Dropout


def count_buffers(arch: Architecture) -> int:
    """How many buffer numbers (BatchNorm's running statistics) a (checked) architecture has."""
    kind = arch["type"]
    if kind == "Sequential":
        return sum(count_buffers(a) for a in arch["layers"])
    return SELF_DESCRIBED[kind].buffers(arch) if kind in SELF_DESCRIBED else 0


def json_kind(v: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(v), "a number")


def amount(n: int) -> str:
    """An integer in words, safely: a count from a hostile file can have thousands of digits."""
    if n.bit_length() <= 64:
        return str(n)
    return f"about 10^{int(n.bit_length() * math.log10(2))}"


def _deep(where: str) -> str:
    """A long path into the architecture, shortened to its ends."""
    return where if len(where) <= 80 else f"{where[:40]}...{where[-30:]}"
