-- The FSMA 204 export selects events by time across all lots.
CREATE INDEX lot_events_occurred_idx ON lot_events(occurred_at);
