"""The engine's modes: whether ops record a graph, check for anomalies, and where nodes are made.

Each is switched by a context manager that restores the previous setting on exit, even on an
error. They are the only global state of the engine, and are per process, not per thread.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, Optional

from .checks import short


class Modes:
    """The switches, flipped only by the context managers below."""

    def __init__(self) -> None:
        self.grad = True  # ops record the graph
        self.anomaly = False  # raise at the first nan or inf
        self.scope: Optional[tuple[str, ...]] = None  # where new nodes are made


mode = Modes()


class AnomalyError(FloatingPointError):
    """Raised under :func:`detect_anomaly` by the first op that produces a nan or inf.

    Attributes: ``phase`` ("forward" or "backward"), ``op`` (its name),
    ``inputs`` (the input data), ``output`` (the op's output data), ``node``
    (the Value the op made), and for backward ``input_index`` and ``gradient``.
    """

    def __init__(
        self,
        phase: str,
        op: str,
        inputs: tuple[float, ...],
        output: float,
        node: Any,
        input_index: Optional[int] = None,
        gradient: Optional[float] = None,
    ) -> None:
        self.phase, self.op, self.inputs, self.output, self.node = phase, op, inputs, output, node
        self.input_index, self.gradient = input_index, gradient
        shown = ", ".join(repr(x) for x in inputs)
        if phase == "forward":
            msg = f"forward of {op!r} produced {output!r} from inputs ({shown})"
        else:
            msg = (
                f"backward of {op!r} produced gradient {gradient!r} for its input {input_index} "
                f"(inputs ({shown}), output {output!r})"
            )
        super().__init__(msg)


class Switch:
    """A context manager that sets one mode on entry and restores the previous one on exit,
    even on an error. Also a decorator: ``@no_grad()`` runs the function inside the block."""

    def __init__(self, name: str, value: Any) -> None:
        self.name, self.value = name, value
        self.previous: list[Any] = []  # a stack, so one Switch may be entered again inside itself

    def __enter__(self) -> Switch:
        self.previous.append(getattr(mode, self.name))
        setattr(mode, self.name, self.value)
        return self

    def __exit__(self, *exc: object) -> None:
        # restore first, then forget: a KeyboardInterrupt landing between the two leaves a stale
        # entry on this stack (harmless) rather than the mode switched on for good
        setattr(mode, self.name, self.previous[-1])
        self.previous.pop()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def inside(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return inside


def no_grad() -> Switch:
    """Inside ``with no_grad():`` ops compute values but record no graph (results are leaves).
    Use it for evaluation and for parameter updates."""
    return Switch("grad", False)


def enable_grad() -> Switch:
    """Inside ``with enable_grad():`` ops record the graph again, even within :func:`no_grad`."""
    return Switch("grad", True)


def is_grad_enabled() -> bool:
    """False inside :func:`no_grad`."""
    return mode.grad


def detect_anomaly() -> Switch:
    """Inside this block the first op whose forward value or backward gradient is nan or inf
    raises :class:`AnomalyError` naming the op and its inputs. Slower; for debugging."""
    return Switch("anomaly", True)


def scope(path: tuple[str, ...]) -> Switch:
    """Nodes made inside ``with scope(path):`` record ``path`` (names such as ``("layer 1",
    "neuron 3")``) as where they were made, for :mod:`tinygrad_edu.viz` to draw each neuron's
    nodes as a cluster. The path is absolute: an inner scope replaces the outer one."""
    if not isinstance(path, tuple) or not all(isinstance(p, str) for p in path):
        raise TypeError(f"scope: path must be a tuple of str, got {short(path)}")
    return Switch("scope", path)
