-- The escrow ledger (payment::ledger): double-entry accounts in whole đồng
-- and the append-only list of transfers between them.
-- Twin of migrations/sqlite; only the append-only triggers differ.

CREATE TABLE ledger_accounts (
    -- what the account is for, readable: `bank:collection`,
    -- `escrow:order:<id>`, `payable:seller:<id>`
    code TEXT PRIMARY KEY,
    -- the side that increases its balance
    normal_side TEXT NOT NULL CHECK (normal_side IN ('debit', 'credit')),
    -- an account that may never show less than nothing (escrow, payables)
    non_negative BOOLEAN NOT NULL,
    -- running totals of the transfers that touch it; the transfers are the
    -- history, these make a balance one row read
    debits_posted BIGINT NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
    credits_posted BIGINT NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
    debits_pending BIGINT NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    credits_pending BIGINT NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    created_at TIMESTAMP NOT NULL,
    -- the second line of defence behind the conditional updates of
    -- payment::ledger: a non-negative account cannot go below zero, holds
    -- against it included
    CHECK (NOT non_negative
        OR (normal_side = 'credit' AND credits_posted >= debits_posted + debits_pending)
        OR (normal_side = 'debit' AND debits_posted >= credits_posted + credits_pending))
);

-- Every movement of money, never changed or removed: a mistake is
-- corrected by a reversing transfer.
CREATE TABLE ledger_transfers (
    id TEXT PRIMARY KEY,
    -- chosen by the caller (`order:<id>:paid`); a retry with the same key
    -- and the same request is answered with the first transfer
    idempotency_key TEXT NOT NULL UNIQUE,
    -- sha256 of the canonical request, to tell a retry from a reuse of the key
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('posted', 'pending', 'post_pending', 'void_pending')),
    debit_account TEXT NOT NULL REFERENCES ledger_accounts(code),
    credit_account TEXT NOT NULL REFERENCES ledger_accounts(code),
    -- posted or held; for post_pending the part posted, for void_pending
    -- the amount released
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd > 0),
    -- the hold a post_pending or void_pending resolves; UNIQUE: a hold
    -- resolves exactly once
    pending_id TEXT UNIQUE REFERENCES ledger_transfers(id),
    memo TEXT NOT NULL,
    -- what the money was for (`order:<id>`), for finding an order's transfers
    reference TEXT,
    created_at TIMESTAMP NOT NULL,
    CHECK (debit_account <> credit_account)
);
CREATE INDEX ledger_transfers_debit_idx ON ledger_transfers(debit_account, created_at);
CREATE INDEX ledger_transfers_credit_idx ON ledger_transfers(credit_account, created_at);
CREATE INDEX ledger_transfers_reference_idx ON ledger_transfers(reference);

-- Append-only: the database itself refuses to change or remove a transfer
-- (refuse_change() comes with the foundation migration). TRUNCATE is
-- refused too: it skips row triggers.
CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON ledger_transfers
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
