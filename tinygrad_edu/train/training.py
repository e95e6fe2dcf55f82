"""``fit`` and its training loop: epochs, batches, steps, and the four ways a run ends early
(patience, a callback, divergence, an interrupt)."""

from __future__ import annotations

import math
import time
from typing import Any, Optional, Sequence

from ..checks import RandomLike, as_float, type_error
from ..engine import Value, number
from ..nn import Module
from ..optim import clip_grad_norm
from .arguments import OptimizerLike, Rows, Targets
from .evaluation import evaluate_checked
from .history import Callback, Divergence, History
from .options import FitOptions, Plan, prepare
from .progress import CtrlC, Progress, ctrl_c_deferred, flush
from .scoring import Loss, count_right


def fit(
    model: Module,
    X: Rows,
    y: Targets,
    *,
    loss: Loss = "mse",
    optimizer: Optional[OptimizerLike] = None,
    epochs: int = 100,
    batch_size: Optional[int] = None,
    seed: Optional[int] = None,
    validation: Optional[tuple[Rows, Targets]] = None,
    callbacks: Sequence[Callback] = (),
    options: Optional[FitOptions] = None,
) -> History:
    """Train ``model`` on (X, y) and return its :class:`History`.

    - ``X``: a list of samples, each a list of numbers; ``y``: one target per
      sample, a number (a class index for cross-entropy) or a list of numbers.
    - ``loss``: a name from :data:`LOSSES` (``"mse"``, ``"cross_entropy"``,
      ``"binary_cross_entropy"``, ``"bce_with_logits"``, ``"svm"``) or a function
      ``(outputs, targets) -> Value`` for a batch (a mean makes steps the
      average of per-sample steps).
    - ``optimizer``: any object with ``step()``, ``zero_grad()`` and ``lr``;
      default plain SGD with learning rate ``options.lr``.
    - ``epochs``: an integer ≥ 1. ``batch_size``: 1 for online SGD, Q for
      mini-batches, None for the full batch.
    - ``seed``: the seed of the generator that reshuffles every epoch and draws
      input noise (or give a generator as ``options.rng``).
    - ``validation``: None, or ``(X_val, y_val)``: every epoch also records the
      validation loss and accuracy; ``options.patience`` stops early on it.
    - ``callbacks``: a list of functions, each called as ``callback(epoch, history)``
      after every epoch; returning True stops training.
    - ``options``: a :class:`FitOptions` for everything else — sampling
      (``shuffle``, ``rng``), regularisation (``penalty``, ``input_noise``,
      ``clip_norm``), schedule and stopping (``lr``, ``scheduler``, ``patience``)
      and reporting (``accuracy``, ``verbose``, ``stream``, ``on_divergence``);
      None for the defaults.

    Every argument and option is checked before the first step. A bad one is a
    TypeError or ValueError naming fit and the argument — an option by its
    field's name, as if fit took it directly: ``fit: patience must be …``. An
    ``options`` that is not a FitOptions is a TypeError naming fit and ``options``.

    Ctrl-C stops training at the end of the current step (a second Ctrl-C
    stops it at once, abandoning that step); so does a KeyboardInterrupt
    raised by anything fit calls (the model, the loss, a callback, …), in any
    thread. Either way fit returns the history so far with
    ``interrupted=True``, the unfinished epoch not recorded, and every
    parameter as after a complete step (an update is never left half done).
    Other exceptions from your own functions propagate.
    """
    plan = prepare(
        "fit", model, X, y, loss, optimizer, epochs, batch_size, seed, validation, callbacks, options
    )
    return Training(plan).run()


class Training:
    """One run of fit: the loop over epochs and batches, and the four ways it ends early
    (patience, a callback, divergence, an interrupt)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.history = History()
        self.recorded = 0  # epochs written to the history (all of its lists), for a clean cut on an interrupt
        # the best validation epoch so far: (epoch, loss, parameters), replaced as one tuple
        self.best: tuple[Optional[int], float, list[float]] = (None, math.inf, [p.data for p in plan.params])
        self.best_buffers: dict[str, float] = {}  # and its BatchNorm running statistics, if any
        self.progress = Progress(plan.out, plan.epochs) if plan.show and plan.out is not None else None
        self.started = time.perf_counter()

    def run(self) -> History:
        plan, history = self.plan, self.history
        with ctrl_c_deferred() as ctrl_c:
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
                if self.best_buffers:
                    plan.model.load_buffers(self.best_buffers)  # with the statistics they were used with
            plan.model.train()
            history.seconds = time.perf_counter() - self.started
            if self.progress is not None:
                self.progress.close(history)
        return history

    def epochs(self, ctrl_c: CtrlC) -> None:
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
        # a model with BatchNorm takes the whole batch (its statistics are the batch's); others a sample
        outputs = plan.model(xb) if plan.batched else [plan.model(x) for x in xb]
        batch_loss = plan.loss_fn(outputs, yb)
        if not isinstance(batch_loss, Value):
            type_error(plan.where, "loss(outputs, targets)", "a Value", batch_loss)
        right = count_right(plan.correct, outputs, yb, plan.where)
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
            val = evaluate_checked(
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
            if plan.batched:
                self.best_buffers = dict(plan.model.named_buffers())
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
        flush(out)


def _put_back(params: list[Value], values: list[float]) -> None:
    for p, v in zip(params, values):
        p.data = v


def _divergence_line(plan: Plan, d: Divergence, stop: bool) -> str:
    """The one line that says where training diverged and what to try."""
    what = {
        "loss": f"the loss is {d.loss!r}",
        "gradient": f"a gradient is not finite, with the loss at {d.loss:.4g}",
        "update": f"the update made a parameter overflow, with the loss at {d.loss:.4g}",
    }[d.cause]
    then = "it stopped before that step's update" if stop else "it goes on (on_divergence='continue')"
    lr = getattr(plan.optimizer, "lr", None)
    rate = f"a learning rate below {lr:g}" if isinstance(lr, float) else "a lower learning rate"
    clip = "" if plan.clip_norm is None else f", below the {plan.clip_norm:g} used now"
    return (
        f"{plan.label}: training diverged at epoch {d.epoch}, step {d.step} ({what}); {then}. "
        f"Try {rate} or gradient clipping (options=FitOptions(clip_norm=...){clip})."
    )


def _noisy(x: Any, std: float, gen: RandomLike) -> Any:
    if not std:
        return x
    if isinstance(x, list):
        return [v + gen.gauss(0.0, std) for v in x]
    return x + gen.gauss(0.0, std)
