//! Incoming bank transfers: from a webhook notification to the order it
//! pays, or to suspense when it names none, where staff assign it to an
//! order or admin sends it back.
//!
//! [`rules`] decides which order a transfer's text names and what the
//! payment made of it; [`store`] books it (the escrow ledger and the
//! order, in one transaction) and lists transfers; [`routes`] is the
//! suspense list and its two actions for staff and admin. The webhook
//! ([`crate::webhook`]) hands every notification it could read to
//! [`store::receive`].

pub mod routes;
pub mod rules;
pub mod store;

use common::{NotificationId, OrderId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What became of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The order is now paid in full.
    Paid,
    /// Less than the order owes; the rest is awaited.
    PartlyPaid,
    /// The order is paid and the excess is owed back to the buyer.
    Overpaid,
    /// The order owed nothing (cancelled, or already paid): all of it is
    /// owed back.
    OwedBack,
    /// No order could be told from the text: held in suspense for staff.
    Unmatched,
    /// Was unmatched; staff assigned it to an order (or admin to a
    /// post office's cash-on-delivery remittance).
    Assigned,
    /// Was unmatched; admin sent it back to whoever sent it.
    Returned,
    /// Not money in to the collection account: recorded, nothing booked.
    Ignored,
    /// The notification id was seen before: nothing changed.
    Duplicate,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Paid => "paid",
            Outcome::PartlyPaid => "partly_paid",
            Outcome::Overpaid => "overpaid",
            Outcome::OwedBack => "owed_back",
            Outcome::Unmatched => "unmatched",
            Outcome::Assigned => "assigned",
            Outcome::Returned => "returned",
            Outcome::Ignored => "ignored",
            Outcome::Duplicate => "duplicate",
        }
    }
}

/// A transfer as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferView {
    #[schema(value_type = String)]
    pub notification_id: NotificationId,
    pub gateway: String,
    /// When the bank made the transfer (UTC).
    pub transaction_at: String,
    pub amount_vnd: i64,
    pub content: String,
    pub reference_code: Option<String>,
    pub outcome: String,
    #[schema(value_type = Option<String>)]
    pub order_id: Option<OrderId>,
    pub order_code: Option<String>,
    pub applied_vnd: i64,
    pub excess_vnd: i64,
    /// Why a transfer waits in suspense (outcome `unmatched`):
    /// `no_order_code`, `cash_on_delivery` or `several_orders`.
    pub unmatched_reason: Option<String>,
    /// The order codes that reason is about (the cash-on-delivery order,
    /// the several orders named).
    pub unmatched_orders: Vec<String>,
    /// What the person who assigned or ignored the transfer wrote.
    pub note: Option<String>,
    pub received_at: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferQuery {
    /// `unmatched` for the suspense list; `paid`, `partly_paid`,
    /// `overpaid`, `owed_back`, `assigned`, `ignored`.
    pub outcome: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TransferList {
    pub items: Vec<TransferView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The order the money was meant for.
    #[schema(example = "NS7K2M9QXA")]
    pub order_code: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Returned {
    /// The bank's reference of the transfer back.
    pub reference: Option<String>,
}
