"""Case 3, memory: bytes per graph node of the moons step's graph (forward + loss).

What ``tracemalloc`` sees allocated and still held once the graph is built,
divided by the nodes the build created (the graph minus the parameters, which
exist before it); also the peak during backward. PyTorch is left out: its
tensors live in C++ memory that ``tracemalloc`` does not see.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any, Callable

from benchmarks.cases.moons_step import MicrogradMoons, TinygradMoons
from benchmarks.harness import Result, gc_paused, ratio
from benchmarks.peers import micrograd_modules, micrograd_nodes, not_installed
from benchmarks.problems import (
    MOONS_SIZES,
    MOONS_WEIGHT_SEED,
    flatten,
    initial_layers,
    moons_data,
    tinygrad_nodes,
)


def graph_memory(build: Callable[[], Any], count_nodes: Callable[[Any], int], parameters: int) -> Result:
    """Bytes held by the graph ``build()`` returns, per node it created; and the peak during backward.

    tracemalloc counts every Python allocation made by the build and still
    alive once it returns (the nodes, their input tuples or sets, closures,
    floats, the lists of scores). The graph's own nodes include the
    ``parameters`` leaves, which existed before the build, so they are not
    counted as created. The collector is paused so that it frees nothing else
    meanwhile.
    """
    gc.collect()
    with gc_paused():
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            root = build()
            held = tracemalloc.get_traced_memory()[0] - base
            tracemalloc.reset_peak()
            root.backward()
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
    nodes = count_nodes(root)
    created = nodes - parameters
    del root
    gc.collect()
    return {
        "status": "ok",
        "graph_nodes": nodes,
        "nodes_created": created,
        "graph_mb": held / 1e6,
        "bytes_per_node": held / created,
        "peak_during_backward_mb": peak / 1e6,
        "peak_bytes_per_node": peak / created,
    }


def memory_case(n_points: int = 100) -> Result:
    """Case 3: bytes per graph node of the moons step's graph, tinygrad_edu and micrograd."""
    X, y = moons_data(n_points)
    layers = initial_layers(*MOONS_SIZES, seed=MOONS_WEIGHT_SEED)
    n_params = len(flatten(layers))
    ours_engine = TinygradMoons(layers, X, y)
    rows: dict[str, Result] = {
        "tinygrad_edu": graph_memory(ours_engine.build, tinygrad_nodes, n_params),
    }
    mg = micrograd_modules()
    if mg is None:
        rows["micrograd"] = not_installed("micrograd")
    else:
        engine = MicrogradMoons(mg, layers, X, y)
        rows["micrograd"] = graph_memory(engine.build, micrograd_nodes, n_params)
    ours = rows["tinygrad_edu"]["bytes_per_node"]
    return {
        "what": (
            f"tracemalloc bytes held by the moons graph ({n_points} points, forward + loss) "
            "per node the build created"
        ),
        "points": n_points,
        "engines": rows,
        "ratios_ours_over_peer": {"micrograd": ratio(ours, rows["micrograd"].get("bytes_per_node"))},
        "graph_ratios_ours_over_peer": {
            "micrograd": ratio(rows["tinygrad_edu"]["graph_mb"], rows["micrograd"].get("graph_mb"))
        },
        "note": "PyTorch is left out: its tensors live in C++ memory that tracemalloc does not see",
    }
