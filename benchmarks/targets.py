"""The speed floor the engine must keep, each target judged on a run's own medians.

A target whose numbers are missing (a peer not installed, a case skipped) is
reported as "no data". More of the run's ratios are listed for reference,
without a goal or a verdict.
"""

from __future__ import annotations

from typing import Callable, Optional

from benchmarks.cases.moons_step import COMPILED_ROW, FLOATS_ROW
from benchmarks.harness import Result, ratio

MICROGRAD_SPEEDUP_AT_LEAST = 40.0  # eager moons step: micrograd 0.1.0 as shipped ÷ tinygrad_edu
TRACED_OVER_FLOATS_AT_MOST = 1.0  # traced moons step ÷ the hand-written plain-float step
GRAPH_SHARE_AT_MOST = 1 / 20  # the moons graph: tinygrad_edu's bytes ÷ micrograd's


def moons_ms(results: Result, name: str) -> Optional[float]:
    """The moons step's median ms of row ``name``, or None when the row has no number."""
    row = results["cases"]["moons_step"]["engines"].get(name, {})
    return row.get("ms_per_step") if row.get("status") == "ok" else None


def judge(what: str, measured: Optional[float], goal: str, met: Callable[[float], bool]) -> Result:
    """One target: what is measured, the measure, the goal as text, and whether it is met."""
    return {
        "target": what,
        "measured": measured,
        "goal": goal,
        "met": None if measured is None else met(measured),
    }


def targets(results: Result) -> list[Result]:
    """Each target with the measured factor and whether this run meets it (None: no data)."""
    ours = moons_ms(results, "tinygrad_edu")
    speedup = ratio(moons_ms(results, "micrograd"), ours)
    traced = ratio(moons_ms(results, COMPILED_ROW), moons_ms(results, FLOATS_ROW))
    share = results["cases"]["memory"].get("graph_ratios_ours_over_peer", {}).get("micrograd")
    return [
        judge(
            "moons step: faster than micrograd",
            speedup,
            f"≥ {MICROGRAD_SPEEDUP_AT_LEAST:.0f}×",
            lambda x: x >= MICROGRAD_SPEEDUP_AT_LEAST,
        ),
        judge(
            "traced step ÷ plain-float step",
            traced,
            f"≤ {TRACED_OVER_FLOATS_AT_MOST:.0f}×",
            lambda x: x <= TRACED_OVER_FLOATS_AT_MOST,
        ),
        judge(
            "moons graph: share of micrograd's bytes",
            share,
            f"≤ 1/{1 / GRAPH_SHARE_AT_MOST:.0f}",
            lambda x: x <= GRAPH_SHARE_AT_MOST,
        ),
    ]


def reference_ratios(results: Result) -> list[Result]:
    """More of this run's ratios, for reference: no goal, no verdict (None: no data)."""
    ours = moons_ms(results, "tinygrad_edu")
    chain = results["cases"]["deep_chain"]
    growth = (chain.get("growth_ratio") or {}).get("ratio_by_engine", {})
    memory = chain.get("memory_largest_tinygrad_edu", {})
    rows = [
        (
            "moons step: faster than micrograd (gc paused)",
            ratio(moons_ms(results, "micrograd (gc paused)"), ours),
        ),
        ("moons step: faster than PyTorch scalars", ratio(moons_ms(results, "PyTorch scalars"), ours)),
        ("moons step ÷ plain-float step", ratio(ours, moons_ms(results, FLOATS_ROW))),
        ("deep chain: time 10⁶/10⁵ nodes (≤ 12: linear)", growth.get("tinygrad_edu")),
        ("deep chain, gc paused: time 10⁶/10⁵ nodes", growth.get("tinygrad_edu (gc paused)")),
        (
            f"deep chain: MB for {memory.get('nodes', 0):,} nodes",
            memory.get("tracemalloc_peak_mb", memory.get("peak_rss_growth_mb")),
        ),
    ]
    return [{"what": what, "measured": measured} for what, measured in rows]
