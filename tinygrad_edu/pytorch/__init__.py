"""A door to PyTorch: ``to_torch(model)`` and ``from_torch(module)``, every weight copied exactly.

A network trained here can go on training in PyTorch, and come back. Both directions copy each
number as it is: ours are Python floats (IEEE float64), PyTorch's side is ``torch.float64``, and
a float32 (or float16, bfloat16) module coming back converts exactly, since float64 holds every
such number. The two then compute the same function: outputs and gradients agree to the last bit
or within 1e-12 (the last bits may differ because PyTorch sums a layer's products z = Σᵢ wᵢxᵢ + b
in its own order, and its tanh or exp may round the other way).

========================  =======================================================
ours                      PyTorch
========================  =======================================================
``Neuron(nin, act)``      ``nn.Linear(nin, 1)`` and the activation's module
``Layer(nin, nout, act)`` ``nn.Linear(nin, nout)`` and the activation's module
``Dropout(p)``            ``nn.Dropout(p)``
``BatchNorm(C)``          ``nn.BatchNorm1d(C)``: γ, β as weight, bias; the same buffers
``Conv1d``, ``Conv2d``    ``nn.Conv1d``, ``nn.Conv2d`` and the activation's module
``Flatten()``             ``nn.Flatten()``
``MLP``, ``Sequential``   ``nn.Sequential`` of the above, flat, in order
========================  =======================================================

A ``linear`` activation has no module (a bare ``nn.Linear``; ``nn.Identity`` after one is read
as linear too); a single layer with another activation becomes ``nn.Sequential(linear, act)``.
``bias=False`` maps to ``bias=False``. ``prelu``'s slope is one per neuron, ``nn.PReLU(nout)``.
``softplus`` becomes ``nn.Softplus(beta=1, threshold=40)``: ours is ln(1 + eᶻ) at every z,
while PyTorch's default threshold 20 returns z itself above 20, off by up to e⁻²⁰ ≈ 2·10⁻⁹;
above 34, ln(1 + eᶻ) rounds to z in float64, so threshold 40 agrees everywhere. ``from_torch``
reads any threshold ≥ 20 (with the default, that e⁻²⁰ is the one difference).

PyTorch modules take a batch: a ``(batch, nin)`` float64 tensor (``(batch, C, L)`` or
``(batch, C, H, W)`` for a convolution), where ours take one sample (a model holding a
``BatchNorm`` takes a list of samples). Each module keeps its
train/eval mode across the door. ``from_torch`` gives an :class:`~tinygrad_edu.nn.MLP` when the
``nn.Sequential`` has an MLP's shape (two or more Linear layers, one hidden activation, one
bias setting, and either no dropout or one ``nn.Dropout(p)``, p > 0, after every hidden
layer), one ``Layer`` for a single Linear (with its activation), one of ours for any other single
module, and a ``Sequential`` otherwise. A convolution followed by an activation module is read as
one convolution with that activation, as a Linear is. The mappings are in :mod:`.dense`
(Linear, activations, Dropout, Sequential, MLP) and :mod:`.layers` (BatchNorm, convolutions,
Flatten).

torch is optional: importing this module never imports it; each function imports it when
called and, if it is missing, says how to install it.

Adding a module type is one pair of functions in the two registries at the end of this module:
``TO_TORCH[Ours]`` (our module → the PyTorch modules computing the same, in order) and
``FROM_TORCH["TorchName"]`` (reads the PyTorch module at position i, and any it consumes after
it, into one of ours).
"""

from __future__ import annotations

from typing import Any, Optional

from ..checks import type_error
from ..nn.conv import Conv1d, Conv2d, Flatten
from ..nn.layers import MLP, Dropout, Layer, Neuron, Sequential
from ..nn.module import Module
from ..nn.normalization import BatchNorm
from . import dense, layers
from .common import (
    ACTIVATION_CLASSES,
    CONTAINERS,
    TO_TORCH,
    TORCH_ACTIVATIONS,
    FromTorch,
    import_torch,
    is_torch_class,
    modules_to_torch,
    refuse,
    torch_name,
)

__all__ = ["FROM_TORCH", "TORCH_ACTIVATIONS", "TO_TORCH", "from_torch", "import_torch", "to_torch"]


# ------------------------------------------------------------------- ours → PyTorch


def to_torch(model: Module) -> Any:
    """The ``torch.nn.Module`` computing what ``model`` computes, every weight copied exactly (float64).

    A ``Neuron`` or ``Layer`` with activation θ becomes ``nn.Linear`` (W has one row per neuron,
    y = θ(Wx + b)) followed by θ's module, or the bare ``nn.Linear`` for a linear one; a
    ``Conv1d``/``Conv2d`` becomes ``nn.Conv1d``/``nn.Conv2d`` (the kernel w[o][c][q…] is its
    weight) followed by θ's module; ``BatchNorm`` becomes ``nn.BatchNorm1d`` with its γ, β and
    running statistics; ``Dropout`` and ``Flatten`` become ``nn.Dropout`` and ``nn.Flatten``;
    ``MLP`` and ``Sequential`` become one flat ``nn.Sequential``. The result is in the
    train/eval mode of the model (module by module) and takes a batch: a ``(batch, nin)``
    float64 tensor, or ``(batch, C, L)`` / ``(batch, C, H, W)`` for a convolution. Anything
    else — another module class, an activation with no PyTorch module (``step``, ``sign``,
    ``arctan``, a function of your own), a module used twice — is a TypeError naming it and
    where it is.
    """
    if not isinstance(model, Module):
        type_error(
            "to_torch",
            "model",
            "a tinygrad_edu Module (Layer, MLP, Sequential, BatchNorm, Conv1d, Conv2d, ...)",
            model,
        )
    _check_not_shared(model)
    torch = import_torch("to_torch")
    parts = modules_to_torch(torch, model, "")
    if len(parts) == 1 and type(model) not in CONTAINERS:
        return parts[0]
    container = torch.nn.Sequential(*parts)
    container.training = model.training  # the parts keep their own modes
    return container


def _check_not_shared(model: Module) -> None:
    """A module used in two places shares its weights there; refused rather than copied twice
    (two copies would each get only part of the gradient)."""
    seen: dict[int, str] = {}
    for name, obj in _named_modules(model):
        if id(obj) in seen:
            raise TypeError(
                f"to_torch: {name} is the same {type(obj).__name__} as {seen[id(obj)] or 'the model'} "
                "(shared weights), which is not supported"
            )
        seen[id(obj)] = name


def _named_modules(model: Module) -> list[tuple[str, Module]]:
    """(path, module) for the model and every Sequential/MLP part inside it, repeats included."""
    found, stack = [], [("", model)]
    while stack:
        name, m = stack.pop()
        found.append((name, m))
        prefix = f"{name}." if name else ""
        children: list[tuple[str, Module]] = []
        if isinstance(m, (Sequential, MLP)):
            children += [(f"{prefix}layers.{i}", c) for i, c in enumerate(m.layers)]
        if isinstance(m, MLP):
            children += [(f"{prefix}dropout.{i}", c) for i, c in enumerate(m.dropout)]
        if isinstance(m, Layer):
            children += [(f"{prefix}neurons.{i}", c) for i, c in enumerate(m.neurons)]
        stack.extend(reversed(children))
    return found


# ------------------------------------------------------------------- PyTorch → ours


def from_torch(module: Any) -> Module:
    """Ours, computing what the PyTorch ``module`` computes, every weight copied exactly.

    Reads ``nn.Linear`` followed by a supported activation module (or none, or ``nn.Identity``)
    as a ``Layer``, ``nn.Conv1d``/``nn.Conv2d`` followed by one (not ``nn.PReLU``) as a
    ``Conv1d``/``Conv2d`` with that activation, ``nn.BatchNorm1d`` as ``BatchNorm`` (its buffers
    too), ``nn.Dropout`` and ``nn.Flatten()`` as ``Dropout`` and ``Flatten``, and an
    ``nn.Sequential`` of these (nested ones read flat) as an ``MLP`` when it has an MLP's shape,
    the one module of ours when it holds just one, and a ``Sequential`` otherwise. Weights of
    any floating dtype become floats exactly (float32 → float64 is exact). Each of ours takes
    the train/eval mode of the module it came from. Any other module, a setting ours lacks (a
    ``LeakyReLU`` slope other than 0.01, a ``Softplus`` with beta ≠ 1 or threshold < 20, a
    dilated or grouped convolution, ...), an activation with no Linear or convolution before
    it, a BatchNorm1d right after a convolution (it would normalise over positions too), or a
    module used twice is a TypeError naming it and its place (``module 2`` is the third in the
    ``nn.Sequential``); layers whose sizes do not chain are a ValueError.
    """
    torch = import_torch("from_torch")
    if not isinstance(module, torch.nn.Module):
        type_error("from_torch", "module", "a torch.nn.Module", module)
    leaves = _flatten(torch, module)
    parts: list[Module] = []
    i, width = 0, None
    while i < len(leaves):
        place, leaf = leaves[i]
        read = FROM_TORCH.get(type(leaf).__name__) if is_torch_class(torch, leaf) else None
        if read is None:
            if is_torch_class(torch, leaf) and type(leaf).__name__ in ACTIVATION_CLASSES:
                refuse(
                    place,
                    leaf,
                    "follows no nn.Linear or convolution: an activation is read with the layer before it",
                )
            refuse(place, leaf, f"is not supported; supported: {supported_torch()}")
        part, i = read(torch, leaves, i)
        width = _chained_width(place, leaf, part, width)
        parts.append(part)
    if type(module) is not torch.nn.Sequential or len(parts) == 1:
        return parts[0] if parts else Sequential().train(module.training)
    return dense.assemble(parts, module.training)


def _flatten(torch: Any, module: Any) -> list[tuple[str, Any]]:
    """(place, module) for every leaf, nested ``nn.Sequential`` read flat; a repeat is refused."""
    if type(module) is not torch.nn.Sequential:
        return [("the module", module)]
    leaves: list[tuple[str, Any]] = []
    stack: list[tuple[str, Any]] = [(str(i), m) for i, m in enumerate(module)][::-1]
    seen: dict[int, str] = {}
    while stack:
        name, m = stack.pop()
        if id(m) in seen:
            refuse(f"module {name}", m, f"is the same module as module {seen[id(m)]} (shared weights)")
        seen[id(m)] = name
        if type(m) is torch.nn.Sequential:
            stack.extend([(f"{name}.{i}", c) for i, c in enumerate(m)][::-1])
        else:
            leaves.append((f"module {name}", m))
    return leaves


Width = Optional[tuple[str, int]]  # ("features", n) after a Layer, ("channels", c) after a convolution


def _chained_width(place: str, leaf: Any, part: Module, width: Width) -> Width:
    """What ``part`` gives, checking it takes what the part before it gives: a Layer or BatchNorm
    as many features, a convolution as many channels."""
    if isinstance(part, (Layer, BatchNorm)):
        takes = part.nin if isinstance(part, Layer) else part.num_features
        if width is not None and width[0] == "channels":
            why = "has no nn.Flatten before it: after a convolution it would act on each position"
            refuse(place, leaf, f"{why}, which ours lacks")
        if width is not None and takes != width[1]:
            name = "nn.Linear" if isinstance(part, Layer) else "nn.BatchNorm1d"
            raise ValueError(
                f"from_torch: {place} ({name}) takes {takes} inputs, but the layer before it gives {width[1]}"
            )
        return ("features", part.nout if isinstance(part, Layer) else takes)
    if isinstance(part, (Conv1d, Conv2d)):
        if width is not None and width != ("channels", part.in_channels):
            raise ValueError(
                f"from_torch: {place} ({torch_name(leaf)}) takes {part.in_channels} channels, "
                f"but the layer before it gives {width[1]} {width[0]}"
            )
        return ("channels", part.out_channels)
    return width if isinstance(part, Dropout) else None


def supported_torch() -> str:
    """What from_torch reads, in words (for its error messages)."""
    activations = ", ".join(f"nn.{c}" for c in sorted(ACTIVATION_CLASSES))
    layered = ("Linear", "Conv1d", "Conv2d")
    others = ", ".join(f"nn.{c}" for c in sorted(FROM_TORCH) if c not in layered)
    return (
        f"nn.Linear, nn.Conv1d, nn.Conv2d (each with {activations} or no activation after it), "
        f"{others}, and nn.Sequential of these"
    )


TO_TORCH.update(
    {
        Neuron: dense.neuron_to_torch,
        Layer: dense.layer_to_torch,
        Dropout: dense.dropout_to_torch,
        Sequential: dense.sequential_to_torch,
        MLP: dense.mlp_to_torch,
        BatchNorm: layers.batch_norm_to_torch,
        Conv1d: layers.conv_to_torch,
        Conv2d: layers.conv_to_torch,
        Flatten: layers.flatten_to_torch,
    }
)
CONTAINERS += [Sequential, MLP]

#: a torch.nn class name → its function reading the module at position i (and any it consumes)
FROM_TORCH: dict[str, FromTorch] = {
    "Linear": dense.linear_from_torch,
    "Dropout": dense.dropout_from_torch,
    "BatchNorm1d": layers.batch_norm_from_torch,
    "Conv1d": layers.conv_from_torch,
    "Conv2d": layers.conv_from_torch,
    "Flatten": layers.flatten_from_torch,
}
