"""Solutions to the exercises of chapter 11, "The loss landscape"."""

import math


# Exercise 1: note 002's α(t) = α₀·τ/max(t, τ) with α₀ = 0.5 and τ = 10.
def lr_at(t):
    return 0.5 * 10 / max(t, 10)


# Exercise 2: each epoch is split into ⌈60/8⌉ = 8 mini-batches (seven of 8 points, one of 4),
# each one update: 8·20 = 160 updates for the same 20·60 = 1200 gradient evaluations.
updates = math.ceil(60 / 8) * 20


# Exercise 3: the eigenvalues of [[a, b], [b, d]] are tr/2 ± √((a − d)²/4 + b²); their signs decide.
def kind(H):
    (a, b), (_, d) = H
    root = math.hypot((a - d) / 2, b)
    low, high = (a + d) / 2 - root, (a + d) / 2 + root
    if low > 0:
        return "minimum"
    if high < 0:
        return "maximum"
    return "saddle"


# Exercise 4: for an increasing s, s(−π) ≤ s(−π/2). Within ε of sin at both points means
# s(−π) > −ε and s(−π/2) < −1 + ε, so −ε < −1 + ε: ε > 1/2 (a decreasing s: use π/2 and π).
# And 1/2 is reached: the increasing s(x) = (max_{t≤x} sin t + min_{t≥x} sin t)/2 misses by exactly 1/2.
bound = 0.5
