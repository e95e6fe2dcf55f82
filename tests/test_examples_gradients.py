"""Smoke tests for the examples on gradients and training dynamics: exploding gradients and clipping,
initialisation, learning-rate schedules, and online vs mini-batch vs full batch.

Each runs as a script with ``--quick`` and asserts the note's claim itself, so exit code 0 already
means the claim held; these tests also read the key numbers in its report, so a script that stopped
printing them, or printed other numbers, fails here too. The scripts run at the same time (they
are independent), which keeps the module's wall time near that of the slowest one.
"""

from __future__ import annotations

import re

import pytest
from examples_harness import (
    FLOAT,
    OUT,
    Run,
    check_docstring_and_imports,
    check_plots,
    number,
    run_examples_at_once,
)

TIMEOUT = 120
EXAMPLES = ["exploding_gradients", "initialisation", "lr_schedules", "batch_size"]
PLOTS = {
    "exploding_gradients": [
        "exploding_norms.png",
        "exploding_norms.svg",
        "exploding_loss.png",
        "exploding_deltas.png",
    ],
    "initialisation": [
        "initialisation_symmetry.png",
        "initialisation_deltas.png",
        "initialisation_deltas.svg",
        "initialisation_saturation.png",
    ],
    "lr_schedules": ["lr_schedules_loss.png", "lr_schedules_loss.svg", "lr_schedules_lr.png"],
    "batch_size": ["batch_size_small_lr.png", "batch_size_small_lr.svg", "batch_size_large_lr.png"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Start every example at once with --quick, then collect each one's output (checking it exited 0)."""
    commands = {name: (name, ["--out", OUT, "--quick"]) for name in EXAMPLES}
    return run_examples_at_once(tmp_path_factory, commands, TIMEOUT)


@pytest.mark.parametrize("name", EXAMPLES)
def test_docstring_quick_flag_and_imports(name: str) -> None:
    """A module docstring that says how to run it (with --quick), and only the stdlib, tinygrad_edu and
    the sibling examples they reuse (vanishing_gradients' per-layer |δ|, lr_schedules' moons recipe):
    no numpy or torch."""
    says = [f"Run: python examples/{name}.py [--out DIR] [--quick]"]
    check_docstring_and_imports(name, says, also_allowed={"vanishing_gradients", "lr_schedules"})


# --------------------------------------------------------------------------- exploding gradients
def test_exploding_gradients_blow_up_and_clipping(runs: dict[str, Run]) -> None:
    out = runs["exploding_gradients"].stdout
    growth = number(r"^hidden layer 1 / hidden layer 10: ×" + FLOAT, out)
    assert growth > 1  # δ is larger next to the input
    blow_up = number(r"^no clipping: ‖∇J‖ grew ×" + FLOAT, out)
    assert blow_up > 1e6
    assert re.search(r"then the loss became (inf|nan) \(diverged at step \d+\)", out)
    largest = number(r"^clip_grad_norm\(max_norm=1\): largest ‖∇J‖ " + FLOAT, out)
    first = number(r"\(the first step's: " + FLOAT + r"\)", out)
    assert largest <= first
    start = number(r"; loss " + FLOAT + " → ", out)
    end = number(r"; loss \S+ → " + FLOAT, out)
    assert end < start / 20
    check_plots(runs["exploding_gradients"], PLOTS["exploding_gradients"])


# --------------------------------------------------------------------------- initialisation
def test_initialisation_symmetry_and_saturation(runs: dict[str, Run]) -> None:
    out = runs["initialisation"].stdout
    for name in ("sigmoid/zeros", "tanh/zeros"):
        row = re.search(rf"^{name}\s+{FLOAT}\s+(\d)/4\s+((?:\S+ ){{3}}\S+)\s+(.*)$", out, re.M)
        assert row is not None, name
        assert float(row.group(1)) > 0.2 and int(row.group(2)) < 4  # no better than predicting the mean
        assert all(abs(float(o) - 0.5) <= 0.02 for o in row.group(3).split())
        units = re.findall(r"\[[^\]]*\]", row.group(4))
        assert len(units) == 2 and units[0] == units[1]
    assert out.count("all 4 hidden units identical after 150 epochs (exact ==): True") == 2
    assert "they moved, in lockstep" in out and "they never moved from 0" in out
    xavier = re.search(rf"^tanh/xavier\s+{FLOAT}\s+(\d)/4", out, re.M)
    assert xavier is not None and float(xavier.group(1)) < 0.01 and xavier.group(2) == "4"
    saturated = number(r"^large: every hidden layer ≥ (\d+)% saturated", out)
    assert saturated >= 50
    assert number(r"typical \|δ\| of the hidden layers ≤ " + FLOAT + " × the output's", out) < 1e-4
    assert number(r"^Xavier: (\d+)% saturated", out) == 0
    assert number(r"hidden layers' typical \|δ\| within ×" + FLOAT, out) < 20
    check_plots(runs["initialisation"], PLOTS["initialisation"])


# --------------------------------------------------------------------------- learning-rate schedules
def test_lr_schedules_end_below_the_constant_rate(runs: dict[str, Run]) -> None:
    out = runs["lr_schedules"].stdout
    assert "40 moons, ReLU MLP(2, [8, 8, 1]), hinge + 0.0001·Σp², mini-batches of 4, 30 epochs" in out
    rows = {}
    for match in re.finditer(rf"^(\S.*?)\s+((?:{FLOAT}\s+){{5}}){FLOAT}$", out, re.M):
        rows[match.group(1)] = ([float(v) for v in match.group(2).split()], float(match.group(4)))
    assert list(rows) == ["constant α = 1", "step", "exponential", "1/t", "linear (micrograd)"]
    assert len({losses[0] for losses, _ in rows.values()}) == 1  # the first epoch runs at α₀ for all
    assert rows["constant α = 1"][1] == 1.0
    assert rows["linear (micrograd)"][1] == 0.13  # 1 − 0.9·29/30
    for name, (losses, lr) in rows.items():
        if name != "constant α = 1":
            assert 0.09 < lr < 0.2
            assert losses[-1] < rows["constant α = 1"][0][-1], name
    baseline = number(r"^constant α = 1 ends at " + FLOAT, out)
    assert baseline == rows["constant α = 1"][0][-1]
    assert len(re.findall(r"% lower\)$", out, re.M)) == 4
    check_plots(runs["lr_schedules"], PLOTS["lr_schedules"])


# --------------------------------------------------------------------------- batch size
def test_batch_size_same_budget(runs: dict[str, Run]) -> None:
    out = runs["batch_size"].stdout
    assert "every method gets 20 epochs = 800 per-sample gradient evaluations" in out
    updates = re.findall(r"^  (online \(1\)|mini-batch \(4\)|full batch \(40\))\s+(\d+) ", out, re.M)
    assert [(name.split()[0], int(n)) for name, n in updates] == [
        ("online", 800),
        ("mini-batch", 200),
        ("full", 20),
    ] * 2
    online = number(r"same budget: online " + FLOAT, out)
    mini = number(r"same budget: online \S+ and mini-batch " + FLOAT, out)
    full = number(r"end below the full batch's " + FLOAT, out)
    assert online < full and mini < full
    noisy = number(r"^α = 0\.5: online ends at " + FLOAT, out)
    averaged = number(r"^α = 0\.5: online ends at \S+, mini-batch at " + FLOAT, out)
    assert noisy > averaged
    check_plots(runs["batch_size"], PLOTS["batch_size"])
