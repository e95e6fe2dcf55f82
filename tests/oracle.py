"""PyTorch (float64) as the reference for values and gradients; tests skip without it."""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import pytest

from tinygrad_edu import Value

try:
    import torch
except ImportError:  # pragma: no cover - exercised on machines without torch
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (the gradient oracle)")

RTOL = 1e-9


def close(a: float, b: float, rtol: float = RTOL, atol: float = 1e-12) -> bool:
    """a ≈ b within rtol relative (atol near 0); nan matches nan, inf matches inf of the same sign."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def tensors(xs: Sequence[float]) -> list[Any]:
    return [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in xs]


def torch_value_and_grads(fn: Callable[..., Any], xs: Sequence[float]) -> tuple[float, list[float]]:
    """fn evaluated by PyTorch in float64 at xs, and its gradient with respect to each x."""
    ts = tensors(xs)
    out = fn(*ts)
    grads = torch.autograd.grad(out, ts, allow_unused=True)
    return out.item(), [0.0 if g is None else g.item() for g in grads]


def ours_value_and_grads(fn: Callable[..., Value], xs: Sequence[float]) -> tuple[float, list[float]]:
    vs = [Value(x) for x in xs]
    out = fn(*vs)
    out.backward()
    return out.data, [v.grad for v in vs]


def assert_matches_torch(
    ours: Callable[..., Value], theirs: Callable[..., Any], xs: Sequence[float], rtol: float = RTOL
) -> None:
    """Value and every first derivative of ours(*xs) equal PyTorch's theirs(*xs) within rtol."""
    v, g = ours_value_and_grads(ours, xs)
    tv, tg = torch_value_and_grads(theirs, xs)
    assert close(v, tv, rtol), f"value at {list(xs)}: ours {v!r}, torch {tv!r}"
    for i, (a, b) in enumerate(zip(g, tg)):
        assert close(a, b, rtol), f"∂/∂x{i} at {list(xs)}: ours {a!r}, torch {b!r}"


def torch_hessian(fn: Callable[..., Any], xs: Sequence[float]) -> list[list[float]]:
    """Second derivatives by PyTorch's create_graph: H[i][j] = ∂²fn/∂xᵢ∂xⱼ."""
    ts = tensors(xs)
    out = fn(*ts)
    first = torch.autograd.grad(out, ts, create_graph=True, allow_unused=True)
    rows = []
    for g in first:
        if g is None or not g.requires_grad:
            rows.append([0.0] * len(ts))
            continue
        second = torch.autograd.grad(g, ts, retain_graph=True, allow_unused=True)
        rows.append([0.0 if s is None else s.item() for s in second])
    return rows
