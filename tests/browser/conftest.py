"""The example web application, served on a free localhost port in a thread."""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_PATH = ROOT / "examples" / "webapp" / "app.py"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "browser"


def missing(reason: str) -> None:
    """Skip with ``reason`` locally; in CI (env var CI set) a missing tool is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)


def load_webapp() -> ModuleType:
    for module, package in (("flask", "flask"), ("flask_wtf", "flask-wtf")):
        if importlib.util.find_spec(module) is None:
            missing(f"{module} is not installed: pip install {package}")
    spec = importlib.util.spec_from_file_location("quote2order_example_webapp", APP_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def webapp() -> ModuleType:
    return load_webapp()


@pytest.fixture
def app(webapp: ModuleType, tmp_path: Path) -> Any:
    """The example app on its own SQLite file, as it runs by default."""
    from quote2order.adapters.sqlite import SqliteStore

    return webapp.make_app(SqliteStore(str(tmp_path / "webapp.sqlite3")), announce=False)


@pytest.fixture
def live_server(app: Any, webapp: ModuleType) -> Iterator[str]:
    """The app's base URL, served by werkzeug in a background thread as ``app.py`` runs
    it (with the request handler that masks link tokens in the access log)."""
    from werkzeug.serving import make_server

    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=webapp.TokenMaskingRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (its own browser download is not used)."""
    if importlib.util.find_spec("playwright") is None:
        missing("playwright is not installed: pip install playwright")
    if shutil.which(CHROMIUM) is None:
        missing(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
