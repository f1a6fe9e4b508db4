"""Document snapshots: everything needed to render a document, as JSON-ready plain values.

A snapshot is taken in the unit of work of the state change and stored in a
:class:`~quote2order.ports.DocumentRecord`; rendering later reads only the snapshot, so
the same record always renders the same document. Amounts are decimal strings with
their currency; dates are ISO strings; formatting for a locale happens at render time.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from quote2order.money import DocumentTotals, Money, document_totals
from quote2order.notifications.sellers import Seller
from quote2order.orders import Order, Shipment, is_goods
from quote2order.positions import Position
from quote2order.quotes import Customer, PositionChange, Quote

__all__ = ["SNAPSHOT_SCHEMA", "DocumentKind", "order_snapshot", "quote_snapshot"]

#: Bumped when the snapshot's shape changes, so renderers can read old records.
#: 2: the seller's legal particulars, bank accounts and logo, terms, texts, the
#: pro-forma's payment block, per-parcel delivery notes and what was not delivered.
SNAPSHOT_SCHEMA = 2


class DocumentKind(enum.Enum):
    """The documents quote2order makes."""

    QUOTE = "quote"  # one quote version, with its changes against the version before
    ORDER_CONFIRMATION = "order_confirmation"  # Auftragsbestätigung
    DELIVERY_NOTE = "delivery_note"  # Lieferschein, with the shipping confirmation
    PROFORMA_INVOICE = "proforma_invoice"  # Proforma-Rechnung; not a tax invoice


def _seller(seller: Seller) -> dict[str, Any]:
    logo = seller.logo
    return {
        "name": seller.name,
        "email": seller.email,
        "address": list(seller.address),
        "vat_id": seller.vat_id,
        "phone": seller.phone,
        "website": seller.website,
        "legal_form": seller.legal_form,
        "registered_office": seller.registered_office,
        "register_court": seller.register_court,
        "register_number": seller.register_number,
        "managing_directors": list(seller.managing_directors),
        "tax_number": seller.tax_number,
        "bank_accounts": [
            {"iban": a.iban, "bic": a.bic, "bank_name": a.bank_name} for a in seller.bank_accounts
        ],
        # The logo is copied in, so the record re-renders the same even after a new logo.
        "logo": None
        if logo is None
        else {"media_type": logo.media_type, "base64": base64.b64encode(logo.content).decode()},
    }


def _terms(seller: Seller) -> dict[str, Any]:
    terms = seller.payment_terms
    return {
        "payment_days": terms.days,
        "discount_percent": str(terms.discount_percent),
        "discount_days": terms.discount_days,
        "delivery": seller.delivery_terms,
    }


def _texts(seller: Seller, kind: DocumentKind) -> dict[str, str]:
    texts = seller.texts_for(kind.value)
    return {"intro": texts.intro, "closing": texts.closing}


def _payment(seller: Seller, gross: Money, issued: datetime, reference: str) -> dict[str, Any]:
    """The pro-forma's payment block: amount due, due date, reference, Skonto (exact)."""
    terms = seller.payment_terms
    day = issued.date()
    discount = terms.discount(gross, day)
    return {
        "amount_due": str(gross.amount),
        "due_date": terms.due_date(day).isoformat(),
        "reference": reference,
        "discount": None
        if discount is None
        else {
            "percent": str(discount.percent),
            "until": discount.until.isoformat(),
            "amount": str(discount.amount.amount),
            "pay": str(discount.pay.amount),
        },
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
        "terms": _terms(seller),
        "texts": _texts(seller, DocumentKind.QUOTE),
    }


def _shipment(shipment: Shipment, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "items": [
            {
                "position_id": i.position_id,
                "name": names[i.position_id],
                "quantity": str(i.quantity),
            }
            for i in shipment.items
        ],
    }


def _billed(order: Order) -> tuple[list[Position], list[dict[str, Any]]]:
    """The positions as delivered (goods shipped, services in full) and what was not."""
    delivered = order.delivered_quantities()
    billed, missing = [], []
    for position in order.positions:
        quantity = delivered.get(position.position_id, Decimal(0))
        if quantity > 0:
            billed.append(
                position
                if quantity == position.quantity
                else attrs.evolve(position, quantity=quantity)
            )
        if quantity < position.quantity:
            missing.append({"name": position.name, "quantity": str(position.quantity - quantity)})
    return billed, missing


def order_snapshot(
    order: Order,
    kind: DocumentKind,
    seller: Seller,
    *,
    title: str,
    number: str,
    issued: datetime,
    published: bool,
    notes: str = "",
    parcel: int | None = None,
) -> dict[str, Any]:
    """The snapshot of an order document (confirmation, delivery note, pro-forma invoice).

    ``parcel`` (1-based) makes a delivery note of that one shipment; without it a delivery
    note covers every shipment. The pro-forma bills what was delivered plus services.
    """
    names = {p.position_id: p.name for p in order.positions}
    shipped = order.shipped_quantities()
    shipments = list(order.shipments)
    if parcel is not None:
        shipments = [order.shipments[parcel - 1]]
        in_parcel = {i.position_id: i.quantity for i in shipments[0].items}
        shipped = dict(in_parcel)
    source = list(order.positions)
    not_delivered: list[dict[str, Any]] = []
    if kind is DocumentKind.PROFORMA_INVOICE:
        source, not_delivered = _billed(order)
    positions = _positions(source)
    for position, core in zip(positions, source, strict=True):
        position["service"] = not is_goods(core)
        position["shipped"] = str(shipped.get(position["position_id"], "0"))
    if kind is DocumentKind.DELIVERY_NOTE and parcel is not None:
        # A parcel's note lists exactly the goods in it (and the services, as services).
        positions = [p for p in positions if p["service"] or p["position_id"] in shipped]
    totals = document_totals_of(source, order.currency)
    shipped_on = shipments[0].shipped_at if parcel is not None else order.completed_at
    snapshot: dict[str, Any] = {
        "schema": SNAPSHOT_SCHEMA,
        "kind": kind.value,
        "number": number,
        "currency": order.currency,
        "published": published,
        "seller": _seller(seller),
        "buyer": _buyer(order.customer),
        "title": title,
        "notes": notes,
        "version": order.quote_version,
        "dates": {
            "issued": _day(issued),
            "ordered": _day(order.created_at),
            "confirmed": _day(order.confirmed_at),
            "shipped": _day(shipped_on),
            "invoiced": _day(order.invoiced_at),
        },
        "references": {
            "order_id": order.order_id,
            "order_number": order.order_number,
            "quote_id": order.quote_id,
            "proforma_number": order.proforma_number or "",
        },
        "positions": positions,
        "totals": _totals(totals),
        "changes": [],
        "shipments": [_shipment(s, names) for s in shipments],
        "delivery": {
            "parcel": parcel or 0,
            "parcels": len(order.shipments),
            "outstanding": [
                {"name": names[k], "quantity": str(v)} for k, v in order.outstanding().items()
            ]
            if kind is DocumentKind.DELIVERY_NOTE
            else [],
            "not_delivered": not_delivered,
            "not_delivered_reason": order.not_delivered_reason if not_delivered else "",
        },
        "terms": _terms(seller),
        "texts": _texts(seller, kind),
    }
    if kind is DocumentKind.PROFORMA_INVOICE:
        snapshot["payment"] = _payment(seller, totals.gross, issued, number)
    return snapshot


def document_totals_of(positions: Sequence[Position], currency: str) -> DocumentTotals:
    """Net, VAT per rate and gross of ``positions`` (the one rounding rule)."""
    return document_totals(((p.net_amount, p.vat_rate) for p in positions), currency)
