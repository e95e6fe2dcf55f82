"""tinygrad_edu.data: datasets, Iris, splits, batches, one-hot, noise, preprocessing, Jacobi, errors.

References are independent of the code under test: truth tables written with Python's
``and``/``or``/``!=``; scikit-learn's moons/circles formulas re-typed in numpy; published
Iris statistics (Fisher 1936, as in R's ``datasets::iris``); ``numpy.linalg.eigh`` and
``numpy.cov`` for the eigendecomposition and covariances; hand-computed transforms.
"""

from __future__ import annotations

import doctest
import itertools
import math
import random
import sys
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tinygrad_edu import data
from tinygrad_edu.data import (
    GATES,
    IRIS_CLASSES,
    IRIS_FEATURES,
    MeanSubtraction,
    Standardizer,
    Whitening,
    add_noise,
    batches,
    jacobi_eigh,
    linspace,
    load_digits,
    load_iris,
    logic_gate,
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    one_hot,
    train_test_split,
    train_val_test_split,
    xor3,
)
from tinygrad_edu.engine import Value

ROOT = Path(__file__).resolve().parents[1]
MAX = sys.float_info.max  # 1.7976931348623157e308
TINY = 5e-324  # 2⁻¹⁰⁷⁴, the smallest subnormal


def close_all(a: Any, b: Any, tol: float) -> bool:
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=0.0, atol=tol))


# ------------------------------------------------------------ logic gates

CLOSED_FORMS: dict[str, Callable[[bool, bool], bool]] = {
    "AND": lambda a, b: a and b,
    "OR": lambda a, b: a or b,
    "NAND": lambda a, b: not (a and b),
    "NOR": lambda a, b: not (a or b),
    "XOR": lambda a, b: (a and not b) or (not a and b),  # x₁x̄₂ + x̄₁x₂ (note 004)
    "XNOR": lambda a, b: a == b,
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_logic_gate_truth_tables(name: str) -> None:
    assert set(GATES) == set(CLOSED_FORMS)
    X, y = logic_gate(name)
    inputs = list(itertools.product([0, 1], repeat=2))
    assert X == [[float(a), float(b)] for a, b in inputs]
    assert y == [int(CLOSED_FORMS[name](bool(a), bool(b))) for a, b in inputs]
    assert all(type(label) is int for label in y)
    # bipolar: bit 0 ↦ −1, bit 1 ↦ +1, for inputs and labels independently
    Xb, yb = logic_gate(name.lower(), inputs="bipolar", labels="bipolar")
    assert Xb == [[2 * a - 1.0, 2 * b - 1.0] for a, b in inputs]
    assert yb == [2 * label - 1 for label in y]
    assert logic_gate(name, labels="bipolar") == (X, yb)
    assert logic_gate(name, inputs="bipolar") == (Xb, y)


def test_xor3_is_notes_xor_of_and() -> None:
    X, y = xor3()
    inputs = list(itertools.product([0, 1], repeat=3))
    assert X == [[float(v) for v in bits] for bits in inputs]
    assert y == [int((a and b) != c) for a, b, c in inputs]
    # the Boolean-algebra form from the docstring: x₁x₂x̄₃ + (x̄₁ + x̄₂)x₃
    assert y == [int((a and b and not c) or ((not a or not b) and c)) for a, b, c in inputs]
    Xb, yb = xor3(inputs="bipolar", labels="bipolar")
    assert Xb == [[2.0 * v - 1 for v in bits] for bits in inputs] and yb == [2 * v - 1 for v in y]


def test_xor_is_not_linearly_separable_but_and_is() -> None:
    """Over a grid of (w₁, w₂, b), some sign(w·x + b) realises AND, none realises XOR (note 004)."""
    grid = [v / 2 for v in range(-6, 7)]

    def separable(name: str) -> bool:
        X, y = logic_gate(name, labels="bipolar")
        return any(
            all((w1 * x1 + w2 * x2 + b) * t > 0 for (x1, x2), t in zip(X, y))
            for w1, w2, b in itertools.product(grid, repeat=3)
        )

    assert separable("AND") and separable("OR") and separable("NAND")
    assert not separable("XOR") and not separable("XNOR")


# ------------------------------------------------------------ generated datasets

GENERATORS: dict[str, Callable[..., tuple[list[list[float]], list[int]]]] = {
    "moons": make_moons,
    "circles": make_circles,
    "spirals": make_spirals,
    "blobs": make_blobs,
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize("n", [2, 3, 7, 100])
def test_shapes_labels_and_reproducibility(name: str, n: int) -> None:
    make = GENERATORS[name]
    k = 3 if name == "blobs" else 2  # default centers=3, classes=2
    n = max(n, k)
    X, y = make(n, seed=1)
    assert len(X) == len(y) == n and all(len(row) == 2 for row in X)
    assert all(type(v) is float for row in X for v in row) and all(type(label) is int for label in y)
    if name in ("moons", "circles"):  # ⌊n/2⌋ of class 0, as scikit-learn
        assert Counter(y) == Counter({0: n // 2, 1: n - n // 2})
    else:  # as even as possible, the first n mod k one larger
        assert Counter(y) == Counter({c: n // k + (c < n % k) for c in range(k)})
    # same seed, same data bit for bit; rng=Random(seed) is the same stream; a new seed differs
    assert make(n, seed=1) == (X, y)
    assert make(n, rng=random.Random(1)) == (X, y)
    assert make(n, seed=2)[0] != X
    # without seed or rng: Python's global generator, so random.seed reproduces it
    random.seed(5)
    first = make(n)
    random.seed(5)
    assert make(n) == first


def moons_reference(n: int) -> np.ndarray:
    """scikit-learn's make_moons (noise 0, unshuffled), re-typed in numpy."""
    n_out, n_in = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    outer = np.c_[np.cos(t_out), np.sin(t_out)]
    inner = np.c_[1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5]
    return np.vstack([outer, inner])


def circles_reference(n: int, factor: float) -> np.ndarray:
    """scikit-learn's make_circles (noise 0, unshuffled), re-typed in numpy."""
    n_out, n_in = n // 2, n - n // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    return np.vstack([np.c_[np.cos(t_out), np.sin(t_out)], factor * np.c_[np.cos(t_in), np.sin(t_in)]])


@pytest.mark.parametrize("n", [2, 5, 50, 101])
def test_moons_without_noise_lie_on_their_half_circles(n: int) -> None:
    X, y = make_moons(n, noise=0.0, shuffle=False)
    assert close_all(X, moons_reference(n), 1e-15)
    for (a, b), label in zip(X, y):
        if label == 0:  # upper half of the unit circle
            assert abs(math.hypot(a, b) - 1) < 1e-15 and b >= -1e-15
        else:  # lower half of the unit circle around (1, ½)
            assert abs(math.hypot(a - 1, b - 0.5) - 1) < 1e-15 and b <= 0.5 + 1e-15
    shuffled, labels = make_moons(n, noise=0.0, seed=3)
    assert sorted(zip(shuffled, labels)) == sorted(zip(X, y))


@pytest.mark.parametrize("factor", [0.1, 0.5, 0.9])
def test_circles_without_noise_have_radii_one_and_factor(factor: float) -> None:
    X, y = make_circles(31, noise=0.0, factor=factor, shuffle=False)
    assert close_all(X, circles_reference(31, factor), 1e-15)
    radii = {0: 1.0, 1: factor}
    assert all(abs(math.hypot(*x) - radii[label]) < 1e-15 for x, label in zip(X, y))


@pytest.mark.parametrize("make", [make_moons, make_circles, make_spirals])
def test_noise_is_gaussian_with_the_requested_std(make: Callable[..., Any]) -> None:
    """Noisy minus clean (same order: shuffle=False) are N(0, noise²) draws: mean and std within 4 s.e."""
    n, noise = 2000, 0.2
    clean, y = make(n, noise=0.0, shuffle=False)
    noisy, y2 = make(n, noise=noise, shuffle=False, seed=0)
    assert y == y2
    deltas = np.asarray(noisy) - np.asarray(clean)
    m = deltas.size
    assert abs(deltas.mean()) < 4 * noise / math.sqrt(m)
    assert abs(deltas.std() - noise) < 4 * noise / math.sqrt(2 * m)


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_spiral_arms_are_rotations_of_each_other(classes: int) -> None:
    m = 40
    X, y = make_spirals(m * classes, classes=classes, noise=0.0, turns=1.5, shuffle=False)
    arms = [[x for x, label in zip(X, y) if label == k] for k in range(classes)]
    assert [len(arm) for arm in arms] == [m] * classes
    # radii (i + 1)/m, and the angle winds 1.5 turns as the radius goes from 1/m to 1
    assert close_all([math.hypot(*x) for x in arms[0]], [(i + 1) / m for i in range(m)], 1e-15)
    for k, arm in enumerate(arms):
        phi = 2 * math.pi * k / classes
        rotation = np.array([[math.cos(phi), -math.sin(phi)], [math.sin(phi), math.cos(phi)]])
        assert close_all(np.asarray(arms[0]) @ rotation.T, arm, 1e-12)
    # class sizes when n is not a multiple of the class count: the first n mod K get one more
    assert Counter(make_spirals(11, classes=3, seed=0)[1]) == Counter({0: 4, 1: 4, 2: 3})


def test_blob_means_are_near_their_centres() -> None:
    centres = [[0.0, 0.0, 0.0], [5.0, -3.0, 1.0], [-4.0, 4.0, 10.0]]
    std, n = 0.5, 3000
    X, y = make_blobs(n, centers=centres, std=std, seed=0)
    assert len(X[0]) == 3 and Counter(y) == Counter({0: 1000, 1: 1000, 2: 1000})
    for c, centre in enumerate(centres):
        points = np.asarray([x for x, label in zip(X, y) if label == c])
        # a sample mean has standard error std/√m per coordinate; allow 4 of them
        assert np.all(np.abs(points.mean(axis=0) - centre) < 4 * std / math.sqrt(len(points)))
        assert np.all(np.abs(points.std(axis=0) - std) < 4 * std / math.sqrt(2 * len(points)))
    exact, labels = make_blobs(5, centers=centres, std=0.0, shuffle=False)
    assert exact == [centres[0], centres[0], centres[1], centres[1], centres[2]] and labels == [0, 0, 1, 1, 2]


def test_random_blob_centres_are_reproducible_and_in_the_box() -> None:
    X, y = make_blobs(600, centers=4, std=0.01, seed=7)
    assert set(y) == {0, 1, 2, 3}
    means = [np.mean([x for x, label in zip(X, y) if label == c], axis=0) for c in range(4)]
    assert all(np.all(np.abs(mean) < 10.0 + 0.01) for mean in means)
    assert len({tuple(np.round(mean, 1)) for mean in means}) == 4
    again = make_blobs(600, centers=4, std=0.01, seed=7)
    assert again == (X, y) and make_blobs(600, centers=4, std=0.01, seed=8)[0] != X


def test_linspace_closed_form_and_float_limits() -> None:
    assert linspace(0.0, 1.0, 5) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert linspace(0.0, 1.0, 4, endpoint=False) == [0.0, 0.25, 0.5, 0.75]
    assert linspace(2.0, 3.0, 1) == [2.0] and linspace(2.0, 3.0, 0) == []
    assert linspace(Fraction(1, 2), np.int64(3), np.int64(6)) == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    # stop − start = 2·MAX is beyond float range; the points are not: −MAX + 2·MAX·i/4
    assert linspace(-MAX, MAX, 5) == [-MAX, -MAX / 2, 0.0, MAX / 2, MAX]
    assert linspace(MAX, -MAX, 4, endpoint=False) == [MAX, MAX / 2, 0.0, -MAX / 2]
    assert linspace(0.0, 1e308, 3) == [0.0, 5e307, 1e308]  # (stop − start)·2 overflows, the points do not


@given(
    start=st.floats(allow_nan=False, allow_infinity=False),
    stop=st.floats(allow_nan=False, allow_infinity=False),
    m=st.integers(0, 30),
    endpoint=st.booleans(),
)
def test_linspace_is_finite_monotone_and_close_to_exact(
    start: float, stop: float, m: int, endpoint: bool
) -> None:
    xs = linspace(start, stop, m, endpoint=endpoint)
    assert len(xs) == m and all(math.isfinite(x) for x in xs)
    assert xs[:1] == [start][:m]
    assert xs == sorted(xs, reverse=stop < start)
    steps = (m - 1 if endpoint else m) or 1
    tol = 8 * math.ulp(max(abs(start), abs(stop)))
    for i, x in enumerate(xs):  # the exact start + (stop − start)·i/steps, in rationals
        exact = Fraction(start) + (Fraction(stop) - Fraction(start)) * i / steps
        assert abs(Fraction(x) - exact) <= tol


# ------------------------------------------------------------ Iris

# Fisher (1936) as in R's datasets::iris: column means, minima, maxima and per-species means.
IRIS_MEANS = [5.8433, 3.0573, 3.758, 1.1993]
IRIS_SUMS = [876.5, 458.6, 563.7, 179.9]
IRIS_MIN = [4.3, 2.0, 1.0, 0.1]
IRIS_MAX = [7.9, 4.4, 6.9, 2.5]
IRIS_SAMPLE_SD = [0.8281, 0.4359, 1.7653, 0.7622]
IRIS_SPECIES_MEANS = {
    "setosa": [5.006, 3.428, 1.462, 0.246],
    "versicolor": [5.936, 2.770, 4.260, 1.326],
    "virginica": [6.588, 2.974, 5.552, 2.026],
}


def test_iris_matches_published_statistics() -> None:
    X, y, names = load_iris()
    assert names == list(IRIS_CLASSES) == ["setosa", "versicolor", "virginica"]
    assert IRIS_FEATURES == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert len(X) == len(y) == 150 and all(len(row) == 4 for row in X)
    assert y == [0] * 50 + [1] * 50 + [2] * 50
    columns = list(zip(*X))
    assert [round(math.fsum(c), 9) for c in columns] == IRIS_SUMS
    assert [round(math.fsum(c) / 150, 4) for c in columns] == IRIS_MEANS
    assert [min(c) for c in columns] == IRIS_MIN and [max(c) for c in columns] == IRIS_MAX
    assert [round(float(np.std(c, ddof=1)), 4) for c in columns] == IRIS_SAMPLE_SD
    for k, name in enumerate(names):
        rows = [x for x, label in zip(X, y) if label == k]
        assert [round(math.fsum(c) / 50, 3) for c in zip(*rows)] == IRIS_SPECIES_MEANS[name]
    assert X[0] == [5.1, 3.5, 1.4, 0.2] and names[y[0]] == "setosa"
    assert X[-1] == [5.9, 3.0, 5.1, 1.8] and names[y[-1]] == "virginica"


def test_iris_is_fishers_version_not_ucis() -> None:
    """UCI's iris.data has two wrong rows (Bezdek et al. 1999); we ship Fisher's values."""
    X, _, _ = load_iris()
    assert X[34] == [4.9, 3.1, 1.5, 0.2]  # UCI: petal width 0.1
    assert X[37] == [4.9, 3.6, 1.4, 0.1]  # UCI: 4.9, 3.1, 1.5, 0.1
    assert round(math.fsum(row[1] for row in X) / 150, 4) != 3.054  # UCI's sepal-width mean


def test_iris_ships_inside_the_package() -> None:
    csv_file = resources.files("tinygrad_edu.data") / "iris.csv"
    assert csv_file.is_file()
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "sepal_length,sepal_width,petal_length,petal_width,species" and len(lines) == 151
    if sys.version_info >= (3, 11):  # the CSV is declared as package data, so wheels include it
        import tomllib

        config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        assert "data/*.csv" in config["tool"]["setuptools"]["package-data"]["tinygrad_edu"]


def test_iris_returns_fresh_lists() -> None:
    X, y, names = load_iris()
    X[0][0], y[0], names[0] = -1.0, 7, "rose"
    assert load_iris()[0][0][0] == 5.1 and load_iris()[1][0] == 0 and load_iris()[2][0] == "setosa"


# ------------------------------------------------------------ splits


def numbered(n: int) -> tuple[list[list[float]], list[int]]:
    """Rows that name themselves: X[i] = [i, −i], y[i] = i."""
    return [[float(i), -float(i)] for i in range(n)], list(range(n))


def assert_partition(parts_X: list[list[list[float]]], parts_y: list[list[int]], n: int) -> None:
    """Every row of numbered(n) exactly once, with its own label."""
    ids = [int(row[0]) for part in parts_X for row in part]
    assert sorted(ids) == list(range(n))
    for part_X, part_y in zip(parts_X, parts_y):
        assert [int(row[0]) for row in part_X] == part_y
        assert all(row[1] == -row[0] for row in part_X)


@pytest.mark.parametrize(
    ("n", "test_size", "n_test"),
    [(10, 0.25, 3), (100, 0.25, 25), (150, 0.25, 38), (7, 0.3, 2), (10, 0.01, 1), (10, 3, 3), (2, 1, 1)],
)
def test_split_sizes(n: int, test_size: float, n_test: int) -> None:
    """A fraction f gives round(f·n) test rows, halves up, at least 1; an int is a count."""
    X, y = numbered(n)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size, seed=0)
    assert (len(X_test), len(X_train)) == (n_test, n - n_test)
    assert_partition([X_train, X_test], [y_train, y_test], n)


@given(n=st.integers(2, 60), fraction=st.floats(0.01, 0.99), seed=st.integers(0, 2**32))
def test_split_is_a_shuffled_partition(n: int, fraction: float, seed: int) -> None:
    n_test = max(1, math.floor(fraction * n + 0.5))
    assume(n_test <= n - 1)
    X, y = numbered(n)
    parts = train_test_split(X, y, fraction, seed=seed)
    assert (len(parts[0]), len(parts[1])) == (n - n_test, n_test)
    assert_partition([parts[0], parts[1]], [parts[2], parts[3]], n)
    assert train_test_split(X, y, fraction, seed=seed) == parts


def test_split_shuffles_reproducibly_and_copies_rows() -> None:
    X, y = numbered(50)
    a = train_test_split(X, y, seed=1)
    assert a == train_test_split(X, y, seed=1) == train_test_split(X, y, rng=random.Random(1))
    assert a != train_test_split(X, y, seed=2)
    assert [row[0] for row in a[0]] != sorted(row[0] for row in a[0])  # not in the original order
    a[0][0][0] = 1e9
    assert max(row[0] for row in X) == 49.0


@given(labels=st.lists(st.integers(0, 4), min_size=2, max_size=80), fraction=st.floats(0.05, 0.95))
def test_stratified_split_keeps_class_shares(labels: list[int], fraction: float) -> None:
    n = len(labels)
    X = [[float(i)] for i in range(n)]
    n_test = max(1, math.floor(fraction * n + 0.5))
    assume(n_test <= n - 1)
    X_train, X_test, y_train, y_test = train_test_split(X, labels, fraction, stratify=True, seed=0)
    assert len(y_test) == n_test and sorted(int(r[0]) for r in X_train + X_test) == list(range(n))
    assert all(labels[int(row[0])] == label for row, label in zip(X_test + X_train, y_test + y_train))
    totals, in_test = Counter(labels), Counter(y_test)
    for c, n_c in totals.items():  # ⌊q⌋ or ⌈q⌉ with q = n_test·n_c/n
        q = n_test * n_c / n
        assert math.floor(q + 1e-9) <= in_test[c] <= math.ceil(q - 1e-9)


def test_stratified_iris_split_has_equal_classes() -> None:
    X, y, _ = load_iris()
    _, _, y_train, y_test = train_test_split(X, y, 0.2, stratify=True, seed=0)
    assert Counter(y_test) == Counter({0: 10, 1: 10, 2: 10})
    assert Counter(y_train) == Counter({0: 40, 1: 40, 2: 40})
    assert y_test != sorted(y_test)  # shuffled, not grouped by class


def test_train_val_test_split() -> None:
    X, y = numbered(20)
    X_tr, X_va, X_te, y_tr, y_va, y_te = train_val_test_split(X, y, 0.2, 0.25, seed=0)
    assert (len(X_tr), len(X_va), len(X_te)) == (11, 4, 5)
    assert_partition([X_tr, X_va, X_te], [y_tr, y_va, y_te], 20)
    assert train_val_test_split(X, y, 0.2, 0.25, seed=0) == (X_tr, X_va, X_te, y_tr, y_va, y_te)
    assert train_val_test_split(X, y, 0.2, 0.25, seed=1) != (X_tr, X_va, X_te, y_tr, y_va, y_te)
    assert [len(p) for p in train_val_test_split(X, y, 3, 2, seed=0)[:3]] == [15, 3, 2]
    Xi, yi, _ = load_iris()
    parts = train_val_test_split(Xi, yi, 0.2, 0.2, stratify=True, seed=0)
    assert [sorted(Counter(p).values()) for p in parts[3:]] == [[30, 30, 30], [10, 10, 10], [10, 10, 10]]


# ------------------------------------------------------------ batches, one-hot, noise


@given(n=st.integers(1, 50), batch_size=st.integers(1, 60), seed=st.integers(0, 1000))
def test_batches_cover_every_sample_once(n: int, batch_size: int, seed: int) -> None:
    X, y = numbered(n)
    epoch = list(batches(X, y, batch_size, seed=seed))
    sizes = [len(xb) for xb, _ in epoch]
    assert sizes == [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    assert_partition([xb for xb, _ in epoch], [yb for _, yb in epoch], n)


def test_batches_shuffle_per_seed_and_per_epoch() -> None:
    X, y = numbered(30)

    def order(**kwargs: Any) -> list[int]:
        return [label for _, yb in batches(X, y, 4, **kwargs) for label in yb]

    assert order(shuffle=False) == list(range(30))
    assert order(seed=0) == order(seed=0) != order(seed=1)
    assert sorted(order(seed=0)) == list(range(30)) and order(seed=0) != list(range(30))
    rng = random.Random(0)
    first, second = order(rng=rng), order(rng=rng)
    assert first == order(seed=0) and second != first  # one rng: a new order every epoch


def test_batches_check_arguments_at_the_call() -> None:
    with pytest.raises(ValueError, match=r"^batches: batch_size must be an integer >= 1, got int 0$"):
        batches([[1.0]], [0], 0)  # not only when the first batch is drawn


@given(st.lists(st.integers(0, 6), max_size=20), st.integers(0, 3))
def test_one_hot_matches_numpy_eye(labels: list[int], extra: int) -> None:
    k = (max(labels) + 1 if labels else 0) + extra
    if labels:
        assert one_hot(labels) == np.eye(max(labels) + 1)[labels].tolist()
    if k >= 1:
        encoded = one_hot(labels, num_classes=k)
        assert encoded == np.eye(k)[labels].tolist() if labels else encoded == []
    assert one_hot([]) == []


def test_one_hot_feeds_batches() -> None:
    X, _ = numbered(4)
    ((xb, yb),) = batches(X, one_hot([0, 1, 2, 1]), 4, shuffle=False)
    assert xb == X and yb == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]


def test_add_noise() -> None:
    X = [[float(i), 2.0 * i, -1.0] for i in range(1500)]
    snapshot = [row[:] for row in X]
    noisy = add_noise(X, 0.3, seed=0)
    assert X == snapshot and noisy is not X and len(noisy) == len(X) and all(len(r) == 3 for r in noisy)
    deltas = np.asarray(noisy) - np.asarray(X)
    assert abs(deltas.mean()) < 4 * 0.3 / math.sqrt(deltas.size)
    assert abs(deltas.std() - 0.3) < 4 * 0.3 / math.sqrt(2 * deltas.size)
    assert add_noise(X, 0.3, seed=0) == noisy != add_noise(X, 0.3, seed=1)
    rng = random.Random(0)
    assert add_noise(X, 0.3, rng=rng) == noisy and add_noise(X, 0.3, rng=rng) != noisy  # fresh per epoch
    copy = add_noise(X, 0.0, seed=0)
    assert copy == X and copy[0] is not X[0]


# ------------------------------------------------------------ Jacobi eigendecomposition


def symmetric_matrices(max_n: int = 6) -> Any:
    def build(n: int) -> Any:
        entries = st.floats(-10, 10, allow_nan=False, allow_subnormal=False)
        return st.lists(entries, min_size=n * n, max_size=n * n).map(
            lambda v: ((np.array(v).reshape(n, n) + np.array(v).reshape(n, n).T) / 2).tolist()
        )

    return st.integers(1, max_n).flatmap(build)


@given(symmetric_matrices())
def test_jacobi_matches_numpy_eigh(A: list[list[float]]) -> None:
    a = np.array(A)
    n = len(A)
    w, V = jacobi_eigh(A)
    w_np, V_np = np.linalg.eigh(a)
    scale = max(1.0, float(np.abs(a).max()))
    assert close_all(w, w_np, 1e-12 * scale * n)
    v = np.array(V)
    assert close_all(v.T @ v, np.eye(n), 1e-13 * n)  # orthonormal
    assert close_all(a @ v, v * np.array(w), 1e-12 * scale * n)  # A V = V Λ
    assert all(w[k] <= w[k + 1] for k in range(n - 1))
    for k in range(n):
        column = v[:, k]
        assert column[np.argmax(np.abs(column))] > 0  # sign convention
        gap = min([abs(w_np[k] - w_np[j]) for j in range(n) if j != k], default=math.inf)
        if gap > 1e-3 * scale:  # well-separated: the same eigenvector as numpy's, up to sign
            assert abs(abs(float(column @ V_np[:, k])) - 1) < 1e-9


def test_jacobi_closed_forms_and_special_matrices() -> None:
    a, b, c = 3.0, -2.0, 1.5  # [[a, b], [b, c]]: (a + c)/2 ± √(((a − c)/2)² + b²)
    root = math.sqrt(((a - c) / 2) ** 2 + b * b)
    w, _ = jacobi_eigh([[a, b], [b, c]])
    assert close_all(w, [(a + c) / 2 - root, (a + c) / 2 + root], 1e-14)
    assert jacobi_eigh([[0.0, 0.0], [0.0, 0.0]]) == ([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]])
    assert jacobi_eigh([[2.0, 0.0], [0.0, -1.0]]) == ([-1.0, 2.0], [[0.0, 1.0], [1.0, 0.0]])
    assert jacobi_eigh([[4.0]]) == ([4.0], [[1.0]])
    w, V = jacobi_eigh(np.eye(3).tolist())  # repeated eigenvalues
    assert w == [1.0, 1.0, 1.0] and V == np.eye(3).tolist()
    rng = np.random.default_rng(0)
    m = rng.normal(size=(25, 25))
    big = (m + m.T).tolist()
    w, V = jacobi_eigh(big)
    assert close_all(w, np.linalg.eigvalsh(np.array(big)), 1e-11)


# ------------------------------------------------------------ preprocessing


def datasets(min_rows: int = 1, extra_rows: int = 0, max_rows: int = 14, max_features: int = 4) -> Any:
    """Small random datasets: N rows of d features in [−100, 100] (bounded, no subnormals),
    with N ≥ max(min_rows, d + extra_rows)."""
    values = st.floats(-100, 100, allow_nan=False, allow_subnormal=False)

    def build(d: int) -> Any:
        row = st.lists(values, min_size=d, max_size=d)
        return st.lists(row, min_size=max(min_rows, d + extra_rows), max_size=max_rows)

    return st.integers(1, max_features).flatmap(build)


def spread_ok(X: list[list[float]]) -> bool:
    """Every feature varies well above rounding (σ > 1e-6·max|x|), so ratios are accurate to 1e-9,
    and σ > 1e-150, so numpy's std (the reference) squares no deviation into a subnormal."""
    a = np.asarray(X)
    std = a.std(axis=0)
    return bool(np.all(std > 1e-6 * np.maximum(np.abs(a).max(axis=0), 1e-300)) and np.all(std > 1e-150))


def test_standardizer_is_exact_for_tiny_deviations() -> None:
    """Deviations whose squares are subnormal (2.9e-161² ≈ 8.6e-322) still standardize to ±1."""
    X = [[0.0], [2.9265543806571183e-161]]
    assert Standardizer().fit_transform(X) == [[-1.0], [1.0]]


@given(datasets(min_rows=1))
def test_mean_subtraction_centres_training_data(X: list[list[float]]) -> None:
    Z = MeanSubtraction().fit_transform(X)
    assert close_all(np.asarray(Z).mean(axis=0), 0.0, 1e-12)
    assert close_all(Z, np.asarray(X) - np.asarray(X).mean(axis=0), 1e-12)


@given(datasets(min_rows=2))
def test_standardizer_gives_zero_mean_unit_variance(X: list[list[float]]) -> None:
    assume(spread_ok(X))
    Z = np.asarray(Standardizer().fit_transform(X))
    assert close_all(Z.mean(axis=0), 0.0, 1e-9)
    assert close_all(Z.var(axis=0), 1.0, 1e-9)  # numpy's var: normalised by N
    a = np.asarray(X)
    assert close_all(Z, (a - a.mean(axis=0)) / a.std(axis=0), 1e-9)


def test_standardizer_leaves_constant_features_centred() -> None:
    X = [[1.0, 0.1], [3.0, 0.1], [5.0, 0.1]]  # 0.1·3/3 is not exactly 0.1 in floats: exact zeros anyway
    s = Standardizer().fit(X)
    assert s.std_ == [math.sqrt(8 / 3), 0.0] and s.mean_ == [3.0, 0.1]
    assert [row[1] for row in s.transform(X)] == [0.0, 0.0, 0.0]
    assert s.transform([[3.0, 2.1]])[0] == [0.0, 2.0]  # test data: x − μ only, for that feature


@pytest.mark.parametrize("method", ["pca", "zca"])
@given(X=datasets(extra_rows=2))
def test_whitening_gives_identity_covariance(method: str, X: list[list[float]]) -> None:
    a = np.asarray(X)
    cov = np.cov(a, rowvar=False, bias=True).reshape(a.shape[1], a.shape[1])  # numpy's, normalised by N
    eig = np.linalg.eigvalsh(cov)
    # full rank and well conditioned; an "eigenvalue" at rounding level of the data's size
    # (numpy's 5e-29 for three equal rows, where ours is exactly 0) is rank deficiency
    assume(eig[-1] > 1e-12 * (1.0 + float((a * a).mean())) and eig[0] > 1e-6 * eig[-1])
    w = Whitening(method=method).fit(X)
    assert close_all(w.eigenvalues_, eig[::-1], 1e-9 * eig[-1])  # our covariance + Jacobi vs numpy
    Z = np.asarray(w.transform(X))
    assert close_all(Z.mean(axis=0), 0.0, 1e-9)
    assert close_all(np.cov(Z, rowvar=False, bias=True), np.eye(a.shape[1]), 1e-9)
    if method == "zca":  # the symmetric whitening matrix V Λ^(−1/2) Vᵀ, from numpy's eigh
        lam, V = np.linalg.eigh(cov)
        reference = (a - a.mean(axis=0)) @ (V @ np.diag(lam**-0.5) @ V.T)
        assert close_all(Z, reference, 1e-9 * max(1.0, float(np.abs(reference).max())))


def test_whitening_decorrelates_correlated_data() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=(400, 1))
    a = np.hstack([base, 2 * base + 0.1 * rng.normal(size=(400, 1)), -base + rng.normal(size=(400, 1))]) + 5
    corr = np.corrcoef(a, rowvar=False)
    assert abs(corr[0, 1]) > 0.99 and abs(corr[0, 2]) > 0.5  # strongly correlated input
    for method in ("pca", "zca"):
        Z = np.asarray(Whitening(method=method).fit_transform(a.tolist()))
        assert close_all(np.cov(Z, rowvar=False, bias=True), np.eye(3), 1e-9)
    # PCA whitening puts the largest-variance direction first: the projections of the data
    Z = np.asarray(Whitening(method="pca").fit_transform(a.tolist()))
    lam, V = np.linalg.eigh(np.cov(a, rowvar=False, bias=True))
    reference = (a - a.mean(axis=0)) @ V[:, ::-1] / np.sqrt(lam[::-1])
    assert close_all(np.abs(Z), np.abs(reference), 1e-9)


def test_test_data_uses_training_statistics() -> None:
    """Notes 002 §7.2: fit on the training set, apply the same μ, σ, W to the test set."""
    X_train = [[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]]  # μ = (3, 6), σ² = (8/3, 32/3)
    X_test = [[0.0, 0.0], [7.0, 8.0]]
    m = MeanSubtraction().fit(X_train)
    assert m.transform(X_test) == [[-3.0, -6.0], [4.0, 2.0]]
    s = Standardizer().fit(X_train)
    expected = [
        [-3 / math.sqrt(8 / 3), -6 / math.sqrt(32 / 3)],
        [4 / math.sqrt(8 / 3), 2 / math.sqrt(32 / 3)],
    ]
    assert close_all(s.transform(X_test), expected, 1e-15)
    for model in (MeanSubtraction, Standardizer):
        fitted = model().fit(X_train)
        mean = list(fitted.mean_ or [])
        assert fitted.transform(X_test) != model().fit_transform(X_test)  # no refit on the test set
        assert fitted.mean_ == mean  # transform does not touch the fitted statistics
    # whitening: μ = 0, Σ = diag(½, 2) → PCA axes (x₂, x₁) scaled by (1/√2, √2); ZCA keeps the axes
    X_train = [[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]]
    pca, zca = Whitening("pca").fit(X_train), Whitening("zca").fit(X_train)
    assert pca.eigenvalues_ == [2.0, 0.5] and pca.components_ == [[0.0, 1.0], [1.0, 0.0]]
    assert close_all(pca.transform([[1.0, 1.0]]), [[1 / math.sqrt(2), math.sqrt(2)]], 1e-15)
    assert close_all(zca.transform([[1.0, 1.0]]), [[math.sqrt(2), 1 / math.sqrt(2)]], 1e-15)
    assert zca.transform([[1.0, 1.0]]) != Whitening("zca").fit_transform([[1.0, 1.0], [3.0, -1.0]])[:1]


@pytest.mark.parametrize("method", ["pca", "zca"])
def test_whitening_guard_keeps_rank_deficient_data_finite(method: str) -> None:
    rng = random.Random(0)
    X = [[float(rng.randint(-9, 9)), float(rng.randint(-9, 9))] for _ in range(30)]
    X = [[a, b, a - 2 * b] for a, b in X]  # third feature is a combination: Σ is singular
    w = Whitening(method=method).fit(X)
    assert abs(w.eigenvalues_[-1]) < 1e-12 * w.eigenvalues_[0]  # (numerically) zero eigenvalue
    Z = np.asarray(w.transform(X))
    assert np.all(np.isfinite(Z)) and np.abs(Z).max() < 10
    cov = np.cov(Z, rowvar=False, bias=True)
    # identity on the two real directions; the null direction stays (numerically) at zero variance
    lam = np.linalg.eigvalsh(cov)
    assert close_all(lam[1:], [1.0, 1.0], 1e-9) and abs(lam[0]) < 1e-6
    assert np.all(np.isfinite(w.transform([[100.0, -50.0, 3.0]])))  # off the training subspace too
    # degenerate training sets: one row, or all rows equal, give zeros
    assert Whitening(method).fit_transform([[1.0, 2.0]]) == [[0.0, 0.0]]
    assert Whitening(method).fit_transform([[1.0, 2.0, 3.0]] * 4) == [[0.0, 0.0, 0.0]] * 4
    assert np.all(np.isfinite(Whitening(method).fit_transform([[1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 5.0, 2.0]])))


def test_preprocessing_on_iris() -> None:
    X, y, _ = load_iris()
    X_train, X_test, _, _ = train_test_split(X, y, 0.3, stratify=True, seed=0)
    for transform in (Standardizer(), Whitening("zca"), Whitening("pca")):
        Z = np.asarray(transform.fit_transform(X_train))
        target = np.eye(4) if isinstance(transform, Whitening) else np.corrcoef(X_train, rowvar=False)
        assert close_all(np.cov(Z, rowvar=False, bias=True), target, 1e-9)
        assert len(transform.transform(X_test)) == len(X_test)


def test_repr() -> None:
    assert repr(Standardizer()) == "Standardizer()" and repr(MeanSubtraction()) == "MeanSubtraction()"
    assert repr(Whitening("zca", eps=1e-6)) == "Whitening(method='zca', eps=1e-06)"


# ------------------------------------------------------------ preprocessing at the float limits


def scale(X: list[list[float]], k: int) -> list[list[float]]:
    """2ᵏ·X, exactly (ldexp; the data are chosen so that nothing underflows or overflows)."""
    return [[math.ldexp(x, k) for x in row] for row in X]


SMALL_INTS = [[1.0, 0.0], [0.0, 2.0], [2.0, 1.0], [3.0, 3.0], [1.0, 1.0]]


def test_preprocessing_at_plus_minus_1e308() -> None:
    X = [[1e308], [-1e308]]  # μ = 0 and σ = 1e308, though 1e308 − (−1e308) overflows
    assert Standardizer().fit_transform(X) == [[1.0], [-1.0]]
    s = Standardizer().fit(X)
    assert s.mean_ == [0.0] and s.std_ == [1e308]
    assert MeanSubtraction().fit_transform(X) == [[1e308], [-1e308]]
    # MAX, −MAX, −MAX: μ = −MAX/3, deviations (4/3, −2/3, −2/3)·MAX, σ = (2√2/3)·MAX, so
    # z = (√2, −1/√2, −1/√2), although the first deviation itself is beyond float range
    Y = [[MAX], [-MAX], [-MAX]]
    assert Standardizer().fit_transform(Y) == [[math.sqrt(2)], [-1 / math.sqrt(2)], [-1 / math.sqrt(2)]]
    with pytest.raises(ValueError) as info:
        MeanSubtraction().fit_transform(Y)
    assert str(info.value) == (
        "MeanSubtraction.fit_transform: X[0][0] must be close enough to feature 0's mean -5.99231e+307 "
        "that x − μ fits a float (|x − μ| < 1.8e308), got float 1.7976931348623157e+308"
    )
    m = MeanSubtraction().fit(Y)  # the mean itself is fine; only that centred value is not
    # μ = x₀ + (1/N)·Σ(xᵢ − x₀) rounds twice: within 2 ulp of −MAX/3, as for any data
    assert m.mean_ is not None and abs(Fraction(m.mean_[0]) + Fraction(MAX) / 3) <= 2 * math.ulp(MAX / 3)
    assert m.transform([[-MAX], [0.0]]) == [[-MAX - m.mean_[0]], [-m.mean_[0]]]


def test_preprocessing_of_subnormals() -> None:
    X = [[TINY], [2 * TINY]]  # 2⁻¹⁰⁷⁴·[[1], [2]]: standardises like [[1], [2]]
    assert Standardizer().fit_transform(X) == [[-1.0], [1.0]]
    # the public σ = 2⁻¹⁰⁷⁵ rounds (half to even) to 0.0; the transform keeps it exact
    assert Standardizer().fit(X).std_ == [0.0] and Standardizer().fit(X).transform([[3 * TINY]]) == [[3.0]]
    # μ = 1.5·2⁻¹⁰⁷⁴ rounds (half to even) to 2·2⁻¹⁰⁷⁴, so x − μ = (−2⁻¹⁰⁷⁴, 0): the nearest
    # floats to the exact ∓2⁻¹⁰⁷⁵, which no float holds
    assert MeanSubtraction().fit_transform(X) == [[-TINY], [0.0]]
    sub = scale(SMALL_INTS, -1074)
    assert Standardizer().fit_transform(sub) == Standardizer().fit_transform(SMALL_INTS)
    for method in ("pca", "zca"):
        assert Whitening(method).fit_transform(sub) == Whitening(method).fit_transform(SMALL_INTS)


@pytest.mark.parametrize("k", [664, 1021, -664, -1020])  # 2⁶⁶⁴ ≈ 1.2e200, 2¹⁰²¹·3 ≈ 6.7e307
def test_whitening_of_huge_and_tiny_data(k: int) -> None:
    """Covariances of data near 1e200 (1e400) or 1e-200 (1e-400) are beyond float range: they are
    formed on the data divided by a power of two, and whitening does not depend on the scale."""
    big = scale(SMALL_INTS, k)
    for method in ("pca", "zca"):
        w, reference = Whitening(method).fit(big), Whitening(method).fit(SMALL_INTS)
        assert w.transform(big) == reference.transform(SMALL_INTS)
        assert w.components_ == reference.components_
        assert w.mean_ == [math.ldexp(m, k) for m in reference.mean_ or []]
        assert reference.eigenvalues_ is not None and w.eigenvalues_ is not None
        if k > 0:  # λ·2²ᵏ ≈ 1e400 is no float: reported as inf (the transform does not use it)
            assert w.eigenvalues_ == [math.inf, math.inf]
        else:  # λ·2²ᵏ underflows to 0 (k = −664: 1e-400); the transform is still exact
            assert w.eigenvalues_ == [0.0, 0.0]


def test_transform_results_beyond_float_range_are_errors() -> None:
    s = Standardizer().fit([[0.0], [TINY]])  # μ = σ = 2⁻¹⁰⁷⁵: (1 − μ)/σ ≈ 4e323
    with pytest.raises(ValueError) as info:
        s.transform([[TINY], [1.0]])
    assert str(info.value) == (
        "Standardizer.transform: X[1][0] must be close enough to feature 0's training data that "
        "(x − μ)/σ fits a float (μ = 2.47033E-324, σ = 2.47033E-324), got float 1.0"
    )
    assert s.transform([[TINY], [0.0]]) == [[1.0], [-1.0]]
    # a new x far outside the training data whose z still fits: redone exactly, no overflow on the way
    wide = Standardizer().fit([[-1.0], [1.0]])  # μ = 0, σ = 1
    assert wide.transform([[MAX], [-MAX]]) == [[MAX], [-MAX]]
    w = Whitening().fit([[0.0, 0.0], [TINY, 0.0], [0.0, TINY]])
    with pytest.raises(ValueError) as info:
        w.transform([[1e308, 0.0]])
    assert str(info.value) == (
        "Whitening.transform: X[0] must be a row close enough to the training data that whitened component 0 "
        "fits a float (|z| < 1.8e308), got list [1e+308, 0.0]"
    )
    m = MeanSubtraction().fit([[-MAX], [-MAX]])
    assert m.transform([[0.0]]) == [[MAX]]
    with pytest.raises(ValueError, match=r"^MeanSubtraction.transform: X\[0\]\[0\] must be close enough"):
        m.transform([[1.0e308]])


def dyadic_datasets() -> Any:
    """Up to 6 rows of 1 to 3 features, multiples of 2⁻¹⁰ below 2²⁰ in magnitude: any 2ᵏ·X with
    −1000 ≤ k ≤ 1000 is exact and so are the statistics (no subnormals, no overflow)."""
    values = st.integers(-(2**30), 2**30).map(lambda v: v / 2**10)
    return st.integers(1, 3).flatmap(
        lambda d: st.lists(st.lists(values, min_size=d, max_size=d), min_size=1, max_size=6)
    )


@given(X=dyadic_datasets(), k=st.integers(-1000, 1000))
def test_preprocessing_commutes_with_powers_of_two(X: list[list[float]], k: int) -> None:
    """Standardising and whitening do not depend on the units; centring scales with them: for
    c = 2ᵏ, S(cX) = S(X), W(cX) = W(X) and M(cX) = c·M(X), bit for bit."""
    cX = scale(X, k)
    s, cs = Standardizer().fit(X), Standardizer().fit(cX)
    assert cs.transform(cX) == s.transform(X)
    assert cs.mean_ == [math.ldexp(m, k) for m in s.mean_ or []]
    assert cs.std_ == [math.ldexp(v, k) for v in s.std_ or []]
    assert MeanSubtraction().fit_transform(cX) == scale(MeanSubtraction().fit_transform(X), k)
    for method in ("pca", "zca"):
        assert Whitening(method).fit_transform(cX) == Whitening(method).fit_transform(X)


@given(A=symmetric_matrices(4), k=st.integers(-1000, 1000))
def test_jacobi_commutes_with_powers_of_two(A: list[list[float]], k: int) -> None:
    """2ᵏ·A has eigenvalues 2ᵏ·λ and the same eigenvectors, even when its entries are near
    1e308 (squares overflow) or 1e-300 (squares underflow)."""
    assume(all(math.ldexp(math.ldexp(a, k), -k) == a for row in A for a in row))  # 2ᵏ·A is exact
    w, V = jacobi_eigh(A)
    assume(all(math.ldexp(math.ldexp(lam, k), -k) == lam for lam in w))  # and so is 2ᵏ·λ
    assert jacobi_eigh(scale(A, k)) == ([math.ldexp(lam, k) for lam in w], V)


def test_jacobi_at_the_float_limits() -> None:
    assert jacobi_eigh([[1e308, 0.0], [0.0, -1e308]]) == ([-1e308, 1e308], [[0.0, 1.0], [1.0, 0.0]])
    w, V = jacobi_eigh([[5e307, 5e307], [5e307, 5e307]])  # λ = 0, 1e308: squares would overflow
    root = math.sqrt(0.5)  # eigenvectors (1, −1)/√2 and (1, 1)/√2, first largest component positive
    assert w == [0.0, 1e308] and close_all(V, [[root, root], [-root, root]], 2e-16)
    assert jacobi_eigh([[TINY, 0.0], [0.0, 2 * TINY]]) == ([TINY, 2 * TINY], [[1.0, 0.0], [0.0, 1.0]])


def test_huge_turns_and_noise_stay_finite_or_fail_clearly() -> None:
    X, _ = make_spirals(12, turns=1e308, noise=0.0, seed=0)  # 2π·turns overflows; the angle does not
    assert all(math.isfinite(v) for row in X for v in row)
    assert sorted(round(math.hypot(*x), 12) for x in X) == sorted(
        [round((i + 1) / 6, 12) for i in range(6)] * 2
    )
    X, _ = make_moons(10, noise=1e300, seed=0)  # huge but the noisy points still fit
    assert all(math.isfinite(v) for row in X for v in row)


# ------------------------------------------------------------ bad arguments

NAN, INF = float("nan"), float("inf")
XY = ([[0.0, 1.0], [1.0, 2.0], [2.0, 3.0], [3.0, 4.0]], [0, 1, 0, 1])
HUGE = 10**400  # an int beyond float range: "an integer of 1329 bits"
HUGE_FRACTION = Fraction(10**400, 3)
RANGE = "within float range (|x| < 1.8e308)"
GATE_NAMES = "a gate name, one of AND, OR, NAND, NOR, XOR, XNOR (in any case)"
ENCODINGS = "'binary' (0/1) or 'bipolar' (-1/+1)"
RNG = "None or a random source such as random.Random(0)"
N_MOONS = "an integer in [2, 10000000]"

# (where, call, error type, the whole message after "where: ")
BAD_CALLS: list[tuple[str, Callable[[], Any], type, str]] = [
    ("logic_gate", lambda: logic_gate("XAND"), ValueError, f"name must be {GATE_NAMES}, got str 'XAND'"),
    ("logic_gate", lambda: logic_gate(2), TypeError, f"name must be {GATE_NAMES}, got int 2"),
    (
        "logic_gate",
        lambda: logic_gate("AND", inputs="signed"),
        ValueError,
        f"inputs must be {ENCODINGS}, got str 'signed'",
    ),
    (
        "logic_gate",
        lambda: logic_gate("AND", labels=None),
        TypeError,
        f"labels must be {ENCODINGS}, got NoneType None",
    ),
    ("xor3", lambda: xor3(labels="pm1"), ValueError, f"labels must be {ENCODINGS}, got str 'pm1'"),
    ("make_moons", lambda: make_moons(1), ValueError, f"n must be {N_MOONS}, got int 1"),
    ("make_moons", lambda: make_moons(10.0), TypeError, f"n must be {N_MOONS}, got float 10.0"),
    ("make_moons", lambda: make_moons(True), TypeError, f"n must be {N_MOONS}, got bool True"),
    ("make_moons", lambda: make_moons(HUGE), ValueError, f"n must be {N_MOONS}, got an integer of 1329 bits"),
    ("make_moons", lambda: make_moons(10**7 + 1), ValueError, f"n must be {N_MOONS}, got int 10000001"),
    (
        "make_moons",
        lambda: make_moons(10, noise=-0.1),
        ValueError,
        "noise must be a finite number >= 0, got float -0.1",
    ),
    (
        "make_moons",
        lambda: make_moons(10, noise=NAN),
        ValueError,
        "noise must be a finite number >= 0, got float nan",
    ),
    (
        "make_moons",
        lambda: make_moons(10, noise="0.1"),
        TypeError,
        "noise must be a finite number >= 0, got str '0.1'",
    ),
    (
        "make_moons",
        lambda: make_moons(10, noise=HUGE),
        ValueError,
        f"noise must be a finite number >= 0 {RANGE}, got an integer of 1329 bits",
    ),
    (
        "make_moons",
        lambda: make_moons(10, noise=Decimal("1e400")),
        ValueError,
        f"noise must be a finite number >= 0 {RANGE}, got Decimal Decimal('1E+400')",
    ),
    (
        "make_moons",
        lambda: make_moons(10, noise=1e308, seed=0),
        ValueError,
        "noise must be small enough that the noisy data stay within float range, got float 1e+308",
    ),
    ("make_moons", lambda: make_moons(10, shuffle=1), TypeError, "shuffle must be True or False, got int 1"),
    (
        "make_moons",
        lambda: make_moons(10, seed=1, rng=random.Random(1)),
        ValueError,
        "seed must be None when rng= is given (give seed= or rng=, not both), got int 1",
    ),
    ("make_moons", lambda: make_moons(10, seed=1.5), TypeError, "seed must be an integer, got float 1.5"),
    ("make_moons", lambda: make_moons(10, rng=5), TypeError, f"rng must be {RNG}, got int 5"),
    (
        "make_circles",
        lambda: make_circles(10, factor=1.0),
        ValueError,
        "factor must be a finite number in (0, 1), got float 1.0",
    ),
    (
        "make_circles",
        lambda: make_circles(10, factor=0),
        ValueError,
        "factor must be a finite number in (0, 1), got int 0",
    ),
    (
        "make_circles",
        lambda: make_circles(10, factor=HUGE_FRACTION),
        ValueError,
        f"factor must be a finite number in (0, 1) {RANGE}, got Fraction Fraction(1000000000…",
    ),
    ("make_circles", lambda: make_circles(0), ValueError, f"n must be {N_MOONS}, got int 0"),
    (
        "make_circles",
        lambda: make_circles(10, noise=INF),
        ValueError,
        "noise must be a finite number >= 0, got float inf",
    ),
    (
        "make_spirals",
        lambda: make_spirals(10, classes=1),
        ValueError,
        "classes must be an integer in [2, 10000000], got int 1",
    ),
    (
        "make_spirals",
        lambda: make_spirals(2, classes=3),
        ValueError,
        "n must be an integer in [3, 10000000], got int 2",
    ),
    (
        "make_spirals",
        lambda: make_spirals(10, turns=0),
        ValueError,
        "turns must be a finite number > 0, got int 0",
    ),
    (
        "make_spirals",
        lambda: make_spirals(10, noise=-1),
        ValueError,
        "noise must be a finite number >= 0, got int -1",
    ),
    (
        "make_blobs",
        lambda: make_blobs(2, centers=3),
        ValueError,
        "n must be an integer in [3, 10000000], got int 2",
    ),
    (
        "make_blobs",
        lambda: make_blobs(10, centers=0),
        ValueError,
        "centers must be an integer in [1, 10000000], got int 0",
    ),
    (
        "make_blobs",
        lambda: make_blobs(10, centers=[]),
        ValueError,
        "centers must be a non-empty list of rows, got list []",
    ),
    (
        "make_blobs",
        lambda: make_blobs(10, centers=[[0.0, 0.0], [1.0]]),
        ValueError,
        "centers[1] must be a row of 2 numbers like centers[0], got list [1.0]",
    ),
    (
        "make_blobs",
        lambda: make_blobs(10, centers=[[0.0, NAN]]),
        ValueError,
        "centers[0][1] must be a finite number, got float nan",
    ),
    (
        "make_blobs",
        lambda: make_blobs(10, centers=2.5),
        TypeError,
        "centers must be a count or a list of centre points, got float 2.5",
    ),
    (
        "make_blobs",
        lambda: make_blobs(10, std=-1.0),
        ValueError,
        "std must be a finite number >= 0, got float -1.0",
    ),
    (
        "make_blobs",
        lambda: make_blobs(10, centers=[[1e308]], std=1e308, seed=0),
        ValueError,
        "std must be small enough that the noisy data stay within float range, got float 1e+308",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1][:3]),
        ValueError,
        "y must be a list of 4 labels, one per row of X, got list [0, 1, 0]",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], 0),
        ValueError,
        "test_size must be a fraction in (0, 1) or a row count in [1, 3] for 4 rows, got int 0",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], 4),
        ValueError,
        "test_size must be a fraction in (0, 1) or a row count in [1, 3] for 4 rows, got int 4",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], HUGE),
        ValueError,
        "test_size must be a fraction in (0, 1) or a row count in [1, 3] for 4 rows, "
        "got an integer of 1329 bits",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], 1.0),
        ValueError,
        "test_size must be a fraction in (0, 1) or a row count in [1, 3], got float 1.0",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], -0.2),
        ValueError,
        "test_size must be a fraction in (0, 1) or a row count in [1, 3], got float -0.2",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], NAN),
        ValueError,
        "test_size must be a fraction in (0, 1) or a row count in [1, 3], got float nan",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], HUGE_FRACTION),
        ValueError,
        f"test_size must be a fraction in (0, 1) or a row count in [1, 3] {RANGE}, "
        "got Fraction Fraction(1000…",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], 0.9),  # round(0.9·4) = 4 rows: no training row left
        ValueError,
        "test_size must be a fraction that leaves a training row: round(test_size·4) = 4 of 4 rows, "
        "got float 0.9",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], "0.25"),
        TypeError,
        "test_size must be a fraction in (0, 1) or a row count in [1, 3], got str '0.25'",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], True),
        TypeError,
        "test_size must be a fraction in (0, 1) or a row count in [1, 3], got bool True",
    ),
    (
        "train_test_split",
        lambda: train_test_split([[0.0], [NAN]], [0, 1]),
        ValueError,
        "X[1][0] must be a finite number, got float nan",
    ),
    (
        "train_test_split",
        lambda: train_test_split([[0.0], [HUGE]], [0, 1]),
        ValueError,
        f"X[1][0] must be a finite number {RANGE}, got an integer of 1329 bits",
    ),
    (
        "train_test_split",
        lambda: train_test_split([[0.0], [1.0]], [0, NAN]),
        ValueError,
        "y[1] must be a finite number, got float nan",
    ),
    (
        "train_test_split",
        lambda: train_test_split([[0.0]], [0]),
        ValueError,
        "X must be a list of at least 2 rows (to split), got list [[0.0]]",
    ),
    (
        "train_test_split",
        lambda: train_test_split([], []),
        ValueError,
        "X must be a non-empty list of rows, got list []",
    ),
    (
        "train_test_split",
        lambda: train_test_split([1.0, 2.0], [0, 1]),
        TypeError,
        "X[0] must be a row (a list of numbers), got float 1.0",
    ),
    (
        "train_test_split",
        lambda: train_test_split([[0.0], [1.0]], 5),
        TypeError,
        "y must be a list of labels, got int 5",
    ),
    (
        "train_test_split",
        lambda: train_test_split([[0.0], [1.0]], [[0], [1]], stratify=True),
        TypeError,
        "y[0] must be a hashable label (stratify=True groups rows by label), got list [0]",
    ),
    (
        "train_test_split",
        lambda: train_test_split(XY[0], XY[1], stratify="yes"),
        TypeError,
        "stratify must be True or False, got str 'yes'",
    ),
    (
        "train_val_test_split",
        lambda: train_val_test_split(XY[0], XY[1], 2, 2),
        ValueError,
        "val_size + test_size must be at most 3 rows (one of the 4 for training), "
        "got val_size=2 (2 rows) and test_size=2 (2 rows)",
    ),
    (
        "train_val_test_split",
        lambda: train_val_test_split(XY[0][:2], XY[1][:2]),
        ValueError,
        "X must be a list of at least 3 rows (to split three ways), got list [[0.0, 1.0], [1.0, 2.0]]",
    ),
    (
        "train_val_test_split",
        lambda: train_val_test_split(XY[0], XY[1], 1.5),
        ValueError,
        "val_size must be a fraction in (0, 1) or a row count in [1, 3], got float 1.5",
    ),
    (
        "batches",
        lambda: batches(XY[0], XY[1], 0),
        ValueError,
        "batch_size must be an integer >= 1, got int 0",
    ),
    (
        "batches",
        lambda: batches(XY[0], XY[1], 2.0),
        TypeError,
        "batch_size must be an integer >= 1, got float 2.0",
    ),
    (
        "batches",
        lambda: batches(XY[0], XY[1][:2], 2),
        ValueError,
        "y must be a list of 4 labels, one per row of X, got list [0, 1]",
    ),
    (
        "batches",
        lambda: batches([[INF]], [0], 1),
        ValueError,
        "X[0][0] must be a finite number, got float inf",
    ),
    (
        "batches",
        lambda: batches([[0.0], ["a"]], [0, 1], 1),
        TypeError,
        "X[1][0] must be a finite number, got str 'a'",
    ),
    ("batches", lambda: batches(XY[0], XY[1], 2, rng=5), TypeError, f"rng must be {RNG}, got int 5"),
    ("one_hot", lambda: one_hot([0, -1]), ValueError, "labels[1] must be an integer >= 0, got int -1"),
    (
        "one_hot",
        lambda: one_hot([0, 3], num_classes=3),
        ValueError,
        "labels[1] must be an integer in [0, 2], got int 3",
    ),
    ("one_hot", lambda: one_hot([0.0, 1.0]), TypeError, "labels[0] must be an integer >= 0, got float 0.0"),
    (
        "one_hot",
        lambda: one_hot([0, HUGE]),
        ValueError,
        "labels[1] must be a class index below MAX_SIZE = 10000000, got an integer of 1329 bits",
    ),
    (
        "one_hot",
        lambda: one_hot([0], num_classes=0),
        ValueError,
        "num_classes must be an integer in [1, 10000000], got int 0",
    ),
    ("one_hot", lambda: one_hot(3), TypeError, "labels must be a list of integer class labels, got int 3"),
    (
        "add_noise",
        lambda: add_noise(XY[0], -0.5),
        ValueError,
        "std must be a finite number >= 0, got float -0.5",
    ),
    (
        "add_noise",
        lambda: add_noise(XY[0], INF),
        ValueError,
        "std must be a finite number >= 0, got float inf",
    ),
    ("add_noise", lambda: add_noise([], 0.1), ValueError, "X must be a non-empty list of rows, got list []"),
    (
        "add_noise",
        lambda: add_noise([[]], 0.1),
        ValueError,
        "X[0] must be a row of at least one number, got list []",
    ),
    ("linspace", lambda: linspace(0.0, INF, 3), ValueError, "stop must be a finite number, got float inf"),
    (
        "linspace",
        lambda: linspace(0.0, 1.0, -1),
        ValueError,
        "m must be an integer in [0, 10000000], got int -1",
    ),
    (
        "linspace",
        lambda: linspace(0.0, 1.0, HUGE),
        ValueError,
        "m must be an integer in [0, 10000000], got an integer of 1329 bits",
    ),
    ("linspace", lambda: linspace("0", 1.0, 3), TypeError, "start must be a finite number, got str '0'"),
    (
        "linspace",
        lambda: linspace(0.0, 1.0, 3, endpoint=None),
        TypeError,
        "endpoint must be True or False, got NoneType None",
    ),
    (
        "jacobi_eigh",
        lambda: jacobi_eigh([[1.0, 2.0]]),
        ValueError,
        "A must be a square matrix, got a 1×2 matrix",
    ),
    (
        "jacobi_eigh",
        lambda: jacobi_eigh([[1.0, 2.0], [3.0, 1.0]]),
        ValueError,
        "A must be symmetric (to 1e-12 relative), got A[0][1] = 2.0 but A[1][0] = 3.0",
    ),
    (
        "jacobi_eigh",
        lambda: jacobi_eigh([[NAN]]),
        ValueError,
        "A[0][0] must be a finite number, got float nan",
    ),
    (
        "jacobi_eigh",
        lambda: jacobi_eigh([[1.0]], max_sweeps=0),
        ValueError,
        "max_sweeps must be an integer >= 1, got int 0",
    ),
    (
        "jacobi_eigh",
        lambda: jacobi_eigh([[1.0]], tol=-1.0),
        ValueError,
        "tol must be a finite number >= 0, got float -1.0",
    ),
    (
        "jacobi_eigh",
        lambda: jacobi_eigh([[1e308, 1e308], [1e308, 1e308]]),  # λ = 2e308
        ValueError,
        "A must be a matrix whose eigenvalues fit a float (|λ| < 1.8e308), "
        "got list [[1e+308, 1e+308], [1e+308, 1e+308]]",
    ),
    (
        "jacobi_eigh",
        lambda: jacobi_eigh([[2.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 1.0]], max_sweeps=1),
        RuntimeError,
        "no convergence after max_sweeps=1 sweeps (off-diagonal norm 0.0535, matrix norm 1.02)",
    ),
    (
        "Whitening",
        lambda: Whitening(method="svd"),
        ValueError,
        "method must be one of 'pca', 'zca', got str 'svd'",
    ),
    (
        "Whitening",
        lambda: Whitening(method=None),
        TypeError,
        "method must be one of 'pca', 'zca', got NoneType None",
    ),
    ("Whitening", lambda: Whitening(eps=0.0), ValueError, "eps must be a finite number > 0, got float 0.0"),
    ("Whitening", lambda: Whitening(eps=NAN), ValueError, "eps must be a finite number > 0, got float nan"),
    (
        "Whitening",
        lambda: Whitening(eps=HUGE_FRACTION),
        ValueError,
        f"eps must be a finite number > 0 {RANGE}, got Fraction Fraction(1000…",
    ),
]


@pytest.mark.parametrize(
    ("where", "call", "error", "message"), BAD_CALLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_CALLS)]
)
def test_bad_arguments_name_the_function_and_value(
    where: str, call: Callable[[], Any], error: type, message: str
) -> None:
    """The whole message, in the one style "<where>: <argument> must be <expected>, got <received>"
    (an expectation ending in … gives the start: a long received value is cut at 80 characters)."""
    with pytest.raises(error) as info:
        call()
    assert type(info.value) is error
    text = str(info.value)
    if message.endswith("…"):
        assert text.startswith(f"{where}: {message[:-1]}")
    else:
        assert text == f"{where}: {message}"


@pytest.mark.parametrize("model", [MeanSubtraction, Standardizer, Whitening])
def test_preprocessing_errors(model: type) -> None:
    name = model.__name__
    with pytest.raises(RuntimeError) as info:
        model().transform([[1.0, 2.0]])
    assert str(info.value) == f"{name}.transform: not fitted yet; call fit(X_train) first"
    fitted = model().fit([[1.0, 2.0], [3.0, 5.0], [0.0, 1.0]])
    with pytest.raises(ValueError) as info:
        fitted.transform([[1.0, 2.0, 3.0]])
    assert str(info.value) == f"{name}.transform: X must be rows of 2 features, as fit saw, got rows of 3"
    for bad, error, message in [
        ([], ValueError, "X must be a non-empty list of rows, got list []"),
        ([[1.0, NAN]], ValueError, "X[0][1] must be a finite number, got float nan"),
        ([[1.0, 2.0], [1.0]], ValueError, "X[1] must be a row of 2 numbers like X[0], got list [1.0]"),
        ([1.0, 2.0], TypeError, "X[0] must be a row (a list of numbers), got float 1.0"),
        ([[1.0, None]], TypeError, "X[0][1] must be a finite number, got NoneType None"),
        (
            [[1.0, 10**400]],
            ValueError,
            f"X[0][1] must be a finite number {RANGE}, got an integer of 1329 bits",
        ),
        (
            [[1.0, Value(2.0)]],
            TypeError,
            "X[0][1] must be a finite number, got a Value (use its .data for the number)",
        ),
        ("abc", TypeError, "X must be a list of rows, got str 'abc'"),
        (np.array(5.0), TypeError, "X must be a list of rows, got ndarray array(5.)"),
    ]:
        for method, call in [
            ("fit", model().fit),
            ("fit_transform", model().fit_transform),
            ("transform", fitted.transform),
        ]:
            with pytest.raises(error) as info:
                call(bad)
            assert str(info.value) == f"{name}.{method}: {message}"


# ------------------------------------------------------------ every public callable, every argument

SMALL_X = [[0.0, 1.0], [2.0, 3.0], [1.0, 5.0], [4.0, 2.0]]
SMALL_Y = [0, 1, 0, 1]


def fitted(model: type) -> Any:
    return model().fit(SMALL_X)


# where (the name a message starts with), the callable, and one valid call's positional and
# keyword arguments: every argument position is then given wrong types and extreme values
CALLS: list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = [
    ("logic_gate", logic_gate, ("XOR",), {"inputs": "binary", "labels": "bipolar"}),
    ("xor3", xor3, (), {"inputs": "bipolar", "labels": "binary"}),
    ("linspace", linspace, (0.0, 1.0, 5), {"endpoint": True}),
    ("make_moons", make_moons, (8,), {"noise": 0.1, "shuffle": True, "seed": None, "rng": None}),
    (
        "make_circles",
        make_circles,
        (8,),
        {"noise": 0.1, "factor": 0.5, "shuffle": True, "seed": None, "rng": None},
    ),
    (
        "make_spirals",
        make_spirals,
        (8,),
        {"classes": 3, "noise": 0.05, "turns": 1.0, "shuffle": True, "seed": None, "rng": None},
    ),
    ("make_blobs", make_blobs, (8,), {"centers": 2, "std": 1.0, "shuffle": True, "seed": None, "rng": None}),
    ("make_blobs", make_blobs, (8,), {"centers": [[0.0, 0.0], [1.0, 1.0]], "std": 1.0, "seed": 0}),
    ("load_iris", load_iris, (), {}),
    ("load_digits", load_digits, (), {}),
    ("train_test_split", train_test_split, (SMALL_X, SMALL_Y, 0.25), {"stratify": False, "seed": 0}),
    (
        "train_test_split",
        train_test_split,
        (SMALL_X, SMALL_Y, 2),
        {"stratify": True, "rng": random.Random(0)},
    ),
    ("train_val_test_split", train_val_test_split, (SMALL_X, SMALL_Y, 1, 1), {"stratify": False, "seed": 0}),
    ("batches", batches, (SMALL_X, SMALL_Y, 3), {"shuffle": True, "seed": 0, "rng": None}),
    ("one_hot", one_hot, (SMALL_Y,), {"num_classes": 3}),
    ("one_hot", one_hot, ([2, 0],), {}),
    ("add_noise", add_noise, (SMALL_X, 0.5), {"seed": None, "rng": None}),
    ("jacobi_eigh", jacobi_eigh, ([[2.0, 1.0], [1.0, 2.0]],), {"tol": 1e-15, "max_sweeps": 100}),
    ("MeanSubtraction", MeanSubtraction, (), {}),
    ("Standardizer", Standardizer, (), {}),
    ("Whitening", Whitening, ("zca", 1e-10), {}),
    *[
        (f"{model.__name__}.{method}", make_call, (SMALL_X,), {})
        for model in (MeanSubtraction, Standardizer, Whitening)
        for method, make_call in [
            ("fit", lambda X, model=model: model().fit(X)),
            ("fit_transform", lambda X, model=model: model().fit_transform(X)),
            ("transform", lambda X, model=model: fitted(model).transform(X)),
        ]
    ],
]

# wrong types, numbers beyond float range, non-finite and subnormal numbers, numpy scalars,
# exact types, empty and ragged data, data at the float limits, and objects of other kinds
EXTREMES: list[Any] = [
    10**400,
    10**5000,
    -(10**400),
    INF,
    -INF,
    NAN,
    TINY,
    -TINY,
    MAX,
    -MAX,
    0,
    -1,
    1,
    0.5,
    np.float64("nan"),
    np.float64(1e308),
    np.int64(3),
    np.int64(-3),
    np.longdouble("1e4000"),  # finite in x86-64's 80-bit long double (1e5000 is inf there)
    np.bool_(True),
    Fraction(10**400, 3),
    Fraction(1, 3),
    Decimal("1e400"),
    Decimal("nan"),
    Decimal("0.25"),
    True,
    False,
    1 + 1j,
    "str",
    "",
    None,
    Value(1.0),
    object(),
    random.Random(0),
    range(10**400),
    np.array(3.0),
    np.array([1.0, 2.0]),
    [],
    (),
    {},
    [[]],
    [1.0, 2.0],
    [[1.0]],
    [[1.0, 2.0]],
    [[NAN, 1.0]],
    [[10**400, 1.0]],
    [[Value(1.0), 1.0]],
    [["1", 1.0]],
    [[TINY, 0.0], [0.0, MAX]],
    [[MAX, -MAX], [-MAX, MAX]],
    [[1e308, 1e308], [1e308, 1e308], [-1e308, 1e308], [1e308, -1e308]],
    [[0.0, 1.0], [1.0]],
    [[0], [1], [0], [1]],
    [0, -1, 2, 3],
    [0.5, 1.5, 2.5, 3.5],
    [NAN, 0, 1, 0],
    [[0, 1], [1, 0], [0, 1], [1, 0]],
]

values = st.one_of(
    st.sampled_from(EXTREMES),
    st.floats(),
    st.integers(-3, 40),
    st.fractions(),
    st.decimals(),
    st.text(max_size=3),
    st.lists(st.lists(st.floats(), min_size=2, max_size=2), max_size=4),
)


def all_finite(result: Any) -> bool:
    """Every float inside lists and tuples of the result is finite."""
    if isinstance(result, float):
        return math.isfinite(result)
    if isinstance(result, (list, tuple)):
        return all(all_finite(part) for part in result)
    return True


@pytest.mark.parametrize(("where", "function", "args", "kwargs"), CALLS, ids=[c[0] for c in CALLS])
@given(data=st.data())
def test_every_argument_survives_wrong_types_and_extreme_values(
    where: str, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], data: Any
) -> None:
    """Only a TypeError or ValueError escapes, in the one message style and naming the callable;
    a call that succeeds returns only finite numbers."""
    positions: list[Any] = [*range(len(args)), *kwargs]
    position = data.draw(st.sampled_from(positions or [None]), label="position")
    value = data.draw(values, label="value")
    call_args, call_kwargs = list(args), dict(kwargs)
    if isinstance(position, int):
        call_args[position] = value
    elif position is not None:
        call_kwargs[position] = value
    try:
        result = function(*call_args, **call_kwargs)
        if where == "batches":
            result = list(result)
    except (TypeError, ValueError) as error:
        assert type(error) in (TypeError, ValueError)
        text = str(error)
        assert text.startswith(f"{where}: ") and " must be " in text and ", got " in text, text
    else:
        assert all_finite(result)


def test_every_public_callable_is_exercised() -> None:
    exercised = {where.split(".")[0] for where, *_ in CALLS}
    public = {name for name in data.__all__ if callable(getattr(data, name))}
    assert public <= exercised
    for model in (MeanSubtraction, Standardizer, Whitening):
        assert {f"{model.__name__}.{m}" for m in ("fit", "transform", "fit_transform")} <= {
            c[0] for c in CALLS
        }


# ------------------------------------------------------------ module surface


def test_public_surface_and_doctests() -> None:
    assert sorted(data.__all__) == data.__all__
    for name in data.__all__:
        obj = getattr(data, name)
        if callable(obj):
            assert obj.__doc__ and ">>>" in obj.__doc__, name
    modules = (data, data.datasets, data.splits, data.preprocessing, data.linalg)
    results = [doctest.testmod(m) for m in modules]
    assert sum(r.failed for r in results) == 0 and sum(r.attempted for r in results) >= 30


def test_inputs_may_be_tuples_and_numpy() -> None:
    X = np.arange(12.0).reshape(6, 2)
    y = np.array([0, 1, 0, 1, 0, 1])
    X_train, X_test, _, _ = train_test_split(X, y, 2, seed=0)
    assert all(type(v) is float for row in X_train for v in row) and len(X_test) == 2
    assert Standardizer().fit_transform(tuple(map(tuple, X.tolist()))) == Standardizer().fit_transform(X)
    assert one_hot(np.array([1, 0])) == [[0.0, 1.0], [1.0, 0.0]]
