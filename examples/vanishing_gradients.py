"""Vanishing gradients: how δ shrinks on its way back through a deep network (notes 001, 003, 004).

Backprop computes each layer's δ from the layer above it (notes 003/004):

    δ⁽ˡ⁾ = θ'(z⁽ˡ⁾) ⊙ (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾)

so the δ of the first layer is a product of L − 1 such factors, one per layer
above it. If each factor is below 1 the product vanishes exponentially with
depth; the first layers' weights (∂e/∂w = x·δ) then hardly learn. Two things
set the factor's size:

- the activation's derivative: σ'(z) = σ(z)(1 − σ(z)) ≤ 0.25 for the sigmoid,
  tanh'(0) = 1, relu'(z) = 1 for z > 0 (0 otherwise);
- the weights' size: with small random weights N(0, 0.01²) (``init="normal"``),
  Wᵀδ is ≈ 0.01·√width times smaller than δ. Xavier's U(±√(6/(m + n))) (note
  002, for sigmoid/tanh) and He's N(0, 2/m) (for ReLU) are chosen to keep it ≈ 1.

We build six networks — sigmoid, tanh and ReLU, each with small random weights
and with Xavier (He for ReLU) — of 8 hidden layers of 10 neurons on 4 inputs,
run one forward and backward pass of the squared error on each of 8 samples,
and average |δ| over each layer's neurons and the samples (``model.deltas()``
after each sample's ``backward()``). The script asserts what the notes predict:

1. with small weights every activation loses 10+ orders of magnitude between the
   last and the first hidden layer; for the sigmoid each layer multiplies δ by
   about 0.25·0.01·√10 ≈ 0.008;
2. the engine's δ follow the recursion above neuron by neuron (recomputed by hand
   from z and the layer above), with every sigmoid slope σ'(z) ≤ 0.25;
3. Xavier does not rescue the sigmoid (σ' ≤ 0.25 still shrinks δ by 1000× or more
   over 8 layers), but it does rescue tanh, and He rescues ReLU: their hidden
   layers' mean |δ| stay within about an order of magnitude of each other.

With matplotlib it plots mean |δ| per layer (log scale); with Graphviz it draws
the sigmoid network's graph on one sample, coloured by |grad|, one box per layer.

Run: python examples/vanishing_gradients.py [--out DIR]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path
from typing import Optional, Sequence

from tinygrad_edu import viz
from tinygrad_edu.nn import MLP

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
N_INPUTS, WIDTH, DEPTH, BATCH = 4, 10, 8, 8  # 8 hidden layers of 10, one linear output
SEED = 0
CONFIGS = [  # (activation, init)
    ("sigmoid", "normal"),
    ("sigmoid", "xavier"),
    ("tanh", "normal"),
    ("tanh", "xavier"),
    ("relu", "normal"),
    ("relu", "he"),
]


def make_batch(seed: int = SEED) -> tuple[list[list[float]], list[float]]:
    """BATCH inputs x ~ N(0, 1)⁴ with targets ±1."""
    rng = random.Random(1000 + seed)
    X = [[rng.gauss(0.0, 1.0) for _ in range(N_INPUTS)] for _ in range(BATCH)]
    T = [rng.choice([-1.0, 1.0]) for _ in range(BATCH)]
    return X, T


def build(activation: str, init: str, seed: int = SEED) -> MLP:
    return MLP(N_INPUTS, [WIDTH] * DEPTH + [1], activation=activation, init=init, seed=seed)


def sigmoid_slopes(model: MLP) -> list[float]:
    """σ'(zᵢ) of every hidden neuron, checked against backprop's recursion; call after backward().

    For a sigmoid layer δᵢ⁽ˡ⁾ = σ'(zᵢ⁽ˡ⁾)·Σⱼ Wⱼᵢ⁽ˡ⁺¹⁾δⱼ⁽ˡ⁺¹⁾ with σ'(z) = σ(z)(1 − σ(z)):
    this recomputes δᵢ from z and the layer above and asserts that the engine's δ agrees.
    """
    deltas = model.deltas()
    slopes = []
    for k in range(len(model.layers) - 1):
        above = model.layers[k + 1].neurons
        for i, neuron in enumerate(model.layers[k].neurons):
            s = 1.0 / (1.0 + math.exp(-neuron.z.data))
            slope = s * (1.0 - s)  # σ'(z) ≤ 0.25, with equality only at z = 0
            by_hand = slope * sum(n.w[i].data * dj for n, dj in zip(above, deltas[k + 1]))
            assert abs(by_hand - deltas[k][i]) <= 1e-12 * abs(by_hand) + 1e-300, (k, i)
            slopes.append(slope)
    return slopes


def mean_abs_deltas(model: MLP, X: list[list[float]], T: list[float]) -> tuple[list[float], float]:
    """Mean |δ| per layer over the neurons and the samples, and, for a sigmoid network, the largest
    σ'(z) met (checking the δ recursion on the way; nan for other activations).

    ``model.deltas()`` reads each neuron's latest pre-activation, so the samples
    go one at a time: forward, e = (out − t)²/N, backward, read δ.
    """
    totals = [0.0] * len(model.layers)
    slopes: list[float] = []
    sigmoid = model.layers[0].neurons[0].activation == "sigmoid"
    for x, t in zip(X, T):
        e = (model(x) - t) ** 2 / len(X)
        e.backward()
        for k, layer_deltas in enumerate(model.deltas()):
            totals[k] += sum(abs(d) for d in layer_deltas) / len(layer_deltas)
        if sigmoid:
            slopes += sigmoid_slopes(model)
    return [s / len(X) for s in totals], max(slopes, default=math.nan)


def per_layer_factor(means: Sequence[float]) -> float:
    """The geometric-mean factor by which δ shrinks per layer, from the last hidden layer to the first."""
    hidden = means[:-1]
    return (hidden[0] / hidden[-1]) ** (1 / (len(hidden) - 1))


def render_graph(out: Path) -> Optional[Path]:
    """The sigmoid/small-init network on one sample, coloured by |grad|, one box per layer."""
    model = build("sigmoid", "normal")
    X, T = make_batch()
    e = (model(X[0]) - T[0]) ** 2
    e.label = "e"
    e.backward()
    title = f"sigmoid, init N(0, 0.01²), {DEPTH} hidden layers of {WIDTH}: |grad| by layer, one sample"
    try:
        return viz.render(
            e, out / "vanishing_sigmoid_graph.svg", color_by_grad=True, collapse="layer", title=title
        )
    except viz.GraphvizNotFound as err:
        print(f"\n(no graph picture: {err})")
        return None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for plots (default {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)

    X, T = make_batch()
    results: dict[str, list[float]] = {}
    slopes: dict[str, float] = {}
    for activation, init in CONFIGS:
        name = f"{activation}/{init}"
        results[name], slopes[name] = mean_abs_deltas(build(activation, init), X, T)

    layers = len(next(iter(results.values())))
    print(f"mean |δ| per layer: MLP({N_INPUTS}, [{WIDTH}]×{DEPTH} + [1]), {BATCH} samples, e = (out − t)²/N")
    print("layer 1 is next to the input; layer 9 is the output\n")
    print(f"{'network':<16}" + "".join(f"{f'layer {k + 1}':>10}" for k in range(layers)))
    for name, means in results.items():
        print(f"{name:<16}" + "".join(f"{m:>10.1e}" for m in means))

    print("\nfirst / last hidden layer, and the factor per layer (geometric mean):")
    ratio, factor = {}, {}
    for name, means in results.items():
        ratio[name] = means[0] / means[DEPTH - 1]
        factor[name] = per_layer_factor(means)
        hidden = means[:-1]
        print(
            f"  {name:<16} first/last {ratio[name]:8.1e}   per layer ×{factor[name]:.3f}"
            f"   spread (max/min over hidden layers) {max(hidden) / min(hidden):8.1e}"
        )

    # 1. Small weights: δ vanishes for every activation; for the sigmoid, at ≈ 0.25·0.01·√width per layer.
    predicted = 0.25 * 0.01 * math.sqrt(WIDTH)
    print(f"\nsigmoid with N(0, 0.01²): predicted factor 0.25·0.01·√{WIDTH} = {predicted:.4f}, ", end="")
    print(f"measured {factor['sigmoid/normal']:.4f}")
    for activation in ("sigmoid", "tanh", "relu"):
        assert ratio[f"{activation}/normal"] < 1e-10, (
            f"{activation}/normal should lose 10+ orders of magnitude"
        )
    assert predicted / 2 < factor["sigmoid/normal"] < predicted * 2

    # 2. δ⁽ˡ⁾ = σ'(z⁽ˡ⁾) ⊙ W⁽ˡ⁺¹⁾ᵀδ⁽ˡ⁺¹⁾ with σ' ≤ 0.25 (checked for every neuron and sample above).
    for name in ("sigmoid/normal", "sigmoid/xavier"):
        print(f"{name}: δ recursion checked by hand for every neuron; largest σ'(z) = {slopes[name]:.4f}")
        assert slopes[name] <= 0.25

    # 3. Xavier does not save the sigmoid; Xavier saves tanh and He saves ReLU.
    assert ratio["sigmoid/xavier"] < 1e-3, "sigmoid + Xavier should still shrink δ by 1000x or more"
    for name in ("tanh/xavier", "relu/he"):
        hidden = results[name][:-1]
        assert max(hidden) / min(hidden) < 20, f"{name}: hidden layers' mean |δ| should stay within ~10x"
        assert ratio[name] > 1e-2
        assert ratio[name] > 1e8 * ratio[f"{name.split('/')[0]}/normal"]
    print("sigmoid + Xavier still vanishes; tanh + Xavier and ReLU + He keep δ within about 10x")

    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    from tinygrad_edu.viz import plot

    if plot.available():
        ticks = [f"{k + 1}" for k in range(layers)]
        title = "mean |δ| per layer (layer 1 = input side)"
        for suffix in ("png", "svg"):
            written.append(
                plot.lines(
                    results,
                    args.out / f"vanishing_deltas.{suffix}",
                    title=title,
                    xlabel="layer",
                    ylabel="mean |δ|",
                    log_y=True,
                    xticks=ticks,
                )
            )
    else:
        print(f"\n(no plots: {plot.INSTALL_HINT})")
    graph = render_graph(args.out)
    if graph is not None:
        written.append(graph)
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
