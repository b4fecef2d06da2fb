//! RFC 8785 (JCS): the bytes `eddsa-jcs-2022` signs. A record whose
//! canonical form is not stable, or differs between two readers of the same
//! JSON, would verify on one side and fail on the other.
//!
//! For any UTF-8 input that `canonicalize_str` accepts:
//! - the output parses (strictly and with serde_json) to the same document,
//!   numbers compared as the doubles JCS says they are;
//! - canonicalising the output again gives the output (idempotence);
//! - every object's members are in UTF-16 code-unit order;
//! - serde_json, which the server uses to read request bodies, reads the
//!   input to a value with the same canonical form (the strict reader only
//!   refuses more: duplicates, numbers out of range).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use traceability::jcs::{canonicalize, canonicalize_str, parse_strict, MAX_DEPTH};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let serde_value = serde_json::from_str::<Value>(text);
    if let Ok(value) = &serde_value {
        // On a value from serde_json only the depth limit may refuse.
        if let Err(e) = canonicalize(value) {
            assert!(e.to_string().contains("nested deeper"), "canonicalize refused {value:?}: {e}");
        }
    }
    let Ok(canonical) = canonicalize_str(text) else {
        return;
    };
    let original = parse_strict(text).expect("canonicalize_str accepted it");

    let reparsed = parse_strict(&canonical).expect("canonical output is strict JSON");
    assert!(same_document(&original, &reparsed), "canonical form changed the document: {canonical}");
    assert_eq!(canonicalize_str(&canonical).ok().as_deref(), Some(canonical.as_str()), "not idempotent");
    assert_sorted(&reparsed);

    let by_serde = serde_json::from_str::<Value>(&canonical).expect("serde_json reads canonical output");
    assert!(same_document(&original, &by_serde));
    // serde_json stops one level short of our MAX_DEPTH; elsewhere it must
    // read whatever the strict parser reads.
    let Ok(value) = serde_value else {
        assert!(depth(&original) >= MAX_DEPTH - 1, "serde_json refused what the strict parser read");
        return;
    };
    assert_eq!(canonicalize(&value).ok().as_deref(), Some(canonical.as_str()), "two readers disagree");
});

/// Equal as JCS sees documents: numbers as IEEE-754 doubles (so `-0` is `0`
/// and integers past 2^53 are rounded), member order ignored.
fn same_document(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_document(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_document(v, w)))
        }
        _ => a == b,
    }
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Members strictly ascending by UTF-16 code units (RFC 8785 §3.2.3),
/// checked with an implementation independent of the crate's.
fn assert_sorted(value: &Value) {
    match value {
        Value::Array(items) => items.iter().for_each(assert_sorted),
        Value::Object(map) => {
            let names: Vec<Vec<u16>> = map.keys().map(|k| k.encode_utf16().collect()).collect();
            assert!(names.windows(2).all(|w| w[0] < w[1]), "members out of order: {:?}", map.keys());
            map.values().for_each(assert_sorted);
        }
        _ => {}
    }
}
