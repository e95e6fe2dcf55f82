"""Training: ``fit`` a model by gradient descent, and ``bagging`` for ensembles.

One call trains online (``batch_size=1``), by mini-batches or on the full
batch (``batch_size=None``). A mini-batch of Q samples takes one step along the
*average* of the per-sample gradients, θ ← θ − α·(1/Q)·Σ_q ∇J(x_q, θ) (note
001), because the batch loss is the mean of the per-sample losses:

>>> from tinygrad_edu.nn import MLP
>>> from tinygrad_edu.optim import SGD
>>> X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]          # XOR
>>> model = MLP(2, [8, 1], activation="tanh", seed=3)
>>> history = fit(model, X, y, loss="bce_with_logits", optimizer=SGD(model.parameters(), lr=0.5),
...               epochs=300, seed=0, verbose=False)
>>> history.train_accuracy[-1]
1.0

The samples are reshuffled every epoch with a seedable generator. Given
``validation=(X_val, y_val)``, every epoch also records the validation loss and
accuracy, and ``patience=k`` stops once the validation loss has not improved
for k epochs, putting back the parameters of the best epoch.

Every argument is checked, and the data tried on the model (and on a loss
given by name), before the first step: a bad one is a TypeError or ValueError
naming ``fit`` and the argument, with nothing trained. Training that diverges
stops at the first step whose loss is nan or ±inf, before that step touches
the parameters, and says so (``history.diverged``); Ctrl-C, or a
KeyboardInterrupt raised inside the loop, stops at the end of the current step
and returns the history so far (``history.interrupted``).

>>> import io
>>> model, out = MLP(1, [1], seed=0), io.StringIO()
>>> history = fit(model, [[1.0]], [0.0], lr=10.0, epochs=500, stream=out)   # ×(1 − 4α) per step
>>> history.diverged
Divergence(epoch=98, step=1, loss=inf, cause='loss')
>>> history.epochs, all(math.isfinite(p.data) for p in model.parameters())
(97, True)
>>> out.getvalue().count("\\n")
1
"""

from __future__ import annotations

import inspect
import math
import numbers
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Protocol, Sequence, TextIO, Union

from . import losses
from .checks import (
    RandomLike,
    as_float,
    choice,
    flag,
    function,
    instance,
    integer,
    is_real,
    message,
    random_source,
    real,
    short,
    type_error,
    value_error,
)
from .engine import Value, number
from .modes import no_grad
from .nn import Module
from .optim import SGD, clip_grad_norm
from .optim import Optimizer as OptimizerBase

__all__ = ["LOSSES", "Divergence", "Ensemble", "History", "bagging", "evaluate", "fit"]

LossFn = Callable[[list[Any], list[Any]], Value]
Correct = Callable[[Any, Any], bool]
Callback = Callable[[int, "History"], Optional[bool]]


class Optimizer(Protocol):
    """What ``fit`` needs from an optimizer (every one in :mod:`tinygrad_edu.optim` has it)."""

    lr: float

    def step(self) -> None: ...
    def zero_grad(self) -> None: ...


def _flat(xs: Sequence[Any]) -> list[Any]:
    return [v for x in xs for v in (x if isinstance(x, (list, tuple)) else [x])]


#: Losses by name: each takes the model's outputs for a batch and the batch's targets.
LOSSES: dict[str, LossFn] = {
    "mse": lambda preds, ys: losses.mse(_flat(preds), _flat(ys)),
    "cross_entropy": losses.cross_entropy,
    "binary_cross_entropy": losses.binary_cross_entropy,
    "bce_with_logits": losses.binary_cross_entropy_with_logits,
    "svm": losses.svm_loss,
}


def _argmax(xs: Sequence[float]) -> int:
    return max(range(len(xs)), key=lambda i: xs[i])


def _numbers(output: Any) -> Any:
    """A model's output as numbers: a Value's data, or a list of them for several outputs."""
    return [number(o) for o in output] if isinstance(output, (list, tuple)) else number(output)


def _class_of(target: Any) -> int:
    return target if isinstance(target, int) else _argmax(target)


# Whether a prediction (as numbers) is right, for the losses where that has a meaning.
ACCURACY: dict[str, Correct] = {
    "cross_entropy": lambda p, t: _argmax(p) == _class_of(t),
    "binary_cross_entropy": lambda p, t: (p > 0.5) == (t > 0.5),
    "bce_with_logits": lambda p, t: (p > 0.0) == (t > 0.5),
    "svm": lambda p, t: (p > 0.0) == (t > 0.0),
}


# ------------------------------------------------------------------ what fit returns
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
    if not _is_sequence(xs):
        type_error(where, arg, "a list of numbers", xs)
    return [real(x, where, f"{arg}[{i}]", finite=False) for i, x in enumerate(xs)]


def _accuracy_list(xs: Any, where: str, arg: str) -> list[Optional[float]]:
    if not _is_sequence(xs):
        type_error(where, arg, "a list of accuracies (numbers in [0, 1] or None)", xs)
    return [None if x is None else real(x, where, f"{arg}[{i}]", low=0.0, high=1.0) for i, x in enumerate(xs)]


# ------------------------------------------------------------------ fit
def fit(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    *,
    loss: Union[str, LossFn] = "mse",
    optimizer: Optional[Optimizer] = None,
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: Optional[int] = None,
    shuffle: bool = True,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
    validation: Optional[tuple[Sequence[Sequence[float]], Sequence[Any]]] = None,
    patience: Optional[int] = None,
    penalty: Optional[Callable[[list[Value]], Value]] = None,
    input_noise: float = 0.0,
    scheduler: Any = None,
    clip_norm: Optional[float] = None,
    accuracy: Union[str, Correct, None] = "auto",
    callbacks: Sequence[Callback] = (),
    verbose: Optional[bool] = None,
    stream: Optional[TextIO] = None,
    on_divergence: str = "stop",
) -> History:
    """Train ``model`` on (X, y) and return its :class:`History`.

    - ``X``: a list of samples, each a list of numbers; ``y``: one target per
      sample, a number (a class index for cross-entropy) or a list of numbers.
    - ``loss``: a name from :data:`LOSSES` (``"mse"``, ``"cross_entropy"``,
      ``"binary_cross_entropy"``, ``"bce_with_logits"``, ``"svm"``) or a function
      ``(outputs, targets) -> Value`` for a batch (a mean makes steps the
      average of per-sample steps).
    - ``optimizer``: any object with ``step()``, ``zero_grad()`` and ``lr``;
      default plain SGD with learning rate ``lr`` (a number > 0, checked even
      when an optimizer is given).
    - ``epochs``: an integer ≥ 1. ``batch_size``: 1 for online SGD, Q for
      mini-batches, None for the full batch.
    - ``seed`` / ``rng``: the generator that reshuffles every epoch and draws input noise.
    - ``validation`` and ``patience``: early stopping on the validation loss,
      restoring the best epoch's parameters.
    - ``penalty``: a function of the parameters added to every batch loss,
      e.g. ``lambda ps: 1e-4 * losses.l2(ps)``.
    - ``input_noise``: σ ≥ 0 of Gaussian noise added to every input each time it is
      presented (note 004's noise regularisation); 0 for none.
    - ``scheduler``: anything with ``step()``, stepped once per epoch; if it has
      an ``optimizer`` attribute, that must be the optimizer fit uses.
    - ``clip_norm``: None, or a number > 0: the gradients' global L2 norm is
      clipped to it before each step.
    - ``accuracy``: ``"auto"`` (from the loss: argmax for cross-entropy, a
      threshold for the binary losses, none for mse), None, or ``(output, target) -> bool``.
    - ``callbacks``: a list of functions, each called as ``callback(epoch, history)``
      after every epoch; returning True stops training.
    - ``verbose``: a progress line (epoch, loss, rate, ETA) on ``stream``
      (stderr); by default only when the stream is a terminal.
    - ``on_divergence``: ``"stop"`` (default) or ``"continue"``, what to do at the
      first step whose loss — or, with a finite loss, some gradient, or the
      update of some parameter — is nan or ±inf. "stop" ends training there,
      without that step's update (and, for a non-finite loss, before its
      backward pass), so the parameters are those after the previous step (or
      the best epoch's, with ``patience``); the unfinished epoch is not recorded.
      Either way ``history.diverged`` records where, and one line on
      ``stream`` (printed even when not verbose) suggests a lower learning
      rate or ``clip_norm=``.

    Ctrl-C stops training at the end of the current step (a second Ctrl-C
    stops it at once, abandoning that step); so does a KeyboardInterrupt
    raised by anything fit calls (the model, the loss, a callback, …), in any
    thread. Either way fit returns the history so far with
    ``interrupted=True``, the unfinished epoch not recorded, and every
    parameter as after a complete step (an update is never left half done).
    Other exceptions from your own functions propagate.
    """
    return _Training(
        _prepare(
            "fit",
            model,
            X,
            y,
            loss=loss,
            optimizer=optimizer,
            lr=lr,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            rng=rng,
            validation=validation,
            patience=patience,
            penalty=penalty,
            input_noise=input_noise,
            scheduler=scheduler,
            clip_norm=clip_norm,
            accuracy=accuracy,
            callbacks=callbacks,
            verbose=verbose,
            stream=stream,
            on_divergence=on_divergence,
        )
    ).run()


@dataclass
class _Plan:
    """A fit call whose arguments have all been checked: everything the training loop needs."""

    where: str  # the public function, for messages ("fit" or "bagging")
    label: str  # who speaks in the divergence line ("fit", "bagging, model 2 of 3")
    model: Module
    params: list[Value]
    X: list[Any]
    y: list[Any]
    loss_fn: LossFn
    loss_name: Optional[str]
    optimizer: Optimizer
    epochs: int
    batch_size: int
    shuffle: bool
    gen: RandomLike
    validation: Optional[tuple[list[Any], list[Any]]]
    patience: Optional[int]
    penalty: Optional[Callable[[list[Value]], Any]]
    input_noise: float
    scheduler: Any
    clip_norm: Optional[float]
    correct: Optional[Correct]
    callbacks: list[Callback]
    on_divergence: str
    out: Any  # a text stream, or None when there is nowhere to write (sys.stderr is None)
    show: bool


def _prepare(
    where: str,
    model: Any,
    X: Any,
    y: Any,
    *,
    loss: Any = "mse",
    optimizer: Any = None,
    lr: Any = 0.1,
    epochs: Any = 100,
    batch_size: Any = None,
    shuffle: Any = True,
    seed: Any = None,
    rng: Any = None,
    validation: Any = None,
    patience: Any = None,
    penalty: Any = None,
    input_noise: Any = 0.0,
    scheduler: Any = None,
    clip_norm: Any = None,
    accuracy: Any = "auto",
    callbacks: Any = (),
    verbose: Any = None,
    stream: Any = None,
    on_divergence: Any = "stop",
    label: Optional[str] = None,
) -> _Plan:
    """Check every argument of a fit call, and try the data on the model, before any training."""
    instance(model, where, "model", Module, "a Module (e.g. an MLP)")
    params = model.parameters()
    if not params:
        value_error(where, "model", "a model with at least one parameter", model)
    rows, targets = _data(X, y, where, "X", "y")
    loss_fn, loss_name = _loss(loss, where, "loss")
    lr = real(lr, where, "lr", low=0.0, low_open=True)
    epochs = integer(epochs, where, "epochs", low=1)
    if batch_size is not None:
        batch_size = integer(batch_size, where, "batch_size", low=1)
    shuffle = flag(shuffle, where, "shuffle")
    gen = random_source(seed, rng, where)
    val: Optional[tuple[list[Any], list[Any]]] = None
    if validation is not None:
        if not isinstance(validation, (tuple, list)):
            type_error(where, "validation", "None or a pair (X_val, y_val)", validation)
        if len(validation) != 2:
            value_error(where, "validation", "None or a pair (X_val, y_val)", validation)
        val = _data(validation[0], validation[1], where, "validation[0]", "validation[1]")
    if patience is not None:
        patience = integer(patience, where, "patience", low=1)
        if val is None:
            value_error(
                where, "patience", "None without validation= (early stopping watches its loss)", patience
            )
    if penalty is not None:
        function(
            penalty, where, "penalty", "None or a function of the parameters (e.g. lambda ps: 1e-4 * l2(ps))"
        )
    input_noise = real(input_noise, where, "input_noise", low=0.0)
    if clip_norm is not None:
        clip_norm = real(clip_norm, where, "clip_norm", low=0.0, low_open=True)
    correct = _accuracy_function(accuracy, loss_name, where)
    callbacks = _callbacks(callbacks, where)
    if verbose is not None:
        verbose = flag(verbose, where, "verbose")
    out = _stream(stream, where)
    on_divergence = choice(on_divergence, where, "on_divergence", ("stop", "continue"))
    if optimizer is None:
        optimizer = SGD(params, lr=lr)
    _check_optimizer(optimizer, where, "optimizer", params)
    if scheduler is not None:
        if not callable(getattr(scheduler, "step", None)):
            type_error(
                where,
                "scheduler",
                "None or a schedule with step() (e.g. tinygrad_edu.optim.StepLR)",
                scheduler,
            )
        if hasattr(scheduler, "optimizer") and scheduler.optimizer is not optimizer:
            value_error(
                where, "scheduler", "a schedule of the optimizer fit uses (pass it as optimizer=)", scheduler
            )
    # The data on the model (and on a named loss), once, before the first step: a sample of the
    # wrong width or a class index out of range must fail now, not in the middle of epoch 7.
    # A loss you wrote is only ever called during training.
    named = loss_name is not None
    outputs = _outputs(model, rows, where, "X")
    if named:
        _loss_on(outputs, targets, loss_fn, loss_name, where, "y")
    if val is not None:
        outputs = _outputs(model, val[0], where, "validation[0]")
        if named:
            _loss_on(outputs, val[1], loss_fn, loss_name, where, "validation[1]")
    return _Plan(
        where=where,
        label=label or where,
        model=model,
        params=params,
        X=rows,
        y=targets,
        loss_fn=loss_fn,
        loss_name=loss_name,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=batch_size or len(rows),
        shuffle=shuffle,
        gen=gen,
        validation=val,
        patience=patience,
        penalty=penalty,
        input_noise=input_noise,
        scheduler=scheduler,
        clip_norm=clip_norm,
        correct=correct,
        callbacks=callbacks,
        on_divergence=on_divergence,
        out=out,
        show=verbose if verbose is not None else _is_terminal(out),
    )


class _Training:
    """One run of fit: the loop over epochs and batches, and the four ways it ends early
    (patience, a callback, divergence, an interrupt)."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        self.history = History()
        self.recorded = 0  # epochs written to the history (all of its lists), for a clean cut on an interrupt
        # the best validation epoch so far: (epoch, loss, parameters), replaced as one tuple
        self.best: tuple[Optional[int], float, list[float]] = (None, math.inf, [p.data for p in plan.params])
        self.progress = _Progress(plan.out, plan.epochs) if plan.show and plan.out is not None else None
        self.started = time.perf_counter()

    def run(self) -> History:
        plan, history = self.plan, self.history
        with _ctrl_c_deferred() as ctrl_c:
            try:
                self.epochs(ctrl_c)
            except KeyboardInterrupt:  # raised by code in the loop (any thread), or a second Ctrl-C
                history.interrupted = True
                self.forget_unrecorded()
            # from here on Ctrl-C only sets a flag: putting back the best epoch is never cut short
            ctrl_c.armed = False
            history.best_epoch = self.best[0]
            if plan.patience is not None and self.best[0] is not None:
                _put_back(plan.params, self.best[2])  # the best epoch's parameters
            plan.model.train()
            history.seconds = time.perf_counter() - self.started
            if self.progress is not None:
                self.progress.close(history)
        return history

    def epochs(self, ctrl_c: _CtrlC) -> None:
        """Train epoch after epoch; return when done or when something stops training."""
        plan, history = self.plan, self.history
        n = len(plan.X)
        order = list(range(n))
        for epoch in range(1, plan.epochs + 1):
            plan.model.train()
            if plan.shuffle:
                plan.gen.shuffle(order)
            total, right = 0.0, 0
            for step, start in enumerate(range(0, n, plan.batch_size), start=1):
                result = self.step(epoch, step, order[start : start + plan.batch_size])
                if result is None:  # diverged, and on_divergence="stop"
                    return
                total, right = total + result[0], right + result[1]
                if ctrl_c.pressed:
                    break
            if ctrl_c.pressed:  # the epoch did not finish: record nothing for it
                history.interrupted = True
                return
            self.record(epoch, total / n, right / n if plan.correct is not None else None)
            if plan.scheduler is not None:
                plan.scheduler.step()
            history.seconds = time.perf_counter() - self.started
            if self.progress is not None:
                self.progress.update(epoch, history)
            best_epoch = self.best[0]
            if plan.patience is not None and best_epoch is not None and epoch - best_epoch >= plan.patience:
                history.stopped_early = True
                return
            if any(cb(epoch, history) for cb in plan.callbacks) or ctrl_c.pressed:
                history.interrupted = ctrl_c.pressed
                return

    def step(self, epoch: int, step: int, batch: list[int]) -> Optional[tuple[float, int]]:
        """One step on one batch: (the batch's summed loss, how many it got right), or None to stop."""
        plan = self.plan
        xb = [_noisy(plan.X[i], plan.input_noise, plan.gen) for i in batch]
        yb = [plan.y[i] for i in batch]
        outputs = [plan.model(x) for x in xb]
        batch_loss = plan.loss_fn(outputs, yb)
        if not isinstance(batch_loss, Value):
            type_error(plan.where, "loss(outputs, targets)", "a Value", batch_loss)
        right = _count_right(plan.correct, outputs, yb, plan.where)
        objective = batch_loss
        if plan.penalty is not None:
            term = plan.penalty(plan.params)
            if not isinstance(term, Value):
                term = as_float(term, plan.where, "penalty(parameters)", "a Value or a number")
            objective = batch_loss + term
        # A nan or ±inf loss would make every gradient, then every parameter, nan: stop before backward.
        if not math.isfinite(objective.data) and self.diverged(epoch, step, objective.data, "loss"):
            return None
        plan.optimizer.zero_grad()
        objective.backward()
        # A finite loss can still have a non-finite gradient (√x at 0, an overflow in backward).
        grads_finite = all(math.isfinite(number(p.grad)) for p in plan.params)
        if not grads_finite and self.diverged(epoch, step, objective.data, "gradient"):
            return None
        if plan.clip_norm is not None:
            clip_grad_norm(plan.params, plan.clip_norm)
        before = [p.data for p in plan.params]
        try:
            plan.optimizer.step()
        except KeyboardInterrupt:  # never leave a step half done: undo it (fit then reports the interrupt)
            _put_back(plan.params, before)
            raise
        # Finite loss and gradients can still overflow a parameter, |α·g| > 1.8e308: undo that update.
        overflowed = any(math.isfinite(b) and not math.isfinite(p.data) for p, b in zip(plan.params, before))
        if overflowed and self.diverged(epoch, step, objective.data, "update"):
            _put_back(plan.params, before)
            return None
        return batch_loss.data * len(batch), right

    def diverged(self, epoch: int, step: int, loss: float, cause: str) -> bool:
        """Record (the first) divergence and say so; True when training must stop."""
        plan, history = self.plan, self.history
        if history.diverged is None:
            history.diverged = Divergence(epoch, step, loss, cause)
            stop = plan.on_divergence == "stop"
            self.say(_divergence_line(plan, history.diverged, stop))
        return plan.on_divergence == "stop"

    def record(self, epoch: int, train_loss: float, train_accuracy: Optional[float]) -> None:
        """Evaluate on the validation data (if any), then append the epoch to every list of the history."""
        plan, history = self.plan, self.history
        val = None
        if plan.validation is not None:
            val = _evaluate(
                plan.model, *plan.validation, plan.loss_fn, plan.loss_name, plan.correct, plan.where
            )
        history.train_loss.append(train_loss)
        history.train_accuracy.append(train_accuracy)
        history.lr.append(plan.optimizer.lr)
        if val is not None:
            history.val_loss.append(val[0])
            history.val_accuracy.append(val[1])
        self.recorded = epoch
        if val is not None and val[0] < self.best[1]:
            self.best = (epoch, val[0], [p.data for p in plan.params])
            history.best_epoch = epoch

    def forget_unrecorded(self) -> None:
        """After an interrupt: drop whatever part of an epoch reached the history's lists."""
        h = self.history
        for entries in (h.train_loss, h.train_accuracy, h.lr, h.val_loss, h.val_accuracy):
            del entries[self.recorded :]

    def say(self, line: str) -> None:
        out = self.plan.out
        if out is None:
            return
        if self.progress is not None:
            self.progress.clear()
        out.write(line + "\n")
        _flush(out)


def _put_back(params: list[Value], values: list[float]) -> None:
    for p, v in zip(params, values):
        p.data = v


def _divergence_line(plan: _Plan, d: Divergence, stop: bool) -> str:
    """The one line that says where training diverged and what to try."""
    what = {
        "loss": f"the loss is {d.loss!r}",
        "gradient": f"a gradient is not finite, with the loss at {d.loss:.4g}",
        "update": f"the update made a parameter overflow, with the loss at {d.loss:.4g}",
    }[d.cause]
    then = "it stopped before that step's update" if stop else "it goes on (on_divergence='continue')"
    lr = getattr(plan.optimizer, "lr", None)
    rate = f"a learning rate below {lr:g}" if isinstance(lr, float) else "a lower learning rate"
    clip = "fit's clip_norm=" if plan.clip_norm is None else f"a clip_norm= below {plan.clip_norm:g}"
    return (
        f"{plan.label}: training diverged at epoch {d.epoch}, step {d.step} ({what}); {then}. "
        f"Try {rate} or gradient clipping ({clip})."
    )


# ------------------------------------------------------------------ evaluate
def evaluate(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    loss: Union[str, LossFn] = "mse",
    correct: Optional[Correct] = None,
) -> tuple[float, Optional[float]]:
    """(loss, accuracy) of ``model`` on (X, y), in eval mode and without recording a graph.

    ``loss`` is, as for :func:`fit`, a name from :data:`LOSSES` or a function
    ``(outputs, targets) -> Value``; ``correct`` None (the accuracy is then None)
    or ``(output, target) -> bool``, e.g. ``ACCURACY["cross_entropy"]``. The
    model is put back in the mode it was in.
    """
    where = "evaluate"
    instance(model, where, "model", Module, "a Module (e.g. an MLP)")
    rows, targets = _data(X, y, where, "X", "y")
    fn, name = _loss(loss, where, "loss")
    if correct is not None:
        function(correct, where, "correct", "None or a function (output, target) -> bool")
    return _evaluate(model, rows, targets, fn, name, correct, where)


def _evaluate(
    model: Module,
    X: list[Any],
    y: list[Any],
    loss_fn: LossFn,
    loss_name: Optional[str],
    correct: Optional[Correct],
    where: str,
) -> tuple[float, Optional[float]]:
    """(loss, accuracy) on checked data, in eval mode and without a graph."""
    outputs = _outputs(model, X, where, "X")
    value = _loss_on(outputs, y, loss_fn, loss_name, where, "y")
    acc = None if correct is None else _count_right(correct, outputs, y, where) / len(y)
    return value.data, acc


# ------------------------------------------------------------------ bagging
class Ensemble(Module):
    """The average of several models' outputs (element by element for several outputs)."""

    def __init__(self, models: Sequence[Module]) -> None:
        if not _is_sequence(models):
            type_error("Ensemble", "models", "a non-empty list of Modules", models)
        if not models:
            value_error("Ensemble", "models", "a non-empty list of Modules", models)
        for i, m in enumerate(models):
            instance(m, "Ensemble", f"models[{i}]", Module, "a Module (e.g. an MLP)")
        self.models = list(models)

    def forward(self, x: Sequence[Any]) -> Any:
        """(1/k)·Σ_i model_i(x): one Value, or a list of them when each model gives several outputs."""
        outs = [m(x) for m in self.models]
        k = len(outs)
        first = outs[0]
        several = isinstance(first, (list, tuple))
        for i, o in enumerate(outs):  # outputs of different shapes cannot be averaged
            if isinstance(o, (list, tuple)) != several or (several and len(o) != len(first)):
                shape = f"a list of {len(first)} outputs" if several else "a single output"
                value_error("Ensemble", f"models[{i}](x)", f"{shape}, like models[0](x)", o)
        if several:
            return [sum(o[j] for o in outs) / k for j in range(len(first))]
        return sum(outs) / k

    def __repr__(self) -> str:
        return f"Ensemble({len(self.models)} × {self.models[0]!r})"


def bagging(
    make_model: Callable[[int], Module],
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    k: int,
    *,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
    make_optimizer: Optional[Callable[[Module], Optimizer]] = None,
    **fit_kwargs: Any,
) -> tuple[Ensemble, list[History]]:
    """Bootstrap aggregating (note 001): train k models, each on n samples drawn with
    replacement from (X, y), and average their predictions.

    ``make_model(i)`` builds the i-th model (give each its own seed), and
    ``make_optimizer(model)`` its optimizer (default: SGD with ``lr``). The
    remaining keyword arguments go to :func:`fit` (which gets its own seed per
    model from the same generator). All k models and optimizers are built, and
    every argument checked, before the first one trains.
    """
    where = "bagging"
    function(make_model, where, "make_model", "a function i -> a new model")
    rows, targets = _data(X, y, where, "X", "y")
    k = integer(k, where, "k", low=1)
    gen = random_source(seed, rng, where)
    if make_optimizer is not None:
        function(make_optimizer, where, "make_optimizer", "None or a function model -> optimizer")
    if "optimizer" in fit_kwargs:  # one optimizer holds one model's parameters: it cannot train k models
        type_error(
            where,
            "optimizer",
            "given as make_optimizer=lambda model: ... (one per model)",
            fit_kwargs["optimizer"],
        )
    for name, value in fit_kwargs.items():  # as Python would say for a misspelt keyword, a TypeError
        if name not in _FIT_OPTIONS:
            expected = "one of fit's keyword arguments (" + ", ".join(_FIT_OPTIONS) + ")"
            type_error(where, f"keyword argument {name!r}", expected, value)
    n = len(rows)
    draws = []
    for _ in range(k):  # the same draws, in the same order, as training model by model
        idx = [int(gen.random() * n) for _ in range(n)]
        draws.append((idx, int(gen.random() * 2**31)))
    plans = []
    models: list[Module] = []
    for i, (idx, fit_seed) in enumerate(draws):
        model = make_model(i)
        instance(model, where, f"make_model({i})", Module, "a Module (e.g. an MLP)")
        if any(model is m for m in models):
            value_error(where, f"make_model({i})", "a new model (each is trained on its own)", model)
        opt = make_optimizer(model) if make_optimizer is not None else None
        if opt is not None:
            _check_optimizer(opt, where, "make_optimizer(model)", model.parameters())
        models.append(model)
        # checked on all the data (a bad sample must be refused even if no resample draws it) ...
        plan = _prepare(
            where,
            model,
            rows,
            targets,
            optimizer=opt,
            seed=fit_seed,
            label=f"bagging, model {i + 1} of {k}",
            **fit_kwargs,
        )
        plan.X, plan.y = [rows[j] for j in idx], [targets[j] for j in idx]  # ... trained on its resample
        plans.append(plan)
    histories = [_Training(plan).run() for plan in plans]
    return Ensemble(models), histories


# fit's keyword options that bagging passes on (it sets optimizer and seed itself; rng is bagging's own)
_FIT_OPTIONS = [
    name
    for name, p in inspect.signature(fit).parameters.items()
    if p.kind is p.KEYWORD_ONLY and name not in ("optimizer", "seed", "rng")
]


# ------------------------------------------------------------------ checks
def _is_sequence(x: Any) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes, bytearray))


def _data(X: Any, y: Any, where: str, xname: str, yname: str) -> tuple[list[Any], list[Any]]:
    """X as a list of rows of floats and y as a list of targets, both checked; as many of each."""
    if not _is_sequence(X):
        type_error(where, xname, "a list of samples, each a list of numbers", X)
    if not _is_sequence(y):
        type_error(where, yname, "a list of targets, one per sample", y)
    if not X:
        value_error(where, xname, "a non-empty list of samples", X)
    if len(y) != len(X):
        value_error(where, yname, f"a list of {len(X)} targets, one per sample of {xname}", y)
    rows = [_row(row, where, f"{xname}[{i}]") for i, row in enumerate(X)]
    targets = [_target(t, where, f"{yname}[{i}]") for i, t in enumerate(y)]
    return rows, targets


def _row(row: Any, where: str, arg: str) -> Any:
    """One sample: a list of finite floats (a lone number stays a number)."""
    if is_real(row):
        return real(row, where, arg)
    if not _is_sequence(row):
        type_error(where, arg, "a list of numbers", row)
    return [real(v, where, f"{arg}[{j}]") for j, v in enumerate(row)]


def _target(t: Any, where: str, arg: str, nested: bool = True) -> Any:
    """One target: a finite number — an int stays an int (a class index) — or a list of them."""
    if is_real(t):
        v = real(t, where, arg)
        integral = isinstance(t, numbers.Integral) or type(t).__name__ in ("bool", "bool_")
        return int(t) if integral else v
    if not nested or not _is_sequence(t):
        type_error(where, arg, "a number" if not nested else "a number or a list of numbers", t)
    return [_target(v, where, f"{arg}[{j}]", nested=False) for j, v in enumerate(t)]


def _loss(loss: Any, where: str, arg: str) -> tuple[LossFn, Optional[str]]:
    """The loss function, and its name when it is one of LOSSES."""
    expected = (
        "one of " + ", ".join(repr(name) for name in LOSSES) + ", or a function (outputs, targets) -> Value"
    )
    if isinstance(loss, str):
        if loss not in LOSSES:
            value_error(where, arg, expected, loss)
        return LOSSES[loss], loss
    return function(loss, where, arg, expected), None


def _accuracy_function(accuracy: Any, loss_name: Optional[str], where: str) -> Optional[Correct]:
    expected = "'auto', None or a function (output, target) -> bool"
    if isinstance(accuracy, str):
        if accuracy != "auto":
            value_error(where, "accuracy", expected, accuracy)
        return ACCURACY.get(loss_name) if loss_name is not None else None
    if accuracy is None:
        return None
    return function(accuracy, where, "accuracy", expected)


def _callbacks(callbacks: Any, where: str) -> list[Callback]:
    expected = "a list of functions (epoch, history) -> bool"
    if not isinstance(callbacks, (list, tuple)):  # a generator would be used up after one epoch
        type_error(where, "callbacks", expected, callbacks)
    return [
        function(cb, where, f"callbacks[{i}]", "a function (epoch, history) -> bool")
        for i, cb in enumerate(callbacks)
    ]


def _check_optimizer(opt: Any, where: str, arg: str, params: list[Value]) -> None:
    """An optimizer is anything with step(), zero_grad() and lr (what fit uses). One of the library's
    must hold some of the model's parameters, or training would move nothing."""
    has = callable(getattr(opt, "step", None)) and callable(getattr(opt, "zero_grad", None))
    if not has or not hasattr(opt, "lr"):
        type_error(
            where, arg, "an optimizer: an object with step(), zero_grad() and lr (e.g. optim.SGD)", opt
        )
    if isinstance(opt, OptimizerBase):
        ours = {id(p) for p in params}
        if not any(id(p) in ours for p in opt.params):
            value_error(
                where, arg, "an optimizer of this model's parameters (e.g. SGD(model.parameters()))", opt
            )


def _stream(stream: Any, where: str) -> Any:
    """Where fit writes: ``stream``, or sys.stderr (None when Python has none, e.g. pythonw)."""
    if stream is None:
        return sys.stderr
    expected = "None or an open text stream (e.g. sys.stdout, io.StringIO())"
    if not callable(getattr(stream, "write", None)):
        type_error(where, "stream", expected, stream)
    if getattr(stream, "closed", False) is True:
        value_error(where, "stream", expected, stream)
    try:
        stream.write("")  # a binary stream refuses str: find out now, not at the first line
    except TypeError:
        type_error(where, "stream", expected, stream)
    return stream


def _is_terminal(out: Any) -> bool:
    try:
        return out is not None and bool(out.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _outputs(model: Module, X: list[Any], where: str, xname: str) -> list[Any]:
    """The model's outputs for every sample, in eval mode and without a graph; a sample the model
    refuses is an error naming ``where`` and the sample."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            outputs = []
            for i, x in enumerate(X):
                try:
                    outputs.append(model(x))
                except (TypeError, ValueError) as e:
                    kind = TypeError if isinstance(e, TypeError) else ValueError
                    raise kind(
                        f"{message(where, f'{xname}[{i}]', 'an input the model accepts', x)} ({e})"
                    ) from e
            return outputs
    finally:
        model.train(was_training)


def _loss_on(
    outputs: list[Any], y: list[Any], loss_fn: LossFn, loss_name: Optional[str], where: str, yname: str
) -> Value:
    """The loss of checked outputs and targets, without a graph. A loss given by name refuses here
    whatever it would refuse during training (a class index out of range, a target of the wrong
    length), in an error naming ``where``; your own loss function's errors are its own."""
    if loss_name == "cross_entropy" and not all(isinstance(o, (list, tuple)) for o in outputs):
        value_error(
            where, "loss", "a loss for one output ('cross_entropy' needs a score per class)", loss_name
        )
    if loss_name == "mse":  # mse flattens the batch: each sample's sizes must agree, not just the totals
        for i, (o, t) in enumerate(zip(outputs, y)):
            size = len(o) if isinstance(o, (list, tuple)) else 1
            if (len(t) if isinstance(t, list) else 1) != size:
                value_error(where, f"{yname}[{i}]", f"{size} number(s), as many as the model's outputs", t)
    try:
        with no_grad():
            value = loss_fn(outputs, y)
    except (TypeError, ValueError) as e:
        if loss_name is None:
            raise
        kind = TypeError if isinstance(e, TypeError) else ValueError
        raise kind(f"{where}: loss {loss_name!r} must accept the model's outputs and {yname}, but {e}") from e
    if not isinstance(value, Value):
        type_error(where, "loss(outputs, targets)", "a Value", value)
    return value


def _count_right(correct: Optional[Correct], outputs: list[Any], targets: list[Any], where: str) -> int:
    """How many outputs the accuracy function calls right (each answer must be True or False)."""
    if correct is None:
        return 0
    right = 0
    for o, t in zip(outputs, targets):
        right += flag(correct(_numbers(o), t), where, "accuracy(output, target)")
    return right


def _noisy(x: Any, std: float, gen: RandomLike) -> Any:
    if not std:
        return x
    if isinstance(x, list):
        return [v + gen.gauss(0.0, std) for v in x]
    return x + gen.gauss(0.0, std)


def _flush(out: Any) -> None:
    flush = getattr(out, "flush", None)
    if callable(flush):
        flush()


# ------------------------------------------------------------------ Ctrl-C
class _CtrlC:
    """Ctrl-C during training. The first press only sets ``pressed``, which the loop reads after each
    step, so the parameters are never left half-updated; a second press raises KeyboardInterrupt at
    once (once: ``armed`` then goes False), which fit catches like any other KeyboardInterrupt."""

    def __init__(self) -> None:
        self.pressed = False
        self.armed = True

    def handler(self, signum: int, frame: Any) -> None:
        if self.pressed and self.armed:
            self.armed = False
            raise KeyboardInterrupt
        self.pressed = True


@contextmanager
def _ctrl_c_deferred() -> Iterator[_CtrlC]:
    """Catch SIGINT in a :class:`_CtrlC` while active. Signals only reach the main thread: elsewhere
    nothing is installed (a KeyboardInterrupt raised by code is caught by fit itself)."""
    state = _CtrlC()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = signal.signal(signal.SIGINT, state.handler)
    try:
        yield state
    finally:
        # None: the previous handler was not installed from Python; Python's own is the best guess
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)


class _Progress:
    """One self-overwriting line: epoch, losses, accuracy, rate and time left."""

    def __init__(self, stream: Any, epochs: int) -> None:
        self.stream, self.epochs, self.last, self.open = stream, epochs, 0.0, False
        self.total = str(epochs) if epochs.bit_length() <= 64 else short(epochs)
        self.remaining = (
            float(epochs) if epochs.bit_length() <= 1000 else math.inf
        )  # 10**400 epochs: no float

    def line(self, epoch: int, h: History) -> str:
        rate = epoch / h.seconds if h.seconds > 0 else math.inf
        eta = (self.remaining - epoch) / rate if rate > 0 else math.inf
        parts = [f"epoch {epoch}/{self.total}", f"loss {h.train_loss[-1]:.4g}"]
        if h.train_accuracy and h.train_accuracy[-1] is not None:
            parts.append(f"acc {100 * h.train_accuracy[-1]:.1f}%")
        if h.val_loss:
            parts.append(f"val {h.val_loss[-1]:.4g}")
        parts += [f"{rate:.3g} epochs/s", f"ETA {eta:.0f}s" if math.isfinite(eta) else "ETA ?"]
        return "  ".join(parts)

    def update(self, epoch: int, h: History) -> None:
        now = time.perf_counter()
        if now - self.last >= 0.1 or epoch == self.epochs:  # at most 10 redraws a second
            self.last = now
            self.stream.write("\r\033[K" + self.line(epoch, h))
            self.open = True
            _flush(self.stream)

    def clear(self) -> None:
        """Rub out the progress line, so that a message gets a line of its own."""
        if self.open:
            self.stream.write("\r\033[K")
            self.open = False

    def close(self, h: History) -> None:
        why = " (stopped early)" if h.stopped_early else " (interrupted)" if h.interrupted else ""
        why += " (diverged)" if h.diverged is not None else ""
        self.stream.write(f"{chr(10) if self.open else ''}{h.epochs} epochs in {h.seconds:.1f}s{why}\n")
        self.open = False
        _flush(self.stream)
