"""Solutions to the exercises of chapter 2, "Backprop is dynamic programming"."""

import math

from tinygrad_edu import ops, topological_order

# Exercise 1: a has two consumers, a·b and tanh(a); δₐ is the sum of what each sends back:
# ∂(a·b)/∂a · 1 + ∂tanh(a)/∂a · 1 = b + (1 − tanh² a).
answer = -2.0 + (1 - math.tanh(0.5) ** 2)


# Exercise 2: every node must come before each of its inputs (after all its consumers).
def is_backprop_order(order):
    position = {node: i for i, node in enumerate(order)}
    return all(position[node] < position[x] for node in order for x in node.inputs)


# Exercise 3: the whole backward pass, as the engine runs it.
def my_backward(root):
    order = topological_order(root)
    root.grad = 1.0
    for node in order:
        if node.rule is None:  # a leaf: nothing to pass on
            continue
        local = node.rule.local(ops.FLOATS, node.constant, node.data, *[x.data for x in node.inputs])
        for x, d in zip(node.inputs, local):
            if d is not None:  # None: no gradient flows to this input
                x.grad += d * node.grad
