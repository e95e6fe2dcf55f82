"""The names in the generated code: the namespace it runs in, and one variable per node.

The replay reads the captured leaves with ``data`` and ``grad``, writes ``inf``
and ``nan`` for those floats, and calls the functions of the float math by
their own names (``exp(x)`` where a rule calls ``m.exp(x)``). Each node of the
graph is a local variable: its label when that can name a variable and is
unique in the graph (``w1``, ``z``); else its label prefixed by where it was
made (``l1n3_w1``: layer 1, neuron 3) when that is; else ``v<index>``. Its
gradient δ is ``g_<name>``, and the output, unless its label names it, is ``out``.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
import unicodedata
from collections import Counter
from operator import attrgetter
from typing import Any

from .. import ops
from ..engine import Value

__all__ = ["NAMESPACE", "node_names"]

_read_data = attrgetter("data")
_read_grad = attrgetter("grad")

# The functions of the float math, by their own names: the source calls exp(x) where a rule
# calls m.exp(x). (A rule's m.where, m.eq and m.sum are written as Python's if-else, == and +.)
_FUNCTIONS = {
    name: getattr(ops.FLOATS, name)
    for name in dir(ops.FloatMath)
    if not name.startswith("_") and name not in ("read", "where", "eq", "sum")
}
# What the generated code may use, by the names it uses.
NAMESPACE: dict[str, Any] = {
    "data": _read_data,
    "grad": _read_grad,
    "inf": math.inf,
    "nan": math.nan,
    **_FUNCTIONS,
    "__builtins__": builtins,
}
_RESERVED = (
    frozenset(keyword.kwlist)
    | frozenset(keyword.softkwlist)
    | frozenset(dir(builtins))
    | frozenset(NAMESPACE)
    | {"inputs", "leaves", "leaf", "g", "replay", "forward", "out"}
)
_GENERATED = re.compile(r"v\d+\Z")  # the names given to unlabeled nodes


def _usable(label: str) -> bool:
    """Whether a label can name a variable without clashing with anything the source uses."""
    return (
        label.isidentifier()
        and not label.startswith(("_", "g_"))  # g_: the prefix of gradients
        and label not in _RESERVED
        and _GENERATED.match(label) is None
        and unicodedata.normalize("NFKC", label) == label  # Python would merge ﬁ with fi
    )


def _scoped_label(v: Value) -> str:
    """The label prefixed by the node's scope, abbreviated, as one identifier: ("layer 1",
    "neuron 3") and "w1" give "l1n3_w1" ("" without a label or a scope)."""
    if not v.label or not v.scope:
        return ""
    # each word of the scope by its first letter, numbers whole: "layer 1" → "l1"
    short = "".join(w if w.isdigit() else w[:1] for part in v.scope for w in re.findall(r"\w+", part))
    return f"{short}_{v.label}"


def node_names(nodes: list[Value], root: Value) -> dict[Value, str]:
    """Each node's variable (``nodes``: the graph's used inputs, captured leaves and interior
    nodes, in that order; ``root``: its output): its label when usable and unique in the graph;
    else its label prefixed by where it was made (``l1n3_w1``: layer 1, neuron 3) when that is;
    else v<index>."""
    labels = Counter(v.label for v in nodes)
    scoped = {v: _scoped_label(v) for v in nodes if labels[v.label] > 1}
    scoped_counts = Counter(scoped.values())
    names: dict[Value, str] = {}
    for i, v in enumerate(nodes):
        if labels[v.label] == 1 and _usable(v.label):
            names[v] = v.label
        elif v in scoped and scoped_counts[scoped[v]] == 1 and _usable(scoped[v]):
            names[v] = scoped[v]
        else:
            names[v] = f"v{i}"
    if len(set(names.values())) < len(names):  # a scoped name equal to another's label
        unique = {v for v in nodes if labels[v.label] == 1 and _usable(v.label)}
        names = {v: v.label if v in unique else f"v{i}" for i, v in enumerate(nodes)}
    if names[root] != root.label:
        names[root] = "out"  # a name no label gets: the output reads best as out, g_out
    return names
