"""Tracing: record a function's graph once, then replay it as one compiled function of floats.

Eager backprop (:mod:`tinygrad_edu.engine`) makes a ``Value`` object for every
operation on every call, then sorts those objects and visits each one to push
gradients down. When the graph has the same shape on every call (a training
step of one network, on new data or with new weights) that bookkeeping is the
same every time. :func:`trace` does it once: it runs ``fn`` on example
arguments, records the graph, writes straight-line Python source for its
forward and backward pass, and compiles that with the builtin ``compile``.
Calling the result runs one function of float arithmetic: each node is a local
variable, each gradient δ another (``g_<name>``), each op's rule written out
inline. No ``Value`` is made, no graph walked or sorted, no rule called; only
the captured leaves (the parameters) are touched, their ``.data`` read at the
start and their ``.grad`` added to at the end. (``benchmarks/README.md`` has
the speeds.)

``traced.source`` is that function, meant to be read: it *is* what backprop
executes, δₛ = Σₜ ∂t/∂s · δₜ over the consumers t of s, written out edge by edge.

>>> from tinygrad_edu.nn import Neuron
>>> neuron = Neuron(2, activation="tanh", seed=0)
>>> step = trace(lambda x1, x2: neuron([x1, x2]), 1.0, 2.0)
>>> print(step.source)
def replay(inputs, leaves):
    x1, x2 = inputs
    w1, w2, b = map(data, leaves)  # captured leaves: their current .data
    # forward, each node after its inputs
    z = b + w1 * x1 + w2 * x2  # w1*x1 + w2*x2 + b
    out = tanh(z)
    # backward, consumers first: g_v = ∂out/∂v = 0.0 + Σ over v's consumers t of ∂t/∂v · g_t
    g_out = 1.0
    g_z = 0.0 + (1.0 - out * out) * g_out  # out = tanh(z)
    g_x1 = 0.0 + w1 * g_z  # z = w1*x1 + w2*x2 + b
    g_x2 = 0.0 + w2 * g_z  # z = w1*x1 + w2*x2 + b
    # captured leaves accumulate, as after backward(): .grad + the terms, in its order
    g_w1, g_w2, g_b = map(grad, leaves)
    g_w1 = g_w1 + x1 * g_z  # z = w1*x1 + w2*x2 + b
    g_w2 = g_w2 + x2 * g_z  # z = w1*x1 + w2*x2 + b
    g_b = g_b + g_z  # z = w1*x1 + w2*x2 + b
    for leaf, g in zip(leaves, (g_w1, g_w2, g_b)):
        leaf.grad = g
    return out, (g_x1, g_x2)
<BLANKLINE>
>>> y = step(0.5, -1.0)                          # forward + backward at a new point
>>> step.input_grads == (neuron.w[0].data * (1 - y * y), neuron.w[1].data * (1 - y * y))
True

The package
-----------
* :mod:`~tinygrad_edu.tracing.traced`: :func:`trace`, which records the graph,
  and :class:`Traced`, which compiles its source and replays it.
* :mod:`~tinygrad_edu.tracing.arguments`: how the arguments nest, checked at
  the trace and on every call.
* :mod:`~tinygrad_edu.tracing.source_math`: :class:`SourceMath`, on which the
  rules of :mod:`tinygrad_edu.ops` write source instead of computing numbers,
  and its :class:`Expr`.
* :mod:`~tinygrad_edu.tracing.codegen`: the replay's lines, forward then
  backward, and why they give eager's floats bit for bit.
* :mod:`~tinygrad_edu.tracing.names`: the namespace the replay runs in, and the
  variable of each node.

Limits
------
* **Control flow is frozen.** Python code in ``fn`` that reads ``.data``
  (``if loss.data > 1: ...``, a loop until convergence, picking the argmax) ran
  once, at trace time; the replay repeats the ops that branch recorded, like
  ``torch.jit.trace``. The ops' own kinks are *not* frozen: ``relu``, ``abs``,
  ``maximum``, ``hardtanh``, ... apply their rule to the new numbers on every
  call, as eager ops do. Likewise a value ``fn`` computes under ``no_grad()``
  is a leaf, replayed with its traced value.
* **The structure is fixed.** New arguments must nest like the examples (the
  same lengths). Numbers ``fn`` puts into the graph as constants (the 2 of
  ``x * 2.0``, data closed over) are part of the source; captured leaves are
  read afresh on every call, so optimizer updates between calls take effect.
* **Only the output, the leaves and the inputs get numbers.** The interior
  nodes exist only as locals of the replay: their ``.grad`` (a neuron's δ) is
  not set. ``create_graph`` (higher derivatives) and
  :func:`~tinygrad_edu.engine.detect_anomaly` are eager only.
* **Ops are open.** Any op of :mod:`tinygrad_edu.ops`, and any new ``Op`` row
  applied with :func:`~tinygrad_edu.engine.apply`, is written out through its
  own rules, with no change here. So its rules must make every choice with
  ``m.where``: a Python ``if`` on an input (or ``and``, ``or``, ``min``,
  ``max``) cannot become source, and ``trace`` raises a TypeError naming the op.
  A node made by hand with its own ``_backward`` has no rules to run: a TypeError too.
* **Compiling costs.** A graph of n nodes becomes one function of about 2n
  locals and n to 2n lines, which CPython compiles in time about linear in its
  size. Tracing pays when a graph is replayed often.
"""

from __future__ import annotations

from .source_math import Expr, SourceMath
from .traced import Traced, trace

__all__ = ["Expr", "SourceMath", "Traced", "trace"]
