-- Text search served by an index: a pg_trgm GIN index on the case-folded search column
-- of quotes and of orders, which serves the read side's LIKE '%text%' as it is (the
-- planner uses it for patterns of 3 characters or more and rechecks every candidate).
-- The extension and the indexes are made by the library after this script, in the same
-- transaction: in the schema "public" when the server has pg_trgm and allows it, else
-- not at all (the search then stays a LIKE over the reseller's rows; see
-- docs/scaling.md for creating the index later).

-- Purchase-order read rows (quote2order.queries.PurchaseOrderSummary), written with the
-- body; existing rows are filled by the library after this script. Total: decimal text.
ALTER TABLE purchase_orders
    ADD COLUMN partner boolean NOT NULL DEFAULT false,
    ADD COLUMN currency text NOT NULL DEFAULT '',
    ADD COLUMN total text NOT NULL DEFAULT '0',
    ADD COLUMN line_count integer NOT NULL DEFAULT 0,
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN sent_at timestamptz,
    ADD COLUMN received_at timestamptz,
    ADD COLUMN cancelled_at timestamptz;
CREATE INDEX purchase_orders_created
    ON purchase_orders (reseller_id, created_at, purchase_order_id);
CREATE INDEX purchase_orders_status
    ON purchase_orders (reseller_id, status, created_at, purchase_order_id);
CREATE INDEX purchase_orders_supplier
    ON purchase_orders (reseller_id, supplier_id, created_at, purchase_order_id);
