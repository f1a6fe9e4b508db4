-- The first schema: one table per port. An aggregate's body is JSONB (amounts as decimal
-- strings); the columns beside it are what is queried.

CREATE TABLE quotes (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- insertion order: "oldest first"
    quote_id text NOT NULL UNIQUE,
    reseller_id text NOT NULL,
    status text NOT NULL,
    token_hash text NOT NULL,
    revision integer NOT NULL,                             -- optimistic lock counter
    body jsonb NOT NULL
);
CREATE INDEX quotes_reseller ON quotes (reseller_id, seq);
CREATE INDEX quotes_token_hash ON quotes (token_hash);

CREATE TABLE orders (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id text NOT NULL UNIQUE,
    reseller_id text NOT NULL,
    quote_id text NOT NULL,
    quote_version integer NOT NULL,
    status text NOT NULL,
    revision integer NOT NULL,
    body jsonb NOT NULL,
    UNIQUE (quote_id, quote_version)                       -- one order per won quote version
);
CREATE INDEX orders_reseller ON orders (reseller_id, seq);

CREATE TABLE events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aggregate_kind text NOT NULL,
    aggregate_id text NOT NULL,
    name text NOT NULL,
    body jsonb NOT NULL
);
CREATE INDEX events_aggregate ON events (aggregate_kind, aggregate_id, seq);

CREATE TABLE sequences (
    name text PRIMARY KEY,
    value bigint NOT NULL
);

CREATE TABLE idempotency_keys (
    key text PRIMARY KEY,
    command text NOT NULL,
    fingerprint text NOT NULL,
    result_id text NOT NULL
);

CREATE TABLE outbox (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id text NOT NULL UNIQUE,
    status text NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamptz,
    last_error text NOT NULL,
    claimed_by text,
    claimed_until timestamptz,
    body jsonb NOT NULL
);
CREATE INDEX outbox_status ON outbox (status, seq);

CREATE TABLE documents (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id text NOT NULL UNIQUE,
    aggregate_kind text NOT NULL,
    aggregate_id text NOT NULL,
    body jsonb NOT NULL
);
CREATE INDEX documents_aggregate ON documents (aggregate_kind, aggregate_id, seq);
