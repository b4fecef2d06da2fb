//! W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite
//! (Data Integrity EdDSA Cryptosuites v1.0 §3.3, VC Data Integrity §4).
//!
//! Signing: `hashData` = SHA-256(JCS(proof configuration)) ‖
//! SHA-256(JCS(document)) — the proof configuration comes first — and the
//! proof value is `z` + base58-btc of the Ed25519 signature over those 64
//! bytes. The proof carries a copy of the document's `@context`, which the
//! spec strongly advises and the published test vectors do.
//!
//! Verification here is cryptographic only: it says whether the key named by
//! `verificationMethod` signed this document. Whether that key's owner is
//! trusted is decided by the caller (see `verify`).

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, SIGNATURE_LENGTH};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use common::ApiError;

use crate::{did_key, jcs};

/// A proof could not be made or checked: a bad key, a bad encoding, a
/// document that cannot be signed. To a client it is a 500 (`internal`):
/// we only sign what we built.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error("proof: {0}")]
    Proof(String),
    /// The text could not be canonicalised (RFC 8785).
    #[error(transparent)]
    Json(Box<ApiError>),
}

impl From<ProofError> for ApiError {
    fn from(e: ProofError) -> Self {
        match e {
            ProofError::Proof(_) => ApiError::internal(e.to_string()),
            ProofError::Json(e) => *e,
        }
    }
}

impl From<ApiError> for ProofError {
    fn from(e: ApiError) -> Self {
        ProofError::Json(Box::new(e))
    }
}

/// The cryptosuite this module implements.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// The only proof `type` this module accepts.
pub const PROOF_TYPE: &str = "DataIntegrityProof";

/// What the signer chooses for a new proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    /// `did:key:z6Mk…#z6Mk…`, naming the public half of the signing key.
    pub verification_method: String,
    /// Usually `assertionMethod`.
    pub proof_purpose: String,
    /// Written as RFC 3339 UTC with whole seconds (`2023-02-24T23:36:38Z`).
    pub created: Option<DateTime<Utc>>,
}

/// The result of [`verify_proof`].
///
/// `signature_valid` is true only when the signature verified over this
/// exact document; `errors` lists everything wrong, including an expired
/// proof whose signature is otherwise good. Accept a proof only when
/// [`ProofCheck::is_valid`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofCheck {
    pub signature_valid: bool,
    /// `proof.verificationMethod`, when it is a string.
    pub verification_method: Option<String>,
    /// The DID of that verification method, when it resolved to a key.
    pub signer_did: Option<String>,
    pub errors: Vec<String>,
}

impl ProofCheck {
    /// The signature verified and nothing else was wrong.
    pub fn is_valid(&self) -> bool {
        self.signature_valid && self.errors.is_empty()
    }
}

/// Returns a clone of `unsecured` with `proof` added.
///
/// The proof gets `type`, `cryptosuite`, `created` (if given),
/// `verificationMethod`, `proofPurpose` and the document's `@context` (if it
/// has one), then `proofValue`. Errors if the document is not an object or
/// already has a proof, if the purpose is empty, or if the verification
/// method is not the `did:key#fragment` of `key` (a proof naming another key
/// could never verify).
pub fn add_proof(unsecured: &Value, options: &ProofOptions, key: &SigningKey) -> Result<Value, ProofError> {
    let document = unsecured
        .as_object()
        .ok_or_else(|| ProofError::Proof("the document to sign must be a JSON object".into()))?;
    if document.contains_key("proof") {
        return Err(ProofError::Proof(
            "the document already has a proof (proof sets and chains are not supported)".into(),
        ));
    }
    if options.proof_purpose.is_empty() {
        return Err(ProofError::Proof("proofPurpose must not be empty".into()));
    }
    if !options.verification_method.contains('#') {
        return Err(ProofError::Proof(format!(
            "verificationMethod {:?} must be a did:key verification method (did:key:…#…)",
            options.verification_method
        )));
    }
    if did_key::public_key_from_did(&options.verification_method)? != key.verifying_key() {
        return Err(ProofError::Proof(format!(
            "verificationMethod {:?} does not name the signing key",
            options.verification_method
        )));
    }

    let mut proof = Map::new();
    proof.insert("type".into(), PROOF_TYPE.into());
    proof.insert("cryptosuite".into(), CRYPTOSUITE.into());
    if let Some(created) = options.created {
        proof.insert("created".into(), common::rfc3339(created).into());
    }
    proof.insert("verificationMethod".into(), options.verification_method.clone().into());
    proof.insert("proofPurpose".into(), options.proof_purpose.clone().into());
    if let Some(context) = document.get("@context") {
        proof.insert("@context".into(), context.clone());
    }
    let mut proof = Value::Object(proof);

    let hash = hash_data(&proof, unsecured)?;
    let signature = key.sign(&hash);
    let proof_value = format!("z{}", bs58::encode(signature.to_bytes()).into_string());
    if let Value::Object(map) = &mut proof {
        map.insert("proofValue".into(), proof_value.into());
    }

    let mut secured = document.clone();
    secured.insert("proof".into(), proof);
    Ok(Value::Object(secured))
}

/// `hashData`: SHA-256 of the canonical proof configuration, then SHA-256 of
/// the canonical document (64 bytes). Neither argument may carry
/// `proofValue` / `proof`; the callers remove them.
pub fn hash_data(proof_config: &Value, document: &Value) -> Result<[u8; 64], ProofError> {
    let proof_canon = jcs::canonicalize(proof_config)?;
    let document_canon = jcs::canonicalize(document)?;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(proof_canon.as_bytes()));
    out[32..].copy_from_slice(&Sha256::digest(document_canon.as_bytes()));
    Ok(out)
}

/// Checks the single `eddsa-jcs-2022` proof of `secured`. Never panics.
///
/// Structure first (VC Data Integrity "Verify Proof"): `proof` is one map with
/// `type` = DataIntegrityProof, `cryptosuite` = eddsa-jcs-2022, a
/// `proofPurpose`, a `verificationMethod` that resolves as a `did:key`, a
/// `created`/`expires` that are date-times when present, and a `proofValue`
/// that is `z` + base58-btc of 64 bytes. If the proof has an `@context`, the
/// document's `@context` must start with the same values in the same order,
/// and the proof's is the one hashed. Then the Ed25519 signature is checked
/// with `verify_strict` (no malleable or small-order signatures).
pub fn verify_proof(secured: &Value) -> ProofCheck {
    let mut check = ProofCheck {
        signature_valid: false,
        verification_method: None,
        signer_did: None,
        errors: Vec::new(),
    };
    let errors = &mut check.errors;

    let Some(document) = secured.as_object() else {
        errors.push("the secured document is not a JSON object".into());
        return check;
    };
    let proof = match document.get("proof") {
        Some(Value::Object(proof)) => proof,
        Some(Value::Array(_)) => {
            errors.push("proof sets (an array of proofs) are not supported".into());
            return check;
        }
        Some(_) => {
            errors.push("proof is not a JSON object".into());
            return check;
        }
        None => {
            errors.push("the document has no proof".into());
            return check;
        }
    };

    require_string(proof, "type", Some(PROOF_TYPE), errors);
    require_string(proof, "cryptosuite", Some(CRYPTOSUITE), errors);
    require_string(proof, "proofPurpose", None, errors);

    let key = match proof.get("verificationMethod") {
        Some(Value::String(vm)) => {
            check.verification_method = Some(vm.clone());
            match did_key::public_key_from_did(vm) {
                Ok(key) => {
                    check.signer_did = Some(did_key::did_of_verification_method(vm).to_string());
                    Some(key)
                }
                Err(e) => {
                    errors.push(format!("proof.verificationMethod: {e}"));
                    None
                }
            }
        }
        _ => {
            errors.push("proof.verificationMethod must be a string".into());
            None
        }
    };

    date_time(proof, "created", errors);
    // Expiry is reported after the signature check: an expired proof may
    // still be authentic, and the caller may want to know both.
    let expired = date_time(proof, "expires", errors)
        .filter(|expires| *expires < Utc::now())
        .map(|expires| format!("the proof expired at {}", common::rfc3339(expires)));

    let signature = match proof.get("proofValue") {
        Some(Value::String(value)) => match decode_proof_value(value) {
            Ok(signature) => Some(signature),
            Err(message) => {
                errors.push(format!("proof.proofValue: {message}"));
                None
            }
        },
        _ => {
            errors.push("proof.proofValue must be a string".into());
            None
        }
    };

    let proof_context = proof.get("@context");
    if let Some(proof_context) = proof_context {
        let starts_with = document
            .get("@context")
            .is_some_and(|doc_context| as_list(doc_context).starts_with(as_list(proof_context)));
        if !starts_with {
            errors.push("the document's @context does not start with the proof's @context".into());
        }
    }

    let (Some(key), Some(signature)) = (key, signature) else {
        check.errors.extend(expired);
        return check;
    };
    if !check.errors.is_empty() {
        check.errors.extend(expired);
        return check;
    }

    let mut unsecured = document.clone();
    unsecured.remove("proof");
    if let Some(proof_context) = proof_context {
        unsecured.insert("@context".into(), proof_context.clone());
    }
    let mut proof_options = proof.clone();
    proof_options.remove("proofValue");

    match hash_data(&Value::Object(proof_options), &Value::Object(unsecured)) {
        Ok(hash) => match key.verify_strict(&hash, &signature) {
            Ok(()) => check.signature_valid = true,
            Err(_) => check.errors.push("the signature does not match the document".into()),
        },
        Err(e) => check.errors.push(format!("cannot canonicalize: {e}")),
    }
    check.errors.extend(expired);
    check
}

/// Pushes an error unless `proof[name]` is a non-empty string (equal to
/// `expected`, if given).
fn require_string(proof: &Map<String, Value>, name: &str, expected: Option<&str>, errors: &mut Vec<String>) {
    match (proof.get(name), expected) {
        (Some(Value::String(s)), Some(want)) if s == want => {}
        (Some(Value::String(s)), None) if !s.is_empty() => {}
        (_, Some(want)) => errors.push(format!("proof.{name} must be {want:?}")),
        (_, None) => errors.push(format!("proof.{name} must be a non-empty string")),
    }
}

/// `proof[name]` as a date-time, if present; an error if present but not an
/// RFC 3339 date-time with a time zone (XSD dateTimeStamp).
fn date_time(proof: &Map<String, Value>, name: &str, errors: &mut Vec<String>) -> Option<DateTime<Utc>> {
    let value = proof.get(name)?;
    match value.as_str().map(DateTime::parse_from_rfc3339) {
        Some(Ok(t)) => Some(t.with_timezone(&Utc)),
        _ => {
            errors.push(format!("proof.{name} must be a date-time with a time zone"));
            None
        }
    }
}

fn decode_proof_value(value: &str) -> Result<Signature, String> {
    let encoded = value.strip_prefix('z').ok_or("must be base58-btc multibase (start with 'z')")?;
    // One spare byte so an over-long value is a length error, not a truncation.
    let mut buf = [0u8; SIGNATURE_LENGTH + 1];
    let len = bs58::decode(encoded).onto(&mut buf[..]).map_err(|e| match e {
        bs58::decode::Error::BufferTooSmall => "longer than 64 bytes".to_string(),
        other => format!("invalid base58-btc: {other}"),
    })?;
    let bytes: [u8; SIGNATURE_LENGTH] =
        buf[..len].try_into().map_err(|_| format!("{len} bytes, expected {SIGNATURE_LENGTH}"))?;
    Ok(Signature::from_bytes(&bytes))
}

/// A JSON-LD `@context` as a list: a lone value is a list of one.
fn as_list(value: &Value) -> &[Value] {
    match value {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn signer() -> (SigningKey, ProofOptions) {
        let key = SigningKey::from_bytes(&[42; 32]);
        let did = did_key::did_from_public_key(&key.verifying_key());
        let options = ProofOptions {
            verification_method: did_key::verification_method(&did),
            proof_purpose: "assertionMethod".into(),
            created: Some(Utc.with_ymd_and_hms(2025, 6, 1, 8, 30, 15).unwrap()),
        };
        (key, options)
    }

    #[test]
    fn created_has_whole_seconds_and_z() {
        let (key, mut options) = signer();
        options.created = options.created.map(|t| t + chrono::Duration::milliseconds(999));
        let signed = add_proof(&json!({"a": 1}), &options, &key).unwrap();
        assert_eq!(signed["proof"]["created"], "2025-06-01T08:30:15Z");
        assert!(verify_proof(&signed).is_valid());
    }

    #[test]
    fn refuses_to_sign_twice_or_with_a_mismatched_method() {
        let (key, options) = signer();
        let signed = add_proof(&json!({"a": 1}), &options, &key).unwrap();
        assert!(add_proof(&signed, &options, &key).is_err());
        let other = SigningKey::from_bytes(&[43; 32]);
        assert!(add_proof(&json!({"a": 1}), &options, &other).is_err());
        let did_only = ProofOptions {
            verification_method: did_key::did_of_verification_method(&options.verification_method).into(),
            ..options.clone()
        };
        assert!(add_proof(&json!({"a": 1}), &did_only, &key).is_err());
        let no_purpose = ProofOptions { proof_purpose: String::new(), ..options.clone() };
        assert!(add_proof(&json!({"a": 1}), &no_purpose, &key).is_err());
        assert!(add_proof(&json!([1]), &options, &key).is_err());
    }

    #[test]
    fn no_context_means_none_in_the_proof() {
        let (key, options) = signer();
        let signed = add_proof(&json!({"a": 1}), &options, &key).unwrap();
        assert!(signed["proof"].get("@context").is_none());
        let signed = add_proof(&json!({"@context": "https://x.example", "a": 1}), &options, &key).unwrap();
        assert_eq!(signed["proof"]["@context"], "https://x.example");
        assert!(verify_proof(&signed).is_valid());
    }

    #[test]
    fn expired_and_malformed_dates_are_errors() {
        let (key, options) = signer();
        let signed = add_proof(&json!({"a": 1}), &options, &key).unwrap();
        let mut bad = signed.clone();
        bad["proof"]["created"] = json!("yesterday");
        let check = verify_proof(&bad);
        assert!(!check.is_valid());
        assert!(check.errors.iter().any(|e| e.contains("created")), "{check:?}");

        // Re-sign a proof that has `expires` in the past: the signature is good
        // but the proof is not valid.
        let mut unsigned = json!({"a": 1});
        let mut proof = signed["proof"].clone();
        proof.as_object_mut().unwrap().remove("proofValue");
        proof["expires"] = json!("2020-01-01T00:00:00Z");
        let hash = hash_data(&proof, &unsigned).unwrap();
        proof["proofValue"] = json!(format!("z{}", bs58::encode(key.sign(&hash).to_bytes()).into_string()));
        unsigned["proof"] = proof;
        let check = verify_proof(&unsigned);
        assert!(check.signature_valid);
        assert!(!check.is_valid());
        assert!(check.errors.iter().any(|e| e.contains("expired")), "{check:?}");
    }

    #[test]
    fn odd_shapes_never_panic() {
        for value in [
            json!(null),
            json!([]),
            json!({}),
            json!({"proof": []}),
            json!({"proof": "x"}),
            json!({"proof": {}}),
            json!({"proof": {"type": 1, "cryptosuite": null, "proofValue": "z", "verificationMethod": []}}),
            json!({"proof": {"proofValue": "zzzz", "verificationMethod": "did:key:"}}),
            json!({"proof": {"proofValue": format!("z{}", "2".repeat(200)), "verificationMethod": "did:key:z#z"}}),
        ] {
            let check = verify_proof(&value);
            assert!(!check.signature_valid);
            assert!(!check.errors.is_empty());
        }
    }
}
