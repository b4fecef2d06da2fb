ALTER TABLE order_parts DROP COLUMN recall_lot_id, DROP COLUMN recall_reason, DROP COLUMN recalled_at;
