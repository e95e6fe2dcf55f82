"""Note 002 §3–§5: a window classifier for named entities, trained with the max-margin objective.

Is the centre word of "museums in paris are amazing" a location? The network of note 002
looks at a window of 5 words, each a learned 4-dimensional word vector, so its input is
their concatenation x ∈ ℝ²⁰, and computes

    z = Wx + b,   a = σ(z),   s = Uᵀa          W ∈ ℝ^{8×20}, b ∈ ℝ⁸, U ∈ ℝ⁸

a score s for the window. Training wants a true window (a location in the centre) to
outscore a corrupt one by a margin of 1, where the corrupt window is the same window with
its centre word replaced by a random non-location word:

    J = max(1 + s_c − s, 0)      (losses.max_margin)

J = 0 costs nothing and needs no update; otherwise ∂J/∂s = −1 and ∂J/∂s_c = +1, and SGD
updates W, b, U *and the word vectors* with the gradient backprop gives.

Note 002 §5 derives that gradient by hand. In its notation the input layer is layer 1
(a⁽¹⁾ = x), the hidden layer is layer 2 (z⁽²⁾ = z, a⁽²⁾ = a) and W⁽¹⁾ = W, W⁽²⁾ = U:

    ∂s/∂W⁽¹⁾ᵢⱼ = W⁽²⁾ᵢ·f'(z⁽²⁾ᵢ)·a⁽¹⁾ⱼ = δ⁽²⁾ᵢ·a⁽¹⁾ⱼ,   δ⁽²⁾ᵢ = Uᵢ·σ'(zᵢ) = Uᵢ·aᵢ(1 − aᵢ)

that is δᵢ·xⱼ: the *input* xⱼ, not a hidden activation (see docs/errata.md: the note's step 7 prints
∂z₁⁽²⁾/∂W₁₄⁽¹⁾ = a₄⁽²⁾; it is a₄⁽¹⁾ = x₄). The script checks every entry against the engine.

Run: python examples/ner_window.py
"""

import math
import random

from tinygrad_edu import Value
from tinygrad_edu.losses import max_margin
from tinygrad_edu.nn import Layer, Neuron
from tinygrad_edu.optim import SGD

SEED = 0
DIM = 4  # word-vector size
HALF = 2  # words on each side of the centre: windows of 2·2 + 1 = 5 words
HIDDEN = 8
EPOCHS = 30
LR = 0.05
PAD = "<pad>"  # fills windows that run past either end of a sentence

# A small corpus; every location word below is the centre of one true window.
CORPUS = [
    "museums in paris are amazing",
    "hotels in london are expensive",
    "we flew to rome last summer",
    "the trains to berlin are late",
    "she moved to madrid for work",
    "my cousin lives in vienna now",
    "the food in tokyo is great",
    "he studied in paris for years",
    "our flight from london was late",
    "they drove from berlin to prague",
    "the museums of rome are old",
    "we love the food in madrid",
    "tourists visit vienna every summer",
    "the weather in tokyo is mild",
    "rents in prague are rising",
    "i met her in london last year",
]
LOCATIONS = {"paris", "london", "rome", "berlin", "madrid", "vienna", "tokyo", "prague"}
# Held out: known words in new combinations, never trained on.
HELD_OUT = [
    "hotels in rome are expensive",
    "the trains to vienna are late",
    "we flew to tokyo last year",
    "my cousin lives in berlin now",
]

rng = random.Random(SEED)

# --------------------------------------------------------------------------- data
sentences = [sentence.split() for sentence in CORPUS]
vocabulary = sorted({word for words in sentences for word in words} | {PAD})
# Corrupt centres: any word that is not a location (a location would make a true window).
fillers = [word for word in vocabulary if word not in LOCATIONS and word != PAD]


def windows_of(words: list[str]) -> list[list[str]]:
    """The 5-word window around every location word of a sentence, padded at the ends."""
    padded = [PAD] * HALF + words + [PAD] * HALF
    return [padded[i : i + 2 * HALF + 1] for i, word in enumerate(words) if word in LOCATIONS]


true_windows = [window for words in sentences for window in windows_of(words)]
held_out_windows = [window for sentence in HELD_OUT for window in windows_of(sentence.split())]
assert all(word in vocabulary for window in held_out_windows for word in window)


def corrupt(window: list[str], centre: str) -> list[str]:
    return [*window[:HALF], centre, *window[HALF + 1 :]]


# --------------------------------------------------------------------------- model
# Word vectors: one learned Value per coordinate, small random numbers to start.
embedding = {
    word: [Value(rng.uniform(-0.5, 0.5), label=f"{word}[{k}]") for k in range(DIM)] for word in vocabulary
}
hidden = Layer(DIM * (2 * HALF + 1), HIDDEN, activation="sigmoid", seed=SEED)  # a = σ(Wx + b)
score_unit = Neuron(HIDDEN, activation="linear", bias=False, seed=SEED + 1)  # s = Uᵀa


def window_input(window: list[str]) -> list[Value]:
    """x ∈ ℝ²⁰: the window's word vectors, concatenated."""
    return [v for word in window for v in embedding[word]]


def score(window: list[str]) -> Value:
    a = hidden(window_input(window))  # 8 Values: a = σ(Wx + b)
    return score_unit(a)  # s = Uᵀa


W = [neuron.w for neuron in hidden.neurons]  # W[i][j]: row i holds hidden unit i's weights
b = [neuron.b for neuron in hidden.neurons if neuron.b is not None]
U = score_unit.w
word_params = [v for word in vocabulary for v in embedding[word]]
parameters = hidden.parameters() + score_unit.parameters() + word_params

print("Note 002's NER window classifier")
print(f"  corpus: {len(CORPUS)} sentences, {len(true_windows)} true windows, vocabulary of {len(vocabulary)}")
print(f"  example window: {' '.join(true_windows[0])!r} → x ∈ ℝ^{len(window_input(true_windows[0]))}")
n_w, n_b, n_u, n_words = HIDDEN * DIM * (2 * HALF + 1), HIDDEN, HIDDEN, len(word_params)
print(
    f"  parameters: W {HIDDEN}×{DIM * (2 * HALF + 1)} = {n_w}, b {n_b}, U {n_u}, "
    f"word vectors {len(vocabulary)}×{DIM} = {n_words}; total {len(parameters)}"
)
assert len(parameters) == n_w + n_b + n_u + n_words == 160 + 8 + 8 + 4 * len(vocabulary)


def ranking_accuracy(windows: list[list[str]]) -> tuple[int, int]:
    """How many (true, corrupt) pairs have s > s_c, over the windows and every corrupt centre."""
    wins = total = 0
    for window in windows:
        s = score(window).data
        for centre in fillers:
            wins += s > score(corrupt(window, centre)).data
            total += 1
    return wins, total


wins, total = ranking_accuracy(true_windows)
print(f"\n  before training: s > s_c for {wins}/{total} pairs ({wins / total:.1%})")

# --------------------------------------------------------------------------- training
optimizer = SGD(parameters, lr=LR)  # θ ← θ − α∇J, one pair at a time
print(f"\n  SGD, lr {LR}, {EPOCHS} epochs; each step: one true window and a freshly corrupted copy")
for epoch in range(1, EPOCHS + 1):
    order = list(range(len(true_windows)))
    rng.shuffle(order)
    epoch_loss = 0.0
    for k in order:
        window = true_windows[k]
        corrupt_window = corrupt(window, rng.choice(fillers))
        J = max_margin(score(window), score(corrupt_window))  # max(1 + s_c − s, 0)
        epoch_loss += J.data
        if J.data > 0:  # J = 0: no update is necessary (note 002 §5)
            optimizer.zero_grad()
            J.backward()
            optimizer.step()
    if epoch in (1, 2, 5, 10, 20, EPOCHS):
        print(f"    epoch {epoch:>3}: mean J = {epoch_loss / len(true_windows):.4f}")

wins, total = ranking_accuracy(true_windows)
print(f"\n  after training: s > s_c for {wins}/{total} pairs ({wins / total:.1%})")
assert wins / total >= 0.9, "true windows should outscore corrupted ones after training"
held_wins, held_total = ranking_accuracy(held_out_windows)
print(f"  held-out sentences: s > s_c for {held_wins}/{held_total} pairs ({held_wins / held_total:.1%})")
# Every corruption changes only the centre word, so what the network mostly learns is which
# word vectors mark a location: known locations in new contexts are still recognised.
assert held_wins / held_total >= 0.9

example = true_windows[0]
print(f"  e.g. s({' '.join(example)!r}) = {score(example).data:+.3f}")
for centre in ("museums", "amazing", "the"):
    window = corrupt(example, centre)
    print(f"       s({' '.join(window)!r}) = {score(window).data:+.3f}")

# --------------------------------------------------------------------------- δ check
print("\nNote 002 §5: ∂s/∂W⁽¹⁾ᵢⱼ = δ⁽²⁾ᵢ·a⁽¹⁾ⱼ with δ⁽²⁾ᵢ = Uᵢ·aᵢ(1 − aᵢ) and a⁽¹⁾ = x, the input")
for p in parameters:
    p.grad = 0.0
x = [v.data for v in window_input(example)]
s = score(example)
s.backward()  # now W[i][j].grad = ∂s/∂Wᵢⱼ, computed by the engine
# The forward pass again, on plain floats: zᵢ = Σⱼ Wᵢⱼxⱼ + bᵢ, aᵢ = σ(zᵢ)
z = [sum(W[i][j].data * x[j] for j in range(len(x))) + b[i].data for i in range(HIDDEN)]
a = [1.0 / (1.0 + math.exp(-zi)) for zi in z]
delta = [U[i].data * a[i] * (1.0 - a[i]) for i in range(HIDDEN)]  # δ⁽²⁾ᵢ = Uᵢ·σ'(zᵢ), by hand
print("  (i, j counted from 1 as in the note; (1, 4) is its worked example W⁽¹⁾₁₄)")
print("     i   j    engine ∂s/∂Wᵢⱼ    δᵢ·xⱼ by hand")
for i, j in [(0, 0), (0, 3), (2, 7), (5, 12), (7, 19)]:  # Python counts from 0
    print(f"    {i + 1:>2}  {j + 1:>2}   {W[i][j].grad:+.12f}   {delta[i] * x[j]:+.12f}")
worst = max(abs(W[i][j].grad - delta[i] * x[j]) for i in range(HIDDEN) for j in range(len(x)))
worst_b = max(abs(b[i].grad - delta[i]) for i in range(HIDDEN))  # §5.3: ∂s/∂bᵢ = δᵢ
worst_delta = max(abs(hidden.neurons[i].delta - delta[i]) for i in range(HIDDEN))  # the engine's δ = ∂s/∂zᵢ
print(
    f"  δ·a check: all {HIDDEN * len(x)} entries of ∂s/∂W⁽¹⁾ equal δ⁽²⁾ᵢ·a⁽¹⁾ⱼ "
    f"(max |difference| {worst:.1e} ≤ 1e-12)"
)
print(
    f"  bias check: ∂s/∂bᵢ = δᵢ for all {HIDDEN} units (max |difference| {worst_b:.1e}); "
    f"engine's neuron.delta matches δᵢ (max |difference| {worst_delta:.1e})"
)
assert worst <= 1e-12 and worst_b <= 1e-12 and worst_delta <= 1e-12
