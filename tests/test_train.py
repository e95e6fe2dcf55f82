"""tinygrad_edu.train: fit (online, mini-batch, full batch), validation and early stopping,
progress display, Ctrl-C, penalties and input noise, bagging; checked against hand-made steps."""

from __future__ import annotations

import io
import math
import os
import random
import signal
import sys
import threading
import warnings
from dataclasses import fields
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tinygrad_edu import Value, gradients, losses
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD, StepLR
from tinygrad_edu.train import Divergence, Ensemble, FitOptions, History, bagging, evaluate, fit

XOR_X, XOR_Y = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0]
OPTIONS = {f.name for f in fields(FitOptions)}


def with_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments written flat, as fit took them before FitOptions: the options go in options=."""
    options = {name: value for name, value in kwargs.items() if name in OPTIONS}
    rest = {name: value for name, value in kwargs.items() if name not in OPTIONS}
    return {**rest, "options": FitOptions(**options)} if options else rest


def params_of(model: MLP) -> list[float]:
    return [p.data for p in model.parameters()]


@pytest.mark.parametrize("batch_size, lr", [(1, 0.2), (2, 0.5), (None, 0.5)])
def test_fit_learns_xor(batch_size: Any, lr: float) -> None:
    """Online, mini-batch and full-batch gradient descent all learn XOR to 100% from a fixed seed."""
    model = MLP(2, [8, 1], activation="tanh", seed=3)
    h = fit(
        model,
        XOR_X,
        XOR_Y,
        loss="bce_with_logits",
        epochs=400,
        batch_size=batch_size,
        seed=1,
        options=FitOptions(lr=lr, verbose=False),
    )
    assert h.train_accuracy[-1] == 1.0
    assert [model(x).data > 0 for x in XOR_X] == [False, True, True, False]
    assert h.train_loss[-1] < 0.1 < h.train_loss[0]
    assert h.epochs == 400 and len(h.lr) == 400 and not h.stopped_early and not h.interrupted


def per_sample_gradients(model: MLP, X: list[list[float]], y: list[float]) -> list[list[float]]:
    params = model.parameters()
    return [gradients((model(x) - t) ** 2, params) for x, t in zip(X, y)]


def test_minibatch_step_is_the_average_of_per_sample_steps() -> None:
    """θ ← θ − α·(1/Q)·Σ_q ∇J(x_q) for one mini-batch of Q samples (note 001)."""
    X = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.9], [0.1, 0.1]]
    y = [1.0, -0.5, 0.25, 0.0]
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    before = params_of(model)
    grads = per_sample_gradients(model, X, y)
    expected = [p - 0.1 * sum(g[i] for g in grads) / len(X) for i, p in enumerate(before)]
    fit(
        model,
        X,
        y,
        loss="mse",
        epochs=1,
        batch_size=4,
        options=FitOptions(lr=0.1, shuffle=False, verbose=False),
    )
    assert params_of(model) == pytest.approx(expected, rel=1e-13, abs=1e-15)


def test_online_sgd_takes_one_step_per_sample_in_order() -> None:
    X = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.9]]
    y = [1.0, -0.5, 0.25]
    model, twin = MLP(2, [3, 1], seed=2), MLP(2, [3, 1], seed=2)
    fit(
        model,
        X,
        y,
        loss="mse",
        epochs=1,
        batch_size=1,
        options=FitOptions(lr=0.05, shuffle=False, verbose=False),
    )
    for x, t in zip(X, y):  # by hand: one step per sample
        g = gradients((twin(x) - t) ** 2, twin.parameters())
        for p, gi in zip(twin.parameters(), g):
            p.data -= 0.05 * gi
    assert params_of(model) == pytest.approx(params_of(twin), rel=1e-13, abs=1e-15)


def test_same_seed_same_training_and_reshuffling() -> None:
    def run(seed: int) -> tuple[list[float], History]:
        model = MLP(2, [4, 1], seed=5)
        h = fit(
            model,
            XOR_X,
            XOR_Y,
            loss="mse",
            epochs=5,
            batch_size=1,
            seed=seed,
            options=FitOptions(lr=0.1, verbose=False),
        )
        return params_of(model), h

    a, ha = run(7)
    b, hb = run(7)
    c, _ = run(8)
    assert a == b and ha.train_loss == hb.train_loss
    assert a != c  # a different shuffle order gives a different trajectory


def test_penalty_is_added_to_every_batch_loss() -> None:
    X, y = [[1.0, 2.0], [0.5, -1.0]], [0.5, 1.0]
    model, twin = MLP(2, [2, 1], seed=9), MLP(2, [2, 1], seed=9)
    fit(
        model,
        X,
        y,
        loss="mse",
        epochs=1,
        options=FitOptions(lr=0.1, penalty=lambda ps: 0.01 * losses.l2(ps), shuffle=False, verbose=False),
    )
    ps = twin.parameters()
    objective = losses.mse([twin(x) for x in X], y) + 0.01 * losses.l2(ps)
    for p, g in zip(ps, gradients(objective, ps)):
        p.data -= 0.1 * g
    assert params_of(model) == pytest.approx(params_of(twin), rel=1e-13, abs=1e-15)


def test_input_noise_is_reproducible_and_changes_training() -> None:
    def run(noise: float, seed: int) -> list[float]:
        model = MLP(2, [4, 1], seed=5)
        fit(
            model,
            XOR_X,
            XOR_Y,
            loss="mse",
            epochs=3,
            seed=seed,
            options=FitOptions(lr=0.1, input_noise=noise, verbose=False),
        )
        return params_of(model)

    assert run(0.1, 1) == run(0.1, 1) != run(0.0, 1)


def test_validation_history_and_early_stopping_restores_the_best_epoch() -> None:
    """A wide net on 8 noisy points overfits: validation loss bottoms out, training stops
    `patience` epochs later, and the model holds the best epoch's parameters again."""
    X = [[i / 8.0] for i in range(8)]
    y = [math.sin(3 * x[0]) + (0.4 if i % 2 else -0.4) for i, x in enumerate(X)]  # noisy targets
    X_val = [[(i + 0.5) / 8.0] for i in range(8)]
    y_val = [math.sin(3 * x[0]) for x in X_val]  # the clean function
    model = MLP(1, [32, 32, 1], activation="tanh", seed=0)
    h = fit(
        model,
        X,
        y,
        loss="mse",
        epochs=3000,
        validation=(X_val, y_val),
        options=FitOptions(lr=0.05, patience=50, verbose=False),
    )
    assert h.stopped_early and h.best_epoch is not None
    assert h.epochs == h.best_epoch + 50 < 3000
    assert h.val_loss[h.best_epoch - 1] == min(h.val_loss)
    assert h.train_loss[-1] < h.train_loss[h.best_epoch - 1]  # it kept fitting the noise...
    assert h.val_loss[-1] > h.val_loss[h.best_epoch - 1]  # ...while validation got worse
    restored = losses.mse([model(x) for x in X_val], y_val).data
    assert restored == pytest.approx(h.val_loss[h.best_epoch - 1], rel=1e-12)
    assert len(h.val_accuracy) == h.epochs and h.val_accuracy[0] is None  # mse: no accuracy


def test_callbacks_can_stop_training() -> None:
    seen: list[int] = []

    def stop_at_three(epoch: int, history: History) -> bool:
        seen.append(epoch)
        return epoch == 3

    h = fit(
        MLP(2, [2, 1], seed=0),
        XOR_X,
        XOR_Y,
        epochs=10,
        callbacks=[stop_at_three],
        options=FitOptions(verbose=False),
    )
    assert seen == [1, 2, 3] and h.epochs == 3 and not h.interrupted


class CountingSGD(SGD):
    steps = 0

    def step(self) -> None:
        super().step()
        CountingSGD.steps += 1


def test_ctrl_c_stops_after_the_current_step_and_returns_the_history() -> None:
    """SIGINT in the middle of an epoch: that step finishes (no half-updated parameters), the
    unfinished epoch is not recorded, and fit returns the history so far."""
    model = MLP(2, [3, 1], seed=1)
    calls = [0]

    def loss_that_interrupts(outputs: list[Any], targets: list[Any]) -> Value:
        calls[0] += 1
        if calls[0] == 7:  # during the 7th step (epoch 2, sample 3 of 4)
            os.kill(os.getpid(), signal.SIGINT)
        return losses.mse(outputs, targets)

    CountingSGD.steps = 0
    opt = CountingSGD(model.parameters(), lr=0.1)
    h = fit(
        model,
        XOR_X,
        XOR_Y,
        loss=loss_that_interrupts,
        optimizer=opt,
        epochs=50,
        batch_size=1,
        options=FitOptions(verbose=False),
    )
    assert h.interrupted and h.epochs == 1
    assert CountingSGD.steps == calls[0] == 7  # the interrupted step completed
    assert all(math.isfinite(p) for p in params_of(model))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_progress_line_on_a_terminal_only() -> None:
    out = io.StringIO()
    fit(
        MLP(2, [2, 1], seed=0),
        XOR_X,
        [-1, 1, 1, -1],
        loss="svm",
        epochs=5,
        options=FitOptions(verbose=True, stream=out),
    )
    text = out.getvalue()
    assert "epoch 5/5" in text and "loss " in text and "acc " in text and "epochs/s" in text and "ETA" in text
    assert text.endswith("5 epochs in " + text.rsplit("5 epochs in ", 1)[1])
    quiet = io.StringIO()
    fit(MLP(2, [2, 1], seed=0), XOR_X, XOR_Y, epochs=2, options=FitOptions(stream=quiet))  # not a terminal
    fit(MLP(2, [2, 1], seed=0), XOR_X, XOR_Y, epochs=2, options=FitOptions(verbose=False, stream=quiet))
    assert quiet.getvalue() == ""


def test_cross_entropy_accuracy_uses_argmax() -> None:
    X = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    y = [0, 1, 2]
    model = MLP(2, [8, 3], activation="tanh", seed=4)
    h = fit(model, X, y, loss="cross_entropy", epochs=200, options=FitOptions(lr=0.5, verbose=False))
    predicted = [max(range(3), key=lambda k: model(x)[k].data) for x in X]
    assert predicted == y and h.train_accuracy[-1] == 1.0


def test_bagging_averages_bootstrap_models() -> None:
    ensemble, histories = bagging(
        lambda i: MLP(2, [4, 1], seed=i),
        XOR_X,
        XOR_Y,
        3,
        seed=0,
        loss="mse",
        epochs=5,
        options=FitOptions(lr=0.1, verbose=False),
    )
    assert isinstance(ensemble, Ensemble) and len(ensemble.models) == 3 and len(histories) == 3
    for x in XOR_X:
        assert ensemble(x).data == pytest.approx(sum(m(x).data for m in ensemble.models) / 3, rel=1e-15)
    again, _ = bagging(
        lambda i: MLP(2, [4, 1], seed=i),
        XOR_X,
        XOR_Y,
        3,
        seed=0,
        loss="mse",
        epochs=5,
        options=FitOptions(lr=0.1, verbose=False),
    )
    assert [params_of(m) for m in again.models] == [params_of(m) for m in ensemble.models]  # type: ignore[arg-type]
    assert len({tuple(params_of(m)) for m in ensemble.models}) == 3  # type: ignore[arg-type]


def test_bad_arguments() -> None:
    """Each bad argument is refused before any training, in the one message style."""
    m = MLP(2, [2, 1], seed=0)
    before = params_of(m)
    cases: list[tuple[dict[str, Any], type, str]] = [
        ({"lr": 0.0}, ValueError, "fit: lr must be a finite number > 0, got float 0.0"),
        ({"lr": -1.0}, ValueError, "fit: lr must be a finite number > 0, got float -1.0"),
        ({"batch_size": 0}, ValueError, "fit: batch_size must be an integer >= 1, got int 0"),
        ({"epochs": 0}, ValueError, "fit: epochs must be an integer >= 1, got int 0"),
        ({"epochs": 2.0}, TypeError, "fit: epochs must be an integer >= 1, got float 2.0"),
        (
            {"loss": "hinge"},
            ValueError,
            "fit: loss must be one of 'mse', 'cross_entropy', 'binary_cross_entropy', 'bce_with_logits', "
            "'svm', or a function (outputs, targets) -> Value, got str 'hinge'",
        ),
        (
            {"patience": 3},
            ValueError,
            "fit: patience must be None without validation= (early stopping watches its loss), got int 3",
        ),
        (
            {"input_noise": -0.1},
            ValueError,
            "fit: input_noise must be a finite number >= 0, got float -0.1",
        ),
        (
            {"input_noise": Fraction(10**400, 3)},
            ValueError,
            "fit: input_noise must be a finite number >= 0 within float range (|x| < 1.8e308), got Fraction",
        ),
        (
            {"input_noise": 10**400},
            ValueError,
            "fit: input_noise must be a finite number >= 0 within float range (|x| < 1.8e308), "
            "got an integer of 1329 bits",
        ),
        (
            {"validation": [[1.0, 2.0]]},
            ValueError,
            "fit: validation must be None or a pair (X_val, y_val), got list [[1.0, 2.0]]",
        ),
        (
            {"optimizer": "adam"},
            TypeError,
            "fit: optimizer must be an optimizer: an object with step(), zero_grad() and lr "
            "(e.g. optim.SGD), got str 'adam'",
        ),
        (
            {"optimizer": SGD(MLP(2, [1], seed=0).parameters(), lr=0.1)},
            ValueError,
            "fit: optimizer must be an optimizer of this model's parameters (e.g. SGD(model.parameters()))",
        ),
        (
            {"scheduler": "step"},
            TypeError,
            "fit: scheduler must be None or a schedule with step() (e.g. tinygrad_edu.optim.StepLR), "
            "got str 'step'",
        ),
        (
            {"scheduler": StepLR(SGD(m.parameters(), lr=0.1), step_size=2)},
            ValueError,
            "fit: scheduler must be a schedule of the optimizer fit uses (pass it as optimizer=)",
        ),
        (
            {"rng": 5},
            TypeError,
            "fit: rng must be None or a random source such as random.Random(0), got int 5",
        ),
        ({"seed": 1, "rng": random.Random(1)}, ValueError, "fit: seed must be None when rng= is given"),
        ({"seed": 1.0}, TypeError, "fit: seed must be an integer, got float 1.0"),
        ({"stream": 5}, TypeError, "fit: stream must be None or an open text stream"),
        ({"stream": io.BytesIO()}, TypeError, "fit: stream must be None or an open text stream"),
        (
            {"callbacks": [5]},
            TypeError,
            "fit: callbacks[0] must be a function (epoch, history) -> bool, got int 5",
        ),
        ({"callbacks": print}, TypeError, "fit: callbacks must be a list of functions"),
        ({"penalty": 5}, TypeError, "fit: penalty must be None or a function of the parameters"),
        ({"clip_norm": 0}, ValueError, "fit: clip_norm must be a finite number > 0, got int 0"),
        ({"accuracy": "exact"}, ValueError, "fit: accuracy must be 'auto', None or a function"),
        ({"verbose": 1}, TypeError, "fit: verbose must be True or False, got int 1"),
        ({"on_divergence": "ignore"}, ValueError, "fit: on_divergence must be one of 'stop', 'continue'"),
        ({"shuffle": "no"}, TypeError, "fit: shuffle must be True or False, got str 'no'"),
    ]
    for kwargs, error, text in cases:
        with pytest.raises(error) as info:
            fit(m, XOR_X, XOR_Y, **with_options({"verbose": False, **kwargs}))
        assert str(info.value).startswith(text), (kwargs, str(info.value))
    with pytest.raises(TypeError, match=r"^fit: options must be None or a FitOptions\(\.\.\.\), got dict"):
        fit(m, XOR_X, XOR_Y, options={"lr": 0.1})  # type: ignore[arg-type]
    data_cases: list[tuple[Any, Any, type, str]] = [
        (
            XOR_X,
            XOR_Y[:3],
            ValueError,
            "fit: y must be a list of 4 targets, one per sample of X, got list [0, 1, 1]",
        ),
        (
            [[0.0, 0.0], [math.nan, 1.0]],
            [0, 1],
            ValueError,
            "fit: X[1][0] must be a finite number, got float nan",
        ),
        ([[0.0, 0.0]], [math.inf], ValueError, "fit: y[0] must be a finite number, got float inf"),
        ([], [], ValueError, "fit: X must be a non-empty list of samples, got list []"),
        ("ab", [0, 1], TypeError, "fit: X must be a list of samples, each a list of numbers, got str 'ab'"),
        ([[0.0, Value(1.0)]], [0], TypeError, "fit: X[0][1] must be a finite number, got a Value"),
        (
            [[0.0, 1.0]],
            [None],
            TypeError,
            "fit: y[0] must be a number or a list of numbers, got NoneType None",
        ),
        (  # a sample the model refuses: found before training, not when the shuffle reaches it
            [[0.0, 0.0], [1.0, 1.0, 1.0]],
            [0, 1],
            ValueError,
            "fit: X[1] must be an input the model accepts, got list [1.0, 1.0, 1.0] (",
        ),
        (
            [[0.0, 0.0]],
            [[0.0, 1.0]],
            ValueError,
            "fit: y[0] must be 1 number(s), as many as the model's outputs",
        ),
    ]
    for X, y, error, text in data_cases:
        with pytest.raises(error) as info:
            fit(m, X, y, options=FitOptions(verbose=False))
        assert str(info.value).startswith(text), str(info.value)
    assert params_of(m) == before  # nothing was trained


def test_a_loss_by_name_is_tried_on_all_the_data_before_training() -> None:
    """A class index out of range in the last sample fails at once, naming fit and the loss."""
    m = MLP(2, [3], seed=0)
    before = params_of(m)
    with pytest.raises(ValueError) as info:
        fit(
            m,
            [[0.0, 0.0]] * 5,
            [0, 1, 2, 1, 3],
            loss="cross_entropy",
            batch_size=1,
            options=FitOptions(verbose=False),
        )
    text = str(info.value)  # fit's words, then the loss's own (which names the 5th target)
    assert text.startswith(
        "fit: loss 'cross_entropy' must accept the model's outputs and y, but cross_entropy: "
    )
    assert "target[4]" in text
    with pytest.raises(ValueError, match=r"^fit: loss must be a loss for one output \('cross_entropy' needs"):
        fit(MLP(2, [1], seed=0), XOR_X, XOR_Y, loss="cross_entropy", options=FitOptions(verbose=False))
    with pytest.raises(
        ValueError, match=r"^fit: loss 'svm' must accept the model's outputs and validation\[1\]"
    ):
        fit(
            MLP(2, [1], seed=0),
            XOR_X,
            [-1, 1, 1, -1],
            loss="svm",
            validation=(XOR_X, XOR_Y),
            options=FitOptions(verbose=False),
        )
    assert params_of(m) == before


def test_your_own_functions_must_return_what_fit_uses() -> None:
    """A loss, penalty or accuracy function of the wrong kind is caught at the first step, before it."""
    m = MLP(2, [2, 1], seed=0)
    before = params_of(m)
    with pytest.raises(TypeError, match=r"^fit: loss\(outputs, targets\) must be a Value, got float 0.5$"):
        fit(m, XOR_X, XOR_Y, loss=lambda outputs, targets: 0.5, options=FitOptions(verbose=False))
    with pytest.raises(
        TypeError, match=r"^fit: penalty\(parameters\) must be a Value or a number, got str 'x'$"
    ):
        fit(m, XOR_X, XOR_Y, options=FitOptions(penalty=lambda ps: "x", verbose=False))
    with pytest.raises(
        TypeError, match=r"^fit: accuracy\(output, target\) must be True or False, got int 1$"
    ):
        fit(m, XOR_X, XOR_Y, options=FitOptions(accuracy=lambda p, t: 1, verbose=False))
    assert params_of(m) == before


def test_any_object_with_the_optimizer_protocol_trains() -> None:
    """A hand-written optimizer (step, zero_grad, lr) and schedule (step) work: θ ← θ − α∇J, α halved
    after every epoch."""

    class Plain:
        def __init__(self, params: list[Value], lr: float) -> None:
            self.params, self.lr = params, lr

        def zero_grad(self) -> None:
            for p in self.params:
                p.grad = 0.0

        def step(self) -> None:
            for p in self.params:
                p.data -= self.lr * p.grad

    class Halve:
        def __init__(self, opt: Plain) -> None:
            self.opt = opt

        def step(self) -> None:
            self.opt.lr /= 2

    model, twin = MLP(2, [3, 1], seed=2), MLP(2, [3, 1], seed=2)
    opt = Plain(model.parameters(), 0.2)
    h = fit(
        model,
        XOR_X,
        XOR_Y,
        optimizer=opt,
        epochs=3,
        options=FitOptions(scheduler=Halve(opt), shuffle=False, verbose=False),
    )
    fit(twin, XOR_X, XOR_Y, epochs=1, options=FitOptions(lr=0.2, shuffle=False, verbose=False))
    fit(twin, XOR_X, XOR_Y, epochs=1, options=FitOptions(lr=0.1, shuffle=False, verbose=False))
    fit(twin, XOR_X, XOR_Y, epochs=1, options=FitOptions(lr=0.05, shuffle=False, verbose=False))
    assert params_of(model) == params_of(twin) and h.lr == [0.2, 0.1, 0.05]


# ------------------------------------------------------------------ divergence
def loss_nan_at(k: int, gradient_only: bool = False) -> tuple[Any, list[int]]:
    """mse, except that call k returns nan (or a finite loss with a nan gradient: √(0·o) has ∂ = inf·0)."""
    calls = [0]

    def loss(outputs: list[Any], targets: list[Any]) -> Value:
        calls[0] += 1
        value = losses.mse(outputs, targets)
        if calls[0] != k:
            return value
        return value + (outputs[0] * 0.0) ** 0.5 if gradient_only else value * math.nan

    return loss, calls


def trained_steps(steps: int, seed: int = 1) -> list[float]:
    """The parameters after `steps` online SGD steps (lr 0.1) through XOR in order, by fit itself."""
    twin = MLP(2, [3, 1], seed=seed)
    epochs, rest = divmod(steps, 4)
    if epochs:
        fit(
            twin,
            XOR_X,
            XOR_Y,
            epochs=epochs,
            batch_size=1,
            options=FitOptions(lr=0.1, shuffle=False, verbose=False),
        )
    if rest:
        fit(
            twin,
            XOR_X[:rest],
            XOR_Y[:rest],
            epochs=1,
            batch_size=1,
            options=FitOptions(lr=0.1, shuffle=False, verbose=False),
        )
    return params_of(twin)


def test_a_nan_loss_stops_training_before_its_step() -> None:
    """The loss is nan at the 7th call (epoch 2, step 3): steps 1..6 ran, the 7th never did, and the
    parameters are exactly those after step 6; one line says where and what to try."""
    model = MLP(2, [3, 1], seed=1)
    loss, calls = loss_nan_at(7)
    CountingSGD.steps = 0
    out = io.StringIO()
    h = fit(
        model, XOR_X, XOR_Y, loss=loss, optimizer=CountingSGD(model.parameters(), lr=0.1), epochs=5,
        batch_size=1, options=FitOptions(shuffle=False, verbose=False, stream=out),
    )  # fmt: skip
    assert CountingSGD.steps == 6 and calls[0] == 7  # no later step, not even a later loss
    assert params_of(model) == trained_steps(6)
    assert h.diverged is not None and (h.diverged.epoch, h.diverged.step, h.diverged.cause) == (2, 3, "loss")
    assert math.isnan(h.diverged.loss)
    assert h.epochs == 1 and all(math.isfinite(v) for v in h.train_loss) and not h.interrupted
    assert out.getvalue() == (
        "fit: training diverged at epoch 2, step 3 (the loss is nan); it stopped before that step's update. "
        "Try a learning rate below 0.1 or gradient clipping (options=FitOptions(clip_norm=...)).\n"
    )


def overflow_epoch(model: MLP) -> int:
    """One linear neuron, x = 1, y = 0, mse: s = w + b follows s ← (1 − 4α)s, so with α = 10 the loss
    at epoch t is (s₀·39^(t−1))², which overflows at the first t with 39^(t−1)·|s₀| > √(1.8e308)."""
    s0 = sum(params_of(model))
    return math.floor((math.log(math.sqrt(sys.float_info.max)) - math.log(abs(s0))) / math.log(39)) + 2


def test_a_learning_rate_that_overflows_the_loss() -> None:
    model = MLP(1, [1], seed=0)
    s0, t = sum(params_of(model)), overflow_epoch(model)
    out = io.StringIO()
    h = fit(model, [[1.0]], [0.0], epochs=1000, options=FitOptions(lr=10.0, stream=out))
    assert h.diverged == Divergence(epoch=t, step=1, loss=math.inf, cause="loss")
    assert h.epochs == t - 1 and h.train_loss[5] == pytest.approx((s0 * 39**5) ** 2, rel=1e-12)
    twin = MLP(1, [1], seed=0)
    fit(twin, [[1.0]], [0.0], epochs=t - 1, options=FitOptions(lr=10.0, stream=out))
    assert params_of(model) == params_of(twin) and all(math.isfinite(p) for p in params_of(model))
    assert out.getvalue().count("\n") == 1 and f"epoch {t}, step 1 (the loss is inf)" in out.getvalue()


def test_divergence_with_early_stopping_puts_back_the_best_epoch() -> None:
    """With patience, fit keeps the best validation epoch's parameters: here epoch 1, as |s| grows ×39."""
    model, twin = MLP(1, [1], seed=0), MLP(1, [1], seed=0)
    t, data = overflow_epoch(model), ([[1.0]], [0.0])
    h = fit(
        model,
        *data,
        epochs=1000,
        validation=data,
        options=FitOptions(lr=10.0, patience=500, stream=io.StringIO()),
    )
    fit(twin, *data, epochs=1, options=FitOptions(lr=10.0, verbose=False))
    assert h.diverged is not None and h.diverged.epoch == t
    assert h.best_epoch == 1 and not h.stopped_early
    assert params_of(model) == params_of(twin)


def test_a_nan_gradient_with_a_finite_loss_also_stops() -> None:
    model = MLP(2, [3, 1], seed=1)
    loss, _ = loss_nan_at(7, gradient_only=True)
    out = io.StringIO()
    h = fit(
        model,
        XOR_X,
        XOR_Y,
        loss=loss,
        epochs=5,
        batch_size=1,
        options=FitOptions(lr=0.1, shuffle=False, stream=out),
    )
    assert h.diverged is not None and (h.diverged.epoch, h.diverged.step, h.diverged.cause) == (
        2,
        3,
        "gradient",
    )
    assert math.isfinite(h.diverged.loss)
    assert params_of(model) == trained_steps(6)
    assert (
        "(a gradient is not finite, with the loss at " in out.getvalue() and out.getvalue().count("\n") == 1
    )


def test_an_update_that_overflows_a_parameter_is_undone() -> None:
    """Loss (w + b)² ≈ 1.42 and gradients 2(w + b) ≈ 2.39 are finite, but α = 1e308 sends w and b to −inf."""
    model = MLP(1, [1], seed=0)
    before = params_of(model)
    out = io.StringIO()
    h = fit(model, [[1.0]], [0.0], epochs=3, options=FitOptions(lr=1e308, stream=out))
    assert h.diverged == Divergence(epoch=1, step=1, loss=before[0] ** 2, cause="update")
    assert params_of(model) == before and h.epochs == 0
    assert "(the update made a parameter overflow, with the loss at 1.424)" in out.getvalue()
    fit(model, [[1.0]], [0.0], epochs=1, options=FitOptions(lr=1e308, stream=out, on_divergence="continue"))
    assert all(p == -math.inf for p in params_of(model))  # on request, the overflow stays


def test_on_divergence_continue_trains_on_and_records_the_first_occurrence() -> None:
    model = MLP(2, [3, 1], seed=1)
    loss, calls = loss_nan_at(7)
    out = io.StringIO()
    h = fit(
        model, XOR_X, XOR_Y, loss=loss, epochs=3, batch_size=1,
        options=FitOptions(lr=0.1, shuffle=False, stream=out, on_divergence="continue"),
    )  # fmt: skip
    assert calls[0] == 12 and h.epochs == 3  # every step ran
    assert h.diverged is not None and (h.diverged.epoch, h.diverged.step) == (2, 3)
    assert math.isfinite(h.train_loss[0]) and math.isnan(h.train_loss[1]) and math.isnan(h.train_loss[2])
    assert any(math.isnan(p) for p in params_of(model))  # the nan step went through, as asked
    assert out.getvalue().count("\n") == 1 and "it goes on (on_divergence='continue')" in out.getvalue()


def test_divergence_on_a_terminal_gets_its_own_line() -> None:
    out, model = io.StringIO(), MLP(1, [1], seed=0)
    t = overflow_epoch(model)
    h = fit(model, [[1.0]], [0.0], epochs=1000, options=FitOptions(lr=10.0, verbose=True, stream=out))
    *progress, warning, summary, end = out.getvalue().split("\n")
    assert h.diverged is not None and not progress and end == ""
    assert warning.startswith("\r\033[Kepoch 1/1000  loss ")  # the progress line, rubbed out for the warning
    assert warning.rsplit("\r\033[K", 1)[1].startswith(
        f"fit: training diverged at epoch {t}, step 1 (the loss is inf)"
    )
    assert summary.startswith(f"{t - 1} epochs in ") and summary.endswith("s (diverged)")


def test_scheduler_is_stepped_once_per_epoch() -> None:
    """StepLR(step_size=2, gamma=0.5): the learning rate used in epochs 1..6 is α₀·0.5^⌊(t−1)/2⌋."""
    from tinygrad_edu.optim import StepLR

    model = MLP(2, [2, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.4)
    h = fit(
        model,
        XOR_X,
        XOR_Y,
        optimizer=opt,
        epochs=6,
        options=FitOptions(scheduler=StepLR(opt, step_size=2, gamma=0.5), verbose=False),
    )
    assert h.lr == pytest.approx([0.4, 0.4, 0.2, 0.2, 0.1, 0.1])


def test_iris_reaches_95_percent_test_accuracy() -> None:
    """Real data: standardised (statistics of the training split only), softmax + cross-entropy,
    Adam. Mean test accuracy over four stratified 70/30 splits is at least 95%."""
    from tinygrad_edu.data import Standardizer, load_iris, train_test_split
    from tinygrad_edu.optim import Adam
    from tinygrad_edu.train import ACCURACY, LOSSES, evaluate

    X, y, names = load_iris()
    assert len(X) == 150 and len(names) == 3
    scores = []
    for split in range(4):
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=True, seed=split)
        scaler = Standardizer().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        model = MLP(4, [8, 3], activation="tanh", seed=0)
        opt = Adam(model.parameters(), lr=0.01)
        fit(
            model,
            X_train,
            y_train,
            loss="cross_entropy",
            optimizer=opt,
            epochs=100,
            batch_size=16,
            seed=0,
            options=FitOptions(verbose=False),
        )
        scores.append(evaluate(model, X_test, y_test, LOSSES["cross_entropy"], ACCURACY["cross_entropy"])[1])
    assert sum(scores) / len(scores) >= 0.95, scores
    assert min(scores) >= 0.93, scores


def test_bagging_gives_each_model_its_own_optimizer() -> None:
    """With make_optimizer every model trains (a shared optimizer would only ever move model 0)."""
    from tinygrad_edu.optim import Adam

    X, y = [[0.0], [1.0], [2.0], [3.0]], [0.0, 1.0, 2.0, 3.0]
    starts = [params_of(MLP(1, [1], seed=i)) for i in range(3)]
    ensemble, histories = bagging(
        lambda i: MLP(1, [1], seed=i), X, y, 3, seed=0, loss="mse", epochs=20,
        make_optimizer=lambda m: Adam(m.parameters(), lr=0.1), options=FitOptions(verbose=False),
    )  # fmt: skip
    for model, start, h in zip(ensemble.models, starts, histories):
        assert params_of(model) != start  # type: ignore[arg-type]
        assert h.train_loss[-1] < h.train_loss[0]
    with pytest.raises(TypeError, match="make_optimizer"):
        bagging(lambda i: MLP(1, [1], seed=i), X, y, 2, optimizer=Adam(MLP(1, [1]).parameters()))


# ------------------------------------------------------------------ interrupts, in any thread
def in_a_thread(run: Callable[[], History]) -> History:
    """run() in a new thread; whatever it raised is re-raised here (nothing may escape fit)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["history"] = run()
        except BaseException as e:  # a KeyboardInterrupt included: the test must see it
            box["error"] = e

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    if "error" in box:
        raise AssertionError(f"fit let {box['error']!r} escape") from box["error"]
    return box["history"]  # type: ignore[no-any-return]


def callback_interrupting_at(epoch: int) -> Callable[[int, History], bool]:
    def callback(e: int, history: History) -> bool:
        if e == epoch:
            raise KeyboardInterrupt
        return False

    return callback


@pytest.mark.parametrize("threaded", [True, False])
def test_a_keyboard_interrupt_from_a_callback_is_recorded_in_any_thread(threaded: bool) -> None:
    """Raised by a callback after epoch 3 (recorded by then): fit stops, returns, says interrupted."""
    model = MLP(2, [3, 1], seed=1)

    def run() -> History:
        return fit(
            model, XOR_X, XOR_Y, epochs=10, batch_size=1, callbacks=[callback_interrupting_at(3)],
            options=FitOptions(lr=0.1, shuffle=False, verbose=False),
        )  # fmt: skip

    h = in_a_thread(run) if threaded else run()
    assert h.interrupted and h.epochs == 3 and len(h.lr) == 3 and h.diverged is None
    assert params_of(model) == trained_steps(12)


def test_a_keyboard_interrupt_from_the_loss_in_a_thread_stops_before_that_step() -> None:
    model = MLP(2, [3, 1], seed=1)
    calls = [0]

    def loss(outputs: list[Any], targets: list[Any]) -> Value:
        calls[0] += 1
        if calls[0] == 7:
            raise KeyboardInterrupt
        return losses.mse(outputs, targets)

    h = in_a_thread(
        lambda: fit(
            model,
            XOR_X,
            XOR_Y,
            loss=loss,
            epochs=5,
            batch_size=1,
            options=FitOptions(lr=0.1, shuffle=False, verbose=False),
        )
    )
    assert h.interrupted and h.epochs == 1  # epoch 2 was cut short: not recorded
    assert params_of(model) == trained_steps(6)


def test_an_interrupt_inside_the_optimizer_step_undoes_that_step() -> None:
    """Half a step (one parameter moved) is never left behind: the parameters are those after step 5."""

    class HalfStep(SGD):
        def step(self) -> None:
            if self.steps == 5:
                self.params[0].data += 1.0
                raise KeyboardInterrupt
            super().step()

    model = MLP(2, [3, 1], seed=1)
    opt = HalfStep(model.parameters(), lr=0.1)
    h = in_a_thread(
        lambda: fit(
            model,
            XOR_X,
            XOR_Y,
            optimizer=opt,
            epochs=5,
            batch_size=1,
            options=FitOptions(shuffle=False, verbose=False),
        )
    )
    assert h.interrupted and h.epochs == 1
    assert params_of(model) == trained_steps(5)


def test_a_second_ctrl_c_stops_at_once_and_is_still_recorded() -> None:
    """Two SIGINTs during the 7th loss: the second raises there, so step 7 never happens."""
    model = MLP(2, [3, 1], seed=1)
    calls = [0]

    def loss(outputs: list[Any], targets: list[Any]) -> Value:
        calls[0] += 1
        if calls[0] == 7:
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
        return losses.mse(outputs, targets)

    h = fit(
        model,
        XOR_X,
        XOR_Y,
        loss=loss,
        epochs=5,
        batch_size=1,
        options=FitOptions(lr=0.1, shuffle=False, verbose=False),
    )
    assert h.interrupted and h.epochs == 1 and calls[0] == 7
    assert params_of(model) == trained_steps(6)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ------------------------------------------------------------------ History, Divergence, Ensemble, bagging
def test_history_and_divergence_check_what_they_are_given() -> None:
    h = History(train_loss=[1, 0.5], train_accuracy=[None, True], lr=[Fraction(1, 10)] * 2, best_epoch=2)
    assert h.train_loss == [1.0, 0.5] and h.train_accuracy == [None, 1.0] and h.lr == [0.1, 0.1]
    cases: list[tuple[dict[str, Any], type, str]] = [
        ({"train_loss": [1, "x"]}, TypeError, "History: train_loss[1] must be a number, got str 'x'"),
        ({"train_loss": 5}, TypeError, "History: train_loss must be a list of numbers, got int 5"),
        ({"train_loss": [10**400]}, ValueError, "History: train_loss[0] must be a number within float range"),
        (
            {"train_loss": [1.0, 2.0], "lr": [0.1]},
            ValueError,
            "History: lr must be empty or 2 entries (one per epoch of train_loss), got list [0.1]",
        ),
        (
            {"train_accuracy": [1.5]},
            ValueError,
            "History: train_accuracy[0] must be a finite number in [0, 1]",
        ),
        (
            {"train_loss": [1.0], "best_epoch": 2},
            ValueError,
            "History: best_epoch must be None or an epoch in 1..1",
        ),
        ({"best_epoch": 1.0}, TypeError, "History: best_epoch must be an integer >= 1, got float 1.0"),
        ({"interrupted": "no"}, TypeError, "History: interrupted must be True or False, got str 'no'"),
        ({"seconds": -1}, ValueError, "History: seconds must be a finite number >= 0, got int -1"),
        ({"diverged": (1, 2)}, TypeError, "History: diverged must be None or a Divergence, got tuple (1, 2)"),
    ]
    for kwargs, error, text in cases:
        with pytest.raises(error) as info:
            History(**kwargs)
        assert str(info.value).startswith(text), str(info.value)
    assert Divergence(2, 3, Decimal("Infinity")) == Divergence(epoch=2, step=3, loss=math.inf, cause="loss")
    with pytest.raises(ValueError, match=r"^Divergence: step must be an integer >= 1, got int 0$"):
        Divergence(1, 0, math.nan)
    with pytest.raises(
        ValueError, match=r"^Divergence: cause must be one of 'loss', 'gradient', 'update', got str 'x'$"
    ):
        Divergence(1, 1, math.nan, "x")


def test_ensemble_checks_its_models_and_their_outputs() -> None:
    with pytest.raises(
        ValueError, match=r"^Ensemble: models must be a non-empty list of Modules, got list \[\]$"
    ):
        Ensemble([])
    with pytest.raises(
        TypeError, match=r"^Ensemble: models\[1\] must be a Module \(e.g. an MLP\), got int 5$"
    ):
        Ensemble([MLP(2, [1]), 5])  # type: ignore[list-item]
    mixed = Ensemble([MLP(2, [2], seed=0), MLP(2, [3], seed=0)])
    with pytest.raises(
        ValueError, match=r"^Ensemble: models\[1\]\(x\) must be a list of 2 outputs, like models"
    ):
        mixed([1.0, 2.0])
    pair = Ensemble([MLP(2, [2], seed=0), MLP(2, [2], seed=1)])
    out = pair([1.0, 2.0])
    assert [o.data for o in out] == [
        (a.data + b.data) / 2 for a, b in zip(*(m([1.0, 2.0]) for m in pair.models))
    ]


def test_bagging_names_itself_and_trains_nothing_on_a_bad_argument() -> None:
    built: list[tuple[int, MLP]] = []  # (seed, model)

    def make(i: int) -> MLP:
        built.append((i, MLP(2, [2, 1], seed=i)))
        return built[-1][1]

    cases: list[tuple[dict[str, Any], type, str]] = [
        ({"k": 0}, ValueError, "bagging: k must be an integer >= 1, got int 0"),
        ({"lr": "3"}, TypeError, "bagging: lr must be a finite number > 0, got str '3'"),
        ({"epochs": 0}, ValueError, "bagging: epochs must be an integer >= 1, got int 0"),
        (
            {"lrr": 3},
            TypeError,
            "bagging: keyword argument 'lrr' must be one of fit's keyword arguments (loss, epochs,",
        ),
        ({"make_optimizer": lambda m: "x"}, TypeError, "bagging: make_optimizer(model) must be an optimizer"),
        ({"scheduler": "x"}, TypeError, "bagging: scheduler must be None or a schedule with step()"),
        ({"callbacks": [None]}, TypeError, "bagging: callbacks[0] must be a function"),
    ]
    for kwargs, error, text in cases:
        with pytest.raises(error) as info:
            bagging(make, XOR_X, XOR_Y, **with_options({"k": 3, "verbose": False, **kwargs}))
        assert str(info.value).startswith(text), str(info.value)
    bad_options: list[tuple[dict[str, Any], type, str]] = [
        (
            {"lr": 0.1},
            TypeError,
            "bagging: keyword argument 'lr' must be given in options=FitOptions(lr=...)",
        ),
        ({"options": 5}, TypeError, "bagging: options must be None or a FitOptions(...), got int 5"),
        (
            {"options": FitOptions(rng=random.Random(0))},
            ValueError,
            "bagging: options.rng must be None (give bagging's own seed= or rng=)",
        ),
    ]
    for kwargs, error, text in bad_options:
        with pytest.raises(error) as info:
            bagging(make, XOR_X, XOR_Y, 2, **kwargs)
        assert str(info.value).startswith(text), str(info.value)
    with pytest.raises(ValueError, match=r"^bagging: make_model\(1\) must be a new model"):
        bagging(lambda i: built[0][1], XOR_X, XOR_Y, 2, options=FitOptions(verbose=False))
    with pytest.raises(
        TypeError, match=r"^bagging: make_model\(0\) must be a Module \(e.g. an MLP\), got int 5$"
    ):
        bagging(lambda i: 5, XOR_X, XOR_Y, 2)  # type: ignore[arg-type,return-value]
    # the last model's sample is refused before the first model trains
    with pytest.raises(ValueError, match=r"^bagging: X\[0\] must be an input the model accepts"):
        bagging(
            lambda i: make(i) if i < 2 else MLP(3, [1], seed=0),
            XOR_X,
            XOR_Y,
            3,
            options=FitOptions(verbose=False),
        )
    assert len(built) > 3 and all(params_of(m) == params_of(MLP(2, [2, 1], seed=i)) for i, m in built)


def test_evaluate_takes_a_loss_by_name_and_checks_its_arguments() -> None:
    model = MLP(2, [2, 1], seed=0)
    by_name = evaluate(model, XOR_X, XOR_Y)  # mse by default, as for fit
    assert by_name == evaluate(model, XOR_X, XOR_Y, lambda o, t: losses.mse(o, t))
    assert by_name[0] == pytest.approx(
        sum((model(x).data - t) ** 2 for x, t in zip(XOR_X, XOR_Y)) / 4, rel=1e-15
    )
    with pytest.raises(ValueError, match=r"^evaluate: loss must be one of 'mse', "):
        evaluate(model, XOR_X, XOR_Y, "hinge")
    with pytest.raises(ValueError, match=r"^evaluate: y must be a list of 4 targets, one per sample of X"):
        evaluate(model, XOR_X, XOR_Y[:2], "mse")
    with pytest.raises(TypeError, match=r"^evaluate: correct must be None or a function"):
        evaluate(model, XOR_X, XOR_Y, "mse", correct=True)  # type: ignore[arg-type]
    model.eval()
    with pytest.raises(ValueError, match=r"^evaluate: X\[0\] must be an input the model accepts"):
        evaluate(model, [[1.0]], [0.0], "mse")
    assert model.training is False  # the mode it was in


# ------------------------------------------------------------------ any argument, any value
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # numpy warns that 1e5000 overflows its long double: that is the point
    HUGE_LONGDOUBLE = np.longdouble("1e5000")

EXTREMES: list[Any] = [
    10**400, 10**5000, -(10**400), math.inf, -math.inf, math.nan, 5e-324, -0.0, 0, -1, 0.5, 2, True,
    False, np.float64(0.25), np.int64(2), np.bool_(True), np.float32("nan"), HUGE_LONGDOUBLE,
    Fraction(10**400, 3), Fraction(1, 3), Decimal("1e400"), Decimal("nan"), Decimal("sNaN"), Decimal("0.5"),
    1 + 0j, "str", "", None, [], [1.0], (1, 2), Value(1.0), object(),
]  # fmt: skip
ANY_VALUE = st.one_of(
    st.sampled_from(EXTREMES),
    st.floats(),
    st.integers(),
    st.fractions(),
    st.decimals(),
    st.text(max_size=3),
)


def as_number(x: Any) -> Any:
    """The rules' reading of x as a number: a float, or None (not a number, or beyond float range)."""
    if isinstance(x, (bool, np.bool_)):
        return float(x)
    if not isinstance(x, (int, float, Fraction, Decimal, np.integer, np.floating)):
        return None
    try:
        f = float(x)
    except (OverflowError, ValueError):
        return None
    return None if math.isinf(f) and x != f else f


def is_count(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def finite(x: Any) -> bool:
    f = as_number(x)
    return f is not None and math.isfinite(f)


# Which values each argument takes (the documented rules, written out independently of the code).
VALID: dict[str, Callable[[Any], bool]] = {
    "model": lambda x: False,
    "X": lambda x: False,
    "y": lambda x: False,
    "X[0][1]": finite,
    "y[2]": lambda x: (
        finite(x) or (isinstance(x, (list, tuple)) and len(x) == 1 and finite(x[0]))
    ),  # 1 output
    "loss": lambda x: False,
    "optimizer": lambda x: x is None,
    "lr": lambda x: finite(x) and as_number(x) > 0,
    "epochs": lambda x: is_count(x) and x >= 1,
    "batch_size": lambda x: x is None or (is_count(x) and x >= 1),
    "shuffle": lambda x: isinstance(x, (bool, np.bool_)),
    "seed": lambda x: x is None or is_count(x),
    "rng": lambda x: x is None,
    "validation": lambda x: x is None,
    "patience": lambda x: x is None,  # without validation data
    "penalty": lambda x: x is None,
    "input_noise": lambda x: finite(x) and as_number(x) >= 0,
    "scheduler": lambda x: x is None,
    "clip_norm": lambda x: x is None or (finite(x) and as_number(x) > 0),
    "accuracy": lambda x: x is None,
    "callbacks": lambda x: isinstance(x, (list, tuple)) and not x,
    "verbose": lambda x: x is None or isinstance(x, (bool, np.bool_)),
    "stream": lambda x: x is None,
    "on_divergence": lambda x: False,
    "options": lambda x: x is None,
    # evaluate's and bagging's own
    "correct": lambda x: x is None,
    "k": lambda x: is_count(x) and x >= 1,
    "make_model": lambda x: False,
}
FIT_ARGS = [
    "model", "X", "y", "X[0][1]", "y[2]", "loss", "optimizer", "lr", "epochs", "batch_size", "shuffle",
    "seed", "rng", "validation", "patience", "penalty", "input_noise", "scheduler", "clip_norm", "accuracy",
    "callbacks", "verbose", "stream", "on_divergence", "options",
]  # fmt: skip


def call_with(arg: str, value: Any, base: dict[str, Any]) -> dict[str, Any]:
    kwargs = dict(base)
    if arg == "X[0][1]":
        kwargs["X"] = [[0.0, value], *XOR_X[1:]]
    elif arg == "y[2]":
        kwargs["y"] = [0.0, 1.0, value, 0.0]
    else:
        kwargs[arg] = value
    return with_options(kwargs)


def check_refused_or_fine(
    call: Callable[..., Any], where: str, arg: str, value: Any, kwargs: dict[str, Any], models: list[MLP]
) -> None:
    """A bad value: a TypeError/ValueError naming the callable and the argument, and no parameter moved.
    A good one: no exception at all."""
    before = [params_of(m) for m in models]
    if VALID[arg](value):
        call(**kwargs)
        return
    with pytest.raises((TypeError, ValueError)) as info:
        call(**kwargs)
    assert type(info.value) in (TypeError, ValueError)
    assert str(info.value).startswith(f"{where}: ") and arg.split("[")[0] in str(info.value), str(info.value)
    assert [params_of(m) for m in models] == before


def small_count(arg: str, value: Any) -> bool:
    """Training 10**400 epochs (or models) is valid, but not for a test."""
    return not (arg in ("epochs", "k") and is_count(value) and value > 3)


@given(st.sampled_from(FIT_ARGS), ANY_VALUE)
def test_fit_refuses_any_bad_argument_before_training(arg: str, value: Any) -> None:
    assume(small_count(arg, value))
    model = MLP(2, [2, 1], seed=0)
    base = {"model": model, "X": XOR_X, "y": XOR_Y, "epochs": 2, "seed": 0, "stream": io.StringIO()}
    if arg == "rng":
        del base["seed"]
    if arg == "options":  # not together with the options of base
        del base["stream"]
    check_refused_or_fine(fit, "fit", arg, value, call_with(arg, value, base), [model])


@given(st.sampled_from(["model", "X", "y", "X[0][1]", "y[2]", "loss", "correct"]), ANY_VALUE)
def test_evaluate_refuses_any_bad_argument(arg: str, value: Any) -> None:
    model = MLP(2, [2, 1], seed=0)
    base = {"model": model, "X": XOR_X, "y": XOR_Y, "loss": "mse", "correct": None}
    check_refused_or_fine(evaluate, "evaluate", arg, value, call_with(arg, value, base), [model])
    assert model.training


@given(
    st.sampled_from(["k", "seed", "lr", "epochs", "input_noise", "make_model", "X[0][1]", "y[2]", "options"]),
    ANY_VALUE,
)
def test_bagging_refuses_any_bad_argument_before_training(arg: str, value: Any) -> None:
    assume(small_count(arg, value))
    built: list[MLP] = []

    def make(i: int) -> MLP:
        built.append(MLP(2, [2, 1], seed=i))
        return built[-1]

    base = {
        "make_model": make,
        "X": XOR_X,
        "y": XOR_Y,
        "k": 2,
        "epochs": 1,
        "seed": 0,
        "stream": io.StringIO(),
    }
    if arg == "options":  # not together with the options of base
        del base["stream"]
    kwargs = call_with(arg, value, base)
    if VALID[arg](value):
        bagging(**kwargs)
        return
    with pytest.raises((TypeError, ValueError)) as info:
        bagging(**kwargs)
    assert str(info.value).startswith("bagging: ") and arg.split("[")[0] in str(info.value), str(info.value)
    assert all(params_of(m) == params_of(MLP(2, [2, 1], seed=i)) for i, m in enumerate(built))
