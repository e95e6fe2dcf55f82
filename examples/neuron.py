"""One neuron, forward and backward: o = tanh(x1·w1 + x2·w2 + b).

Prints every node's value and gradient, then checks the engine's gradients
against the chain rule written out by hand:

    ∂o/∂n  = 1 − o²                        (tanh' = 1 − tanh²)
    ∂o/∂w1 = x1 · ∂o/∂n,  ∂o/∂x1 = w1 · ∂o/∂n   (∂e/∂w = x·δ)

Run: python examples/neuron.py
"""

from tinygrad_edu import Value, topological_order

x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")

n = x1 * w1 + x2 * w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()

print("backprop visits the nodes in this order (each δ is final when visited):")
for node in topological_order(o):
    name = node.label or "·"
    made_by = f"made by {node.op!r}" if node.op else "leaf"
    print(f"  {name:>3}  data={node.data:+.4f}  grad={node.grad:+.4f}  ({made_by})")

delta = 1 - o.data**2  # δ of the pre-activation n
by_hand = {
    "x1": w1.data * delta,  # ∂o/∂x1 = w1·δ
    "w1": x1.data * delta,  # ∂o/∂w1 = x1·δ
    "x2": w2.data * delta,
    "w2": x2.data * delta,
    "b": delta,  # ∂n/∂b = 1
}
print("\nby hand vs engine:")
for leaf in (x1, w1, x2, w2, b):
    print(f"  ∂o/∂{leaf.label:<2} = {by_hand[leaf.label]:+.6f}  engine {leaf.grad:+.6f}")
    assert abs(by_hand[leaf.label] - leaf.grad) < 1e-12
print("\nall gradients agree with the chain rule.")
