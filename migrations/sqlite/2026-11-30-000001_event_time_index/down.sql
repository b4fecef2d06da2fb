DROP INDEX lot_events_occurred_idx;
