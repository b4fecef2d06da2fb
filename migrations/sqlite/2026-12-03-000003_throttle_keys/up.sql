-- Login throttling counts per key (a phone at an address, a phone, an
-- address; registrations per address), not per phone only. Attempts are
-- counted before the password is checked and a key idle for an hour starts
-- over, hence `last_at`.
DROP TABLE login_throttle;
CREATE TABLE throttle (
    key TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    blocked_until TIMESTAMP,
    last_at TIMESTAMP NOT NULL
);
