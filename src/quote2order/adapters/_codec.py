"""Plain-dict mapping of the stored aggregates and records, shared by the SQL adapters.

Stores keep an aggregate's body as JSON: Decimals travel as strings (so ``"1.2300"``
keeps its exponent), dates and datetimes as ISO 8601, enums as their values. The
``revision`` is not part of the body; stores keep it in its own column. Hand-written
rather than reflective, because this runs for every load and save.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from quote2order.errors import ValidationError
from quote2order.lifecycle import OrderStatus, PurchaseOrderStatus, QuoteStatus
from quote2order.money import Money, VatRate
from quote2order.orders import NotDelivered, Order, PositionProcurement, Shipment, ShipmentItem
from quote2order.ports import DocumentRecord, OutboxEntry
from quote2order.positions import CatalogProduct, Position, PositionKind
from quote2order.purchasing.cart import Allocation, Cart, CartLine
from quote2order.purchasing.purchase_orders import PurchaseOrder, PurchaseOrderLine
from quote2order.quotes import Customer, Quote, QuoteVersion

__all__ = [
    "cart_from_dict",
    "cart_line_from_dict",
    "cart_line_to_dict",
    "cart_to_dict",
    "document_from_dict",
    "document_to_dict",
    "dumps",
    "order_from_dict",
    "order_to_dict",
    "outbox_from_dict",
    "outbox_to_dict",
    "purchase_order_from_dict",
    "purchase_order_to_dict",
    "quote_from_dict",
    "quote_to_dict",
]

Data = dict[str, Any]


def dumps(data: Mapping[str, Any], what: str) -> str:
    """Compact JSON of ``data``; a value JSON cannot hold is a ValidationError."""
    try:
        return json.dumps(data, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{what} cannot be stored as JSON: {exc}") from None


def _dt(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _money(money: Money) -> Data:
    return {"amount": str(money.amount), "currency": money.currency}


def _parse_money(data: Data) -> Money:
    return Money(Decimal(data["amount"]), data["currency"])


def _customer(customer: Customer) -> Data:
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "email": customer.email,
        "locale": customer.locale,
        "company": customer.company,
        "address": list(customer.address),
        "vat_id": customer.vat_id,
    }


def _parse_customer(data: Data) -> Customer:
    return Customer(
        customer_id=data["customer_id"],
        name=data["name"],
        email=data["email"],
        locale=data["locale"],
        company=data["company"],
        address=tuple(data["address"]),
        vat_id=data["vat_id"],
    )


def _product(product: CatalogProduct) -> Data:
    return {
        "product_id": product.product_id,
        "manufacturer_part_number": product.manufacturer_part_number,
        "name": product.name,
        "purchase_price": None
        if product.purchase_price is None
        else _money(product.purchase_price),
    }


def _parse_product(data: Data) -> CatalogProduct:
    return CatalogProduct(
        product_id=data["product_id"],
        manufacturer_part_number=data["manufacturer_part_number"],
        name=data["name"],
        purchase_price=None
        if data["purchase_price"] is None
        else _parse_money(data["purchase_price"]),
    )


def _position(position: Position) -> Data:
    product = position.product
    return {
        "position_id": position.position_id,
        "kind": position.kind.value,
        "name": position.name,
        "quantity": str(position.quantity),
        "unit_price": _money(position.unit_price),
        "vat_rate": str(position.vat_rate.percent),
        "discount": str(position.discount),
        "product": None if product is None else _product(product),
        "description": position.description,
    }


def _parse_position(data: Data) -> Position:
    product = data["product"]
    return Position(
        position_id=data["position_id"],
        kind=PositionKind(data["kind"]),
        name=data["name"],
        quantity=Decimal(data["quantity"]),
        unit_price=_parse_money(data["unit_price"]),
        vat_rate=VatRate(Decimal(data["vat_rate"])),
        discount=Decimal(data["discount"]),
        product=None if product is None else _parse_product(product),
        description=data["description"],
    )


def _version(version: QuoteVersion) -> Data:
    return {
        "number": version.number,
        "title": version.title,
        "positions": [_position(p) for p in version.positions],
        "valid_until": version.valid_until.isoformat(),
        "created_at": version.created_at.isoformat(),
        "notes": version.notes,
        "sent_at": _dt(version.sent_at),
        "content_hash": version.content_hash,
    }


def _parse_version(data: Data) -> QuoteVersion:
    return QuoteVersion(
        number=data["number"],
        title=data["title"],
        positions=tuple(_parse_position(p) for p in data["positions"]),
        valid_until=date.fromisoformat(data["valid_until"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        notes=data["notes"],
        sent_at=_parse_dt(data["sent_at"]),
        content_hash=data["content_hash"],
    )


def quote_to_dict(quote: Quote) -> Data:
    """The body of ``quote`` (everything but its revision)."""
    return {
        "quote_id": quote.quote_id,
        "reseller_id": quote.reseller_id,
        "customer": _customer(quote.customer),
        "currency": quote.currency,
        "link_token_hash": quote.link_token_hash,
        "versions": [_version(v) for v in quote.versions],
        "created_at": quote.created_at.isoformat(),
        "status": quote.status.value,
        "order_id": quote.order_id,
        "number": quote.number,
        "link_expires_at": _dt(quote.link_expires_at),
        "link_revoked_at": _dt(quote.link_revoked_at),
    }


def quote_from_dict(data: Data, revision: int) -> Quote:
    """The quote stored as ``data`` at ``revision``."""
    return Quote(
        quote_id=data["quote_id"],
        reseller_id=data["reseller_id"],
        customer=_parse_customer(data["customer"]),
        currency=data["currency"],
        link_token_hash=data["link_token_hash"],
        versions=[_parse_version(v) for v in data["versions"]],
        created_at=datetime.fromisoformat(data["created_at"]),
        status=QuoteStatus(data["status"]),
        order_id=data["order_id"],
        number=data.get("number", ""),  # bodies stored before quote numbers have none
        link_expires_at=_parse_dt(data["link_expires_at"]),
        link_revoked_at=_parse_dt(data["link_revoked_at"]),
        revision=revision,
    )


def _shipment(shipment: Shipment) -> Data:
    return {
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "items": [
            {"position_id": i.position_id, "quantity": str(i.quantity)} for i in shipment.items
        ],
        "shipped_at": _dt(shipment.shipped_at),
    }


def _parse_shipment(data: Data) -> Shipment:
    return Shipment(
        carrier=data["carrier"],
        tracking_number=data["tracking_number"],
        items=tuple(ShipmentItem(i["position_id"], Decimal(i["quantity"])) for i in data["items"]),
        shipped_at=_parse_dt(data.get("shipped_at")),  # absent in bodies written before 0.x
    )


def _procurement(item: PositionProcurement) -> Data:
    return {
        "position_id": item.position_id,
        "in_cart": str(item.in_cart),
        "ordered": str(item.ordered),
        "received": str(item.received),
    }


def _parse_procurement(data: Data) -> PositionProcurement:
    return PositionProcurement(
        position_id=data["position_id"],
        in_cart=Decimal(data["in_cart"]),
        ordered=Decimal(data["ordered"]),
        received=Decimal(data["received"]),
    )


def order_to_dict(order: Order) -> Data:
    """The body of ``order`` (everything but its revision)."""
    return {
        "order_id": order.order_id,
        "order_number": order.order_number,
        "reseller_id": order.reseller_id,
        "quote_id": order.quote_id,
        "quote_version": order.quote_version,
        "customer": _customer(order.customer),
        "currency": order.currency,
        "positions": [_position(p) for p in order.positions],
        "created_at": order.created_at.isoformat(),
        "status": order.status.value,
        "confirmed_at": _dt(order.confirmed_at),
        "completed_at": _dt(order.completed_at),
        "invoiced_at": _dt(order.invoiced_at),
        "rejected_at": _dt(order.rejected_at),
        "rejection_reason": order.rejection_reason,
        "shipments": [_shipment(s) for s in order.shipments],
        "proforma_number": order.proforma_number,
        "procurement": [_procurement(p) for p in order.procurement],
        "not_delivered": [
            {"position_id": c.position_id, "quantity": str(c.quantity)} for c in order.not_delivered
        ],
        "not_delivered_reason": order.not_delivered_reason,
    }


def order_from_dict(data: Data, revision: int) -> Order:
    """The order stored as ``data`` at ``revision``."""
    return Order(
        order_id=data["order_id"],
        order_number=data["order_number"],
        reseller_id=data["reseller_id"],
        quote_id=data["quote_id"],
        quote_version=data["quote_version"],
        customer=_parse_customer(data["customer"]),
        currency=data["currency"],
        positions=tuple(_parse_position(p) for p in data["positions"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        status=OrderStatus(data["status"]),
        confirmed_at=_parse_dt(data["confirmed_at"]),
        completed_at=_parse_dt(data["completed_at"]),
        invoiced_at=_parse_dt(data["invoiced_at"]),
        rejected_at=_parse_dt(data["rejected_at"]),
        rejection_reason=data["rejection_reason"],
        shipments=tuple(_parse_shipment(s) for s in data["shipments"]),
        proforma_number=data["proforma_number"],
        procurement=tuple(_parse_procurement(p) for p in data["procurement"]),
        # Bodies written before partial deliveries have neither key.
        not_delivered=tuple(
            NotDelivered(c["position_id"], Decimal(c["quantity"]))
            for c in data.get("not_delivered", ())
        ),
        not_delivered_reason=data.get("not_delivered_reason", ""),
        revision=revision,
    )


def outbox_to_dict(entry: OutboxEntry) -> Data:
    """The fixed part of an outbox entry; status, attempts and the lease live in columns."""
    return {
        "entry_id": entry.entry_id,
        "reseller_id": entry.reseller_id,
        "notification": entry.notification,
        "channel": entry.channel,
        "aggregate_kind": entry.aggregate_kind,
        "aggregate_id": entry.aggregate_id,
        "recipient": entry.recipient,
        "locale": entry.locale,
        "payload": dict(entry.payload),
        "created_at": entry.created_at.isoformat(),
    }


def outbox_from_dict(data: Data, **columns: Any) -> OutboxEntry:
    """An outbox entry from its fixed part and its columns (status, attempts, ...)."""
    return OutboxEntry(
        entry_id=data["entry_id"],
        reseller_id=data["reseller_id"],
        notification=data["notification"],
        channel=data["channel"],
        aggregate_kind=data["aggregate_kind"],
        aggregate_id=data["aggregate_id"],
        recipient=data["recipient"],
        locale=data["locale"],
        payload=data["payload"],
        created_at=datetime.fromisoformat(data["created_at"]),
        **columns,
    )


def document_to_dict(document: DocumentRecord) -> Data:
    """A document record as a dict."""
    return {
        "document_id": document.document_id,
        "kind": document.kind,
        "aggregate_kind": document.aggregate_kind,
        "aggregate_id": document.aggregate_id,
        "number": document.number,
        "locale": document.locale,
        "snapshot": dict(document.snapshot),
        "created_at": document.created_at.isoformat(),
    }


def document_from_dict(data: Data) -> DocumentRecord:
    """A document record from :func:`document_to_dict`'s output."""
    return DocumentRecord(
        document_id=data["document_id"],
        kind=data["kind"],
        aggregate_kind=data["aggregate_kind"],
        aggregate_id=data["aggregate_id"],
        number=data["number"],
        locale=data["locale"],
        snapshot=data["snapshot"],
        created_at=datetime.fromisoformat(data["created_at"]),
    )


def _allocation(allocation: Allocation) -> Data:
    return {
        "order_id": allocation.order_id,
        "position_id": allocation.position_id,
        "quantity": str(allocation.quantity),
    }


def _parse_allocation(data: Data) -> Allocation:
    return Allocation(data["order_id"], data["position_id"], Decimal(data["quantity"]))


def cart_line_to_dict(line: CartLine) -> Data:
    """The body of one cart line (stored as a row of its own by the SQL stores)."""
    return {
        "line_id": line.line_id,
        "product": _product(line.product),
        "allocations": [_allocation(a) for a in line.allocations],
    }


def cart_line_from_dict(data: Data) -> CartLine:
    """The cart line stored as ``data``."""
    return CartLine(
        line_id=data["line_id"],
        product=_parse_product(data["product"]),
        allocations=tuple(_parse_allocation(a) for a in data["allocations"]),
    )


def cart_to_dict(cart: Cart) -> Data:
    """The body of ``cart`` (everything but its revision)."""
    return {
        "reseller_id": cart.reseller_id,
        "lines": [cart_line_to_dict(line) for line in cart.lines],
        "line_counter": cart.line_counter,
    }


def cart_from_dict(data: Data, revision: int) -> Cart:
    """The cart stored as ``data`` at ``revision``."""
    return Cart(
        reseller_id=data["reseller_id"],
        lines=tuple(cart_line_from_dict(line) for line in data["lines"]),
        line_counter=data["line_counter"],
        revision=revision,
    )


def _purchase_order_line(line: PurchaseOrderLine) -> Data:
    return {
        "line_id": line.line_id,
        "cart_line_id": line.cart_line_id,
        "product": _product(line.product),
        "quantity": str(line.quantity),
        "unit_price": _money(line.unit_price),
        "allocations": [_allocation(a) for a in line.allocations],
        "delivery_days": line.delivery_days,
        "received": str(line.received),
    }


def _parse_purchase_order_line(data: Data) -> PurchaseOrderLine:
    return PurchaseOrderLine(
        line_id=data["line_id"],
        cart_line_id=data["cart_line_id"],
        product=_parse_product(data["product"]),
        quantity=Decimal(data["quantity"]),
        unit_price=_parse_money(data["unit_price"]),
        allocations=tuple(_parse_allocation(a) for a in data["allocations"]),
        delivery_days=data["delivery_days"],
        received=Decimal(data["received"]),
    )


def purchase_order_to_dict(purchase_order: PurchaseOrder) -> Data:
    """The body of ``purchase_order`` (everything but its revision)."""
    return {
        "purchase_order_id": purchase_order.purchase_order_id,
        "number": purchase_order.number,
        "reseller_id": purchase_order.reseller_id,
        "supplier_id": purchase_order.supplier_id,
        "partner": purchase_order.partner,
        "currency": purchase_order.currency,
        "lines": [_purchase_order_line(line) for line in purchase_order.lines],
        "shipping": _money(purchase_order.shipping),
        "created_at": purchase_order.created_at.isoformat(),
        "checkout_id": purchase_order.checkout_id,
        "status": purchase_order.status.value,
        "sent_at": _dt(purchase_order.sent_at),
        "received_at": _dt(purchase_order.received_at),
        "cancelled_at": _dt(purchase_order.cancelled_at),
    }


def purchase_order_from_dict(data: Data, revision: int) -> PurchaseOrder:
    """The purchase order stored as ``data`` at ``revision``."""
    return PurchaseOrder(
        purchase_order_id=data["purchase_order_id"],
        number=data["number"],
        reseller_id=data["reseller_id"],
        supplier_id=data["supplier_id"],
        partner=data["partner"],
        currency=data["currency"],
        lines=tuple(_parse_purchase_order_line(line) for line in data["lines"]),
        shipping=_parse_money(data["shipping"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        checkout_id=data["checkout_id"],
        status=PurchaseOrderStatus(data["status"]),
        sent_at=_parse_dt(data["sent_at"]),
        received_at=_parse_dt(data["received_at"]),
        cancelled_at=_parse_dt(data["cancelled_at"]),
        revision=revision,
    )
