-- Parcels: each seller's part of an order is one parcel the post office
-- carries for postage priced by zone and weight (see crates/parcels).

-- What one unit of a listing weighs packed, in whole grams. Listings sold
-- by mass get it from their unit; others must say it before they can be
-- ordered (the order refuses a listing without it).
ALTER TABLE listings ADD COLUMN unit_weight_g BIGINT CHECK (unit_weight_g IS NULL OR unit_weight_g > 0);
UPDATE listings SET unit_weight_g = 1000 WHERE unit = 'kg';
UPDATE listings SET unit_weight_g = 1 WHERE unit = 'g';

-- The postage tariffs the operator loaded, newest in force; none means the
-- built-in standard tariff. Kept, not replaced, so that what priced an
-- order can always be read back.
CREATE TABLE postage_tariffs (
    id TEXT PRIMARY KEY,
    tariff TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);

-- Postage is priced once, when the order is placed: a tariff change never
-- alters it. An order's total_vnd is its goods plus its postage.
ALTER TABLE orders ADD COLUMN postage_vnd BIGINT NOT NULL DEFAULT 0 CHECK (postage_vnd >= 0);
-- A part's code is printed as the label's barcode and typed by a scanner:
-- the order's code and the part's number in it.
ALTER TABLE order_parts ADD COLUMN code TEXT;
ALTER TABLE order_parts ADD COLUMN postage_vnd BIGINT NOT NULL DEFAULT 0 CHECK (postage_vnd >= 0);
ALTER TABLE order_parts ADD COLUMN weight_g BIGINT;
ALTER TABLE order_parts ADD COLUMN zone TEXT;
-- The carrier's tracking number, recorded when the post office takes it.
ALTER TABLE order_parts ADD COLUMN tracking_number TEXT;
UPDATE order_parts SET code = (SELECT o.code FROM orders o WHERE o.id = order_parts.order_id)
    || '-' || CAST((SELECT COUNT(*) FROM order_parts p WHERE p.order_id = order_parts.order_id AND p.id <= order_parts.id) AS TEXT);
CREATE UNIQUE INDEX order_parts_code ON order_parts (code);
CREATE UNIQUE INDEX order_parts_tracking_number ON order_parts (tracking_number);
