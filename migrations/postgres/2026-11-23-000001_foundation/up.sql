-- Foundation: reference data, accounts, sellers, issuer keys, lots, events,
-- signed records and the audit trail. Twin of migrations/sqlite (same names,
-- same columns); only portable types so one diesel schema serves both.

CREATE TABLE provinces (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL
);

CREATE TABLE communes (
    code TEXT PRIMARY KEY,
    province_code TEXT NOT NULL REFERENCES provinces(code),
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- lower-case, diacritics removed, đ→d: what searches compare against
    search_key TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION
);
CREATE INDEX communes_province_idx ON communes(province_code);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    commune_code TEXT REFERENCES communes(code),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    phone TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    organisation_id TEXT REFERENCES organisations(id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions(user_id);

-- Failed logins per phone, so repeated wrong passwords are slowed down even
-- for phones that have no account.
CREATE TABLE login_throttle (
    phone TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    blocked_until TIMESTAMP
);

CREATE TABLE sellers (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE REFERENCES users(id),
    full_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    -- national ID: encrypted under the master key; a keyed hash finds
    -- duplicates; only the last 3 digits are ever shown
    national_id_ciphertext BYTEA NOT NULL,
    national_id_lookup TEXT NOT NULL UNIQUE,
    national_id_last3 TEXT NOT NULL,
    commune_code TEXT NOT NULL REFERENCES communes(code),
    address TEXT NOT NULL,
    farm_name TEXT,
    bank_bin TEXT NOT NULL,
    bank_account_number TEXT NOT NULL,
    bank_account_name TEXT NOT NULL,
    consent_terms_version TEXT NOT NULL,
    consent_method TEXT NOT NULL,
    consent_recorded_by TEXT NOT NULL REFERENCES users(id),
    consent_at TIMESTAMP NOT NULL,
    organisation_id TEXT REFERENCES organisations(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sellers_commune_idx ON sellers(commune_code);

CREATE TABLE activation_codes (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    code_hash TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    attempts INTEGER NOT NULL
);

-- Issuer keys and the trust list in one table: a key with no secret is a
-- trusted outside issuer; revoked_at set means not trusted from then on.
CREATE TABLE issuer_keys (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    did TEXT NOT NULL UNIQUE,
    secret_key_sealed BYTEA,
    status TEXT NOT NULL,
    valid_from TIMESTAMP NOT NULL,
    valid_until TIMESTAMP,
    revoked_at TIMESTAMP,
    revocation_reason TEXT,
    created_at TIMESTAMP NOT NULL
);

-- One GTIN per (seller, product) when the seller has none of its own.
CREATE TABLE assigned_gtins (
    gtin TEXT PRIMARY KEY,
    seller_id TEXT NOT NULL REFERENCES sellers(id),
    product_key TEXT NOT NULL,
    item_reference BIGINT NOT NULL UNIQUE,
    UNIQUE (seller_id, product_key)
);

CREATE TABLE lots (
    id TEXT PRIMARY KEY,
    seller_id TEXT NOT NULL REFERENCES sellers(id),
    lot_code TEXT NOT NULL UNIQUE,
    gtin TEXT NOT NULL,
    product_name TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    quantity_g BIGINT,
    harvested_on TEXT NOT NULL,
    commune_code TEXT NOT NULL REFERENCES communes(code),
    farm_name TEXT NOT NULL,
    status TEXT NOT NULL,
    genesis_hash TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX lots_seller_idx ON lots(seller_id);
CREATE INDEX lots_gtin_idx ON lots(gtin);

CREATE TABLE lot_events (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots(id),
    seq BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    acting_for TEXT REFERENCES users(id),
    -- two concurrent appends cannot both take the same place in the chain
    UNIQUE (lot_id, seq)
);

CREATE TABLE provenance_records (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots(id),
    version BIGINT NOT NULL,
    credential TEXT NOT NULL,
    issuer_key_id TEXT NOT NULL REFERENCES issuer_keys(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (lot_id, version)
);

-- Who did what, and for whom when staff act on a farmer's behalf.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    actor_user_id TEXT NOT NULL,
    acting_for TEXT,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_subject_idx ON audit_log(subject_type, subject_id);

-- History is append-only: the database itself refuses to change or remove
-- an event or a signed record, whatever the application does.
CREATE FUNCTION refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER lot_events_append_only BEFORE UPDATE OR DELETE ON lot_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER provenance_records_append_only BEFORE UPDATE OR DELETE ON provenance_records
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
