ALTER TABLE listing_search ALTER COLUMN all_words SET STATISTICS -1;
ANALYZE listing_search;
