"""micrograd's moons demo as a script: a 2-16-16-1 ReLU network separates two interleaving moons.

The recipe (micrograd's demo.ipynb, step for step) lives in
``tinygrad_edu/cli/demo.py`` — read ``train_moons`` there: SVM hinge loss
mean(max(0, 1 − yᵢ·sᵢ)) + 10⁻⁴·Σp², full-batch gradient descent with the
learning rate annealed from 1.0 to 0.1. This script runs it, asserts 100%
training accuracy, and writes the decision boundary, the loss curve, one
neuron's graph and the backprop replay — the same as ``python -m tinygrad_edu demo``.

Run: python examples/moons.py [--out DIR] [--quick]
"""

import sys

from tinygrad_edu.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", *(sys.argv[1:] or ["--out", "tinygrad_edu_out/examples"])]))
