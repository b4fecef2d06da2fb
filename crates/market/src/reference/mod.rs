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

/// A commune code as a path names it: five digits. Text that cannot be one
/// fails in the path extractor, which answers 404 `not_found`, as for a code
/// that names no commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommuneCode(String);

impl CommuneCode {
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit())).then(|| CommuneCode(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for CommuneCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        CommuneCode::parse(&text).ok_or_else(|| serde::de::Error::custom("not a commune code (5 digits)"))
    }
}

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
