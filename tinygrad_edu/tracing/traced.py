"""The traced function: :func:`trace` records a function's graph once; the :class:`Traced` it
returns compiles that graph's source (:mod:`tinygrad_edu.tracing.codegen`) and replays it on
each call's numbers.
"""

from __future__ import annotations

import linecache
import weakref
from collections import Counter
from itertools import count
from typing import Any, Callable, Optional

from ..checks import received
from ..engine import Value
from ..modes import is_grad_enabled
from .arguments import Spec, example_spec, flatten, nest
from .codegen import GraphSource
from .names import NAMESPACE

__all__ = ["Traced", "trace"]

_traces = count(1)


def trace(fn: Callable[..., Value], *example_args: Any) -> Traced:
    """Record ``fn``'s graph on the example arguments and compile its forward and backward pass.

    Each example argument is a real number or a (nested) list or tuple of them.
    ``fn`` is called once with the same nesting, each number replaced by a new
    leaf ``Value`` (an *input*, labelled ``x1``, ``x2``, … in order), and must
    return a ``Value``, the output y. Every other leaf of the graph behind y is
    *captured* (typically a parameter): the replay reads its ``.data`` at every
    call, so updates between calls take effect.

    The returned :class:`Traced` computes, for new arguments of the same
    structure, y and every ∂y/∂v exactly as ``y.backward()`` on a graph built by
    ``fn`` from those arguments would, bit for bit (see
    :mod:`tinygrad_edu.tracing.codegen`; control flow in ``fn`` that reads
    ``.data`` is frozen at this trace: see the limits in :mod:`tinygrad_edu.tracing`).

    >>> from tinygrad_edu import Value
    >>> w = Value(3.0)
    >>> f = trace(lambda x: w * x * x, 2.0)       # y = w·x², ∂y/∂x = 2wx, ∂y/∂w = x²
    >>> f(5.0), f.input_grads, w.grad             # input_grads: one entry per argument
    (75.0, (30.0,), 25.0)
    """
    if not callable(fn):
        raise TypeError(f"trace: fn must be callable, got {received(fn)}")
    if not is_grad_enabled():
        raise RuntimeError(
            "trace: called inside no_grad(), where ops record no graph, so there would be nothing "
            "to trace; call trace outside the no_grad block"
        )
    specs = tuple(example_spec(a, f"example argument {i}") for i, a in enumerate(example_args))
    flat: list[float] = []
    for i, (a, spec) in enumerate(zip(example_args, specs)):
        flatten(a, spec, flat, "trace", f"example argument {i}")
    inputs = [Value(x, label=f"x{i + 1}") for i, x in enumerate(flat)]
    feed = iter(inputs)
    out = fn(*(nest(spec, feed) for spec in specs))
    if not isinstance(out, Value):
        raise TypeError(f"trace: fn must return a Value, got {received(out)}")
    return Traced(_name_of(fn), out, inputs, specs)


def _name_of(fn: Any) -> str:
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) else type(fn).__name__


def _compile_function(source: str, name: str, filename: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """Compile the function ``name`` defined by ``source``; a traceback shows its lines."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    scope = dict(namespace)
    exec(code, scope)
    return scope[name]  # type: ignore[no-any-return]


class Traced:
    """A graph recorded by :func:`trace`, compiled to Python; call it with new arguments.

    ``traced(*args) -> float``
        forward and backward: returns y, adds ∂y/∂p into each captured leaf's
        ``.grad`` (accumulating, as ``backward()`` does) and sets :attr:`input_grads`.
    ``traced.forward(*args) -> float``
        y alone; no gradient is computed or touched.
    ``traced.source``
        the Python source of the replay, to read (``print(traced.source)``).
    ``traced.captured``
        the captured leaves (parameters and constants), in order of first use.
    ``traced.nodes``, ``traced.inputs``
        how many interior nodes the graph has, and how many numbers the arguments hold.

    Made by :func:`trace`; it keeps the captured leaves and the compiled code, not the graph.
    """

    def __init__(self, name: str, root: Value, inputs: list[Value], specs: tuple[Spec, ...]) -> None:
        self.name = name
        self._where = f"trace({name})"
        self._specs = specs
        graph = GraphSource(root, inputs)
        self.captured: tuple[Value, ...] = tuple(graph.captured)
        self.nodes = len(graph.interior)
        self.inputs = len(inputs)
        self._op_counts = Counter(node.op for node in graph.interior)
        self.source, self._forward_source = graph.sources()
        self._filename = f"<trace {next(_traces)}: {name}>"
        self._replay = _compile_function(self.source, "replay", self._filename, NAMESPACE)
        self._forward: Optional[Callable[..., Any]] = None
        self._input_grads: Optional[tuple[float, ...]] = None
        # the source stays readable in tracebacks while this object lives, and no longer
        weakref.finalize(self, _forget, self._filename)

    def _flat(self, args: tuple[Any, ...]) -> list[float]:
        where = f"{self._where} called"
        if len(args) != len(self._specs):
            raise ValueError(f"{where} with {len(args)} arguments; it was traced with {len(self._specs)}")
        flat: list[float] = []
        for i, (a, spec) in enumerate(zip(args, self._specs)):
            flatten(a, spec, flat, where, f"argument {i}")
        return flat

    def __call__(self, *args: Any) -> float:
        """y at the new arguments; adds ∂y/∂p into every captured leaf's ``.grad``, sets input_grads."""
        out, grads = self._replay(self._flat(args), self.captured)
        self._input_grads = grads
        return out  # type: ignore[no-any-return]

    def forward(self, *args: Any) -> float:
        """y at the new arguments, without computing or touching any gradient."""
        flat = self._flat(args)
        if self._forward is None:  # compiled on first use: training only calls the replay
            filename = f"{self._filename[:-1]}, forward only>"
            self._forward = _compile_function(self._forward_source, "forward", filename, NAMESPACE)
            weakref.finalize(self, _forget, filename)
        self._input_grads = None  # they belong to the previous point
        return self._forward(flat, self.captured)  # type: ignore[no-any-return]

    @property
    def input_grads(self) -> tuple[Any, ...]:
        """∂y/∂input from the latest call: a tuple with one entry per argument, each nested
        like that argument (a float for a number, lists and tuples as traced)."""
        if self._input_grads is None:
            raise RuntimeError(
                f"{self._where}: input_grads are set by calling the traced function, not by .forward"
            )
        feed = iter(self._input_grads)
        return tuple(nest(spec, feed) for spec in self._specs)

    def __repr__(self) -> str:
        kinds = ", ".join(f"{n} {op}" for op, n in self._op_counts.most_common(4))
        more = ", ..." if len(self._op_counts) > 4 else ""
        return (
            f"<Traced {self.name}: {self.nodes} nodes ({kinds}{more}), {self.inputs} inputs, "
            f"{len(self.captured)} captured leaves>"
        )


def _forget(filename: str) -> None:
    linecache.cache.pop(filename, None)
