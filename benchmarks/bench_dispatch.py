"""Queued-to-delivered latency of the dispatch loop on PostgreSQL: LISTEN/NOTIFY vs polling.

    python benchmarks/bench_dispatch.py            # full run
    python benchmarks/bench_dispatch.py --quick    # under a minute
    python benchmarks/bench_dispatch.py --postgres "host=127.0.0.1 dbname=test user=postgres"

A ``DispatchLoop`` runs in a thread; the main thread commits outbox entries (one unit of
work each) and the latency of an entry is the time from its commit returning to the
dispatcher recording it sent. Rows: single entries committed 0.1-0.3 s apart (the loop
idles in between), and bursts of 10 and 50 entries committed back to back. The baseline
is the same loop polling once a second (its expected latency is half the interval).
Target: every entry delivered within one second with LISTEN/NOTIFY.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from quote2order.notifications import Dispatcher, DispatchLoop, UnitOfWorkDocuments
from quote2order.ports import OutboxEntry
from quote2order.service import SystemClock
from quote2order.testing import RecordingNotifier


class TimedOutbox:
    """The store's outbox, noting when each entry is marked sent."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.sent_at: dict[str, float] = {}

    def mark_sent(self, entry_id: str, *, worker: str, now: datetime) -> None:
        self._inner.mark_sent(entry_id, worker=worker, now=now)
        self.sent_at[entry_id] = time.perf_counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _entry(entry_id: str) -> OutboxEntry:
    now = datetime.now(UTC)
    return OutboxEntry(
        entry_id=entry_id,
        reseller_id="R-1",
        notification="order_confirmation",
        channel="portal",  # no portal notifier: marked sent at once, so only waiting is timed
        aggregate_kind="order",
        aggregate_id="order-1",
        recipient="anna@example.com",
        locale="de_DE",
        payload={"document_id": "none"},
        created_at=now,
        next_attempt_at=now,
    )


def _queue(store: Any, entry_ids: list[str]) -> dict[str, float]:
    committed: dict[str, float] = {}
    for entry_id in entry_ids:
        with store.unit_of_work() as uow:
            uow.outbox.add(_entry(entry_id))
            uow.commit()
        committed[entry_id] = time.perf_counter()
    return committed


def run(store: Any, listen: bool, pattern: str, count: int, seed: int) -> list[float]:
    """Latencies (s) of ``count`` entries queued as ``pattern`` ("single" or "burst")."""
    from quote2order.adapters.postgres import PostgresOutboxListener

    outbox = TimedOutbox(store.outbox_store)
    dispatcher = Dispatcher(
        outbox, UnitOfWorkDocuments(store), RecordingNotifier(), clock=SystemClock()
    )
    wakeup = PostgresOutboxListener(store) if listen else None
    loop = DispatchLoop(dispatcher, wakeup=wakeup, poll_interval=60.0 if listen else 1.0)
    thread = threading.Thread(target=loop.run)
    thread.start()
    rng = random.Random(seed)
    committed: dict[str, float] = {}
    try:
        time.sleep(0.2)
        ids = [f"{pattern}-{uuid.uuid4().hex[:12]}" for _ in range(count)]
        if pattern == "single":
            for entry_id in ids:
                committed |= _queue(store, [entry_id])
                time.sleep(rng.uniform(0.1, 0.3))
        else:
            committed = _queue(store, ids)
        deadline = time.monotonic() + 30
        while len(outbox.sent_at) < count and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        loop.stop()
        thread.join(30)
    missing = count - len(outbox.sent_at)
    if missing:
        raise SystemExit(f"{missing} entries were not delivered within 30 s")
    return [outbox.sent_at[i] - committed[i] for i in committed]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer entries (< 60 s)")
    parser.add_argument(
        "--postgres",
        default="host=127.0.0.1 port=5432 dbname=test user=postgres",
        help="conninfo of a PostgreSQL server",
    )
    args = parser.parse_args(argv)
    try:
        from quote2order.adapters.postgres import PostgresStore

        store = PostgresStore(args.postgres, f"q2o_bench_{uuid.uuid4().hex[:8]}")
    except Exception as exc:  # no server here: nothing to measure
        print(f"PostgreSQL unavailable, nothing measured: {exc}", file=sys.stderr)
        return 0
    singles = 15 if args.quick else 40
    rows = [("single, 0.1-0.3 s apart", "single", singles)]
    rows += [("burst of 10", "burst", 10), ("burst of 50", "burst", 50)]
    print(f"{'entries':<26}{'wakeup':<15}{'median ms':>10}{'p95 ms':>10}{'max ms':>10}")
    worst: dict[bool, float] = {True: 0.0, False: 0.0}
    medians: dict[tuple[str, bool], float] = {}
    try:
        for label, pattern, count in rows:
            for listen in (True, False):
                latencies = sorted(run(store, listen, pattern, count, seed=count))
                median = statistics.median(latencies)
                p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
                medians[(label, listen)] = median
                worst[listen] = max(worst[listen], latencies[-1])
                name = "LISTEN/NOTIFY" if listen else "poll 1 s"
                print(
                    f"{label:<26}{name:<15}{median * 1000:>10.1f}{p95 * 1000:>10.1f}"
                    f"{latencies[-1] * 1000:>10.1f}"
                )
    finally:
        store.drop_schema()
        store.close()
    for label, _, _ in rows:
        ratio = medians[(label, False)] / medians[(label, True)]
        print(f"median speed-up of LISTEN/NOTIFY over polling, {label}: {ratio:.0f}x")
    print(
        f"worst latency: LISTEN/NOTIFY {worst[True] * 1000:.1f} ms, "
        f"polling {worst[False] * 1000:.1f} ms (target: < 1000 ms with LISTEN/NOTIFY)"
    )
    return 0 if worst[True] < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
