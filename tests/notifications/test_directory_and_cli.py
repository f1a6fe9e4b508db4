"""The directory (.eml) notifier, the dispatch command, and what importing pulls in."""

from __future__ import annotations

import io
import subprocess
import sys
import types
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from quote2order.adapters.html import HtmlRenderer
from quote2order.adapters.maildir import DirectoryNotifier
from quote2order.adapters.pdf import PdfRenderer
from quote2order.notifications import UnitOfWorkDocuments, compose_message
from quote2order.notifications.cli import main

from .conftest import World


def test_the_directory_notifier_writes_one_eml_per_message_id_with_attachments(
    world: World, tmp_path: Path
) -> None:
    world.invoiced_order()
    world.dispatcher(DirectoryNotifier(tmp_path), [HtmlRenderer(), PdfRenderer()]).run_until_empty()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [
        "outbox-1@systemhaus-mueller.example.eml",
        "outbox-3@systemhaus-mueller.example.eml",
        "outbox-5@systemhaus-mueller.example.eml",
    ]
    mail = message_from_bytes((tmp_path / files[2]).read_bytes(), policy=default)
    assert mail["Subject"] == "Proforma-Rechnung PF-2026-00001"
    assert [a.get_filename() for a in mail.iter_attachments()] == [
        "Proforma-Rechnung_PF-2026-00001.html",
        "Proforma-Rechnung_PF-2026-00001.pdf",
    ]


def test_a_resend_after_a_crash_writes_the_same_file_with_the_same_bytes(
    world: World, tmp_path: Path
) -> None:
    world.invoiced_order()
    notifier = DirectoryNotifier(tmp_path)
    world.dispatcher(notifier, [PdfRenderer()]).run_until_empty()
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for path in tmp_path.iterdir():
        path.unlink()
    # What a dispatcher does for an entry it sent but could not mark before dying:
    documents = UnitOfWorkDocuments(world.store)
    for entry in world.store.outbox_store.list():
        if entry.channel == "email":
            document = documents.get(entry.payload["document_id"])
            notifier.send(compose_message(entry, document, [PdfRenderer()]))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == first


def test_an_unwritable_directory_is_a_delivery_error(world: World, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    world.invoiced_order()
    dispatcher = world.dispatcher(DirectoryNotifier(blocker / "mail"), max_attempts=1)
    report = dispatcher.run_until_empty()
    assert report.failed == 3
    assert "DeliveryError" in dispatcher.failed()[0].last_error


@pytest.fixture
def cli_world(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    module = types.ModuleType("q2o_cli_source")
    module.source = lambda: (world.store.outbox_store, UnitOfWorkDocuments(world.store))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "q2o_cli_source", module)
    return world


def test_the_dispatch_command_sends_due_entries_into_a_directory(
    cli_world: World, tmp_path: Path
) -> None:
    cli_world.invoiced_order()
    out = io.StringIO()
    code = main(
        ["--source", "q2o_cli_source:source", "--directory", str(tmp_path), "--render", "html,pdf"],
        clock=cli_world.clock,
        out=out,
    )
    assert code == 0
    assert out.getvalue() == "sent 6, retrying 0, failed 0, lost leases 0\n"
    assert len(list(tmp_path.glob("*.eml"))) == 3


def test_the_dispatch_command_lists_and_retries_failed_entries(
    cli_world: World, tmp_path: Path
) -> None:
    cli_world.invoiced_order()
    blocker = tmp_path / "file"
    blocker.write_text("")
    args = ["--source", "q2o_cli_source:source", "--max-attempts", "1"]
    assert (
        main([*args, "--directory", str(blocker / "x")], clock=cli_world.clock, out=io.StringIO())
        == 1
    )
    listing = io.StringIO()
    assert main([*args, "--list-failed"], clock=cli_world.clock, out=listing) == 0
    failed_ids = [line.split("\t")[0] for line in listing.getvalue().splitlines()]
    assert failed_ids == ["outbox-1", "outbox-3", "outbox-5"]
    assert main([*args, "--retry", "outbox-3"], clock=cli_world.clock, out=io.StringIO()) == 0
    assert (
        main(
            [*args, "--directory", str(tmp_path / "mail")], clock=cli_world.clock, out=io.StringIO()
        )
        == 0
    )
    assert [p.name for p in (tmp_path / "mail").iterdir()] == [
        "outbox-3@systemhaus-mueller.example.eml"
    ]


def test_the_dispatch_command_refuses_a_malformed_source() -> None:
    err = io.StringIO()
    assert main(["--source", "no-colon", "--directory", "x"], err=err) == 2
    assert "--source must look like module:function" in err.getvalue()


def test_importing_the_library_and_notifications_pulls_in_no_adapter_or_optional_dependency() -> (
    None
):
    code = (
        "import sys, quote2order, quote2order.notifications, quote2order.testing;"
        "bad = [m for m in ('jinja2', 'fpdf', 'smtplib', 'quote2order.adapters.smtp', 'quote2order.adapters.html',"
        " 'quote2order.adapters.pdf', 'quote2order.adapters.maildir') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")},
    )
    assert result.stdout.strip() == ""


def test_only_formatting_imports_babel() -> None:
    package = Path(__file__).resolve().parents[2] / "src" / "quote2order"
    importers = sorted(
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if "import babel" in p.read_text() or "from babel" in p.read_text()
    )
    assert importers == ["formatting.py"]


def test_the_dispatch_command_reads_the_outbox_of_an_sqlite_database(tmp_path: Path) -> None:
    from quote2order.adapters.sqlite import SqliteStore

    database = tmp_path / "shop.db"
    with SqliteStore(str(database)) as store:
        world = World(uow_factory=store)
        world.invoiced_order()
    out = io.StringIO()
    mail = tmp_path / "mail"
    code = main(
        ["--sqlite", str(database), "--directory", str(mail), "--render", "pdf"],
        clock=world.clock,
        out=out,
    )
    assert code == 0
    assert out.getvalue() == "sent 6, retrying 0, failed 0, lost leases 0\n"
    assert len(list(mail.glob("*.eml"))) == 3
