"""Composing the message of an outbox entry: subject, text and attached documents."""

from __future__ import annotations

from collections.abc import Sequence

from quote2order.formatting import translations
from quote2order.notifications.documents import Renderer, document_filename
from quote2order.notifications.messages import Attachment, Message, message_id_for
from quote2order.notifications.snapshots import DocumentKind
from quote2order.notifications.views import Gettext, document_view
from quote2order.notifications.views import legal_particulars as _footer
from quote2order.ports import DocumentRecord, OutboxEntry

__all__ = ["compose_message"]


def _subject(kind: str, document: DocumentRecord, _: Gettext) -> str:
    snapshot = document.snapshot
    if kind == DocumentKind.QUOTE.value and snapshot["version"] == 1:
        return _('Your quote "{title}"').format(title=snapshot["title"])
    if kind == DocumentKind.QUOTE.value:
        return _('New version {version} of your quote "{title}"').format(
            version=snapshot["version"], title=snapshot["title"]
        )
    if kind == DocumentKind.ORDER_CONFIRMATION.value:
        return _("Your order confirmation {number}").format(number=document.number)
    if kind == DocumentKind.DELIVERY_NOTE.value:
        return _("Shipping confirmation for your order {number}").format(number=document.number)
    return _("Pro forma invoice {number}").format(number=document.number)


def _body(kind: str, document: DocumentRecord, _: Gettext) -> list[str]:
    snapshot = document.snapshot
    if kind == DocumentKind.QUOTE.value:
        if snapshot["version"] == 1:
            return [
                _('your quote "{title}" is ready for you in the quote portal.').format(
                    title=snapshot["title"]
                )
            ]
        return [
            _(
                "we have revised your quote. Version {version} is ready for you in the quote portal, through the same link as before."
            ).format(version=snapshot["version"])
        ]
    if kind == DocumentKind.ORDER_CONFIRMATION.value:
        return [_("thank you for your order. We confirm it and have put it into fulfilment.")]
    if kind == DocumentKind.DELIVERY_NOTE.value:
        lines = [_("your order has been shipped. The delivery note is attached.")]
        lines += [
            _("{carrier}, tracking number {tracking_number}").format(
                carrier=s["carrier"], tracking_number=s["tracking_number"]
            )
            for s in snapshot["shipments"]
        ]
        return lines
    return [
        _(
            "your order has been invoiced. The pro forma invoice is attached; it is not a tax invoice, the invoice follows separately."
        )
    ]


def compose_message(
    entry: OutboxEntry,
    document: DocumentRecord,
    renderers: Sequence[Renderer],
    *,
    message_domain: str | None = None,
) -> Message:
    """The message for ``entry``: translated text, rendered documents attached.

    A portal entry carries no attachments; the portal shows the stored document.
    The Message-ID's domain is ``message_domain``, else the seller's e-mail domain.
    """
    _ = translations(entry.locale).gettext
    kind = document.kind
    buyer = document.snapshot["buyer"]
    seller = document.snapshot["seller"]
    attachments: tuple[Attachment, ...] = ()
    if entry.channel == "email" and renderers:
        title = document_view(document).title
        attachments = tuple(
            Attachment(
                document_filename(title, renderer.extension),
                rendered.media_type,
                rendered.content,
            )
            for renderer in renderers
            for rendered in (renderer.render(document),)
        )
    greeting = _("Dear {name},").format(name=buyer["name"])
    body = _body(kind, document, _)
    link = str(entry.payload.get("link", ""))
    if link:
        body.append(_("Your quote: {link}").format(link=link))
    # The signature carries the same legal particulars as the documents (section 35a GmbHG).
    signature = "\n".join(["-- ", *_footer(seller, _)])
    text = "\n\n".join([greeting, *body, _("Kind regards"), seller["name"], signature])
    return Message(
        message_id=message_id_for(
            entry.entry_id, message_domain or str(seller["email"]).rpartition("@")[2]
        ),
        entry_id=entry.entry_id,
        channel=entry.channel,
        sender_name=seller["name"],
        sender_email=seller["email"],
        recipient_name=buyer["name"],
        recipient_email=entry.recipient,
        subject=_subject(kind, document, _),
        text=text + "\n",
        date=entry.created_at,  # a re-send is the same message, byte for byte
        attachments=attachments,
        document_id=document.document_id,
    )
