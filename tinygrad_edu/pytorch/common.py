"""What every mapping of the door to PyTorch shares: importing torch, activations both ways,
reading tensors exactly, and the TypeError for what cannot cross.

The registries themselves are assembled in the package's ``__init__``; :data:`TO_TORCH` lives
here, filled there, so that containers (``Sequential``, ``MLP``) can convert their parts
without an import cycle.
"""

from __future__ import annotations

from typing import Any, Callable, NoReturn, Optional

from ..nn.module import Module

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
SOFTPLUS_THRESHOLD = 20.0  # the lowest threshold from_torch reads: PyTorch's default (see the package)

#: PyTorch activation classes read with the nn.Linear (or convolution) before them
ACTIVATION_CLASSES = {"Identity", "PReLU", *(c for c, _ in TORCH_ACTIVATIONS.values())}

# (torch, our module, its path) → the torch modules computing the same, in order
ToTorch = Callable[[Any, Any, str], list[Any]]
# (torch, the flat list of (place, torch module), position i) → (our module, the next position)
FromTorch = Callable[[Any, list[tuple[str, Any]], int], tuple[Module, int]]

#: our module class → its function giving the PyTorch modules (exact classes: a subclass of
#: ours may compute something else, so it is refused rather than guessed); filled by the package
TO_TORCH: dict[type, ToTorch] = {}
CONTAINERS: list[type] = []  # Sequential and MLP: their parts keep their own modes


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
    if type(module) not in CONTAINERS:  # each part keeps the mode of the module it came from
        for part in parts:
            part.training = module.training
    return parts


def activation_to_torch(torch: Any, activation: Any, nout: int, path: str) -> Any:
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


def tensor(torch: Any, numbers: Any) -> Any:
    """Nested lists of floats as a float64 tensor (exact: a Python float is an IEEE float64)."""
    return torch.tensor(numbers, dtype=torch.float64)


# ------------------------------------------------------------------- PyTorch → ours


def activation_after(
    torch: Any, leaves: list[tuple[str, Any]], i: int, nout: int, prelu: bool = True
) -> tuple[str, Optional[list[float]], int]:
    """The activation module after the layer at position i, if there is one, read as ours:
    (its name, PReLU's slopes or None, the position after it). ``prelu=False`` (a convolution)
    refuses ``nn.PReLU``, whose slope per channel ours lacks."""
    if i + 1 < len(leaves) and is_torch_class(torch, leaves[i + 1][1]):
        place, after = leaves[i + 1]
        if type(after).__name__ in ACTIVATION_CLASSES:
            if type(after).__name__ == "PReLU" and not prelu:
                refuse(place, after, "follows a convolution; ours has no PReLU slopes for a convolution")
            activation, slopes = activation_from_torch(place, after, nout)
            return activation, slopes, i + 2
    return "linear", None, i + 1


def activation_from_torch(place: str, module: Any, nout: int) -> tuple[str, Optional[list[float]]]:
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
    if name == "Softplus":  # any threshold from PyTorch's default up reads as ours (see the package)
        ok = settings["beta"] == 1.0 and settings["threshold"] >= SOFTPLUS_THRESHOLD
    else:
        ok = settings == expected
    if not ok:
        shown = ", ".join(f"{k}={v}" for k, v in settings.items())
        wanted = ", ".join(f"{k}={v}" for k, v in expected.items())
        more = f" (or a threshold ≥ {SOFTPLUS_THRESHOLD})" if name == "Softplus" else ""
        refuse(place, module, f"has {shown}, which ours lacks: our {ours} is nn.{name}({wanted}){more}")
    return ours, None


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


def is_torch_class(torch: Any, module: Any) -> bool:
    """True for an instance of a torch.nn class itself (a subclass may compute something else)."""
    return getattr(torch.nn, type(module).__name__, None) is type(module)
