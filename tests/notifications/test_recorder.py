from datetime import timedelta

import pytest

from quote2order import InvalidTransition
from quote2order.notifications import Channel, Notification, NotificationSettings
from quote2order.ports import OutboxStatus

from .conftest import World, position


def _entries(world: World) -> list[tuple[str, str]]:
    return [(e.notification, e.channel) for e in world.store.outbox_store.list()]


def test_each_notifying_event_records_its_document_and_an_entry_per_channel(world: World) -> None:
    world.invoiced_order()
    assert _entries(world) == [
        ("order_confirmation", "email"),
        ("order_confirmation", "portal"),
        ("shipping_confirmation", "email"),
        ("shipping_confirmation", "portal"),
        ("proforma_invoice", "email"),
        ("proforma_invoice", "portal"),
    ]
    kinds = [(d.kind, d.aggregate_kind, d.number) for d in world.documents().values()]
    assert kinds == [
        ("quote", "quote", "AN-2026-00001-V1"),
        ("order_confirmation", "order", "AB-2026-00001"),
        ("delivery_note", "order", "AB-2026-00001"),
        ("proforma_invoice", "order", "PF-2026-00001"),
    ]


def test_entries_point_at_their_document_and_are_due_at_once(world: World) -> None:
    order = world.order()
    world.service.confirm_order(order.order_id)
    entry = world.store.outbox_store.list()[0]
    document = world.documents()[entry.payload["document_id"]]
    assert document.aggregate_id == order.order_id
    assert entry.recipient == "erika@kunde.example"
    assert entry.locale == "de_DE"
    assert entry.status is OutboxStatus.PENDING
    assert entry.next_attempt_at == world.clock.now()


def test_a_switched_off_notification_records_the_document_but_no_entry() -> None:
    world = World(NotificationSettings.only(Notification.PROFORMA_INVOICE))
    world.invoiced_order()
    assert _entries(world) == [("proforma_invoice", "email"), ("proforma_invoice", "portal")]
    assert len(world.documents()) == 4


def test_the_portal_channel_decides_whether_the_document_is_published() -> None:
    world = World(
        NotificationSettings.only(Notification.ORDER_CONFIRMATION, channels=[Channel.EMAIL])
    )
    order = world.order()
    world.service.confirm_order(order.order_id)
    confirmation = [d for d in world.documents().values() if d.kind == "order_confirmation"]
    assert confirmation[0].snapshot["published"] is False
    assert _entries(world) == [("order_confirmation", "email")]


def test_first_quote_version_records_a_document_but_notifies_nobody(world: World) -> None:
    world.sent_quote()
    assert _entries(world) == []
    (document,) = world.documents().values()
    assert document.kind == "quote"
    assert document.snapshot["version"] == 1
    assert document.snapshot["changes"] == []


def test_a_new_quote_version_notifies_with_its_changes(world: World) -> None:
    quote_id = world.sent_quote()
    world.service.mark_quote_lost(quote_id)
    world.service.reopen_quote(quote_id)
    world.service.edit_quote(
        quote_id, positions=[position(1), position(3, name="Apple Pencil 2nd Generation")]
    )
    world.clock.advance(timedelta(hours=1))
    world.service.send_quote(quote_id)
    assert _entries(world) == [("quote_version", "email"), ("quote_version", "portal")]
    document = world.documents()[world.store.outbox_store.list()[0].payload["document_id"]]
    assert document.snapshot["version"] == 2
    assert [(c["change"], c["name"]) for c in document.snapshot["changes"]] == [
        ("added", "Apple Pencil 2nd Generation"),
        ("removed", "Notebook Größe 2"),
    ]


def test_the_proforma_snapshot_holds_parties_totals_and_shipments_as_strings(world: World) -> None:
    world.invoiced_order()
    (proforma,) = [d for d in world.documents().values() if d.kind == "proforma_invoice"]
    snapshot = proforma.snapshot
    assert snapshot["seller"]["vat_id"] == "DE123456789"
    assert snapshot["buyer"]["vat_id"] == "DE987654321"
    assert snapshot["buyer"]["address"] == ["Königsallee 5", "40212 Düsseldorf"]
    assert snapshot["totals"] == {
        "net": "2509.10",
        "vat": [
            {"rate": "7", "taxable": "39.98", "vat": "2.80"},
            {"rate": "19", "taxable": "2469.12", "vat": "469.13"},
        ],
        "vat_total": "471.93",
        "gross": "2981.03",
    }
    assert snapshot["shipments"][0]["tracking_number"] == "00340434161094042557"
    assert snapshot["dates"]["invoiced"] == "2026-01-18"
    assert snapshot["references"]["order_number"] == "AB-2026-00001"


def test_proforma_numbers_come_from_their_own_series(world: World) -> None:
    first = world.invoiced_order()
    second = world.invoiced_order()
    assert (first.order_number, second.order_number) == ("AB-2026-00001", "AB-2026-00002")
    assert (first.proforma_number, second.proforma_number) == ("PF-2026-00001", "PF-2026-00002")


def test_a_refused_command_records_neither_document_nor_entry(world: World) -> None:
    order = world.order()
    before = (len(world.documents()), len(world.store.outbox_store.list()))
    with pytest.raises(InvalidTransition):
        world.service.invoice_order(order.order_id)  # an open order cannot be invoiced
    assert (len(world.documents()), len(world.store.outbox_store.list())) == before
