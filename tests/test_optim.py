"""tinygrad_edu.optim: optimizers, gradient clipping and learning-rate schedules.

References: PyTorch float64 (torch.optim, torch.optim.lr_scheduler, torch.nn.utils; skipped
without torch), with the loss and its gradients computed by PyTorch itself, never by our engine;
and closed forms and note 001's own update rules written here on plain floats.
"""

from __future__ import annotations

import decimal
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from oracle import close, requires_torch, torch

from tinygrad_edu import Value
from tinygrad_edu.checks import short
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import (
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    ConstantLR,
    ExponentialLR,
    InverseTimeLR,
    LambdaLR,
    LRScheduler,
    Optimizer,
    RMSProp,
    StepLR,
    clip_grad_norm,
    clip_grad_value,
)
from tinygrad_edu.testing import finite_floats

STEPS = 60  # steps per trajectory
TRAJ_RTOL, TRAJ_ATOL = 1e-10, 1e-12  # atol only matters for parameters passing near 0

# ------------------------------------------------------------ the problems, in both libraries
# A 2 → 4 → 3 → 1 tanh network fitted to six points with the mean squared error.
DATA_X = [[-1.0, 0.5], [0.3, -0.8], [1.2, 1.0], [-0.4, -1.5], [0.9, -0.2], [0.0, 0.7]]
DATA_Y = [0.5, -0.3, 0.8, -1.0, 0.2, 0.4]


def mlp_problem() -> tuple[list[Value], Callable[[], Value], Callable[[list[Any]], Any]]:
    """(our parameters, our loss, the same loss in PyTorch of a list of leaf tensors)."""
    model = MLP(2, [4, 3, 1], activation="tanh", seed=7)
    params = model.parameters()
    position = {id(p): i for i, p in enumerate(params)}
    # the architecture as indices into the parameter list: layers of (weight indices, bias index)
    layers = [
        [([position[id(w)] for w in n.w], position[id(n.b)]) for n in layer.neurons] for layer in model.layers
    ]

    def ours() -> Value:
        return sum(((model(x) - y) ** 2 for x, y in zip(DATA_X, DATA_Y)), Value(0.0)) / len(DATA_X)

    def theirs(leaves: list[Any]) -> Any:
        xs = torch.tensor(DATA_X, dtype=torch.float64)
        h = [xs[:, j] for j in range(xs.shape[1])]  # one tensor per input, over the batch
        for depth, layer in enumerate(layers):
            zs = [leaves[b] + sum(leaves[w] * hj for w, hj in zip(ws, h)) for ws, b in layer]
            h = [torch.tanh(z) for z in zs] if depth < len(layers) - 1 else zs
        return ((h[0] - torch.tensor(DATA_Y, dtype=torch.float64)) ** 2).mean()

    return params, ours, theirs


def rosenbrock_problem() -> tuple[list[Value], Callable[[], Value], Callable[[list[Any]], Any]]:
    """f(x, y) = (1 − x)² + 100(y − x²)² from (−1.5, 2): a curved, ill-conditioned valley."""
    params = [Value(-1.5), Value(2.0)]

    def f(x: Any, y: Any) -> Any:
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    return params, lambda: f(*params), lambda leaves: f(*leaves)


PROBLEMS = {"mlp": mlp_problem, "rosenbrock": rosenbrock_problem}

TORCH_NAMES = {SGD: "SGD", AdaGrad: "Adagrad", RMSProp: "RMSprop", Adam: "Adam", AdamW: "AdamW"}


def torch_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Our keyword arguments under PyTorch's names (RMSprop's ρ is called alpha)."""
    return {("alpha" if k == "rho" else k): v for k, v in kwargs.items()}


def run_both(
    cls: type[Optimizer],
    kwargs: dict[str, Any],
    problem: str,
    steps: int = STEPS,
    schedules: tuple[Callable[[Any], Any], Callable[[Any], Any]] | None = None,
) -> list[tuple[list[float], list[float]]]:
    """Train with ours and with torch.optim from the same start; (ours, torch) parameters after each step."""
    params, loss, torch_loss = PROBLEMS[problem]()
    leaves = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in params]
    opt = cls(params, **kwargs)
    topt = getattr(torch.optim, TORCH_NAMES[cls])(leaves, foreach=False, **torch_kwargs(kwargs))
    sched, tsched = (schedules[0](opt), schedules[1](topt)) if schedules else (None, None)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss().backward()
        opt.step()
        topt.zero_grad()
        torch_loss(leaves).backward()
        topt.step()
        if sched is not None:
            sched.step()
            tsched.step()
        history.append(([p.data for p in params], [t.item() for t in leaves]))
    return history


def assert_same_trajectory(history: list[tuple[list[float], list[float]]]) -> None:
    for step, (ours, theirs) in enumerate(history, start=1):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert close(a, b, TRAJ_RTOL, TRAJ_ATOL), f"step {step}, parameter {i}: ours {a!r}, torch {b!r}"
    first, last = history[0][0], history[-1][0]
    assert any(abs(a - b) > 1e-3 for a, b in zip(first, last)), "the trajectory should go somewhere"


# ------------------------------------------------------------ trajectories against torch.optim
CONFIGS = [
    pytest.param(SGD, {"lr": 0.1}, id="sgd"),
    pytest.param(SGD, {"lr": 0.1, "momentum": 0.9}, id="sgd-momentum"),
    pytest.param(SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, id="sgd-dampening"),
    pytest.param(SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}, id="sgd-nesterov"),
    pytest.param(SGD, {"lr": 0.1, "weight_decay": 0.01}, id="sgd-weight-decay"),
    pytest.param(
        SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}, id="sgd-nesterov-decay"
    ),
    pytest.param(AdaGrad, {"lr": 0.1}, id="adagrad"),
    pytest.param(AdaGrad, {"lr": 0.1, "lr_decay": 0.05}, id="adagrad-lr-decay"),
    pytest.param(AdaGrad, {"lr": 0.1, "weight_decay": 0.1}, id="adagrad-weight-decay"),
    pytest.param(AdaGrad, {"lr": 0.2, "initial_accumulator_value": 0.5, "eps": 1e-6}, id="adagrad-initial"),
    pytest.param(
        AdaGrad,
        {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6},
        id="adagrad-all",
    ),
    pytest.param(RMSProp, {"lr": 0.01}, id="rmsprop"),
    pytest.param(RMSProp, {"lr": 0.01, "centered": True}, id="rmsprop-centered"),
    pytest.param(RMSProp, {"lr": 0.005, "momentum": 0.9}, id="rmsprop-momentum"),
    pytest.param(RMSProp, {"lr": 0.01, "weight_decay": 0.1, "rho": 0.9}, id="rmsprop-weight-decay"),
    pytest.param(
        RMSProp,
        {"lr": 0.005, "rho": 0.9, "centered": True, "momentum": 0.5, "weight_decay": 0.01, "eps": 1e-6},
        id="rmsprop-all",
    ),
    pytest.param(Adam, {"lr": 0.01}, id="adam"),
    pytest.param(Adam, {"lr": 0.01, "amsgrad": True}, id="adam-amsgrad"),
    pytest.param(Adam, {"lr": 0.01, "weight_decay": 0.1}, id="adam-weight-decay"),
    pytest.param(Adam, {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-6}, id="adam-betas"),
    pytest.param(
        Adam, {"lr": 0.01, "betas": (0.8, 0.99), "amsgrad": True, "weight_decay": 0.05}, id="adam-all"
    ),
    pytest.param(AdamW, {"lr": 0.01}, id="adamw"),
    pytest.param(AdamW, {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}, id="adamw-amsgrad"),
]


@requires_torch
@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_mlp_trajectory_matches_torch(cls: type[Optimizer], kwargs: dict[str, Any]) -> None:
    """60 steps on the MLP: every parameter after every step equals torch.optim's within 1e-10."""
    assert_same_trajectory(run_both(cls, kwargs, "mlp"))


@requires_torch
@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_rosenbrock_trajectory_matches_torch(cls: type[Optimizer], kwargs: dict[str, Any]) -> None:
    """60 steps on Rosenbrock's valley (gradients in the hundreds; SGD needs a 100× smaller lr)."""
    if cls is SGD:
        kwargs = {**kwargs, "lr": kwargs["lr"] / 100}
    assert_same_trajectory(run_both(cls, kwargs, "rosenbrock"))


# ρ < ½ and β₁ ≤ ½ take torch.lerp's other branch; a centered RMSProp with a small ρ divides by a
# noisy variance estimate near 0, so it is checked with given gradients rather than on the MLP
LERP_CONFIGS = [
    pytest.param(RMSProp, {"lr": 0.005, "rho": 0.3, "centered": True, "momentum": 0.5}, id="rmsprop-low-rho"),
    pytest.param(Adam, {"lr": 0.01, "betas": (0.2, 0.4), "amsgrad": True}, id="adam-low-betas"),
]


@requires_torch
@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS + LERP_CONFIGS)
@given(data=st.data())
def test_same_gradients_give_the_same_steps_to_rounding(
    cls: type[Optimizer], kwargs: dict[str, Any], data: Any
) -> None:
    """Fed the same gradient sequence, ours and torch.optim agree to a few ulps (same arithmetic order;
    PyTorch's kernels fuse some multiply-adds, so bitwise equality is not expected)."""
    theta0 = data.draw(finite_floats(-3, 3), label="theta0")
    grads = data.draw(st.lists(finite_floats(-10, 10), min_size=1, max_size=8), label="grads")
    p, leaf = Value(theta0), torch.tensor(theta0, dtype=torch.float64)
    opt = cls([p], **kwargs)
    topt = getattr(torch.optim, TORCH_NAMES[cls])([leaf], foreach=False, **torch_kwargs(kwargs))
    # centered RMSProp divides by r − ḡ², which cancels when the gradients are alike (e.g. 9, 7, 8,
    # 7, 9, 8): an ulp of fused-multiply-add difference in r grows by r/(r − ḡ²), so allow 1e-11 there
    rtol = 1e-11 if kwargs.get("centered") else 1e-14
    for step, g in enumerate(grads, start=1):
        p.grad = g
        leaf.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        topt.step()
        assert close(p.data, leaf.item(), rtol, 1e-15), f"step {step}: ours {p.data!r}, torch {leaf.item()!r}"


@requires_torch
@pytest.mark.parametrize(
    ("cls", "kwargs", "ours", "theirs"),
    [
        pytest.param(
            SGD,
            {"lr": 0.001, "momentum": 0.9},
            lambda o: StepLR(o, step_size=10, gamma=0.5),
            lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5),
            id="sgd-momentum-steplr",
        ),
        pytest.param(
            Adam,
            {"lr": 0.05},
            lambda o: ExponentialLR(o, k=0.05),
            lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=math.exp(-0.05)),
            id="adam-exponential",
        ),
        pytest.param(
            RMSProp,
            {"lr": 0.02, "momentum": 0.5},
            lambda o: InverseTimeLR(o, tau=5),
            lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 5 / max(t, 5)),
            id="rmsprop-inverse-time",
        ),
        pytest.param(
            AdaGrad,
            {"lr": 0.3},
            lambda o: LambdaLR(o, lambda t: 1 / (1 + 0.1 * t)),
            lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + 0.1 * t)),
            id="adagrad-lambda",
        ),
    ],
)
def test_scheduled_trajectory_matches_torch(
    cls: type[Optimizer], kwargs: dict[str, Any], ours: Any, theirs: Any
) -> None:
    """Optimizer and schedule together, against torch.optim with torch.optim.lr_scheduler."""
    assert_same_trajectory(run_both(cls, kwargs, "rosenbrock", schedules=(ours, theirs)))


# ------------------------------------------------------------ closed forms, no torch
def quadratic_grad(theta: list[float]) -> list[float]:
    """∇ of J(θ) = ½(θ₀² + 25θ₁²) + θ₀θ₁/2: an ill-conditioned bowl, gradients in closed form."""
    return [theta[0] + theta[1] / 2, 25 * theta[1] + theta[0] / 2]


def descend(opt: Optimizer, params: list[Value], steps: int) -> list[list[float]]:
    """Run ``opt`` on the quadratic above, gradients given in closed form; positions after each step."""
    path = []
    for _ in range(steps):
        for p, g in zip(params, quadratic_grad([p.data for p in params])):
            p.grad = g
        opt.step()
        path.append([p.data for p in params])
    return path


@given(theta=finite_floats(-100, 100), g=finite_floats(-100, 100), lr=st.floats(1e-4, 10))
def test_one_sgd_step(theta: float, g: float, lr: float) -> None:
    p = Value(theta)
    p.grad = g
    SGD([p], lr=lr).step()
    assert p.data == theta - lr * g


@pytest.mark.parametrize("mu", [0.5, 0.9, 0.99])
def test_momentum_on_a_constant_gradient(mu: float) -> None:
    """b_t = g(1 − μᵗ)/(1 − μ) and θ_t = θ₀ − lr·Σ_{k≤t} b_k = θ₀ − lr·g/(1 − μ)·(t − μ(1 − μᵗ)/(1 − μ))."""
    g, lr, theta0 = 2.0, 0.1, 1.0
    p = Value(theta0)
    opt = SGD([p], lr=lr, momentum=mu)
    for t in range(1, 41):
        p.grad = g
        opt.step()
        assert close(opt.state["momentum_buffer"][0], g * (1 - mu**t) / (1 - mu), 1e-12)
        expected = theta0 - lr * g / (1 - mu) * (t - mu * (1 - mu**t) / (1 - mu))
        assert close(p.data, expected, 1e-12), f"t = {t}"


def test_dampening_on_a_constant_gradient() -> None:
    """b₁ = g, then b ← μb + (1 − d)g: b_t = b* + μᵗ⁻¹(g − b*) with the fixed point b* = (1 − d)g/(1 − μ)."""
    g, mu, d = 3.0, 0.9, 0.4
    p = Value(0.0)
    opt = SGD([p], lr=0.01, momentum=mu, dampening=d)
    fixed = (1 - d) * g / (1 - mu)
    for t in range(1, 30):
        p.grad = g
        opt.step()
        assert close(opt.state["momentum_buffer"][0], fixed + mu ** (t - 1) * (g - fixed), 1e-12)


@pytest.mark.parametrize("mu", [0.5, 0.9])
def test_note_001_momentum_is_pytorchs_form(mu: float) -> None:
    """Note 001: v ← λv − α∇J(θ), θ ← θ + v (v₀ = 0) gives the same path as θ ← θ − α·b with
    b ← μb + ∇J, because v = −α·b (constant α)."""
    alpha, theta = 0.03, [1.0, -1.0]
    v = [0.0, 0.0]
    note_path = []
    for _ in range(80):
        v = [mu * vi - alpha * gi for vi, gi in zip(v, quadratic_grad(theta))]
        theta = [ti + vi for ti, vi in zip(theta, v)]
        note_path.append(theta)
    params = [Value(1.0), Value(-1.0)]
    opt = SGD(params, lr=alpha, momentum=mu)
    ours = descend(opt, params, 80)
    for t, (a, b) in enumerate(zip(ours, note_path), start=1):
        assert close(a[0], b[0], 1e-12) and close(a[1], b[1], 1e-12), f"step {t}: {a} vs note {b}"
    buffer = opt.state["momentum_buffer"]  # the note's velocity is −α times PyTorch's buffer
    assert close(buffer[0], -v[0] / alpha, 1e-10) and close(buffer[1], -v[1] / alpha, 1e-10)


def test_note_001_nesterov_is_pytorchs_form_at_the_look_ahead_point() -> None:
    """Note 001's Nesterov, v ← λv − α∇J(θ + λv), θ ← θ + v, and PyTorch's (g ← g + μb) are the same
    method: PyTorch's parameters are the note's look-ahead points θ + λv."""
    mu, alpha, theta = 0.9, 0.03, [1.0, -1.0]
    v = [0.0, 0.0]
    look_ahead = []
    for _ in range(80):
        g = quadratic_grad([ti + mu * vi for ti, vi in zip(theta, v)])
        v = [mu * vi - alpha * gi for vi, gi in zip(v, g)]
        theta = [ti + vi for ti, vi in zip(theta, v)]
        look_ahead.append([ti + mu * vi for ti, vi in zip(theta, v)])
    params = [Value(1.0), Value(-1.0)]
    ours = descend(SGD(params, lr=alpha, momentum=mu, nesterov=True), params, 80)
    for t, (a, b) in enumerate(zip(ours, look_ahead), start=1):
        assert close(a[0], b[0], 1e-10, 1e-14) and close(a[1], b[1], 1e-10, 1e-14), f"step {t}: {a} vs {b}"


def test_sgd_weight_decay_alone_shrinks_geometrically() -> None:
    """With g = 0: θ ← θ − lr·λθ, so θ_t = θ₀(1 − lr·λ)ᵗ."""
    p = Value(2.0)
    opt = SGD([p], lr=0.1, weight_decay=0.5)
    for _ in range(10):
        opt.zero_grad()
        opt.step()
    assert close(p.data, 2.0 * 0.95**10, 1e-13)


@given(g=finite_floats(-1e3, 1e3), lr=st.floats(1e-3, 1.0), eps=st.sampled_from([1e-10, 1e-6, 0.1]))
def test_adagrad_first_step(g: float, lr: float, eps: float) -> None:
    """r = g², so the first step is lr·g/(|g| + ε) = lr·sign(g)·|g|/(|g| + ε)."""
    p = Value(1.0)
    p.grad = g
    AdaGrad([p], lr=lr, eps=eps).step()
    assert close(1.0 - p.data, lr * math.copysign(1.0, g) * abs(g) / (abs(g) + eps), 1e-12, 1e-15)


def test_adagrad_constant_gradient_with_lr_decay_and_initial_accumulator() -> None:
    """r_t = r₀ + t·g², step t moves by lr/(1 + (t − 1)·decay)·g/(√r_t + ε)."""
    g, lr, decay, r0, eps = 0.7, 0.2, 0.1, 0.3, 1e-10
    p = Value(0.0)
    opt = AdaGrad([p], lr=lr, lr_decay=decay, initial_accumulator_value=r0, eps=eps)
    expected = 0.0
    for t in range(1, 20):
        p.grad = g
        opt.step()
        expected -= lr / (1 + (t - 1) * decay) * g / (math.sqrt(r0 + t * g * g) + eps)
        assert close(p.data, expected, 1e-12)
        assert close(opt.state["sum"][0], r0 + t * g * g, 1e-12)


@given(g=finite_floats(-1e3, 1e3), rho=st.floats(0.0, 0.999))
def test_rmsprop_first_step(g: float, rho: float) -> None:
    """r = (1 − ρ)g², so θ moves by lr·g/(√(1 − ρ)·|g| + ε)."""
    lr, eps = 0.01, 1e-8
    p = Value(0.0)
    p.grad = g
    RMSProp([p], lr=lr, rho=rho, eps=eps).step()
    assert close(p.data, -lr * g / (math.sqrt(1 - rho) * abs(g) + eps), 1e-12, 1e-18)


def test_rmsprop_centered_on_a_constant_gradient_divides_by_about_eps() -> None:
    """A constant gradient has no variance: r − ḡ² = (1 − ρ)g² − ((1 − ρ)g)² = ρ(1 − ρ)g² on step 1."""
    g, rho, lr, eps = 2.0, 0.9, 0.01, 1e-8
    p = Value(0.0)
    p.grad = g
    RMSProp([p], lr=lr, rho=rho, eps=eps, centered=True).step()
    assert close(p.data, -lr * g / (math.sqrt(rho * (1 - rho) * g * g) + eps), 1e-12)


@given(
    g=finite_floats(-1e4, 1e4).filter(lambda g: abs(g) > 1e-2),
    lr=st.floats(1e-4, 0.1),
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.0, 0.9999),
)
def test_adam_first_step_has_size_lr(g: float, lr: float, beta1: float, beta2: float) -> None:
    """m̂ = g and v̂ = g² on step 1, so θ moves by lr·g/(|g| + ε) ≈ lr·sign(g), whatever |g|."""
    p = Value(0.0)
    p.grad = g
    Adam([p], lr=lr, betas=(beta1, beta2)).step()
    assert close(p.data, -lr * g / (abs(g) + 1e-8), 1e-12)
    assert close(abs(p.data), lr, 1e-5)


def test_adam_constant_gradient_moves_lr_every_step() -> None:
    """For a constant g the bias corrections make m̂ = g and v̂ = g² at every step."""
    p = Value(0.0)
    opt = Adam([p], lr=0.01)
    for t in range(1, 50):
        p.grad = -3.0
        opt.step()
        assert close(p.data, 0.01 * t * 3.0 / (3.0 + 1e-8), 1e-10)


def test_amsgrad_keeps_the_largest_second_moment() -> None:
    """After a large gradient, AMSGrad's v_max stays at the largest v while v decays."""
    beta2 = 0.9
    p = Value(0.0)
    opt = Adam([p], lr=0.01, betas=(0.5, beta2), amsgrad=True)
    v = vmax = 0.0
    for g in [10.0, 1.0, 1.0, 0.1, 5.0, 0.1]:
        p.grad = g
        opt.step()
        v = beta2 * v + (1 - beta2) * g * g
        vmax = max(vmax, v)
        assert close(opt.state["exp_avg_sq"][0], v, 1e-12)
        assert close(opt.state["max_exp_avg_sq"][0], vmax, 1e-12)
    assert vmax > v


def test_adam_with_beta1_zero_uses_the_current_gradient_exactly() -> None:
    """β₁ = 0: m = g exactly, even after a huge gradient (torch.lerp's form; start + 1·(end − start)
    would round 1e20 + (1 − 1e20) to 0)."""
    p = Value(0.0)
    opt = Adam([p], lr=0.01, betas=(0.0, 0.9))
    for g in [1e20, 1.0, -3.0]:
        p.grad = g
        opt.step()
        assert opt.state["exp_avg"][0] == g


def test_adamw_decouples_the_decay() -> None:
    """With g = 0, AdamW only shrinks θ by (1 − lr·λ) per step; Adam's L2 decay is rescaled into a
    full-size step of about lr instead."""
    p, q = Value(2.0), Value(2.0)
    adamw, adam = AdamW([p], lr=0.1, weight_decay=0.5), Adam([q], lr=0.1, weight_decay=0.5)
    adamw.zero_grad()
    adam.zero_grad()
    adamw.step()
    adam.step()
    assert p.data == 2.0 * (1 - 0.1 * 0.5)
    assert close(q.data, 2.0 - 0.1 * 1.0 / (1.0 + 1e-8 / 1.0), 1e-12)  # g = λθ = 1: one Adam step of lr


def test_every_optimizer_actually_descends_the_mlp_loss() -> None:
    for opt_cls, kwargs in [
        (SGD, {"lr": 0.1, "momentum": 0.9}),
        (AdaGrad, {"lr": 0.1}),
        (Adam, {"lr": 0.02}),
    ]:
        params, loss, _ = mlp_problem()
        opt = opt_cls(params, **kwargs)
        first = loss().data
        for _ in range(40):
            opt.zero_grad()
            e = loss()
            e.backward()
            opt.step()
        assert e.data < first / 4, opt_cls.__name__


# ------------------------------------------------------------ behaviour at the edges
def test_zero_grad_sets_every_gradient_to_zero() -> None:
    params, loss, _ = mlp_problem()
    opt = SGD(params, lr=0.1)
    loss().backward()
    assert any(p.grad != 0.0 for p in params)
    opt.zero_grad()
    assert all(p.grad == 0.0 and type(p.grad) is float for p in params)


def test_gradients_accumulate_without_zero_grad() -> None:
    """Two backward() calls double the gradient, so the plain SGD step doubles."""
    x = Value(3.0)
    opt = SGD([x], lr=0.1)
    for _ in range(2):
        (x * x).backward()  # ∂/∂x = 6 each time
    opt.step()
    assert close(x.data, 3.0 - 0.1 * 12.0)


def test_params_can_be_any_iterable_and_are_stored_as_a_list() -> None:
    params = [Value(1.0), Value(2.0)]
    opt = SGD(iter(params), lr=0.5)
    assert opt.params == params
    for p in params:
        p.grad = 1.0
    opt.step()
    assert [p.data for p in params] == [0.5, 1.5]


def test_a_graph_gradient_is_read_through_its_data() -> None:
    """After backward(create_graph=True) .grad is a Value; the optimizer steps with its .data."""
    x = Value(2.0)
    (x**3).backward(create_graph=True)
    assert isinstance(x.grad, Value)
    SGD([x], lr=0.01).step()
    assert close(x.data, 2.0 - 0.01 * 12.0)


@pytest.mark.parametrize("cls", [SGD, AdaGrad, RMSProp, Adam, AdamW])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_gradients_step_anyway_ieee(cls: type[Optimizer], bad: float) -> None:
    """No exception: the parameter with the bad gradient follows IEEE 754 (nan or ±inf); the others
    are updated normally."""
    p, q = Value(1.0), Value(1.0)
    p.grad, q.grad = bad, 0.5
    cls([p, q], lr=0.1).step()
    assert not math.isfinite(p.data)
    assert math.isfinite(q.data) and q.data < 1.0


@pytest.mark.parametrize("cls", [SGD, AdaGrad, RMSProp, Adam, AdamW])
def test_a_none_gradient_is_refused_naming_the_parameter_and_nothing_changes(cls: type[Optimizer]) -> None:
    """PyTorch skips a parameter whose .grad is None; the engine has no such state (backward() leaves 0.0
    on a parameter it does not reach), so None is a mistake: refused before anything moves."""
    params = [Value(1.0), Value(2.0)]
    opt = cls(params, lr=0.1)
    params[0].grad, params[1].grad = 0.5, -1.0
    opt.step()
    before, data = opt.state_dict(), [p.data for p in params]
    params[1].grad = None
    message = (
        rf"^{cls.__name__}\.step: params\[1\]\.grad must be a real number \(backward\(\) sets it; "
        r"a parameter without a gradient has 0\.0, never None\), got NoneType None$"
    )
    with pytest.raises(TypeError, match=message):
        opt.step()
    assert opt.state_dict() == before and [p.data for p in params] == data


@pytest.mark.parametrize(
    ("spoil", "error", "message"),
    [
        (
            lambda ps, o: setattr(ps[0], "grad", 10**400),
            ValueError,
            r"params\[0\]\.grad must be .* within float range",
        ),
        (
            lambda ps, o: setattr(ps[1], "grad", "1"),
            TypeError,
            r"params\[1\]\.grad must be a real number .*got str",
        ),
        (lambda ps, o: setattr(ps[1], "grad", [1.0]), TypeError, r"params\[1\]\.grad must be a real number"),
        (
            lambda ps, o: setattr(ps[0], "data", Decimal("1e400")),
            ValueError,
            r"params\[0\]\.data must be .* float range",
        ),
        (
            lambda ps, o: setattr(ps[1], "data", None),
            TypeError,
            r"params\[1\]\.data must be a real number, got NoneType",
        ),
        (
            lambda ps, o: setattr(o, "lr", 10**400),
            ValueError,
            r"lr must be a finite number >= 0 within float range",
        ),
        (
            lambda ps, o: setattr(o, "lr", -0.1),
            ValueError,
            r"lr must be a finite number >= 0, got float -0.1$",
        ),
        (
            lambda ps, o: setattr(o, "lr", math.nan),
            ValueError,
            r"lr must be a finite number >= 0, got float nan$",
        ),
        (lambda ps, o: o.params.append(1.0), TypeError, r"params\[2\] must be a Value, got float 1.0$"),
    ],
)
def test_step_checks_what_it_reads_and_a_refused_step_changes_nothing(
    spoil: Callable[[list[Value], Optimizer], None], error: type[Exception], message: str
) -> None:
    params = [Value(1.0), Value(2.0)]
    opt = Adam(params, lr=0.1)
    for p in params:
        p.grad = 1.0
    spoil(params, opt)
    before = (repr(opt.state_dict()), [short(p.data) for p in params], [short(p.grad) for p in params])
    with pytest.raises(error, match=r"^Adam\.step: " + message):
        opt.step()
    assert (
        repr(opt.state_dict()),
        [short(p.data) for p in params],
        [short(p.grad) for p in params],
    ) == before


def test_zero_grad_checks_the_parameter_list_first() -> None:
    params = [Value(1.0), Value(2.0)]
    for p in params:
        p.grad = 3.0
    opt = SGD(params, lr=0.1)
    opt.params.append("w")
    with pytest.raises(TypeError, match=r"^SGD\.zero_grad: params\[2\] must be a Value, got str 'w'$"):
        opt.zero_grad()
    assert [p.grad for p in params] == [3.0, 3.0]


def test_step_takes_numbers_of_any_real_type_set_by_hand() -> None:
    """A .grad, .data or lr set by hand to an int, a Fraction, a Decimal or a numpy scalar is its float."""
    p, q = Value(1.0), Value(1.0)
    opt = SGD([p, q], lr=0.5)
    p.grad, q.grad, p.data, q.data, opt.lr = (
        Fraction(1, 2),
        np.float32(2.0),
        3,
        Decimal("0.5"),
        Fraction(1, 4),
    )
    opt.step()
    assert (p.data, q.data, opt.lr) == (3 - 0.25 * 0.5, 0.5 - 0.25 * 2.0, 0.25)
    assert type(p.data) is float and type(q.data) is float and type(opt.lr) is float


def test_a_schedule_may_set_lr_to_zero_and_step_accepts_it() -> None:
    p = Value(1.0)
    opt = SGD([p], lr=0.1)
    ConstantLR(opt, factor=0.0, total_iters=2)
    p.grad = 1.0
    opt.step()
    assert opt.lr == 0.0 and p.data == 1.0


@pytest.mark.parametrize(
    ("make", "check"),
    [
        (lambda: SGD(one(), lr=True), lambda o: o.lr == 1.0),  # a bool is the number 0 or 1
        (
            lambda: SGD(one(), lr=Fraction(1, 10), momentum=np.float64(0.9)),
            lambda o: (o.lr, o.momentum) == (0.1, 0.9),
        ),
        (
            lambda: SGD(one(), lr=Decimal("0.1"), nesterov=np.bool_(True), momentum=0.5),
            lambda o: o.nesterov is True,
        ),
        (lambda: Adam(one(), betas=[np.float32(0.5), Fraction(9, 10)]), lambda o: o.betas == (0.5, 0.9)),
        (
            lambda: AdaGrad(one(), lr=np.longdouble("0.25"), eps=5e-324),
            lambda o: (o.lr, o.eps) == (0.25, 5e-324),
        ),
        (lambda: RMSProp(one(), lr=1e308, rho=np.int64(1)), lambda o: (o.lr, o.rho) == (1e308, 1.0)),
        (lambda: StepLR(sgd(), step_size=np.int64(2), gamma=Fraction(1, 2)), lambda s: s.step_size == 2),
        (
            lambda: ConstantLR(sgd(), factor=np.float64(0.5), total_iters=np.int8(3)),
            lambda s: s.total_iters == 3,
        ),
        (lambda: InverseTimeLR(sgd(), tau=5e-324), lambda s: s.get_last_lr() == 0.4),
        (lambda: ExponentialLR(sgd(), k=1e308), lambda s: s.get_last_lr() == 0.4),
    ],
)
def test_any_real_type_is_a_number_for_every_hyper_parameter(
    make: Callable[[], Any], check: Callable[[Any], bool]
) -> None:
    thing = make()
    assert check(thing)
    if isinstance(thing, Optimizer):
        for p in thing.params:
            p.grad = 1.0
        thing.step()  # extreme but valid hyper-parameters step under IEEE 754, without exceptions


@requires_torch
@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (AdaGrad, {"lr": 0.1, "eps": 0.0}),
        (RMSProp, {"lr": 0.1, "eps": 0.0}),
        (Adam, {"lr": 0.1, "eps": 0.0}),
        (RMSProp, {"lr": 0.1, "eps": 0.0, "momentum": 0.9}),
    ],
)
@pytest.mark.parametrize("grads", [[0.0, 0.0], [math.inf, 1.0], [math.nan, -2.0], [1.0, -math.inf]])
def test_zero_and_non_finite_cases_match_torch(
    cls: type[Optimizer], kwargs: dict[str, Any], grads: list[float]
) -> None:
    """eps = 0 with a zero gradient is 0/0 = nan, as in PyTorch (Python alone would raise)."""
    p = Value(1.0)
    leaf = torch.tensor(1.0, dtype=torch.float64)
    opt = cls([p], **kwargs)
    topt = getattr(torch.optim, TORCH_NAMES[cls])([leaf], foreach=False, **torch_kwargs(kwargs))
    for g in grads:
        p.grad = g
        leaf.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        topt.step()
        assert close(p.data, leaf.item(), 1e-14), f"after g = {g}: ours {p.data!r}, torch {leaf.item()!r}"


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
        (AdaGrad, {"lr": 0.1, "lr_decay": 0.1}),
        (RMSProp, {"lr": 0.01, "centered": True, "momentum": 0.5}),
        (Adam, {"lr": 0.01, "amsgrad": True}),
        (AdamW, {"lr": 0.01}),
    ],
)
def test_state_dict_round_trip_resumes_exactly(cls: type[Optimizer], kwargs: dict[str, Any]) -> None:
    """10 steps straight = 5 steps, save, restore into a fresh optimizer, 5 more steps (bit for bit)."""
    params = [Value(1.0), Value(-1.0)]
    straight = descend(cls(params, **kwargs), params, 10)

    params = [Value(1.0), Value(-1.0)]
    first = cls(params, **kwargs)
    descend(first, params, 5)
    saved = first.state_dict()
    descend(first, params, 1)  # the saved copy must not change with the optimizer
    params = [Value(x) for x in straight[4]]
    second = cls(params, **kwargs)
    second.load_state_dict(saved)
    assert second.steps == 5 and second.lr == kwargs["lr"]
    assert descend(second, params, 5) == straight[5:]


def adam_after_a_step() -> Adam:
    params = [Value(1.0), Value(-1.0)]
    params[0].grad, params[1].grad = 0.5, -2.0
    opt = Adam(params, lr=0.01, amsgrad=True)
    opt.step()
    return opt


def good_state(**changes: Any) -> dict[str, Any]:
    return {**adam_after_a_step().state_dict(), **changes}


def good_entries(**changes: Any) -> dict[str, Any]:
    return good_state(state={**adam_after_a_step().state_dict()["state"], **changes})


LOAD = r"^Adam\.load_state_dict: "


@pytest.mark.parametrize(
    ("saved", "error", "message"),
    [
        ([], TypeError, LOAD + r"state_dict must be a dict returned by state_dict\(\), got list \[\]$"),
        (
            {"lr": 0.1, 10**5000: 1},
            ValueError,
            LOAD
            + r"state_dict must be a dict with the keys 'optimizer', 'lr', 'steps', 'state' \(as returned "
            r"by state_dict\(\)\), got a dict with the keys \['lr', an integer of 16610 bits\]$",
        ),
        (
            good_state(optimizer="SGD"),
            ValueError,
            LOAD + r"state_dict\['optimizer'\] must be 'Adam' \(the state of this kind of optimizer\), "
            r"got str 'SGD'$",
        ),
        (
            good_state(optimizer=None),
            TypeError,
            LOAD + r"state_dict\['optimizer'\] must be the name 'Adam', got",
        ),
        (
            good_state(lr=10**400),
            ValueError,
            LOAD + r"state_dict\['lr'\] must be a finite number >= 0 within float range .*, "
            r"got an integer of 1329 bits$",
        ),
        (
            good_state(lr=math.nan),
            ValueError,
            LOAD + r"state_dict\['lr'\] must be a finite number >= 0, got float nan$",
        ),
        (
            good_state(lr=-0.1),
            ValueError,
            LOAD + r"state_dict\['lr'\] must be a finite number >= 0, got float -0.1$",
        ),
        (
            good_state(lr="0.1"),
            TypeError,
            LOAD + r"state_dict\['lr'\] must be a finite number >= 0, got str '0.1'$",
        ),
        (
            good_state(steps=-1),
            ValueError,
            LOAD + r"state_dict\['steps'\] must be an integer in \[0, 9007199254740992\], got int -1$",
        ),
        (
            good_state(steps=10**5000),
            ValueError,
            LOAD + r"state_dict\['steps'\] must be an integer in \[0, 9007199254740992\], "
            r"got an integer of 16610 bits$",
        ),
        (
            good_state(steps=2.0),
            TypeError,
            LOAD + r"state_dict\['steps'\] must be an integer .*, got float 2.0$",
        ),
        (
            good_state(steps=True),
            TypeError,
            LOAD + r"state_dict\['steps'\] must be an integer .*, got bool True$",
        ),
        (
            good_state(state=[]),
            TypeError,
            LOAD + r"state_dict\['state'\] must be a dict of lists of numbers, got list",
        ),
        (
            good_state(state={"exp_avg": [0.0, 0.0]}),
            ValueError,
            LOAD + r"state_dict\['state'\] must be a dict with the entries "
            r"\['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'\] \(this optimizer's\), "
            r"got a dict with the entries \['exp_avg'\]$",
        ),
        (
            good_entries(exp_avg=0.5),
            TypeError,
            LOAD + r"state_dict\['state'\]\['exp_avg'\] must be a list of 2 numbers \(one per parameter\), "
            r"got float 0.5$",
        ),
        (
            good_entries(exp_avg=[0.0, 0.0, 0.0]),
            ValueError,
            LOAD + r"state_dict\['state'\]\['exp_avg'\] must be a list of 2 numbers \(one per parameter\), "
            r"got a list of 3$",
        ),
        (
            good_entries(exp_avg=[0.0, 10**400]),
            ValueError,
            LOAD + r"state_dict\['state'\]\['exp_avg'\]\[1\] must be a number within float range .*, "
            r"got an integer of 1329 bits$",
        ),
        (
            good_entries(exp_avg=[Fraction(10**400, 3), 0.0]),
            ValueError,
            LOAD + r"state_dict\['state'\]\['exp_avg'\]\[0\] must be a number within float range",
        ),
        (
            good_entries(exp_avg=[[0.0], 0.0]),
            TypeError,
            LOAD + r"state_dict\['state'\]\['exp_avg'\]\[0\] must be a number, got list \[0.0\]$",
        ),
        (
            good_entries(exp_avg=[0.0, Value(1.0)]),
            TypeError,
            LOAD + r"state_dict\['state'\]\['exp_avg'\]\[1\] must be a number, got a Value",
        ),
        (
            good_entries(exp_avg_sq=[1.0, -1.0]),
            ValueError,
            LOAD + r"state_dict\['state'\]\['exp_avg_sq'\]\[1\] must be a number >= 0, got float -1.0$",
        ),
        (
            good_entries(max_exp_avg_sq=[-math.inf, 1.0]),
            ValueError,
            LOAD + r"state_dict\['state'\]\['max_exp_avg_sq'\]\[0\] must be a number >= 0, got float -inf$",
        ),
    ],
)
def test_load_state_dict_refuses_bad_entries_and_changes_nothing(
    saved: Any, error: type[Exception], message: str
) -> None:
    opt = adam_after_a_step()
    before = opt.state_dict()
    with pytest.raises(error, match=message):
        opt.load_state_dict(saved)
    assert opt.state_dict() == before


def test_load_state_dict_takes_any_real_numbers_and_non_finite_state() -> None:
    """nan and ±inf reach the state after a non-finite gradient (IEEE 754), so they round-trip; numbers
    of any real type are stored as floats."""
    opt = adam_after_a_step()
    saved = good_entries(exp_avg=[math.nan, -math.inf], exp_avg_sq=[Decimal("0.25"), math.inf])
    saved["steps"], saved["lr"] = np.int64(7), Fraction(1, 8)
    opt.load_state_dict(saved)
    assert opt.steps == 7 and type(opt.steps) is int and opt.lr == 0.125
    assert math.isnan(opt.state["exp_avg"][0]) and opt.state["exp_avg"][1] == -math.inf
    assert opt.state["exp_avg_sq"] == [0.25, math.inf] and type(opt.state["exp_avg_sq"][0]) is float


def test_load_state_dict_checks_the_state_of_sgd_too() -> None:
    opt = SGD([Value(1.0), Value(2.0)], lr=0.1, momentum=0.9)
    good = opt.state_dict()
    with pytest.raises(ValueError, match=r"^SGD\.load_state_dict: state_dict\['optimizer'\] must be 'SGD'"):
        opt.load_state_dict({**good, "optimizer": "Adam"})
    with pytest.raises(
        ValueError,
        match=r"must be a dict with the entries \['momentum_buffer'\] .*, "
        r"got a dict with the entries \['sum'\]",
    ):
        opt.load_state_dict({**good, "state": {"sum": [0.0, 0.0]}})
    opt.load_state_dict({**good, "state": {"momentum_buffer": (-1.0, 2)}})  # a tuple, and negative: fine
    assert opt.state["momentum_buffer"] == [-1.0, 2.0]


def test_repr_shows_the_hyper_parameters() -> None:
    assert repr(SGD([Value(0.0)], lr=0.1, momentum=0.9)) == (
        "SGD(1 parameters, lr=0.1, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0)"
    )
    assert repr(Adam([Value(0.0)], lr=0.01)).startswith("Adam(1 parameters, lr=0.01, betas=(0.9, 0.999)")


# ------------------------------------------------------------ bad arguments
def one() -> list[Value]:
    return [Value(1.0)]


SHARED = Value(1.0)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: SGD(one(), lr=0.0), ValueError, r"^SGD: lr must be a finite number > 0, got float 0.0$"),
        (lambda: SGD(one(), lr=-0.1), ValueError, r"^SGD: lr must be a finite number > 0, got float -0.1$"),
        (
            lambda: Adam(one(), lr=math.nan),
            ValueError,
            r"^Adam: lr must be a finite number > 0, got float nan$",
        ),
        (
            lambda: AdaGrad(one(), lr=math.inf),
            ValueError,
            r"^AdaGrad: lr must be a finite number > 0, got float inf$",
        ),
        (lambda: SGD(one(), lr="0.1"), TypeError, r"^SGD: lr must be a finite number > 0, got str '0.1'$"),
        (
            lambda: SGD(one(), lr=10**400),
            ValueError,
            r"^SGD: lr must be a finite number > 0 within float range \(\|x\| < 1.8e308\), "
            r"got an integer of 1329 bits$",
        ),
        (
            lambda: Adam(one(), lr=Fraction(10**400, 3)),
            ValueError,
            r"^Adam: lr must be a finite number > 0 within float range",
        ),
        (
            lambda: SGD(one(), lr=0.1, momentum=-0.5),
            ValueError,
            r"^SGD: momentum must be a finite number >= 0, got float -0.5$",
        ),
        (
            lambda: SGD(one(), lr=0.1, weight_decay=-1),
            ValueError,
            r"^SGD: weight_decay must be a finite number >= 0, got int -1$",
        ),
        (
            lambda: SGD(one(), lr=0.1, dampening=2),
            ValueError,
            r"^SGD: dampening must be a finite number in \[0, 1\], got int 2$",
        ),
        (
            lambda: SGD(one(), lr=0.1, nesterov=True),
            ValueError,
            r"^SGD: momentum must be > 0 with nesterov=True, got float 0.0$",
        ),
        (
            lambda: SGD(one(), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            r"^SGD: dampening must be 0 with nesterov=True, got float 0.1$",
        ),
        (
            lambda: SGD(one(), lr=0.1, nesterov=1),
            TypeError,
            r"^SGD: nesterov must be True or False, got int 1$",
        ),
        (
            lambda: SGD([], lr=0.1),
            ValueError,
            r"^SGD: params must be a non-empty iterable of Values \(e.g. model.parameters\(\)\), "
            r"got an empty list$",
        ),
        (
            lambda: Adam((p for p in []), lr=0.1),
            ValueError,
            r"^Adam: params must be a non-empty iterable of Values .*, "
            r"got an empty generator \(already used up\?\)$",
        ),
        (
            lambda: SGD([Value(1.0), 2.0], lr=0.1),
            TypeError,
            r"^SGD: params\[1\] must be a Value, got float 2.0$",
        ),
        (
            lambda: SGD(Value(1.0), lr=0.1),
            TypeError,
            r"^SGD: params must be an iterable of Values \(for one, use \[value\]\), got a single Value$",
        ),
        (
            lambda: SGD(MLP(1, [1]), lr=0.1),
            TypeError,
            r"^SGD: params must be an iterable of Values \(did you mean model.parameters\(\)\?\), got MLP",
        ),
        (
            lambda: SGD(10**5000, lr=0.1),
            TypeError,
            r"^SGD: params must be an iterable of Values, got an integer",
        ),
        (
            lambda: SGD([SHARED, SHARED], lr=0.1),
            ValueError,
            r"^SGD: params\[1\] must be a Value not already in params, got the same Value as params\[0\]$",
        ),
        (
            lambda: AdaGrad(one(), lr_decay=-1),
            ValueError,
            r"^AdaGrad: lr_decay must be a finite number >= 0, got int -1$",
        ),
        (
            lambda: AdaGrad(one(), eps=-1e-10),
            ValueError,
            r"^AdaGrad: eps must be a finite number >= 0, got float -1e-10$",
        ),
        (
            lambda: AdaGrad(one(), initial_accumulator_value=-1),
            ValueError,
            r"^AdaGrad: initial_accumulator_value must be a finite number >= 0, got int -1$",
        ),
        (
            lambda: RMSProp(one(), rho=1.5),
            ValueError,
            r"^RMSProp: rho must be a finite number in \[0, 1\], got float 1.5$",
        ),
        (
            lambda: RMSProp(one(), momentum=-0.1),
            ValueError,
            r"^RMSProp: momentum must be a finite number >= 0, got float -0.1$",
        ),
        (
            lambda: RMSProp(one(), centered=1),
            TypeError,
            r"^RMSProp: centered must be True or False, got int 1$",
        ),
        (
            lambda: Adam(one(), betas=(1.0, 0.999)),
            ValueError,
            r"^Adam: betas\[0\] must be a finite number in \[0, 1\), got float 1.0$",
        ),
        (
            lambda: Adam(one(), betas=(0.9, -0.1)),
            ValueError,
            r"^Adam: betas\[1\] must be a finite number in \[0, 1\), got float -0.1$",
        ),
        (
            lambda: Adam(one(), betas=(0.9, math.nan)),
            ValueError,
            r"^Adam: betas\[1\] must be a finite number in \[0, 1\), got float nan$",
        ),
        (
            lambda: Adam(one(), betas=(0.9, Decimal("1e400"))),
            ValueError,
            r"^Adam: betas\[1\] must be a finite number in \[0, 1\) within float range",
        ),
        (
            lambda: Adam(one(), betas=0.9),
            TypeError,
            r"^Adam: betas must be a pair \(beta1, beta2\), got float 0.9$",
        ),
        (
            lambda: Adam(one(), betas=(0.9,)),
            ValueError,
            r"^Adam: betas must be a pair \(beta1, beta2\), got tuple \(0.9,\)$",
        ),
        (
            lambda: AdamW(one(), weight_decay=-0.01),
            ValueError,
            r"^AdamW: weight_decay must be a finite number >= 0, got float -0.01$",
        ),
        (
            lambda: Adam(one(), amsgrad="yes"),
            TypeError,
            r"^Adam: amsgrad must be True or False, got str 'yes'$",
        ),
        (
            lambda: Optimizer(one(), lr=0.1),
            TypeError,
            r"^Optimizer: the class must be a subclass that implements _update\(grads\) "
            r"\(SGD, AdaGrad, RMSProp, Adam and AdamW do\), got Optimizer itself$",
        ),
    ],
)
def test_bad_optimizer_arguments(make: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


# ------------------------------------------------------------ learning-rate schedules
def lrs(sched: LRScheduler, steps: int) -> list[float]:
    """lr for t = 0 (set by the constructor) .. steps, read from the optimizer."""
    out = [sched.optimizer.lr]
    for _ in range(steps):
        sched.step()
        assert sched.get_last_lr() == sched.optimizer.lr
        out.append(sched.optimizer.lr)
    return out


def sgd(lr: float = 0.4) -> SGD:
    return SGD([Value(0.0)], lr=lr)


@pytest.mark.parametrize(
    ("make", "closed_form"),
    [
        (lambda o: ConstantLR(o), lambda t: 0.4),
        (lambda o: ConstantLR(o, factor=0.25, total_iters=3), lambda t: 0.1 if t < 3 else 0.4),
        (lambda o: StepLR(o, step_size=3, gamma=0.5), lambda t: 0.4 * 0.5 ** (t // 3)),
        (lambda o: StepLR(o, step_size=1, gamma=0.9), lambda t: 0.4 * 0.9**t),
        (lambda o: ExponentialLR(o, k=0.1), lambda t: 0.4 * math.exp(-0.1 * t)),
        (lambda o: ExponentialLR(o, k=0.0), lambda t: 0.4),
        (lambda o: InverseTimeLR(o, tau=4), lambda t: 0.4 * 4 / max(t, 4)),
        (lambda o: InverseTimeLR(o, tau=2.5), lambda t: 0.4 * 2.5 / max(t, 2.5)),
        (lambda o: LambdaLR(o, lambda t: 0.95**t), lambda t: 0.4 * 0.95**t),
    ],
)
def test_schedule_closed_forms(
    make: Callable[[SGD], LRScheduler], closed_form: Callable[[int], float]
) -> None:
    sched = make(sgd())
    assert sched.base_lr == 0.4
    for t, lr in enumerate(lrs(sched, 30)):
        assert close(lr, closed_form(t), 1e-13), f"t = {t}: {lr} vs {closed_form(t)}"


def test_note_002_inverse_time_is_constant_until_tau() -> None:
    """α(t) = α₀τ/max(t, τ): exactly α₀ for t ≤ τ, then α₀τ/t."""
    values = lrs(InverseTimeLR(sgd(0.3), tau=10), 40)
    assert values[:11] == [0.3] * 11
    assert all(close(values[t], 0.3 * 10 / t, 1e-15) for t in range(11, 41))


def test_exponential_k_is_torchs_gamma() -> None:
    """α₀e^{−kt} = α₀γᵗ with γ = e^{−k}."""
    sched = ExponentialLR(sgd(), k=0.3)
    assert sched.gamma == math.exp(-0.3)
    assert all(close(lr, 0.4 * sched.gamma**t, 1e-13) for t, lr in enumerate(lrs(sched, 50)))


@requires_torch
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda o: StepLR(o, 4, 0.3), lambda o: torch.optim.lr_scheduler.StepLR(o, 4, 0.3)),
        (lambda o: StepLR(o, 1, 0.9), lambda o: torch.optim.lr_scheduler.StepLR(o, 1, 0.9)),
        (
            lambda o: ExponentialLR(o, k=0.2),
            lambda o: torch.optim.lr_scheduler.ExponentialLR(o, math.exp(-0.2)),
        ),
        (
            lambda o: LambdaLR(o, lambda t: 1 / (1 + t)),
            lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + t)),
        ),
        (
            lambda o: InverseTimeLR(o, tau=3),
            lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 3 / max(t, 3)),
        ),
        (
            lambda o: ConstantLR(o, factor=0.5, total_iters=4),
            lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=4),
        ),
        (
            lambda o: ConstantLR(o),
            lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=1.0, total_iters=0),
        ),
    ],
)
def test_schedules_match_torch(ours: Callable[[SGD], LRScheduler], theirs: Callable[[Any], Any]) -> None:
    """The same lr at every epoch as torch.optim.lr_scheduler (which multiplies step by step, hence
    agreement to rounding rather than bit for bit)."""
    topt = torch.optim.SGD([torch.zeros((), dtype=torch.float64, requires_grad=True)], lr=0.4)
    tsched = theirs(topt)
    sched = ours(sgd(0.4))
    assert close(sched.get_last_lr(), tsched.get_last_lr()[0], 1e-15)
    for t in range(1, 60):
        topt.step()  # torch wants optimizer.step() before scheduler.step()
        tsched.step()
        sched.step()
        assert close(sched.get_last_lr(), tsched.get_last_lr()[0], 1e-12), f"t = {t}"


def test_schedule_changes_the_optimizers_step_size() -> None:
    """A constant gradient g makes every SGD step −lr_t·g: the steps follow the schedule."""
    p = Value(0.0)
    opt = SGD([p], lr=0.8)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    moves = []
    for _ in range(6):
        before = p.data
        p.grad = 1.0
        opt.step()
        sched.step()
        moves.append(before - p.data)
    assert [round(m, 12) for m in moves] == [0.8, 0.8, 0.4, 0.4, 0.2, 0.2]


def test_schedule_also_drives_adaptive_optimizers() -> None:
    """Adam's step is ≈ lr for a constant gradient, so it halves when the schedule halves lr."""
    p = Value(0.0)
    opt = Adam([p], lr=0.1)
    sched = StepLR(opt, step_size=3, gamma=0.5)
    moves = []
    for _ in range(6):
        before = p.data
        p.grad = 2.0
        opt.step()
        sched.step()
        moves.append(before - p.data)
    assert all(close(m, lr, 1e-8) for m, lr in zip(moves, [0.1] * 3 + [0.05] * 3))


def test_lambda_schedule_is_applied_at_construction() -> None:
    """As in PyTorch, constructing the schedule applies fn(0)."""
    opt = sgd(1.0)
    sched = LambdaLR(opt, lambda t: 0.5 + t)
    assert opt.lr == 0.5 and sched.last_epoch == 0 and sched.get_last_lr() == 0.5


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: StepLR(sgd(), step_size=0),
            ValueError,
            r"^StepLR: step_size must be an integer >= 1, got int 0$",
        ),
        (
            lambda: StepLR(sgd(), step_size=2.5),
            TypeError,
            r"^StepLR: step_size must be an integer >= 1, got float 2.5$",
        ),
        (
            lambda: StepLR(sgd(), step_size=True),
            TypeError,
            r"^StepLR: step_size must be an integer >= 1, got bool True$",
        ),
        (
            lambda: StepLR(sgd(), 2, gamma=0.0),
            ValueError,
            r"^StepLR: gamma must be a finite number in \(0, 1\], got float 0.0$",
        ),
        (
            lambda: StepLR(sgd(), 2, gamma=1.5),
            ValueError,
            r"^StepLR: gamma must be a finite number in \(0, 1\], got float 1.5$",
        ),
        (
            lambda: ExponentialLR(sgd(), k=-0.1),
            ValueError,
            r"^ExponentialLR: k must be a finite number >= 0, got float -0.1$",
        ),
        (
            lambda: ExponentialLR(sgd(), k=math.nan),
            ValueError,
            r"^ExponentialLR: k must be a finite number >= 0, got float nan$",
        ),
        (
            lambda: ExponentialLR(sgd(), k=10**400),
            ValueError,
            r"^ExponentialLR: k must be a finite number >= 0 within float range .*, "
            r"got an integer of 1329 bits$",
        ),
        (
            lambda: InverseTimeLR(sgd(), tau=0),
            ValueError,
            r"^InverseTimeLR: tau must be a finite number > 0, got int 0$",
        ),
        (
            lambda: InverseTimeLR(sgd(), tau=-2),
            ValueError,
            r"^InverseTimeLR: tau must be a finite number > 0, got int -2$",
        ),
        (
            lambda: LambdaLR(sgd(), 0.5),
            TypeError,
            r"^LambdaLR: fn must be a function of the epoch, got float 0.5$",
        ),
        (
            lambda: LambdaLR(sgd(), lambda t: -1.0),
            ValueError,
            r"^LambdaLR: fn\(0\) must be a finite number >= 0, got float -1.0$",
        ),
        (
            lambda: LambdaLR(sgd(), lambda t: "x"),
            TypeError,
            r"^LambdaLR: fn\(0\) must be a finite number >= 0, got str 'x'$",
        ),
        (
            lambda: LambdaLR(sgd(), lambda t: 10**400),
            ValueError,
            r"^LambdaLR: fn\(0\) must be a finite number >= 0 within float range",
        ),
        (
            lambda: LambdaLR(SGD(one(), lr=1e10), lambda t: 1e300),
            ValueError,
            r"^LambdaLR: fn\(0\) must be small enough that base_lr·fn\(0\) is finite \(base_lr = 1e\+10\), "
            r"got float 1e\+300$",
        ),
        (
            lambda: ConstantLR(sgd(), factor=2.0),
            ValueError,
            r"^ConstantLR: factor must be a finite number in \[0, 1\], got float 2.0$",
        ),
        (
            lambda: ConstantLR(sgd(), total_iters=-1),
            ValueError,
            r"^ConstantLR: total_iters must be an integer >= 0, got int -1$",
        ),
        (
            lambda: StepLR("opt", 2),
            TypeError,
            r"^StepLR: optimizer must be an optimizer from tinygrad_edu.optim \(SGD, Adam, ...\), "
            r"got str 'opt'$",
        ),
        (
            lambda: LRScheduler(sgd()),
            TypeError,
            r"^LRScheduler: the class must be a subclass that implements lr_at\(t\) .*, "
            r"got LRScheduler itself$",
        ),
    ],
)
def test_bad_schedule_arguments(make: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda o: ConstantLR(o, 0.5, 3),
        lambda o: StepLR(o, 3, 0.5),
        lambda o: ExponentialLR(o, 0.1),
        lambda o: InverseTimeLR(o, 4),
        lambda o: LambdaLR(o, lambda t: 1 / (1 + t)),
    ],
)
def test_lr_at_checks_the_epoch(make: Callable[[SGD], LRScheduler]) -> None:
    """t is an integer in [0, 2⁵³] (every one exact as a float); 2⁵³ itself works without overflow."""
    sched = make(sgd())
    name = type(sched).__name__
    assert math.isfinite(sched.lr_at(2**53)) and sched.lr_at(np.int64(3)) == sched.lr_at(3)
    for t, error, received in [
        (-1, ValueError, "int -1"),
        (2**53 + 1, ValueError, "int 9007199254740993"),
        (10**5000, ValueError, "an integer of 16610 bits"),
        (2.0, TypeError, "float 2.0"),
        (True, TypeError, "bool True"),
        (None, TypeError, "NoneType None"),
    ]:
        with pytest.raises(
            error, match=rf"^{name}\.lr_at: t must be an integer in \[0, 9007199254740992\], got {received}$"
        ):
            sched.lr_at(t)


def test_a_lambda_whose_product_with_the_base_lr_overflows_is_refused_at_that_epoch() -> None:
    opt = SGD(one(), lr=1e10)
    sched = LambdaLR(opt, lambda t: 1.0 if t < 1 else 1e300)
    with pytest.raises(
        ValueError, match=r"^LambdaLR: fn\(1\) must be small enough that base_lr·fn\(1\) is finite"
    ):
        sched.step()
    assert sched.last_epoch == 0 and opt.lr == 1e10 and sched.get_last_lr() == 1e10


def test_a_schedule_reads_the_optimizers_lr_checked() -> None:
    opt = sgd()
    opt.lr = 10**400
    with pytest.raises(
        ValueError, match=r"^StepLR: optimizer.lr must be a finite number >= 0 within float range"
    ):
        StepLR(opt, 2)
    opt.lr = Fraction(1, 2)
    assert StepLR(opt, 2).base_lr == 0.5


def test_lambda_failing_later_names_the_epoch() -> None:
    sched = LambdaLR(sgd(), lambda t: 1.0 if t < 2 else math.inf)
    sched.step()
    with pytest.raises(ValueError, match=r"^LambdaLR: fn\(2\) must be a finite number >= 0, got float inf$"):
        sched.step()
    assert sched.last_epoch == 1 and sched.optimizer.lr == 0.4  # the refused step changed nothing


# ------------------------------------------------------------ gradient clipping
def with_grads(grads: list[float]) -> list[Value]:
    params = [Value(0.0) for _ in grads]
    for p, g in zip(params, grads):
        p.grad = g
    return params


def torch_with_grads(grads: list[float]) -> list[Any]:
    leaves = [torch.zeros((), dtype=torch.float64, requires_grad=True) for _ in grads]
    for leaf, g in zip(leaves, grads):
        leaf.grad = torch.tensor(g, dtype=torch.float64)
    return leaves


GRADS = st.lists(finite_floats(-1e3, 1e3), min_size=1, max_size=10)
NORM_TYPES = st.sampled_from([2.0, 1.0, 3.0, 0.5, math.inf])


@given(grads=GRADS, max_norm=st.floats(1e-3, 1e3))
def test_clip_grad_norm_closed_form(grads: list[float], max_norm: float) -> None:
    """‖g‖ = √Σg², returned; every g scaled by min(1, max_norm/(‖g‖ + 1e-6)): same direction, and the
    new norm is ≤ max_norm."""
    params = with_grads(grads)
    norm = math.sqrt(math.fsum(g * g for g in grads))
    assert close(clip_grad_norm(params, max_norm), norm, 1e-14)
    scale = min(1.0, max_norm / (norm + 1e-6))
    assert all(close(p.grad, g * scale, 1e-14, 1e-300) for p, g in zip(params, grads))
    assert math.sqrt(math.fsum(p.grad**2 for p in params)) <= max_norm * (1 + 1e-14)


@requires_torch
@given(grads=GRADS, max_norm=st.floats(1e-3, 1e3), norm_type=NORM_TYPES)
def test_clip_grad_norm_matches_torch(grads: list[float], max_norm: float, norm_type: float) -> None:
    params, leaves = with_grads(grads), torch_with_grads(grads)
    ours = clip_grad_norm(params, max_norm, norm_type=norm_type)
    theirs = torch.nn.utils.clip_grad_norm_(leaves, max_norm, norm_type=norm_type, foreach=False).item()
    assert close(ours, theirs, 1e-13), f"norm: ours {ours!r}, torch {theirs!r}"
    for i, (p, leaf) in enumerate(zip(params, leaves)):
        assert close(p.grad, leaf.grad.item(), 1e-13, 1e-300), (
            f"grad {i}: ours {p.grad!r}, torch {leaf.grad!r}"
        )


@given(grads=GRADS, clip=st.floats(0.0, 100.0))
def test_clip_grad_value_closed_form(grads: list[float], clip: float) -> None:
    params = with_grads(grads)
    clip_grad_value(params, clip)
    assert [p.grad for p in params] == [min(max(g, -clip), clip) for g in grads]


@requires_torch
@given(
    grads=st.lists(
        finite_floats() | st.sampled_from([math.inf, -math.inf, math.nan]), min_size=1, max_size=10
    ),
    clip=st.floats(0.0, 100),
)
def test_clip_grad_value_matches_torch(grads: list[float], clip: float) -> None:
    """Including nan (kept) and ±inf (clipped to ±c)."""
    params, leaves = with_grads(grads), torch_with_grads(grads)
    clip_grad_value(params, clip)
    torch.nn.utils.clip_grad_value_(leaves, clip, foreach=False)
    for i, (p, leaf) in enumerate(zip(params, leaves)):
        assert close(p.grad, leaf.grad.item(), 0.0, 0.0), f"grad {i}: ours {p.grad!r}, torch {leaf.grad!r}"


def test_clip_grad_norm_infinity_norm() -> None:
    params = with_grads([3.0, -8.0, 1.0])
    assert clip_grad_norm(params, 4.0, norm_type=math.inf) == 8.0
    assert close(params[1].grad, -8.0 * 4.0 / (8.0 + 1e-6), 1e-15)


def test_clip_grad_norm_does_not_overflow() -> None:
    """Norms of huge gradients are computed without overflow (scaled by the largest |g|)."""
    for norm_type, expected in [(2.0, 1e200 * math.sqrt(2)), (3.0, 1e200 * 2 ** (1 / 3)), (1.0, 2e200)]:
        params = with_grads([1e200, -1e200])
        assert close(clip_grad_norm(params, 1.0, norm_type=norm_type), expected, 1e-14)
        assert close(params[0].grad, 1.0 / (expected / 1e200), 1e-14)


def exact_norm(grads: list[float], p: float) -> float:
    """‖g‖ₚ to 50 significant digits (Decimal, with an exponent range no float norm can leave), rounded
    to a float: inf when it exceeds the float range. The same identity as ours, m·(Σ(|gᵢ|/m)ᵖ)^(1/p),
    whose only role is to keep Decimal's exponents small."""
    context = decimal.Context(
        prec=50, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[decimal.InvalidOperation]
    )
    m = max(Decimal(abs(g)) for g in grads)
    if m == 0:
        return 0.0
    if p == math.inf:
        return float(m)
    s = sum((context.power(context.divide(Decimal(abs(g)), m), Decimal(p)) for g in grads), Decimal(0))
    return float(context.multiply(m, context.power(s, context.divide(1, Decimal(p)))))


# gradients over the whole float range (|g| from 1e-300 to 1e300, some zero) and orders from the
# smallest float to the largest: where PyTorch's float64 Σ|g|ᵖ overflows or underflows, only the
# exact norm is the reference
WIDE_GRADS = st.lists(
    st.builds(
        lambda m, e: m * 10.0**e,
        st.floats(-10, 10).filter(lambda m: m == 0 or abs(m) >= 1),
        st.integers(-300, 298),
    ),
    min_size=1,
    max_size=6,
)
EXTREME_ORDERS = st.sampled_from(
    [5e-324, 1e-300, 1e-6, 1e-3, 0.01, 0.3, 1.0, 2.0, 3.0, 7.5, 100.0, 1e4, 1e308, math.inf]
)


def order_rtol(p: float, n: int) -> float:
    """Rounding in Σ(|gᵢ|/m)ᵖ (a few ulps per term) is raised to the power 1/p: relative error ≈ n·ulp/p."""
    return 4e-16 * (n + 2) * min(max(1.0, 1.0 / p), 1e4)  # p < 1e-4: the norm is max|gᵢ| (one nonzero) or inf


@given(grads=WIDE_GRADS, p=EXTREME_ORDERS)
def test_clip_grad_norm_is_the_exact_norm_for_extreme_orders_and_gradients(
    grads: list[float], p: float
) -> None:
    """No OverflowError for any order or gradient: the norm is the exact one rounded (inf only when the
    exact norm exceeds the float range), and the gradients are scaled by min(1, 1/(norm + 1e-6))."""
    params = with_grads(grads)
    ours, exact = clip_grad_norm(params, 1.0, norm_type=p), exact_norm(grads, p)
    assert close(ours, exact, order_rtol(p, len(grads)), 0.0), f"norm: ours {ours!r}, exact {exact!r}"
    coef = min(1.0 / (ours + 1e-6), 1.0)
    assert [q.grad for q in params] == [g * coef for g in grads]


@requires_torch
@given(
    grads=WIDE_GRADS, p=EXTREME_ORDERS.filter(lambda p: 1e-3 <= p < math.inf), max_norm=st.floats(1e-3, 1e3)
)
def test_clip_grad_norm_matches_torch_for_extreme_orders_where_its_float64_sum_fits(
    grads: list[float], p: float, max_norm: float
) -> None:
    """Where every |gᵢ|ᵖ and their sum stay well inside the float range, PyTorch's (Σ|gᵢ|ᵖ)^(1/p) is
    accurate, and ours agrees with it (both within the n·ulp/p of the exact norm), also when the norm
    itself overflows to inf (3 unit gradients with p = 0.001: 3¹⁰⁰⁰). Not for p < 0.001: there |gᵢ|ᵖ
    rounds to 1 and PyTorch loses the norm (‖(0, 10)‖ with p = 5e-324 is 1.0 in PyTorch, 10 here)."""
    exponents = [p * math.log10(abs(g)) for g in grads if g != 0.0]  # |gᵢ|ᵖ = 10^exponent
    assume(all(-290.0 < e < 289.0 for e in exponents))  # so their sum < 6e289 too
    params, leaves = with_grads(grads), torch_with_grads(grads)
    ours = clip_grad_norm(params, max_norm, norm_type=p)
    theirs = torch.nn.utils.clip_grad_norm_(leaves, max_norm, norm_type=p, foreach=False).item()
    # PyTorch raises Σ|gᵢ|ᵖ ≈ mᵖ to the rounded 1/p: a further relative error of |ln m|·ulp
    rtol = 2 * order_rtol(p, len(grads)) + 2e-16 * max(
        (abs(math.log(abs(g))) for g in grads if g != 0.0), default=0.0
    )
    assert close(ours, theirs, rtol, 0.0), f"norm: ours {ours!r}, torch {theirs!r}"
    for i, (q, leaf) in enumerate(zip(params, leaves)):
        assert close(q.grad, leaf.grad.item(), rtol, 1e-300), (
            f"grad {i}: ours {q.grad!r}, torch {leaf.grad!r}"
        )


@requires_torch
@pytest.mark.parametrize(
    ("grads", "norm_type", "expected"),
    [
        ([1.0, 1.0, 1.0], 0.001, math.inf),  # 3¹⁰⁰⁰: the norm itself overflows (it raised OverflowError)
        ([1.0, 1.0], 0.001, 2.0 ** (1 / 0.001)),  # 2¹⁰⁰⁰ ≈ 1.07e301 fits
        (
            [1e-300, 1e-300, 1e-300],
            0.001,
            1e-300 * 3.0**500 * 3.0**500,  # 1/0.001 is 1000 to 2e-14
        ),  # 3¹⁰⁰⁰ overflows alone; the product fits
        ([1.0, 1.0], 5e-324, math.inf),  # 1/p is inf
        ([1.0, 0.0], 5e-324, 1.0),  # a zero gradient adds 0ᵖ = 0: the norm is 1
        ([1.0, 0.5], 1e308, 1.0),  # 0.5^1e308 underflows to 0, as it should
        ([2.0, 1.0], 1000.0, 2.0),
    ],
)
def test_clip_grad_norm_extreme_orders_named_cases(
    grads: list[float], norm_type: float, expected: float
) -> None:
    """Each against the closed form and PyTorch (whose float64 sum fits in these cases)."""
    params, leaves = with_grads(grads), torch_with_grads(grads)
    ours = clip_grad_norm(params, 1.0, norm_type=norm_type)
    theirs = torch.nn.utils.clip_grad_norm_(leaves, 1.0, norm_type=norm_type, foreach=False).item()
    assert close(ours, expected, 1e-13) and close(ours, theirs, 1e-13), (ours, expected, theirs)
    assert all(close(q.grad, leaf.grad.item(), 1e-13, 1e-300) for q, leaf in zip(params, leaves))


def test_clip_grad_norm_where_torchs_float64_sum_overflows_or_underflows() -> None:
    """PyTorch returns inf for ‖(1e200, 1e200)‖₂ and 0 for ‖(1e-200, 1e-200)‖₂ (its Σg² leaves the float
    range); ours returns the true norm, √2·1e±200."""
    assert close(clip_grad_norm(with_grads([1e200, 1e200]), 1.0), math.sqrt(2) * 1e200, 1e-15)
    small = with_grads([1e-200, -1e-200])
    assert close(clip_grad_norm(small, 1.0), math.sqrt(2) * 1e-200, 1e-15)
    assert [q.grad for q in small] == [1e-200, -1e-200]  # far below max_norm: untouched


def test_clip_grad_norm_leaves_small_gradients_alone_and_handles_no_parameters() -> None:
    params = with_grads([0.3, 0.4])
    assert close(clip_grad_norm(params, 10.0), 0.5, 1e-15)
    assert [p.grad for p in params] == [0.3, 0.4]
    assert clip_grad_norm([], 1.0) == 0.0
    assert clip_grad_norm(with_grads([0.0, 0.0]), 1.0) == 0.0


@requires_torch
@pytest.mark.parametrize("grads", [[math.inf, 1.0], [math.nan, 1.0], [-math.inf, math.nan, 2.0]])
def test_clip_grad_norm_non_finite_matches_torch(grads: list[float]) -> None:
    params, leaves = with_grads(grads), torch_with_grads(grads)
    ours = clip_grad_norm(params, 1.0)
    theirs = torch.nn.utils.clip_grad_norm_(leaves, 1.0, foreach=False).item()
    assert close(ours, theirs)
    assert all(close(p.grad, leaf.grad.item()) for p, leaf in zip(params, leaves))


def test_clip_grad_norm_error_if_nonfinite_leaves_gradients_untouched() -> None:
    params = with_grads([math.inf, 1.0])
    with pytest.raises(
        ValueError,
        match=r"^clip_grad_norm: the gradients' total norm of order 2 must be finite with "
        r"error_if_nonfinite=True \(False clips anyway\), got float inf$",
    ):
        clip_grad_norm(params, 1.0, error_if_nonfinite=True)
    assert [p.grad for p in params] == [math.inf, 1.0]


def test_clipping_then_stepping() -> None:
    """The usual order: backward, clip, step; an exploding gradient becomes a step of length lr·max_norm."""
    params = with_grads([300.0, -400.0])
    clip_grad_norm(params, 1.0)
    SGD(params, lr=0.1).step()
    assert close(params[0].data, -0.1 * 0.6, 1e-6) and close(params[1].data, 0.1 * 0.8, 1e-6)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: clip_grad_norm(one(), -1.0),
            ValueError,
            r"^clip_grad_norm: max_norm must be a finite number >= 0, got float -1.0$",
        ),
        (
            lambda: clip_grad_norm(one(), math.nan),
            ValueError,
            r"^clip_grad_norm: max_norm must be a finite number >= 0, got float nan$",
        ),
        (
            lambda: clip_grad_norm(one(), 1.0, norm_type=0),
            ValueError,
            r"^clip_grad_norm: norm_type must be a number > 0 \(math.inf for the largest \|g\|\), got int 0$",
        ),
        (
            lambda: clip_grad_norm(one(), 1.0, norm_type=math.nan),
            ValueError,
            r"^clip_grad_norm: norm_type must be a number > 0 .*, got float nan$",
        ),
        (
            lambda: clip_grad_norm(one(), 1.0, norm_type=10**400),
            ValueError,
            r"^clip_grad_norm: norm_type must be a number > 0 .* within float range",
        ),
        (
            lambda: clip_grad_norm(one(), 1.0, error_if_nonfinite=1),
            TypeError,
            r"^clip_grad_norm: error_if_nonfinite must be True or False, got int 1$",
        ),
        (
            lambda: clip_grad_norm([1.0], 1.0),
            TypeError,
            r"^clip_grad_norm: params\[0\] must be a Value, got float",
        ),
        (
            lambda: clip_grad_value(one(), -1.0),
            ValueError,
            r"^clip_grad_value: clip_value must be a finite number >= 0, got float -1.0$",
        ),
        (
            lambda: clip_grad_value(one(), "1"),
            TypeError,
            r"^clip_grad_value: clip_value must be a finite number >= 0, got str '1'$",
        ),
    ],
)
def test_bad_clipping_arguments(call: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


# ------------------------------------------------------------ every public callable, fed hostile arguments
# Each Case makes fresh objects and one valid call of a public callable of optim.py; the sweep puts a
# hostile value in one argument (or in what the call reads: a .grad, a .data, optimizer.lr, an entry of a
# state dict) and asserts that only a TypeError or ValueError escapes, in the one message style naming
# the callable, and that a refused call changed nothing (parameters, optimizer state, schedule).
HOSTILE: list[Any] = [
    10**400,
    10**5000,
    -(10**400),
    math.inf,
    -math.inf,
    math.nan,
    5e-324,
    -5e-324,
    0,
    -1,
    1.5,
    True,
    False,
    np.float64(1e300),
    np.float64(math.nan),
    np.int64(3),
    np.bool_(True),
    np.longdouble("1e4000"),
    np.array([1.0, 2.0]),
    Fraction(10**400, 3),
    Fraction(1, 3),
    Decimal("1e400"),
    Decimal("nan"),
    Decimal("sNaN"),
    Decimal("-0.5"),
    1j,
    "str",
    b"x",
    None,
    [],
    [[]],
    [math.nan],
    [10**400, 0.5],
    (0.9,),
    (0.9, 0.999, 0.5),
    {},
    {"lr": 0.1},
    Value(1.0),
    [Value(1.0), Value(1.0)],
    object(),
]

ANYTHING = st.one_of(
    st.integers(min_value=-(10**5000), max_value=10**5000),
    st.floats(),
    st.fractions(),
    st.decimals(),
    st.text(max_size=10),
    st.none(),
    st.booleans(),
    st.lists(st.floats(), max_size=3),
    st.tuples(st.floats(), st.floats()),
    st.dictionaries(st.text(max_size=3), st.floats(), max_size=3),
    st.sampled_from(HOSTILE),
)

Made = tuple[
    Callable[..., Any], list[Any], dict[str, Any], dict[str, Callable[[Any], None]], Callable[[], Any]
]


@dataclass
class Case:
    """``make()``: (callable, args, kwargs, extra slots, snapshot), on fresh objects; errors name ``where``.

    An extra slot puts a value where the call reads it (``grad`` sets a parameter's .grad); the
    snapshot is everything a refused call must leave as it was."""

    where: str
    make: Callable[[], Made]


def _params() -> list[Value]:
    ps = [Value(1.0), Value(-2.0)]
    ps[0].grad, ps[1].grad = 0.5, -1.5
    return ps


def _look(ps: list[Value], *more: Any) -> Callable[[], Any]:
    """A snapshot function: the parameters' data and grads, and anything else, each shortened safely."""
    return lambda: ([short(p.data) for p in ps], [short(p.grad) for p in ps], [short(m()) for m in more])


def _optimizer_case(cls: type[Optimizer], kwargs: dict[str, Any]) -> Case:
    def make() -> Made:
        ps = _params()
        return cls, [ps], dict(kwargs), {}, _look(ps)

    return Case(cls.__name__, make)


def _step_case(cls: type[Optimizer], kwargs: dict[str, Any]) -> Case:
    def make() -> Made:
        ps = _params()
        opt = cls(ps, **kwargs)
        opt.step()

        def grad(x: Any) -> None:
            ps[1].grad = x

        def data(x: Any) -> None:
            ps[0].data = x

        def lr(x: Any) -> None:
            opt.lr = x

        slots = {"grad": grad, "data": data, "lr": lr}
        return opt.step, [], {}, slots, _look(ps, lambda: opt.lr, lambda: opt.steps, lambda: repr(opt.state))

    return Case(f"{cls.__name__}.step", make)


def _load_case() -> Case:
    def make() -> Made:
        ps = _params()
        opt = Adam(ps, lr=0.01, amsgrad=True)
        opt.step()
        saved = opt.state_dict()
        slots: dict[str, Callable[[Any], None]] = {}
        for key in ("optimizer", "lr", "steps", "state"):
            slots[key] = lambda x, key=key: saved.__setitem__(key, x)
        for entry in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
            slots[entry] = lambda x, entry=entry: saved["state"].__setitem__(entry, x)
            slots[entry + "[1]"] = lambda x, entry=entry: saved["state"][entry].__setitem__(1, x)
        return (
            opt.load_state_dict,
            [saved],
            {},
            slots,
            _look(ps, lambda: opt.lr, lambda: opt.steps, lambda: repr(opt.state)),
        )

    return Case("Adam.load_state_dict", make)


def _schedule_case(cls: type[LRScheduler], args: list[Any], kwargs: dict[str, Any]) -> Case:
    def make() -> Made:
        ps = _params()
        opt = SGD(ps, lr=0.4)

        def lr(x: Any) -> None:
            opt.lr = x

        return cls, [opt, *args], dict(kwargs), {"optimizer.lr": lr}, _look(ps, lambda: opt.lr)

    return Case(cls.__name__, make)


def _lambda_case() -> Case:
    """fn's results are hostile too: fn(0) is called by the constructor."""

    def make() -> Made:
        ps = _params()
        opt = SGD(ps, lr=0.4)
        args: list[Any] = [opt, lambda t: 0.5]

        def result(x: Any) -> None:
            args[1] = lambda t: x

        return LambdaLR, args, {}, {"fn(t)": result}, _look(ps, lambda: opt.lr)

    return Case("LambdaLR", make)


def _lr_at_case() -> Case:
    def make() -> Made:
        ps = _params()
        opt = SGD(ps, lr=0.4)
        sched = StepLR(opt, 2, gamma=0.5)
        snapshot = _look(ps, lambda: opt.lr, lambda: sched.last_epoch, sched.get_last_lr)
        return sched.lr_at, [3], {}, {}, snapshot

    return Case("StepLR.lr_at", make)


def _schedule_step_case() -> Case:
    """A schedule's step() reads only its own fn's results (the other schedules are closed forms)."""

    def make() -> Made:
        ps = _params()
        opt = SGD(ps, lr=0.4)
        sched = LambdaLR(opt, lambda t: 0.5)

        def result(x: Any) -> None:
            sched.fn = lambda t: x

        snapshot = _look(ps, lambda: opt.lr, lambda: sched.last_epoch, sched.get_last_lr)
        return sched.step, [], {}, {"fn(t)": result}, snapshot

    return Case("LambdaLR", make)


def _clip_case(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> Case:
    def make() -> Made:
        ps = _params()

        def grad(x: Any) -> None:
            ps[1].grad = x

        return fn, [ps, *args], dict(kwargs), {"grad": grad}, _look(ps)

    return Case(fn.__name__, make)


STEPPED = [
    (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    (AdaGrad, {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.1}),
    (RMSProp, {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    (Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    (AdamW, {"lr": 0.01, "weight_decay": 0.1}),
]
CASES = [
    _optimizer_case(
        SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0, "dampening": 0.1}
    ),
    _optimizer_case(
        AdaGrad,
        {"lr": 0.1, "eps": 1e-10, "weight_decay": 0.0, "initial_accumulator_value": 0.1, "lr_decay": 0.0},
    ),
    _optimizer_case(
        RMSProp, {"lr": 0.01, "rho": 0.9, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0, "centered": True}
    ),
    _optimizer_case(
        Adam, {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": True}
    ),
    _optimizer_case(
        AdamW, {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01, "amsgrad": False}
    ),
    _optimizer_case(Optimizer, {"lr": 0.1}),
    *[_step_case(cls, kwargs) for cls, kwargs in STEPPED],
    _load_case(),
    _schedule_case(ConstantLR, [], {"factor": 0.5, "total_iters": 2}),
    _schedule_case(StepLR, [2], {"gamma": 0.5}),
    _schedule_case(ExponentialLR, [0.1], {}),
    _schedule_case(InverseTimeLR, [2.0], {}),
    _schedule_case(LRScheduler, [], {}),
    _lambda_case(),
    _lr_at_case(),
    _schedule_step_case(),
    _clip_case(clip_grad_norm, [1.0], {"norm_type": 2.0, "error_if_nonfinite": False}),
    _clip_case(clip_grad_value, [0.5], {}),
]


def _slots(args: list[Any], kwargs: dict[str, Any], extra: dict[str, Any]) -> list[Any]:
    return [*range(len(args)), *kwargs, *(("extra", name) for name in extra)]


def _attempt(case: Case, slot: Any, bad: Any) -> None:
    fn, args, kwargs, extra, snapshot = case.make()
    if isinstance(slot, int):
        args[slot] = bad
    elif isinstance(slot, tuple):
        extra[slot[1]](bad)
    else:
        kwargs[slot] = bad
    before = snapshot()
    try:
        result = fn(*args, **kwargs)
    except (TypeError, ValueError) as e:
        text = str(e)
        assert re.match(rf"{re.escape(case.where)}: .+ must be .+, got .", text, re.DOTALL), (
            f"{case.where}({slot} = {short(bad)}): {text}"
        )
        assert snapshot() == before, f"{case.where}({slot} = {short(bad)}) was refused but changed something"
        return
    # accepted: what it made must work too (extreme but valid hyper-parameters step under IEEE 754)
    if isinstance(result, Optimizer):
        result.step()
        result.load_state_dict(result.state_dict())
    elif isinstance(result, LRScheduler):
        result.step()
        result.lr_at(2**53)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.where)
def test_the_sweeps_valid_calls_are_valid(case: Case) -> None:
    fn, args, kwargs, _, _ = case.make()
    if case.where in ("Optimizer", "LRScheduler"):
        with pytest.raises(TypeError, match=rf"^{case.where}: the class must be a subclass"):
            fn(*args, **kwargs)
    else:
        fn(*args, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.where)
def test_each_argument_replaced_by_each_hostile_value(case: Case) -> None:
    """Only TypeError or ValueError, in the one message style naming the callable; nothing changed."""
    _, args, kwargs, extra, _ = case.make()
    for slot in _slots(args, kwargs, extra):
        for bad in HOSTILE:
            _attempt(case, slot, bad)


@given(case=st.sampled_from(CASES), data=st.data())
def test_arbitrary_values_in_any_argument(case: Case, data: st.DataObject) -> None:
    _, args, kwargs, extra, _ = case.make()
    slot = data.draw(st.sampled_from(_slots(args, kwargs, extra)), label="argument")
    _attempt(case, slot, data.draw(ANYTHING, label="value"))


def test_the_sweep_covers_every_public_callable() -> None:
    """A new public function, class or method of optim.py needs a Case above (or a reason here)."""
    import tinygrad_edu.optim as optim

    no_arguments = {"zero_grad", "state_dict", "get_last_lr", "gamma"}  # nothing to check; exercised above
    swept = {c.where.split(".")[-1] for c in CASES} | {c.where for c in CASES}
    missing = []
    for name in optim.__all__:
        thing = getattr(optim, name)
        if name not in swept:
            missing.append(name)
        if isinstance(thing, type):
            for method in vars(thing):
                if not method.startswith("_") and method not in swept | no_arguments:
                    missing.append(f"{name}.{method}")
    assert not missing, f"no Case for {missing}"


def test_no_argument_methods_work_on_fresh_objects() -> None:
    for cls, kwargs in STEPPED:
        opt = cls(_params(), **kwargs)
        opt.zero_grad()
        assert all(p.grad == 0.0 for p in opt.params) and opt.state_dict()["steps"] == 0
        assert repr(opt).startswith(f"{cls.__name__}(2 parameters, lr=")
    sched = StepLR(SGD(_params(), lr=0.4), 2)
    assert sched.get_last_lr() == 0.4 and repr(sched) == "StepLR(t=0, lr=0.4)"
