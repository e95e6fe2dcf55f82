"""Checks for the exercises of the course in ``course/``: each takes a learner's answer and says,
in one sentence, whether it is right, or what was expected and what was found.

A check returns a :class:`Verdict`, true for a right answer, which a notebook shows as its
sentence. It never raises: an answer that is not written yet (``...``, or a function that
returns nothing) gets "not answered yet", and one that raises gets the error's name. The
course's notebooks call them in their check cells; ``tests/test_course.py`` runs them against
the solutions in ``course/solutions/``.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from .engine import Value
from .ops import FLOATS, SIGMOID

__all__ = [
    "Verdict",
    "check_accuracy",
    "check_backprop_order",
    "check_cross_entropy_gradient",
    "check_dropout_scale",
    "check_he_std",
    "check_hessian_by_hand",
    "check_hinge",
    "check_largest_stable_rate",
    "check_max_margin",
    "check_momentum_step",
    "check_my_backward",
    "check_neuron_delta",
    "check_newton_step",
    "check_op_by_hand",
    "check_parameter_count",
    "check_second_situation",
    "check_sgd_step",
    "check_sigmoid_local",
    "check_standardised",
    "check_step_decay",
    "check_test_point",
    "check_two_consumers",
    "check_vanishing_bound",
    "check_weight_decay_step",
    "check_weight_elimination_gradient",
    "check_xavier_bound",
]

# the neuron of chapter 1: o = tanh(x1·w1 + x2·w2 + b)
NEURON = {"x1": 2.0, "w1": -3.0, "x2": 0.0, "w2": 1.0, "b": 6.8813735870195432}


class Verdict:
    """A check's answer: true when the learner's answer is right; shown as one sentence."""

    def __init__(self, right: bool, text: str) -> None:
        self.right, self.text = right, text

    def __bool__(self) -> bool:
        return self.right

    def __repr__(self) -> str:
        return self.text


def _say(right: bool, text: str) -> Verdict:
    return Verdict(right, ("✓ right: " if right else "✗ ") + text)


def _unanswered(what: str) -> Verdict:
    return Verdict(False, f"… not answered yet: {what}")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _attempt(answer: Callable[..., Any], *args: Any) -> tuple[Any, str]:
    """answer(*args), or (None, why it gave nothing usable)."""
    try:
        got = answer(*args)
    except Exception as error:  # the learner's code: any error is reported, never raised
        return None, f"it raised {type(error).__name__}: {error}"
    if got is None or got is Ellipsis:
        return None, "unanswered"
    return got, ""


def _answer(fn: Callable[..., Any], name: str, call: str, *args: Any) -> tuple[Any, Optional[Verdict]]:
    """fn(*args), or else the verdict for an answer not written yet or one that raised."""
    got, why = _attempt(fn, *args)
    if why == "unanswered":
        return None, _unanswered(f"write {name}'s body")
    if why:
        return None, _say(False, f"{call}: {why}")
    return got, None


def _returned_value(
    fn: Callable[..., Any], name: str, call: str, *args: Any
) -> tuple[Any, Optional[Verdict]]:
    """fn(*args) when it is a Value, or else the verdict that says why it is not."""
    got, verdict = _answer(fn, name, call, *args)
    if verdict is not None:
        return None, verdict
    if not isinstance(got, Value):
        return None, _say(False, f"{name} should return a Value, and it returns {type(got).__name__}")
    return got, None


def _number_check(answer: Any, name: str, expected: float, why: str, formula: str) -> Verdict:
    if answer is None or answer is Ellipsis:
        return _unanswered(f"set {name} to a number")
    if not isinstance(answer, (int, float)) or isinstance(answer, bool):
        return _say(False, f"{name} should be a number, and it is {type(answer).__name__} {answer!r}")
    if _close(float(answer), expected):
        return _say(True, why)
    return _say(False, f"expected {formula} = {expected:.6g}, found {answer!r}")


def check_neuron_delta(delta: Any) -> Verdict:
    """δ of the neuron's pre-activation z = x1·w1 + x2·w2 + b for o = tanh(z): ∂o/∂z = 1 − tanh²(z)."""
    z = NEURON["x1"] * NEURON["w1"] + NEURON["x2"] * NEURON["w2"] + NEURON["b"]
    expected = 1.0 - math.tanh(z) ** 2
    why = f"δ = 1 − tanh²(z) = {expected:.6f}; every weight's gradient is its input × δ"
    return _number_check(delta, "delta", expected, why, f"δ = 1 − tanh²({z:.4f})")


def check_sigmoid_local(sigmoid_local: Callable[[float], Any]) -> Verdict:
    """The learner's ∂σ/∂z written with the output y = σ(z) alone, against the engine's rule."""
    for z in (-4.0, -0.5, 0.0, 0.7, 3.0):
        y = FLOATS.sigmoid(z)
        got, verdict = _answer(sigmoid_local, "sigmoid_local", f"sigmoid_local({y:.4f})", y)
        if verdict is not None:
            return verdict
        (expected,) = SIGMOID.local(FLOATS, None, y, z)
        if not isinstance(got, (int, float)) or not _close(float(got), expected):
            return _say(False, f"at y = σ({z}) = {y:.4f} expected {expected:.6f}, found {got!r}")
    return _say(True, "σ'(z) = y·(1 − y): the largest it gets is 0.25, at z = 0")


def check_op_by_hand(
    op: Callable[[Value], Value], f: Callable[[float], float], df: Callable[[float], float]
) -> Verdict:
    """An op written by hand, micrograd's way (``Value(y, (x,), name)`` with its own ``_backward``):
    its value must be f(x), and backward must give f'(x), at a few points."""
    for x in (-1.5, -0.3, 0.4, 2.0):
        leaf = Value(x)
        out, verdict = _returned_value(op, "the op", f"op(Value({x}))", leaf)
        if verdict is not None:
            return verdict
        if not _close(out.data, f(x)):
            return _say(False, f"at x = {x} the value should be {f(x):.6f}, found {out.data!r}")
        if leaf not in out.inputs:
            return _say(False, f"at x = {x} the output does not list x among its inputs (_children)")
        out.backward()
        if not _close(leaf.grad, df(x)):
            return _say(False, f"at x = {x} backward should give ∂/∂x = {df(x):.6f}, found {leaf.grad!r}")
    return _say(True, "the value and the gradient match at every point tried")


# ------------------------------------------------------------------ chapter 2


def _graphs() -> list[Value]:
    """Small graphs with shared nodes, a Σ node, a mask (relu below 0) and numbers in nodes."""
    from .engine import dot

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
    return _number_check(answer, "answer", expected, why, "b + (1 − tanh²(a))")


def check_backprop_order(is_backprop_order: Callable[[list[Value]], Any]) -> Verdict:
    """The learner's test of an order: True iff every node comes after all of its consumers."""
    from .engine import topological_order

    for root in _graphs():
        order = topological_order(root)
        for name, candidate, valid in (
            ("the engine's order", order, True),
            ("the engine's order reversed", order[::-1], False),
            ("with the output moved last", [*order[1:], order[0]], False),
        ):
            got, verdict = _answer(is_backprop_order, "is_backprop_order", f"on {name}", list(candidate))
            if verdict is not None:
                return verdict
            if bool(got) != valid:
                return _say(False, f"on {name} of a {len(order)}-node graph expected {valid}, found {got!r}")
    return _say(True, "a node may be visited once every node that uses it has been")


def check_my_backward(my_backward: Callable[[Value], Any]) -> Verdict:
    """The learner's backward pass against the engine's, on graphs with shared nodes and masks."""
    from .engine import topological_order

    for root in _graphs():
        nodes = topological_order(root)
        for n in nodes:
            n.grad = 0.0
        root.backward()
        expected = {n: n.grad for n in nodes}
        for n in nodes:
            n.grad = 0.0
        _, why = _attempt(lambda r: my_backward(r) or True, root)
        if why:
            return _say(False, f"my_backward: {why}")
        if all(n.grad == 0.0 for n in nodes):
            return _unanswered("write my_backward's body (no gradient was set)")
        for n in nodes:
            if not _close(n.grad, expected[n]):
                shown = n.label or n.op
                return _say(False, f"the gradient of {shown!r} should be {expected[n]:.6f}, found {n.grad!r}")
    return _say(True, "the same gradients as backward(), every δ computed once")


# ------------------------------------------------------------------ chapter 3


def check_parameter_count(count: Any) -> Verdict:
    """How many parameters MLP(2, [16, 16, 1]) has: (2 + 1)·16 + (16 + 1)·16 + (16 + 1)·1."""
    expected = (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
    if count is None or count is Ellipsis:
        return _unanswered("set count to a number")
    if count == expected and not isinstance(count, bool):
        return _say(True, f"{expected}: each neuron has one weight per input, and one bias")
    return _say(False, f"expected (2+1)·16 + (16+1)·16 + (16+1)·1 = {expected}, found {count!r}")


def check_sgd_step(sgd_step: Callable[[list[Value], float], Any]) -> Verdict:
    """The learner's step p ← p − lr·∂J/∂p, against the engine's optimizer on the same gradients."""
    from .optim import SGD

    ours = [Value(v) for v in (0.5, -1.25, 2.0)]
    theirs = [Value(v) for v in (0.5, -1.25, 2.0)]
    for p, q, g in zip(ours, theirs, (0.1, -0.4, 3.0)):
        p.grad = q.grad = g
    SGD(theirs, lr=0.3).step()
    _, why = _attempt(lambda ps, lr: sgd_step(ps, lr) or True, ours, 0.3)
    if why:
        return _say(False, f"sgd_step: {why}")
    if all(p.data == v for p, v in zip(ours, (0.5, -1.25, 2.0))):
        return _unanswered("write sgd_step's body (no parameter moved)")
    for i, (p, q) in enumerate(zip(ours, theirs)):
        if not _close(p.data, q.data):
            return _say(False, f"parameter {i} should move to {q.data:.6f}, found {p.data!r}")
    return _say(True, "each parameter moved against its gradient, by lr times it")


def check_hinge(hinge: Callable[[Value, float], Any]) -> Verdict:
    """The learner's hinge loss max(0, 1 − y·s) for one sample, value and gradient."""
    for s, y in ((2.0, 1.0), (0.5, 1.0), (-0.3, 1.0), (0.3, -1.0), (-2.0, -1.0)):
        score = Value(s)
        loss, verdict = _returned_value(hinge, "hinge", f"hinge(Value({s}), {y})", score, y)
        if verdict is not None:
            return verdict
        expected = max(0.0, 1.0 - y * s)
        if not _close(loss.data, expected):
            return _say(False, f"at s = {s}, y = {y} the loss should be {expected}, found {loss.data!r}")
        loss.backward()
        slope = -y if 1.0 - y * s > 0 else 0.0
        if not _close(score.grad, slope):
            return _say(False, f"at s = {s}, y = {y} ∂loss/∂s should be {slope}, found {score.grad!r}")
    return _say(True, "a point beyond the margin costs nothing; the others pull their score toward y")


# ------------------------------------------------------------------ chapter 4


def check_second_situation(loss: Any) -> Verdict:
    """Note 001's second situation: the true classes get 0.49 and 0.41, so the mean
    cross-entropy is −(ln 0.49 + ln 0.41)/2 (the note prints 0.62, taking the wrong class)."""
    expected = -(math.log(0.49) + math.log(0.41)) / 2
    if loss is None or loss is Ellipsis:
        return _unanswered("set loss to a number")
    if not isinstance(loss, (int, float)) or isinstance(loss, bool):
        return _say(False, f"loss should be a number, and it is {type(loss).__name__} {loss!r}")
    if _close(float(loss), expected):
        return _say(
            True, f"{expected:.4f}, higher than the first situation's 0.5888: worse predictions cost more"
        )
    hint = (
        " (0.62 takes the dog's 0.59 for sample 2, which is a cat)" if abs(float(loss) - 0.62) < 0.01 else ""
    )
    return _say(False, f"expected −(ln 0.49 + ln 0.41)/2 = {expected:.4f}, found {loss!r}{hint}")


def check_cross_entropy_gradient(gradient: Callable[[list[float], int], Any]) -> Verdict:
    """The learner's ∂L/∂z of L = cross-entropy(softmax(z), class), against backprop's."""
    from .losses import cross_entropy

    for logits, target in (([2.0, -1.0, 0.5], 0), ([0.0, 0.0], 1), ([-3.0, 4.0, 1.0, 0.25], 2)):
        zs = [Value(v) for v in logits]
        cross_entropy(zs, target).backward()
        got, verdict = _answer(gradient, "gradient", f"gradient({logits}, {target})", list(logits), target)
        if verdict is not None:
            return verdict
        if not isinstance(got, (list, tuple)) or len(got) != len(logits):
            return _say(False, f"gradient({logits}, {target}) should be {len(logits)} numbers, found {got!r}")
        for i, (g, z) in enumerate(zip(got, zs)):
            if not isinstance(g, (int, float)) or not _close(float(g), z.grad):
                return _say(
                    False, f"for logits {logits}, class {target}: ∂L/∂z{i} = {z.grad:.6f}, found {g!r}"
                )
    return _say(True, "∂L/∂zᵢ = softmax(z)ᵢ − tᵢ: each probability's error")


def check_max_margin(max_margin: Callable[[Value, Value], Any]) -> Verdict:
    """The learner's J = max(0, 1 + s_c − s) for a true window's score s and a corrupt one's s_c."""
    for s, s_c in ((2.0, 0.5), (0.3, 0.1), (-1.0, 0.5), (0.0, 0.0)):
        true, corrupt = Value(s), Value(s_c)
        call = f"max_margin(Value({s}), Value({s_c}))"
        loss, verdict = _returned_value(max_margin, "max_margin", call, true, corrupt)
        if verdict is not None:
            return verdict
        expected = max(0.0, 1.0 + s_c - s)
        if not _close(loss.data, expected):
            return _say(False, f"at s = {s}, s_c = {s_c} J should be {expected}, found {loss.data!r}")
        loss.backward()
        live = 1.0 + s_c - s > 0
        if not (_close(true.grad, -1.0 if live else 0.0) and _close(corrupt.grad, 1.0 if live else 0.0)):
            return _say(
                False, f"at s = {s}, s_c = {s_c} the gradients should be ∓1 or 0, found {true.grad!r}"
            )
    return _say(True, "J pushes s up and s_c down until the true window wins by the margin, then stops")


# ------------------------------------------------------------------ chapter 5


def check_largest_stable_rate(rate: Any) -> Verdict:
    """Gradient descent on f(w) = w²: w ← w − α·2w = (1 − 2α)w shrinks only while |1 − 2α| < 1."""
    why = "α < 1: each step multiplies w by 1 − 2α, which must stay inside (−1, 1)"
    return _number_check(rate, "rate", 1.0, why, "the α where |1 − 2α| reaches 1")


def check_momentum_step(momentum_step: Callable[[float, float, float, float, float], Any]) -> Verdict:
    """The learner's (θ, b) ← (θ − lr·b', b') with b' = μb + g (b' = g on the first step, b = 0),
    against the engine's SGD with momentum over a few steps of changing gradients."""
    from .optim import SGD

    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=0.9)
    theta, buffer = 1.0, 0.0
    for i, g in enumerate((2.0, -1.0, 0.5, 3.0)):
        w.grad = g
        opt.step()
        got, verdict = _answer(momentum_step, "momentum_step", "momentum_step", theta, buffer, g, 0.1, 0.9)
        if verdict is not None:
            return verdict
        if not isinstance(got, tuple) or len(got) != 2:
            return _say(False, f"momentum_step should return (theta, buffer), and it returns {got!r}")
        theta, buffer = got
        if not _close(float(theta), w.data):
            return _say(False, f"after step {i + 1} θ should be {w.data:.6f}, found {theta!r}")
    return _say(
        True, "the same steps as torch.optim.SGD(momentum=0.9): the velocity adds up the past gradients"
    )


def check_step_decay(lr_at: Callable[[int], Any]) -> Verdict:
    """The learner's step decay lr_k = 0.5 · 0.5^⌊k/10⌋, against the engine's StepLR."""
    from .optim import SGD, StepLR

    opt = SGD([Value(0.0)], lr=0.5)
    schedule = StepLR(opt, step_size=10, gamma=0.5)
    for k in range(35):
        got, verdict = _answer(lr_at, "lr_at", f"lr_at({k})", k)
        if verdict is not None:
            return verdict
        if not isinstance(got, (int, float)) or not _close(float(got), opt.lr):
            return _say(False, f"at step {k} the rate should be {opt.lr}, found {got!r}")
        schedule.step()
    return _say(True, "halved every 10 steps, as StepLR(step_size=10, gamma=0.5)")


# ------------------------------------------------------------------ chapter 6


def check_vanishing_bound(bound: Any) -> Verdict:
    """The largest product of ten sigmoid derivatives: σ′ ≤ 0.25, so 0.25¹⁰."""
    why = "0.25¹⁰ ≈ 1e-6: ten sigmoid layers shrink δ a millionfold at least, whatever the weights"
    return _number_check(bound, "bound", 0.25**10, why, "0.25¹⁰")


def check_xavier_bound(bound: Any) -> Verdict:
    """Glorot/Xavier's uniform bound for fan-in 64 and fan-out 32: √(6/(64 + 32))."""
    why = "√(6/96) = 0.25: the signal's variance is kept the same forward and backward"
    return _number_check(bound, "xavier", math.sqrt(6 / (64 + 32)), why, "√(6/(m + n))")


def check_he_std(std: Any) -> Verdict:
    """He's standard deviation for a ReLU layer of fan-in 50: √(2/50)."""
    why = "√(2/50) = 0.2: twice Xavier's variance, because a ReLU passes only half of its inputs on"
    return _number_check(std, "std", math.sqrt(2 / 50), why, "√(2/fan_in)")


# ------------------------------------------------------------------ chapter 7


def check_weight_decay_step(w: Any) -> Verdict:
    """One step on J + λw² from w = 2 with ∂J/∂w = 0.5, λ = 0.1, α = 0.5: w − α(0.5 + 2λw)."""
    why = "w − α(g + 2λw) = 1.55: the penalty pulls every weight toward 0, in proportion to its size"
    return _number_check(w, "w", 2.0 - 0.5 * (0.5 + 2 * 0.1 * 2.0), why, "w − α·(g + 2λw)")


def check_dropout_scale(scale: Any) -> Verdict:
    """Inverted dropout with drop probability p = 0.2 scales the survivors by 1/(1 − p)."""
    why = "1/(1 − p) = 1.25: the expected output stays what it is without dropout"
    return _number_check(scale, "scale", 1 / (1 - 0.2), why, "1/(1 − p)")


def check_weight_elimination_gradient(gradient: Callable[[float], Any]) -> Verdict:
    """The learner's d/dw of w²/(1 + w²) (note 004's weight elimination), against backprop's."""
    from .losses import weight_elimination

    for w in (-3.0, -0.5, 0.0, 0.2, 1.0, 10.0):
        v = Value(w)
        weight_elimination([v]).backward()
        got, verdict = _answer(gradient, "gradient", f"gradient({w})", w)
        if verdict is not None:
            return verdict
        if not isinstance(got, (int, float)) or not _close(float(got), v.grad):
            return _say(False, f"at w = {w} the derivative is {v.grad:.6f}, found {got!r}")
    return _say(True, "2w/(1 + w²)²: large weights cost about the same, so only small ones are pushed to 0")


# ------------------------------------------------------------------ chapter 8


def check_hessian_by_hand(h: Any) -> Verdict:
    """The Hessian of f(x, y) = x²y + y³ at (1, 2): [[2y, 2x], [2x, 6y]] = [[4, 2], [2, 12]]."""
    from .autograd import hessian

    expected = hessian(lambda x, y: x * x * y + y**3, [1.0, 2.0])
    if h is None or h is Ellipsis:
        return _unanswered("set h to a 2×2 list of numbers")
    try:
        rows = [[float(v) for v in row] for row in h]
    except (TypeError, ValueError):
        return _say(False, f"h should be a 2×2 list of numbers, and it is {h!r}")
    if len(rows) != 2 or any(len(r) != 2 for r in rows):
        return _say(False, f"h should be 2×2, and it is {len(rows)} rows of {[len(r) for r in rows]}")
    if all(_close(a, b) for r, e in zip(rows, expected) for a, b in zip(r, e)):
        return _say(True, "[[2y, 2x], [2x, 6y]] at (1, 2): symmetric, as every smooth function's Hessian")
    return _say(False, f"expected {expected}, found {rows}")


def check_newton_step(newton_step: Callable[[Callable[[Value], Value], float], Any]) -> Verdict:
    """The learner's x − f′(x)/f″(x), against the closed forms of a few functions."""
    cases = (
        (lambda x: x**4, 1.0, 1.0 - 4.0 / 12.0),
        (lambda x: (x - 3.0) * (x - 3.0), 10.0, 3.0),  # a quadratic: one step to its minimum
        (lambda x: x.exp() - 2.0 * x, 0.0, 1.0),  # x − (eˣ − 2)/eˣ at 0
    )
    for f, x, expected in cases:
        got, verdict = _answer(newton_step, "newton_step", f"newton_step at x = {x}", f, x)
        if verdict is not None:
            return verdict
        if not isinstance(got, (int, float)) or not _close(float(got), expected):
            return _say(False, f"from x = {x} the step should land at {expected:.6f}, found {got!r}")
    return _say(True, "x − f′/f″: on a quadratic it lands on the minimum in one step")


# ------------------------------------------------------------------ chapter 9


def check_standardised(value: Any) -> Verdict:
    """x = 4 in a training column [1, 2, 3, 4]: (x − μ)/σ with its mean 2.5 and standard deviation √1.25."""
    why = "(4 − 2.5)/√1.25 ≈ 1.342: the standard deviation of the column itself, dividing by n"
    return _number_check(value, "value", (4 - 2.5) / math.sqrt(1.25), why, "(x − μ)/σ")


def check_test_point(value: Any) -> Verdict:
    """A test point x = 6, standardised with the *training* column's μ = 2.5 and σ = √1.25."""
    why = "(6 − 2.5)/√1.25 ≈ 3.130: the test set is scaled by what the training set taught, never by itself"
    return _number_check(value, "test_value", (6 - 2.5) / math.sqrt(1.25), why, "(6 − μ_train)/σ_train")


def check_accuracy(accuracy: Callable[[list[list[int]]], Any]) -> Verdict:
    """The learner's accuracy from a confusion matrix (rows: true class, columns: predicted)."""
    for matrix in ([[15, 0, 0], [0, 14, 1], [0, 2, 13]], [[3, 1], [2, 4]], [[5]]):
        expected = sum(matrix[c][c] for c in range(len(matrix))) / sum(map(sum, matrix))
        got, verdict = _answer(accuracy, "accuracy", f"accuracy({matrix})", [row[:] for row in matrix])
        if verdict is not None:
            return verdict
        if not isinstance(got, (int, float)) or not _close(float(got), expected):
            return _say(False, f"for {matrix} the accuracy is {expected:.4f}, found {got!r}")
    return _say(True, "the diagonal over the total: every count off the diagonal is a mistake")
