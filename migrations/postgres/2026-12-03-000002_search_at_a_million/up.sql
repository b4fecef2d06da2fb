-- Search at a million listings. A search matches only its rarest word
-- through the GIN index (the others are checked on the rows it finds), and
-- picks that word from the planner's statistics of the commonest words
-- (pg_stats.most_common_elems). The default target keeps about 500 of them;
-- 1,000 keeps several thousand, enough to know the words buyers type.
ALTER TABLE listing_search ALTER COLUMN all_words SET STATISTICS 1000;
ANALYZE listing_search;
