-- Market: listings with photos, and orders split into one part per seller.
-- Twin of migrations/postgres; the full-text index is the one place the two
-- differ (SQLite: an FTS5 table; PostgreSQL: a tsvector column with GIN).

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
CREATE INDEX listings_browse_idx ON listings(status, created_at);
CREATE INDEX listings_commune_idx ON listings(commune_code, status);
CREATE INDEX listings_province_idx ON listings(province_code, status);
CREATE INDEX listings_category_idx ON listings(category, status);

-- The full-text index: an FTS5 table over the folded text, keyed by
-- search_id, kept in step by triggers. Contentless (the text lives in
-- listings), with delete support so edits replace the old entry.
CREATE VIRTUAL TABLE listing_search USING fts5(
    title, body, content = '', contentless_delete = 1, prefix = '2 3'
);
CREATE TRIGGER listings_search_insert AFTER INSERT ON listings BEGIN
    INSERT INTO listing_search (rowid, title, body) VALUES (new.search_id, new.search_title, new.search_body);
END;
CREATE TRIGGER listings_search_update AFTER UPDATE OF search_title, search_body ON listings BEGIN
    DELETE FROM listing_search WHERE rowid = old.search_id;
    INSERT INTO listing_search (rowid, title, body) VALUES (new.search_id, new.search_title, new.search_body);
END;
CREATE TRIGGER listings_search_delete AFTER DELETE ON listings BEGIN
    DELETE FROM listing_search WHERE rowid = old.search_id;
END;

-- Searches leave out listings of recalled lots: few lots are recalled, so
-- the set is read through this index once per query.
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
