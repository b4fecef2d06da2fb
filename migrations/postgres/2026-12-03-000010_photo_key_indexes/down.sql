DROP INDEX listing_photos_thumbnail_key;
DROP INDEX listing_photos_large_key;
