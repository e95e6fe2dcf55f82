"""The door to PyTorch for dense networks: ``Neuron``/``Layer`` ↔ ``nn.Linear`` and its activation,
``Dropout`` ↔ ``nn.Dropout``, and ``Sequential``/``MLP`` ↔ a flat ``nn.Sequential``.

A layer's W has one row per neuron (PyTorch's layout): y = θ(Wx + b), row i of
``nn.Linear.weight`` is neuron i's w and ``bias[i]`` its b.
"""

from __future__ import annotations

from typing import Any

from ..nn.layers import MLP, Dropout, Layer, Neuron, Sequential
from ..nn.module import Module
from .common import activation_after, activation_to_torch, floats, modules_to_torch, tensor

# ------------------------------------------------------------------- ours → PyTorch


def dense_to_torch(torch: Any, neurons: list[Neuron], path: str) -> list[Any]:
    """``nn.Linear`` with W[i][j] = neuron i's wⱼ and b[i] = its b, then the activation's module."""
    activation = neurons[0].activation
    module = activation_to_torch(torch, activation, len(neurons), path)
    bias = neurons[0].b is not None
    # skip_init: no random draw (PyTorch's generator is left as it was), the weights are ours
    linear = torch.nn.utils.skip_init(
        torch.nn.Linear, neurons[0].nin, len(neurons), bias=bias, dtype=torch.float64
    )
    with torch.no_grad():
        linear.weight.copy_(tensor(torch, [[w.data for w in n.w] for n in neurons]))
        if bias:
            linear.bias.copy_(tensor(torch, [n.b.data for n in neurons if n.b is not None]))
        if activation == "prelu":  # one learned slope per neuron
            module.weight.copy_(tensor(torch, [n.a.data for n in neurons]))
    return [linear] if module is None else [linear, module]


def neuron_to_torch(torch: Any, neuron: Neuron, path: str) -> list[Any]:
    """A neuron is a layer of one: ``nn.Linear(nin, 1)``."""
    return dense_to_torch(torch, [neuron], path)


def layer_to_torch(torch: Any, layer: Layer, path: str) -> list[Any]:
    """``nn.Linear(nin, nout)`` and θ's module."""
    return dense_to_torch(torch, layer.neurons, path)


def dropout_to_torch(torch: Any, dropout: Dropout, path: str) -> list[Any]:
    """``nn.Dropout(p)``: both zero each entry with probability p and scale the rest by 1/(1 − p)."""
    return [torch.nn.Dropout(dropout.p)]


def sequential_to_torch(torch: Any, sequential: Sequential, path: str) -> list[Any]:
    """Every part's modules, in order (nested Sequentials flat)."""
    prefix = f"{path}." if path else ""
    return [
        part
        for i, m in enumerate(sequential.layers)
        for part in modules_to_torch(torch, m, f"{prefix}layers.{i}")
    ]


def mlp_to_torch(torch: Any, mlp: MLP, path: str) -> list[Any]:
    """Each layer, then (after a hidden layer, if the MLP has dropout) its ``nn.Dropout``."""
    prefix = f"{path}." if path else ""
    parts: list[Any] = []
    for i, layer in enumerate(mlp.layers):
        parts += modules_to_torch(torch, layer, f"{prefix}layers.{i}")
        if mlp.dropout and i < len(mlp.dropout):
            parts += modules_to_torch(torch, mlp.dropout[i], f"{prefix}dropout.{i}")
    return parts


# ------------------------------------------------------------------- PyTorch → ours


def linear_from_torch(torch: Any, leaves: list[tuple[str, Any]], i: int) -> tuple[Module, int]:
    """``nn.Linear`` (and the activation module after it, if any) as a ``Layer``."""
    place, linear = leaves[i]
    nin, nout = linear.in_features, linear.out_features
    if nin < 1 or nout < 1:
        raise ValueError(
            f"from_torch: {place} (nn.Linear) must have an input and an output, "
            f"got in_features={nin}, out_features={nout}"
        )
    activation, slopes, after = activation_after(torch, leaves, i, nout)
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
    return layer, after


def dropout_from_torch(torch: Any, leaves: list[tuple[str, Any]], i: int) -> tuple[Module, int]:
    """``nn.Dropout(p)`` as ``Dropout(p)``."""
    module = leaves[i][1]
    dropout = Dropout(float(module.p))
    dropout.train(module.training)
    return dropout, i + 1


def assemble(parts: list[Module], training: bool) -> Module:
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
    if any(type(p) not in (Layer, Dropout) for p in parts):
        return False
    layers = [p for p in parts if isinstance(p, Layer)]
    drops = [p for p in parts if isinstance(p, Dropout)]
    if len(layers) < 2:
        return False
    if len({layer.neurons[0].activation for layer in layers[:-1]}) != 1:
        return False
    if len({layer.neurons[0].b is not None for layer in layers}) != 1:
        return False
    if not drops:
        return True
    interleaved = [type(p) for p in parts] == [Layer, Dropout] * (len(layers) - 1) + [Layer]
    return interleaved and len({d.p for d in drops}) == 1 and drops[0].p > 0.0
