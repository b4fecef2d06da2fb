-- Search at a million listings: one-letter prefixes in the full-text index.
-- A buyer typing "ca p" or "mat o" searches for every word beginning with
-- "p" or "o"; without a prefix index of length 1, FTS5 merges the entries
-- of every such word (hundreds of thousands at a million listings) before
-- the first row. The table is made again with prefix = '1 2 3' and filled
-- from the orderable listings (about a minute at a million); the triggers
-- name the table, so they serve the new one as they did the old.
DROP TABLE listing_search;
CREATE VIRTUAL TABLE listing_search USING fts5(
    title, body, content = '', contentless_delete = 1, prefix = '1 2 3', detail = column
);
INSERT INTO listing_search (rowid, title, body)
    SELECT search_id, search_title, search_body FROM listings
    WHERE status = 'active' AND quantity > 0
        AND NOT EXISTS (SELECT 1 FROM lots WHERE id = listings.lot_id AND status = 'recalled');
