"""Derivatives as functions: ``gradients``, ``grad``, ``value_and_grad`` and ``hessian``.

These leave every node's ``.grad`` as they found it. Higher derivatives come
from applying them to themselves: the derivative rules in :mod:`tinygrad_edu.ops`
run on ``Value`` nodes when asked to ``create_graph``, so a gradient is a graph
that can be differentiated again.

>>> from tinygrad_edu import grad
>>> f = lambda x: x ** 3               # f' = 3x², f'' = 6x
>>> grad(f)(2.0), grad(grad(f))(2.0)
(12.0, 12.0)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, Union

from .checks import as_float, function, integer, received, short, type_error, value_error
from .engine import GRAPH, Value, backpropagate, topological_order
from .modes import enable_grad

Argnums = Union[int, Sequence[int]]


def _positions(argnums: Any, where: str) -> tuple[int, ...]:
    """argnums as a tuple of positions: one integer, or a non-empty sequence of them."""
    if isinstance(argnums, (list, tuple)):
        if not argnums:
            type_error(where, "argnums", "an integer or a non-empty sequence of integers", argnums)
        return tuple(integer(i, where, f"argnums[{k}]") for k, i in enumerate(argnums))
    return (integer(argnums, where, "argnums"),)


def _values(inputs: Any, where: str, arg: str) -> list[Value]:
    """A list or tuple of Values."""
    if not isinstance(inputs, (list, tuple)):
        type_error(where, arg, "a list or tuple of Values", inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            type_error(where, f"{arg}[{i}]", "a Value", x)
    return list(inputs)


def all_gradients(output: Value, create_graph: bool = False) -> dict[Value, Any]:
    """∂output/∂node for every node of output's graph, without touching any ``.grad``.

    A fresh backward pass: every gradient starts at 0, ``output``'s at 1, and
    the ``.grad`` attributes are put back as they were afterwards.
    """
    if not isinstance(output, Value):
        type_error("all_gradients", "output", "a Value", output)
    order = topological_order(output)
    saved = [node.grad for node in order]
    try:
        for node in order:
            node.grad = 0.0
        output.grad = 1.0
        if create_graph:
            with enable_grad():
                backpropagate(order, GRAPH)
        else:
            backpropagate(order)
        return {node: node.grad for node in order}
    finally:
        for node, g in zip(order, saved):
            node.grad = g


def gradients(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Any]:
    """[∂output/∂x for x in inputs], without touching any ``.grad``.

    An input the output does not depend on gets 0. With ``create_graph=True``
    each gradient is a ``Value`` graph over the same leaves (differentiable
    again); otherwise a float.
    """
    if not isinstance(output, Value):
        type_error("gradients", "output", "a Value", output)
    inputs = _values(inputs, "gradients", "inputs")
    found = all_gradients(output, create_graph)
    result = [found.get(x, 0.0) for x in inputs]
    if create_graph:
        result = [g if isinstance(g, Value) else Value(g) for g in result]
    return result


def value_and_grad(f: Callable[..., Value], argnums: Argnums = 0) -> Callable[..., tuple[Any, Any]]:
    """Turn ``f`` into a function returning ``(f(*args), ∂f/∂args[argnums])``.

    ``argnums`` is one position (the gradient is one number) or a sequence of
    positions (a tuple of numbers). Called with plain numbers, it returns
    floats. Called with any ``Value`` argument, it returns ``Value`` graphs
    that depend on every Value argument, so ``grad(grad(f))`` gives the second
    derivative and ``grad(grad(f, 0), 1)`` the mixed partial ∂²f/∂y∂x. The
    graph is recorded even inside :func:`no_grad`: asking for a derivative is
    asking for one.
    """
    return _value_and_grad(f, argnums, "value_and_grad")


def _value_and_grad(f: Callable[..., Value], argnums: Argnums, where: str) -> Callable[..., tuple[Any, Any]]:
    function(f, where, "f")
    positions = _positions(argnums, where)
    one = not isinstance(argnums, (list, tuple))

    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        for i in positions:
            if not -len(args) <= i < len(args):
                raise ValueError(f"{where}: argnums {short(i)} is out of range for {len(args)} arguments")
        # Inside an outer derivative (some argument is a Value), the result must stay a graph
        # over those Values, so that the outer derivative can see through it.
        nested = any(isinstance(a, Value) for a in args)
        lifted = list(args)
        for i in positions:
            if not isinstance(args[i], Value):
                lifted[i] = Value(as_float(args[i], where, f"argument {i}"))
        with enable_grad():
            out = f(*lifted)
        if not isinstance(out, Value):
            raise TypeError(f"{where}: f must return a Value, got {received(out)}")
        gs = gradients(out, [lifted[i] for i in positions], create_graph=nested)
        value = out if nested else out.data
        return value, (gs[0] if one else tuple(gs))

    return value_and_grad_f


def grad(f: Callable[..., Value], argnums: Argnums = 0) -> Callable[..., Any]:
    """Turn ``f`` into a function computing ∂f/∂args[argnums] (see :func:`value_and_grad`)."""
    vg = _value_and_grad(f, argnums, "grad")
    return lambda *args: vg(*args)[1]


def hessian(f: Callable[..., Value], xs: Sequence[float]) -> list[list[float]]:
    """The matrix H[i][j] = ∂²f/∂xᵢ∂xⱼ of ``f(*xs)`` at the point ``xs``.

    Costs one backward pass with ``create_graph`` plus one backward pass per
    input: meant for small functions. For f(x) = ½xᵀAx it returns (A + Aᵀ)/2.
    """
    function(f, "hessian", "f")
    if not isinstance(xs, (list, tuple)):
        type_error("hessian", "xs", "a list or tuple of numbers", xs)
    if not xs:
        value_error("hessian", "xs", "a non-empty list of numbers (the point)", xs)
    point = [Value(as_float(x, "hessian", f"xs[{i}]")) for i, x in enumerate(xs)]
    with enable_grad():
        out = f(*point)
    if not isinstance(out, Value):
        raise TypeError(f"hessian: f must return a Value, got {received(out)}")
    first = gradients(out, point, create_graph=True)
    return [gradients(g, point) for g in first]
