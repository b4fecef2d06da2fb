DROP TRIGGER ledger_transfers_no_truncate ON ledger_transfers;
DROP TRIGGER ledger_transfers_append_only ON ledger_transfers;
DROP TABLE ledger_transfers;
DROP TABLE ledger_accounts;
