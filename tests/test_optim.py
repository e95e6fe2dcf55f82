"""tinygrad_edu.optim: optimizers, gradient clipping and learning-rate schedules.

References: PyTorch float64 (torch.optim, torch.optim.lr_scheduler, torch.nn.utils; skipped
without torch), with the loss and its gradients computed by PyTorch itself, never by our engine;
and closed forms and note 001's own update rules written here on plain floats.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import close, requires_torch, torch

from tinygrad_edu import Value
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


def test_load_state_dict_rejects_mismatches() -> None:
    opt = SGD([Value(1.0), Value(2.0)], lr=0.1, momentum=0.9)
    good = opt.state_dict()
    with pytest.raises(ValueError, match=r"SGD\.load_state_dict: the state is from 'Adam'"):
        opt.load_state_dict({**good, "optimizer": "Adam"})
    with pytest.raises(ValueError, match=r"state\['momentum_buffer'\] must have 2 numbers, got 3"):
        opt.load_state_dict({**good, "state": {"momentum_buffer": [0.0, 0.0, 0.0]}})
    with pytest.raises(ValueError, match=r"expected state entries \['momentum_buffer'\], got \['sum'\]"):
        opt.load_state_dict({**good, "state": {"sum": [0.0, 0.0]}})
    with pytest.raises(ValueError, match="steps must be an int >= 0, got -1"):
        opt.load_state_dict({**good, "steps": -1})
    with pytest.raises(ValueError, match=r"expected a dict from state_dict\(\)"):
        opt.load_state_dict({"lr": 0.1})


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
        (lambda: SGD(one(), lr=0.0), ValueError, "SGD: lr must be a finite number > 0, got 0.0"),
        (lambda: SGD(one(), lr=-0.1), ValueError, "SGD: lr must be a finite number > 0, got -0.1"),
        (lambda: Adam(one(), lr=math.nan), ValueError, "Adam: lr must be a finite number > 0, got nan"),
        (lambda: AdaGrad(one(), lr=math.inf), ValueError, "AdaGrad: lr must be a finite number > 0, got inf"),
        (lambda: SGD(one(), lr="0.1"), TypeError, "SGD: lr must be a real number, got str '0.1'"),
        (lambda: SGD(one(), lr=True), TypeError, "SGD: lr must be a real number, got bool True"),
        (lambda: SGD(one(), lr=0.1, momentum=-0.5), ValueError, "SGD: momentum must be .* >= 0, got -0.5"),
        (
            lambda: SGD(one(), lr=0.1, weight_decay=-1),
            ValueError,
            "SGD: weight_decay must be .* >= 0, got -1",
        ),
        (
            lambda: SGD(one(), lr=0.1, dampening=2),
            ValueError,
            r"SGD: dampening must be .* in \[0, 1\], got 2",
        ),
        (
            lambda: SGD(one(), lr=0.1, nesterov=True),
            ValueError,
            "SGD: nesterov=True requires momentum > 0 and dampening = 0, got momentum=0.0",
        ),
        (
            lambda: SGD(one(), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            "requires momentum > 0 and dampening = 0, got momentum=0.9, dampening=0.1",
        ),
        (lambda: SGD(one(), lr=0.1, nesterov=1), TypeError, "SGD: nesterov must be a bool, got int 1"),
        (lambda: SGD([], lr=0.1), ValueError, "SGD: params is empty"),
        (lambda: Adam((p for p in []), lr=0.1), ValueError, "Adam: params is empty"),
        (
            lambda: SGD([Value(1.0), 2.0], lr=0.1),
            TypeError,
            r"SGD: params\[1\] must be a Value, got float 2.0",
        ),
        (
            lambda: SGD(Value(1.0), lr=0.1),
            TypeError,
            "SGD: params must be an iterable of Values, got a single",
        ),
        (lambda: SGD(MLP(1, [1]), lr=0.1), TypeError, r"got MLP; did you mean model.parameters\(\)\?"),
        (lambda: SGD([SHARED, SHARED], lr=0.1), ValueError, r"params\[1\] is the same Value as params\[0\]"),
        (lambda: AdaGrad(one(), lr_decay=-1), ValueError, "AdaGrad: lr_decay must be .* >= 0, got -1"),
        (lambda: AdaGrad(one(), eps=-1e-10), ValueError, "AdaGrad: eps must be .* >= 0, got -1e-10"),
        (
            lambda: AdaGrad(one(), initial_accumulator_value=-1),
            ValueError,
            "AdaGrad: initial_accumulator_value must be .* >= 0, got -1",
        ),
        (lambda: RMSProp(one(), rho=1.5), ValueError, r"RMSProp: rho must be .* in \[0, 1\], got 1.5"),
        (lambda: RMSProp(one(), momentum=-0.1), ValueError, "RMSProp: momentum must be .* >= 0, got -0.1"),
        (lambda: RMSProp(one(), centered=1), TypeError, "RMSProp: centered must be a bool, got int 1"),
        (
            lambda: Adam(one(), betas=(1.0, 0.999)),
            ValueError,
            r"Adam: betas\[0\] must be .* in \[0, 1\), got 1.0",
        ),
        (
            lambda: Adam(one(), betas=(0.9, -0.1)),
            ValueError,
            r"Adam: betas\[1\] must be .* in \[0, 1\), got -0.1",
        ),
        (lambda: Adam(one(), betas=(0.9, math.nan)), ValueError, r"Adam: betas\[1\] must be .*, got nan"),
        (lambda: Adam(one(), betas=0.9), TypeError, r"Adam: betas must be a pair \(beta1, beta2\), got 0.9"),
        (lambda: Adam(one(), betas=(0.9,)), TypeError, "Adam: betas must be a pair"),
        (
            lambda: AdamW(one(), weight_decay=-0.01),
            ValueError,
            "AdamW: weight_decay must be .* >= 0, got -0.01",
        ),
        (lambda: Adam(one(), amsgrad="yes"), TypeError, "Adam: amsgrad must be a bool, got str 'yes'"),
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
        (lambda: StepLR(sgd(), step_size=0), ValueError, "StepLR: step_size must be an int >= 1, got 0"),
        (lambda: StepLR(sgd(), step_size=2.5), ValueError, "StepLR: step_size must be an int >= 1, got 2.5"),
        (
            lambda: StepLR(sgd(), step_size=True),
            ValueError,
            "StepLR: step_size must be an int >= 1, got True",
        ),
        (lambda: StepLR(sgd(), 2, gamma=0.0), ValueError, r"StepLR: gamma must be .* in \(0, 1\], got 0.0"),
        (lambda: StepLR(sgd(), 2, gamma=1.5), ValueError, r"StepLR: gamma must be .* in \(0, 1\], got 1.5"),
        (lambda: ExponentialLR(sgd(), k=-0.1), ValueError, "ExponentialLR: k must be .* >= 0, got -0.1"),
        (lambda: ExponentialLR(sgd(), k=math.nan), ValueError, "ExponentialLR: k must be .*, got nan"),
        (
            lambda: InverseTimeLR(sgd(), tau=0),
            ValueError,
            "InverseTimeLR: tau must be a finite number > 0, got 0",
        ),
        (lambda: InverseTimeLR(sgd(), tau=-2), ValueError, "InverseTimeLR: tau must be .* > 0, got -2"),
        (lambda: LambdaLR(sgd(), 0.5), TypeError, "LambdaLR: fn must be a function of the epoch, got float"),
        (lambda: LambdaLR(sgd(), lambda t: -1.0), ValueError, r"LambdaLR: fn\(0\) must be .* >= 0, got -1.0"),
        (
            lambda: LambdaLR(sgd(), lambda t: "x"),
            TypeError,
            r"LambdaLR: fn\(0\) must be a real number, got str",
        ),
        (
            lambda: ConstantLR(sgd(), factor=2.0),
            ValueError,
            r"ConstantLR: factor must be .* in \[0, 1\], got 2.0",
        ),
        (
            lambda: ConstantLR(sgd(), total_iters=-1),
            ValueError,
            "ConstantLR: total_iters must be an int >= 0",
        ),
        (lambda: StepLR("opt", 2), TypeError, "StepLR: optimizer must be an Optimizer, got str"),
    ],
)
def test_bad_schedule_arguments(make: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


def test_lambda_failing_later_names_the_epoch() -> None:
    sched = LambdaLR(sgd(), lambda t: 1.0 if t < 2 else math.inf)
    sched.step()
    with pytest.raises(ValueError, match=r"LambdaLR: fn\(2\) must be a finite number >= 0, got inf"):
        sched.step()


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
    with pytest.raises(ValueError, match="clip_grad_norm: the total norm of order 2 of the gradients is inf"):
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
            "clip_grad_norm: max_norm must be .* >= 0, got -1.0",
        ),
        (lambda: clip_grad_norm(one(), math.nan), ValueError, "clip_grad_norm: max_norm must be .*, got nan"),
        (lambda: clip_grad_norm(one(), 1.0, norm_type=0), ValueError, "norm_type must be > 0"),
        (lambda: clip_grad_norm([1.0], 1.0), TypeError, r"clip_grad_norm: params\[0\] must be a Value"),
        (lambda: clip_grad_value(one(), -1.0), ValueError, "clip_grad_value: clip_value must be .* >= 0"),
        (lambda: clip_grad_value(one(), "1"), TypeError, "clip_grad_value: clip_value must be a real number"),
    ],
)
def test_bad_clipping_arguments(call: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()
