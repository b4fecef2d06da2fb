DROP TABLE payout_items;
DROP TABLE payout_batches;
DROP TABLE cod_remittances;
DROP TABLE bank_transfers;
DROP TABLE bank_webhook_inbox;
