UPDATE bank_transfers SET note = 'no order code found in the transfer text'
  WHERE outcome = 'unmatched' AND note = 'no_order_code';
UPDATE bank_transfers SET note = 'order ' || replace(note, 'cash_on_delivery ', '') || ' is cash on delivery'
  WHERE outcome = 'unmatched' AND note LIKE 'cash_on_delivery %';
UPDATE bank_transfers SET note = 'the text names several orders: ' || replace(replace(note, 'several_orders ', ''), ' ', ', ')
  WHERE outcome = 'unmatched' AND note LIKE 'several_orders %';
