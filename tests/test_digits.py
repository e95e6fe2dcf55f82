"""tinygrad_edu.data.load_digits: the UCI optdigits test set as shipped, checked against known facts.

The references are independent of the loader: the class counts and the first image of
scikit-learn's ``load_digits`` (the same 1,797 rows), the file's SHA-256, and the file read
again here with numpy.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import types
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import data
from tinygrad_edu.data import DIGITS_CITATION, DIGITS_CLASSES, DIGITS_SHAPE, load_digits

ROOT = Path(__file__).resolve().parent.parent
SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
# scikit-learn's load_digits(): np.bincount(target) and data[0]
COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
FIRST = [
    [0, 0, 5, 13, 9, 1, 0, 0],
    [0, 0, 13, 15, 10, 15, 5, 0],
    [0, 3, 15, 2, 0, 11, 8, 0],
    [0, 4, 12, 0, 0, 8, 8, 0],
    [0, 5, 8, 0, 0, 9, 8, 0],
    [0, 4, 11, 0, 1, 12, 7, 0],
    [0, 2, 14, 5, 10, 12, 0, 0],
    [0, 0, 6, 13, 10, 0, 0, 0],
]


def test_digits_has_1797_images_of_64_pixels_in_0_to_16() -> None:
    X, y, names = load_digits()
    assert len(X) == len(y) == 1797 and DIGITS_SHAPE == (8, 8)
    assert all(len(row) == 64 for row in X)
    pixels = {p for row in X for p in row}
    assert pixels == {float(k) for k in range(17)}  # all 17 levels occur, and nothing else
    assert all(type(p) is float for row in X for p in row) and all(type(k) is int for k in y)
    assert names == list(DIGITS_CLASSES) == [str(d) for d in range(10)]


def test_digits_classes_have_the_known_counts() -> None:
    _, y, _ = load_digits()
    assert [Counter(y)[d] for d in range(10)] == COUNTS
    assert y[:10] == list(range(10))  # the published order starts 0, 1, ..., 9


def test_the_first_and_last_images_are_the_known_ones() -> None:
    X, y, _ = load_digits()
    assert [X[0][8 * r : 8 * r + 8] for r in range(8)] == FIRST and y[0] == 0
    assert X[-1][:16] == [0, 0, 10, 14, 8, 1, 0, 0, 0, 2, 16, 14, 6, 1, 0, 0] and y[-1] == 8


def test_digits_match_the_file_read_with_numpy() -> None:
    raw = (resources.files("tinygrad_edu.data") / "digits.csv.gz").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SHA256  # the file as shipped, unchanged
    table = np.loadtxt(gzip.decompress(raw).decode().splitlines(), delimiter=",")
    X, y, _ = load_digits()
    assert np.array_equal(np.array(X), table[:, :64]) and np.array_equal(np.array(y), table[:, 64])
    assert np.array(X).mean() == pytest.approx(4.884164579855314, abs=1e-12)  # sklearn's data.mean()


def test_digits_return_fresh_lists() -> None:
    X, y, names = load_digits()
    X[0][2], y[0], names[0] = -1.0, 7, "zero"
    again = load_digits()
    assert again[0][0][2] == 5.0 and again[1][0] == 0 and again[2][0] == "0"


def test_digits_ship_inside_the_package_with_their_attribution() -> None:
    folder = resources.files("tinygrad_edu.data")
    assert (folder / "digits.csv.gz").is_file()
    attribution = (folder / "DIGITS.md").read_text(encoding="utf-8")
    docstring = data.load_digits.__doc__ or ""
    for fact in ("Alpaydin", "Kaynak", "1998", "CC BY 4.0", "https://doi.org/10.24432/C50P49"):
        assert fact in attribution and fact in DIGITS_CITATION and fact in docstring
    assert all("archive.ics.uci.edu/dataset/80/" in text for text in (attribution, docstring))
    if sys.version_info >= (3, 11):  # declared as package data, so wheels include them
        import tomllib

        config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        package_data = config["tool"]["setuptools"]["package-data"]["tinygrad_edu"]
        assert "data/digits.csv.gz" in package_data and "data/DIGITS.md" in package_data


@pytest.mark.parametrize(
    "line, problem",
    [
        ("1,2,3\n", "malformed"),
        (",".join(["0"] * 64 + ["-1"]) + "\n", "malformed"),
        (",".join(["0"] * 64 + ["1.5"]) + "\n", "malformed"),
        (",".join(["17"] + ["0"] * 63 + ["1"]) + "\n", "out of range"),
        (",".join(["0"] * 64 + ["10"]) + "\n", "out of range"),
    ],
)
def test_a_damaged_file_is_a_runtime_error_naming_the_line(
    line: str, problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = ",".join(["0"] * 64 + ["3"]) + "\n"
    (tmp_path / "digits.csv.gz").write_bytes(gzip.compress((good + line).encode()))
    fake = types.SimpleNamespace(files=lambda package: tmp_path)
    monkeypatch.setattr("tinygrad_edu.data.digits.resources", fake)
    with pytest.raises(RuntimeError, match=rf"^load_digits: .* line 2 is {problem}; the installed package"):
        load_digits()
