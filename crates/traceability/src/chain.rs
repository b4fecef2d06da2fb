//! The hash chain of a lot's history.
//!
//! The genesis hash commits to the lot's fixed facts; each event's hash
//! commits to its own content and to the previous hash. Rewriting any past
//! event changes every later hash, and the head hash is inside every signed
//! record, so history cannot be rewritten without breaking signatures.
//! Hashes are SHA-256 over RFC 8785 canonical JSON, so anyone can recompute
//! them from the record alone.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::proof::ProofError;
use crate::{jcs, LotEvent};

/// The facts of a lot that never change after creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotGenesis {
    pub lot_id: String,
    pub lot_code: String,
    pub gtin: String,
    pub product_name: String,
    pub seller_id: String,
    pub harvested_on: String,
    pub origin_commune_code: String,
    pub created_at: String,
}

fn sha256_of_canonical(value: &serde_json::Value) -> Result<String, ProofError> {
    let canonical = jcs::canonicalize(value)?;
    Ok(hex::encode(Sha256::digest(canonical.as_bytes())))
}

pub fn genesis_hash(genesis: &LotGenesis) -> Result<String, ProofError> {
    let value = serde_json::to_value(genesis).map_err(|e| ProofError::Proof(e.to_string()))?;
    sha256_of_canonical(&value)
}

/// The hash of an event: over the event as it appears in the record, minus
/// its own `hash` field (its `prev_hash` included).
pub fn event_hash(event: &LotEvent) -> Result<String, ProofError> {
    let mut value = serde_json::to_value(event).map_err(|e| ProofError::Proof(e.to_string()))?;
    if let Some(map) = value.as_object_mut() {
        map.remove("hash");
    }
    sha256_of_canonical(&value)
}

/// Checks a whole chain; on failure says which event (1-based seq) broke it.
pub fn verify_chain(genesis_hash: &str, events: &[LotEvent]) -> Result<(), String> {
    let mut prev = genesis_hash.to_string();
    for (i, e) in events.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        if e.seq != expected_seq {
            return Err(format!("event {} has seq {}, expected {expected_seq}", i + 1, e.seq));
        }
        if e.prev_hash != prev {
            return Err(format!("event {} does not follow the previous one", e.seq));
        }
        match event_hash(e) {
            Ok(h) if h == e.hash => {}
            Ok(_) => return Err(format!("event {} was altered: its hash does not match", e.seq)),
            Err(err) => return Err(format!("event {}: {err}", e.seq)),
        }
        prev = e.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{EventDetails, EventType};
    use chrono::{TimeZone, Utc};

    fn chain(n: i64) -> (String, Vec<LotEvent>) {
        let genesis = LotGenesis {
            lot_id: "l1".into(),
            lot_code: "HT-1".into(),
            gtin: "08938000000015".into(),
            product_name: "Chè Shan tuyết".into(),
            seller_id: "s1".into(),
            harvested_on: "2025-11-02".into(),
            origin_commune_code: "02467".into(),
            created_at: "2025-11-02T00:00:00Z".into(),
        };
        let g = genesis_hash(&genesis).unwrap();
        let mut prev = g.clone();
        let mut events = vec![];
        for seq in 1..=n {
            let mut e = LotEvent {
                id: format!("e{seq}"),
                seq,
                event_type: EventType::Packing,
                occurred_at: Utc.with_ymd_and_hms(2025, 11, 2, 1, 0, 0).unwrap(),
                recorded_at: Utc.with_ymd_and_hms(2025, 11, 2, 2, 0, 0).unwrap(),
                details: EventDetails { note: Some(format!("bước {seq}")), ..Default::default() },
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = event_hash(&e).unwrap();
            prev = e.hash.clone();
            events.push(e);
        }
        (g, events)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let (g, events) = chain(4);
        assert_eq!(verify_chain(&g, &events), Ok(()));
    }

    #[test]
    fn any_rewrite_breaks_the_chain() {
        let (g, events) = chain(4);
        let mut altered = events.clone();
        altered[1].details.note = Some("sửa".into());
        assert!(verify_chain(&g, &altered).unwrap_err().contains("event 2"));

        let mut rehashed = events.clone();
        rehashed[1].details.note = Some("sửa".into());
        rehashed[1].hash = event_hash(&rehashed[1]).unwrap();
        assert!(verify_chain(&g, &rehashed).unwrap_err().contains("event 3"), "later events break");

        let mut dropped = events.clone();
        dropped.remove(0);
        assert!(verify_chain(&g, &dropped).is_err());
        assert!(verify_chain("00", &events).is_err(), "another genesis");
    }
}
