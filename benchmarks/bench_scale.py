"""The read side at volume: board, lists, card, portal, expiry and outbox claim vs. history.

    python benchmarks/bench_scale.py                 # N = 1,000 / 10,000 / 100,000
    python benchmarks/bench_scale.py --quick         # N = 1,000 / 10,000, no worker run
    python benchmarks/bench_scale.py --sizes 1000 --stores sqlite
    python benchmarks/bench_scale.py --workers-only  # dispatcher with 1/2/4 processes
    python benchmarks/bench_scale.py --cart-only     # a cart of 1,000 lines
    python benchmarks/bench_scale.py --postgres "host=127.0.0.1 dbname=test user=postgres"

For each store (a SQLite file; a PostgreSQL schema) and each N, one reseller gets N quotes
(10 positions each, 40 % won; see ``_seed.py``) and ten other resellers as many again
between them. Then, each timed ``--repeat`` times (median and worst, ms):

* board: ``Board(service, reseller_id=...).view()``: counts, sums, first 25 cards per column
* board, one customer / board, text: the same, filtered to one customer / a text search
* list page: the second page (50) of the reseller's sent quotes, by cursor
* card: ``Board.card`` of a quote; portal: ``Portal.view`` of a link (token to page)
* expiry: ``expire_quotes(reseller_id=...)`` with 1 % of the quotes due (run once)
* board memory: peak Python allocation during one board view (tracemalloc)
* bytes/quote: the database's size (tables and indexes) over all quotes of all resellers

The baseline is the board as the library built it before the read side: load every quote
and order of the reseller and project them (``build_board``); measured in the same run up
to ``--baseline-max`` quotes. The outbox claim is measured with 0 and with 100,000 sent
entries plus 100,000 waiting for a retry; purchasing with a cart of ``--cart-lines`` lines
(adding one more order, checking out 10 lines). Targets: board <= 50 ms at 100,000 quotes and
growth <= 1.5x per 10x; list page, card, portal <= 10 ms; peak memory independent of N.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from _seed import NOW, POSITIONS, seed

from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Position,
    PositionKind,
    Quote2Order,
    QuoteStatus,
    StaticOfferSource,
    SupplierOffer,
    SupplierTerms,
    VatRate,
)
from quote2order.adapters import _codec
from quote2order.adapters.sqlite import SqliteStore
from quote2order.board import Board, build_board
from quote2order.portal import Portal
from quote2order.ports import OutboxEntry, OutboxStatus
from quote2order.queries import ReadFilter
from quote2order.testing import FixedClock

PG_DEFAULT = "host=127.0.0.1 port=5432 dbname=test user=postgres"
MAIN = "reseller-main"
OTHERS = 10


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median and worst wall time of ``repeat`` runs, and the median CPU time of this
    process, in ms (after one warm-up run). On a busy machine the CPU time shows the
    work done here (all of it on SQLite, the client's part on PostgreSQL)."""
    return timed_with_cpu(action, repeat)[:3]


def timed_with_cpu(action: Callable[[], object], repeat: int) -> tuple[float, float, float, float]:
    """As :func:`timed`, and the worst CPU time too."""
    action()
    runs, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        runs.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(runs), max(runs), statistics.median(cpu), max(cpu)


def peak_kib(action: Callable[[], object]) -> float:
    """Peak Python allocation while ``action`` runs, in KiB."""
    gc.collect()
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024


class Target:
    """A fresh database of one kind: a SQLite file or a PostgreSQL schema."""

    def __init__(self, kind: str, conninfo: str, folder: Path) -> None:
        self.kind = kind
        self.conninfo = conninfo
        self.folder = folder
        self.store: Any = None

    def open(self) -> Any:
        if self.kind == "sqlite":
            path = self.folder / f"scale-{uuid.uuid4().hex[:8]}.db"
            self.store = SqliteStore(path)
            self.path = path
        else:
            from quote2order.adapters.postgres import PostgresStore

            self.store = PostgresStore(self.conninfo, f"q2o_bench_{uuid.uuid4().hex[:10]}")
        return self.store

    def settle(self) -> None:
        """What a running database does by itself: a WAL checkpoint on SQLite (no
        ANALYZE: an application's SQLite file rarely has statistics); on PostgreSQL the
        statistics and visibility map that autovacuum keeps after a bulk load."""
        with self.store._connection() as conn:
            if self.kind == "sqlite":
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)", ())
            else:
                conn.execute("VACUUM ANALYZE", ())

    def bytes_per_quote(self, quotes: int) -> dict[str, float]:
        """Bytes per quote of the quotes and orders tables and their indexes."""
        with self.store._connection() as conn:
            if self.kind == "sqlite":
                rows = conn.execute(
                    "SELECT coalesce(i.tbl_name, s.name), s.name = coalesce(i.tbl_name, s.name), "
                    "sum(s.pgsize) FROM dbstat s LEFT JOIN sqlite_master i "
                    "ON i.name = s.name AND i.type = 'index' GROUP BY s.name",
                    (),
                ).fetchall()
                body = conn.execute(
                    "SELECT (SELECT sum(length(body)) FROM quotes) + "
                    "(SELECT coalesce(sum(length(body)), 0) FROM orders)",
                    (),
                ).fetchone()[0]
            else:
                rows = conn.execute(
                    "SELECT c.relname, true, pg_total_relation_size(c.oid) - "
                    "pg_indexes_size(c.oid) FROM pg_class c WHERE c.relname IN "
                    "('quotes', 'orders') AND c.relnamespace = current_schema()::regnamespace "
                    "UNION ALL SELECT c.relname, false, pg_indexes_size(c.oid) FROM pg_class c "
                    "WHERE c.relname IN ('quotes', 'orders') "
                    "AND c.relnamespace = current_schema()::regnamespace",
                    (),
                ).fetchall()
                body = conn.execute(
                    "SELECT (SELECT sum(pg_column_size(body)) FROM quotes) + "
                    "(SELECT coalesce(sum(pg_column_size(body)), 0) FROM orders)",
                    (),
                ).fetchone()[0]
            size_of = "length" if self.kind == "sqlite" else "pg_column_size"
            read = sum(
                int(
                    conn.execute(
                        "SELECT coalesce(sum("
                        + " + ".join(f"coalesce({size_of}({c}), 0)" for c in columns)
                        + f"), 0) FROM {table}",
                        (),
                    ).fetchone()[0]
                )
                for table, columns in READ_COLUMNS.items()
            )
        # SQLite's FTS5 search tables (quotes_search_data, ...) are part of the indexes
        search = sum(
            size
            for name, _, size in rows
            if name not in TABLES and name.split("_search")[0] in TABLES
        )
        tables = sum(size for name, is_table, size in rows if is_table and name in TABLES)
        indexes = search + sum(
            size for name, is_table, size in rows if not is_table and name in TABLES
        )
        return {
            "total": (tables + indexes) / quotes,
            "tables": tables / quotes,
            "indexes": indexes / quotes,
            "bodies": int(body) / quotes,
            "read columns": read / quotes,
        }

    def close(self) -> None:
        if self.store is None:
            return
        if self.kind == "postgres":
            self.store.drop_schema()
        self.store.close()
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.store = None


TABLES = ("quotes", "orders")
# The read rows of migration 0005: stored twice, once in the body and once beside it.
READ_COLUMNS = {
    "quotes": (
        "number customer_name title version currency net gross valid_until order_id "
        "created_at activity_at search board_column card_state card_order_number card_title "
        "card_version card_net card_net_minor"
    ).split(),
    "orders": (
        "order_number quote_number customer_name title currency net gross created_at "
        "activity_at search"
    ).split(),
}


def measure(target: Target, n: int, repeat: int, baseline_max: int) -> dict[str, Any]:
    """Every figure for one store and one N."""
    store = target.open()
    started = time.perf_counter()
    seed(store, MAIN, n)
    for k in range(OTHERS):
        seed(store, f"reseller-other-{k}", n // OTHERS)
    target.settle()
    seeding = time.perf_counter() - started
    clock = FixedClock(NOW)
    service = Quote2Order(store, clock=clock)
    board = Board(service, reseller_id=MAIN)
    customer = f"{MAIN}-c7"
    # one real link: a quote made through the service, with its token
    created = service.create_quote(
        reseller_id=MAIN,
        customer=Customer(customer, "Kontakt 7", "einkauf7@example.com", company="Firma 7 GmbH"),
        title="Portal",
        positions=POSITIONS,
        valid_until=NOW.date() + timedelta(days=30),
    )
    service.send_quote(created.quote.quote_id)
    portal = Portal(service)
    first = service.queries.quotes(MAIN, statuses=[QuoteStatus.SENT], page_size=50)
    some_card = first.items[7].quote_id
    result: dict[str, Any] = {"seed s": seeding}
    result["board"] = timed(board.view, repeat)
    result["board, one customer"] = timed(lambda: board.view(customer_id=customer), repeat)
    result["board, text"] = timed(lambda: board.view(text="firma 7 gmbh"), repeat)
    result["list page, text"] = timed(
        lambda: service.queries.quotes(MAIN, filter=ReadFilter(text="firma 7 gmbh"), page_size=50),
        repeat,
    )
    result["list page"] = timed(
        lambda: service.queries.quotes(
            MAIN, statuses=[QuoteStatus.SENT], after=first.next_cursor, page_size=50
        ),
        repeat,
    )
    result["card"] = timed(lambda: board.card(some_card), repeat)
    result["portal"] = timed(lambda: portal.view(created.link_token), repeat)
    result["board memory KiB"] = peak_kib(board.view)
    if n <= baseline_max:
        result["baseline board"] = timed(
            lambda: build_board(
                service.list_quotes(reseller_id=MAIN),
                service.list_orders(reseller_id=MAIN),
                now=clock.now(),
            ),
            max(1, min(repeat, 3)),
        )
        result["baseline memory KiB"] = peak_kib(
            lambda: build_board(
                service.list_quotes(reseller_id=MAIN),
                service.list_orders(reseller_id=MAIN),
                now=clock.now(),
            )
        )
    total_quotes = n + OTHERS * (n // OTHERS) + 1
    result["bytes/quote"] = target.bytes_per_quote(total_quotes)
    due = len(
        service.queries.quotes_due_for_expiry(
            today=NOW.date(), reseller_id=MAIN, page_size=1000
        ).items
    )
    start = time.perf_counter()
    expired = service.expire_quotes(reseller_id=MAIN)
    result["expiry"] = ((time.perf_counter() - start) * 1000, len(expired))
    assert len(expired) >= min(due, 1000), (len(expired), due)
    target.close()
    return result


# -- purchasing ------------------------------------------------------------------------------


def _confirmed_order(service: Quote2Order, n: int, products: range) -> str:
    positions = [
        Position(
            f"p{i}",
            PositionKind.CATALOG,
            f"Product {p}",
            Decimal(1 + p % 3),
            Money("100.00", "EUR"),
            VatRate("19"),
            product=CatalogProduct(f"P{p}", f"MPN-{p}", f"Product {p}"),
        )
        for i, p in enumerate(products)
    ]
    created = service.create_quote(
        reseller_id=MAIN,
        customer=Customer(f"c{n}", f"Kunde {n}", "einkauf@example.com"),
        title="Cart",
        positions=positions,
        valid_until=NOW.date() + timedelta(days=30),
    )
    service.send_quote(created.quote.quote_id)
    order = service.mark_quote_won(created.quote.quote_id)
    return service.confirm_order(order.order_id).order_id


def measure_purchasing(
    target: Target, lines: int, repeat: int
) -> dict[str, tuple[float, float, float, float]]:
    """A cart of ``lines`` lines: add one more order (20 lines), check out 10 lines.

    Each run is one command, as a screen sends it: the line ids to check out are known
    to the caller (read once before the runs), so a run does not list the whole cart."""
    store = target.open()
    service = Quote2Order(store, clock=FixedClock(NOW))
    per_order = 20
    for n in range(lines // per_order):
        service.add_to_cart(_confirmed_order(service, n, range(n * per_order, (n + 1) * per_order)))
    source = StaticOfferSource(
        [
            SupplierOffer(s, f"P{p}", Money("80.00", "EUR"), 1000)
            for p in range(lines + per_order * (repeat + 1))
            for s in ("alpha", "beta")
        ],
        [SupplierTerms(s, Money("9.90", "EUR"), Money("0.00", "EUR")) for s in ("alpha", "beta")],
    )
    extra = iter(
        _confirmed_order(
            service, 10_000 + k, range(lines + k * per_order, lines + (k + 1) * per_order)
        )
        for k in range(repeat + 1)
    )
    prepared = [next(extra) for _ in range(repeat + 1)]
    todo = iter(prepared)
    result = {
        "add one order to the cart": timed_with_cpu(lambda: service.add_to_cart(next(todo)), repeat)
    }
    line_ids = [line.line_id for line in service.get_cart(MAIN).lines]
    tens = iter([line_ids[start : start + 10] for start in range(0, len(line_ids), 10)])
    result["check out 10 lines"] = timed_with_cpu(
        lambda: service.checkout(MAIN, source, line_ids=next(tens)), repeat
    )

    def one_row_commit() -> None:
        # What any write costs here before its statements: one committed, durable write.
        with store._connection() as conn, store._dialect.transaction(conn):
            conn.execute(
                store._p("UPDATE carts SET revision = revision WHERE reseller_id = ?"), (MAIN,)
            )

    result["floor: a one-row commit"] = timed_with_cpu(one_row_commit, repeat)
    target.close()
    return result


# -- the outbox ------------------------------------------------------------------------------


def _entry(i: int, **changes: Any) -> OutboxEntry:
    values: dict[str, Any] = {
        "entry_id": f"entry-{i:07d}-{uuid.uuid4().hex[:6]}",
        "reseller_id": MAIN,
        "notification": "quote_sent",
        "channel": "portal",
        "aggregate_kind": "quote",
        "aggregate_id": f"q-{i}",
        "recipient": "einkauf@example.com",
        "locale": "de_DE",
        "payload": {"document_id": f"doc-{i}"},
        "created_at": NOW,
    }
    values.update(changes)
    return OutboxEntry(**values)


def add_entries(
    store: Any, count: int, *, status: str = "pending", due: datetime | None = None
) -> None:
    """``count`` outbox entries made by the database itself (bulk, for the benchmark):
    the body of one real entry with its own id each; ``due``: waiting for a retry."""
    sample = _entry(0)
    template = _codec.dumps(_codec.outbox_to_dict(sample), "entry")
    tag = uuid.uuid4().hex[:8]
    dialect = store._dialect
    at = dialect.timestamp(due)
    if type(store).__name__ == "PostgresStore":
        numbers = "SELECT i FROM generate_series(1, %s) AS i"
        entry_id = f"'{tag}-' || i"
        json = "::jsonb"
    else:
        numbers = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "SELECT i FROM n"
        )
        entry_id = f"'{tag}-' || i"
        json = ""
    p = "%s" if json else "?"
    sql = (
        "INSERT INTO outbox (reseller_id, entry_id, status, attempts, next_attempt_at, "
        "last_error, claimed_by, claimed_until, due_at, body) "
        f"SELECT {p}, {entry_id}, {p}, 0, {p}, '', NULL, NULL, "
        f"COALESCE({p}, {dialect.earliest}), "
        f"replace({p}, 'ENTRY-ID', {entry_id}){json} FROM ({numbers}) AS numbers"
    )
    body = template.replace(sample.entry_id, "ENTRY-ID")
    with store._connection() as conn, dialect.transaction(conn):
        conn.execute(sql, (sample.reseller_id, status, at, at, body, count))


def measure_claim(
    target: Target, repeat: int, waiting: int
) -> dict[str, tuple[float, float, float]]:
    """Claim of 10 due entries with 0, then with ``waiting`` sent + ``waiting`` retrying."""
    store = target.open()
    outbox = store.outbox_store
    result = {}

    def claim() -> None:
        claimed = outbox.claim(worker="w", now=NOW, lease=timedelta(minutes=5), limit=10)
        assert len(claimed) == 10

    add_entries(store, 10 * (repeat + 1))
    target.settle()
    result["claim, empty table"] = timed(claim, repeat)
    add_entries(store, waiting, status=OutboxStatus.SENT.value)
    add_entries(store, waiting, due=NOW + timedelta(hours=1))
    add_entries(store, 10 * (repeat + 1))
    target.settle()
    result[f"claim, {waiting:,} sent + {waiting:,} waiting"] = timed(claim, repeat)
    target.close()
    return result


def _worker(conninfo: str, schema: str) -> int:
    from quote2order.adapters.postgres import PostgresStore
    from quote2order.notifications import Dispatcher, UnitOfWorkDocuments
    from quote2order.testing import RecordingNotifier

    store = PostgresStore(conninfo, schema, migrate=False)
    dispatcher = Dispatcher(
        store.outbox_store,
        UnitOfWorkDocuments(store),
        RecordingNotifier(),
        clock=FixedClock(NOW),
        batch_size=20,
    )
    report = dispatcher.run_until_empty()
    store.close()
    return report.sent


def measure_workers(conninfo: str, entries: int) -> list[tuple[int, float, int]]:
    """Messages/s of 1, 2 and 4 dispatcher processes over ``entries`` pending entries."""
    from quote2order.adapters.postgres import PostgresStore

    rows = []
    for workers in (1, 2, 4):
        schema = f"q2o_bench_{uuid.uuid4().hex[:10]}"
        store = PostgresStore(conninfo, schema)
        add_entries(store, entries)
        with store._connection() as conn:
            conn.execute("VACUUM ANALYZE outbox", ())
        ctx = get_context("spawn")
        with ctx.Pool(workers) as pool:
            start = time.perf_counter()
            sent = pool.starmap(_worker, [(conninfo, schema)] * workers)
            elapsed = time.perf_counter() - start
        assert sum(sent) == entries, (sum(sent), entries)
        rows.append((workers, entries / elapsed, sum(sent)))
        store.drop_schema()
        store.close()
    return rows


# -- printing --------------------------------------------------------------------------------

ROWS = [
    "board",
    "board, one customer",
    "board, text",
    "list page, text",
    "list page",
    "card",
    "portal",
    "baseline board",
]


def print_table(kind: str, results: dict[int, dict[str, Any]]) -> None:
    sizes = sorted(results)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nmachine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min)")
    print(f"\n## {kind}: median ms (worst of the runs; median CPU ms of this process)\n")
    print("| | " + " | ".join(f"{n:,} quotes" for n in sizes) + " | growth per 10x |")
    print("|---|" + "---|" * (len(sizes) + 1))
    for name in ROWS:
        cells, medians = [], []
        for n in sizes:
            figure = results[n].get(name)
            if figure is None:
                cells.append("-")
                continue
            cells.append(f"{figure[0]:.2f} ({figure[1]:.2f}; cpu {figure[2]:.2f})")
            medians.append((n, figure[0]))
        growth = [b / a for (_, a), (_, b) in itertools.pairwise(medians)]
        cells.append(", ".join(f"{g:.2f}x" for g in growth) or "-")
        print(f"| {name} | " + " | ".join(cells) + " |")
    cells = []
    for n in sizes:
        ms, count = results[n]["expiry"]
        cells.append(f"{ms:.0f} ms for {count} due ({ms / max(count, 1):.2f} ms each)")
    print("| expiry, 1 % due | " + " | ".join(cells) + " | |")
    for name in ("board memory KiB", "baseline memory KiB"):
        cells = [f"{results[n][name]:,.0f}" if name in results[n] else "-" for n in sizes]
        print(f"| {name} | " + " | ".join(cells) + " | |")
    for part in ("total", "tables", "bodies", "read columns", "indexes"):
        cells = [f"{results[n]['bytes/quote'][part]:,.0f}" for n in sizes]
        print(f"| bytes/quote, {part} | " + " | ".join(cells) + " | |")
    cells = [f"{results[n]['seed s']:.0f}" for n in sizes]
    print("| seeding s (all resellers) | " + " | ".join(cells) + " | |")
    for n in sizes:
        if "baseline board" in results[n]:
            ratio = results[n]["baseline board"][0] / results[n]["board"][0]
            print(f"\nboard at {n:,}: {ratio:,.0f}x faster than the baseline (same run)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 1,000 and 10,000 only")
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--stores", nargs="*", default=["sqlite", "postgres"])
    parser.add_argument("--postgres", default=os.environ.get("Q2O_TEST_POSTGRES", PG_DEFAULT))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-max", type=int, default=10_000)
    parser.add_argument("--waiting", type=int, default=100_000)
    parser.add_argument("--cart-lines", type=int, default=1000, help="0: no cart run")
    parser.add_argument("--workers-only", action="store_true")
    parser.add_argument("--no-workers", action="store_true")
    parser.add_argument("--cart-only", action="store_true")
    parser.add_argument("--claim-only", action="store_true")
    parser.add_argument("--worker-entries", type=int, default=10_000)
    args = parser.parse_args()
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    waiting = 10_000 if args.quick else args.waiting
    stores = list(args.stores)
    if "postgres" in stores:
        try:
            import psycopg

            psycopg.connect(args.postgres, connect_timeout=3).close()
        except Exception as exc:  # no driver or no server: say so and go on without it
            print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
            stores.remove("postgres")
    if not (args.workers_only or args.cart_only):
        with tempfile.TemporaryDirectory() as folder:
            for kind in stores:
                results = {}
                for n in [] if args.claim_only else sizes:
                    target = Target(kind, args.postgres, Path(folder))
                    results[n] = measure(target, n, args.repeat, args.baseline_max)
                    print(f"{kind} {n:,}: done", file=sys.stderr, flush=True)
                if results:
                    print_table(kind, results)
                claim = measure_claim(
                    Target(kind, args.postgres, Path(folder)), args.repeat, waiting
                )
                for name, (median, worst, cpu) in claim.items():
                    print(
                        f"| {kind} outbox {name} | {median:.2f} ms "
                        f"(worst {worst:.2f}; cpu {cpu:.2f}) |"
                    )
    if args.cart_lines and not (args.workers_only or args.claim_only):
        with tempfile.TemporaryDirectory() as folder:
            for kind in stores:
                cart = measure_purchasing(
                    Target(kind, args.postgres, Path(folder)), args.cart_lines, args.repeat
                )
                for name, (median, worst, cpu, cpu_worst) in cart.items():
                    print(
                        f"| {kind} cart of {args.cart_lines:,} lines: {name} | "
                        f"{median:.2f} ms (worst {worst:.2f}; cpu {cpu:.2f}, "
                        f"worst {cpu_worst:.2f}) |"
                    )
    no_workers = args.quick or args.no_workers or args.cart_only or args.claim_only
    if "postgres" in stores and not no_workers:
        print("\n## dispatcher processes on PostgreSQL (portal entries: claim + mark sent)\n")
        print("| processes | messages/s |")
        print("|---|---|")
        for workers, rate, _ in measure_workers(args.postgres, args.worker_entries):
            print(f"| {workers} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
