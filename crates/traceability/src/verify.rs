//! Verifying a provenance record: the proof, the history chain inside it,
//! the issuer against the trust list, and the lot's current status.
//!
//! The first two need nothing but the record (did:key carries the public
//! key), so `nongsan verify FILE` runs them offline; trust and status come
//! from the server's database or a saved trust list.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::keys::{self, TrustedIssuer};
use crate::remembered::Remembered;
use crate::{credential, proof};

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

pub fn offline(record: &Value) -> OfflineResult {
    let mut errors = vec![];
    if !record.is_object() {
        errors.push("a record must be a JSON object".to_string());
    }
    let check = proof::verify_proof(record);
    errors.extend(check.errors.iter().cloned());
    // A record is an assertion by its issuer; a proof made for another
    // purpose (authentication, say) does not vouch for the content.
    let purpose = record.get("proof").and_then(|p| p.get("proofPurpose")).and_then(Value::as_str);
    let purpose_ok = purpose == Some("assertionMethod");
    if !purpose_ok {
        errors.push(format!("proofPurpose must be assertionMethod, not {}", purpose.unwrap_or("missing")));
    }
    let facts = credential::facts(record);
    let history_intact = match credential::check_history(record) {
        Ok(()) => true,
        Err(e) => {
            errors.push(format!("history: {e}"));
            false
        }
    };
    let mut signature_valid = check.is_valid() && purpose_ok;
    if let (Some(issuer), Some(signer)) = (&facts.issuer_did, &check.signer_did) {
        if issuer != signer {
            signature_valid = false;
            errors.push(format!("the proof was made by {signer}, not by the issuer {issuer}"));
        }
    }
    let signed_at = record
        .get("proof")
        .and_then(|p| p.get("created"))
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc));
    OfflineResult {
        signature_valid,
        history_intact,
        issuer_did: check.signer_did.or(facts.issuer_did.clone()),
        signed_at,
        facts,
        errors,
    }
}

/// Combines the offline checks with a trust list and the lot's status
/// (`(newest version, recalled)`, or `None` when the lot is unknown here).
pub fn verify_with(
    record: &Value,
    trust_list: &[TrustedIssuer],
    lot_status: Option<(i64, bool)>,
) -> VerifyReport {
    judge(offline(record), trust_list, lot_status)
}

/// The verdict from the offline checks, the trust list and the lot's status.
pub fn judge(
    off: OfflineResult,
    trust_list: &[TrustedIssuer],
    lot_status: Option<(i64, bool)>,
) -> VerifyReport {
    let mut errors = off.errors;
    let decision = match &off.issuer_did {
        Some(did) => keys::decide_trust(trust_list, did, off.signed_at),
        None => keys::TrustDecision {
            issuer_trusted: false,
            key_not_revoked: false,
            issuer_name: None,
            reasons: vec!["no issuer".into()],
        },
    };
    errors.extend(decision.reasons);
    let mut warnings = vec![];
    let status = match (lot_status, off.facts.record_version) {
        (Some((newest, recalled)), Some(v)) => {
            if v < newest {
                warnings.push(format!("a newer version ({newest}) of this record exists"));
            }
            RecordStatus { latest_version: v >= newest, recalled: recalled || off.facts.recalled }
        }
        _ => {
            warnings.push("this lot is unknown to this server".into());
            RecordStatus { latest_version: false, recalled: off.facts.recalled }
        }
    };
    if status.recalled {
        warnings.push("this lot has been RECALLED".into());
    }
    let checks = Checks {
        signature: off.signature_valid,
        issuer_trusted: decision.issuer_trusted && off.signature_valid,
        key_not_revoked: decision.key_not_revoked,
        history_intact: off.history_intact,
    };
    VerifyReport {
        verified: checks.signature
            && checks.issuer_trusted
            && checks.key_not_revoked
            && checks.history_intact,
        checks,
        status,
        issuer: off.issuer_did,
        issuer_name: decision.issuer_name,
        lot_id: off.facts.lot_id,
        record_version: off.facts.record_version,
        errors,
        warnings,
    }
}

pub fn verify_in_db(
    conn: &mut storage::DbConnection,
    trust: &keys::TrustListCache,
    record: &Value,
) -> Result<VerifyReport, crate::TraceError> {
    let list = trust.get(conn)?;
    let lot_status = match credential::facts(record).lot_id {
        Some(id) => crate::lots::lot_status(conn, &id)?,
        None => None,
    };
    Ok(verify_with(record, &list, lot_status))
}

/// Recent lot statuses (newest version, recalled), so that repeated
/// verifications of popular lots need no database round trip. Writes in
/// this process invalidate their lot at once; other processes' writes
/// (the command line) are seen within the time limit.
pub struct LotStatusCache {
    ttl: std::time::Duration,
    entries: std::sync::Mutex<std::collections::HashMap<String, Remembered<LotStatus>>>,
}

/// A lot's `(newest version, recalled)`, or `None` when the lot is unknown
/// here.
pub type LotStatus = Option<(i64, bool)>;

/// Bound on remembered lots; the map is simply cleared when full.
const LOT_STATUS_CAPACITY: usize = 50_000;

impl LotStatusCache {
    pub fn new(ttl: std::time::Duration) -> Self {
        LotStatusCache { ttl, entries: std::sync::Mutex::new(std::collections::HashMap::new()) }
    }

    /// `Some(status)` to answer with (the status itself may be `None`: the
    /// lot is unknown here), or `None` when this caller should read the
    /// status from the database and [`LotStatusCache::put`] it.
    pub fn peek(&self, lot_id: &str) -> Option<Option<(i64, bool)>> {
        self.entries.lock().ok()?.get_mut(lot_id)?.consult(self.ttl)
    }

    pub fn put(&self, lot_id: &str, status: Option<(i64, bool)>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= LOT_STATUS_CAPACITY {
                entries.clear();
            }
            entries.insert(lot_id.to_string(), Remembered::new(status));
        }
    }

    /// Forget a lot at once (after an event or a recall written here).
    pub fn invalidate(&self, lot_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(lot_id);
        }
    }
}
