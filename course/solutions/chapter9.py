"""Solutions to the exercises of chapter 9, "Real data"."""

import math

# Exercise 1: the column [1, 2, 3, 4] has μ = 2.5 and σ² = (1.5² + 0.5² + 0.5² + 1.5²)/4 = 1.25.
value = (4 - 2.5) / math.sqrt(1.25)


# Exercise 2 reuses the training statistics: (6 − 2.5)/√1.25. (A second name keeps both answers.)
test_value = (6 - 2.5) / math.sqrt(1.25)


# Exercise 3: the right answers are the diagonal.
def accuracy(confusion):
    right = sum(confusion[c][c] for c in range(len(confusion)))
    return right / sum(sum(row) for row in confusion)
