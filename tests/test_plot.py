"""tinygrad_edu.viz.plot: files written in each format, what they contain, and life without matplotlib."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu import Value, no_grad
from tinygrad_edu.nn import MLP
from tinygrad_edu.train import History
from tinygrad_edu.viz import plot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
needs_matplotlib = pytest.mark.skipif(not plot.available(), reason="matplotlib is not installed")

X2 = [[-1.0, 0.2], [0.0, 1.0], [1.0, -0.5], [2.0, 0.4], [0.5, 0.5], [1.5, -0.2]]
Y2 = [0, 0, 1, 1, 0, 1]


def svg_tree(path: Path) -> ET.Element:
    """The parsed SVG (parsing is the validity check)."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return root


def ids(root: ET.Element, prefix: str) -> list[str]:
    return [e.get("id", "") for e in root.iter() if e.get("id", "").startswith(prefix)]


def texts(root: ET.Element) -> list[str]:
    """Every piece of text in the SVG (the plot module keeps text as text)."""
    return ["".join(e.itertext()).strip() for e in root.iter(f"{SVG}text")]


def axes_count(root: ET.Element) -> int:
    return len([e for e in root.iter() if e.get("id", "").startswith("axes_")])


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == PNG_MAGIC


def history_with_validation() -> History:
    return History(
        train_loss=[1.0, 0.5, 0.3, 0.2],
        train_accuracy=[0.5, 0.7, 0.9, 1.0],
        val_loss=[1.1, 0.6, 0.7, 0.9],
        val_accuracy=[0.4, 0.6, 0.6, 0.5],
        best_epoch=2,
    )


def valley(x: Value, y: Value) -> Value:
    return x * x / 20 + y * y


# ------------------------------------------------------------------ decision regions (no matplotlib needed)
def test_decision_grid_classifies_like_the_model() -> None:
    model = MLP(2, [8, 1], activation="tanh", seed=4)
    grid = plot.decision_grid(model, X2, resolution=7)
    assert len(grid.xs) == len(grid.ys) == 7 and grid.binary
    assert grid.xs[0] < min(x for x, _ in X2) and grid.xs[-1] > max(x for x, _ in X2)
    assert grid.ys[0] < min(y for _, y in X2) and grid.ys[-1] > max(y for _, y in X2)
    classes_seen = set()
    with no_grad():
        for i, j in [(0, 0), (3, 2), (6, 6), (1, 5), (5, 1), (4, 4)]:
            score = model([grid.xs[j], grid.ys[i]]).data
            assert grid.scores[i][j] == score
            assert grid.classes[i][j] == (1 if score > 0 else 0)
    for row in grid.classes:
        classes_seen.update(row)
    assert classes_seen <= {0, 1}


def test_decision_grid_takes_the_argmax_of_several_outputs() -> None:
    model = MLP(2, [6, 3], activation="tanh", seed=2)
    grid = plot.decision_grid(model, X2, resolution=5)
    assert not grid.binary
    for i in range(5):
        for j in range(5):
            outs = [o.data for o in model([grid.xs[j], grid.ys[i]])]
            assert grid.classes[i][j] == outs.index(max(outs))
            assert grid.scores[i][j] == max(outs)


def test_decision_grid_uses_eval_mode_and_restores_training_mode() -> None:
    model = MLP(2, [16, 1], dropout=0.5, seed=0)
    assert model.training
    first = plot.decision_grid(model, X2, resolution=4)
    second = plot.decision_grid(model, X2, resolution=4)
    assert first.scores == second.scores  # no dropout noise: the network is in eval mode
    assert model.training  # and back in training mode afterwards
    model.eval()
    with no_grad():
        assert first.scores[2][1] == model([first.xs[1], first.ys[2]]).data


def test_decision_grid_rejects_bad_arguments() -> None:
    model = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="resolution"):
        plot.decision_grid(model, X2, resolution=1)
    with pytest.raises(ValueError, match="2-D"):
        plot.decision_grid(model, [[1.0, 2.0, 3.0]])


# ------------------------------------------------------------------ the files
@needs_matplotlib
def test_decision_boundary_png_and_svg(tmp_path: Path) -> None:
    model = MLP(2, [8, 1], activation="tanh", seed=4)
    grid = plot.decision_grid(model, X2, resolution=12)
    png = plot.decision_boundary(model, X2, Y2, tmp_path / "db.png", grid=grid)
    assert png == tmp_path / "db.png" and is_png(png)

    def no_model(x: Any) -> Any:
        raise AssertionError("the grid was given: the model must not run again")

    svg = plot.decision_boundary(no_model, X2, Y2, tmp_path / "db.svg", grid=grid, title="moons boundary")
    root = svg_tree(svg)
    assert "moons boundary" in texts(root)
    assert {"class 0", "class 1"} <= set(texts(root))
    assert sorted(ids(root, "points-class-")) == ["points-class-0", "points-class-1"]


@needs_matplotlib
def test_decision_boundary_with_pm1_labels_and_several_classes(tmp_path: Path) -> None:
    binary = MLP(2, [4, 1], seed=1)
    root = svg_tree(
        plot.decision_boundary(binary, X2, [2 * t - 1 for t in Y2], tmp_path / "pm.svg", resolution=5)
    )
    assert sorted(ids(root, "points-class-")) == ["points-class-0", "points-class-1"]
    three = MLP(2, [4, 3], seed=1)
    labels = [0, 1, 2, 2, 1, 0]
    root = svg_tree(plot.decision_boundary(three, X2, labels, tmp_path / "three.svg", resolution=5))
    assert len(ids(root, "points-class-")) == 3


@needs_matplotlib
def test_history_panels(tmp_path: Path) -> None:
    h = history_with_validation()
    assert is_png(plot.history(h, tmp_path / "h.png"))
    root = svg_tree(plot.history(h, tmp_path / "h.svg", title="run"))
    assert axes_count(root) == 2
    assert {"run: loss", "run: accuracy", "best epoch 2", "train", "validation"} <= set(texts(root))
    assert sorted(ids(root, "curve-")) == [
        "curve-train-accuracy",
        "curve-train-loss",
        "curve-val-accuracy",
        "curve-val-loss",
    ]
    # regression: no accuracy, no validation → one panel, one curve
    plain = History(train_loss=[3.0, 2.0, 1.0], train_accuracy=[None, None, None])
    root = svg_tree(plot.history(plain, tmp_path / "plain.svg", log_loss=True))
    assert axes_count(root) == 1
    assert ids(root, "curve-") == ["curve-train-loss"]
    with pytest.raises(ValueError, match="train_loss"):
        plot.history(History(), tmp_path / "empty.png")


@needs_matplotlib
def test_trajectories_draws_one_line_per_optimizer(tmp_path: Path) -> None:
    paths = {
        "SGD": [(-4.0, 1.0), (-3.5, -0.8), (-3.0, 0.6)],
        "momentum": [(-4.0, 1.0), (-3.0, 0.0), (-1.0, 0.1)],
        "diverging": [(-4.0, 1.0), (-4.0, -3.0), (math.inf, math.nan), (1.0, 1.0)],
    }
    assert is_png(plot.trajectories(valley, paths, tmp_path / "t.png", minimum=(0.0, 0.0)))
    root = svg_tree(plot.trajectories(valley, paths, tmp_path / "t.svg", minimum=(0.0, 0.0), title="valley"))
    assert sorted(ids(root, "trajectory-")) == [
        "trajectory-SGD",
        "trajectory-diverging",
        "trajectory-momentum",
    ]
    assert ids(root, "start") == ["start"] and ids(root, "minimum") == ["minimum"]
    assert {"valley", "SGD", "momentum", "diverging", "start", "minimum"} <= set(texts(root))
    # the diverging line stops before its first non-finite point: 2 points, so one segment "M ... L ..."
    line = next(e for e in root.iter() if e.get("id") == "trajectory-diverging")
    d = next(p.get("d", "") for p in line.iter(f"{SVG}path") if "L" in p.get("d", ""))
    assert d.count("L") == 1


@needs_matplotlib
def test_trajectories_levels_and_window(tmp_path: Path) -> None:
    plot.trajectories(valley, {"a": [(0.5, 0.5)]}, tmp_path / "levels.png", levels=[0.1, 0.5, 1.0])
    plot.trajectories(lambda x, y: x - y, {"a": [(0.0, 0.0), (1.0, 1.0)]}, tmp_path / "signed.png")
    with pytest.raises(ValueError, match="levels"):
        plot.trajectories(valley, {"a": [(0.0, 1.0)]}, tmp_path / "bad.png", levels=1)
    with pytest.raises(ValueError, match="xlim"):
        plot.trajectories(valley, {"a": [(math.nan, 0.0)]}, tmp_path / "nothing.png")


@needs_matplotlib
def test_lines_and_bars(tmp_path: Path) -> None:
    series = {"sigmoid": [1e-9, 1e-5, 0.1, 0.0], "relu": [0.01, 0.02, math.inf, 0.3]}
    assert is_png(plot.lines(series, tmp_path / "l.png", log_y=True))
    root = svg_tree(
        plot.lines(series, tmp_path / "l.svg", log_y=True, xticks=["L1", "L2", "L3", "L4"], title="mean |δ|")
    )
    assert sorted(ids(root, "line-")) == ["line-relu", "line-sigmoid"]
    assert {"mean |δ|", "L1", "L4", "sigmoid", "relu"} <= set(texts(root))

    groups = {"none": [0.9, 0.5], "L2": [0.4, 0.45], "dropout": [0.6, 0.5]}
    assert is_png(plot.bars(groups, tmp_path / "b.png", categories=["final", "best"]))
    root = svg_tree(plot.bars(groups, tmp_path / "b.svg", categories=["final", "best"], title="validation"))
    for name in groups:
        assert ids(root, f"bars-{name}") == [f"bars-{name}"] * 2  # one bar per category
    assert {"validation", "final", "best", "L2"} <= set(texts(root))
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        plot.bars({"a": [1.0, 2.0]}, tmp_path / "bad.png", categories=["x", "y", "z"])
    with pytest.raises(ValueError, match="no series"):
        plot.lines({}, tmp_path / "empty.png")


@needs_matplotlib
def test_output_is_deterministic_and_leaves_no_figures(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    for suffix in ("png", "svg"):
        a = plot.history(history_with_validation(), tmp_path / f"a.{suffix}").read_bytes()
        b = plot.history(history_with_validation(), tmp_path / f"b.{suffix}").read_bytes()
        assert a == b
    assert plt.get_fignums() == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary files left


@needs_matplotlib
def test_creates_folders_and_rejects_unknown_formats(tmp_path: Path) -> None:
    path = plot.lines({"a": [1.0, 2.0]}, tmp_path / "new" / "folder" / "l.svg")
    assert path.exists()
    assert is_png(plot.lines({"a": [1.0, 2.0]}, tmp_path / "UPPER.PNG"))
    with pytest.raises(ValueError, match=r"use \.png, \.svg or \.pdf"):
        plot.lines({"a": [1.0]}, tmp_path / "l.jpg")


# ------------------------------------------------------------------ without matplotlib
@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every ``import matplotlib...`` fail, as if it were not installed."""
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_without_matplotlib_every_plot_explains_how_to_install_it(
    no_matplotlib: None, tmp_path: Path
) -> None:
    assert plot.available() is False
    model = MLP(2, [4, 1], seed=0)
    calls = {
        "decision_boundary": lambda: plot.decision_boundary(model, X2, Y2, tmp_path / "d.png", resolution=3),
        "history": lambda: plot.history(history_with_validation(), tmp_path / "h.svg"),
        "trajectories": lambda: plot.trajectories(valley, {"a": [(1.0, 1.0)]}, tmp_path / "t.png"),
        "lines": lambda: plot.lines({"a": [1.0]}, tmp_path / "l.png"),
        "bars": lambda: plot.bars({"a": [1.0]}, tmp_path / "b.png", categories=["x"]),
    }
    for name, call in calls.items():
        with pytest.raises(plot.PlotsUnavailable) as caught:
            call()
        assert str(caught.value) == 'plots need matplotlib: pip install "tinygrad_edu[plot]"', name
        assert isinstance(caught.value, ImportError)
    assert list(tmp_path.iterdir()) == []
    grid = plot.decision_grid(model, X2, resolution=3)  # needs no matplotlib
    assert len(grid.classes) == 3


def test_available_reflects_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert plot.available() is False
    else:
        assert plot.available() is True
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert plot.available() is False


def test_the_package_imports_without_matplotlib_and_does_not_load_it() -> None:
    code = (
        "import sys\n"
        "import tinygrad_edu, tinygrad_edu.viz.plot\n"
        "assert 'matplotlib' not in sys.modules, 'imported at import time'\n"
        "sys.modules['matplotlib'] = None\n"
        "assert tinygrad_edu.viz.plot.available() is False\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@needs_matplotlib
def test_decision_boundary_of_a_model_that_sees_one_class(tmp_path: Path) -> None:
    def always_positive(x: Any) -> Value:
        return Value(1.0)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. matplotlib's "No contour levels were found"
        root = svg_tree(plot.decision_boundary(always_positive, X2, Y2, tmp_path / "one.svg", resolution=4))
    assert len(ids(root, "points-class-")) == 2
