"""The activations a neuron can be given by name, θ in y = θ(z)."""

from __future__ import annotations

from typing import Callable, Optional, Union

from ..checks import type_error, value_error
from ..engine import Value

__all__ = ["ACTIVATIONS", "PRELU_INIT", "Activation"]

Activation = Union[str, Callable[[Value], Value]]

#: The activations a neuron can be given by name (``prelu`` is handled by the
#: neuron itself, because its slope is a learned parameter of that neuron).
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": lambda z: z,
    "step": Value.step,
    "sign": Value.sign,
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "hardtanh": Value.hardtanh,
    "softsign": Value.softsign,
    "relu": Value.relu,
    "leaky_relu": Value.leaky_relu,  # slope 0.01
    "elu": Value.elu,  # alpha 1
    "softplus": Value.softplus,
    "arctan": Value.arctan,
}
ACTIVATION_NAMES = sorted([*ACTIVATIONS, "prelu"])
PRELU_INIT = 0.25  # PyTorch's initial PReLU slope


def activation_name(
    activation: Activation, nonlin: Optional[bool], where: str, arg: str = "activation"
) -> Activation:
    """The activation a module was given, checked: a name from :data:`ACTIVATIONS`, ``"prelu"``,
    or a function of a Value (micrograd's ``nonlin=True/False`` means ReLU/linear)."""
    if nonlin is not None:  # micrograd's Neuron(nin, nonlin=True): ReLU or linear
        return "relu" if nonlin else "linear"
    if isinstance(activation, str):
        if activation not in ACTIVATIONS and activation != "prelu":
            value_error(where, arg, f"one of {', '.join(ACTIVATION_NAMES)}, or a function", activation)
        return activation
    if not callable(activation):
        type_error(where, arg, "a name or a function", activation)
    return activation
