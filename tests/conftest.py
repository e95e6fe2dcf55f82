"""Shared test set-up: hypothesis profile, and the PyTorch oracle requirement in CI."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

if os.environ.get("TINYGRAD_EDU_REQUIRE_TORCH") == "1":
    import torch  # noqa: F401  (fail loudly in CI rather than skip the oracle tests)
