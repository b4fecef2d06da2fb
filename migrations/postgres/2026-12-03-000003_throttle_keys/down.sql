DROP TABLE throttle;
CREATE TABLE login_throttle (
    phone TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    blocked_until TIMESTAMP
);
