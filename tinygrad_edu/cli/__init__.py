"""The command line: ``python -m tinygrad_edu draw EXPRESSION --set NAME=NUMBER ...`` and ``... demo``.

``draw`` builds an expression's graph from labelled leaf Values, runs
``backward()``, prints the result and each variable's value and gradient, and
draws the graph with :func:`tinygrad_edu.viz.render`::

    $ python -m tinygrad_edu draw "tanh(x1*w1 + x2*w2 + b)" --set x1=2 w1=-3 x2=0 w2=1 b=6.88 -o neuron.svg

``demo`` trains micrograd's moons network and writes its pictures.

- :mod:`~tinygrad_edu.cli.expressions`: the safe expression parser,
  :func:`parse_expression`, which checks Python's ``ast`` of the text against a
  whitelist and builds the graph itself (nothing is ever evaluated);
- :mod:`~tinygrad_edu.cli.commands`: the argument parser, the ``draw`` and
  ``demo`` commands, and :func:`main` (the ``tinygrad-edu`` console script);
- :mod:`~tinygrad_edu.cli.demo`: the main demo, importable (``train_moons``,
  ``run``, ...).

Exit status: 0 on success, 2 for a usage error (a bad expression or
``--set``), 1 when drawing fails.
"""

from .commands import build_parser, main
from .expressions import FUNCTIONS, MAX_DEPTH, MAX_LENGTH, ExpressionError, Function, parse_expression

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "ExpressionError",
    "Function",
    "build_parser",
    "main",
    "parse_expression",
]
