"""The benchmarks: tinygrad_edu against micrograd, PyTorch on scalars and plain Python floats.

Not part of the package: a small harness, run as ``python benchmarks/run.py``
from the project root (benchmarks/README.md says how, and holds the figures).

- :mod:`benchmarks.run`: the entry point: settings, the whole run, the JSON;
- :mod:`benchmarks.harness`: timing (medians, rows in turns), the collector, memory, the machine;
- :mod:`benchmarks.problems`: the moons problem and weights as plain floats, shared by the cases;
- :mod:`benchmarks.peers`: micrograd and PyTorch, when installed;
- :mod:`benchmarks.floors`: the plain-float floor, the moons step by hand with no graph;
- :mod:`benchmarks.cases`: one module per case;
- :mod:`benchmarks.targets`: the speed floor the engine must keep, judged on a run's numbers;
- :mod:`benchmarks.report`: the text tables;
- :mod:`benchmarks.readme`: the tables of a JSON file into benchmarks/README.md.

``ours/peer`` = tinygrad_edu's median time (or bytes) ÷ the peer's, always
with tinygrad_edu in its default settings. Above 1, tinygrad_edu is slower
(or bigger) by that factor; below 1, faster (smaller).
"""
