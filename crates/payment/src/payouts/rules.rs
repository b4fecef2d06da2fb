//! Payouts' decisions, from plain data: the keys of their holds, how a
//! confirmed row settles, and the file for the bank.

use super::PayoutBatch;
use crate::escrow::Step;
use crate::VietQr;
use common::{ApiError, PayoutId, SellerId};

/// The key of the hold that sets a seller's amount aside in a batch.
pub fn hold_key(batch_id: &PayoutId, seller_id: &SellerId) -> String {
    format!("payout:{batch_id}:{seller_id}")
}

/// What a ledger movement was, from its key (the keys escrow, payouts and
/// carriage give their transfers).
pub fn line_kind(key: &str) -> &'static str {
    let prefix = key.split(':').next().unwrap_or_default();
    match prefix {
        "release" => "goods_delivered",
        "fee" => "platform_fee",
        "void" => "part_cancelled",
        "hold" => "goods_held",
        "cod" => "cash_collected",
        "postage-hold" => "postage_held",
        "postage" => "postage_earned",
        "void-postage" => "postage_not_earned",
        "postage-paid" => "postage_paid",
        "refund" => "refund",
        "payout" if key.ends_with(":paid") => "payout_paid",
        "payout" if key.ends_with(":failed") => "payout_failed",
        "payout" => "payout",
        _ => "other",
    }
}

/// How the bank's answer settles a seller's row of batch `batch_id`: the
/// hold is posted when `paid`, voided (the money stays owed) when not.
pub fn settle_step(batch_id: &PayoutId, seller_id: &SellerId, paid: bool) -> Step {
    let hold = hold_key(batch_id, seller_id);
    if paid {
        Step::PostHold {
            key: format!("{hold}:paid"),
            hold_key: hold,
            memo: format!("payout batch {batch_id}: paid"),
        }
    } else {
        Step::VoidHold {
            key: format!("{hold}:failed"),
            hold_key: hold,
            memo: format!("payout batch {batch_id}: the bank could not pay it"),
        }
    }
}

/// The batch as a CSV file for the operator's bank: one transfer per row,
/// with a VietQR payload carrying the same account, amount and purpose.
pub fn bank_file(batch: &PayoutBatch) -> Result<Vec<u8>, ApiError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| ApiError::internal(format!("writing the bank file: {e}"));
    out.write_record([
        "seller_id",
        "account_name",
        "bank_bin",
        "account_number",
        "amount_vnd",
        "purpose",
        "vietqr_payload",
    ])
    .map_err(csv_error)?;
    for item in batch.items.iter().filter(|i| i.status != "failed") {
        let qr = VietQr::new_dynamic(&item.bank_bin, &item.account_number, item.amount_vnd, &item.purpose)?;
        out.write_record([
            item.seller_id.as_str(),
            item.account_name.as_str(),
            item.bank_bin.as_str(),
            item.account_number.as_str(),
            &item.amount_vnd.to_string(),
            item.purpose.as_str(),
            qr.payload(),
        ])
        .map_err(csv_error)?;
    }
    out.into_inner().map_err(|e| ApiError::internal(format!("writing the bank file: {e}")))
}

/// What the collection account must keep for post offices' postage, from
/// each office's (postage owed to it, cash on delivery it still holds):
/// the postage beyond that cash. What an office still holds in cash it
/// owes us, and it is paid its postage out of that once it remits, so the
/// bank need not keep another buyer's money for it.
pub fn postage_to_keep(offices: &[(i64, i64)]) -> i64 {
    offices.iter().map(|(postage_owed, cash_held)| (postage_owed - cash_held).max(0)).sum()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::payouts::PayoutItem;

    #[test]
    fn every_movement_on_a_statement_has_a_kind() {
        let (batch, seller) = (PayoutId::new(), SellerId::new());
        let key = |step: Step| match step {
            Step::PostHold { key, .. } | Step::VoidHold { key, .. } | Step::Transfer { key, .. } => key,
        };
        assert_eq!(line_kind(&hold_key(&batch, &seller)), "payout");
        assert_eq!(line_kind(&key(settle_step(&batch, &seller, true))), "payout_paid");
        assert_eq!(line_kind(&key(settle_step(&batch, &seller, false))), "payout_failed");
        assert_eq!(line_kind(&crate::escrow::rules::hold_key("p1")), "goods_held");
        for (key, kind) in [
            ("release:p1", "goods_delivered"),
            ("fee:p1", "platform_fee"),
            ("void:p1", "part_cancelled"),
            ("postage-hold:p1", "postage_held"),
            ("postage:p1", "postage_earned"),
            ("void-postage:p1", "postage_not_earned"),
            ("postage-paid:o1:REF", "postage_paid"),
            ("cod:p1", "cash_collected"),
            ("refund:p1", "refund"),
            ("x", "other"),
        ] {
            assert_eq!(line_kind(key), kind);
        }
    }

    #[test]
    fn a_failed_row_voids_its_hold() {
        let (b1, s1) = (PayoutId::parse("b1").unwrap(), SellerId::parse("s1").unwrap());
        assert!(matches!(settle_step(&b1, &s1, true), Step::PostHold { key, hold_key, .. }
            if key == "payout:b1:s1:paid" && hold_key == "payout:b1:s1"));
        assert!(matches!(settle_step(&b1, &s1, false), Step::VoidHold { key, .. }
            if key == "payout:b1:s1:failed"));
    }

    #[test]
    fn the_bank_file_leaves_out_failed_rows() {
        let item = |seller: &str, status: &str| PayoutItem {
            seller_id: SellerId::parse(seller).unwrap(),
            amount_vnd: 150_000,
            bank_bin: "970436".into(),
            account_number: "0011001234567".into(),
            account_name: "NGUYEN VAN A".into(),
            purpose: "NONGSAN TT 0123ABCD".into(),
            status: status.into(),
        };
        let batch = PayoutBatch {
            id: PayoutId::parse("b1").unwrap(),
            status: "confirmed".into(),
            total_vnd: 300_000,
            item_count: 2,
            created_at: String::new(),
            sent_at: None,
            confirmed_at: None,
            items: vec![item("s1", "paid"), item("s2", "failed")],
        };
        let file = String::from_utf8(bank_file(&batch).unwrap()).unwrap();
        let lines: Vec<&str> = file.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("seller_id,"));
        assert!(
            lines[1].starts_with("s1,NGUYEN VAN A,970436,0011001234567,150000,NONGSAN TT 0123ABCD,000201")
        );
    }

    #[test]
    fn postage_is_kept_only_beyond_the_cash_the_post_office_still_holds() {
        // paid by transfer: all of it is kept
        assert_eq!(postage_to_keep(&[(60_000, 0)]), 60_000);
        // collected in cash and not yet remitted: nothing from the bank
        assert_eq!(postage_to_keep(&[(62_000, 162_000)]), 0);
        // per office, never negative
        assert_eq!(postage_to_keep(&[(50_000, 20_000), (10_000, 90_000)]), 30_000);
    }
}
