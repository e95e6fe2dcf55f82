"""Backprop as the textbook writes it: plain floats, layer by layer, no graph and no engine.

The notation of notes 002–004, for a network of L layers with weights
W⁽ˡ⁾ (row i holds neuron i's weights), biases b⁽ˡ⁾ and activation θ:

    forward      s⁽ˡ⁾ = W⁽ˡ⁾ x⁽ˡ⁻¹⁾ + b⁽ˡ⁾          x⁽ˡ⁾ = θ(s⁽ˡ⁾)          x⁽⁰⁾ = the input
    output δ     δ⁽ᴸ⁾ = ∂e/∂x⁽ᴸ⁾ ⊙ θ'(s⁽ᴸ⁾)          (e = Σₖ (x⁽ᴸ⁾ₖ − yₖ)²: ∂e/∂x⁽ᴸ⁾ = 2(x⁽ᴸ⁾ − y))
    backward     δ⁽ˡ⁾ = θ'(s⁽ˡ⁾) ⊙ (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾)
    gradients    ∂e/∂W⁽ˡ⁾ᵢⱼ = δᵢ⁽ˡ⁾ · x⁽ˡ⁻¹⁾ⱼ          ∂e/∂b⁽ˡ⁾ᵢ = δᵢ⁽ˡ⁾

δ⁽ˡ⁾ᵢ = ∂e/∂s⁽ˡ⁾ᵢ is exactly the ``.grad`` that the engine leaves on neuron i's
pre-activation ``z``: the test suite checks that this module and the engine
agree on random networks with every activation. A PReLU neuron's learned
slope a gets ∂e/∂a = (∂e/∂x) · ∂θ/∂a, with ∂θ/∂a = s for s ≤ 0 and 0 otherwise.

>>> from tinygrad_edu.nn import MLP
>>> result = backprop(MLP(2, [3, 1], activation="tanh", seed=1), [0.5, -1.0], [1.0])
>>> len(result.deltas), len(result.deltas[0]), len(result.grad_w[0][0])
(2, 3, 2)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from . import checks
from .nn import MLP

__all__ = ["DERIVATIVES", "Backprop", "Network", "backprop", "network_of"]

Vector = list[float]
Matrix = list[list[float]]


def _sigmoid(s: float) -> float:
    if s >= 0:
        return 1.0 / (1.0 + math.exp(-s))
    e = math.exp(s)
    return e / (1.0 + e)


def _softplus(s: float) -> float:
    return max(s, 0.0) + math.log1p(math.exp(-abs(s)))


#: θ and θ' for every named activation, on floats (the conventions at kinks match the engine's).
DERIVATIVES: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "linear": (lambda s: s, lambda s: 1.0),
    "step": (lambda s: 1.0 if s > 0 else 0.0, lambda s: 0.0),
    "sign": (lambda s: float((s > 0) - (s < 0)), lambda s: 0.0),
    "sigmoid": (_sigmoid, lambda s: _sigmoid(s) * (1.0 - _sigmoid(s))),
    "tanh": (math.tanh, lambda s: 1.0 - math.tanh(s) ** 2),
    "hardtanh": (lambda s: min(max(s, -1.0), 1.0), lambda s: 1.0 if -1.0 < s < 1.0 else 0.0),
    "softsign": (lambda s: s / (1.0 + abs(s)), lambda s: 1.0 / ((1.0 + abs(s)) * (1.0 + abs(s)))),
    "relu": (lambda s: max(s, 0.0), lambda s: 1.0 if s > 0 else 0.0),
    "leaky_relu": (lambda s: s if s > 0 else 0.01 * s, lambda s: 1.0 if s > 0 else 0.01),
    "elu": (lambda s: s if s > 0 else math.expm1(s), lambda s: 1.0 if s > 0 else math.exp(s)),
    "softplus": (_softplus, _sigmoid),
    "arctan": (math.atan, lambda s: 1.0 / (1.0 + s * s)),
}


@dataclass
class Network:
    """A network as plain numbers: W[l][i][j], b[l][i], the activation of each layer, and for
    PReLU layers each neuron's slope (``slopes[l]`` is empty for other layers)."""

    W: list[Matrix]
    b: list[Vector]
    activations: list[str]
    slopes: list[Vector]


@dataclass
class Backprop:
    """Everything the textbook algorithm computes, layer by layer (index l − 1 for layer l).

    ``x[0]`` is the input and ``x[l]`` the output of layer l, so ``x`` has one more entry.
    ``grad_slopes[l]`` is ∂e/∂a for each PReLU neuron of layer l (empty for other layers).
    """

    s: list[Vector]
    x: list[Vector]
    deltas: list[Vector]
    grad_w: list[Matrix]
    grad_b: list[Vector]
    grad_slopes: list[Vector]
    loss: Optional[float]


def _float_vector(v: Any, arg: str, n: int) -> Vector:
    """v as n floats, or backprop's TypeError/ValueError."""
    if isinstance(v, (str, bytes)) or not isinstance(v, Sequence):
        checks.type_error("backprop", arg, f"a sequence of {n} numbers", v)
    if len(v) != n:
        what = f"takes {n} inputs" if arg == "x" else f"has {n} outputs"
        raise ValueError(f"backprop: the network {what}, got {len(v)}{' targets' if arg == 'y' else ''}")
    return [checks.real(vi, "backprop", f"{arg}[{i}]") for i, vi in enumerate(v)]


def network_of(model: MLP) -> Network:
    """Read an :class:`~tinygrad_edu.nn.MLP`'s parameters out as plain floats."""
    checks.instance(model, "network_of", "model", MLP, "an MLP")
    W, b, acts, slopes = [], [], [], []
    for layer in model.layers:
        act = layer.neurons[0].activation
        if not isinstance(act, str):
            checks.value_error("network_of", "each activation", "a named one (the textbook's θ)", act)
        W.append([[w.data for w in n.w] for n in layer.neurons])
        b.append([n.b.data if n.b is not None else 0.0 for n in layer.neurons])
        acts.append(act)
        slopes.append([n.a.data for n in layer.neurons] if act == "prelu" else [])
    return Network(W, b, acts, slopes)


def backprop(
    model: MLP | Network,
    x: Sequence[float],
    y: Optional[Sequence[float]] = None,
    *,
    output_grad: Optional[Callable[[Vector], Vector]] = None,
) -> Backprop:
    """Forward and backward propagation for one input, on floats.

    The loss is the squared error e = Σₖ (x⁽ᴸ⁾ₖ − yₖ)² against ``y``, or any
    loss whose gradient ∂e/∂x⁽ᴸ⁾ ``output_grad`` computes from the output
    (then ``loss`` in the result is None).
    """
    checks.instance(model, "backprop", "model", (MLP, Network), "an MLP or a textbook Network")
    net = network_of(model) if isinstance(model, MLP) else model
    if (y is None) == (output_grad is None):
        raise ValueError("backprop: give either a target y or an output_grad function")
    x = _float_vector(x, "x", len(net.W[0][0]))
    if y is not None:
        y = _float_vector(y, "y", len(net.W[-1]))
    if output_grad is not None:
        checks.function(output_grad, "backprop", "output_grad")

    # forward: s⁽ˡ⁾ = W⁽ˡ⁾ x⁽ˡ⁻¹⁾ + b⁽ˡ⁾, x⁽ˡ⁾ = θ(s⁽ˡ⁾)
    xs: list[Vector] = [[float(v) for v in x]]
    ss: list[Vector] = []
    for W, b, act, slopes in zip(net.W, net.b, net.activations, net.slopes):
        s = [sum(wij * xj for wij, xj in zip(row, xs[-1])) + bi for row, bi in zip(W, b)]
        ss.append(s)
        xs.append([_theta(act, si, slopes, i) for i, si in enumerate(s)])

    out = xs[-1]
    loss: Optional[float] = None
    if y is not None:
        if len(y) != len(out):
            raise ValueError(f"backprop: the network has {len(out)} outputs, got {len(y)} targets")
        loss = sum((o - t) * (o - t) for o, t in zip(out, y))  # inf past float range, as in the engine
        de_dx = [2.0 * (o - t) for o, t in zip(out, y)]  # ∂e/∂x⁽ᴸ⁾
    else:
        assert output_grad is not None
        de_dx = list(output_grad(out))

    L = len(net.W)
    deltas: list[Vector] = [[] for _ in range(L)]
    grad_slopes: list[Vector] = [[] for _ in range(L)]
    for l in reversed(range(L)):  # noqa: E741  (l is the textbook's layer index)
        act, s, slopes = net.activations[l], ss[l], net.slopes[l]
        if l < L - 1:  # ∂e/∂x⁽ˡ⁾ = W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾
            W_next, d_next = net.W[l + 1], deltas[l + 1]
            de_dx = [sum(W_next[i][j] * d_next[i] for i in range(len(d_next))) for j in range(len(s))]
        deltas[l] = [_theta_prime(act, si, slopes, i) * g for i, (si, g) in enumerate(zip(s, de_dx))]
        if act == "prelu":  # ∂x/∂a = s for s ≤ 0, else 0
            grad_slopes[l] = [g * (si if si <= 0 else 0.0) for si, g in zip(s, de_dx)]

    # ∂e/∂W⁽ˡ⁾ᵢⱼ = δᵢ⁽ˡ⁾ x⁽ˡ⁻¹⁾ⱼ ; ∂e/∂b⁽ˡ⁾ᵢ = δᵢ⁽ˡ⁾
    grad_w = [[[di * xj for xj in xs[l]] for di in deltas[l]] for l in range(L)]  # noqa: E741
    grad_b = [list(d) for d in deltas]
    return Backprop(ss, xs, deltas, grad_w, grad_b, grad_slopes, loss)


def _theta(act: str, s: float, slopes: Vector, i: int) -> float:
    if act == "prelu":
        return s if s > 0 else slopes[i] * s
    return _known(act)[0](s)


def _theta_prime(act: str, s: float, slopes: Vector, i: int) -> float:
    if act == "prelu":
        return 1.0 if s > 0 else slopes[i]
    return _known(act)[1](s)


def _known(act: str) -> tuple[Callable[[float], float], Callable[[float], float]]:
    if act not in DERIVATIVES:
        known = ", ".join([*sorted(DERIVATIVES), "prelu"])
        raise ValueError(f"backprop: unknown activation {act!r}; known: {known}")
    return DERIVATIVES[act]
