"""Development sessions: ``nox -s tests``, ``lint``, ``typecheck``, ``docs``, ``demo``, ``bench``."""

from __future__ import annotations

import os
import shutil
import subprocess

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "typecheck", "tests", "tests_core", "docs"]

TEST_EXTRAS = ".[all,test]"
DEBIAN_PACKAGES = {"pdftoppm": "poppler-utils", "chromium": "chromium"}


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
    session.install("-e", TEST_EXTRAS)
    session.run("pytest", *session.posargs)


@nox.session
def tests_core(session: nox.Session) -> None:
    """The core's tests with no optional extra installed (adapters' tests skip)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "not postgres and not browser", "tests/core", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "benchmarks", "examples", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks", "examples", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/."""
    session.install("-e", ".[all,test]", "mypy")
    session.run("mypy", "src")
    session.run("mypy", "--strict", "examples/webapp/app.py")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs strictly (lifecycle diagrams are generated from the machines)."""
    session.install("-e", ".", "mkdocs-material")
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
