-- Quotes and orders get their customer's id as a column, so that a portal can list one
-- customer's quotes and orders through an index. Existing rows are filled from the body.

ALTER TABLE quotes ADD COLUMN customer_id TEXT NOT NULL DEFAULT '';
UPDATE quotes SET customer_id = json_extract(body, '$.customer.customer_id');
CREATE INDEX quotes_customer ON quotes (reseller_id, customer_id, seq);

ALTER TABLE orders ADD COLUMN customer_id TEXT NOT NULL DEFAULT '';
UPDATE orders SET customer_id = json_extract(body, '$.customer.customer_id');
CREATE INDEX orders_customer ON orders (reseller_id, customer_id, seq);
