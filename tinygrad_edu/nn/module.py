"""The base class of every network part: a ``Module`` finds its parameters by walking its attributes.

Depth first, in attribute definition order, iteratively (no recursion); attributes whose names
start with ``_`` are skipped, and a module or list reached twice is looked inside once.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterator, Optional

from ..engine import Value

__all__ = ["Module"]


class Module:
    """Base class: parameters are the ``Value`` attributes (and lists of them), found by walking
    the attributes in definition order; attributes whose names start with ``_`` are skipped."""

    training: bool = True
    #: True for a module whose forward takes a whole batch (a list of samples) at once: BatchNorm,
    #: which needs the batch's statistics. Every other module takes one sample.
    batchwise: bool = False
    #: The attributes that hold buffers: state the module keeps that is not a parameter (a float, an
    #: int, or a list of floats; None for none), such as BatchNorm's running statistics. Checkpoints
    #: store them; optimizers and backprop never see them.
    buffer_names: tuple[str, ...] = ()

    def config(self) -> dict[str, Any]:
        """The arguments this module was built with, by name, e.g. ``{"nin": 3, "nout": 2,
        "activation": "tanh", "bias": True}`` for ``Layer(3, 2, "tanh")``: its architecture, which
        a checkpoint stores. Not included: how the parameters were drawn (``init``, ``seed``,
        ``rng``), since the parameters themselves are what a checkpoint keeps.

        A module class of your own records its configuration by overriding this method.
        """
        config: Optional[dict[str, Any]] = getattr(self, "_config", None)
        if config is None:
            raise TypeError(
                f"{type(self).__name__}.config: this module records no configuration; "
                "define config() to describe what it is built with"
            )
        return {k: list(v) if isinstance(v, list) else v for k, v in config.items()}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, parameter) pairs in a fixed order, e.g. ``layers.0.neurons.3.w.1``.

        A parameter reachable twice (shared weights) is listed once, under its first name.
        """
        found: list[tuple[str, Value]] = []
        seen: set[int] = set()
        for name, obj in _walk(self):
            if isinstance(obj, Value) and id(obj) not in seen:
                seen.add(id(obj))
                found.append((name, obj))
        return found

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of :meth:`named_parameters`."""
        found: dict[int, Value] = {}  # by identity, first place first: a shared weight is listed once
        for _, obj in _walk(self, named=False):  # the same walk without building the names
            if isinstance(obj, Value) and id(obj) not in found:
                found[id(obj)] = obj
        return list(found.values())

    def takes_batches(self) -> bool:
        """Whether calling this module takes a batch — a list of samples, giving a list of outputs —
        rather than one sample: True when a module inside it is :attr:`batchwise` (a BatchNorm).
        ``fit`` and ``evaluate`` ask this to call the model once per batch instead of once per sample.
        """
        return any(m.batchwise for m in self.modules())

    def named_buffers(self) -> list[tuple[str, float]]:
        """(dotted name, number) of every buffer (see :attr:`buffer_names`), in the order of
        :meth:`modules`: ``layers.1.running_mean.0``, …, ``layers.1.num_batches_tracked``."""
        return [(name, value) for name, value, _ in _buffer_slots(self)]

    def load_buffers(self, values: dict[str, float]) -> None:
        """Set every buffer from ``values`` (name → number), which must hold exactly the names of
        :meth:`named_buffers`; an integer buffer takes an integer. Checked before anything is set."""
        slots = list(_buffer_slots(self))
        where = f"{type(self).__name__}.load_buffers"
        names = [name for name, _, _ in slots]
        if sorted(names) != sorted(values):
            raise ValueError(f"{where}: values must have the buffers {names}, got {sorted(values)}")
        for name, old, _ in slots:
            new = values[name]
            if isinstance(old, int) and not (type(new) is int and new >= 0):
                raise ValueError(f"{where}: {name} must be an integer >= 0, got {new!r}")
        for name, old, put in slots:
            put(values[name] if isinstance(old, int) else float(values[name]))

    def modules(self) -> list[Module]:
        """This module and every module inside it, in definition order."""
        return [obj for _, obj in _walk(self, named=False) if isinstance(obj, Module)]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across backward calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active) for this module and all inside it; returns self."""
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode (dropout is the identity); returns self."""
        return self.train(False)


def _walk(root: Module, named: bool = True) -> Iterator[tuple[str, Any]]:
    """(dotted name, object) for root and everything below it: modules, Values, lists of them.

    Depth first, in attribute definition order; iterative, with an explicit stack. A module or
    list reached twice (shared, or containing itself) is looked inside once, at its first place.
    With ``named=False`` every name is ``""``: the same objects in the same order,
    without a string per object (``zero_grad`` walks the model on every step).
    """
    stack: list[tuple[str, Any]] = [("", root)]
    opened: set[int] = set()  # containers already looked inside: a shared or self-containing one once
    while stack:
        name, obj = stack.pop()
        if isinstance(obj, Value):  # most objects: a parameter has nothing inside
            yield name, obj
            continue
        if id(obj) in opened:
            continue
        opened.add(id(obj))
        yield name, obj
        if isinstance(obj, Module):
            items = [(k, v) for k, v in vars(obj).items() if not k.startswith("_")]
        elif isinstance(obj, (list, tuple)):
            if not named:
                stack.extend(("", v) for v in reversed(obj) if isinstance(v, _WALKED))
                continue
            items = [(str(i), v) for i, v in enumerate(obj)]
        else:
            continue
        prefix = f"{name}." if name else ""
        children = [(prefix + k if named else "", v) for k, v in items if isinstance(v, _WALKED)]
        stack.extend(reversed(children))


def _buffer_slots(root: Module) -> Iterator[tuple[str, Any, Callable[[Any], None]]]:
    """(dotted name, value, a function that sets it) for every buffer below root, in walk order:
    one per entry of a list buffer, one for a number; a buffer that is None has none."""
    for path, m in _walk(root):
        if not isinstance(m, Module):
            continue
        prefix = f"{path}." if path else ""
        for attr in type(m).buffer_names:
            value = getattr(m, attr, None)
            if isinstance(value, list):
                for i, v in enumerate(value):
                    yield f"{prefix}{attr}.{i}", v, functools.partial(value.__setitem__, i)
            elif value is not None:
                yield f"{prefix}{attr}", value, functools.partial(setattr, m, attr)


_WALKED = (Module, Value, list, tuple)  # what walk looks inside of, or lists as a parameter


class PerSample(Module):
    """A module that takes one sample, and has none inside it that takes a batch: Neuron, Layer,
    MLP, Dropout, the convolutions, Flatten, Autoencoder. Saying so spares ``takes_batches`` the
    walk over every parameter that Module's default makes, on every forward pass of a Sequential."""

    def takes_batches(self) -> bool:
        return False
