"""Solutions to the exercises of chapter 4, "Losses: softmax, cross-entropy, max-margin"."""

import math

# Exercise 1: the true classes get 0.49 (sample 1 is a dog) and 0.41 (sample 2 is a cat).
loss = -(math.log(0.49) + math.log(0.41)) / 2


# Exercise 2: ∂L/∂zᵢ = softmax(z)ᵢ − tᵢ, with t the one-hot target.
def gradient(logits, target):
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    total = sum(exps)
    return [e / total - (1.0 if i == target else 0.0) for i, e in enumerate(exps)]


# Exercise 3: note 002's J = max(0, 1 + s_c − s).
def max_margin(s, s_c):
    return (1 + s_c - s).relu()
