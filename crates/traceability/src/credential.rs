//! The signed provenance record: a W3C Verifiable Credential (Data Model
//! 2.0) describing a lot and its whole history. Strings and integers only.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use crate::chain::LotGenesis;
use crate::LotEvent;

pub const VC_CONTEXT_V2: &str = "https://www.w3.org/ns/credentials/v2";
pub const CREDENTIAL_TYPE: &str = "LotProvenanceCredential";
pub const SUBJECT_TYPE: &str = "HarvestLot";

#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    pub country: String,
    pub commune_code: String,
    pub commune_name: String,
    pub province_code: String,
    pub province_name: String,
    pub farm_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuantityFacts {
    /// Decimal text, e.g. "12.5".
    pub value: String,
    pub unit: String,
    /// Exact grams for units of mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grams: Option<i64>,
}

/// Everything the record says about a lot at one moment.
#[derive(Debug, Clone)]
pub struct LotSnapshot {
    pub genesis: LotGenesis,
    pub genesis_hash: String,
    pub digital_link: String,
    pub quantity: QuantityFacts,
    pub origin: Origin,
    pub producer_name: String,
    pub recalled: bool,
    pub events: Vec<LotEvent>,
}

impl LotSnapshot {
    pub fn head_hash(&self) -> &str {
        self.events.last().map(|e| e.hash.as_str()).unwrap_or(&self.genesis_hash)
    }
}

pub struct Issuer<'a> {
    pub did: &'a str,
    pub name: &'a str,
}

/// The credential before its proof is added.
pub fn unsigned_record(
    lot: &LotSnapshot,
    version: i64,
    record_id: &str,
    issuer: &Issuer<'_>,
    valid_from: DateTime<Utc>,
) -> Value {
    let g = &lot.genesis;
    json!({
        "@context": [VC_CONTEXT_V2],
        "id": format!("urn:uuid:{record_id}"),
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "name": format!("Nguồn gốc {} — lô {}", g.product_name, g.lot_code),
        "issuer": { "id": issuer.did, "name": issuer.name },
        "validFrom": common::rfc3339(valid_from),
        "credentialSubject": {
            "id": lot.digital_link,
            "type": SUBJECT_TYPE,
            "lot_id": g.lot_id,
            "lot_code": g.lot_code,
            "gtin": g.gtin,
            "product_name": g.product_name,
            "quantity": lot.quantity,
            "harvested_on": g.harvested_on,
            "origin": lot.origin,
            "producer": { "seller_id": g.seller_id, "name": lot.producer_name },
            "status": if lot.recalled { "recalled" } else { "active" },
            "record_version": version,
            "genesis": g,
            "genesis_hash": lot.genesis_hash,
            "head_hash": lot.head_hash(),
            "events": lot.events,
        }
    })
}

/// What a verifier reads back out of a record (any record, ours or not).
#[derive(Debug, Clone, Default)]
pub struct RecordFacts {
    pub issuer_did: Option<String>,
    pub lot_id: Option<String>,
    pub record_version: Option<i64>,
    pub valid_from: Option<String>,
    /// The record itself says the lot was recalled (its subject's status).
    pub recalled: bool,
}

pub fn facts(record: &Value) -> RecordFacts {
    let issuer_did = match record.get("issuer") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    let subject = record.get("credentialSubject");
    RecordFacts {
        issuer_did,
        lot_id: subject.and_then(|s| s.get("lot_id")).and_then(Value::as_str).map(str::to_string),
        record_version: subject.and_then(|s| s.get("record_version")).and_then(Value::as_i64),
        valid_from: record.get("validFrom").and_then(Value::as_str).map(str::to_string),
        recalled: subject.and_then(|s| s.get("status")).and_then(Value::as_str) == Some("recalled"),
    }
}

/// Recomputes the hash chain carried inside a record.
pub fn check_history(record: &Value) -> Result<(), String> {
    let subject = record.get("credentialSubject").ok_or("no credentialSubject")?;
    let genesis_hash = subject.get("genesis_hash").and_then(Value::as_str).ok_or("no genesis_hash")?;
    let genesis = subject.get("genesis").ok_or("no genesis")?;
    let recomputed = crate::jcs::canonicalize(genesis)
        .map(|c| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(c.as_bytes())))
        .map_err(|e| e.to_string())?;
    if recomputed != genesis_hash {
        return Err("the lot's fixed facts do not match its genesis hash".into());
    }
    let events: Vec<LotEvent> = serde_json::from_value(subject.get("events").cloned().unwrap_or(Value::Null))
        .map_err(|e| format!("events are malformed: {e}"))?;
    crate::chain::verify_chain(genesis_hash, &events)?;
    let head = events.last().map(|e| e.hash.as_str()).unwrap_or(genesis_hash);
    if subject.get("head_hash").and_then(Value::as_str) != Some(head) {
        return Err("head_hash is not the last event's hash".into());
    }
    Ok(())
}
