"""Importing the optimizer must not import HiGHS (it is an optional dependency)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_optimize_does_not_import_highspy() -> None:
    code = (
        "import sys, quote2order.optimize, quote2order.optimize.cli;print('highspy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
