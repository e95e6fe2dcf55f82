"""Optimizers on a valley and on a small network: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam.

Notes 001–003. Gradient descent θ ← θ − α∇J takes the same step size α in
every direction, but a valley (an ill-conditioned Hessian, note 003) is steep
across and flat along. Here

    f(x, y) = x²/100 + y²      curvatures ∂²f/∂x² = 0.02, ∂²f/∂y² = 2 (condition number 100)

Along y each step multiplies y by (1 − 2α), so α must stay below 2/2 = 1 or
the iterates oscillate out of control (note 001); along x each step
multiplies x by only (1 − 0.02α) ≥ 0.98, a crawl. The fixes from the notes:

- momentum (λ = 0.9): v ← λv − α∇J, θ ← θ + v — the velocity builds up along
  the valley floor, where the gradient keeps its sign, and cancels across it;
- Nesterov: the same, with the gradient taken after the momentum step;
- AdaGrad: θ ← θ − α/(δ + √r)·g with r = Σg², a step per parameter that
  shrinks with its gradients' history (and, note 001, often too early);
- RMSProp: the same with r ← ρr + (1 − ρ)g², which forgets the distant past;
- Adam: momentum on g and RMSProp's scale, both bias-corrected.

Every optimizer starts at (−8, 1) and takes 200 steps. The script prints each
one's final loss and the first step with f < 10⁻³, then trains a small ReLU
network on the moons with each of them (full batch, 80 steps), and shows a
learning rate that is too large: plain SGD with α = 1.1 on the valley (y grows
by |1 − 2.2| = 1.2 per step until f overflows to inf — caught by the engine's
``detect_anomaly()``) and α = 20 on the network. It asserts that momentum
and Nesterov beat plain SGD on the valley and on the network, and that the
too-large rates make the loss grow.

Run: python examples/optimizers.py [--out DIR]
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence

from tinygrad_edu import AnomalyError, Value, detect_anomaly, no_grad
from tinygrad_edu.data import make_moons
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD, AdaGrad, Adam, Optimizer, RMSProp
from tinygrad_edu.train import FitOptions, fit

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
START = (-8.0, 1.0)
STEPS = 200
THRESHOLD = 1e-3
MakeOptimizer = Callable[[list[Value]], Optimizer]

# Learning rates: plain SGD gets 0.9, about the best it can do (α < 1 or y diverges);
# the momentum methods take 0.2, since their velocity adds up to ~α/(1 − λ) = 10α per step.
VALLEY_OPTIMIZERS: dict[str, MakeOptimizer] = {
    "SGD α=0.9": lambda p: SGD(p, lr=0.9),
    "momentum α=0.2": lambda p: SGD(p, lr=0.2, momentum=0.9),
    "Nesterov α=0.2": lambda p: SGD(p, lr=0.2, momentum=0.9, nesterov=True),
    "AdaGrad α=0.5": lambda p: AdaGrad(p, lr=0.5),
    "RMSProp α=0.1": lambda p: RMSProp(p, lr=0.1, rho=0.99),
    "Adam α=0.2": lambda p: Adam(p, lr=0.2),
}
NETWORK_OPTIMIZERS: dict[str, MakeOptimizer] = {
    "SGD α=0.5": lambda p: SGD(p, lr=0.5),
    "momentum α=0.1": lambda p: SGD(p, lr=0.1, momentum=0.9),
    "Nesterov α=0.1": lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "AdaGrad α=0.1": lambda p: AdaGrad(p, lr=0.1),
    "RMSProp α=0.01": lambda p: RMSProp(p, lr=0.01),
    "Adam α=0.05": lambda p: Adam(p, lr=0.05),
}
TOO_LARGE_VALLEY, TOO_LARGE_NETWORK = 1.1, 20.0


def valley(x: Value, y: Value) -> Value:
    """f(x, y) = x²/100 + y², built from Values (so the engine gives ∇f)."""
    return x * x / 100 + y * y


def descend(
    make: MakeOptimizer, f: Callable[[Value, Value], Value] = valley, steps: int = STEPS
) -> tuple[list[tuple[float, float]], list[float]]:
    """The points (start first) and the loss f at each of them, for ``steps`` steps from START."""
    x, y = Value(START[0], label="x"), Value(START[1], label="y")
    opt = make([x, y])
    path, losses = [(x.data, y.data)], []
    for _ in range(steps):
        loss = f(x, y)
        losses.append(loss.data)
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append((x.data, y.data))
    losses.append(f(x, y).data)
    return path, losses


def first_below(losses: Sequence[float], threshold: float = THRESHOLD) -> Optional[int]:
    """The first step after which the loss is below ``threshold`` (None if never)."""
    return next((k for k, v in enumerate(losses) if v < threshold), None)


def diverge(lr: float, max_steps: int = 10_000) -> tuple[list[float], Optional[AnomalyError]]:
    """Plain SGD with learning rate ``lr`` on the valley, until the loss overflows (or max_steps).

    ``detect_anomaly()`` makes the first op that produces inf or nan raise an
    AnomalyError naming it; we catch it and return it with the losses so far.
    """
    x, y = Value(START[0], label="x"), Value(START[1], label="y")
    opt = SGD([x, y], lr=lr)
    losses: list[float] = []
    try:
        with detect_anomaly():
            for _ in range(max_steps):
                loss = valley(x, y)
                losses.append(loss.data)
                opt.zero_grad()
                loss.backward()
                opt.step()
    except AnomalyError as error:
        return losses, error
    return losses, None


MOONS = make_moons(30, noise=0.1, seed=0)


def train_network(make: MakeOptimizer, epochs: int = 80) -> tuple[MLP, list[float]]:
    """Full-batch training of MLP(2, [6, 6, 1]) on 30 moons with BCE: the model and the loss of every step."""
    X, y = MOONS
    model = MLP(2, [6, 6, 1], seed=1)
    history = fit(
        model,
        X,
        y,
        loss="bce_with_logits",
        optimizer=make(model.parameters()),
        epochs=epochs,
        batch_size=None,
        options=FitOptions(verbose=False),
    )
    return model, history.train_loss


def active_units(model: MLP, X: Sequence[Sequence[float]]) -> int:
    """How many hidden ReLUs output > 0 for at least one input (the others are dead: relu' = 0)."""
    alive = 0
    with no_grad():
        for k in range(len(model.layers) - 1):
            outputs = []
            for x in X:
                h: list[Value] = [Value(v) for v in x]
                for layer in model.layers[: k + 1]:
                    h = layer(h)
                outputs.append([v.data for v in h])
            alive += sum(any(row[i] > 0 for row in outputs) for i in range(len(outputs[0])))
    return alive


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)

    # ---- 1. the valley
    print(f"valley f(x, y) = x²/100 + y² from {START}, {STEPS} steps; steps to f < {THRESHOLD:g}:\n")
    paths, curves, reached = {}, {}, {}
    for name, make in VALLEY_OPTIMIZERS.items():
        paths[name], curves[name] = descend(make)
        reached[name] = first_below(curves[name])
        shown = f"{reached[name]:>5}" if reached[name] is not None else f" >{STEPS}"
        print(f"  {name:<16} final loss {curves[name][-1]:9.2e}   steps to threshold {shown}")
    sgd, momentum, nesterov = (reached[n] for n in ("SGD α=0.9", "momentum α=0.2", "Nesterov α=0.2"))
    assert sgd is not None and momentum is not None and nesterov is not None
    assert momentum < sgd / 2 and nesterov < sgd / 2, "momentum should reach the floor twice as fast as SGD"
    assert curves["momentum α=0.2"][-1] < curves["SGD α=0.9"][-1]
    print(f"\nmomentum reaches the threshold in {momentum} steps, plain SGD in {sgd}.")
    if reached["AdaGrad α=0.5"] is None:
        print("AdaGrad does not get there: its step α/√(Σg²) keeps shrinking (note 001).")

    # ---- 2. a learning rate that is too large
    losses, error = diverge(TOO_LARGE_VALLEY)
    print(f"\nplain SGD with α = {TOO_LARGE_VALLEY} > 1 on the valley: y is multiplied by 1 − 2α = ", end="")
    print(f"{1 - 2 * TOO_LARGE_VALLEY:.1f} per step")
    for k in (0, 10, 100, 1000):
        if k < len(losses):
            print(f"  step {k:>4}: loss {losses[k]:.3g}")
    assert error is not None, "the loss should overflow"
    print(f"  step {len(losses):>4}: caught {type(error).__name__}: {error}")
    assert all(b > a for a, b in itertools.pairwise(losses)), "the loss should grow at every step"

    # ---- 3. a small network
    print("\nMLP(2, [6, 6, 1]) on 30 moons, full-batch BCE, 80 steps; loss at steps 1, 20, 40, 60, 80:")
    network: dict[str, list[float]] = {}
    big = f"SGD α={TOO_LARGE_NETWORK:g}"
    makers = {**NETWORK_OPTIMIZERS, big: lambda p: SGD(p, lr=TOO_LARGE_NETWORK)}
    alive = {}
    for name, make in makers.items():
        model, network[name] = train_network(make)
        alive[name] = active_units(model, MOONS[0])
        print(f"  {name:<16}" + "".join(f"{network[name][k]:9.4f}" for k in (0, 19, 39, 59, 79)))
    final = {name: curve[-1] for name, curve in network.items()}
    assert final["momentum α=0.1"] < final["SGD α=0.5"] and final["Nesterov α=0.1"] < final["SGD α=0.5"]
    assert min(final, key=final.__getitem__) == "Adam α=0.05"
    assert final[big] > network[big][0], "a too-large learning rate should make the loss grow"
    peak = max(range(len(network[big])), key=network[big].__getitem__)
    print(f"\nlowest final loss: Adam; with α = {TOO_LARGE_NETWORK:g} the loss jumps from ", end="")
    print(
        f"{network[big][0]:.3f} to {network[big][peak]:.3g} at step {peak + 1} and ends at {final[big]:.3f}"
    )
    print(
        f"hidden ReLUs still active on some training point: {alive[big]}/12 with α = {TOO_LARGE_NETWORK:g}",
        end="",
    )
    print(
        f" (dead: relu' = 0, no gradient, the network stops learning), {alive['SGD α=0.5']}/12 with α = 0.5"
    )
    assert alive[big] == 0 < alive["SGD α=0.5"]

    # ---- plots
    from tinygrad_edu.viz import plot

    if not plot.available():
        print(f"\n(no plots: {plot.INSTALL_HINT})")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    title = "f(x, y) = x²/100 + y²: 200 steps from (−8, 1)"
    written = [
        plot.trajectories(
            valley, paths, args.out / f"optimizers_valley.{suffix}", minimum=(0.0, 0.0), title=title
        )
        for suffix in ("png", "svg")
    ]
    finite_curves = {name: [v if math.isfinite(v) else math.nan for v in c] for name, c in curves.items()}
    written.append(
        plot.lines(
            finite_curves,
            args.out / "optimizers_valley_loss.png",
            x=list(range(STEPS + 1)),
            title="valley: loss per step",
            xlabel="step",
            ylabel="f(x, y)",
            log_y=True,
            markers=False,
        )
    )
    written.append(
        plot.lines(
            network,
            args.out / "optimizers_network_loss.png",
            title="MLP(2, [6, 6, 1]) on moons: training loss",
            xlabel="step",
            ylabel="BCE",
            log_y=True,
            markers=False,
        )
    )
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
