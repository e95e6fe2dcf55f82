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
  :class:`LambdaLR`, :class:`ConstantLR`). ``step()`` checks it is a finite
  number ≥ 0 (a schedule may set 0).
- Every parameter is updated at every ``step()``, whatever its gradient, and a
  zero gradient still decays the momentum buffers, as in PyTorch for a zero
  tensor. PyTorch skips a parameter whose ``.grad`` is ``None`` ("no gradient");
  the engine has no such state (``backward()`` and ``zero_grad()`` leave 0.0,
  and ``backward()`` cannot add into None), so a ``.grad`` set to None by hand
  is refused: ``step()`` raises a TypeError naming the parameter and changes
  nothing.
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
from itertools import islice
from typing import Any, Callable, Iterable, NoReturn, Sequence

from .checks import as_float, flag, function, instance, integer, real, short, type_error, value_error
from .engine import Value
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
# The largest step or epoch count: every integer up to 2⁵³ is exact as a float (Adam's t, AdaGrad's
# (t − 1)·lr_decay and the schedules compute with float(t)), and no training gets near it.
_MAX_COUNT = 2**53

# the per-parameter state that is a sum or an average of squares, hence ≥ 0 (or nan/inf after a bad gradient)
_SQUARES = frozenset({"sum", "square_avg", "exp_avg_sq", "max_exp_avg_sq"})

_SMALLEST_NORMAL = 2.2250738585072014e-308  # below it a float loses precision (subnormal), then becomes 0

_GRAD = "a real number (backward() sets it; a parameter without a gradient has 0.0, never None)"


def _parameter_list(params: Any, where: str, allow_empty: bool = False) -> list[Value]:
    """``params`` as a list of distinct Values, or a TypeError/ValueError naming ``where``."""
    if isinstance(params, Value):
        raise TypeError(
            f"{where}: params must be an iterable of Values (for one, use [value]), got a single Value"
        )
    if isinstance(params, (str, bytes, bytearray)) or not isinstance(params, Iterable):
        hint = " (did you mean model.parameters()?)" if hasattr(params, "parameters") else ""
        type_error(where, "params", "an iterable of Values" + hint, params)
    out = list(params)
    seen: dict[int, int] = {}
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            type_error(where, f"params[{i}]", "a Value", p)
        if id(p) in seen:  # it would be updated twice per step
            raise ValueError(
                f"{where}: params[{i}] must be a Value not already in params, got the same Value as "
                f"params[{seen[id(p)]}]"
            )
        seen[id(p)] = i
    if not out and not allow_empty:
        used_up = " (already used up?)" if iter(params) is params else ""  # a generator iterated before
        raise ValueError(
            f"{where}: params must be a non-empty iterable of Values (e.g. model.parameters()), "
            f"got an empty {type(params).__name__}{used_up}"
        )
    return out


def _gradients(params: list[Value], where: str) -> list[float]:
    """Every ``p.grad`` as a float (the ``.data`` of a Value gradient made by ``create_graph=True``).

    nan and ±inf pass (they propagate under IEEE 754, as in PyTorch); None, a
    string, or a number too large for a float is an error naming the parameter.
    """
    grads = []
    for i, p in enumerate(params):
        if not isinstance(p, Value):  # self.params is a public list: someone may have appended to it
            type_error(where, f"params[{i}]", "a Value", p)
        g = p.grad
        if isinstance(g, Value):
            grads.append(as_float(g.data, where, f"params[{i}].grad.data"))
        else:
            grads.append(as_float(g, where, f"params[{i}].grad", _GRAD))
    return grads


def _keys(d: dict[Any, Any]) -> str:
    """A dict's keys for a message, at most ten, each shortened safely."""
    shown = [short(k) for k in islice(d, 10)]
    return "[" + ", ".join(shown) + (", ...]" if len(d) > 10 else "]")


def _refuse_base(where: str, method: str, instead: str) -> NoReturn:
    raise TypeError(
        f"{where}: the class must be a subclass that implements {method} ({instead}), got {where} itself"
    )


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
    be a finite number > 0 here, and is a plain attribute afterwards (``step()``
    checks it is a finite number ≥ 0). A subclass implements ``_update(grads)``,
    which moves every ``p.data`` given the list of gradients, and keeps its
    per-parameter state in ``self.state`` (lists parallel to ``self.params``).
    ``self.steps`` counts the calls to ``step()`` (PyTorch's ``state["step"]``,
    the t of Adam's bias correction). The base class itself cannot be used.
    """

    _hypers: tuple[str, ...] = ()  # hyper-parameter attributes shown by repr

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        where = type(self).__name__
        if type(self)._update is Optimizer._update:
            _refuse_base(where, "_update(grads)", "SGD, AdaGrad, RMSProp, Adam and AdamW do")
        self.params: list[Value] = _parameter_list(params, where)
        self.lr: float = real(lr, where, "lr", low=0.0, low_open=True)
        self.steps: int = 0
        self.state: dict[str, list[float]] = {}

    def step(self) -> None:
        """Update every parameter from its current ``.grad``.

        Everything is checked first, so a refused step changes nothing: the
        learning rate (a finite number ≥ 0: a schedule may set 0), every
        ``.grad`` (a real number, or a Value after ``create_graph=True``; nan
        and ±inf pass and propagate, None is refused) and every ``.data``.
        """
        where = f"{type(self).__name__}.step"
        lr = real(self.lr, where, "lr", low=0.0)
        grads = _gradients(self.params, where)
        data = [as_float(p.data, where, f"params[{i}].data") for i, p in enumerate(self.params)]
        self.lr = lr
        for p, x in zip(self.params, data):
            p.data = x  # a no-op for a float; an int or a Fraction set by hand becomes its float
        self.steps += 1
        self._update(grads)

    def _update(self, grads: list[float]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (gradients accumulate across ``backward()`` calls)."""
        for i, p in enumerate(self.params):  # a public list: something other than a Value may have been added
            if not isinstance(p, Value):
                type_error(f"{type(self).__name__}.zero_grad", f"params[{i}]", "a Value", p)
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
        """Restore what :meth:`state_dict` returned (from an optimizer of the same kind and size).

        Every entry is checked before anything changes: ``optimizer`` is this
        class's name, ``lr`` a finite number ≥ 0, ``steps`` an integer in
        [0, 2⁵³], and ``state`` has this optimizer's entries, each a list of
        one number per parameter. A state number may be nan or ±inf (a non-finite
        gradient puts them there, and they round-trip), but a sum or average of
        squares (``sum``, ``square_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``)
        is never negative. Numbers of any real type are stored as floats.
        """
        kind = type(self).__name__
        where = f"{kind}.load_state_dict"
        if not isinstance(state_dict, dict):
            type_error(where, "state_dict", "a dict returned by state_dict()", state_dict)
        if set(state_dict) != {"optimizer", "lr", "steps", "state"}:
            raise ValueError(
                f"{where}: state_dict must be a dict with the keys 'optimizer', 'lr', 'steps', 'state' "
                f"(as returned by state_dict()), got a dict with the keys {_keys(state_dict)}"
            )
        name = state_dict["optimizer"]
        if not isinstance(name, str):
            type_error(where, "state_dict['optimizer']", f"the name {kind!r}", name)
        if name != kind:
            value_error(
                where, "state_dict['optimizer']", f"{kind!r} (the state of this kind of optimizer)", name
            )
        lr = real(state_dict["lr"], where, "state_dict['lr']", low=0.0)
        steps = integer(state_dict["steps"], where, "state_dict['steps']", low=0, high=_MAX_COUNT)
        state = state_dict["state"]
        if not isinstance(state, dict):
            type_error(where, "state_dict['state']", "a dict of lists of numbers", state)
        if set(state) != set(self.state):
            raise ValueError(
                f"{where}: state_dict['state'] must be a dict with the entries {sorted(self.state)} "
                f"(this optimizer's), got a dict with the entries {_keys(state)}"
            )
        n = len(self.params)
        new: dict[str, list[float]] = {}
        for key in self.state:
            values, arg = state[key], f"state_dict['state'][{key!r}]"
            if not isinstance(values, (list, tuple)):
                type_error(where, arg, f"a list of {n} numbers (one per parameter)", values)
            if len(values) != n:
                raise ValueError(
                    f"{where}: {arg} must be a list of {n} numbers (one per parameter), "
                    f"got a {type(values).__name__} of {len(values)}"
                )
            low = 0.0 if key in _SQUARES else -math.inf
            new[key] = [real(v, where, f"{arg}[{i}]", low=low, finite=False) for i, v in enumerate(values)]
        self.lr = lr
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
    where = "clip_grad_value"
    ps = _parameter_list(params, where, allow_empty=True)
    c = real(clip_value, where, "clip_value", low=0.0)
    for p, g in zip(ps, _gradients(ps, where)):
        p.grad = min(max(g, -c), c)  # a nan stays nan: max and min keep their first argument


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

    The norm is computed as m·(Σᵢ(|gᵢ|/m)ᵖ)^(1/p) with m = maxᵢ|gᵢ|, so it
    neither overflows nor underflows on the way: it is inf only when the
    norm itself exceeds the float range (e.g. 3 unit gradients with
    p = 0.001 have norm 3¹⁰⁰⁰). Where PyTorch's float64 Σ|gᵢ|ᵖ overflows or
    underflows (‖(1e200, 1e200)‖₂, ‖(1e-200, 1e-200)‖₂) it returns inf or
    0; this returns the true norm (1.41e200, 1.41e-200).

    >>> a, b = Value(0.0), Value(0.0)
    >>> a.grad, b.grad = 3.0, 4.0
    >>> clip_grad_norm([a, b], max_norm=1.0)       # ‖(3, 4)‖ = 5
    5.0
    >>> round(a.grad, 6), round(b.grad, 6)         # (3, 4)/5
    (0.6, 0.8)
    """
    where = "clip_grad_norm"
    ps = _parameter_list(params, where, allow_empty=True)
    max_norm = real(max_norm, where, "max_norm", low=0.0)
    order = "a number > 0 (math.inf for the largest |g|)"
    order_p = as_float(norm_type, where, "norm_type", order)
    if not order_p > 0.0:  # also rejects nan
        value_error(where, "norm_type", order, norm_type)
    error_if_nonfinite = flag(error_if_nonfinite, where, "error_if_nonfinite")
    grads = _gradients(ps, where)
    total = _norm(grads, order_p)
    if error_if_nonfinite and not math.isfinite(total):
        raise ValueError(
            f"{where}: the gradients' total norm of order {order_p:g} must be finite with "
            f"error_if_nonfinite=True (False clips anyway), got float {total!r}"
        )
    coef = min(max_norm / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
    for p, g in zip(ps, grads):
        p.grad = g * coef
    return total


def _norm(xs: Sequence[float], p: float) -> float:
    """‖x‖ₚ = (Σ|xᵢ|ᵖ)^(1/p) for p > 0, as m·(Σ(|xᵢ|/m)ᵖ)^(1/p) with m = max|xᵢ|; max|xᵢ| for p = inf.

    Every term (|xᵢ|/m)ᵖ lies in [0, 1] and the largest is exactly 1, so the
    sum s is in [1, n]: nothing overflows before the last step, m·s^(1/p),
    which is inf only when the norm itself is. nan wins.
    """
    if not xs:
        return 0.0
    if any(math.isnan(x) for x in xs):
        return math.nan
    m = max(abs(x) for x in xs)
    if p == math.inf or m == 0.0 or m == math.inf:
        return m
    if p == 2.0:
        return math.hypot(*xs)
    s = math.fsum(_ratio_power(abs(x), m, p) for x in xs)
    return _times_root(m, s, p)


def _ratio_power(x: float, m: float, p: float) -> float:
    """(x/m)ᵖ for 0 ≤ x ≤ m, m > 0, also when x/m underflows but (x/m)ᵖ does not (p small).

    A small p makes every nonzero gradient count: (1e-26/1e298)^(5e-324) is 1 to
    15 digits, though 1e-324 is below the smallest float. So an underflowing
    x/m = (a/b)·2^(i−j) (frexp: x = a·2^i, m = b·2^j) is raised as 2^(p·log₂(x/m))
    with log₂(x/m) = log₂(a/b) + (i − j), which needs no number below the float range.
    """
    r = x / m
    if r >= _SMALLEST_NORMAL or x == 0.0:  # 0ᵖ = 0 for p > 0
        return math.pow(r, p)
    a, i = math.frexp(x)
    b, j = math.frexp(m)
    return math.pow(2.0, p * (math.log2(a / b) + (i - j)))


def _times_root(m: float, s: float, p: float) -> float:
    """m·s^(1/p) for m > 0, s ≥ 1 and p > 0; +inf only when the product itself does not fit a float."""
    inverse = 1.0 / p  # +inf for a subnormal p; then s^(1/p) is 1 for s = 1 and inf otherwise
    try:
        return m * math.pow(s, inverse)
    except OverflowError:  # s^(1/p) alone overflows, but m·s^(1/p) may fit: m = 1e-300, s = 3, p = 1e-3
        pass
    # s^(1/p) = 2^e with e = log₂(s)/p = k + f (k an integer, 0 ≤ f < 1), and m = μ·2^j exactly
    # (frexp), so m·s^(1/p) = (μ·2^f)·2^(j + k), whose ldexp overflows only if the result does
    e = math.log2(s) * inverse
    if not e < 2200.0:  # m ≥ 2⁻¹⁰⁷⁴, so m·2^e > 2¹⁰²⁴: overflow (also avoids floor(inf))
        return math.inf
    k = math.floor(e)
    mu, j = math.frexp(m)
    try:
        return math.ldexp(mu * 2.0 ** (e - k), j + k)
    except OverflowError:
        return math.inf


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
    implements ``lr_at`` (the base class itself cannot be used).
    """

    def __init__(self, optimizer: Optimizer) -> None:
        where = type(self).__name__
        if type(self).lr_at is LRScheduler.lr_at:
            _refuse_base(
                where, "lr_at(t)", "StepLR, ExponentialLR, InverseTimeLR, LambdaLR and ConstantLR do"
            )
        instance(
            optimizer, where, "optimizer", Optimizer, "an optimizer from tinygrad_edu.optim (SGD, Adam, ...)"
        )
        # the optimizer's lr is a plain attribute, which may have been set by hand since its constructor
        lr = real(optimizer.lr, where, "optimizer.lr", low=0.0)
        self.optimizer = optimizer
        self.base_lr: float = lr
        self.last_epoch: int = -1
        self._last_lr: float = lr
        self.step()

    def lr_at(self, t: int) -> float:
        """The learning rate for epoch t (t = 0 before any ``step()``), an integer in [0, 2⁵³]."""
        raise NotImplementedError(f"{type(self).__name__} must implement lr_at")

    def _epoch(self, t: Any) -> int:
        """lr_at's argument checked: an integer in [0, 2⁵³] (exact as a float, which the closed forms use)."""
        return integer(t, f"{type(self).__name__}.lr_at", "t", low=0, high=_MAX_COUNT)

    def step(self) -> None:
        """Advance to the next epoch and set the optimizer's lr for it (nothing changes if lr_at refuses)."""
        t = self.last_epoch + 1
        lr = self.lr_at(t)
        self.last_epoch, self._last_lr = t, lr
        self.optimizer.lr = lr

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
        self.factor = real(factor, "ConstantLR", "factor", low=0.0, high=1.0)
        self.total_iters = integer(total_iters, "ConstantLR", "total_iters", low=0)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        t = self._epoch(t)
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
        self.step_size = integer(step_size, "StepLR", "step_size", low=1)
        self.gamma = real(gamma, "StepLR", "gamma", low=0.0, high=1.0, low_open=True)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        t = self._epoch(t)
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
        self.k = real(k, "ExponentialLR", "k", low=0.0)
        super().__init__(optimizer)

    @property
    def gamma(self) -> float:
        """PyTorch's per-epoch factor γ = e^{−k}."""
        return math.exp(-self.k)

    def lr_at(self, t: int) -> float:
        t = self._epoch(t)
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
        self.tau = real(tau, "InverseTimeLR", "tau", low=0.0, low_open=True)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        t = self._epoch(t)
        return self.base_lr * (self.tau / max(t, self.tau))


class LambdaLR(LRScheduler):
    """α(t) = α₀·fn(t) for any function ``fn`` of the epoch t; ``torch.optim.lr_scheduler.LambdaLR``.

    ``fn(t)`` must return a finite number ≥ 0 whose product with α₀ is
    finite (otherwise a TypeError or ValueError names t and the value).

    >>> opt = SGD([Value(0.0)], lr=0.5)
    >>> sched = LambdaLR(opt, lambda t: 1 / (1 + t))
    >>> sched.step(); sched.step()
    >>> opt.lr                  # 0.5·1/3
    0.16666666666666666
    """

    def __init__(self, optimizer: Optimizer, fn: Callable[[int], float]) -> None:
        self.fn = function(fn, "LambdaLR", "fn", "a function of the epoch")
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        t = self._epoch(t)
        factor = self.fn(t)
        lr = self.base_lr * real(factor, "LambdaLR", f"fn({t})", low=0.0)
        if not math.isfinite(lr):  # e.g. fn(t) = 1e300 with α₀ = 1e10
            value_error(
                "LambdaLR",
                f"fn({t})",
                f"small enough that base_lr·fn({t}) is finite (base_lr = {self.base_lr:g})",
                factor,
            )
        return lr
