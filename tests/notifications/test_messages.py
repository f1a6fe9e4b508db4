from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import pytest

from quote2order import ValidationError
from quote2order.notifications import Attachment, Message, message_id_for, to_email_message


def _message(**changes: object) -> Message:
    values: dict[str, object] = {
        "message_id": "<outbox-1@example.com>",
        "entry_id": "outbox-1",
        "channel": "email",
        "sender_name": "Systemhaus Müller GmbH",
        "sender_email": "auftrag@example.com",
        "recipient_name": "Erika Mustermann",
        "recipient_email": "erika@kunde.example",
        "subject": "Ihre Auftragsbestätigung AB-2026-00001",
        "text": "Guten Tag\n",
        "date": datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
        "attachments": (Attachment("a.pdf", "application/pdf", b"%PDF-1.4"),),
    }
    values.update(changes)
    return Message(**values)  # type: ignore[arg-type]


def _parsed(message: Message):  # type: ignore[no-untyped-def]
    return message_from_bytes(to_email_message(message).as_bytes(), policy=default)


def test_crlf_in_the_subject_cannot_add_a_header() -> None:
    parsed = _parsed(_message(subject="Hallo\r\nBcc: victim@example.com\r\nX-Evil: 1"))
    assert parsed["Bcc"] is None
    assert parsed["X-Evil"] is None
    assert "Bcc: victim@example.com" in str(parsed["Subject"])


def test_crlf_in_a_display_name_cannot_add_a_header() -> None:
    parsed = _parsed(
        _message(recipient_name="Erika\r\nBcc: victim@example.com", sender_name="A\nCc: x@y.z")
    )
    assert parsed["Bcc"] is None
    assert parsed["Cc"] is None
    assert parsed["To"].addresses[0].addr_spec == "erika@kunde.example"


def test_an_address_with_a_line_break_is_refused() -> None:
    with pytest.raises(ValidationError):
        to_email_message(_message(recipient_email="erika@kunde.example\r\nBcc: x@y.z"))


def test_an_address_without_exactly_one_at_sign_is_refused() -> None:
    with pytest.raises(ValidationError):
        to_email_message(_message(recipient_email="not-an-address"))


def test_umlauts_survive_in_headers_and_attachments_keep_their_bytes() -> None:
    parsed = _parsed(_message())
    assert str(parsed["Subject"]) == "Ihre Auftragsbestätigung AB-2026-00001"
    assert parsed["From"].addresses[0].display_name == "Systemhaus Müller GmbH"
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_filename() == "a.pdf"
    assert attachment.get_content() == b"%PDF-1.4"


def test_the_same_message_serialises_to_the_same_bytes() -> None:
    assert to_email_message(_message()).as_bytes() == to_email_message(_message()).as_bytes()


def test_message_ids_are_stable_and_stripped_of_unsafe_characters() -> None:
    assert message_id_for("outbox-1", "example.com") == "<outbox-1@example.com>"
    assert message_id_for("a b>c", "ex ample.com") == "<a-b-c@ex-ample.com>"
