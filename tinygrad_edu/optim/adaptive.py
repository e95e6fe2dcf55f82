"""Optimizers with a per-parameter step size from the history of squared gradients.

AdaGrad, RMSProp, Adam and AdamW, each exactly its ``torch.optim`` namesake (to rounding).
"""

from __future__ import annotations

import math
from typing import Iterable

from ..checks import flag, instance, real, value_error
from ..engine import Value
from ..ops import FLOATS
from .optimizer import Optimizer

__all__ = ["AdaGrad", "Adam", "AdamW", "RMSProp"]

# a / b and √x under IEEE 754, as in PyTorch: ±inf for x/0, nan for 0/0 and √(−1) (Python raises)
_div, _sqrt = FLOATS.div, FLOATS.sqrt


def _lerp(start: float, end: float, weight: float) -> float:
    """start + weight·(end − start), in ``torch.lerp``'s two-sided form (exact at weight 0 and 1)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def _maximum(a: float, b: float) -> float:
    """max(a, b) propagating nan, as ``torch.maximum``."""
    return a if a > b or math.isnan(a) else b


class AdaGrad(Optimizer):
    """AdaGrad: a per-parameter step that shrinks with the history of its squared gradients.

    Exactly ``torch.optim.Adagrad``. With g = ∂J/∂θ and t the step number:

    - g ← g + λθ (weight decay)
    - r ← r + g², starting from r = ``initial_accumulator_value``
    - θ ← θ − lr_t · g / (√r + ε),  lr_t = lr / (1 + (t − 1)·lr_decay)

    ε sits **outside** the square root, as in note 001 (α/(δ + √r)) and
    PyTorch; note 003 prints η/√(δ + r) (see docs/errata.md). PyTorch's default ε
    is 1e-10 (note 001 uses δ = 1e-7). On the first step (r = g²)
    θ moves by lr·|g|/(|g| + ε) ≈ lr against the sign of g, whatever |g|.

    >>> w = Value(5.0)
    >>> opt = AdaGrad([w], lr=0.5)
    >>> w.grad = 1000.0
    >>> opt.step()
    >>> round(w.data, 10)            # 5 − 0.5·1000/√(1000²)
    4.5
    """

    _hypers = ("eps", "weight_decay", "initial_accumulator_value", "lr_decay")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        eps: float = 1e-10,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        lr_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.eps = real(eps, "AdaGrad", "eps", low=0.0)
        self.weight_decay = real(weight_decay, "AdaGrad", "weight_decay", low=0.0)
        self.initial_accumulator_value = real(
            initial_accumulator_value, "AdaGrad", "initial_accumulator_value", low=0.0
        )
        self.lr_decay = real(lr_decay, "AdaGrad", "lr_decay", low=0.0)
        self.state["sum"] = [self.initial_accumulator_value] * len(self.params)

    def _update(self, grads: list[float]) -> None:
        clr = self.lr / (1.0 + (self.steps - 1) * self.lr_decay)
        total = self.state["sum"]
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.weight_decay != 0.0:
                g = g + self.weight_decay * p.data
            total[i] = total[i] + g * g
            p.data = p.data + _div((-clr) * g, _sqrt(total[i]) + self.eps)


class RMSProp(Optimizer):
    """RMSProp: AdaGrad with a moving average of squared gradients, which forgets the distant past.

    Exactly ``torch.optim.RMSprop``, whose ``alpha`` is our ``rho`` (note
    001's ρ; note 003 calls it α, the letter note 001 uses for the learning
    rate). With g = ∂J/∂θ:

    - g ← g + λθ (weight decay)
    - r ← ρr + (1 − ρ)g²  (from r = 0)
    - centered: ḡ ← ρḡ + (1 − ρ)g and the scale is √(r − ḡ²) + ε (an
      estimate of the gradient's standard deviation); otherwise √r + ε
    - momentum μ > 0: b ← μb + g/scale, θ ← θ − lr·b (from b = 0);
      otherwise θ ← θ − lr·g/scale

    ε sits **outside** the square root, as in note 001 and PyTorch (note 003
    prints √(δ + r); see docs/errata.md).

    >>> w = Value(1.0)
    >>> opt = RMSProp([w], lr=0.01, rho=0.99)
    >>> w.grad = 3.0
    >>> opt.step()
    >>> round(w.data, 6)           # 1 − 0.01·3/√(0.01·9) = 1 − 0.1
    0.9
    """

    _hypers = ("rho", "eps", "weight_decay", "momentum", "centered")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        rho: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.rho = real(rho, "RMSProp", "rho", low=0.0, high=1.0)
        self.eps = real(eps, "RMSProp", "eps", low=0.0)
        self.weight_decay = real(weight_decay, "RMSProp", "weight_decay", low=0.0)
        self.momentum = real(momentum, "RMSProp", "momentum", low=0.0)
        self.centered = flag(centered, "RMSProp", "centered")
        n = len(self.params)
        self.state["square_avg"] = [0.0] * n
        if self.centered:
            self.state["grad_avg"] = [0.0] * n
        if self.momentum > 0.0:
            self.state["momentum_buffer"] = [0.0] * n

    def _update(self, grads: list[float]) -> None:
        lr, rho, eps = self.lr, self.rho, self.eps
        sq = self.state["square_avg"]
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.weight_decay != 0.0:
                g = g + self.weight_decay * p.data
            sq[i] = sq[i] * rho + ((1.0 - rho) * g) * g
            if self.centered:
                avg = self.state["grad_avg"]
                avg[i] = _lerp(avg[i], g, 1.0 - rho)
                scale = _sqrt(sq[i] + (-avg[i]) * avg[i]) + eps
            else:
                scale = _sqrt(sq[i]) + eps
            if self.momentum > 0.0:
                buf = self.state["momentum_buffer"]
                buf[i] = buf[i] * self.momentum + _div(g, scale)
                p.data = p.data + (-lr) * buf[i]
            else:
                p.data = p.data + _div((-lr) * g, scale)


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSProp's scale, both bias-corrected.

    Exactly ``torch.optim.Adam``. With g = ∂J/∂θ, t the step number and
    (β₁, β₂) = ``betas``:

    - g ← g + λθ (weight decay as an L2 penalty; see :class:`AdamW` for the decoupled form)
    - m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²  (from m = v = 0)
    - m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)  (bias correction: m and v start at 0)
    - θ ← θ − lr·m̂/(√v̂ + ε)

    ε sits **outside** the root and is added to the *bias-corrected* √v̂, as
    in PyTorch (not to √v, the ε̂ of Kingma & Ba's "efficient" variant). The
    arithmetic follows PyTorch's order, θ ← θ − (lr/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε),
    so the two agree to rounding. With ``amsgrad=True``, v̂ uses the running
    maximum of v instead of v (PyTorch's AMSGrad, which keeps the bias correction).

    The first step moves each parameter by lr·|g|/(|g| + ε) ≈ lr, whatever the
    gradient's size:

    >>> w = Value(0.0)
    >>> opt = Adam([w], lr=0.001)
    >>> w.grad = -250.0
    >>> opt.step()
    >>> round(w.data, 12)
    0.001
    """

    _hypers = ("betas", "eps", "weight_decay", "amsgrad")
    _decoupled = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr)
        where = type(self).__name__
        instance(betas, where, "betas", (tuple, list), "a pair (beta1, beta2)")
        if len(betas) != 2:
            value_error(where, "betas", "a pair (beta1, beta2)", betas)
        self.betas = (
            real(betas[0], where, "betas[0]", low=0.0, high=1.0, high_open=True),
            real(betas[1], where, "betas[1]", low=0.0, high=1.0, high_open=True),
        )
        self.eps = real(eps, where, "eps", low=0.0)
        self.weight_decay = real(weight_decay, where, "weight_decay", low=0.0)
        self.amsgrad = flag(amsgrad, where, "amsgrad")
        n = len(self.params)
        self.state["exp_avg"] = [0.0] * n
        self.state["exp_avg_sq"] = [0.0] * n
        if self.amsgrad:
            self.state["max_exp_avg_sq"] = [0.0] * n

    def _update(self, grads: list[float]) -> None:
        lr, wd, eps = self.lr, self.weight_decay, self.eps
        beta1, beta2 = self.betas
        t = float(self.steps)  # PyTorch keeps the step count as a float
        step_size = lr / (1.0 - beta1**t)
        bias_correction2_sqrt = (1.0 - beta2**t) ** 0.5
        m, v = self.state["exp_avg"], self.state["exp_avg_sq"]
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if wd != 0.0:
                if self._decoupled:
                    p.data = p.data * (1.0 - lr * wd)
                else:
                    g = g + wd * p.data
            m[i] = _lerp(m[i], g, 1.0 - beta1)
            v[i] = v[i] * beta2 + ((1.0 - beta2) * g) * g
            if self.amsgrad:
                vmax = self.state["max_exp_avg_sq"]
                vmax[i] = _maximum(vmax[i], v[i])
                denom = _sqrt(vmax[i]) / bias_correction2_sqrt + eps
            else:
                denom = _sqrt(v[i]) / bias_correction2_sqrt + eps
            p.data = p.data + _div((-step_size) * m[i], denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): exactly ``torch.optim.AdamW``.

    Instead of adding λθ to the gradient (which Adam then rescales), every
    step first shrinks the parameter, θ ← θ·(1 − lr·λ), and then takes
    Adam's step with the plain gradient. PyTorch's default λ is 1e-2.

    >>> w = Value(2.0)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = 0.0                # no gradient: only the decay acts
    >>> opt.step()
    >>> w.data                      # 2·(1 − 0.1·0.5)
    1.9
    """

    _decoupled = True

    # Adam's signature again, deliberately: only weight_decay's default differs (PyTorch's 1e-2), and a
    # default cannot be inherited; every other way to write it changes what help(AdamW) shows
    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
