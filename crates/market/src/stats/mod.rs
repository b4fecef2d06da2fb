//! Commune statistics for officers: per month, in a province or commune,
//! how many sellers were onboarded, listings created, orders placed and
//! delivered, the value delivered, how orders were paid, and lots recalled;
//! what is online now (the measures the communes' digital-transformation
//! programmes report); and the communes of a province side by side.
//! `rules` reads the area and months asked for, who may read which area,
//! the shares and the ranking order; `store` and `ranking` count them in
//! the database, grouped by month with each backend's own date function.

pub mod ranking;
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
    /// Of the orders placed this month, those paid by bank transfer
    /// (VietQR), not cancelled.
    pub orders_bank_transfer: i64,
    /// Of the orders placed this month, those to be paid in cash on
    /// delivery, not cancelled.
    pub orders_cash: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrentStats {
    pub sellers: i64,
    /// Listings a buyer can order now.
    pub active_listings: i64,
    pub lots: i64,
    pub lots_recalled: i64,
}

/// What the communes' digital-transformation programmes report: sellers
/// selling online now, products online now, and how orders were paid over
/// the months asked.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct Measures {
    /// Sellers of the area.
    pub sellers: i64,
    /// Sellers with at least one listing a buyer can order now.
    pub sellers_online: i64,
    /// `sellers_online` out of `sellers`, in whole percent; absent without sellers.
    pub sellers_online_percent: Option<i64>,
    /// Listings a buyer can order now.
    pub products_online: i64,
    /// Orders paid by bank transfer over the months asked (not cancelled).
    pub orders_bank_transfer: i64,
    /// Orders paid in cash on delivery over the months asked (not cancelled).
    pub orders_cash: i64,
    /// Bank-transfer orders out of both kinds, in whole percent; absent without orders.
    pub bank_transfer_percent: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stats {
    /// `country`, `province` or `commune`.
    pub area: String,
    /// The province asked, or the province of the commune asked.
    pub province_code: Option<String>,
    /// e.g. `Tỉnh Tuyên Quang`.
    pub province_name: Option<String>,
    pub commune_code: Option<String>,
    /// e.g. `Xã Hồng Thái`.
    pub commune_name: Option<String>,
    pub now: CurrentStats,
    pub measures: Measures,
    pub months: Vec<MonthStats>,
}

/// One commune's figures beside the others'.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct CommuneRank {
    /// 1 for the first; communes with the same figures share a rank.
    pub rank: i64,
    pub commune_code: String,
    pub commune_name: String,
    /// The commune of the officer's own organisation.
    pub own: bool,
    pub sellers: i64,
    pub sellers_online: i64,
    pub sellers_online_percent: Option<i64>,
    pub products_online: i64,
    /// Orders placed over the months asked with a seller of the commune.
    pub orders_placed: i64,
    pub orders_bank_transfer: i64,
    pub orders_cash: i64,
    pub bank_transfer_percent: Option<i64>,
    /// Value of the goods delivered over the months asked, in đồng.
    pub revenue_vnd: i64,
}

/// The communes of an area side by side, best first: those with sellers,
/// and the officer's own commune.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommuneRanking {
    /// The province ranked; absent for the whole country.
    pub province_code: Option<String>,
    pub province_name: Option<String>,
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`.
    pub to: String,
    pub communes: Vec<CommuneRank>,
}
