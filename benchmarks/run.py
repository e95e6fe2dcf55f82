"""Benchmarks: tinygrad_edu against micrograd, PyTorch on scalars and plain Python floats.

Run from the project root, in the virtualenv that has tinygrad_edu installed::

    python benchmarks/run.py            # every case (a few minutes)
    python benchmarks/run.py --quick    # fewer repeats and smaller sizes
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --readme   # also put the tables into benchmarks/README.md

Every case runs in this one process. Each timing is repeated and the **median**
is reported (the individual samples are in the JSON). The peers are optional:
``pip install micrograd==0.1.0`` and ``pip install torch==2.13.0``; a peer
that cannot be imported is reported as "not installed". The script installs
nothing and prints a table, then writes a JSON file (``benchmarks/results.json``
by default) with the medians, the ratios and the machine it ran on. The
figures, and how to read them, are in ``benchmarks/README.md``.

The cases
---------
1. **moons step** — one step of micrograd's demo (its ``demo.ipynb``) on 100
   points: ``MLP(2, [16, 16, 1])`` (ReLU, ReLU, linear), the forward pass on
   every point, the loss J = mean(relu(1 − yᵢ·sᵢ)) + 10⁻⁴·Σp², backward, and
   the SGD update p ← p − 1.0·∂J/∂p (micrograd's first learning rate). Every
   implementation starts each timed step from the same weights, so every step
   does the same work; after the step the updated weights are compared with
   tinygrad_edu's as a check that all of them computed the same gradients.
   Rows: tinygrad_edu as it comes (the cyclic garbage collector on), and with
   the collector paused as its demo does; the same step traced and compiled
   by ``tinygrad_edu.compile.trace``; micrograd 0.1.0 as shipped, and with
   ``gc.disable()`` during the step (its graphs are reference cycles, so the
   garbage then waits for a ``gc.collect()``, timed separately); PyTorch doing
   the same scalar ops one by one on 0-dim float64 tensors; and a hand-written
   forward and backward on plain floats (the δ recursion, no graph), whose
   gradients are checked against tinygrad_edu's to 1e-12 before timing.
   In the same turns, tinygrad_edu's eager step is also timed phase by phase
   (``TinygradMoonsPhases``: build the graph, zero the gradients,
   ``topological_order``, ``backpropagate``, update, free the graph), so the
   report says where the step's time goes.
   "nodes/step" is the size of the graph the step builds.
2. **deep chain** — y ← y·c + d repeated until the graph has 10⁴, 10⁵ and 10⁶
   nodes, then backward. Time per size and the 10⁶/10⁵ time ratio (≤ 12 means
   linear growth, give or take 20%), for tinygrad_edu as it comes and with the
   collector paused (to tell the collector's share of any excess from the
   memory hierarchy's). The collector's full passes in each run are counted
   (``gc.get_stats()``). micrograd's topological sort is recursive: its
   RecursionError is reported as a result, as is the longest chain it handles
   at the default recursion limit. The memory of the 10⁶ case is the growth of
   the process's peak RSS (Linux: the peak is reset through
   ``/proc/self/clear_refs`` first) and, except with ``--quick``, the peak of
   Python's allocations measured by ``tracemalloc`` in an extra untimed run.
3. **memory** — bytes per graph node for the moons step's graph (forward +
   loss): what ``tracemalloc`` sees allocated and still held once the graph is
   built, divided by the nodes the build created (the graph minus the
   parameters, which exist before it); also the peak during backward.
4. **bigger network** — one epoch of ``MLP(64, [32, 10])`` with softmax
   cross-entropy on 500 synthetic 8×8 "digits" (10 hand-drawn glyphs, pixels
   flipped and noised with a seeded generator), mini-batches of 50, SGD with
   learning rate 0.1. micrograd 0.1.0 has no ``exp`` or ``log``, so it cannot
   express softmax cross-entropy: reported as such, and timed once more with
   ``exp`` and ``log`` written micrograd's way in this file (not shipped
   code). PyTorch on scalars runs the first few mini-batches and the epoch time
   is extrapolated from them (skipped with ``--quick``).

Ratios and targets
------------------
``ours/peer`` = tinygrad_edu's median time (or bytes) ÷ the peer's, always
with tinygrad_edu in its default settings. Above 1, tinygrad_edu is slower
(or bigger) by that factor; below 1, faster (smaller). The last table judges
the speed floor the engine must keep (see ``targets``) on the run's own
medians, and lists a few more ratios for reference, without a verdict.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib
import json
import math
import os
import platform
import random
import re
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass, replace
from importlib import metadata
from operator import mul
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Optional, Sequence

from tinygrad_edu import Value, backpropagate, topological_order
from tinygrad_edu.compile import trace
from tinygrad_edu.data import make_moons
from tinygrad_edu.losses import cross_entropy, l2, svm_loss
from tinygrad_edu.nn import MLP

HERE = Path(__file__).resolve().parent
DEFAULT_JSON = HERE / "results.json"

MOONS_SIZES = (2, [16, 16, 1])
MOONS_DATA_SEED = 1  # the demo's data seed
MOONS_WEIGHT_SEED = 1  # the demo's weight seed
L2_STRENGTH = 1e-4
MOONS_LR = 1.0  # micrograd's learning rate at step 0
DIGITS_SIZES = (64, [32, 10])
DIGITS_SEED = 2
DIGITS_WEIGHT_SEED = 3
DIGITS_LR = 0.1
COMPILED_ROW = "tinygrad_edu traced"  # the moons step replayed by tinygrad_edu.compile
FLOATS_ROW = "plain floats (hand-written)"
ROW_ORDER = (
    "tinygrad_edu",
    "tinygrad_edu (gc paused)",
    COMPILED_ROW,
    "micrograd",
    "micrograd (gc paused)",
    "PyTorch scalars",
    FLOATS_ROW,
)
SLOW_ROWS = {"micrograd", "PyTorch scalars"}  # a second or so per step: timed without a warm-up
FLOAT_TOLERANCE = 1e-12  # hand-written float gradients vs tinygrad_edu's
AGREEMENT_TOLERANCE = 1e-9  # every engine's updated weights vs tinygrad_edu's

Vector = list[float]
Matrix = list[list[float]]
Layers = list[tuple[Matrix, Vector]]  # per layer: W (row j = neuron j's weights) and b
Result = dict[str, Any]


@dataclass(frozen=True)
class Settings:
    """Sizes and repeat counts of one run (``--quick`` picks the smaller ones)."""

    quick: bool = False
    # the machine switches between two speeds for seconds at a time (benchmarks/README.md):
    # enough repeats, in turns, that every row's median falls in the same mix of them
    repeats: int = 9  # timed repeats of the fast rows (each after an untimed one)
    slow_repeats: int = 5  # micrograd with gc, PyTorch on scalars, the biggest chain
    moons_points: int = 100
    chain_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    chain_tracemalloc: bool = True  # also trace the largest chain's allocations (about 5x slower)
    torch_chain_cap: int = 100_000  # larger chains are skipped for PyTorch on scalars
    micrograd_chain_after_failure: bool = True  # try micrograd's longer chains after a RecursionError
    digits_samples: int = 500
    digits_batch: int = 50
    digits_repeats: int = 3
    digits_slow_repeats: int = 1  # micrograd with exp and log added, and its many more nodes
    torch_digit_batches: int = 2  # mini-batches PyTorch runs; 0 skips it


DEFAULT = Settings()
QUICK = Settings(
    quick=True,
    repeats=2,
    slow_repeats=1,
    chain_tracemalloc=False,
    micrograd_chain_after_failure=False,
    digits_samples=50,
    digits_repeats=1,
    torch_digit_batches=0,
)


# ------------------------------------------------------------------ peers


def import_peer(name: str) -> Optional[ModuleType]:
    """The module ``name``, or None when it cannot be imported (the peer is not installed)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def micrograd_modules() -> Optional[tuple[ModuleType, ModuleType]]:
    """(micrograd.engine, micrograd.nn), or None when micrograd is not installed."""
    engine, nn = import_peer("micrograd.engine"), import_peer("micrograd.nn")
    return None if engine is None or nn is None else (engine, nn)


INSTALL_HINTS = {"micrograd": "pip install micrograd==0.1.0", "torch": "pip install torch==2.13.0"}


def not_installed(peer: str) -> Result:
    """The result of a row whose peer cannot be imported."""
    return {"status": "not installed", "reason": f"{peer} is not importable ({INSTALL_HINTS[peer]})"}


def peer_versions() -> dict[str, str]:
    """Each peer's installed version, or "not installed"."""
    found = {"micrograd": micrograd_modules() is not None, "torch": import_peer("torch") is not None}
    versions = {}
    for name, ok in found.items():
        if not ok:
            versions[name] = "not installed"
            continue
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # importable but not from a distribution
            versions[name] = "unknown version"
    return versions


# ----------------------------------------------------------------- timing


def time_repeats(
    fn: Callable[[], Any],
    repeats: int,
    *,
    warmup: int = 1,
    setup: Optional[Callable[[], None]] = None,
    after: Optional[Callable[[], None]] = None,
) -> Result:
    """Call ``fn`` ``warmup + repeats`` times; the median and samples (in seconds) of the last ``repeats``.

    ``setup`` runs untimed before each call. ``after`` runs after each call and
    is timed on its own (``after_median_s``): e.g. the ``gc.collect()`` that a
    step run with the collector disabled leaves to be done. The cyclic
    collector is run (untimed) before the first call, so garbage left by
    earlier rows is not charged to this one.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats!r}")
    gc.collect()
    samples: list[float] = []
    after_samples: list[float] = []
    for i in range(warmup + repeats):
        if setup is not None:
            setup()
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
        if after is not None:
            started = time.perf_counter()
            after()
            if i >= warmup:
                after_samples.append(time.perf_counter() - started)
        if i >= warmup:
            samples.append(elapsed)
    timing: Result = {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "samples_s": samples,
        "repeats": repeats,
    }
    if after is not None:
        timing["after_median_s"] = statistics.median(after_samples)
    return timing


@dataclass
class Job:
    """One row's timed call for :func:`time_interleaved` (as the arguments of :func:`time_repeats`)."""

    fn: Callable[[], Any]
    repeats: int
    warmup: int = 1  # untimed calls right before each timed one
    setup: Optional[Callable[[], None]] = None
    after: Optional[Callable[[], None]] = None


def time_interleaved(jobs: dict[str, Job]) -> dict[str, Result]:
    """:func:`time_repeats` for several rows at once, their repeats taken in turns.

    On a shared virtual machine the speed drifts over a minute. Timing the rows
    one after another would let that drift into their ratios; taking turns
    (row A, row B, ..., then A again) gives every row the same conditions. A
    row with fewer repeats is spread evenly over the rounds. What each timed
    call returned is kept, in order, under ``returned``.

    A row's ``warmup`` calls run untimed right before *each* of its timed
    calls, so a timed step follows a step of the same engine, as in training.
    Without them, the row after a slow one pays for what that row left behind
    (benchmarks/README.md shows how much).
    """
    for name, job in jobs.items():
        if job.repeats < 1:
            raise ValueError(f"{name}: repeats must be at least 1, got {job.repeats!r}")
    samples: dict[str, list[float]] = {name: [] for name in jobs}
    after_samples: dict[str, list[float]] = {name: [] for name in jobs}
    returned: dict[str, list[Any]] = {name: [] for name in jobs}

    def once(job: Job) -> tuple[float, Optional[float], Any]:
        gc.collect()  # garbage left by the previous call is not charged to this one
        if job.setup is not None:
            job.setup()
        started = time.perf_counter()
        out = job.fn()
        elapsed = time.perf_counter() - started
        if job.after is None:
            return elapsed, None, out
        started = time.perf_counter()
        job.after()
        return elapsed, time.perf_counter() - started, out

    rounds = max(job.repeats for job in jobs.values())
    for r in range(rounds):
        for name, job in jobs.items():
            if (r + 1) * job.repeats // rounds > r * job.repeats // rounds:  # k of the rounds, evenly
                for _ in range(job.warmup):
                    once(job)
                elapsed, after, out = once(job)
                samples[name].append(elapsed)
                returned[name].append(out)
                if after is not None:
                    after_samples[name].append(after)
    timings: dict[str, Result] = {}
    for name, job in jobs.items():
        timings[name] = {
            "median_s": statistics.median(samples[name]),
            "min_s": min(samples[name]),
            "samples_s": samples[name],
            "repeats": job.repeats,
            "returned": returned[name],
        }
        if job.after is not None:
            timings[name]["after_median_s"] = statistics.median(after_samples[name])
            timings[name]["after_samples_s"] = after_samples[name]
    return timings


def ratio(ours: Optional[float], peer: Optional[float]) -> Optional[float]:
    """ours / peer, or None when either is missing."""
    if ours is None or peer is None or peer == 0:
        return None
    return ours / peer


class gc_paused:
    """``with gc_paused():`` disables the cyclic garbage collector inside, restoring its state after."""

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_enabled:
            gc.enable()


# ------------------------------------------------------------ weights and data


def initial_layers(nin: int, nouts: Sequence[int], seed: int) -> Layers:
    """The initial weights of tinygrad_edu's ``MLP(nin, nouts, seed=seed)`` (He init, zero biases)."""
    return layers_of_model(MLP(nin, list(nouts), seed=seed))


def layers_of_model(model: MLP) -> Layers:
    """A tinygrad_edu MLP's weights and biases as plain floats."""
    return [
        (
            [[w.data for w in n.w] for n in layer.neurons],
            [n.b.data if n.b is not None else 0.0 for n in layer.neurons],
        )
        for layer in model.layers
    ]


def flatten(layers: Layers) -> Vector:
    """Every parameter in the order of ``parameters()`` (tinygrad_edu's and micrograd's):
    layer by layer, neuron by neuron, its weights then its bias."""
    return [p for W, b in layers for row, bj in zip(W, b) for p in (*row, bj)]


def moons_data(n_points: int = 100, seed: int = MOONS_DATA_SEED) -> tuple[Matrix, list[int]]:
    """micrograd's moons (noise 0.1) with labels ±1."""
    X, y01 = make_moons(n_points, noise=0.1, seed=seed)
    return X, [2 * t - 1 for t in y01]


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


# ---------------------------------------------------- the hand-written float network


def float_hinge_loss_and_grads(
    layers: Layers, X: Matrix, y: Sequence[int], l2_strength: float = L2_STRENGTH
) -> tuple[float, Layers]:
    """J = (1/N)·Σₙ relu(1 − yₙ·sₙ) + λ·Σp² and ∂J/∂W, ∂J/∂b, on plain floats, without a graph.

    The network: s⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = relu(s⁽ˡ⁾) for hidden layers,
    and the last layer's single s is the score. Backward is the δ recursion:
    δ = ∂J/∂s = −yₙ/N at the output while the margin 1 − yₙ·sₙ is > 0 (else
    nothing flows, relu'(0) = 0 as in the engine), δ⁽ˡ⁾ = relu'(s⁽ˡ⁾) ⊙ W⁽ˡ⁺¹⁾ᵀδ⁽ˡ⁺¹⁾,
    ∂J/∂W⁽ˡ⁾ⱼᵢ += δⱼ⁽ˡ⁾·a⁽ˡ⁻¹⁾ᵢ and ∂J/∂b⁽ˡ⁾ⱼ += δⱼ⁽ˡ⁾, plus 2λp for the penalty.
    Written as a competent pure-Python floor: dot products are ``sum(map(mul, ...))``,
    gradient rows are rebuilt by list comprehensions, rows whose δⱼ is 0 are skipped
    (they would add nothing), and W⁽ˡ⁺¹⁾ᵀ is built once per call.
    The sums run in the engine's order (bias first, then w₁x₁, w₂x₂, ...), so the
    loss agrees with tinygrad_edu's to the last bits and the gradients to ~1e-16.
    """
    n = len(X)
    grad_W = [[[0.0] * len(row) for row in W] for W, _ in layers]
    grad_b = [[0.0] * len(b) for _, b in layers]
    last = len(layers) - 1
    # W⁽ˡ⁾ᵀ for l ≥ 1 (the layers δ flows back through): column i of W⁽ˡ⁾ is row i here.
    transposed = [list(zip(*W)) for W, _ in layers[1:]]
    hinge_total = 0.0
    for x, t in zip(X, y):
        inputs: list[Vector] = []  # a⁽ˡ⁻¹⁾, the input of each layer
        a: Vector = x
        for li, (W, b) in enumerate(layers):
            inputs.append(a)
            s: Vector = [sum(map(mul, row, a), bj) for row, bj in zip(W, b)]
            a = s if li == last else [v if v > 0.0 else 0.0 for v in s]
        margin = 1.0 - t * a[0]
        if not margin > 0.0:
            continue  # relu(margin) = 0 and relu'(margin) = 0: no loss, no gradient
        hinge_total += margin
        delta: Vector = [-t / n]
        for li in range(last, -1, -1):
            a_in = inputs[li]
            gW, gb = grad_W[li], grad_b[li]
            for j, dj in enumerate(delta):
                if dj == 0.0:
                    continue  # g + 0.0·aᵢ == g for finite aᵢ (g is never −0.0): nothing to add
                gb[j] += dj
                row = gW[j]
                row[:] = [g + dj * ai for g, ai in zip(row, a_in)]
            if li > 0:
                # relu'(s⁽ˡ⁻¹⁾ᵢ) = 1 exactly when aᵢ = relu(s⁽ˡ⁻¹⁾ᵢ) > 0; the sum runs over j = 0, 1, ...
                delta = [
                    sum(map(mul, col, delta)) if ai > 0.0 else 0.0
                    for col, ai in zip(transposed[li - 1], a_in)
                ]
    params = flatten(layers)
    loss = hinge_total / n + l2_strength * sum(map(mul, params, params))
    grads: Layers = []
    for (W, b), gW, gb in zip(layers, grad_W, grad_b):
        gW = [[g + 2.0 * l2_strength * w for g, w in zip(grow, row)] for grow, row in zip(gW, W)]
        gb = [g + 2.0 * l2_strength * bj for g, bj in zip(gb, b)]
        grads.append((gW, gb))
    return loss, grads


def tinygrad_hinge_loss_and_grads(
    layers: Layers, X: Matrix, y: Sequence[int], l2_strength: float = L2_STRENGTH
) -> tuple[float, Vector]:
    """The same loss and its gradients (flattened) computed by tinygrad_edu."""
    engine = TinygradMoons(layers, X, y)
    total = engine.build()
    total.backward()
    return total.data, [p.grad for p in engine.params]


def float_gradient_error(layers: Layers, X: Matrix, y: Sequence[int]) -> float:
    """The largest |float gradient − tinygrad_edu gradient| (and loss difference) on this problem."""
    loss_f, grads_f = float_hinge_loss_and_grads(layers, X, y)
    loss_t, grads_t = tinygrad_hinge_loss_and_grads(layers, X, y)
    flat_f = flatten(grads_f)
    if len(flat_f) != len(grads_t):
        raise AssertionError(f"parameter counts differ: {len(flat_f)} != {len(grads_t)}")
    return max([abs(loss_f - loss_t), *(abs(a - b) for a, b in zip(flat_f, grads_t))])


def check_float_network(layers: Layers, X: Matrix, y: Sequence[int]) -> float:
    """Raise AssertionError unless the float network's gradients equal tinygrad_edu's to 1e-12."""
    error = float_gradient_error(layers, X, y)
    if not error <= FLOAT_TOLERANCE:
        raise AssertionError(
            f"hand-written float gradients differ from tinygrad_edu's by {error:.3g} > {FLOAT_TOLERANCE}"
        )
    return error


# ------------------------------------------------------ case 1: the moons step


class TinygradMoons:
    """micrograd's moons step with tinygrad_edu, as ``tinygrad_edu/demo.py`` does it."""

    name = "tinygrad_edu"

    def __init__(self, layers: Layers, X: Matrix, y: Sequence[int]) -> None:
        self.model = MLP(len(layers[0][0][0]), [len(b) for _, b in layers], seed=0)
        self.params = self.model.parameters()
        self.initial = flatten(layers)
        self.X, self.y = X, list(y)
        self.reset()

    def reset(self) -> None:
        for p, w in zip(self.params, self.initial):
            p.data, p.grad = w, 0.0

    def weights(self) -> Vector:
        return [p.data for p in self.params]

    def build(self) -> Value:
        scores = [self.model(x) for x in self.X]
        return svm_loss(scores, self.y) + L2_STRENGTH * l2(self.params)

    def step(self) -> float:
        total = self.build()
        self.model.zero_grad()
        total.backward()
        for p in self.params:
            p.data -= MOONS_LR * p.grad
        return total.data

    @staticmethod
    def count_nodes(root: Value) -> int:
        return len(topological_order(root))


class TinygradMoonsGcPaused(TinygradMoons):
    """The same step with the cyclic garbage collector paused, as tinygrad_edu's demo trains."""

    name = "tinygrad_edu (gc paused)"

    def step(self) -> float:
        with gc_paused():
            return super().step()


#: The phases of tinygrad_edu's eager step, in the order they run (see TinygradMoonsPhases).
PHASES = ("build", "zero_grad", "topological_order", "backpropagate", "update", "free")


class TinygradMoonsPhases(TinygradMoons):
    """The same step with each phase timed. ``Value.backward()`` is written out as its parts:
    ``topological_order``, then the interior grads set to 0 and the seed δ = 1 (counted in
    ``backpropagate``), then ``backpropagate``. "free" is dropping the graph."""

    name = "tinygrad_edu (by phase)"

    def step_by_phase(self) -> dict[str, float]:
        """One step; the seconds each phase took."""
        clock = time.perf_counter
        t0 = clock()
        total = self.build()
        t1 = clock()
        self.model.zero_grad()
        t2 = clock()
        order = topological_order(total)
        t3 = clock()
        for node in order:
            if node.inputs:
                node.grad = 0.0
        total.grad = 1.0
        backpropagate(order)
        t4 = clock()
        for p in self.params:
            p.data -= MOONS_LR * p.grad
        t5 = clock()
        del total, order
        t6 = clock()
        return dict(zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)))


class TinygradMoonsTraced(TinygradMoons):
    """The same step through ``tinygrad_edu.compile.trace``: the graph is recorded once (not
    timed; its cost is reported as ``trace_s``), then each step replays the compiled forward
    and backward on the current weights."""

    name = COMPILED_ROW

    def __init__(self, layers: Layers, X: Matrix, y: Sequence[int]) -> None:
        super().__init__(layers, X, y)
        started = time.perf_counter()
        self.traced = trace(self.loss, self.X, self.y)
        self.trace_seconds = time.perf_counter() - started

    def loss(self, X: Any, y: Any) -> Value:
        return svm_loss([self.model(x) for x in X], y) + L2_STRENGTH * l2(self.params)

    def step(self) -> float:
        self.model.zero_grad()
        loss = self.traced(self.X, self.y)  # forward + backward: p.grad += ∂J/∂p
        for p in self.params:
            p.data -= MOONS_LR * p.grad
        return loss


def micrograd_nodes(root: Any) -> int:
    """The nodes of a micrograd graph, walked iteratively (micrograd's own walk recurses)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def micrograd_mlp(nn: ModuleType, layers: Layers) -> Any:
    """micrograd's ``MLP`` of the same shape, holding these weights (the global ``random`` untouched)."""
    state = random.getstate()
    try:
        model = nn.MLP(len(layers[0][0][0]), [len(b) for _, b in layers])
    finally:
        random.setstate(state)
    for p, w in zip(model.parameters(), flatten(layers)):
        p.data = w
    return model


class MicrogradMoons:
    """micrograd's moons step, the code of its ``demo.ipynb`` (``loss()`` and the update)."""

    name = "micrograd"
    charged_collect = True  # the gc.collect() after its step is part of its time (see moons_step_case)

    def __init__(self, modules: tuple[ModuleType, ModuleType], layers: Layers, X: Matrix, y: Sequence[int]):
        engine, nn = modules
        self.Value = engine.Value
        self.model = micrograd_mlp(nn, layers)
        self.initial = flatten(layers)
        self.X, self.y = X, list(y)

    def reset(self) -> None:
        for p, w in zip(self.model.parameters(), self.initial):
            p.data, p.grad = w, 0

    def weights(self) -> Vector:
        return [float(p.data) for p in self.model.parameters()]

    def build(self) -> Any:
        inputs = [list(map(self.Value, xrow)) for xrow in self.X]
        scores = list(map(self.model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = L2_STRENGTH * sum(p * p for p in self.model.parameters())
        return data_loss + reg_loss

    def step(self) -> float:
        total = self.build()
        self.model.zero_grad()
        total.backward()
        for p in self.model.parameters():
            p.data -= MOONS_LR * p.grad
        return float(total.data)

    count_nodes = staticmethod(micrograd_nodes)


class MicrogradMoonsGcPaused(MicrogradMoons):
    """micrograd's step with ``gc.disable()`` around it; the cycles it leaves are collected afterwards."""

    name = "micrograd (gc paused)"
    charged_collect = False  # the collect after is shown apart: the row is micrograd at its fastest

    def step(self) -> float:
        with gc_paused():
            return super().step()


class TorchMoons:
    """The same scalar ops, one by one, on 0-dim float64 PyTorch tensors (micrograd's MLP, in torch)."""

    name = "PyTorch scalars"

    def __init__(self, torch: ModuleType, layers: Layers, X: Matrix, y: Sequence[int]) -> None:
        self.torch = torch
        self.initial = flatten(layers)

        def leaf(v: float) -> Any:
            return torch.tensor(v, dtype=torch.float64, requires_grad=True)

        self.layers = [([[leaf(w) for w in row] for row in W], [leaf(bj) for bj in b]) for W, b in layers]
        self.params = [p for W, b in self.layers for row, bj in zip(W, b) for p in (*row, bj)]
        self.X, self.y = X, list(y)

    def reset(self) -> None:
        with self.torch.no_grad():
            for p, w in zip(self.params, self.initial):
                p.fill_(w)
                p.grad = None

    def weights(self) -> Vector:
        return [float(p.item()) for p in self.params]

    def forward(self, x: Sequence[Any]) -> list[Any]:
        a: Sequence[Any] = x
        last = len(self.layers) - 1
        for li, (W, b) in enumerate(self.layers):
            s = [sum((w * ai for w, ai in zip(row, a)), bj) for row, bj in zip(W, b)]
            a = s if li == last else [v.relu() for v in s]
        return list(a)

    def build(self) -> Any:
        scores = [self.forward(x)[0] for x in self.X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = L2_STRENGTH * sum(p * p for p in self.params)
        return data_loss + reg_loss

    def step(self) -> float:
        total = self.build()
        total.backward()
        with self.torch.no_grad():
            for p in self.params:
                p -= MOONS_LR * p.grad
                p.grad = None
        return float(total.item())


class FloatMoons:
    """The hand-written plain-float forward and backward (:func:`float_hinge_loss_and_grads`) + SGD."""

    name = "plain floats (hand-written)"

    def __init__(self, layers: Layers, X: Matrix, y: Sequence[int]) -> None:
        self.initial = layers
        self.X, self.y = X, list(y)
        self.reset()

    def reset(self) -> None:
        self.layers = [([list(row) for row in W], list(b)) for W, b in self.initial]

    def weights(self) -> Vector:
        return flatten(self.layers)

    def step(self) -> float:
        loss, grads = float_hinge_loss_and_grads(self.layers, self.X, self.y)
        for (W, b), (gW, gb) in zip(self.layers, grads):
            for row, grow in zip(W, gW):
                row[:] = [w - MOONS_LR * g for w, g in zip(row, grow)]
            b[:] = [bj - MOONS_LR * g for bj, g in zip(b, gb)]
        return loss


def _moons_job(engine: Any, repeats: int, after: Any = None) -> Job:
    """The timed step of ``engine``, each from the initial weights; it returns the loss."""
    slow = engine.name in SLOW_ROWS  # a second or more per step: no warm-up
    return Job(engine.step, repeats, 0 if slow else 1, engine.reset, after)


def _check_agreement(engine: Any, reference: Vector) -> float:
    """How far the engine's last update left the weights from ``reference``; AssertionError if too far."""
    weights: Vector = engine.weights()
    deviation = max(abs(a - b) for a, b in zip(weights, reference))
    if not deviation <= AGREEMENT_TOLERANCE:
        raise AssertionError(
            f"{engine.name}: its step moved the weights {deviation:.3g} away from tinygrad_edu's"
        )
    return deviation


def _moons_row(engine: Any, timing: Result, reference: Vector) -> Result:
    """A row from a timing; the engine's last update is checked against ``reference``."""
    deviation = _check_agreement(engine, reference)
    row: Result = {
        "status": "ok",
        "ms_per_step": timing["median_s"] * 1e3,
        "min_ms": timing["min_s"] * 1e3,
        "samples_ms": [s * 1e3 for s in timing["samples_s"]],
        "repeats": timing["repeats"],
        "loss": timing["returned"][-1],
        "max_weight_difference_vs_tinygrad_edu": deviation,
    }
    if "after_median_s" in timing and getattr(engine, "charged_collect", False):
        totals = [a + b for a, b in zip(timing["samples_s"], timing["after_samples_s"])]
        row["ms_per_step"] = statistics.median(totals) * 1e3
        row["min_ms"] = min(totals) * 1e3
        row["samples_ms"] = [t * 1e3 for t in totals]
        row["charged_gc_collect_ms"] = timing["after_median_s"] * 1e3
    elif "after_median_s" in timing:
        row["gc_collect_after_ms"] = timing["after_median_s"] * 1e3
    if hasattr(engine, "count_nodes"):
        row["nodes_per_step"] = engine.count_nodes(engine.build())
    gc.collect()
    return row


def moons_step_case(n_points: int = 100, repeats: int = 5, slow_repeats: int = 3) -> Result:
    """Case 1: ms per moons step for every implementation, ours/peer ratios, nodes per step."""
    X, y = moons_data(n_points)
    layers = initial_layers(*MOONS_SIZES, seed=MOONS_WEIGHT_SEED)
    float_error = check_float_network(layers, X, y)  # before any timing
    reference = TinygradMoons(layers, X, y)
    reference.step()
    expected = reference.weights()  # every implementation's weights after one step must match these

    # every row's steps are timed in turns (see time_interleaved), in this table order
    engines: dict[str, tuple[Any, int, Any]] = {}
    missing: dict[str, Result] = {}
    engines["tinygrad_edu"] = (TinygradMoons(layers, X, y), repeats, None)
    engines["tinygrad_edu (gc paused)"] = (TinygradMoonsGcPaused(layers, X, y), repeats, None)
    engines[COMPILED_ROW] = (TinygradMoonsTraced(layers, X, y), repeats, None)
    mg = micrograd_modules()
    if mg is None:
        missing["micrograd"] = missing["micrograd (gc paused)"] = not_installed("micrograd")
    else:
        # as shipped, the cycles a step leaves are collected by the collector during the next
        # steps; here, where rows take turns, they are collected right after the step and the
        # time is charged to the step (ms_per_step = step + collect), as in a training loop
        engines["micrograd"] = (MicrogradMoons(mg, layers, X, y), slow_repeats, gc.collect)
        engines["micrograd (gc paused)"] = (MicrogradMoonsGcPaused(mg, layers, X, y), repeats, gc.collect)
    torch = import_peer("torch")
    if torch is None:
        missing["PyTorch scalars"] = not_installed("torch")
    else:
        engines["PyTorch scalars"] = (TorchMoons(torch, layers, X, y), slow_repeats, None)
    engines[FLOATS_ROW] = (FloatMoons(layers, X, y), repeats, None)

    jobs = {name: _moons_job(engine, n, after) for name, (engine, n, after) in engines.items()}
    phased = TinygradMoonsPhases(layers, X, y)  # not a row: the eager step's time, phase by phase
    jobs[phased.name] = Job(phased.step_by_phase, repeats, 1, phased.reset)
    timings = time_interleaved(jobs)
    rows: dict[str, Result] = {}
    for name in ROW_ORDER:
        if name in missing:
            rows[name] = missing[name]
            continue
        engine = engines[name][0]
        rows[name] = _moons_row(engine, timings[name], expected)
        if name == COMPILED_ROW:
            rows[name]["trace_s"] = engine.trace_seconds
    _check_agreement(phased, expected)
    by_phase = timings[phased.name]["returned"]
    phases_ms = {p: statistics.median(run[p] for run in by_phase) * 1e3 for p in PHASES}
    phases_ms["sum"] = sum(phases_ms.values())
    del engines, jobs, phased

    ours = rows["tinygrad_edu"]["ms_per_step"]
    ratios = {
        name: ratio(ours, row.get("ms_per_step")) for name, row in rows.items() if name != "tinygrad_edu"
    }
    return {
        "what": (
            f"one step of micrograd's moons demo: MLP(2, [16, 16, 1]), forward on {n_points} points, "
            "mean(relu(1 - y*s)) + 1e-4*sum(p^2), backward, SGD (lr 1.0), from the same weights every time"
        ),
        "points": n_points,
        "float_gradient_max_error": float_error,
        "engines": rows,
        "tinygrad_edu_phases_ms": phases_ms,
        "ratios_ours_over_peer": ratios,
    }


# ------------------------------------------------------- case 2: deep chain


def tinygrad_chain(steps: int) -> tuple[int, float]:
    """y ← y·c + d, ``steps`` times from y = x, then backward; (nodes, ∂y/∂d ≈ 2)."""
    x, c, d = Value(0.5), Value(0.5), Value(0.25)
    y = x
    for _ in range(steps):
        y = y * c + d
    y.backward()
    return 2 * steps + 3, d.grad


def micrograd_chain(engine: ModuleType, steps: int) -> tuple[int, float]:
    """The same chain in micrograd (its backward recurses once per node of the chain)."""
    x, c, d = engine.Value(0.5), engine.Value(0.5), engine.Value(0.25)
    y = x
    for _ in range(steps):
        y = y * c + d
    y.backward()
    return 2 * steps + 3, float(d.grad)


def torch_chain(torch: ModuleType, steps: int) -> tuple[int, float]:
    """The same chain on 0-dim float64 tensors."""
    x, c, d = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.5, 0.5, 0.25))
    y = x
    for _ in range(steps):
        y = y * c + d
    y.backward()
    return 2 * steps + 3, float(d.grad)


def micrograd_longest_chain(engine: ModuleType, limit: int = 100_000) -> int:
    """The most nodes a micrograd chain can have and still backpropagate at the current recursion limit."""

    def works(steps: int) -> bool:
        try:
            micrograd_chain(engine, steps)
            return True
        except RecursionError:
            return False
        finally:
            gc.collect()  # micrograd's graphs are cycles: free this one now

    lo, hi = 0, 1  # works(lo); find hi that fails, then bisect
    while works(hi):
        lo, hi = hi, hi * 2
        if hi > limit:
            return 2 * lo + 3
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if works(mid) else (lo, mid)
    return 2 * lo + 3


def _read_status_kb(field: str) -> Optional[int]:
    try:
        with open("/proc/self/status") as f:
            found = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) if found else None


def peak_rss_growth_mb(fn: Callable[[], Any]) -> tuple[Optional[float], str]:
    """(MB by which ``fn`` raised the process's peak resident memory, how it was measured).

    On Linux the peak (VmHWM) is first reset to the current RSS by writing 5 to
    ``/proc/self/clear_refs``, so the growth is ``fn``'s own. Elsewhere it is
    ``ru_maxrss`` after minus before, which is 0 if an earlier moment was higher.
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = _read_status_kb("VmRSS")
        fn()
        peak = _read_status_kb("VmHWM")
        if before is not None and peak is not None:
            return (peak - before) / 1024, "VmHWM after - VmRSS before (peak reset via /proc/self/clear_refs)"
    except OSError:
        pass
    before_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fn()
    after_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, kB on Linux
    return (after_max - before_max) / scale, "ru_maxrss after - before (0 if an earlier peak was higher)"


def traced_peak_mb(fn: Callable[[], Any]) -> float:
    """The peak of Python's allocations during ``fn`` above those before it, in MB (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - base) / 1e6


def _chain_row(timing: Result, nodes: int) -> Result:
    return {
        "status": "ok",
        "nodes": nodes,
        "ms": timing["median_s"] * 1e3,
        "samples_ms": [s * 1e3 for s in timing["samples_s"]],
        "repeats": timing["repeats"],
    }


def deep_chain_case(
    sizes: Sequence[int] = (10_000, 100_000, 1_000_000),
    repeats: int = 5,
    slow_repeats: int = 3,
    torch_cap: int = 100_000,
    trace_memory: bool = True,
    retry_after_failure: bool = True,
) -> Result:
    """Case 2: forward + backward time through chains of ``sizes`` nodes, growth ratio, peak memory."""
    largest = max(sizes)
    engines: dict[str, dict[str, Result]] = {
        "tinygrad_edu": {},
        "tinygrad_edu (gc paused)": {},
        "micrograd": {},
        "PyTorch scalars": {},
    }
    memory: Result = {"nodes": 2 * (largest // 2) + 3}
    # every size of these rows, timed in turns (see time_interleaved): the growth ratio compares
    # runs made under the same conditions of the machine
    jobs: dict[str, Job] = {}
    outcomes: dict[str, dict[str, Any]] = {}
    for name, paused in (("tinygrad_edu", False), ("tinygrad_edu (gc paused)", True)):
        for size in sizes:
            key = f"{name}|{size}"
            outcome: dict[str, Any] = {}
            outcomes[key] = outcome

            def run_chain(
                steps: int = size // 2,
                outcome: dict[str, Any] = outcome,
                measure_rss: bool = size == largest and not paused,
                paused: bool = paused,
            ) -> None:
                def chain() -> None:
                    full_before = gc.get_stats()[2]["collections"]
                    if paused:
                        with gc_paused():
                            outcome["nodes"], outcome["grad_d"] = tinygrad_chain(steps)
                    else:
                        outcome["nodes"], outcome["grad_d"] = tinygrad_chain(steps)
                    outcome["full_collections"] = gc.get_stats()[2]["collections"] - full_before

                # the first timed run of the largest chain, in default settings, also measures peak RSS
                if measure_rss and "peak_rss_growth_mb" not in memory:
                    memory["peak_rss_growth_mb"], memory["rss_method"] = peak_rss_growth_mb(chain)
                else:
                    chain()

            big = size >= 1_000_000  # seconds per run: no warm-up, fewer repeats
            jobs[key] = Job(run_chain, slow_repeats if big else repeats, warmup=0 if big else 1)
    timings = time_interleaved(jobs)
    for key, timing in timings.items():
        name, size_text = key.split("|")
        outcome = outcomes[key]
        if not math.isclose(outcome["grad_d"], 2.0, rel_tol=1e-9):  # ∂y/∂d = Σ cᵏ = 1/(1 − c) = 2
            raise AssertionError(f"{name} chain: ∂y/∂d = {outcome['grad_d']!r}, expected 2")
        engines[name][size_text] = _chain_row(timing, outcome["nodes"])
        # the collector's full passes in the last run: CPython 3.11 makes one once the objects
        # moved to its oldest generation since the previous pass exceed a quarter of those in it
        engines[name][size_text]["full_collections"] = outcome["full_collections"]
    if trace_memory:
        traced = traced_peak_mb(lambda: tinygrad_chain(largest // 2))
        memory["tracemalloc_peak_mb"] = traced
        memory["tracemalloc_peak_bytes_per_node"] = traced * 1e6 / memory["nodes"]

    mg = micrograd_modules()
    micrograd_longest: Optional[int] = None
    if mg is None:
        engines["micrograd"] = {str(size): not_installed("micrograd") for size in sizes}
    else:
        limit = sys.getrecursionlimit()
        failed_at: Optional[int] = None
        try:
            for size in sizes:
                if failed_at is not None and not retry_after_failure:
                    engines["micrograd"][str(size)] = {
                        "status": "RecursionError",
                        "reason": f"not attempted: it fails already at {failed_at:,} nodes "
                        "(its recursion depth grows with the chain)",
                    }
                    continue
                started = time.perf_counter()
                try:
                    nodes, _ = micrograd_chain(mg[0], size // 2)
                    engines["micrograd"][str(size)] = {
                        "status": "ok",
                        "nodes": nodes,
                        "ms": (time.perf_counter() - started) * 1e3,
                        "repeats": 1,
                    }
                except RecursionError as error:
                    failed_at = failed_at or size
                    engines["micrograd"][str(size)] = {
                        "status": "RecursionError",
                        "reason": f"{error} (recursion limit {sys.getrecursionlimit()})",
                        "seconds_until_failure": time.perf_counter() - started,
                    }
                gc.collect()  # the abandoned graph is a web of reference cycles
            micrograd_longest = micrograd_longest_chain(mg[0])
        finally:
            sys.setrecursionlimit(limit)

    torch = import_peer("torch")
    for size in sizes:
        if torch is None:
            engines["PyTorch scalars"][str(size)] = not_installed("torch")
        elif size > torch_cap:
            engines["PyTorch scalars"][str(size)] = {
                "status": "skipped",
                "reason": f"capped at {torch_cap:,} nodes to keep the run short (its autograd is iterative)",
            }
        else:
            outcome_t: dict[str, Any] = {}

            def run_torch(steps: int = size // 2, outcome: dict[str, Any] = outcome_t) -> None:
                outcome["nodes"], _ = torch_chain(torch, steps)

            engines["PyTorch scalars"][str(size)] = _chain_row(
                time_repeats(run_torch, slow_repeats), outcome_t["nodes"]
            )

    growth: dict[str, Optional[float]] = {}
    top = sorted(sizes)[-2:]
    bound = 1.2 * top[-1] / top[0] if len(top) == 2 else None  # 12 for 10⁶/10⁵: linear, give or take 20%
    if len(top) == 2:
        for name, rows in engines.items():
            small_row, big_row = rows.get(str(top[0]), {}), rows.get(str(top[1]), {})
            growth[name] = ratio(big_row.get("ms"), small_row.get("ms"))
    linear = {
        name: (g <= bound if g is not None and bound is not None else None) for name, g in growth.items()
    }
    ours_rows = engines["tinygrad_edu"]
    ratios = {
        name: {str(s): ratio(ours_rows[str(s)]["ms"], rows[str(s)].get("ms")) for s in sizes}
        for name, rows in engines.items()
        if name != "tinygrad_edu"
    }
    return {
        "what": "y <- y*c + d repeated (2 nodes per step; c, d, x shared leaves), then backward",
        "sizes": list(sizes),
        "engines": engines,
        "growth_ratio": {
            "sizes": top,
            "ratio_by_engine": growth,
            "linear_if_at_most": bound,
            "linear_by_engine": linear,
        }
        if len(top) == 2
        else {},
        "memory_largest_tinygrad_edu": memory,
        "micrograd_longest_chain_nodes": micrograd_longest,
        "recursion_limit": sys.getrecursionlimit(),
        "ratios_ours_over_peer": ratios,
    }


# ----------------------------------------------------------- case 3: memory


def graph_memory(build: Callable[[], Any], count_nodes: Callable[[Any], int], parameters: int) -> Result:
    """Bytes held by the graph ``build()`` returns, per node it created; and the peak during backward.

    tracemalloc counts every Python allocation made by the build and still
    alive once it returns (the nodes, their input tuples or sets, closures,
    floats, the lists of scores). The graph's own nodes include the
    ``parameters`` leaves, which existed before the build, so they are not
    counted as created. The collector is paused so that it frees nothing else
    meanwhile.
    """
    gc.collect()
    with gc_paused():
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            root = build()
            held = tracemalloc.get_traced_memory()[0] - base
            tracemalloc.reset_peak()
            root.backward()
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
    nodes = count_nodes(root)
    created = nodes - parameters
    del root
    gc.collect()
    return {
        "status": "ok",
        "graph_nodes": nodes,
        "nodes_created": created,
        "graph_mb": held / 1e6,
        "bytes_per_node": held / created,
        "peak_during_backward_mb": peak / 1e6,
        "peak_bytes_per_node": peak / created,
    }


def memory_case(n_points: int = 100) -> Result:
    """Case 3: bytes per graph node of the moons step's graph, tinygrad_edu and micrograd."""
    X, y = moons_data(n_points)
    layers = initial_layers(*MOONS_SIZES, seed=MOONS_WEIGHT_SEED)
    n_params = len(flatten(layers))
    ours_engine = TinygradMoons(layers, X, y)
    rows: dict[str, Result] = {
        "tinygrad_edu": graph_memory(ours_engine.build, TinygradMoons.count_nodes, n_params),
    }
    mg = micrograd_modules()
    if mg is None:
        rows["micrograd"] = not_installed("micrograd")
    else:
        engine = MicrogradMoons(mg, layers, X, y)
        rows["micrograd"] = graph_memory(engine.build, micrograd_nodes, n_params)
    ours = rows["tinygrad_edu"]["bytes_per_node"]
    return {
        "what": (
            f"tracemalloc bytes held by the moons graph ({n_points} points, forward + loss) "
            "per node the build created"
        ),
        "points": n_points,
        "engines": rows,
        "ratios_ours_over_peer": {"micrograd": ratio(ours, rows["micrograd"].get("bytes_per_node"))},
        "graph_ratios_ours_over_peer": {
            "micrograd": ratio(rows["tinygrad_edu"]["graph_mb"], rows["micrograd"].get("graph_mb"))
        },
        "note": "PyTorch is left out: its tensors live in C++ memory that tracemalloc does not see",
    }


# -------------------------------------------------- case 4: a bigger network


class TinygradDigits:
    """An epoch of MLP(64, [32, 10]) + softmax cross-entropy + SGD with tinygrad_edu."""

    def __init__(self, layers: Layers, X: Matrix, y: Sequence[int], batch: int) -> None:
        self.model = MLP(len(layers[0][0][0]), [len(b) for _, b in layers], seed=0)
        self.params = self.model.parameters()
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
            for p in self.params:
                p.data -= DIGITS_LR * p.grad
            losses.append(loss.data)
        return losses

    count_nodes = staticmethod(TinygradMoons.count_nodes)


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
        losses = []
        for start in list(range(0, len(self.X), self.batch))[:max_batches]:
            loss = self.build(start)
            self.model.zero_grad()
            loss.backward()
            for p in self.model.parameters():
                p.data -= DIGITS_LR * p.grad
            losses.append(float(loss.data))
        return losses

    count_nodes = staticmethod(micrograd_nodes)


class TorchDigits:
    """The same epoch with PyTorch on 0-dim float64 tensors, one scalar op at a time."""

    def __init__(self, torch: ModuleType, layers: Layers, X: Matrix, y: Sequence[int], batch: int) -> None:
        self.net = TorchMoons(torch, layers, [], [])  # the scalar-tensor MLP; its data is unused
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


def _time_epoch(engine: Any, repeats: int, n_batches: int, max_batches: Optional[int] = None) -> Result:
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


def bigger_network_case(
    n_samples: int = 500, batch: int = 50, repeats: int = 3, slow_repeats: int = 1, torch_batches: int = 2
) -> Result:
    """Case 4: seconds per epoch of MLP(64, [32, 10]) + softmax cross-entropy on synthetic digits."""
    X, y = make_digits(n_samples)
    layers = initial_layers(*DIGITS_SIZES, seed=DIGITS_WEIGHT_SEED)
    n_batches = math.ceil(n_samples / batch)
    rows: dict[str, Result] = {
        "tinygrad_edu": _time_epoch(TinygradDigits(layers, X, y, batch), repeats, n_batches)
    }
    mg = micrograd_modules()
    if mg is None:
        rows["micrograd"] = rows["micrograd + exp/log"] = not_installed("micrograd")
    else:
        rows["micrograd"] = {
            "status": "cannot express",
            "reason": "micrograd 0.1.0 has no exp or log (only +, *, ** by a number, relu)",
        }
        rows["micrograd + exp/log"] = _time_epoch(
            MicrogradDigits(mg, layers, X, y, batch), slow_repeats, n_batches
        )
        rows["micrograd + exp/log"]["note"] = "exp and log written micrograd's way in benchmarks/run.py"
    torch = import_peer("torch")
    if torch is None:
        rows["PyTorch scalars"] = not_installed("torch")
    elif torch_batches <= 0:
        rows["PyTorch scalars"] = {"status": "skipped", "reason": "too slow on scalars for --quick"}
    else:
        rows["PyTorch scalars"] = _time_epoch(
            TorchDigits(torch, layers, X, y, batch), 1, n_batches, max_batches=torch_batches
        )
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


# ------------------------------------------------------------------ targets
# The speed floor the engine must keep, each judged on this run's own medians. A target whose
# numbers are missing (a peer not installed, a case skipped) is reported as "no data".

MICROGRAD_SPEEDUP_AT_LEAST = 40.0  # eager moons step: micrograd 0.1.0 as shipped ÷ tinygrad_edu
TRACED_OVER_FLOATS_AT_MOST = 1.0  # traced moons step ÷ the hand-written plain-float step
GRAPH_SHARE_AT_MOST = 1 / 20  # the moons graph: tinygrad_edu's bytes ÷ micrograd's


def _moons_ms(results: Result, name: str) -> Optional[float]:
    row = results["cases"]["moons_step"]["engines"].get(name, {})
    return row.get("ms_per_step") if row.get("status") == "ok" else None


def _over(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return None if a is None or b is None or b == 0 else a / b


def _judge(what: str, measured: Optional[float], goal: str, met: Callable[[float], bool]) -> Result:
    return {
        "target": what,
        "measured": measured,
        "goal": goal,
        "met": None if measured is None else met(measured),
    }


def targets(results: Result) -> list[Result]:
    """Each target with the measured factor and whether this run meets it (None: no data)."""
    ours = _moons_ms(results, "tinygrad_edu")
    speedup = _over(_moons_ms(results, "micrograd"), ours)
    traced = _over(_moons_ms(results, COMPILED_ROW), _moons_ms(results, FLOATS_ROW))
    share = results["cases"]["memory"].get("graph_ratios_ours_over_peer", {}).get("micrograd")
    return [
        _judge(
            "moons step: faster than micrograd",
            speedup,
            f"≥ {MICROGRAD_SPEEDUP_AT_LEAST:.0f}×",
            lambda x: x >= MICROGRAD_SPEEDUP_AT_LEAST,
        ),
        _judge(
            "traced step ÷ plain-float step",
            traced,
            f"≤ {TRACED_OVER_FLOATS_AT_MOST:.0f}×",
            lambda x: x <= TRACED_OVER_FLOATS_AT_MOST,
        ),
        _judge(
            "moons graph: share of micrograd's bytes",
            share,
            f"≤ 1/{1 / GRAPH_SHARE_AT_MOST:.0f}",
            lambda x: x <= GRAPH_SHARE_AT_MOST,
        ),
    ]


def reference_ratios(results: Result) -> list[Result]:
    """More of this run's ratios, for reference: no goal, no verdict (None: no data)."""
    ours = _moons_ms(results, "tinygrad_edu")
    chain = results["cases"]["deep_chain"]
    growth = (chain.get("growth_ratio") or {}).get("ratio_by_engine", {})
    memory = chain.get("memory_largest_tinygrad_edu", {})
    rows = [
        (
            "moons step: faster than micrograd (gc paused)",
            _over(_moons_ms(results, "micrograd (gc paused)"), ours),
        ),
        ("moons step: faster than PyTorch scalars", _over(_moons_ms(results, "PyTorch scalars"), ours)),
        ("moons step ÷ plain-float step", _over(ours, _moons_ms(results, FLOATS_ROW))),
        ("deep chain: time 10⁶/10⁵ nodes (≤ 12: linear)", growth.get("tinygrad_edu")),
        ("deep chain, gc paused: time 10⁶/10⁵ nodes", growth.get("tinygrad_edu (gc paused)")),
        (
            f"deep chain: MB for {memory.get('nodes', 0):,} nodes",
            memory.get("tracemalloc_peak_mb", memory.get("peak_rss_growth_mb")),
        ),
    ]
    return [{"what": what, "measured": measured} for what, measured in rows]


# ------------------------------------------------------------ the whole run


def machine_facts() -> Result:
    """CPU model, cores, Python, platform and date of this run."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            found = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.MULTILINE)
        if found:
            cpu = found.group(1).strip()
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def run_all(settings: Settings, log: Callable[[str], None] = print) -> Result:
    """Every case with ``settings``; the JSON-ready results."""
    started = time.perf_counter()
    peers = peer_versions()  # imports the peers before the freeze below
    gc.collect()
    # Everything alive now (modules, torch's ~10⁵ objects among them) is moved out of the cyclic
    # collector's sight, so that its cost in each row comes from that engine's own objects and
    # does not depend on which peers happen to be imported.
    gc.freeze()
    try:
        return _run_cases(settings, log, started, peers)
    finally:
        gc.unfreeze()


def _run_cases(
    settings: Settings, log: Callable[[str], None], started: float, peers: dict[str, str]
) -> Result:
    results: Result = {
        "schema": 1,
        "machine": machine_facts(),
        "peers": peers,
        "settings": asdict(settings),
        "method": {
            "timer": "time.perf_counter",
            "statistic": "median of the repeats (min and samples also kept)",
            "warm_up": "moons step and deep chain: an untimed call of the same row right before each timed "
            "one, except for runs of a second or more; other cases: one untimed call first",
            "gc": "gc.freeze() after importing the peers; gc.collect() before each row (moons step: before "
            "each timed call)",
            "order": "moons step: the rows' repeats in turns (time_interleaved); other cases row by row",
        },
        "cases": {},
    }
    cases = results["cases"]
    log("case 1/4: moons step ...")
    cases["moons_step"] = moons_step_case(settings.moons_points, settings.repeats, settings.slow_repeats)
    log("case 2/4: deep chain ...")
    cases["deep_chain"] = deep_chain_case(
        settings.chain_sizes,
        settings.repeats,
        settings.slow_repeats,
        settings.torch_chain_cap,
        settings.chain_tracemalloc,
        settings.micrograd_chain_after_failure,
    )
    log("case 3/4: memory ...")
    cases["memory"] = memory_case(settings.moons_points)
    log("case 4/4: bigger network ...")
    cases["bigger_network"] = bigger_network_case(
        settings.digits_samples,
        settings.digits_batch,
        settings.digits_repeats,
        settings.digits_slow_repeats,
        settings.torch_digit_batches,
    )
    results["targets"] = targets(results)
    results["reference"] = reference_ratios(results)
    results["total_seconds"] = time.perf_counter() - started
    return results


# ------------------------------------------------------------------ output


def _num(x: Optional[float], digits: int = 1) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _ratio(x: Optional[float]) -> str:
    return "-" if x is None else f"{x:.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns: names and notes to the left, numbers to the right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    left = {0} | ({len(header) - 1} if header[-1] == "note" else set())

    def line(r: Sequence[str]) -> str:
        cells = (c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        return "  ".join(cells).rstrip()

    return [line(header), "  ".join("-" * w for w in widths).rstrip(), *(line(r) for r in rows)]


def _factor(x: Optional[float]) -> str:
    return "-" if x is None else f"{x:,.3g}"


def _status(row: Result) -> str:
    return row["status"] if row["status"] != "ok" else ""


def format_report(results: Result) -> str:
    """The printed tables."""
    m, peers, cases = results["machine"], results["peers"], results["cases"]
    out = [
        f"machine: {m['cpu']}, {m['cores_usable']} of {m['cores']} cores, "
        f"{m['implementation']} {m['python']}, {m['platform']}, {m['date']}",
        f"peers: micrograd {peers['micrograd']}, torch {peers['torch']}"
        + ("   (--quick)" if results["settings"]["quick"] else ""),
        "ours/peer = tinygrad_edu's median ÷ the peer's (> 1: tinygrad_edu is slower or bigger)",
    ]

    c = cases["moons_step"]
    out += [
        "",
        f"1. moons step: MLP(2, [16, 16, 1]) on {c['points']} points, forward + hinge + L2 + backward + SGD",
    ]
    rows = []
    for name, row in c["engines"].items():
        extra = _status(row)
        if "gc_collect_after_ms" in row:
            extra = f"+ {row['gc_collect_after_ms']:.0f} ms gc.collect() after"
        if "charged_gc_collect_ms" in row:
            extra = f"incl. {row['charged_gc_collect_ms']:.0f} ms collecting its cycles"
        if "trace_s" in row:
            extra = f"traced and compiled once in {row['trace_s']:.1f} s"
        if row["status"] != "ok":
            extra = f"{row['status']}: {row['reason']}"
        rows.append(
            [
                name,
                _num(row.get("ms_per_step")),
                _num(row.get("nodes_per_step"), 0) if "nodes_per_step" in row else "-",
                str(row.get("repeats", "-")),
                _ratio(c["ratios_ours_over_peer"].get(name)) if name != "tinygrad_edu" else "1.00",
                extra,
            ]
        )
    out += _table(["engine", "ms/step", "nodes/step", "repeats", "ours/peer", "note"], rows)
    out.append(f"   float gradients vs tinygrad_edu: max |difference| {c['float_gradient_max_error']:.1e}")
    phases = c["tinygrad_edu_phases_ms"]
    out.append(
        "   tinygrad_edu's step by phase (medians, ms): "
        + ", ".join(f"{p} {phases[p]:.1f}" for p in PHASES)
        + f"; sum {phases['sum']:.1f}"
    )

    c = cases["deep_chain"]
    sizes = [str(s) for s in c["sizes"]]
    out += ["", "2. deep chain: y <- y*c + d, forward + backward, ms per chain of N nodes"]
    rows = []
    for name, by_size in c["engines"].items():
        cells = []
        for s in sizes:
            row = by_size[s]
            cells.append(_num(row["ms"]) if row["status"] == "ok" else row["status"])
        growth = c["growth_ratio"].get("ratio_by_engine", {}).get(name) if c["growth_ratio"] else None
        verdict = c["growth_ratio"].get("linear_by_engine", {}).get(name) if c["growth_ratio"] else None
        mark = "" if verdict is None else (" (linear)" if verdict else " (> linear)")
        rows.append([name, *cells, _ratio(growth) + mark])
    top = c["growth_ratio"].get("sizes", [])
    growth_header = f"{top[1]:.0e}/{top[0]:.0e}".replace("+0", "") if top else "growth"
    out += _table(["engine", *(f"N={int(s):,}" for s in sizes), growth_header], rows)
    if c["growth_ratio"]:
        out.append(f"   linear growth: ratio ≤ {c['growth_ratio']['linear_if_at_most']:.0f}")
    counts = [
        f"{int(s):,} nodes: {row['full_collections']}"
        for s in sizes
        if "full_collections" in (row := c["engines"]["tinygrad_edu"].get(s, {}))
    ]
    if counts:
        out.append("   tinygrad_edu: the collector's full passes in one run: " + ", ".join(counts))
    mem = c["memory_largest_tinygrad_edu"]
    line = f"   tinygrad_edu, {mem['nodes']:,} nodes: peak RSS +{_num(mem['peak_rss_growth_mb'])} MB"
    if "tracemalloc_peak_mb" in mem:
        line += (
            f", tracemalloc peak {mem['tracemalloc_peak_mb']:.1f} MB "
            f"({mem['tracemalloc_peak_bytes_per_node']:.0f} bytes/node)"
        )
    out.append(line)
    if c["micrograd_longest_chain_nodes"] is not None:
        out.append(
            f"   micrograd: longest chain that backpropagates at recursion limit {c['recursion_limit']}: "
            f"{c['micrograd_longest_chain_nodes']:,} nodes"
        )

    c = cases["memory"]
    out += ["", f"3. memory: the moons graph ({c['points']} points, forward + loss), tracemalloc"]
    rows = []
    for name, row in c["engines"].items():
        if row["status"] != "ok":
            rows.append([name, "-", "-", "-", "-", "-", f"{row['status']}: {row['reason']}"])
            continue
        rows.append(
            [
                name,
                _num(row["graph_nodes"], 0),
                _num(row["graph_mb"], 2),
                _num(row["bytes_per_node"], 0),
                _num(row["peak_bytes_per_node"], 0),
                _ratio(c["ratios_ours_over_peer"].get(name)) if name != "tinygrad_edu" else "1.00",
                "",
            ]
        )
    out += _table(["engine", "nodes", "graph MB", "bytes/node", "peak in backward", "ours/peer", ""], rows)
    share = c.get("graph_ratios_ours_over_peer", {}).get("micrograd")
    if share is not None:
        out.append(f"   whole graph: tinygrad_edu holds {share:.3f}× micrograd's bytes (1/{1 / share:.0f})")

    c = cases["bigger_network"]
    out += [
        "",
        f"4. bigger network: MLP(64, [32, 10]) + softmax cross-entropy, {c['samples']} digits, "
        f"{c['mini_batches']} mini-batch{'es' if c['mini_batches'] != 1 else ''} of {c['batch']}",
    ]
    rows = []
    for name, row in c["engines"].items():
        note = row.get("note", "") if row["status"] == "ok" else f"{row['status']}: {row['reason']}"
        rows.append(
            [
                name,
                _num(row.get("s_per_epoch"), 2),
                _num(row["nodes_per_mini_batch"], 0) if "nodes_per_mini_batch" in row else "-",
                str(row.get("repeats", "-")),
                _ratio(c["ratios_ours_over_peer"].get(name)) if name != "tinygrad_edu" else "1.00",
                note,
            ]
        )
    out += _table(["engine", "s/epoch", "nodes/mini-batch", "repeats", "ours/peer", "note"], rows)
    out += ["", TARGETS_TITLE]
    rows = []
    for t in results.get("targets", []):
        verdict = {True: "met", False: "NOT met", None: "no data"}[t["met"]]
        rows.append([t["target"], _factor(t["measured"]), t["goal"], verdict])
    for r in results.get("reference", []):
        rows.append([r["what"], _factor(r["measured"]), "-", "for reference"])
    out += _table(["target", "measured", "goal", "verdict"], rows)
    out += ["", f"total {results['total_seconds']:.0f} s"]
    return "\n".join(out)


TARGETS_TITLE = "targets, on this run's medians"
BENCH_README = HERE / "README.md"
START, END = "<!-- latest benchmark: start -->", "<!-- latest benchmark: end -->"


def replace_between_markers(text: str, block: str, where: Path) -> str:
    """``text`` with everything between the START and END markers replaced by ``block``."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise ValueError(f"{where}: expected one {START!r} line followed by one {END!r} line")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n```text\n{block}\n```\n{END}{tail}"


def update_readme(results: Result, path: Path = BENCH_README) -> None:
    """Write this run's tables into benchmarks/README.md, between its markers: the one place
    the figures live (the words around them are written by hand)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(replace_between_markers(text, format_report(results), path), encoding="utf-8")


def write_json(results: Result, path: Path) -> None:
    """Write ``results`` as indented JSON to ``path`` (its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"where to write results (default {DEFAULT_JSON})"
    )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="also write the tables into benchmarks/README.md (between its markers)",
    )
    return parser.parse_args(argv)


def settings_for(quick: bool) -> Settings:
    """The settings of a default run, or of ``--quick``."""
    return QUICK if quick else DEFAULT


def main(argv: Optional[Sequence[str]] = None, settings: Optional[Settings] = None) -> int:
    """``python benchmarks/run.py [--quick] [--json PATH] [--readme]``; ``settings`` overrides the
    sizes (tests)."""
    args = parse_args(argv)
    chosen = settings if settings is not None else settings_for(args.quick)
    if settings is not None and args.quick:
        chosen = replace(chosen, quick=True)
    results = run_all(chosen, log=lambda s: print(s, file=sys.stderr, flush=True))
    print(format_report(results))
    write_json(results, args.json)
    print(f"wrote {args.json}")
    if args.readme:
        update_readme(results)
        print(f"wrote the tables into {BENCH_README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
