"""Scoring a model on data without training it: ``evaluate``, and the checks that try the data
on the model (and on a loss given by name) before fit's first step."""

from __future__ import annotations

from typing import Any, Optional

from ..checks import function, instance, message, type_error, value_error
from ..engine import Value
from ..modes import no_grad
from ..nn import Module
from .arguments import Rows, Targets, checked_samples
from .scoring import Correct, Loss, LossFn, checked_loss, count_right


def evaluate(
    model: Module, X: Rows, y: Targets, loss: Loss = "mse", correct: Optional[Correct] = None
) -> tuple[float, Optional[float]]:
    """(loss, accuracy) of ``model`` on (X, y), in eval mode and without recording a graph.

    ``loss`` is, as for :func:`fit`, a name from :data:`LOSSES` or a function
    ``(outputs, targets) -> Value``; ``correct`` None (the accuracy is then None)
    or ``(output, target) -> bool``, e.g. ``ACCURACY["cross_entropy"]``. The
    model is put back in the mode it was in.
    """
    where = "evaluate"
    instance(model, where, "model", Module, "a Module (e.g. an MLP)")
    rows, targets = checked_samples(X, y, where, "X", "y")
    fn, name = checked_loss(loss, where, "loss")
    if correct is not None:
        function(correct, where, "correct", "None or a function (output, target) -> bool")
    return evaluate_checked(model, rows, targets, fn, name, correct, where)


def evaluate_checked(
    model: Module,
    X: list[Any],
    y: list[Any],
    loss_fn: LossFn,
    loss_name: Optional[str],
    correct: Optional[Correct],
    where: str,
) -> tuple[float, Optional[float]]:
    """(loss, accuracy) on checked data, in eval mode and without a graph."""
    outputs = model_outputs(model, X, where, "X")
    value = loss_on(outputs, y, loss_fn, loss_name, where, "y")
    acc = None if correct is None else count_right(correct, outputs, y, where) / len(y)
    return value.data, acc


def model_outputs(model: Module, X: list[Any], where: str, xname: str) -> list[Any]:
    """The model's outputs for every sample, in eval mode and without a graph; a sample the model
    refuses is an error naming ``where`` and the sample."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            if model.takes_batches():  # a model with BatchNorm: all the samples as one batch
                return _batch_outputs(model, X, where, xname)
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


def _batch_outputs(model: Module, X: list[Any], where: str, xname: str) -> list[Any]:
    """The outputs of a model that takes batches, for all of X at once (one per sample)."""
    try:
        outputs = model(list(X))
    except (TypeError, ValueError) as e:
        kind = TypeError if isinstance(e, TypeError) else ValueError
        raise kind(f"{where}: {xname} must be samples the model accepts ({e})") from e
    if not isinstance(outputs, list) or len(outputs) != len(X):
        type_error(where, f"model({xname})", f"a list of {len(X)} outputs, one per sample", outputs)
    return outputs


def loss_on(
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
