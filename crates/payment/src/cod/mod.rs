//! Cash on delivery: the post office collects the cash when it delivers a
//! part (booked by the escrow flow as post office → escrow → seller), so
//! it owes the operator that cash until it remits it.
//!
//! A remittance is announced by the post office's staff for an amount up
//! to what it owes (a hold: the cash cannot be remitted twice), and
//! completed by admin when the money shows in the collection account, or
//! cancelled if it never does.
//!
//! [`rules`] says which post office an actor speaks for and how much a
//! remittance may cover, and builds the steps that resolve one; [`store`]
//! books them in the escrow ledger and keeps the remittances; [`routes`]:
//! the position and the remittances' actions.

pub mod routes;
pub mod rules;
pub mod store;

use common::RemittanceId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Remittance {
    #[schema(value_type = String)]
    pub id: RemittanceId,
    /// The post office (organisation id), or `none`.
    pub post_office: String,
    pub amount_vnd: i64,
    /// `pending`, `received` or `cancelled`.
    pub status: String,
    /// The bank reference the post office gave.
    pub reference: Option<String>,
    pub created_at: String,
    pub resolved_at: Option<String>,
}

/// What a post office owes for cash on delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodPosition {
    pub post_office: String,
    /// Collected and not yet received by the operator.
    pub owed_vnd: i64,
    /// Of that, announced in pending remittances.
    pub in_transit_vnd: i64,
    /// What a new remittance may still cover.
    pub remittable_vnd: i64,
    pub remittances: Vec<Remittance>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostOfficeQuery {
    /// Admin names the post office (organisation id); staff see their own.
    pub post_office: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRemittance {
    /// Admin only: which post office.
    pub post_office: Option<String>,
    /// All that is owed when left out.
    pub amount_vnd: Option<i64>,
    /// The bank reference of the transfer.
    pub reference: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemittanceReceived {
    /// The bank notification the remittance arrived as (it waits in
    /// suspense, naming no order); leave out when it came another way.
    pub notification_id: Option<String>,
}
