"""Learning-rate schedules: each sets ``optimizer.lr`` for epoch t = 0, 1, 2, … from a closed form."""

from __future__ import annotations

import math
from typing import Any, Callable

from ..checks import function, instance, integer, real, value_error
from .optimizer import MAX_COUNT, Optimizer, refuse_base_class

__all__ = ["ConstantLR", "ExponentialLR", "InverseTimeLR", "LRScheduler", "LambdaLR", "StepLR"]


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
            refuse_base_class(
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
        return integer(t, f"{type(self).__name__}.lr_at", "t", low=0, high=MAX_COUNT)

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

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
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

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
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
    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
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

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
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

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
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
