"""The plain-float floor: the moons step written by hand on floats, with no graph at all.

It is the lower bound an engine that builds a graph is measured against (the
moons step's "plain floats (hand-written)" row): the same forward and
backward, the δ recursion written out, as a competent hand would write it in
pure Python. Before anything is timed, its loss and gradients are checked
against tinygrad_edu's to 1e-12, so the floor does the same work.
"""

from __future__ import annotations

from operator import mul
from typing import Sequence

from benchmarks.problems import L2_STRENGTH, MOONS_LR, Layers, Matrix, Vector, flatten, tinygrad_mlp
from tinygrad_edu.losses import l2, svm_loss

FLOAT_TOLERANCE = 1e-12  # hand-written float gradients vs tinygrad_edu's


def float_hinge_loss_and_grads(
    layers: Layers, X: Matrix, y: Sequence[int], l2_strength: float = L2_STRENGTH
) -> tuple[float, Layers]:
    """J = (1/N)·Σₙ relu(1 − yₙ·sₙ) + λ·Σp² and ∂J/∂W, ∂J/∂b, on plain floats, without a graph.

    The network: s⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = relu(s⁽ˡ⁾) for hidden layers,
    and the last layer's single s is the score. Backward is the δ recursion:
    δ = ∂J/∂s = −yₙ/N at the output while the margin 1 − yₙ·sₙ is > 0 (else
    nothing flows, relu'(0) = 0 as in the engine), δ⁽ˡ⁾ = relu'(s⁽ˡ⁾) ⊙ W⁽ˡ⁺¹⁾ᵀδ⁽ˡ⁺¹⁾,
    ∂J/∂W⁽ˡ⁾ⱼᵢ += δⱼ⁽ˡ⁾·a⁽ˡ⁻¹⁾ᵢ and ∂J/∂b⁽ˡ⁾ⱼ += δⱼ⁽ˡ⁾, plus 2λp for the penalty.
    Written as a competent pure-Python floor: dot products are ``sum(map(mul, ...))``,
    gradient rows are rebuilt by list comprehensions, rows whose δⱼ is 0 are skipped
    (they would add nothing), and W⁽ˡ⁺¹⁾ᵀ is built once per call.
    The sums run in the engine's order (bias first, then w₁x₁, w₂x₂, ...), so the
    loss agrees with tinygrad_edu's to the last bits and the gradients to ~1e-16.
    """
    n = len(X)
    grad_W = [[[0.0] * len(row) for row in W] for W, _ in layers]
    grad_b = [[0.0] * len(b) for _, b in layers]
    last = len(layers) - 1
    # W⁽ˡ⁾ᵀ for l ≥ 1 (the layers δ flows back through): column i of W⁽ˡ⁾ is row i here.
    transposed = [list(zip(*W)) for W, _ in layers[1:]]
    hinge_total = 0.0
    for x, t in zip(X, y):
        inputs: list[Vector] = []  # a⁽ˡ⁻¹⁾, the input of each layer
        a: Vector = x
        for li, (W, b) in enumerate(layers):
            inputs.append(a)
            s: Vector = [sum(map(mul, row, a), bj) for row, bj in zip(W, b)]
            a = s if li == last else [v if v > 0.0 else 0.0 for v in s]
        margin = 1.0 - t * a[0]
        if not margin > 0.0:
            continue  # relu(margin) = 0 and relu'(margin) = 0: no loss, no gradient
        hinge_total += margin
        delta: Vector = [-t / n]
        for li in range(last, -1, -1):
            a_in = inputs[li]
            gW, gb = grad_W[li], grad_b[li]
            for j, dj in enumerate(delta):
                if dj == 0.0:
                    continue  # g + 0.0·aᵢ == g for finite aᵢ (g is never −0.0): nothing to add
                gb[j] += dj
                row = gW[j]
                row[:] = [g + dj * ai for g, ai in zip(row, a_in)]
            if li > 0:
                # relu'(s⁽ˡ⁻¹⁾ᵢ) = 1 exactly when aᵢ = relu(s⁽ˡ⁻¹⁾ᵢ) > 0; the sum runs over j = 0, 1, ...
                delta = [
                    sum(map(mul, col, delta)) if ai > 0.0 else 0.0
                    for col, ai in zip(transposed[li - 1], a_in)
                ]
    params = flatten(layers)
    loss = hinge_total / n + l2_strength * sum(map(mul, params, params))
    grads: Layers = []
    for (W, b), gW, gb in zip(layers, grad_W, grad_b):
        gW = [[g + 2.0 * l2_strength * w for g, w in zip(grow, row)] for grow, row in zip(gW, W)]
        gb = [g + 2.0 * l2_strength * bj for g, bj in zip(gb, b)]
        grads.append((gW, gb))
    return loss, grads


def tinygrad_hinge_loss_and_grads(
    layers: Layers, X: Matrix, y: Sequence[int], l2_strength: float = L2_STRENGTH
) -> tuple[float, Vector]:
    """The same loss and its gradients (flattened) computed by tinygrad_edu."""
    model = tinygrad_mlp(layers)
    params = model.parameters()
    total = svm_loss([model(x) for x in X], list(y)) + l2_strength * l2(params)
    total.backward()
    return total.data, [p.grad for p in params]


def float_gradient_error(layers: Layers, X: Matrix, y: Sequence[int]) -> float:
    """The largest |float gradient − tinygrad_edu gradient| (and loss difference) on this problem."""
    loss_f, grads_f = float_hinge_loss_and_grads(layers, X, y)
    loss_t, grads_t = tinygrad_hinge_loss_and_grads(layers, X, y)
    flat_f = flatten(grads_f)
    if len(flat_f) != len(grads_t):
        raise AssertionError(f"parameter counts differ: {len(flat_f)} != {len(grads_t)}")
    return max([abs(loss_f - loss_t), *(abs(a - b) for a, b in zip(flat_f, grads_t))])


def check_float_network(layers: Layers, X: Matrix, y: Sequence[int]) -> float:
    """Raise AssertionError unless the float network's gradients equal tinygrad_edu's to 1e-12."""
    error = float_gradient_error(layers, X, y)
    if not error <= FLOAT_TOLERANCE:
        raise AssertionError(
            f"hand-written float gradients differ from tinygrad_edu's by {error:.3g} > {FLOAT_TOLERANCE}"
        )
    return error


class FloatMoons:
    """The moons step's floor row: :func:`float_hinge_loss_and_grads` and the SGD update, by hand."""

    name = "plain floats (hand-written)"

    def __init__(self, layers: Layers, X: Matrix, y: Sequence[int]) -> None:
        self.initial = layers
        self.X, self.y = X, list(y)
        self.reset()

    def reset(self) -> None:
        self.layers = [([list(row) for row in W], list(b)) for W, b in self.initial]

    def weights(self) -> Vector:
        return flatten(self.layers)

    def step(self) -> float:
        loss, grads = float_hinge_loss_and_grads(self.layers, self.X, self.y)
        for (W, b), (gW, gb) in zip(self.layers, grads):
            for row, grow in zip(W, gW):
                row[:] = [w - MOONS_LR * g for w, g in zip(row, grow)]
            b[:] = [bj - MOONS_LR * g for bj, g in zip(b, gb)]
        return loss
