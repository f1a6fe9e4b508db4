"""The dispatcher's view of a SQL store's outbox: claim with a lease, then mark."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from quote2order.adapters._codec import outbox_from_dict
from quote2order.errors import ConcurrencyError, NotFound
from quote2order.ports import OutboxEntry, OutboxStatus

if TYPE_CHECKING:
    from quote2order.adapters._sql.store import SqlStore

__all__ = ["SqlOutboxStore"]


_OUTBOX_COLUMNS = (
    "body, status, attempts, next_attempt_at, last_error, claimed_by, claimed_until, seq"
)


class SqlOutboxStore:
    """The dispatcher's view of a SQL store's outbox; each method is one transaction."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._dialect = store._dialect
        # The reseller of each entry this object leased, so that marking it names the
        # reseller (the marks take only the entry's id).
        self._claimed: dict[str, str] = {}

    def _entry(self, row: Any) -> OutboxEntry:
        d = self._dialect
        return outbox_from_dict(
            d.load_json(row[0]),
            status=OutboxStatus(row[1]),
            attempts=row[2],
            next_attempt_at=d.parse_timestamp(row[3]),
            last_error=row[4],
            claimed_by=row[5],
            claimed_until=d.parse_timestamp(row[6]),
        )

    def claim(
        self,
        *,
        worker: str,
        now: datetime,
        lease: timedelta,
        limit: int,
        reseller_id: str | None = None,
    ) -> list[OutboxEntry]:
        """Atomically lease up to ``limit`` due pending entries to ``worker``.

        The claim runs across resellers (one dispatcher serves the database); with
        ``reseller_id`` it takes only that reseller's entries (a dispatcher per tenant or
        per shard).
        """
        d = self._dialect
        ts_now = d.timestamp(now)
        # due_at is when an entry may be claimed (its next attempt, or the end of a lease):
        # the partial index outbox_due (due_at, seq) WHERE status = 'pending' covers the
        # whole predicate, so entries waiting for a retry are never read; outbox_reseller_due
        # (reseller_id, due_at, seq) does the same for one reseller.
        index, tenant, params = d.claim_index, "", [ts_now, limit]
        if reseller_id is not None:
            index = index.replace("outbox_due", "outbox_reseller_due")
            tenant, params = "reseller_id = ? AND ", [reseller_id, *params]
        sql = self._store._p(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ?, due_at = ? WHERE seq IN ("
            f"SELECT seq FROM outbox {index} WHERE {tenant}status = 'pending' AND due_at <= ? "
            f"ORDER BY due_at, seq LIMIT ? {d.claim_lock}) RETURNING {_OUTBOX_COLUMNS}"
        )
        until = d.timestamp(now + lease)
        with self._store._connection() as conn, d.transaction(conn):
            rows = conn.execute(sql, (worker, until, until, *params)).fetchall()
        rows.sort(key=lambda row: row[7])  # RETURNING does not keep the subquery's order
        entries = [self._entry(row) for row in rows]
        self._claimed.update((entry.entry_id, entry.reseller_id) for entry in entries)
        return entries

    def _finish(self, entry_id: str, worker: str, assignments: str, params: Sequence[Any]) -> None:
        reseller_id = self._claimed.pop(entry_id, None)
        # An entry this object did not lease (another object of the same worker) is found
        # by its unique id alone.
        where, key = "entry_id = ?", [entry_id]
        if reseller_id is not None:
            where, key = "reseller_id = ? AND entry_id = ?", [reseller_id, entry_id]
        sql = self._store._p(
            f"UPDATE outbox SET {assignments}, attempts = attempts + 1, claimed_by = NULL, "
            f"claimed_until = NULL WHERE {where} AND claimed_by = ?"
        )
        with self._store._connection() as conn, self._dialect.transaction(conn):
            cursor = conn.execute(sql, (*params, *key, worker))
            if cursor.rowcount == 1:
                return
            row = conn.execute(
                self._store._p(f"SELECT attempts FROM outbox WHERE {where}"), key
            ).fetchone()
        if row is None:
            raise NotFound("outbox entry", entry_id)
        raise ConcurrencyError("outbox entry", entry_id, row[0])

    def mark_sent(self, entry_id: str, *, worker: str, now: datetime) -> None:
        """Record delivery of a claimed entry; its customer link is erased."""
        self._finish(
            entry_id,
            worker,
            f"status = ?, body = {self._dialect.body_without_link}",
            (OutboxStatus.SENT.value,),
        )

    def mark_retry(
        self, entry_id: str, *, worker: str, error: str, next_attempt_at: datetime
    ) -> None:
        """Count a failed attempt and schedule the next one."""
        at = self._dialect.timestamp(next_attempt_at)
        self._finish(
            entry_id, worker, "last_error = ?, next_attempt_at = ?, due_at = ?", (error, at, at)
        )

    def mark_failed(self, entry_id: str, *, worker: str, error: str) -> None:
        """Count a failed attempt and give up on the entry; its customer link is erased."""
        self._finish(
            entry_id,
            worker,
            f"status = ?, last_error = ?, body = {self._dialect.body_without_link}",
            (OutboxStatus.FAILED.value, error),
        )

    def list(self, status: OutboxStatus | None = None) -> list[OutboxEntry]:
        """Entries (with ``status``), oldest first."""
        if status is None:
            rows = self._store._fetchall(f"SELECT {_OUTBOX_COLUMNS} FROM outbox ORDER BY seq")
        else:
            rows = self._store._fetchall(
                self._store._p(
                    f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE status = ? ORDER BY seq"
                ),
                (status.value,),
            )
        return [self._entry(row) for row in rows]

    def retry_failed(self, entry_id: str, *, now: datetime) -> None:
        """Put a failed entry back to pending with a fresh attempt budget."""
        with self._store._connection() as conn, self._dialect.transaction(conn):
            cursor = conn.execute(
                self._store._p(
                    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, "
                    "due_at = ? WHERE entry_id = ? AND status = 'failed'"
                ),
                (self._dialect.timestamp(now), self._dialect.timestamp(now), entry_id),
            )
            updated = cursor.rowcount
        if updated != 1:
            raise NotFound("failed outbox entry", entry_id)
