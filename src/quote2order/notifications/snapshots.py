"""Document snapshots: everything needed to render a document, as JSON-ready plain values.

A snapshot is taken in the unit of work of the state change and stored in a
:class:`~quote2order.ports.DocumentRecord`; rendering later reads only the snapshot, so
the same record always renders the same document. Amounts are decimal strings with
their currency; dates are ISO strings; formatting for a locale happens at render time.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from quote2order.money import DocumentTotals
from quote2order.notifications.sellers import Seller
from quote2order.orders import Order
from quote2order.positions import Position
from quote2order.quotes import Customer, PositionChange, Quote

__all__ = ["SNAPSHOT_SCHEMA", "DocumentKind", "order_snapshot", "quote_snapshot"]

#: Bumped when the snapshot's shape changes, so renderers can read old records.
SNAPSHOT_SCHEMA = 1


class DocumentKind(enum.Enum):
    """The documents quote2order makes."""

    QUOTE = "quote"  # one quote version, with its changes against the version before
    ORDER_CONFIRMATION = "order_confirmation"  # Auftragsbestätigung
    DELIVERY_NOTE = "delivery_note"  # Lieferschein, with the shipping confirmation
    PROFORMA_INVOICE = "proforma_invoice"  # Proforma-Rechnung; not a tax invoice


def _seller(seller: Seller) -> dict[str, Any]:
    return {
        "name": seller.name,
        "email": seller.email,
        "address": list(seller.address),
        "vat_id": seller.vat_id,
        "phone": seller.phone,
        "website": seller.website,
    }


def _buyer(customer: Customer) -> dict[str, Any]:
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "company": customer.company,
        "email": customer.email,
        "address": list(customer.address),
        "vat_id": customer.vat_id,
    }


def _positions(positions: Sequence[Position]) -> list[dict[str, Any]]:
    return [
        {
            "number": index,
            "position_id": p.position_id,
            "kind": p.kind.value,
            "name": p.name,
            "description": p.description,
            "manufacturer_part_number": p.product.manufacturer_part_number if p.product else "",
            "quantity": str(p.quantity),
            "unit_price": str(p.unit_price.amount),
            "discount": str(p.discount),
            "vat_rate": str(p.vat_rate.percent),
            "net": str(p.net_amount.amount),
        }
        for index, p in enumerate(positions, start=1)
    ]


def _totals(totals: DocumentTotals) -> dict[str, Any]:
    return {
        "net": str(totals.net.amount),
        "vat": [
            {
                "rate": str(s.rate.percent),
                "taxable": str(s.taxable.amount),
                "vat": str(s.vat.amount),
            }
            for s in totals.vat_subtotals
        ],
        "vat_total": str(totals.vat.amount),
        "gross": str(totals.gross.amount),
    }


def _changes(changes: Sequence[PositionChange]) -> list[dict[str, Any]]:
    return [
        {"change": c.change, "position_id": c.position_id, "name": c.name, "fields": list(c.fields)}
        for c in changes
    ]


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else ""


def quote_snapshot(
    quote: Quote, version: int, seller: Seller, *, published: bool
) -> dict[str, Any]:
    """The snapshot of quote version ``version`` (sent), with its changes."""
    content = quote.version(version)
    return {
        "schema": SNAPSHOT_SCHEMA,
        "kind": DocumentKind.QUOTE.value,
        "number": f"{quote.number or quote.quote_id}-V{version}",
        "currency": quote.currency,
        "published": published,
        "seller": _seller(seller),
        "buyer": _buyer(quote.customer),
        "title": content.title,
        "notes": content.notes,
        "version": version,
        "dates": {
            "issued": _day(content.sent_at or content.created_at),
            "valid_until": content.valid_until.isoformat(),
        },
        "references": {"quote_id": quote.quote_id},
        "positions": _positions(content.positions),
        "totals": _totals(content.totals(quote.currency)),
        "changes": _changes(quote.changes(version)) if version > 1 else [],
        "shipments": [],
    }


def order_snapshot(
    order: Order,
    kind: DocumentKind,
    seller: Seller,
    *,
    title: str,
    number: str,
    issued: datetime,
    published: bool,
) -> dict[str, Any]:
    """The snapshot of an order document (confirmation, delivery note, pro-forma invoice)."""
    names = {p.position_id: p.name for p in order.positions}
    shipped = order.shipped_quantities()
    shipments = [
        {
            "carrier": s.carrier,
            "tracking_number": s.tracking_number,
            "items": [
                {
                    "position_id": i.position_id,
                    "name": names[i.position_id],
                    "quantity": str(i.quantity),
                }
                for i in s.items
            ],
        }
        for s in order.shipments
    ]
    positions = _positions(order.positions)
    for position in positions:
        position["shipped"] = str(shipped.get(position["position_id"], "0"))
    return {
        "schema": SNAPSHOT_SCHEMA,
        "kind": kind.value,
        "number": number,
        "currency": order.currency,
        "published": published,
        "seller": _seller(seller),
        "buyer": _buyer(order.customer),
        "title": title,
        "notes": "",
        "version": order.quote_version,
        "dates": {
            "issued": _day(issued),
            "ordered": _day(order.created_at),
            "confirmed": _day(order.confirmed_at),
            "shipped": _day(order.completed_at),
            "invoiced": _day(order.invoiced_at),
        },
        "references": {
            "order_id": order.order_id,
            "order_number": order.order_number,
            "quote_id": order.quote_id,
            "proforma_number": order.proforma_number or "",
        },
        "positions": positions,
        "totals": _totals(order.totals),
        "changes": [],
        "shipments": shipments,
    }
