"""Case 4, a bigger network: one epoch of ``MLP(64, [32, 10])`` + softmax cross-entropy on digits.

500 synthetic 8×8 "digits" (:func:`make_digits`: 10 hand-drawn glyphs, pixels
flipped and noised with a seeded generator), mini-batches of 50, SGD with
learning rate 0.1. micrograd 0.1.0 has no ``exp`` or ``log``, so it cannot
express softmax cross-entropy: reported as such, and timed once more with
``exp`` and ``log`` written micrograd's way in this file (not shipped code).
PyTorch on scalars runs the first few mini-batches and the epoch time is
extrapolated from them (skipped with ``--quick``). The rows run one after
another; the first mini-batch's loss must agree across them to 1e-9.
"""

from __future__ import annotations

import gc
import math
import random
from types import ModuleType
from typing import Any, Optional, Sequence

from benchmarks.harness import Result, ratio, time_repeats
from benchmarks.peers import (
    TorchScalarMLP,
    import_peer,
    micrograd_exp_log_rows,
    micrograd_mlp,
    micrograd_nodes,
    not_installed,
)
from benchmarks.problems import Layers, Matrix, flatten, initial_layers, tinygrad_mlp, tinygrad_nodes
from tinygrad_edu import Value
from tinygrad_edu.losses import cross_entropy
from tinygrad_edu.optim import SGD

DIGITS_SIZES = (64, [32, 10])
DIGITS_SEED = 2
DIGITS_WEIGHT_SEED = 3
DIGITS_LR = 0.1

#: Ten 8×8 digit glyphs, '#' on, '.' off: the prototypes of the synthetic digits.
GLYPHS = [
    ["..####..", ".##..##.", ".##..##.", ".##..##.", ".##..##.", ".##..##.", ".##..##.", "..####.."],
    ["...##...", "..###...", "...##...", "...##...", "...##...", "...##...", "...##...", "..####.."],
    ["..####..", ".##..##.", ".....##.", "....##..", "...##...", "..##....", ".##.....", ".######."],
    ["..####..", ".##..##.", ".....##.", "...###..", ".....##.", ".....##.", ".##..##.", "..####.."],
    ["....##..", "...###..", "..####..", ".##.##..", ".######.", "....##..", "....##..", "....##.."],
    [".######.", ".##.....", ".##.....", ".#####..", ".....##.", ".....##.", ".##..##.", "..####.."],
    ["..####..", ".##.....", ".##.....", ".#####..", ".##..##.", ".##..##.", ".##..##.", "..####.."],
    [".######.", ".....##.", "....##..", "....##..", "...##...", "...##...", "..##....", "..##...."],
    ["..####..", ".##..##.", ".##..##.", "..####..", ".##..##.", ".##..##.", ".##..##.", "..####.."],
    ["..####..", ".##..##.", ".##..##.", ".##..##.", "..#####.", ".....##.", ".....##.", "..####.."],
]


def make_digits(
    n: int = 500, seed: int = DIGITS_SEED, flip: float = 0.1, noise: float = 0.2
) -> tuple[Matrix, list[int]]:
    """n synthetic 8×8 digits as 64 floats each, and their labels 0–9, from one seeded generator.

    Sample i shows digit i mod 10 (so the classes are balanced); each pixel of
    its glyph is flipped with probability ``flip``, then N(0, noise²) is added.
    The samples are shuffled. The same arguments give the same data bit for bit.
    """
    rng = random.Random(seed)
    protos = [[1.0 if c == "#" else 0.0 for row in glyph for c in row] for glyph in GLYPHS]
    labels = [i % 10 for i in range(n)]
    rng.shuffle(labels)
    X = [[(1.0 - p if rng.random() < flip else p) + rng.gauss(0.0, noise) for p in protos[k]] for k in labels]
    return X, labels


# ----------------------------------------------------------- the engines


class TinygradDigits:
    """An epoch of MLP(64, [32, 10]) + softmax cross-entropy + SGD with tinygrad_edu."""

    count_nodes = staticmethod(tinygrad_nodes)

    def __init__(self, layers: Layers, X: Matrix, y: Sequence[int], batch: int) -> None:
        self.model = tinygrad_mlp(layers)
        self.params = self.model.parameters()
        self.optimizer = SGD(self.params, lr=DIGITS_LR)
        self.initial = flatten(layers)
        self.X, self.y, self.batch = X, list(y), batch

    def reset(self) -> None:
        for p, w in zip(self.params, self.initial):
            p.data, p.grad = w, 0.0

    def build(self, start: int) -> Value:
        xb, yb = self.X[start : start + self.batch], self.y[start : start + self.batch]
        return cross_entropy([self.model(x) for x in xb], yb)

    def epoch(self, max_batches: Optional[int] = None) -> list[float]:
        losses = []
        for start in list(range(0, len(self.X), self.batch))[:max_batches]:
            loss = self.build(start)
            self.model.zero_grad()
            loss.backward()
            self.optimizer.step()
            losses.append(loss.data)
        return losses


def micrograd_exp(engine: ModuleType, v: Any) -> Any:
    """eᵛ as a micrograd node, written the way micrograd writes its ops (it ships no exp)."""
    out = engine.Value(math.exp(v.data), (v,), "exp")

    def _backward() -> None:
        v.grad += out.data * out.grad  # (eᵛ)' = eᵛ

    out._backward = _backward
    return out


def micrograd_log(engine: ModuleType, v: Any) -> Any:
    """ln v as a micrograd node, written the way micrograd writes its ops (it ships no log)."""
    out = engine.Value(math.log(v.data), (v,), "log")

    def _backward() -> None:
        v.grad += out.grad / v.data  # (ln v)' = 1/v

    out._backward = _backward
    return out


class MicrogradDigits:
    """The same epoch in micrograd, with exp and log added in this file (softmax needs them)."""

    count_nodes = staticmethod(micrograd_nodes)

    def __init__(
        self, modules: tuple[ModuleType, ModuleType], layers: Layers, X: Matrix, y: Sequence[int], batch: int
    ):
        self.engine = modules[0]
        self.model = micrograd_mlp(modules[1], layers)
        self.initial = flatten(layers)
        self.X, self.y, self.batch = X, list(y), batch

    def reset(self) -> None:
        for p, w in zip(self.model.parameters(), self.initial):
            p.data, p.grad = w, 0

    def cross_entropy(self, logits: list[Any], k: int) -> Any:
        """ln Σⱼ e^(zⱼ − m) − (zₖ − m), m = max z as a constant: the formula tinygrad_edu uses."""
        m = max(z.data for z in logits)
        shifted = [z - m for z in logits]
        total = sum(micrograd_exp(self.engine, s) for s in shifted)
        return micrograd_log(self.engine, total) - shifted[k]

    def build(self, start: int) -> Any:
        xb, yb = self.X[start : start + self.batch], self.y[start : start + self.batch]
        inputs = [list(map(self.engine.Value, xrow)) for xrow in xb]
        losses = [self.cross_entropy(self.model(x), k) for x, k in zip(inputs, yb)]
        return sum(losses) * (1.0 / len(losses))

    def epoch(self, max_batches: Optional[int] = None) -> list[float]:
        # TinygradDigits.epoch's loop, on purpose: the same work, with micrograd's own update
        losses = []
        for start in list(range(0, len(self.X), self.batch))[:max_batches]:
            loss = self.build(start)
            self.model.zero_grad()
            loss.backward()
            for p in self.model.parameters():
                p.data -= DIGITS_LR * p.grad
            losses.append(float(loss.data))
        return losses


class TorchDigits:
    """The same epoch with PyTorch on 0-dim float64 tensors, one scalar op at a time."""

    def __init__(self, torch: ModuleType, layers: Layers, X: Matrix, y: Sequence[int], batch: int) -> None:
        self.net = TorchScalarMLP(torch, layers)
        self.torch = torch
        self.X, self.y, self.batch = X, list(y), batch

    def reset(self) -> None:
        self.net.reset()

    def cross_entropy(self, logits: list[Any], k: int) -> Any:
        m = max(float(z.item()) for z in logits)
        shifted = [z - m for z in logits]
        total = sum(s.exp() for s in shifted)
        return total.log() - shifted[k]

    def epoch(self, max_batches: Optional[int] = None) -> list[float]:
        losses = []
        for start in list(range(0, len(self.X), self.batch))[:max_batches]:
            xb, yb = self.X[start : start + self.batch], self.y[start : start + self.batch]
            per_sample = [self.cross_entropy(self.net.forward(x), k) for x, k in zip(xb, yb)]
            loss = sum(per_sample) * (1.0 / len(per_sample))
            loss.backward()
            with self.torch.no_grad():
                for p in self.net.params:
                    p -= DIGITS_LR * p.grad
                    p.grad = None
            losses.append(float(loss.item()))
        return losses


# -------------------------------------------------------------------- case


def time_epoch(engine: Any, repeats: int, n_batches: int, max_batches: Optional[int] = None) -> Result:
    """A row: the median seconds of ``engine``'s epoch (extrapolated when it ran ``max_batches``)."""
    runs: list[list[float]] = []
    timing = time_repeats(
        lambda: runs.append(engine.epoch(max_batches)), repeats, warmup=0, setup=engine.reset
    )
    ran = len(runs[-1])
    row: Result = {
        "status": "ok",
        "s_per_epoch": timing["median_s"] * n_batches / ran,
        "samples_s": timing["samples_s"],
        "repeats": repeats,
        "mini_batches_run": ran,
        "first_batch_loss": runs[-1][0],
    }
    if ran < n_batches:
        row["note"] = f"extrapolated from the first {ran} of {n_batches} mini-batches"
    else:
        row["last_batch_loss"] = runs[-1][-1]
    if hasattr(engine, "count_nodes"):
        engine.reset()
        row["nodes_per_mini_batch"] = engine.count_nodes(engine.build(0))
    gc.collect()
    return row


def peer_rows(
    layers: Layers, X: Matrix, y: Sequence[int], batch: int, slow_repeats: int, torch_batches: int
) -> dict[str, Result]:
    """The rows of micrograd (cannot express; with exp and log added) and of PyTorch on scalars."""
    n_batches = math.ceil(len(X) / batch)

    def with_exp_log(mg: tuple[ModuleType, ModuleType]) -> Result:
        row = time_epoch(MicrogradDigits(mg, layers, X, y, batch), slow_repeats, n_batches)
        row["note"] = "exp and log written micrograd's way in benchmarks/cases/bigger_network.py"
        return row

    rows = micrograd_exp_log_rows(with_exp_log)
    torch = import_peer("torch")
    if torch is None:
        rows["PyTorch scalars"] = not_installed("torch")
    elif torch_batches <= 0:
        rows["PyTorch scalars"] = {"status": "skipped", "reason": "too slow on scalars for --quick"}
    else:
        engine = TorchDigits(torch, layers, X, y, batch)
        rows["PyTorch scalars"] = time_epoch(engine, 1, n_batches, max_batches=torch_batches)
    return rows


def bigger_network_case(
    n_samples: int = 500, batch: int = 50, repeats: int = 3, slow_repeats: int = 1, torch_batches: int = 2
) -> Result:
    """Case 4: seconds per epoch of MLP(64, [32, 10]) + softmax cross-entropy on synthetic digits."""
    X, y = make_digits(n_samples)
    layers = initial_layers(*DIGITS_SIZES, seed=DIGITS_WEIGHT_SEED)
    n_batches = math.ceil(n_samples / batch)
    rows = {"tinygrad_edu": time_epoch(TinygradDigits(layers, X, y, batch), repeats, n_batches)}
    rows.update(peer_rows(layers, X, y, batch, slow_repeats, torch_batches))
    first = rows["tinygrad_edu"]["first_batch_loss"]
    for name, row in rows.items():
        if row["status"] == "ok" and not math.isclose(row["first_batch_loss"], first, rel_tol=1e-9):
            raise AssertionError(
                f"{name}: first mini-batch loss {row['first_batch_loss']!r} != tinygrad_edu's {first!r}"
            )
    ours = rows["tinygrad_edu"]["s_per_epoch"]
    return {
        "what": (
            f"one epoch of MLP(64, [32, 10]) + softmax cross-entropy on {n_samples} synthetic 8x8 digits, "
            f"mini-batches of {batch}, SGD lr {DIGITS_LR}"
        ),
        "samples": n_samples,
        "batch": batch,
        "mini_batches": n_batches,
        "engines": rows,
        "ratios_ours_over_peer": {
            name: ratio(ours, row.get("s_per_epoch")) for name, row in rows.items() if name != "tinygrad_edu"
        },
    }
