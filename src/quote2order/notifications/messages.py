"""Messages to customers, the Notifier port that delivers them, and their e-mail form.

Headers are built with :class:`email.message.EmailMessage` under ``policy=SMTP`` and
:class:`email.headerregistry.Address`, which refuse or encode CR and LF, so a name or
subject from anyone can never add a header.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Protocol

import attrs

from quote2order.errors import ValidationError

__all__ = ["Attachment", "Message", "Notifier", "message_id_for", "to_email_message"]


@attrs.frozen
class Attachment:
    """A file attached to a message."""

    filename: str
    media_type: str  # "application/pdf", "text/html"
    content: bytes


@attrs.frozen
class Message:
    """One notification to one recipient, ready to deliver.

    ``message_id`` is derived from the outbox entry, so a re-send after a crash carries
    the same Message-ID and the recipient's mail system can drop the duplicate.
    """

    message_id: str  # "<outbox-1@quote2order.invalid>"
    entry_id: str
    channel: str  # "email" or "portal"
    sender_name: str
    sender_email: str
    recipient_name: str
    recipient_email: str
    subject: str
    text: str
    date: datetime
    attachments: tuple[Attachment, ...] = ()
    document_id: str = ""


class Notifier(Protocol):
    """Delivers a message (SMTP, a directory of .eml files, the host's portal, ...)."""

    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise DeliveryError (``permanent=True``: do not retry)."""
        ...


_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def message_id_for(entry_id: str, domain: str) -> str:
    """The stable Message-ID of outbox entry ``entry_id`` (``<entry@domain>``)."""
    safe_domain = _ID_UNSAFE.sub("-", domain) or "quote2order.invalid"
    return f"<{_ID_UNSAFE.sub('-', entry_id)}@{safe_domain}>"


def _address(name: str, email: str) -> Address:
    if "\r" in email or "\n" in email or email.count("@") != 1:
        raise ValidationError(f"not a usable e-mail address: {email!r}")
    username, domain = email.split("@")
    # A display name is free text: line breaks become spaces, never a new header.
    clean_name = " ".join(name.split())
    try:
        return Address(display_name=clean_name, username=username, domain=domain)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"not a usable e-mail address: {email!r}") from exc


def to_email_message(message: Message) -> EmailMessage:
    """The RFC 5322 form of ``message``, with its attachments."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = _address(message.sender_name, message.sender_email)
    mail["To"] = _address(message.recipient_name, message.recipient_email)
    mail["Subject"] = " ".join(message.subject.split())
    mail["Date"] = format_datetime(message.date)
    mail["Message-ID"] = message.message_id
    mail.set_content(message.text)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.media_type.partition("/")
        mail.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype,
            filename=" ".join(attachment.filename.split()),
        )
    if mail.is_multipart():
        # A boundary derived from the Message-ID makes a re-send byte-identical.
        digest = hashlib.sha256(message.message_id.encode()).hexdigest()[:32]
        mail.set_boundary(f"=_q2o_{digest}")
    return mail
