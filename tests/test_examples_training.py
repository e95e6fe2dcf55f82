"""Smoke tests for the training examples: each runs as a script, prints its key results and writes
its plots.

Every example asserts its own claims, so exit code 0 already means they held; these tests also
read the numbers in the report, so a script that stopped printing them, or printed other
numbers, fails here too. The four scripts run at the same time (they are independent), which
keeps the module's wall time near that of the slowest one. ``moons.py`` runs with ``--quick``
(40 points instead of micrograd's 100, the same 100 steps): the full recipe takes about 20 s.
"""

from __future__ import annotations

import itertools
import re
import shutil
from types import ModuleType

import pytest
from examples_harness import FLOAT, OUT, Run, check_plots, number, run_examples_at_once

TIMEOUT = 90
COMMANDS = {
    "moons": ["--quick"],
    "vanishing_gradients": [],
    "optimizers": [],
    "regularization": [],
}
PLOTS = {
    "moons": ["moons_boundary.png", "moons_boundary.svg", "moons_loss.png"],
    "vanishing_gradients": ["vanishing_deltas.png", "vanishing_deltas.svg"],
    "optimizers": [
        "optimizers_valley.png",
        "optimizers_valley.svg",
        "optimizers_valley_loss.png",
        "optimizers_network_loss.png",
    ],
    "regularization": [
        "regularization_validation.png",
        "regularization_validation.svg",
        "regularization_final.png",
    ],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Start every example at once, then collect each one's output (checking it exited with 0)."""
    commands = {name: (name, ["--out", OUT, *extra]) for name, extra in COMMANDS.items()}
    return run_examples_at_once(tmp_path_factory, commands, TIMEOUT)


# --------------------------------------------------------------------------- moons
def test_moons_reaches_100_percent(runs: dict[str, Run]) -> None:
    out = runs["moons"].stdout
    steps = re.findall(
        rf"^step\s+(\d+)\s+loss {FLOAT} \(hinge {FLOAT} \+ L2 {FLOAT}\)\s+accuracy (\d+)%", out, re.M
    )
    assert [int(s[0]) for s in steps] == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99]
    losses = [float(s[1]) for s in steps]
    for total, hinge, penalty in [(float(a), float(b), float(c)) for _, a, b, c, _ in steps]:
        assert abs(total - (hinge + penalty)) < 2e-4
    assert losses[-1] < losses[0] / 5
    assert re.search(r"^final training accuracy: 100% \(40/40\)$", out, re.M)
    assert "337 parameters" in out
    check_plots(runs["moons"], PLOTS["moons"])


def load_moons() -> ModuleType:
    from tinygrad_edu.cli import demo

    return demo


def test_moons_is_importable_for_the_demo() -> None:
    moons = load_moons()
    model, X, y, history = moons.train_moons(n_samples=12, steps=4, verbose=False)
    assert len(X) == len(y) == 12 and set(y) == {-1, 1}
    assert len(model.parameters()) == 337
    assert len(history.train_loss) == len(history.train_accuracy) == len(history.lr) == 4
    assert history.lr == [moons.learning_rate(k, 4) for k in range(4)] and history.lr[0] == 1.0
    again = moons.train_moons(n_samples=12, steps=4)[3]
    assert again.train_loss == history.train_loss  # seeded: the same run twice
    assert 0.0 <= moons.final_accuracy(model, X, y) <= 1.0


# --------------------------------------------------------------------------- vanishing gradients
def test_vanishing_gradients_table(runs: dict[str, Run]) -> None:
    out = runs["vanishing_gradients"].stdout
    table = {}
    for line in out.splitlines():
        match = re.match(r"^((?:sigmoid|tanh|relu)/(?:normal|xavier|he))\s+((?:\S+\s+){8}\S+)$", line)
        if match:
            table[match.group(1)] = [float(v) for v in match.group(2).split()]
    assert set(table) == {
        "sigmoid/normal",
        "sigmoid/xavier",
        "tanh/normal",
        "tanh/xavier",
        "relu/normal",
        "relu/he",
    }
    for name, means in table.items():
        assert len(means) == 9 and all(m >= 0 for m in means)
        if name.endswith("/normal"):  # small init: 10+ orders of magnitude lost over the hidden layers
            assert means[0] < 1e-10 * means[7]
    sigmoid = table["sigmoid/xavier"]
    assert all(a < b for a, b in itertools.pairwise(sigmoid))  # shrinks at every layer, even with Xavier
    for name in ("tanh/xavier", "relu/he"):
        hidden = table[name][:8]
        assert max(hidden) / min(hidden) < 20
    predicted = number(r"predicted factor 0\.25·0\.01·√10 = " + FLOAT, out)
    measured = number(r"predicted factor .*, measured " + FLOAT, out)
    assert abs(predicted - 0.0079) < 1e-4 and predicted / 2 < measured < predicted * 2
    assert number(r"^sigmoid/normal: δ recursion checked .* largest σ'\(z\) = " + FLOAT, out) <= 0.25
    check_plots(runs["vanishing_gradients"], PLOTS["vanishing_gradients"])
    graph = runs["vanishing_gradients"].out / "vanishing_sigmoid_graph.svg"
    if graph.exists():  # rendered by dot (or, without it, by the WebAssembly Graphviz)
        assert "<svg" in graph.read_text(encoding="utf-8") and f"wrote {graph}" in out
    else:
        assert shutil.which("dot") is None and "(no graph picture:" in out


# --------------------------------------------------------------------------- optimizers
def test_optimizers_valley_and_network(runs: dict[str, Run]) -> None:
    out = runs["optimizers"].stdout
    reached, final = {}, {}
    for match in re.finditer(
        rf"^  (\S+ α=\S+)\s+final loss\s+{FLOAT}\s+steps to threshold\s+(>?\d+)$", out, re.M
    ):
        final[match.group(1)] = float(match.group(2))
        reached[match.group(1)] = None if match.group(3).startswith(">") else int(match.group(3))
    assert [name.split()[0] for name in reached] == [
        "SGD",
        "momentum",
        "Nesterov",
        "AdaGrad",
        "RMSProp",
        "Adam",
    ]
    sgd, momentum, nesterov = reached["SGD α=0.9"], reached["momentum α=0.2"], reached["Nesterov α=0.2"]
    assert sgd is not None and momentum is not None and nesterov is not None
    assert momentum < sgd / 2 and nesterov < sgd / 2
    assert final["momentum α=0.2"] < final["SGD α=0.9"] < 1e-3

    # the too-large learning rate: the loss grows until it overflows, caught by detect_anomaly
    caught = re.search(r"^  step\s+(\d+): caught AnomalyError: forward of '\*' produced inf", out, re.M)
    assert caught is not None
    assert 1500 < int(caught.group(1)) < 2500  # |y| grows ×1.2 per step: y² passes 1.8e308 near step 1947
    assert number(r"^  step\s+100: loss " + FLOAT, out) > number(r"^  step\s+10: loss " + FLOAT, out) > 1.64

    network = {}
    for match in re.finditer(rf"^  (\S+ α=\S+)\s+((?:{FLOAT}\s*){{5}})$", out, re.M):
        network[match.group(1)] = [float(v) for v in match.group(2).split()]
    assert len(network) == 7
    assert all(curve[0] == network["SGD α=0.5"][0] for curve in network.values())  # same start
    assert min(network, key=lambda n: network[n][-1]) == "Adam α=0.05"
    assert network["SGD α=20"][-1] > network["SGD α=20"][0]
    assert "hidden ReLUs still active on some training point: 0/12 with α = 20" in out
    check_plots(runs["optimizers"], PLOTS["optimizers"])


# --------------------------------------------------------------------------- regularization
def test_regularization_beats_the_unregularized_network(runs: dict[str, Run]) -> None:
    out = runs["regularization"].stdout
    rows = {}
    for match in re.finditer(rf"^(\S.*?)\s+{FLOAT}\s+{FLOAT}   ", out, re.M):
        rows[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    names = [
        "none",
        "L2 λ=0.03",
        "dropout p=0.3",
        "early stopping (20)",
        "input noise σ=0.2",
        "bagging (5 nets)",
    ]
    assert list(rows) == names
    train_none, val_none = rows["none"]
    assert train_none < 0.5 * val_none  # the plain network fits the training set far better than new data
    for name in names[1:]:
        assert rows[name][1] < val_none, name
    floor = number(r"the true function y = x₁ itself scores " + FLOAT, out)
    assert (
        min(v for _, v in rows.values()) < floor * 1.5
    )  # the best regularized model is near the noise floor
    stopped = re.search(r"early stopping \(20\).*\((\d+), stopped after (\d+)\)", out)
    assert stopped is not None and int(stopped.group(2)) == int(stopped.group(1)) + 20
    check_plots(runs["regularization"], PLOTS["regularization"])
