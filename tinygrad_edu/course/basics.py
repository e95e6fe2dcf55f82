"""The checks of chapters 1–4: a neuron and the chain rule, backprop, an MLP, losses."""

from __future__ import annotations

import math
from typing import Any, Callable

from ..engine import Value
from ..ops import FLOATS, SIGMOID
from .verdicts import Verdict, answered, attempt, close, number_check, returned_value, say, unanswered

__all__ = [
    "check_backprop_order",
    "check_cross_entropy_gradient",
    "check_hinge",
    "check_max_margin",
    "check_my_backward",
    "check_neuron_delta",
    "check_op_by_hand",
    "check_parameter_count",
    "check_second_situation",
    "check_sgd_step",
    "check_sigmoid_local",
    "check_two_consumers",
]

# ------------------------------------------------------------------ chapter 1

# the neuron of chapter 1: o = tanh(x1·w1 + x2·w2 + b)
NEURON = {"x1": 2.0, "w1": -3.0, "x2": 0.0, "w2": 1.0, "b": 6.8813735870195432}


def check_neuron_delta(delta: Any) -> Verdict:
    """δ of the neuron's pre-activation z = x1·w1 + x2·w2 + b for o = tanh(z): ∂o/∂z = 1 − tanh²(z)."""
    z = NEURON["x1"] * NEURON["w1"] + NEURON["x2"] * NEURON["w2"] + NEURON["b"]
    expected = 1.0 - math.tanh(z) ** 2
    why = f"δ = 1 − tanh²(z) = {expected:.6f}; every weight's gradient is its input × δ"
    return number_check(delta, "delta", expected, why, f"δ = 1 − tanh²({z:.4f})")


def check_sigmoid_local(sigmoid_local: Callable[[float], Any]) -> Verdict:
    """The learner's ∂σ/∂z written with the output y = σ(z) alone, against the engine's rule."""
    for z in (-4.0, -0.5, 0.0, 0.7, 3.0):
        y = FLOATS.sigmoid(z)
        got, verdict = answered(sigmoid_local, "sigmoid_local", f"sigmoid_local({y:.4f})", y)
        if verdict is not None:
            return verdict
        (expected,) = SIGMOID.local(FLOATS, None, y, z)
        if not isinstance(got, (int, float)) or not close(float(got), expected):
            return say(False, f"at y = σ({z}) = {y:.4f} expected {expected:.6f}, found {got!r}")
    return say(True, "σ'(z) = y·(1 − y): the largest it gets is 0.25, at z = 0")


def check_op_by_hand(
    op: Callable[[Value], Value], f: Callable[[float], float], df: Callable[[float], float]
) -> Verdict:
    """An op written by hand, micrograd's way (``Value(y, (x,), name)`` with its own ``_backward``):
    its value must be f(x), and backward must give f'(x), at a few points."""
    for x in (-1.5, -0.3, 0.4, 2.0):
        leaf = Value(x)
        out, verdict = returned_value(op, "the op", f"op(Value({x}))", leaf)
        if verdict is not None:
            return verdict
        if not close(out.data, f(x)):
            return say(False, f"at x = {x} the value should be {f(x):.6f}, found {out.data!r}")
        if leaf not in out.inputs:
            return say(False, f"at x = {x} the output does not list x among its inputs (_children)")
        out.backward()
        if not close(leaf.grad, df(x)):
            return say(False, f"at x = {x} backward should give ∂/∂x = {df(x):.6f}, found {leaf.grad!r}")
    return say(True, "the value and the gradient match at every point tried")


# ------------------------------------------------------------------ chapter 2


def _graphs() -> list[Value]:
    """Small graphs with shared nodes, a Σ node, a mask (relu below 0) and numbers in nodes."""
    from ..engine import dot

    x, w = Value(1.5, label="x"), Value(-0.5, label="w")
    a = x * w
    shared = (a * a + a.tanh() + 3.0 * a).sigmoid()
    z = dot([w, x], [x, Value(2.0, label="c")], Value(0.25, label="b"))
    masked = (z - 10.0).relu() + z * x
    return [shared, masked, (x / (w * w + 1.0)).exp() - x]


def check_two_consumers(answer: Any) -> Verdict:
    """∂y/∂a for y = a·b + tanh(a) at a = 0.5, b = −2: a has two consumers, so δₐ is a sum."""
    a, b = 0.5, -2.0
    expected = b + (1.0 - math.tanh(a) ** 2)
    why = f"δₐ = b·δ + (1 − tanh² a)·δ = {expected:.6f}: one term per consumer, added"
    return number_check(answer, "answer", expected, why, "b + (1 − tanh²(a))")


def check_backprop_order(is_backprop_order: Callable[[list[Value]], Any]) -> Verdict:
    """The learner's test of an order: True iff every node comes after all of its consumers."""
    from ..engine import topological_order

    for root in _graphs():
        order = topological_order(root)
        for name, candidate, valid in (
            ("the engine's order", order, True),
            ("the engine's order reversed", order[::-1], False),
            ("with the output moved last", [*order[1:], order[0]], False),
        ):
            got, verdict = answered(is_backprop_order, "is_backprop_order", f"on {name}", list(candidate))
            if verdict is not None:
                return verdict
            if bool(got) != valid:
                return say(False, f"on {name} of a {len(order)}-node graph expected {valid}, found {got!r}")
    return say(True, "a node may be visited once every node that uses it has been")


def check_my_backward(my_backward: Callable[[Value], Any]) -> Verdict:
    """The learner's backward pass against the engine's, on graphs with shared nodes and masks."""
    from ..engine import topological_order

    for root in _graphs():
        nodes = topological_order(root)
        for n in nodes:
            n.grad = 0.0
        root.backward()
        expected = {n: n.grad for n in nodes}
        for n in nodes:
            n.grad = 0.0
        _, why = attempt(lambda r: my_backward(r) or True, root)
        if why:
            return say(False, f"my_backward: {why}")
        if all(n.grad == 0.0 for n in nodes):
            return unanswered("write my_backward's body (no gradient was set)")
        for n in nodes:
            if not close(n.grad, expected[n]):
                shown = n.label or n.op
                return say(False, f"the gradient of {shown!r} should be {expected[n]:.6f}, found {n.grad!r}")
    return say(True, "the same gradients as backward(), every δ computed once")


# ------------------------------------------------------------------ chapter 3


def check_parameter_count(count: Any) -> Verdict:
    """How many parameters MLP(2, [16, 16, 1]) has: (2 + 1)·16 + (16 + 1)·16 + (16 + 1)·1."""
    expected = (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
    if count is None or count is Ellipsis:
        return unanswered("set count to a number")
    if count == expected and not isinstance(count, bool):
        return say(True, f"{expected}: each neuron has one weight per input, and one bias")
    return say(False, f"expected (2+1)·16 + (16+1)·16 + (16+1)·1 = {expected}, found {count!r}")


def check_sgd_step(sgd_step: Callable[[list[Value], float], Any]) -> Verdict:
    """The learner's step p ← p − lr·∂J/∂p, against the engine's optimizer on the same gradients."""
    from ..optim import SGD

    ours = [Value(v) for v in (0.5, -1.25, 2.0)]
    theirs = [Value(v) for v in (0.5, -1.25, 2.0)]
    for p, q, g in zip(ours, theirs, (0.1, -0.4, 3.0)):
        p.grad = q.grad = g
    SGD(theirs, lr=0.3).step()
    _, why = attempt(lambda ps, lr: sgd_step(ps, lr) or True, ours, 0.3)
    if why:
        return say(False, f"sgd_step: {why}")
    if all(p.data == v for p, v in zip(ours, (0.5, -1.25, 2.0))):
        return unanswered("write sgd_step's body (no parameter moved)")
    for i, (p, q) in enumerate(zip(ours, theirs)):
        if not close(p.data, q.data):
            return say(False, f"parameter {i} should move to {q.data:.6f}, found {p.data!r}")
    return say(True, "each parameter moved against its gradient, by lr times it")


def check_hinge(hinge: Callable[[Value, float], Any]) -> Verdict:
    """The learner's hinge loss max(0, 1 − y·s) for one sample, value and gradient."""
    for s, y in ((2.0, 1.0), (0.5, 1.0), (-0.3, 1.0), (0.3, -1.0), (-2.0, -1.0)):
        score = Value(s)
        loss, verdict = returned_value(hinge, "hinge", f"hinge(Value({s}), {y})", score, y)
        if verdict is not None:
            return verdict
        expected = max(0.0, 1.0 - y * s)
        if not close(loss.data, expected):
            return say(False, f"at s = {s}, y = {y} the loss should be {expected}, found {loss.data!r}")
        loss.backward()
        slope = -y if 1.0 - y * s > 0 else 0.0
        if not close(score.grad, slope):
            return say(False, f"at s = {s}, y = {y} ∂loss/∂s should be {slope}, found {score.grad!r}")
    return say(True, "a point beyond the margin costs nothing; the others pull their score toward y")


# ------------------------------------------------------------------ chapter 4


def check_second_situation(loss: Any) -> Verdict:
    """Note 001's second situation: the true classes get 0.49 and 0.41, so the mean
    cross-entropy is −(ln 0.49 + ln 0.41)/2 (the note prints 0.62, taking the wrong class)."""
    expected = -(math.log(0.49) + math.log(0.41)) / 2
    if loss is None or loss is Ellipsis:
        return unanswered("set loss to a number")
    if not isinstance(loss, (int, float)) or isinstance(loss, bool):
        return say(False, f"loss should be a number, and it is {type(loss).__name__} {loss!r}")
    if close(float(loss), expected):
        return say(
            True, f"{expected:.4f}, higher than the first situation's 0.5888: worse predictions cost more"
        )
    hint = (
        " (0.62 takes the dog's 0.59 for sample 2, which is a cat)" if abs(float(loss) - 0.62) < 0.01 else ""
    )
    return say(False, f"expected −(ln 0.49 + ln 0.41)/2 = {expected:.4f}, found {loss!r}{hint}")


def check_cross_entropy_gradient(gradient: Callable[[list[float], int], Any]) -> Verdict:
    """The learner's ∂L/∂z of L = cross-entropy(softmax(z), class), against backprop's."""
    from ..losses import cross_entropy

    for logits, target in (([2.0, -1.0, 0.5], 0), ([0.0, 0.0], 1), ([-3.0, 4.0, 1.0, 0.25], 2)):
        zs = [Value(v) for v in logits]
        cross_entropy(zs, target).backward()
        got, verdict = answered(gradient, "gradient", f"gradient({logits}, {target})", list(logits), target)
        if verdict is not None:
            return verdict
        if not isinstance(got, (list, tuple)) or len(got) != len(logits):
            return say(False, f"gradient({logits}, {target}) should be {len(logits)} numbers, found {got!r}")
        for i, (g, z) in enumerate(zip(got, zs)):
            if not isinstance(g, (int, float)) or not close(float(g), z.grad):
                return say(
                    False, f"for logits {logits}, class {target}: ∂L/∂z{i} = {z.grad:.6f}, found {g!r}"
                )
    return say(True, "∂L/∂zᵢ = softmax(z)ᵢ − tᵢ: each probability's error")


def check_max_margin(max_margin: Callable[[Value, Value], Any]) -> Verdict:
    """The learner's J = max(0, 1 + s_c − s) for a true window's score s and a corrupt one's s_c."""
    for s, s_c in ((2.0, 0.5), (0.3, 0.1), (-1.0, 0.5), (0.0, 0.0)):
        true, corrupt = Value(s), Value(s_c)
        call = f"max_margin(Value({s}), Value({s_c}))"
        loss, verdict = returned_value(max_margin, "max_margin", call, true, corrupt)
        if verdict is not None:
            return verdict
        expected = max(0.0, 1.0 + s_c - s)
        if not close(loss.data, expected):
            return say(False, f"at s = {s}, s_c = {s_c} J should be {expected}, found {loss.data!r}")
        loss.backward()
        live = 1.0 + s_c - s > 0
        if not (close(true.grad, -1.0 if live else 0.0) and close(corrupt.grad, 1.0 if live else 0.0)):
            return say(False, f"at s = {s}, s_c = {s_c} the gradients should be ∓1 or 0, found {true.grad!r}")
    return say(True, "J pushes s up and s_c down until the true window wins by the margin, then stops")
