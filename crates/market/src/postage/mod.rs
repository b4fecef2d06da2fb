//! Postage: the tariff in force (the operator may replace it), and what
//! each seller's parcel of an order costs to carry to the buyer, priced
//! with the pure rules of the `parcels` crate (zones, tariff).
//!
//! `store` keeps the tariffs (newest in force; none loaded means the
//! standard one) and prices parcels for `orders::store::place` and for a
//! quote; `routes` serves the tariff and quotes.

pub mod routes;
pub mod store;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::orders::lifecycle::PaymentMethod;
use crate::orders::NewOrderItem;

/// The tariff in force, and since when.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TariffView {
    /// `standard` until the operator loads one.
    pub id: String,
    pub since: Option<String>,
    /// Bands per zone (`same_commune`, `same_province`, `neighbouring`,
    /// `far`), the packaging allowance and the cash-on-delivery surcharge:
    /// the body `PUT /api/v1/postage/tariff` takes.
    #[schema(value_type = Object)]
    pub tariff: parcels::Tariff,
}

/// What a buyer asks before ordering: the lines and where they go.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    pub items: Vec<NewOrderItem>,
    /// The buyer's commune (2025 list).
    #[schema(example = "00004")]
    pub commune_code: String,
    pub payment_method: PaymentMethod,
}

/// Goods, postage and total, one parcel per seller: what the order would
/// cost if placed now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Quote {
    pub goods_vnd: i64,
    pub postage_vnd: i64,
    pub total_vnd: i64,
    pub parcels: Vec<ParcelQuote>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParcelQuote {
    pub seller_id: String,
    pub seller_name: String,
    pub goods_vnd: i64,
    /// Goods and packaging, in grams.
    pub weight_g: i64,
    /// `same_commune`, `same_province`, `neighbouring` or `far`.
    pub zone: String,
    /// Carrying, by zone and weight.
    pub carriage_vnd: i64,
    /// The surcharge for collecting cash on delivery (0 for a transfer).
    pub cod_vnd: i64,
    pub postage_vnd: i64,
}
