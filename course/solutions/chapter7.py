"""Solutions to the exercises of chapter 7, "Regularisation"."""

# Exercise 1: ∂(J + λw²)/∂w = g + 2λw, so w ← 2 − 0.5·(0.5 + 2·0.1·2) = 1.55.
w = 2.0 - 0.5 * (0.5 + 2 * 0.1 * 2.0)

# Exercise 2: inverted dropout keeps a unit with probability 1 − p and divides it by 1 − p.
scale = 1 / (1 - 0.2)


# Exercise 3: d/dw [w²/(1 + w²)] = (2w(1 + w²) − w²·2w)/(1 + w²)² = 2w/(1 + w²)².
def gradient(w):
    return 2 * w / (1 + w * w) ** 2
