"""The main demo: micrograd's 2-16-16-1 ReLU network learns two interleaving moons, shown in pictures.

The recipe is micrograd's (demo.ipynb), step for step:

- data: ``make_moons(100, noise=0.1)``, labels turned from 0/1 into yᵢ = ±1;
- model: ``MLP(2, [16, 16, 1])`` — ReLU hidden layers, one linear output, the score sᵢ;
- loss: the SVM "max-margin" hinge loss plus an L2 penalty,

      J = (1/N)·Σᵢ max(0, 1 − yᵢ·sᵢ)  +  10⁻⁴·Σ p²

  A point on the right side with margin yᵢ·sᵢ ≥ 1 costs nothing (and sends no
  gradient back); every other point pulls its score towards its label;
- optimizer: full-batch gradient descent, p ← p − αₖ·∂J/∂p, with the learning
  rate annealed linearly, αₖ = 1.0 − 0.9·k/100 for k = 0, …, 99;
- prediction: class +1 where the score is > 0.

Every step builds the whole batch's graph — 7,242 nodes — and
backpropagates through it once. The script prints the loss and accuracy every
10 steps, checks that the network ends with every training point right (100%,
as micrograd's demo does), and, when matplotlib is installed, draws the
decision boundary (PNG and SVG) and the loss curve.

Run: ``python -m tinygrad_edu demo [--out DIR] [--quick]`` (or ``tinygrad-edu demo``,
or ``python examples/moons.py``). It writes to ``./tinygrad_edu_out/``: the
decision boundary (PNG and SVG) and the loss/accuracy curves (with matplotlib),
the graph of one hidden neuron (SVG) and the backprop replay of one training
point's loss through a 2-3-3-1 network trained the same way (HTML), and prints
the paths, replay first.

The full recipe runs 100 steps on 100 points, then draws the pictures;
``--quick`` runs the same 100 steps on 40 points.
Both reach 100% with these seeds and, when we tried, with every pair of
seeds (weights 0–3, data 0–2) on 40 points and with 9 of the 12 on 100 points
(the other three ended at 98–99%). The functions here are importable:
``train_moons(...)`` returns the trained model, the data and a
``train.History`` with one entry per step.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from ..data import make_moons
from ..engine import Value
from ..losses import l2, svm_loss
from ..modes import no_grad
from ..nn import MLP
from ..optim import SGD
from ..train import History

DEFAULT_OUT = Path("tinygrad_edu_out")
SEED = 1  # the network's initial weights
DATA_SEED = 1  # the moons' noise and order
L2_STRENGTH = 1e-4


def learning_rate(k: int, steps: int = 100) -> float:
    """micrograd's linear annealing: 1.0 at step 0, down to 0.1 + 0.9/steps at the last step."""
    return 1.0 - 0.9 * k / steps


def accuracy(scores: Sequence[float], labels: Sequence[int]) -> float:
    """The fraction of points on the right side: sign(score) = label (score > 0 ⇔ label +1)."""
    return sum((s > 0) == (t > 0) for s, t in zip(scores, labels)) / len(labels)


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector inside the block (restoring it afterwards).

    The engine's graphs contain no reference cycles (a node refers only to its
    inputs), so each step's graph is freed by reference counting as soon as
    the step ends, and the cycle collector never finds anything to free. It
    still walks the live nodes while a graph is being built, which costs more
    the bigger the graph (``benchmarks/README.md`` measures it).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def train_moons(
    *,
    seed: int = SEED,
    data_seed: int = DATA_SEED,
    n_samples: int = 100,
    steps: int = 100,
    verbose: bool = False,
    print_every: int = 10,
    sizes: Sequence[int] = (16, 16, 1),
) -> tuple[MLP, list[list[float]], list[int], History]:
    """Train micrograd's moons classifier; return ``(model, X, y, history)``.

    ``sizes`` are the layers' widths after the 2 inputs (micrograd's 16, 16, 1;
    the replay trains a 3, 3, 1 network with the same recipe).

    ``y`` holds the ±1 labels the model was trained on. ``history`` is a
    :class:`tinygrad_edu.train.History` with one entry per (full-batch) step:
    ``train_loss`` is the hinge loss and ``train_accuracy`` the accuracy of the
    scores computed in that step (before its update), ``lr`` the step's
    learning rate. With ``verbose``, prints a line every ``print_every`` steps.
    """
    X, y01 = make_moons(n_samples, noise=0.1, seed=data_seed)
    y = [2 * t - 1 for t in y01]  # 0/1 → −1/+1
    model = MLP(2, list(sizes), seed=seed)
    params = model.parameters()
    optimizer = SGD(params, lr=1.0)  # its lr is set at every step: micrograd's annealing
    history = History()
    started = time.perf_counter()
    with cycle_collector_paused():
        for k in range(steps):
            scores = [model(x) for x in X]  # the forward pass: one graph for the whole batch
            data_loss = svm_loss(scores, y)  # mean of max(0, 1 − yᵢ·sᵢ)
            penalty = L2_STRENGTH * l2(params)  # 1e-4 · Σ p²
            total = data_loss + penalty
            model.zero_grad()
            total.backward()
            lr = optimizer.lr = learning_rate(k, steps)
            optimizer.step()  # p ← p − α·∂J/∂p
            acc = accuracy([s.data for s in scores], y)
            history.train_loss.append(data_loss.data)
            history.train_accuracy.append(acc)
            history.lr.append(lr)
            if verbose and (k % print_every == 0 or k == steps - 1):
                print(
                    f"step {k:3d}  loss {total.data:.4f} (hinge {data_loss.data:.4f} + L2 {penalty.data:.4f})"
                    f"  accuracy {acc:.0%}  lr {lr:.3f}"
                )
    history.seconds = time.perf_counter() - started
    return model, X, y, history


def final_accuracy(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
    """Accuracy of the trained model (after the last update) on (X, y)."""
    with no_grad():
        return accuracy([model(list(x)).data for x in X], y)


def draw(
    model: MLP, X: list[list[float]], y: list[int], history: History, out: Path, resolution: int = 50
) -> list[Path]:
    """The decision boundary (PNG and SVG) and the loss curve; [] without matplotlib."""
    from ..viz import plot

    if not plot.available():
        print(f"\n(no plots: {plot.INSTALL_HINT})")
        return []
    grid = plot.decision_grid(model, X, resolution=resolution)  # evaluated once, drawn twice
    title = "moons: MLP(2, [16, 16, 1]), SVM loss + L2"
    names = ["y = −1", "y = +1"]
    written = [
        plot.decision_boundary(model, X, y, out / name, grid=grid, title=title, class_names=names)
        for name in ("moons_boundary.png", "moons_boundary.svg")
    ]
    written.append(plot.history(history, out / "moons_loss.png", title="moons, SVM hinge", xlabel="step"))
    return written


def draw_neuron(model: MLP, x: Sequence[float], out: Path) -> Path:
    """The graph of the first hidden neuron on one input point, after a fresh backward pass (SVG).

    The neuron's gradients are zeroed first, so the picture shows exactly the rule it teaches:
    each weight's grad is its input's data times the Σ node's δ, ∂out/∂wᵢ = xᵢ·δ, and ∂out/∂b = δ
    (training leaves the last step's gradients in them, which backward() would add to)."""
    from ..viz import render

    neuron = model.layers[0].neurons[0]
    neuron.zero_grad()
    inputs = [Value(v, label=f"x{i + 1}") for i, v in enumerate(x)]
    o = neuron(inputs)
    o.label = "out"
    o.backward()
    return render(o, out / "neuron_graph.svg")


REPLAY_SIZES = (3, 3, 1)  # the replay's network: small enough to step through node by node
REPLAY_SEED = 4  # its initial weights: trained, it keeps ReLUs live in both layers on some points


def replay_point(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int], out: Path) -> Path:
    """The backprop replay (HTML) of one training point's loss through a whole network.

    The loss of one point, ℓ = relu(1 − y·score), is followed back through
    every node: the hinge's relu, the output neuron, both ReLU layers, down to
    each weight and the point's coordinates x1, x2. Every hidden activation
    feeds all the neurons of the next layer, so its δ is a sum over several
    consumers, and a ReLU that is off passes δ = 0 to everything below it.

    The point is the one with the most live ReLUs among those the hinge still
    pulls on (ℓ > 0), the loss with the most gradient paths to step through
    (beyond the margin, ℓ = 0 sends no gradient back at all). The graph of one
    point through micrograd's 2-16-16-1 network has over 400 nodes, too many
    to step through one at a time, so ``run`` trains a 2-3-3-1 network
    (:data:`REPLAY_SIZES`, :data:`REPLAY_SEED`) with the same recipe for this page.
    """
    from ..viz.replay import replay_html

    def relus_on(x: Sequence[float]) -> int:
        h = list(x)
        on = 0
        for layer in model.layers[:-1]:
            h = [v.data for v in layer(h)]
            on += sum(v > 0 for v in h)
        return on

    with no_grad():
        hinge = [1.0 - t * model(list(x)).data for x, t in zip(X, y)]
        pulled = [i for i in range(len(X)) if hinge[i] > 0] or list(range(len(X)))
        i = max(pulled, key=lambda i: (relus_on(X[i]), hinge[i]))
    x = [Value(v, label=f"x{j + 1}") for j, v in enumerate(X[i])]
    score = model(x)
    score.label = "score"
    loss = (1.0 - y[i] * score).relu()  # the hinge loss of this one point
    loss.label = "loss"
    return replay_html(loss, out / "backprop_replay.html")


def run(out: Path = DEFAULT_OUT, *, quick: bool = False) -> list[Path]:
    """Train, check 100% training accuracy, write the pictures into ``out``; return their paths."""
    from ..viz import GraphvizNotFound

    n_samples, steps = (40, 100) if quick else (100, 100)
    print(f"micrograd's moons demo: {n_samples} points, MLP(2, [16, 16, 1]), {steps} full-batch steps")
    print(f"loss = mean(max(0, 1 − y·score)) + {L2_STRENGTH:g}·Σp²,  lr = 1.0 − 0.9·k/{steps}\n")
    model, X, y, history = train_moons(n_samples=n_samples, steps=steps, verbose=True)
    acc = final_accuracy(model, X, y)
    print(f"\n{len(model.parameters())} parameters, trained in {history.seconds:.1f} s")
    print(f"final training accuracy: {acc:.0%} ({round(acc * len(y))}/{len(y)})")
    # The claims: training drove the loss down and separated every training point.
    assert history.train_loss[-1] < history.train_loss[0] / 5, "the hinge loss should fall by 5x or more"
    assert acc == 1.0, f"expected 100% training accuracy, got {acc:.0%}"

    out.mkdir(parents=True, exist_ok=True)
    written = draw(model, X, y, history, out)  # says how to get plots when matplotlib is missing
    try:
        written.append(draw_neuron(model, X[0], out))
        small = train_moons(n_samples=n_samples, steps=steps, sizes=REPLAY_SIZES, seed=REPLAY_SEED)
        written.append(replay_point(*small[:3], out))
    except GraphvizNotFound as missing:
        print(f"(no graph pictures: {missing})")
    print()
    for path in written:
        print(f"wrote {path}")
    print(_what_to_open(written))
    return written


def _what_to_open(written: Sequence[Path]) -> str:
    """Which of the written files to open, in the order they teach best: the replay first."""
    order = ["backprop_replay.html", "neuron_graph.svg", "moons_boundary.png", "moons_loss.png"]
    why = {
        "backprop_replay.html": "step through backprop, node by node, in a browser",
        "neuron_graph.svg": "one neuron's graph: each weight's grad is its input times δ",
        "moons_boundary.png": "the decision boundary the network learned",
        "moons_loss.png": "the loss and accuracy, step by step",
    }
    found = {p.name: p for p in written}
    lines = [
        f"  {i}. {found[name]}: {why[name]}" for i, name in enumerate((n for n in order if n in found), 1)
    ]
    return "\nOpen, in this order:\n" + "\n".join(lines) if lines else ""
