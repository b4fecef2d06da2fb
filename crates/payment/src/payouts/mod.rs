//! Payouts: what sellers are owed leaves the collection account in runs.
//!
//! A run gathers every seller's payable into a batch and sets each amount
//! aside with a hold (payable → bank, pending), so money promised in one
//! batch cannot be promised again. Admin downloads the batch as a CSV for
//! the bank (with a VietQR payload per row, for banks that take those),
//! marks it sent, then confirms it: each row is posted, or voided when the
//! bank reports it failed, which leaves the money owed for the next run.
//!
//! [`rules`] names the holds, settles confirmed rows and writes the bank
//! file; [`store`] runs, lists and confirms batches and reads sellers'
//! statements; [`routes`]: the batches for admin, and a seller's
//! statement.

pub mod routes;
pub mod rules;
pub mod store;

use common::{PayoutId, SellerId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutBatch {
    #[schema(value_type = String)]
    pub id: PayoutId,
    /// `created`, `sent` (the file went to the bank) or `confirmed`.
    pub status: String,
    pub total_vnd: i64,
    pub item_count: i64,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub confirmed_at: Option<String>,
    pub items: Vec<PayoutItem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutItem {
    #[schema(value_type = String)]
    pub seller_id: SellerId,
    pub amount_vnd: i64,
    pub bank_bin: String,
    pub account_number: String,
    pub account_name: String,
    /// The transfer description, ASCII, ≤ 25 characters.
    pub purpose: String,
    /// `pending`, `paid` or `failed`.
    pub status: String,
}

/// A seller's account with the operator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SellerStatement {
    #[schema(value_type = String)]
    pub seller_id: SellerId,
    /// Owed to the seller now (delivered, less fees, less paid out).
    pub owed_vnd: i64,
    /// Of that, in a payout batch not yet confirmed.
    pub in_payout_vnd: i64,
    /// Every posted movement, oldest first, with the running balance.
    pub lines: Vec<StatementLine>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatementLine {
    pub at: String,
    /// What the movement was, for pages to say in their language:
    /// `goods_delivered`, `platform_fee`, `part_cancelled`, `goods_held`,
    /// `cash_collected`, `postage_held`, `postage_earned`,
    /// `postage_not_earned`, `postage_paid`, `refund`, `payout`,
    /// `payout_paid`, `payout_failed`, or `other`.
    pub kind: &'static str,
    /// The same in English, for people reading the JSON.
    pub description: String,
    /// The order (or payout batch) it belongs to.
    pub reference: Option<String>,
    /// The code of that order (`NS7K2M9QXB`), the one people read, when
    /// the line belongs to an order.
    pub order_code: Option<String>,
    /// + owed to the seller, − fee or paid out.
    pub amount_vnd: i64,
    pub balance_vnd: i64,
}

/// A ledger statement line as an account holder reads it.
impl From<crate::ledger::StatementLine> for StatementLine {
    fn from(l: crate::ledger::StatementLine) -> Self {
        StatementLine {
            kind: rules::line_kind(&l.key),
            at: common::rfc3339(l.at),
            description: l.memo,
            reference: l.reference,
            order_code: None,
            amount_vnd: l.amount_vnd,
            balance_vnd: l.balance_vnd,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PayoutList {
    pub items: Vec<PayoutBatch>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutConfirmation {
    /// Sellers the bank could not pay; their money stays owed.
    #[serde(default)]
    pub failed_seller_ids: Vec<String>,
}
