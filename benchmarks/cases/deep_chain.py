"""Case 2, the deep chain: y ← y·c + d until the graph has 10⁴, 10⁵ and 10⁶ nodes, then backward.

Time per size and the 10⁶/10⁵ time ratio (≤ 12 means linear growth, give or
take 20%), for tinygrad_edu as it comes and with the collector paused (to tell
the collector's share of any excess from the memory hierarchy's), in turns.
The collector's full passes in each run are counted (``gc.get_stats()``).
micrograd's topological sort is recursive: its RecursionError is reported as a
result, as is the longest chain it handles at the default recursion limit.
The memory of the largest chain is the growth of the process's peak RSS
(Linux: the peak is reset through ``/proc/self/clear_refs`` first) and,
except with ``--quick``, the peak of Python's allocations measured by
``tracemalloc`` in an extra untimed run.
"""

from __future__ import annotations

import gc
import math
import sys
import time
from types import ModuleType
from typing import Any, Optional, Sequence

from benchmarks.harness import (
    Job,
    Result,
    gc_paused,
    peak_rss_growth_mb,
    ratio,
    time_interleaved,
    time_repeats,
    traced_peak_mb,
)
from benchmarks.peers import import_peer, micrograd_modules, not_installed
from tinygrad_edu import Value

ENGINES = ("tinygrad_edu", "tinygrad_edu (gc paused)", "micrograd", "PyTorch scalars")
Rows = dict[str, dict[str, Result]]  # engine → str(size) → row


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


def chain_row(timing: Result, nodes: int) -> Result:
    """A row of the table from a timing of one size."""
    return {
        "status": "ok",
        "nodes": nodes,
        "ms": timing["median_s"] * 1e3,
        "samples_ms": [s * 1e3 for s in timing["samples_s"]],
        "repeats": timing["repeats"],
    }


# ------------------------------------------------------------ tinygrad_edu


def tinygrad_chain_run(steps: int, outcome: dict[str, Any], paused: bool, memory: Optional[Result]) -> None:
    """One timed run of tinygrad_edu's chain; its nodes, ∂y/∂d and the collector's full passes go
    into ``outcome``. With ``memory`` (the largest chain, in default settings), the first run also
    measures the growth of the peak RSS into it."""

    def chain() -> None:
        full_before = gc.get_stats()[2]["collections"]
        if paused:
            with gc_paused():
                outcome["nodes"], outcome["grad_d"] = tinygrad_chain(steps)
        else:
            outcome["nodes"], outcome["grad_d"] = tinygrad_chain(steps)
        outcome["full_collections"] = gc.get_stats()[2]["collections"] - full_before

    if memory is not None and "peak_rss_growth_mb" not in memory:
        memory["peak_rss_growth_mb"], memory["rss_method"] = peak_rss_growth_mb(chain)
    else:
        chain()


def tinygrad_chains(sizes: Sequence[int], repeats: int, slow_repeats: int, memory: Result) -> Rows:
    """tinygrad_edu's rows, with the collector on and paused: every size timed in turns (see
    time_interleaved), so the growth ratio compares runs made under the same conditions."""
    largest = max(sizes)
    jobs: dict[str, Job] = {}
    outcomes: dict[str, dict[str, Any]] = {}
    for name, paused in (("tinygrad_edu", False), ("tinygrad_edu (gc paused)", True)):
        for size in sizes:
            key = f"{name}|{size}"
            outcome: dict[str, Any] = {}
            outcomes[key] = outcome
            rss = memory if size == largest and not paused else None

            def run_chain(
                steps: int = size // 2,
                out: dict[str, Any] = outcome,
                paused: bool = paused,
                rss: Optional[Result] = rss,
            ) -> None:
                tinygrad_chain_run(steps, out, paused, rss)

            big = size >= 1_000_000  # seconds per run: no warm-up, fewer repeats
            jobs[key] = Job(run_chain, slow_repeats if big else repeats, warmup=0 if big else 1)
    rows: Rows = {"tinygrad_edu": {}, "tinygrad_edu (gc paused)": {}}
    for key, timing in time_interleaved(jobs).items():
        name, size_text = key.split("|")
        outcome = outcomes[key]
        if not math.isclose(outcome["grad_d"], 2.0, rel_tol=1e-9):  # ∂y/∂d = Σ cᵏ = 1/(1 − c) = 2
            raise AssertionError(f"{name} chain: ∂y/∂d = {outcome['grad_d']!r}, expected 2")
        rows[name][size_text] = chain_row(timing, outcome["nodes"])
        # the collector's full passes in the last run: CPython 3.11 makes one once the objects
        # moved to its oldest generation since the previous pass exceed a quarter of those in it
        rows[name][size_text]["full_collections"] = outcome["full_collections"]
    return rows


# ------------------------------------------------------------------- peers


def micrograd_chain_once(engine: ModuleType, size: int) -> tuple[Result, bool]:
    """One run of micrograd's chain of ``size`` nodes, timed once: (its row, whether it failed)."""
    started = time.perf_counter()
    try:
        nodes, _ = micrograd_chain(engine, size // 2)
        row: Result = {
            "status": "ok",
            "nodes": nodes,
            "ms": (time.perf_counter() - started) * 1e3,
            "repeats": 1,
        }
        return row, False
    except RecursionError as error:
        return {
            "status": "RecursionError",
            "reason": f"{error} (recursion limit {sys.getrecursionlimit()})",
            "seconds_until_failure": time.perf_counter() - started,
        }, True
    finally:
        gc.collect()  # the abandoned graph is a web of reference cycles


def micrograd_chains(
    sizes: Sequence[int], retry_after_failure: bool
) -> tuple[dict[str, Result], Optional[int]]:
    """micrograd's row, and the longest chain it backpropagates (None: micrograd not installed).
    The recursion limit is restored afterwards."""
    mg = micrograd_modules()
    if mg is None:
        return {str(size): not_installed("micrograd") for size in sizes}, None
    rows: dict[str, Result] = {}
    limit = sys.getrecursionlimit()
    failed_at: Optional[int] = None
    try:
        for size in sizes:
            if failed_at is not None and not retry_after_failure:
                rows[str(size)] = {
                    "status": "RecursionError",
                    "reason": f"not attempted: it fails already at {failed_at:,} nodes "
                    "(its recursion depth grows with the chain)",
                }
                continue
            rows[str(size)], failed = micrograd_chain_once(mg[0], size)
            if failed:
                failed_at = failed_at or size
        return rows, micrograd_longest_chain(mg[0])
    finally:
        sys.setrecursionlimit(limit)


def torch_chains(sizes: Sequence[int], slow_repeats: int, torch_cap: int) -> dict[str, Result]:
    """PyTorch's row: each size timed on its own, those above ``torch_cap`` skipped."""
    torch = import_peer("torch")
    rows: dict[str, Result] = {}
    for size in sizes:
        if torch is None:
            rows[str(size)] = not_installed("torch")
        elif size > torch_cap:
            rows[str(size)] = {
                "status": "skipped",
                "reason": f"capped at {torch_cap:,} nodes to keep the run short (its autograd is iterative)",
            }
        else:
            outcome: dict[str, Any] = {}

            def run_torch(steps: int = size // 2, outcome: dict[str, Any] = outcome) -> None:
                outcome["nodes"], _ = torch_chain(torch, steps)

            rows[str(size)] = chain_row(time_repeats(run_torch, slow_repeats), outcome["nodes"])
    return rows


# -------------------------------------------------------------------- case


def growth_ratio(sizes: Sequence[int], engines: Rows) -> Result:
    """The time ratio of the two largest sizes, per engine, and whether it is linear (≤ 1.2× the
    size ratio: 12 for 10⁶/10⁵); empty with fewer than two sizes."""
    top = sorted(sizes)[-2:]
    if len(top) != 2:
        return {}
    bound = 1.2 * top[-1] / top[0]  # linear, give or take 20%
    growth: dict[str, Optional[float]] = {}
    for name, rows in engines.items():
        small_row, big_row = rows.get(str(top[0]), {}), rows.get(str(top[1]), {})
        growth[name] = ratio(big_row.get("ms"), small_row.get("ms"))
    return {
        "sizes": top,
        "ratio_by_engine": growth,
        "linear_if_at_most": bound,
        "linear_by_engine": {name: (g <= bound if g is not None else None) for name, g in growth.items()},
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
    memory: Result = {"nodes": 2 * (largest // 2) + 3}
    engines: Rows = tinygrad_chains(sizes, repeats, slow_repeats, memory)
    if trace_memory:
        traced = traced_peak_mb(lambda: tinygrad_chain(largest // 2))
        memory["tracemalloc_peak_mb"] = traced
        memory["tracemalloc_peak_bytes_per_node"] = traced * 1e6 / memory["nodes"]
    engines["micrograd"], micrograd_longest = micrograd_chains(sizes, retry_after_failure)
    engines["PyTorch scalars"] = torch_chains(sizes, slow_repeats, torch_cap)
    engines = {name: engines[name] for name in ENGINES}  # the table's order
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
        "growth_ratio": growth_ratio(sizes, engines),
        "memory_largest_tinygrad_edu": memory,
        "micrograd_longest_chain_nodes": micrograd_longest,
        "recursion_limit": sys.getrecursionlimit(),
        "ratios_ours_over_peer": ratios,
    }
