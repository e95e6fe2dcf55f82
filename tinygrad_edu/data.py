"""Datasets, splits, mini-batches and preprocessing, in plain Python.

Data are plain lists: ``X`` is a list of rows, each a list of floats, and ``y`` a list with
one entry per row — an ``int`` class for classification (each dataset's docstring says
which values), a float for regression, or a target vector such as ``one_hot(y)``.
Every function that draws random numbers takes ``seed=`` (its own ``random.Random``) or
``rng=`` (a ``random.Random`` you pass, which advances); the same seed gives the same data bit
for bit, and with neither it draws from Python's global ``random``, as ``tinygrad_edu.nn``
does. Shuffles use only ``rng.random()`` in an explicit Fisher–Yates loop, so they do
not depend on how a Python version implements ``random.shuffle``.

Arguments are checked before any work (``tinygrad_edu.checks``): a wrong type is a
``TypeError``, a wrong value a ``ValueError``, both naming the function and the argument.
Data entries may be any real number that fits a float (``int``, ``Fraction``, numpy
scalars, …); nan, ±inf and numbers beyond float range are refused. Row counts, sizes and
class counts are at most 10⁷ (``MAX_SIZE``): a plain-Python list of more rows takes gigabytes.
Noise so large that a noisy coordinate leaves float range is a ``ValueError`` too.

Preprocessing follows the notes (002 §7.2): statistics are fitted on the **training**
set only, and those same statistics transform the validation and test sets, so nothing
about the held-out data leaks into training:

>>> from tinygrad_edu.data import Standardizer, make_moons, train_test_split
>>> X, y = make_moons(100, noise=0.1, seed=0)
>>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
>>> len(X_train), len(X_test)
(75, 25)
>>> scaler = Standardizer().fit(X_train)
>>> Z_train, Z_test = scaler.transform(X_train), scaler.transform(X_test)
>>> [round(abs(sum(column) / len(column)), 12) for column in zip(*Z_train)]
[0.0, 0.0]
"""

from __future__ import annotations

import csv
import decimal
import io
import math
import numbers
from collections.abc import Mapping
from fractions import Fraction
from importlib import resources
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar, Union

from . import checks
from .checks import RandomLike

__all__ = [
    "GATES",
    "IRIS_CLASSES",
    "IRIS_FEATURES",
    "MAX_SIZE",
    "MeanSubtraction",
    "Standardizer",
    "Whitening",
    "add_noise",
    "batches",
    "jacobi_eigh",
    "linspace",
    "load_iris",
    "logic_gate",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_spirals",
    "one_hot",
    "train_test_split",
    "train_val_test_split",
    "xor3",
]

Matrix = list[list[float]]
Rows = Sequence[Sequence[float]]
Dataset = tuple[Matrix, list[int]]

#: The largest row count, size or number of classes a function here builds: a plain-Python
#: list of 10⁷ rows already takes gigabytes, and a count like 10**400 would never finish.
MAX_SIZE = 10_000_000


# ------------------------------------------------------------ argument checks
def _is_sequence(obj: object) -> bool:
    """A list, tuple, numpy array, …: sized and iterable, but not a string or a mapping."""
    if isinstance(obj, (str, bytes, bytearray, Mapping)):
        return False
    try:  # a 0-d numpy array has __len__ but refuses it; range(10**400) overflows len()
        len(obj)  # type: ignore[arg-type]
        iter(obj)  # type: ignore[call-overload]
    except (TypeError, OverflowError):
        return False
    return True


def _size(value: object, where: str, name: str, low: int) -> int:
    """A count of rows, classes, …: an integer (not a bool) in [low, MAX_SIZE]."""
    return checks.integer(value, where, name, low=low, high=MAX_SIZE)


def _entry(v: object, where: str, name: str) -> float:
    """One data entry as a finite float (the fast path skips the checks for a finite float)."""
    if type(v) is float and v - v == 0.0:  # x − x is 0 for finite x, nan for ±inf and nan
        return v
    return checks.real(v, where, name)


def _as_matrix(X: Any, where: str, name: str = "X") -> Matrix:
    """A fresh list of float rows, all of one length ≥ 1; empty data, ragged rows,
    non-numbers, nan, inf and numbers beyond float range are errors naming ``where``
    and the offending entry."""
    if not _is_sequence(X):
        checks.type_error(where, name, "a list of rows", X)
    rows: Matrix = []
    for i, row in enumerate(X):
        if not _is_sequence(row):
            checks.type_error(where, f"{name}[{i}]", "a row (a list of numbers)", row)
        if not rows and len(row) == 0:
            checks.value_error(where, f"{name}[0]", "a row of at least one number", row)
        if rows and len(row) != len(rows[0]):
            checks.value_error(where, f"{name}[{i}]", f"a row of {len(rows[0])} numbers like {name}[0]", row)
        rows.append([_entry(v, where, f"{name}[{i}][{j}]") for j, v in enumerate(row)])
    if not rows:
        checks.value_error(where, name, "a non-empty list of rows", X)
    return rows


def _as_labels(y: Any, n: int, where: str) -> list[Any]:
    """A copy of ``y`` after checking it has one entry per row and no nan, inf or number
    beyond float range (integer labels are exact whatever their size)."""
    if not _is_sequence(y):
        checks.type_error(where, "y", "a list of labels", y)
    labels = list(y)
    if len(labels) != n:
        checks.value_error(where, "y", f"a list of {n} labels, one per row of X", y)
    for i, label in enumerate(labels):
        for v in label if _is_sequence(label) else (label,):
            if checks.is_real(v) and not isinstance(v, numbers.Integral):
                checks.real(v, where, f"y[{i}]")
    return labels


def _finite_noise(points: Matrix, noise: float, where: str, name: str) -> Matrix:
    """The noisy points, or a ValueError when N(0, noise²) pushed one beyond float range."""
    if not all(math.isfinite(x) for point in points for x in point):
        checks.value_error(where, name, "small enough that the noisy data stay within float range", noise)
    return points


def _permutation(n: int, rng: RandomLike) -> list[int]:
    """A uniformly random ordering of range(n) (Fisher–Yates), drawing only ``rng.random()``."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = min(int(rng.random() * (i + 1)), i)  # min: guards rounding up to i + 1
        order[i], order[j] = order[j], order[i]
    return order


# ------------------------------------------------------------ logic gates
#: Two-input Boolean functions on bits 0/1, by name.
GATES: dict[str, Callable[[int, int], int]] = {
    "AND": lambda a, b: a & b,
    "OR": lambda a, b: a | b,
    "NAND": lambda a, b: 1 - (a & b),
    "NOR": lambda a, b: 1 - (a | b),
    "XOR": lambda a, b: a ^ b,  # x₁x̄₂ + x̄₁x₂: not linearly separable
    "XNOR": lambda a, b: 1 - (a ^ b),
}
_ENCODINGS = {"binary": (0, 1), "bipolar": (-1, 1)}  # the values of bit 0 and bit 1


def _encoding(encoding: object, name: str, where: str) -> tuple[int, int]:
    expected = "'binary' (0/1) or 'bipolar' (-1/+1)"
    if not isinstance(encoding, str):
        checks.type_error(where, name, expected, encoding)
    if encoding not in _ENCODINGS:
        checks.value_error(where, name, expected, encoding)
    return _ENCODINGS[encoding]


def _truth_table(function: Callable[..., int], arity: int, inputs: str, labels: str, where: str) -> Dataset:
    x_codes, y_codes = _encoding(inputs, "inputs", where), _encoding(labels, "labels", where)
    X: Matrix = []
    y: list[int] = []
    for k in range(2**arity):  # x₁ is the most significant bit: 00, 01, 10, 11, …
        bits = [(k >> (arity - 1 - i)) & 1 for i in range(arity)]
        X.append([float(x_codes[b]) for b in bits])
        y.append(y_codes[function(*bits)])
    return X, y


def logic_gate(name: str, *, inputs: str = "binary", labels: str = "binary") -> Dataset:
    """The truth table of a two-input logic gate: all four inputs (x₁, x₂) ∈ {0, 1}².

    ``name`` is one of ``GATES`` — AND, OR, NAND, NOR, XOR (x₁x̄₂ + x̄₁x₂, which no single
    perceptron can learn, note 004) or XNOR — in any case. Rows come in the order
    00, 01, 10, 11. ``inputs`` and ``labels`` choose each encoding: ``"binary"`` for 0/1
    (labels are ints 0/1), ``"bipolar"`` for −1/+1 (bit 0 ↦ −1), the natural pair for a
    ``sign`` or ``tanh`` output.

    >>> logic_gate("XOR")
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    >>> logic_gate("and", inputs="bipolar", labels="bipolar")[1]
    [-1, -1, -1, 1]
    """
    where = "logic_gate"
    expected = f"a gate name, one of {', '.join(GATES)} (in any case)"
    if not isinstance(name, str):
        checks.type_error(where, "name", expected, name)
    if name.upper() not in GATES:
        checks.value_error(where, "name", expected, name)
    return _truth_table(GATES[name.upper()], 2, inputs, labels, where)


def xor3(*, inputs: str = "binary", labels: str = "binary") -> Dataset:
    """Note 004's three-input function y = XOR(AND(x₁, x₂), x₃) over all eight inputs of {0, 1}³.

    In Boolean algebra y = x₁x₂x̄₃ + (x̄₁ + x̄₂)x₃: one hidden layer suffices. Rows come in the
    order 000, 001, …, 111; ``inputs`` and ``labels`` are encoded as in ``logic_gate``.

    >>> X, y = xor3()
    >>> y
    [0, 1, 0, 1, 0, 1, 1, 0]
    >>> X[6]
    [1.0, 1.0, 0.0]
    """
    return _truth_table(lambda a, b, c: (a & b) ^ c, 3, inputs, labels, "xor3")


# ------------------------------------------------------------ generated datasets
def linspace(start: float, stop: float, m: int, endpoint: bool = True) -> list[float]:
    """m evenly spaced numbers: start + (stop − start)·i/(m − 1) for i = 0 … m − 1, ending at
    ``stop``; with ``endpoint=False`` the step is (stop − start)/m and ``stop`` is left out.

    >>> linspace(0.0, 1.0, 5), linspace(0.0, 1.0, 4, endpoint=False)
    ([0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.25, 0.5, 0.75])

    start and stop are finite numbers (their difference may exceed float range: the points
    still fit), 0 ≤ m ≤ ``MAX_SIZE``.

    >>> linspace(-1e308, 1e308, 3)
    [-1e+308, 0.0, 1e+308]
    """
    where = "linspace"
    a, b = checks.real(start, where, "start"), checks.real(stop, where, "stop")
    count = _size(m, where, "m", 0)
    return _linspace(a, b, count, checks.flag(endpoint, where, "endpoint"))


def _linspace(start: float, stop: float, m: int, endpoint: bool = True) -> list[float]:
    steps = (m - 1 if endpoint else m) or 1
    span = stop - start
    if math.isfinite(span * steps):  # then no (stop − start)·i overflows: the formula as written
        return [start + span * i / steps for i in range(m)]
    # (stop − start)·i is beyond float range, but half of stop − start is not: step from the
    # nearer end, start + ½(stop − start)·2t for t = i/steps ≤ ½ and stop − ½(stop − start)·2(1 − t)
    # after, so no product exceeds ½(stop − start) and both ends come out exactly.
    half_span = stop / 2 - start / 2
    return [
        start + half_span * (2 * i / steps)
        if 2 * i <= steps
        else stop - half_span * (2 * (steps - i) / steps)
        for i in range(m)
    ]


def _split_evenly(n: int, k: int) -> list[int]:
    """n split into k groups as evenly as possible, the first n mod k one larger."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _finish(
    points: Matrix, labels: list[int], noise: float, shuffle: bool, rng: RandomLike, where: str, name: str
) -> Dataset:
    """Add N(0, noise²) to every coordinate, then shuffle the rows (with their labels)."""
    if noise > 0:
        points = _finite_noise(
            [[x + rng.gauss(0.0, noise) for x in point] for point in points], noise, where, name
        )
    if shuffle:
        order = _permutation(len(points), rng)
        points, labels = [points[i] for i in order], [labels[i] for i in order]
    return points, labels


def make_moons(
    n: int = 100,
    *,
    noise: float = 0.1,
    shuffle: bool = True,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
) -> Dataset:
    """Two interleaving half circles in the plane, as scikit-learn's ``make_moons``.

    Class 0 (⌊n/2⌋ points): (cos t, sin t), the upper half of the unit circle.
    Class 1 (the other ⌈n/2⌉): (1 − cos t, ½ − sin t), the lower half of the unit circle
    centred at (1, ½). Each t runs evenly over [0, π]; then N(0, noise²) is added to every
    coordinate and, if ``shuffle``, the rows are shuffled. Labels are ints 0/1; n ≥ 2.

    >>> X, y = make_moons(6, noise=0.0, shuffle=False)
    >>> y
    [0, 0, 0, 1, 1, 1]
    >>> [round(c, 6) + 0.0 for c in X[1] + X[4]]    # t = π/2 on each moon
    [0.0, 1.0, 1.0, -0.5]
    """
    where = "make_moons"
    n = _size(n, where, "n", 2)
    noise = checks.real(noise, where, "noise", low=0.0)
    shuffle = checks.flag(shuffle, where, "shuffle")
    generator = checks.random_source(seed, rng, where)
    n_outer = n // 2
    outer = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_outer)]
    inner = [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n - n_outer)]
    labels = [0] * n_outer + [1] * (n - n_outer)
    return _finish(outer + inner, labels, noise, shuffle, generator, where, "noise")


def make_circles(
    n: int = 100,
    *,
    noise: float = 0.1,
    factor: float = 0.5,
    shuffle: bool = True,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
) -> Dataset:
    """A circle inside a circle, as scikit-learn's ``make_circles``: not linearly separable.

    Class 0 (⌊n/2⌋ points): (cos t, sin t) on the unit circle; class 1 (the other ⌈n/2⌉):
    factor·(cos t, sin t), with 0 < factor < 1. Each t runs evenly over [0, 2π) (endpoint
    excluded); then N(0, noise²) is added to every coordinate and, if ``shuffle``, the rows
    are shuffled. Labels are ints 0/1; n ≥ 2.

    >>> X, y = make_circles(4, noise=0.0, factor=0.25, shuffle=False)
    >>> [round(math.hypot(*x), 12) for x in X], y
    ([1.0, 1.0, 0.25, 0.25], [0, 0, 1, 1])
    """
    where = "make_circles"
    n = _size(n, where, "n", 2)
    noise = checks.real(noise, where, "noise", low=0.0)
    factor = checks.real(factor, where, "factor", low=0.0, high=1.0, low_open=True, high_open=True)
    shuffle = checks.flag(shuffle, where, "shuffle")
    generator = checks.random_source(seed, rng, where)
    n_outer = n // 2
    outer = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, 2 * math.pi, n_outer, endpoint=False)]
    inner = [
        [factor * math.cos(t), factor * math.sin(t)]
        for t in _linspace(0.0, 2 * math.pi, n - n_outer, endpoint=False)
    ]
    labels = [0] * n_outer + [1] * (n - n_outer)
    return _finish(outer + inner, labels, noise, shuffle, generator, where, "noise")


def make_spirals(
    n: int = 100,
    *,
    classes: int = 2,
    noise: float = 0.05,
    turns: float = 1.0,
    shuffle: bool = True,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
) -> Dataset:
    """``classes`` interleaved spiral arms around the origin (the cs231n spiral data).

    Class k has m_k points (n split as evenly as possible, the first n mod K classes one
    larger); its point i, for i = 0, …, m_k − 1, is r·(cos θ, sin θ) with

        r = (i + 1)/m_k ∈ (0, 1],   θ = 2π·(turns·r + k/K),

    so when the classes are the same size each arm is arm 0 rotated by 2πk/K. Then
    N(0, noise²) is added to every coordinate and, if ``shuffle``, the rows are shuffled.
    Labels are ints 0, …, K − 1; K = ``classes`` ≥ 2, n ≥ K, turns > 0.

    >>> X, y = make_spirals(6, classes=3, noise=0.0, shuffle=False)
    >>> y
    [0, 0, 1, 1, 2, 2]
    >>> [round(math.hypot(*x), 12) for x in X]
    [0.5, 1.0, 0.5, 1.0, 0.5, 1.0]
    """
    where = "make_spirals"
    k_classes = _size(classes, where, "classes", 2)
    n = _size(n, where, "n", k_classes)
    noise = checks.real(noise, where, "noise", low=0.0)
    turns = checks.real(turns, where, "turns", low=0.0, low_open=True)
    shuffle = checks.flag(shuffle, where, "shuffle")
    generator = checks.random_source(seed, rng, where)
    points: Matrix = []
    labels: list[int] = []
    for k, m in enumerate(_split_evenly(n, k_classes)):
        for i in range(m):
            r = (i + 1) / m
            phase = turns * r + k / k_classes  # in turns
            if not math.isfinite(2 * math.pi * phase):  # turns near float range: keep the fraction
                phase = math.fmod(phase, 1.0)  # of a turn (cos and sin have period one turn)
            theta = 2 * math.pi * phase
            points.append([r * math.cos(theta), r * math.sin(theta)])
            labels.append(k)
    return _finish(points, labels, noise, shuffle, generator, where, "noise")


def make_blobs(
    n: int = 100,
    *,
    centers: Union[int, Rows] = 3,
    std: float = 1.0,
    shuffle: bool = True,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
) -> Dataset:
    """Gaussian blobs, as scikit-learn's ``make_blobs``: point ~ N(centre, std²·I).

    ``centers`` is a list of centre points (any dimension, all the same), or a count K ≥ 1
    of 2-D centres drawn first from U(−10, 10)² with the same generator (so a seed fixes
    them too). n is split over the centres as evenly as possible (the first n mod K one
    larger), then, if ``shuffle``, the rows are shuffled. Labels are ints: the index of
    each point's centre. n ≥ K, std ≥ 0.

    >>> X, y = make_blobs(4, centers=[[0.0, 0.0], [5.0, 5.0]], std=0.0, shuffle=False)
    >>> X, y
    ([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [5.0, 5.0]], [0, 0, 1, 1])
    """
    where = "make_blobs"
    given: Optional[Matrix] = None
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        count = _size(centers, where, "centers", 1)
    elif _is_sequence(centers):
        given = _as_matrix(centers, where, "centers")
        count = len(given)
    else:
        checks.type_error(where, "centers", "a count or a list of centre points", centers)
    n = _size(n, where, "n", count)
    std = checks.real(std, where, "std", low=0.0)
    shuffle = checks.flag(shuffle, where, "shuffle")
    generator = checks.random_source(seed, rng, where)
    points = given or [[generator.uniform(-10.0, 10.0) for _ in range(2)] for _ in range(count)]
    X: Matrix = []
    labels: list[int] = []
    for c, m in enumerate(_split_evenly(n, len(points))):
        X += [list(points[c]) for _ in range(m)]
        labels += [c] * m
    return _finish(X, labels, std, shuffle, generator, where, "std")


# ------------------------------------------------------------ Iris
#: The four Iris features, in centimetres, in column order.
IRIS_FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
#: The three species; ``load_iris`` labels them 0, 1, 2 in this order.
IRIS_CLASSES = ("setosa", "versicolor", "virginica")
_PACKAGE = __name__.rpartition(".")[0]


def load_iris() -> tuple[Matrix, list[int], list[str]]:
    """Fisher's Iris data (1936): 150 flowers, 4 features (cm), 3 species of 50 each.

    Returns ``(X, y, class_names)``: X is 150 rows of ``IRIS_FEATURES``, y the ints 0, 1, 2
    indexing ``class_names`` = setosa, versicolor, virginica; rows are in the published
    order (50 of each species in turn). The file ships inside the package
    (``tinygrad_edu/datasets/iris.csv``) and is read with ``importlib.resources``; nothing
    is downloaded.

    Version: Fisher's own values, as in R's ``datasets::iris`` and scikit-learn — *not* the
    UCI repository's ``iris.data``, which has two wrong rows (Bezdek et al., 1999): UCI's
    sample 35 has petal width 0.1 (Fisher: 0.2) and its sample 38 reads 4.9, 3.1, 1.5, 0.1
    (Fisher: 4.9, 3.6, 1.4, 0.1). Hence the column means are 5.8433, 3.0573, 3.758, 1.1993
    (UCI's file gives 3.054 for sepal width). Copied from scikit-learn 1.9.1's
    ``sklearn/datasets/data/iris.csv`` and checked row by row against vega_datasets 0.9.0.

    >>> X, y, names = load_iris()
    >>> len(X), X[0], names[y[0]], names[y[-1]]
    (150, [5.1, 3.5, 1.4, 0.2], 'setosa', 'virginica')
    """
    where = "load_iris"
    source = resources.files(_PACKAGE) / "datasets" / "iris.csv"
    reader = csv.reader(io.StringIO(source.read_text(encoding="utf-8")))
    header = next(reader, None)
    if header != [*IRIS_FEATURES, "species"]:
        raise RuntimeError(f"{where}: {source} has header {header!r}; the installed package is damaged")
    X: Matrix = []
    y: list[int] = []
    for line, row in enumerate(reader, start=2):
        if len(row) != 5 or row[4] not in IRIS_CLASSES:
            raise RuntimeError(f"{where}: {source} line {line} is malformed: {row!r}")
        X.append([float(v) for v in row[:4]])
        y.append(IRIS_CLASSES.index(row[4]))
    return X, y, list(IRIS_CLASSES)


# ------------------------------------------------------------ splits, batches, encodings
def _split_count(size: object, n: int, name: str, where: str) -> int:
    """Rows for a held-out part: an int count 1 ≤ k ≤ n − 1, or a fraction f ∈ (0, 1) giving
    round(f·n) rows, at least 1 and leaving at least one row for training."""
    expected = f"a fraction in (0, 1) or a row count in [1, {n - 1}]"
    if not checks.is_real(size) or type(size).__name__ in ("bool", "bool_"):  # True is no count
        checks.type_error(where, name, expected, size)
    if isinstance(size, numbers.Integral):
        if not 1 <= int(size) <= n - 1:
            checks.value_error(where, name, f"{expected} for {n} rows", size)
        return int(size)
    fraction = checks.as_float(size, where, name, expected)
    if not 0 < fraction < 1:  # nan fails too
        checks.value_error(where, name, expected, size)
    count = max(1, math.floor(fraction * n + 0.5))  # round half up
    if count > n - 1:
        checks.value_error(
            where,
            name,
            f"a fraction that leaves a training row: round({name}·{n}) = {count} of {n} rows",
            size,
        )
    return count


def _stratify(stratify: object, labels: list[Any], where: str) -> bool:
    """The ``stratify`` flag, after checking that it can group the labels (they must be hashable)."""
    flag = checks.flag(stratify, where, "stratify")
    for i, label in enumerate(labels if flag else ()):
        try:
            hash(label)
        except TypeError:
            checks.type_error(
                where, f"y[{i}]", "a hashable label (stratify=True groups rows by label)", label
            )
    return flag


def _rows(k: int) -> str:
    return f"{k} row" if k == 1 else f"{k} rows"


def _split_indices(
    labels: list[Any], n_test: int, stratify: bool, rng: RandomLike
) -> tuple[list[int], list[int]]:
    """(train, test) row indices, both in a random order; stratified: every class gives the
    test part ⌊q⌋ or ⌈q⌉ of its rows, q = n_test·n_class/n (largest remainders get the ⌈q⌉)."""
    n = len(labels)
    order = _permutation(n, rng)
    if not stratify:
        return order[n_test:], order[:n_test]
    groups: dict[Any, list[int]] = {}  # class → its rows, in random order (labels are hashable: checked)
    for i in order:
        groups.setdefault(labels[i], []).append(i)
    quotas = [Fraction(n_test * len(rows), n) for rows in groups.values()]
    counts = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda c: counts[c] - quotas[c])  # stable
    for c in by_remainder[: n_test - sum(counts)]:
        counts[c] += 1
    position = {i: p for p, i in enumerate(order)}
    test = [i for rows, k in zip(groups.values(), counts) for i in rows[:k]]
    train = [i for rows, k in zip(groups.values(), counts) for i in rows[k:]]
    return sorted(train, key=position.__getitem__), sorted(test, key=position.__getitem__)


def train_test_split(
    X: Rows,
    y: Sequence[Any],
    test_size: Union[float, int] = 0.25,
    *,
    stratify: bool = False,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
) -> tuple[Matrix, Matrix, list[Any], list[Any]]:
    """Shuffle the rows, then split them: ``(X_train, X_test, y_train, y_test)``.

    ``test_size`` is a fraction f ∈ (0, 1) — the test part gets round(f·n) rows (halves
    round up, at least 1, and a fraction that leaves no training row is an error) — or an
    int count 1 ≤ k ≤ n − 1. Every row lands in exactly one part and both parts are
    non-empty. ``stratify=True`` keeps each class's share: a class of n_c rows puts ⌊q⌋ or
    ⌈q⌉ of them in the test part, q = n_test·n_c/n. Rows are copied (as floats); both parts
    come in a random order.

    >>> X, y = [[float(i)] for i in range(8)], [0, 0, 0, 0, 1, 1, 1, 1]
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, 0.5, stratify=True, seed=1)
    >>> len(X_train), sorted(y_test)
    (4, [0, 0, 1, 1])
    >>> sorted(X_train + X_test) == X
    True
    """
    where = "train_test_split"
    rows = _as_matrix(X, where)
    labels = _as_labels(y, len(rows), where)
    if len(rows) < 2:
        checks.value_error(where, "X", "a list of at least 2 rows (to split)", X)
    n_test = _split_count(test_size, len(rows), "test_size", where)
    stratify = _stratify(stratify, labels, where)
    train, test = _split_indices(labels, n_test, stratify, checks.random_source(seed, rng, where))
    X_train, X_test = [rows[i] for i in train], [rows[i] for i in test]
    return X_train, X_test, [labels[i] for i in train], [labels[i] for i in test]


def train_val_test_split(
    X: Rows,
    y: Sequence[Any],
    val_size: Union[float, int] = 0.2,
    test_size: Union[float, int] = 0.2,
    *,
    stratify: bool = False,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
) -> tuple[Matrix, Matrix, Matrix, list[Any], list[Any], list[Any]]:
    """Three disjoint parts: ``(X_train, X_val, X_test, y_train, y_val, y_test)``.

    ``val_size`` and ``test_size`` are each a fraction of *all* n rows (rounded as in
    ``train_test_split``) or an int count; the training part keeps the rest, at least one
    row. The test part is split off first, then the validation part from the remainder;
    ``stratify=True`` stratifies both splits. Fit preprocessing on the training part only.

    >>> X, y = [[float(i)] for i in range(10)], list(range(10))
    >>> parts = train_val_test_split(X, y, 0.2, 0.3, seed=0)
    >>> [len(part) for part in parts]
    [5, 2, 3, 5, 2, 3]
    """
    where = "train_val_test_split"
    rows = _as_matrix(X, where)
    labels = _as_labels(y, len(rows), where)
    n = len(rows)
    if n < 3:
        checks.value_error(where, "X", "a list of at least 3 rows (to split three ways)", X)
    n_val = _split_count(val_size, n, "val_size", where)
    n_test = _split_count(test_size, n, "test_size", where)
    if n_val + n_test > n - 1:
        raise ValueError(
            f"{where}: val_size + test_size must be at most {n - 1} rows (one of the {n} for training), "
            f"got val_size={checks.short(val_size)} ({_rows(n_val)}) and "
            f"test_size={checks.short(test_size)} ({_rows(n_test)})"
        )
    stratify = _stratify(stratify, labels, where)
    generator = checks.random_source(seed, rng, where)
    rest, test = _split_indices(labels, n_test, stratify, generator)
    train_pos, val_pos = _split_indices([labels[i] for i in rest], n_val, stratify, generator)
    train, val = [rest[p] for p in train_pos], [rest[p] for p in val_pos]
    return (
        [rows[i] for i in train],
        [rows[i] for i in val],
        [rows[i] for i in test],
        [labels[i] for i in train],
        [labels[i] for i in val],
        [labels[i] for i in test],
    )


def batches(
    X: Rows,
    y: Sequence[Any],
    batch_size: int,
    *,
    shuffle: bool = True,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
) -> Iterator[tuple[Matrix, list[Any]]]:
    """One epoch of mini-batches ``(X_batch, y_batch)``: every row exactly once.

    Batches hold ``batch_size`` ≥ 1 rows; the last holds the remaining n mod batch_size
    if that is not 0. With ``shuffle`` the rows are visited in a random order — pass one
    ``rng=random.Random(...)`` to every epoch's call for a new order each epoch that is
    still reproducible; without it (or with ``shuffle=False``, which ignores ``seed``) in
    the given order. Arguments are checked at the call, before the first batch.

    >>> X, y = [[0.0], [1.0], [2.0], [3.0], [4.0]], [0, 1, 0, 1, 0]
    >>> [yb for _, yb in batches(X, y, 2, shuffle=False)]
    [[0, 1], [0, 1], [0]]
    """
    where = "batches"
    rows = _as_matrix(X, where)
    labels = _as_labels(y, len(rows), where)
    size = checks.integer(batch_size, where, "batch_size", low=1)
    shuffle = checks.flag(shuffle, where, "shuffle")
    generator = checks.random_source(seed, rng, where)
    order = _permutation(len(rows), generator) if shuffle else list(range(len(rows)))

    def epoch() -> Iterator[tuple[Matrix, list[Any]]]:
        for start in range(0, len(order), size):
            chunk = order[start : start + size]
            yield [rows[i] for i in chunk], [labels[i] for i in chunk]

    return epoch()


def one_hot(labels: Sequence[int], num_classes: Optional[int] = None) -> Matrix:
    """Class indices as one-hot rows: row i has 1.0 at ``labels[i]`` and 0.0 elsewhere.

    Labels are ints 0 ≤ c < ``num_classes`` ≤ ``MAX_SIZE``; the default number of classes is
    max(labels) + 1. An empty list of labels gives an empty list.

    >>> one_hot([0, 2, 1])
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    where = "one_hot"
    if not _is_sequence(labels):
        checks.type_error(where, "labels", "a list of integer class labels", labels)
    if num_classes is None:  # k = max(labels) + 1
        classes = [checks.integer(c, where, f"labels[{i}]", low=0) for i, c in enumerate(labels)]
        for i, c in enumerate(classes):
            if c >= MAX_SIZE:  # a row of max(labels) + 1 entries: at most MAX_SIZE
                checks.value_error(where, f"labels[{i}]", f"a class index below MAX_SIZE = {MAX_SIZE}", c)
        k = max(classes) + 1 if classes else 0
    else:
        k = _size(num_classes, where, "num_classes", 1)
        classes = [checks.integer(c, where, f"labels[{i}]", low=0, high=k - 1) for i, c in enumerate(labels)]
    return [[1.0 if j == c else 0.0 for j in range(k)] for c in classes]


def add_noise(X: Rows, std: float, *, seed: Optional[int] = None, rng: Optional[RandomLike] = None) -> Matrix:
    """A noisy copy of X: x̃ᵢⱼ = xᵢⱼ + εᵢⱼ with independent εᵢⱼ ~ N(0, std²); X is unchanged.

    Note 004's regulariser: train on noisy copies of the inputs (a fresh copy each epoch
    — pass one ``rng=`` to every call — with the labels unchanged), so the model cannot fit
    the exact training points. std ≥ 0; std = 0 returns an exact copy.

    >>> noisy = add_noise([[1.0, 2.0], [3.0, 4.0]], 0.1, seed=0)
    >>> all(abs(a - b) < 1.0 for r, s in zip(noisy, [[1.0, 2.0], [3.0, 4.0]]) for a, b in zip(r, s))
    True
    """
    where = "add_noise"
    rows = _as_matrix(X, where)
    std = checks.real(std, where, "std", low=0.0)
    generator = checks.random_source(seed, rng, where)
    if std == 0:
        return rows
    return _finite_noise([[x + generator.gauss(0.0, std) for x in row] for row in rows], std, where, "std")


# ------------------------------------------------------------ eigendecomposition
def _exponent(largest: float) -> int:
    """e with 2ᵉ⁻¹ ≤ largest < 2ᵉ (0 for 0): dividing by 2ᵉ brings |x| ≤ largest into (−1, 1)."""
    return math.frexp(largest)[1]


def _ldexp(x: float, e: int) -> float:
    """x·2ᵉ, exact unless it underflows to a subnormal (rounded) or overflows (±inf, not an error)."""
    try:
        return math.ldexp(x, e)
    except OverflowError:
        return math.copysign(math.inf, x)


def jacobi_eigh(A: Rows, *, tol: float = 1e-15, max_sweeps: int = 100) -> tuple[list[float], Matrix]:
    """Eigenvalues and eigenvectors of a real symmetric matrix, A = V·diag(w)·Vᵀ (cyclic Jacobi).

    Each step picks an off-diagonal entry a_pq ≠ 0 and applies the plane rotation J that
    zeroes it, A ← JᵀAJ, V ← VJ, with

        τ = (a_qq − a_pp)/(2a_pq),   t = sign(τ)/(|τ| + √(1 + τ²)),   c = 1/√(1 + t²),  s = t·c,

    so a_pp ← a_pp − t·a_pq and a_qq ← a_qq + t·a_pq. A sweep visits every pair p < q in
    turn; sweeps repeat until the off-diagonal norm is at most ``tol``·‖A‖_F (convergence is
    quadratic: a handful of sweeps). Returns ``(w, V)`` as ``numpy.linalg.eigh`` does:
    eigenvalues ascending, eigenvector k in *column* k (``V[i][k]``), orthonormal; each
    eigenvector's largest-magnitude component is made positive. A must be square and
    symmetric to 1e-12 relative (it is symmetrised); ``RuntimeError`` if ``max_sweeps``
    sweeps do not converge.

    The rotations run on 2⁻ᵉ·A, with 2ᵉ just above max|aᵢⱼ| (an exact scaling that leaves V
    unchanged), so entries near ±1e308 neither overflow nor lose their subnormal digits;
    the eigenvalues are 2ᵉ times those found, and a ``ValueError`` if they leave float range
    (|λ| ≤ n·max|aᵢⱼ|, e.g. 2·1e308 for [[1e308, 1e308], [1e308, 1e308]]).

    >>> w, V = jacobi_eigh([[2.0, 1.0], [1.0, 2.0]])
    >>> [round(x, 12) for x in w]
    [1.0, 3.0]
    >>> [round(V[i][1], 12) for i in range(2)]          # (1, 1)/√2
    [0.707106781187, 0.707106781187]
    """
    where = "jacobi_eigh"
    M = _as_matrix(A, where, "A")
    n = len(M)
    if len(M[0]) != n:
        raise ValueError(f"{where}: A must be a square matrix, got a {n}×{len(M[0])} matrix")
    tol = checks.real(tol, where, "tol", low=0.0)
    max_sweeps = checks.integer(max_sweeps, where, "max_sweeps", low=1)
    # Work on 2⁻ᵉ·A, e the exponent of max|aᵢⱼ|, whose entries lie in (−1, 1): squares and sums
    # cannot overflow, and scaling by a power of two is exact, so V is unchanged and the
    # eigenvalues are 2ᵉ times those found (for ordinary matrices, bit for bit the unscaled run).
    e = _exponent(max(abs(a) for row in M for a in row))
    original = M
    M = [[math.ldexp(a, -e) for a in row] for row in original]
    largest = max(abs(a) for row in M for a in row)
    for p in range(n):
        for q in range(p + 1, n):
            if abs(M[p][q] - M[q][p]) > 1e-12 * largest:
                raise ValueError(
                    f"{where}: A must be symmetric (to 1e-12 relative), got "
                    f"A[{p}][{q}] = {original[p][q]!r} but A[{q}][{p}] = {original[q][p]!r}"
                )
            M[p][q] = M[q][p] = 0.5 * (M[p][q] + M[q][p])
    V = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    norm = math.sqrt(math.fsum(a * a for row in M for a in row))  # invariant under rotations
    for sweep in range(max_sweeps + 1):  # check convergence before each sweep and after the last
        off = math.sqrt(math.fsum(M[p][q] ** 2 for p in range(n) for q in range(p + 1, n)))
        if off <= tol * norm:
            break
        if sweep == max_sweeps:
            raise RuntimeError(
                f"{where}: no convergence after max_sweeps={max_sweeps} sweeps "
                f"(off-diagonal norm {off:.3g}, matrix norm {norm:.3g})"
            )
        for p in range(n - 1):
            for q in range(p + 1, n):
                apq = M[p][q]
                if apq == 0.0:
                    continue
                tau = (M[q][q] - M[p][p]) / (2.0 * apq)
                t = math.copysign(1.0, tau) / (abs(tau) + math.hypot(1.0, tau))  # the smaller root
                c = 1.0 / math.sqrt(1.0 + t * t)
                s = t * c
                M[p][p] -= t * apq
                M[q][q] += t * apq
                M[p][q] = M[q][p] = 0.0
                for k in range(n):
                    if k != p and k != q:  # rows (and, by symmetry, columns) p and q
                        akp, akq = M[k][p], M[k][q]
                        M[k][p] = M[p][k] = c * akp - s * akq
                        M[k][q] = M[q][k] = s * akp + c * akq
                    vkp, vkq = V[k][p], V[k][q]
                    V[k][p] = c * vkp - s * vkq
                    V[k][q] = s * vkp + c * vkq
    order = sorted(range(n), key=lambda k: M[k][k])
    w = [_ldexp(M[k][k], e) for k in order]
    if not all(math.isfinite(lam) for lam in w):  # |λ| ≤ n·max|aᵢⱼ| can exceed float range
        checks.value_error(where, "A", "a matrix whose eigenvalues fit a float (|λ| < 1.8e308)", A)
    columns = []
    for k in order:
        v = [V[i][k] for i in range(n)]
        sign = math.copysign(1.0, max(v, key=abs))
        columns.append([sign * x for x in v])
    return w, [[columns[k][i] for k in range(n)] for i in range(n)]


# ------------------------------------------------------------ preprocessing
P = TypeVar("P", bound="_Preprocessor")


def _scaled_mean(column: list[float], e: int) -> float:
    """2⁻ᵉ·μ for the column's mean μ = x₀ + (1/N)·Σᵢ(xᵢ − x₀), computed on the entries 2⁻ᵉ·xᵢ.

    With 2ᵉ above every |xᵢ| those lie in (−1, 1), so no difference or sum can overflow (the
    mean of 1e308 and −1e308 is 0, not inf − inf); scaling by a power of two is exact, so
    for ordinary data this is bit for bit the unscaled formula. Shifting by the first entry
    makes a constant column's mean exactly that constant, so centring it gives exact zeros.
    """
    scaled = [math.ldexp(x, -e) for x in column]
    first = scaled[0]
    return first + math.fsum(x - first for x in scaled) / len(scaled)


def _rms(xs: list[float]) -> float:
    """√(Σ x²/N), scaled by m = max |x| first: m·√(Σ (x/m)²/N), so that squares of tiny
    (or huge) deviations neither underflow to subnormals nor overflow."""
    m = max(abs(x) for x in xs)
    if m == 0.0 or not math.isfinite(m):
        return m
    return m * math.sqrt(math.fsum((x / m) ** 2 for x in xs) / len(xs))


def _digits(x: float, e: int) -> str:
    """x·2ᵉ to 6 significant digits for a message, even where it is no float (2.5e-324, 1e400)."""
    with decimal.localcontext() as context:
        context.prec = 6
        return str(+(decimal.Decimal(x) * decimal.Decimal(2) ** e))


def _times_power_of_two(x: float, e: int) -> Fraction:
    """x·2ᵉ exactly, as a fraction (for the rare transform whose floats overflow on the way)."""
    return Fraction(x) * Fraction(2) ** e


class _Preprocessor:
    """fit(X_train) estimates statistics; transform(X) applies them to any rows.

    Statistics are computed on each feature divided by a power of two 2ᵉ ≥ max|xᵢⱼ| (exact),
    so data anywhere in float range — ±1e308, or subnormals near 5e-324 — neither overflow
    nor lose their digits; ``mean_`` and the other public attributes are those statistics
    in the data's own units, rounded to floats.
    """

    mean_: Optional[list[float]]

    def __init__(self) -> None:
        self.mean_ = None
        self._exponents: list[int] = []  # feature j is handled as 2^(−e_j)·x_j
        self._means: list[float] = []  # 2^(−e_j)·μ_j

    def fit(self: P, X: Rows) -> P:
        """Estimate the statistics from the training rows X (N ≥ 1); returns self."""
        where = f"{type(self).__name__}.fit"
        self._fit(_as_matrix(X, where))
        return self

    def transform(self, X: Rows) -> Matrix:
        """X transformed with the statistics fitted on the training set (new rows)."""
        where = f"{type(self).__name__}.transform"
        if self.mean_ is None:
            raise RuntimeError(f"{where}: not fitted yet; call fit(X_train) first")
        rows = _as_matrix(X, where)
        if len(rows[0]) != len(self.mean_):
            raise ValueError(
                f"{where}: X must be rows of {len(self.mean_)} features, as fit saw, "
                f"got rows of {len(rows[0])}"
            )
        return [self._transform_row(row, i, where) for i, row in enumerate(rows)]

    def fit_transform(self, X: Rows) -> Matrix:
        """``fit(X)`` then ``transform(X)``: for the training set only."""
        where = f"{type(self).__name__}.fit_transform"
        rows = _as_matrix(X, where)
        self._fit(rows)
        return [self._transform_row(row, i, where) for i, row in enumerate(rows)]

    def _fit(self, rows: Matrix) -> None:
        columns = [list(column) for column in zip(*rows)]
        self._exponents = [_exponent(max(abs(x) for x in column)) for column in columns]
        self._means = [_scaled_mean(column, e) for column, e in zip(columns, self._exponents)]
        self.mean_ = [_ldexp(m, e) for m, e in zip(self._means, self._exponents)]
        self._fit_scaled(rows, columns)

    def _fit_scaled(self, rows: Matrix, columns: Matrix) -> None:
        pass

    def _transform_row(self, row: list[float], i: int, where: str) -> list[float]:
        raise NotImplementedError

    def _centred(self, x: float, i: int, j: int, where: str) -> float:
        """x − μⱼ for X[i][j], or a ValueError naming that entry if it is beyond float range."""
        assert self.mean_ is not None
        m = self.mean_[j]
        if not math.isfinite(x - m):
            checks.value_error(
                where,
                f"X[{i}][{j}]",
                f"close enough to feature {j}'s mean {m:.6g} that x − μ fits a float (|x − μ| < 1.8e308)",
                x,
            )
        return x - m

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MeanSubtraction(_Preprocessor):
    """Zero-centre each feature: x ↦ x − μ, with μⱼ = (1/N)·Σᵢ xᵢⱼ over the training rows.

    μ is computed without overflow (the mean of 1e308 and −1e308 is 0); a centred value that
    itself lies beyond float range (|x − μ| > 1.8e308) is a ``ValueError`` naming the entry.

    >>> m = MeanSubtraction().fit([[1.0, 10.0], [3.0, 20.0]])
    >>> m.mean_, m.transform([[2.0, 0.0]])
    ([2.0, 15.0], [[0.0, -15.0]])
    >>> MeanSubtraction().fit_transform([[1e308], [-1e308]])
    [[1e+308], [-1e+308]]
    """

    def _transform_row(self, row: list[float], i: int, where: str) -> list[float]:
        return [self._centred(x, i, j, where) for j, x in enumerate(row)]


class Standardizer(_Preprocessor):
    """Per-feature normalisation: x ↦ (x − μ)/σ with the training set's μ and σ.

    σⱼ = √((1/N)·Σᵢ(xᵢⱼ − μⱼ)²), the population standard deviation (normalised by N, as
    scikit-learn's ``StandardScaler``), so the transformed training set has mean 0 and
    variance exactly 1 with that same normalisation. A feature constant on the training
    set (σⱼ = 0) is only centred: it stays 0 there instead of becoming 0/0.

    Standardising does not depend on the units: it is computed on each feature divided by a
    power of two (exactly), so 2ᵏ·X gives the same output as X, bit for bit, and data near
    ±1e308 or subnormals standardise as well as any. ``std_`` is σ rounded to a float (for
    subnormal data it loses digits, which the transform keeps). An output beyond float range
    — a new x far from a feature of tiny σ — is a ``ValueError`` naming the entry.

    >>> s = Standardizer().fit([[1.0, 5.0], [3.0, 5.0]])
    >>> s.mean_, s.std_
    ([2.0, 5.0], [1.0, 0.0])
    >>> s.transform([[4.0, 6.0]])
    [[2.0, 1.0]]
    >>> Standardizer().fit_transform([[1e308], [-1e308]])
    [[1.0], [-1.0]]
    """

    std_: Optional[list[float]]

    def __init__(self) -> None:
        super().__init__()
        self.std_ = None
        self._stds: list[float] = []  # 2^(−e_j)·σ_j

    def _fit_scaled(self, rows: Matrix, columns: Matrix) -> None:
        self._stds = [
            _rms([math.ldexp(x, -e) - m for x in column])
            for column, e, m in zip(columns, self._exponents, self._means)
        ]
        self.std_ = [_ldexp(s, e) for s, e in zip(self._stds, self._exponents)]

    def _transform_row(self, row: list[float], i: int, where: str) -> list[float]:
        out = []
        for j, x in enumerate(row):
            e, m, s = self._exponents[j], self._means[j], self._stds[j]
            if s == 0:  # a feature constant on the training set: only centred
                out.append(self._centred(x, i, j, where))
                continue
            z = (_ldexp(x, -e) - m) / s  # (x − μ)/σ with all three divided by 2ᵉ
            if not math.isfinite(z):  # 2⁻ᵉ·x or the quotient overflowed: redo it exactly
                try:
                    z = float((Fraction(x) - _times_power_of_two(m, e)) / _times_power_of_two(s, e))
                except OverflowError:
                    checks.value_error(
                        where,
                        f"X[{i}][{j}]",
                        f"close enough to feature {j}'s training data that (x − μ)/σ fits a float "
                        f"(μ = {_digits(m, e)}, σ = {_digits(s, e)})",
                        x,
                    )
            out.append(z)
        return out


class Whitening(_Preprocessor):
    """Decorrelate the features to identity covariance: z = (x − μ)·W with the training set's μ, W.

    With the training covariance Σ = (1/N)·Σᵢ(xᵢ − μ)ᵀ(xᵢ − μ) (normalised by N, like
    ``Standardizer``; numpy's ``np.cov(X, rowvar=False, bias=True)``) and its
    eigendecomposition Σ = V·diag(λ)·Vᵀ (``jacobi_eigh``), each eigen-direction k is
    scaled by 1/√λ̃ₖ, λ̃ₖ = max(λₖ, eps·λ_max):

    - ``method="pca"`` (the notes' version): W = V·diag(1/√λ̃) — project onto the
      eigenvectors, largest variance first, then divide by each one's standard deviation.
      (The notes divide by the singular values sₖ of the centred data, sₖ = √(N·λₖ), which
      gives variance 1/N; dividing by √λₖ gives variance 1.)
    - ``method="zca"``: W = V·diag(1/√λ̃)·Vᵀ — the same whitening rotated back to the
      original axes, the whitened data closest to the input.

    The transformed training set has covariance I exactly, except along directions with
    λₖ < eps·λ_max (rank-deficient or nearly so): these are divided by √(eps·λ_max)
    instead of a near-zero number — the notes' "divide by a small number instead" —
    which keeps every output finite; their variance becomes λₖ/(eps·λ_max) < 1.
    ``eps`` > 0 is relative to the largest eigenvalue, so the guard does not depend on
    the units of the data.

    Nor does the whitening itself: Σ, V and W are computed on the data divided by one power
    of two 2ᵉ ≥ max|xᵢⱼ| (exactly; one for all features, since whitening is invariant under a
    common scale but not under per-feature ones), so 2ᵏ·X whitens to the same output as X,
    bit for bit, and data near ±1e308 whiten without overflowing. ``eigenvalues_`` and
    ``matrix_`` are reported in the data's own units, rounded to floats: variances of data
    beyond about ±1.3e154 exceed float range and read ``inf`` there, which the transform
    does not use. A whitened value beyond float range is a ``ValueError`` naming the row.

    >>> w = Whitening(method="zca").fit([[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0]])
    >>> w.eigenvalues_
    [1.0, 1.0]
    >>> w.transform([[1.0, 1.0], [2.0, 2.0]])
    [[0.0, 0.0], [1.0, 1.0]]
    """

    eigenvalues_: Optional[list[float]]
    components_: Optional[Matrix]
    matrix_: Optional[Matrix]

    def __init__(self, method: str = "pca", eps: float = 1e-10) -> None:
        method = checks.choice(method, "Whitening", "method", ("pca", "zca"))
        eps = checks.real(eps, "Whitening", "eps", low=0.0, low_open=True)
        super().__init__()
        self.method, self.eps = str(method), eps
        self.eigenvalues_ = self.components_ = self.matrix_ = None
        self._exponent = 0  # the data are handled as 2^(−e)·x
        self._centre: list[float] = []  # 2^(−e)·μ
        self._matrix: Matrix = []  # 2^e·W, the whitening matrix of 2^(−e)·x

    def _fit_scaled(self, rows: Matrix, columns: Matrix) -> None:
        e = self._exponent = max(self._exponents)
        self._centre = [math.ldexp(m, e_j - e) for m, e_j in zip(self._means, self._exponents)]
        centred = [[math.ldexp(x, -e) - c for x, c in zip(row, self._centre)] for row in rows]
        d, N = len(centred[0]), len(centred)
        cov = [[0.0] * d for _ in range(d)]  # entries in [−4, 4]: |2⁻ᵉ(x − μ)| < 2
        for a in range(d):
            for b in range(a, d):
                cov[a][b] = cov[b][a] = math.fsum(row[a] * row[b] for row in centred) / N
        w, V = jacobi_eigh(cov)
        order = list(range(d))[::-1]  # largest variance first
        lams = [w[k] for k in order]
        self.eigenvalues_ = [_ldexp(lam, 2 * e) for lam in lams]  # Σ of x is 2²ᵉ times Σ of 2⁻ᵉx
        self.components_ = [[V[i][k] for i in range(d)] for k in order]  # row k: eigenvector k
        lam_max = max(lams[0], 0.0)
        floor = self.eps * lam_max
        if floor == 0:  # Σ = 0: every centred row is exactly 0, so any scale gives 0
            floor = 1.0
        # 1/√max(λ, floor), where √floor = √eps·√λ_max when eps·λ_max alone would overflow
        root_floor = math.sqrt(floor) if math.isfinite(floor) else math.sqrt(self.eps) * math.sqrt(lam_max)
        scales = [1.0 / math.sqrt(lam) if lam >= floor else 1.0 / root_floor for lam in lams]
        U = self.components_
        if self.method == "pca":  # W[i][k] = V[i][k]/√λ̃ₖ
            self._matrix = [[U[k][i] * scales[k] for k in range(d)] for i in range(d)]
        else:  # W[i][j] = Σₖ V[i][k] V[j][k]/√λ̃ₖ
            self._matrix = [
                [math.fsum(U[k][i] * U[k][j] * scales[k] for k in range(d)) for j in range(d)]
                for i in range(d)
            ]
        self.matrix_ = [[_ldexp(v, -e) for v in row] for row in self._matrix]

    def _transform_row(self, row: list[float], i: int, where: str) -> list[float]:
        e, W = self._exponent, self._matrix
        centred = [_ldexp(x, -e) - c for x, c in zip(row, self._centre)]
        try:
            z = [math.fsum(x * W[a][b] for a, x in enumerate(centred)) for b in range(len(W))]
        except (OverflowError, ValueError):  # fsum's intermediate overflow, or inf − inf
            z = [math.inf]
        if all(math.isfinite(v) for v in z):
            return z
        # a centred value or a product overflowed on the way: the same sums in exact fractions
        exact = [_times_power_of_two(x, -e) - Fraction(c) for x, c in zip(row, self._centre)]
        out = []
        for b in range(len(W)):
            try:
                out.append(float(sum(x * Fraction(W[a][b]) for a, x in enumerate(exact))))
            except OverflowError:
                checks.value_error(
                    where,
                    f"X[{i}]",
                    f"a row close enough to the training data that whitened component {b} fits a float "
                    "(|z| < 1.8e308)",
                    row,
                )
        return out

    def __repr__(self) -> str:
        return f"Whitening(method={self.method!r}, eps={self.eps!r})"
