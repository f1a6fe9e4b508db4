"""Development sessions: ``nox -s tests``, ``lint``, ``typecheck``, ``docs``, ``demo``, ``bench``."""

from __future__ import annotations

import os
import shutil
import subprocess

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "typecheck", "tests", "tests_core", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
# PEP 735 dependency groups, installed by name (works with any pip version).
TEST = nox.project.dependency_groups(PYPROJECT, "test")
DOCS = nox.project.dependency_groups(PYPROJECT, "docs")
LINT = nox.project.dependency_groups(PYPROJECT, "lint")
SUPPORTED = ("3.11", "3.12", "3.13")


def _pythons() -> list[str] | None:
    """Every supported interpreter this machine has (pyenv's count, though not on PATH)."""
    versions = os.path.expanduser("~/.pyenv/versions")
    if os.path.isdir(versions):
        # pyenv's shim that started this interpreter set PYENV_VERSION to its one version;
        # adding the others (after it) lets the shims answer for python3.12, python3.13, ...
        chosen = [v for v in os.environ.get("PYENV_VERSION", "").split(":") if v]
        installed = sorted(v for v in os.listdir(versions) if v.startswith(SUPPORTED))
        if chosen or installed:
            os.environ["PYENV_VERSION"] = ":".join(
                chosen + [v for v in installed if v not in chosen]
            )
    found = []
    for version in SUPPORTED:
        exe = shutil.which(f"python{version}")
        if exe and subprocess.run([exe, "-V"], capture_output=True, check=False).returncode == 0:
            found.append(version)
    return found or None


PYTHONS = _pythons()
DEBIAN_PACKAGES = {
    "pdftoppm": "poppler-utils",
    "chromium": "chromium",
    "curl": "curl",  # the HTTP API walkthrough in docs/http-api.md
    "jq": "jq",
}


def _debian_packages(session: nox.Session) -> None:
    """Install the system tools the tests use (PDF to PNG, Chromium) when root can."""
    missing = [pkg for tool, pkg in DEBIAN_PACKAGES.items() if shutil.which(tool) is None]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-qq", external=True, env=env, silent=True)
        session.run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            *missing,
            external=True,
            env=env,
            silent=True,
        )


def _postgres_up() -> None:
    """Start the local PostgreSQL cluster if it is installed but down."""
    if shutil.which("pg_ctlcluster") is None or not os.path.isdir("/etc/postgresql"):
        return
    for version in os.listdir("/etc/postgresql"):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
            capture_output=True,
        )


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite, with every optional extra installed."""
    _debian_packages(session)
    _postgres_up()
    session.install("-e", ".[all]", *TEST, *DOCS)  # DOCS: the test of the built reference
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHONS)
def tests_versions(session: nox.Session) -> None:
    """The test suite on each supported Python this machine has (3.11, 3.12, 3.13)."""
    _postgres_up()
    session.install("-e", ".[all]", *TEST, *DOCS)
    session.run("pytest", "-m", "not browser", *session.posargs)


@nox.session
def tests_core(session: nox.Session) -> None:
    """The core's tests with no optional extra installed (adapters' tests skip)."""
    session.install("-e", ".", *TEST)
    session.run("pytest", "-m", "not postgres and not browser", "tests/core", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    session.install(*LINT)
    session.run("ruff", "check", "src", "tests", "benchmarks", "examples", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks", "examples", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/."""
    session.install("-e", ".[all]", *TEST, *LINT)
    session.run("mypy", "src")
    session.run("mypy", "--strict", "examples/webapp/app.py")
    session.run("mypy", "--strict", "examples/http_api/app.py")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs strictly and offline: API reference, Mermaid from the docs' assets,
    lifecycle diagrams generated from the machines."""
    session.install("-e", ".", *DOCS)
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session
def demo(session: nox.Session) -> None:
    """The quote-to-cash story on the embedded default store."""
    session.install("-e", ".[all]")
    session.run("python", "-m", "quote2order", "demo", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmark, printing its figures (pass --quick for a short run)."""
    session.install("-e", ".[all]")
    for script in sorted(os.listdir("benchmarks")):
        if script.startswith("bench_") and script.endswith(".py"):
            session.run("python", f"benchmarks/{script}", *session.posargs)
