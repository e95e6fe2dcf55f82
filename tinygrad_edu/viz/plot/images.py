"""Pictures of images and of a classifier's mistakes: a grid of small images (digits, or a
layer's weights drawn as the image each hidden unit responds to), and a confusion matrix."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Optional, Sequence

from ... import checks
from .figures import PathLike, check_texts, format_of, import_matplotlib, new_figure, save_figure

__all__ = ["confusion_counts", "confusion_matrix", "image_grid"]

MAX_CLASSES = 1000  # a matrix of more classes has cells too small to read (and 10⁶ counts)


def _sequence(x: Any, where: str, arg: str, expected: str) -> Sequence[Any]:
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        checks.type_error(where, arg, expected, x)
    return x


def _shape(shape: Any, where: str) -> tuple[int, int]:
    pair = _sequence(shape, where, "shape", "a pair (rows, columns)")
    if len(pair) != 2:
        checks.value_error(where, "shape", "a pair (rows, columns)", shape)
    rows, cols = (checks.integer(n, where, f"shape[{i}]", low=1, high=10_000) for i, n in enumerate(pair))
    return rows, cols


def _images(images: Any, pixels: int, where: str) -> list[list[float]]:
    """Each image as a list of ``pixels`` finite floats."""
    expected = f"a list of images, each a list of {pixels} numbers (rows × columns of shape)"
    out = []
    for k, image in enumerate(_sequence(images, where, "images", expected)):
        values = _sequence(image, where, f"images[{k}]", f"a list of {pixels} numbers")
        if len(values) != pixels:
            checks.value_error(where, f"images[{k}]", f"a list of {pixels} numbers", image)
        out.append([checks.real(v, where, f"images[{k}][{i}]") for i, v in enumerate(values)])
    if not out:
        checks.value_error(where, "images", "a non-empty list of images", images)
    return out


def _names(names: Any, count: Optional[int], where: str, arg: str) -> Optional[list[str]]:
    """None, or ``count`` strings (any number from 1 to MAX_CLASSES when ``count`` is None)."""
    if names is None:
        return None
    expected = "None or a list of " + (f"{count} str" if count is not None else f"1 to {MAX_CLASSES} str")
    listed = list(_sequence(names, where, arg, expected))
    check_texts(where, **{f"{arg}[{i}]": t for i, t in enumerate(listed)})
    if len(listed) != count if count is not None else not 1 <= len(listed) <= MAX_CLASSES:
        checks.value_error(where, arg, expected, names)
    return listed


def image_grid(
    images: Sequence[Sequence[float]],
    path: PathLike,
    *,
    shape: Sequence[int] = (8, 8),
    titles: Optional[Sequence[str]] = None,
    columns: Optional[int] = None,
    title: str = "",
    signed: bool = False,
) -> Path:
    """Draw each image, a flat list of rows·columns numbers read row by row, in a grid; return the path.

    Pixel (r, c) of an image is its entry ``columns·r + c`` (``shape = (rows, columns)``), as
    in ``tinygrad_edu.data.load_digits``. Two colour scales:

    * ``signed=False`` (images): grey levels from white (the smallest number of all the
      images) to black (the largest), one scale for all, so the images compare.
    * ``signed=True`` (weights): blue for negative, white for 0, red for positive, each image
      on its own scale ±max|w|. A hidden unit's weight vector w drawn this way is the input
      pattern that excites it most, for a given input norm (z = w·x is largest for x ∝ w),
      whatever its size.

    ``titles`` (one str per image) are written above them; ``columns`` is the grid's width
    (default ⌈√n⌉). Each image's SVG id is ``image-<k>``.
    """
    where = "image_grid"
    rows, cols = _shape(shape, where)
    pictures = _images(images, rows * cols, where)
    names = _names(titles, len(pictures), where, "titles")
    width = (
        math.isqrt(len(pictures) - 1) + 1  # ⌈√n⌉
        if columns is None
        else checks.integer(columns, where, "columns", low=1, high=10_000)
    )
    check_texts(where, title=title)
    signed = checks.flag(signed, where, "signed")
    format_of(path, where)
    import_matplotlib()
    height = math.ceil(len(pictures) / width)
    low = min(min(p) for p in pictures)
    high = max(max(p) for p in pictures)
    fig = new_figure(1.0 + 1.1 * width * cols / max(rows, cols), 0.6 + 1.2 * height * rows / max(rows, cols))
    if title:
        fig.suptitle(title)
    for k, picture in enumerate(pictures):
        ax = fig.add_subplot(height, width, k + 1)
        grid = [picture[r * cols : (r + 1) * cols] for r in range(rows)]
        if signed:  # 0 is white; each image reaches full colour at its own largest |w|
            scale = max(abs(v) for v in picture) or 1.0
            ax.imshow(grid, cmap="RdBu_r", vmin=-scale, vmax=scale, gid=f"image-{k}")
        else:
            ax.imshow(grid, cmap="gray_r", vmin=low, vmax=high if high > low else low + 1, gid=f"image-{k}")
        ax.set_xticks([])
        ax.set_yticks([])
        if names is not None:
            ax.set_title(names[k], fontsize=8)
    return save_figure(fig, path)


def confusion_counts(
    y_true: Sequence[int], y_pred: Sequence[int], num_classes: Optional[int] = None
) -> list[list[int]]:
    """The confusion matrix C as counts: C[i][j] = how many samples of true class i were predicted j.

    The diagonal holds the right answers, so accuracy = Σᵢ C[i][i] / Σ C, and row i sums
    to the number of samples of class i. Labels are ints 0 ≤ c < ``num_classes``
    (default: the largest label + 1; at most 1000 classes). No matplotlib is needed.

    >>> confusion_counts([0, 0, 1, 2, 2], [0, 1, 1, 2, 0])
    [[1, 1, 0], [0, 1, 0], [1, 0, 1]]
    """
    where = "confusion_counts"
    return _counts(y_true, y_pred, num_classes, where)


def _labels(labels: Any, where: str, arg: str) -> list[int]:
    listed = _sequence(labels, where, arg, "a list of class indices (int)")
    return [checks.integer(c, where, f"{arg}[{i}]", low=0) for i, c in enumerate(listed)]


def _counts(y_true: Any, y_pred: Any, num_classes: Any, where: str) -> list[list[int]]:
    truth, guesses = _labels(y_true, where, "y_true"), _labels(y_pred, where, "y_pred")
    if len(truth) != len(guesses):
        raise ValueError(f"{where}: y_true has {len(truth)} labels but y_pred has {len(guesses)}")
    if num_classes is None:
        if not truth:
            raise ValueError(f"{where}: no labels, and no num_classes to size the matrix")
        num_classes = max(truth + guesses) + 1
        if num_classes > MAX_CLASSES:
            checks.value_error(where, "y_true and y_pred", f"labels below {MAX_CLASSES}", num_classes - 1)
    k = checks.integer(num_classes, where, "num_classes", low=1, high=MAX_CLASSES)
    for arg, labels in (("y_true", truth), ("y_pred", guesses)):
        for i, c in enumerate(labels):
            if c >= k:
                checks.value_error(where, f"{arg}[{i}]", f"a class index below num_classes = {k}", c)
    counts = [[0] * k for _ in range(k)]
    for t, p in zip(truth, guesses):
        counts[t][p] += 1
    return counts


def confusion_matrix(
    y_true: Sequence[int],
    y_pred: Sequence[int],
    path: PathLike,
    *,
    classes: Optional[Sequence[str]] = None,
    title: str = "confusion matrix",
) -> Path:
    """Draw :func:`confusion_counts` of the labels: rows the true class, columns the predicted
    one, each cell's count written in it and shaded by its share of its row (the recall of
    that class on the diagonal); return the path.

    ``classes`` names the classes (their number then sizes the matrix); by default they are
    0, 1, …, the largest label. The title gets the accuracy Σᵢ C[i][i] / Σ C appended. The
    cells' picture has the SVG id ``confusion``.
    """
    where = "confusion_matrix"
    names = _names(classes, None, where, "classes")
    counts = _counts(y_true, y_pred, None if names is None else len(names), where)
    check_texts(where, title=title)
    format_of(path, where)
    import_matplotlib()
    if names is None:
        names = [str(c) for c in range(len(counts))]
    k, total = len(counts), sum(map(sum, counts))
    shares = [[c / (sum(row) or 1) for c in row] for row in counts]
    fig = new_figure(1.6 + 0.45 * k, 1.2 + 0.45 * k)
    ax = fig.add_subplot(111)
    ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0, gid="confusion")
    for i in range(k):
        for j in range(k):
            if counts[i][j]:
                dark = shares[i][j] > 0.5
                ax.text(
                    j,
                    i,
                    str(counts[i][j]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
    right = sum(counts[c][c] for c in range(k))
    accuracy = f"accuracy {right}/{total} = {right / total:.1%}" if total else "no samples"
    ax.set_title(f"{title}: {accuracy}" if title else accuracy)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return save_figure(fig, path)
