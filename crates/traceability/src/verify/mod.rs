//! Verifying a provenance record: the proof, the history chain inside it,
//! the issuer against the trust list, and the lot's current status.
//!
//! The first two need nothing but the record (did:key carries the public
//! key), so `nongsan verify FILE` runs them offline; trust and status come
//! from the server's database or a saved trust list.
//!
//! `mod.rs` holds the report types, `rules` the offline checks and the
//! verdict (pure), `store` the lot's status and its in-memory copy,
//! `routes` the `POST /api/v1/verify` handler.

pub mod routes;
pub mod rules;
pub mod store;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::credential;

// What other crates call (the command line, the app, the market).
pub use rules::{judge, offline, verify_with};
pub use store::{lot_status, verify_in_db, LotStatusCache};

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Checks {
    /// The Data Integrity proof (eddsa-jcs-2022) is valid for this content.
    pub signature: bool,
    /// The issuer is on the trust list and the key was valid when it signed.
    pub issuer_trusted: bool,
    /// The signing key has not been revoked.
    pub key_not_revoked: bool,
    /// The event history inside the record is an unbroken hash chain.
    pub history_intact: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct RecordStatus {
    /// No newer version of this lot's record exists.
    pub latest_version: bool,
    /// The lot has been recalled: genuine, but do not use.
    pub recalled: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifyReport {
    /// True only when every check holds.
    pub verified: bool,
    pub checks: Checks,
    pub status: RecordStatus,
    pub issuer: Option<String>,
    pub issuer_name: Option<String>,
    pub lot_id: Option<String>,
    pub record_version: Option<i64>,
    /// Why a check failed.
    pub errors: Vec<String>,
    /// What the buyer must be told about a genuine record: superseded,
    /// recalled, or unknown to this server.
    pub warnings: Vec<String>,
}

/// A lot's `(newest version, recalled)`, or `None` when the lot is unknown
/// here.
pub type LotStatus = Option<(i64, bool)>;

/// What can be checked from the record alone.
#[derive(Debug, Clone)]
pub struct OfflineResult {
    pub signature_valid: bool,
    pub history_intact: bool,
    pub issuer_did: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    pub facts: credential::RecordFacts,
    pub errors: Vec<String>,
}
