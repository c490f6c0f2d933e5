"""Repository-wide test configuration: Hypothesis profiles (CI is bounded and derandomised)."""

import os

from hypothesis import HealthCheck, settings

# pytester runs throwaway downstream projects (the plugin and README example tests).
pytest_plugins = ["pytester"]

settings.register_profile(
    "ci", max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
