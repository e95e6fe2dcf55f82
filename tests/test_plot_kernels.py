"""tinygrad_edu.viz.plot.kernels: grids of weights as images, one colour scale for all panels."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tinygrad_edu.nn import Conv2d
from tinygrad_edu.viz import plot

SVG = "{http://www.w3.org/2000/svg}"
needs_matplotlib = pytest.mark.skipif(not plot.available(), reason="matplotlib is not installed")


def svg_texts(path: Path) -> tuple[list[str], list[str]]:
    """The ids and the pieces of text in an SVG (parsing it is the validity check)."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    ids = [e.get("id", "") for e in root.iter()]
    return ids, ["".join(e.itertext()).strip() for e in root.iter(f"{SVG}text")]


@needs_matplotlib
def test_one_panel_per_kernel_with_its_values(tmp_path: Path) -> None:
    path = plot.kernels(
        {"channel 1": [0.9, -1.1, 0.8], "pattern": [1.0, -1.0, 1.0]}, tmp_path / "k.svg", title="learned"
    )
    ids, texts = svg_texts(path)
    assert {"kernel-channel 1", "kernel-pattern"} <= set(ids)
    assert {"learned", "channel 1", "pattern", "0.90", "-1.10", "-1.00"} <= set(texts)
    assert plot.kernels({"a": [1.0]}, tmp_path / "k.png").read_bytes().startswith(b"\x89PNG")


@needs_matplotlib
def test_2d_kernels_of_a_conv2d_and_many_cells_without_values(tmp_path: Path) -> None:
    conv = Conv2d(1, 2, (2, 3), seed=0)
    grids = {f"channel {o + 1}": [[w.data for w in row] for row in conv.w[o][0]] for o in range(2)}
    ids, texts = svg_texts(plot.kernels(grids, tmp_path / "k.svg"))
    assert {"kernel-channel 1", "kernel-channel 2"} <= set(ids)
    assert f"{conv.w[1][0][1][2].data:.2f}" in texts
    big = {"8×8": [[float(i * j) for j in range(8)] for i in range(8)]}
    _, texts = svg_texts(plot.kernels(big, tmp_path / "big.svg"))
    assert "49.00" not in texts  # 64 cells: the values are left out (annotate=True writes them)
    _, texts = svg_texts(plot.kernels(big, tmp_path / "big.svg", annotate=True))
    assert "49.00" in texts


@pytest.mark.parametrize(
    "weights, error, message",
    [
        ([1.0], TypeError, r"^kernels: weights must be a dict"),
        ({}, ValueError, r"^kernels: no kernel to plot$"),
        ({"a": []}, TypeError, r"^kernels: weights\['a'\] must be a non-empty list"),
        ({"a": [[1.0, 2.0], [3.0]]}, ValueError, r"^kernels: weights\['a'\] has rows of 2 and 1 weights$"),
        (
            {"a": [1.0, float("nan")]},
            ValueError,
            r"^kernels: weights\['a'\]\[0\]\[1\] must be a finite number",
        ),
        ({"a": [[1.0], "x"]}, TypeError, r"^kernels: weights\['a'\]\[1\] must be a non-empty row"),
        ({1: [1.0]}, TypeError, r"^kernels: a name in weights must be a str"),
    ],
)
def test_bad_weights(tmp_path: Path, weights: object, error: type[Exception], message: str) -> None:
    if not plot.available() and error is ValueError and "no kernel" in message:
        pytest.skip("checked after matplotlib is imported")
    with pytest.raises(error, match=message):
        plot.kernels(weights, tmp_path / "k.png")  # type: ignore[arg-type]


def test_without_matplotlib_it_explains_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(plot.PlotsUnavailable, match=r"pip install"):
        plot.kernels({"a": [1.0]}, tmp_path / "k.png")
    assert list(tmp_path.iterdir()) == []
