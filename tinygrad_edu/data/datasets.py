"""Datasets: logic-gate truth tables, generated point clouds and Fisher's Iris.

Every generator returns ``(X, y)``: X a list of rows of floats, y one int class per row (each
docstring says which values). Those that draw random numbers take ``seed=`` or ``rng=``, as
described in ``tinygrad_edu.data``. Iris ships inside the package (``tinygrad_edu/data/iris.csv``).
"""

from __future__ import annotations

import csv
import io
import math
import numbers
from importlib import resources
from typing import Callable, Optional, Union

from .. import checks
from ..checks import RandomLike
from .arguments import Matrix, Rows, as_matrix, checked_count, finite_noise, is_list_like
from .splits import permutation

__all__ = [
    "GATES",
    "IRIS_CLASSES",
    "IRIS_FEATURES",
    "linspace",
    "load_iris",
    "logic_gate",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_spirals",
    "xor3",
]

Dataset = tuple[Matrix, list[int]]


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
    start, stop = checks.real(start, where, "start"), checks.real(stop, where, "stop")
    m = checked_count(m, where, "m", 0)
    endpoint = checks.flag(endpoint, where, "endpoint")
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
        points = finite_noise(
            [[x + rng.gauss(0.0, noise) for x in point] for point in points], noise, where, name
        )
    if shuffle:
        order = permutation(len(points), rng)
        points, labels = [points[i] for i in order], [labels[i] for i in order]
    return points, labels


# The make_* functions share their keyword arguments (n, noise, shuffle, seed, rng), written out
# in each signature, deliberately: each reads and type-checks on its own.
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
    n = checked_count(n, where, "n", 2)
    noise = checks.real(noise, where, "noise", low=0.0)
    shuffle = checks.flag(shuffle, where, "shuffle")
    generator = checks.random_source(seed, rng, where)
    n_outer = n // 2
    outer = [[math.cos(t), math.sin(t)] for t in linspace(0.0, math.pi, n_outer)]
    inner = [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in linspace(0.0, math.pi, n - n_outer)]
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
    n = checked_count(n, where, "n", 2)
    noise = checks.real(noise, where, "noise", low=0.0)
    factor = checks.real(factor, where, "factor", low=0.0, high=1.0, low_open=True, high_open=True)
    shuffle = checks.flag(shuffle, where, "shuffle")
    generator = checks.random_source(seed, rng, where)
    n_outer = n // 2
    outer = [[math.cos(t), math.sin(t)] for t in linspace(0.0, 2 * math.pi, n_outer, endpoint=False)]
    inner = [
        [factor * math.cos(t), factor * math.sin(t)]
        for t in linspace(0.0, 2 * math.pi, n - n_outer, endpoint=False)
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
    k_classes = checked_count(classes, where, "classes", 2)
    n = checked_count(n, where, "n", k_classes)
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
        count = checked_count(centers, where, "centers", 1)
    elif is_list_like(centers):
        given = as_matrix(centers, where, "centers")
        count = len(given)
    else:
        checks.type_error(where, "centers", "a count or a list of centre points", centers)
    n = checked_count(n, where, "n", count)
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
    (``tinygrad_edu/data/iris.csv``) and is read with ``importlib.resources``; nothing
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
    source = resources.files(_PACKAGE) / "iris.csv"
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
