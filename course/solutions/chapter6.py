"""Solutions to the exercises of chapter 6, "Initialisation, vanishing and exploding gradients"."""

import math

# Exercise 1: σ′(z) = σ(z)(1 − σ(z)) is at most 0.25 (at z = 0); ten of them multiply to 0.25¹⁰ at most.
bound = 0.25**10

# Exercise 2: Xavier/Glorot: W ~ U(−√(6/(m + n)), +√(6/(m + n))).
xavier = math.sqrt(6 / (64 + 32))

# Exercise 3: He: W ~ N(0, 2/m).
std = math.sqrt(2 / 50)
