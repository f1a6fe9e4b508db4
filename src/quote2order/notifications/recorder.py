"""The event handler that records documents and outbox entries with the state change.

Pass a :class:`NotificationRecorder` in ``Quote2Order(handlers=[...])``: it runs inside
the command's unit of work, so the document record, the outbox entries and the state
change commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from quote2order.errors import ValidationError
from quote2order.events import (
    DomainEvent,
    OrderCompleted,
    OrderConfirmed,
    OrderInvoiced,
    OrderShipped,
    QuoteSent,
)
from quote2order.notifications.sellers import SellerDirectory
from quote2order.notifications.settings import Channel, Notification, SettingsProvider
from quote2order.notifications.snapshots import DocumentKind, order_snapshot, quote_snapshot
from quote2order.orders import Order
from quote2order.ports import DocumentRecord, IdGenerator, OutboxEntry, UnitOfWork
from quote2order.quotes import Customer

__all__ = ["NotificationRecorder"]

_ORDER_DOCUMENTS: dict[type[DomainEvent], tuple[Notification, DocumentKind]] = {
    OrderConfirmed: (Notification.ORDER_CONFIRMATION, DocumentKind.ORDER_CONFIRMATION),
    OrderCompleted: (Notification.SHIPPING_CONFIRMATION, DocumentKind.DELIVERY_NOTE),
    OrderShipped: (Notification.SHIPPING_CONFIRMATION, DocumentKind.DELIVERY_NOTE),
    OrderInvoiced: (Notification.PROFORMA_INVOICE, DocumentKind.PROFORMA_INVOICE),
}


class NotificationRecorder:
    """Records a document for each notifying event and an outbox entry per active channel.

    Documents are always recorded (the pro-forma invoice is made automatically; every
    sent quote version keeps its document); ``snapshot["published"]`` says whether the
    portal channel was on, i.e. whether the customer's portal should list it. A
    notification switched off records no outbox entry.
    """

    def __init__(
        self,
        settings: SettingsProvider,
        sellers: SellerDirectory,
        ids: IdGenerator,
        *,
        link_url: str | None = None,
    ) -> None:
        if link_url is not None and "{token}" not in link_url:
            raise ValidationError("link_url must contain {token}")
        self._settings = settings
        self._sellers = sellers
        self._ids = ids
        self._link_url = link_url

    def __call__(self, uow: UnitOfWork, event: DomainEvent) -> None:
        if isinstance(event, QuoteSent):
            self._quote_sent(uow, event)
            return
        found = _ORDER_DOCUMENTS.get(type(event))
        if isinstance(event, OrderCompleted) and event.by_parcels:
            return  # every parcel had its own delivery note already
        if found is not None:
            self._order_event(uow, event, *found)

    def _quote_sent(self, uow: UnitOfWork, event: QuoteSent) -> None:
        quote = uow.quotes.get(event.aggregate_id)
        channels = self._settings.settings_for(quote.reseller_id).channels(
            Notification.QUOTE_VERSION
        )
        link = ""
        if event.link_token and self._link_url is not None:
            link = self._link_url.format(token=event.link_token)
        elif event.version == 1:
            # Without the link, version 1 reaches the customer through the host's own way.
            channels = frozenset()
        snapshot = quote_snapshot(
            quote,
            event.version,
            self._sellers.seller(quote.reseller_id),
            published=Channel.PORTAL in channels or event.version == 1,
        )
        self._record(
            uow,
            event,
            kind=DocumentKind.QUOTE,
            notification=Notification.QUOTE_VERSION,
            channels=channels,
            reseller_id=quote.reseller_id,
            customer=quote.customer,
            snapshot=snapshot,
            link=link,
        )

    def _order_event(
        self, uow: UnitOfWork, event: DomainEvent, notification: Notification, kind: DocumentKind
    ) -> None:
        order: Order = uow.orders.get(event.aggregate_id)
        channels = self._settings.settings_for(order.reseller_id).channels(notification)
        # A parcel's delivery note is of the parcel just recorded: the order's last one.
        parcel = len(order.shipments) if isinstance(event, OrderShipped) else None
        if kind is DocumentKind.PROFORMA_INVOICE:
            number = order.proforma_number or ""
        elif parcel is not None:
            number = f"{order.order_number}-{parcel}"  # one delivery note per parcel
        else:
            number = order.order_number
        quote = uow.quotes.get(order.quote_id, reseller_id=order.reseller_id)
        version = quote.version(order.quote_version)
        snapshot = order_snapshot(
            order,
            kind,
            self._sellers.seller(order.reseller_id),
            title=version.title,
            number=number,
            issued=event.occurred_at,
            published=Channel.PORTAL in channels,
            notes=version.notes,
            parcel=parcel,
        )
        self._record(
            uow,
            event,
            kind=kind,
            notification=notification,
            channels=channels,
            reseller_id=order.reseller_id,
            customer=order.customer,
            snapshot=snapshot,
        )

    def _record(
        self,
        uow: UnitOfWork,
        event: DomainEvent,
        *,
        kind: DocumentKind,
        notification: Notification,
        channels: frozenset[Channel],
        reseller_id: str,
        customer: Customer,
        snapshot: dict[str, Any],
        link: str = "",
    ) -> None:
        now: datetime = event.occurred_at
        document = DocumentRecord(
            document_id=self._ids.new_id("document"),
            kind=kind.value,
            aggregate_kind=event.aggregate_kind,
            aggregate_id=event.aggregate_id,
            number=str(snapshot["number"]),
            locale=customer.locale,
            snapshot=snapshot,
            created_at=now,
        )
        uow.documents.add(document)
        # A stable channel order keeps entry ids (and so Message-IDs) reproducible in tests.
        for channel in sorted(channels, key=lambda c: c.value):
            uow.outbox.add(
                OutboxEntry(
                    entry_id=self._ids.new_id("outbox"),
                    reseller_id=reseller_id,
                    notification=notification.value,
                    channel=channel.value,
                    aggregate_kind=event.aggregate_kind,
                    aggregate_id=event.aggregate_id,
                    recipient=customer.email,
                    locale=customer.locale,
                    payload={"document_id": document.document_id, "kind": kind.value}
                    # The link (a secret) goes only into the e-mail; erased once it is sent.
                    | ({"link": link} if link and channel is Channel.EMAIL else {}),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
