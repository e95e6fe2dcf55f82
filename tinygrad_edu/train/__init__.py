"""Training: ``fit`` a model by gradient descent, ``evaluate`` it, and ``bagging`` for ensembles.

One call trains online (``batch_size=1``), by mini-batches or on the full
batch (``batch_size=None``). A mini-batch of Q samples takes one step along the
*average* of the per-sample gradients, θ ← θ − α·(1/Q)·Σ_q ∇J(x_q, θ) (note
001), because the batch loss is the mean of the per-sample losses:

>>> from tinygrad_edu.nn import MLP
>>> from tinygrad_edu.optim import SGD
>>> X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]          # XOR
>>> model = MLP(2, [8, 1], activation="tanh", seed=3)
>>> history = fit(model, X, y, loss="bce_with_logits", optimizer=SGD(model.parameters(), lr=0.5),
...               epochs=300, seed=0, options=FitOptions(verbose=False))
>>> history.train_accuracy[-1]
1.0

fit takes the data, the loss, the optimizer, the number of epochs, the batch
size, a seed, validation data and callbacks; everything else is grouped in a
:class:`FitOptions` (sampling, regularisation, schedule and stopping,
reporting). The samples are reshuffled every epoch with a seedable generator.
Given ``validation=(X_val, y_val)``, every epoch also records the validation
loss and accuracy, and ``FitOptions(patience=k)`` stops once the validation
loss has not improved for k epochs, putting back the parameters of the best
epoch.

Every argument is checked, and the data tried on the model (and on a loss
given by name), before the first step: a bad one is a TypeError or ValueError
naming ``fit`` and the argument, with nothing trained. Training that diverges
stops at the first step whose loss is nan or ±inf, before that step touches
the parameters, and says so (``history.diverged``); Ctrl-C, or a
KeyboardInterrupt raised inside the loop, stops at the end of the current step
and returns the history so far (``history.interrupted``).

>>> import io, math
>>> model, out = MLP(1, [1], seed=0), io.StringIO()
>>> history = fit(model, [[1.0]], [0.0], epochs=500, options=FitOptions(lr=10.0, stream=out))  # ×(1 − 4α)
>>> history.diverged
Divergence(epoch=98, step=1, loss=inf, cause='loss')
>>> history.epochs, all(math.isfinite(p.data) for p in model.parameters())
(97, True)
>>> out.getvalue().count("\\n")
1

The modules: :mod:`.training` (fit and its loop), :mod:`.options` (FitOptions, and
every argument checked into a plan), :mod:`.arguments` (checks shared with evaluate
and bagging), :mod:`.scoring` (losses and accuracies by name), :mod:`.evaluation`
(evaluate), :mod:`.history` (History, Divergence), :mod:`.progress` (the progress
line, Ctrl-C) and :mod:`.ensemble` (bagging, Ensemble).
:mod:`.pretraining` has pretrain_layerwise: a deep network's hidden layers pre-trained
one at a time as stacked autoencoders, each trained by fit.
"""

from .ensemble import Ensemble, bagging
from .evaluation import evaluate
from .history import Divergence, History
from .options import FitOptions
from .pretraining import pretrain_layerwise
from .scoring import ACCURACY as ACCURACY  # not in __all__, but importable as before
from .scoring import LOSSES
from .training import fit

__all__ = [
    "LOSSES",
    "Divergence",
    "Ensemble",
    "FitOptions",
    "History",
    "bagging",
    "evaluate",
    "fit",
    "pretrain_layerwise",
]
