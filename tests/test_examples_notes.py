"""Smoke tests for the course-note examples: each runs as a script and prints its key results.

Every example asserts its own claims, so exit code 0 already means they held; these tests
also read the key lines of the report, so a script that silently stopped printing (or
printing something else) fails here too.
"""

from __future__ import annotations

import functools
import re

import pytest
from examples_harness import check_docstring_and_imports, number, run_example, run_python

EXAMPLES = [
    "perceptron_xor",
    "ner_window",
    "softmax_cross_entropy",
    "iris",
    "newton",
    "gradcheck_your_code",
]


def execute(name: str) -> str:
    """Run examples/NAME.py from the project root; its stdout, after checking it exited with 0."""
    return run_example(name, timeout=60)


run = functools.lru_cache(maxsize=None)(execute)  # each example runs once for the content tests


# --------------------------------------------------------------------------- each example


def test_perceptron_xor() -> None:
    out = run("perceptron_xor")
    assert re.search(r"perceptron AND: 4/4 \(all right after epoch \d+", out)
    assert re.search(r"perceptron OR: 4/4 \(all right after epoch \d+", out)
    assert re.search(r"perceptron XOR: [0-3]/4 after \d+ epochs, never 4/4", out)
    assert "MLP XOR: 4/4" in out
    assert "11 weights = (3 + 1)·2 + (2 + 1)·1" in out
    assert "XOR(AND(x1, x2), x3): 8/8 inputs match data.xor3()" in out


def test_ner_window() -> None:
    out = run("ner_window")
    assert "W 8×20 = 160, b 8, U 8, word vectors" in out
    assert "x ∈ ℝ^20" in out
    wins = re.search(r"after training: s > s_c for (\d+)/(\d+) pairs", out)
    assert wins is not None
    assert int(wins.group(1)) / int(wins.group(2)) >= 0.9
    assert "δ·a check: all 160 entries of ∂s/∂W⁽¹⁾ equal δ⁽²⁾ᵢ·a⁽¹⁾ⱼ" in out
    assert number(r"δ·a check: .*max \|difference\| (\S+) ≤ 1e-12", out) <= 1e-12


def test_softmax_cross_entropy() -> None:
    out = run("softmax_cross_entropy")
    assert "first situation: accuracy 100%, cross-entropy 0.5888" in out
    assert "second situation: accuracy 0%, cross-entropy 0.8025" in out
    assert "−(ln 0.49 + ln 0.59)/2 = 0.6205" in out  # the note's 0.62, explained
    assert "cross-entropy 0.5888 → 0.8025, rising at every step" in out
    assert "∂CE/∂logit = p − y: engine and closed form agree" in out


def test_iris() -> None:
    out = run("iris")
    assert "105 train, 45 test" in out
    assert re.search(r"setosa\s+versicolor\s+virginica", out)  # the confusion matrix header
    assert number(r"test accuracy: (\d\.\d+)", out) >= 0.95


def test_newton() -> None:
    out = run("newton")
    assert "Hessian check: hessian() equals the closed form at the start" in out
    newton = number(r"Newton: converged to ‖∇f‖ < 1e-10 in (\d+) steps", out)
    descent = number(r"gradient descent: converged to ‖∇f‖ < 1e-10 in (\d+) steps", out)
    assert newton <= 10
    assert descent >= 100
    assert newton < descent


def test_gradcheck_your_code() -> None:
    out = run("gradcheck_your_code")
    assert "swish: gradcheck passed at 5 points" in out
    assert "gradcheck(broken_swish, [1.5]) raised AssertionError" in out
    assert "gradcheck: input 0 (x = 1.5): engine gradient" in out
    assert re.search(r"test_swish_gradient: passed on \d+ examples", out)
    assert re.search(r"test_random_graphs: passed on \d+ random graphs from expressions\(\)", out)
    assert "test_broken_swish_gradient failed, as it should" in out


def test_gradcheck_your_code_without_hypothesis() -> None:
    """Hypothesis is a test extra: without it, the script explains and runs the gradcheck part."""
    script = (
        "import runpy, sys\n"
        "sys.modules['hypothesis'] = None  # any import of hypothesis now raises ImportError\n"
        "runpy.run_path('examples/gradcheck_your_code.py', run_name='__main__')\n"
    )
    out = run_python("-c", script, timeout=60)
    assert "gradcheck(broken_swish, [1.5]) raised AssertionError" in out
    assert 'pip install "tinygrad_edu[testing]"' in out
    assert "test_swish_gradient" not in out


# --------------------------------------------------------------------------- all of them


@pytest.mark.parametrize("name", EXAMPLES)
def test_deterministic(name: str) -> None:
    """Seeded: a second run prints exactly the same report."""
    assert execute(name) == run(name)


@pytest.mark.parametrize("name", EXAMPLES)
def test_docstring_and_imports(name: str) -> None:
    """A module docstring that says how to run it, and only the stdlib and tinygrad_edu
    (hypothesis, optionally, in gradcheck_your_code): no numpy or torch in the examples."""
    check_docstring_and_imports(name, [f"Run: python examples/{name}.py"], also_allowed={"hypothesis"})
