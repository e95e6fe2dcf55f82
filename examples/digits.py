"""Real handwritten digits: an MLP with softmax cross-entropy reads 8×8 images, ≥ 95% on held-out ones.

The data are 1,797 digits written by 13 people (the UCI "Optical Recognition of
Handwritten Digits" set by E. Alpaydin and C. Kaynak, 1998, CC BY 4.0; it ships
with the package, see ``tinygrad_edu.data.load_digits``). Each image is 8×8 blocks,
each block counting the ink pixels of 4×4, a grey level 0..16.

1. **Split first**: a stratified split keeps each digit's share in both parts:
   447 images (about a quarter) are held out and never trained on, which leaves
   1,350 to train on, 27 full mini-batches of 50 (so one traced graph serves them all).
2. **Scale** x ↦ x/16, so every pixel is in [0, 1]: a fixed scale, nothing is
   fitted on the data, so nothing leaks from the test set.
3. **Model**: 64 pixels → 32 ReLU units → 10 logits z; class probabilities
   softmax(z), loss the cross-entropy −ln softmax(z)_true averaged over a
   mini-batch of 50, whose gradient with respect to the logits is softmax(z) − t
   (t the one-hot target). Adam, learning rate 0.01, 20 epochs.
4. **Traced**: every mini-batch step builds a graph of the same shape, so
   ``tinygrad_edu.trace`` records it once and replays it as one compiled function
   of floats: the same forward and backward, without making ~6,000 ``Value``
   objects per step (``--eager`` runs the same training the eager way, to compare).
5. **Evaluate once** on the held-out images; print and draw the confusion matrix.

The first layer's weights are drawn as 8×8 images: unit j computes w_j·x + b, and for
inputs of a given length w_j·x is largest when x points along w_j (Cauchy–Schwarz), so
its picture is the stroke pattern it looks for (red: ink there excites it, blue: ink
there inhibits it). The outermost columns stay speckled: their pixels are blank in 94–100%
of the images, and ∂e/∂w = x·δ = 0 where x = 0, so their weights keep their
random initial values.

Run: python examples/digits.py [--out DIR] [--quick] [--eager]
(``--quick``: 3 epochs, a smoke test that asserts 85%.) On a quiet 2-core machine the
full run trains in about 14 s traced (about 5 s of it tracing and compiling the step,
once, then about 0.5 s an epoch) and in about 34 s with ``--eager`` (1.7 s an epoch);
the script prints its own time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from tinygrad_edu import Value, no_grad, trace
from tinygrad_edu.data import batches, load_digits, one_hot, train_test_split
from tinygrad_edu.losses import argmax, cross_entropy
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import Adam
from tinygrad_edu.tracing import Traced
from tinygrad_edu.viz import plot

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
SEED = 0
TEST_SIZE = 447  # held-out images: 1,797 − 447 = 1,350 = 27 mini-batches of 50
HIDDEN = 32
BATCH = 50
LR = 0.01
EPOCHS, QUICK_EPOCHS = 20, 3
GOAL, QUICK_GOAL = 0.95, 0.85
Rows = list[list[float]]


def batch_loss(model: MLP) -> Callable[[Sequence[Sequence[Value]], Sequence[Sequence[Value]]], Value]:
    """The loss to trace: the mean cross-entropy of a mini-batch, targets as one-hot rows.

    A class index k would pick the logit −ln softmax(z)ₖ by Python indexing, which a trace
    freezes (the replay would always pick the traced batch's classes); a one-hot row t is
    numbers, so −Σᵢ tᵢ·ln softmax(z)ᵢ follows each call's labels. cross_entropy subtracts
    m = max z before exponentiating (softmax(z − m) = softmax(z)); that m is read from
    ``.data``, so the trace keeps the traced batch's m as a constant. Any constant gives
    the same softmax, so this is exact as long as no logit climbs ~700 above it (e⁷⁰⁹
    overflows); here they stay within ±30.
    """

    def loss(X: Sequence[Sequence[Value]], T: Sequence[Sequence[Value]]) -> Value:
        return cross_entropy([model(x) for x in X], T)

    return loss


def train(model: MLP, X: Rows, y: list[int], epochs: int, eager: bool) -> tuple[list[float], float]:
    """Adam on mini-batches, reshuffled every epoch; (mean loss per epoch, seconds spent tracing)."""
    optimizer = Adam(model.parameters(), lr=LR)
    loss = batch_loss(model)
    steps: dict[int, Traced] = {}  # one trace per batch size (a last, smaller batch would need its own)
    tracing = 0.0
    rng = random.Random(SEED)
    losses = []
    for epoch in range(1, epochs + 1):
        started, total, count = time.perf_counter(), 0.0, 0
        for xb, yb in batches(X, y, BATCH, rng=rng):
            model.zero_grad()
            if eager:
                step_loss = cross_entropy([model(x) for x in xb], yb)  # class indices, as usual
                step_loss.backward()
                value = step_loss.data
            else:
                targets = one_hot(yb, 10)
                if len(xb) not in steps:
                    t0 = time.perf_counter()
                    steps[len(xb)] = trace(loss, xb, targets)
                    tracing += time.perf_counter() - t0
                value = steps[len(xb)](xb, targets)  # forward + backward: p.grad += ∂J/∂p
            optimizer.step()
            total, count = total + value * len(xb), count + len(xb)
        losses.append(total / count)
        took = time.perf_counter() - started
        print(f"  epoch {epoch:>2}/{epochs}: mean loss {losses[-1]:.4f}  ({took:.2f} s)")
    for size, step in sorted(steps.items(), reverse=True):
        print(f"  traced step for batches of {size}: {step.nodes:,} nodes, {step.inputs:,} inputs")
    return losses, tracing


def predict(model: MLP, X: Rows) -> list[int]:
    """The class of the largest logit (= of the largest softmax probability), for each row."""
    with no_grad():
        return [argmax([z.data for z in model(x)]) for x in X]


def print_confusion(counts: list[list[int]]) -> None:
    print("\n  confusion matrix on the held-out images (rows: true digit, columns: predicted)")
    print("       " + "".join(f"{c:>5}" for c in range(10)))
    for c, row in enumerate(counts):
        print(f"    {c:>3}" + "".join(f"{n:>5}" if n else "    ." for n in row))


def draw(model: MLP, X_test: Rows, y_test: list[int], guesses: list[int], out: Path) -> list[Path]:
    """The first layer's weights as 8×8 images, the confusion matrix, and the digits it got wrong."""
    weights = [[w.data for w in neuron.w] for neuron in model.layers[0].neurons]
    written = [
        plot.image_grid(
            weights,
            out / f"digits_weights.{suffix}",
            titles=[f"unit {j + 1}" for j in range(len(weights))],
            columns=8,
            title="first layer: each hidden unit's 64 weights as an 8×8 image (red +, blue −)",
            signed=True,
        )
        for suffix in ("png", "svg")
    ]
    written += [
        plot.confusion_matrix(
            y_test, guesses, out / f"digits_confusion.{suffix}", classes=[str(c) for c in range(10)]
        )
        for suffix in ("png", "svg")
    ]
    wrong = [k for k, (t, g) in enumerate(zip(y_test, guesses)) if t != g][:24]
    if wrong:
        written.append(
            plot.image_grid(
                [X_test[k] for k in wrong],
                out / "digits_mistakes.png",
                titles=[f"{y_test[k]} read as {guesses[k]}" for k in wrong],
                columns=8,
                title="held-out digits the network got wrong",
            )
        )
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EPOCHS} epochs (a smoke test)")
    parser.add_argument("--eager", action="store_true", help="build every step's graph instead of tracing")
    args = parser.parse_args(argv)
    epochs, goal = (QUICK_EPOCHS, QUICK_GOAL) if args.quick else (EPOCHS, GOAL)

    X, y, names = load_digits()
    X = [[pixel / 16 for pixel in image] for image in X]  # grey levels 0..16 → [0, 1]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE, stratify=True, seed=SEED)
    print(f"digits: {len(X)} images of 8×8 = {len(X[0])} pixels, classes {', '.join(names)}")
    print(f"  stratified split: {len(X_train)} to train on, {len(X_test)} held out")
    model = MLP(64, [HIDDEN, 10], seed=SEED)  # ReLU hidden layer, 10 linear logits
    print(f"  model: MLP(64, [{HIDDEN}, 10]), {len(model.parameters()):,} parameters")
    how = "eager (a new graph every step)" if args.eager else "traced (one compiled graph per batch size)"
    print(f"  Adam lr {LR}, mini-batches of {BATCH}, {epochs} epochs, {how}\n")

    started = time.perf_counter()
    losses, tracing = train(model, X_train, y_train, epochs, args.eager)
    seconds = time.perf_counter() - started
    extra = f", of which {tracing:.1f} s tracing and compiling" if not args.eager else ""
    print(f"\n  training took {seconds:.1f} s ({seconds / epochs:.2f} s per epoch{extra})")
    assert losses[-1] < losses[0] / 3, "the loss falls"

    model.eval()
    guesses = predict(model, X_test)
    counts = plot.confusion_counts(y_test, guesses, num_classes=10)
    right = sum(counts[c][c] for c in range(10))
    accuracy = right / len(y_test)
    print_confusion(counts)
    print(f"\n  test accuracy: {accuracy:.3f} ({right}/{len(y_test)} held-out digits)")
    assert accuracy >= goal, f"expected at least {goal:.0%} test accuracy, got {accuracy:.3f}"

    if not plot.available():
        print(f"\n(no plots: {plot.INSTALL_HINT})")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for path in draw(model, X_test, y_test, guesses, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
