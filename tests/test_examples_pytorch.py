"""Smoke tests for examples/to_pytorch.py: it runs as a script, prints its key results, and skips
cleanly (exit code 0) without PyTorch.

The script asserts its own claims (the moved model computes the same, PyTorch's loss went down,
the model brought back computes what PyTorch's does), so exit code 0 already means they held;
these tests also read the report, so a script that stopped printing them fails here too.
"""

from __future__ import annotations

import ast
import functools
import re

from examples_harness import check_docstring_and_imports, number, run_python, script
from oracle import requires_torch

SCRIPT = script("to_pytorch")


def execute(*args: str) -> str:
    return run_python(*args, timeout=60)


@functools.cache
def report() -> str:
    return execute(SCRIPT)


@requires_torch
def test_the_model_goes_to_pytorch_trains_there_and_comes_back() -> None:
    out = report()
    assert re.search(r"here: \d+ Adam steps on 60 moons, loss .* accuracy \d+%", out)
    assert "to_torch: Linear → Tanh → Linear → Tanh → Linear, 105 float64 weights" in out
    assert number(r"to_torch: .*largest difference (\S+) ≤ 1e-12", out) <= 1e-12
    start = number(r"PyTorch: \d+ torch.optim.Adam steps, loss (\S+) →", out)
    end = number(r"PyTorch: .* → (\S+) \(went down\)", out)
    assert end < start
    assert "from_torch: MLP(2, [8, 8, 1], activation='tanh', output_activation='linear')" in out
    assert number(r"from_torch: .*largest difference (\S+) ≤ 1e-12", out) <= 1e-12
    assert number(r"gradients of the first layer agree: largest difference (\S+) ≤ 1e-12", out) <= 1e-12
    assert number(r"back here: accuracy (\d+)%", out) >= 95


def test_without_torch_it_says_so_and_exits_with_0() -> None:
    script = (
        "import runpy, sys\n"
        "sys.modules['torch'] = None  # any import of torch now raises ImportError\n"
        f"runpy.run_path({SCRIPT!r}, run_name='__main__')\n"
    )
    out = execute("-c", script)
    assert out.startswith("to_pytorch: skipped, PyTorch is not installed (pip install torch")
    assert "to_torch:" not in out


def test_docstring_and_imports() -> None:
    """It says how to run it, and imports the stdlib, tinygrad_edu and (inside main) torch only."""
    tree = check_docstring_and_imports("to_pytorch", [f"Run: python {SCRIPT}"], also_allowed={"torch"})
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not any("torch" == getattr(a, "name", "") for n in top for a in n.names)  # torch: inside main
