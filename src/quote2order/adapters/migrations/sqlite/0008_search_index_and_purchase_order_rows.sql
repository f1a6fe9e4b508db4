-- Text search served by an index: an FTS5 table with the trigram tokenizer over the
-- case-folded search column of quotes and of orders. The tables are external-content
-- tables (the text stays in quotes/orders only; the index keeps the trigrams) keyed by
-- seq, kept by triggers in the same transaction as the row. A search of 3 characters
-- or more finds its candidates through the index and checks them with the same LIKE
-- as before, so the answers are the same; shorter ones use the LIKE alone.

CREATE VIRTUAL TABLE quotes_search USING fts5(
    search, content = 'quotes', content_rowid = 'seq', tokenize = 'trigram');
CREATE VIRTUAL TABLE orders_search USING fts5(
    search, content = 'orders', content_rowid = 'seq', tokenize = 'trigram');
INSERT INTO quotes_search (quotes_search) VALUES ('rebuild');
INSERT INTO orders_search (orders_search) VALUES ('rebuild');
-- The candidates' reseller, read from a small index instead of their (large) rows: most
-- candidates of a common text belong to other resellers.
CREATE INDEX quotes_search_reseller ON quotes (seq, reseller_id);
CREATE INDEX orders_search_reseller ON orders (seq, reseller_id);

CREATE TRIGGER quotes_search_insert AFTER INSERT ON quotes BEGIN
    INSERT INTO quotes_search (rowid, search) VALUES (NEW.seq, NEW.search);
END;
CREATE TRIGGER quotes_search_update AFTER UPDATE OF search ON quotes
WHEN OLD.search IS NOT NEW.search BEGIN
    INSERT INTO quotes_search (quotes_search, rowid, search) VALUES ('delete', OLD.seq, OLD.search);
    INSERT INTO quotes_search (rowid, search) VALUES (NEW.seq, NEW.search);
END;
CREATE TRIGGER quotes_search_delete AFTER DELETE ON quotes BEGIN
    INSERT INTO quotes_search (quotes_search, rowid, search) VALUES ('delete', OLD.seq, OLD.search);
END;
CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_search (rowid, search) VALUES (NEW.seq, NEW.search);
END;
CREATE TRIGGER orders_search_update AFTER UPDATE OF search ON orders
WHEN OLD.search IS NOT NEW.search BEGIN
    INSERT INTO orders_search (orders_search, rowid, search) VALUES ('delete', OLD.seq, OLD.search);
    INSERT INTO orders_search (rowid, search) VALUES (NEW.seq, NEW.search);
END;
CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    INSERT INTO orders_search (orders_search, rowid, search) VALUES ('delete', OLD.seq, OLD.search);
END;

-- Purchase-order read rows (quote2order.queries.PurchaseOrderSummary), written with the
-- body; existing rows are filled by the library after this script. Total: decimal text.
ALTER TABLE purchase_orders ADD COLUMN partner INTEGER NOT NULL DEFAULT 0;
ALTER TABLE purchase_orders ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE purchase_orders ADD COLUMN total TEXT NOT NULL DEFAULT '0';
ALTER TABLE purchase_orders ADD COLUMN line_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE purchase_orders ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
ALTER TABLE purchase_orders ADD COLUMN sent_at TEXT;
ALTER TABLE purchase_orders ADD COLUMN received_at TEXT;
ALTER TABLE purchase_orders ADD COLUMN cancelled_at TEXT;
CREATE INDEX purchase_orders_created
    ON purchase_orders (reseller_id, created_at, purchase_order_id);
CREATE INDEX purchase_orders_status
    ON purchase_orders (reseller_id, status, created_at, purchase_order_id);
CREATE INDEX purchase_orders_supplier
    ON purchase_orders (reseller_id, supplier_id, created_at, purchase_order_id);
