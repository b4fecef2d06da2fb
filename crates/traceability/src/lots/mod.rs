//! Lots and their hash-chained events: creating a lot, appending events,
//! recalling it, and reading lots back. Every change issues a new signed
//! record version (see [`crate::records`]).
//!
//! `mod.rs` holds the API types, `rules` the pure checks and decisions,
//! `store` the diesel queries, `routes` the handlers.

pub mod routes;
pub mod rules;
pub mod store;

use common::ids::{LotId, SellerId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::EventDetails;

// What other crates call (the command line, the demo, the market).
pub use rules::parse_occurred_at;
pub use store::{
    add_event, create_lot, events_of, find_by_link, get_lot, id_by_link, list_events, list_lots, recall,
};

/// What the server configures for this slice.
#[derive(Debug, Clone)]
pub struct TraceSettings {
    /// Base of every Digital Link URI, without a trailing slash.
    pub public_url: String,
    /// GS1 company prefix used to assign GTINs to lots that have none.
    pub gtin_company_prefix: String,
}

impl TraceSettings {
    /// GTINs in GS1's restricted-circulation ranges (GTIN-13 prefixes
    /// 020–029, 040–049, 200–299) are valid only inside this system; the
    /// scan page says so.
    pub fn gtin_is_internal(&self, gtin: &str) -> bool {
        let prefix: u32 = gtin.get(1..4).and_then(|p| p.parse().ok()).unwrap_or(999);
        gtin.len() == 14 && matches!(prefix, 20..=29 | 40..=49 | 200..=299)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLot {
    #[schema(example = "Chè Shan tuyết")]
    pub product_name: String,
    /// A number or a decimal string, at most 3 decimals.
    #[schema(value_type = String, example = "12.5")]
    pub quantity: Value,
    /// Unit code (GET /api/v1/units).
    #[schema(example = "kg")]
    pub unit: String,
    /// Harvest date, YYYY-MM-DD.
    #[schema(value_type = String, example = "2025-11-02")]
    pub harvested_on: String,
    /// Origin commune code (2025 list).
    #[schema(example = "02467")]
    pub commune_code: String,
    /// GTIN-8/12/13/14 with a valid check digit; assigned when absent.
    pub gtin: Option<String>,
    /// Staff and admin record lots for a seller; farmers for themselves.
    pub seller_id: Option<String>,
    /// Your own lot code (`A-Z a-z 0-9 - . _`, 1–20); generated when absent.
    pub lot_code: Option<String>,
    /// Farm or household name; defaults to the seller's.
    pub farm_name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// planting, input_application, harvest, packing, cooling, shipping,
    /// receiving or processing.
    #[serde(rename = "type")]
    #[schema(example = "harvest")]
    pub event_type: String,
    /// RFC 3339 with an offset, e.g. `2025-11-02T07:30:00+07:00`.
    #[schema(example = "2025-11-02T07:30:00+07:00")]
    pub occurred_at: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub details: EventDetails,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecallRequest {
    pub reason: String,
}

/// A recall as what follows from it needs it.
#[derive(Debug, Clone, Copy)]
pub struct Recall<'a> {
    pub lot_id: &'a LotId,
    pub reason: &'a str,
    pub recalled_at: chrono::NaiveDateTime,
    /// Who recalled: the audit log names them on everything that follows.
    pub actor: &'a accounts::Actor,
}

/// What a recall stops beyond the lot itself: orders in flight. This slice
/// knows nothing of orders (the market depends on it, not the other way),
/// so the server plugs the market's in. It runs inside the recall's
/// transaction, after the recall event is appended and before the lot's
/// status changes, so that the lot and everything in flight change
/// together or not at all.
pub trait RecallFollowUp: Send + Sync {
    fn lot_recalled(
        &self,
        conn: &mut storage::DbConnection,
        recall: &Recall<'_>,
    ) -> Result<(), common::ApiError>;
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LotView {
    #[schema(value_type = String)]
    pub id: LotId,
    pub lot_code: String,
    pub gtin: String,
    pub gtin_is_internal: bool,
    pub digital_link: String,
    pub product_name: String,
    pub quantity: String,
    pub unit: String,
    pub quantity_g: Option<i64>,
    pub harvested_on: String,
    pub commune_code: String,
    pub commune_name: String,
    pub province_code: String,
    pub province_name: String,
    pub farm_name: String,
    #[schema(value_type = String)]
    pub seller_id: SellerId,
    pub producer_name: String,
    /// `active` or `recalled`.
    pub status: String,
    pub record_version: i64,
    pub event_count: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    #[schema(value_type = String)]
    pub lot_id: LotId,
    pub seq: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub occurred_at: String,
    pub recorded_at: String,
    #[schema(value_type = Object)]
    pub details: EventDetails,
    pub prev_hash: String,
    pub hash: String,
    pub record_version: i64,
}
