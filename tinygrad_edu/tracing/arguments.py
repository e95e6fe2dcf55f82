"""The arguments of a traced function: how the example arguments nest, checked once, and the
numbers of each call's arguments, checked against that nesting and laid out flat for the replay.

An argument is a real number or a (nested) list or tuple of them. :func:`example_spec` records its
nesting (its :data:`Spec`); :func:`flatten` lists a call's numbers in that order, the replay's
``inputs``; :func:`nest` puts numbers (input Values at trace time, input gradients after a call)
back into the same nesting.
"""

from __future__ import annotations

from typing import Any, Optional

from ..checks import as_float, is_real, received, short
from ..engine import Value

__all__ = ["Spec", "example_spec", "flatten", "nest"]

# How the example arguments nest: None for a number; (list or tuple, the entries' specs,
# whether every entry is a number) for a list or tuple.
Spec = Optional[tuple[type, tuple["Spec", ...], bool]]


def example_spec(x: Any, path: str) -> Spec:
    """How an example argument nests; a TypeError for anything but real numbers in lists and tuples."""
    if isinstance(x, (list, tuple)):
        children = tuple(example_spec(xi, f"{path}[{i}]") for i, xi in enumerate(x))
        return (type(x), children, all(s is None for s in children))
    if isinstance(x, Value):
        raise TypeError(
            f"trace: {path} is a Value; pass numbers (its .data): trace makes each one a new input Value"
        )
    as_float(x, "trace", path)  # TypeError for a non-number, ValueError for a huge int
    return None


def flatten(x: Any, spec: Spec, out: list[float], where: str, path: str) -> None:
    """Append the numbers of ``x`` to ``out``, checking that it nests as ``spec`` says."""
    if spec is None:
        if type(x) is not float:
            if isinstance(x, (list, tuple)):
                raise ValueError(f"{where}: {path} should be a number (as traced), got a {type(x).__name__}")
            x = as_float(x, where, path)
        out.append(x)
        return
    kind, children, flat = spec
    if not isinstance(x, (list, tuple)):
        if isinstance(x, Value) or not is_real(x):
            raise TypeError(
                f"{where}: {path} should be a {kind.__name__} of {len(children)} entries, got {received(x)}"
            )
        raise ValueError(
            f"{where}: {path} should be a {kind.__name__} of {len(children)} entries, got {short(x)}"
        )
    if len(x) != len(children):
        raise ValueError(f"{where}: {path} has {len(x)} entries; it was traced with {len(children)}")
    if flat and all(type(xi) is float for xi in x):  # the usual case, at C speed
        out.extend(x)
        return
    for i, (xi, si) in enumerate(zip(x, children)):
        flatten(xi, si, out, where, f"{path}[{i}]")


def nest(spec: Spec, flat: Any) -> Any:
    """The next values of the iterator ``flat``, nested as ``spec`` says."""
    if spec is None:
        return next(flat)
    kind, children, _ = spec
    return kind(nest(s, flat) for s in children)
