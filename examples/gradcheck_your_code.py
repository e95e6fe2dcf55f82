"""Testing the gradients of *your own* functions with tinygrad_edu.testing.

Whenever you write a new function out of Values (an activation, a loss, a layer), backprop
gives you its gradient for free, but only if every step really is a Value op. Two checks
catch mistakes:

1. ``gradcheck(f, point)`` compares the engine's gradient with central differences,

       ∂f/∂xᵢ ≈ (f(…, xᵢ + ε, …) − f(…, xᵢ − ε, …)) / 2ε      (error O(ε²) for smooth f),

   and raises an ``AssertionError`` naming the input that disagrees. It only confirms
   backward against *your own* forward, so also compare with an independent reference
   (a closed-form derivative) where you have one.
2. A **property-based test** (hypothesis) runs that check at many points it chooses itself,
   including awkward ones, and when it finds a failure it shrinks it to a simple example.
   In a test file it is just::

       from hypothesis import given
       from tinygrad_edu.testing import finite_floats, gradcheck

       @given(finite_floats(-30, 30))
       def test_swish_gradient(x):
           gradcheck(swish, [x])

   Here the same test functions are called directly, so the script shows what pytest would.

The functions checked: swish(x) = x·σ(x), whose derivative is σ(x) + x·σ(x)(1 − σ(x)), and a
custom loss, log-cosh L(p, t) = ln cosh(p − t), whose gradient is ∂L/∂p = tanh(p − t) = −∂L/∂t.
Then a deliberately broken swish that reads ``.data`` (a plain float: the graph is cut there,
so backprop misses part of the derivative) shows what a failure looks like.

hypothesis is a test extra: ``pip install "tinygrad_edu[testing]"``. Without it, the script
says so and runs the gradcheck part only.

Run: python examples/gradcheck_your_code.py
"""

import math

from tinygrad_edu import Value, grad
from tinygrad_edu.testing import Expression, gradcheck

try:
    from hypothesis import HealthCheck, Phase, given, settings

    from tinygrad_edu.testing import expressions, finite_floats

    HAVE_HYPOTHESIS = True
except ImportError:
    HAVE_HYPOTHESIS = False


def swish(x: Value) -> Value:
    """x·σ(x) (also called SiLU): smooth, a soft ReLU."""
    return x * x.sigmoid()


def swish_derivative(x: float) -> float:
    """The closed form, on floats: an independent reference for the engine."""
    s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
    return s + x * s * (1.0 - s)


def log_cosh(p: Value, t: Value) -> Value:
    """ln cosh(p − t) = ln((e^d + e^−d)/2): like ½d² for small d and |d| − ln 2 for large d.

    Written with exp, so keep |p − t| < 700 (e^d overflows beyond ~709).
    """
    d = p - t
    return ((d.exp() + (-d).exp()) / 2).log()


def broken_swish(x: Value) -> Value:
    """The same forward value as swish, but σ is computed from ``x.data``: a plain float,
    a constant to backprop. The engine's gradient is then σ(x) instead of σ(x) + x·σ'(x)."""
    gate = 1.0 / (1.0 + math.exp(-x.data))  # BUG: leaves the graph
    return x * gate


# --------------------------------------------------------------------------- gradcheck
print("1. gradcheck at a few points (engine vs central differences vs closed form)\n")
print("       x      engine ∂swish/∂x   closed form")
for x in (-4.0, -1.5, 0.0, 0.5, 3.0):
    assert gradcheck(swish, [x])  # raises AssertionError on a mismatch, else returns True
    engine = grad(swish)(x)
    print(f"    {x:+.2f}     {engine:+.12f}    {swish_derivative(x):+.12f}")
    assert abs(engine - swish_derivative(x)) < 1e-12
print("  swish: gradcheck passed at 5 points; the engine matches the closed form to 1e-12\n")

for p, t in ((0.3, -1.2), (2.0, 2.5), (-3.0, 4.0)):
    assert gradcheck(log_cosh, [p, t])
    d_p, d_t = grad(log_cosh, argnums=(0, 1))(p, t)
    print(
        f"  log_cosh({p:+.1f}, {t:+.1f}): ∂L/∂p = {d_p:+.10f}, tanh(p − t) = {math.tanh(p - t):+.10f}, "
        f"∂L/∂t = {d_t:+.10f}"
    )
    assert abs(d_p - math.tanh(p - t)) < 1e-12 and abs(d_t + math.tanh(p - t)) < 1e-12
print("  log_cosh: gradcheck passed at 3 points; ∂L/∂p = tanh(p − t) = −∂L/∂t\n")

# --------------------------------------------------------------------------- a failure
print("2. What a failure looks like: broken_swish reads x.data, cutting the graph\n")
print(
    f"  same forward value: swish(1.5) = {swish(Value(1.5)).data:.12f}, "
    f"broken_swish(1.5) = {broken_swish(Value(1.5)).data:.12f}"
)
assert broken_swish(Value(1.5)).data == swish(Value(1.5)).data
try:
    gradcheck(broken_swish, [1.5])
except AssertionError as error:
    failure_message = str(error)
    print(f"  gradcheck(broken_swish, [1.5]) raised AssertionError:\n    {failure_message}")
else:
    raise SystemExit("gradcheck should have caught broken_swish")
assert "gradcheck: input 0" in failure_message
# The missing term is x·σ'(x), which is 0 at x = 0: one lucky point proves nothing.
assert gradcheck(broken_swish, [0.0])
print("  (at x = 0 the missing term x·σ'(x) vanishes and gradcheck passes: check many points.)\n")

# --------------------------------------------------------------------------- hypothesis
if not HAVE_HYPOTHESIS:
    print("3. Property-based tests need hypothesis, which is not installed. Install the test extra:")
    print('     pip install "tinygrad_edu[testing]"      (or: pip install hypothesis)')
    print("   and run this script again. The gradcheck part above ran without it.")
    raise SystemExit(0)

# derandomize: the same examples on every run (this is a demo; in a test suite, let it
# explore); database=None: do not write .hypothesis/ wherever the script is run from.
demo = settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no "explain" notes
)
print("3. Property-based tests with hypothesis (each test function called directly)\n")
calls = {"swish": 0, "log_cosh": 0, "expressions": 0}


@demo
@given(finite_floats(-30.0, 30.0))
def test_swish_gradient(x: float) -> None:
    calls["swish"] += 1
    gradcheck(swish, [x])
    assert abs(grad(swish)(x) - swish_derivative(x)) <= 1e-12 * (1.0 + abs(swish_derivative(x)))


@demo
@given(finite_floats(-20.0, 20.0), finite_floats(-20.0, 20.0))
def test_log_cosh_gradient(p: float, t: float) -> None:
    calls["log_cosh"] += 1
    gradcheck(log_cosh, [p, t])
    d_p, d_t = grad(log_cosh, argnums=(0, 1))(p, t)
    assert abs(d_p - math.tanh(p - t)) < 1e-9 and d_t == -d_p


test_swish_gradient()
print(f"  test_swish_gradient: passed on {calls['swish']} examples of x in [−30, 30]")
test_log_cosh_gradient()
print(f"  test_log_cosh_gradient: passed on {calls['log_cosh']} examples of (p, t) in [−20, 20]²")

# expressions(): random computation graphs over the whole op set, with inputs chosen so that
# every op stays in its domain and away from its kinks. This is how the library tests itself.
drawn: list[Expression] = []


@settings(demo, max_examples=40)
@given(expressions(max_inputs=2, max_ops=5))
def test_random_graphs(expr: Expression) -> None:
    calls["expressions"] += 1
    drawn.append(expr)
    gradcheck(expr, expr.inputs)


test_random_graphs()
print(f"  test_random_graphs: passed on {calls['expressions']} random graphs from expressions(), e.g.")
for expr in sorted(drawn, key=lambda e: len(e.formula()))[-4:]:
    print(f"    {expr.formula()}  at {[round(x, 4) for x in expr.inputs]}")


# And the broken function, under the same kind of property: hypothesis finds an input where
# gradcheck fails, shrinks it, and reports the smallest failing example it found.
@demo
@given(finite_floats(-30.0, 30.0))
def test_broken_swish_gradient(x: float) -> None:
    gradcheck(broken_swish, [x])


try:
    test_broken_swish_gradient()
except AssertionError as error:
    print("\n  test_broken_swish_gradient failed, as it should:")
    for note in getattr(error, "__notes__", []):  # hypothesis adds the shrunk failing example
        print("\n".join("    " + line for line in note.splitlines()))
    print(f"    AssertionError: {error}")
else:
    raise SystemExit("hypothesis should have found an input where broken_swish fails gradcheck")
print("\n  property tests: the correct functions passed, the broken one was caught")
