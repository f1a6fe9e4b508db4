"""The Django, FastAPI and SQLAlchemy examples of the docs run (each in its own process:
Django's settings can be configured once per process)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {  # file -> the framework it needs
    "django_host.py": "django",
    "sqlalchemy_host.py": "sqlalchemy",
    "fastapi_host.py": "fastapi",
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_integration_example_runs_and_its_page_shows_it(name: str, tmp_path: Path) -> None:
    framework = EXAMPLES[name]
    if importlib.util.find_spec(framework) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {framework} (the test dependency group)")
        pytest.skip(f"{framework} not installed")
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "integrations" / name)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    page = (ROOT / "docs" / f"{name.split('_')[0]}.md").read_text(encoding="utf-8")
    assert f'--8<-- "examples/integrations/{name}"' in page
