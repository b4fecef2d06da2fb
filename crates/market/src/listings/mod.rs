//! Listings: produce a seller offers, with price, stock and photos.
//! A farmer lists its own produce; staff list for the farmers of their
//! post office, and the audit trail records for whom they acted.
//!
//! `rules` says what a listing may hold and what a search asks for (pure);
//! `store` creates, reads and changes listings; `search` finds them with
//! each backend's full-text index; `photos` keeps their pictures' records;
//! `routes` serves all of it.

pub mod photo_sweep;
pub mod photos;
pub mod routes;
pub mod rules;
pub mod search;
pub mod store;

use serde::{Deserialize, Serialize};
use serde_json::Number;
use utoipa::ToSchema;

use rules::ListingStatus;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewListing {
    #[schema(example = "Chè Shan tuyết Hồng Thái")]
    pub title: String,
    /// A code from GET /api/v1/categories.
    #[schema(example = "che")]
    pub category: String,
    /// A code from GET /api/v1/units.
    #[schema(example = "kg")]
    pub unit: String,
    /// Price of one unit in đồng: a whole number.
    #[schema(value_type = i64, example = 350000)]
    pub price_vnd: Number,
    /// Units in stock: a whole number.
    #[schema(value_type = i64, example = 40)]
    pub quantity: Number,
    /// What one unit weighs packed, in whole grams (1 to 30,000); prices
    /// the parcel. Optional for `kg` and `g` (the unit's own mass),
    /// required for other units.
    #[schema(value_type = Option<i64>, example = 1050)]
    pub unit_weight_g: Option<Number>,
    pub description: Option<String>,
    /// A lot of the same seller; buyers then see its signed record.
    pub lot_id: Option<String>,
    /// Required for staff and admin: the seller they list for.
    pub seller_id: Option<String>,
}

/// Fields to change; absent fields stay as they are. `description` and
/// `lot_id` may be set to `null` to remove them.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingChanges {
    pub title: Option<String>,
    pub category: Option<String>,
    pub unit: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub price_vnd: Option<Number>,
    #[schema(value_type = Option<i64>)]
    pub quantity: Option<Number>,
    #[schema(value_type = Option<i64>)]
    pub unit_weight_g: Option<Number>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub lot_id: Option<Option<String>>,
    /// `active` or `paused` (DELETE removes a listing).
    pub status: Option<ListingStatus>,
}

/// Tells "absent" (outer `None`, by `default`) from "null" (`Some(None)`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingView {
    pub id: String,
    pub seller_id: String,
    /// The farm's name, or the farmer's when there is none.
    pub seller_name: String,
    pub title: String,
    pub category: String,
    pub category_name: String,
    pub unit: String,
    pub unit_name: String,
    pub price_vnd: i64,
    pub quantity: i64,
    /// What one unit weighs packed, in grams; absent for a unit too heavy
    /// for a parcel (such a listing cannot be ordered by post).
    pub unit_weight_g: Option<i64>,
    pub description: Option<String>,
    /// `active`, `paused` or `deleted`.
    pub status: String,
    /// Whether a buyer can order it now: active, in stock, lot not recalled.
    pub available: bool,
    pub commune_code: String,
    pub commune_name: String,
    pub province_code: String,
    pub province_name: String,
    pub lot: Option<ListingLot>,
    pub photos: Vec<photos::PhotoView>,
    pub created_at: String,
    pub updated_at: String,
}

/// The lot a listing sells from, with the link a buyer scans or opens.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingLot {
    pub id: String,
    pub lot_code: String,
    pub gtin: String,
    pub product_name: String,
    pub harvested_on: String,
    /// The GS1 Digital Link: the human page, or the signed record as JSON.
    pub digital_link: String,
    /// `active` or `recalled`.
    pub status: String,
    /// Whether the newest signed record verifies (signature, trusted
    /// issuer, key not revoked, intact history). Given on single listings,
    /// not in search results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// What the API needs to render links.
#[derive(Debug, Clone, Default)]
pub struct LinkBase {
    pub public_url: String,
}
