"""Online vs mini-batch vs full batch, for the same budget of gradient evaluations (notes 001, 003, 004).

Note 001 compares three ways to estimate the gradient of J = (1/N)·Σᵢ Jᵢ:

- online (stochastic) gradient descent, one sample per step,
  θ ← θ − α∇Jₖ(θ): cheap, but "not an accurate representation of the gradient";
- batch gradient descent, all N samples per step, θ ← θ − α∇J(θ): exact, but
  every step costs N gradient evaluations;
- mini-batches of Q samples, θ ← θ − (α/Q)·Σ_q ∇J_q(θ): "a good trade off
  between speed and accuracy".

What they cost is the number of per-sample gradients ∇Jᵢ they compute, so we
give every method the same budget — E epochs of N points, E·N evaluations —
and draw the training loss against the evaluations spent. For the same budget
online descent takes N steps for every one of the full batch, mini-batches of
4 take N/4. The problem is ``lr_schedules.py``'s (its ``train`` is imported):
micrograd's moons recipe, ReLU MLP(2, [16, 16, 1]) with the hinge loss plus
10⁻⁴·Σp², same weights and same shuffled order for every run, 60 points and 20
epochs (the quick run: 40 points, MLP(2, [8, 8, 1])).

Two learning rates, one each for the two halves of the note's claim:

1. α = 0.1: every method is stable, and for the same number of gradient
   evaluations online and mini-batch descent end with a lower training loss
   than the full batch — they took many more (noisier) steps. Asserted.
2. α = 0.5: the single-sample gradient is too noisy for this step size. Online
   descent keeps jumping around, and often lands where the output no longer
   depends on the input (a constant output scores a hinge loss of 1 on
   balanced classes: the quick run ends there; the full run, with seed 0, does
   not, but ends far above the mini-batches), while mini-batches average out
   enough of the noise.
   Asserted: online ends worse than mini-batches of 4.

Both claims held for each of the seeds 0–5 we tried, on both problem sizes.
With matplotlib it plots the loss against the gradient evaluations for each
learning rate.

Run: python examples/batch_size.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from lr_schedules import moons, train  # examples/: micrograd's moons recipe, trained with fit

EPOCHS = 20
FULL = {"points": 60, "sizes": [16, 16, 1]}
QUICK = {"points": 40, "sizes": [8, 8, 1]}
SMALL_LR, LARGE_LR = 0.1, 0.5
DEFAULT_OUT = Path("tinygrad_edu_out/examples")


def compare(X: list[list[float]], y: list[int], sizes: list[int], lr: float) -> dict[str, list[float]]:
    """Online, mini-batch (4) and full-batch descent at learning rate ``lr``: the loss after every epoch."""
    n = len(X)
    methods: dict[str, Optional[int]] = {"online (1)": 1, "mini-batch (4)": 4, f"full batch ({n})": None}
    print(f"α = {lr:g}: training loss (hinge, all points) after … gradient evaluations")
    marks = sorted({1, EPOCHS // 4, EPOCHS // 2, EPOCHS})
    print(f"  {'batch':<16}{'updates':>8}" + "".join(f"{m * n:>9}" for m in marks))
    curves = {}
    for name, batch in methods.items():
        curves[name], _ = train(X, y, sizes=sizes, epochs=EPOCHS, batch_size=batch, lr=lr)
        updates = EPOCHS * (1 if batch is None else -(-n // batch))  # steps per epoch: ⌈n/batch⌉
        print(f"  {name:<16}{updates:>8}" + "".join(f"{curves[name][m]:>9.4f}" for m in marks))
    return curves


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for plots (default {DEFAULT_OUT})"
    )
    parser.add_argument("--quick", action="store_true", help="40 points and MLP(2, [8, 8, 1])")
    args = parser.parse_args(argv)
    setup = QUICK if args.quick else FULL
    points, sizes = setup["points"], setup["sizes"]
    assert isinstance(points, int) and isinstance(sizes, list)

    X, y = moons(points)
    print(f"{points} moons, ReLU MLP(2, {sizes}), hinge + 10⁻⁴·Σp²; every method gets ", end="")
    print(f"{EPOCHS} epochs = {EPOCHS * points} per-sample gradient evaluations\n")
    small = compare(X, y, sizes, SMALL_LR)
    online, mini, full = (curve[-1] for curve in small.values())
    print(f"\nα = {SMALL_LR:g}, same budget: online {online:.4f} and mini-batch {mini:.4f} ", end="")
    print(f"end below the full batch's {full:.4f}\n")
    assert online < full and mini < full, "online and mini-batch should beat the full batch per evaluation"

    large = compare(X, y, sizes, LARGE_LR)
    online, mini, full = (curve[-1] for curve in large.values())
    print(f"\nα = {LARGE_LR:g}: online ends at {online:.4f}, ", end="")
    print(f"mini-batch at {mini:.4f}, full batch at {full:.4f}")
    assert online > mini, "one sample's gradient should be too noisy for α = 0.5"

    from tinygrad_edu.viz import plot

    if not plot.available():
        print(f"\n(no plots: {plot.INSTALL_HINT})")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    evaluations = [k * points for k in range(EPOCHS + 1)]
    written = []
    for lr, curves, name in ((SMALL_LR, small, "small"), (LARGE_LR, large, "large")):
        for suffix in ("png", "svg") if name == "small" else ("png",):
            written.append(
                plot.lines(
                    curves,
                    args.out / f"batch_size_{name}_lr.{suffix}",
                    x=evaluations,
                    title=f"moons, α = {lr:g}: the same budget of gradient evaluations",
                    xlabel="per-sample gradient evaluations",
                    ylabel="hinge loss (all points)",
                    markers=False,
                )
            )
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
