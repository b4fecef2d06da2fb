-- An unmatched transfer's note becomes a reason code and the order codes it
-- is about (pages translate the code), instead of an English sentence.
UPDATE bank_transfers SET note = 'no_order_code'
  WHERE outcome = 'unmatched' AND note = 'no order code found in the transfer text';
UPDATE bank_transfers SET note = 'cash_on_delivery ' || replace(replace(note, 'order ', ''), ' is cash on delivery', '')
  WHERE outcome = 'unmatched' AND note LIKE 'order % is cash on delivery';
UPDATE bank_transfers SET note = 'several_orders ' || replace(replace(note, 'the text names several orders: ', ''), ',', '')
  WHERE outcome = 'unmatched' AND note LIKE 'the text names several orders: %';
