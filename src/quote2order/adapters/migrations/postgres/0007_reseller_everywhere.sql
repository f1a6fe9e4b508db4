-- Every table carries the reseller id, so that every statement can name it and the tables
-- can be split by reseller (docs/scaling.md). Existing rows take the reseller of what owns
-- them: events and documents their quote, order, purchase order or cart (a cart's id is
-- its reseller's id), outbox entries their body, number series their name
-- ("kind|year|reseller_id", see 0004), idempotency keys the aggregate they answered with
-- (a checkout: the cart of its CartCheckedOut event). A row whose owner cannot be found
-- gets ''. The columns are NOT NULL once filled.

ALTER TABLE events ADD COLUMN reseller_id text;
UPDATE events AS e SET reseller_id = q.reseller_id
    FROM quotes AS q WHERE e.aggregate_kind = 'quote' AND q.quote_id = e.aggregate_id;
UPDATE events AS e SET reseller_id = o.reseller_id
    FROM orders AS o WHERE e.aggregate_kind = 'order' AND o.order_id = e.aggregate_id;
UPDATE events AS e SET reseller_id = po.reseller_id
    FROM purchase_orders AS po
    WHERE e.aggregate_kind = 'purchase_order' AND po.purchase_order_id = e.aggregate_id;
UPDATE events SET reseller_id = CASE WHEN aggregate_kind = 'cart' THEN aggregate_id ELSE '' END
    WHERE reseller_id IS NULL;
ALTER TABLE events ALTER COLUMN reseller_id SET NOT NULL;
DROP INDEX events_aggregate;
CREATE INDEX events_aggregate ON events (reseller_id, aggregate_kind, aggregate_id, seq);

ALTER TABLE documents ADD COLUMN reseller_id text;
UPDATE documents AS d SET reseller_id = q.reseller_id
    FROM quotes AS q WHERE d.aggregate_kind = 'quote' AND q.quote_id = d.aggregate_id;
UPDATE documents AS d SET reseller_id = o.reseller_id
    FROM orders AS o WHERE d.aggregate_kind = 'order' AND o.order_id = d.aggregate_id;
UPDATE documents AS d SET reseller_id = po.reseller_id
    FROM purchase_orders AS po
    WHERE d.aggregate_kind = 'purchase_order' AND po.purchase_order_id = d.aggregate_id;
UPDATE documents
    SET reseller_id = CASE WHEN aggregate_kind = 'cart' THEN aggregate_id ELSE '' END
    WHERE reseller_id IS NULL;
ALTER TABLE documents ALTER COLUMN reseller_id SET NOT NULL;
DROP INDEX documents_aggregate;
CREATE INDEX documents_aggregate ON documents (reseller_id, aggregate_kind, aggregate_id, seq);

ALTER TABLE outbox ADD COLUMN reseller_id text;
UPDATE outbox SET reseller_id = coalesce(body->>'reseller_id', '');
ALTER TABLE outbox ALTER COLUMN reseller_id SET NOT NULL;
-- one reseller's claim (SqlOutboxStore.claim(reseller_id=...)), as outbox_due across all
CREATE INDEX outbox_reseller_due ON outbox (reseller_id, due_at, seq) WHERE status = 'pending';

ALTER TABLE sequences ADD COLUMN reseller_id text;
UPDATE sequences SET reseller_id = coalesce(substring(name FROM '^[^|]*\|[^|]*\|(.*)$'), '');
ALTER TABLE sequences ALTER COLUMN reseller_id SET NOT NULL;
ALTER TABLE sequences DROP CONSTRAINT sequences_pkey;
ALTER TABLE sequences ADD PRIMARY KEY (reseller_id, name);

ALTER TABLE idempotency_keys ADD COLUMN reseller_id text;
UPDATE idempotency_keys AS k SET reseller_id = o.reseller_id
    FROM orders AS o WHERE o.order_id = k.result_id;
UPDATE idempotency_keys AS k SET reseller_id = q.reseller_id
    FROM quotes AS q WHERE k.reseller_id IS NULL AND q.quote_id = k.result_id;
UPDATE idempotency_keys AS k SET reseller_id = po.reseller_id
    FROM purchase_orders AS po WHERE k.reseller_id IS NULL AND po.purchase_order_id = k.result_id;
UPDATE idempotency_keys AS k SET reseller_id = e.aggregate_id
    FROM events AS e
    WHERE k.reseller_id IS NULL AND k.command = 'checkout' AND e.aggregate_kind = 'cart'
      AND e.name = 'CartCheckedOut' AND e.body->>'checkout_id' = k.result_id;
UPDATE idempotency_keys SET reseller_id = '' WHERE reseller_id IS NULL;
ALTER TABLE idempotency_keys ALTER COLUMN reseller_id SET NOT NULL;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (reseller_id, key);  -- unique within its reseller
