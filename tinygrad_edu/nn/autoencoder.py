"""An autoencoder made of two existing layers: an encoder x → h and a decoder h → x̂.

Trained to give its input back (the target of x is x itself, the loss the squared
error ‖x̂ − x‖²), its hidden layer has to keep what distinguishes the samples: with
fewer hidden units than inputs, a compressed code of them. Its encoder then makes a
good starting point for one layer of a deep network — the layer-wise pre-training
of :func:`tinygrad_edu.train.pretrain_layerwise`.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..checks import as_float, instance, type_error, value_error
from ..engine import Value, ValueLike
from .layers import Layer
from .module import PerSample

__all__ = ["Autoencoder"]


class Autoencoder(PerSample):
    """x ↦ x̂ = decoder(encoder(x)), for an ``encoder`` Layer of n inputs and h outputs and a
    ``decoder`` Layer of h inputs and n outputs:

        h = θ(W⁽¹⁾x + b⁽¹⁾),   x̂ = θ_out(W⁽²⁾h + b⁽²⁾)

    Nothing new is computed here: backprop runs through the two layers as through any
    two-layer MLP, and training it with ``fit(ae, X, X, loss="mse")`` minimises the mean
    squared reconstruction error (1/(Nn))·Σ_q ‖x̂_q − x_q‖². ``encode(x)`` gives the code h.

    Its parameters are the encoder's, then the decoder's (``encoder.neurons.0.w.0``, …);
    ``config()`` is ``{"encoder": encoder.config(), "decoder": decoder.config()}``.

    >>> from tinygrad_edu.nn import Layer
    >>> ae = Autoencoder(Layer(4, 2, "sigmoid", seed=0), Layer(2, 4, "linear", seed=1))
    >>> len(ae([1.0, 0.0, -1.0, 0.5])), len(ae.encode([1.0, 0.0, -1.0, 0.5]))
    (4, 2)
    >>> ae.config()["encoder"]
    {'nin': 4, 'nout': 2, 'activation': 'sigmoid', 'bias': True}
    """

    def __init__(self, encoder: Layer, decoder: Layer) -> None:
        where = "Autoencoder"
        instance(encoder, where, "encoder", Layer, "a Layer (x -> h)")
        instance(decoder, where, "decoder", Layer, "a Layer (h -> x̂)")
        if decoder is encoder:
            value_error(where, "decoder", "a Layer other than the encoder", decoder)
        if decoder.nin != encoder.nout:
            raise ValueError(
                f"{where}: the decoder takes {decoder.nin} inputs but the encoder gives {encoder.nout} codes"
            )
        if decoder.nout != encoder.nin:
            raise ValueError(
                f"{where}: the decoder gives {decoder.nout} outputs but the encoder takes {encoder.nin} "
                "inputs (x̂ must be the size of x)"
            )
        self.encoder = encoder
        self.decoder = decoder
        self._config = {"encoder": encoder.config(), "decoder": decoder.config()}

    @property
    def nin(self) -> int:
        """n, the size of x (and of x̂)."""
        return self.encoder.nin

    @property
    def nhidden(self) -> int:
        """h, the size of the code."""
        return self.encoder.nout

    def encode(self, x: Sequence[ValueLike]) -> list[Value]:
        """The code h = θ(W⁽¹⁾x + b⁽¹⁾) of x: a list of h Values (even when h = 1)."""
        return _listed(self.encoder(self._checked(x)))

    def forward(self, x: Sequence[ValueLike]) -> list[Value]:
        """The reconstruction x̂ = decoder(encoder(x)): a list of n Values (even when n = 1)."""
        return _listed(self.decoder(self.encode(x)))

    def _checked(self, x: Any) -> list[Any]:
        """x as n inputs, each a Value or a real number: a bad x is the autoencoder's error."""
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            type_error("Autoencoder", "x", f"a sequence of {self.nin} inputs", x)
        if len(x) != self.nin:
            value_error("Autoencoder", "x", f"a sequence of {self.nin} inputs", x)
        return [
            xi if isinstance(xi, Value) else as_float(xi, "Autoencoder", f"x[{i}]") for i, xi in enumerate(x)
        ]

    def config(self) -> dict[str, Any]:
        """``{"encoder": ..., "decoder": ...}``: the two layers' configurations (fresh copies)."""
        return {name: dict(part) for name, part in super().config().items()}

    def __repr__(self) -> str:
        return f"Autoencoder({self.encoder!r}, {self.decoder!r})"


def _listed(out: Any) -> list[Value]:
    """A layer's output as a list: a layer of one neuron gives a lone Value."""
    return [out] if isinstance(out, Value) else list(out)
