-- Market: listings with photos, and orders split into one part per seller.
-- Twin of migrations/sqlite; the full-text index is the one place the two
-- differ (PostgreSQL: a narrow search table with tsvectors and GIN; SQLite:
-- an FTS5 table and partial indexes on listings), and both hold only the
-- listings a buyer can find.

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

-- The search index: one row per listing a buyer can find (active, in
-- stock, lot not recalled), keyed by search_id, with what searches filter
-- and sort on and the words of the title and of everything a buyer may
-- type (title and body) as stripped tsvectors: searches match words and
-- ask whether every word is in the title, but never rank by positions, so
-- none are stored. A narrow table of its own, so that a search never reads
-- the wide listing rows (descriptions, folded text) and counting the
-- matches of a common word reads a few megabytes.
-- The words come first: reading a column means stepping over the
-- variable-length ones before it, and counting reads all_words of every
-- match.
CREATE TABLE listing_search (
    search_id BIGINT PRIMARY KEY,
    all_words tsvector NOT NULL,
    title_words tsvector NOT NULL,
    price_vnd BIGINT NOT NULL,
    province_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    category TEXT NOT NULL,
    seller_id TEXT NOT NULL,
    listing_id TEXT NOT NULL
);
-- A search is one short query among many at once on a small server:
-- starting parallel workers costs more than they save here.
ALTER TABLE listing_search SET (parallel_workers = 0);
CREATE INDEX listing_search_words_idx ON listing_search USING GIN (all_words);
-- Each in the order a search pages through after its filter: newest
-- first (search ids are handed out in creation order) or by price.
CREATE INDEX listing_search_price_idx ON listing_search (price_vnd, search_id);
CREATE INDEX listing_search_province_idx ON listing_search (province_code, search_id);
CREATE INDEX listing_search_commune_idx ON listing_search (commune_code, search_id);
CREATE INDEX listing_search_category_idx ON listing_search (category, search_id);
CREATE INDEX listing_search_seller_idx ON listing_search (seller_id, search_id);

CREATE FUNCTION listing_searchable(status TEXT, quantity BIGINT, lot_id TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
    SELECT $1 = 'active' AND $2 > 0
        AND NOT EXISTS (SELECT 1 FROM lots WHERE lots.id = $3 AND lots.status = 'recalled')
$$;

-- Kept in step by a trigger. A listing enters when it becomes orderable
-- and leaves when it stops being so (paused, sold out, deleted, lot
-- recalled); stock that only goes up or down leaves the index alone.
CREATE FUNCTION listing_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_searchable BOOLEAN := TG_OP <> 'INSERT' AND COALESCE(listing_searchable(OLD.status, OLD.quantity, OLD.lot_id), FALSE);
    is_searchable BOOLEAN := TG_OP <> 'DELETE' AND COALESCE(listing_searchable(NEW.status, NEW.quantity, NEW.lot_id), FALSE);
BEGIN
    IF was_searchable AND NOT is_searchable THEN
        DELETE FROM listing_search WHERE search_id = OLD.search_id;
    ELSIF is_searchable AND (NOT was_searchable
            OR (NEW.search_title, NEW.search_body, NEW.price_vnd, NEW.category, NEW.province_code,
                NEW.commune_code, NEW.seller_id)
               IS DISTINCT FROM (OLD.search_title, OLD.search_body, OLD.price_vnd, OLD.category,
                OLD.province_code, OLD.commune_code, OLD.seller_id)) THEN
        INSERT INTO listing_search (search_id, listing_id, province_code, commune_code, category, seller_id,
                                    price_vnd, title_words, all_words)
        VALUES (NEW.search_id, NEW.id, NEW.province_code, NEW.commune_code, NEW.category, NEW.seller_id,
                NEW.price_vnd, strip(to_tsvector('simple', NEW.search_title)),
                strip(to_tsvector('simple', NEW.search_title || ' ' || NEW.search_body)))
        ON CONFLICT (search_id) DO UPDATE SET
            province_code = EXCLUDED.province_code, commune_code = EXCLUDED.commune_code,
            category = EXCLUDED.category, seller_id = EXCLUDED.seller_id, price_vnd = EXCLUDED.price_vnd,
            title_words = EXCLUDED.title_words, all_words = EXCLUDED.all_words;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER listings_search AFTER INSERT OR DELETE OR UPDATE OF search_title, search_body, status,
    quantity, lot_id, price_vnd, category, province_code, commune_code, seller_id
    ON listings FOR EACH ROW EXECUTE FUNCTION listing_search_sync();

-- A recall takes the lot's listings out of the search at once.
CREATE FUNCTION listing_search_recall() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM listing_search WHERE search_id IN (SELECT search_id FROM listings WHERE lot_id = NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER lots_recall_search AFTER UPDATE OF status ON lots FOR EACH ROW
    WHEN (NEW.status = 'recalled' AND OLD.status IS DISTINCT FROM 'recalled')
    EXECUTE FUNCTION listing_search_recall();

-- Lots by status, for the recall check (the SQLite twin's searches read the
-- few recalled lots through it).
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
