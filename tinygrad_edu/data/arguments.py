"""The argument checks every data function shares: rows, labels, counts and noisy points.

Data are plain lists: ``X`` is a list of rows, each a list of floats (a ``Matrix``). A data
entry may be any real number that fits a float; nan, ±inf and numbers beyond float range are
refused, as are counts above ``MAX_SIZE``. Errors name the calling function and the argument.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any, Sequence

from .. import checks

__all__ = ["MAX_SIZE"]

Matrix = list[list[float]]
Rows = Sequence[Sequence[float]]

#: The largest row count, size or number of classes a function here builds: a plain-Python
#: list of 10⁷ rows already takes gigabytes, and a count like 10**400 would never finish.
MAX_SIZE = 10_000_000


def is_list_like(obj: object) -> bool:
    """A list, tuple, numpy array, …: sized and iterable, but not a string or a mapping."""
    if isinstance(obj, (str, bytes, bytearray, Mapping)):
        return False
    try:  # a 0-d numpy array has __len__ but refuses it; range(10**400) overflows len()
        len(obj)  # type: ignore[arg-type]
        iter(obj)  # type: ignore[call-overload]
    except (TypeError, OverflowError):
        return False
    return True


def checked_count(value: object, where: str, name: str, low: int) -> int:
    """A count of rows, classes, …: an integer (not a bool) in [low, MAX_SIZE]."""
    return checks.integer(value, where, name, low=low, high=MAX_SIZE)


def _entry(v: object, where: str, name: str) -> float:
    """One data entry as a finite float (the fast path skips the checks for a finite float)."""
    if type(v) is float and v - v == 0.0:  # x − x is 0 for finite x, nan for ±inf and nan
        return v
    return checks.real(v, where, name)


def as_matrix(X: Any, where: str, name: str = "X") -> Matrix:
    """A fresh list of float rows, all of one length ≥ 1; empty data, ragged rows,
    non-numbers, nan, inf and numbers beyond float range are errors naming ``where``
    and the offending entry."""
    if not is_list_like(X):
        checks.type_error(where, name, "a list of rows", X)
    rows: Matrix = []
    for i, row in enumerate(X):
        if not is_list_like(row):
            checks.type_error(where, f"{name}[{i}]", "a row (a list of numbers)", row)
        if not rows and len(row) == 0:
            checks.value_error(where, f"{name}[0]", "a row of at least one number", row)
        if rows and len(row) != len(rows[0]):
            checks.value_error(where, f"{name}[{i}]", f"a row of {len(rows[0])} numbers like {name}[0]", row)
        rows.append([_entry(v, where, f"{name}[{i}][{j}]") for j, v in enumerate(row)])
    if not rows:
        checks.value_error(where, name, "a non-empty list of rows", X)
    return rows


def as_labels(y: Any, n: int, where: str) -> list[Any]:
    """A copy of ``y`` after checking it has one entry per row and no nan, inf or number
    beyond float range (integer labels are exact whatever their size)."""
    if not is_list_like(y):
        checks.type_error(where, "y", "a list of labels", y)
    labels = list(y)
    if len(labels) != n:
        checks.value_error(where, "y", f"a list of {n} labels, one per row of X", y)
    for i, label in enumerate(labels):
        for v in label if is_list_like(label) else (label,):
            if checks.is_real(v) and not isinstance(v, numbers.Integral):
                checks.real(v, where, f"y[{i}]")
    return labels


def finite_noise(points: Matrix, noise: float, where: str, name: str) -> Matrix:
    """The noisy points, or a ValueError when N(0, noise²) pushed one beyond float range."""
    if not all(math.isfinite(x) for point in points for x in point):
        checks.value_error(where, name, "small enough that the noisy data stay within float range", noise)
    return points
