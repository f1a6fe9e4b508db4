"""A SQLAlchemy host: an ORM row of its own and ``confirm_order`` in one Session commit.

Run: ``python examples/integrations/sqlalchemy_host.py`` (needs SQLAlchemy 2). The same
works on PostgreSQL with a ``postgresql+psycopg://`` URL and a ``PostgresStore``.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from quote2order import Customer, Money, Position, PositionKind, Quote2Order, VatRate
from quote2order.adapters.sqlite import SqliteStore


class Base(DeclarativeBase):
    pass


class AuditEntry(Base):
    """The host's own table: who confirmed which order."""

    __tablename__ = "audit_entries"
    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    confirmed_by: Mapped[str] = mapped_column(String(64))


def open_order(service: Quote2Order) -> str:
    created = service.create_quote(
        reseller_id="R-1",
        customer=Customer("C-1", "Anna Berger", "anna@example.com", "de_DE"),
        title="Monitors",
        positions=[
            Position(
                "P1",
                PositionKind.FREE_TEXT,
                "Monitor",
                Decimal(2),
                Money("249.00", "EUR"),
                VatRate("19"),
            )
        ],
        valid_until=date.today() + timedelta(days=30),
    )
    service.send_quote(created.quote.quote_id)
    return service.mark_quote_won(created.quote.quote_id).order_id


def confirm(session: Session, store: SqliteStore, order_id: str, user: str) -> None:
    """One request: the audit row and the confirmation, committed by the session."""
    session.add(AuditEntry(order_id=order_id, confirmed_by=user))
    Quote2Order(store.bind(session)).confirm_order(order_id, actor=user)


def main(folder: str | None = None) -> int:
    path = Path(folder or tempfile.mkdtemp()) / "shop.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    store = SqliteStore(path)  # the library's tables beside the host's
    service = Quote2Order(store)
    kept, dropped = open_order(service), open_order(service)

    with Session(engine) as session:
        confirm(session, store, kept, "anna")
        session.commit()
    with Session(engine) as session:
        confirm(session, store, dropped, "ben")
        session.rollback()  # e.g. the host's next step failed

    with Session(engine) as session:
        audited = session.scalars(select(AuditEntry.order_id)).all()
    statuses = [service.get_order(o).status.value for o in (kept, dropped)]
    print(f"audited: {list(audited)}; statuses: {statuses}")
    assert list(audited) == [kept]
    assert statuses == ["confirmed", "open"]
    store.close()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
