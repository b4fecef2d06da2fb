//! Issuer keys and the trust list.
//!
//! Keys belong to organisations (the operator, a post-office branch, a
//! cooperative). A secret key is sealed under the master key and never
//! leaves the server. The trust list is every key with its validity period:
//! rotation closes the old key's period (records it signed stay valid);
//! revocation marks a key as not to be trusted at all (it may be stolen, so
//! even its old signatures are suspect).
//!
//! `mod.rs` holds the types, `rules` the pure trust decision (also used
//! offline by `nongsan verify --trust-list FILE`), `store` the diesel
//! queries and the in-memory trust list, `routes` the trust-list handler.

pub mod routes;
pub mod rules;
pub mod store;

use ed25519_dalek::SigningKey;
use serde::Serialize;
use utoipa::ToSchema;

// What other crates call (the command line, the app, the market).
pub use rules::decide_trust;
pub use store::{
    add_signing_organisation, create_organisation, ensure_operator, list_organisations, new_key,
    operator_organisation, require_organisation, revoke, rotate, signing_identity, trust_list,
    TrustListCache,
};

pub const ORG_OPERATOR: &str = "operator";
pub const ORG_POST_OFFICE: &str = "post_office";
pub const ORG_COOPERATIVE: &str = "cooperative";

pub struct SigningIdentity {
    pub key_id: String,
    pub did: String,
    pub organisation_name: String,
    pub signing_key: SigningKey,
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity").field("did", &self.did).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct TrustedIssuer {
    pub did: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub organisation_kind: String,
    /// `active`, `retired` (rotated out; its records stay valid) or `revoked`.
    pub status: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub revoked_at: Option<String>,
    pub revocation_reason: Option<String>,
}

/// An organisation as listed by `nongsan org list`.
#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub commune_code: Option<String>,
}

/// The trust checks of a record signed by `did` at `signed_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustDecision {
    pub issuer_trusted: bool,
    pub key_not_revoked: bool,
    pub issuer_name: Option<String>,
    pub reasons: Vec<String>,
}
