"""Checks at the boundary of the public API: one message style, naming the operation and the value."""

from __future__ import annotations

import numbers
from typing import Any


def short(x: Any) -> str:
    """repr(x), shortened: a huge int's repr would itself fail (Python's 4,300-digit limit)."""
    if isinstance(x, int) and abs(x).bit_length() > 64:
        return f"an integer of {abs(x).bit_length()} bits"
    try:
        text = repr(x)
    except Exception:  # a hostile __repr__ must not hide the real error
        text = f"<{type(x).__name__}>"
    return text if len(text) <= 80 else text[:77] + "..."


def check_real(x: Any, where: str) -> float:
    """The float inside a real number, or a TypeError/ValueError naming ``where`` and ``x``.

    Values are refused (use ``.data``): a check at the boundary wants a plain number.
    """
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) and not hasattr(x, "grad"):  # int, bool, Fraction, numpy, ...
        try:
            return float(x)
        except OverflowError:
            raise ValueError(f"{where}: {short(x)} is too large for a float") from None
    if hasattr(x, "grad") and hasattr(x, "data"):
        raise TypeError(f"{where}: expected a real number, got a Value; use its .data")
    raise TypeError(f"{where}: expected a real number, got {type(x).__name__} {short(x)}")
