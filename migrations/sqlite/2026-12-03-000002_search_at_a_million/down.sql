DROP TABLE listing_search;
CREATE VIRTUAL TABLE listing_search USING fts5(
    title, body, content = '', contentless_delete = 1, prefix = '2 3', detail = column
);
INSERT INTO listing_search (rowid, title, body)
    SELECT search_id, search_title, search_body FROM listings
    WHERE status = 'active' AND quantity > 0
        AND NOT EXISTS (SELECT 1 FROM lots WHERE id = listings.lot_id AND status = 'recalled');
