"""Note 004: a perceptron learns AND and OR but not XOR; a hidden layer fixes that.

A perceptron (note 004) is one neuron with a hard threshold,

    h(x) = sign(wᵀx + b),        ( b is note 004's w₀, the weight of a constant input x₀ = 1 )

and the perceptron learning rule nudges the weights after every sample:

    w ← w + η·(y − ŷ)·x,    b ← b + η·(y − ŷ)

with labels y ∈ {−1, +1}. A correct prediction (ŷ = y) changes nothing; a wrong one moves
the boundary wᵀx + b = 0 towards the sample's side. No gradient is involved: sign has
derivative 0 everywhere, which is why note 004 calls it "hard to optimize" and why
networks are trained with smooth activations instead.

1. The rule on AND and OR: both are linearly separable (one straight line splits the
   +1 corners from the −1 corners), so the perceptron convergence theorem promises
   4/4 correct after finitely many updates.
2. The same rule on XOR never gets 4/4: no line separates {01, 10} from {00, 11}.
   Proof: we would need b < 0 (00 ↦ −1), w₁ + b > 0 and w₂ + b > 0 (01, 10 ↦ +1), and
   w₁ + w₂ + b < 0 (11 ↦ −1). Adding the middle two gives w₁ + w₂ + 2b > 0, so
   w₁ + w₂ + b > −b > 0: a contradiction.
3. An MLP with one hidden layer of tanh units, trained by gradient descent with ``fit``,
   learns XOR: the hidden layer maps the corners to a space where they are separable.
4. Note 004's homework: XOR(AND(x₁, x₂), x₃) by a network with sign activations and
   weights set by hand, after "operating the Boolean algebra first":
   y = x₁x₂x̄₃ + (x̄₁ + x̄₂)x₃, an OR of two ANDs: two hidden units and one output unit,
   (3 + 1)·2 + (2 + 1)·1 = 11 weights, note 004's practice count.

Run: python examples/perceptron_xor.py
"""

from tinygrad_edu.data import logic_gate, xor3
from tinygrad_edu.nn import MLP, Neuron
from tinygrad_edu.optim import SGD
from tinygrad_edu.train import FitOptions, fit

ETA = 1.0  # learning rate of the perceptron rule (any η > 0 works when starting from w = 0)
EPOCHS = 100

# --------------------------------------------------------------------------- 1 and 2
print("1-2. The perceptron learning rule  w ← w + η(y − ŷ)x  on two-input gates")
print("     (inputs 0/1, labels −1/+1, sign activation, w and b start at 0)\n")


def train_perceptron(gate: str) -> tuple[Neuron, list[int], int]:
    """Run the perceptron rule for EPOCHS passes over the gate's truth table.

    Returns the neuron, the number of correct predictions after each epoch, and
    the epoch after which it first got all four right (0 if never).
    """
    X, y = logic_gate(gate, labels="bipolar")  # rows 00, 01, 10, 11; labels −1/+1
    neuron = Neuron(2, activation="sign", init="zeros")  # h(x) = sign(w·x + b)
    assert neuron.b is not None
    correct_per_epoch, first_perfect = [], 0
    for epoch in range(1, EPOCHS + 1):
        for x, target in zip(X, y):
            y_hat = neuron(x).data  # −1, 0 (exactly on the boundary) or +1
            # The rule, on the numbers themselves: no graph, no gradient.
            for w, xi in zip(neuron.w, x):
                w.data += ETA * (target - y_hat) * xi
            neuron.b.data += ETA * (target - y_hat)  # the bias sees a constant input x₀ = 1
        correct = sum(neuron(x).data == target for x, target in zip(X, y))
        correct_per_epoch.append(correct)
        if correct == 4 and not first_perfect:
            first_perfect = epoch
    return neuron, correct_per_epoch, first_perfect


results = {}
for gate in ("AND", "OR", "XOR"):
    neuron, correct_per_epoch, first_perfect = train_perceptron(gate)
    results[gate] = correct_per_epoch
    X, y = logic_gate(gate, labels="bipolar")
    assert neuron.b is not None
    w1, w2, b = neuron.w[0].data, neuron.w[1].data, neuron.b.data
    print(f"  {gate}: w = ({w1:+.0f}, {w2:+.0f}), b = {b:+.0f}")
    for x, target in zip(X, y):
        y_hat = neuron(x).data
        verdict = "ok" if y_hat == target else "WRONG"
        print(f"     x = {x[0]:.0f}{x[1]:.0f}  y = {target:+d}  ŷ = {y_hat:+.0f}  {verdict}")
    last, best = correct_per_epoch[-1], max(correct_per_epoch)
    if first_perfect:
        print(f"  perceptron {gate}: {last}/4 (all right after epoch {first_perfect} of {EPOCHS})\n")
    else:
        print(f"  perceptron {gate}: {last}/4 after {EPOCHS} epochs, never 4/4 (best epoch: {best}/4)\n")

assert results["AND"][-1] == 4 and results["OR"][-1] == 4, "the perceptron rule must learn AND and OR"
assert max(results["XOR"]) < 4, "a single perceptron cannot compute XOR"
print("  XOR is not linearly separable: a line with 00, 11 on one side and 01, 10 on the other")
print("  would need b < 0, w₁ + b > 0, w₂ + b > 0 and w₁ + w₂ + b < 0; the middle two add up to")
print("  w₁ + w₂ + b > −b > 0. So the rule keeps cycling and no epoch ends with 4/4.\n")

# --------------------------------------------------------------------------- 3
print("3. An MLP with a hidden layer learns XOR by gradient descent (tinygrad_edu.train.fit)\n")
X, y = logic_gate("XOR")  # 0/1 labels for a logistic output
model = MLP(2, [4, 1], activation="tanh", seed=0)  # 2 → 4 tanh → 1 score (a logit)
history = fit(
    model,
    X,
    y,
    loss="bce_with_logits",  # −[y ln σ(s) + (1 − y) ln(1 − σ(s))]: smooth, so gradients flow
    optimizer=SGD(model.parameters(), lr=0.5),
    epochs=300,
    seed=0,
    options=FitOptions(verbose=False),
)
mlp_correct = 0
for x, target in zip(X, y):
    score = model(x).data
    y_hat = int(score > 0)  # σ(s) > ½
    mlp_correct += y_hat == target
    print(f"     x = {x[0]:.0f}{x[1]:.0f}  y = {target}  score = {score:+.3f}  ŷ = {y_hat}")
print(f"  MLP XOR: {mlp_correct}/4 (final training loss {history.train_loss[-1]:.4f})\n")
assert mlp_correct == 4, "the MLP must learn XOR"

# --------------------------------------------------------------------------- 4
print("4. XOR(AND(x₁, x₂), x₃) with sign activations and hand-set weights (note 004, HW5)")
print("   y = x₁x₂x̄₃ + (x̄₁ + x̄₂)x₃:  h₁ = [x₁ ∧ x₂ ∧ ¬x₃],  h₂ = [x₃ ∧ ¬(x₁ ∧ x₂)],  y = h₁ ∨ h₂\n")
net = MLP(3, [2, 1], activation="sign", output_activation="sign", init="zeros")
hand_set = [
    # layer 1, inputs 0/1, outputs ±1
    [
        ([1.0, 1.0, -1.0], -1.5),  # h₁ = sign(x₁ + x₂ − x₃ − 1.5): +1 only for 110
        ([-1.0, -1.0, 2.0], -0.5),  # h₂ = sign(−x₁ − x₂ + 2x₃ − 0.5): +1 for x₃ = 1 unless x₁ = x₂ = 1
    ],
    # layer 2, inputs ±1: OR = sign(h₁ + h₂ + 1.5), −1 only when both are −1
    [([1.0, 1.0], 1.5)],
]
for layer, weights in zip(net.layers, hand_set):
    for neuron, (ws, bias) in zip(layer.neurons, weights):
        for w, value in zip(neuron.w, ws):
            w.data = value
        assert neuron.b is not None
        neuron.b.data = bias
n_weights = len(net.parameters())
print(f"   {net}: {n_weights} weights = (3 + 1)·2 + (2 + 1)·1, biases included")
assert n_weights == (3 + 1) * 2 + (2 + 1) * 1 == 11

X3, y3 = xor3()  # the reference truth table, labels 0/1
print("\n   x₁ x₂ x₃ | h₁ h₂ | net  xor3()")
agree = 0
for x, target in zip(X3, y3):
    out = net(x).data  # ±1
    hidden = [n(x).data for n in net.layers[0].neurons]
    bit = int(out > 0)  # ±1 ↦ 1/0
    agree += bit == target
    print(f"    {x[0]:.0f}  {x[1]:.0f}  {x[2]:.0f} | {hidden[0]:+.0f} {hidden[1]:+.0f} |  {bit}     {target}")
print(f"\n   XOR(AND(x1, x2), x3): {agree}/8 inputs match data.xor3()")
assert agree == 8, "the hand-built network must compute XOR(AND(x1, x2), x3)"
