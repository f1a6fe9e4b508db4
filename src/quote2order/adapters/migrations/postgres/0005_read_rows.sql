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

-- Counts and sums of each reseller's board columns, kept by a trigger in the same
-- transaction as the quote rows, so that an unfiltered board reads a handful of rows
-- instead of counting the reseller's history. "unsummed" counts cards whose net is
-- beyond card_net_minor (their sums are then made from card_net).
CREATE TABLE board_totals (
    reseller_id text NOT NULL,
    board_column text NOT NULL,
    currency text NOT NULL,
    cards bigint NOT NULL,
    net_minor numeric NOT NULL,
    unsummed bigint NOT NULL,
    PRIMARY KEY (reseller_id, board_column, currency)
);
INSERT INTO board_totals (reseller_id, board_column, currency, cards, net_minor, unsummed)
    SELECT reseller_id, board_column, currency, count(*), 0, count(*)
    FROM quotes GROUP BY reseller_id, board_column, currency;
CREATE FUNCTION quotes_board_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Lock both rows in one order, so that two commits moving cards between the
        -- same columns in opposite directions wait for each other instead of deadlocking.
        PERFORM 1 FROM board_totals
        WHERE (reseller_id, board_column, currency) IN (
            (OLD.reseller_id, OLD.board_column, OLD.currency),
            (NEW.reseller_id, NEW.board_column, NEW.currency))
        ORDER BY reseller_id, board_column, currency FOR UPDATE;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE board_totals SET cards = cards - 1,
            net_minor = net_minor - coalesce(OLD.card_net_minor, 0),
            unsummed = unsummed - (OLD.card_net_minor IS NULL)::int
        WHERE reseller_id = OLD.reseller_id AND board_column = OLD.board_column
            AND currency = OLD.currency;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO board_totals AS t
            (reseller_id, board_column, currency, cards, net_minor, unsummed)
        VALUES (NEW.reseller_id, NEW.board_column, NEW.currency, 1,
                coalesce(NEW.card_net_minor, 0), (NEW.card_net_minor IS NULL)::int)
        ON CONFLICT (reseller_id, board_column, currency) DO UPDATE SET
            cards = t.cards + 1, net_minor = t.net_minor + excluded.net_minor,
            unsummed = t.unsummed + excluded.unsummed;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER quotes_board_totals
AFTER INSERT OR DELETE OR UPDATE OF reseller_id, board_column, currency, card_net_minor
ON quotes FOR EACH ROW EXECUTE FUNCTION quotes_board_totals();

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
