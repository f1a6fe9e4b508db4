"""Messages to customers, the Notifier port that delivers them, and their e-mail form.

A name, subject or address from anyone can never add a header or a recipient:

- line breaks in display names and subjects become spaces;
- RFC 2047 encoded words (``=?...?=``) and invisible bidi/zero-width controls are refused
  (:class:`~quote2order.errors.ValidationError`): Python before 3.11.10 / 3.12.5 decodes
  such a word while folding and writes its CR LF out raw (CVE-2024-6923);
- addresses must be plain ``local@host`` (no commas, quotes, comments or brackets) and are
  built as :class:`email.headerregistry.Address`;
- every generated header is checked for a line break that does not continue it, on every
  Python version (later versions do the same with ``verify_generated_headers``).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from typing import Any, Protocol

import attrs

from quote2order._text_rules import EMAIL_ADDRESS, single_line_problem
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


# A line break inside a folded header that is not followed by folding white space would
# start a new header (the check CPython added as ``verify_generated_headers``).
_NEW_HEADER_LINE = re.compile(r"\r\n[^ \t]|\r[^ \n\t]|\n[^ \t]")


def _verified(name: str, folded: str, linesep: str) -> None:
    if not folded.endswith(linesep) or _NEW_HEADER_LINE.search(folded.removesuffix(linesep)):
        raise ValidationError(f"the {name} header would not be a single header: {folded!r}")


class _VerifyingPolicy(EmailPolicy):
    """The SMTP policy, refusing any folded header that would spill into a second one."""

    def fold(self, name: str, value: Any) -> str:
        folded: str = super().fold(name, value)
        _verified(name, folded, self.linesep)
        return folded

    def fold_binary(self, name: str, value: Any) -> bytes:
        folded = super().fold_binary(name, value)
        _verified(name, folded.decode("ascii", "surrogateescape"), self.linesep)
        return folded


# Headers are not folded below RFC 5322's 998-character line limit: Python's folder before
# 3.13 drops or adds spaces where it splits an encoded word, so a folded "Arbeitsplätze 2026"
# arrives as "Arbeitsplätze2026". Names and titles are at most 200 characters, so no header
# written here comes near the limit.
POLICY = _VerifyingPolicy(linesep="\r\n", max_line_length=998)


def _one_line(value: str, what: str) -> str:
    # Free text: line breaks become spaces, never a new header.
    line = " ".join(value.split())
    problem = single_line_problem(line)
    if problem is not None:
        raise ValidationError(f"{what} {line!r}: {problem}", [(what, problem)])
    return line


def _address(name: str, email: str) -> Address:
    if not EMAIL_ADDRESS.fullmatch(email) or single_line_problem(email) is not None:
        raise ValidationError(f"not a usable e-mail address: {email!r}", [("email", email)])
    username, domain = email.split("@")
    display_name = _one_line(name, "display name")
    try:
        return Address(display_name=display_name, username=username, domain=domain)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"not a usable e-mail address: {email!r}") from exc


def to_email_message(message: Message) -> EmailMessage:
    """The RFC 5322 form of ``message``, with its attachments."""
    mail = EmailMessage(policy=POLICY)
    mail["From"] = _address(message.sender_name, message.sender_email)
    mail["To"] = _address(message.recipient_name, message.recipient_email)
    mail["Subject"] = _one_line(message.subject, "subject")
    mail["Date"] = format_datetime(message.date)
    mail["Message-ID"] = message.message_id
    mail.set_content(message.text)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.media_type.partition("/")
        mail.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype,
            filename=_one_line(attachment.filename, "file name"),
        )
    if mail.is_multipart():
        # A boundary derived from the Message-ID makes a re-send byte-identical.
        digest = hashlib.sha256(message.message_id.encode()).hexdigest()[:32]
        mail.set_boundary(f"=_q2o_{digest}")
    for name, value in mail.items():  # refuse now, before a notifier writes any byte
        POLICY.fold_binary(name, value)
    return mail
