"""Splitting rows into training, validation and test parts, and one epoch of mini-batches.

Every split copies the rows and shuffles them first. Shuffles use only ``rng.random()`` in an
explicit Fisher–Yates loop (``permutation``), so they do not depend on how a Python version
implements ``random.shuffle``; the same seed gives the same split bit for bit.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any, Iterator, Optional, Sequence, Union

from .. import checks
from ..checks import RandomLike
from .arguments import Matrix, Rows, as_labels, as_matrix

__all__ = ["batches", "train_test_split", "train_val_test_split"]


def permutation(n: int, rng: RandomLike) -> list[int]:
    """A uniformly random ordering of range(n) (Fisher–Yates), drawing only ``rng.random()``."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = min(int(rng.random() * (i + 1)), i)  # min: guards rounding up to i + 1
        order[i], order[j] = order[j], order[i]
    return order


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
    order = permutation(n, rng)
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
    rows = as_matrix(X, where)
    labels = as_labels(y, len(rows), where)
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
    rows = as_matrix(X, where)
    labels = as_labels(y, len(rows), where)
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
    rows = as_matrix(X, where)
    labels = as_labels(y, len(rows), where)
    size = checks.integer(batch_size, where, "batch_size", low=1)
    shuffle = checks.flag(shuffle, where, "shuffle")
    generator = checks.random_source(seed, rng, where)
    order = permutation(len(rows), generator) if shuffle else list(range(len(rows)))

    def epoch() -> Iterator[tuple[Matrix, list[Any]]]:
        for start in range(0, len(order), size):
            chunk = order[start : start + size]
            yield [rows[i] for i in chunk], [labels[i] for i in chunk]

    return epoch()
