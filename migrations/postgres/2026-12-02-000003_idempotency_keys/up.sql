-- Idempotency-Key: the first answer to a POST, kept so that a client that
-- lost it (a phone on a dropping network) can retry without acting twice.
-- Scoped to the caller (the signed-in user's id; '' when anonymous); the
-- fingerprint is SHA-256 over the method, path, content type and body, so
-- the same key with another request is refused. status is NULL while the
-- first request runs. Rows older than 24 hours are removed.
CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER,
    content_type TEXT,
    body BYTEA,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (caller, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
