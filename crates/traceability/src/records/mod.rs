//! Signed provenance records: every change to a lot issues the next
//! version, a W3C Verifiable Credential signed (`eddsa-jcs-2022`) with the
//! key of the seller's organisation, or the operator's. Old versions stay
//! readable; after a key is revoked, the lots it signed last are re-signed.
//!
//! `mod.rs` holds the API types, `store` signing and the diesel queries,
//! `routes` the handlers. The pure parts live in `credential`, `proof`,
//! `jcs` and `chain`.

pub mod routes;
pub mod store;

use serde::Serialize;
use utoipa::ToSchema;

// What other crates call.
pub use store::{record, record_text, record_versions, resign_after_revocation};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordVersion {
    pub version: i64,
    pub created_at: String,
    pub url: String,
}
