"""Stochastic gradient descent, the note's θ ← θ − α∇J(θ), with momentum, Nesterov and weight decay."""

from __future__ import annotations

from typing import Iterable

from ..checks import flag, real, value_error
from ..engine import Value
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay.

    Exactly ``torch.optim.SGD``. With g = ∂J/∂θ, at every step:

    - weight decay (an L2 penalty ½λ‖θ‖² added to J): g ← g + λθ
    - momentum μ > 0: b ← g on the first step, b ← μb + (1 − dampening)·g
      afterwards; then g ← g + μb with ``nesterov=True``, g ← b otherwise
    - θ ← θ − lr·g

    Note 001 writes momentum with a velocity: v ← λv − α∇J, θ ← θ + v
    (λ = μ, α = lr, v₀ = 0). With a constant lr and no dampening that is the
    same trajectory, since v = −lr·b; they differ only when lr changes, where
    PyTorch's form applies the new lr to the whole buffer at once. Note 001's
    Nesterov, v ← λv − α∇J(θ + λv), is the same method written at a different
    point: PyTorch's θ is the note's look-ahead point θ + λv.

    Validation as in PyTorch: momentum ≥ 0, weight_decay ≥ 0, and Nesterov
    needs momentum > 0 and zero dampening; also dampening ∈ [0, 1].

    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     w.grad = 2.0            # a constant gradient: the velocity grows to 2·(1 + 0.9 + 0.81)
    ...     opt.step()
    >>> round(w.data, 10)           # 1 − 0.1·2·(1 + 1.9 + 2.71)
    -0.122
    """

    _hypers = ("momentum", "dampening", "nesterov", "weight_decay")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        dampening: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = real(momentum, "SGD", "momentum", low=0.0)
        self.dampening = real(dampening, "SGD", "dampening", low=0.0, high=1.0)
        self.weight_decay = real(weight_decay, "SGD", "weight_decay", low=0.0)
        self.nesterov = flag(nesterov, "SGD", "nesterov")
        if self.nesterov and self.momentum == 0.0:
            value_error("SGD", "momentum", "> 0 with nesterov=True", momentum)
        if self.nesterov and self.dampening != 0.0:
            value_error("SGD", "dampening", "0 with nesterov=True", dampening)
        if self.momentum != 0.0:
            self.state["momentum_buffer"] = [0.0] * len(self.params)

    def _update(self, grads: list[float]) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        first = self.steps == 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if wd != 0.0:
                g = g + wd * p.data
            if mu != 0.0:
                buf = self.state["momentum_buffer"]
                buf[i] = g if first else buf[i] * mu + (1.0 - self.dampening) * g
                g = g + mu * buf[i] if self.nesterov else buf[i]
            p.data = p.data + (-lr) * g
