-- Every table carries the reseller id, so that every statement can name it and the tables
-- can be split by reseller (docs/scaling.md). Existing rows take the reseller of what owns
-- them: events and documents their quote, order, purchase order or cart (a cart's id is
-- its reseller's id), outbox entries their body, number series their name
-- ("kind|year|reseller_id", see 0004), idempotency keys the aggregate they answered with
-- (a checkout: the cart of its CartCheckedOut event). A row whose owner cannot be found
-- keeps '' (SQLite adds a NOT NULL column only with a default).

ALTER TABLE events ADD COLUMN reseller_id TEXT NOT NULL DEFAULT '';
UPDATE events SET reseller_id = coalesce(
    CASE aggregate_kind
        WHEN 'quote' THEN (SELECT q.reseller_id FROM quotes AS q
                           WHERE q.quote_id = events.aggregate_id)
        WHEN 'order' THEN (SELECT o.reseller_id FROM orders AS o
                           WHERE o.order_id = events.aggregate_id)
        WHEN 'purchase_order' THEN (SELECT po.reseller_id FROM purchase_orders AS po
                                    WHERE po.purchase_order_id = events.aggregate_id)
        WHEN 'cart' THEN aggregate_id
    END, '');
DROP INDEX events_aggregate;
CREATE INDEX events_aggregate ON events (reseller_id, aggregate_kind, aggregate_id, seq);

ALTER TABLE documents ADD COLUMN reseller_id TEXT NOT NULL DEFAULT '';
UPDATE documents SET reseller_id = coalesce(
    CASE aggregate_kind
        WHEN 'quote' THEN (SELECT q.reseller_id FROM quotes AS q
                           WHERE q.quote_id = documents.aggregate_id)
        WHEN 'order' THEN (SELECT o.reseller_id FROM orders AS o
                           WHERE o.order_id = documents.aggregate_id)
        WHEN 'purchase_order' THEN (SELECT po.reseller_id FROM purchase_orders AS po
                                    WHERE po.purchase_order_id = documents.aggregate_id)
        WHEN 'cart' THEN aggregate_id
    END, '');
DROP INDEX documents_aggregate;
CREATE INDEX documents_aggregate ON documents (reseller_id, aggregate_kind, aggregate_id, seq);

ALTER TABLE outbox ADD COLUMN reseller_id TEXT NOT NULL DEFAULT '';
UPDATE outbox SET reseller_id = coalesce(json_extract(body, '$.reseller_id'), '');
-- one reseller's claim (SqlOutboxStore.claim(reseller_id=...)), as outbox_due across all
CREATE INDEX outbox_reseller_due ON outbox (reseller_id, due_at, seq) WHERE status = 'pending';

-- A new primary key needs a new table on SQLite.
CREATE TABLE sequences_0007 (
    reseller_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (reseller_id, name)
);
INSERT INTO sequences_0007 (reseller_id, name, value)
SELECT CASE WHEN instr(name, '|') = 0 THEN ''
            ELSE substr(substr(name, instr(name, '|') + 1),
                        instr(substr(name, instr(name, '|') + 1), '|') + 1) END,
       name, value
FROM sequences;
DROP TABLE sequences;
ALTER TABLE sequences_0007 RENAME TO sequences;

CREATE TABLE idempotency_keys_0007 (
    reseller_id TEXT NOT NULL,
    key TEXT NOT NULL,
    command TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    result_id TEXT NOT NULL,
    PRIMARY KEY (reseller_id, key)           -- a key is unique within its reseller
);
INSERT INTO idempotency_keys_0007 (reseller_id, key, command, fingerprint, result_id)
SELECT coalesce(
    (SELECT o.reseller_id FROM orders AS o WHERE o.order_id = k.result_id),
    (SELECT q.reseller_id FROM quotes AS q WHERE q.quote_id = k.result_id),
    (SELECT po.reseller_id FROM purchase_orders AS po WHERE po.purchase_order_id = k.result_id),
    CASE WHEN k.command = 'checkout' THEN
        (SELECT e.aggregate_id FROM events AS e
         WHERE e.aggregate_kind = 'cart' AND e.name = 'CartCheckedOut'
           AND json_extract(e.body, '$.checkout_id') = k.result_id LIMIT 1)
    END,
    ''), key, command, fingerprint, result_id
FROM idempotency_keys AS k;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_0007 RENAME TO idempotency_keys;
