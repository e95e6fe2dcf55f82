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
``MLP``, ``Sequential``   ``nn.Sequential`` of the above, flat, in order
========================  =======================================================

A ``linear`` activation has no module (a bare ``nn.Linear``; ``nn.Identity`` after one is read
as linear too); a single layer with another activation becomes ``nn.Sequential(linear, act)``.
``bias=False`` maps to ``bias=False``. ``prelu``'s slope is one per neuron, ``nn.PReLU(nout)``.
``softplus`` becomes ``nn.Softplus(beta=1, threshold=40)``: ours is ln(1 + eᶻ) at every z,
while PyTorch's default threshold 20 returns z itself above 20, off by up to e⁻²⁰ ≈ 2·10⁻⁹;
above 34, ln(1 + eᶻ) rounds to z in float64, so threshold 40 agrees everywhere. ``from_torch``
reads any threshold ≥ 20 (with the default, that e⁻²⁰ is the one difference).

PyTorch modules take a batch: a ``(batch, nin)`` float64 tensor. Each module keeps its
train/eval mode across the door. ``from_torch`` gives an :class:`~tinygrad_edu.nn.MLP` when the
``nn.Sequential`` has an MLP's shape (two or more Linear layers, one hidden activation, one
bias setting, and either no dropout or one ``nn.Dropout(p)``, p > 0, after every hidden
layer), one ``Layer`` for a single Linear (with its activation), and a ``Sequential`` otherwise.

torch is optional: importing this module never imports it; each function imports it when
called and, if it is missing, says how to install it.

Adding a module type is one pair of functions in the two registries below: ``TO_TORCH[Ours]``
(our module → the PyTorch modules computing the same, in order) and ``FROM_TORCH["TorchName"]``
(reads the PyTorch module at position i, and any it consumes after it, into one of ours).
"""

from __future__ import annotations

from typing import Any, Callable, NoReturn, Optional

from .checks import type_error
from .nn.layers import MLP, Dropout, Layer, Neuron, Sequential
from .nn.module import Module

__all__ = ["FROM_TORCH", "TORCH_ACTIVATIONS", "TO_TORCH", "from_torch", "import_torch", "to_torch"]

INSTALL = "pip install torch (this project's tests use torch==2.13.0)"

#: our activation → (the torch.nn class computing the same θ, its arguments); ``prelu`` and
#: ``linear`` are handled by the dense layer (a slope per neuron; no module at all)
TORCH_ACTIVATIONS: dict[str, tuple[str, dict[str, float]]] = {
    "relu": ("ReLU", {}),
    "tanh": ("Tanh", {}),
    "sigmoid": ("Sigmoid", {}),
    "leaky_relu": ("LeakyReLU", {"negative_slope": 0.01}),
    "elu": ("ELU", {"alpha": 1.0}),
    "softplus": ("Softplus", {"beta": 1.0, "threshold": 40.0}),
    "hardtanh": ("Hardtanh", {"min_val": -1.0, "max_val": 1.0}),
    "softsign": ("Softsign", {}),
}
SUPPORTED_ACTIVATIONS = sorted([*TORCH_ACTIVATIONS, "linear", "prelu"])
SOFTPLUS_THRESHOLD = 20.0  # the lowest threshold from_torch reads: PyTorch's default (see above)

# (torch, our module, its path) → the torch modules computing the same, in order
ToTorch = Callable[[Any, Any, str], list[Any]]
# (torch, the flat list of (place, torch module), position i) → (our module, the next position)
FromTorch = Callable[[Any, list[tuple[str, Any]], int], tuple[Module, int]]


def import_torch(where: str) -> Any:
    """The ``torch`` module, imported now; a ModuleNotFoundError saying how to install it if missing."""
    try:
        import torch
    except ImportError as e:
        raise ModuleNotFoundError(
            f"{where}: PyTorch is needed and could not be imported ({e}); install it with: {INSTALL}",
            name="torch",
        ) from e
    return torch


# ------------------------------------------------------------------- ours → PyTorch


def to_torch(model: Module) -> Any:
    """The ``torch.nn.Module`` computing what ``model`` computes, every weight copied exactly (float64).

    A ``Neuron`` or ``Layer`` with activation θ becomes ``nn.Linear`` (W has one row per neuron,
    y = θ(Wx + b)) followed by θ's module, or the bare ``nn.Linear`` for a linear one; ``Dropout``
    becomes ``nn.Dropout``; ``MLP`` and ``Sequential`` become one flat ``nn.Sequential``. The
    result is in the train/eval mode of the model (module by module) and takes a
    ``(batch, nin)`` float64 tensor. Anything else — another module class, an activation with no
    PyTorch module (``step``, ``sign``, ``arctan``, a function of your own), a module used twice —
    is a TypeError naming it and where it is.
    """
    if not isinstance(model, Module):
        type_error(
            "to_torch", "model", "a tinygrad_edu Module (Neuron, Layer, MLP, Dropout, Sequential)", model
        )
    _check_not_shared(model)
    torch = import_torch("to_torch")
    parts = modules_to_torch(torch, model, "")
    if len(parts) == 1 and type(model) not in (Sequential, MLP):
        return parts[0]
    container = torch.nn.Sequential(*parts)
    container.training = model.training  # the parts keep their own modes
    return container


def modules_to_torch(torch: Any, module: Module, path: str) -> list[Any]:
    """The torch modules for one of ours (found in :data:`TO_TORCH` by its exact class), in order."""
    convert = TO_TORCH.get(type(module))
    if convert is None:
        where = path or "the model"
        supported = ", ".join(sorted(t.__name__ for t in TO_TORCH))
        raise TypeError(
            f"to_torch: {where} is a {type(module).__name__}, which has no PyTorch counterpart here; "
            f"supported: {supported}"
        )
    parts = convert(torch, module, path)
    if type(module) not in (Sequential, MLP):  # each part keeps the mode of the module it came from
        for part in parts:
            part.training = module.training
    return parts


def _dense_to_torch(torch: Any, neurons: list[Neuron], path: str) -> list[Any]:
    """``nn.Linear`` with W[i][j] = neuron i's wⱼ and b[i] = its b, then the activation's module."""
    activation = neurons[0].activation
    module = _activation_to_torch(torch, activation, len(neurons), path)
    bias = neurons[0].b is not None
    # skip_init: no random draw (PyTorch's generator is left as it was), the weights are ours
    linear = torch.nn.utils.skip_init(
        torch.nn.Linear, neurons[0].nin, len(neurons), bias=bias, dtype=torch.float64
    )
    with torch.no_grad():
        linear.weight.copy_(_tensor(torch, [[w.data for w in n.w] for n in neurons]))
        if bias:
            linear.bias.copy_(_tensor(torch, [n.b.data for n in neurons if n.b is not None]))
        if activation == "prelu":  # one learned slope per neuron
            module.weight.copy_(_tensor(torch, [n.a.data for n in neurons]))
    return [linear] if module is None else [linear, module]


def _activation_to_torch(torch: Any, activation: Any, nout: int, path: str) -> Any:
    """θ's torch module: None for linear, ``nn.PReLU(nout)`` for prelu, else :data:`TORCH_ACTIVATIONS`."""
    if activation == "linear":
        return None
    if activation == "prelu":
        return torch.nn.PReLU(num_parameters=nout, dtype=torch.float64)
    if isinstance(activation, str) and activation in TORCH_ACTIVATIONS:
        name, arguments = TORCH_ACTIVATIONS[activation]
        return getattr(torch.nn, name)(**arguments)
    shown = repr(activation) if isinstance(activation, str) else getattr(activation, "__name__", "?")
    kind = "" if isinstance(activation, str) else " (a function of your own)"
    raise TypeError(
        f"to_torch: {path or 'the model'} has activation {shown}{kind}, which has no PyTorch module; "
        f"supported: {', '.join(SUPPORTED_ACTIVATIONS)}"
    )


def _neuron_to_torch(torch: Any, neuron: Neuron, path: str) -> list[Any]:
    return _dense_to_torch(torch, [neuron], path)


def _layer_to_torch(torch: Any, layer: Layer, path: str) -> list[Any]:
    return _dense_to_torch(torch, layer.neurons, path)


def _dropout_to_torch(torch: Any, dropout: Dropout, path: str) -> list[Any]:
    return [torch.nn.Dropout(dropout.p)]


def _sequential_to_torch(torch: Any, sequential: Sequential, path: str) -> list[Any]:
    prefix = f"{path}." if path else ""
    return [
        part
        for i, m in enumerate(sequential.layers)
        for part in modules_to_torch(torch, m, f"{prefix}layers.{i}")
    ]


def _mlp_to_torch(torch: Any, mlp: MLP, path: str) -> list[Any]:
    """Each layer, then (after a hidden layer, if the MLP has dropout) its ``nn.Dropout``."""
    prefix = f"{path}." if path else ""
    parts: list[Any] = []
    for i, layer in enumerate(mlp.layers):
        parts += modules_to_torch(torch, layer, f"{prefix}layers.{i}")
        if mlp.dropout and i < len(mlp.dropout):
            parts += modules_to_torch(torch, mlp.dropout[i], f"{prefix}dropout.{i}")
    return parts


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


def _tensor(torch: Any, numbers: Any) -> Any:
    return torch.tensor(numbers, dtype=torch.float64)


#: our module class → its function giving the PyTorch modules (exact classes: a subclass of
#: ours may compute something else, so it is refused rather than guessed)
TO_TORCH: dict[type, ToTorch] = {
    Neuron: _neuron_to_torch,
    Layer: _layer_to_torch,
    Dropout: _dropout_to_torch,
    Sequential: _sequential_to_torch,
    MLP: _mlp_to_torch,
}


# ------------------------------------------------------------------- PyTorch → ours


def from_torch(module: Any) -> Module:
    """Ours, computing what the PyTorch ``module`` computes, every weight copied exactly.

    Reads ``nn.Linear`` followed by a supported activation module (or none, or ``nn.Identity``)
    as a ``Layer``, ``nn.Dropout`` as ``Dropout``, and an ``nn.Sequential`` of these (nested
    ones read flat) as an ``MLP`` when it has an MLP's shape, one ``Layer`` or ``Dropout`` when
    it holds just one, and a ``Sequential`` otherwise. Weights of any floating dtype become
    floats exactly (float32 → float64 is exact). Each of ours takes the train/eval mode of the
    module it came from. Any other module, an activation with settings ours lack (a
    ``LeakyReLU`` slope other than 0.01, a ``Softplus`` with beta ≠ 1 or threshold < 20, ...),
    an activation with no Linear before it, or a module used twice is a TypeError naming it and
    its place (``module 2`` is the third in the ``nn.Sequential``); Linear layers whose sizes do
    not chain are a ValueError.
    """
    torch = import_torch("from_torch")
    if not isinstance(module, torch.nn.Module):
        type_error("from_torch", "module", "a torch.nn.Module", module)
    leaves = _flatten(torch, module)
    parts: list[Module] = []
    i, width = 0, None
    while i < len(leaves):
        place, leaf = leaves[i]
        read = FROM_TORCH.get(type(leaf).__name__) if _is_torch_class(torch, leaf) else None
        if read is None:
            if _is_torch_class(torch, leaf) and type(leaf).__name__ in ACTIVATION_CLASSES:
                refuse(
                    place, leaf, "follows no nn.Linear: an activation is read with the nn.Linear before it"
                )
            refuse(place, leaf, f"is not supported; supported: {supported_torch()}")
        part, i = read(torch, leaves, i)
        width = _chained_width(place, part, width)
        parts.append(part)
    if type(module) is not torch.nn.Sequential or len(parts) == 1:
        return parts[0] if parts else Sequential().train(module.training)
    return _assemble(parts, module.training)


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


def _chained_width(place: str, part: Module, width: Optional[int]) -> Optional[int]:
    """The width after ``part``, checking a Layer takes as many inputs as the one before gives."""
    if isinstance(part, Layer):
        if width is not None and part.nin != width:
            raise ValueError(
                f"from_torch: {place} (nn.Linear) takes {part.nin} inputs, "
                f"but the layer before it gives {width}"
            )
        return part.nout
    return width if isinstance(part, Dropout) else None


def _linear_from_torch(torch: Any, leaves: list[tuple[str, Any]], i: int) -> tuple[Module, int]:
    """``nn.Linear`` (and the activation module after it, if any) as a ``Layer``."""
    place, linear = leaves[i]
    nin, nout = linear.in_features, linear.out_features
    if nin < 1 or nout < 1:
        raise ValueError(
            f"from_torch: {place} (nn.Linear) must have an input and an output, "
            f"got in_features={nin}, out_features={nout}"
        )
    activation: str = "linear"
    slopes: Optional[list[float]] = None
    if i + 1 < len(leaves) and _is_torch_class(torch, leaves[i + 1][1]):
        after_place, after = leaves[i + 1]
        if type(after).__name__ in ACTIVATION_CLASSES:
            activation, slopes = _activation_from_torch(after_place, after, nout)
            i += 1
    layer = Layer(nin, nout, activation, init="zeros", bias=linear.bias is not None)
    weights = floats(linear.weight, place, linear)
    biases = floats(linear.bias, place, linear) if linear.bias is not None else []
    for k, n in enumerate(layer.neurons):
        for w, x in zip(n.w, weights[k]):
            w.data = x
        if n.b is not None:
            n.b.data = biases[k]
        if slopes is not None:
            n.a.data = slopes[k]
    layer.train(linear.training)
    return layer, i + 1


def _activation_from_torch(place: str, module: Any, nout: int) -> tuple[str, Optional[list[float]]]:
    """Our name for an activation module after a Linear of ``nout`` outputs (and PReLU's slopes)."""
    name = type(module).__name__
    if name == "Identity":
        return "linear", None
    if name == "PReLU":
        if module.num_parameters != nout:
            refuse(
                place,
                module,
                f"has {module.num_parameters} slope(s) after a Linear of {nout} outputs; "
                f"ours learns one per neuron: nn.PReLU({nout})",
            )
        return "prelu", floats(module.weight, place, module)
    ours = next(act for act, (torch_class, _) in TORCH_ACTIVATIONS.items() if torch_class == name)
    expected = TORCH_ACTIVATIONS[ours][1]
    settings = {k: float(getattr(module, k)) for k in expected}
    if name == "Softplus":  # any threshold from PyTorch's default up reads as ours (see the module)
        ok = settings["beta"] == 1.0 and settings["threshold"] >= SOFTPLUS_THRESHOLD
    else:
        ok = settings == expected
    if not ok:
        shown = ", ".join(f"{k}={v}" for k, v in settings.items())
        wanted = ", ".join(f"{k}={v}" for k, v in expected.items())
        more = f" (or a threshold ≥ {SOFTPLUS_THRESHOLD})" if name == "Softplus" else ""
        refuse(place, module, f"has {shown}, which ours lacks: our {ours} is nn.{name}({wanted}){more}")
    return ours, None


def _dropout_from_torch(torch: Any, leaves: list[tuple[str, Any]], i: int) -> tuple[Module, int]:
    module = leaves[i][1]
    dropout = Dropout(float(module.p))
    dropout.train(module.training)
    return dropout, i + 1


def _assemble(parts: list[Module], training: bool) -> Module:
    """An ``MLP`` when the parts have its shape (see :func:`from_torch`), else a ``Sequential``."""
    if not _mlp_shaped(parts):
        sequential = Sequential(*parts)
        sequential.training = training  # the parts keep their own modes
        return sequential
    layers = [p for p in parts if isinstance(p, Layer)]
    drops = [p for p in parts if isinstance(p, Dropout)]
    mlp = MLP(
        layers[0].nin,
        [layer.nout for layer in layers],
        layers[0].neurons[0].activation,
        layers[-1].neurons[0].activation,
        init="zeros",
        bias=layers[0].neurons[0].b is not None,
        dropout=drops[0].p if drops else 0.0,
    )
    for mine, theirs in zip(mlp.parameters(), [p for layer in layers for p in layer.parameters()]):
        mine.data = theirs.data
    mlp.training = training
    for mine_module, theirs_module in zip([*mlp.layers, *mlp.dropout], [*layers, *drops]):
        mine_module.train(theirs_module.training)
    return mlp


def _mlp_shaped(parts: list[Module]) -> bool:
    """Two or more Layers, one hidden activation, one bias setting, and no Dropout or one
    Dropout(p > 0) of the same p after every hidden layer: what ``MLP(...)`` builds."""
    layers = [p for p in parts if isinstance(p, Layer)]
    drops = [p for p in parts if isinstance(p, Dropout)]
    if len(layers) < 2 or len(layers) + len(drops) != len(parts):
        return False
    if len({layer.neurons[0].activation for layer in layers[:-1]}) != 1:
        return False
    if len({layer.neurons[0].b is not None for layer in layers}) != 1:
        return False
    if not drops:
        return True
    interleaved = [type(p) for p in parts] == [Layer, Dropout] * (len(layers) - 1) + [Layer]
    return interleaved and len({d.p for d in drops}) == 1 and drops[0].p > 0.0


def floats(tensor: Any, place: str, module: Any) -> Any:
    """A tensor's numbers as Python floats (nested lists), exactly: every floating dtype fits float64."""
    if not tensor.is_floating_point():
        refuse(place, module, f"has {tensor.dtype} weights, not floating point")
    return tensor.detach().cpu().double().tolist()


def refuse(place: str, module: Any, why: str) -> NoReturn:
    """The TypeError for a PyTorch module from_torch cannot read: its place, its class, and why."""
    raise TypeError(f"from_torch: {place} ({torch_name(module)}) {why}")


def torch_name(module: Any) -> str:
    """``nn.Linear`` for a torch.nn class; the full name of any other."""
    kind = type(module)
    if kind.__module__.startswith("torch.nn."):
        return f"nn.{kind.__name__}"
    return f"{kind.__module__}.{kind.__qualname__}"


def _is_torch_class(torch: Any, module: Any) -> bool:
    """True for an instance of a torch.nn class itself (a subclass may compute something else)."""
    return getattr(torch.nn, type(module).__name__, None) is type(module)


def supported_torch() -> str:
    """What from_torch reads, in words (for its error messages)."""
    activations = ", ".join(f"nn.{c}" for c in sorted(ACTIVATION_CLASSES))
    others = ", ".join(f"nn.{c}" for c in sorted(FROM_TORCH) if c != "Linear")
    return f"nn.Linear (with {activations} or no activation after it), {others}, and nn.Sequential of these"


#: PyTorch activation classes read with the nn.Linear before them
ACTIVATION_CLASSES = {"Identity", "PReLU", *(c for c, _ in TORCH_ACTIVATIONS.values())}

#: a torch.nn class name → its function reading the module at position i (and any it consumes)
FROM_TORCH: dict[str, FromTorch] = {
    "Linear": _linear_from_torch,
    "Dropout": _dropout_from_torch,
}
