"""The cases, one module each, in the order they run and are reported.

1. :mod:`~benchmarks.cases.moons_step`: one step of micrograd's moons demo, every implementation in turns;
2. :mod:`~benchmarks.cases.deep_chain`: y ← y·c + d to 10⁶ nodes, then backward: growth and memory;
3. :mod:`~benchmarks.cases.memory`: bytes per node of the moons graph (tracemalloc);
4. :mod:`~benchmarks.cases.bigger_network`: an epoch of MLP(64, [32, 10]) + softmax cross-entropy;
5. :mod:`~benchmarks.cases.digits`: the same network on the real UCI digits, eager, traced and
   PyTorch vectorised.

Each module's ``*_case`` function returns the case's JSON-ready result, with
its rows under ``engines`` and tinygrad_edu's time (or bytes) divided by each
peer's under ``ratios_ours_over_peer``.
"""
