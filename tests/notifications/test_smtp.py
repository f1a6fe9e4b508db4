"""The SMTP notifier against a real SMTP server on loopback."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from quote2order import DeliveryError, ValidationError
from quote2order.adapters.smtp import SmtpNotifier
from quote2order.notifications import Attachment, Message

from ._smtp import Inbox, authenticate, free_port, self_signed, smtp_server


def _message(**changes: object) -> Message:
    values: dict[str, object] = {
        "message_id": "<outbox-7@systemhaus-mueller.example>",
        "entry_id": "outbox-7",
        "channel": "email",
        "sender_name": "Systemhaus Müller GmbH",
        "sender_email": "auftrag@systemhaus-mueller.example",
        "recipient_name": "Erika Mustermann",
        "recipient_email": "erika@kunde.example",
        "subject": "Proforma-Rechnung PF-2026-00001",
        "text": "Guten Tag Erika Mustermann,\n",
        "date": datetime(2026, 1, 18, 9, 0, tzinfo=UTC),
        "attachments": (
            Attachment("Proforma-Rechnung_PF-2026-00001.pdf", "application/pdf", b"%PDF-1.4 test"),
        ),
    }
    values.update(changes)
    return Message(**values)  # type: ignore[arg-type]


needs_openssl = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="openssl makes the test certificate"
)


def test_a_message_arrives_with_its_message_id_subject_and_attachment() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as (host, port):
        SmtpNotifier(host, port, security="none").send(_message())
    (received,) = inbox.received
    assert received["Message-ID"] == "<outbox-7@systemhaus-mueller.example>"
    assert received["Subject"] == "Proforma-Rechnung PF-2026-00001"
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_content() == b"%PDF-1.4 test"


def test_a_header_injection_attempt_arrives_as_one_harmless_subject() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as (host, port):
        SmtpNotifier(host, port, security="none").send(
            _message(subject="Hi\r\nBcc: victim@example.com", recipient_name="E\r\nX-Evil: 1")
        )
    (received,) = inbox.received
    assert received["Bcc"] is None
    assert received["X-Evil"] is None


def test_a_451_answer_is_a_retryable_delivery_error() -> None:
    with (
        smtp_server(Inbox(failure_rate=1.0)) as (host, port),
        pytest.raises(DeliveryError) as caught,
    ):
        SmtpNotifier(host, port, security="none").send(_message())
    assert not caught.value.permanent
    assert "451" in str(caught.value)


def test_an_unreachable_server_is_a_retryable_delivery_error() -> None:
    with pytest.raises(DeliveryError) as caught:
        SmtpNotifier("127.0.0.1", free_port(), security="none", timeout=2).send(_message())
    assert not caught.value.permanent


@needs_openssl
def test_starttls_with_login_delivers(tmp_path: Path) -> None:
    server_context, client_context = self_signed(tmp_path)
    inbox = Inbox()
    options = {
        "tls_context": server_context,
        "require_starttls": True,
        "authenticator": authenticate,
        "auth_require_tls": True,
    }
    with smtp_server(inbox, **options) as (host, port):
        SmtpNotifier(
            host,
            port,
            security="starttls",
            username="shop",
            password="s3cret",
            ssl_context=client_context,
        ).send(_message())
    assert len(inbox.received) == 1


@needs_openssl
def test_a_wrong_password_is_a_permanent_delivery_error(tmp_path: Path) -> None:
    server_context, client_context = self_signed(tmp_path)
    options = {
        "tls_context": server_context,
        "require_starttls": True,
        "authenticator": authenticate,
        "auth_require_tls": True,
    }
    with smtp_server(Inbox(), **options) as (host, port), pytest.raises(DeliveryError) as caught:
        SmtpNotifier(
            host,
            port,
            security="starttls",
            username="shop",
            password="wrong",
            ssl_context=client_context,
            timeout=5,
        ).send(_message())
    assert caught.value.permanent


@needs_openssl
def test_without_starttls_a_server_that_requires_it_refuses(tmp_path: Path) -> None:
    server_context, _ = self_signed(tmp_path)
    with (
        smtp_server(Inbox(), tls_context=server_context, require_starttls=True) as (host, port),
        pytest.raises(DeliveryError),
    ):
        SmtpNotifier(host, port, security="none").send(_message())


@needs_openssl
def test_implicit_tls_delivers(tmp_path: Path) -> None:
    server_context, client_context = self_signed(tmp_path)
    inbox = Inbox()
    with smtp_server(inbox, ssl_context=server_context, server_hostname="localhost") as (
        host,
        port,
    ):
        SmtpNotifier(host, port, security="tls", ssl_context=client_context).send(_message())
    assert len(inbox.received) == 1


def test_bad_options_are_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="security"):
        SmtpNotifier("localhost", security="ssl")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="password"):
        SmtpNotifier("localhost", username="shop")


def test_the_default_is_starttls_and_a_server_without_it_gets_nothing() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as (host, port), pytest.raises(DeliveryError, match="STARTTLS"):
        SmtpNotifier(host, port).send(_message())
    assert inbox.received == []
    assert (SmtpNotifier("localhost").security, SmtpNotifier("localhost").port) == ("starttls", 587)
    assert SmtpNotifier("localhost", security="tls").port == 465


def test_a_login_over_an_unencrypted_connection_needs_an_explicit_yes() -> None:
    with pytest.raises(ValidationError, match="unencrypted"):
        SmtpNotifier("localhost", security="none", username="shop", password="s3cret")
    inbox = Inbox()
    options = {"authenticator": authenticate, "auth_require_tls": False}
    with smtp_server(inbox, **options) as (host, port):
        SmtpNotifier(
            host,
            port,
            security="none",
            username="shop",
            password="s3cret",
            allow_unencrypted_login=True,
        ).send(_message())
    assert len(inbox.received) == 1


def test_the_envelope_names_exactly_the_sender_and_the_one_recipient() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as (host, port):
        SmtpNotifier(host, port, security="none").send(
            _message(recipient_name="victim@evil.example, other@evil.example")
        )
    assert inbox.envelopes == [("auftrag@systemhaus-mueller.example", ["erika@kunde.example"])]
