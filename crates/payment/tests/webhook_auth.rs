//! Webhook authentication: API key and signed requests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use payment::webhook::auth::{REPLAY_WINDOW_SECS, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use payment::{api_key_matches, sign, verify_signature, SignatureError};
use proptest::prelude::*;

const KEY: &str = "nsk_9f8e7d6c5b4a";

#[test]
fn api_key_accepts_the_documented_form_and_variants() {
    // SePay sends exactly `Authorization: Apikey KEY`.
    assert!(api_key_matches(Some("Apikey nsk_9f8e7d6c5b4a"), KEY));
    assert!(api_key_matches(Some("apikey nsk_9f8e7d6c5b4a"), KEY));
    assert!(api_key_matches(Some("APIKEY   nsk_9f8e7d6c5b4a"), KEY));
    assert!(api_key_matches(Some(" Apikey nsk_9f8e7d6c5b4a "), KEY));
}

#[test]
fn api_key_refusals() {
    for header in [
        "Apikey nsk_9f8e7d6c5b4b",
        "Apikey nsk_9f8e7d6c5b4",
        "Apikey nsk_9f8e7d6c5b4aa",
        "Apikey NSK_9F8E7D6C5B4A",
        "Bearer nsk_9f8e7d6c5b4a",
        "Apikeynsk_9f8e7d6c5b4a",
        "nsk_9f8e7d6c5b4a",
        "Apikey",
        "Apikey ",
        "Api-Key nsk_9f8e7d6c5b4a",
        "",
    ] {
        assert!(!api_key_matches(Some(header), KEY), "{header:?}");
    }
    assert!(!api_key_matches(None, KEY));
}

#[test]
fn empty_expected_key_never_matches() {
    assert!(!api_key_matches(Some("Apikey "), ""));
    assert!(!api_key_matches(Some("Apikey x"), ""));
    assert!(!api_key_matches(None, ""));
}

#[test]
fn header_names() {
    assert_eq!(TIMESTAMP_HEADER, "X-Nongsan-Timestamp");
    assert_eq!(SIGNATURE_HEADER, "X-Nongsan-Signature");
    assert_eq!(REPLAY_WINDOW_SECS, 300);
}

const SECRET: &[u8] = b"whsec_test_only";
const BODY: &[u8] = br#"{"id":92704,"transferAmount":2277000}"#;
const T: i64 = 1_700_000_000;

fn now() -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(T + 42, 0).unwrap()
}

fn verify(ts: Option<&str>, sig: Option<&str>, body: &[u8]) -> Result<(), SignatureError> {
    verify_signature(SECRET, ts, sig, body, now())
}

#[test]
fn signed_request_verifies() {
    let sig = sign(SECRET, T, BODY);
    assert!(sig.starts_with("sha256="));
    assert_eq!(sig.len(), 7 + 64);
    assert!(sig[7..].bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    assert_eq!(verify(Some("1700000000"), Some(&sig), BODY), Ok(()));
    // Upper-case hex and scheme, surrounding spaces: still the same MAC.
    assert_eq!(verify(Some(" 1700000000 "), Some(&sig.to_uppercase()), BODY), Ok(()));
}

#[test]
fn missing_headers() {
    let sig = sign(SECRET, T, BODY);
    assert_eq!(verify(None, Some(&sig), BODY), Err(SignatureError::Missing));
    assert_eq!(verify(Some("1700000000"), None, BODY), Err(SignatureError::Missing));
    assert_eq!(verify(None, None, BODY), Err(SignatureError::Missing));
}

#[test]
fn malformed_headers() {
    let sig = sign(SECRET, T, BODY);
    for ts in ["", "abc", "-1700000000", "1700000000.5", "1.7e9"] {
        assert_eq!(verify(Some(ts), Some(&sig), BODY), Err(SignatureError::Malformed), "{ts:?}");
    }
    let hex = &sig[7..];
    for bad in [
        hex.to_owned(),
        format!("sha1={hex}"),
        format!("sha256={}", &hex[..63]),
        format!("sha256={hex}0"),
        format!("sha256={}g", &hex[..63]),
        "sha256=".to_owned(),
        "sha25".to_owned(),
        format!("sha256=ệ{}", &hex[..61]),
    ] {
        assert_eq!(verify(Some("1700000000"), Some(&bad), BODY), Err(SignatureError::Malformed), "{bad:?}");
    }
}

#[test]
fn tampering_is_a_mismatch() {
    let sig = sign(SECRET, T, BODY);
    let tampered_body = br#"{"id":92704,"transferAmount":9277000}"#;
    assert_eq!(verify(Some("1700000000"), Some(&sig), tampered_body), Err(SignatureError::Mismatch));
    // The timestamp is signed too: moving it breaks the signature.
    assert_eq!(verify(Some("1700000001"), Some(&sig), BODY), Err(SignatureError::Mismatch));
    let other_secret = sign(b"another secret", T, BODY);
    assert_eq!(verify(Some("1700000000"), Some(&other_secret), BODY), Err(SignatureError::Mismatch));
    // An empty secret never verifies, even a signature made with it.
    let empty = sign(b"", T, BODY);
    assert_eq!(
        verify_signature(b"", Some("1700000000"), Some(&empty), BODY, now()),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn old_or_future_genuine_requests_expire() {
    let old = T - 301;
    let sig = sign(SECRET, old, BODY);
    let ts = old.to_string();
    let at = |t: i64| Utc.timestamp_opt(t, 0).unwrap();
    assert_eq!(verify_signature(SECRET, Some(&ts), Some(&sig), BODY, at(T)), Err(SignatureError::Expired));
    assert_eq!(verify_signature(SECRET, Some(&ts), Some(&sig), BODY, at(old + 300)), Ok(()));
    assert_eq!(verify_signature(SECRET, Some(&ts), Some(&sig), BODY, at(old - 300)), Ok(()));
    assert_eq!(
        verify_signature(SECRET, Some(&ts), Some(&sig), BODY, at(old - 301)),
        Err(SignatureError::Expired)
    );
    // A forged request with an old timestamp is a mismatch, not "expired".
    let forged = sign(b"guess", old, BODY);
    assert_eq!(
        verify_signature(SECRET, Some(&ts), Some(&forged), BODY, at(T)),
        Err(SignatureError::Mismatch)
    );
}

proptest! {
    #[test]
    fn sign_then_verify(
        secret in proptest::collection::vec(any::<u8>(), 1..100),
        body in proptest::collection::vec(any::<u8>(), 0..500),
        ts in 0..4_000_000_000i64,
        skew in -300..=300i64,
    ) {
        let sig = sign(&secret, ts, &body);
        let now = Utc.timestamp_opt(ts + skew, 0).unwrap();
        prop_assert_eq!(verify_signature(&secret, Some(&ts.to_string()), Some(&sig), &body, now), Ok(()));
    }

    #[test]
    fn any_changed_byte_is_a_mismatch(
        body in proptest::collection::vec(any::<u8>(), 1..300),
        at in any::<proptest::sample::Index>(),
        flip in 1..=255u8,
    ) {
        let sig = sign(SECRET, T, &body);
        let mut changed = body.clone();
        let i = at.index(changed.len());
        changed[i] ^= flip;
        prop_assert_eq!(verify(Some("1700000000"), Some(&sig), &changed), Err(SignatureError::Mismatch));
    }

    #[test]
    fn api_key_matches_only_itself(key in "[!-~]{1,64}", other in "[!-~]{1,64}") {
        let header = format!("Apikey {key}");
        prop_assert!(api_key_matches(Some(&header), &key));
        let other_header = format!("Apikey {other}");
        prop_assert_eq!(api_key_matches(Some(&other_header), &key), other == key);
    }
}
