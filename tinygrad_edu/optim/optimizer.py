"""The base class of every optimizer: its parameters, ``lr``, ``step()``, ``zero_grad()`` and saved state.

Conventions shared by all optimizers:

- ``lr`` is a public attribute; change it between steps by hand or with a
  schedule (:class:`StepLR`, :class:`ExponentialLR`, :class:`InverseTimeLR`,
  :class:`LambdaLR`, :class:`ConstantLR`). ``step()`` checks it is a finite
  number ≥ 0 (a schedule may set 0).
- Every parameter is updated at every ``step()``, whatever its gradient, and a
  zero gradient still decays the momentum buffers, as in PyTorch for a zero
  tensor. PyTorch skips a parameter whose ``.grad`` is ``None`` ("no gradient");
  the engine has no such state (``backward()`` and ``zero_grad()`` leave 0.0,
  and ``backward()`` cannot add into None), so a ``.grad`` set to None by hand
  is refused: ``step()`` raises a TypeError naming the parameter and changes
  nothing.
- Gradients that are nan or ±inf are not checked: the step follows IEEE 754 and
  the parameter (and the optimizer's state) becomes nan/inf, as in PyTorch.
  Use :func:`clip_grad_norm` with ``error_if_nonfinite=True`` or the engine's
  ``detect_anomaly()`` to catch them. Likewise a division 0/0 (e.g. ``eps=0``
  with a zero gradient) gives nan rather than an exception.
- After ``backward(create_graph=True)`` a ``.grad`` is a ``Value``; the
  optimizers read its ``.data`` (the step itself is never part of a graph).
- Per-parameter state lives in ``optimizer.state``: a dict from PyTorch's state
  names (``"momentum_buffer"``, ``"exp_avg"``, ...) to lists of floats parallel
  to ``optimizer.params``. ``state_dict()`` / ``load_state_dict()`` save and
  restore it with ``lr`` and the step count.
"""

from __future__ import annotations

import math
from itertools import islice
from operator import attrgetter
from typing import Any, Iterable, NoReturn, Optional

from ..checks import as_float, integer, real, short, type_error, value_error
from ..engine import Value
from .parameters import grads_as_floats, parameter_list

__all__ = ["Optimizer"]

# The largest step or epoch count: every integer up to 2⁵³ is exact as a float (Adam's t, AdaGrad's
# (t − 1)·lr_decay and the schedules compute with float(t)), and no training gets near it.
MAX_COUNT = 2**53

# the per-parameter state that is a sum or an average of squares, hence ≥ 0 (or nan/inf after a bad gradient)
_SQUARES = frozenset({"sum", "square_avg", "exp_avg_sq", "max_exp_avg_sq"})


def _keys(d: dict[Any, Any]) -> str:
    """A dict's keys for a message, at most ten, each shortened safely."""
    shown = [short(k) for k in islice(d, 10)]
    return "[" + ", ".join(shown) + (", ...]" if len(d) > 10 else "]")


def _plain_grads(params: list[Value]) -> Optional[list[float]]:
    """Every ``p.grad`` when all parameters are Values holding float data and float gradients, the
    usual case, checked at C speed (a step of a small MLP is ~1% slower otherwise); None if not."""
    if set(map(type, params)) != {Value} or set(map(type, map(_DATA, params))) != {float}:
        return None
    grads = list(map(_GRAD, params))
    return grads if set(map(type, grads)) == {float} else None


_DATA, _GRAD = attrgetter("data"), attrgetter("grad")


def refuse_base_class(where: str, method: str, instead: str) -> NoReturn:
    raise TypeError(
        f"{where}: the class must be a subclass that implements {method} ({instead}), got {where} itself"
    )


class Optimizer:
    """Base class: a list of parameters, a learning rate ``lr``, ``step()`` and ``zero_grad()``.

    ``params`` is any iterable of distinct Values (``model.parameters()``, a
    generator, a list); it is stored as the list ``self.params``. ``lr`` must
    be a finite number > 0 here, and is a plain attribute afterwards (``step()``
    checks it is a finite number ≥ 0). A subclass implements ``_update(grads)``,
    which moves every ``p.data`` given the list of gradients, and keeps its
    per-parameter state in ``self.state`` (lists parallel to ``self.params``).
    ``self.steps`` counts the calls to ``step()`` (PyTorch's ``state["step"]``,
    the t of Adam's bias correction). The base class itself cannot be used.
    """

    _hypers: tuple[str, ...] = ()  # hyper-parameter attributes shown by repr

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        where = type(self).__name__
        if type(self)._update is Optimizer._update:
            refuse_base_class(where, "_update(grads)", "SGD, AdaGrad, RMSProp, Adam and AdamW do")
        self.params: list[Value] = parameter_list(params, where)
        self.lr: float = real(lr, where, "lr", low=0.0, low_open=True)
        self.steps: int = 0
        self.state: dict[str, list[float]] = {}

    def step(self) -> None:
        """Update every parameter from its current ``.grad``.

        Everything is checked first, so a refused step changes nothing: the
        learning rate (a finite number ≥ 0: a schedule may set 0), every
        ``.grad`` (a real number, or a Value after ``create_graph=True``; nan
        and ±inf pass and propagate, None is refused) and every ``.data``.
        """
        where = f"{type(self).__name__}.step"
        lr = (
            self.lr
            if type(self.lr) is float and 0.0 <= self.lr < math.inf
            else real(self.lr, where, "lr", low=0.0)
        )
        grads = _plain_grads(self.params)
        if grads is None:  # something other than floats somewhere: check each, naming what is wrong
            grads = grads_as_floats(self.params, where)
            data = [as_float(p.data, where, f"params[{i}].data") for i, p in enumerate(self.params)]
            for p, x in zip(self.params, data):
                p.data = x  # an int or a Fraction set by hand becomes its float
        self.lr = lr
        self.steps += 1
        self._update(grads)

    def _update(self, grads: list[float]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (gradients accumulate across ``backward()`` calls)."""
        for i, p in enumerate(self.params):  # a public list: something other than a Value may have been added
            if not isinstance(p, Value):
                type_error(f"{type(self).__name__}.zero_grad", f"params[{i}]", "a Value", p)
        for p in self.params:
            p.grad = 0.0

    def state_dict(self) -> dict[str, Any]:
        """A copy of what the optimizer has learnt: ``lr``, the step count and the per-parameter state.

        Hyper-parameters other than ``lr`` are not included: they are given
        to the constructor.
        """
        return {
            "optimizer": type(self).__name__,
            "lr": self.lr,
            "steps": self.steps,
            "state": {k: list(v) for k, v in self.state.items()},
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (from an optimizer of the same kind and size).

        Every entry is checked before anything changes: ``optimizer`` is this
        class's name, ``lr`` a finite number ≥ 0, ``steps`` an integer in
        [0, 2⁵³], and ``state`` has this optimizer's entries, each a list of
        one number per parameter. A state number may be nan or ±inf (a non-finite
        gradient puts them there, and they round-trip), but a sum or average of
        squares (``sum``, ``square_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``)
        is never negative. Numbers of any real type are stored as floats.
        """
        kind = type(self).__name__
        where = f"{kind}.load_state_dict"
        if not isinstance(state_dict, dict):
            type_error(where, "state_dict", "a dict returned by state_dict()", state_dict)
        if set(state_dict) != {"optimizer", "lr", "steps", "state"}:
            raise ValueError(
                f"{where}: state_dict must be a dict with the keys 'optimizer', 'lr', 'steps', 'state' "
                f"(as returned by state_dict()), got a dict with the keys {_keys(state_dict)}"
            )
        name = state_dict["optimizer"]
        if not isinstance(name, str):
            type_error(where, "state_dict['optimizer']", f"the name {kind!r}", name)
        if name != kind:
            value_error(
                where, "state_dict['optimizer']", f"{kind!r} (the state of this kind of optimizer)", name
            )
        lr = real(state_dict["lr"], where, "state_dict['lr']", low=0.0)
        steps = integer(state_dict["steps"], where, "state_dict['steps']", low=0, high=MAX_COUNT)
        state = state_dict["state"]
        if not isinstance(state, dict):
            type_error(where, "state_dict['state']", "a dict of lists of numbers", state)
        if set(state) != set(self.state):
            raise ValueError(
                f"{where}: state_dict['state'] must be a dict with the entries {sorted(self.state)} "
                f"(this optimizer's), got a dict with the entries {_keys(state)}"
            )
        n = len(self.params)
        new: dict[str, list[float]] = {}
        for key in self.state:
            values, arg = state[key], f"state_dict['state'][{key!r}]"
            if not isinstance(values, (list, tuple)):
                type_error(where, arg, f"a list of {n} numbers (one per parameter)", values)
            if len(values) != n:
                raise ValueError(
                    f"{where}: {arg} must be a list of {n} numbers (one per parameter), "
                    f"got a {type(values).__name__} of {len(values)}"
                )
            low = 0.0 if key in _SQUARES else -math.inf
            new[key] = [real(v, where, f"{arg}[{i}]", low=low, finite=False) for i, v in enumerate(values)]
        self.lr = lr
        self.steps = steps
        self.state = new

    def __repr__(self) -> str:
        hypers = "".join(f", {name}={getattr(self, name)!r}" for name in self._hypers)
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r}{hypers})"
