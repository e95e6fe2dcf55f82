"""The parameters an optimizer or a clipping function is given, and their gradients, checked."""

from __future__ import annotations

from typing import Any, Iterable

from ..checks import as_float, type_error
from ..engine import Value

_GRAD = "a real number (backward() sets it; a parameter without a gradient has 0.0, never None)"


def parameter_list(params: Any, where: str, allow_empty: bool = False) -> list[Value]:
    """``params`` as a list of distinct Values, or a TypeError/ValueError naming ``where``."""
    if isinstance(params, Value):
        raise TypeError(
            f"{where}: params must be an iterable of Values (for one, use [value]), got a single Value"
        )
    if isinstance(params, (str, bytes, bytearray)) or not isinstance(params, Iterable):
        hint = " (did you mean model.parameters()?)" if hasattr(params, "parameters") else ""
        type_error(where, "params", "an iterable of Values" + hint, params)
    out = list(params)
    seen: dict[int, int] = {}
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            type_error(where, f"params[{i}]", "a Value", p)
        if id(p) in seen:  # it would be updated twice per step
            raise ValueError(
                f"{where}: params[{i}] must be a Value not already in params, got the same Value as "
                f"params[{seen[id(p)]}]"
            )
        seen[id(p)] = i
    if not out and not allow_empty:
        used_up = " (already used up?)" if iter(params) is params else ""  # a generator iterated before
        raise ValueError(
            f"{where}: params must be a non-empty iterable of Values (e.g. model.parameters()), "
            f"got an empty {type(params).__name__}{used_up}"
        )
    return out


def grads_as_floats(params: list[Value], where: str) -> list[float]:
    """Every ``p.grad`` as a float (the ``.data`` of a Value gradient made by ``create_graph=True``).

    nan and ±inf pass (they propagate under IEEE 754, as in PyTorch); None, a
    string, or a number too large for a float is an error naming the parameter.
    """
    grads = []
    for i, p in enumerate(params):
        if not isinstance(p, Value):  # self.params is a public list: someone may have appended to it
            type_error(where, f"params[{i}]", "a Value", p)
        g = p.grad
        if isinstance(g, Value):
            grads.append(as_float(g.data, where, f"params[{i}].grad.data"))
        else:
            grads.append(as_float(g, where, f"params[{i}].grad", _GRAD))
    return grads
