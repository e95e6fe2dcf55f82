"""Batch normalization: each feature standardised over the mini-batch, then scaled and shifted.

For a batch of N samples of C features, feature c is normalised with the batch's mean
and (biased) variance, then given a learned scale γ_c and shift β_c:

    μ_c = (1/N) Σᵢ x_ic        σ²_c = (1/N) Σᵢ (x_ic − μ_c)²
    x̂_ic = (x_ic − μ_c) / √(σ²_c + ε)        y_ic = γ_c·x̂_ic + β_c

Every step is a Value op, so backprop differentiates through μ and σ² too: each
x_ic reaches every y_jc of its feature, and the gradient that comes back is

    ∂e/∂x_ic = γ_c/√(σ²_c + ε) · (g_ic − mean_j g_jc − x̂_ic · mean_j g_jc x̂_jc),  g = ∂e/∂y

which is why a network with batch normalization keeps its δ at a steady size: a
layer whose outputs have shrunk (small σ_c) has its δ scaled back up by 1/σ_c.

Training and evaluation differ, as in ``torch.nn.BatchNorm1d``: in training mode the
layer uses the batch's statistics and updates running estimates (buffers, not
parameters: plain floats that backprop never touches)

    running_mean ← (1 − m)·running_mean + m·μ
    running_var  ← (1 − m)·running_var  + m·σ²·N/(N − 1)     (the unbiased variance)

with momentum m (``momentum=None``: m = 1/num_batches_tracked, a cumulative average);
in evaluation mode (``model.eval()``) it uses the running estimates instead, so each
sample's output depends on that sample only.

How a network with BatchNorm runs: on batches
---------------------------------------------
Neuron, Layer and MLP take one sample; BatchNorm needs the whole batch at once.
A module says which it is with :meth:`~tinygrad_edu.nn.Module.takes_batches`: a
``Sequential`` containing a BatchNorm takes a batch (a list of samples) and
returns a list of outputs, one per sample, running each per-sample part on every
sample in turn and each BatchNorm on the whole batch:

>>> from tinygrad_edu.nn import BatchNorm, Layer, Sequential
>>> model = Sequential(Layer(2, 3, "tanh", seed=0), BatchNorm(3), Layer(3, 1, "linear", seed=1))
>>> model.takes_batches()
True
>>> outputs = model([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])    # a batch of three samples
>>> len(outputs), type(outputs[0]).__name__
(3, 'Value')

``fit`` and ``evaluate`` see this too: for such a model fit calls it once per
mini-batch (refusing a batch size that would leave a batch of one sample, whose
variance is undefined), and evaluate calls it once on all the data, in evaluation
mode. Models without BatchNorm run exactly as before, one sample at a time.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from ..checks import as_float, flag, integer, real, type_error, value_error
from ..engine import Value, total
from ..modes import scope
from .module import Module

__all__ = ["BatchNorm"]

MAX_FEATURES = 10**9  # as for a layer's size: far past what scalar Values can hold in memory


class BatchNorm(Module):
    """Batch normalization of ``num_features`` features, as ``torch.nn.BatchNorm1d`` on an (N, C) input.

    ``model(batch)`` takes a list of N samples, each a list of C numbers or Values
    (or, when C = 1, a single number or Value), and returns the same shape of
    Values: y_ic = γ_c·(x_ic − μ_c)/√(σ²_c + ε) + β_c (see the module docstring).

    - ``eps``: ε > 0, added to the variance for stability (PyTorch's 1e-5).
    - ``momentum``: m in [0, 1] of the running averages (0.1), or None for the
      cumulative average m = 1/num_batches_tracked.
    - ``affine``: learn γ (``gamma``, starting at 1) and β (``beta``, starting at 0),
      PyTorch's ``weight`` and ``bias``; without it, y = x̂.
    - ``track_running_stats``: keep ``running_mean`` (starting at 0), ``running_var``
      (starting at 1) and ``num_batches_tracked`` and use them in evaluation mode;
      without it the batch's own statistics are used in both modes.

    A batch of one sample where batch statistics are used (training mode), or a
    sample that is not C wide, is a ValueError naming BatchNorm and the sizes.
    """

    batchwise = True  # its forward takes the whole batch: μ and σ² are the batch's
    buffer_names = ("running_mean", "running_var", "num_batches_tracked")  # state that is not a parameter

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: Optional[float] = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ) -> None:
        where = "BatchNorm"
        c = integer(num_features, where, "num_features", low=1, high=MAX_FEATURES)
        eps = real(eps, where, "eps", low=0.0, low_open=True)
        if momentum is not None:
            momentum = real(momentum, where, "momentum", low=0.0, high=1.0)
        affine = flag(affine, where, "affine")
        track = flag(track_running_stats, where, "track_running_stats")
        self._config = {
            "num_features": c,
            "eps": eps,
            "momentum": momentum,
            "affine": affine,
            "track_running_stats": track,
        }
        self.num_features, self.eps, self.momentum = c, eps, momentum
        # the parameters: γ and β, one per feature (PyTorch's weight and bias)
        self.gamma = [Value(1.0, label=f"γ{i + 1}") for i in range(c)] if affine else None
        self.beta = [Value(0.0, label=f"β{i + 1}") for i in range(c)] if affine else None
        # the buffers: floats, not Values, so they are no parameters and backprop never sees them
        self.running_mean: Optional[list[float]] = [0.0] * c if track else None
        self.running_var: Optional[list[float]] = [1.0] * c if track else None
        self.num_batches_tracked: Optional[int] = 0 if track else None
        for p in self.parameters():
            p.scope = ("batch norm",)

    def config(self) -> dict[str, Any]:
        """The arguments it was built with, as they are now: ``eps`` and ``momentum`` may be changed
        later (e.g. ``momentum = None`` to re-estimate the running statistics), and a checkpoint
        keeps what the module uses."""
        return {
            **self._config,
            "eps": self.eps,
            "momentum": self.momentum,
            "affine": self.gamma is not None,
            "track_running_stats": self.running_mean is not None,
        }

    def forward(self, batch: Sequence[Any]) -> list[Any]:
        """The batch normalised feature by feature: a list of N samples of C Values (see the class)."""
        rows, scalar = _feature_rows(batch, self.num_features)
        n, c = len(rows), self.num_features
        batch_stats = self.training or self.running_mean is None
        if batch_stats and n < 2:
            raise ValueError(
                f"BatchNorm: the batch must hold at least 2 samples to compute a variance (in training "
                f"mode, or without running statistics), got a batch of 1 sample of {c} features"
            )
        columns: list[list[Value]] = []
        stats: list[tuple[float, float]] = []  # (μ, Σ(x − μ)²) of each feature, for the running estimates
        with scope(("batch norm",)):
            for j in range(c):
                xs = [row[j] for row in rows]
                columns.append(self._normalise(xs, j, batch_stats, stats))
        if batch_stats and self.training and self.num_batches_tracked is not None:
            self._update_running(stats, n)
        out = [[col[i] for col in columns] for i in range(n)]
        return [y[0] for y in out] if scalar else out

    def _normalise(
        self, xs: list[Any], j: int, batch_stats: bool, stats: list[tuple[float, float]]
    ) -> list[Value]:
        """Feature j of every sample: x̂ = (x − μ)/√(σ² + ε), then γx̂ + β."""
        if batch_stats:
            n = len(xs)
            mean = total(xs) / n  # μ = (1/N) Σ xᵢ
            centred = [x - mean for x in xs]
            squares = total([d * d for d in centred])  # Σ (xᵢ − μ)²
            var = squares / n  # σ², the biased variance: what the batch is normalised with
            inv_std = (var + self.eps) ** -0.5  # 1/√(σ² + ε)
            mean.label, var.label = "μ", "σ²"
            stats.append((mean.data, squares.data))
        else:  # evaluation mode: the running estimates, constants
            assert self.running_mean is not None and self.running_var is not None
            centred = [_lifted(x) - self.running_mean[j] for x in xs]
            inv_std = Value(1.0 / math.sqrt(self.running_var[j] + self.eps))
        normalised = [d * inv_std for d in centred]
        if self.gamma is None or self.beta is None:
            return normalised
        return [self.gamma[j] * x + self.beta[j] for x in normalised]

    def _update_running(self, stats: list[tuple[float, float]], n: int) -> None:
        """running ← (1 − m)·running + m·batch statistic, with the unbiased variance Σ(x − μ)²/(N − 1)."""
        assert self.running_mean is not None and self.running_var is not None
        assert self.num_batches_tracked is not None
        self.num_batches_tracked += 1
        m = self.momentum if self.momentum is not None else 1.0 / self.num_batches_tracked
        for j, (mean, squares) in enumerate(stats):
            self.running_mean[j] = m * mean + (1.0 - m) * self.running_mean[j]
            self.running_var[j] = m * (squares / (n - 1)) + (1.0 - m) * self.running_var[j]

    def __repr__(self) -> str:
        extra = "".join(
            f", {k}={v!r}" for k, v in self.config().items() if k != "num_features" and v != _DEFAULTS[k]
        )
        return f"BatchNorm({self.num_features}{extra})"


_DEFAULTS: dict[str, Any] = {"eps": 1e-5, "momentum": 0.1, "affine": True, "track_running_stats": True}


def _feature_rows(batch: Any, c: int) -> tuple[list[list[Any]], bool]:
    """The batch as N rows of C entries (Values or floats), and whether its samples were single
    numbers (C = 1) rather than lists; any other shape is an error naming BatchNorm and the sizes."""
    if isinstance(batch, (str, bytes)) or not isinstance(batch, Sequence):
        type_error("BatchNorm", "batch", f"a list of samples, each a list of {c} numbers or Values", batch)
    if not batch:
        value_error("BatchNorm", "batch", f"a non-empty list of samples of {c} features", batch)
    scalar = c == 1 and not isinstance(batch[0], (list, tuple))
    rows = []
    for i, sample in enumerate(batch):
        if scalar:
            sample = [sample]
        if isinstance(sample, (str, bytes)) or not isinstance(sample, (list, tuple)):
            type_error("BatchNorm", f"batch[{i}]", f"a list of {c} numbers or Values", sample)
        if len(sample) != c:
            raise ValueError(
                f"BatchNorm: batch[{i}] must be a sample of {c} features (num_features={c}), "
                f"got {len(sample)} features"
            )
        rows.append(
            [
                x if isinstance(x, Value) else as_float(x, "BatchNorm", f"batch[{i}][{j}]")
                for j, x in enumerate(sample)
            ]
        )
    return rows, scalar


def _lifted(x: Any) -> Value:
    return x if isinstance(x, Value) else Value(x)
