-- Read rows: the columns the read side (quote2order.queries) answers from, written in the
-- same transaction as each quote and order, and their indexes; every index leads with the
-- reseller id. Existing rows are filled from their bodies by the library after this script
-- (totals need the model's rounding rules), in the same transaction.
-- Amounts are decimal text, like the SQLite schema's; the card's net also in integer
-- minor units (NULL beyond +-10^13) for sums in SQL.

ALTER TABLE quotes
    ADD COLUMN number text NOT NULL DEFAULT '',
    ADD COLUMN customer_name text NOT NULL DEFAULT '',
    ADD COLUMN title text NOT NULL DEFAULT '',
    ADD COLUMN version integer NOT NULL DEFAULT 0,
    ADD COLUMN currency text NOT NULL DEFAULT '',
    ADD COLUMN net text NOT NULL DEFAULT '0',
    ADD COLUMN gross text NOT NULL DEFAULT '0',
    ADD COLUMN valid_until date NOT NULL DEFAULT '-infinity',
    ADD COLUMN order_id text,
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN activity_at timestamptz NOT NULL DEFAULT '-infinity',  -- quote's or its order's
    ADD COLUMN search text NOT NULL DEFAULT '',          -- case-folded numbers, title, customer
    -- the board card: the quote's, or while it is won, its order's
    ADD COLUMN board_column text NOT NULL DEFAULT '',
    ADD COLUMN card_state text NOT NULL DEFAULT '',
    ADD COLUMN card_order_number text,
    ADD COLUMN card_title text NOT NULL DEFAULT '',
    ADD COLUMN card_version integer NOT NULL DEFAULT 0,
    ADD COLUMN card_net text NOT NULL DEFAULT '0',
    ADD COLUMN card_net_minor bigint;

ALTER TABLE orders
    ADD COLUMN order_number text NOT NULL DEFAULT '',
    ADD COLUMN quote_number text NOT NULL DEFAULT '',
    ADD COLUMN customer_name text NOT NULL DEFAULT '',
    ADD COLUMN title text NOT NULL DEFAULT '',
    ADD COLUMN currency text NOT NULL DEFAULT '',
    ADD COLUMN net text NOT NULL DEFAULT '0',
    ADD COLUMN gross text NOT NULL DEFAULT '0',
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN activity_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN search text NOT NULL DEFAULT '';

-- board: a column's page (newest activity first) and its count and sums per currency
CREATE INDEX quotes_board ON quotes (reseller_id, board_column, activity_at, quote_id);
CREATE INDEX quotes_board_sums ON quotes (reseller_id, board_column, currency, card_net_minor);
CREATE INDEX quotes_board_customer
    ON quotes (reseller_id, customer_id, board_column, activity_at, quote_id);
CREATE INDEX quotes_board_customer_sums
    ON quotes (reseller_id, customer_id, board_column, currency, card_net_minor);
CREATE INDEX quotes_created ON quotes (reseller_id, created_at);
-- lists, by number, expiry
CREATE INDEX quotes_activity ON quotes (reseller_id, activity_at, quote_id);
CREATE INDEX quotes_status ON quotes (reseller_id, status, activity_at, quote_id);
CREATE INDEX quotes_number ON quotes (reseller_id, number);
CREATE INDEX quotes_due ON quotes (reseller_id, valid_until, quote_id) WHERE status = 'sent';
CREATE INDEX quotes_due_all ON quotes (valid_until, quote_id) WHERE status = 'sent';

CREATE INDEX orders_activity ON orders (reseller_id, activity_at, order_id);
CREATE INDEX orders_status ON orders (reseller_id, status, activity_at, order_id);
CREATE INDEX orders_customer_activity ON orders (reseller_id, customer_id, activity_at, order_id);
CREATE INDEX orders_number ON orders (reseller_id, order_number);

-- The outbox claim: one column says from when an entry may be claimed (its next attempt,
-- or the end of a lease), so that the index covers the whole predicate and entries
-- waiting for a retry cost nothing. -infinity for entries due at once.
ALTER TABLE outbox ADD COLUMN due_at timestamptz NOT NULL DEFAULT '-infinity';
UPDATE outbox SET due_at = greatest(
    coalesce(next_attempt_at, '-infinity'), coalesce(claimed_until, '-infinity'));
CREATE INDEX outbox_due ON outbox (due_at, seq) WHERE status = 'pending';
