"""Note 001: softmax and cross-entropy on the note's cat/dog example, and why it beats accuracy.

A classifier's scores (logits) z become probabilities with the softmax

    q(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ,

and the categorical cross-entropy of one sample with one-hot label y is

    L = −Σᵢ yᵢ ln q(z)ᵢ = −ln q(z)_true       (the probability given to the true class)

averaged over the samples. Note 001 compares two situations for two samples, with outputs
a = q(z) and labels y (cat = [1, 0], dog = [0, 1]):

    first:   a₁ = [0.55, 0.45], y₁ = cat;  a₂ = [0.44, 0.56], y₂ = dog   → both right, barely
    second:  a₁ = [0.51, 0.49], y₁ = dog;  a₂ = [0.41, 0.59], y₂ = cat   → both wrong, barely

First situation: −(ln 0.55 + ln 0.56)/2 = 0.5888 at 100% accuracy. Second situation: the
true classes get 0.49 and 0.41, so −(ln 0.49 + ln 0.41)/2 = 0.8025 at 0% accuracy. The note
prints −(ln 0.49 + ln 0.59)/2 = 0.62: it took 0.59, the *dog's* probability, for sample 2,
whose label y₂ = [1, 0] says cat (see docs/errata.md). Its point holds all the more strongly.

Why cross-entropy and not the classification error? Accuracy is piecewise constant in the
parameters: it jumps from 100% to 0% while the outputs barely move, and its gradient is 0
everywhere it exists, so it cannot guide gradient descent. Cross-entropy rises smoothly as the
predictions get worse, and its gradient with respect to the logits is simply

    ∂L/∂zᵢ = q(z)ᵢ − yᵢ          (over N for the mean of N samples)

the error of each probability: large when confidently wrong, small when nearly right.

Run: python examples/softmax_cross_entropy.py
"""

import math
from itertools import pairwise

from tinygrad_edu import Value
from tinygrad_edu.losses import binary_cross_entropy, cross_entropy, softmax

CAT, DOG = [1.0, 0.0], [0.0, 1.0]
SITUATIONS = {
    "first": ([[0.55, 0.45], [0.44, 0.56]], [CAT, DOG]),
    "second": ([[0.51, 0.49], [0.41, 0.59]], [DOG, CAT]),
}


def logits_for(probabilities: list[float]) -> list[Value]:
    """Logits whose softmax is exactly the given probabilities: zᵢ = ln aᵢ (since Σ aᵢ = 1)."""
    return [Value(math.log(p)) for p in probabilities]


def accuracy(outputs: list[list[float]], labels: list[list[float]]) -> float:
    """The fraction of samples whose most probable class is the labelled one."""
    right = sum(max(range(2), key=out.__getitem__) == y.index(1.0) for out, y in zip(outputs, labels))
    return right / len(labels)


# --------------------------------------------------------------------------- the note's numbers
print("Note 001's cat/dog example (classes [cat, dog])\n")
results = {}
for name, (outputs, labels) in SITUATIONS.items():
    z = [logits_for(a) for a in outputs]
    q = [[p.data for p in softmax(row)] for row in z]
    assert all(abs(qi - ai) < 1e-12 for qrow, arow in zip(q, outputs) for qi, ai in zip(qrow, arow))
    ce = cross_entropy(z, labels).data  # mean over the 2 samples of −Σᵢ yᵢ ln q(z)ᵢ
    by_hand = -sum(math.log(a[y.index(1.0)]) for a, y in zip(outputs, labels)) / len(labels)
    acc = accuracy(outputs, labels)
    results[name] = (acc, ce)
    for n, (a, y) in enumerate(zip(outputs, labels), start=1):
        label = "cat" if y == CAT else "dog"
        print(f"  {name} situation, sample {n}: a = {a}, label {label}, p(true class) = {a[y.index(1.0)]}")
    print(f"  {name} situation: accuracy {acc:.0%}, cross-entropy {ce:.4f} (by hand {by_hand:.4f})\n")
    assert abs(ce - by_hand) < 1e-12

assert results["first"][0] == 1.0 and round(results["first"][1], 4) == 0.5888
assert results["second"][0] == 0.0 and round(results["second"][1], 4) == 0.8025

note = -(math.log(0.49) + math.log(0.59)) / 2
print(f"  The note prints −(ln 0.49 + ln 0.59)/2 = {note:.4f} ≈ 0.62 for the second situation: it used")
print("  p = 0.59 for sample 2, but that is the dog's probability and y₂ = [1, 0] says cat, whose")
print(
    f"  probability is 0.41. With the note's own labels: −(ln 0.49 + ln 0.41)/2 = {results['second'][1]:.4f}."
)

# The same numbers from binary_cross_entropy on p(cat), with label 1 for cat and 0 for dog.
bce_first = binary_cross_entropy([0.55, 0.44], [1, 0]).data
bce_second = binary_cross_entropy([0.51, 0.41], [0, 1]).data
print(f"  binary_cross_entropy on p(cat) agrees: {bce_first:.4f} and {bce_second:.4f}\n")
assert abs(bce_first - results["first"][1]) < 1e-12 and abs(bce_second - results["second"][1]) < 1e-12

# --------------------------------------------------------------------------- accuracy jumps
print("From the first situation to the second: each sample's p(true class) moves in a straight line")
print("(0.55 → 0.49 and 0.56 → 0.41). Accuracy jumps; cross-entropy rises smoothly.\n")
print("     t    p₁(true)  p₂(true)  accuracy  cross-entropy")
start, end = (0.55, 0.56), (0.49, 0.41)
sweep = []
for k in range(9):
    t = k / 8  # eighths: no probability lands exactly on the 0.5 tie
    p = [s + t * (e - s) for s, e in zip(start, end)]
    # logits [ln p, ln(1 − p)] with the true class first: target class index 0
    ce = cross_entropy([logits_for([pi, 1.0 - pi]) for pi in p], [0, 0]).data
    acc = sum(pi > 0.5 for pi in p) / 2
    sweep.append((acc, ce))
    print(f"   {t:.3f}  {p[0]:.4f}    {p[1]:.4f}    {acc:>4.0%}      {ce:.4f}")
assert [acc for acc, _ in sweep] == sorted((acc for acc, _ in sweep), reverse=True)
assert {acc for acc, _ in sweep} == {1.0, 0.5, 0.0}, "accuracy only takes the values 100%, 50%, 0%"
assert all(b > a for (_, a), (_, b) in pairwise(sweep)), "cross-entropy rises at every step"
assert abs(sweep[0][1] - results["first"][1]) < 1e-12 and abs(sweep[-1][1] - results["second"][1]) < 1e-12
first_ce, last_ce = sweep[0][1], sweep[-1][1]
print(f"  accuracy 100% → 0% in jumps; cross-entropy {first_ce:.4f} → {last_ce:.4f}, rising at every step\n")

# --------------------------------------------------------------------------- gradients
print("Gradients in the second situation (both samples wrong), with respect to the logits:")
outputs, labels = SITUATIONS["second"]
z = [logits_for(a) for a in outputs]
loss = cross_entropy(z, labels)  # the mean over N = 2 samples
loss.backward()
N = len(labels)
worst = 0.0
for n, (row, y) in enumerate(zip(z, labels), start=1):
    probabilities = [p.data for p in softmax(row)]
    closed_form = [(qi - yi) / N for qi, yi in zip(probabilities, y)]  # ∂L/∂zᵢ = (qᵢ − yᵢ)/N
    engine = [zi.grad for zi in row]
    worst = max(worst, *(abs(e - c) for e, c in zip(engine, closed_form)))
    print(
        f"  sample {n}: engine ∂CE/∂z = [{engine[0]:+.6f}, {engine[1]:+.6f}]   "
        f"(p − y)/N = [{closed_form[0]:+.6f}, {closed_form[1]:+.6f}]"
    )
print(f"  ∂CE/∂logit = p − y: engine and closed form agree (max |difference| {worst:.1e})")
assert worst < 1e-12

# The classification error as a function of the logits: a sample is wrong when the other
# class scores higher, error = step(z_other − z_true). Piecewise constant: gradient 0.
z = [logits_for(a) for a in outputs]
error = sum(((row[1 - y.index(1.0)] - row[y.index(1.0)]).step() for row, y in zip(z, labels)), Value(0.0)) / N
error.backward()
error_grads = [zi.grad for row in z for zi in row]
print(f"  classification error = {error.data:.0%}; its gradient with respect to the logits: {error_grads}")
print("  (zero everywhere: it says *that* the predictions are wrong, never which way to move them)")
assert error.data == 1.0 and all(g == 0.0 for g in error_grads)

# Following the cross-entropy gradient fixes the predictions: plain gradient descent on the
# logits themselves, z ← z − α·∂CE/∂z.
alpha, steps = 2.0, 0
z = [logits_for(a) for a in outputs]
while accuracy([[p.data for p in softmax(row)] for row in z], labels) < 1.0:
    loss = cross_entropy(z, labels)
    for zi in (zi for row in z for zi in row):
        zi.grad = 0.0
    loss.backward()
    for zi in (zi for row in z for zi in row):
        zi.data -= alpha * zi.grad
    steps += 1
final = cross_entropy(z, labels).data
print(f"  gradient descent on the logits (α = {alpha}): 100% accuracy after {steps} step(s), CE {final:.4f}")
assert steps <= 3 and final < results["second"][1]
