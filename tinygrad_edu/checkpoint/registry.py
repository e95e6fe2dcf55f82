"""The module types a checkpoint knows, and the checks of their architectures' fields.

Neuron, Layer, MLP, Dropout and Sequential are audited field by field in
:mod:`.architecture` (what their neurons and layers hold now must be what they
were built with). Every other type is *self-described*: its :meth:`config`
is its architecture, its parameters are those :meth:`named_parameters` finds
and its buffers those :meth:`named_buffers` finds; rebuilding it calls its
constructor with the config. Adding such a type to checkpoints is one entry
in :data:`SELF_DESCRIBED`: the class, a check for each config field (the file
is checked before anything is built), and how many parameters and buffers an
architecture has (so that a hostile file cannot make ``load`` build a huge
model before it finds that the file does not hold its numbers).
"""

from __future__ import annotations

import math
import sys
from typing import Any, Callable, NamedTuple, Optional

from .. import checks
from ..nn import BatchNorm, Conv1d, Conv2d, Flatten, Module
from ..nn.activations import ACTIVATION_NAMES

Architecture = dict[str, Any]  # JSON values only: str, int, float, bool, None, lists and dicts of them
Check = Callable[[Any], Optional[str]]  # a field's JSON value -> None if fine, else what is wrong


# ------------------------------------------------------------------ field checks
def positive_size(v: Any) -> Optional[str]:
    if type(v) is int and 1 <= v <= sys.maxsize:
        return None
    if type(v) is int and v > sys.maxsize:  # a size is a list's length: no list is longer
        return f"should be a positive integer at most {sys.maxsize} (sys.maxsize), got {checks.short(v)}"
    return f"should be a positive integer, got {checks.short(v)}"


def sizes(v: Any) -> Optional[str]:
    expected = "should be a non-empty list of positive integers"
    if not isinstance(v, list) or not v:
        return f"{expected}, got {checks.short(v)}"
    for i, x in enumerate(v):
        problem = positive_size(x)
        if problem is not None:
            return f"{expected}, but its item {i} {problem}"
    return None


def activation(v: Any) -> Optional[str]:
    if isinstance(v, str) and v in ACTIVATION_NAMES:
        return None
    return f"is an unknown activation {checks.short(v)}; known: {', '.join(ACTIVATION_NAMES)}"


def true_or_false(v: Any) -> Optional[str]:
    return None if isinstance(v, bool) else f"should be true or false, got {checks.short(v)}"


def probability(v: Any) -> Optional[str]:
    ok = type(v) in (int, float) and 0.0 <= v <= 1.0
    return None if ok else f"should be a probability in [0, 1], got {checks.short(v)}"


def probability_or_null(v: Any) -> Optional[str]:
    if v is None or probability(v) is None:
        return None
    return f"should be null or a probability in [0, 1], got {checks.short(v)}"


def positive_number(v: Any) -> Optional[str]:
    ok = type(v) in (int, float) and 0.0 < v and math.isfinite(v)
    return None if ok else f"should be a finite number > 0, got {checks.short(v)}"


def size_or_zero(v: Any) -> Optional[str]:
    if type(v) is int and 0 <= v <= sys.maxsize:
        return None
    return f"should be an integer >= 0, got {checks.short(v)}"


def pair_of(check: Check) -> Check:
    """A check of a [height, width] pair whose items pass ``check`` (Conv2d's kernel, stride, padding)."""

    def pair(v: Any) -> Optional[str]:
        if not isinstance(v, list) or len(v) != 2:
            return f"should be a pair [height, width], got {checks.short(v)}"
        problems = [p for p in map(check, v) if p is not None]
        return (
            f"should be a pair [height, width] whose items are fine, but an item {problems[0]}"
            if problems
            else None
        )

    return pair


def conv_activation(v: Any) -> Optional[str]:
    if v == "prelu":  # a slope per channel is not what the convolutions offer
        return "is 'prelu', which convolutions do not take"
    return activation(v)


def module_list(v: Any) -> Optional[str]:
    return None if isinstance(v, list) else f"should be a list of module architectures, got {checks.short(v)}"


# ------------------------------------------------------------------ the registry
class ModuleType(NamedTuple):
    """What a checkpoint needs to know of a self-described module type."""

    cls: type[Module]
    fields: dict[str, Check]  # each config() field, and the check of its value in a file
    parameters: Callable[[Architecture], int]  # how many a (checked) architecture has, without building it
    buffers: Callable[[Architecture], int] = lambda arch: 0  # likewise its buffers' numbers
    rebuild: tuple[tuple[str, Any], ...] = ()  # more constructor arguments to rebuild with, as (name, value)
    # pairs: e.g. (("init", "zeros"),), so that rebuilding draws no random numbers


def _batch_norm_buffers(arch: Architecture) -> int:
    # running_mean and running_var, one number per feature each, and num_batches_tracked
    return 2 * int(arch["num_features"]) + 1 if arch["track_running_stats"] else 0


def _conv_parameters(arch: Architecture) -> int:
    # a kernel of in_channels × k (× k) weights per output channel, and a bias each if there is one
    k = arch["kernel_size"]
    window = k if isinstance(k, int) else k[0] * k[1]
    out = int(arch["out_channels"])
    return out * int(arch["in_channels"]) * window + (out if arch["bias"] else 0)


def _conv_fields(size: Check, size_or_zero_: Check) -> dict[str, Check]:
    return {
        "in_channels": positive_size,
        "out_channels": positive_size,
        "kernel_size": size,
        "stride": size,
        "padding": size_or_zero_,
        "bias": true_or_false,
        "activation": conv_activation,
    }


SELF_DESCRIBED: dict[str, ModuleType] = {
    "BatchNorm": ModuleType(
        BatchNorm,
        {
            "num_features": positive_size,
            "eps": positive_number,
            "momentum": probability_or_null,
            "affine": true_or_false,
            "track_running_stats": true_or_false,
        },
        parameters=lambda arch: 2 * int(arch["num_features"]) if arch["affine"] else 0,  # γ and β
        buffers=_batch_norm_buffers,
    ),
    "Conv1d": ModuleType(
        Conv1d,
        _conv_fields(positive_size, size_or_zero),
        parameters=_conv_parameters,
        rebuild=(("init", "zeros"),),
    ),
    "Conv2d": ModuleType(
        Conv2d,
        _conv_fields(pair_of(positive_size), pair_of(size_or_zero)),
        parameters=_conv_parameters,
        rebuild=(("init", "zeros"),),
    ),
    "Flatten": ModuleType(Flatten, {}, parameters=lambda arch: 0),
}
