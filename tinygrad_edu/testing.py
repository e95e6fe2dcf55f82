"""Tools for testing gradients: ``gradcheck`` and hypothesis strategies.

``gradcheck`` needs nothing but the engine. The strategies need ``hypothesis``
(``pip install "tinygrad_edu[testing]"``)::

    from hypothesis import given
    from tinygrad_edu.testing import expressions, gradcheck

    @given(expressions())
    def test_my_ops(expr):
        gradcheck(expr, expr.inputs)

A finite-difference check only confirms that backward agrees with *our own*
forward; pair it with an independent reference for the forward value
(a closed form, or PyTorch) as our own tests do.
"""

from __future__ import annotations

import inspect
import math
from functools import partial
from typing import Any, Callable, Mapping, NamedTuple, Optional, Sequence

from .autograd import gradients
from .checks import function, integer, real, received, type_error, value_error
from .engine import Value, apply
from .modes import no_grad
from .ops import Op
from .ops import table as ops_table

__all__ = ["OPS", "Expression", "expressions", "finite_floats", "gradcheck"]


def gradcheck(
    f: Callable[..., Any],
    inputs: Sequence[float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check the engine's gradient of ``f(*inputs)`` against central differences.

    For each input i the numerical derivative is
    (f(…, xᵢ + ε, …) − f(…, xᵢ − ε, …)) / 2ε, whose error is O(ε²) for smooth
    f. It must match the engine's ∂f/∂xᵢ within ``atol + rtol·|numerical|``;
    otherwise an ``AssertionError`` names the input index, both gradients and
    their difference. Returns True when every input passes.

    Expect failures where f is not differentiable within ε of the point: at
    kinks (relu, abs, hardtanh, maximum at a tie), at jumps (sign, step, whose
    engine derivative is 0 but whose difference quotient is huge across the
    jump), and near poles or domain edges (log and sqrt near 0, 1/x near 0).
    """
    function(f, "gradcheck", "f")
    if not isinstance(inputs, (list, tuple)):
        type_error("gradcheck", "inputs", "a list or tuple of numbers", inputs)
    # central differences need a finite point: at nan or ±inf both sides are nan
    xs = [real(x, "gradcheck", f"inputs[{i}]") for i, x in enumerate(inputs)]
    eps = real(eps, "gradcheck", "eps", low=0.0, low_open=True)
    atol = real(atol, "gradcheck", "atol", low=0.0)
    rtol = real(rtol, "gradcheck", "rtol", low=0.0)
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {received(out)}")
    analytic = gradients(out, leaves)

    def f_at(point: list[float]) -> float:
        with no_grad():
            y: Value = f(*[Value(x) for x in point])
        return y.data

    for i, (x, a) in enumerate(zip(xs, analytic)):
        up, down = list(xs), list(xs)
        up[i], down[i] = x + eps, x - eps
        numeric = (f_at(up) - f_at(down)) / (2.0 * eps)
        if not abs(a - numeric) <= atol + rtol * abs(numeric):  # False for nan too
            raise AssertionError(
                f"gradcheck: input {i} (x = {x!r}): engine gradient {a!r}, "
                f"central difference {numeric!r}, difference {a - numeric!r} "
                f"(eps={eps}, atol={atol}, rtol={rtol})"
            )
    return True


# ----------------------------------------------------------------- strategies


class OpSpec(NamedTuple):
    """An op the ``expressions`` strategy may draw, and where it is safe to use it.

    ``apply(*operands)`` makes the op's node from ``arity`` Values, with the
    op's ``constant`` c (the 2 of ``x * 2``, a leaky ReLU's slope; or None).
    ``valid(*operand_values)`` says whether the op may be applied to operands
    with those values: inside its domain and away from poles. ``kink``, for
    ops that are not smooth, gives the distance from the operands to the
    nearest kink or jump; the strategy keeps it above a margin that grows with
    how fast the operands move when the inputs move, so that a
    central-difference step never crosses it.
    """

    arity: int
    apply: Callable[..., Any]
    valid: Callable[..., bool]
    kink: Optional[Callable[..., float]] = None
    constant: Any = None


def _spec(op: Op, valid: Callable[..., bool]) -> OpSpec:
    """The row of :data:`OPS` for ``op``: its arity is the number of inputs its forward takes
    (after ``m`` and ``c``), its constant the op's ``example``, else the defaults of its ``call``."""
    arity = len(inspect.signature(op.forward).parameters) - 2
    c = op.example if op.example is not None else op.bind((), {})
    return OpSpec(arity, partial(apply, op, c=c), valid, op.kink, c)


#: The ops ``expressions`` draws from: every op of :func:`tinygrad_edu.ops.table` that has a
#: ``domain`` (sums of any length and piecewise-constant ops have none), by the same lower-case
#: name (``"add"``, ``"mul_c"``, ``"pow_const"``, ``"tanh"``), derived from the op's row.
#: ``Expression.evaluate`` accepts another table with the same names (for instance one
#: mapping to PyTorch functions) to compute the same graph elsewhere.
OPS: Mapping[str, OpSpec] = {
    name: _spec(op, op.domain) for name, op in ops_table().items() if op.domain is not None
}


class Expression(NamedTuple):
    """A random computation graph, drawn by :func:`expressions`, with its inputs.

    ``steps`` is the graph in order: ``("x", i)`` reads input i, and
    ``(op_name, j, k, ...)`` applies ``OPS[op_name]`` to earlier steps j, k, ...
    Steps may be reused, so the graph is a DAG with shared sub-expressions.
    The last step is the output. Calling the expression on Values evaluates
    it: ``expr(*[Value(x) for x in expr.inputs])``.
    """

    steps: tuple[tuple[Any, ...], ...]
    inputs: tuple[float, ...]

    def evaluate(self, xs: Sequence[Any], table: Optional[Mapping[str, Callable[..., Any]]] = None) -> Any:
        """The output, computed from ``xs`` with ``table[op_name]`` (default: the Value ops)."""
        results: list[Any] = []
        for name, *args in self.steps:
            if name == "x":
                results.append(xs[args[0]])
            else:
                fn = OPS[name].apply if table is None else table[name]
                results.append(fn(*[results[j] for j in args]))
        return results[-1]

    def __call__(self, *xs: Any) -> Any:
        return self.evaluate(xs)

    def formula(self) -> str:
        """The output as one formula over x0, x1, ... (shared steps written out in full)."""
        text: list[str] = []
        for name, *args in self.steps:
            text.append(f"x{args[0]}" if name == "x" else f"{name}({', '.join(text[j] for j in args)})")
        return text[-1]

    def __repr__(self) -> str:
        return f"Expression({self.formula()}, inputs={list(self.inputs)!r})"


def finite_floats(min_value: float = -1e3, max_value: float = 1e3) -> Any:
    """Hypothesis strategy: floats in [min_value, max_value], never nan or inf."""
    from hypothesis import strategies as st

    low = real(min_value, "finite_floats", "min_value")
    high = real(max_value, "finite_floats", "max_value", low=low)
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def expressions(
    max_inputs: int = 3,
    max_ops: int = 8,
    ops: Optional[Sequence[str]] = None,
    bound: float = 3.0,
) -> Any:
    """Hypothesis strategy: an :class:`Expression` over the op set, with its inputs.

    Draws 1..``max_inputs`` inputs in [−bound, bound], then 1..``max_ops``
    steps, each applying an op (from ``ops``, default all of :data:`OPS`) to
    earlier steps. Each op is only applied where it is valid for the operands'
    actual values, as its ``domain`` and ``kink`` in :mod:`tinygrad_edu.ops`
    say: positive arguments for log, sqrt and fractional powers, divisors away
    from 0, operands at least 1e-3·(1 + their sensitivity to the inputs) from
    every kink; and nowhere a value beyond 1e4 in magnitude. So every
    drawn expression is finite and smooth around its inputs, and its gradient
    can be checked by central differences. Draws where no op of ``ops`` can
    apply to the inputs are rejected (hypothesis filters them).
    """
    max_inputs = integer(max_inputs, "expressions", "max_inputs", low=1, high=100)
    max_ops = integer(max_ops, "expressions", "max_ops", low=1, high=1000)
    bound = real(bound, "expressions", "bound", low=0.0, low_open=True, high=1e4)
    return _drawn_expressions(_op_names(ops), max_inputs, max_ops, bound)


def _op_names(ops: Any) -> list[str]:
    """The op names ``expressions`` may draw from: all of :data:`OPS` for None."""
    if ops is not None and (isinstance(ops, (str, bytes)) or not isinstance(ops, (list, tuple, set))):
        type_error("expressions", "ops", "None or a list of op names", ops)
    names = list(OPS) if ops is None else list(ops)
    for i, n in enumerate(names):
        if not isinstance(n, str) or n not in OPS:
            value_error("expressions", f"ops[{i}]", f"one of {', '.join(sorted(OPS))}", n)
    if not names:
        value_error("expressions", "ops", "None or a non-empty list of op names", ops)
    return names


def _applicable(
    names: list[str], nodes: list[Value], sensitivity: list[float], operands: tuple[int, ...]
) -> list[tuple[str, tuple[int, ...]]]:
    """The (op, operands) pairs that are valid for the operands' values, away from every kink by
    1e-3·(1 + their sensitivity to the inputs), and give a finite result below 1e4 in magnitude."""
    found = []
    for name in names:
        spec = OPS[name]
        args = operands[: spec.arity]
        vals = [nodes[j].data for j in args]
        if not spec.valid(*vals):
            continue
        if spec.kink is not None:
            margin = 1e-3 * (1.0 + sum(sensitivity[j] for j in args))
            if not spec.kink(*vals) > margin:
                continue
        with no_grad():
            y = spec.apply(*[Value(v) for v in vals]).data
        if math.isfinite(y) and abs(y) < 1e4:
            found.append((name, args))
    return found


def _drawn_expressions(names: list[str], max_inputs: int, max_ops: int, bound: float) -> Any:
    """The strategy of :func:`expressions`, its arguments checked."""
    from hypothesis import assume
    from hypothesis import strategies as st

    @st.composite
    def draw_expression(draw: Any) -> Expression:
        n = draw(st.integers(1, max_inputs))
        inputs = tuple(draw(st.lists(finite_floats(-bound, bound), min_size=n, max_size=n)))
        leaves = [Value(x) for x in inputs]
        steps: list[tuple[Any, ...]] = [("x", i) for i in range(n)]
        nodes: list[Value] = list(leaves)  # each step's Value, as a graph over the leaves
        # how fast each step moves with the inputs: max |∂step/∂xᵢ|
        sensitivity = [1.0] * n
        for _ in range(draw(st.integers(1, max_ops))):
            # prefer recent steps as operands, so expressions grow deep as well as wide
            last = len(steps) - 1
            j = draw(st.integers(0, last))
            found = _applicable(names, nodes, sensitivity, (max(j, last - j), draw(st.integers(0, last))))
            if not found:  # the drawn operands suit no op: look at every pair of steps
                pairs = [(j, k) for j in range(last + 1) for k in range(last + 1)]
                found = [c for pair in pairs for c in _applicable(names, nodes, sensitivity, pair)]
            if not found:
                continue
            name, args = draw(st.sampled_from(sorted(set(found))))
            steps.append((name, *args))
            nodes.append(OPS[name].apply(*[nodes[j] for j in args]))
            sensitivity.append(max(abs(g) for g in gradients(nodes[-1], leaves)))
        assume(len(steps) > n)  # at least one op
        return Expression(tuple(steps), inputs)

    return draw_expression()
