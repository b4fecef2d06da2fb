//! Escrow: what the books record when orders are paid, confirmed,
//! delivered or cancelled, and what an order's buyer sees of its money.
//!
//! - A bank transfer for an order: bank → escrow of the order, up to what
//!   the order still owes; the rest bank → refund of the order (owed back).
//! - A seller confirms a paid part: a hold (pending transfer) escrow →
//!   seller payable for the part's value, so the money is set aside for
//!   that seller and cannot be refunded or promised twice.
//!   Its postage is held the same way for the post office that carries it
//!   (escrow → post-office payable).
//! - Delivered: the holds are posted; then the platform fee (on the goods
//!   only) moves from the seller's payable to platform revenue. Cash on
//!   delivery first records the cash the postman collected, goods and
//!   postage: post office → escrow, then escrow → the two payables.
//! - Cancelled (by anyone, or a failed delivery): open holds are voided,
//!   and whatever escrow holds beyond what the order's remaining unheld
//!   parts need moves to the order's refund account.
//! - Refunded: admin records money paid back from the order's refund
//!   account to the buyer.
//!
//! Every ledger operation's idempotency key is derived from the event
//! (`hold:{part}`, `release:{part}`…), so a step can never be booked twice.
//! [`plan`] decides the steps from the order alone (pure, unit-tested, in
//! [`rules`]); [`apply`] writes them ([`store`]), and [`EscrowBooks`] does
//! both inside the transaction that changes the order. The other flows
//! (transfers, cash on delivery, payouts) write their own steps through
//! [`apply`] too. [`routes`]: an order's payments, and refunds paid.

pub mod routes;
pub mod rules;
pub mod store;

use std::collections::BTreeMap;

use common::OrderId;
use market::orders::{OrderMoney, PartsChange};
use serde::{Deserialize, Serialize};
use storage::DbConnection;
use utoipa::ToSchema;

use crate::fee::FeeRate;
use crate::ledger::LedgerError;
use crate::transfers::TransferView;
pub use rules::{hold_key, plan, postage_hold_key};
pub(crate) use store::post;
pub use store::{apply, escrow_state};

/// One thing to write in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A transfer, posted or held (`pending`).
    Transfer { key: String, debit: String, credit: String, amount_vnd: i64, pending: bool, memo: String },
    /// Posts the whole hold made under `hold_key`.
    PostHold { key: String, hold_key: String, memo: String },
    /// Releases the hold made under `hold_key`.
    VoidHold { key: String, hold_key: String, memo: String },
}

/// What the books hold for an order before a change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EscrowState {
    /// Escrow not set aside by a hold.
    pub available_vnd: i64,
    /// Open holds by part id: the amount set aside for that part's seller.
    pub open_holds: BTreeMap<String, i64>,
    /// Open holds by part id: the postage set aside for the post office
    /// carrying that part.
    pub open_postage_holds: BTreeMap<String, i64>,
}

/// The market's orders write their money here (the server plugs it in).
#[derive(Debug, Clone, Copy)]
pub struct EscrowBooks {
    pub fee: FeeRate,
}

impl OrderMoney for EscrowBooks {
    fn parts_changed(&self, conn: &mut DbConnection, change: &PartsChange) -> Result<(), common::ApiError> {
        let state = escrow_state(conn, &change.order_id).map_err(ledger_to_market)?;
        let steps = plan(change, &state, self.fee);
        apply(conn, &steps, &change.order_id).map_err(ledger_to_market)
    }
}

/// A ledger refusal inside an order change is a bug in the books (the
/// order rules should have prevented it), except a storage error, which
/// keeps its kind so that a serialisation failure is reported as such.
fn ledger_to_market(e: LedgerError) -> common::ApiError {
    match e {
        LedgerError::Storage(d) => common::ApiError::from(d),
        other => common::ApiError::internal(format!("escrow books: {other}")),
    }
}

/// Where an order's money is.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPayments {
    #[schema(value_type = String)]
    pub order_id: OrderId,
    /// Received and counted towards the order.
    pub paid_vnd: i64,
    /// Held for the order until delivery (including amounts set aside for
    /// sellers who confirmed).
    pub held_vnd: i64,
    /// Owed back to the buyer and not yet paid back.
    pub refund_due_vnd: i64,
    /// Already paid back.
    pub refunded_vnd: i64,
    pub transfers: Vec<TransferView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundPaid {
    pub amount_vnd: i64,
    /// The bank reference of the refund transfer; repeating a reference
    /// with the same amount changes nothing, with another amount is refused.
    pub reference: String,
}
