"""Case 5, real digits: one epoch of ``MLP(64, [32, 10])`` + softmax cross-entropy on the UCI digits.

The training images of ``examples/digits.py`` (``tinygrad_edu.data.load_digits``, pixels
divided by 16, the same stratified split: 1,350 images), in their order (no shuffling,
so every row does the same work), mini-batches of 50, SGD with learning rate 0.1: 27
steps from the same initial weights. Rows:

- **tinygrad_edu**: the eager engine, a new graph every mini-batch (the loop of case 4);
- **tinygrad_edu traced**: the same step through ``tinygrad_edu.trace``, recorded once
  per batch size before the timing (its cost is reported as ``trace_s``), then
  replayed; the targets are one-hot rows, inputs of the trace (a class index would be
  frozen into it);
- **micrograd**: it cannot express softmax (no ``exp`` or ``log``); with the two ops
  added as in case 4 it runs the first few mini-batches and the epoch is extrapolated;
- **PyTorch vectorised**: what a learner moves to next, the same network as one float64
  weight matrix per layer, each mini-batch one matrix product per layer and
  ``torch.nn.functional.cross_entropy``, autograd and the same SGD update.

The rows run one after another. The first mini-batch's loss must agree across them to
1e-9, and so must the last one's across the rows that run the whole epoch.
"""

from __future__ import annotations

import math
import time
from types import ModuleType
from typing import Any, Optional, Sequence

from benchmarks.cases.bigger_network import (
    DIGITS_LR,
    DIGITS_SIZES,
    MicrogradDigits,
    TinygradDigits,
    time_epoch,
)
from benchmarks.harness import Result, ratio
from benchmarks.peers import import_peer, micrograd_exp_log_rows, not_installed
from benchmarks.problems import Layers, Matrix, initial_layers
from tinygrad_edu import Value, trace
from tinygrad_edu.data import load_digits, one_hot, train_test_split
from tinygrad_edu.losses import cross_entropy
from tinygrad_edu.tracing import Traced

TRACED_ROW = "tinygrad_edu traced"
TORCH_ROW = "PyTorch vectorised"
SPLIT_SEED = 0  # examples/digits.py's split and weight seed
HELD_OUT = 447  # examples/digits.py's held-out images: 1,797 − 447 = 1,350 to train on
AGREEMENT_TOLERANCE = 1e-9


def real_digits(n_samples: Optional[int] = None) -> tuple[Matrix, list[int]]:
    """The first ``n_samples`` (default all 1,350) training images of examples/digits.py, scaled to [0, 1]."""
    X, y, _ = load_digits()
    X = [[pixel / 16 for pixel in image] for image in X]
    X_train, _, y_train, _ = train_test_split(X, y, test_size=HELD_OUT, stratify=True, seed=SPLIT_SEED)
    return X_train[:n_samples], y_train[:n_samples]


class TinygradDigitsTraced(TinygradDigits):
    """Case 4's epoch with each mini-batch's forward and backward replayed by ``tinygrad_edu.trace``."""

    def __init__(self, layers: Layers, X: Matrix, y: Sequence[int], batch: int) -> None:
        super().__init__(layers, X, y, batch)
        self.targets = one_hot(self.y, DIGITS_SIZES[1][-1])
        started = time.perf_counter()
        self.steps: dict[int, Traced] = {}  # one trace per batch size (the last batch may be smaller)
        for start in range(0, len(X), batch):
            xb, tb = self.X[start : start + batch], self.targets[start : start + batch]
            if len(xb) not in self.steps:
                self.steps[len(xb)] = trace(self.loss, xb, tb)
        self.trace_seconds = time.perf_counter() - started

    def loss(self, X: Sequence[Sequence[Any]], T: Sequence[Sequence[Any]]) -> Value:
        """The mean cross-entropy −Σᵢ tᵢ·ln softmax(z)ᵢ against one-hot rows t."""
        return cross_entropy([self.model(x) for x in X], T)

    def build(self, start: int) -> Value:
        """The graph that was traced, built eagerly (for its node count)."""
        tb = [[Value(t) for t in row] for row in self.targets[start : start + self.batch]]
        return self.loss(self.X[start : start + self.batch], tb)

    def epoch(self, max_batches: Optional[int] = None) -> list[float]:
        losses = []
        for start in list(range(0, len(self.X), self.batch))[:max_batches]:
            xb, tb = self.X[start : start + self.batch], self.targets[start : start + self.batch]
            self.model.zero_grad()
            losses.append(self.steps[len(xb)](xb, tb))  # forward + backward: p.grad += ∂J/∂p
            self.optimizer.step()
        return losses


class TorchVectorDigits:
    """The same epoch in PyTorch as it is meant to be used: float64 matrices, one product per layer."""

    def __init__(self, torch: ModuleType, layers: Layers, X: Matrix, y: Sequence[int], batch: int) -> None:
        self.torch = torch
        self.initial = [
            (torch.tensor(W, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)) for W, b in layers
        ]
        self.params = [t.clone().requires_grad_(True) for pair in self.initial for t in pair]
        self.X = torch.tensor(X, dtype=torch.float64)
        self.y = torch.tensor(list(y), dtype=torch.int64)
        self.batch = batch

    def reset(self) -> None:
        with self.torch.no_grad():
            for p, w in zip(self.params, (t for pair in self.initial for t in pair)):
                p.copy_(w)
                p.grad = None

    def forward(self, xb: Any) -> Any:
        """Logits of a mini-batch: a ← relu(a·Wᵀ + b) on the hidden layers, the last one linear."""
        a, last = xb, len(self.params) // 2 - 1
        for i in range(last + 1):
            a = a @ self.params[2 * i].T + self.params[2 * i + 1]
            if i < last:
                a = a.relu()
        return a

    def epoch(self, max_batches: Optional[int] = None) -> list[float]:
        functional = self.torch.nn.functional
        losses = []
        for start in list(range(0, len(self.X), self.batch))[:max_batches]:
            end = start + self.batch
            loss = functional.cross_entropy(self.forward(self.X[start:end]), self.y[start:end])
            loss.backward()
            with self.torch.no_grad():
                for p in self.params:
                    p -= DIGITS_LR * p.grad
                    p.grad = None
            losses.append(float(loss.item()))
        return losses


def torch_row(
    torch: ModuleType, layers: Layers, X: Matrix, y: Sequence[int], batch: int, repeats: int
) -> Result:
    """PyTorch vectorised, on one thread: like the Python rows, and steady on a busy machine (with
    two threads and the cores shared, a step took 0.3 ms or, waiting for the other thread, 300 ms)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        vectorised = TorchVectorDigits(torch, layers, X, y, batch)
        vectorised.epoch(1)  # untimed: PyTorch's first call pays for its own set-up
        row = time_epoch(vectorised, repeats, n_batches=math.ceil(len(X) / batch))  # each call resets first
    finally:
        torch.set_num_threads(threads)
    row["note"] = "float64 tensors, 1 thread"
    return row


def peer_rows(
    layers: Layers, X: Matrix, y: Sequence[int], batch: int, repeats: int, micrograd_batches: int
) -> dict[str, Result]:
    """micrograd's rows (cannot express; with exp and log added, extrapolated) and PyTorch vectorised."""
    n_batches = math.ceil(len(X) / batch)

    def with_exp_log(mg: tuple[ModuleType, ModuleType]) -> Result:
        row = time_epoch(
            MicrogradDigits(mg, layers, X, y, batch), 1, n_batches, max_batches=micrograd_batches
        )
        row["note"] = "exp and log as in case 4; " + row.get("note", "the whole epoch")
        return row

    rows = micrograd_exp_log_rows(with_exp_log)
    torch = import_peer("torch")
    if torch is None:
        rows[TORCH_ROW] = not_installed("torch")
    else:
        rows[TORCH_ROW] = torch_row(torch, layers, X, y, batch, repeats)
    return rows


def check_agreement(rows: dict[str, Result]) -> None:
    """Every row's first mini-batch loss, and the last one of the rows that ran the whole epoch,
    equal tinygrad_edu's to 1e-9: all of them did the same work."""
    ours = rows["tinygrad_edu"]
    for name, row in rows.items():
        if row["status"] != "ok":
            continue
        for key in ("first_batch_loss", "last_batch_loss"):
            if key in row and not math.isclose(row[key], ours[key], rel_tol=AGREEMENT_TOLERANCE):
                raise AssertionError(f"{name}: {key} {row[key]!r} != tinygrad_edu's {ours[key]!r}")


def digits_case(
    n_samples: Optional[int] = None,
    batch: int = 50,
    repeats: int = 3,
    fast_repeats: int = 9,
    micrograd_batches: int = 2,
) -> Result:
    """Case 5: seconds per epoch of MLP(64, [32, 10]) + softmax cross-entropy on the real digits.

    ``repeats`` times the eager and traced epochs, ``fast_repeats`` PyTorch's;
    micrograd runs ``micrograd_batches`` mini-batches once (0: all of them).
    """
    X, y = real_digits(n_samples)
    layers = initial_layers(*DIGITS_SIZES, seed=SPLIT_SEED)
    n_batches = math.ceil(len(X) / batch)
    rows = {"tinygrad_edu": time_epoch(TinygradDigits(layers, X, y, batch), repeats, n_batches)}
    traced = TinygradDigitsTraced(layers, X, y, batch)
    rows[TRACED_ROW] = time_epoch(traced, repeats, n_batches)
    rows[TRACED_ROW]["trace_s"] = traced.trace_seconds
    sizes = " and ".join(str(size) for size in traced.steps)
    rows[TRACED_ROW]["note"] = (
        f"traced and compiled once in {traced.trace_seconds:.1f} s (batches of {sizes})"
    )
    rows.update(peer_rows(layers, X, y, batch, fast_repeats, micrograd_batches or n_batches))
    check_agreement(rows)
    ours = rows["tinygrad_edu"]["s_per_epoch"]
    return {
        "what": (
            f"one epoch of MLP(64, [32, 10]) + softmax cross-entropy on {len(X)} UCI handwritten digits "
            f"(8x8, pixels/16), mini-batches of {batch}, SGD lr {DIGITS_LR}"
        ),
        "samples": len(X),
        "batch": batch,
        "mini_batches": n_batches,
        "engines": rows,
        "ratios_ours_over_peer": {
            name: ratio(ours, row.get("s_per_epoch")) for name, row in rows.items() if name != "tinygrad_edu"
        },
    }
