//! Authenticating the bank-notification webhook.
//!
//! Two ways, as the common notification services offer them (SePay's
//! "Authentication" page lists API key and HMAC-SHA256, and advises
//! refusing signed requests whose timestamp is more than 5 minutes off):
//!
//! - **API key**: `Authorization: Apikey KEY`, checked by
//!   [`api_key_matches`]. Simple, but a key that leaks once (a log, a
//!   proxy) can forge notifications until it is rotated.
//! - **Signature**: [`TIMESTAMP_HEADER`] carries unix seconds and
//!   [`SIGNATURE_HEADER`] carries `sha256=` and the lower-case hex
//!   HMAC-SHA256, under a shared secret, of `"{timestamp}.{raw body}"`;
//!   checked by [`verify_signature`], made by [`sign`]. Nothing secret
//!   travels, the body cannot be altered, and a captured request can only
//!   be replayed within [`REPLAY_WINDOW_SECS`] (within which the
//!   notification `id` makes a repeat change nothing anyway).
//!
//! Both compare in constant time, so response times say nothing about how
//! close a guess was.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::SignatureError;

/// Header with the signing time, decimal unix seconds.
pub const TIMESTAMP_HEADER: &str = "X-Nongsan-Timestamp";
/// Header with `sha256=<lower-case hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "X-Nongsan-Signature";
/// How far a signed timestamp may be from now, either way: 5 minutes.
pub const REPLAY_WINDOW_SECS: u64 = 300;

const API_KEY_SCHEME: &str = "Apikey";
const SIGNATURE_PREFIX: &str = "sha256=";

type HmacSha256 = Hmac<Sha256>;

/// Whether an `Authorization` header value is `Apikey KEY` with KEY equal
/// to `expected_key`.
///
/// The scheme is matched without regard to case, and one or more spaces
/// may follow it; spaces or tabs around the key are ignored. The keys are
/// compared through their SHA-256 digests in constant time, so neither the
/// content nor the length of the expected key shows in the timing. An
/// empty `expected_key` (the variable unset) never matches: an empty key
/// would let anyone in.
pub fn api_key_matches(authorization_header: Option<&str>, expected_key: &str) -> bool {
    if expected_key.is_empty() {
        return false;
    }
    let Some(header) = authorization_header else {
        return false;
    };
    let header = header.trim_matches(is_blank);
    let Some((scheme, key)) = header.split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case(API_KEY_SCHEME) {
        return false;
    }
    let key = key.trim_matches(is_blank);
    if key.is_empty() {
        return false;
    }
    let given = Sha256::digest(key.as_bytes());
    let expected = Sha256::digest(expected_key.as_bytes());
    given.as_slice().ct_eq(expected.as_slice()).into()
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The [`SIGNATURE_HEADER`] value for `body` sent at `timestamp` (unix
/// seconds): `sha256=` and the lower-case hex HMAC-SHA256 of
/// `"{timestamp}.{body}"` under `secret`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("{SIGNATURE_PREFIX}{}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

/// Checks a signed webhook request against `secret`, with the raw `body`
/// exactly as received (not re-serialised JSON) and `now` the receiving
/// time.
///
/// In order: both headers present ([`SignatureError::Missing`]); the
/// timestamp decimal digits and the signature `sha256=` and 64 hex digits,
/// either case ([`SignatureError::Malformed`]); the HMAC equal, compared in
/// constant time ([`SignatureError::Mismatch`]); the timestamp within
/// [`REPLAY_WINDOW_SECS`] of `now`, past or future
/// ([`SignatureError::Expired`]). The window is checked last so that
/// `Expired` only ever describes a genuine request: a replay or a clock
/// that is off. An empty `secret` never verifies.
pub fn verify_signature(
    secret: &[u8],
    timestamp_header: Option<&str>,
    signature_header: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let (Some(timestamp), Some(signature)) = (timestamp_header, signature_header) else {
        return Err(SignatureError::Missing);
    };
    let timestamp = parse_timestamp(timestamp.trim()).ok_or(SignatureError::Malformed)?;
    let signature = parse_signature(signature.trim()).ok_or(SignatureError::Malformed)?;
    if secret.is_empty() {
        return Err(SignatureError::Mismatch);
    }
    mac(secret, timestamp, body).verify_slice(&signature).map_err(|_| SignatureError::Mismatch)?;
    if now.timestamp().abs_diff(timestamp) > REPLAY_WINDOW_SECS {
        return Err(SignatureError::Expired);
    }
    Ok(())
}

/// 1 to 12 decimal digits (unix seconds until the year 33658).
fn parse_timestamp(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_signature(s: &str) -> Option<Vec<u8>> {
    let prefix = s.get(..SIGNATURE_PREFIX.len())?;
    if !prefix.eq_ignore_ascii_case(SIGNATURE_PREFIX) {
        return None;
    }
    let hex_digits = &s[SIGNATURE_PREFIX.len()..];
    if hex_digits.len() != 64 {
        return None;
    }
    hex::decode(hex_digits).ok()
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = hmac_sha256(secret);
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// HMAC accepts keys of any length (RFC 2104 hashes long ones), so
/// `new_from_slice` cannot fail; the fallback keeps the code panic-free.
fn hmac_sha256(key: &[u8]) -> HmacSha256 {
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => <HmacSha256 as Mac>::new(&Default::default()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use chrono::TimeZone;

    fn hmac_hex(key: &[u8], data: &[u8]) -> String {
        let mut mac = hmac_sha256(key);
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    /// RFC 4231 section 4.2, test case 1.
    #[test]
    fn rfc4231_case_1() {
        assert_eq!(
            hmac_hex(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    /// RFC 4231 section 4.3, test case 2: a key shorter than the block.
    #[test]
    fn rfc4231_case_2() {
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn sign_is_hmac_of_timestamp_dot_body() {
        let body = br#"{"id":92704}"#;
        let want = format!("sha256={}", hmac_hex(b"secret", br#"1700000000.{"id":92704}"#));
        assert_eq!(sign(b"secret", 1_700_000_000, body), want);
    }

    #[test]
    fn fallback_key_is_never_used() {
        // new_from_slice takes every key length, including empty and long.
        assert!(HmacSha256::new_from_slice(b"").is_ok());
        assert!(HmacSha256::new_from_slice(&[7; 1000]).is_ok());
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1700000000"), Some(1_700_000_000));
        for bad in ["", "-1", "+1", "1.5", "1e9", "0x10", "1234567890123"] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn expiry_is_symmetric() {
        let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let body = b"{}";
        for (offset, ok) in [(0, true), (300, true), (-300, true), (301, false), (-301, false)] {
            let ts = 1_700_000_000 + offset;
            let sig = sign(b"k", ts, body);
            let got = verify_signature(b"k", Some(&ts.to_string()), Some(&sig), body, now);
            assert_eq!(got.is_ok(), ok, "{offset}");
            if !ok {
                assert_eq!(got, Err(SignatureError::Expired));
            }
        }
    }
}
