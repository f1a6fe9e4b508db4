-- Read rows: the columns the read side (quote2order.queries) answers from, written in the
-- same transaction as each quote and order, and their indexes; every index leads with the
-- reseller id. Existing rows are filled from their bodies by the library after this script
-- (totals need the model's rounding rules), in the same transaction.
-- Amounts are decimal text; the card's net also in integer minor units (NULL beyond
-- +-10^13), which SQL sums exactly. Times are UTC ISO 8601 text.

ALTER TABLE quotes ADD COLUMN number TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN customer_name TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quotes ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN net TEXT NOT NULL DEFAULT '0';
ALTER TABLE quotes ADD COLUMN gross TEXT NOT NULL DEFAULT '0';
ALTER TABLE quotes ADD COLUMN valid_until TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN order_id TEXT;
ALTER TABLE quotes ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN activity_at TEXT NOT NULL DEFAULT '';  -- quote's or its order's
ALTER TABLE quotes ADD COLUMN search TEXT NOT NULL DEFAULT '';       -- case-folded numbers, title, customer
-- the board card: the quote's, or while it is won, its order's
ALTER TABLE quotes ADD COLUMN board_column TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN card_state TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN card_order_number TEXT;
ALTER TABLE quotes ADD COLUMN card_title TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN card_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quotes ADD COLUMN card_net TEXT NOT NULL DEFAULT '0';
ALTER TABLE quotes ADD COLUMN card_net_minor INTEGER;

ALTER TABLE orders ADD COLUMN order_number TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN quote_number TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN customer_name TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN net TEXT NOT NULL DEFAULT '0';
ALTER TABLE orders ADD COLUMN gross TEXT NOT NULL DEFAULT '0';
ALTER TABLE orders ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN activity_at TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN search TEXT NOT NULL DEFAULT '';

-- Counts and sums of each reseller's board columns, kept by triggers in the same
-- transaction as the quote rows, so that an unfiltered board reads a handful of rows
-- instead of counting the reseller's history. "unsummed" counts cards whose net is
-- beyond card_net_minor (their sums are then made from card_net).
CREATE TABLE board_totals (
    reseller_id TEXT NOT NULL,
    board_column TEXT NOT NULL,
    currency TEXT NOT NULL,
    cards INTEGER NOT NULL,
    net_minor INTEGER NOT NULL,
    unsummed INTEGER NOT NULL,
    PRIMARY KEY (reseller_id, board_column, currency)
);
INSERT INTO board_totals (reseller_id, board_column, currency, cards, net_minor, unsummed)
    SELECT reseller_id, board_column, currency, count(*), 0, count(*)
    FROM quotes GROUP BY reseller_id, board_column, currency;
CREATE TRIGGER quotes_board_totals_insert AFTER INSERT ON quotes BEGIN
    INSERT INTO board_totals (reseller_id, board_column, currency, cards, net_minor, unsummed)
    VALUES (NEW.reseller_id, NEW.board_column, NEW.currency, 1,
            coalesce(NEW.card_net_minor, 0), NEW.card_net_minor IS NULL)
    ON CONFLICT (reseller_id, board_column, currency) DO UPDATE SET
        cards = cards + 1, net_minor = net_minor + excluded.net_minor,
        unsummed = unsummed + excluded.unsummed;
END;
CREATE TRIGGER quotes_board_totals_update
AFTER UPDATE OF reseller_id, board_column, currency, card_net_minor ON quotes BEGIN
    UPDATE board_totals SET cards = cards - 1,
        net_minor = net_minor - coalesce(OLD.card_net_minor, 0),
        unsummed = unsummed - (OLD.card_net_minor IS NULL)
    WHERE reseller_id = OLD.reseller_id AND board_column = OLD.board_column
        AND currency = OLD.currency;
    INSERT INTO board_totals (reseller_id, board_column, currency, cards, net_minor, unsummed)
    VALUES (NEW.reseller_id, NEW.board_column, NEW.currency, 1,
            coalesce(NEW.card_net_minor, 0), NEW.card_net_minor IS NULL)
    ON CONFLICT (reseller_id, board_column, currency) DO UPDATE SET
        cards = cards + 1, net_minor = net_minor + excluded.net_minor,
        unsummed = unsummed + excluded.unsummed;
END;
CREATE TRIGGER quotes_board_totals_delete AFTER DELETE ON quotes BEGIN
    UPDATE board_totals SET cards = cards - 1,
        net_minor = net_minor - coalesce(OLD.card_net_minor, 0),
        unsummed = unsummed - (OLD.card_net_minor IS NULL)
    WHERE reseller_id = OLD.reseller_id AND board_column = OLD.board_column
        AND currency = OLD.currency;
END;

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
-- waiting for a retry cost nothing. '' (before any time) for entries due at once.
ALTER TABLE outbox ADD COLUMN due_at TEXT NOT NULL DEFAULT '';
UPDATE outbox SET due_at = max(coalesce(next_attempt_at, ''), coalesce(claimed_until, ''));
CREATE INDEX outbox_due ON outbox (due_at, seq) WHERE status = 'pending';
