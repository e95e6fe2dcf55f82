"""What fit returns: the :class:`History` of a run, epoch by epoch, and where it diverged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..checks import choice, flag, instance, integer, real, type_error, value_error
from .arguments import is_sequence


@dataclass(frozen=True)
class Divergence:
    """Where training diverged: the first step whose loss (or a gradient, or an update) was nan or ±inf.

    ``epoch`` counts from 1 and ``step`` is the batch's number within that epoch,
    also from 1 (with ``batch_size=1`` and ``shuffle=False``, sample ``step − 1``).
    ``loss`` is that batch's objective (data loss + penalty); ``cause`` is
    ``"loss"`` when it was not finite, ``"gradient"`` when the loss was finite
    but some parameter's gradient was not, ``"update"`` when both were finite
    but the optimizer's step took a parameter beyond float range.
    """

    epoch: int
    step: int
    loss: float
    cause: str = "loss"

    def __post_init__(self) -> None:
        where = "Divergence"
        object.__setattr__(self, "epoch", integer(self.epoch, where, "epoch", low=1))
        object.__setattr__(self, "step", integer(self.step, where, "step", low=1))
        object.__setattr__(self, "loss", real(self.loss, where, "loss", finite=False))
        object.__setattr__(self, "cause", choice(self.cause, where, "cause", ("loss", "gradient", "update")))


@dataclass
class History:
    """What happened, epoch by epoch (lists indexed by epoch − 1).

    ``train_loss`` is the mean data loss over the epoch's batches (each weighted
    by its size, computed with the parameters of the moment), without the
    penalty; ``val_*`` are computed after the epoch, in eval mode. Accuracies
    are None when the loss gives them no meaning (regression) and no
    ``accuracy`` function was given. ``best_epoch`` is the epoch whose
    parameters the model holds after early stopping. An epoch cut short (by
    Ctrl-C or divergence) is not recorded. ``diverged`` is None, or the
    :class:`Divergence` where the loss first stopped being finite.

    Built by hand (e.g. to plot), every list is a list of numbers (accuracies:
    numbers in [0, 1] or None), empty or one entry per epoch of ``train_loss``.
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[Optional[float]] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[Optional[float]] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    best_epoch: Optional[int] = None
    stopped_early: bool = False
    interrupted: bool = False
    seconds: float = 0.0
    diverged: Optional[Divergence] = None

    def __post_init__(self) -> None:
        where = "History"
        self.train_loss = _numbers_list(self.train_loss, where, "train_loss")
        self.val_loss = _numbers_list(self.val_loss, where, "val_loss")
        self.lr = _numbers_list(self.lr, where, "lr")
        self.train_accuracy = _accuracy_list(self.train_accuracy, where, "train_accuracy")
        self.val_accuracy = _accuracy_list(self.val_accuracy, where, "val_accuracy")
        n = len(self.train_loss)
        for name in ("train_accuracy", "val_loss", "val_accuracy", "lr"):
            entries = getattr(self, name)
            if entries and len(entries) != n:
                value_error(where, name, f"empty or {n} entries (one per epoch of train_loss)", entries)
        if self.best_epoch is not None:
            best = integer(self.best_epoch, where, "best_epoch", low=1)
            if best > n:
                value_error(where, "best_epoch", f"None or an epoch in 1..{n}" if n else "None", best)
            self.best_epoch = best
        self.stopped_early = flag(self.stopped_early, where, "stopped_early")
        self.interrupted = flag(self.interrupted, where, "interrupted")
        self.seconds = real(self.seconds, where, "seconds", low=0.0)
        if self.diverged is not None:
            instance(self.diverged, where, "diverged", Divergence, "None or a Divergence")

    @property
    def epochs(self) -> int:
        """How many epochs ran to the end."""
        return len(self.train_loss)


def _numbers_list(xs: Any, where: str, arg: str) -> list[float]:
    """A list of numbers (nan and ±inf allowed: a diverged run records them) as floats."""
    if not is_sequence(xs):
        type_error(where, arg, "a list of numbers", xs)
    return [real(x, where, f"{arg}[{i}]", finite=False) for i, x in enumerate(xs)]


def _accuracy_list(xs: Any, where: str, arg: str) -> list[Optional[float]]:
    if not is_sequence(xs):
        type_error(where, arg, "a list of accuracies (numbers in [0, 1] or None)", xs)
    return [None if x is None else real(x, where, f"{arg}[{i}]", low=0.0, high=1.0) for i, x in enumerate(xs)]


#: What fit calls after every epoch: ``callback(epoch, history)``; True stops training.
Callback = Callable[[int, History], Optional[bool]]
