"""Solutions to the exercises of chapter 12, "Data and initialisation"."""

import math

# Exercise 1: Σ = [[2, 1], [1, 2]] has the eigenvalues 3 and 1, along (1, 1)/√2 and (1, −1)/√2.
# Vᵀx = (2/√2, 2/√2) = (√2, √2); dividing by √3 and √1 gives z = (√2/√3, √2), so
# ‖z‖² = 2/3 + 2 = 8/3 (= xᵀΣ⁻¹x: the whitened length is the Mahalanobis distance).
length = math.sqrt(2 / 3 + 2)

# Exercise 2: 1 − tanh²(z) = 0.01, so tanh(z) = √0.99 and z = atanh(√0.99) ≈ 2.993.
z = math.atanh(math.sqrt(0.99))


# Exercise 3: Xavier's uniform draw, r = √(6/(m + n)): random, so the units start different,
# and small enough that Var(z) stays near Var(x), far from tanh's flat tails.
def init(m, n, rng):
    r = math.sqrt(6 / (m + n))
    return rng.uniform(-r, r)
