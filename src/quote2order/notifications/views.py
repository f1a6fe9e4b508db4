"""Document views: a snapshot translated and formatted for its locale, ready to lay out.

Renderers (HTML, PDF, a host's own) lay out a :class:`DocumentView` and add no words of
their own, so every document speaks the customer's language in every format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from quote2order.errors import ValidationError
from quote2order.formatting import (
    format_date,
    format_money,
    format_percent_value,
    format_quantity,
    language_of,
    translations,
)
from quote2order.notifications.snapshots import DocumentKind
from quote2order.ports import DocumentRecord

__all__ = ["DocumentView", "document_view", "labels", "legal_particulars"]

Gettext = Callable[[str], str]


@attrs.frozen
class DocumentView:
    """What a document says, in order, as plain translated strings."""

    kind: str
    language: str
    title: str  # e.g. "Proforma-Rechnung PF-2026-00001"
    seller: tuple[str, ...]  # name, address lines, VAT id line
    seller_contact: tuple[str, ...]
    buyer: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]  # (label, value): number, dates, references
    intro: str
    notice: str  # e.g. the pro-forma invoice's "not a tax invoice" statement
    columns: tuple[str, ...]
    numeric_columns: tuple[int, ...]  # column indexes aligned right
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[tuple[str, str], ...]
    shipments_heading: str
    shipment_columns: tuple[str, ...]
    shipments: tuple[tuple[str, ...], ...]
    changes_heading: str
    changes: tuple[str, ...]
    notes: str
    labels: Mapping[str, str]  # headings: seller, buyer, positions
    terms: tuple[str, ...] = ()  # payment and delivery terms, one sentence each
    payment: tuple[tuple[str, str], ...] = ()  # the pro-forma's amount due, due date, bank
    payment_note: str = ""  # the early-payment discount (Skonto), exact date and amount
    services: tuple[str, ...] = ()  # a delivery note's services, listed as services
    outstanding: tuple[str, ...] = ()  # a delivery note's goods still to come
    not_delivered: tuple[str, ...] = ()  # the pro-forma's goods closed as not delivered
    closing: str = ""
    footer: tuple[str, ...] = ()  # the seller's legal particulars (business-letter rules)
    logo: tuple[str, bytes] | None = None  # (media type, content)


def labels(gettext: Gettext) -> dict[str, str]:
    """Section headings shared by every document."""
    _ = gettext
    return {
        "seller": _("Seller"),
        "buyer": _("Customer"),
        "positions": _("Positions"),
        "notes": _("Notes"),
        "page": _("Page"),
        "payment": _("Payment"),
        "services": _("Services (not shipped)"),
        "outstanding": _("Still to be delivered"),
        "not_delivered": _("Not delivered, not billed"),
    }


def _titles(_: Gettext) -> dict[str, str]:
    return {
        DocumentKind.QUOTE.value: _("Quote"),
        DocumentKind.ORDER_CONFIRMATION.value: _("Order confirmation"),
        DocumentKind.DELIVERY_NOTE.value: _("Delivery note"),
        DocumentKind.PROFORMA_INVOICE.value: _("Pro forma invoice"),
    }


def _party(party: Mapping[str, Any], _: Gettext) -> tuple[str, ...]:
    lines = [party.get("company") or "", party["name"], *party["address"]]
    if party.get("vat_id"):
        lines.append(_("VAT ID: {vat_id}").format(vat_id=party["vat_id"]))
    return tuple(line for line in lines if line)


def legal_particulars(seller: Mapping[str, Any], _: Gettext) -> tuple[str, ...]:
    """The legal particulars of a business letter (section 35a GmbHG, 37a HGB, 80 AktG)."""
    lines = [" · ".join(v for v in (seller["name"], ", ".join(seller["address"])) if v)]
    legal = []
    if seller.get("registered_office"):
        legal.append(_("Registered office: {office}").format(office=seller["registered_office"]))
    if seller.get("register_court") or seller.get("register_number"):
        legal.append(
            _("Register court: {court}, {number}").format(
                court=seller.get("register_court", ""), number=seller.get("register_number", "")
            )
        )
    if seller.get("managing_directors"):
        legal.append(
            _("Managing directors: {names}").format(names=", ".join(seller["managing_directors"]))
        )
    tax = []
    if seller.get("vat_id"):
        tax.append(_("VAT ID: {vat_id}").format(vat_id=seller["vat_id"]))
    if seller.get("tax_number"):
        tax.append(_("Tax number: {number}").format(number=seller["tax_number"]))
    lines += [" · ".join(part) for part in (legal, tax) if part]
    lines += [_bank_line(account) for account in seller.get("bank_accounts", ())]
    return tuple(lines)


def _grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _bank_line(account: Mapping[str, str]) -> str:
    parts = [account["bank_name"], f"IBAN {_grouped(account['iban'])}"]
    if account["bic"]:
        parts.append(f"BIC {account['bic']}")
    return " · ".join(p for p in parts if p)


def _terms(snapshot: Mapping[str, Any], _: Gettext) -> tuple[str, ...]:
    terms = snapshot.get("terms")
    if not terms:
        return ()
    days = terms["payment_days"]
    if Decimal(terms["discount_percent"]):
        payment = _(
            "Payment terms: {percent} % early-payment discount within {discount_days} days, "
            "{days} days net."
        ).format(
            percent=_percent_text(terms["discount_percent"]),
            discount_days=terms["discount_days"],
            days=days,
        )
    elif days:
        payment = _("Payment terms: {days} days net, without deduction.").format(days=days)
    else:
        payment = _("Payment terms: due on receipt, without deduction.")
    lines = [payment]
    if terms.get("delivery"):
        lines.append(_("Delivery terms: {terms}").format(terms=terms["delivery"]))
    return tuple(lines)


def _percent_text(value: str) -> str:
    return format(Decimal(value).normalize(), "f")


def _payment(
    snapshot: Mapping[str, Any], locale: str, _: Gettext
) -> tuple[tuple[tuple[str, str], ...], str]:
    payment = snapshot.get("payment")
    if not payment:
        return (), ""
    currency = snapshot["currency"]
    seller = snapshot["seller"]
    rows = [
        (_("Amount due"), format_money(payment["amount_due"], currency, locale)),
        (_("Due date"), format_date(payment["due_date"], locale)),
        (_("Payment reference"), payment["reference"]),
    ]
    for account in seller.get("bank_accounts", ())[:1]:  # the first account takes payments
        rows.append((_("Account holder"), seller["name"]))
        rows.append(("IBAN", _grouped(account["iban"])))
        if account["bic"]:
            rows.append(("BIC", account["bic"]))
        if account["bank_name"]:
            rows.append((_("Bank"), account["bank_name"]))
    discount = payment.get("discount")
    note = ""
    if discount:
        note = _(
            "If paid by {date}, deduct {percent} % early-payment discount ({amount}) and pay {pay}."
        ).format(
            date=format_date(discount["until"], locale),
            percent=_percent_text(discount["percent"]),
            amount=format_money(discount["amount"], currency, locale),
            pay=format_money(discount["pay"], currency, locale),
        )
    return tuple(rows), note


def _quantities(items: Sequence[Mapping[str, Any]], locale: str) -> tuple[str, ...]:
    return tuple(f"{format_quantity(i['quantity'], locale)} x {i['name']}" for i in items)


def _contact(seller: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        v
        for v in (seller.get("email", ""), seller.get("phone", ""), seller.get("website", ""))
        if v
    )


def _facts(
    snapshot: Mapping[str, Any], kind: str, locale: str, _: Gettext
) -> list[tuple[str, str]]:
    dates = snapshot["dates"]
    refs = snapshot["references"]
    number_label = {
        DocumentKind.QUOTE.value: _("Quote number"),
        DocumentKind.ORDER_CONFIRMATION.value: _("Order number"),
        DocumentKind.DELIVERY_NOTE.value: _("Delivery note number"),
        DocumentKind.PROFORMA_INVOICE.value: _("Pro forma invoice number"),
    }[kind]
    facts = [
        (number_label, str(snapshot["number"])),
        (_("Date"), format_date(dates["issued"], locale)),
    ]
    if kind == DocumentKind.QUOTE.value:
        facts.append((_("Version"), str(snapshot["version"])))
        facts.append((_("Valid until"), format_date(dates["valid_until"], locale)))
        return facts
    if kind == DocumentKind.PROFORMA_INVOICE.value or (
        kind == DocumentKind.DELIVERY_NOTE.value and refs["order_number"] != snapshot["number"]
    ):
        facts.append((_("Order number"), refs["order_number"]))
    facts.append((_("Order date"), format_date(dates["ordered"], locale)))
    if kind == DocumentKind.DELIVERY_NOTE.value and dates["shipped"]:
        facts.append((_("Shipping date"), format_date(dates["shipped"], locale)))
    if snapshot["buyer"].get("customer_id"):
        facts.append((_("Customer number"), snapshot["buyer"]["customer_id"]))
    return facts


def _position_name(position: Mapping[str, Any]) -> str:
    parts = [position["name"]]
    if position.get("manufacturer_part_number"):
        parts.append(position["manufacturer_part_number"])
    if position.get("description"):
        parts.append(position["description"])
    return "\n".join(parts)


def _priced_rows(snapshot: Mapping[str, Any], locale: str) -> list[tuple[str, ...]]:
    currency = snapshot["currency"]
    return [
        (
            str(p["number"]),
            _position_name(p),
            format_quantity(p["quantity"], locale),
            format_money(p["unit_price"], currency, locale),
            format_percent_value(p["discount"], locale)
            if p["discount"] not in ("0", "0.00")
            else "",
            format_percent_value(p["vat_rate"], locale),
            format_money(p["net"], currency, locale),
        )
        for p in snapshot["positions"]
    ]


def _totals(snapshot: Mapping[str, Any], locale: str, _: Gettext) -> list[tuple[str, str]]:
    currency = snapshot["currency"]
    totals = snapshot["totals"]
    lines = [(_("Net total"), format_money(totals["net"], currency, locale))]
    for subtotal in totals["vat"]:
        rate = format_percent_value(subtotal["rate"], locale)
        lines.append(
            (
                _("Net at {rate}").format(rate=rate),
                format_money(subtotal["taxable"], currency, locale),
            )
        )
        lines.append(
            (_("VAT {rate}").format(rate=rate), format_money(subtotal["vat"], currency, locale))
        )
    lines.append((_("VAT total"), format_money(totals["vat_total"], currency, locale)))
    lines.append((_("Gross total"), format_money(totals["gross"], currency, locale)))
    return lines


def _changes(changes: Sequence[Mapping[str, Any]], _: Gettext) -> tuple[str, ...]:
    field_labels = {
        "name": _("Description"),
        "description": _("Description"),
        "product": _("Description"),
        "quantity": _("Quantity"),
        "unit_price": _("Unit price"),
        "vat_rate": _("VAT"),
        "discount": _("Discount"),
    }
    lines = []
    for change in changes:
        if change["change"] == "added":
            lines.append(_("Added: {name}").format(name=change["name"]))
        elif change["change"] == "removed":
            lines.append(_("Removed: {name}").format(name=change["name"]))
        else:
            fields = dict.fromkeys(field_labels.get(f, f) for f in change["fields"])
            lines.append(
                _("Changed: {name} ({fields})").format(
                    name=change["name"], fields=", ".join(fields)
                )
            )
    return tuple(lines)


def _intro(snapshot: Mapping[str, Any], kind: str, _: Gettext) -> str:
    own = snapshot.get("texts", {}).get("intro", "")
    return "\n\n".join(t for t in (own, _standard_intro(snapshot, kind, _)) if t)


def _standard_intro(snapshot: Mapping[str, Any], kind: str, _: Gettext) -> str:
    delivery = snapshot.get("delivery", {})
    if kind == DocumentKind.DELIVERY_NOTE.value and delivery.get("parcel"):
        return _('Parcel {parcel} of your order "{title}" has been shipped.').format(
            parcel=delivery["parcel"], title=snapshot["title"]
        )
    if kind == DocumentKind.QUOTE.value:
        return str(snapshot["title"])
    if kind == DocumentKind.ORDER_CONFIRMATION.value:
        return _('We confirm your order "{title}" and have put it into fulfilment.').format(
            title=snapshot["title"]
        )
    if kind == DocumentKind.DELIVERY_NOTE.value:
        return _('The goods of your order "{title}" have been shipped.').format(
            title=snapshot["title"]
        )
    return str(snapshot["title"])


def document_view(document: DocumentRecord) -> DocumentView:
    """The view of ``document`` in its locale's language and formats."""
    snapshot = document.snapshot
    kind = str(snapshot.get("kind", document.kind))
    if kind not in {k.value for k in DocumentKind}:
        raise ValidationError(f"document {document.document_id}: unknown kind {kind!r}")
    locale = document.locale
    _ = translations(locale).gettext
    heading = _titles(_)[kind]
    title = f"{heading} {snapshot['number']}"
    priced = kind != DocumentKind.DELIVERY_NOTE.value
    if priced:
        columns: tuple[str, ...] = (
            _("Pos."),
            _("Description"),
            _("Quantity"),
            _("Unit price"),
            _("Discount"),
            _("VAT"),
            _("Net"),
        )
        numeric: tuple[int, ...] = (2, 3, 4, 5, 6)
        rows = _priced_rows(snapshot, locale)
        totals = _totals(snapshot, locale, _)
    else:
        columns = (_("Pos."), _("Description"), _("Ordered"), _("Shipped"))
        numeric = (2, 3)
        rows = [
            (
                str(p["number"]),
                _position_name(p),
                format_quantity(p["quantity"], locale),
                format_quantity(p.get("shipped", "0"), locale),
            )
            for p in snapshot["positions"]
            if not p.get("service")
        ]
        totals = []
    notice = ""
    if kind == DocumentKind.PROFORMA_INVOICE.value:
        notice = _(
            "This pro forma invoice is not a tax invoice and does not entitle to deduct input VAT. "
            "The invoice follows separately."
        )
    payment, payment_note = _payment(snapshot, locale, _)
    delivery = snapshot.get("delivery", {})
    not_delivered = _quantities(delivery.get("not_delivered", ()), locale)
    if not_delivered and delivery.get("not_delivered_reason"):
        not_delivered += (_("Reason: {reason}").format(reason=delivery["not_delivered_reason"]),)
    shipments = tuple(
        (
            s["carrier"],
            s["tracking_number"],
            ", ".join(_quantities(s["items"], locale)) or _("complete order"),
        )
        for s in snapshot["shipments"]
    )
    return DocumentView(
        kind=kind,
        language=language_of(locale),
        title=title,
        seller=_party(snapshot["seller"], _),
        seller_contact=_contact(snapshot["seller"]),
        buyer=_party(snapshot["buyer"], _),
        facts=tuple(_facts(snapshot, kind, locale, _)),
        intro=_intro(snapshot, kind, _),
        notice=notice,
        columns=columns,
        numeric_columns=numeric,
        rows=tuple(rows),
        totals=tuple(totals),
        shipments_heading=_("Shipments") if shipments else "",
        shipment_columns=(_("Carrier"), _("Tracking number"), _("Contents")),
        shipments=shipments,
        changes_heading=_("Changes against version {version}").format(
            version=snapshot["version"] - 1
        )
        if snapshot["changes"]
        else "",
        changes=_changes(snapshot["changes"], _),
        notes=snapshot.get("notes", ""),
        labels=labels(_),
        terms=_terms(snapshot, _)
        if kind in (DocumentKind.QUOTE.value, DocumentKind.ORDER_CONFIRMATION.value)
        else (),
        payment=payment,
        payment_note=payment_note,
        services=_quantities(
            [p for p in snapshot["positions"] if p.get("service")] if not priced else [], locale
        ),
        outstanding=_quantities(delivery.get("outstanding", ()), locale),
        not_delivered=not_delivered,
        closing=snapshot.get("texts", {}).get("closing", ""),
        footer=legal_particulars(snapshot["seller"], _),
        logo=_logo(snapshot["seller"]),
    )


def _logo(seller: Mapping[str, Any]) -> tuple[str, bytes] | None:
    logo = seller.get("logo")
    if not logo:
        return None
    import base64

    return str(logo["media_type"]), base64.b64decode(logo["base64"])
