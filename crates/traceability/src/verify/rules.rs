//! Pure: the checks a record allows by itself, and the verdict once the
//! trust list and the lot's status are known.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Checks, OfflineResult, RecordStatus, VerifyReport};
use crate::keys::{self, TrustedIssuer};
use crate::{credential, proof};

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
