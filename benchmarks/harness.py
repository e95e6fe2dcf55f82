"""Timing and measuring: repeats and medians, rows taking turns, the collector, memory, the machine.

Every timing is repeated and the **median** is reported (the minimum and all
samples are kept too). On a shared virtual machine the speed drifts over a
minute, so :func:`time_interleaved` lets the rows of a case take turns: one
repeat of every row, then the next round. Each timed call is preceded by an
untimed ``gc.collect()``, so garbage left by the previous call is not charged
to this one.
"""

from __future__ import annotations

import datetime
import gc
import os
import platform
import re
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any, Callable, Optional

Result = dict[str, Any]  # a JSON-ready piece of the results


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


def call_once(job: Job) -> tuple[float, Optional[float], Any]:
    """One call of ``job``: (seconds of ``fn``, seconds of ``after`` or None, what ``fn`` returned)."""
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


def takes_turn(round_index: int, repeats: int, rounds: int) -> bool:
    """Whether a row of ``repeats`` runs in this round: ``repeats`` of the ``rounds``, evenly spread."""
    return (round_index + 1) * repeats // rounds > round_index * repeats // rounds


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
    rounds = max(job.repeats for job in jobs.values())
    for r in range(rounds):
        for name, job in jobs.items():
            if takes_turn(r, job.repeats, rounds):
                for _ in range(job.warmup):
                    call_once(job)
                elapsed, after, out = call_once(job)
                samples[name].append(elapsed)
                returned[name].append(out)
                if after is not None:
                    after_samples[name].append(after)
    return {
        name: interleaved_timing(job, samples[name], after_samples[name], returned[name])
        for name, job in jobs.items()
    }


def interleaved_timing(
    job: Job, samples: list[float], after_samples: list[float], returned: list[Any]
) -> Result:
    """One row's timing from its samples (seconds), as :func:`time_interleaved` returns it."""
    timing: Result = {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "samples_s": samples,
        "repeats": job.repeats,
        "returned": returned,
    }
    if job.after is not None:
        timing["after_median_s"] = statistics.median(after_samples)
        timing["after_samples_s"] = after_samples
    return timing


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


# ------------------------------------------------------------------ memory


def read_status_kb(field: str) -> Optional[int]:
    """A field of ``/proc/self/status`` in kB (e.g. ``VmRSS``), or None where there is none."""
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
        before = read_status_kb("VmRSS")
        fn()
        peak = read_status_kb("VmHWM")
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


# ----------------------------------------------------------------- machine


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
