"""Convolution: local receptive fields and shared weights find a pattern wherever it is (note 003).

A dense hidden unit sees every input through weights of its own. A convolution's unit at
position p sees only a small window of the input, and every position uses the same kernel:

    z[c, p] = Σ_q w[c, q]·x[p + q] + b[c]        y[c, p] = relu(z[c, p])

so what the kernel learns at one position it knows at all of them, and its gradient is the
sum over the positions, ∂e/∂w[c, q] = Σ_p x[p + q]·δ[c, p]: every position teaches it.

The task: signals of 20 samples of noise N(0, 0.2²) hide, at a random place, either the
pattern +1 −1 +1 (label 1) or the decoy −1 +1 +1 (label 0): the same three values in
another order, so neither a signal's mean nor its energy tells them apart, only the local
order does. Two networks of the same size and shape, 36 hidden ReLU units (2 channels × 18
positions) averaged per channel, then one linear output:

- conv:  the hidden units are Conv1d(1, 2, kernel_size=3): 2 kernels of 3 weights and 2
  biases shared by the 18 positions, 11 parameters in all;
- dense: the hidden units are Layer(20, 36): each has its own 20 weights, 759 parameters.

Both learn with Adam (lr 0.1, mini-batches of 10) from the same 40 signals, for the same
number of steps, and are scored every 5 epochs on held-out signals. The script asserts:

1. the conv network reaches 90% held-out accuracy, and gets there first: the dense one
   stays below 80% at every checkpoint;
2. yet the dense network fits its 40 training signals: it learns the pattern position by
   position (each position has about one example of each class), which does not carry
   over to the positions it has not seen the pattern at;
3. what the conv network learned holds at every position: a clean pattern (no noise) at
   each of the 18 positions is called 1 and the decoy 0, all 36 right; the dense network
   gets fewer right.

With matplotlib it draws the learned kernels next to the pattern and the held-out accuracy
per checkpoint; with Graphviz, the trained kernel on six samples of a signal: each kernel
weight feeds the sum of every position (the weight sharing, as the graph shows it).

Run: python examples/convolution.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any, Optional, Sequence

from tinygrad_edu import Value, viz
from tinygrad_edu.engine import total
from tinygrad_edu.nn import Conv1d, Flatten, Layer, Module, Sequential
from tinygrad_edu.optim import Adam
from tinygrad_edu.train import ACCURACY, evaluate, fit

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
LENGTH, CHANNELS, KERNEL = 20, 2, 3
POSITIONS = LENGTH - KERNEL + 1  # 18 windows of 3 in 20 samples
PATTERN, DECOY = [1.0, -1.0, 1.0], [-1.0, 1.0, 1.0]
NOISE = 0.2
TRAIN, TEST = 40, 200
EPOCHS, EVERY = 60, 5
LR, BATCH, SEED = 0.1, 10, 0
LOSS = "bce_with_logits"  # the output is a logit: class 1 when it is > 0


class MeanPerChannel(Module):
    """The hidden units as ``channels`` equal groups (a convolution's channels, or a dense
    layer's units in order), each averaged: one number per channel."""

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self._config = {"channels": channels}

    def forward(self, x: Any) -> list[Value]:
        units = Flatten()(x)
        n = len(units) // self.channels
        return [total(units[g * n : (g + 1) * n]) * (1.0 / n) for g in range(self.channels)]


def make_signals(n: int, seed: int) -> tuple[list[list[float]], list[float]]:
    """n signals, alternately with the pattern (label 1) and the decoy (label 0), at random places."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        x = [rng.gauss(0.0, NOISE) for _ in range(LENGTH)]
        where = rng.randrange(POSITIONS)
        for q, v in enumerate(PATTERN if i % 2 == 0 else DECOY):
            x[where + q] += v
        X.append(x)
        y.append(1.0 if i % 2 == 0 else 0.0)
    return X, y


def build(kind: str, seed: int = SEED) -> Sequential:
    """The conv or the dense network: 36 ReLU units, averaged per channel, then a linear output."""
    if kind == "conv":
        hidden: Module = Conv1d(1, CHANNELS, KERNEL, activation="relu", seed=seed)
    else:
        hidden = Layer(LENGTH, CHANNELS * POSITIONS, "relu", seed=seed)
    return Sequential(hidden, MeanPerChannel(CHANNELS), Layer(CHANNELS, 1, "linear", seed=seed))


def accuracy(model: Module, X: list[list[float]], y: list[float]) -> float:
    return evaluate(model, X, y, LOSS, ACCURACY[LOSS])[1] or 0.0


def train(model: Module, data: tuple[Any, ...], epochs: int) -> list[float]:
    """Train with Adam; the held-out accuracy after every EVERY epochs."""
    X, y, X_test, y_test = data
    scores = [accuracy(model, X_test, y_test)]  # before training

    def score(epoch: int, history: Any) -> bool:
        if epoch % EVERY == 0:
            scores.append(accuracy(model, X_test, y_test))
        return False

    optimizer = Adam(model.parameters(), lr=LR)
    fit(
        model,
        X,
        y,
        loss=LOSS,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=BATCH,
        seed=SEED,
        callbacks=[score],
    )
    return scores


def kernels_of(model: Sequential) -> list[list[float]]:
    conv = model.layers[0]
    assert isinstance(conv, Conv1d)
    return [[w.data for w in conv.w[c][0]] for c in range(CHANNELS)]


def main_channel(model: Sequential) -> int:
    """The channel whose mean the output weighs most."""
    readout = model.layers[-1]
    assert isinstance(readout, Layer)
    weights = [abs(w.data) for w in readout.neurons[0].w]
    return max(range(CHANNELS), key=lambda c: weights[c])


def clean_signals() -> list[tuple[list[float], float]]:
    """The pattern and the decoy, without noise, at each position: (signal, label)."""
    found = []
    for where in range(POSITIONS):
        for motif, label in ((PATTERN, 1.0), (DECOY, 0.0)):
            x = [0.0] * LENGTH
            x[where : where + KERNEL] = motif
            found.append((x, label))
    return found


def draw(out: Path, conv: Sequential, scores: dict[str, list[float]], checkpoints: list[int]) -> list[Path]:
    """The kernels and the accuracy curves (matplotlib), and one channel's graph (Graphviz)."""
    from tinygrad_edu.viz import plot

    written = []
    c = main_channel(conv)
    if plot.available():
        kernels = {f"channel {k + 1}": w for k, w in enumerate(kernels_of(conv))}
        kernels["the pattern"] = PATTERN
        title = "learned kernels (weights w[c, q]) and the pattern +1 −1 +1"
        for suffix in ("png", "svg"):
            written.append(plot.kernels(kernels, out / f"convolution_kernels.{suffix}", title=title))
        curves = {f"{kind} ({n} parameters)": s for kind, (n, s) in scores_with_sizes(scores).items()}
        written.append(
            plot.lines(
                curves,
                out / "convolution_accuracy.png",
                x=checkpoints,
                title="held-out accuracy",
                xlabel="epoch",
                ylabel="accuracy",
            )
        )
    else:
        print(f"\n(no plots: {plot.INSTALL_HINT})")
    six = [0.1, 0.0, 1.0, -1.0, 1.0, -0.1]  # the pattern inside six samples
    x = [Value(v, label=f"x{i + 1}") for i, v in enumerate(six)]
    conv.zero_grad()  # (training left its last step's gradients)
    e = total(conv.layers[0]([x])[c])
    e.label = "Σ over positions"
    e.backward()
    title = f"channel {c + 1}'s kernel on six samples: each weight w[{c},0,q] feeds all four sums"
    try:
        written.append(viz.render(e, out / "convolution_graph.svg", title=title))
    except viz.GraphvizNotFound as err:
        print(f"\n(no graph picture: {err})")
    return written


def scores_with_sizes(scores: dict[str, list[float]]) -> dict[str, tuple[int, list[float]]]:
    return {kind: (len(build(kind).parameters()), s) for kind, s in scores.items()}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for plots (default {DEFAULT_OUT})"
    )
    parser.add_argument("--quick", action="store_true", help="score on 100 held-out signals instead of 200")
    args = parser.parse_args(argv)

    X, y = make_signals(TRAIN, 1)
    X_test, y_test = make_signals(TEST // 2 if args.quick else TEST, 2)
    data = (X, y, X_test, y_test)
    models = {kind: build(kind) for kind in ("conv", "dense")}
    scores = {kind: train(model, data, EPOCHS) for kind, model in models.items()}
    checkpoints = list(range(0, EPOCHS + 1, EVERY))

    print(f"{TRAIN} training signals, {len(X_test)} held-out; pattern {PATTERN} against decoy {DECOY}")
    print(f"held-out accuracy every {EVERY} epochs ({TRAIN // BATCH} steps of Adam per epoch):")
    print(f"{'network':<28}" + "".join(f"{e:>7}" for e in checkpoints))
    for kind, (n, s) in scores_with_sizes(scores).items():
        print(f"{f'{kind} ({n} parameters)':<28}" + "".join(f"{a:>7.0%}" for a in s))

    # 1. The conv network reaches 90% on held-out signals; the dense one never gets there.
    first = next((e for e, a in zip(checkpoints, scores["conv"]) if a >= 0.9), None)
    assert first is not None, "the conv network should reach 90% held-out accuracy"
    assert max(scores["dense"]) < 0.8, "the dense network should stay below 80% held-out accuracy"
    print(f"conv: 90% held-out accuracy after {first} epochs; dense: at most {max(scores['dense']):.0%}")

    # 2. The dense network fits its training set: it memorised positions instead of the pattern.
    fitted = {kind: accuracy(model, X, y) for kind, model in models.items()}
    print(f"training accuracy: conv {fitted['conv']:.0%}, dense {fitted['dense']:.0%}")
    assert fitted["dense"] >= 0.95, "the dense network should fit its 40 training signals"

    # 3. What the conv network learned holds at every position.
    clean = clean_signals()
    right = {kind: sum((m(x).data > 0.0) == (t == 1.0) for x, t in clean) for kind, m in models.items()}
    print(f"the clean pattern and decoy at each of the {POSITIONS} positions: ", end="")
    print(f"conv {right['conv']}/{len(clean)} right, dense {right['dense']}/{len(clean)}")
    assert right["conv"] == len(clean) and right["dense"] < len(clean)
    c = main_channel(models["conv"])
    for k, kernel in enumerate(kernels_of(models["conv"])):
        shown = ", ".join(f"{w:+.2f}" for w in kernel)
        print(
            f"channel {k + 1}'s learned kernel: [{shown}]"
            + (" (the output weighs it most)" if k == c else "")
        )

    args.out.mkdir(parents=True, exist_ok=True)
    written = draw(args.out, models["conv"], scores, checkpoints)
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
