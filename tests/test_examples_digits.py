"""Smoke test for examples/digits.py: run as a script with ``--quick`` (3 epochs), traced and eager.

The script asserts its own claims (the loss falls; at least 85% held-out accuracy in quick
mode, 95% in the full run), so exit code 0 already means they held; this test also reads
the report: the split, the epochs, the timing line, the confusion matrix against the
accuracy, the pictures, and that the traced and the eager training compute the same losses.
Both runs start at once, so the test takes about as long as the slower one.
"""

from __future__ import annotations

import re

import pytest
from examples_harness import OUT, Run, check_plots, run_examples_at_once

TIMEOUT = 120
DECIMAL = r"(\d+\.\d+)"  # the report's numbers: plain decimals
PICTURES = [
    "digits_weights.png",
    "digits_weights.svg",
    "digits_confusion.png",
    "digits_confusion.svg",
    "digits_mistakes.png",
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """examples/digits.py --quick, traced and --eager, side by side: {mode: (stdout, out folder)}."""
    commands = {
        "traced": ("digits", ["--quick", "--out", OUT]),
        "eager": ("digits", ["--quick", "--out", OUT, "--eager"]),
    }
    return run_examples_at_once(tmp_path_factory, commands, TIMEOUT)


def epoch_losses(out: str) -> list[float]:
    losses = re.findall(rf"^  epoch +\d+/3: mean loss {DECIMAL}  \(\d+\.\d+ s\)$", out, re.M)
    return [float(v) for v in losses]


def test_digits_quick_run_reports_split_training_and_accuracy(runs: dict[str, Run]) -> None:
    out = runs["traced"].stdout
    assert "digits: 1797 images of 8×8 = 64 pixels" in out
    assert "stratified split: 1350 to train on, 447 held out" in out
    assert "MLP(64, [32, 10]), 2,410 parameters" in out
    losses = epoch_losses(out)
    assert len(losses) == 3 and losses[-1] < losses[0] / 3
    assert re.search(r"^  traced step for batches of 50: [\d,]+ nodes, 3,700 inputs$", out, re.M)
    took = re.search(rf"training took {DECIMAL} s \({DECIMAL} s per epoch, of which {DECIMAL} s tracing", out)
    assert took is not None and 0 < float(took.group(3)) < float(took.group(1))
    # the confusion matrix's diagonal is the accuracy printed under it
    rows = re.findall(r"^ +(\d)((?: +(?:\d+|\.)){10})$", out, re.M)  # a digit, then its 10 cells
    assert [int(digit) for digit, _ in rows] == list(range(10))
    counts = [[0 if cell == "." else int(cell) for cell in cells.split()] for _, cells in rows]
    right, total = sum(counts[c][c] for c in range(10)), sum(map(sum, counts))
    accuracy = re.search(rf"test accuracy: {DECIMAL} \((\d+)/(\d+) held-out digits\)", out)
    assert accuracy is not None and (int(accuracy.group(2)), int(accuracy.group(3))) == (right, total)
    assert total == 447 and float(accuracy.group(1)) >= 0.85
    check_plots(runs["traced"], PICTURES, says_it_needs_matplotlib=False)


def test_traced_and_eager_training_compute_the_same_losses(runs: dict[str, Run]) -> None:
    traced, eager = runs["traced"][0], runs["eager"][0]
    assert "eager (a new graph every step)" in eager and "tracing" not in eager.split("training took")[1]
    # the same batches and updates: the losses agree to rounding (one-hot targets and a traced
    # shift in the traced loss, class indices in the eager one), printed to 4 decimals
    assert epoch_losses(traced) == pytest.approx(epoch_losses(eager), abs=2e-4)
