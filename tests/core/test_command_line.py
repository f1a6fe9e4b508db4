"""Bad invocations of ``python -m quote2order``: one clear line, exit 2 or 1, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import quote2order

SRC = str(Path(quote2order.__file__).resolve().parent.parent)
USAGE, FAILURE = 2, 1

# (arguments, exit status, a phrase the one error line holds); {db} is an existing SQLite
# file, {db}.txt a text file, {tmp} a scratch directory.
BAD = [
    ([], USAGE, "required: {demo,optimize,dispatch}"),
    (["bogus"], USAGE, "invalid choice"),
    (["--bogus"], USAGE, "{demo,optimize,dispatch}"),
    (["demo", "--bogus"], USAGE, "unrecognized arguments"),
    (["demo", "--out", "/proc/no/such/dir"], FAILURE, "No such file or directory"),
    (["dispatch"], USAGE, "--sqlite --postgres --source is required"),
    (["dispatch", "--sqlite", "{tmp}/typo.db", "--directory", "{tmp}/m"], USAGE, "--create"),
    (
        ["dispatch", "--sqlite", "/nonexistent/x.db", "--create", "--directory", "x"],
        FAILURE,
        "x.db",
    ),
    (["dispatch", "--sqlite", "{db}.txt", "--directory", "{tmp}/m"], FAILURE, "database"),
    (["dispatch", "--sqlite", "{db}"], USAGE, "--directory or --smtp-host"),
    (["dispatch", "--sqlite", "", "--directory", "x"], USAGE, "--sqlite needs a value"),
    (["dispatch", "--postgres", " ", "--directory", "x"], USAGE, "--postgres needs a value"),
    (["dispatch", "--source", "", "--directory", "x"], USAGE, "module:function"),
    (["dispatch", "--sqlite", "{db}", "--retry", "no-such-entry"], FAILURE, "no-such-entry"),
    (["dispatch", "--sqlite", "{db}", "--render", "docx", "--directory", "x"], USAGE, "docx"),
    (["dispatch", "--sqlite", "{db}", "--max-attempts", "abc", "--once"], USAGE, "abc"),
    (["dispatch", "--sqlite", "{db}", "--max-attempts", "0", "--once"], USAGE, "'0'"),
    (["dispatch", "--sqlite", "{db}", "--backoff-seconds", "nan", "--once"], USAGE, "nan"),
    (["dispatch", "--sqlite", "{db}", "--smtp-host", "h", "--smtp-port", "70000"], USAGE, "70000"),
    (["dispatch", "--source", "no-colon", "--directory", "x"], USAGE, "module:function"),
    (["dispatch", "--source", "no_such_module:f", "--directory", "x"], USAGE, "no_such_module"),
    (["dispatch", "--source", "os:no_such_function", "--directory", "x"], USAGE, "no_such_fun"),
    (["dispatch", "--source", "os:sep", "--directory", "x"], USAGE, "no function 'sep'"),
    (
        [
            "dispatch",
            "--postgres",
            "host=nowhere.invalid connect_timeout=2",
            "--once",
            "--directory",
            "x",
        ],
        FAILURE,
        "nowhere.invalid",
    ),
    (
        [
            "dispatch",
            "--sqlite",
            "{db}",
            "--smtp-host",
            "h",
            "--username",
            "u",
            "--password-env",
            "Q2O_UNSET",
        ],
        USAGE,
        "Q2O_UNSET",
    ),
    (
        [
            "dispatch",
            "--sqlite",
            "{db}",
            "--smtp-host",
            "h",
            "--security",
            "none",
            "--username",
            "u",
            "--password-env",
            "HOME",
        ],
        FAILURE,
        "unencrypted",
    ),
    (["dispatch", "--sqlite", "{db}", "--security", "ssl", "--directory", "x"], USAGE, "ssl"),
    (["optimize"], USAGE, "cart"),
    (["optimize", "{tmp}/missing.json"], USAGE, "missing.json"),
    (["optimize", "{db}"], USAGE, "error"),
]


def _run(args: list[str], *, prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = (
        f"{prelude}import sys; from quote2order.__main__ import main; sys.exit(main(sys.argv[1:]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": SRC, "QUOTE2ORDER_TRACEBACK": ""},
    )


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from quote2order.adapters.sqlite import SqliteStore

    path = tmp_path_factory.mktemp("cli") / "shop.db"
    SqliteStore(path)
    path.with_suffix(".db.txt").write_text("not a database\n" * 100)
    return path


@pytest.mark.parametrize(("args", "status", "phrase"), BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_a_bad_invocation_ends_in_one_line_and_its_exit_status(
    args: list[str], status: int, phrase: str, database: Path, tmp_path: Path
) -> None:
    result = _run([a.format(db=database, tmp=tmp_path) for a in args])
    assert "Traceback" not in result.stderr + result.stdout
    assert (result.returncode, len(result.stderr.splitlines())) == (status, 1), result.stderr
    assert phrase in result.stderr
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize(
    ("blocked", "extra", "args"),
    [
        ("fpdf", "pdf", ["--render", "pdf", "--directory", "{tmp}/m"]),
        ("jinja2", "html", ["--render", "html", "--directory", "{tmp}/m"]),
    ],
)
def test_a_missing_extra_is_named_with_its_install_command(
    blocked: str, extra: str, args: list[str], database: Path, tmp_path: Path
) -> None:
    prelude = f"sys_ = __import__('sys'); sys_.modules[{blocked!r}] = None; "
    argv = ["dispatch", "--sqlite", str(database), *(a.format(tmp=tmp_path) for a in args)]
    result = _run(argv, prelude=prelude)
    assert "Traceback" not in result.stderr
    assert result.returncode == FAILURE
    assert f"pip install 'quote2order[{extra}]'" in result.stderr


def test_a_missing_postgres_extra_is_named() -> None:
    prelude = "sys_ = __import__('sys'); sys_.modules['psycopg'] = None; "
    result = _run(["dispatch", "--postgres", "host=db", "--directory", "x"], prelude=prelude)
    assert (result.returncode, "Traceback" in result.stderr) == (FAILURE, False)
    assert "pip install 'quote2order[postgres]'" in result.stderr


def test_version_and_help_are_plain_text() -> None:
    version = _run(["--version"])
    assert (version.returncode, version.stdout) == (0, f"quote2order {quote2order.__version__}\n")
    help_text = _run(["--help"]).stdout
    assert "dispatch" in help_text
    assert "optimize" in help_text
    assert "``" not in help_text
