"""Optimizers, gradient clipping and learning-rate schedules for parameters that are ``Value`` nodes.

An optimizer holds a list of parameters (``model.parameters()``) and, after
``loss.backward()`` has filled every ``p.grad`` = ∂J/∂p, moves each ``p.data``
against its gradient. The plainest one is the note's gradient descent
θ ← θ − α∇J(θ); mini-batch SGD is the same step with the gradient of the batch
mean, α/Q·Σ_q ∇J(x_q, θ), which is what you get by averaging the loss over the
batch before ``backward()``.

>>> from tinygrad_edu.nn import MLP
>>> model = MLP(1, [8, 1], activation="tanh", seed=0)
>>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> xs, ys = [[-1.0], [0.0], [1.0]], [1.0, 0.0, 1.0]
>>> for epoch in range(100):
...     opt.zero_grad()                      # gradients accumulate: clear them first
...     loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
...     loss.backward()
...     opt.step()
>>> loss.data < 0.01
True

Every optimizer reproduces its ``torch.optim`` namesake step for step (same
hyper-parameters, same state, same arithmetic order, float64): :class:`SGD`
(momentum, dampening, Nesterov, weight decay), :class:`AdaGrad`,
:class:`RMSProp`, :class:`Adam` (with AMSGrad) and :class:`AdamW`. They agree to
rounding rather than bit for bit, because PyTorch's CPU kernels fuse some
multiply-adds (``add(alpha=)``, ``addcmul``, ``lerp``) into one rounding. Each
docstring gives the update and, where the notes disagree with each other, which
form is implemented.

Conventions shared by all optimizers:

- ``lr`` is a public attribute; change it between steps by hand or with a
  schedule (:class:`StepLR`, :class:`ExponentialLR`, :class:`InverseTimeLR`,
  :class:`LambdaLR`, :class:`ConstantLR`). Only the constructor validates it.
- Every parameter is updated at every ``step()``, whatever its gradient
  (PyTorch skips parameters whose ``.grad`` is ``None``; ours is never None, and
  a zero gradient still decays the momentum buffers, as in PyTorch for a zero
  tensor).
- Gradients that are nan or ±inf are not checked: the step follows IEEE 754 and
  the parameter (and the optimizer's state) becomes nan/inf, as in PyTorch.
  Use :func:`clip_grad_norm` with ``error_if_nonfinite=True`` or the engine's
  ``detect_anomaly()`` to catch them. Likewise a division 0/0 (e.g. ``eps=0``
  with a zero gradient) gives nan rather than an exception.
- After ``backward(create_graph=True)`` a ``.grad`` is a ``Value``; the
  optimizers read its ``.data`` (the step itself is never part of a graph).
- Per-parameter state lives in ``optimizer.state``: a dict from PyTorch's state
  names (``"momentum_buffer"``, ``"exp_avg"``, ...) to lists of floats parallel
  to ``optimizer.params``. ``state_dict()`` / ``load_state_dict()`` save and
  restore it with ``lr`` and the step count.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Iterable, Sequence

from .engine import Value, number
from .ops import FLOATS

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "ConstantLR",
    "ExponentialLR",
    "InverseTimeLR",
    "LRScheduler",
    "LambdaLR",
    "Optimizer",
    "RMSProp",
    "StepLR",
    "clip_grad_norm",
    "clip_grad_value",
]


# ------------------------------------------------------------ argument checks and IEEE helpers
def _parameter_list(params: Any, where: str, allow_empty: bool = False) -> list[Value]:
    """``params`` as a list of distinct Values, or a TypeError/ValueError naming ``where``."""
    if isinstance(params, Value):
        raise TypeError(f"{where}: params must be an iterable of Values, got a single Value; use [value]")
    if isinstance(params, (str, bytes)) or not isinstance(params, Iterable):
        hint = "; did you mean model.parameters()?" if hasattr(params, "parameters") else ""
        raise TypeError(f"{where}: params must be an iterable of Values, got {type(params).__name__}{hint}")
    out = list(params)
    seen: dict[int, int] = {}
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            raise TypeError(f"{where}: params[{i}] must be a Value, got {type(p).__name__} {p!r}")
        if id(p) in seen:  # it would be updated twice per step
            raise ValueError(f"{where}: params[{i}] is the same Value as params[{seen[id(p)]}]")
        seen[id(p)] = i
    if not out and not allow_empty:
        raise ValueError(f"{where}: params is empty; pass model.parameters() or a non-empty list of Values")
    return out


def _real(x: Any, name: str, where: str) -> float:
    """A real number (not a bool) as a float, or a TypeError naming it."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where}: {name} must be a real number, got {type(x).__name__} {x!r}")
    return float(x)


def _hyper(
    x: Any,
    name: str,
    where: str,
    low: float = 0.0,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real number in the interval (or [) low, high ] (or )), or an error that says which."""
    v = _real(x, name, where)
    ok = math.isfinite(v) and (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if not ok:
        if high == math.inf:
            rule = f"{'>' if low_open else '>='} {low:g}"
        else:
            rule = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{where}: {name} must be a finite number {rule}, got {x!r}")
    return v


def _grad_of(p: Value) -> float:
    """``p.grad`` as a float (the ``.data`` of a Value gradient made by ``create_graph=True``)."""
    return float(number(p.grad))


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


# ------------------------------------------------------------ optimizers
class Optimizer:
    """Base class: a list of parameters, a learning rate ``lr``, ``step()`` and ``zero_grad()``.

    ``params`` is any iterable of distinct Values (``model.parameters()``, a
    generator, a list); it is stored as the list ``self.params``. ``lr`` must
    be a finite number > 0 here, and is a plain attribute afterwards. A
    subclass implements ``_update(grads)``, which moves every ``p.data``
    given the list of gradients, and keeps its per-parameter state in
    ``self.state`` (lists parallel to ``self.params``). ``self.steps`` counts
    the calls to ``step()`` (PyTorch's ``state["step"]``, the t of Adam's
    bias correction).
    """

    _hypers: tuple[str, ...] = ()  # hyper-parameter attributes shown by repr

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        where = type(self).__name__
        self.params: list[Value] = _parameter_list(params, where)
        self.lr: float = _hyper(lr, "lr", where, low_open=True)
        self.steps: int = 0
        self.state: dict[str, list[float]] = {}

    def step(self) -> None:
        """Update every parameter from its current ``.grad``."""
        grads = [_grad_of(p) for p in self.params]
        self.steps += 1
        self._update(grads)

    def _update(self, grads: list[float]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (gradients accumulate across ``backward()`` calls)."""
        for p in self.params:
            p.grad = 0.0

    def state_dict(self) -> dict[str, Any]:
        """A copy of what the optimizer has learnt: ``lr``, the step count and the per-parameter state.

        Hyper-parameters other than ``lr`` are not included: they are given
        to the constructor.
        """
        return {
            "optimizer": type(self).__name__,
            "lr": self.lr,
            "steps": self.steps,
            "state": {k: list(v) for k, v in self.state.items()},
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (from an optimizer of the same kind and size)."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict) or set(state_dict) != {"optimizer", "lr", "steps", "state"}:
            raise ValueError(f"{where}: expected a dict from state_dict(), got {state_dict!r:.80}")
        if state_dict["optimizer"] != type(self).__name__:
            raise ValueError(f"{where}: the state is from {state_dict['optimizer']!r}")
        steps = state_dict["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"{where}: steps must be an int >= 0, got {steps!r}")
        state = state_dict["state"]
        if not isinstance(state, dict) or set(state) != set(self.state):
            got = sorted(state) if isinstance(state, dict) else state
            raise ValueError(f"{where}: expected state entries {sorted(self.state)}, got {got!r}")
        new: dict[str, list[float]] = {}
        for key, values in state.items():
            if not isinstance(values, (list, tuple)) or len(values) != len(self.params):
                n = len(values) if isinstance(values, (list, tuple)) else type(values).__name__
                raise ValueError(f"{where}: state[{key!r}] must have {len(self.params)} numbers, got {n}")
            new[key] = [_real(v, f"state[{key!r}][{i}]", where) for i, v in enumerate(values)]
        self.lr = _hyper(state_dict["lr"], "lr", where)
        self.steps = steps
        self.state = new

    def __repr__(self) -> str:
        hypers = "".join(f", {name}={getattr(self, name)!r}" for name in self._hypers)
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r}{hypers})"


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
        self.momentum = _hyper(momentum, "momentum", "SGD")
        self.dampening = _hyper(dampening, "dampening", "SGD", high=1.0)
        self.weight_decay = _hyper(weight_decay, "weight_decay", "SGD")
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: nesterov must be a bool, got {type(nesterov).__name__} {nesterov!r}")
        if nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError(
                "SGD: nesterov=True requires momentum > 0 and dampening = 0, "
                f"got momentum={momentum!r}, dampening={dampening!r}"
            )
        self.nesterov = nesterov
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
        self.eps = _hyper(eps, "eps", "AdaGrad")
        self.weight_decay = _hyper(weight_decay, "weight_decay", "AdaGrad")
        self.initial_accumulator_value = _hyper(
            initial_accumulator_value, "initial_accumulator_value", "AdaGrad"
        )
        self.lr_decay = _hyper(lr_decay, "lr_decay", "AdaGrad")
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
        self.rho = _hyper(rho, "rho", "RMSProp", high=1.0)
        self.eps = _hyper(eps, "eps", "RMSProp")
        self.weight_decay = _hyper(weight_decay, "weight_decay", "RMSProp")
        self.momentum = _hyper(momentum, "momentum", "RMSProp")
        if not isinstance(centered, bool):
            raise TypeError(f"RMSProp: centered must be a bool, got {type(centered).__name__} {centered!r}")
        self.centered = centered
        n = len(self.params)
        self.state["square_avg"] = [0.0] * n
        if centered:
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
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _hyper(betas[0], "betas[0]", where, high=1.0, high_open=True),
            _hyper(betas[1], "betas[1]", where, high=1.0, high_open=True),
        )
        self.eps = _hyper(eps, "eps", where)
        self.weight_decay = _hyper(weight_decay, "weight_decay", where)
        if not isinstance(amsgrad, bool):
            raise TypeError(f"{where}: amsgrad must be a bool, got {type(amsgrad).__name__} {amsgrad!r}")
        self.amsgrad = amsgrad
        n = len(self.params)
        self.state["exp_avg"] = [0.0] * n
        self.state["exp_avg_sq"] = [0.0] * n
        if amsgrad:
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


# ------------------------------------------------------------ gradient clipping
def clip_grad_value(params: Iterable[Value], clip_value: float) -> None:
    """Clamp every gradient to [−c, c] in place: g ← min(max(g, −c), c).

    As ``torch.nn.utils.clip_grad_value_``: each component is clipped on its
    own, so the gradient's direction may change (compare
    :func:`clip_grad_norm`). nan stays nan. ``c`` must be a finite number ≥ 0.

    >>> a, b = Value(0.0), Value(0.0)
    >>> a.grad, b.grad = 5.0, -0.5
    >>> clip_grad_value([a, b], 1.0)
    >>> a.grad, b.grad
    (1.0, -0.5)
    """
    ps = _parameter_list(params, "clip_grad_value", allow_empty=True)
    c = _hyper(clip_value, "clip_value", "clip_grad_value")
    for p in ps:
        p.grad = min(max(_grad_of(p), -c), c)  # a nan stays nan: max and min keep their first argument


def clip_grad_norm(
    params: Iterable[Value],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Rescale all gradients together so that their norm is at most about ``max_norm``; return the norm.

    As ``torch.nn.utils.clip_grad_norm_``: with the total norm
    ‖g‖ = (Σᵢ|gᵢ|ᵖ)^(1/p) over every parameter's gradient (p = ``norm_type``,
    2 by default; ``math.inf`` gives maxᵢ|gᵢ|), every gradient is multiplied
    by min(1, max_norm/(‖g‖ + 1e-6)). The direction is kept; only the length
    changes, which is the usual cure for exploding gradients (note 003). The
    1e-6 guards against division by zero and makes the clipped norm slightly
    less than ``max_norm`` (and clips, very slightly, a norm within 1e-6
    below it, exactly as PyTorch does).

    Returns the total norm *before* clipping, as a float (PyTorch returns a
    tensor). No parameters: 0.0. A nan or inf norm propagates (every gradient
    becomes nan, or 0 and nan) unless ``error_if_nonfinite=True``, which
    raises a ValueError instead and leaves the gradients untouched.

    >>> a, b = Value(0.0), Value(0.0)
    >>> a.grad, b.grad = 3.0, 4.0
    >>> clip_grad_norm([a, b], max_norm=1.0)       # ‖(3, 4)‖ = 5
    5.0
    >>> round(a.grad, 6), round(b.grad, 6)         # (3, 4)/5
    (0.6, 0.8)
    """
    ps = _parameter_list(params, "clip_grad_norm", allow_empty=True)
    max_norm = _hyper(max_norm, "max_norm", "clip_grad_norm")
    norm_type = _real(norm_type, "norm_type", "clip_grad_norm")
    if not norm_type > 0.0:  # also rejects nan
        raise ValueError(f"clip_grad_norm: norm_type must be > 0 (or math.inf), got {norm_type!r}")
    grads = [_grad_of(p) for p in ps]
    total = _norm(grads, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise ValueError(
            f"clip_grad_norm: the total norm of order {norm_type:g} of the gradients is {total!r}; "
            "set error_if_nonfinite=False to clip anyway"
        )
    coef = min(max_norm / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
    for p, g in zip(ps, grads):
        p.grad = g * coef
    return total


def _norm(xs: Sequence[float], p: float) -> float:
    """(Σ|x|ᵖ)^(1/p) without overflow (scaled by the largest |x|); max|x| for p = inf; nan wins."""
    if not xs:
        return 0.0
    if any(math.isnan(x) for x in xs):
        return math.nan
    biggest = max(abs(x) for x in xs)
    if p == math.inf or biggest == 0.0 or biggest == math.inf:
        return biggest
    if p == 2.0:
        return math.hypot(*xs)
    return biggest * math.pow(math.fsum(math.pow(abs(x) / biggest, p) for x in xs), 1.0 / p)


# ------------------------------------------------------------ learning-rate schedules
class LRScheduler:
    """Base class: sets ``optimizer.lr`` to ``lr_at(t)`` for t = 0, 1, 2, … as ``step()`` is called.

    PyTorch's semantics: constructing a schedule records the optimizer's
    current lr as ``base_lr`` (α₀) and applies ``lr_at(0)``; each
    ``step()`` (typically once per epoch, after ``optimizer.step()``)
    advances ``last_epoch`` to t and sets ``optimizer.lr = lr_at(t)``;
    ``get_last_lr()`` returns the lr set last (a float; PyTorch returns a
    list, one per parameter group).

    Every schedule here is a closed form of t and α₀, so it does not read the
    optimizer's lr back: changing ``optimizer.lr`` by hand lasts until the
    next ``step()``, and two schedules on one optimizer do not compose (the
    one stepped last wins), unlike PyTorch's "chainable" schedulers.
    A subclass sets its own attributes, then calls ``super().__init__``, and
    implements ``lr_at``.
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: optimizer must be an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr: float = optimizer.lr
        self.last_epoch: int = -1
        self._last_lr: float = optimizer.lr
        self.step()

    def lr_at(self, t: int) -> float:
        """The learning rate for epoch t (t = 0 before any ``step()``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement lr_at")

    def step(self) -> None:
        """Advance to the next epoch and set the optimizer's lr for it."""
        self.last_epoch += 1
        self._last_lr = self.lr_at(self.last_epoch)
        self.optimizer.lr = self._last_lr

    def get_last_lr(self) -> float:
        """The lr this schedule set last."""
        return self._last_lr

    def __repr__(self) -> str:
        return f"{type(self).__name__}(t={self.last_epoch}, lr={self._last_lr!r})"


class ConstantLR(LRScheduler):
    """α(t) = α₀·factor for t < total_iters, α₀ afterwards; by default simply α(t) = α₀.

    ``torch.optim.lr_scheduler.ConstantLR``'s rule, but with defaults
    ``factor=1.0, total_iters=0`` that make it the identity (a baseline
    "no schedule"); PyTorch's defaults are 1/3 and 5. factor ∈ [0, 1].

    >>> opt = SGD([Value(0.0)], lr=0.3)
    >>> sched = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> lrs = [sched.get_last_lr()]
    >>> for _ in range(3):
    ...     sched.step()
    ...     lrs.append(opt.lr)
    >>> lrs
    [0.15, 0.15, 0.3, 0.3]
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0, total_iters: int = 0) -> None:
        self.factor = _hyper(factor, "factor", "ConstantLR", high=1.0)
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 0:
            raise ValueError(f"ConstantLR: total_iters must be an int >= 0, got {total_iters!r}")
        self.total_iters = total_iters
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * self.factor if t < self.total_iters else self.base_lr


class StepLR(LRScheduler):
    """Annealing by steps: α(t) = α₀·γ^⌊t/step_size⌋, i.e. × γ every ``step_size`` epochs.

    Note 002's "reduce the learning rate by a factor after every n
    iterations"; ``torch.optim.lr_scheduler.StepLR``. step_size is an int
    ≥ 1 and γ ∈ (0, 1].

    >>> opt = SGD([Value(0.0)], lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = [opt.lr]
    >>> for _ in range(5):
    ...     sched.step()
    ...     lrs.append(opt.lr)
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be an int >= 1, got {step_size!r}")
        self.step_size = step_size
        self.gamma = _hyper(gamma, "gamma", "StepLR", high=1.0, low_open=True)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(LRScheduler):
    """Exponential decay, note 002's α(t) = α₀·e^{−k·t}, with k ≥ 0.

    The same schedule as ``torch.optim.lr_scheduler.ExponentialLR`` with
    γ = e^{−k} (α₀·γᵗ), available as ``self.gamma``; PyTorch multiplies by γ
    once per step, we evaluate the closed form, so the two differ only by
    rounding.

    >>> import math
    >>> opt = SGD([Value(0.0)], lr=0.1)
    >>> sched = ExponentialLR(opt, k=math.log(2))     # halves every epoch
    >>> sched.step(); sched.step()
    >>> round(opt.lr, 12)
    0.025
    """

    def __init__(self, optimizer: Optimizer, k: float) -> None:
        self.k = _hyper(k, "k", "ExponentialLR")
        super().__init__(optimizer)

    @property
    def gamma(self) -> float:
        """PyTorch's per-epoch factor γ = e^{−k}."""
        return math.exp(-self.k)

    def lr_at(self, t: int) -> float:
        return self.base_lr * math.exp(-self.k * t)


class InverseTimeLR(LRScheduler):
    """Note 002's α(t) = α₀·τ/max(t, τ): constant until epoch τ, then decaying like 1/t.

    τ > 0 (any real) is the epoch at which the decay starts. PyTorch has no
    class for it; it is ``LambdaLR(opt, lambda t: tau / max(t, tau))``.

    >>> opt = SGD([Value(0.0)], lr=0.6)
    >>> sched = InverseTimeLR(opt, tau=2)
    >>> lrs = [opt.lr]
    >>> for _ in range(4):
    ...     sched.step()
    ...     lrs.append(round(opt.lr, 12))
    >>> lrs                     # t = 0, 1, 2, 3, 4: 0.6·2/max(t, 2)
    [0.6, 0.6, 0.6, 0.4, 0.3]
    """

    def __init__(self, optimizer: Optimizer, tau: float) -> None:
        self.tau = _hyper(tau, "tau", "InverseTimeLR", low_open=True)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * (self.tau / max(t, self.tau))


class LambdaLR(LRScheduler):
    """α(t) = α₀·fn(t) for any function ``fn`` of the epoch t; ``torch.optim.lr_scheduler.LambdaLR``.

    ``fn(t)`` must return a finite number ≥ 0 (otherwise a ValueError names
    t and the value).

    >>> opt = SGD([Value(0.0)], lr=0.5)
    >>> sched = LambdaLR(opt, lambda t: 1 / (1 + t))
    >>> sched.step(); sched.step()
    >>> opt.lr                  # 0.5·1/3
    0.16666666666666666
    """

    def __init__(self, optimizer: Optimizer, fn: Callable[[int], float]) -> None:
        if not callable(fn):
            raise TypeError(f"LambdaLR: fn must be a function of the epoch, got {type(fn).__name__}")
        self.fn = fn
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * _hyper(self.fn(t), f"fn({t})", "LambdaLR")
