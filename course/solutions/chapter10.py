"""Solutions to the exercises of chapter 10, "Deeper networks: clipping, batch normalization, convolution"."""

import math


# Exercise 1: only a gradient longer than c is rescaled, and all of it by the same factor.
def clip(g, c):
    norm = math.sqrt(sum(v * v for v in g))
    return [v * min(1.0, c / norm) for v in g]


# Exercise 2: μ = (1 + 2 + 3 + 6)/4 = 3, σ² = (4 + 1 + 0 + 9)/4 = 3.5, so 2·(6 − 3)/√3.5 + 0.5 ≈ 3.707.
normalised = 2 * (6 - 3) / math.sqrt(3.5) + 0.5

# Exercise 3: ∂e/∂w[q] = Σ_p x[p + q]·δ[p]:
# w[0]: 1·1 + 2·(−1) + 4·2 = 7;  w[1]: 2·1 + 4·(−1) + 3·2 = 4.
kernel_gradient = [1 * 1 + 2 * -1 + 4 * 2, 2 * 1 + 4 * -1 + 3 * 2]
