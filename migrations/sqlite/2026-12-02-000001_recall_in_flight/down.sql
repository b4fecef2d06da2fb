ALTER TABLE order_parts DROP COLUMN recall_lot_id;
ALTER TABLE order_parts DROP COLUMN recall_reason;
ALTER TABLE order_parts DROP COLUMN recalled_at;
