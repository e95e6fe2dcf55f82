"""Solutions to the exercises of chapter 1, "A neuron and the chain rule"."""

import math

from tinygrad_edu import Value

# Exercise 1: δ of the neuron's z. o = tanh(z), so δ = ∂o/∂z = 1 − tanh²(z) = 1 − o².
z = 2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432
delta = 1 - math.tanh(z) ** 2


# Exercise 2: σ'(z) from the output alone. σ' = e⁻ᶻ/(1 + e⁻ᶻ)² = σ(1 − σ).
def sigmoid_local(y):
    return y * (1 - y)


# Exercise 3: an op by hand, micrograd's way: cube(x) = x³, ∂/∂x = 3x².
def cube(x):
    out = Value(x.data**3, (x,), "cube")

    def _backward():
        x.grad += 3 * x.data**2 * out.grad

    out._backward = _backward
    return out
