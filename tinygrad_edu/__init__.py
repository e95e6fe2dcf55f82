"""tinygrad_edu: a scalar reverse-mode autodiff engine for learning backpropagation.

>>> from tinygrad_edu import Value
>>> x = Value(3.0)
>>> y = x * x + 2 * x      # dy/dx = 2x + 2
>>> y.backward()
>>> x.grad
8.0
"""

from .autograd import all_gradients, grad, gradients, hessian, value_and_grad
from .compile import Traced, trace
from .engine import Value, backpropagate, dot, maximum, minimum, topological_order, total
from .modes import AnomalyError, detect_anomaly, is_grad_enabled, no_grad

__version__ = "0.1.0"

__all__ = [
    "AnomalyError",
    "Traced",
    "Value",
    "all_gradients",
    "backpropagate",
    "detect_anomaly",
    "dot",
    "grad",
    "gradients",
    "hessian",
    "is_grad_enabled",
    "maximum",
    "minimum",
    "no_grad",
    "topological_order",
    "total",
    "trace",
    "value_and_grad",
]
