-- Market: listings with photos, and orders split into one part per seller.
-- Twin of migrations/postgres; the full-text index is the one place the two
-- differ (SQLite: an FTS5 table; PostgreSQL: a table of tsvectors with GIN),
-- and both hold only the listings a buyer can find.

-- Counters handed out inside a transaction (UPDATE … RETURNING), for the
-- few numbers that must be integers on both backends.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('listing_search_id', 0);

CREATE TABLE listings (
    id TEXT PRIMARY KEY,
    -- integer key of the listing in the full-text index (SQLite FTS5 rowid)
    search_id BIGINT NOT NULL UNIQUE,
    seller_id TEXT NOT NULL REFERENCES sellers(id),
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    price_vnd BIGINT NOT NULL CHECK (price_vnd > 0),
    -- stock left to sell; the database itself refuses to go below zero
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    description TEXT,
    lot_id TEXT REFERENCES lots(id),
    -- active, paused or deleted (soft: orders keep pointing at it)
    status TEXT NOT NULL,
    -- the seller's commune when listed, so filters need no join
    commune_code TEXT NOT NULL REFERENCES communes(code),
    province_code TEXT NOT NULL REFERENCES provinces(code),
    -- folded (lower-case, no diacritics, đ→d) text that searches match:
    -- the title, and everything else a buyer may type (place, farm, category)
    search_title TEXT NOT NULL,
    search_body TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX listings_seller_idx ON listings(seller_id, created_at);
CREATE INDEX listings_lot_idx ON listings(lot_id);

-- Searches show only listings a buyer can order now. These partial
-- indexes hold just those (active, in stock), each in the order a search
-- pages through: newest first (search ids are handed out in creation
-- order) or by price, after the filter it serves. lot_id, status and
-- quantity ride along so that counting and the recall check never read
-- the wide table row.
CREATE INDEX listings_searchable_idx
    ON listings(search_id, lot_id, price_vnd, status, quantity) WHERE status = 'active' AND quantity > 0;
CREATE INDEX listings_searchable_price_idx
    ON listings(price_vnd, search_id, lot_id, status, quantity) WHERE status = 'active' AND quantity > 0;
CREATE INDEX listings_searchable_province_idx
    ON listings(province_code, search_id, lot_id, price_vnd, status, quantity) WHERE status = 'active' AND quantity > 0;
CREATE INDEX listings_searchable_commune_idx
    ON listings(commune_code, search_id, lot_id, price_vnd, status, quantity) WHERE status = 'active' AND quantity > 0;
CREATE INDEX listings_searchable_category_idx
    ON listings(category, search_id, lot_id, price_vnd, status, quantity) WHERE status = 'active' AND quantity > 0;
CREATE INDEX listings_searchable_seller_idx
    ON listings(seller_id, search_id, lot_id, price_vnd, status, quantity) WHERE status = 'active' AND quantity > 0;

-- The full-text index of the listings a buyer can find (active, in stock,
-- lot not recalled): an FTS5 table over the folded text, keyed by
-- search_id. Contentless (the text lives in listings), with delete support
-- so edits replace the old entry; prefix indexes for words being typed;
-- detail = column because searches match words and columns (is every word
-- in the title?) but never phrases, which would need positions.
CREATE VIRTUAL TABLE listing_search USING fts5(
    title, body, content = '', contentless_delete = 1, prefix = '2 3', detail = column
);
-- Kept in step by triggers, so that a search counts and pages through the
-- index alone. A listing enters when it becomes orderable and leaves when
-- it stops being so (paused, sold out, deleted, lot recalled); stock that
-- only goes up or down leaves the index alone.
CREATE TRIGGER listings_search_insert AFTER INSERT ON listings
WHEN new.status = 'active' AND new.quantity > 0
    AND NOT EXISTS (SELECT 1 FROM lots WHERE id = new.lot_id AND status = 'recalled')
BEGIN
    INSERT INTO listing_search (rowid, title, body) VALUES (new.search_id, new.search_title, new.search_body);
END;
CREATE TRIGGER listings_search_update AFTER UPDATE OF search_title, search_body, status, quantity, lot_id ON listings
WHEN old.search_title IS NOT new.search_title OR old.search_body IS NOT new.search_body
    OR old.status IS NOT new.status OR (old.quantity > 0) IS NOT (new.quantity > 0) OR old.lot_id IS NOT new.lot_id
BEGIN
    DELETE FROM listing_search WHERE rowid = old.search_id
        AND old.status = 'active' AND old.quantity > 0
        AND NOT EXISTS (SELECT 1 FROM lots WHERE id = old.lot_id AND status = 'recalled');
    INSERT INTO listing_search (rowid, title, body)
        SELECT new.search_id, new.search_title, new.search_body
        WHERE new.status = 'active' AND new.quantity > 0
            AND NOT EXISTS (SELECT 1 FROM lots WHERE id = new.lot_id AND status = 'recalled');
END;
CREATE TRIGGER listings_search_delete AFTER DELETE ON listings
WHEN old.status = 'active' AND old.quantity > 0
    AND NOT EXISTS (SELECT 1 FROM lots WHERE id = old.lot_id AND status = 'recalled')
BEGIN
    DELETE FROM listing_search WHERE rowid = old.search_id;
END;
-- A recall takes the lot's listings out of the search at once.
CREATE TRIGGER lots_recall_search AFTER UPDATE OF status ON lots
WHEN new.status = 'recalled' AND old.status IS NOT 'recalled'
BEGIN
    DELETE FROM listing_search WHERE rowid IN
        (SELECT search_id FROM listings WHERE lot_id = new.id AND status = 'active' AND quantity > 0);
END;

-- Browsing without words leaves out listings of recalled lots: few lots are
-- recalled, so the set is read through this index once per query.
CREATE INDEX lots_status_idx ON lots(status);

CREATE TABLE listing_photos (
    id TEXT PRIMARY KEY,
    listing_id TEXT NOT NULL REFERENCES listings(id),
    position INTEGER NOT NULL,
    -- content-addressed keys in the photo store
    large_key TEXT NOT NULL,
    large_width INTEGER NOT NULL,
    large_height INTEGER NOT NULL,
    thumbnail_key TEXT NOT NULL,
    thumbnail_width INTEGER NOT NULL,
    thumbnail_height INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX listing_photos_listing_idx ON listing_photos(listing_id, position);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    -- what the buyer writes in the bank transfer; ASCII letters and digits
    code TEXT NOT NULL UNIQUE,
    buyer_user_id TEXT NOT NULL REFERENCES users(id),
    status TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    total_vnd BIGINT NOT NULL CHECK (total_vnd > 0),
    paid_vnd BIGINT NOT NULL CHECK (paid_vnd >= 0),
    shipping_name TEXT NOT NULL,
    shipping_phone TEXT NOT NULL,
    shipping_address TEXT NOT NULL,
    shipping_commune_code TEXT NOT NULL REFERENCES communes(code),
    -- an unpaid bank-transfer order releases its stock after this
    payment_due_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX orders_buyer_idx ON orders(buyer_user_id, created_at);
CREATE INDEX orders_due_idx ON orders(status, payment_due_at);
CREATE INDEX orders_created_idx ON orders(created_at);

-- One seller's share of an order: each seller confirms and ships its own.
CREATE TABLE order_parts (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    seller_id TEXT NOT NULL REFERENCES sellers(id),
    status TEXT NOT NULL,
    subtotal_vnd BIGINT NOT NULL CHECK (subtotal_vnd > 0),
    confirmed_at TIMESTAMP,
    handed_over_at TIMESTAMP,
    delivered_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    cancel_reason TEXT,
    UNIQUE (order_id, seller_id)
);
CREATE INDEX order_parts_seller_idx ON order_parts(seller_id, status);

CREATE TABLE order_items (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    part_id TEXT NOT NULL REFERENCES order_parts(id),
    listing_id TEXT NOT NULL REFERENCES listings(id),
    -- copied from the listing when ordered, so a recall finds its buyers
    -- and a later edit of the listing does not change what was bought
    lot_id TEXT REFERENCES lots(id),
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_price_vnd BIGINT NOT NULL CHECK (unit_price_vnd > 0),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    line_total_vnd BIGINT NOT NULL CHECK (line_total_vnd > 0)
);
CREATE INDEX order_items_order_idx ON order_items(order_id);
CREATE INDEX order_items_lot_idx ON order_items(lot_id);
CREATE INDEX order_items_listing_idx ON order_items(listing_id);
