-- The purchasing cart (one per reseller, created by its first save) and purchase orders.
-- Bodies are JSONB (amounts and quantities as decimal strings).

CREATE TABLE carts (
    reseller_id text PRIMARY KEY,                          -- a cart's id is its reseller's id
    revision integer NOT NULL,                             -- optimistic lock; 1 after first save
    body jsonb NOT NULL
);

CREATE TABLE purchase_orders (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- insertion order: "oldest first"
    purchase_order_id text NOT NULL UNIQUE,
    reseller_id text NOT NULL,
    supplier_id text NOT NULL,
    status text NOT NULL,
    number text NOT NULL,
    revision integer NOT NULL,
    body jsonb NOT NULL
);
CREATE INDEX purchase_orders_reseller ON purchase_orders (reseller_id, seq);
