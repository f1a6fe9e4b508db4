-- Number series per reseller: a series is named "kind|year|reseller_id" ("*" for the year
-- of a format without {year}; kind and year hold no "|"). The counters that every reseller
-- shared ("quote", "order", "proforma", "purchase_order") become the starting values of
-- each existing reseller's series, for every year its data shows and for the current
-- year, so that no number is ever issued twice; a reseller that comes later starts at 1.

INSERT INTO sequences (name, value)
SELECT shared.name || '|' || years.year || '|' || resellers.reseller_id, shared.value
FROM sequences AS shared
CROSS JOIN (
    SELECT reseller_id FROM quotes
    UNION SELECT reseller_id FROM orders
    UNION SELECT reseller_id FROM purchase_orders
) AS resellers
CROSS JOIN (
    SELECT '*' AS year
    UNION SELECT strftime('%Y', 'now')
    UNION SELECT substr(json_extract(body, '$.created_at'), 1, 4) FROM quotes
    UNION SELECT substr(json_extract(body, '$.created_at'), 1, 4) FROM orders
    UNION SELECT substr(json_extract(body, '$.invoiced_at'), 1, 4) FROM orders
        WHERE json_extract(body, '$.invoiced_at') IS NOT NULL
    UNION SELECT substr(json_extract(body, '$.created_at'), 1, 4) FROM purchase_orders
) AS years
WHERE shared.name IN ('quote', 'order', 'proforma', 'purchase_order');

DELETE FROM sequences WHERE name IN ('quote', 'order', 'proforma', 'purchase_order');
