"""tinygrad_edu.checks, and the boundary it guards: every public callable, fed bad arguments.

The rule (see checks.py): a public function checks its arguments before doing any work, and a bad
one is a TypeError or a ValueError (or a documented subclass) whose message names the function.
Nothing else escapes — no OverflowError, AttributeError, IndexError, KeyError, RecursionError,
ZeroDivisionError, and no ValueError in Python's own words.

CALLS below holds one valid call of every public callable (and the methods users call most);
the sweep replaces one argument at a time by each of HOSTILE, and hypothesis by arbitrary values.
A call that is still running after a short budget accepted its arguments (10**6 epochs are valid).
"""

from __future__ import annotations

import decimal
import importlib
import importlib.util
import inspect
import math
import os
import pkgutil
import random
import resource
import signal
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu
import tinygrad_edu.pytorch
from tinygrad_edu import (
    autograd,
    checkpoint,
    checks,
    cli,
    data,
    engine,
    losses,
    modes,
    nn,
    optim,
    testing,
    textbook,
    train,
    viz,
)
from tinygrad_edu.checks import real
from tinygrad_edu.engine import Value
from tinygrad_edu.viz import plot, replay

# ----------------------------------------------------------------- checks.py itself
NUMBERS_THAT_FIT = [
    (3, 3.0),
    (True, 1.0),
    (Fraction(1, 4), 0.25),
    (decimal.Decimal("2.5"), 2.5),
    (np.float32(0.5), 0.5),
    (np.int64(-7), -7.0),
    (np.bool_(True), 1.0),
    (np.longdouble(2) ** 1000, 2.0**1000),
    (5e-324, 5e-324),
]


@pytest.mark.parametrize("x, expected", NUMBERS_THAT_FIT, ids=lambda v: type(v).__name__)
def test_every_real_type_is_a_number(x: Any, expected: float) -> None:
    assert checks.is_real(x)
    assert checks.as_float(x, "f", "x") == expected
    assert Value(x).data == expected


TOO_LARGE = [10**400, -(10**5000), Fraction(10**400, 3), decimal.Decimal("1e400"), np.longdouble("1e4000")]


@pytest.mark.parametrize("x", TOO_LARGE, ids=lambda v: type(v).__name__)
def test_a_finite_number_beyond_float_range_is_a_value_error_never_inf(x: Any) -> None:
    with pytest.raises(ValueError, match=r"^Value: data must be a real number within float range"):
        Value(x)


def test_infinities_and_nan_of_any_type_stay_what_they_are() -> None:
    assert checks.as_float(decimal.Decimal("-Infinity"), "f") == -math.inf
    assert checks.as_float(np.longdouble("inf"), "f") == math.inf
    assert math.isnan(checks.as_float(decimal.Decimal("nan"), "f"))
    assert math.isnan(checks.as_float(decimal.Decimal("sNaN"), "f"))  # float() refuses a signalling nan


NOT_NUMBERS = ["1", b"1", 1j, np.complex128(1), [1.0], np.array([1.0]), np.array(1.0), None, Value(1.0)]


@pytest.mark.parametrize("x", NOT_NUMBERS, ids=lambda v: type(v).__name__)
def test_anything_else_is_a_type_error(x: Any) -> None:
    assert not checks.is_real(x)
    with pytest.raises(TypeError, match=r"^Value: data must be a real number, got "):
        Value(x)


def test_a_value_never_mixes_with_a_numpy_array() -> None:
    """numpy would broadcast a Value into an array of Values: both orders are refused."""
    v = Value(2.0)
    for combine in (lambda: v + np.ones(2), lambda: np.ones(2) * v, lambda: v ** np.ones(1)):
        with pytest.raises(
            TypeError, match=r"^Value [+*]+: the other operand must be a Value or a real number"
        ):
            combine()
    assert (np.float64(3.0) * v).data == 6.0 and (v - np.int64(1)).data == 1.0  # scalars mix


def test_messages_say_what_was_expected_and_what_came() -> None:
    with pytest.raises(ValueError, match=r"^SGD: lr must be a finite number >= 0, got float nan$"):
        real(math.nan, "SGD", "lr", low=0.0)
    with pytest.raises(ValueError, match=r"^f: p must be a finite number in \[0, 1\), got int 1$"):
        real(1, "f", "p", low=0.0, high=1.0, high_open=True)
    with pytest.raises(TypeError, match=r"^f: n must be an integer >= 1, got float 2.0$"):
        checks.integer(2.0, "f", "n", low=1)
    with pytest.raises(ValueError, match=r"^f: n must be an integer >= 1, got an integer of 16610 bits$"):
        checks.integer(-(10**5000), "f", "n", low=1)
    with pytest.raises(TypeError, match=r"^f: how must be one of 'a', 'b', got int 3$"):
        checks.choice(3, "f", "how", ["a", "b"])
    with pytest.raises(TypeError, match=r"^f: rng must be None or a random source such as"):
        checks.rng(5, "f")
    assert checks.rng(random, "f") is random  # the module draws like a Random
    assert checks.integer(np.int64(3), "f", "n") == 3 and type(checks.integer(np.int64(3), "f", "n")) is int


@given(st.integers())
def test_any_integer_is_described_without_formatting_its_digits(n: int) -> None:
    text = checks.received(n * 10**4400)  # past Python's 4,300-digit limit for str()
    assert len(text) < 100 and ("bits" in text or text == "int 0")


# ---------------------------------------------------------------- the public boundary
class _StillRunning(BaseException):
    """Raised by the alarm: the call accepted its arguments and is doing its (long) work."""


def _raise_still_running(signum: int, frame: Any) -> None:
    raise _StillRunning


@dataclass
class Call:
    """One valid call: ``make()`` gives (function, args, kwargs) on fresh objects; errors name ``where``."""

    where: str
    make: Callable[[], tuple[Callable[..., Any], list[Any], dict[str, Any]]]
    also: tuple[type[BaseException], ...] = ()  # documented errors besides TypeError/ValueError
    # (OSError where a path names a folder or a missing file; RuntimeError where dot fails)


TMP = Path(tempfile.mkdtemp(prefix="tinygrad_edu_boundary_"))


@pytest.fixture(autouse=True, scope="module")
def _in_a_scratch_folder() -> Iterator[None]:
    """A hostile "adam" given as a path is a valid file name: let such files land in TMP."""
    here = os.getcwd()
    os.chdir(TMP)
    yield
    os.chdir(here)


def _model() -> nn.MLP:
    return nn.MLP(2, [3, 1], seed=0)


def _saved() -> Path:
    path = TMP / "model.json"
    if not path.exists():
        checkpoint.save(_model(), path)
    return path


def _with_grads() -> list[Value]:
    ps = [Value(1.0), Value(-2.0)]
    for p in ps:
        p.grad = 1.0
    return ps


def _graph() -> Value:
    x, w = Value(1.5, label="x"), Value(-2.0, label="w")
    return (x * w + 1.0).tanh()


def _history() -> train.History:
    return train.History(train_loss=[1.0, 0.5], train_accuracy=[0.5, 0.75])


def _sgd() -> optim.SGD:
    return optim.SGD(_with_grads(), lr=0.1)


XY = ([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], [1, 1, 0, 0])
FIT_OPTIONS = {  # valid values of every FitOptions field (fit checks them, naming itself)
    "shuffle": True,
    "rng": None,
    "penalty": None,
    "input_noise": 0.0,
    "clip_norm": 1.0,
    "lr": 0.1,
    "scheduler": None,
    "patience": None,
    "accuracy": "auto",
    "verbose": False,
    "stream": None,
    "on_divergence": "stop",
}


def _fit_with_options(model: nn.Module, X: Any, y: Any, **options: Any) -> train.History:
    return train.fit(model, X, y, epochs=2, options=train.FitOptions(**options))


def _fitted(kind: type) -> Any:
    pre = kind()
    pre.fit(XY[0])
    return pre


CALLS: list[Call] = [
    # engine
    Call("Value", lambda: (Value, [1.0], {"label": "x"})),
    Call("backward", lambda: (Value(2.0).tanh().backward, [], {})),
    Call("dot", lambda: (engine.dot, [[Value(1.0), Value(2.0)], [3.0, 4.0]], {"bias": Value(0.5)})),
    Call("total", lambda: (engine.total, [[Value(1.0), 2.0]], {"start": 1.0})),
    Call("maximum", lambda: (engine.maximum, [Value(1.0), 2.0], {})),
    Call("leaky_relu", lambda: (Value(-1.0).leaky_relu, [0.1], {})),
    Call("hardtanh", lambda: (Value(3.0).hardtanh, [-2.0, 2.0], {})),
    Call("elu", lambda: (Value(-1.0).elu, [1.0], {})),
    Call("topological_order", lambda: (engine.topological_order, [Value(1.0) * 2], {})),
    # autograd
    Call("grad", lambda: (autograd.grad(lambda x, y: x * y, argnums=(0, 1)), [2.0, 3.0], {})),
    Call("grad", lambda: (autograd.grad, [lambda x: x * x], {"argnums": 0})),
    Call(
        "hessian",
        lambda: (autograd.hessian, [lambda *xs: engine.total(x * x * x for x in xs), [1.0, 2.0]], {}),
    ),
    Call("gradients", lambda: (autograd.gradients, [Value(1.0), [Value(2.0)]], {})),
    # nn
    Call("MLP", lambda: (nn.MLP, [2, [3, 1]], {"activation": "tanh", "dropout": 0.1, "seed": 0})),
    Call("Layer", lambda: (nn.Layer, [2, 3], {"seed": 0, "rng": None})),
    Call("Neuron", lambda: (nn.Neuron, [2], {"activation": "relu", "fan_out": 3, "seed": 1})),
    Call("Dropout", lambda: (nn.Dropout, [0.5], {"seed": 0})),
    Call("MLP", lambda: (_model(), [[1.0, 2.0]], {})),
    Call(
        "Conv1d", lambda: (nn.Conv1d, [2, 3, 2], {"stride": 2, "padding": 1, "activation": "tanh", "seed": 0})
    ),
    Call(
        "Conv2d",
        lambda: (nn.Conv2d, [1, 2, (2, 1)], {"stride": 1, "padding": (1, 0), "init": "he", "seed": 0}),
    ),
    Call("Conv1d", lambda: (nn.Conv1d(2, 1, 2, seed=0), [[[1.0, 2.0, 3.0], [0.5, 0.0, 1.0]]], {})),
    Call("Conv2d", lambda: (nn.Conv2d(1, 1, 2, padding=1, seed=0), [[[1.0, 2.0], [3.0, 4.0]]], {})),
    Call("Flatten", lambda: (nn.Flatten(), [[[1.0, 2.0], [Value(3.0), 4.0]]], {})),
    Call("BatchNorm", lambda: (nn.BatchNorm, [3], {"eps": 1e-5, "momentum": 0.1, "affine": True})),
    Call("BatchNorm", lambda: (nn.BatchNorm(2), [[[1.0, 2.0], [3.0, 4.0]]], {})),
    # losses
    Call("mse", lambda: (losses.mse, [[Value(1.0), 2.0], [0.0, 1.0]], {"reduction": "sum"})),
    Call("cross_entropy", lambda: (losses.cross_entropy, [[Value(1.0), Value(2.0)], 1], {})),
    Call("softmax", lambda: (losses.softmax, [[1.0, Value(2.0)]], {})),
    Call("svm_loss", lambda: (losses.svm_loss, [[Value(0.5)], [1]], {})),
    Call("max_margin", lambda: (losses.max_margin, [Value(1.0), Value(0.5)], {"margin": 1.0})),
    Call("binary_cross_entropy", lambda: (losses.binary_cross_entropy, [[Value(0.3)], [1.0]], {})),
    Call("l2", lambda: (losses.l2, [[Value(1.0), Value(2.0)]], {})),
    # optim
    Call("SGD", lambda: (optim.SGD, [_with_grads()], {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01})),
    Call("Adam", lambda: (optim.Adam, [_with_grads()], {"lr": 0.01, "betas": (0.9, 0.99), "eps": 1e-8})),
    Call("AdamW", lambda: (optim.AdamW, [_with_grads()], {"lr": 0.01, "weight_decay": 0.1})),
    Call("RMSProp", lambda: (optim.RMSProp, [_with_grads()], {"lr": 0.01, "rho": 0.9, "momentum": 0.5})),
    Call("AdaGrad", lambda: (optim.AdaGrad, [_with_grads()], {"lr": 0.01, "lr_decay": 0.1})),
    Call("StepLR", lambda: (optim.StepLR, [_sgd(), 2], {"gamma": 0.5})),
    Call("ExponentialLR", lambda: (optim.ExponentialLR, [_sgd(), 0.1], {})),
    Call("InverseTimeLR", lambda: (optim.InverseTimeLR, [_sgd(), 10.0], {})),
    Call("ConstantLR", lambda: (optim.ConstantLR, [_sgd()], {"factor": 0.5, "total_iters": 2})),
    Call("LambdaLR", lambda: (optim.LambdaLR, [_sgd(), lambda k: 0.5**k], {})),
    Call("clip_grad_norm", lambda: (optim.clip_grad_norm, [_with_grads(), 1.0], {"norm_type": 2.0})),
    Call("clip_grad_value", lambda: (optim.clip_grad_value, [_with_grads(), 0.5], {})),
    Call("load_state_dict", lambda: (_sgd().load_state_dict, [_sgd().state_dict()], {})),
    # data
    Call("make_moons", lambda: (data.make_moons, [20], {"noise": 0.1, "seed": 0})),
    Call("make_circles", lambda: (data.make_circles, [20], {"noise": 0.1, "factor": 0.5, "seed": 0})),
    Call("make_spirals", lambda: (data.make_spirals, [20], {"classes": 2, "turns": 1.0, "seed": 0})),
    Call("make_blobs", lambda: (data.make_blobs, [20], {"centers": 2, "std": 1.0, "seed": 0})),
    Call("linspace", lambda: (data.linspace, [0.0, 1.0, 5], {})),
    Call("logic_gate", lambda: (data.logic_gate, ["and"], {"inputs": "binary"})),
    Call("train_test_split", lambda: (data.train_test_split, list(XY), {"test_size": 0.25, "seed": 0})),
    Call(
        "train_val_test_split", lambda: (data.train_val_test_split, list(XY), {"val_size": 1, "test_size": 1})
    ),
    Call("batches", lambda: (lambda *a, **k: list(data.batches(*a, **k)), [*XY, 2], {"seed": 0})),
    Call("one_hot", lambda: (data.one_hot, [[0, 2, 1]], {"num_classes": 3})),
    Call("add_noise", lambda: (data.add_noise, [XY[0], 0.1], {"seed": 0})),
    Call("jacobi_eigh", lambda: (data.jacobi_eigh, [[[2.0, 1.0], [1.0, 2.0]]], {"tol": 1e-12})),
    Call("Whitening", lambda: (data.Whitening, ["pca"], {"eps": 1e-10})),
    Call("Standardizer", lambda: (data.Standardizer().fit_transform, [XY[0]], {})),
    Call("MeanSubtraction", lambda: (_fitted(data.MeanSubtraction).transform, [XY[0]], {})),
    # train
    Call(
        "fit",
        lambda: (
            train.fit,
            [_model(), *XY],
            {"loss": "mse", "epochs": 2, "batch_size": 2, "options": train.FitOptions(lr=0.1)},
        ),
    ),
    Call("fit", lambda: (_fit_with_options, [_model(), *XY], dict(FIT_OPTIONS))),  # each option, through fit
    Call("evaluate", lambda: (train.evaluate, [_model(), *XY], {"loss": "mse"})),
    Call("bagging", lambda: (train.bagging, [lambda i: nn.MLP(2, [2, 1], seed=i), *XY, 2], {"epochs": 1})),
    # checkpoint
    Call("save", lambda: (checkpoint.save, [_model(), TMP / "saved.json"], {}), also=(OSError,)),
    Call("load", lambda: (checkpoint.load, [_saved()], {}), also=(OSError,)),  # no such file
    Call("load_parameters", lambda: (checkpoint.load_parameters, [_model(), _saved()], {}), also=(OSError,)),
    # testing
    Call(
        "gradcheck", lambda: (testing.gradcheck, [lambda *xs: engine.total(xs) ** 2, [1.5]], {"atol": 1e-5})
    ),
    Call("finite_floats", lambda: (testing.finite_floats, [-1.0, 1.0], {})),
    Call("expressions", lambda: (testing.expressions, [], {"max_inputs": 2, "max_ops": 3, "bound": 2.0})),
    # trace
    Call("trace", lambda: (tinygrad_edu.trace, [lambda x: x * 2, 1.0], {})),
    # pictures (rendering may also fail as documented: RuntimeError when dot fails or times out)
    Call("draw_dot", lambda: (viz.draw_dot, [_graph()], {"rankdir": "TB", "max_nodes": 50, "title": "t"})),
    Call("draw_dot", lambda: (viz.draw_dot, [_graph()], {"params": [], "notes": {}, "show_grad": True})),
    Call(
        "render",
        lambda: (viz.render, [_graph(), TMP / "g.svg"], {"timeout": 30.0}),
        also=(RuntimeError, OSError),
    ),
    Call("draw_gradcheck", lambda: (viz.draw_gradcheck, [_graph()], {"eps": 1e-6, "max_nodes": 50})),
    Call("draw_architecture", lambda: (viz.draw_architecture, [_model()], {})),
    Call("deltas", lambda: (viz.deltas, [_graph()], {})),
    Call("replay_data", lambda: (replay.replay_data, [_graph()], {})),
    Call("replay_page", lambda: (replay.replay_page, [_graph()], {"timeout": 30.0}), also=(RuntimeError,)),
    # the textbook's backprop, the command line's expressions, the plots
    Call("network_of", lambda: (textbook.network_of, [_model()], {})),
    Call("backprop", lambda: (textbook.backprop, [_model(), [1.0, 2.0], [0.5]], {})),
    Call(  # ExpressionError (a ValueError) points at the column in the expression instead
        "parse_expression",
        lambda: (cli.parse_expression, ["tanh(x*w) + 1", {"x": 1.0, "w": 2.0}], {}),
        also=(cli.ExpressionError,),
    ),
    Call("svg", lambda: (viz.svg, [_graph()], {"timeout": 30.0}), also=(RuntimeError,)),
    Call("run_dot", lambda: (viz.run_dot, ["digraph { a -> b }", "svg", 30.0], {}), also=(RuntimeError,)),
    Call(
        "replay_html",
        lambda: (replay.replay_html, [_graph(), TMP / "r.html"], {}),
        also=(RuntimeError, OSError),
    ),
    Call("decision_grid", lambda: (plot.decision_grid, [_model(), XY[0]], {"resolution": 5})),
    Call("history", lambda: (plot.history, [_history(), TMP / "h.png"], {"title": "t"}), also=(OSError,)),
    Call(
        "bars",
        lambda: (plot.bars, [{"a": [1.0, 2.0]}, TMP / "b.png"], {"categories": ["x", "y"]}),
        also=(OSError,),
    ),
    Call(
        "trajectories",
        lambda: (
            plot.trajectories,
            [lambda x, y: x * x + y * y, {"sgd": [(1.0, 1.0), (0.5, 0.2)]}, TMP / "t.png"],
            {"levels": 5, "resolution": 10, "minimum": (0.0, 0.0)},
        ),
        also=(OSError,),
    ),
    Call(
        "decision_boundary",
        lambda: (plot.decision_boundary, [_model(), *XY, TMP / "d.png"], {"resolution": 5}),
        also=(OSError,),
    ),
    Call("lines", lambda: (plot.lines, [{"a": [1.0, 2.0]}, TMP / "l.png"], {"title": "t"}), also=(OSError,)),
    Call("covariance_ellipse", lambda: (plot.covariance_ellipse, [XY[0]], {"radius": 2.0, "samples": 8})),
    Call(
        "scatter_panels",
        lambda: (
            plot.scatter_panels,
            [{"raw": XY[0], "shifted": [[x + 1.0, y] for x, y in XY[0]]}, TMP / "s.png"],
            {"labels": XY[1], "title": "t", "ellipses": True, "origin": True, "columns": 2},
        ),
        also=(OSError,),
    ),
    # the autoencoder and layer-wise pre-training
    Call("Autoencoder", lambda: (nn.Autoencoder, [nn.Layer(2, 3, seed=0), nn.Layer(3, 2, seed=1)], {})),
    Call(
        "Autoencoder",
        lambda: (nn.Autoencoder(nn.Layer(2, 1, seed=0), nn.Layer(1, 2, seed=1)), [[1.0, 2.0]], {}),
    ),
    Call(
        "pretrain_layerwise",
        lambda: (
            train.pretrain_layerwise,
            [2, [3, 1], XY[0]],
            {
                "activation": "tanh",
                "epochs": 2,
                "batch_size": 2,
                "seed": 0,
                "options": train.FitOptions(verbose=False),
            },
        ),
    ),
    Call(
        "kernels",
        lambda: (plot.kernels, [{"a": [1.0, -2.0], "b": [[0.5], [1.0]]}, TMP / "k.png"], {"annotate": True}),
        also=(OSError,),
    ),
    Call(
        "image_grid",
        lambda: (
            plot.image_grid,
            [[[0.0, 1.0, 2.0, 3.0]], TMP / "i.png"],
            {"shape": (2, 2), "titles": ["a"], "columns": 1, "title": "t", "signed": True},
        ),
        also=(OSError,),
    ),
    Call("confusion_counts", lambda: (plot.confusion_counts, [[0, 1, 1], [0, 1, 0]], {"num_classes": 2})),
    Call(
        "confusion_matrix",
        lambda: (
            plot.confusion_matrix,
            [[0, 1], [1, 1], TMP / "c.png"],
            {"classes": ["a", "b"], "title": "t"},
        ),
        also=(OSError,),
    ),
]


def _torch_loaded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn, once torch is imported: its first import takes longer than the sweep's time budget."""
    tinygrad_edu.pytorch.import_torch("test_checks")
    return fn


if importlib.util.find_spec("torch") is not None:  # the door to PyTorch, where PyTorch is installed
    CALLS += [
        Call("to_torch", lambda: (_torch_loaded(tinygrad_edu.pytorch.to_torch), [_model()], {})),
        Call(
            "from_torch",
            lambda: (
                tinygrad_edu.pytorch.from_torch,
                [_torch_loaded(tinygrad_edu.pytorch.to_torch)(_model())],
                {},
            ),
        ),
    ]

HOSTILE: list[Any] = [
    10**400,
    -(10**5000),
    math.inf,
    -math.inf,
    math.nan,
    5e-324,
    -1,
    0,
    1.5,
    True,
    np.float64(math.nan),
    np.longdouble("1e4000"),
    np.int64(-3),
    np.bool_(True),
    np.array([1.0, 2.0]),
    Fraction(10**400, 3),
    decimal.Decimal("1e400"),
    decimal.Decimal("nan"),
    "adam",
    b"x",
    None,
    [],
    [[]],
    [math.nan],
    {},
    {"a": 1},
    object(),
    Value(1.0),
    (1.0, 2.0, 3.0),
]

BUDGET = 2.0  # seconds: a call still running by then accepted its arguments
MEMORY = 2 * 2**30  # bytes of address space a call may add before it counts as accepted work
ALLOWED = (TypeError, ValueError)


def _slots(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
    """The argument positions (ints) and keywords (strs) a sweep may replace."""
    return [*range(len(args)), *kwargs]


def _attempt(call: Call, slot: Any, bad: Any) -> None:
    fn, args, kwargs = call.make()
    if isinstance(slot, int):
        args[slot] = bad
    else:
        kwargs[slot] = bad
    previous = signal.signal(signal.SIGALRM, _raise_still_running)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    error: Exception | None = None
    try:
        try:
            # a time budget, repeated every 0.1 s: an alarm landing in a gc callback is swallowed there
            signal.setitimer(signal.ITIMER_REAL, BUDGET, 0.1)
            # and a memory budget: a valid but huge size (10**8 inputs) is accepted work, not a leak
            resource.setrlimit(resource.RLIMIT_AS, (_address_space() + MEMORY, hard))
            result = fn(*args, **kwargs)
            if inspect.isgenerator(result) or isinstance(result, Iterator):
                list(result)
        except (*ALLOWED, *call.also) as e:
            error = e
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (_StillRunning, MemoryError):
        return
    finally:  # (again: an alarm may have cut the inner finally short)
        signal.setitimer(signal.ITIMER_REAL, 0)
        # an alarm can land inside a mode switch's own enter or exit, where no `with` can restore it
        modes.mode.grad, modes.mode.anomaly, modes.mode.scope = True, False, None
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, previous)
    if error is None or isinstance(error, call.also):
        return
    text = str(error)
    assert call.where in text, f"{call.where}({slot}={checks.short(bad)}): message does not name it: {text}"


def _address_space() -> int:
    """The bytes of address space this process uses now (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.where)
def test_the_valid_calls_are_valid(call: Call) -> None:
    fn, args, kwargs = call.make()
    result = fn(*args, **kwargs)
    if inspect.isgenerator(result):
        list(result)


# The budget's alarm can land in a gc callback (hypothesis installs one), where Python reports the
# exception as unraisable and goes on; the repeating alarm then stops the call. Expected, not a fault.
SWALLOWED_ALARM = "ignore:Exception ignored in.*gc_callback:pytest.PytestUnraisableExceptionWarning"


@pytest.mark.filterwarnings(SWALLOWED_ALARM)
@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.where)
def test_each_argument_replaced_by_each_hostile_value(call: Call) -> None:
    """Only TypeError or ValueError, naming the callable; anything else fails the test."""
    fn, args, kwargs = call.make()
    for slot in _slots(fn, args, kwargs):
        for bad in HOSTILE:
            _attempt(call, slot, bad)


ANYTHING = st.one_of(
    st.integers(min_value=-(10**5000), max_value=10**5000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.fractions(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.none(),
    st.booleans(),
    st.lists(st.floats(), max_size=3),
    st.lists(st.lists(st.floats(), max_size=3), max_size=3),
    st.sampled_from(
        [np.float64(-0.0), np.int8(5), np.longdouble("-1e4000"), np.bool_(False), np.ones((2, 2))]
    ),
)


@pytest.mark.filterwarnings(SWALLOWED_ALARM)
@given(call=st.sampled_from(CALLS), data_=st.data())
def test_arbitrary_values_in_any_argument(call: Call, data_: st.DataObject) -> None:
    fn, args, kwargs = call.make()
    slots = _slots(fn, args, kwargs)
    if not slots:
        return
    slot = data_.draw(st.sampled_from(slots), label="argument")
    _attempt(call, slot, data_.draw(ANYTHING, label="value"))


def _package_modules() -> list[Any]:
    """Every module of the package, found by walking it: a new module is covered without a list."""
    found = [tinygrad_edu]
    for info in pkgutil.walk_packages(tinygrad_edu.__path__, tinygrad_edu.__name__ + "."):
        if not info.name.endswith(".__main__"):  # importing it runs the command line
            found.append(importlib.import_module(info.name))
    return found


def test_every_public_callable_of_the_package_is_swept() -> None:
    """A new public function must get a valid call in CALLS (or be listed here with the reason)."""
    exempt = {
        "Value",  # swept as Value and through its methods
        "GraphMath",
        "FloatMath",
        "Op",
        "Module",
        "Sequential",
        "Optimizer",
        "LRScheduler",  # bases, math
        "apply",
        "call",
        "backpropagate",
        "number",
        "minimum",  # engine plumbing; minimum = maximum's twin
        "all_gradients",
        "value_and_grad",  # gradients' and grad's bodies
        "History",
        "FitOptions",  # fit checks its fields: swept through fit
        "Ensemble",
        "Divergence",
        "Expression",  # records / a wrapper of checked models
        "architecture",
        "CheckpointError",
        "log_softmax",
        "binary_cross_entropy_with_logits",
        "l1",
        "weight_elimination",
        "squared_error",
        "load_iris",
        "xor3",  # no arguments / logic_gate's twin
        "load_digits",  # no arguments
        "AnomalyError",
        "Switch",
        "Modes",
        "GraphvizNotFound",
        "Replay",
        "Network",
        "Backprop",  # errors and records
        "svg_or_none",
        "architecture_svg_or_none",
        "show_values_in_notebooks",  # notebook display hooks: they never raise
        "number_text",  # any number has a text
        "draw_anomaly",  # takes the AnomalyError that detect_anomaly raised
        "replay",  # replay_page shown in a notebook
        "Traced",  # made by trace (swept); checks its own arguments at every call (test_tracing)
        "detect_anomaly",
        "enable_grad",
        "no_grad",
        "is_grad_enabled",  # grad-mode switches: no arguments
        "ExpressionError",
        "Function",
        "ExpressionSource",
        "build_graph",
        "require_values",  # parse_expression's parts: swept through it
        "build_parser",
        "main",  # the command line: argparse reports bad arguments (test_cli)
        "import_torch",  # torch, or how to install it: its only argument names the caller
        "write_atomic",  # called by save, plots and replay with arguments they checked
        "Pretrained",  # the record pretrain_layerwise returns
        "DecisionGrid",
        "PlotsUnavailable",
        "available",  # a record, an error, no arguments
    }
    # whole modules whose public names are parts of a swept entry point, or answer by design
    exempt_modules = (
        "tinygrad_edu.course",  # the course's checks return a Verdict for any answer, by design
        "tinygrad_edu.tracing.",  # the tracer's machinery, reached through trace (swept)
        *(() if importlib.util.find_spec("torch") else ("tinygrad_edu.pytorch.",)),  # swept with torch
    )
    swept = {c.where for c in CALLS}
    missing = []
    for module in _package_modules():
        for name in getattr(module, "__all__", ()):  # a module without __all__ is internal
            thing = getattr(module, name)
            home = getattr(thing, "__module__", "")  # the module, or one of its package's submodules
            if (
                name.startswith("_")
                or not callable(thing)
                or (home != module.__name__ and not home.startswith(module.__name__ + "."))
            ):
                continue
            where = f"{module.__name__}."
            if name not in swept and name not in exempt and not where.startswith(exempt_modules):
                missing.append(f"{module.__name__}.{name}")
    assert not missing, f"no valid call in CALLS for {missing}"


def test_the_sweep_really_sees_a_leak() -> None:
    """The sweep's own check: a function that leaks an OverflowError fails it."""

    def leaky(x: float) -> float:
        return float(x)

    with pytest.raises(OverflowError):
        _attempt(Call("leaky", lambda: (leaky, [1.0], {})), 0, 10**400)
    with pytest.raises(AssertionError, match="does not name it"):
        _attempt(Call("leaky", lambda: (leaky, [1.0], {})), 0, "x")
