-- The purchasing cart (one per reseller, created by its first save) and purchase orders.
-- Bodies are JSON text (amounts and quantities as decimal strings, never REAL or NUMERIC).

CREATE TABLE carts (
    reseller_id TEXT PRIMARY KEY,            -- a cart's id is its reseller's id
    revision INTEGER NOT NULL,               -- optimistic lock counter; 1 after the first save
    body TEXT NOT NULL
);

CREATE TABLE purchase_orders (
    seq INTEGER PRIMARY KEY,                 -- insertion order: "oldest first"
    purchase_order_id TEXT NOT NULL UNIQUE,
    reseller_id TEXT NOT NULL,
    supplier_id TEXT NOT NULL,
    status TEXT NOT NULL,
    number TEXT NOT NULL,
    revision INTEGER NOT NULL,               -- optimistic lock counter
    body TEXT NOT NULL
);
CREATE INDEX purchase_orders_reseller ON purchase_orders (reseller_id, seq);
