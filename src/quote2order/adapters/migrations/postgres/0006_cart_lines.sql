-- Cart lines as rows, so that a cart command reads and writes only the lines it touches
-- instead of the whole cart as one JSONB body (about 240 KB at 1,000 lines). The cart row
-- keeps the revision, the optimistic lock that every write of its lines goes through,
-- and the line counter. Existing carts' lines move to rows, in their order.

CREATE TABLE cart_lines (
    reseller_id text NOT NULL,
    line_id text NOT NULL,
    seq bigint NOT NULL,                    -- the line's place in the cart (order added)
    product_id text NOT NULL,               -- one line per product: add-to-cart finds it
    body jsonb NOT NULL,                    -- the line: product and allocations
    PRIMARY KEY (reseller_id, line_id)
);
CREATE INDEX cart_lines_seq ON cart_lines (reseller_id, seq);
CREATE INDEX cart_lines_product ON cart_lines (reseller_id, product_id);
INSERT INTO cart_lines (reseller_id, line_id, seq, product_id, body)
    SELECT carts.reseller_id, item.value ->> 'line_id', item.place,
        item.value -> 'product' ->> 'product_id', item.value
    FROM carts, jsonb_array_elements(carts.body -> 'lines') WITH ORDINALITY AS item(value, place);

ALTER TABLE carts ADD COLUMN line_counter bigint NOT NULL DEFAULT 0;  -- ids of new lines go on from here
UPDATE carts SET line_counter = (body ->> 'line_counter')::bigint;
ALTER TABLE carts ALTER COLUMN line_counter DROP DEFAULT;
ALTER TABLE carts DROP COLUMN body;
