-- The first schema: one table per port. An aggregate's body is JSON text (amounts as
-- decimal strings, never REAL or NUMERIC); the columns beside it are what is queried.

CREATE TABLE quotes (
    seq INTEGER PRIMARY KEY,                 -- insertion order: "oldest first"
    quote_id TEXT NOT NULL UNIQUE,
    reseller_id TEXT NOT NULL,
    status TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    revision INTEGER NOT NULL,               -- optimistic lock counter
    body TEXT NOT NULL
);
CREATE INDEX quotes_reseller ON quotes (reseller_id, seq);
CREATE INDEX quotes_token_hash ON quotes (token_hash);

CREATE TABLE orders (
    seq INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE,
    reseller_id TEXT NOT NULL,
    quote_id TEXT NOT NULL,
    quote_version INTEGER NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (quote_id, quote_version)         -- one order per won quote version
);
CREATE INDEX orders_reseller ON orders (reseller_id, seq);

CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    aggregate_kind TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX events_aggregate ON events (aggregate_kind, aggregate_id, seq);

CREATE TABLE sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    command TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    result_id TEXT NOT NULL
);

CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    entry_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT,                    -- UTC, ISO 8601 with microseconds: sorts as text
    last_error TEXT NOT NULL,
    claimed_by TEXT,
    claimed_until TEXT,
    body TEXT NOT NULL
);
CREATE INDEX outbox_status ON outbox (status, seq);

CREATE TABLE documents (
    seq INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL UNIQUE,
    aggregate_kind TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX documents_aggregate ON documents (aggregate_kind, aggregate_id, seq);
