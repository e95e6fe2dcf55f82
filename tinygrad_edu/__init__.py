"""tinygrad_edu: a scalar reverse-mode autodiff engine for learning backpropagation.

>>> from tinygrad_edu import Value
>>> x = Value(3.0)
>>> y = x * x + 2 * x      # dy/dx = 2x + 2
>>> y.backward()
>>> x.grad
8.0
"""

import sys

from .autograd import all_gradients, grad, gradients, hessian, value_and_grad
from .engine import Value, backpropagate, dot, maximum, minimum, topological_order, total
from .modes import AnomalyError, detect_anomaly, is_grad_enabled, no_grad
from .tracing import Traced, trace

__version__ = "0.1.0"


def _show_values_in_notebooks() -> None:
    """In Jupyter (an IPython kernel), a cell ending in a Value shows its graph: see
    :func:`tinygrad_edu.viz.show_values_in_notebooks`. Anywhere else, nothing happens."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and hasattr(shell, "display_formatter"):
        from .viz import show_values_in_notebooks

        show_values_in_notebooks(shell)


_show_values_in_notebooks()

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
