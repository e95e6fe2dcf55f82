"""The course in ``course/``: every notebook runs top to bottom in a fresh kernel, is committed
with its outputs, follows the chapter layout, and its check cells pass on the solutions in
``course/solutions/`` (and say what is wrong on wrong answers)."""

from __future__ import annotations

import json
import math
import runpy
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu import Value, course

COURSE = Path(__file__).resolve().parent.parent / "course"
NOTEBOOKS = sorted(COURSE.glob("[0-9][0-9]_*.ipynb"))


def _cells(path: Path) -> list[dict[str, Any]]:
    cells: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return cells


def _source(cell: dict[str, Any]) -> str:
    return "".join(cell["source"])


def _check_cells(path: Path) -> list[str]:
    return [_source(c) for c in _cells(path) if c["cell_type"] == "code" and "course.check_" in _source(c)]


def test_there_is_a_course() -> None:
    assert NOTEBOOKS, "course/ has no chapters"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_chapter_states_its_notes_explains_and_ends_with_checked_exercises(path: Path) -> None:
    cells = _cells(path)
    text = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    assert "*Covers:* note" in text  # which of the course notes the chapter follows
    exercises = text.count("### Exercise")
    assert 2 <= exercises <= 4
    assert len(_check_cells(path)) == exercises  # one check cell per exercise
    solution = COURSE / "solutions" / f"chapter{int(path.name[:2])}.py"
    assert solution.exists(), f"no solutions for {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_chapter_is_committed_with_its_outputs(path: Path) -> None:
    """So that it reads on a web page without running: every code cell ran, and some drew."""
    code = [c for c in _cells(path) if c["cell_type"] == "code"]
    assert all(c["execution_count"] is not None for c in code)
    kinds = {kind for c in code for out in c["outputs"] for kind in out.get("data", {})}
    assert kinds & {"image/svg+xml", "image/png"}  # a graph or a plot, shown as a picture


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_check_cells_pass_on_the_solutions(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = runpy.run_path(str(COURSE / "solutions" / f"chapter{int(path.name[:2])}.py"))
    namespace["course"] = course
    for check in _check_cells(path):
        verdict = eval(check.strip(), namespace)  # our own notebook's one-line check cells
        assert verdict, f"{check.strip()}: {verdict!r}"
        assert repr(verdict).startswith("✓ right: ")


def test_the_checks_say_what_was_expected_and_what_was_found() -> None:
    wrong = course.check_neuron_delta(0.25)
    assert not wrong and "expected δ" in repr(wrong) and "found 0.25" in repr(wrong)
    assert "not answered yet" in repr(course.check_neuron_delta(...))
    assert "should be a number" in repr(course.check_neuron_delta("0.5"))
    sigmoid = course.check_sigmoid_local(lambda y: y * (1 + y))
    assert not sigmoid and "expected" in repr(sigmoid) and "found" in repr(sigmoid)
    assert "raised ZeroDivisionError" in repr(course.check_sigmoid_local(lambda y: 1 / 0))

    def cube_without_backward(x: Value) -> Value:
        return Value(x.data**3, (x,), "cube")

    op = course.check_op_by_hand(cube_without_backward, lambda x: x**3, lambda x: 3 * x**2)
    assert not op and "backward should give" in repr(op)

    def cube_forgetting_its_input(x: Value) -> Value:
        return Value(x.data**3)

    op = course.check_op_by_hand(cube_forgetting_its_input, lambda x: x**3, lambda x: 3 * x**2)
    assert not op and "inputs" in repr(op)
    assert course.check_op_by_hand(lambda x: x.tanh(), math.tanh, lambda x: 1 - math.tanh(x) ** 2)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_chapter_runs_top_to_bottom_in_a_fresh_kernel(path: Path) -> None:
    """A real notebook runner: a cell that raises fails the test. Exercises left unanswered
    must not: their check cells say "not answered yet"."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(COURSE)}}
    )
    client.execute()
    outputs = [out for c in notebook.cells if c.cell_type == "code" for out in c.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    checks = [c for c in notebook.cells if c.cell_type == "code" and "course.check_" in c.source]
    assert all("not answered yet" in c.outputs[0]["data"]["text/plain"] for c in checks)


def test_the_chapter_2_checks_tell_wrong_answers_apart() -> None:
    from tinygrad_edu import ops, topological_order

    wrong = course.check_two_consumers(-2.0)  # only one consumer's term
    assert not wrong and "expected" in repr(wrong) and "found -2.0" in repr(wrong)
    always = course.check_backprop_order(lambda order: True)
    assert not always and "expected False, found True" in repr(always)
    assert "not answered yet" in repr(course.check_my_backward(lambda root: None))

    def overwriting_backward(root: Value) -> None:  # = instead of +=: a node with two consumers loses one
        root.grad = 1.0
        for node in topological_order(root):
            if node.rule is not None:
                local = node.rule.local(ops.FLOATS, node.constant, node.data, *[x.data for x in node.inputs])
                for x, d in zip(node.inputs, local):
                    if d is not None:
                        x.grad = d * node.grad

    overwritten = course.check_my_backward(overwriting_backward)
    assert not overwritten and "should be" in repr(overwritten) and "found" in repr(overwritten)


def test_the_chapter_3_checks_tell_wrong_answers_apart() -> None:
    forgot_biases = course.check_parameter_count(2 * 16 + 16 * 16 + 16)
    assert not forgot_biases and "expected" in repr(forgot_biases) and "found 304" in repr(forgot_biases)

    def ascending(params: list[Value], lr: float) -> None:  # + instead of −: climbs the loss
        for p in params:
            p.data += lr * p.grad

    climbed = course.check_sgd_step(ascending)
    assert not climbed and "should move to" in repr(climbed)
    assert "not answered yet" in repr(course.check_sgd_step(lambda params, lr: None))
    no_margin = course.check_hinge(lambda s, y: (-(y * s)).relu())  # max(0, −y·s): no margin
    assert not no_margin and "should be" in repr(no_margin)
    assert "should return a Value" in repr(course.check_hinge(lambda s, y: max(0.0, 1 - y * s.data)))


def test_the_chapter_4_checks_tell_wrong_answers_apart() -> None:
    misprint = course.check_second_situation(0.62)
    assert not misprint and "found 0.62" in repr(misprint) and "dog's 0.59" in repr(misprint)
    no_minus_t = course.check_cross_entropy_gradient(
        lambda z, c: [math.exp(v) / sum(math.exp(u) for u in z) for v in z]  # forgot − t
    )
    assert not no_minus_t and "found" in repr(no_minus_t)
    no_margin = course.check_max_margin(lambda s, s_c: (s_c - s).relu())
    assert not no_margin and "should be" in repr(no_margin)


def test_the_chapter_5_checks_tell_wrong_answers_apart() -> None:
    assert not course.check_largest_stable_rate(2.0)  # the bound for f(w) = w²/2, not w²
    note_001 = course.check_momentum_step(
        lambda theta, b, g, lr, mu: (theta - lr * g, mu * b + g)
    )  # lags a step
    assert not note_001 and "should be" in repr(note_001)
    every_step = course.check_step_decay(lambda k: 0.5 * 0.5**k)
    assert not every_step and "at step 1 the rate should be 0.5" in repr(every_step)


def test_the_chapter_6_checks_tell_wrong_answers_apart() -> None:
    assert not course.check_vanishing_bound(0.25 * 10)
    misprint = course.check_xavier_bound(6 / (64 + 32) ** 0.5)  # note 001's misprint, 6/√(m+n)
    assert not misprint and "√(6/(m + n))" in repr(misprint)
    assert "set xavier to a number" in repr(course.check_xavier_bound(...))
    assert not course.check_he_std(2 / 50)  # the variance, not the standard deviation


def test_the_chapter_7_checks_tell_wrong_answers_apart() -> None:
    assert not course.check_weight_decay_step(2.0 - 0.5 * 0.5)  # the penalty forgotten
    assert not course.check_dropout_scale(0.8)  # the keep probability, not its inverse
    weight_decay = course.check_weight_elimination_gradient(lambda w: 2 * w)  # the L2 derivative
    assert not weight_decay and "at w = -3.0 the derivative is" in repr(weight_decay)


def test_the_chapter_8_checks_tell_wrong_answers_apart() -> None:
    wrong = course.check_hessian_by_hand([[4.0, 2.0], [2.0, 6.0]])  # 3y for 6y
    assert not wrong and "expected" in repr(wrong) and "found" in repr(wrong)
    assert "2×2" in repr(course.check_hessian_by_hand([1.0, 2.0]))
    gradient_step = course.check_newton_step(lambda f, x: x - 0.1 * 4 * x**3)  # a gradient step
    assert not gradient_step and "should land at" in repr(gradient_step)


def test_the_chapter_9_checks_tell_wrong_answers_apart() -> None:
    sample_std = course.check_standardised((4 - 2.5) / (5 / 3) ** 0.5)  # dividing by n − 1
    assert not sample_std and "expected (x − μ)/σ" in repr(sample_std)
    own_stats = course.check_test_point(0.0)  # standardised with its own (one-point) statistics
    assert not own_stats and "μ_train" in repr(own_stats)
    errors = course.check_accuracy(lambda m: 1 - sum(m[c][c] for c in range(len(m))) / sum(map(sum, m)))
    assert not errors and "the accuracy is" in repr(errors)


def test_the_chapter_10_checks_tell_wrong_answers_apart() -> None:
    always_to_c = course.check_clipped_gradient(lambda g, c: [v * c / math.hypot(*g) for v in g])
    assert not always_to_c and "expected [0.3, 0.4]" in repr(always_to_c)  # a short gradient is left alone
    assert "raised ZeroDivisionError" in repr(course.check_clipped_gradient(lambda g, c: 1 / 0))
    unbiased = course.check_batch_normalised(2 * 3 / (3.5 * 4 / 3) ** 0.5 + 0.5)
    assert not unbiased and "unbiased variance" in repr(unbiased)
    assert "not answered yet" in repr(course.check_batch_normalised(...))
    one_position = course.check_kernel_gradient([1.0, 2.0])  # only the first window's x·δ
    assert not one_position and "expected Σ_p x[p + q]·δ[p] = [7.0, 4.0]" in repr(one_position)
    assert "list of two numbers" in repr(course.check_kernel_gradient(7.0))


def test_the_chapter_11_checks_tell_wrong_answers_apart() -> None:
    no_max = course.check_inverse_time_rate(lambda t: 0.5 * 10 / t)  # the 1/t part alone
    assert not no_max and "raised ZeroDivisionError" in repr(no_max)
    early = course.check_inverse_time_rate(lambda t: 0.5 / max(t, 1))  # τ forgotten: decays from t = 1
    assert not early and "at t = 2 the rate should be 0.5 (constant until τ = 10), found 0.25" in repr(early)
    assert "not answered yet" in repr(course.check_inverse_time_rate(lambda t: None))
    floor = course.check_updates_per_budget(150)  # 20·60/8: the short last batch forgotten
    assert not floor and "a step too" in repr(floor)
    assert "the gradient evaluations" in repr(course.check_updates_per_budget(1200))
    assert "should be a number" in repr(course.check_updates_per_budget("160"))

    def by_diagonal(H: list[list[float]]) -> str:  # the signs of the diagonal, not of the eigenvalues
        a, d = H[0][0], H[1][1]
        return "minimum" if a > 0 and d > 0 else "maximum" if a < 0 and d < 0 else "saddle"

    diagonal = course.check_critical_kind(by_diagonal)
    assert not diagonal and "eigenvalues are -1 and 3, so expected 'saddle', found 'minimum'" in repr(
        diagonal
    )
    assert "should return" in repr(course.check_critical_kind(lambda H: 1))
    span = course.check_monotone_bound(1.0)  # sin's fall, not half of it
    assert not span and "expected (sin(−π) − sin(−π/2))/2 = 0.5, found 1.0" in repr(span)
    assert "not answered yet" in repr(course.check_monotone_bound(...))


def test_the_chapter_12_checks_tell_wrong_answers_apart() -> None:
    standardised = course.check_whitened_length(2**0.5)  # (2/√2, 0): the correlation ignored
    assert not standardised and "standardised" in repr(standardised)
    squared = course.check_whitened_length(8 / 3)
    assert not squared and "square root" in repr(squared)
    no_square = course.check_saturated_at(math.atanh(0.99))  # tanh(z) = 0.99 instead of tanh²(z)
    assert not no_square and "tanh²(z) = 0.99" in repr(no_square)
    zeros = course.check_tanh_init(lambda m, n, rng: 0.0)
    assert not zeros and "symmetry never breaks" in repr(zeros)
    assert "symmetry never breaks" in repr(course.check_tanh_init(lambda m, n, rng: 0.5))  # any constant
    large = course.check_tanh_init(lambda m, n, rng: rng.gauss(0.0, 5.0))
    assert not large and "saturated" in repr(large)
    small = course.check_tanh_init(lambda m, n, rng: rng.gauss(0.0, 0.01))
    assert not small and "differs by a factor" in repr(small)
    assert "raised ZeroDivisionError" in repr(course.check_tanh_init(lambda m, n, rng: 1 / 0))
    assert "not answered yet" in repr(course.check_tanh_init(lambda m, n, rng: None))
    assert course.check_tanh_init(lambda m, n, rng: rng.gauss(0.0, m**-0.5))  # another right answer
