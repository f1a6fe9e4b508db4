"""Fuzzing every boundary that takes untrusted text: only typed errors or 4xx come out.

``FUZZ_EXAMPLES=N`` runs each property on N inputs (default 100, the suite's budget);
the counts per boundary and outcome are printed at the end of the run.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

from ._tally import TALLY

settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FUZZ = settings.get_profile("fuzz")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLY:
        return
    terminalreporter.section("fuzzed inputs per boundary")
    for boundary, outcomes in sorted(TALLY.items()):
        total = sum(outcomes.values())
        detail = ", ".join(f"{outcome} {n}" for outcome, n in outcomes.most_common())
        terminalreporter.write_line(f"{boundary}: {total} inputs ({detail})")
