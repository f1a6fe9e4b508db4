"""examples/http_api runs under uvicorn, and the curl walkthrough in docs/http-api.md
works against it step by step."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path):
    pytest.importorskip("uvicorn")
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "QUOTE2ORDER_DB": str(tmp_path / "api.sqlite3"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "examples.http_api.app:app", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(200):
            try:
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            pytest.fail("uvicorn did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_curl_walkthrough_runs_against_the_example(served: str, tmp_path: Path) -> None:
    missing = [tool for tool in ("curl", "jq") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {missing} for the walkthrough")
        pytest.skip(f"{missing} not installed")
    script = BLOCK.findall((ROOT / "docs" / "http-api.md").read_text(encoding="utf-8"))
    assert len(script) == 1
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script[0]],
        env={**os.environ, "BASE": served},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    lines = result.stdout.split()
    assert lines[0] == "sent"
    assert lines[1] == "3030.93"  # 3 x 849.00 = 2547.00, plus 19 % VAT
    assert lines[2].startswith("AB-")
    assert lines[3:5] == ["confirmed", "completed"]
    assert lines[5].startswith("PF-")
    assert (tmp_path / "proforma.pdf").read_bytes().startswith(b"%PDF")
    assert "OrderInvoiced" in lines
    assert lines[-2] == "2547.00"  # the invoiced order's net total, from the orders list
    assert lines[-1] == "urn:quote2order:problem:order-not-found"
