"""tinygrad_edu.cli: parse_expression against closed forms and a math reference; every refusal of
`python -m tinygrad_edu draw`, with its message and exit status; that nothing is ever executed; and
one real run end to end."""

from __future__ import annotations

import ast
import builtins
import math
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import Value, ops, topological_order
from tinygrad_edu.cli import FUNCTIONS, MAX_DEPTH, MAX_LENGTH, ExpressionError, main, parse_expression
from tinygrad_edu.testing import finite_floats

Capture = pytest.CaptureFixture[str]
ROOT = Path(__file__).resolve().parents[1]
NEURON = "tanh(x1*w1 + x2*w2 + b)"
NEURON_SET = ["x1=2", "w1=-3", "x2=0", "w2=1", "b=6.8813735870195432"]


def leaves(root: Value) -> dict[str, Value]:
    """The labelled leaves of root's graph (the expression's variables), by name."""
    return {v.label: v for v in topological_order(root) if v.label and not v.op}


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


# ------------------------------------------------------------------ parse_expression: values and gradients


def test_neuron_matches_the_chain_rule_by_hand() -> None:
    values = {"x1": 2.0, "w1": -3.0, "x2": 0.0, "w2": 1.0, "b": 6.8813735870195432}
    o = parse_expression(NEURON, values)
    o.backward()
    n = 2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432  # 0.8813735870195432 = atanh(1/√2)
    assert close(o.data, math.tanh(n)) and close(o.data, 1 / math.sqrt(2))
    delta = 1 - o.data**2  # tanh' = 1 − tanh², here ½
    g = {name: leaf.grad for name, leaf in leaves(o).items()}
    assert set(g) == set(values)  # one leaf per variable, labelled with its name
    assert close(g["x1"], values["w1"] * delta) and close(g["x1"], -1.5)  # ∂o/∂x1 = w1·δ
    assert close(g["w1"], values["x1"] * delta) and close(g["w1"], 1.0)  # ∂o/∂w1 = x1·δ
    assert close(g["x2"], values["w2"] * delta)
    assert close(g["w2"], values["x2"] * delta)
    assert close(g["b"], delta)
    assert all(leaves(o)[name].data == value for name, value in values.items())


class Row(NamedTuple):
    text: str  # a function of x (at x = X)
    value: Callable[[float], float]  # closed form
    grad: Callable[[float], float]  # its derivative, by hand


X = 0.7
SIG = 1 / (1 + math.exp(-X))
# One row per function and operator: value and derivative in closed form at x = 0.7.
ROWS = [
    Row("exp(x)", math.exp, math.exp),
    Row("log(x)", math.log, lambda x: 1 / x),
    Row("sqrt(x)", math.sqrt, lambda x: 0.5 / math.sqrt(x)),
    Row("tanh(x)", math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    Row("sigmoid(x)", lambda x: SIG, lambda x: SIG * (1 - SIG)),
    Row("relu(x)", lambda x: x, lambda x: 1.0),
    Row("relu(-x)", lambda x: 0.0, lambda x: 0.0),
    Row("softplus(x)", lambda x: math.log(1 + math.exp(x)), lambda x: SIG),
    Row("softsign(x)", lambda x: x / (1 + x), lambda x: 1 / (1 + x) ** 2),
    Row("hardtanh(x)", lambda x: x, lambda x: 1.0),
    Row("hardtanh(3*x)", lambda x: 1.0, lambda x: 0.0),
    Row("arctan(x)", math.atan, lambda x: 1 / (1 + x * x)),
    Row("sin(x)", math.sin, math.cos),
    Row("cos(x)", math.cos, lambda x: -math.sin(x)),
    Row("tan(x)", math.tan, lambda x: 1 + math.tan(x) ** 2),
    Row("prelu(-x, 0.25)", lambda x: -0.25 * x, lambda x: -0.25),  # a·(−x) below 0
    Row("prelu(-x, x)", lambda x: -x * x, lambda x: -2 * x),  # the slope a = x is an input too
    Row("prelu(x, -x)", lambda x: x, lambda x: 1.0),
    Row("hardtanh(3*x, -2, 2.5)", lambda x: 3 * x, lambda x: 3.0),  # 2.1 inside [−2, 2.5]
    Row("hardtanh(3*x, max_val=2)", lambda x: 2.0, lambda x: 0.0),
    Row("hardtanh(x, min_val=0.8)", lambda x: 0.8, lambda x: 0.0),
    Row("hardtanh(-x, min_val=-0.5, max_val=0)", lambda x: -0.5, lambda x: 0.0),
    Row("sign(-x)", lambda x: -1.0, lambda x: 0.0),
    Row("step(x)", lambda x: 1.0, lambda x: 0.0),
    Row("abs(-x)", lambda x: x, lambda x: 1.0),  # d|−x|/dx = sign(−x)·(−1)
    Row("leaky_relu(-x)", lambda x: -0.01 * x, lambda x: -0.01),  # k·(−1)
    Row("leaky_relu(-x, 0.2)", lambda x: -0.2 * x, lambda x: -0.2),
    Row("leaky_relu(-x, k=0.3)", lambda x: -0.3 * x, lambda x: -0.3),
    Row("elu(-x)", lambda x: math.exp(-x) - 1, lambda x: -math.exp(-x)),
    Row("elu(-x, 0.5)", lambda x: 0.5 * (math.exp(-x) - 1), lambda x: -0.5 * math.exp(-x)),
    Row("elu(-x, alpha=2)", lambda x: 2 * (math.exp(-x) - 1), lambda x: -2 * math.exp(-x)),
    Row("max(x, 0.5)", lambda x: x, lambda x: 1.0),
    Row("maximum(0.9, x)", lambda x: 0.9, lambda x: 0.0),
    Row("min(x, 0.5)", lambda x: 0.5, lambda x: 0.0),
    Row("minimum(0.9, x)", lambda x: x, lambda x: 1.0),
    Row("max(x, x*x)", lambda x: x, lambda x: 1.0),
    Row("x + 2", lambda x: x + 2, lambda x: 1.0),
    Row("2 - x", lambda x: 2 - x, lambda x: -1.0),
    Row("3 * x", lambda x: 3 * x, lambda x: 3.0),
    Row("1 / x", lambda x: 1 / x, lambda x: -1 / x**2),
    Row("x ** 3", lambda x: x**3, lambda x: 3 * x**2),
    Row("2 ** x", lambda x: 2**x, lambda x: 2**x * math.log(2)),
    Row("x ** x", lambda x: x**x, lambda x: x**x * (math.log(x) + 1)),
    Row("-x", lambda x: -x, lambda x: -1.0),
    Row("+x", lambda x: x, lambda x: 1.0),
    Row("x * x + x", lambda x: x * x + x, lambda x: 2 * x + 1),  # one leaf, gradients add up
    Row("-x ** 2", lambda x: -(x**2), lambda x: -2 * x),  # Python's precedence: −(x²)
    Row("x / 2 / x", lambda x: 0.5, lambda x: 0.0),  # left to right
    Row("2 ** x ** 2", lambda x: 2 ** (x**2), lambda x: 2 ** (x**2) * math.log(2) * 2 * x),  # right to left
]


def test_every_function_has_a_row() -> None:
    called = {r.text.split("(")[0] for r in ROWS}
    assert set(FUNCTIONS) <= called


@pytest.mark.parametrize("row", ROWS, ids=[r.text for r in ROWS])
def test_function_value_and_gradient_match_closed_forms(row: Row) -> None:
    y = parse_expression(row.text, {"x": X})
    y.backward()
    (x,) = leaves(y).values()
    assert close(y.data, row.value(X)), (y.data, row.value(X))
    assert close(x.grad, row.grad(X)), (x.grad, row.grad(X))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_takes_expressions_as_inputs_and_numbers_as_constants(name: str) -> None:
    """Each function makes its op's node: its inputs may be expressions; its constants keep their
    defaults unless given, by position or by name, to the same effect."""
    spec = FUNCTIONS[name]
    op = {"max": ops.MAXIMUM, "min": ops.MINIMUM}.get(name) or ops.functions()[name]
    inputs = [f"(x + {i + 1})" for i in range(spec.numbers_from)]
    y = parse_expression(f"{name}({', '.join(inputs)})", {"x": 0.25})
    assert y.rule is op and [v.data for v in y.inputs] == [1.25 + i for i in range(len(inputs))]
    assert [v.op for v in y.inputs] == ["+"] * len(inputs) and y.constant == op.bind((), {})
    if spec.constants:
        given = [0.5 + i for i in range(len(spec.constants))]  # below one another, for hardtanh
        c = given[0] if len(given) == 1 else tuple(given)
        by_position = parse_expression(f"{name}({', '.join(inputs + [repr(g) for g in given])})", {"x": 0.25})
        named = ", ".join(f"{k}={g!r}" for k, g in zip(spec.constants, given))
        by_name = parse_expression(f"{name}({', '.join(inputs)}, {named})", {"x": 0.25})
        assert by_position.constant == by_name.constant == c
        assert by_position.data == by_name.data


def test_constant_parts_are_computed_once_as_numbers_with_ieee_rules() -> None:
    y = parse_expression("x ** (1/2)", {"x": 4.0})  # a constant exponent: x**c, not x**Value
    y.backward()
    assert (y.data, leaves(y)["x"].grad) == (2.0, 0.25)
    assert [v.op for v in topological_order(y)] == ["**", ""]
    y = parse_expression("x ** 2", {"x": -3.0})  # no ln(−3) anywhere: the gradient is finite
    y.backward()
    assert leaves(y)["x"].grad == -6.0
    assert parse_expression("x ** -1", {"x": 4.0}).data == 0.25
    assert parse_expression("1/0 + x", {"x": 1.0}).data == math.inf
    assert parse_expression("-1/0 * x", {"x": 1.0}).data == -math.inf
    assert math.isnan(parse_expression("(-8) ** (1/3) + x", {"x": 1.0}).data)
    assert parse_expression("10 ** 400 * x", {"x": 1.0}).data == math.inf
    assert parse_expression("log(x)", {"x": 0.0}).data == -math.inf
    assert parse_expression("exp(0) * x + exp(1)", {"x": 2.0}).data == 2.0 + math.e
    y = parse_expression("hardtanh(5, max_val=2) * x + prelu(-2, 0.5)", {"x": 3.0})  # 2·3 − 1
    assert y.data == 5.0 and [v.op for v in topological_order(y)] == ["+", "*", ""]
    assert parse_expression("leaky_relu(x, 1/0)", {"x": -1.0}).data == -math.inf  # k = inf


def test_expressions_without_variables_give_a_leaf_and_extra_values_are_ignored() -> None:
    y = parse_expression("2 * 3 + max(1, 2)", {"unused": 1.0})
    assert (y.data, y.op) == (8.0, "")
    assert parse_expression("0x10 + 1_000 + 1e3 + .5", {}).data == 2016.5


def test_whitespace_newlines_and_unicode_names() -> None:
    assert parse_expression("  \n x *\\\n 2 ", {"x": 3.0}).data == 6.0
    assert parse_expression("(x +\n y)", {"x": 1.0, "y": 2.0}).data == 3.0
    y = parse_expression("α * β", {"α": 2.0, "β": 5.0})
    assert y.data == 10.0 and set(leaves(y)) == {"α", "β"}


def test_nesting_up_to_the_limit_is_fine() -> None:
    assert parse_expression("-" * 150 + "x", {"x": 2.0}).data == 2.0
    assert parse_expression("+".join(["x"] * 150), {"x": 1.0}).data == 150.0
    assert parse_expression("x" + "**x" * MAX_DEPTH, {"x": 1.0}).data == 1.0


# ------------------------------------------------------------------ hypothesis: against a math reference


class Rule(NamedTuple):
    """One way to grow a formula: its text, its value with `math`, and where it is safe to use."""

    arity: int
    text: str  # format string over the operands' texts
    ref: Callable[..., float]  # the value, written independently with `math`
    valid: Callable[..., bool] = lambda *xs: True


RULES = [
    Rule(2, "({} + {})", lambda a, b: a + b),
    Rule(2, "({} - {})", lambda a, b: a - b),
    Rule(2, "({} * {})", lambda a, b: a * b),
    Rule(2, "({} / {})", lambda a, b: a / b, lambda a, b: abs(b) > 0.1),
    Rule(2, "({} ** {})", math.pow, lambda a, b: a > 0.1 and abs(b * math.log(a)) < 5),
    Rule(1, "({} ** 2)", lambda a: a * a),
    Rule(1, "({} ** -1)", lambda a: 1 / a, lambda a: abs(a) > 0.1),
    Rule(1, "(2 ** {})", lambda a: math.pow(2.0, a), lambda a: a < 10),
    Rule(1, "(-{})", lambda a: -a),
    Rule(1, "(+{})", lambda a: a),
    Rule(1, "exp({})", math.exp, lambda a: a < 5),
    Rule(1, "log({})", math.log, lambda a: a > 0.1),
    Rule(1, "sqrt({})", math.sqrt, lambda a: a > 0.1),
    Rule(1, "tanh({})", math.tanh),
    Rule(1, "sigmoid({})", lambda a: (1 + math.tanh(a / 2)) / 2),  # σ(a) = (1 + tanh(a/2))/2
    Rule(1, "relu({})", lambda a: a if a > 0 else 0.0),
    Rule(1, "softplus({})", lambda a: math.log1p(math.exp(a)), lambda a: a < 30),
    Rule(1, "softsign({})", lambda a: a / (1 + abs(a))),
    Rule(1, "hardtanh({})", lambda a: min(max(a, -1.0), 1.0)),
    Rule(1, "arctan({})", math.atan),
    Rule(1, "sin({})", math.sin),
    Rule(1, "cos({})", math.cos),
    Rule(1, "tan({})", math.tan, lambda a: abs(a) < 1.2),
    Rule(2, "prelu({}, {})", lambda x, a: x if x > 0 else a * x),
    Rule(1, "hardtanh({}, -0.5, 2)", lambda a: min(max(a, -0.5), 2.0)),
    Rule(1, "hardtanh({}, max_val=0.5)", lambda a: min(max(a, -1.0), 0.5)),
    Rule(1, "sign({})", lambda a: math.copysign(1.0, a), lambda a: abs(a) > 1e-6),  # no jump nearby
    Rule(1, "step({})", lambda a: 1.0 if a > 0 else 0.0, lambda a: abs(a) > 1e-6),
    Rule(1, "abs({})", abs),
    Rule(1, "leaky_relu({})", lambda a: a if a > 0 else 0.01 * a),
    Rule(1, "leaky_relu({}, 0.2)", lambda a: a if a > 0 else 0.2 * a),
    Rule(1, "leaky_relu({}, k=0.3)", lambda a: a if a > 0 else 0.3 * a),
    Rule(1, "elu({})", lambda a: a if a > 0 else math.expm1(a)),
    Rule(1, "elu({}, 0.5)", lambda a: a if a > 0 else 0.5 * math.expm1(a)),
    Rule(2, "max({}, {})", max),
    Rule(2, "maximum({}, {})", max),
    Rule(2, "min({}, {})", min),
    Rule(2, "minimum({}, {})", min),
]


class Formula(NamedTuple):
    text: str
    values: dict[str, float]
    reference: float


@st.composite
def formulas(draw: Any) -> Formula:
    """A random formula over x, y, z and constants, its text, and its value computed with `math`.

    Each step applies a rule to earlier terms only where the rule is valid for their values
    (in domain, away from poles and jumps), and keeps every value within ±1e3."""
    names = draw(st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=3, unique=True))
    values = {name: draw(finite_floats(-3.0, 3.0)) for name in names}
    terms = [(name, value) for name, value in values.items()]
    for c in draw(st.lists(st.sampled_from([0.5, 2, -1.5, 3.0, 1e-3]), max_size=2)):
        terms.append((f"({c!r})", float(c)))
    for _ in range(draw(st.integers(1, 12))):
        rule = draw(st.sampled_from(RULES))
        args = [draw(st.sampled_from(terms)) for _ in range(rule.arity)]
        if draw(st.booleans()):  # mostly grow the latest term, so formulas nest deeply
            args[0] = terms[-1]
        operands = [value for _, value in args]
        if not rule.valid(*operands):
            continue
        value = rule.ref(*operands)
        if abs(value) <= 1e3:
            terms.append((rule.text.format(*[text for text, _ in args]), value))
    text, reference = terms[-1]
    return Formula(text, values, reference)


@given(formulas())
def test_random_formulas_agree_with_math(formula: Formula) -> None:
    got = parse_expression(formula.text, formula.values).data
    assert math.isclose(got, formula.reference, rel_tol=1e-7, abs_tol=1e-9), (formula, got)


# ------------------------------------------------------------------ main(): the draw command


class FakeViz(NamedTuple):
    calls: list[dict[str, Any]]
    module: types.ModuleType


@pytest.fixture
def viz(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeViz:
    """A stand-in for tinygrad_edu.viz: records render's arguments and writes a small file."""
    calls: list[dict[str, Any]] = []
    module = types.ModuleType("tinygrad_edu.viz")

    class GraphvizNotFound(RuntimeError):
        pass

    def render(root: Value, path: Any, *, rankdir: str = "LR", collapse: Optional[str] = "auto",
               **options: Any) -> Path:  # fmt: skip
        calls.append({"root": root, "path": path, "rankdir": rankdir, "collapse": collapse, **options})
        failure = getattr(module, "failure", None)
        if failure is not None:
            raise failure
        Path(path).write_text(f"graph of {root.data!r}")
        return Path(path)

    module.render = render  # type: ignore[attr-defined]
    module.GraphvizNotFound = GraphvizNotFound  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tinygrad_edu.viz", module)
    monkeypatch.chdir(tmp_path)
    return FakeViz(calls, module)


def test_draw_prints_the_result_the_gradients_and_the_path(viz: FakeViz, capsys: Capture) -> None:
    status = main(["draw", NEURON, "--set", *NEURON_SET, "-o", "neuron.svg"])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("result = ") and close(float(lines[0][9:]), 1 / math.sqrt(2))
    assert lines[1].split() == ["variable", "value", "grad"]
    table = {line.split()[0]: [float(x) for x in line.split()[1:]] for line in lines[2:-1]}
    assert list(table) == ["x1", "w1", "x2", "w2", "b"]  # in reading order
    delta = 1 - 0.5  # 1 − tanh²(atanh(1/√2))
    by_hand = {  # ∂o/∂x = w·δ, ∂o/∂w = x·δ, ∂o/∂b = δ
        "x1": (2, -3 * delta),
        "w1": (-3, 2 * delta),
        "x2": (0, 1 * delta),
        "w2": (1, 0 * delta),
        "b": (6.8813735870195432, delta),
    }
    for name, (value, grad) in by_hand.items():
        assert table[name][0] == value and close(table[name][1], grad)
    assert lines[-1] == "neuron.svg" and Path("neuron.svg").read_text().startswith("graph of 0.70710678")
    (call,) = viz.calls
    assert (call["path"], call["rankdir"], call["collapse"]) == (Path("neuron.svg"), "LR", "auto")
    assert call["root"].data == float(lines[0].split(" = ")[1]) and call["root"].grad == 1.0


def test_options_reach_render_and_set_may_repeat(viz: FakeViz, capsys: Capture) -> None:
    args = ["draw", "x*y", "--set", "x=2", "--set", "y=3", "--rankdir", "TB", "--collapse", "none"]
    assert main(args) == 0
    assert main(["draw", "x*y", "--set", "x=2", "y=3", "--collapse", "layer", "-o", "g.PDF"]) == 0
    first, second = viz.calls
    assert (first["path"], first["rankdir"], first["collapse"]) == (Path("graph.svg"), "TB", None)
    assert (second["path"], second["collapse"]) == (Path("g.PDF"), "layer")
    assert capsys.readouterr().out.splitlines()[-1] == "g.PDF"


def test_set_accepts_spaces_exponents_and_non_finite_numbers(viz: FakeViz, capsys: Capture) -> None:
    assert main(["draw", "x + y * z", "--set", " x = 1e3 ", "y=inf", "z=-2.5"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "result = -inf"
    assert main(["draw", "exp(x) + log(y)", "--set", "x=1000", "y=-1"]) == 0  # IEEE: inf + nan
    assert capsys.readouterr().out.splitlines()[0] == "result = nan"


def test_no_variables_prints_just_the_result(viz: FakeViz, capsys: Capture) -> None:
    assert main(["draw", "2 ** 10", "-o", "g.dot"]) == 0
    assert capsys.readouterr().out.splitlines() == ["result = 1024.0", "g.dot"]


def one_error_line(capsys: Capture) -> str:
    """The only thing printed: one line on stderr, starting with 'error: '."""
    out, err = capsys.readouterr()
    assert out == "", out
    assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, err
    return err[len("error: ") : -1]


# (expression, what the message says, column or None); the variable x is always given
REFUSED = [
    ("x.real", "attribute access '.real' is not allowed", 2),
    ("x[0]", "subscripts", 1),
    ("x < 1", "comparisons", 1),
    ("x and x", "'and' and 'or'", 1),
    ("lambda: x", "lambda", 1),
    ("x if x else -x", "conditional expressions", 1),
    ("[x for y in ()]", "comprehensions", 1),
    ("(x, x)", "tuples", 1),
    ("[x]", "lists", 1),
    ("{x}", "sets", 1),
    ("{x: 1}", "dicts", 1),
    ("f'{x}'", "f-strings", 1),
    ("(y := x)", "assignment expressions (:=)", 2),
    ("tanh(*x)", "starred arguments", 6),
    ("x // 2", "operator '//' is not allowed", 3),
    ("x % 2", "operator '%'", 3),
    ("x ^ 2", "a power is x**2", 3),
    ("x @ x", "operator '@'", 3),
    ("x << 1", "operator '<<'", 3),
    ("~x", "operator '~'", 1),
    ("not x", "operator 'not'", 1),
    ("'s' + x", "strings are not allowed", 1),
    ("b's' + x", "strings are not allowed", 1),
    ("True * x", "True is not a number", 1),
    ("None", "None is not a number", 1),
    ("...", "Ellipsis is not a number", 1),
    ("x + 1j", "complex numbers are not allowed", 5),
    ("1" + "0" * 400 + " * x", "too large for a float", 1),
    ("0x" + "f" * 5000 + " * x", "0x" + "f" * 35 + "... is too large for a float", 1),  # > 4,300 digits
    ("x + 0o" + "7" * 6000, "0o" + "7" * 35 + "... is too large for a float", 5),
    ("foo(x)", "unknown function 'foo'", 1),
    ("print(x)", "unknown function 'print'", 1),
    ("x(2)", "unknown function 'x'", 1),
    ("1(x)", "only functions can be called", 1),
    ("(lambda: x)()", "lambda", 2),
    ("tanh(x, x)", "tanh takes 1 argument, got 2", 1),
    ("exp()", "exp takes 1 argument, got 0", 1),
    ("max(x)", "max takes 2 arguments, got 1", 1),
    ("minimum(x, x, x)", "minimum takes 2 arguments, got 3", 1),
    ("leaky_relu(x, 0.1, 2)", "leaky_relu takes 1 or 2 arguments, got 3", 1),
    ("elu()", "elu takes 1 or 2 arguments, got 0", 1),
    ("elu(alpha=2)", "elu takes 1 or 2 arguments, got 1", 1),
    ("hardtanh(x, 1, 2, 3)", "hardtanh takes 1 to 3 arguments, got 4", 1),
    ("prelu(x)", "prelu takes 2 arguments, got 1", 1),
    ("sin(x, 2)", "sin takes 1 argument, got 2", 1),
    ("leaky_relu(x, slope=0.1)", "leaky_relu has no constant 'slope'", 15),
    ("prelu(x, a=0.1)", "prelu takes no keyword arguments: a=", 10),
    ("tanh(x=1)", "tanh takes no keyword arguments: x=", 6),
    ("leaky_relu(x, 0.1, k=0.2)", "leaky_relu got 'k' twice", 20),
    ("leaky_relu(x, k=0.1, k=0.2)", "leaky_relu got 'k' twice", 22),
    ("exp(**x)", "'**' is not allowed", 5),
    ("elu(x, x)", "alpha of elu(x, alpha=1.0) must be a number, not an expression of variables", 8),
    ("leaky_relu(x, 2*x)", "k of leaky_relu(x, k=0.01) must be a number", 15),
    ("hardtanh(x, max_val=x)", "max_val of hardtanh(x, min_val=-1.0, max_val=1.0) must be a number", 21),
    ("hardtanh(x, 1, -1)", "hardtanh: min_val must be below max_val, got 1.0, -1.0", 1),
    ("hardtanh(x, max_val=-2)", "hardtanh: min_val must be below max_val", 1),
    ("hardtanh(2, 1, 1) * x", "hardtanh: min_val must be below max_val", 1),  # folded, no variable
    ("exp + x", "'exp' is a function, not a variable", 1),
    ("x * y", "no value for variable 'y' at column 5; give it one with --set y=NUMBER", 5),
    ("x +", "syntax error: invalid syntax", 4),
    ("tanh(x", "syntax error: '(' was never closed", 5),
    ("x)", "syntax error: unmatched ')'", 2),
    ("x $ 2", "syntax error", 3),
    ("", "empty expression", None),
    ("  \n ", "empty expression", None),
    ("é + foo(x)", "unknown function 'foo'", 5),  # columns count characters, not UTF-8 bytes
    ("  foo(x)", "unknown function 'foo'", 3),  # leading space (" -x" gets past argparse) counts
    ("x" + "+x" * (MAX_LENGTH // 2), f"too long: {MAX_LENGTH + 1} characters, the limit is 10000", None),
    ("-" * 100_000 + "1", "too long", None),
    (" " + "-" * 9990 + "x", f"nested too deeply: more than {MAX_DEPTH} levels", 202),
    ("+".join(["x"] * 3000), "nested too deeply", 402),
    ("(" * 250 + "x" + ")" * 250, "nested too deeply", 201),
    ("tanh(" * 201 + "x" + ")" * 201, "nested too deeply", 5 * 201),
]


@pytest.mark.parametrize(("expression", "message", "column"), REFUSED, ids=[r[0][:30] for r in REFUSED])
def test_refused_expressions(
    viz: FakeViz, capsys: Capture, expression: str, message: str, column: Optional[int]
) -> None:
    assert main(["draw", "--set", "x=2", "--", expression]) == 2  # "--": expressions may start with "-"
    error = one_error_line(capsys)
    assert message in error
    if column is None:
        assert "column" not in error
    else:
        assert f" at column {column}" in error
    assert viz.calls == []  # nothing drawn
    with pytest.raises(ExpressionError) as caught:  # the library function refuses the same way
        parse_expression(expression, {"x": 2.0})
    assert caught.value.column == column and caught.value.problem in error


def test_positions_in_an_expression_of_several_lines(viz: FakeViz, capsys: Capture) -> None:
    assert main(["draw", "(x +\n  foo(x))", "--set", "x=1"]) == 2
    error = one_error_line(capsys)
    assert error.startswith("unknown function 'foo' at line 2, column 3; the functions are abs, arctan,")
    assert main(["draw", "\n\n x.real", "--set", "x=1"]) == 2
    assert one_error_line(capsys) == "attribute access '.real' is not allowed at line 3, column 3"


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (["x"], "--set 'x': expected NAME=NUMBER"),
        (["x="], "--set 'x=': the number after '=' is missing"),
        (["=1"], "--set '=1': the name before '=' is missing"),
        (["x=abc"], "--set 'x=abc': 'abc' is not a number"),
        (["x=1/3"], "'1/3' is not a number"),
        (["x=1", "x=2"], "--set gives 'x' twice: 'x=1' and 'x=2'"),
        (["1x=2"], "'1x' is not a variable name"),
        (["if=2"], "'if' is not a variable name"),
        (["x.y=2"], "'x.y' is not a variable name"),
        (["x=1", "z=2", "w=3"], "--set gives 'z', 'w', which the expression does not use"),
        ([], "no value for variable 'x' at column 1; give it one with --set x=NUMBER"),
    ],
)
def test_bad_set_entries(viz: FakeViz, capsys: Capture, entries: list[str], message: str) -> None:
    assert main(["draw", "x", *(["--set", *entries] if entries else [])]) == 2
    assert message in one_error_line(capsys)
    assert viz.calls == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["draw"], "the following arguments are required: EXPRESSION"),
        (["draw", "x", "--set"], "argument --set: expected at least one argument"),
        (["draw", "x", "--set", "x=1", "--rankdir", "XY"], "argument --rankdir: invalid choice: 'XY'"),
        (["draw", "x", "--set", "x=1", "--collapse", "all"], "argument --collapse: invalid choice: 'all'"),
        (["draw", "x", "--set", "x=1", "--colour"], "unrecognized arguments: --colour"),
        (["draw", "x", "--set", "x=1", "-o", "g.jpg"], "must end in .svg, .png, .pdf, .dot, got 'g.jpg'"),
        (["draw", "x", "--set", "x=1", "-o", "graph"], "-o/--output must end in"),
        (["draw", "x", "--set", "x=1", "-o", "no/such/dir/g.svg"], "the folder 'no/such/dir' does not exist"),
        (["paint", "x"], "argument COMMAND: invalid choice: 'paint'"),
    ],
)
def test_bad_command_lines(viz: FakeViz, capsys: Capture, argv: list[str], message: str) -> None:
    assert main(argv) == 2
    assert message in one_error_line(capsys)
    assert viz.calls == []


def test_no_command_prints_the_usage(capsys: Capture) -> None:
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("usage: python -m tinygrad_edu") and "draw" in err


def test_help(capsys: Capture) -> None:
    assert main(["draw", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m tinygrad_edu draw") and "--set NAME=NUMBER" in out
    assert "--collapse {auto,none,neuron,layer}" in out
    for spec in FUNCTIONS.values():  # each as it is called, on one line
        assert spec.usage in out, spec.usage
    assert "hardtanh(x, min_val=-1.0, max_val=1.0)" in out and "sin(x)" in out


def test_a_render_failure_is_reported_after_the_table(viz: FakeViz, capsys: Capture) -> None:
    message = "could not render graph.svg: the Graphviz 'dot' program is not installed. Install it."
    viz.module.failure = viz.module.GraphvizNotFound(message)  # type: ignore[attr-defined]
    assert main(["draw", "x * 2", "--set", "x=3"]) == 1
    out, err = capsys.readouterr()
    assert err == f"error: {message}\n"
    assert out.splitlines()[0] == "result = 6.0" and "graph.svg" not in out
    viz.module.failure = PermissionError(13, "Permission denied")  # type: ignore[attr-defined]
    assert main(["draw", "x * 2", "--set", "x=3"]) == 1
    assert capsys.readouterr().err == "error: [Errno 13] Permission denied\n"


def test_without_viz_the_cli_imports_and_draw_fails_cleanly(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['tinygrad_edu.viz'] = None\n"  # `import tinygrad_edu.viz` now fails
        "from tinygrad_edu.cli import main\n"
        "raise SystemExit(main(['draw', 'x + 1', '--set', 'x=1']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == ["result = 2.0", "variable  value  grad", "x         1.0    1.0"]
    assert done.stderr.startswith("error: cannot draw: the renderer tinygrad_edu.viz is not available")


# ------------------------------------------------------------------ nothing is ever executed


ATTACKS = [
    "__import__('os').system('echo hacked')",
    "__import__('pathlib').Path('HACKED').touch()",
    "().__class__",
    "x.__class__",
    "x.__class__.__bases__[0].__subclasses__()",
    "[x for x in ()]",
    "(lambda: __import__('os').system('echo hacked'))()",
    "exec('import os')",
    "eval('1')",
    "open('HACKED', 'w')",
    "globals()",
    "getattr(x, 'data')",
    'f\'{__import__("os").system("echo hacked")}\'',
    "tanh(x).__class__",
    "exp(x, __import__('os'))",
    "max(x, key=__import__)",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_are_refused_and_nothing_runs(viz: FakeViz, capfd: Capture, attack: str) -> None:
    ran: list[str] = []

    def forbidden(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            ran.append(name)
            raise AssertionError(f"{name} called")

        return call

    real_compile, real_import = builtins.compile, builtins.__import__

    def watched_import(name: str, *args: Any, **kw: Any) -> Any:
        if name in ("os", "pathlib", "subprocess"):  # what the attacks import (argparse imports others)
            ran.append(f"import {name}")
        return real_import(name, *args, **kw)

    def ast_only_compile(source: Any, filename: Any, mode: str, flags: int = 0, *args: Any, **kw: Any) -> Any:
        if not flags & ast.PyCF_ONLY_AST:  # ast.parse is fine; compiling to code is not
            ran.append("compile")
        return real_compile(source, filename, mode, flags, *args, **kw)

    with pytest.MonkeyPatch.context() as patch:  # undone before pytest needs its builtins back
        for name in ("eval", "exec", "open"):
            patch.setattr(builtins, name, forbidden(name))
        patch.setattr(builtins, "compile", ast_only_compile)
        patch.setattr(builtins, "__import__", watched_import)
        patch.setattr(os, "system", forbidden("os.system"))
        status = main(["draw", attack, "--set", "x=1"])
    out, err = capfd.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert ran == [] and "hacked" not in out + err.replace(attack, "")
    assert not Path("HACKED").exists() and viz.calls == []


def test_the_cli_never_calls_eval_exec_or_compile() -> None:
    files = [ROOT / "tinygrad_edu" / "cli" / name for name in ("expressions.py", "commands.py")]  # was cli.py
    tree = ast.Module([n for f in files for n in ast.parse(f.read_text(encoding="utf-8")).body], [])
    calls = [node.func for node in ast.walk(tree) if isinstance(node, ast.Call)]
    names = {f.id for f in calls if isinstance(f, ast.Name)}
    methods = {f.attr for f in calls if isinstance(f, ast.Attribute)}
    assert not names & {"eval", "exec", "compile", "__import__", "getattr", "globals", "open"}
    assert not methods & {"literal_eval", "import_module", "system", "run", "Popen", "check_output"}
    # viz is imported inside the draw command only, so the CLI imports without it
    top_level = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert all(n.module != "viz" for n in top_level if isinstance(n, ast.ImportFrom))


# ------------------------------------------------------------------ python -m tinygrad_edu, for real


def run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_python_m_without_arguments_prints_usage_and_exits_2(tmp_path: Path) -> None:
    done = run_module(cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("usage: python -m tinygrad_edu") and "draw" in done.stderr


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_draw_end_to_end_writes_an_svg(tmp_path: Path) -> None:
    try:
        import tinygrad_edu.viz as real_viz
    except Exception:
        pytest.skip("viz.render not available")
    if not callable(getattr(real_viz, "render", None)):
        pytest.skip("viz.render not available")
    target = tmp_path / "neuron.svg"
    done = run_module("draw", NEURON, "--set", *NEURON_SET, "-o", str(target), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("result = ") and close(float(first[9:]), 1 / math.sqrt(2))
    assert done.stdout.splitlines()[-1] == str(target)
    picture = target.read_text(encoding="utf-8")
    assert picture.lstrip().startswith(("<?xml", "<svg")) and "</svg>" in picture
    assert "0.7071" in picture and "x1" in picture and "tanh" in picture  # the rendered value and labels
