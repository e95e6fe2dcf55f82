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
for k epochs, putting back the parameters of the best epoch. Ctrl-C stops
training at the end of the current step and returns the history so far.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Protocol, Sequence, TextIO, Union

from . import losses
from .engine import Value, number
from .modes import no_grad
from .nn import Module, RandomLike, make_rng

__all__ = ["LOSSES", "Ensemble", "History", "bagging", "fit"]

LossFn = Callable[[list[Any], list[Any]], Value]


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
ACCURACY: dict[str, Callable[[Any, Any], bool]] = {
    "cross_entropy": lambda p, t: _argmax(p) == _class_of(t),
    "binary_cross_entropy": lambda p, t: (p > 0.5) == (t > 0.5),
    "bce_with_logits": lambda p, t: (p > 0.0) == (t > 0.5),
    "svm": lambda p, t: (p > 0.0) == (t > 0.0),
}


@dataclass
class History:
    """What happened, epoch by epoch (lists indexed by epoch − 1).

    ``train_loss`` is the mean data loss over the epoch's batches (each weighted
    by its size, computed with the parameters of the moment), without the
    penalty; ``val_*`` are computed after the epoch, in eval mode. Accuracies
    are None when the loss gives them no meaning (regression) and no
    ``accuracy`` function was given. ``best_epoch`` is the epoch whose
    parameters the model holds after early stopping.
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

    @property
    def epochs(self) -> int:
        """How many epochs ran to the end."""
        return len(self.train_loss)


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
    accuracy: Union[str, Callable[[Any, Any], bool], None] = "auto",
    callbacks: Sequence[Callable[[int, History], Optional[bool]]] = (),
    verbose: Optional[bool] = None,
    stream: Optional[TextIO] = None,
) -> History:
    """Train ``model`` on (X, y) and return its :class:`History`.

    - ``loss``: a name from :data:`LOSSES` (``"mse"``, ``"cross_entropy"``,
      ``"binary_cross_entropy"``, ``"bce_with_logits"``, ``"svm"``) or a function
      ``(outputs, targets) -> Value`` for a batch (a mean makes steps the
      average of per-sample steps).
    - ``optimizer``: any object with ``step()``, ``zero_grad()`` and ``lr``;
      default plain SGD with learning rate ``lr``.
    - ``batch_size``: 1 for online SGD, Q for mini-batches, None for the full batch.
    - ``seed`` / ``rng``: the generator that reshuffles every epoch and draws input noise.
    - ``validation`` and ``patience``: early stopping on the validation loss,
      restoring the best epoch's parameters.
    - ``penalty``: a function of the parameters added to every batch loss,
      e.g. ``lambda ps: 1e-4 * losses.l2(ps)``.
    - ``input_noise``: σ of Gaussian noise added to every input each time it is
      presented (note 004's noise regularisation); 0 for none.
    - ``scheduler``: stepped once per epoch (``scheduler.step()``).
    - ``clip_norm``: clip the gradients' global L2 norm to this before each step.
    - ``accuracy``: ``"auto"`` (from the loss: argmax for cross-entropy, a
      threshold for the binary losses, none for mse), None, or ``(output, target) -> bool``.
    - ``callbacks``: each called as ``callback(epoch, history)`` after every
      epoch; returning True stops training.
    - ``verbose``: a progress line (epoch, loss, rate, ETA) on ``stream``
      (stderr); by default only when the stream is a terminal.
    """
    params = model.parameters()
    n = _check_data(X, y, "fit")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError("fit: validation must be a pair (X_val, y_val)")
        _check_data(validation[0], validation[1], "fit: validation")
    _check_int(epochs, "epochs", 1)
    if batch_size is not None:
        _check_int(batch_size, "batch_size", 1)
    if patience is not None:
        _check_int(patience, "patience", 1)
        if validation is None:
            raise ValueError("fit: early stopping (patience) needs validation data")
    if not isinstance(input_noise, (int, float)) or not input_noise >= 0 or math.isinf(input_noise):
        raise ValueError(f"fit: input_noise must be a finite number ≥ 0, got {input_noise!r}")
    if optimizer is None:
        from .optim import SGD

        optimizer = SGD(params, lr=lr)
    loss_fn = _loss_function(loss)
    correct = _accuracy_function(accuracy, loss)
    gen = make_rng(seed, rng, "fit")
    out = stream if stream is not None else sys.stderr
    show = verbose if verbose is not None else out.isatty()
    size = batch_size or n

    history = History()
    best_loss, best_params = math.inf, [p.data for p in params]
    progress = _Progress(out, epochs) if show else None
    started = time.perf_counter()
    order = list(range(n))
    with _deferred_interrupt() as interrupted:
        for epoch in range(1, epochs + 1):
            model.train()
            if shuffle:
                gen.shuffle(order)
            total, right = 0.0, 0
            for start in range(0, n, size):
                idx = order[start : start + size]
                xb = [_noisy(X[i], input_noise, gen) for i in idx]
                yb = [y[i] for i in idx]
                outputs = [model(x) for x in xb]
                batch_loss = loss_fn(outputs, yb)
                total += batch_loss.data * len(idx)
                if correct is not None:
                    right += sum(correct(_numbers(o), t) for o, t in zip(outputs, yb))
                objective = batch_loss + penalty(params) if penalty is not None else batch_loss
                optimizer.zero_grad()
                objective.backward()
                if clip_norm is not None:
                    _clip_norm(params, clip_norm)
                optimizer.step()
                if interrupted():
                    break
            if interrupted():  # the epoch did not finish: record nothing for it
                history.interrupted = True
                break
            history.train_loss.append(total / n)
            history.train_accuracy.append(right / n if correct is not None else None)
            history.lr.append(optimizer.lr)
            if validation is not None:
                val_loss, val_acc = evaluate(model, validation[0], validation[1], loss_fn, correct)
                history.val_loss.append(val_loss)
                history.val_accuracy.append(val_acc)
                if val_loss < best_loss:
                    best_loss, best_params = val_loss, [p.data for p in params]
                    history.best_epoch = epoch
            if scheduler is not None:
                scheduler.step()
            history.seconds = time.perf_counter() - started
            if progress is not None:
                progress.update(epoch, history)
            if (
                patience is not None
                and history.best_epoch is not None
                and epoch - history.best_epoch >= patience
            ):
                history.stopped_early = True
                break
            if any(cb(epoch, history) for cb in callbacks) or interrupted():
                history.interrupted = interrupted()
                break
    if patience is not None and history.best_epoch is not None:
        for p, v in zip(params, best_params):  # put back the best epoch's parameters
            p.data = v
    model.train()
    history.seconds = time.perf_counter() - started
    if progress is not None:
        progress.close(history)
    return history


def evaluate(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    loss_fn: LossFn,
    correct: Optional[Callable[[Any, Any], bool]] = None,
) -> tuple[float, Optional[float]]:
    """(loss, accuracy) of ``model`` on (X, y), in eval mode and without recording a graph."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            outputs = [model(x) for x in X]
            value = loss_fn(outputs, list(y)).data
    finally:
        model.train(was_training)
    acc = None
    if correct is not None:
        acc = sum(correct(_numbers(o), t) for o, t in zip(outputs, y)) / len(y)
    return value, acc


# ------------------------------------------------------------------ bagging
class Ensemble(Module):
    """The average of several models' outputs (element by element for several outputs)."""

    def __init__(self, models: Sequence[Module]) -> None:
        if not models:
            raise ValueError("Ensemble: needs at least one model")
        self.models = list(models)

    def forward(self, x: Sequence[Any]) -> Any:
        outs = [m(x) for m in self.models]
        k = len(outs)
        if isinstance(outs[0], list):
            return [sum(o[j] for o in outs) / k for j in range(len(outs[0]))]
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
    model from the same generator).
    """
    n = _check_data(X, y, "bagging")
    _check_int(k, "k", 1)
    if "optimizer" in fit_kwargs:  # one optimizer holds one model's parameters: it cannot train k models
        raise TypeError("bagging: give make_optimizer=lambda model: ... (one per model), not optimizer=")
    gen = make_rng(seed, rng, "bagging")
    models, histories = [], []
    for i in range(k):
        idx = [int(gen.random() * n) for _ in range(n)]
        model = make_model(i)
        fit_seed = int(gen.random() * 2**31)
        opt = make_optimizer(model) if make_optimizer is not None else None
        Xb, yb = [X[j] for j in idx], [y[j] for j in idx]
        histories.append(fit(model, Xb, yb, optimizer=opt, seed=fit_seed, **fit_kwargs))
        models.append(model)
    return Ensemble(models), histories


# ------------------------------------------------------------------ helpers
def _check_data(X: Any, y: Any, where: str) -> int:
    if not isinstance(X, Sequence) or not isinstance(y, Sequence):
        raise TypeError(f"{where}: X and y must be sequences, got {type(X).__name__} and {type(y).__name__}")
    if len(X) != len(y):
        raise ValueError(f"{where}: X has {len(X)} samples but y has {len(y)}")
    if not X:
        raise ValueError(f"{where}: no samples")
    for i, row in enumerate(X):
        values = row if isinstance(row, Sequence) else [row]
        for v in values:
            if isinstance(v, (int, float)) and not math.isfinite(v):
                raise ValueError(f"{where}: X[{i}] contains {v!r}; clean the data first")
    for i, t in enumerate(y):
        for v in t if isinstance(t, Sequence) else [t]:
            if isinstance(v, float) and not math.isfinite(v):
                raise ValueError(f"{where}: y[{i}] is {v!r}; clean the data first")
    return len(X)


def _check_int(v: Any, name: str, least: int) -> None:
    if isinstance(v, bool) or not isinstance(v, int) or v < least:
        raise ValueError(f"fit: {name} must be an int ≥ {least}, got {v!r}")


def _loss_function(loss: Union[str, LossFn]) -> LossFn:
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"fit: unknown loss {loss!r}; known: {', '.join(LOSSES)}, or a function")
        return LOSSES[loss]
    if not callable(loss):
        raise TypeError(f"fit: loss must be a name or a function, got {type(loss).__name__}")
    return loss


def _accuracy_function(
    accuracy: Union[str, Callable[[Any, Any], bool], None], loss: Union[str, LossFn]
) -> Optional[Callable[[Any, Any], bool]]:
    if accuracy == "auto":
        return ACCURACY.get(loss) if isinstance(loss, str) else None
    if accuracy is None or callable(accuracy):
        return accuracy
    raise ValueError(f"fit: accuracy must be 'auto', None or a function, got {accuracy!r}")


def _noisy(x: Sequence[float], std: float, gen: RandomLike) -> Sequence[float]:
    return [v + gen.gauss(0.0, std) for v in x] if std else x


def _clip_norm(params: list[Value], max_norm: float) -> None:
    from .optim import clip_grad_norm

    clip_grad_norm(params, max_norm)


@contextmanager
def _deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """While active, Ctrl-C (SIGINT) only sets a flag that the loop checks between steps, so the
    parameters are never left half-updated. A second Ctrl-C interrupts at once."""
    pressed = [False]
    if threading.current_thread() is not threading.main_thread():
        try:  # signals only reach the main thread: fall back to catching the exception
            yield lambda: pressed[0]
        except KeyboardInterrupt:
            pressed[0] = True
        return

    def handler(signum: int, frame: Any) -> None:
        if pressed[0]:
            raise KeyboardInterrupt
        pressed[0] = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: pressed[0]
    finally:
        signal.signal(signal.SIGINT, previous)


class _Progress:
    """One self-overwriting line: epoch, losses, accuracy, rate and time left."""

    def __init__(self, stream: TextIO, epochs: int) -> None:
        self.stream, self.epochs, self.last = stream, epochs, 0.0

    def line(self, epoch: int, h: History) -> str:
        rate = epoch / h.seconds if h.seconds > 0 else math.inf
        eta = (self.epochs - epoch) / rate if rate > 0 else math.inf
        parts = [f"epoch {epoch}/{self.epochs}", f"loss {h.train_loss[-1]:.4g}"]
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
            self.stream.flush()

    def close(self, h: History) -> None:
        why = " (stopped early)" if h.stopped_early else " (interrupted)" if h.interrupted else ""
        self.stream.write(f"\n{h.epochs} epochs in {h.seconds:.1f}s{why}\n")
        self.stream.flush()
