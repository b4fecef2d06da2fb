//! Reference data: the 2025 communes and provinces (loaded from the shipped
//! CSV into the database), the banks that receive NAPAS 247 transfers, and
//! the fixed lists of categories and units. `banks` and `catalog` are data
//! tables; `store` loads and queries the communes; `routes` serves them all.

pub mod banks;
pub mod catalog;
pub mod routes;
pub mod rules;
pub mod store;

use diesel::Queryable;
use serde::Serialize;
use utoipa::ToSchema;

/// Dataset version: codes are reused across reforms, so the list is dated.
pub const DATASET_VERSION: &str = "2025-07-01";

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct Commune {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub province_code: String,
    pub province_name: String,
}

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct Province {
    pub code: String,
    pub name: String,
    pub short_name: String,
}
