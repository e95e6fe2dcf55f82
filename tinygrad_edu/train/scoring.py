"""Losses and accuracies by name: what ``fit`` and ``evaluate`` score a model's outputs with."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Union

from .. import losses
from ..checks import flag, function, value_error
from ..engine import Value, number

LossFn = Callable[[list[Any], list[Any]], Value]
Loss = Union[str, LossFn]  # a name from LOSSES, or a loss function
Correct = Callable[[Any, Any], bool]


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


def output_numbers(output: Any) -> Any:
    """A model's output as numbers: a Value's data, or a list of them for several outputs."""
    return [number(o) for o in output] if isinstance(output, (list, tuple)) else number(output)


def _class_of(target: Any) -> int:
    return target if isinstance(target, int) else losses.argmax(target)


# Whether a prediction (as numbers) is right, for the losses where that has a meaning.
ACCURACY: dict[str, Correct] = {
    "cross_entropy": lambda p, t: losses.argmax(p) == _class_of(t),
    "binary_cross_entropy": lambda p, t: (p > 0.5) == (t > 0.5),
    "bce_with_logits": lambda p, t: (p > 0.0) == (t > 0.5),
    "svm": lambda p, t: (p > 0.0) == (t > 0.0),
}


def checked_loss(loss: Any, where: str, arg: str) -> tuple[LossFn, Optional[str]]:
    """The loss function, and its name when it is one of LOSSES."""
    expected = (
        "one of " + ", ".join(repr(name) for name in LOSSES) + ", or a function (outputs, targets) -> Value"
    )
    if isinstance(loss, str):
        if loss not in LOSSES:
            value_error(where, arg, expected, loss)
        return LOSSES[loss], loss
    return function(loss, where, arg, expected), None


def accuracy_function(accuracy: Any, loss_name: Optional[str], where: str) -> Optional[Correct]:
    expected = "'auto', None or a function (output, target) -> bool"
    if isinstance(accuracy, str):
        if accuracy != "auto":
            value_error(where, "accuracy", expected, accuracy)
        return ACCURACY.get(loss_name) if loss_name is not None else None
    if accuracy is None:
        return None
    return function(accuracy, where, "accuracy", expected)


def count_right(correct: Optional[Correct], outputs: list[Any], targets: list[Any], where: str) -> int:
    """How many outputs the accuracy function calls right (each answer must be True or False)."""
    if correct is None:
        return 0
    right = 0
    for o, t in zip(outputs, targets):
        right += flag(correct(output_numbers(o), t), where, "accuracy(output, target)")
    return right
