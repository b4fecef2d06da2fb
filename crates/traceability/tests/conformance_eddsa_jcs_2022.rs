//! `eddsa-jcs-2022` conformance against the W3C test vectors
//! (`tests/vectors/vc-di-eddsa/`, w3c/vc-di-eddsa@abb673eb), every
//! intermediate step byte for byte, then tampering and key-substitution
//! checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use traceability::did_key;
use traceability::jcs::{canonicalize, canonicalize_str};
use traceability::proof::{add_proof, hash_data, verify_proof, ProofOptions, CRYPTOSUITE};

fn file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/vc-di-eddsa").join(name);
    std::fs::read_to_string(path).unwrap()
}

fn json_file(name: &str) -> Value {
    serde_json::from_str(&file(name)).unwrap()
}

fn secret_key() -> SigningKey {
    let pair = json_file("keyPair.json");
    did_key::secret_key_from_multibase(pair["privateKeyMultibase"].as_str().unwrap()).unwrap()
}

fn vector_options() -> ProofOptions {
    let config = json_file("proofConfigJCS.json");
    ProofOptions {
        verification_method: config["verificationMethod"].as_str().unwrap().into(),
        proof_purpose: config["proofPurpose"].as_str().unwrap().into(),
        created: Some(config["created"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap()),
    }
}

fn signed() -> Value {
    json_file("signedJCS.json")
}

// ----- every intermediate of the published vector --------------------------

#[test]
fn canonical_document() {
    let expected = file("canonDocJCS.txt");
    assert_eq!(canonicalize_str(&file("unsigned.json")).unwrap(), expected);
    assert_eq!(canonicalize(&json_file("unsigned.json")).unwrap(), expected);
}

#[test]
fn document_hash() {
    let digest = Sha256::digest(canonicalize(&json_file("unsigned.json")).unwrap().as_bytes());
    assert_eq!(hex::encode(digest), file("docHashJCS.txt"));
}

#[test]
fn canonical_proof_configuration() {
    assert_eq!(canonicalize(&json_file("proofConfigJCS.json")).unwrap(), file("proofCanonJCS.txt"));
}

#[test]
fn proof_configuration_hash() {
    let digest = Sha256::digest(canonicalize(&json_file("proofConfigJCS.json")).unwrap().as_bytes());
    assert_eq!(hex::encode(digest), file("proofHashJCS.txt"));
}

#[test]
fn combined_hash_is_proof_hash_then_document_hash() {
    let combined = hash_data(&json_file("proofConfigJCS.json"), &json_file("unsigned.json")).unwrap();
    assert_eq!(hex::encode(combined), file("combinedHashJCS.txt"));
    assert_eq!(file("combinedHashJCS.txt"), file("proofHashJCS.txt") + &file("docHashJCS.txt"));
}

#[test]
fn signature_bytes_and_base58() {
    let combined = hex::decode(file("combinedHashJCS.txt")).unwrap();
    // Ed25519 is deterministic: the same key and message give the same bytes.
    let signature = secret_key().sign(&combined).to_bytes();
    assert_eq!(hex::encode(signature), file("sigHexJCS.txt"));
    assert_eq!(format!("z{}", bs58::encode(signature).into_string()), file("sigBTC58JCS.txt"));
}

#[test]
fn add_proof_reproduces_the_signed_vector() {
    let secured = add_proof(&json_file("unsigned.json"), &vector_options(), &secret_key()).unwrap();
    assert_eq!(secured, signed());
    assert_eq!(secured["proof"]["proofValue"], file("sigBTC58JCS.txt"));
    // Same members in the same order, so even the pretty-printed bytes match.
    assert_eq!(serde_json::to_string_pretty(&secured).unwrap(), file("signedJCS.json"));
}

#[test]
fn verifies_the_signed_vector() {
    let check = verify_proof(&signed());
    assert!(check.is_valid(), "{check:?}");
    let vm = json_file("proofConfigJCS.json")["verificationMethod"].as_str().unwrap().to_string();
    assert_eq!(check.signer_did.as_deref(), Some(did_key::did_of_verification_method(&vm)));
    assert_eq!(check.verification_method, Some(vm));
}

#[test]
fn verifies_the_signed_vector_parsed_strictly() {
    let value = traceability::jcs::parse_strict(&file("signedJCS.json")).unwrap();
    assert!(verify_proof(&value).is_valid());
}

#[test]
fn did_key_round_trip_of_the_key_pair() {
    let pair = json_file("keyPair.json");
    let public = pair["publicKeyMultibase"].as_str().unwrap();
    let secret = pair["privateKeyMultibase"].as_str().unwrap();
    let signing = secret_key();
    let verifying = signing.verifying_key();

    assert_eq!(did_key::public_key_multibase(&verifying), public);
    assert_eq!(did_key::secret_key_multibase(&signing), secret);
    let did = did_key::did_from_public_key(&verifying);
    assert_eq!(did, format!("did:key:{public}"));
    assert!(did.starts_with("did:key:z6Mk"));
    let vm = did_key::verification_method(&did);
    assert_eq!(vm, json_file("proofConfigJCS.json")["verificationMethod"]);
    assert_eq!(did_key::did_of_verification_method(&vm), did);
    assert_eq!(did_key::public_key_from_did(&did).unwrap(), verifying);
    assert_eq!(did_key::public_key_from_did(&vm).unwrap(), verifying);
    // The secret key multibase decodes with prefix 0x80 0x26.
    let raw = bs58::decode(&secret[1..]).into_vec().unwrap();
    assert_eq!(&raw[..2], &[0x80, 0x26]);
    assert_eq!(&raw[2..], signing.as_bytes());
}

// ----- tampering ------------------------------------------------------------

/// JSON-pointer-like paths of every leaf (string, number, bool, null) and
/// of every object member.
fn leaves(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(k.clone());
                leaves(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                leaves(v, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

fn objects(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            out.push(path.clone());
            for (k, v) in map {
                path.push(k.clone());
                objects(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                objects(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(value: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(value, |v, step| match v {
        Value::Array(items) => &mut items[step.parse::<usize>().unwrap()],
        other => &mut other[step.as_str()],
    })
}

fn assert_rejected(value: &Value, what: &str) {
    let check = verify_proof(value);
    assert!(!check.signature_valid, "{what}: still verifies: {value}");
    assert!(!check.errors.is_empty(), "{what}: no error reported");
}

/// Alternatives for a leaf that differ from it.
fn mutations(leaf: &Value) -> Vec<Value> {
    let mut out = match leaf {
        Value::String(s) => {
            let mut v = vec![json!(format!("{s}x")), json!(""), json!(s.to_uppercase()), json!(s.trim_end())];
            // One character changed in the middle.
            let mut chars: Vec<char> = s.chars().collect();
            if !chars.is_empty() {
                let mid = chars.len() / 2;
                chars[mid] = if chars[mid] == 'a' { 'b' } else { 'a' };
                v.push(json!(chars.into_iter().collect::<String>()));
            }
            v
        }
        Value::Number(n) => vec![json!(n.as_f64().unwrap() + 1.0), json!(n.to_string())],
        Value::Bool(b) => vec![json!(!b)],
        Value::Null => vec![json!(0)],
        _ => vec![],
    };
    out.push(Value::Null);
    out.push(json!([leaf.clone()]));
    out.retain(|v| v != leaf);
    out
}

#[test]
fn changing_any_leaf_breaks_the_proof() {
    let signed = signed();
    let mut paths = Vec::new();
    leaves(&signed, &mut Vec::new(), &mut paths);
    assert!(paths.len() >= 16, "walked only {} leaves", paths.len());
    let mut tried = 0;
    for path in paths {
        if path == ["proof", "proofValue"] {
            continue;
        }
        let original = at(&mut signed.clone(), &path).clone();
        for replacement in mutations(&original) {
            let mut tampered = signed.clone();
            *at(&mut tampered, &path) = replacement.clone();
            assert_rejected(&tampered, &format!("{path:?} = {replacement}"));
            tried += 1;
        }
    }
    assert!(tried > 80, "only {tried} mutations");
}

#[test]
fn adding_or_removing_any_member_breaks_the_proof() {
    let signed = signed();
    let mut maps = Vec::new();
    objects(&signed, &mut Vec::new(), &mut maps);
    assert_eq!(maps.len(), 3, "root, credentialSubject, proof");
    for path in maps {
        let mut tampered = signed.clone();
        at(&mut tampered, &path)["extra"] = json!("x");
        assert_rejected(&tampered, &format!("added {path:?}/extra"));

        let names: Vec<String> =
            at(&mut signed.clone(), &path).as_object().unwrap().keys().cloned().collect();
        for name in names {
            let mut tampered = signed.clone();
            at(&mut tampered, &path).as_object_mut().unwrap().remove(&name);
            assert_rejected(&tampered, &format!("removed {path:?}/{name}"));
        }
    }
    // Array elements too.
    let mut tampered = signed.clone();
    tampered["type"].as_array_mut().unwrap().push(json!("ExtraType"));
    assert_rejected(&tampered, "added a type");
    let mut tampered = signed.clone();
    tampered["type"].as_array_mut().unwrap().reverse();
    assert_rejected(&tampered, "reordered type");
    let mut tampered = signed.clone();
    tampered["proof"]["@context"].as_array_mut().unwrap().pop();
    assert_rejected(&tampered, "shortened proof @context");
}

#[test]
fn changing_the_proof_value_breaks_the_proof() {
    let signed = signed();
    let value = signed["proof"]["proofValue"].as_str().unwrap().to_string();
    let alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    for i in 1..value.len() {
        let mut tampered = signed.clone();
        let old = value.as_bytes()[i] as char;
        let new = alphabet.chars().find(|c| *c != old).unwrap();
        let mut changed = value.clone();
        changed.replace_range(i..=i, &new.to_string());
        tampered["proof"]["proofValue"] = json!(changed);
        assert_rejected(&tampered, &format!("proofValue char {i}"));
    }
    for bad in [&value[1..], "z", "", "u", &format!("{value}1"), &format!("f{}", &value[1..])] {
        let mut tampered = signed.clone();
        tampered["proof"]["proofValue"] = json!(bad);
        assert_rejected(&tampered, bad);
    }
}

#[test]
fn a_malleated_signature_is_rejected() {
    // s + L is the same point equation but a non-canonical encoding; strict
    // verification must refuse it.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut signature = hex::decode(file("sigHexJCS.txt")).unwrap();
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(signature[32 + i]) + u16::from(L[i]) + carry;
        signature[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    let mut tampered = signed();
    tampered["proof"]["proofValue"] = json!(format!("z{}", bs58::encode(&signature).into_string()));
    assert_rejected(&tampered, "s + L");
}

#[test]
fn member_order_and_whitespace_do_not_matter() {
    // Reverse every object's members: same canonical form, still valid.
    fn reversed(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                Value::Object(map.iter().rev().map(|(k, v)| (k.clone(), reversed(v))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
            other => other.clone(),
        }
    }
    let shuffled = reversed(&signed());
    assert_ne!(serde_json::to_string(&shuffled).unwrap(), serde_json::to_string(&signed()).unwrap());
    assert!(verify_proof(&shuffled).is_valid());
    let compact: Value = serde_json::from_str(&serde_json::to_string(&signed()).unwrap()).unwrap();
    assert!(verify_proof(&compact).is_valid());
}

#[test]
fn contexts_appended_after_signing_are_allowed_by_the_spec() {
    // Verify Proof step 3: the document's @context need only *start with*
    // the proof's, and the proof's is what gets hashed. This is the spec's
    // rule, pinned here so that a change is deliberate.
    let mut appended = signed();
    appended["@context"].as_array_mut().unwrap().push(json!("https://example.org/extra/v1"));
    assert!(verify_proof(&appended).is_valid());
    // Inserting before or replacing an element is not.
    let mut inserted = signed();
    inserted["@context"].as_array_mut().unwrap().insert(1, json!("https://example.org/extra/v1"));
    assert_rejected(&inserted, "inserted context");
    let mut dropped = signed();
    dropped.as_object_mut().unwrap().remove("@context");
    assert_rejected(&dropped, "document without @context");
}

// ----- keys -----------------------------------------------------------------

fn other_key() -> SigningKey {
    SigningKey::from_bytes(&[0x5a; 32])
}

fn options_for(key: &SigningKey) -> ProofOptions {
    ProofOptions {
        verification_method: did_key::verification_method(&did_key::did_from_public_key(
            &key.verifying_key(),
        )),
        ..vector_options()
    }
}

#[test]
fn a_proof_by_another_key_naming_that_key_verifies() {
    // Cryptographically valid; whether that key is trusted is decided by
    // the caller (the issuer check and the trust list).
    let other = other_key();
    let secured = add_proof(&json_file("unsigned.json"), &options_for(&other), &other).unwrap();
    let check = verify_proof(&secured);
    assert!(check.is_valid(), "{check:?}");
    let other_did = did_key::did_from_public_key(&other.verifying_key());
    assert_eq!(check.signer_did, Some(other_did));
    assert_ne!(secured["proof"]["proofValue"], signed()["proof"]["proofValue"]);
}

#[test]
fn pointing_the_method_at_another_key_breaks_the_proof() {
    let mut tampered = signed();
    tampered["proof"]["verificationMethod"] = json!(options_for(&other_key()).verification_method);
    assert_rejected(&tampered, "verificationMethod swapped");
    // A bare DID (no fragment) resolves to the same key; that changes the
    // signed proof options, so it fails too.
    let mut tampered = signed();
    let vm = tampered["proof"]["verificationMethod"].as_str().unwrap().to_string();
    tampered["proof"]["verificationMethod"] = json!(did_key::did_of_verification_method(&vm));
    assert_rejected(&tampered, "verificationMethod without fragment");
}

#[test]
fn a_proof_value_for_a_different_document_fails() {
    let key = secret_key();
    let mut other_doc = json_file("unsigned.json");
    other_doc["credentialSubject"]["alumniOf"] = json!("Another School");
    let other_signed = add_proof(&other_doc, &vector_options(), &key).unwrap();
    assert!(verify_proof(&other_signed).is_valid());

    let mut transplanted = signed();
    transplanted["proof"]["proofValue"] = other_signed["proof"]["proofValue"].clone();
    assert_rejected(&transplanted, "proofValue of another document");
    // And the other way round: the vector's proof on the other document.
    let mut moved = other_doc.clone();
    moved["proof"] = signed()["proof"].clone();
    assert_rejected(&moved, "proof moved to another document");
}

#[test]
fn wrong_type_or_cryptosuite_is_reported() {
    for (field, value) in [
        ("type", json!("Ed25519Signature2020")),
        ("cryptosuite", json!("eddsa-rdfc-2022")),
        ("cryptosuite", json!(CRYPTOSUITE.to_uppercase())),
        ("proofPurpose", json!("")),
    ] {
        let mut tampered = signed();
        tampered["proof"][field] = value;
        let check = verify_proof(&tampered);
        assert!(!check.signature_valid);
        assert!(check.errors.iter().any(|e| e.contains(field)), "{field}: {check:?}");
    }
}
