"""Smoke tests for the surface and data examples (saddle points, universal approximation,
whitening): each runs as a script with ``--quick``, prints its key results and writes its plots.

Every example asserts its own claims, so exit code 0 already means they held; these tests also
read the numbers in the report, so a script that stopped printing them, or printed other
numbers, fails here too. The scripts run at the same time (they are independent).
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

TIMEOUT = 90
EXAMPLES = ["saddle_points", "universal_approximation", "whitening"]
PLOTS = {
    "saddle_points": ["saddle_points.png"],
    "universal_approximation": ["universal_approximation_fits.png", "universal_approximation_error.png"],
    "whitening": ["whitening.png"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Start every example at once, then collect each one's output (checking it exited with 0)."""
    commands = {name: (name, ["--out", OUT, "--quick"]) for name in EXAMPLES}
    return run_examples_at_once(tmp_path_factory, commands, TIMEOUT)


# --------------------------------------------------------------------------- saddle points
def test_saddle_points_classifies_every_critical_point(runs: dict[str, Run]) -> None:
    out = runs["saddle_points"].stdout
    kinds = dict(re.findall(r"^  \(([-+]\d, [-+]\d)\) .* (minimum|saddle|maximum)$", out, re.M))
    assert len(kinds) == 9
    assert kinds["+0, +0"] == "maximum"
    assert {p for p, k in kinds.items() if k == "minimum"} == {"-1, -1", "-1, +1", "+2, -1", "+2, +1"}
    assert {p for p, k in kinds.items() if k == "saddle"} == {"-1, +0", "+0, -1", "+0, +1", "+2, +0"}
    assert "hessian() equals the closed form at all nine (to 1e-12): 4 minima, 4 saddles, 1 maximum" in out


def test_saddle_points_descents_end_where_the_notes_say(runs: dict[str, Run]) -> None:
    out = runs["saddle_points"].stdout
    ends = {}
    for match in re.finditer(
        rf"^  ([A-F]) \(.*?\)\s+(\d+)  \({FLOAT}, {FLOAT}\)  {FLOAT}\s+{FLOAT}\s+{FLOAT}\s+(.+)$", out, re.M
    ):
        name, (x, y, lam1, lam2) = match.group(1), map(float, match.group(3, 4, 6, 7))
        ends[name] = ((round(x, 6), round(y, 6)), match.group(8))
        assert (lam1 > 0 and lam2 > 0) == match.group(8).endswith("minimum")
        assert (lam1 < 0 < lam2) == (match.group(8) == "saddle")
    assert ends == {
        "A": ((-1.0, 1.0), "local minimum"),
        "B": ((-1.0, -1.0), "local minimum"),
        "C": ((2.0, 1.0), "global minimum"),
        "D": ((2.0, 0.0), "saddle"),
        "E": ((0.0, -1.0), "saddle"),
        "F": ((2.0, 1.0), "global minimum"),
    }
    assert "A and B end in a local minimum, f = -0.6667; C in a global one, f = -2.9167" in out
    near = number(r"^F starts 1e-06 off x = 0: it spends (\d+) of its", out)
    total = number(r"^F starts .* of its (\d+) steps within 0\.1 of the saddle$", out)
    assert "  (0, 1), where f is nearly flat, then escapes" in out
    assert near > 0.4 * total
    check_plots(runs["saddle_points"], PLOTS["saddle_points"])


# --------------------------------------------------------------------------- universal approximation
def test_universal_approximation_error_falls_with_the_width(runs: dict[str, Run]) -> None:
    out = runs["universal_approximation"].stdout
    assert "full-batch Adam, 3000 steps, one start; errors on 201 points" in out
    rows = {}
    for match in re.finditer(rf"^\s+(\d+)\s+(\d+)\s+{FLOAT}\s+{FLOAT}\s+{FLOAT}$", out, re.M):
        width, params = int(match.group(1)), int(match.group(2))
        assert params == 3 * width + 1  # w input weights, w biases, w output weights, one output bias
        rows[width] = float(match.group(4))
    assert list(rows) == [1, 2, 4, 8, 16]
    assert rows[1] >= 0.5  # one tanh unit is monotone
    assert rows[16] < 0.05 and rows[16] < rows[1] / 10
    assert max(rows[4], rows[8], rows[16]) < min(rows[1], rows[2])
    assert number(r"^width 1: max error (\S+) ≥ 0\.5, as for any monotone function", out) == rows[1]
    assert number(r"^width 16: max error (\S+) < 0\.05", out) == rows[16]
    check_plots(runs["universal_approximation"], PLOTS["universal_approximation"])


# --------------------------------------------------------------------------- whitening
def statistics(text: str, name: str) -> tuple[list[float], list[float], float, float]:
    """(mean, variances, covariance, correlation) from the first line about ``name`` in text."""
    match = re.search(
        rf"^  {name}\s+mean \({FLOAT}, {FLOAT}\)\s+var \({FLOAT}, {FLOAT}\)\s+cov {FLOAT}\s+corr {FLOAT}$",
        text,
        re.M,
    )
    assert match is not None, f"no statistics for {name} in:\n{text}"
    v = [float(g) for g in match.groups()]
    return v[0:2], v[2:4], v[4], v[5]


def test_whitening_claims(runs: dict[str, Run]) -> None:
    out = runs["whitening"].stdout
    assert "400 to fit on, 100 held out" in out
    training, held_out = out.split("the held-out set, transformed with the training statistics:")
    mean, var, cov, corr = statistics(training, "raw")
    assert abs(mean[0] - 5) < 0.5 and abs(mean[1] + 3) < 0.2 and abs(corr - 0.8) < 0.1
    centred = statistics(training, "mean-subtracted")
    assert max(map(abs, centred[0])) < 1e-12 and centred[1:] == (var, cov, corr)
    standardised = statistics(training, "standardised")
    assert max(map(abs, standardised[0])) < 1e-12 and standardised[1] == [1.0, 1.0]
    assert standardised[2] == standardised[3] == corr  # the covariance of unit-variance features: ρ
    whitened = statistics(training, "whitened")
    assert max(map(abs, whitened[0])) < 1e-12 and whitened[1] == [1.0, 1.0] and abs(whitened[2]) < 1e-6
    assert "whitened: covariance = identity (to 1e-12): uncorrelated, variance 1" in out
    assert f"correlation kept: {corr:+.6f} = {corr:+.6f}" in out
    for name in ("mean-subtracted", "standardised", "whitened"):  # new data: right up to sampling error
        mean, var, _, _ = statistics(held_out, name)
        assert 1e-6 < max(map(abs, mean)) < 0.3
    assert number(r"^  whitened held-out set: .* by up to (\S+)$", out) < 0.3
    check_plots(runs["whitening"], PLOTS["whitening"])


# --------------------------------------------------------------------------- all of them
@pytest.mark.parametrize("name", EXAMPLES)
def test_docstring_and_imports(name: str) -> None:
    """A module docstring that says how to run it, and only the stdlib and tinygrad_edu."""
    check_docstring_and_imports(name, [f"Run: python examples/{name}.py", "--quick"])
