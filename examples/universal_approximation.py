"""Universal approximation: one hidden layer of growing width fits sin on [−π, π] (note 004).

Note 004 states the universal approximation theorem: "a feed-forward network with a single
hidden layer containing a finite number of neurons can approximate continuous functions on
compact subsets of ℝⁿ". Here the network is

    s(x) = b + Σₖ₌₁ʷ vₖ·tanh(wₖx + cₖ)        (MLP(1, [w, 1]), tanh hidden layer, linear output)

with 3w + 1 parameters, and the target is sin x on the compact set [−π, π]. The theorem says
that enough hidden units get the error below any ε > 0; it does not say how many, nor that
gradient descent finds them. So we measure: for widths w = 1, 2, 4, 8, 16 we fit 41 evenly
spaced points by the mean squared error (full-batch Adam, its rate decaying exponentially
from 0.05 to 0.0005, 4000 steps), from four random initialisations, keep the run with the
lowest training loss, and report its largest error |s(x) − sin x| on 201 points of [−π, π] (between
the training points too).

One unit is not enough, and not because of training: s(x) = b + v·tanh(wx + c) is monotone,
and a monotone s cannot stay within 1/2 of sin at both −π (sin = 0) and −π/2 (sin = −1),
since s(−π) ≤ s(−π/2) (or ≥ for a decreasing s, with π/2 and π). So its maximum error is at
least 0.5 whatever the weights. Two units can already bend both ways; from four on the fit is
close. The script asserts that the width-1 error is ≥ 0.5, that the error falls overall with
the width (the widest net's is at least 10 times below the narrowest's), and that the widest
net's maximum error is small (< 0.05). It need not fall at every doubling: two units often
stall in a poor local minimum (the best of four starts escapes it; ``--quick``'s one start
does not), and from 8 to 16 units the error is set by how far the optimisation got in its
steps, not by the width.

Training uses the traced path (``tinygrad_edu.trace``): the loss over the 41 points is
recorded once as a graph and replayed as straight-line float code for every step, with the
same numbers as eager backprop, many times faster.

With matplotlib it draws the fits over sin x and the error against the width.

Run: python examples/universal_approximation.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Optional, Sequence

from tinygrad_edu import Value, no_grad, trace
from tinygrad_edu.data import linspace
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import Adam, ExponentialLR

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
WIDTHS = [1, 2, 4, 8, 16]
N_TRAIN, N_GRID = 41, 201
LR, DECAY = 0.05, 100.0  # Adam's rate falls from LR to LR/DECAY over the run
FULL = {"steps": 4000, "seeds": 4}
QUICK = {"steps": 3000, "seeds": 1}
X_TRAIN = linspace(-math.pi, math.pi, N_TRAIN)
Y_TRAIN = [math.sin(x) for x in X_TRAIN]
GRID = linspace(-math.pi, math.pi, N_GRID)  # contains ±π and ±π/2 (up to rounding)


def train(width: int, seed: int, steps: int) -> tuple[MLP, float]:
    """MLP(1, [width, 1]) with tanh fitted to (X_TRAIN, Y_TRAIN): the model and its final training MSE.

    J = (1/N)·Σᵢ (s(xᵢ) − sin xᵢ)², minimised by Adam over the full batch. ``trace`` records
    J's graph once; each call replays its forward and backward pass on the current weights.
    """
    model = MLP(1, [width, 1], activation="tanh", seed=seed)

    def loss(xs: list[float]) -> Value:
        errors = [(model([x]) - y) ** 2 for x, y in zip(xs, Y_TRAIN)]
        return sum(errors, Value(0.0)) / len(xs)

    step = trace(loss, X_TRAIN)
    opt = Adam(model.parameters(), lr=LR)
    schedule = ExponentialLR(opt, k=math.log(DECAY) / steps)
    for _ in range(steps):
        opt.zero_grad()
        step(X_TRAIN)  # J, and ∂J/∂θ added into every parameter's .grad
        opt.step()
        schedule.step()
    return model, step.forward(X_TRAIN)


def predict(model: MLP, xs: Sequence[float]) -> list[float]:
    with no_grad():
        return [model([x]).data for x in xs]


def fit_widths(steps: int, seeds: int) -> dict[int, tuple[MLP, float]]:
    """For every width, the best of ``seeds`` runs by training loss (the error is not looked at)."""
    best = {}
    for width in WIDTHS:
        runs = [train(width, seed, steps) for seed in range(seeds)]
        best[width] = min(runs, key=lambda run: run[1])
    return best


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--quick", action="store_true", help="one start per width, 3000 steps (a few seconds)"
    )
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    steps, seeds = config["steps"], config["seeds"]

    print(f"s(x) = b + Σₖ vₖ·tanh(wₖx + cₖ) fitted to sin x at {N_TRAIN} points of [−π, π]")
    starts = "one start" if seeds == 1 else f"the best of {seeds} starts by training loss"
    print(f"full-batch Adam, {steps} steps, {starts}; errors on {N_GRID} points\n")
    print("  width  parameters  training MSE   max |s(x) − sin x|   RMS error")
    best = fit_widths(steps, seeds)
    fits, max_error, rms_error = {}, {}, {}
    for width, (model, mse) in best.items():
        fits[width] = predict(model, GRID)
        errors = [abs(s - math.sin(x)) for s, x in zip(fits[width], GRID)]
        max_error[width] = max(errors)
        rms_error[width] = math.sqrt(sum(e * e for e in errors) / len(errors))
        params = len(model.parameters())
        print(f"  {width:>5}  {params:>10}  {mse:12.2e}   {max_error[width]:18.4f}   {rms_error[width]:9.4f}")

    narrow, wide = max_error[WIDTHS[0]], max_error[WIDTHS[-1]]
    assert narrow >= 0.5 - 1e-9, "a single tanh unit is monotone: its max error is at least 1/2"
    assert wide < 0.05, "the widest network should fit sin closely"
    assert wide < narrow / 10 and rms_error[WIDTHS[-1]] < rms_error[WIDTHS[0]] / 10
    assert all(max_error[w] < narrow for w in WIDTHS[2:]), "from 4 units on, better than one unit"
    print(f"\nwidth 1: max error {narrow:.4f} ≥ 0.5, as for any monotone function (s(−π) ≤ s(−π/2) or ≥)")
    print(f"width {WIDTHS[-1]}: max error {wide:.4f} < 0.05, {narrow / wide:.0f}× smaller than with one unit")

    draw(fits, max_error, rms_error, args.out)
    return 0


def draw(
    fits: dict[int, list[float]], max_error: dict[int, float], rms_error: dict[int, float], out: Path
) -> None:
    from tinygrad_edu.viz import plot

    if not plot.available():
        print(f"\n({plot.INSTALL_HINT})")
        return
    curves: dict[str, Sequence[Optional[float]]] = {
        f"{w} unit{'s' if w > 1 else ''}": fits[w] for w in WIDTHS
    }
    curves["sin x"] = [math.sin(x) for x in GRID]  # drawn last: on top
    written = [
        plot.lines(
            curves,
            out / "universal_approximation_fits.png",
            x=GRID,
            title="one tanh hidden layer of w units fitted to sin x",
            xlabel="x",
            ylabel="s(x)",
            markers=False,
        ),
        plot.lines(
            {"max |error|": [max_error[w] for w in WIDTHS], "RMS error": [rms_error[w] for w in WIDTHS]},
            out / "universal_approximation_error.png",
            title="error against the hidden layer's width",
            xlabel="hidden units",
            ylabel="error on [−π, π]",
            log_y=True,
            xticks=[str(w) for w in WIDTHS],  # evenly spaced: the width doubles at each
        ),
    ]
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
