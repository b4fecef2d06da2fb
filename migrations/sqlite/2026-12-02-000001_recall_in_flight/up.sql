-- A recall reaches the order parts that hold the recalled lot: each keeps
-- when it was reached, why, and which lot, so that moving it along is
-- refused (409 lot_recalled) and its buyer is told, without joining the
-- lots on every transition.
ALTER TABLE order_parts ADD COLUMN recalled_at TIMESTAMP;
ALTER TABLE order_parts ADD COLUMN recall_reason TEXT;
ALTER TABLE order_parts ADD COLUMN recall_lot_id TEXT REFERENCES lots(id);
