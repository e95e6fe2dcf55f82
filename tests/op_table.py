"""The op test table: one row per op of ``ops.table()``, with the same math in PyTorch float64.

A row gives the op in PyTorch, ``torch(c, *inputs)`` on float64 tensors with the op's
constant c, and where to draw its inputs: off kinks, poles and domain edges. test_engine
checks each op's value, gradient and Hessian against its row; test_testing computes every
drawn :class:`~tinygrad_edu.testing.Expression` with the rows. Adding an op to ops.py means
adding its row here; a guard test fails while one is missing.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from oracle import torch

from tinygrad_edu.testing import OPS, finite_floats


def reals(lo: float = -5.0, hi: float = 5.0, away: tuple[float, ...] = ()) -> Any:
    """Finite floats in [lo, hi], at least 1e-3 from each point in ``away`` (kinks, poles)."""
    return finite_floats(lo, hi).filter(lambda x: all(abs(x - k) > 1e-3 for k in away))


REALS = reals()
POS = reals(0.05, 10.0)
AWAY0 = reals(away=(0.0,))


def no_tie(a: float, b: float) -> bool:
    return abs(a - b) > 1e-3


class Row(NamedTuple):
    """An op in PyTorch, and where the op tests draw its inputs."""

    torch: Callable[..., Any]  # torch(c, *inputs): the op's math on float64 tensors, c its constant
    domains: tuple[Any, ...]  # one hypothesis strategy per input
    c: Any = None  # the constant of the op tests; None: the one testing.OPS uses (or none at all)
    valid: Callable[..., bool] = lambda *xs: True  # a joint condition on the inputs, e.g. no tie


def F() -> Any:
    """torch.nn.functional (looked up when a row runs: the table imports without PyTorch)."""
    return torch.nn.functional


def _dot(n: int, *v: Any) -> Any:  # Σ wᵢxᵢ (+ b) for the inputs w₁…wₙ, x₁…xₙ (, b)
    return sum((w * x for w, x in zip(v[:n], v[n : 2 * n])), v[2 * n] if len(v) > 2 * n else 0.0)


def _dot_c(c: tuple[float, ...], *v: Any) -> Any:  # Σ wᵢcᵢ (+ b) for the inputs w₁…wₙ (, b)
    return sum((w * x for w, x in zip(v, c)), v[len(c)] if len(v) > len(c) else 0.0)


def _step(c: None, x: Any) -> Any:
    return (x > 0).to(x.dtype) + 0.0 * x  # torch.heaviside has no autograd; derivative 0


# One row per op, keyed as ops.table() keys them.
OP_TABLE: dict[str, Row] = {
    "add": Row(lambda c, a, b: a + b, (REALS, REALS)),
    "sub": Row(lambda c, a, b: a - b, (REALS, REALS)),
    "mul": Row(lambda c, a, b: a * b, (REALS, REALS)),
    "div": Row(lambda c, a, b: a / b, (REALS, AWAY0)),
    # b = 0 exactly is left out: there PyTorch's Hessian of aᵇ is wrong (asymmetric), ours is
    # right — see test_autograd's test_pow_hessian_at_zero_exponent
    "pow": Row(lambda c, a, b: a**b, (POS, reals(-3, 3, away=(0.0,)))),
    "add_c": Row(lambda c, x: x + c, (REALS,)),
    "sub_c": Row(lambda c, x: x - c, (REALS,)),
    "rsub_c": Row(lambda c, x: c - x, (REALS,)),
    "mul_c": Row(lambda c, x: x * c, (REALS,)),
    "div_c": Row(lambda c, x: x / c, (REALS,), c=-3.0),
    "rdiv_c": Row(lambda c, x: c / x, (AWAY0,), c=2.0),
    "pow_const": Row(lambda c, x: x**c, (REALS,)),
    "rpow": Row(lambda c, x: c**x, (REALS,), c=2.5),
    "neg": Row(lambda c, x: -x, (REALS,)),
    "dot": Row(_dot, (REALS,) * 5, c=2),  # w₁, w₂, x₁, x₂, b
    "dot_c": Row(_dot_c, (REALS,) * 3, c=(0.5, -2.0)),  # w₁, w₂, b
    "sum": Row(lambda c, *x: sum(x, 0.0 if c is None else c), (REALS,) * 3, c=1.5),
    "abs": Row(lambda c, x: torch.abs(x), (AWAY0,)),
    "exp": Row(lambda c, x: x.exp(), (reals(-30, 30),)),
    "log": Row(lambda c, x: x.log(), (POS,)),
    "sqrt": Row(lambda c, x: x.sqrt(), (POS,)),
    "sin": Row(lambda c, x: x.sin(), (REALS,)),
    "cos": Row(lambda c, x: x.cos(), (REALS,)),
    "tan": Row(lambda c, x: x.tan(), (reals(-1.4, 1.4),)),
    "arctan": Row(lambda c, x: torch.atan(x), (REALS,)),
    "tanh": Row(lambda c, x: x.tanh(), (reals(-20, 20),)),
    "sigmoid": Row(lambda c, x: x.sigmoid(), (reals(-30, 30),)),
    "relu": Row(lambda c, x: x.relu(), (AWAY0,)),
    "leaky_relu": Row(lambda c, x: F().leaky_relu(x, c), (AWAY0,), c=0.05),
    "prelu": Row(lambda c, x, a: torch.where(x > 0, x, a * x), (AWAY0, reals(-1, 1))),
    "elu": Row(lambda c, x: F().elu(x, c), (AWAY0,), c=1.3),
    # PyTorch's default threshold=20 returns x itself above 20, whose gradient 1 differs from the
    # exact σ(x) by up to e⁻²⁰ ≈ 2e-9 relative; above 50 the exact values round to x and 1.0
    "softplus": Row(lambda c, x: F().softplus(x, threshold=50.0), (reals(-40, 40),)),
    "softsign": Row(lambda c, x: F().softsign(x), (AWAY0,)),
    "hardtanh": Row(lambda c, x: F().hardtanh(x, *c), (reals(away=(-0.5, 2.0)),), c=(-0.5, 2.0)),
    "sign": Row(lambda c, x: torch.sign(x), (AWAY0,)),
    "step": Row(_step, (AWAY0,)),
    "maximum": Row(lambda c, a, b: torch.maximum(a, b), (REALS, REALS), valid=no_tie),
    "minimum": Row(lambda c, a, b: torch.minimum(a, b), (REALS, REALS), valid=no_tie),
}


def constant(name: str) -> Any:
    """The constant the op tests give the op ``name``: its row's, else the one testing.OPS uses."""
    c = OP_TABLE[name].c
    if c is None and name in OPS:
        return OPS[name].constant
    return c
