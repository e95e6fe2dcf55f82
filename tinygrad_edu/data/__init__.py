"""Datasets, splits, mini-batches and preprocessing, in plain Python.

- ``datasets``: logic gates, ``make_moons`` and the other generated point clouds, Iris, ``linspace``
- ``digits``: ``load_digits``, real handwritten digits (UCI optdigits, 8×8 images, CC BY 4.0)
- ``splits``: ``train_test_split``, ``train_val_test_split`` and mini-``batches``
- ``preprocessing``: ``one_hot``, ``add_noise``, ``MeanSubtraction``, ``Standardizer``, ``Whitening``
- ``linalg``: the Jacobi eigensolver ``jacobi_eigh`` that ``Whitening`` uses
- ``arguments``: the checks they share (rows, labels, counts; ``MAX_SIZE``)

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

from .arguments import MAX_SIZE
from .datasets import (
    GATES,
    IRIS_CLASSES,
    IRIS_FEATURES,
    linspace,
    load_iris,
    logic_gate,
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    xor3,
)
from .digits import DIGITS_CITATION, DIGITS_CLASSES, DIGITS_SHAPE, load_digits
from .linalg import jacobi_eigh
from .preprocessing import MeanSubtraction, Standardizer, Whitening, add_noise, one_hot
from .splits import batches, train_test_split, train_val_test_split

# the submodules' public names, re-exported: the public API of the former data.py, unchanged
# (listed again here, deliberately: mypy and readers see a package's exports in its own __all__)
__all__ = [
    "DIGITS_CITATION",
    "DIGITS_CLASSES",
    "DIGITS_SHAPE",
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
    "load_digits",
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
