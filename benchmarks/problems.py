"""What the cases start from: the moons problem, and a network's weights as plain floats.

Every implementation of a case starts from the same weights, taken from
tinygrad_edu's own initialisation and handed around as :data:`Layers` (per
layer, W with row j = neuron j's weights, and b), so that every row does the
same work.
"""

from __future__ import annotations

from typing import Sequence

from tinygrad_edu import Value, topological_order
from tinygrad_edu.data import make_moons
from tinygrad_edu.nn import MLP

MOONS_SIZES = (2, [16, 16, 1])
MOONS_DATA_SEED = 1  # the demo's data seed
MOONS_WEIGHT_SEED = 1  # the demo's weight seed
L2_STRENGTH = 1e-4
MOONS_LR = 1.0  # micrograd's learning rate at step 0

Vector = list[float]
Matrix = list[list[float]]
Layers = list[tuple[Matrix, Vector]]  # per layer: W (row j = neuron j's weights) and b


def initial_layers(nin: int, nouts: Sequence[int], seed: int) -> Layers:
    """The initial weights of tinygrad_edu's ``MLP(nin, nouts, seed=seed)`` (He init, zero biases)."""
    return layers_of_model(MLP(nin, list(nouts), seed=seed))


def layers_of_model(model: MLP) -> Layers:
    """A tinygrad_edu MLP's weights and biases as plain floats."""
    return [
        (
            [[w.data for w in n.w] for n in layer.neurons],
            [n.b.data if n.b is not None else 0.0 for n in layer.neurons],
        )
        for layer in model.layers
    ]


def flatten(layers: Layers) -> Vector:
    """Every parameter in the order of ``parameters()`` (tinygrad_edu's and micrograd's):
    layer by layer, neuron by neuron, its weights then its bias."""
    return [p for W, b in layers for row, bj in zip(W, b) for p in (*row, bj)]


def tinygrad_mlp(layers: Layers) -> MLP:
    """tinygrad_edu's ``MLP`` of the shape of ``layers``, holding these weights."""
    model = MLP(len(layers[0][0][0]), [len(b) for _, b in layers], seed=0)
    for p, w in zip(model.parameters(), flatten(layers)):
        p.data = w
    return model


def tinygrad_nodes(root: Value) -> int:
    """The nodes of a tinygrad_edu graph, leaves included."""
    return len(topological_order(root))


def moons_data(n_points: int = 100, seed: int = MOONS_DATA_SEED) -> tuple[Matrix, list[int]]:
    """micrograd's moons (noise 0.1) with labels ±1."""
    X, y01 = make_moons(n_points, noise=0.1, seed=seed)
    return X, [2 * t - 1 for t in y01]
