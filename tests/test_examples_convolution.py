"""Smoke test for examples/convolution.py: it runs as a script (its own asserts are the claims),
prints the key numbers, and writes its plots and its graph picture."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu.viz import plot

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "convolution.py"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("convolution")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 0, f"examples/convolution.py exited with {done.returncode}:\n{done.stderr}"
    return done.stdout, out


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match is not None, f"no line matches {pattern!r} in:\n{text}"
    return float(match.group(1))


def test_the_conv_network_generalises_and_the_dense_one_does_not(run: tuple[str, Path]) -> None:
    out, _ = run
    assert "40 training signals, 100 held-out" in out
    assert re.search(r"conv \(11 parameters\)\s+50%", out)
    assert re.search(r"dense \(759 parameters\)\s+50%", out)
    assert number(r"conv: 90% held-out accuracy after (\d+) epochs", out) <= 60
    assert number(r"dense: at most (\d+)%", out) < 80
    assert number(r"training accuracy: conv \d+%, dense (\d+)%", out) >= 95
    assert "at each of the 18 positions: conv 36/36 right" in out
    assert len(re.findall(r"channel \d's learned kernel: \[[-+]\d", out)) == 2


def test_it_draws_the_kernels_the_curves_and_the_graph(run: tuple[str, Path]) -> None:
    _, folder = run
    written = {p.name for p in folder.iterdir()}
    if plot.available():
        assert {"convolution_kernels.png", "convolution_kernels.svg", "convolution_accuracy.png"} <= written
        assert "the pattern" in (folder / "convolution_kernels.svg").read_text(encoding="utf-8")
    if shutil.which("dot") is not None:
        svg = (folder / "convolution_graph.svg").read_text(encoding="utf-8")
        assert "feeds all four sums" in svg and "channel" in svg


def test_docstring_and_imports() -> None:
    """It says how to run it, and imports only the stdlib and tinygrad_edu (no numpy or torch)."""
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and "Run: python examples/convolution.py" in doc
    allowed = set(sys.stdlib_module_names) | {"tinygrad_edu"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] in allowed, node.module
        elif isinstance(node, ast.Import):
            assert all(a.name.split(".")[0] in allowed for a in node.names)
