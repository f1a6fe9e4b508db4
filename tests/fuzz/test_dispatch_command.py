"""``quote2order dispatch`` fed generated command lines: exit 0, 1 or 2 with at most one
error line, never a traceback and never an unexpected exception.

Paths stay inside a scratch directory (the fuzzer must not create files elsewhere) and
``--source`` names only modules made for the test: importing arbitrary module names would
run arbitrary code.
"""

from __future__ import annotations

import io
import os
import sys
import types
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quote2order.adapters.sqlite import SqliteStore
from quote2order.notifications import UnitOfWorkDocuments
from quote2order.notifications.cli import main

from ._strategies import NASTY
from ._tally import count
from .conftest import FUZZ

SAFE_TEXT = st.text(max_size=20).filter(lambda t: "/" not in t and "\\" not in t and ".." not in t)
RELATIVE_PATH = st.from_regex(r"[a-z]{1,8}(/[a-z]{1,8})?", fullmatch=True)
VALUES = {
    "--sqlite": st.sampled_from(["shop.db", "missing.db", "notes.txt", "mail", ""]) | RELATIVE_PATH,
    "--postgres": st.sampled_from(["host=127.0.0.1 port=1 connect_timeout=1", "", " "]),
    "--source": st.sampled_from(
        ["q2o_fuzz_source:source", "q2o_fuzz_source:broken", "no-colon", "q2o_fuzz_none:f", ":", ""]
    ),
    "--directory": st.sampled_from(["mail", "notes.txt/x"]) | RELATIVE_PATH,
    "--smtp-host": st.just("127.0.0.1"),
    "--smtp-port": st.sampled_from(["1", "0", "65536", "x", "-5"]) | SAFE_TEXT,
    "--security": st.sampled_from(["none", "starttls", "tls", "ssl"]) | SAFE_TEXT,
    "--username": SAFE_TEXT,
    "--password-env": st.sampled_from(["HOME", "Q2O_UNSET", ""]),
    "--render": st.sampled_from(["none", "html", "pdf", "html,pdf", ",", "docx"]) | SAFE_TEXT,
    "--max-attempts": st.sampled_from(["1", "0", "-1", "1e3", "nan", "99999"]) | SAFE_TEXT,
    "--backoff-seconds": st.sampled_from(["0", "1", "inf", "nan", "-1", "1e400"]) | SAFE_TEXT,
    "--message-domain": SAFE_TEXT | st.sampled_from(NASTY[:20]),
    "--retry": SAFE_TEXT | st.sampled_from(["outbox-1", "outbox-3"]),
}
FLAGS = ["--once", "--list-failed", "--create", "--allow-unencrypted-login", "--help", "-x"]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    argv: list[str] = []
    # Mostly a source and a target, as a real command has, so that the fuzzer gets past
    # the first refusal and into the run; then anything.
    if draw(st.integers(0, 9)) < 7:
        option = draw(st.sampled_from(["--sqlite", "--source", "--postgres"]))
        argv += [option, draw(VALUES[option])]
    if draw(st.integers(0, 9)) < 6:
        option = draw(st.sampled_from(["--directory", "--smtp-host"]))
        argv += [option, draw(VALUES[option])]
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 3)) == 0:
            argv.append(draw(st.sampled_from(FLAGS)))
        else:
            option = draw(st.sampled_from(sorted(VALUES)))
            argv.append(option)
            if draw(st.integers(0, 9)):  # sometimes the value is missing
                argv.append(draw(VALUES[option]))
    return argv


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a shop database whose outbox holds due e-mails."""
    from tests.notifications.conftest import World

    world = World()
    world.invoiced_order()
    store = SqliteStore(str(tmp_path / "shop.db"))
    with store.unit_of_work() as uow:
        for entry in world.store.outbox_store.list():
            uow.outbox.add(entry)
        for document in world.documents().values():
            uow.documents.add(document)
        uow.commit()
    (tmp_path / "notes.txt").write_text("not a database\n")
    source = types.ModuleType("q2o_fuzz_source")
    source.source = lambda: (store.outbox_store, UnitOfWorkDocuments(store.unit_of_work))  # type: ignore[attr-defined]
    source.broken = lambda: 1 / 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "q2o_fuzz_source", source)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("Q2O_UNSET", raising=False)
    monkeypatch.delenv("QUOTE2ORDER_TRACEBACK", raising=False)
    return tmp_path


@FUZZ
@given(argv=command_lines())
def test_every_command_line_ends_in_an_exit_status_and_at_most_one_error_line(
    scratch: Path, argv: list[str]
) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, out=out, err=err)
    lines = err.getvalue().splitlines()
    assert status in (0, 1, 2), (argv, status)
    assert len(lines) <= 1, (argv, lines)
    assert "Traceback" not in err.getvalue()
    if "q2o_fuzz_source:broken" not in argv:  # the host's own factory raises ZeroDivisionError
        assert "unexpected" not in err.getvalue(), (argv, lines)  # a builtin error escaped
    assert os.getcwd() == str(scratch)
    count("dispatch command line", f"exit {status}")
