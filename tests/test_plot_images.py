"""tinygrad_edu.viz.plot.images: the image grid, the confusion matrix and its counts.

The counts are checked against numpy (``np.add.at`` on an index pair) and hand-counted
cases; the pictures by what their SVG holds (ids, texts) and by life without matplotlib.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu.viz import plot

SVG = "{http://www.w3.org/2000/svg}"
needs_matplotlib = pytest.mark.skipif(not plot.available(), reason="matplotlib is not installed")


def svg_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "</svg>" in text
    return text


def svg_ids(text: str, prefix: str) -> list[str]:
    return re.findall(rf'id="({re.escape(prefix)}[^"]*)"', text)


def svg_texts(text: str) -> list[str]:
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)<", text)]


# ------------------------------------------------------------------ the counts (no matplotlib)
def test_confusion_counts_by_hand() -> None:
    # true 0 twice (right, then called 1); true 1 once (right); true 2 twice (right, then called 0)
    assert plot.confusion_counts([0, 0, 1, 2, 2], [0, 1, 1, 2, 0]) == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]
    assert plot.confusion_counts([1], [1], num_classes=3) == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert plot.confusion_counts([], [], num_classes=2) == [[0, 0], [0, 0]]
    assert plot.confusion_counts([0, 0], [2, 2]) == [[0, 0, 2], [0, 0, 0], [0, 0, 0]]  # size from y_pred too


@given(
    st.integers(1, 6).flatmap(
        lambda k: st.lists(st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), max_size=40).map(
            lambda pairs: (k, pairs)
        )
    )
)
def test_confusion_counts_match_numpy(case: tuple[int, list[tuple[int, int]]]) -> None:
    k, pairs = case
    truth, guesses = [t for t, _ in pairs], [p for _, p in pairs]
    expected = np.zeros((k, k), dtype=int)
    np.add.at(expected, (np.array(truth, dtype=int), np.array(guesses, dtype=int)), 1)
    counts = plot.confusion_counts(truth, guesses, num_classes=k)
    assert counts == expected.tolist()
    assert [sum(row) for row in counts] == [truth.count(c) for c in range(k)]  # row c: class c's samples
    assert sum(counts[c][c] for c in range(k)) == sum(t == p for t, p in pairs)  # diagonal: right answers


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        (([0, 1], [0]), {}, ValueError, "confusion_counts: y_true has 2 labels but y_pred has 1"),
        (
            ([0, 3], [0, 1]),
            {"num_classes": 3},
            ValueError,
            "confusion_counts: y_true[1] must be a class index below num_classes = 3, got int 3",
        ),
        (([], []), {}, ValueError, "confusion_counts: no labels, and no num_classes to size the matrix"),
        (
            ([True], [0]),
            {},
            TypeError,
            "confusion_counts: y_true[0] must be an integer >= 0, got bool True",
        ),
        (([0], [-1]), {}, ValueError, "confusion_counts: y_pred[0] must be an integer >= 0, got int -1"),
        (("01", [0, 1]), {}, TypeError, "confusion_counts: y_true must be a list of class indices (int)"),
        (
            ([0], [0]),
            {"num_classes": 10**6},
            ValueError,
            r"confusion_counts: num_classes must be an integer in [1, 1000], got int 1000000",
        ),
        (
            ([10**6], [0]),
            {},
            ValueError,
            "confusion_counts: y_true and y_pred must be labels below 1000, got int 1000000",
        ),
    ],
)
def test_confusion_counts_refuse_bad_labels(
    args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        plot.confusion_counts(*args, **kwargs)
    assert str(caught.value).startswith(message)


# ------------------------------------------------------------------ the pictures
@needs_matplotlib
def test_image_grid_draws_every_image_with_its_title(tmp_path: Path) -> None:
    images = [[float(i + k) for i in range(6)] for k in range(5)]
    text = svg_text(
        plot.image_grid(images, tmp_path / "g.svg", shape=(2, 3), titles=list("abcde"), title="T")
    )
    assert svg_ids(text, "image-") == [f"image-{k}" for k in range(5)]
    assert {"T", "a", "b", "c", "d", "e"} <= set(svg_texts(text))
    png = plot.image_grid(images, tmp_path / "g.png", shape=(2, 3), columns=5, signed=True)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    flat = [[0.0] * 64]  # all one level, signed or not: drawn, no division by zero
    assert plot.image_grid(flat, tmp_path / "flat.png").exists()
    assert plot.image_grid(flat, tmp_path / "flat-signed.png", signed=True).exists()


@needs_matplotlib
def test_image_grid_output_is_deterministic(tmp_path: Path) -> None:
    images = [[(-1.0) ** i * i for i in range(16)], [float(i) for i in range(16)]]
    a = plot.image_grid(images, tmp_path / "a.svg", shape=(4, 4), signed=True).read_bytes()
    b = plot.image_grid(images, tmp_path / "b.svg", shape=(4, 4), signed=True).read_bytes()
    assert a == b


@pytest.mark.parametrize(
    "images, kwargs, error, message",
    [
        ([[0.0] * 63], {}, ValueError, "image_grid: images[0] must be a list of 64 numbers"),
        ([], {}, ValueError, "image_grid: images must be a non-empty list of images"),
        ([[0.0] * 4], {"shape": (2, 0)}, ValueError, "image_grid: shape[1] must be an integer in [1, 10000]"),
        ([[0.0] * 4], {"shape": (4,)}, ValueError, "image_grid: shape must be a pair (rows, columns)"),
        ([[float("nan")] * 4], {"shape": (2, 2)}, ValueError, "image_grid: images[0][0] must be a finite"),
        ([[0.0] * 4], {"shape": (2, 2), "titles": ["a", "b"]}, ValueError, "image_grid: titles must be"),
        ([[0.0] * 4], {"shape": (2, 2), "titles": [1]}, TypeError, "image_grid: titles[0] must be a str"),
        ([[0.0] * 4], {"shape": (2, 2), "columns": 0}, ValueError, "image_grid: columns must be an integer"),
        ([[0.0] * 4], {"shape": (2, 2), "signed": 1}, TypeError, "image_grid: signed must be True or False"),
        ("abc", {}, TypeError, "image_grid: images must be a list of images"),
    ],
)
def test_image_grid_refuses_bad_arguments(
    images: Any, kwargs: dict[str, Any], error: type[Exception], message: str, tmp_path: Path
) -> None:
    with pytest.raises(error) as caught:
        plot.image_grid(images, tmp_path / "bad.png", **kwargs)
    assert str(caught.value).startswith(message)
    assert list(tmp_path.iterdir()) == []


@needs_matplotlib
def test_confusion_matrix_writes_counts_names_and_accuracy(tmp_path: Path) -> None:
    truth, guesses = [0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0]
    text = svg_text(plot.confusion_matrix(truth, guesses, tmp_path / "c.svg", classes=["a", "b", "c"]))
    assert svg_ids(text, "confusion") == ["confusion"]
    words = svg_texts(text)
    assert "confusion matrix: accuracy 4/6 = 66.7%" in words
    assert {"a", "b", "c", "predicted class", "true class"} <= set(words)
    # the nonzero cells' counts, and no text for the empty ones
    assert sorted(w for w in words if w.isdigit()) == ["1", "1", "1", "1", "2"]
    # four classes named: the matrix is 4 × 4 even though class d never occurs
    four = svg_text(plot.confusion_matrix([0], [0], tmp_path / "d.svg", classes=list("abcd"), title=""))
    assert "accuracy 1/1 = 100.0%" in svg_texts(four) and "d" in svg_texts(four)
    with pytest.raises(ValueError, match=r"^confusion_matrix: y_true\[0\] must be a class index below"):
        plot.confusion_matrix([5], [0], tmp_path / "e.svg", classes=["a", "b"])
    with pytest.raises(ValueError, match=r"^confusion_matrix: classes must be None or a list of 1 to 1000"):
        plot.confusion_matrix([0], [0], tmp_path / "e.svg", classes=[])


# ------------------------------------------------------------------ without matplotlib
@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every ``import matplotlib...`` fail, as if it were not installed."""
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


@pytest.mark.usefixtures("no_matplotlib")
def test_without_matplotlib_the_pictures_explain_and_the_counts_work(tmp_path: Path) -> None:
    for call in (
        lambda: plot.image_grid([[0.0] * 64], tmp_path / "g.png"),
        lambda: plot.confusion_matrix([0, 1], [1, 1], tmp_path / "c.png"),
    ):
        with pytest.raises(plot.PlotsUnavailable, match=r'pip install "tinygrad_edu\[plot\]"'):
            call()
    assert list(tmp_path.iterdir()) == []
    assert plot.confusion_counts([0, 1], [1, 1]) == [[0, 1], [0, 1]]
