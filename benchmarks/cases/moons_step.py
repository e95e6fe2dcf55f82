"""Case 1, the moons step: one step of micrograd's demo, in every implementation.

One step of micrograd's demo (its ``demo.ipynb``) on 100 points:
``MLP(2, [16, 16, 1])`` (ReLU, ReLU, linear), the forward pass on every point,
the loss J = mean(relu(1 − yᵢ·sᵢ)) + 10⁻⁴·Σp², backward, and the SGD update
p ← p − 1.0·∂J/∂p (micrograd's first learning rate). Every implementation
starts each timed step from the same weights, so every step does the same
work; after the step the updated weights are compared with tinygrad_edu's as
a check that all of them computed the same gradients.

Rows: tinygrad_edu as it comes (the cyclic garbage collector on), and with the
collector paused as its demo does; the same step traced and compiled by
``tinygrad_edu.trace``; micrograd 0.1.0 as shipped, and with ``gc.disable()``
during the step (its graphs are reference cycles, so the garbage then waits
for a ``gc.collect()``, timed separately); PyTorch doing the same scalar ops
one by one on 0-dim float64 tensors; and the plain-float floor
(:mod:`benchmarks.floors`). In the same turns, tinygrad_edu's eager step is
also timed phase by phase (:class:`TinygradMoonsPhases`), so the report says
where the step's time goes. "nodes/step" is the size of the graph the step
builds.
"""

from __future__ import annotations

import gc
import statistics
import time
from types import ModuleType
from typing import Any, Sequence

from benchmarks.floors import FloatMoons, check_float_network
from benchmarks.harness import Job, Result, gc_paused, ratio, time_interleaved
from benchmarks.peers import (
    TorchScalarMLP,
    import_peer,
    micrograd_mlp,
    micrograd_modules,
    micrograd_nodes,
    not_installed,
)
from benchmarks.problems import (
    L2_STRENGTH,
    MOONS_LR,
    MOONS_SIZES,
    MOONS_WEIGHT_SEED,
    Layers,
    Matrix,
    Vector,
    flatten,
    initial_layers,
    moons_data,
    tinygrad_mlp,
    tinygrad_nodes,
)
from tinygrad_edu import Value, backpropagate, topological_order, trace
from tinygrad_edu.losses import l2, svm_loss
from tinygrad_edu.optim import SGD

COMPILED_ROW = "tinygrad_edu traced"  # the moons step replayed by tinygrad_edu.trace
FLOATS_ROW = FloatMoons.name
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
AGREEMENT_TOLERANCE = 1e-9  # every engine's updated weights vs tinygrad_edu's

#: The phases of tinygrad_edu's eager step, in the order they run (see TinygradMoonsPhases).
PHASES = ("build", "zero_grad", "topological_order", "backpropagate", "update", "free")


# ------------------------------------------------------------ tinygrad_edu


class TinygradMoons:
    """micrograd's moons step with tinygrad_edu, as ``tinygrad_edu/demo.py`` does it."""

    name = "tinygrad_edu"
    count_nodes = staticmethod(tinygrad_nodes)

    def __init__(self, layers: Layers, X: Matrix, y: Sequence[int]) -> None:
        self.model = tinygrad_mlp(layers)
        self.params = self.model.parameters()
        self.optimizer = SGD(self.params, lr=MOONS_LR)
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
        self.optimizer.step()
        return total.data


class TinygradMoonsGcPaused(TinygradMoons):
    """The same step with the cyclic garbage collector paused, as tinygrad_edu's demo trains."""

    name = "tinygrad_edu (gc paused)"

    def step(self) -> float:
        with gc_paused():
            return super().step()


class TinygradMoonsPhases(TinygradMoons):
    """The same step with each phase timed. ``Value.backward()`` is called as its public parts:
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
        self.optimizer.step()
        t5 = clock()
        del total, order
        t6 = clock()
        return dict(zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)))


class TinygradMoonsTraced(TinygradMoons):
    """The same step through ``tinygrad_edu.trace``: the graph is recorded once (not timed; its
    cost is reported as ``trace_s``), then each step replays the compiled forward and backward
    on the current weights."""

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
        self.optimizer.step()
        return loss


# ------------------------------------------------------------------- peers


class MicrogradMoons:
    """micrograd's moons step, the code of its ``demo.ipynb`` (``loss()`` and the update)."""

    name = "micrograd"
    charged_collect = True  # the gc.collect() after its step is part of its time (see moons_row)
    count_nodes = staticmethod(micrograd_nodes)

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


class MicrogradMoonsGcPaused(MicrogradMoons):
    """micrograd's step with ``gc.disable()`` around it; the cycles it leaves are collected afterwards."""

    name = "micrograd (gc paused)"
    charged_collect = False  # the collect after is shown apart: the row is micrograd at its fastest

    def step(self) -> float:
        with gc_paused():
            return super().step()


class TorchMoons(TorchScalarMLP):
    """The same scalar ops, one by one, on 0-dim float64 PyTorch tensors (micrograd's MLP, in torch)."""

    name = "PyTorch scalars"

    def __init__(self, torch: ModuleType, layers: Layers, X: Matrix, y: Sequence[int]) -> None:
        super().__init__(torch, layers)
        self.X, self.y = X, list(y)

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


# -------------------------------------------------------------------- case


def moons_job(engine: Any, repeats: int, after: Any = None) -> Job:
    """The timed step of ``engine``, each from the initial weights; it returns the loss."""
    slow = engine.name in SLOW_ROWS  # a second or more per step: no warm-up
    return Job(engine.step, repeats, 0 if slow else 1, engine.reset, after)


def check_agreement(engine: Any, reference: Vector) -> float:
    """How far the engine's last update left the weights from ``reference``; AssertionError if too far."""
    weights: Vector = engine.weights()
    deviation = max(abs(a - b) for a, b in zip(weights, reference))
    if not deviation <= AGREEMENT_TOLERANCE:
        raise AssertionError(
            f"{engine.name}: its step moved the weights {deviation:.3g} away from tinygrad_edu's"
        )
    return deviation


def moons_row(engine: Any, timing: Result, reference: Vector) -> Result:
    """A row from a timing; the engine's last update is checked against ``reference``."""
    deviation = check_agreement(engine, reference)
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


def moons_engines(
    layers: Layers, X: Matrix, y: Sequence[int], repeats: int, slow_repeats: int
) -> tuple[dict[str, tuple[Any, int, Any]], dict[str, Result]]:
    """Every row's engine with its repeats and its ``after`` call, in table order; and the rows
    of the peers that are not installed."""
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
    return engines, missing


def phase_medians(by_phase: list[dict[str, float]]) -> dict[str, float]:
    """Each phase's median over the timed steps, in ms, and their sum."""
    phases_ms = {p: statistics.median(run[p] for run in by_phase) * 1e3 for p in PHASES}
    phases_ms["sum"] = sum(phases_ms.values())
    return phases_ms


def moons_step_case(n_points: int = 100, repeats: int = 5, slow_repeats: int = 3) -> Result:
    """Case 1: ms per moons step for every implementation, ours/peer ratios, nodes per step."""
    X, y = moons_data(n_points)
    layers = initial_layers(*MOONS_SIZES, seed=MOONS_WEIGHT_SEED)
    float_error = check_float_network(layers, X, y)  # before any timing
    reference = TinygradMoons(layers, X, y)
    reference.step()
    expected = reference.weights()  # every implementation's weights after one step must match these

    # every row's steps are timed in turns (see time_interleaved), in this table order
    engines, missing = moons_engines(layers, X, y, repeats, slow_repeats)
    jobs = {name: moons_job(engine, n, after) for name, (engine, n, after) in engines.items()}
    phased = TinygradMoonsPhases(layers, X, y)  # not a row: the eager step's time, phase by phase
    jobs[phased.name] = Job(phased.step_by_phase, repeats, 1, phased.reset)
    timings = time_interleaved(jobs)
    rows: dict[str, Result] = {}
    for name in ROW_ORDER:
        if name in missing:
            rows[name] = missing[name]
            continue
        engine = engines[name][0]
        rows[name] = moons_row(engine, timings[name], expected)
        if name == COMPILED_ROW:
            rows[name]["trace_s"] = engine.trace_seconds
    check_agreement(phased, expected)
    phases_ms = phase_medians(timings[phased.name]["returned"])
    del engines, jobs, phased

    ours = rows["tinygrad_edu"]["ms_per_step"]
    return {
        "what": (
            f"one step of micrograd's moons demo: MLP(2, [16, 16, 1]), forward on {n_points} points, "
            "mean(relu(1 - y*s)) + 1e-4*sum(p^2), backward, SGD (lr 1.0), from the same weights every time"
        ),
        "points": n_points,
        "float_gradient_max_error": float_error,
        "engines": rows,
        "tinygrad_edu_phases_ms": phases_ms,
        "ratios_ours_over_peer": {
            name: ratio(ours, row.get("ms_per_step")) for name, row in rows.items() if name != "tinygrad_edu"
        },
    }
