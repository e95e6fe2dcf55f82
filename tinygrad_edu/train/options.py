"""Every argument of a fit call checked, and the data tried on the model, before any training:
the result is a :class:`Plan`, everything the training loop needs."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional

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


def prepare(
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
) -> Plan:
    """Check every argument of a fit call, and try the data on the model, before any training."""
    instance(model, where, "model", Module, "a Module (e.g. an MLP)")
    params = model.parameters()
    if not params:
        value_error(where, "model", "a model with at least one parameter", model)
    rows, targets = checked_samples(X, y, where, "X", "y")
    loss_fn, loss_name = checked_loss(loss, where, "loss")
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
        val = checked_samples(validation[0], validation[1], where, "validation[0]", "validation[1]")
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
    correct = accuracy_function(accuracy, loss_name, where)
    callbacks = checked_callbacks(callbacks, where)
    if verbose is not None:
        verbose = flag(verbose, where, "verbose")
    out = output_stream(stream, where)
    on_divergence = choice(on_divergence, where, "on_divergence", ("stop", "continue"))
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
    # The data on the model (and on a named loss), once, before the first step: a sample of the
    # wrong width or a class index out of range must fail now, not in the middle of epoch 7.
    # A loss you wrote is only ever called during training.
    named = loss_name is not None
    outputs = model_outputs(model, rows, where, "X")
    if named:
        loss_on(outputs, targets, loss_fn, loss_name, where, "y")
    if val is not None:
        outputs = model_outputs(model, val[0], where, "validation[0]")
        if named:
            loss_on(outputs, val[1], loss_fn, loss_name, where, "validation[1]")
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
        scheduler=scheduler,
        clip_norm=clip_norm,
        correct=correct,
        callbacks=callbacks,
        on_divergence=on_divergence,
        out=out,
        show=verbose if verbose is not None else is_terminal(out),
    )


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
