"""A Django host: its own invoice row and quote2order's ``invoice_order`` in one transaction.

Run: ``python examples/integrations/django_host.py`` (needs Django). The library's tables
live in Django's database; ``store.bind(connection)`` runs the library inside
``transaction.atomic()``, so Django's commit (or rollback) covers both.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import django
from django.conf import settings
from django.db import connection, transaction

from quote2order import Customer, Money, Position, PositionKind, Quote2Order, Shipment, VatRate
from quote2order.adapters.sqlite import SqliteStore


def configure(database: Path) -> None:
    """A minimal Django project on one SQLite file."""
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}},
        INSTALLED_APPS=[],
        USE_TZ=True,
    )
    django.setup()
    with connection.cursor() as cursor:  # a host table; a real project has a model for it
        cursor.execute("CREATE TABLE shop_invoice (order_id TEXT PRIMARY KEY, total TEXT NOT NULL)")


def completed_order(service: Quote2Order) -> str:
    """A quote won, confirmed and completed: ready to be invoiced."""
    created = service.create_quote(
        reseller_id="R-1",
        customer=Customer("C-1", "Anna Berger", "anna@example.com", "de_DE"),
        title="Docking stations",
        positions=[
            Position(
                "P1",
                PositionKind.FREE_TEXT,
                "USB-C dock",
                Decimal(2),
                Money("189.00", "EUR"),
                VatRate("19"),
            )
        ],
        valid_until=date.today() + timedelta(days=30),
    )
    service.send_quote(created.quote.quote_id)
    order = service.mark_quote_won(created.quote.quote_id)
    service.confirm_order(order.order_id)
    service.complete_order(order.order_id, [Shipment("DHL", "JJD0001")])
    return order.order_id


def invoice_view(store: SqliteStore, order_id: str, fail: bool = False) -> None:
    """What a Django view does: both writes in one ``atomic`` block."""
    with transaction.atomic():
        connection.ensure_connection()
        service = Quote2Order(store.bind(connection.connection))
        order = service.invoice_order(order_id)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO shop_invoice (order_id, total) VALUES (%s, %s)",
                [order_id, str(order.totals.gross.amount)],
            )
        if fail:
            raise RuntimeError("the host's own step failed: Django rolls back both")


def main(folder: str | None = None) -> int:
    database = Path(folder or tempfile.mkdtemp()) / "django.sqlite3"
    configure(database)
    store = SqliteStore(database)  # the library's tables in Django's database
    service = Quote2Order(store)
    first, second = completed_order(service), completed_order(service)

    invoice_view(store, first)
    with contextlib.suppress(RuntimeError):
        invoice_view(store, second, fail=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT order_id FROM shop_invoice ORDER BY order_id")
        invoiced_rows = [row[0] for row in cursor.fetchall()]
    statuses = [service.get_order(o).status.value for o in (first, second)]
    print(f"invoice rows: {invoiced_rows}; order statuses: {statuses}")
    assert invoiced_rows == [first]
    assert statuses == ["invoiced", "completed"]
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
