"""fit's options, and every argument of a fit call checked before any training.

:class:`FitOptions` groups what most calls leave at its default. :func:`prepare` checks a
call's arguments and options, builds the default optimizer and tries the data on the model:
the result is a :class:`Plan`, everything the training loop needs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional, TextIO, Union

from ..checks import (
    RandomLike,
    choice,
    flag,
    function,
    instance,
    integer,
    random_source,
    real,
    type_error,
    value_error,
)
from ..engine import Value
from ..nn import Module
from ..optim import SGD
from .arguments import OptimizerLike, check_optimizer, checked_samples
from .evaluation import loss_on, model_outputs
from .history import Callback
from .scoring import Correct, LossFn, accuracy_function, checked_loss


@dataclass(frozen=True, kw_only=True)
class FitOptions:
    """The rest of :func:`fit`'s settings, grouped by concern (None for fit's ``options`` is FitOptions()).

    >>> options = FitOptions(patience=10, verbose=False)  # the others keep their defaults
    >>> options.patience, options.lr, options.shuffle
    (10, 0.1, True)

    Nothing is checked here: fit (or :func:`bagging`, which passes them on) checks every
    field before the first step, and an error names that function and the field as if it
    were an argument of its own, e.g. ``fit: patience must be an integer >= 1, got int 0``.

    Sampling

    - ``shuffle``: reshuffle the samples every epoch (True or False).
    - ``rng``: None, or a random source such as ``random.Random(0)`` instead of fit's
      ``seed`` (not both): the generator that reshuffles and draws input noise.

    Regularisation

    - ``penalty``: None, or a function of the parameters added to every batch loss,
      e.g. ``lambda ps: 1e-4 * losses.l2(ps)``.
    - ``input_noise``: σ ≥ 0 of Gaussian noise added to every input each time it is
      presented (note 004's noise regularisation); 0 for none.
    - ``clip_norm``: None, or a number > 0: the gradients' global L2 norm is clipped
      to it before each step.

    Schedule and stopping

    - ``lr``: the learning rate of the default plain SGD, when fit gets no
      ``optimizer`` (a number > 0, checked even when an optimizer is given).
    - ``scheduler``: None, or anything with ``step()``, stepped once per epoch; if it
      has an ``optimizer`` attribute, that must be the optimizer fit uses.
    - ``patience``: None, or k ≥ 1: early stopping on fit's ``validation`` data — stop
      once the validation loss has not improved for k epochs, and put back the
      parameters of the best epoch.

    Reporting

    - ``accuracy``: ``"auto"`` (from the loss: argmax for cross-entropy, a threshold
      for the binary losses, none for mse), None, or ``(output, target) -> bool``.
    - ``verbose``: a progress line (epoch, loss, rate, ETA) on ``stream``; None
      (default) shows it only when the stream is a terminal.
    - ``stream``: where fit writes, an open text stream; None for sys.stderr.
    - ``on_divergence``: ``"stop"`` (default) or ``"continue"``, what to do at the
      first step whose loss — or, with a finite loss, some gradient, or the update
      of some parameter — is nan or ±inf. "stop" ends training there, without that
      step's update (and, for a non-finite loss, before its backward pass), so the
      parameters are those after the previous step (or the best epoch's, with
      ``patience``); the unfinished epoch is not recorded. Either way
      ``history.diverged`` records where, and one line on ``stream`` (printed even
      when not verbose) suggests a lower learning rate or ``clip_norm=``.
    """

    # sampling
    shuffle: bool = True
    rng: Optional[RandomLike] = None
    # regularisation
    penalty: Optional[Callable[[list[Value]], Value]] = None
    input_noise: float = 0.0
    clip_norm: Optional[float] = None
    # schedule and stopping
    lr: float = 0.1
    scheduler: Any = None
    patience: Optional[int] = None
    # reporting
    accuracy: Union[str, Correct, None] = "auto"
    verbose: Optional[bool] = None
    stream: Optional[TextIO] = None
    on_divergence: str = "stop"


@dataclass
class Plan:
    """A fit call whose arguments have all been checked: everything the training loop needs."""

    where: str  # the public function, for messages ("fit" or "bagging")
    label: str  # who speaks in the divergence line ("fit", "bagging, model 2 of 3")
    model: Module
    params: list[Value]
    X: list[Any]
    y: list[Any]
    loss_fn: LossFn
    loss_name: Optional[str]
    optimizer: OptimizerLike
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
    batched: bool = False  # the model takes a whole batch at once (it holds a BatchNorm)


def prepare(
    where: str,
    model: Any,
    X: Any,
    y: Any,
    loss: Any = "mse",
    optimizer: Any = None,
    epochs: Any = 100,
    batch_size: Any = None,
    seed: Any = None,
    validation: Any = None,
    callbacks: Any = (),
    options: Any = None,
    label: Optional[str] = None,
) -> Plan:
    """Check every argument of a fit call (fit's own, in fit's order, then its options), and try the
    data on the model, before any training. ``where`` is the public function ("fit" or "bagging")."""
    opts = checked_options(options, where)
    params = _parameters(model, where)
    rows, targets = checked_samples(X, y, where, "X", "y")
    loss_fn, loss_name = checked_loss(loss, where, "loss")
    lr = real(opts.lr, where, "lr", low=0.0, low_open=True)
    epochs = integer(epochs, where, "epochs", low=1)
    if batch_size is not None:
        batch_size = integer(batch_size, where, "batch_size", low=1)
    shuffle = flag(opts.shuffle, where, "shuffle")
    gen = random_source(seed, opts.rng, where)
    val, patience = _validation(validation, opts.patience, where)
    penalty, input_noise, clip_norm = _regularisation(opts, where)
    correct = accuracy_function(opts.accuracy, loss_name, where)
    callbacks = checked_callbacks(callbacks, where)
    show, out, on_divergence = _reporting(opts, where)
    optimizer = _optimizer(optimizer, opts.scheduler, params, lr, where)
    _try_on_model(model, rows, targets, val, loss_fn, loss_name, where)
    # every checked value into its field, one per line (the `name=name` lines are not a repeated block)
    return Plan(
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
        scheduler=opts.scheduler,
        clip_norm=clip_norm,
        correct=correct,
        callbacks=callbacks,
        on_divergence=on_divergence,
        out=out,
        show=show,
        batched=_takes_batches(model, len(rows), batch_size, where),
    )


def _takes_batches(model: Module, n: int, batch_size: Optional[int], where: str) -> bool:
    """Whether the model takes whole batches (it holds a BatchNorm). Such a model trains on batch
    statistics, so no batch of the n samples may hold a single sample."""
    if not model.takes_batches():
        return False
    size = batch_size or n
    if size == 1 or n % size == 1:
        last = "batch_size 1" if size == 1 else f"a last batch of 1 ({n} samples = {n // size}×{size} + 1)"
        value_error(
            where,
            "batch_size",
            f"a size that leaves no batch of one sample for a model with BatchNorm (a batch's variance "
            f"needs two samples; this gives {last})",
            batch_size,
        )
    return True


def checked_options(options: Any, where: str) -> FitOptions:
    """fit's ``options``: a FitOptions, or None for the defaults (its fields are checked by prepare)."""
    if options is None:
        return FitOptions()
    return instance(options, where, "options", FitOptions, "None or a FitOptions(...)")


def _parameters(model: Any, where: str) -> list[Value]:
    """The model's parameters: it must be a Module that has some."""
    params = instance(model, where, "model", Module, "a Module (e.g. an MLP)").parameters()
    if not params:
        value_error(where, "model", "a model with at least one parameter", model)
    return params


def _validation(
    validation: Any, patience: Any, where: str
) -> tuple[Optional[tuple[list[Any], list[Any]]], Optional[int]]:
    """The validation data, checked like (X, y), and the patience of early stopping, which watches it."""
    val: Optional[tuple[list[Any], list[Any]]] = None
    if validation is not None:
        if not isinstance(validation, (tuple, list)):
            type_error(where, "validation", "None or a pair (X_val, y_val)", validation)
        if len(validation) != 2:
            value_error(where, "validation", "None or a pair (X_val, y_val)", validation)
        val = checked_samples(validation[0], validation[1], where, "validation[0]", "validation[1]")
    if patience is not None:
        patience = integer(patience, where, "patience", low=1)
        if val is None:
            value_error(
                where, "patience", "None without validation= (early stopping watches its loss)", patience
            )
    return val, patience


def _regularisation(opts: FitOptions, where: str) -> tuple[Any, float, Optional[float]]:
    """The options that regularise: (penalty, input_noise, clip_norm), checked."""
    penalty, clip_norm = opts.penalty, opts.clip_norm
    if penalty is not None:
        function(
            penalty, where, "penalty", "None or a function of the parameters (e.g. lambda ps: 1e-4 * l2(ps))"
        )
    input_noise = real(opts.input_noise, where, "input_noise", low=0.0)
    if clip_norm is not None:
        clip_norm = real(clip_norm, where, "clip_norm", low=0.0, low_open=True)
    return penalty, input_noise, clip_norm


def _reporting(opts: FitOptions, where: str) -> tuple[bool, Any, str]:
    """The options that report: (show the progress line?, the stream or None, on_divergence), checked."""
    verbose = opts.verbose
    if verbose is not None:
        verbose = flag(verbose, where, "verbose")
    out = output_stream(opts.stream, where)
    on_divergence = choice(opts.on_divergence, where, "on_divergence", ("stop", "continue"))
    return (verbose if verbose is not None else is_terminal(out)), out, on_divergence


def _optimizer(optimizer: Any, scheduler: Any, params: list[Value], lr: float, where: str) -> OptimizerLike:
    """The optimizer fit uses (default: plain SGD with ``lr``), and the scheduler checked against it."""
    if optimizer is None:
        optimizer = SGD(params, lr=lr)
    check_optimizer(optimizer, where, "optimizer", params)
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
    return optimizer  # type: ignore[no-any-return]


def _try_on_model(
    model: Module,
    rows: list[Any],
    targets: list[Any],
    val: Optional[tuple[list[Any], list[Any]]],
    loss_fn: LossFn,
    loss_name: Optional[str],
    where: str,
) -> None:
    """The data on the model (and on a named loss), once, before the first step: a sample of the
    wrong width or a class index out of range must fail now, not in the middle of epoch 7.
    A loss you wrote is only ever called during training."""
    named = loss_name is not None
    outputs = model_outputs(model, rows, where, "X")
    if named:
        loss_on(outputs, targets, loss_fn, loss_name, where, "y")
    if val is not None:
        outputs = model_outputs(model, val[0], where, "validation[0]")
        if named:
            loss_on(outputs, val[1], loss_fn, loss_name, where, "validation[1]")


def checked_callbacks(callbacks: Any, where: str) -> list[Callback]:
    expected = "a list of functions (epoch, history) -> bool"
    if not isinstance(callbacks, (list, tuple)):  # a generator would be used up after one epoch
        type_error(where, "callbacks", expected, callbacks)
    return [
        function(cb, where, f"callbacks[{i}]", "a function (epoch, history) -> bool")
        for i, cb in enumerate(callbacks)
    ]


def output_stream(stream: Any, where: str) -> Any:
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


def is_terminal(out: Any) -> bool:
    try:
        return out is not None and bool(out.isatty())
    except (AttributeError, ValueError, OSError):
        return False
