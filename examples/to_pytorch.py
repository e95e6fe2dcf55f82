"""Through the door to PyTorch and back: train here, go on training in PyTorch, bring the model home.

A 2-8-8-1 tanh network learns the two moons here, with tinygrad_edu's Adam on the
binary cross-entropy of σ(s), softplus(s) − y·s. ``to_torch`` then gives the
``torch.nn.Sequential`` computing the same function — every weight copied exactly,
in float64 — and PyTorch's own ``torch.optim.Adam`` continues the training on the
same loss (``binary_cross_entropy_with_logits``). ``from_torch`` brings the trained
network back as an ``MLP``. The script asserts what the door promises:

- the moved model computes what ours computes (within 1e-12; PyTorch sums a
  layer's products in its own order, so a last bit may differ);
- training went on in PyTorch: its loss went down;
- the model brought back computes what PyTorch's computes, and its gradients
  are PyTorch's too.

PyTorch is optional: without it the script says how to install it and exits (code 0).

Run: python examples/to_pytorch.py
"""

from __future__ import annotations

import sys
from typing import Any

from tinygrad_edu import total
from tinygrad_edu.data import make_moons
from tinygrad_edu.losses import binary_cross_entropy_with_logits
from tinygrad_edu.nn import MLP, Module
from tinygrad_edu.optim import Adam
from tinygrad_edu.pytorch import from_torch, to_torch

STEPS_HERE, STEPS_THERE = 40, 150
TOLERANCE = 1e-12


def scores(model: Module, X: list[list[float]]) -> list[Any]:
    return [model(x) for x in X]


def train_here(model: MLP, X: list[list[float]], y: list[int]) -> tuple[float, float]:
    """Full-batch Adam on the mean of softplus(s) − y·s; the first and the last loss."""
    optimizer = Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(STEPS_HERE):
        loss = binary_cross_entropy_with_logits(scores(model, X), y)
        model.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    return losses[0], losses[-1]


def train_there(torch: Any, module: Any, X: list[list[float]], y: list[int]) -> tuple[float, float]:
    """The same, by PyTorch: torch.optim.Adam on binary_cross_entropy_with_logits, float64."""
    inputs = torch.tensor(X, dtype=torch.float64)
    targets = torch.tensor(y, dtype=torch.float64).reshape(-1, 1)
    optimizer = torch.optim.Adam(module.parameters(), lr=0.02)
    losses = []
    for _ in range(STEPS_THERE):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(module(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses[0], losses[-1]


def largest_difference(ours: list[float], theirs: list[float]) -> float:
    assert len(ours) == len(theirs)
    return max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ours, theirs))


def accuracy(model: Module, X: list[list[float]], y: list[int]) -> float:
    return sum((s.data > 0) == (t == 1) for s, t in zip(scores(model, X), y)) / len(y)


def main() -> int:
    try:
        import torch
    except ImportError:
        print(
            "to_pytorch: skipped, PyTorch is not installed (pip install torch; the tests use torch==2.13.0)"
        )
        return 0

    X, y = make_moons(60, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], activation="tanh", seed=1)
    first, last = train_here(model, X, y)
    print(
        f"here: {STEPS_HERE} Adam steps on {len(X)} moons, loss {first:.4f} → {last:.4f}, "
        f"accuracy {accuracy(model, X, y):.0%}"
    )

    module = to_torch(model)
    inputs = torch.tensor(X, dtype=torch.float64)
    with torch.no_grad():
        moved = module(inputs).flatten().tolist()
    difference = largest_difference([s.data for s in scores(model, X)], moved)
    assert difference <= TOLERANCE, difference
    kinds = " → ".join(type(m).__name__ for m in module)
    print(
        f"to_torch: {kinds}, {sum(p.numel() for p in module.parameters())} float64 weights; "
        f"outputs agree: largest difference {difference:.1e} ≤ 1e-12"
    )

    start, end = train_there(torch, module, X, y)
    assert end < start, (start, end)
    print(f"PyTorch: {STEPS_THERE} torch.optim.Adam steps, loss {start:.4f} → {end:.4f} (went down)")

    back = from_torch(module)
    assert isinstance(back, MLP)
    module.zero_grad()  # (the last training step left its gradients)
    out = module(inputs)
    out.sum().backward()
    values = scores(back, X)
    difference = largest_difference([s.data for s in values], out.flatten().tolist())
    assert difference <= TOLERANCE, difference
    print(f"from_torch: {back!r}; outputs agree with PyTorch's: largest difference {difference:.1e} ≤ 1e-12")

    # the gradients came back too: ∂Σs/∂W of the first layer, ours against PyTorch's
    back.zero_grad()
    total(values).backward()
    ours = [w.grad for n in back.layers[0].neurons for w in n.w]
    theirs = module[0].weight.grad.flatten().tolist()
    difference = largest_difference(ours, theirs)
    assert difference <= TOLERANCE, difference
    print(f"gradients of the first layer agree: largest difference {difference:.1e} ≤ 1e-12")
    print(f"back here: accuracy {accuracy(back, X, y):.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
