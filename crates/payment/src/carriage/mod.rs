//! Carriage: the postage post offices earn carrying parcels.
//!
//! A parcel's postage is held in its order's escrow like the goods and,
//! on delivery, credited to the carrying post office's own account
//! (`payable:post-office:…`, see [`crate::chart::carrier_code`]), with no
//! platform fee. Here: a post office's postage statement (earned, paid,
//! still owed, held for parcels on their way) and admin recording the
//! postage paid to it. [`store`] reads and books; [`routes`] serves.

pub mod routes;
pub mod store;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::payouts::StatementLine;

/// A post office's postage account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostageStatement {
    /// The post office (organisation id; `none` for sellers without one).
    pub post_office: String,
    /// Postage of delivered parcels, ever.
    pub earned_vnd: i64,
    /// Paid to the post office.
    pub paid_vnd: i64,
    /// Earned and not yet paid.
    pub owed_vnd: i64,
    /// Held for parcels confirmed and paid for, not yet delivered.
    pub awaiting_delivery_vnd: i64,
    /// Every posted movement, oldest first, with the running balance.
    pub lines: Vec<StatementLine>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostageQuery {
    /// Admin: the post office; staff see their own.
    pub post_office: Option<String>,
}

/// Admin records postage paid to a post office.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostagePaid {
    pub post_office: String,
    pub amount_vnd: i64,
    /// The bank reference of the transfer; repeating it with the same
    /// amount changes nothing, with another amount is refused.
    pub reference: String,
}
