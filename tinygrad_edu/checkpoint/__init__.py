"""Model checkpoints: save a model to a human-readable JSON file and load it back, exactly.

A checkpoint holds what is needed to rebuild the model and nothing else: the
architecture (each module's type and the arguments it was built with, which
every module records: :meth:`~tinygrad_edu.nn.Module.config`), every
parameter under its :meth:`~tinygrad_edu.nn.Module.named_parameters` name,
and every buffer — state that is not a parameter, such as BatchNorm's running
mean and variance — under its :meth:`~tinygrad_edu.nn.Module.named_buffers`
name. Floats are written with ``repr``, which round-trips bit for bit (−0.0,
subnormals, 1.7976931348623157e+308), so a loaded model computes exactly the
same outputs as the saved one. JSON has no nan or inf, so those are written as
the strings ``"nan"``, ``"-nan"`` (a nan with its sign bit set), ``"inf"`` and
``"-inf"``; a nan's payload bits are not kept. Version 2 of the format::

    {
      "format": "tinygrad_edu.checkpoint",
      "version": 2,
      "training": false,
      "architecture": {
        "type": "Sequential", "layers": [
          {"type": "Layer", "nin": 2, "nout": 3, "activation": "tanh", "bias": true},
          {"type": "BatchNorm", "num_features": 3, "eps": 1e-05, "momentum": 0.1,
           "affine": true, "track_running_stats": true},
          {"type": "Layer", "nin": 3, "nout": 1, "activation": "linear", "bias": true}
        ]
      },
      "parameters": {
        "layers.0.neurons.0.w.0": -0.6520463310297735,
        "layers.0.neurons.0.w.1": "nan",
        "layers.0.neurons.0.b": 0.0,
        ...
        "layers.1.gamma.0": 1.0,
        ...
      },
      "buffers": {
        "layers.1.running_mean.0": 0.0123,
        ...
        "layers.1.running_var.2": 0.9876,
        "layers.1.num_batches_tracked": 12
      }
    }

(``save`` writes one field per line, indented by 2.) ``"buffers"`` holds
numbers as ``"parameters"`` does, except that a count (``num_batches_tracked``)
is an integer; it is ``{}`` for a model without BatchNorm. Version 1 is the
same without ``"buffers"``: ``load`` reads both, ``save`` writes version 2.
The architectures are ``{"type": "Neuron", "nin", "activation", "bias"}``,
``{"type": "Layer", "nin", "nout", "activation", "bias"}``, ``{"type": "MLP",
"nin", "nouts", "activation", "output_activation", "bias", "dropout"}``,
``{"type": "Dropout", "p"}``, ``{"type": "BatchNorm", "num_features", "eps",
"momentum", "affine", "track_running_stats"}`` (``momentum`` null for the
cumulative average) and ``{"type": "Sequential", "layers": [architecture, ...]}``.
An MLP's ``dropout`` is the p of its Dropout modules (0.0 when it has none,
which includes every one-layer MLP); a one-layer MLP's hidden
``activation`` is unused and written as the one it was built with.

A module type whose ``config()`` describes it, whose parameters
``named_parameters()`` finds and whose buffers ``named_buffers()`` finds
(BatchNorm) joins checkpoints with one entry in
:data:`~tinygrad_edu.checkpoint.registry.SELF_DESCRIBED`: its class, a check
for each field of its architecture, and how many parameters and buffers an
architecture has.

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

import json
import os
from pathlib import Path
from typing import Any

from .. import checks
from ..files import write_atomic
from ..nn import Module
from .architecture import MAX_DEPTH, build, describe, diff, first_difference, listing
from .fileformat import (
    FORMAT,
    SUPPORTED_VERSIONS,
    VERSION,
    Checkpoint,
    CheckpointError,
    PathArg,
    encode,
    read,
)
from .registry import Architecture

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

_MODULE = "a Module (Neuron, Layer, MLP, Dropout, BatchNorm or Sequential)"


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
    p = checks.file_path(path, "save")
    arch = describe(model, "save", check_modes=True)
    parameters = {name: encode(v.data, name) for name, v in model.named_parameters()}
    buffers = {  # a count (num_batches_tracked) is written as the integer it is
        name: v if type(v) is int else encode(v, name, "buffer") for name, v in model.named_buffers()
    }
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "training": bool(model.training),
        "architecture": arch,
        "parameters": parameters,
        "buffers": buffers,
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
    return describe(model, "architecture", check_modes=False)


def load(path: PathArg) -> Module:
    """The model saved at ``path``: rebuilt from its architecture, with its parameters, buffers and mode.

    Raises ``FileNotFoundError`` naming the path if there is no file
    (``IsADirectoryError`` if it is a directory), and
    :class:`CheckpointError` (a ``ValueError``) naming the file and the problem
    if it is empty, truncated, not JSON, not a checkpoint, of an unsupported
    version, or inconsistent (unknown module type or activation, missing,
    extra or non-numeric parameters or buffers, a count that is not an
    integer, a field of the wrong kind, a number beyond the range of a float
    or an integer of more than 4300 digits).
    Modules may nest at most :data:`MAX_DEPTH` = 100 levels deep in
    Sequentials (the model itself is level 1, the parts of a Sequential one
    level below it), so that the model's ``repr`` and forward pass, which
    recurse through the levels, stay well inside Python's recursion limit; a
    deeper file, or JSON nested deeper than Python's parser goes, is a
    :class:`CheckpointError` too. A ``path`` that is not a str or
    ``os.PathLike`` is a ``TypeError``.
    """
    p = checks.file_path(path, "load")
    ckpt = read(p, "load")
    model = build(ckpt.architecture)
    _assign(model, ckpt, p, "load")
    model.train(ckpt.training)
    return model


def load_parameters(model: Module, path: PathArg) -> None:
    """Set the parameters (and buffers) of ``model`` to those saved at ``path``; its architecture must match.

    Only the parameters' ``data`` and the buffers (BatchNorm's running
    statistics) change: not the gradients or labels, nor the model's train/eval
    mode. The whole file is checked first, so on any error the model is left
    untouched. A :class:`CheckpointError` names the
    first difference, e.g. ``architecture.nouts (layer sizes) is [8, 1] in the
    model but [16, 16, 1] in the file``. Other errors are as for :func:`load`
    and (for a model that can't be described) :func:`save`; the model is
    checked before the file is read.
    """
    checks.instance(model, "load_parameters", "model", Module, _MODULE)
    p = checks.file_path(path, "load_parameters")
    ours = describe(model, "load_parameters", check_modes=False)
    ckpt = read(p, "load_parameters")
    difference = first_difference(ours, ckpt.architecture, "architecture")
    if difference is not None:
        raise CheckpointError(
            f"load_parameters: the model does not match the checkpoint {str(p)!r}: {difference}", p
        )
    _assign(model, ckpt, p, "load_parameters")


def _assign(model: Module, ckpt: Checkpoint, p: Path, op: str) -> None:
    """Check that the file has exactly the model's parameters and buffers, then set each one."""
    params = model.named_parameters()
    _same_names([name for name, _ in params], ckpt.parameters, "parameter", p, op)
    buffers = model.named_buffers()
    _same_names([name for name, _ in buffers], ckpt.buffers, "buffer", p, op)
    values: dict[str, float] = {}
    for name, old in buffers:
        values[name] = _buffer(ckpt.buffers[name], isinstance(old, int), name, p, op)
    for name, v in params:
        v.data = ckpt.parameters[name]
    model.load_buffers(values)


def _same_names(names: list[str], stored: dict[str, Any], item: str, p: Path, op: str) -> None:
    extra, missing = diff(list(stored), names)
    if extra or missing:
        raise CheckpointError(
            f"{op}: {str(p)!r} does not fit together: its architecture has {len(names)} "
            f"{item}s and the file stores {len(stored)}: {listing(extra, missing, item)}",
            p,
        )


def _buffer(v: Any, count: bool, name: str, p: Path, op: str) -> Any:
    """A stored buffer as the model holds it: an integer ≥ 0 for a count, else a float."""
    if count and not (type(v) is int and v >= 0):
        raise CheckpointError(
            f"{op}: {str(p)!r} has buffer {name!r} = {checks.short(v)}, not a count >= 0", p
        )
    if count or type(v) is float:
        return v
    try:
        return float(v)  # an integer where the model holds a float: the nearest float
    except OverflowError:
        raise CheckpointError(
            f"{op}: {str(p)!r} has buffer {name!r} = {checks.short(v)}, which is beyond the range of a "
            "float (|x| < 1.8e308)",
            p,
        ) from None
