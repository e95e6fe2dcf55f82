"""Autoencoder pre-training: a deep sigmoid network initialised by stacked autoencoders, against
the same network randomly initialised, trained the same way on the same data (notes 004).

The intro lecture's "learning the initialization, e.g. autoencoder": a deep network is hard to
initialise well as a whole, so initialise it layer by layer, each layer keeping what the layer
below it knew. ``train.pretrain_layerwise`` does it greedily, without labels:

1. an autoencoder x → h⁽¹⁾ = σ(W⁽¹⁾x + b⁽¹⁾) → x̂ = V⁽¹⁾h⁽¹⁾ + c⁽¹⁾ is trained by ``fit`` to give
   the (standardised) flower measurements back, minimising (1/(Nn))·Σ‖x̂ − x‖²; its encoder
   becomes the network's first layer;
2. a second autoencoder learns to give back the codes h⁽¹⁾ of the first, h⁽¹⁾ → h⁽²⁾ → ĥ⁽¹⁾;
   its encoder becomes the second layer; and so on up the stack;
3. a softmax output layer goes on top and the whole network is trained on the labels
   (fine-tuning), exactly as the randomly initialised one is.

The data are Iris (a stratified 70/30 split, standardised with the training set's statistics);
the network has 5 hidden layers of 8 sigmoid units (4 with ``--quick``); both networks start from
the same Xavier draw (``MLP(..., seed=SEED)``: pre-training then replaces the hidden layers) and
are fine-tuned by the same mini-batch SGD (lr 0.5, batches of 10, the same shuffles) for the same
epochs. Each autoencoder is trained with Adam, on mini-batches of 10.

What the script asserts:

- every autoencoder reconstructs its input better than before training, and better than the
  best constant (the mean of its data: error = the data's variance);
- the randomly initialised network is still on the plateau of the cross-entropy at ln 3 ≈ 1.10
  (it answers the same for every flower: the vanishing gradient of a deep sigmoid network) when
  the pre-trained one has left it: its final training loss is below 0.6 × the random one's, and
  its test accuracy at least 25 points higher;
- why: each sigmoid layer shrinks the spread of its inputs — σ'(z) ≤ 1/4, and Xavier's weights
  keep Σⱼwⱼ²·Var ≈ Var — so a random stack's top layer gives nearly the same output for every
  flower; the pre-trained layers were each taught to keep what tells their inputs apart, and
  the top layer's outputs vary several times more across the training flowers.

An honest note. This is the historical recipe (2006–2010), and it helps here because the setting
is the one it was made for: a deep sigmoid network, little data, plain SGD. The random network is
not stuck for ever: with the full settings it leaves the plateau after some 50–90 epochs (49 and
91 with the seeds 1 and 0) and then catches up, so pre-training buys the early epochs, at the
price of training the autoencoders first (the times are printed). Nor do the autoencoders undo
the shrinking: the spread still falls, by about ×2 per layer instead of ×4, and the higher
autoencoders, whose data vary less, reconstruct less of it (the printed fractions of variance).
ReLU with He initialisation, and batch normalisation, avoid the plateau without pre-training,
which is why it is rarely used for this today. With the seeds 0–4 (``--seed``) every assertion
above holds, in both modes.

Run: python examples/autoencoder_pretraining.py [--out DIR] [--quick] [--seed N]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from tinygrad_edu.data import Standardizer, load_iris, train_test_split
from tinygrad_edu.modes import no_grad
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import Adam
from tinygrad_edu.train import ACCURACY, FitOptions, History, evaluate, fit, pretrain_layerwise
from tinygrad_edu.train.pretraining import Pretrained

DEFAULT_OUT = Path("tinygrad_edu_out/examples")
SEED = 0
WIDTH, BATCH = 8, 10  # hidden units per layer; mini-batch size, for the autoencoders and fine-tuning
AE_LR, LR = 0.02, 0.5  # Adam's step for the autoencoders; SGD's for fine-tuning
PLATEAU = math.log(3)  # the cross-entropy of answering 1/3 for each of the three species


@dataclass(frozen=True)
class Setting:
    depth: int  # hidden layers
    ae_epochs: int  # epochs of each autoencoder
    epochs: int  # epochs of fine-tuning


FULL = Setting(depth=5, ae_epochs=20, epochs=30)
QUICK = Setting(depth=4, ae_epochs=8, epochs=15)
Rows = list[list[float]]


def load(seed: int = SEED) -> tuple[Rows, Rows, list[int], list[int]]:
    """Iris, split 70/30 with the species in proportion, standardised with the training set's μ and σ."""
    X, y, _ = load_iris()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=True, seed=seed)
    scaler = Standardizer().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def sizes(setting: Setting) -> list[int]:
    return [WIDTH] * setting.depth + [3]  # 3 logits, for softmax cross-entropy


def pretrain(setting: Setting, X: Rows, seed: int = SEED) -> Pretrained:
    """The network MLP(4, sizes, "sigmoid", seed=seed) with its hidden layers pre-trained as autoencoders."""
    return pretrain_layerwise(
        4,
        sizes(setting),
        X,  # the inputs only: no labels
        activation="sigmoid",
        epochs=setting.ae_epochs,
        batch_size=BATCH,
        make_optimizer=lambda ae: Adam(ae.parameters(), lr=AE_LR),
        seed=seed,
        options=FitOptions(verbose=False),
    )


def fine_tune(model: MLP, X: Rows, y: list[int], epochs: int, seed: int = SEED) -> History:
    """The same training for both networks: softmax cross-entropy, mini-batch SGD, the same shuffles."""
    return fit(
        model,
        X,
        y,
        loss="cross_entropy",
        epochs=epochs,
        batch_size=BATCH,
        seed=seed,
        options=FitOptions(lr=LR, verbose=False),
    )


def variance(rows: Rows) -> float:
    """The mean over the features of each one's variance: the error of reconstructing by the mean."""
    return statistics.fmean(statistics.pvariance(column) for column in zip(*rows))


def hidden_outputs(model: MLP, X: Rows) -> list[Rows]:
    """Each hidden layer's outputs for every sample: [layer][sample][unit]."""
    per_layer: list[Rows] = [[] for _ in model.layers[:-1]]
    with no_grad():
        for x in X:
            a: list[float] = x
            for k, layer in enumerate(model.layers[:-1]):
                out = layer(a)
                a = [v.data for v in (out if isinstance(out, list) else [out])]
                per_layer[k].append(a)
    return per_layer


def spreads(model: MLP, X: Rows) -> list[float]:
    """Per hidden layer, how much its outputs vary across the samples: the mean over its units of
    their standard deviation. Near 0, the layer says the same for every sample."""
    return [statistics.fmean(statistics.pstdev(u) for u in zip(*rows)) for rows in hidden_outputs(model, X)]


def reconstruction(pretrained: Pretrained, X: Rows) -> list[tuple[float, float, float]]:
    """Per autoencoder: (its error in its first epoch, its error after training, the variance of its data)."""
    found = []
    codes = X
    for ae, history in zip(pretrained.autoencoders, pretrained.histories):
        after, _ = evaluate(ae, codes, codes, loss="mse")
        found.append((history.train_loss[0], after, variance(codes)))
        with no_grad():
            codes = [[h.data for h in ae.encode(x)] for x in codes]
    return found


def first_below(losses: Sequence[float], level: float) -> Optional[int]:
    return next((epoch for epoch, loss in enumerate(losses, start=1) if loss < level), None)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for plots (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--quick", action="store_true", help="4 hidden layers and fewer epochs (a few seconds)"
    )
    parser.add_argument(
        "--seed", type=int, default=SEED, help=f"the split's, the weights' and the shuffles' (default {SEED})"
    )
    args = parser.parse_args(argv)
    setting, seed = (QUICK if args.quick else FULL), args.seed

    X_train, X_test, y_train, y_test = load(seed)
    print(f"Iris: {len(X_train)} training and {len(X_test)} test flowers, standardised")
    print(f"network: MLP(4, {sizes(setting)}), sigmoid hidden layers, softmax cross-entropy on the logits\n")

    started = time.perf_counter()
    pretrained = pretrain(setting, X_train, seed)
    pretraining_seconds = time.perf_counter() - started
    print(
        f"pre-training: {setting.depth} autoencoders, {setting.ae_epochs} epochs each (Adam, lr {AE_LR}), ",
        end="",
    )
    print(f"{pretraining_seconds:.1f} s")
    errors = reconstruction(pretrained, X_train)
    for k, (first, after, var) in enumerate(errors, start=1):
        print(
            f"  layer {k}: reconstruction error {first:.4f} in epoch 1 -> {after:.4f} after, "
            f"{after / var:.3f} of its data's variance {var:.4f}"
        )
        assert after < first, f"layer {k}: the autoencoder did not learn"
        assert after < var, f"layer {k}: no better than reconstructing by the mean"

    models = {"pre-trained": pretrained.model, "random init": MLP(4, sizes(setting), "sigmoid", seed=seed)}
    spread = {name: spreads(model, X_train) for name, model in models.items()}
    print("\nspread of each hidden layer's outputs over the training flowers (mean std of its units):")
    for name, values in spread.items():
        print(f"  {name:<12} " + "  ".join(f"{v:.1e}" for v in values))
    top = {name: values[-1] for name, values in spread.items()}
    ratio = top["pre-trained"] / top["random init"]
    print(f"  the top hidden layer varies {ratio:.1f}x more when pre-trained")
    assert ratio > 3, "the pre-trained top layer should tell the flowers apart better than the random one"

    print(f"\nfine-tuning both the same way: SGD lr {LR}, batches of {BATCH}, {setting.epochs} epochs")
    histories, accuracy, seconds = {}, {}, {}
    for name, model in models.items():
        started = time.perf_counter()
        histories[name] = fine_tune(model, X_train, y_train, setting.epochs, seed)
        seconds[name] = time.perf_counter() - started
        _, accuracy[name] = evaluate(
            model, X_test, y_test, loss="cross_entropy", correct=ACCURACY["cross_entropy"]
        )
    marks = sorted({1, setting.epochs // 4, setting.epochs // 2, 3 * setting.epochs // 4, setting.epochs})
    print("  training loss at epoch " + ", ".join(map(str, marks)) + f"  (ln 3 = {PLATEAU:.3f}: the plateau)")
    for name, history in histories.items():
        losses = "  ".join(f"{history.train_loss[e - 1]:.3f}" for e in marks)
        below = first_below(history.train_loss, 0.9)
        left = f"below 0.9 from epoch {below}" if below is not None else "never below 0.9"
        test = accuracy[name] or 0.0
        print(
            f"  {name:<12} {losses}   ({left}); train accuracy {history.train_accuracy[-1]:.0%}, "
            f"test accuracy {test:.0%}; {seconds[name]:.1f} s"
        )
    pre, rnd = histories["pre-trained"].train_loss[-1], histories["random init"].train_loss[-1]
    assert rnd > 0.9 * PLATEAU, "the random network should still be on the plateau"
    assert pre < 0.6 * rnd, "the pre-trained network should have left the plateau"
    assert (accuracy["pre-trained"] or 0.0) >= (accuracy["random init"] or 0.0) + 0.25
    print(f"pre-trained: final training loss {pre:.3f} < 0.6 x random init's {rnd:.3f}")

    draw(args.out, {k: h.train_loss for k, h in histories.items()}, spread)
    return 0


def draw(out: Path, losses: dict[str, list[float]], spread: dict[str, list[float]]) -> None:
    """The two fine-tuning curves, and the hidden layers' spreads (log scale)."""
    from tinygrad_edu.viz import plot

    if not plot.available():
        print(f"\n(no plots: {plot.INSTALL_HINT})")
        return
    out.mkdir(parents=True, exist_ok=True)
    written = [
        plot.lines(
            losses,
            out / f"autoencoder_pretraining_loss.{suffix}",
            title="fine-tuning: pre-trained vs random initialisation",
            xlabel="epoch",
            ylabel="training cross-entropy",
            markers=False,
        )
        for suffix in ("png", "svg")
    ]
    layers = len(next(iter(spread.values())))
    written.append(
        plot.lines(
            spread,
            out / "autoencoder_pretraining_spread.png",
            title="spread of each hidden layer's outputs, before fine-tuning",
            xlabel="hidden layer",
            ylabel="mean std of its units",
            log_y=True,
            xticks=[str(k + 1) for k in range(layers)],
        )
    )
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
