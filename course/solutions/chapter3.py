"""Solutions to the exercises of chapter 3, "An MLP learns the moons"."""

# Exercise 1: each neuron has one weight per input and a bias.
count = (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1


# Exercise 2: one step of gradient descent.
def sgd_step(params, lr):
    for p in params:
        p.data -= lr * p.grad


# Exercise 3: the hinge loss of one sample, relu(1 − y·s) = max(0, 1 − y·s).
def hinge(score, label):
    return (1 - label * score).relu()
