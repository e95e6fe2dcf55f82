"""Weight initialisers: how a neuron's first weights are drawn, by name.

Each initialiser draws one weight given the layer's fan-in m (inputs per
neuron) and fan-out n (neurons in the layer): Xavier's W ~ U(−√(6/(m+n)),
+√(6/(m+n))) keeps a sigmoid or tanh layer's activations and gradients at the
same scale going forward and back; He's W ~ N(0, 2/m) does the same for ReLU,
which zeroes half of its inputs. The bias starts at 0.

>>> import random
>>> from tinygrad_edu.init import INITIALIZERS
>>> w = INITIALIZERS["xavier"](2, 2, random.Random(0))   # |w| ≤ √(6/4)
>>> abs(w) <= (6 / 4) ** 0.5
True
"""

from __future__ import annotations

import math
from typing import Any, Callable, Union

from .checks import RandomLike, type_error, value_error

__all__ = ["INITIALIZERS", "RELU_FAMILY", "Initializer"]

RELU_FAMILY = {"relu", "leaky_relu", "prelu", "elu"}  #: the activations "auto" gives He's init

Initializer = Callable[[int, int, RandomLike], float]  # (fan_in, fan_out, rng) -> one weight

#: Weight initialisers by name; each draws one weight given the layer's fan-in and fan-out.
INITIALIZERS: dict[str, Initializer] = {
    # normalized (Glorot/Xavier) init, W ~ U(−√(6/(m+n)), +√(6/(m+n))), for sigmoid/tanh
    "xavier": lambda m, n, rng: rng.uniform(-math.sqrt(6.0 / (m + n)), math.sqrt(6.0 / (m + n))),
    # He init for ReLU: W ~ N(0, 2/m)
    "he": lambda m, n, rng: rng.gauss(0.0, math.sqrt(2.0 / m)),
    # small random normal, W ~ N(0, 0.01²)
    "normal": lambda m, n, rng: rng.gauss(0.0, 0.01),
    # micrograd's W ~ U(−1, 1)
    "uniform": lambda m, n, rng: rng.uniform(-1.0, 1.0),
    # all zeros: every neuron of a layer stays identical (the symmetry problem)
    "zeros": lambda m, n, rng: 0.0,
}


def initializer(init: Union[str, Initializer], activation: Any, where: str) -> Initializer:
    """The initialiser ``init`` names (or ``init`` itself, a function), for a neuron with this
    activation: ``"auto"`` is He for the ReLU family and Xavier otherwise."""
    if isinstance(init, str) and init == "auto":  # He for the ReLU family, Xavier otherwise
        init = "he" if activation in RELU_FAMILY else "xavier"
    if isinstance(init, str):
        if init not in INITIALIZERS:
            value_error(where, "init", f"one of {', '.join(['auto', *INITIALIZERS])}, or a function", init)
        return INITIALIZERS[init]
    if not callable(init):
        type_error(where, "init", "a name or a function", init)
    return init


def draw_weight(draw: Initializer, fan_in: int, fan_out: int, rng: RandomLike) -> float:
    """One weight from ``draw``, checked: an initialiser of your own must give a finite number."""
    w = draw(fan_in, fan_out, rng)
    if not isinstance(w, (int, float)) or not math.isfinite(w):
        value_error("init", "an initializer's weight", "a finite number", w)
    return float(w)
