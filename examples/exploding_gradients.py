"""Exploding gradients: a deep network whose gradient norm blows up, tamed by clipping (notes 001, 003, 004).

Backprop's recursion (notes 003/004) carries δ from the output back to the input,

    δ⁽ˡ⁾ = θ'(z⁽ˡ⁾) ⊙ (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾),

so the first layer's δ is a product of one factor per layer above it. In
``vanishing_gradients.py`` the factors are below 1 and δ vanishes; here they
are above 1 and δ explodes (note 004: "there is also a corresponding exploding
gradient problem"). To see the product with nothing else in the way, the
network is linear (θ(z) = z, θ' = 1: only the weights multiply δ): 10 hidden
layers of 8 on 4 inputs, with weights W ~ N(0, g²/m) for fan-in m and a gain
g = 1.2, so each layer multiplies δ (and the signal) by about g; 1.2¹⁰ ≈ 6.

A large gradient makes a large step, θ ← θ − α∇J, and in a deep network a
large step makes the next gradient larger still: the weights grow, and every
layer's factor with them. With plain gradient descent (α = 0.01, full batch,
squared error on 16 samples of y = sin x₁ + x₂/2) the global gradient norm
‖∇J‖ = √(Σₚ (∂J/∂p)²) grows by orders of magnitude at every step until the
loss overflows: training diverges.

Gradient clipping, the notes' cure "for exploding gradients" (note 003's
"Solutions" slide), rescales the whole gradient when its norm exceeds a
threshold c, g ← g·min(1, c/‖g‖) (``tinygrad_edu.optim.clip_grad_norm``). The
direction is kept and only the length is capped, so each step moves the
parameters by at most α·c. The same network, from the same weights, with the
same α and c = 1, then trains: its norm never exceeds the first step's and the
loss falls by a factor of 20 or more (66 here; 33 to 2,700 with the weight
seeds 0–4, which all diverge without clipping).

The script prints each layer's mean |δ| before training (measured sample by
sample with ``mean_abs_deltas`` from ``vanishing_gradients.py``: larger next to
the input), the norm and loss per step for both runs, and asserts the blow-up
(the norm grows by a factor of 10⁶ or more and the loss stops being finite)
and the cure (bounded norms, a loss at most 1/20 of the first). With
matplotlib it plots log₁₀ of the norm and the loss per step, and the per-layer |δ|.

Run: python examples/exploding_gradients.py [--out DIR] [--quick]
(``--quick`` trains 40 steps instead of 150.)
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path
from typing import Optional, Sequence

from vanishing_gradients import mean_abs_deltas  # examples/: the per-layer mean |δ|, measured per sample

from tinygrad_edu import Value
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD, clip_grad_norm

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
N_INPUTS, WIDTH, DEPTH, N_SAMPLES = 4, 8, 10, 16
GAIN, LR, MAX_NORM = 1.2, 0.01, 1.0
STEPS, QUICK_STEPS = 150, 40
SEED = 0


def make_data(seed: int = SEED) -> tuple[list[list[float]], list[float]]:
    """N_SAMPLES inputs x ~ N(0, 1)⁴ with targets y = sin x₁ + x₂/2."""
    rng = random.Random(seed)
    X = [[rng.gauss(0.0, 1.0) for _ in range(N_INPUTS)] for _ in range(N_SAMPLES)]
    return X, [math.sin(x[0]) + 0.5 * x[1] for x in X]


def build(seed: int = SEED) -> MLP:
    """The deep linear network, W ~ N(0, GAIN²/m): each layer scales δ by about GAIN."""
    init = lambda m, n, rng: rng.gauss(0.0, GAIN / math.sqrt(m))
    return MLP(N_INPUTS, [WIDTH] * DEPTH + [1], activation="linear", init=init, seed=seed)


def global_norm(params: Sequence[Value]) -> float:
    """‖∇J‖ = √(Σₚ (∂J/∂p)²) over every parameter (what clip_grad_norm measures, before clipping)."""
    return math.hypot(*(p.grad for p in params))


def train(clip: Optional[float], steps: int) -> tuple[list[float], list[float]]:
    """Full-batch gradient descent from the same weights, with or without clipping at ``clip``:
    the gradient norm (before clipping) and the loss of every step, up to the first that is not finite.
    """
    X, y = make_data()
    model = build()
    params = model.parameters()
    optimizer = SGD(params, lr=LR)
    norms: list[float] = []
    losses: list[float] = []
    for _ in range(steps):
        loss = sum(((model(x) - t) ** 2 for x, t in zip(X, y)), Value(0.0)) / len(X)
        optimizer.zero_grad()
        loss.backward()
        norms.append(global_norm(params))
        losses.append(loss.data)
        if not (math.isfinite(norms[-1]) and math.isfinite(loss.data)):
            break  # diverged: the next step would only spread inf and nan
        if clip is not None:
            clip_grad_norm(params, clip)  # g ← g·min(1, c/‖g‖)
        optimizer.step()
    return norms, losses


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for plots (default {DEFAULT_OUT})"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_STEPS} steps instead of {STEPS}")
    args = parser.parse_args(argv)
    steps = QUICK_STEPS if args.quick else STEPS

    print(f"linear MLP({N_INPUTS}, [{WIDTH}]×{DEPTH} + [1]), W ~ N(0, {GAIN}²/fan-in), ", end="")
    print(f"{N_SAMPLES} samples, squared error, gradient descent α = {LR}, {steps} steps\n")
    plain_norms, plain_losses = train(None, steps)
    clip_norms, clip_losses = train(MAX_NORM, steps)

    # 1. δ grows on its way back: measured per sample, as vanishing_gradients.py does.
    deltas, _ = mean_abs_deltas(build(), *make_data())
    print("before training: mean |δ| of each layer (layer 1 is next to the input)")
    print("  " + "".join(f"{k + 1:>9}" for k in range(len(deltas))))
    print("  " + "".join(f"{v:>9.3g}" for v in deltas))
    growth = deltas[0] / deltas[DEPTH - 1]
    print(f"hidden layer 1 / hidden layer {DEPTH}: ×{growth:.3g} ", end="")
    print(f"(on average about {GAIN}^{DEPTH - 1} = {GAIN ** (DEPTH - 1):.3g}; 8 units make it vary)\n")
    assert growth > 1, "δ should grow towards the input"

    # 2. Without clipping: the norm blows up and the loss overflows.
    print(f"{'step':>6}{'‖∇J‖ plain':>14}{'loss plain':>13}{'‖∇J‖ clipped':>15}{'loss clipped':>14}")
    for k in sorted({0, 1, 2, 3, 4, 5, 10, 20, steps // 2, steps - 1}):
        row = [f"{k:>6}"]
        row += [f"{v[k]:>14.3g}" if k < len(v) else f"{'':>14}" for v in (plain_norms,)]
        row += [f"{v[k]:>13.3g}" if k < len(v) else f"{'':>13}" for v in (plain_losses,)]
        row += [f"{clip_norms[k]:>15.3g}", f"{clip_losses[k]:>14.3g}"]
        print("".join(row))
    finite = [v for v in plain_norms if math.isfinite(v)]
    blow_up = max(finite) / plain_norms[0]
    print(f"\nno clipping: ‖∇J‖ grew ×{blow_up:.3g} in {len(plain_norms) - 1} steps, ", end="")
    print(f"then the loss became {plain_losses[-1]} (diverged at step {len(plain_losses) - 1})")
    assert blow_up > 1e6, "the gradient norm should grow by orders of magnitude"
    assert not math.isfinite(plain_losses[-1]) or not math.isfinite(plain_norms[-1]), (
        "training should diverge"
    )

    # 3. With clipping: the norms stay bounded and the loss falls.
    print(f"clip_grad_norm(max_norm={MAX_NORM:g}): largest ‖∇J‖ {max(clip_norms):.3g} ", end="")
    print(
        f"(the first step's: {clip_norms[0]:.3g}); loss {clip_losses[0]:.3g} → {clip_losses[-1]:.3g} ", end=""
    )
    print(f"(÷{clip_losses[0] / clip_losses[-1]:.3g})")
    assert len(clip_norms) == steps and all(math.isfinite(v) for v in clip_norms + clip_losses)
    assert max(clip_norms) <= clip_norms[0], "clipped training should keep the norm bounded"
    assert clip_losses[-1] < clip_losses[0] / 20, "clipped training should converge"

    from tinygrad_edu.viz import plot

    if not plot.available():
        print(f"\n(no plots: {plot.INSTALL_HINT})")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    labels = ("no clipping", f"clip_grad_norm, c = {MAX_NORM:g}")
    # log₁₀ on a linear axis: a log axis reaching 10³⁰⁶ would overflow matplotlib's own arithmetic
    exponents = [
        [math.log10(v) if 0 < v < math.inf else math.nan for v in n] for n in (plain_norms, clip_norms)
    ]
    written = [
        plot.lines(
            dict(zip(labels, exponents)),
            args.out / f"exploding_norms.{suffix}",
            x=list(range(steps)),
            title=f"global gradient norm per step (linear, {DEPTH} hidden layers, gain {GAIN})",
            xlabel="step",
            ylabel="log₁₀ ‖∇J‖ (before clipping)",
        )
        for suffix in ("png", "svg")
    ]
    written.append(
        plot.lines(
            dict(zip(labels, (plain_losses, clip_losses))),
            args.out / "exploding_loss.png",
            x=list(range(steps)),
            title="training loss per step",
            xlabel="step",
            ylabel="mean squared error",
            log_y=True,
        )
    )
    written.append(
        plot.lines(
            {"before training": deltas},
            args.out / "exploding_deltas.png",
            title="mean |δ| per layer (layer 1 = input side)",
            xlabel="layer",
            ylabel="mean |δ|",
            log_y=True,
            xticks=[str(k + 1) for k in range(len(deltas))],
        )
    )
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
