"""Settings for the whole suite."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Shared 2-core CI machines make timings noisy: Hypothesis checks behaviour here, never
# speed (speed is measured in benchmarks/), so no example has a deadline.
settings.register_profile(
    "default-suite", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default-suite")
