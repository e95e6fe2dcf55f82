"""tinygrad_edu.train: fit (online, mini-batch, full batch), validation and early stopping,
progress display, Ctrl-C, penalties and input noise, bagging; checked against hand-made steps."""

from __future__ import annotations

import io
import math
import os
import signal
from typing import Any

import pytest

from tinygrad_edu import Value, gradients, losses
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.train import Ensemble, History, bagging, fit

XOR_X, XOR_Y = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0]


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
        lr=lr,
        epochs=400,
        batch_size=batch_size,
        seed=1,
        verbose=False,
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
    fit(model, X, y, loss="mse", lr=0.1, epochs=1, batch_size=4, shuffle=False, verbose=False)
    assert params_of(model) == pytest.approx(expected, rel=1e-13, abs=1e-15)


def test_online_sgd_takes_one_step_per_sample_in_order() -> None:
    X = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.9]]
    y = [1.0, -0.5, 0.25]
    model, twin = MLP(2, [3, 1], seed=2), MLP(2, [3, 1], seed=2)
    fit(model, X, y, loss="mse", lr=0.05, epochs=1, batch_size=1, shuffle=False, verbose=False)
    for x, t in zip(X, y):  # by hand: one step per sample
        g = gradients((twin(x) - t) ** 2, twin.parameters())
        for p, gi in zip(twin.parameters(), g):
            p.data -= 0.05 * gi
    assert params_of(model) == pytest.approx(params_of(twin), rel=1e-13, abs=1e-15)


def test_same_seed_same_training_and_reshuffling() -> None:
    def run(seed: int) -> tuple[list[float], History]:
        model = MLP(2, [4, 1], seed=5)
        h = fit(model, XOR_X, XOR_Y, loss="mse", lr=0.1, epochs=5, batch_size=1, seed=seed, verbose=False)
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
        lr=0.1,
        epochs=1,
        penalty=lambda ps: 0.01 * losses.l2(ps),
        shuffle=False,
        verbose=False,
    )
    ps = twin.parameters()
    objective = losses.mse([twin(x) for x in X], y) + 0.01 * losses.l2(ps)
    for p, g in zip(ps, gradients(objective, ps)):
        p.data -= 0.1 * g
    assert params_of(model) == pytest.approx(params_of(twin), rel=1e-13, abs=1e-15)


def test_input_noise_is_reproducible_and_changes_training() -> None:
    def run(noise: float, seed: int) -> list[float]:
        model = MLP(2, [4, 1], seed=5)
        fit(model, XOR_X, XOR_Y, loss="mse", lr=0.1, epochs=3, input_noise=noise, seed=seed, verbose=False)
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
        model, X, y, loss="mse", lr=0.05, epochs=3000, validation=(X_val, y_val), patience=50, verbose=False
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

    h = fit(MLP(2, [2, 1], seed=0), XOR_X, XOR_Y, epochs=10, callbacks=[stop_at_three], verbose=False)
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
        model, XOR_X, XOR_Y, loss=loss_that_interrupts, optimizer=opt, epochs=50, batch_size=1, verbose=False
    )
    assert h.interrupted and h.epochs == 1
    assert CountingSGD.steps == calls[0] == 7  # the interrupted step completed
    assert all(math.isfinite(p) for p in params_of(model))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_progress_line_on_a_terminal_only() -> None:
    out = io.StringIO()
    fit(MLP(2, [2, 1], seed=0), XOR_X, [-1, 1, 1, -1], loss="svm", epochs=5, verbose=True, stream=out)
    text = out.getvalue()
    assert "epoch 5/5" in text and "loss " in text and "acc " in text and "epochs/s" in text and "ETA" in text
    assert text.endswith("5 epochs in " + text.rsplit("5 epochs in ", 1)[1])
    quiet = io.StringIO()
    fit(MLP(2, [2, 1], seed=0), XOR_X, XOR_Y, epochs=2, stream=quiet)  # not a terminal: silent
    fit(MLP(2, [2, 1], seed=0), XOR_X, XOR_Y, epochs=2, verbose=False, stream=quiet)
    assert quiet.getvalue() == ""


def test_cross_entropy_accuracy_uses_argmax() -> None:
    X = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    y = [0, 1, 2]
    model = MLP(2, [8, 3], activation="tanh", seed=4)
    h = fit(model, X, y, loss="cross_entropy", lr=0.5, epochs=200, verbose=False)
    predicted = [max(range(3), key=lambda k: model(x)[k].data) for x in X]
    assert predicted == y and h.train_accuracy[-1] == 1.0


def test_bagging_averages_bootstrap_models() -> None:
    ensemble, histories = bagging(
        lambda i: MLP(2, [4, 1], seed=i), XOR_X, XOR_Y, 3, seed=0, loss="mse", lr=0.1, epochs=5, verbose=False
    )
    assert isinstance(ensemble, Ensemble) and len(ensemble.models) == 3 and len(histories) == 3
    for x in XOR_X:
        assert ensemble(x).data == pytest.approx(sum(m(x).data for m in ensemble.models) / 3, rel=1e-15)
    again, _ = bagging(
        lambda i: MLP(2, [4, 1], seed=i), XOR_X, XOR_Y, 3, seed=0, loss="mse", lr=0.1, epochs=5, verbose=False
    )
    assert [params_of(m) for m in again.models] == [params_of(m) for m in ensemble.models]  # type: ignore[arg-type]
    assert len({tuple(params_of(m)) for m in ensemble.models}) == 3  # type: ignore[arg-type]


def test_bad_arguments() -> None:
    m = MLP(2, [2, 1], seed=0)
    cases: list[tuple[dict[str, Any], type, str]] = [
        ({"lr": 0.0}, ValueError, "lr"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"batch_size": 0}, ValueError, "batch_size must be an int ≥ 1, got 0"),
        ({"epochs": 0}, ValueError, "epochs must be an int ≥ 1, got 0"),
        ({"loss": "hinge"}, ValueError, "unknown loss 'hinge'"),
        ({"patience": 3}, ValueError, "early stopping \\(patience\\) needs validation data"),
        ({"input_noise": -0.1}, ValueError, "input_noise must be a finite number"),
        ({"validation": [[1.0, 2.0]]}, TypeError, "validation must be a pair"),
    ]
    for kwargs, error, message in cases:
        with pytest.raises(error, match=message):
            fit(m, XOR_X, XOR_Y, verbose=False, **kwargs)
    with pytest.raises(ValueError, match="X has 4 samples but y has 3"):
        fit(m, XOR_X, XOR_Y[:3])
    with pytest.raises(ValueError, match=r"X\[1\] contains nan"):
        fit(m, [[0.0, 0.0], [math.nan, 1.0]], [0, 1])
    with pytest.raises(ValueError, match=r"y\[0\] is inf"):
        fit(m, [[0.0, 0.0]], [math.inf])
    with pytest.raises(ValueError, match="no samples"):
        fit(m, [], [])


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
        scheduler=StepLR(opt, step_size=2, gamma=0.5),
        epochs=6,
        verbose=False,
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
            verbose=False,
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
        lambda i: MLP(1, [1], seed=i), X, y, 3, seed=0, loss="mse", epochs=20, verbose=False,
        make_optimizer=lambda m: Adam(m.parameters(), lr=0.1),
    )  # fmt: skip
    for model, start, h in zip(ensemble.models, starts, histories):
        assert params_of(model) != start  # type: ignore[arg-type]
        assert h.train_loss[-1] < h.train_loss[0]
    with pytest.raises(TypeError, match="make_optimizer"):
        bagging(lambda i: MLP(1, [1], seed=i), X, y, 2, optimizer=Adam(MLP(1, [1]).parameters()))
