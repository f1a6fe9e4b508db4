-- Cart lines as rows, so that a cart command reads and writes only the lines it touches
-- instead of the whole cart as one JSON body (about 240 KB at 1,000 lines). The cart row
-- keeps the revision, the optimistic lock that every write of its lines goes through,
-- and the line counter. Existing carts' lines move to rows, in their order.

CREATE TABLE cart_lines (
    reseller_id TEXT NOT NULL,
    line_id TEXT NOT NULL,
    seq INTEGER NOT NULL,                    -- the line's place in the cart (order added)
    product_id TEXT NOT NULL,                -- one line per product: add-to-cart finds it
    body TEXT NOT NULL,                      -- the line as JSON: product and allocations
    PRIMARY KEY (reseller_id, line_id)
);
CREATE INDEX cart_lines_seq ON cart_lines (reseller_id, seq);
CREATE INDEX cart_lines_product ON cart_lines (reseller_id, product_id);
INSERT INTO cart_lines (reseller_id, line_id, seq, product_id, body)
    SELECT carts.reseller_id, json_extract(item.value, '$.line_id'), item.key + 1,
        json_extract(item.value, '$.product.product_id'), item.value
    FROM carts, json_each(carts.body, '$.lines') AS item;

CREATE TABLE carts_0006 (
    reseller_id TEXT PRIMARY KEY,            -- a cart's id is its reseller's id
    revision INTEGER NOT NULL,               -- optimistic lock counter; 1 after the first save
    line_counter INTEGER NOT NULL            -- ids of new lines go on from here
);
INSERT INTO carts_0006 (reseller_id, revision, line_counter)
    SELECT reseller_id, revision, json_extract(body, '$.line_counter') FROM carts;
DROP TABLE carts;
ALTER TABLE carts_0006 RENAME TO carts;
