"""Smoke test for examples/autoencoder_pretraining.py: it runs as a script (``--quick``), asserts its
own claims (exit code 0 means they held), and prints and draws them; this test reads the report,
so a script that stopped printing its numbers, or printed others, fails here too."""

from __future__ import annotations

import math
import re
from pathlib import Path

from examples_harness import FLOAT, Run, check_plots, run_example

PLOTS = [
    "autoencoder_pretraining_loss.png",
    "autoencoder_pretraining_loss.svg",
    "autoencoder_pretraining_spread.png",
]


def test_autoencoder_pretraining_quick(tmp_path: Path) -> None:
    out = run_example("autoencoder_pretraining", "--quick", "--out", str(tmp_path), timeout=90)
    assert "network: MLP(4, [8, 8, 8, 8, 3]), sigmoid hidden layers" in out
    layers = re.findall(
        rf"^  layer (\d): reconstruction error {FLOAT} in epoch 1 -> {FLOAT} after, "
        rf"{FLOAT} of its data's variance",
        out,
        re.M,
    )
    assert [int(k) for k, *_ in layers] == [1, 2, 3, 4]
    for _, first, after, relative in layers:
        assert float(after) < float(first) and float(relative) < 1.0
    ratio = re.search(rf"the top hidden layer varies {FLOAT}x more when pre-trained", out)
    assert ratio is not None and float(ratio.group(1)) > 3
    finals = {}
    for name in ("pre-trained", "random init"):
        row = re.search(rf"^  {name}\s+((?:{FLOAT}\s+)+)\(.*test accuracy (?P<acc>\d+)%", out, re.M)
        assert row is not None, f"no loss row for {name} in:\n{out}"
        losses = [float(v) for v in row.group(1).split()]
        assert len(losses) == 5
        finals[name] = (losses[-1], int(row.group("acc")))
    assert finals["random init"][0] > 0.9 * math.log(3)  # still on the plateau
    assert finals["pre-trained"][0] < 0.6 * finals["random init"][0]
    assert finals["pre-trained"][1] >= finals["random init"][1] + 25
    assert re.search(r"^pre-trained: final training loss \S+ < 0\.6 x random init's \S+$", out, re.M)
    check_plots(Run(out, tmp_path), PLOTS, says_it_needs_matplotlib=False)
