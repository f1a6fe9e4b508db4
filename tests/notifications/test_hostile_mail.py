"""Hostile names, titles and addresses: refused at the boundary, or harmless in the .eml.

Each row of the table goes two ways. Through the schemas and the service: the schema
refuses it, or the ``.eml`` files the dispatcher writes, parsed back, carry exactly the
expected headers and the one expected recipient. Straight into a Message (a host that
skips the schemas): the e-mail layer refuses it, or writes the same exact headers.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import pytest

from quote2order import Customer, ValidationError
from quote2order.adapters.maildir import DirectoryNotifier
from quote2order.notifications import Message
from quote2order.notifications.messages import POLICY
from quote2order.schemas import CustomerIn, QuoteCreateIn, parse

from .conftest import CUSTOMER, SELLER, World, position

#: The headers of a text-only message, and nothing else.
HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Content-Type",
    "Content-Transfer-Encoding",
    "MIME-Version",
]
RECIPIENT_HEADERS = ("To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc", "Reply-To")

REFUSED, ACCEPTED = "refused", "accepted"
# (field, value, what the schema does with it)
HOSTILE: list[tuple[str, str, str]] = [
    ("name", "=?utf-8?q?Bob=0D=0AReply-To=3A_attacker@evil.example?=", REFUSED),
    ("name", "=?utf-8?q?Bob=0D=0ABcc=3A_victim@evil.example?=", REFUSED),
    ("name", "=?utf-8?b?Qm9iDQpCY2M6IHZpY3RpbUBldmlsLmV4YW1wbGU=?=", REFUSED),
    ("name", "Bob =?UTF-8?Q?=0AX-Evil=3A_1?= Smith", REFUSED),
    ("name", "=?iso-8859-1?q?Bob=0ACc=3A_victim@evil.example?=", REFUSED),
    ("name", "Bob\r\nBcc: victim@evil.example", REFUSED),
    ("name", "Bob\nReply-To: attacker@evil.example", REFUSED),
    ("name", "Bob\u2028Bcc: victim@evil.example", REFUSED),
    ("name", "Bob\x00", REFUSED),
    ("name", "Bob\u202eelpmaxe.live@", REFUSED),
    ("name", "Bob\u200b Smith", REFUSED),
    ("name", "Bob \u2066Smith\u2069", REFUSED),
    ("name", "\ufeffBob", REFUSED),
    ("name", 'Bob" <attacker@evil.example>, "x', ACCEPTED),
    ("name", "Bob <attacker@evil.example>", ACCEPTED),
    ("name", "attacker@evil.example, victim@evil.example", ACCEPTED),
    ("name", "Müller; Bcc: victim@evil.example", ACCEPTED),
    ("name", "(comment) Bob \\ Smith", ACCEPTED),
    ("name", "Bob " + "Ä" * 190, ACCEPTED),
    ("title", "=?utf-8?q?x=0D=0ABcc=3A_victim@evil.example?=", REFUSED),
    ("title", "Angebot =?utf-8?q?=0D=0AReply-To=3A_a@evil.example?=", REFUSED),
    ("title", "Angebot\r\nBcc: victim@evil.example", REFUSED),
    ("title", "Angebot\u202e", REFUSED),
    ("title", "Angebot: Bcc: victim@evil.example", ACCEPTED),
    ("title", "Angebot " + "lang " * 38, ACCEPTED),
    ("email", "bob@example.com,victim@evil.example", REFUSED),
    ("email", "bob@example.com,victim", REFUSED),
    ("email", "bob@example.com;victim@evil.example", REFUSED),
    ("email", "bob@example.com>\r\nBcc: victim@evil.example", REFUSED),
    ("email", '"bob@evil"@example.com', REFUSED),
    ("email", "bob@[127.0.0.1]", REFUSED),
    ("email", "bob@example.com\u202e", REFUSED),
    ("email", "=?utf-8?q?bob?=@example.com", REFUSED),
    ("email", "Bob <bob@example.com>", REFUSED),
    ("email", "bob@example.com (victim@evil.example)", REFUSED),
    ("email", "bob+tag@example.com", ACCEPTED),
]
IDS = [f"{field}-{n}" for n, (field, _, _) in enumerate(HOSTILE)]
SCHEMA_ACCEPTED = [(field, value) for field, value, expected in HOSTILE if expected == ACCEPTED]


def _customer_data(field: str, value: str) -> dict[str, Any]:
    data = {"customer_id": "K-1", "name": CUSTOMER.name, "email": CUSTOMER.email}
    if field in data:
        data[field] = value
    return data


def _schema_accepts(field: str, value: str) -> bool:
    try:
        parse(
            QuoteCreateIn,
            {
                "customer": _customer_data(field, value),
                "title": value if field == "title" else "Arbeitsplätze",
                "valid_until": "2026-03-31",
            },
        )
    except ValidationError:
        return False
    return True


def _parsed_files(directory: Path) -> list[Any]:
    return [
        message_from_bytes(path.read_bytes(), policy=default)
        for path in sorted(directory.glob("*.eml"))
    ]


def _check(mail: Any, name: str, email: str, subject: str | None = None) -> None:
    assert list(mail.keys()) == HEADERS
    recipients = getaddresses([str(v) for h in RECIPIENT_HEADERS for v in mail.get_all(h, [])])
    assert recipients == [(" ".join(name.split()), email)]
    assert [(a.display_name, a.addr_spec) for a in mail["From"].addresses] == [
        (SELLER.name, SELLER.email)
    ]
    if subject is not None:
        assert str(mail["Subject"]) == subject


def test_the_table_holds_at_least_25_hostile_inputs_of_each_kind_together() -> None:
    assert len(HOSTILE) >= 25
    assert {field for field, _, _ in HOSTILE} == {"name", "title", "email"}


@pytest.mark.parametrize(("field", "value", "expected"), HOSTILE, ids=IDS)
def test_the_schema_refuses_or_accepts_each_hostile_input(
    field: str, value: str, expected: str
) -> None:
    assert _schema_accepts(field, value) == (expected == ACCEPTED)


@pytest.mark.parametrize(("field", "value"), SCHEMA_ACCEPTED)
def test_what_the_schema_accepts_is_written_with_exactly_the_expected_headers(
    field: str, value: str, tmp_path: Path
) -> None:
    customer = parse(CustomerIn, _customer_data(field, value)).to_domain()
    world = World(customer=customer)
    title = value if field == "title" else "Arbeitsplätze 2026"
    quote_id = world.sent_quote(title=title)
    world.service.mark_quote_lost(quote_id)
    world.service.reopen_quote(quote_id)
    world.service.edit_quote(quote_id, positions=[position(1), position(3)])
    world.service.send_quote(quote_id)  # version 2: an e-mail whose subject holds the title
    order = world.service.mark_quote_won(quote_id)
    world.service.confirm_order(order.order_id)
    world.dispatcher(DirectoryNotifier(tmp_path)).run_until_empty()
    mails = _parsed_files(tmp_path)
    assert len(mails) == 2
    for mail in mails:
        _check(mail, customer.name, customer.email)
    assert title in str(mails[0]["Subject"])


def _message(field: str, value: str) -> Message:
    return Message(
        message_id="<outbox-1@example.com>",
        entry_id="outbox-1",
        channel="email",
        sender_name=SELLER.name,
        sender_email=SELLER.email,
        recipient_name=value if field == "name" else "Erika Mustermann",
        recipient_email=value if field == "email" else "erika@kunde.example",
        subject=value if field == "title" else "Ihre Auftragsbestätigung",
        text="Guten Tag\n",
        date=datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(("field", "value", "expected"), HOSTILE, ids=IDS)
def test_the_mail_layer_refuses_or_writes_exactly_the_expected_headers(
    field: str, value: str, expected: str, tmp_path: Path
) -> None:
    message = _message(field, value)
    try:
        DirectoryNotifier(tmp_path).send(message)
    except ValidationError:
        assert expected == REFUSED
        assert list(tmp_path.iterdir()) == []
        return
    (mail,) = _parsed_files(tmp_path)
    _check(
        mail,
        message.recipient_name,
        message.recipient_email,
        " ".join(message.subject.split()),
    )


def test_a_customer_built_without_the_schemas_still_cannot_add_a_header(
    tmp_path: Path,
) -> None:
    customer = Customer(
        "K-1", "=?utf-8?q?Bob=0D=0AReply-To=3A_attacker@evil.example?=", "bob@example.com"
    )
    world = World(customer=customer)
    world.service.confirm_order(world.order().order_id)
    dispatcher = world.dispatcher(DirectoryNotifier(tmp_path))
    report = dispatcher.run_until_empty()
    assert list(tmp_path.glob("*.eml")) == []
    assert report.failed == 1
    assert "encoded-word" in dispatcher.failed()[0].last_error


def test_the_mail_policy_refuses_a_header_that_folds_into_a_second_one() -> None:
    """The check behind every generated header, even for text that skipped the refusals."""
    mail = EmailMessage(policy=POLICY)
    mail["Subject"] = "=?utf-8?q?Hi=0D=0ABcc=3A_victim@evil.example?="
    if sys.version_info < (3, 11, 10):  # later versions no longer decode while folding
        with pytest.raises(ValidationError, match="single header"):
            mail.as_bytes()
    else:
        assert b"\r\nBcc:" not in mail.as_bytes()
