-- The photo sweep asks, for each blob in the store, whether a photo row
-- names it as its large image or its thumbnail.
CREATE INDEX listing_photos_large_key ON listing_photos (large_key);
CREATE INDEX listing_photos_thumbnail_key ON listing_photos (thumbnail_key);
