"""Smoke test of examples/batch_norm.py: it runs as a script (``--quick``), prints its key numbers
and writes its plots.

The example asserts its own claims, so exit code 0 already means they held; this test also reads
the numbers in its report, so a script that stopped printing them, or printed others, fails here.
"""

from __future__ import annotations

from pathlib import Path

from examples_harness import FLOAT, number, run_example

from tinygrad_edu.viz import plot


def test_batch_norm_example(tmp_path: Path) -> None:
    out = run_example("batch_norm", "--quick", "--out", str(tmp_path), timeout=60)
    assert "6 epochs of mini-batches of 16 (24 steps)" in out
    # the claims: δ vanishes without BatchNorm and stays level with it ...
    assert number(r"without BatchNorm: first/last hidden layer " + FLOAT, out) < 1e-3
    assert number(r"with BatchNorm: first/last hidden layer .*spread over hidden layers " + FLOAT, out) < 20
    # ... so the network stalls at ln 2 without it and trains with it
    assert number(r"without BatchNorm: training loss .*, " + FLOAT + " over the last 3 epochs", out) > 0.65
    assert number(r"with BatchNorm: training loss .*, " + FLOAT + " over the last 3 epochs", out) < 0.45
    assert number(r"eval mode, with BatchNorm, re-estimated: loss .*accuracy " + FLOAT + "%", out) >= 90
    assert "without BatchNorm δ vanishes and the network stalls; with it δ stays level and it trains" in out
    if plot.available():
        for name in ("batch_norm_deltas", "batch_norm_loss"):
            for suffix in ("png", "svg"):
                path = tmp_path / f"{name}.{suffix}"
                assert path.stat().st_size > 1000, path
        assert "line-with BatchNorm" in (tmp_path / "batch_norm_deltas.svg").read_text()
