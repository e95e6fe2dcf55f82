"""Batch normalization: a deep sigmoid network that stalls without it trains with it (note 003).

Note 003 names batch normalization as a solution to unstable gradients. The
problem: backprop multiplies δ by one factor per layer on its way down,

    δ⁽ˡ⁾ = σ'(z⁽ˡ⁾) ⊙ (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾),    σ'(z) ≤ 0.25,

and for a deep sigmoid network (even with Xavier's initialisation) each factor
is well below 1: the first layers' δ, and so their gradients ∂e/∂w = x·δ,
vanish, and the network hardly learns. Batch normalization standardises each
feature over the mini-batch, x̂ = (x − μ)/√(σ² + ε), and passes δ back through
the same division: a layer whose outputs vary little (a small σ, which is what
small weights and a flat sigmoid make) has its δ scaled *up* by 1/√(σ² + ε),
undoing the shrinking.

We build the same network twice — 8 sigmoid hidden layers of 6 neurons on the
moons, Xavier initialisation, one linear output — once as it is and once with a
``BatchNorm`` after every hidden layer, and train both with the same SGD, the
same mini-batches and the same number of steps (``fit`` calls the BatchNorm
network once per mini-batch). The script asserts what the note claims:

1. without BatchNorm the network stalls: its training loss stays at a coin
   toss's, ln 2 ≈ 0.693, and it gets about half the points right;
2. with BatchNorm the same network trains: its training loss falls well below
   that, and in evaluation mode it gets 90% or more of the points right;
3. the reason, at initialisation: without BatchNorm the mean |δ| of the first
   hidden layer is 1000+ times below that of the last; with it, every hidden
   layer's mean |δ| is within about 10× of every other's, because each
   BatchNorm multiplies δ by 1/√(σ² + ε) > 1.

One more thing BatchNorm teaches: in evaluation mode it uses running averages
of the batch statistics, collected while the weights were still changing, so
after a short training they lag behind the final weights. The script shows the
evaluation loss with them as training left them, then re-estimates them with
the final weights (the cumulative average, ``momentum=None``, over one pass of
the training batches, without a graph) and evaluates again.

With matplotlib it plots mean |δ| per layer (log scale) and the two loss curves.

Run: python examples/batch_norm.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

from tinygrad_edu import Value, losses, no_grad
from tinygrad_edu.data import make_moons
from tinygrad_edu.nn import BatchNorm, Layer, Sequential
from tinygrad_edu.optim import SGD
from tinygrad_edu.train import ACCURACY, FitOptions, History, evaluate, fit

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
N_SAMPLES, DEPTH, WIDTH, BATCH = 64, 8, 6, 16  # 8 sigmoid hidden layers of 6, mini-batches of 16
LR, EPOCHS, QUICK_EPOCHS = 0.2, 15, 6  # 4 steps per epoch
SEED = 0


def build(batch_norm: bool) -> Sequential:
    """The deep sigmoid network (Xavier init, the default for the sigmoid), with or without a
    BatchNorm after every hidden layer; the same seeds, so the same weights either way."""
    parts: list[Any] = []
    nin = 2
    for k in range(DEPTH):
        parts.append(Layer(nin, WIDTH, "sigmoid", seed=SEED + k))
        if batch_norm:
            parts.append(BatchNorm(WIDTH))
        nin = WIDTH
    parts.append(Layer(nin, 1, "linear", seed=SEED + DEPTH))
    return Sequential(*parts)


def deltas_at(model: Sequential, X: list[list[float]], y: list[int]) -> tuple[list[float], list[float]]:
    """Mean |δ| = |∂e/∂z| of each layer over its neurons and the batch, for e the batch's
    cross-entropy; and the mean 1/√(σ² + ε) of each BatchNorm (its gain on δ).

    It runs the batch through the parts as the Sequential does (each Layer sample by sample,
    each BatchNorm on the whole batch), keeping every neuron's pre-activation z on the way:
    ``neuron.z`` holds only the latest sample's.
    """
    rows: list[Any] = list(X)
    zs: list[list[Value]] = []
    gains: list[float] = []
    for part in model.layers:
        if isinstance(part, BatchNorm):
            gains.append(inverse_std(rows, part.eps))
            rows = part(rows)
            continue
        assert isinstance(part, Layer)
        out: list[Any] = []
        layer_z: list[Value] = []
        for x in rows:
            out.append(part(x if isinstance(x, list) else [x]))
            layer_z.extend(n.z for n in part.neurons)
        rows = out
        zs.append(layer_z)
    losses.binary_cross_entropy_with_logits(rows, [float(t) for t in y]).backward()
    return [sum(abs(z.grad) for z in layer_z) / len(layer_z) for layer_z in zs], gains


def inverse_std(rows: list[Any], eps: float) -> float:
    """The mean over features of 1/√(σ² + ε), σ² the batch's variance of the feature."""
    columns = list(zip(*[[v.data for v in row] for row in rows]))
    total = 0.0
    for col in columns:
        mean = sum(col) / len(col)
        total += 1.0 / math.sqrt(sum((v - mean) ** 2 for v in col) / len(col) + eps)
    return total / len(columns)


def refresh_running_statistics(model: Sequential, X: list[list[float]]) -> None:
    """Re-estimate every BatchNorm's running mean and variance with the final weights: reset them,
    average over one pass of the training batches (momentum None: the cumulative average), and put
    each momentum back. In training mode, since each layer must see the batch-normalised outputs
    of the layers below it, as in training; without a graph, since nothing is learnt."""
    norms = [m for m in model.modules() if isinstance(m, BatchNorm)]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.running_mean, m.running_var = [0.0] * m.num_features, [1.0] * m.num_features
        m.num_batches_tracked, m.momentum = 0, None
    with no_grad():
        for start in range(0, len(X), BATCH):
            model(X[start : start + BATCH])
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum


def train(model: Sequential, X: list[list[float]], y: list[int], epochs: int) -> History:
    """SGD on mini-batches of BATCH, the same order for both networks."""
    return fit(
        model,
        X,
        y,
        loss="bce_with_logits",
        optimizer=SGD(model.parameters(), lr=LR),
        epochs=epochs,
        batch_size=BATCH,
        seed=SEED,
        options=FitOptions(verbose=False),
    )


def scored(model: Sequential, X: list[list[float]], y: list[int]) -> tuple[float, float]:
    """(cross-entropy, accuracy) in evaluation mode."""
    loss, accuracy = evaluate(model, X, y, "bce_with_logits", ACCURACY["bce_with_logits"])
    assert accuracy is not None
    return loss, accuracy


def plots(
    out: Path, deltas: dict[str, list[float]], histories: dict[str, History], epochs: int
) -> list[Path]:
    from tinygrad_edu.viz import plot

    if not plot.available():
        print(f"\n(no plots: {plot.INSTALL_HINT})")
        return []
    out.mkdir(parents=True, exist_ok=True)
    written = []
    ticks = [f"{k + 1}" for k in range(DEPTH + 1)]
    curves: dict[str, Sequence[Optional[float]]] = {k: h.train_loss for k, h in histories.items()}
    for suffix in ("png", "svg"):
        written.append(
            plot.lines(
                deltas,
                out / f"batch_norm_deltas.{suffix}",
                title="mean |δ| per layer at initialisation (layer 1 = input side)",
                xlabel="layer",
                ylabel="mean |δ|",
                log_y=True,
                xticks=ticks,
            )
        )
        written.append(
            plot.lines(
                curves,
                out / f"batch_norm_loss.{suffix}",
                title=f"training loss, {DEPTH} sigmoid hidden layers, SGD on mini-batches of {BATCH}",
                xlabel="epoch",
                ylabel="cross-entropy",
                x=list(range(1, epochs + 1)),
            )
        )
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for plots (default {DEFAULT_OUT})"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EPOCHS} epochs instead of {EPOCHS}")
    args = parser.parse_args(argv)
    epochs = QUICK_EPOCHS if args.quick else EPOCHS

    X, y = make_moons(N_SAMPLES, noise=0.1, seed=SEED)
    names = {False: "without BatchNorm", True: "with BatchNorm"}
    plain, normed = names[False], names[True]
    deltas: dict[str, list[float]] = {}
    gains: list[float] = []
    histories: dict[str, History] = {}
    final: dict[str, tuple[float, float]] = {}
    for batch_norm, name in names.items():
        model = build(batch_norm)
        deltas[name], g = deltas_at(model, X[:BATCH], y[:BATCH])
        gains += g
        model.zero_grad()
        histories[name] = train(model, X, y, epochs)
        final[name] = scored(model, X, y)
        if batch_norm:
            lagging = final[name]
            refresh_running_statistics(model, X)
            final[name] = scored(model, X, y)

    print(f"{DEPTH} sigmoid hidden layers of {WIDTH}, Xavier init, on {N_SAMPLES} moons; SGD α = {LR},")
    print(f"{epochs} epochs of mini-batches of {BATCH} ({epochs * N_SAMPLES // BATCH} steps)\n")
    print("mean |δ| per layer at initialisation (layer 1 is next to the input):")
    print(f"{'':<20}" + "".join(f"{f'layer {k + 1}':>10}" for k in range(DEPTH + 1)))
    for name, means in deltas.items():
        print(f"{name:<20}" + "".join(f"{m:>10.1e}" for m in means))
    ratio = {name: means[0] / means[DEPTH - 1] for name, means in deltas.items()}
    spread = {name: max(means[:DEPTH]) / min(means[:DEPTH]) for name, means in deltas.items()}
    for name in names.values():
        shown = f"first/last hidden layer {ratio[name]:.1e}, spread over hidden layers {spread[name]:.1f}×"
        print(f"  {name}: {shown}")
    print(
        f"  each BatchNorm multiplies δ by 1/√(σ² + ε): on average ×{min(gains):.1f} to ×{max(gains):.1f}\n"
    )

    late = {name: sum(h.train_loss[-3:]) / 3 for name, h in histories.items()}  # the last 3 epochs
    for name in names.values():
        first = histories[name].train_loss[0]
        print(f"{name}: training loss {first:.3f} in epoch 1, {late[name]:.3f} over the last 3 epochs")
    print(f"  eval mode, {plain}: loss {final[plain][0]:.3f}, accuracy {final[plain][1]:.0%}")
    print(f"  eval mode, {normed}, running statistics as training left them: loss {lagging[0]:.3f}, ", end="")
    print(f"accuracy {lagging[1]:.0%}")
    print(
        f"  eval mode, {normed}, re-estimated: loss {final[normed][0]:.3f}, accuracy {final[normed][1]:.0%}"
    )

    # 1. Without BatchNorm the network stalls at ln 2: it learns nothing.
    assert late[plain] > 0.65 and final[plain][0] > 0.65 and final[plain][1] <= 0.65, "it should stall"
    # 2. With it the same network trains.
    assert late[normed] < 0.45 and late[normed] < 0.65 * late[plain]
    assert final[normed][0] < 0.35 and final[normed][1] >= 0.9
    # 3. Why: δ vanishes layer by layer without it; with it δ stays level, BatchNorm scaling it up.
    assert ratio[plain] < 1e-3 and spread[normed] < 20 and deltas[normed][0] > 1000 * deltas[plain][0]
    assert min(gains) > 1.0
    print("\nwithout BatchNorm δ vanishes and the network stalls; with it δ stays level and it trains")

    for path in plots(args.out, deltas, histories, epochs):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
