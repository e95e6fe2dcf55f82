"""Greedy layer-wise pre-training: a deep network whose hidden layers start as stacked autoencoders.

A deep network is hard to initialise well as a whole. The idea of the intro lecture is to
initialise it layer by layer, each layer keeping what the layer below it knew: train an
autoencoder x → h⁽¹⁾ → x̂ on the data and keep its encoder as the first layer; train a
second autoencoder h⁽¹⁾ → h⁽²⁾ → ĥ⁽¹⁾ on the codes of the first, keep its encoder as the
second layer; and so on. Stacked, the encoders are the network's hidden layers; an output
layer on top, and the whole network is then trained on the labels as usual (fine-tuning).
Every autoencoder is trained by :func:`fit` on targets equal to its inputs, with the mean
squared error: no new machinery.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional, Sequence, Union

from ..checks import RandomLike, flag, function, integer, random_source, type_error, value_error
from ..init import Initializer, initializer
from ..modes import no_grad
from ..nn import MLP, Autoencoder, Layer
from ..nn.activations import ACTIVATION_NAMES, Activation, activation_name
from ..nn.layers import MAX_SIZE
from .arguments import OptimizerLike, Rows, check_optimizer, checked_samples, is_sequence
from .history import History
from .options import FitOptions, checked_options, prepare
from .training import Training

__all__ = ["Pretrained", "pretrain_layerwise"]

WHERE = "pretrain_layerwise"


class Pretrained(NamedTuple):
    """What :func:`pretrain_layerwise` returns: the network, and how each layer was pre-trained."""

    model: MLP  #: the network; its hidden layers are the autoencoders' encoders, trained
    autoencoders: list[Autoencoder]  #: one per hidden layer; ``autoencoders[k].encoder is model.layers[k]``
    histories: list[History]  #: each autoencoder's fit: its reconstruction error per epoch


def pretrain_layerwise(
    nin: int,
    nouts: Sequence[int],
    X: Rows,
    *,  # (the model's keywords are MLP's, deliberately: it is the MLP they build)
    activation: Activation = "sigmoid",
    output_activation: Activation = "linear",
    decoder_activation: Activation = "linear",
    init: Union[str, Initializer] = "auto",
    bias: bool = True,
    epochs: int = 100,
    batch_size: Optional[int] = None,
    make_optimizer: Optional[Callable[[Autoencoder], OptimizerLike]] = None,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
    options: Optional[FitOptions] = None,
) -> Pretrained:
    """An ``MLP(nin, nouts, activation, output_activation)`` whose hidden layers are pre-trained,
    greedily and one at a time, as the encoders of stacked autoencoders on the inputs ``X``
    (no labels): returns ``Pretrained(model, autoencoders, histories)``.

    The network starts exactly as ``MLP(nin, nouts, activation, output_activation, init=init,
    seed=seed)`` would. Then, for each hidden layer k = 1, …, L − 1 in turn, with h⁽⁰⁾ = x:

    - layer k is the encoder of an :class:`Autoencoder` whose decoder is a new layer back to
      the size of h⁽ᵏ⁻¹⁾ (``decoder_activation``, linear by default);
    - that autoencoder is trained by :func:`fit` on the codes h⁽ᵏ⁻¹⁾ of the samples, with
      themselves as targets: it minimises the mean squared reconstruction error
      (1/(Nn))·Σ_q ‖ĥ_q⁽ᵏ⁻¹⁾ − h_q⁽ᵏ⁻¹⁾‖² over the encoder's and decoder's weights;
    - the trained layer k gives the codes h⁽ᵏ⁾ = θ(W⁽ᵏ⁾h⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾) the next autoencoder learns.

    The output layer is left as drawn: train the whole model on the labels next (fine-tuning).
    Each encoder *is* the model's layer (``autoencoders[k].encoder is model.layers[k]``), so
    fine-tuning the model also changes the autoencoders.

    ``epochs``, ``batch_size`` and ``options`` (a :class:`FitOptions`: ``lr``, ``input_noise``
    for denoising autoencoders, ``penalty``, ``verbose``, …; its ``rng`` and ``scheduler``
    must be None) go to every autoencoder's fit; ``make_optimizer(autoencoder)`` builds each
    one's optimizer (default plain SGD with ``options.lr``). ``seed`` or ``rng`` draws the
    model, then the decoders, then a seed for each fit. Every argument is checked, every
    autoencoder and optimizer built, before the first one trains; an error names
    pretrain_layerwise.

    >>> X = [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    >>> model, autoencoders, histories = pretrain_layerwise(
    ...     3, [2, 2, 1], X, epochs=50, seed=0, options=FitOptions(lr=0.5, verbose=False))
    >>> model
    MLP(3, [2, 2, 1], activation='sigmoid', output_activation='linear')
    >>> [ae.encoder is layer for ae, layer in zip(autoencoders, model.layers)]
    [True, True]
    >>> all(h.train_loss[-1] < h.train_loss[0] for h in histories)  # the reconstruction errors fell
    True
    """
    sizes, rows = _checked_shape(nin, nouts, X)
    act = _activation_of(activation, "activation")
    out_act = _activation_of(output_activation, "output_activation")
    dec_act = _activation_of(decoder_activation, "decoder_activation")
    initializer(init, act, WHERE)
    bias = flag(bias, WHERE, "bias")
    gen = random_source(seed, rng, WHERE)
    if make_optimizer is not None:
        function(make_optimizer, WHERE, "make_optimizer", "None or a function autoencoder -> optimizer")
    opts = _checked_options(options)
    model = MLP(sizes[0], sizes[1:], act, out_act, init=init, bias=bias, rng=gen)  # as MLP(..., seed=seed)
    autoencoders = [
        Autoencoder(layer, Layer(layer.nout, layer.nin, dec_act, init=init, bias=bias, rng=gen))
        for layer in model.layers[:-1]
    ]
    optimizers = [_optimizer_of(ae, make_optimizer, k) for k, ae in enumerate(autoencoders)]
    fit_seeds = [int(gen.random() * 2**31) for _ in autoencoders]
    histories: list[History] = []
    codes = rows  # h⁽⁰⁾ = x
    for k, ae in enumerate(autoencoders):
        if k > 0:
            codes = _codes(autoencoders[k - 1], codes)  # h⁽ᵏ⁾ of every sample, as plain numbers
        # the first prepare checks every argument and option, before anything trains
        label = f"{WHERE}, layer {k + 1} of {len(autoencoders)}"
        plan = prepare(
            WHERE,
            ae,
            codes,
            codes,
            "mse",
            optimizers[k],
            epochs,
            batch_size,
            fit_seeds[k],
            options=opts,
            label=label,
        )
        histories.append(Training(plan).run())
        if histories[-1].interrupted:  # Ctrl-C: the layers pre-trained so far, the others as drawn
            break
    return Pretrained(model, autoencoders, histories)


def _checked_shape(nin: Any, nouts: Any, X: Any) -> tuple[list[int], list[list[float]]]:
    """[nin, *nouts], with at least one hidden layer, and X as rows of nin numbers."""
    nin = integer(nin, WHERE, "nin", low=1, high=MAX_SIZE)
    expected = "a list of layer sizes: the hidden layers, then the output layer"
    if not is_sequence(nouts):
        type_error(WHERE, "nouts", expected, nouts)
    if len(nouts) < 2:
        value_error(WHERE, "nouts", expected + " (at least one hidden layer to pre-train)", nouts)
    sizes = [nin, *(integer(n, WHERE, f"nouts[{i}]", low=1, high=MAX_SIZE) for i, n in enumerate(nouts))]
    rows, _ = checked_samples(X, X, WHERE, "X", "X")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != nin:
            value_error(WHERE, f"X[{i}]", f"a list of {nin} numbers (nin)", X[i])
    return sizes, rows


def _activation_of(a: Any, arg: str) -> Activation:
    """A hidden, output or decoder activation: a name the layers know, or a function of a Value."""
    if isinstance(a, str) and a not in ACTIVATION_NAMES:
        value_error(WHERE, arg, f"one of {', '.join(ACTIVATION_NAMES)}, or a function", a)
    if not isinstance(a, str) and not callable(a):
        type_error(WHERE, arg, "a name or a function", a)
    return activation_name(a, None, WHERE)


def _checked_options(options: Any) -> FitOptions:
    """fit's options, which every autoencoder's fit shares: one generator and one schedule can't be."""
    opts = checked_options(options, WHERE)
    if opts.rng is not None:  # each fit gets a seed drawn from pretrain_layerwise's own generator
        value_error(WHERE, "options.rng", "None (give pretrain_layerwise's own seed= or rng=)", opts.rng)
    if opts.scheduler is not None:  # a scheduler steps one optimizer, and each autoencoder has its own
        value_error(
            WHERE, "options.scheduler", "None (each autoencoder has an optimizer of its own)", opts.scheduler
        )
    return opts


def _optimizer_of(ae: Autoencoder, make_optimizer: Any, k: int) -> Optional[OptimizerLike]:
    """The optimizer of the k-th autoencoder: make_optimizer(ae), checked, or None for fit's default."""
    if make_optimizer is None:
        return None
    opt = make_optimizer(ae)
    check_optimizer(opt, WHERE, f"make_optimizer(autoencoders[{k}])", ae.parameters())
    return opt  # type: ignore[no-any-return]


def _codes(ae: Autoencoder, rows: list[list[float]]) -> list[list[float]]:
    """The codes h = encode(x) of every row, as numbers: the next autoencoder's data."""
    with no_grad():
        return [[h.data for h in ae.encode(x)] for x in rows]
