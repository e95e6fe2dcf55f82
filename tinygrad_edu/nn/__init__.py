"""Neural-network modules built purely from ``Value`` nodes: Neuron, Layer, MLP, Dropout, Sequential,
BatchNorm (in :mod:`.normalization`, which says how a network with it runs on batches).

A neuron computes its pre-activation z = Σᵢ wᵢxᵢ + b and its output θ(z).
After ``backward()`` each neuron's ``z.grad`` is the textbook δ = ∂e/∂z, and
every weight's gradient is ∂e/∂wᵢ = xᵢ·δ, because ∂z/∂wᵢ = xᵢ:

>>> from tinygrad_edu.nn import MLP
>>> model = MLP(3, [4, 1], seed=0)
>>> out = model([1.0, -2.0, 0.5])
>>> out.backward()
>>> n = model.layers[0].neurons[2]
>>> all(abs(w.grad - x * n.delta) < 1e-15 for w, x in zip(n.w, [1.0, -2.0, 0.5]))
True

micrograd compatibility: ``MLP(2, [16, 16, 1])`` has ReLU hidden layers and
a linear output, ``model(x)`` returns a single ``Value`` when the last layer
has one neuron (a list otherwise), and ``parameters()`` / ``zero_grad()``
behave the same, so micrograd code runs after changing its imports.
Unseeded modules draw from Python's global ``random`` generator, so
``random.seed(1337)`` before building a model makes it reproducible as in
micrograd; ``seed=`` or ``rng=`` give a module its own generator instead.
"""

from __future__ import annotations

from ..init import INITIALIZERS
from .activations import ACTIVATIONS
from .autoencoder import Autoencoder
from .conv import Conv1d, Conv2d, Flatten
from .layers import MLP, Dropout, Layer, Neuron, Sequential
from .module import Module
from .normalization import BatchNorm

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",  # from tinygrad_edu.init, where the initialisers live
    "MLP",
    "Autoencoder",
    "BatchNorm",
    "Conv1d",
    "Conv2d",
    "Dropout",
    "Flatten",
    "Layer",
    "Module",
    "Neuron",
    "Sequential",
]
