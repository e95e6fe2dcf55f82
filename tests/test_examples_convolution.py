"""Smoke test for examples/convolution.py: it runs as a script (its own asserts are the claims),
prints the key numbers, and writes its plots and its graph picture."""

from __future__ import annotations

import re
import shutil

import pytest
from examples_harness import Run, check_docstring_and_imports, number, run_example

from tinygrad_edu.viz import plot


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("convolution")
    return Run(run_example("convolution", "--out", str(out), "--quick", timeout=60), out)


def test_the_conv_network_generalises_and_the_dense_one_does_not(run: Run) -> None:
    out, _ = run
    assert "40 training signals, 100 held-out" in out
    assert re.search(r"conv \(11 parameters\)\s+50%", out)
    assert re.search(r"dense \(759 parameters\)\s+50%", out)
    assert number(r"conv: 90% held-out accuracy after (\d+) epochs", out) <= 60
    assert number(r"dense: at most (\d+)%", out) < 80
    assert number(r"training accuracy: conv \d+%, dense (\d+)%", out) >= 95
    assert "at each of the 18 positions: conv 36/36 right" in out
    assert len(re.findall(r"channel \d's learned kernel: \[[-+]\d", out)) == 2


def test_it_draws_the_kernels_the_curves_and_the_graph(run: Run) -> None:
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
    check_docstring_and_imports("convolution", ["Run: python examples/convolution.py"])
