//! The chart of accounts: which ledger accounts exist and what each means.
//!
//! Accounts are named by code, `kind:owner`. The operator's side of the
//! books: what is in the collection bank account (an asset), and what it
//! owes (liabilities): money held for an order (escrow), money owed to a
//! seller (payable) or to a post office for carrying (postage), money owed back to a buyer (refund), money nobody has
//! claimed yet (suspense); what it earned (platform fees); and what post
//! offices owe for cash they collected (an asset until remitted).
//!
//! Every account here may never go negative: a negative escrow would mean
//! paying a seller with another buyer's money.

use crate::ledger::{AccountSpec, Side};

/// The operator's collection bank account: buyers pay into it, payouts
/// and refunds leave from it.
pub const BANK: &str = "bank:collection";
/// The platform fee earned on delivered parts.
pub const FEES: &str = "revenue:platform-fees";
/// Transfers that named no order we could find, until staff assign them.
pub const SUSPENSE: &str = "suspense:unmatched-transfers";

pub fn bank() -> AccountSpec<'static> {
    AccountSpec { code: BANK, normal: Side::Debit, non_negative: true }
}

pub fn fees() -> AccountSpec<'static> {
    AccountSpec { code: FEES, normal: Side::Credit, non_negative: true }
}

pub fn suspense() -> AccountSpec<'static> {
    AccountSpec { code: SUSPENSE, normal: Side::Credit, non_negative: true }
}

/// Every order's escrow account starts with this.
pub const ESCROW_PREFIX: &str = "escrow:order:";
/// Every order's refund account starts with this.
pub const REFUND_PREFIX: &str = "refund:order:";

/// Money a buyer paid for an order, held until delivery or cancellation.
pub fn escrow_code(order_id: &str) -> String {
    format!("{ESCROW_PREFIX}{order_id}")
}

/// Money owed back to the buyer of an order (over-payment, cancellation).
pub fn refund_code(order_id: &str) -> String {
    format!("{REFUND_PREFIX}{order_id}")
}

/// Money owed to a seller for delivered goods, less the platform fee.
pub const PAYABLE_PREFIX: &str = "payable:seller:";

pub fn payable_code(seller_id: &str) -> String {
    format!("{PAYABLE_PREFIX}{seller_id}")
}

/// Postage a post office earned carrying delivered parcels, owed to it.
/// No platform fee is taken from it.
pub const CARRIER_PREFIX: &str = "payable:post-office:";

/// The carrying post office is the seller's (see [`cod_code`] for `None`).
pub fn carrier_code(organisation_id: Option<&str>) -> String {
    format!("{CARRIER_PREFIX}{}", organisation_id.unwrap_or("none"))
}

/// Cash a post office collected on delivery and has not yet remitted.
pub const COD_PREFIX: &str = "cod:post-office:";

/// `organisation_id` is the seller's post office; sellers onboarded by
/// admin without one share the account `cod:post-office:none`.
pub fn cod_code(organisation_id: Option<&str>) -> String {
    format!("{COD_PREFIX}{}", organisation_id.unwrap_or("none"))
}

/// A liability account (held or owed money): credit-normal, never negative.
pub fn liability(code: &str) -> AccountSpec<'_> {
    AccountSpec { code, normal: Side::Credit, non_negative: true }
}

/// An asset account (money that is ours or owed to us): debit-normal,
/// never negative.
pub fn asset(code: &str) -> AccountSpec<'_> {
    AccountSpec { code, normal: Side::Debit, non_negative: true }
}
