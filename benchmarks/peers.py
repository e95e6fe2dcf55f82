"""The peers: micrograd 0.1.0 and PyTorch on scalars, imported if they are installed.

Neither is a dependency of the project and nothing here installs them: a peer
that cannot be imported is reported as "not installed" (with the ``pip``
command that installs it) and its rows are left empty. Also here: what every
case needs of them, micrograd's MLP holding given weights, a count of its
graph's nodes, and the MLP as a list of 0-dim PyTorch tensors.
"""

from __future__ import annotations

import importlib
import random
from importlib import metadata
from types import ModuleType
from typing import Any, Callable, Optional, Sequence

from benchmarks.harness import Result
from benchmarks.problems import Layers, Vector, flatten

INSTALL_HINTS = {"micrograd": "pip install micrograd==0.1.0", "torch": "pip install torch==2.13.0"}


def import_peer(name: str) -> Optional[ModuleType]:
    """The module ``name``, or None when it cannot be imported (the peer is not installed)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def micrograd_modules() -> Optional[tuple[ModuleType, ModuleType]]:
    """(micrograd.engine, micrograd.nn), or None when micrograd is not installed."""
    engine, nn = import_peer("micrograd.engine"), import_peer("micrograd.nn")
    return None if engine is None or nn is None else (engine, nn)


def not_installed(peer: str) -> Result:
    """The result of a row whose peer cannot be imported."""
    return {"status": "not installed", "reason": f"{peer} is not importable ({INSTALL_HINTS[peer]})"}


def micrograd_exp_log_rows(time_it: Callable[[tuple[ModuleType, ModuleType]], Result]) -> dict[str, Result]:
    """micrograd's two rows where the problem needs exp and log: as shipped, it cannot express
    them; with them added (``time_it(modules)`` times that), it runs."""
    mg = micrograd_modules()
    if mg is None:
        return {"micrograd": not_installed("micrograd"), "micrograd + exp/log": not_installed("micrograd")}
    cannot = {
        "status": "cannot express",
        "reason": "micrograd 0.1.0 has no exp or log (only +, *, ** by a number, relu)",
    }
    return {"micrograd": cannot, "micrograd + exp/log": time_it(mg)}


def peer_versions() -> dict[str, str]:
    """Each peer's installed version, or "not installed"."""
    found = {"micrograd": micrograd_modules() is not None, "torch": import_peer("torch") is not None}
    versions = {}
    for name, ok in found.items():
        if not ok:
            versions[name] = "not installed"
            continue
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # importable but not from a distribution
            versions[name] = "unknown version"
    return versions


# --------------------------------------------------------------- micrograd


def micrograd_nodes(root: Any) -> int:
    """The nodes of a micrograd graph, walked iteratively (micrograd's own walk recurses)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def micrograd_mlp(nn: ModuleType, layers: Layers) -> Any:
    """micrograd's ``MLP`` of the same shape, holding these weights (the global ``random`` untouched)."""
    state = random.getstate()
    try:
        model = nn.MLP(len(layers[0][0][0]), [len(b) for _, b in layers])
    finally:
        random.setstate(state)
    for p, w in zip(model.parameters(), flatten(layers)):
        p.data = w
    return model


# ----------------------------------------------------------------- PyTorch


class TorchScalarMLP:
    """micrograd's MLP in PyTorch: every weight a 0-dim float64 tensor, every op on scalars."""

    def __init__(self, torch: ModuleType, layers: Layers) -> None:
        self.torch = torch
        self.initial = flatten(layers)

        def leaf(v: float) -> Any:
            return torch.tensor(v, dtype=torch.float64, requires_grad=True)

        self.layers = [([[leaf(w) for w in row] for row in W], [leaf(bj) for bj in b]) for W, b in layers]
        self.params = [p for W, b in self.layers for row, bj in zip(W, b) for p in (*row, bj)]

    def reset(self) -> None:
        """Back to the initial weights, gradients cleared."""
        with self.torch.no_grad():
            for p, w in zip(self.params, self.initial):
                p.fill_(w)
                p.grad = None

    def weights(self) -> Vector:
        return [float(p.item()) for p in self.params]

    def forward(self, x: Sequence[Any]) -> list[Any]:
        """The network's outputs for one input (ReLU on the hidden layers, the last one linear)."""
        a: Sequence[Any] = x
        last = len(self.layers) - 1
        for li, (W, b) in enumerate(self.layers):
            s = [sum((w * ai for w, ai in zip(row, a)), bj) for row, bj in zip(W, b)]
            a = s if li == last else [v.relu() for v in s]
        return list(a)
