"""Benchmarks: tinygrad_edu against micrograd, PyTorch on scalars and plain Python floats.

Run from the project root, in the virtualenv that has tinygrad_edu installed::

    python benchmarks/run.py            # every case (a few minutes)
    python benchmarks/run.py --quick    # fewer repeats and smaller sizes
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --readme   # then python benchmarks/readme.py on the JSON written

Every case (:mod:`benchmarks.cases`) runs in this one process, and the run
writes a JSON file (``benchmarks/results.json`` by default) with the medians,
the ratios and the machine it ran on, and prints the tables
(:mod:`benchmarks.report`). The peers are optional (:mod:`benchmarks.peers`);
the script installs nothing. ``benchmarks/readme.py`` puts the tables of a
JSON file into benchmarks/README.md, which says how to read them.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

if not __package__:  # run as a script: import `benchmarks` as a package, from the project root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import readme
from benchmarks.cases.bigger_network import bigger_network_case
from benchmarks.cases.deep_chain import deep_chain_case
from benchmarks.cases.digits import digits_case
from benchmarks.cases.memory import memory_case
from benchmarks.cases.moons_step import moons_step_case
from benchmarks.harness import Result, machine_facts
from benchmarks.peers import peer_versions
from benchmarks.report import format_report
from benchmarks.targets import reference_ratios, targets

DEFAULT_JSON = readme.DEFAULT_JSON

#: How the run measures, as recorded in the JSON.
METHOD = {
    "timer": "time.perf_counter",
    "statistic": "median of the repeats (min and samples also kept)",
    "warm_up": "moons step and deep chain: an untimed call of the same row right before each timed "
    "one, except for runs of a second or more; other cases: one untimed call first",
    "gc": "gc.freeze() after importing the peers; gc.collect() before each row (moons step: before "
    "each timed call)",
    "order": "moons step: the rows' repeats in turns (time_interleaved); other cases row by row",
}


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
    real_digits_samples: Optional[int] = None  # of the 1,350 training images of examples/digits.py; None: all
    real_digits_batch: int = 50
    real_digits_repeats: int = 3  # eager and traced epochs (PyTorch vectorised: `repeats`)
    real_digits_micrograd_batches: int = 2  # mini-batches micrograd runs (extrapolated); 0: all


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
    real_digits_samples=200,
    real_digits_repeats=1,
    real_digits_micrograd_batches=1,
)


def settings_for(quick: bool) -> Settings:
    """The settings of a default run, or of ``--quick``."""
    return QUICK if quick else DEFAULT


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
        results: Result = {
            "schema": 1,
            "machine": machine_facts(),
            "peers": peers,
            "settings": asdict(settings),
            "method": dict(METHOD),
            "cases": run_cases(settings, log),
        }
    finally:
        gc.unfreeze()
    results["targets"] = targets(results)
    results["reference"] = reference_ratios(results)
    results["total_seconds"] = time.perf_counter() - started
    return results


def run_cases(s: Settings, log: Callable[[str], None]) -> Result:
    """The five cases, in order, with the sizes of ``s``."""
    log("case 1/5: moons step ...")
    cases = {"moons_step": moons_step_case(s.moons_points, s.repeats, s.slow_repeats)}
    log("case 2/5: deep chain ...")
    cases["deep_chain"] = deep_chain_case(
        s.chain_sizes,
        s.repeats,
        s.slow_repeats,
        s.torch_chain_cap,
        s.chain_tracemalloc,
        s.micrograd_chain_after_failure,
    )
    log("case 3/5: memory ...")
    cases["memory"] = memory_case(s.moons_points)
    log("case 4/5: bigger network ...")
    cases["bigger_network"] = bigger_network_case(
        s.digits_samples, s.digits_batch, s.digits_repeats, s.digits_slow_repeats, s.torch_digit_batches
    )
    log("case 5/5: real digits ...")
    cases["digits"] = digits_case(
        s.real_digits_samples,
        s.real_digits_batch,
        s.real_digits_repeats,
        s.repeats,
        s.real_digits_micrograd_batches,
    )
    return cases


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
        help="then write the tables into benchmarks/README.md (python benchmarks/readme.py on the JSON)",
    )
    return parser.parse_args(argv)


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
        return readme.main([str(args.json)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
