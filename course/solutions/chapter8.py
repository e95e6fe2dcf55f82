"""Solutions to the exercises of chapter 8, "Second-order methods"."""

from tinygrad_edu import grad

# Exercise 1: f = x²y + y³: ∂²f/∂x² = 2y, ∂²f/∂x∂y = 2x, ∂²f/∂y² = 6y, at (1, 2).
h = [[4.0, 2.0], [2.0, 12.0]]


# Exercise 2: Newton's step x − f′(x)/f″(x), both derivatives by the engine.
def newton_step(f, x):
    df = grad(f)
    d2f = grad(df)
    return x - df(x) / d2f(x)
