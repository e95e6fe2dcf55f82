"""Write a run's tables into benchmarks/README.md, between its markers, from the JSON results.

Run from the project root::

    python benchmarks/readme.py                   # from benchmarks/results.json
    python benchmarks/readme.py path/to/out.json  # from another run's results

Only the block between ``<!-- latest benchmark: start -->`` and
``<!-- latest benchmark: end -->`` changes: the words around it are written by
hand and must be checked against the new tables. benchmarks/README.md is the
one place where the figures live.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

if not __package__:  # run as a script: import `benchmarks` as a package, from the project root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import Result
from benchmarks.report import format_report

HERE = Path(__file__).resolve().parent
DEFAULT_JSON = HERE / "results.json"
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
    """Write the tables of ``results`` into the README at ``path``, between its markers."""
    text = path.read_text(encoding="utf-8")
    path.write_text(replace_between_markers(text, format_report(results), path), encoding="utf-8")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python benchmarks/readme.py [RESULTS_JSON]``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "results", nargs="?", type=Path, default=DEFAULT_JSON, help=f"a run's JSON (default {DEFAULT_JSON})"
    )
    args = parser.parse_args(argv)
    update_readme(json.loads(args.results.read_text(encoding="utf-8")), BENCH_README)
    print(f"wrote the tables of {args.results} into {BENCH_README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
