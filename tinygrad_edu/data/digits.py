"""Real handwritten digits: the UCI "Optical Recognition of Handwritten Digits" 8×8 images.

1,797 digits written by 13 people on preprinted forms. Each form was scanned, each digit
cut out as a normalised 32×32 bitmap, and the bitmap divided into 8×8 blocks of 4×4
pixels; each of the 64 numbers counts the ink pixels in its block, an integer 0..16 (16
grey levels and white). This is the data set's test part, the copy scikit-learn ships as
``load_digits``. It ships inside this package (``tinygrad_edu/data/digits.csv.gz``, with
its attribution in ``DIGITS.md`` next to it) and is read with ``importlib.resources``;
nothing is downloaded.

Creators: E. Alpaydin and C. Kaynak (1998). Licence: CC BY 4.0. See :data:`DIGITS_CITATION`.
"""

from __future__ import annotations

import csv
import gzip
import io
from importlib import resources

from .arguments import Matrix

__all__ = ["DIGITS_CITATION", "DIGITS_CLASSES", "DIGITS_SHAPE", "load_digits"]

#: How to cite the data set (its licence, CC BY 4.0, asks for this attribution).
DIGITS_CITATION = (
    "E. Alpaydin and C. Kaynak (1998). Optical Recognition of Handwritten Digits [Dataset]. "
    "UCI Machine Learning Repository. https://doi.org/10.24432/C50P49. Licence: CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/)."
)
#: The ten classes; ``load_digits`` labels digit d with the int d.
DIGITS_CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
#: Rows × columns of one image: pixel (r, c) is entry 8·r + c of its row in X.
DIGITS_SHAPE = (8, 8)
_FILE = "digits.csv.gz"
_PIXELS = DIGITS_SHAPE[0] * DIGITS_SHAPE[1]
_MAX_LEVEL = 16  # a block of 4×4 pixels holds 0..16 ink pixels


def load_digits() -> tuple[Matrix, list[int], list[str]]:
    """The UCI optdigits test set: 1,797 handwritten digits as 8×8 images of grey levels 0..16.

    Returns ``(X, y, class_names)``: X is 1,797 rows of 64 floats, each an image read
    row by row (pixel (r, c) is ``x[8 * r + c]``; 0.0 is white, 16.0 a block of 4×4
    pixels all inked), y the ints 0..9 (the digit shown), and ``class_names`` the
    strings "0".."9". Rows are in the published order; each class has 174 to 183 images.
    Dividing by 16 scales the pixels into [0, 1] for a network.

    Created by E. Alpaydin and C. Kaynak (1998), from the UCI Machine Learning Repository
    (https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits,
    https://doi.org/10.24432/C50P49), under the CC BY 4.0 licence; cite it as
    :data:`DIGITS_CITATION`. Copied from scikit-learn's ``sklearn/datasets/data/digits.csv.gz``.

    >>> X, y, names = load_digits()
    >>> len(X), len(X[0]), names[y[0]], y[:10]
    (1797, 64, '0', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    >>> for r in range(8):                     # the first image, '#' where a block is half inked
    ...     print("".join("#" if X[0][8 * r + c] >= 8 else "-" for c in range(8)))
    ...
    ---##---
    --####--
    --#--##-
    --#--##-
    --#--##-
    --#--#--
    --#-##--
    ---##---
    """
    where = "load_digits"
    source = resources.files(__name__.rpartition(".")[0]) / _FILE  # tinygrad_edu.data's folder
    text = gzip.decompress(source.read_bytes()).decode("ascii")
    damaged = "the installed package is damaged"
    X: Matrix = []
    y: list[int] = []
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        numbers = [int(v) for v in row if v.isdigit()]  # only digits: no sign, no point
        if len(row) != _PIXELS + 1 or len(numbers) != len(row):
            raise RuntimeError(f"{where}: {source} line {line} is malformed; {damaged}")
        *pixels, label = numbers
        if max(pixels) > _MAX_LEVEL or label >= len(DIGITS_CLASSES):
            raise RuntimeError(f"{where}: {source} line {line} is out of range; {damaged}")
        X.append([float(p) for p in pixels])
        y.append(label)
    return X, y, list(DIGITS_CLASSES)
