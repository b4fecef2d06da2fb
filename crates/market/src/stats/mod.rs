//! Commune statistics for officers: per month, in a province or commune,
//! how many sellers were onboarded, listings created, orders placed and
//! delivered, the value delivered, and lots recalled; and what is online
//! now. `rules` reads the area and months asked for; `store` counts them
//! in the database, grouped by month with each backend's own date function.

pub mod routes;
pub mod rules;
pub mod store;

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct MonthStats {
    /// `YYYY-MM`
    pub month: String,
    pub sellers_onboarded: i64,
    pub listings_created: i64,
    /// Orders placed with at least one seller of the area.
    pub orders_placed: i64,
    /// Sellers' parts of orders delivered.
    pub parts_delivered: i64,
    /// Value of the goods delivered, in đồng (what buyers paid for them,
    /// before the platform fee).
    pub revenue_vnd: i64,
    pub lots_recalled: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrentStats {
    pub sellers: i64,
    /// Listings a buyer can order now.
    pub active_listings: i64,
    pub lots: i64,
    pub lots_recalled: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stats {
    /// `country`, `province` or `commune`.
    pub area: String,
    pub province_code: Option<String>,
    pub commune_code: Option<String>,
    pub now: CurrentStats,
    pub months: Vec<MonthStats>,
}
