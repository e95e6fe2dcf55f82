"""Solutions to the exercises of chapter 5, "Optimizers, learning rates and schedules"."""

# Exercise 1: w ← w − α·2w = (1 − 2α)·w shrinks to 0 only while |1 − 2α| < 1, that is 0 < α < 1.
rate = 1.0


# Exercise 2: PyTorch's momentum: the buffer b ← μb + g (b starts at 0), then θ ← θ − lr·b.
def momentum_step(theta, buffer, g, lr, mu):
    buffer = mu * buffer + g
    return theta - lr * buffer, buffer


# Exercise 3: step decay, halving every 10 steps from 0.5.
def lr_at(k):
    return 0.5 * 0.5 ** (k // 10)
