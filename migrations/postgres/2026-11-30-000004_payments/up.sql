-- Bank-transfer notifications, cash-on-delivery remittances and payouts.
-- The money itself is in the ledger (ledger_accounts, ledger_transfers);
-- these tables say what happened in the world and link it to the ledger.

-- Every webhook call that passed authentication, stored as received before
-- anything is done with it: evidence when a bank and our books disagree.
CREATE TABLE bank_webhook_inbox (
    id TEXT PRIMARY KEY,
    received_at TIMESTAMP NOT NULL,
    raw_body TEXT NOT NULL,
    notification_id TEXT,
    outcome TEXT
);
CREATE INDEX bank_webhook_inbox_notification_idx ON bank_webhook_inbox (notification_id);

-- One row per distinct notification id: a repeated id finds its row and
-- changes nothing.
CREATE TABLE bank_transfers (
    notification_id TEXT PRIMARY KEY,
    gateway TEXT NOT NULL,
    transaction_at TIMESTAMP NOT NULL,
    account_number TEXT NOT NULL,
    content TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd > 0),
    reference_code TEXT,
    -- paid | partly_paid | overpaid | owed_back | unmatched | assigned | ignored
    outcome TEXT NOT NULL,
    order_id TEXT REFERENCES orders (id),
    applied_vnd BIGINT NOT NULL DEFAULT 0 CHECK (applied_vnd >= 0),
    excess_vnd BIGINT NOT NULL DEFAULT 0 CHECK (excess_vnd >= 0),
    note TEXT,
    received_at TIMESTAMP NOT NULL,
    assigned_by TEXT REFERENCES users (id),
    assigned_at TIMESTAMP
);
CREATE INDEX bank_transfers_outcome_idx ON bank_transfers (outcome, received_at);
CREATE INDEX bank_transfers_order_idx ON bank_transfers (order_id);

-- Cash a post office collected, sent on to the operator in one transfer.
CREATE TABLE cod_remittances (
    id TEXT PRIMARY KEY,
    -- the post office (organisation id), or 'none'
    post_office TEXT NOT NULL,
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd > 0),
    -- pending (announced by the post office) | received | cancelled
    status TEXT NOT NULL CHECK (status IN ('pending', 'received', 'cancelled')),
    reference TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    resolved_by TEXT REFERENCES users (id),
    resolved_at TIMESTAMP
);
CREATE INDEX cod_remittances_post_office_idx ON cod_remittances (post_office, created_at);

-- A payout run: what each seller is owed, sent to the bank as one file.
CREATE TABLE payout_batches (
    id TEXT PRIMARY KEY,
    -- created | sent | confirmed
    status TEXT NOT NULL CHECK (status IN ('created', 'sent', 'confirmed')),
    total_vnd BIGINT NOT NULL CHECK (total_vnd >= 0),
    item_count BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    confirmed_at TIMESTAMP
);

CREATE TABLE payout_items (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES payout_batches (id),
    seller_id TEXT NOT NULL REFERENCES sellers (id),
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd > 0),
    bank_bin TEXT NOT NULL,
    account_number TEXT NOT NULL,
    account_name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    -- pending | paid | failed
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed')),
    UNIQUE (batch_id, seller_id)
);
CREATE INDEX payout_items_seller_idx ON payout_items (seller_id);
