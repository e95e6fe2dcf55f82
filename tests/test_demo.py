"""tinygrad_edu.cli.demo and its command: `python -m tinygrad_edu demo` / `tinygrad-edu demo`.

The full training run is exercised by tests/test_examples_training.py (examples/moons.py runs
the demo with --quick); here: the command wiring, the console script, and the pictures' content.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu import cli
from tinygrad_edu.cli import demo


def test_demo_command_runs_the_demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[tuple[Path, bool]] = []
    monkeypatch.setattr(demo, "run", lambda out, quick=False: calls.append((out, quick)) or [])
    assert cli.main(["demo", "--out", str(tmp_path), "--quick"]) == 0
    assert cli.main(["demo"]) == 0
    assert calls == [(tmp_path, True), (Path("tinygrad_edu_out"), False)]


def test_console_script_is_declared() -> None:
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("tinygrad-edu") == "tinygrad_edu.cli:main"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_neuron_graph_of_a_trained_model(tmp_path: Path) -> None:
    model, X, _, _ = demo.train_moons(n_samples=12, steps=3)
    neuron = demo.draw_neuron(model, X[0], tmp_path)
    text = neuron.read_text()
    assert neuron.name == "neuron_graph.svg" and "x1" in text and "relu" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_the_replay_follows_one_points_loss_through_the_whole_network(tmp_path: Path) -> None:
    """The demo's replay: one training point's hinge loss, back through the activations of
    both hidden layers to every weight and the point's coordinates, with δs that are sums
    over several consumers, and each δ the gradient a fresh backward pass gives."""
    model, X, y, _ = demo.train_moons(n_samples=40, sizes=demo.REPLAY_SIZES, seed=demo.REPLAY_SEED)
    page = demo.replay_point(model, X, y, tmp_path).read_text()
    assert "http://" not in page.replace("http://www.w3.org", "")
    data = json.loads(re.search(r'id="replay-data">(.*?)</script>', page, re.S).group(1))
    steps = data["steps"]
    assert data["root_name"] == "loss" and steps[0]["grad"] == 1.0 and steps[0]["data"] > 0
    assert len(steps) == 43  # 25 parameters, x1, x2, 7 Σ, 6 ReLUs, and the hinge: 1 − y·score, relu
    places = {s["where"] for s in steps}
    assert {"layer 1 · neuron 1", "layer 2 · neuron 3", "layer 3 · neuron 1"} <= places
    relus = [s for s in steps if s["op"] == "relu"]
    assert len(relus) == 7  # six hidden units and the hinge
    # live units in both hidden layers: their δ sums more than one nonzero term
    summed = [s for s in steps if sum(t["flows"] and t["term"] != 0 for t in s["terms"]) >= 2]
    assert {s["where"] for s in summed if s["op"] == "relu"} & {f"layer 1 · neuron {i}" for i in (1, 2, 3)}
    assert {s["name"] for s in summed} >= {"x1", "x2"}
    # a dead ReLU passes nothing down: its Σ node's δ is 0
    assert any(s["op"] == "relu" and s["data"] == 0 for s in relus)
    # each parameter's δ is the gradient backward() gives on the same point's loss
    point = {s["name"]: s["data"] for s in steps if s["name"] in ("x1", "x2")}
    i = [list(x) for x in X].index([point["x1"], point["x2"]])
    model.zero_grad()
    (1.0 - y[i] * model(X[i])).relu().backward()
    shown = {(s["where"], s["name"]): s["grad"] for s in steps if s["parameter"]}
    assert shown == {(" · ".join(p.scope or ()), p.label): p.grad for p in model.parameters()}
    assert len(shown) == 25
    assert all(math.isclose(sum(t["term"] for t in s["terms"]), s["grad"]) for s in steps[1:])


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_the_neuron_picture_shows_its_rule_from_a_fresh_backward_pass(tmp_path: Path) -> None:
    """On the picture, every weight's grad is its input's data times δ of the Σ node z, and the
    bias's grad is δ: training's leftover gradients must not be added in."""
    model, X, _, _ = demo.train_moons(n_samples=12, steps=3)
    neuron = model.layers[0].neurons[0]
    for p in neuron.parameters():
        p.grad = 123.0  # what a training step could leave behind
    text = demo.draw_neuron(model, X[0], tmp_path).read_text()
    delta = neuron.delta
    assert delta != 0.0  # the point is on the live side of the ReLU, or the rule shows only zeros
    for i, (w, x) in enumerate(zip(neuron.w, X[0])):
        assert w.grad == x * delta, f"w{i + 1}: grad {w.grad}, x·δ = {x * delta}"
        assert f"w{i + 1}" in text and f"grad {x * delta + 0.0:.4g}" in text
    assert neuron.b is not None and neuron.b.grad == delta and f"grad {delta:.4g}" in text


def _train_briefly(monkeypatch: pytest.MonkeyPatch) -> None:
    """run() on 12 points: the demo's network as trained once here, the replay's trained afresh."""
    train = demo.train_moons
    trained = train(n_samples=12, steps=60)

    def stand_in(**kw: Any) -> Any:
        return train(**{**kw, "n_samples": 12}) if "sizes" in kw else trained

    monkeypatch.setattr(demo, "train_moons", stand_in)


def test_run_writes_every_output(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any) -> None:
    """run() trains (here a 3-step stand-in), asserts 100%, and lists every file it wrote."""
    _train_briefly(monkeypatch)
    monkeypatch.setattr(demo, "final_accuracy", lambda *args: 1.0)
    written = demo.run(tmp_path, quick=True)
    out = capsys.readouterr().out
    assert all(p.exists() and f"wrote {p}" in out for p in written)
    names = {p.name for p in written}
    if shutil.which("dot"):
        assert {"neuron_graph.svg", "backprop_replay.html"} <= names
    from tinygrad_edu.viz import plot

    if plot.available():
        assert {"moons_boundary.png", "moons_boundary.svg", "moons_loss.png"} <= names


def test_without_matplotlib_the_demo_still_writes_the_graphs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    from tinygrad_edu.viz import plot

    _train_briefly(monkeypatch)
    monkeypatch.setattr(demo, "final_accuracy", lambda *args: 1.0)
    monkeypatch.setattr(plot, "available", lambda: False)
    written = demo.run(tmp_path, quick=True)
    assert 'plots need matplotlib: pip install "tinygrad_edu[plot]"' in capsys.readouterr().out
    assert not any(p.suffix == ".png" for p in written)
    if shutil.which("dot"):
        assert {p.name for p in written} == {"neuron_graph.svg", "backprop_replay.html"}


def test_the_demo_ends_by_saying_what_to_open_replay_first(tmp_path: Path) -> None:
    written = [tmp_path / n for n in ("moons_loss.png", "neuron_graph.svg", "backprop_replay.html")]
    text = demo._what_to_open(written)
    assert text.index("backprop_replay.html") < text.index("neuron_graph.svg") < text.index("moons_loss.png")
    assert "1. " in text and "step through backprop" in text
    assert demo._what_to_open([]) == ""
