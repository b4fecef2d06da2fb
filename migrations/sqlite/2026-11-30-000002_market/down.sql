DROP TABLE order_items;
DROP TABLE order_parts;
DROP TABLE orders;
DROP TABLE listing_photos;
DROP TABLE listing_search;
DROP TABLE listings;
DROP TABLE counters;
DROP INDEX lots_status_idx;
