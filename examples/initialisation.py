"""Initialisation: zero weights stay identical, large weights saturate tanh, Xavier works (notes 002, 004).

Note 004: "Initializing weights to 0 is a bad idea" and "initializing at larger
weights is not a good idea for tanh"; note 002 recommends Xavier's
W ~ U(−√(6/(m + n)), +√(6/(m + n))) for sigmoid and tanh (He's N(0, 2/m) for
ReLU). This script shows why, in two parts.

**1. Zero initialisation: the hidden units stay identical.** MLP(2, [4, 1])
learns XOR (inputs and targets 0/1) by full-batch gradient descent on the
squared error. With every weight and bias 0, the four hidden units compute the
same aⱼ = θ(wⱼ·x + bⱼ), the output weights vⱼ are equal, so every unit gets the
same δⱼ = θ'(zⱼ)·vⱼ·δ_out and the same gradient ∂e/∂wⱼ = x·δⱼ: after the
update they are equal again, and so on forever. The network is, in effect, one
hidden unit wide, and one unit cannot represent XOR. Because the same floating-
point operations run on the same numbers, the equality is exact, and the script
asserts it (``==``) for every hidden unit after training:

- with tanh, nothing but the output bias moves at all: tanh(0) = 0 makes
  ∂e/∂vⱼ = aⱼ·δ_out = 0, and vⱼ = 0 makes δⱼ = 0;
- with the sigmoid (σ(0) = ½), the weights do move (a little), but in lockstep;
- from Xavier's random weights the same tanh network solves XOR.

**2. Large initialisation saturates tanh.** The deep network of
``vanishing_gradients.py`` (its data and sizes are imported from it: 8 tanh
hidden layers of 10 on 4 inputs, 8 samples), with weights drawn three ways:
small N(0, 0.01²), Xavier, and large N(0, 5²). With large weights each
pre-activation z is a sum of ten terms of size ≈ 5, so |z| is mostly far above
3, where tanh'(z) = 1 − tanh²(z) < 0.01 (a saturated unit): δ = tanh'(z)·Wᵀδ is
then ≈ 0 however large W is. The script prints, per layer, the fraction of
saturated units and the typical |δ| (the median over units and samples), and
asserts: with large weights at least half of every hidden layer is saturated
and the typical |δ| collapses by four orders of magnitude or more below the
output's, while with Xavier no unit is saturated and the typical |δ| of the
hidden layers stays within a factor of 20. (Small weights vanish too, without
saturating: that story, and He's init for ReLU, is ``vanishing_gradients.py``.)
The *mean* |δ| of the large network does not collapse: the few units that
happen to be unsaturated pass back δ multiplied by large weights. The gradient
reaches only a handful of weights, in big jolts — unstable either way.

With matplotlib it plots each hidden unit's first weight during the XOR
training (zero init: one line; Xavier: four) and the typical |δ| and the
saturated fraction per layer.

Run: python examples/initialisation.py [--out DIR] [--quick]
(``--quick`` trains XOR for 150 epochs instead of 400.)
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

from vanishing_gradients import DEPTH, N_INPUTS, WIDTH, make_batch  # examples/: the same deep network

from tinygrad_edu.data import logic_gate
from tinygrad_edu.nn import MLP
from tinygrad_edu.train import FitOptions, History, fit

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
EPOCHS, QUICK_EPOCHS, LR = 400, 150, 0.2
SEED = 0
LARGE = 5.0  # the large init's standard deviation
XOR_RUNS = [("sigmoid", "zeros"), ("tanh", "zeros"), ("tanh", "xavier")]
SATURATED = 0.01  # tanh'(z) below this (|z| > 3): the unit passes back less than 1% of its δ


def hidden_weights(model: MLP) -> list[list[float]]:
    """Each hidden unit's weights and bias [w₁, w₂, b]."""
    return [[w.data for w in n.w] + [n.b.data if n.b is not None else 0.0] for n in model.layers[0].neurons]


def train_xor(activation: str, init: str, epochs: int) -> tuple[MLP, History, list[list[float]]]:
    """MLP(2, [4, 1]) on XOR; also returns each hidden unit's first weight w₁ after every epoch."""
    X, y = logic_gate("XOR")
    model = MLP(2, [4, 1], activation=activation, init=init, seed=SEED)
    track: list[list[float]] = [[row[0] for row in hidden_weights(model)]]

    def record(epoch: int, history: Any) -> bool:
        track.append([row[0] for row in hidden_weights(model)])
        return False

    history = fit(
        model,
        X,
        y,
        loss="mse",
        epochs=epochs,
        batch_size=None,
        callbacks=[record],
        options=FitOptions(lr=LR, verbose=False),
    )
    return model, history, [list(unit) for unit in zip(*track)]


def part_one(epochs: int) -> dict[str, list[float]]:
    """Zero init vs Xavier on XOR: print, assert, and return the w₁ curves for the plot."""
    X, y = logic_gate("XOR")
    print(f"1. MLP(2, [4, 1]) on XOR, full-batch gradient descent α = {LR}, {epochs} epochs, e = MSE\n")
    print(f"{'hidden/init':<16}{'final MSE':>10}  {'right':>5}  {'outputs':<26}hidden units [w₁, w₂, b]")
    curves: dict[str, list[float]] = {}
    for activation, init in XOR_RUNS:
        model, history, track = train_xor(activation, init, epochs)
        outputs = [model(x).data for x in X]
        right = sum((o > 0.5) == (t == 1) for o, t in zip(outputs, y))
        units = hidden_weights(model)
        name = f"{activation}/{init}"
        shown = " ".join(f"{o:.2f}" for o in outputs)
        print(f"{name:<16}{history.train_loss[-1]:>10.4f}  {right:>3}/4  {shown:<26}", end="")
        print(", ".join("[" + ", ".join(f"{v:.3g}" for v in u) + "]" for u in units[:2]) + ", …")
        identical = all(u == units[0] for u in units)
        if init == "zeros":
            assert identical, f"{name}: zero init should leave every hidden unit identical"
            assert right < 4 and history.train_loss[-1] > 0.2, f"{name}: one effective unit cannot learn XOR"
            moved = any(v != 0.0 for v in units[0])
            print(f"  all 4 hidden units identical after {epochs} epochs (exact ==): {identical}; ", end="")
            print("they moved, in lockstep" if moved else "they never moved from 0")
            assert moved == (activation == "sigmoid")
        else:
            assert not identical and right == 4 and history.train_loss[-1] < 0.01, f"{name} should solve XOR"
        for k, unit in enumerate(track):
            curves[f"{name} unit {k + 1}"] = unit
    return curves


def layer_statistics(model: MLP) -> tuple[list[float], list[float], list[float]]:
    """Per layer, over its units and the samples: the saturated fraction (tanh'(z) < SATURATED; hidden
    layers only), the median |δ| and the mean |δ|; each sample's e = (out − t)²/N is backpropagated alone."""
    X, T = make_batch()
    deltas: list[list[float]] = [[] for _ in model.layers]
    saturated: list[list[bool]] = [[] for _ in model.layers[:-1]]
    for x, t in zip(X, T):
        e = (model(x) - t) ** 2 / len(X)
        e.backward()
        for k, layer_deltas in enumerate(model.deltas()):
            deltas[k] += [abs(d) for d in layer_deltas]
        for k, layer in enumerate(model.layers[:-1]):
            saturated[k] += [1.0 - math.tanh(n.z.data) ** 2 < SATURATED for n in layer.neurons]
    fractions = [sum(s) / len(s) for s in saturated]
    return fractions, [statistics.median(d) for d in deltas], [statistics.fmean(d) for d in deltas]


def part_two() -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Small, Xavier and large init on the deep tanh network: print, assert, return the plots' data."""
    inits: dict[str, Any] = {
        "small N(0, 0.01²)": "normal",
        "Xavier": "xavier",
        f"large N(0, {LARGE:g}²)": lambda m, n, rng: rng.gauss(0.0, LARGE),
    }
    print(f"\n2. tanh MLP({N_INPUTS}, [{WIDTH}]×{DEPTH} + [1]) as in vanishing_gradients.py; ", end="")
    print(f"per layer (1 = input side, {DEPTH + 1} = output):\n")
    medians, fractions = {}, {}
    for name, init in inits.items():
        model = MLP(N_INPUTS, [WIDTH] * DEPTH + [1], activation="tanh", init=init, seed=SEED)
        fractions[name], medians[name], means = layer_statistics(model)
        print(f"{name}:")
        print("  saturated " + "".join(f"{f:>8.0%}" for f in fractions[name]))
        print("  median|δ| " + "".join(f"{m:>8.0e}" for m in medians[name]))
        print("  mean |δ|  " + "".join(f"{m:>8.0e}" for m in means))
    big = f"large N(0, {LARGE:g}²)"
    large, xavier = medians[big], medians["Xavier"]
    collapse = max(large[:-1]) / large[-1]
    band = max(xavier[:-1]) / min(xavier[:-1])
    print(f"\nlarge: every hidden layer ≥ {min(fractions[big]):.0%} saturated; ", end="")
    print(f"typical |δ| of the hidden layers ≤ {collapse:.1e} × the output's")
    print(f"Xavier: {max(fractions['Xavier']):.0%} saturated; hidden layers' typical |δ| within ×{band:.1f}")
    assert min(fractions[big]) >= 0.5, "large weights should saturate tanh"
    assert collapse < 1e-4, "the typical δ should collapse in a saturated network"
    assert max(fractions["Xavier"]) == 0.0 and band < 20, "Xavier should keep δ within a band"
    return medians, {name: [100 * f for f in fr] for name, fr in fractions.items()}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for plots (default {DEFAULT_OUT})"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EPOCHS} epochs instead of {EPOCHS}")
    args = parser.parse_args(argv)

    curves = part_one(QUICK_EPOCHS if args.quick else EPOCHS)
    medians, fractions = part_two()

    from tinygrad_edu.viz import plot

    if not plot.available():
        print(f"\n(no plots: {plot.INSTALL_HINT})")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    shown = {k: v for k, v in curves.items() if not k.startswith("tanh/zeros")}  # tanh/zeros: all 0
    layers = [str(k + 1) for k in range(DEPTH + 1)]
    written = [
        plot.lines(
            shown,
            args.out / "initialisation_symmetry.png",
            x=list(range(len(next(iter(shown.values()))))),
            title="XOR: each hidden unit's w₁ (zero init: 4 identical lines)",
            xlabel="epoch",
            ylabel="w₁",
            markers=False,
        )
    ]
    written += [
        plot.lines(
            medians,
            args.out / f"initialisation_deltas.{suffix}",
            title="typical |δ| per layer (median over units and samples; layer 1 = input side)",
            xlabel="layer",
            ylabel="median |δ|",
            log_y=True,
            xticks=layers,
        )
        for suffix in ("png", "svg")
    ]
    written.append(
        plot.bars(
            fractions,
            args.out / "initialisation_saturation.png",
            categories=layers[:-1],
            title=f"hidden units with tanh'(z) < {SATURATED:g}, per layer",
            ylabel="% saturated",
        )
    )
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
