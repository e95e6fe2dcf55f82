"""Shared test set-up: hypothesis profiles, and the PyTorch oracle requirement in CI.

Locally, hypothesis explores new random examples on every run (and remembers failures in
.hypothesis/). In CI (the CI environment variable is set) it is derandomized: the same
examples every run, so a landing never depends on a lucky draw. HYPOTHESIS_PROFILE=thorough
runs 1,000 examples per property.
"""

import os
from typing import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tinygrad_edu.modes import mode

COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("default", max_examples=60, **COMMON)
settings.register_profile("ci", max_examples=60, derandomize=True, database=None, **COMMON)
settings.register_profile("thorough", max_examples=1000, **COMMON)
default = "ci" if os.environ.get("CI") else "default"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", default))

if os.environ.get("TINYGRAD_EDU_REQUIRE_TORCH") == "1":
    import torch  # noqa: F401  (fail loudly in CI rather than skip the oracle tests)


@pytest.fixture(autouse=True)
def _modes_are_restored() -> Iterator[None]:
    """Every test leaves the grad, anomaly and scope switches as it found them: a leak would
    otherwise show up much later, as nodes drawn in a neuron they were not made in."""
    yield
    found = (mode.grad, mode.anomaly, mode.scope)
    mode.grad, mode.anomaly, mode.scope = True, False, None
    assert found == (True, False, None), f"the test left the modes switched: {found}"
