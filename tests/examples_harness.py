"""The shared harness of the tests/test_examples_*.py smoke tests: run an example script as a
subprocess from the project root and check it exited with 0, read numbers from its report, check
the plots it wrote, and check its docstring and imports.

The examples assert their own claims, so exit code 0 already means they held; the tests read the
report too, so a script that stopped printing its numbers, or printed others, fails as well.
Independent examples can start at once (``run_examples_at_once``), which keeps a test module's wall
time near that of its slowest script.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

from tinygrad_edu.viz import plot

ROOT = Path(__file__).resolve().parents[1]
"""The project root: the examples run from here, as ``python examples/NAME.py``."""

FLOAT = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)"
"""A regex group matching one printed float (sign, decimals and exponent optional)."""

OUT = "<out>"
"""In ``run_examples_at_once``'s argument lists: stands for the run's own fresh output folder."""

PLOTS_NEED_MATPLOTLIB = 'plots need matplotlib: pip install "tinygrad_edu[plot]"'
"""What an example prints instead of drawing when matplotlib is not installed."""


class Run(NamedTuple):
    """One finished example: what it printed, and the folder it wrote its files to."""

    stdout: str
    out: Path


def script(name: str) -> str:
    """examples/NAME.py, relative to the project root (the examples run from there)."""
    return f"examples/{name}.py"


def failure(label: str, returncode: int, stdout: str, stderr: str) -> str:
    """The message of a script that exited with ``returncode``: its label, then what it printed."""
    return f"{label} exited with {returncode}:\n{stdout}\n{stderr}"


def run_python(*args: str, timeout: float) -> str:
    """Run ``python ARGS`` from the project root; its stdout, after checking it exited with 0."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=timeout
    )
    assert done.returncode == 0, failure(" ".join(args), done.returncode, done.stdout, done.stderr)
    return done.stdout


def run_example(name: str, *args: str, timeout: float) -> str:
    """Run ``python examples/NAME.py ARGS`` from the project root; its stdout, once it exited with 0."""
    return run_python(script(name), *args, timeout=timeout)


def run_examples_at_once(
    tmp_path_factory: pytest.TempPathFactory,
    commands: Mapping[str, tuple[str, Sequence[str]]],
    timeout: float,
) -> dict[str, Run]:
    """Start every example at once, then collect each one's output (checking each exited with 0).

    ``commands`` maps a key to (example name, arguments); ``OUT`` in the arguments stands for a
    fresh folder (named after the key, prefixed by the example's name when they differ). Returns
    {key: Run}; every script is waited for ``timeout`` seconds at most, and any still running when
    this fails is killed.
    """
    started: dict[str, tuple[subprocess.Popen[str], Path, str]] = {}
    results: dict[str, Run] = {}
    failures: list[str] = []
    try:
        for key, (name, args) in commands.items():
            out = tmp_path_factory.mktemp(key if key == name else f"{name}_{key}")
            command = [sys.executable, script(name), *(str(out) if a == OUT else a for a in args)]
            process = subprocess.Popen(
                command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
            )
            started[key] = (process, out, script(name) if key == name else f"{script(name)} ({key})")
        for key, (process, out, label) in started.items():
            stdout, stderr = process.communicate(timeout=timeout)
            if process.returncode != 0:
                failures.append(failure(label, process.returncode, stdout, stderr))
            results[key] = Run(stdout, out)
    finally:
        for process, _, _ in started.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert not failures, "\n\n".join(failures)
    return results


def number(pattern: str, text: str) -> float:
    """The float in group 1 of the first match of ``pattern`` (``^`` and ``$`` match at every line)."""
    match = re.search(pattern, text, re.MULTILINE)
    assert match is not None, f"no line matches {pattern!r} in:\n{text}"
    return float(match.group(1))


def check_plots(run: Run, filenames: Iterable[str], *, says_it_needs_matplotlib: bool = True) -> None:
    """With matplotlib, each file was written (over 1000 bytes) and its ``wrote PATH`` line printed;
    without it, none was, and (unless told otherwise) the report says plots need matplotlib."""
    has_matplotlib = plot.available()
    for filename in filenames:
        path = run.out / filename
        if has_matplotlib:
            assert path.is_file() and path.stat().st_size > 1000, f"{filename} was not written"
            assert f"wrote {path}" in run.stdout
        else:
            assert not path.exists()
    if not has_matplotlib and says_it_needs_matplotlib:
        assert PLOTS_NEED_MATPLOTLIB in run.stdout


def imported_modules(tree: ast.Module) -> list[list[str]]:
    """The modules each import statement in ``tree`` names (anywhere, not only at the top)."""
    statements = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            statements.append([alias.name for alias in node.names])
        elif isinstance(node, ast.ImportFrom):
            statements.append([node.module or ""])
    return statements


def check_docstring_and_imports(
    name: str, says: Sequence[str], also_allowed: Iterable[str] = ()
) -> ast.Module:
    """examples/NAME.py has a module docstring containing every phrase in ``says``, and imports only
    the stdlib, tinygrad_edu and the top-level packages in ``also_allowed``. Returns its syntax tree."""
    tree = ast.parse((ROOT / script(name)).read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and all(phrase in doc for phrase in says), doc
    allowed = set(sys.stdlib_module_names) | {"tinygrad_edu", *also_allowed}
    for modules in imported_modules(tree):
        for module in modules:
            assert module.split(".")[0] in allowed, f"{name}.py imports {module}"
    return tree
