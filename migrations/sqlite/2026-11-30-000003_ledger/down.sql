DROP TRIGGER ledger_transfers_append_only_delete;
DROP TRIGGER ledger_transfers_append_only_update;
DROP TABLE ledger_transfers;
DROP TABLE ledger_accounts;
