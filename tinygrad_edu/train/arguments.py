"""The checks that fit, evaluate and bagging share: the data (X, y) and an optimizer.

Each check names the public function (``where``) and the argument in its error, in the one
message style of :mod:`tinygrad_edu.checks`.
"""

from __future__ import annotations

import numbers
from typing import Any, Protocol, Sequence

from ..checks import is_real, real, type_error, value_error
from ..engine import Value
from ..optim import Optimizer

Rows = Sequence[Sequence[float]]  # X: samples, each a list of numbers
Targets = Sequence[Any]  # y: one target per sample, a number or a list of numbers


class OptimizerLike(Protocol):
    """What ``fit`` needs from an optimizer (every one in :mod:`tinygrad_edu.optim` has it)."""

    lr: float

    def step(self) -> None: ...
    def zero_grad(self) -> None: ...


def is_sequence(x: Any) -> bool:
    """A list, tuple or other Sequence, but not a str or bytes (whose items would pass for entries);
    unlike data's is_list_like, not a numpy array: fit's samples are lists."""
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes, bytearray))


def checked_samples(X: Any, y: Any, where: str, xname: str, yname: str) -> tuple[list[Any], list[Any]]:
    """X as a list of rows of floats and y as a list of targets, both checked; as many of each."""
    if not is_sequence(X):
        type_error(where, xname, "a list of samples, each a list of numbers", X)
    if not is_sequence(y):
        type_error(where, yname, "a list of targets, one per sample", y)
    if not X:
        value_error(where, xname, "a non-empty list of samples", X)
    if len(y) != len(X):
        value_error(where, yname, f"a list of {len(X)} targets, one per sample of {xname}", y)
    rows = [_row(row, where, f"{xname}[{i}]") for i, row in enumerate(X)]
    targets = [_target(t, where, f"{yname}[{i}]") for i, t in enumerate(y)]
    return rows, targets


def _row(row: Any, where: str, arg: str) -> Any:
    """One sample: a list of finite floats (a lone number stays a number)."""
    if is_real(row):
        return real(row, where, arg)
    if not is_sequence(row):
        type_error(where, arg, "a list of numbers", row)
    return [real(v, where, f"{arg}[{j}]") for j, v in enumerate(row)]


def _target(t: Any, where: str, arg: str, nested: bool = True) -> Any:
    """One target: a finite number — an int stays an int (a class index) — or a list of them."""
    if is_real(t):
        v = real(t, where, arg)
        integral = isinstance(t, numbers.Integral) or type(t).__name__ in ("bool", "bool_")
        return int(t) if integral else v
    if not nested or not is_sequence(t):
        type_error(where, arg, "a number" if not nested else "a number or a list of numbers", t)
    return [_target(v, where, f"{arg}[{j}]", nested=False) for j, v in enumerate(t)]


def check_optimizer(opt: Any, where: str, arg: str, params: list[Value]) -> None:
    """An optimizer is anything with step(), zero_grad() and lr (what fit uses). One of the library's
    must hold some of the model's parameters, or training would move nothing."""
    has = callable(getattr(opt, "step", None)) and callable(getattr(opt, "zero_grad", None))
    if not has or not hasattr(opt, "lr"):
        type_error(
            where, arg, "an optimizer: an object with step(), zero_grad() and lr (e.g. optim.SGD)", opt
        )
    if isinstance(opt, Optimizer):
        ours = {id(p) for p in params}
        if not any(id(p) in ours for p in opt.params):
            value_error(
                where, arg, "an optimizer of this model's parameters (e.g. SGD(model.parameters()))", opt
            )
