"""Optimizers, gradient clipping and learning-rate schedules for parameters that are ``Value`` nodes.

- ``optimizer``: the base class :class:`Optimizer` (``step``, ``zero_grad``, ``state_dict``) and
  the conventions every optimizer shares
- ``sgd``: :class:`SGD`, with momentum, Nesterov momentum and weight decay
- ``adaptive``: per-parameter step sizes: :class:`AdaGrad`, :class:`RMSProp`, :class:`Adam`, :class:`AdamW`
- ``clipping``: :func:`clip_grad_norm`, :func:`clip_grad_value`
- ``schedules``: learning-rate schedules: :class:`LRScheduler` and its subclasses
- ``parameters``: the checks they share (a list of parameters, their gradients as floats)

An optimizer holds a list of parameters (``model.parameters()``) and, after
``loss.backward()`` has filled every ``p.grad`` = ∂J/∂p, moves each ``p.data``
against its gradient. The plainest one is the note's gradient descent
θ ← θ − α∇J(θ); mini-batch SGD is the same step with the gradient of the batch
mean, α/Q·Σ_q ∇J(x_q, θ), which is what you get by averaging the loss over the
batch before ``backward()``.

>>> from tinygrad_edu.nn import MLP
>>> model = MLP(1, [8, 1], activation="tanh", seed=0)
>>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> xs, ys = [[-1.0], [0.0], [1.0]], [1.0, 0.0, 1.0]
>>> for epoch in range(100):
...     opt.zero_grad()                      # gradients accumulate: clear them first
...     loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
...     loss.backward()
...     opt.step()
>>> loss.data < 0.01
True

Every optimizer reproduces its ``torch.optim`` namesake step for step (same
hyper-parameters, same state, same arithmetic order, float64): :class:`SGD`
(momentum, dampening, Nesterov, weight decay), :class:`AdaGrad`,
:class:`RMSProp`, :class:`Adam` (with AMSGrad) and :class:`AdamW`. They agree to
rounding rather than bit for bit, because PyTorch's CPU kernels fuse some
multiply-adds (``add(alpha=)``, ``addcmul``, ``lerp``) into one rounding. Each
docstring gives the update and, where the notes disagree with each other, which
form is implemented.
"""

from .adaptive import AdaGrad, Adam, AdamW, RMSProp
from .clipping import clip_grad_norm, clip_grad_value
from .optimizer import Optimizer
from .schedules import ConstantLR, ExponentialLR, InverseTimeLR, LambdaLR, LRScheduler, StepLR
from .sgd import SGD

# the submodules' public names, re-exported: the public API of the former optim.py, unchanged
__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "ConstantLR",
    "ExponentialLR",
    "InverseTimeLR",
    "LRScheduler",
    "LambdaLR",
    "Optimizer",
    "RMSProp",
    "StepLR",
    "clip_grad_norm",
    "clip_grad_value",
]
