"""Checks at the boundary of the public API: every module's argument checks, in one message style.

A public function checks its arguments here *before* doing any work, and a bad
one is a ``TypeError`` (wrong type) or ``ValueError`` (wrong value) that reads

    <operation>: <argument> must be <what was expected>, got <what was received>

with the received value shortened safely (a 5,000-digit integer is "an integer
of 16610 bits", never its digits, which Python refuses to print).

What counts as a number
-----------------------
Wherever the library takes a plain number (a hyper-parameter, a data entry,
``Value(x)``), it takes a real number of any type — ``int``, ``float``, ``bool``
(as 0 or 1), ``fractions.Fraction``, ``decimal.Decimal`` and numpy's scalars
(``np.float64``, ``np.int64``, ``np.bool_``, ``np.longdouble``, …) — and
converts it with ``float(x)``. A finite number too large for a float
(``10**400``, ``np.longdouble("1e5000")``, ``Decimal("1e400")``) is a
``ValueError``, never a silent inf. Complex numbers, strings, lists, numpy
arrays and ``Value``\\ s (where a plain number is wanted: use ``.data``) are a
``TypeError``. A count or a size takes an integer of any type but ``bool``.

>>> real(0.5, "SGD", "lr", low=0.0)
0.5
>>> real(10**400, "SGD", "lr")
Traceback (most recent call last):
...
ValueError: SGD: lr must be a finite number within float range (|x| < 1.8e308), got an integer of 1329 bits
>>> integer("3", "MLP", "nin", low=1)
Traceback (most recent call last):
...
TypeError: MLP: nin must be an integer >= 1, got str '3'
"""

from __future__ import annotations

import decimal
import math
import numbers
import os
import random
from pathlib import Path
from typing import Any, Callable, Iterable, NoReturn, Optional, Protocol, TypeVar

T = TypeVar("T")


def short(x: Any) -> str:
    """repr(x), shortened: a huge int's repr would itself fail (Python's 4,300-digit limit)."""
    if isinstance(x, int) and not isinstance(x, bool) and abs(x).bit_length() > 64:
        return f"an integer of {abs(x).bit_length()} bits"
    try:
        text = repr(x)
    except Exception:  # a hostile __repr__, or a Fraction of huge ints, must not hide the real error
        text = f"<{type(x).__name__}>"
    text = " ".join(text.split())  # one line, whatever the repr (a numpy array's has several)
    return text if len(text) <= 80 else text[:77] + "..."


def received(x: Any) -> str:
    """What a message says was received: its type and short repr ("str 'adam'", "float nan")."""
    if _is_value(x):
        return "a Value (use its .data for the number)"
    text = short(x)
    if text.startswith("an integer of"):
        return text
    return f"{type(x).__name__} {text}"


def message(where: str, arg: str, expected: str, x: Any) -> str:
    """The one message style: ``"<where>: <arg> must be <expected>, got <received>"``."""
    return f"{where}: {arg} must be {expected}, got {received(x)}"


def type_error(where: str, arg: str, expected: str, x: Any) -> NoReturn:
    """Raise the TypeError for a wrong type."""
    raise TypeError(message(where, arg, expected, x))


def value_error(where: str, arg: str, expected: str, x: Any) -> NoReturn:
    """Raise the ValueError for a wrong value."""
    raise ValueError(message(where, arg, expected, x))


# ---------------------------------------------------------------- numbers
def is_real(x: Any) -> bool:
    """True for a real number of any type the library accepts as one (see the module's docstring)."""
    if isinstance(x, (str, bytes, bytearray)) or _is_value(x):
        return False
    if isinstance(x, (numbers.Real, decimal.Decimal)):
        return True
    kind = type(x)  # numpy's bool scalar is not registered as numbers.Real
    return kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")


def as_float(x: Any, where: str, arg: str = "x", expected: str = "a real number") -> float:
    """``float(x)`` for a real number, refusing what does not fit a float instead of rounding it to ±inf."""
    if type(x) is float:
        return x
    if not is_real(x):
        type_error(where, arg, expected, x)
    try:
        f = float(x)
    except (OverflowError, ValueError, ArithmeticError):  # 10**400, Fraction(10**400), Decimal("sNaN")
        f = math.nan if isinstance(x, decimal.Decimal) and x.is_snan() else math.inf
    if math.isinf(f) and not x == f:  # np.longdouble("1e5000") and Decimal("1e400") round to inf
        value_error(where, arg, f"{expected} within float range (|x| < 1.8e308)", x)
    return f


def real(
    x: Any,
    where: str,
    arg: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
    finite: bool = True,
) -> float:
    """A real number as a float, in the interval [low, high] (``*_open`` for ( or )), finite unless
    ``finite=False``; otherwise a TypeError/ValueError in the one message style.

    >>> real(1, "Adam", "eps", low=0.0, low_open=True)
    1.0
    >>> real(-1, "Adam", "eps", low=0.0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: Adam: eps must be a finite number > 0, got int -1
    """
    expected = _interval("a finite number" if finite else "a number", low, high, low_open, high_open)
    v = as_float(x, where, arg, expected)
    inside = (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if math.isnan(v) and not finite:
        return v
    if not inside or (finite and not math.isfinite(v)):
        value_error(where, arg, expected, x)
    return v


def _interval(kind: str, low: float, high: float, low_open: bool, high_open: bool) -> str:
    if low == -math.inf and high == math.inf:
        return kind
    if high == math.inf:
        return f"{kind} {'>' if low_open else '>='} {low:g}"
    if low == -math.inf:
        return f"{kind} {'<' if high_open else '<='} {high:g}"
    return f"{kind} in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


MAX_SECONDS = 1e6  # about 11.6 days: the OS's timers (poll's milliseconds in a C int) hold no more


def seconds(t: Any, where: str, arg: str = "timeout") -> float:
    """A time limit: a number of seconds in (0, 1e6], or inf for none (nan is refused).

    >>> seconds(1e7, "svg")
    Traceback (most recent call last):
    ...
    ValueError: svg: timeout must be a number of seconds in (0, 1e+06], or inf for none, got float 10000000.0
    """
    limit = real(t, where, arg, low=0.0, low_open=True, finite=False)
    if math.isnan(limit) or MAX_SECONDS < limit < math.inf:
        value_error(where, arg, f"a number of seconds in (0, {MAX_SECONDS:g}], or inf for none", t)
    return limit


def file_path(path: Any, where: str, arg: str = "path") -> Path:
    """A file path argument as a Path: a TypeError for anything but a str or os.PathLike of str, a
    ValueError for a path no file can have (empty, a NUL character, not encodable)."""
    expected = "a str or os.PathLike of str"
    text = path
    if isinstance(path, os.PathLike):
        try:
            text = os.fspath(path)
        except TypeError:  # its __fspath__ returned neither str nor bytes
            type_error(where, arg, expected, path)
    if not isinstance(text, str):
        type_error(where, arg, expected, path)
    if not text:
        value_error(where, arg, "a non-empty file path", path)
    if "\0" in text:
        value_error(where, arg, "a file path without NUL characters", path)
    try:
        os.fsencode(text)
    except UnicodeError:  # e.g. a lone surrogate that the file system's encoding refuses
        value_error(where, arg, "a file path the file system's encoding can write", path)
    return Path(text)


def integer(x: Any, where: str, arg: str, *, low: Optional[int] = None, high: Optional[int] = None) -> int:
    """An integer of any type but bool (int, np.int64, …) as an int, with low ≤ x ≤ high."""
    expected = "an integer" + (
        f" in [{low}, {high}]"
        if low is not None and high is not None
        else f" >= {low}"
        if low is not None
        else f" <= {high}"
        if high is not None
        else ""
    )
    if isinstance(x, bool) or not isinstance(x, numbers.Integral) or type(x).__name__ in ("bool", "bool_"):
        type_error(where, arg, expected, x)
    n = int(x)
    if (low is not None and n < low) or (high is not None and n > high):
        value_error(where, arg, expected, x)
    return n


def flag(x: Any, where: str, arg: str) -> bool:
    """A bool (True or False, or numpy's bool), as a bool."""
    if isinstance(x, bool) or (type(x).__name__ in ("bool", "bool_") and type(x).__module__ == "numpy"):
        return bool(x)
    type_error(where, arg, "True or False", x)


def choice(x: Any, where: str, arg: str, options: Iterable[str]) -> str:
    """One of the strings ``options``."""
    names = list(options)
    expected = "one of " + ", ".join(repr(o) for o in names)
    if not isinstance(x, str):
        type_error(where, arg, expected, x)
    if x not in names:
        value_error(where, arg, expected, x)
    return x


def instance(x: Any, where: str, arg: str, kind: type[T] | tuple[type, ...], expected: str) -> T:
    """x itself when it is an instance of ``kind``; a TypeError saying ``expected`` otherwise."""
    if not isinstance(x, kind):
        type_error(where, arg, expected, x)
    return x  # type: ignore[return-value]


def function(x: Any, where: str, arg: str, expected: str = "a function") -> Callable[..., Any]:
    """x itself when it can be called."""
    if not callable(x):
        type_error(where, arg, expected, x)
    return x  # type: ignore[no-any-return]


RANDOM_METHODS = ("uniform", "gauss", "random", "shuffle")  # all the library draws with


class RandomLike(Protocol):
    """What the library draws with: ``random.Random``, the ``random`` module, or the like."""

    def uniform(self, a: float, b: float) -> float: ...
    def gauss(self, mu: float, sigma: float) -> float: ...
    def random(self) -> float: ...
    def shuffle(self, x: list[Any]) -> None: ...


def random_source(seed: Any, generator: Any, where: str) -> RandomLike:
    """The generator behind ``seed=``/``rng=``: ``random.Random(seed)``, or the ``rng=`` generator,
    or Python's global one (the ``random`` module) when neither is given; both is a ValueError."""
    if seed is not None:
        seed = integer(seed, where, "seed")
    source = rng(generator, where)
    if seed is not None and source is not None:
        value_error(where, "seed", "None when rng= is given (give seed= or rng=, not both)", seed)
    if seed is not None:
        return random.Random(seed)
    return source if source is not None else random  # the random module draws alike


def rng(x: Any, where: str, arg: str = "rng") -> Any:
    """None, or a random source: ``random.Random(seed)``, the ``random`` module itself, or any
    object with the methods the library draws with (``uniform``, ``gauss``, ``random``, ``shuffle``)."""
    if x is None or isinstance(x, random.Random):
        return x
    if isinstance(x, (str, bytes, numbers.Number)) or not all(
        callable(getattr(x, m, None)) for m in RANDOM_METHODS
    ):
        type_error(where, arg, "None or a random source such as random.Random(0)", x)
    return x


def _is_value(x: Any) -> bool:  # a Value without importing the engine (which imports this module)
    return hasattr(x, "grad") and hasattr(x, "data") and hasattr(x, "backward")
