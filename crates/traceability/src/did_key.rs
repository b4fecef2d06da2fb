//! `did:key` for Ed25519 keys in Multikey form (W3C CCG did:key, VC Data
//! Integrity §2.2.2 "Multikey").
//!
//! A public key is written `z` + base58-btc(0xed 0x01 ‖ 32 key bytes), which
//! always starts `z6Mk`; the DID is `did:key:` + that text and its only
//! verification method is `did:key:z6Mk…#z6Mk…` (the fragment repeats the
//! key). A secret key uses the multicodec prefix 0x80 0x26. Resolving needs
//! no network: the key is in the identifier.

use ed25519_dalek::{SigningKey, VerifyingKey, PUBLIC_KEY_LENGTH, SECRET_KEY_LENGTH};
use zeroize::Zeroizing;

use crate::proof::ProofError;

/// The scheme and method every `did:key` starts with.
pub const DID_KEY_PREFIX: &str = "did:key:";

/// Multicodec `ed25519-pub` (0xed) as an unsigned varint.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];
/// Multicodec `ed25519-priv` (0x1300) as an unsigned varint.
const ED25519_PRIV: [u8; 2] = [0x80, 0x26];

/// `did:key:z6Mk…` for `key`.
pub fn did_from_public_key(key: &VerifyingKey) -> String {
    format!("{DID_KEY_PREFIX}{}", public_key_multibase(key))
}

/// The verification method of a `did:key`: the DID, `#`, then the DID's
/// method-specific identifier (the multibase key) again.
///
/// Meant for a `did:key`; for any other DID it repeats the part after the
/// last `:`, which will not resolve here.
pub fn verification_method(did: &str) -> String {
    let id = did.rsplit(':').next().unwrap_or(did);
    format!("{did}#{id}")
}

/// The DID part of a verification method (everything before `#`).
pub fn did_of_verification_method(vm: &str) -> &str {
    vm.split_once('#').map_or(vm, |(did, _)| did)
}

/// Resolves a `did:key` or its `did:key:…#…` verification method to the
/// Ed25519 public key it names.
///
/// Errors if it is not a `did:key`, if the fragment differs from the key, if
/// the multicodec prefix is not Ed25519 (0xed 0x01: any other key type is
/// rejected, as did:key requires), if the key is not 32 bytes, or if the bytes
/// are not a usable Ed25519 point (not on the curve, or of small order, which
/// would let anyone forge signatures that some verifiers accept).
pub fn public_key_from_did(did_or_vm: &str) -> Result<VerifyingKey, ProofError> {
    let rest = did_or_vm
        .strip_prefix(DID_KEY_PREFIX)
        .ok_or_else(|| ProofError::Proof(format!("{did_or_vm:?} is not a did:key")))?;
    let id = match rest.split_once('#') {
        Some((id, fragment)) if fragment == id => id,
        Some(_) => {
            return Err(ProofError::Proof(format!(
                "verification method {did_or_vm:?}: the fragment must repeat the key"
            )))
        }
        None => rest,
    };
    let bytes: [u8; PUBLIC_KEY_LENGTH] = decode_multikey(id, ED25519_PUB, "public")?;
    let key = VerifyingKey::from_bytes(&bytes)
        .map_err(|_| ProofError::Proof(format!("{did_or_vm:?} is not a valid Ed25519 public key")))?;
    if key.is_weak() {
        return Err(ProofError::Proof(format!("{did_or_vm:?} is a small-order Ed25519 key")));
    }
    Ok(key)
}

/// `publicKeyMultibase` of `key`: `z` + base58-btc(0xed 0x01 ‖ key).
pub fn public_key_multibase(key: &VerifyingKey) -> String {
    let mut buf = [0u8; 2 + PUBLIC_KEY_LENGTH];
    buf[..2].copy_from_slice(&ED25519_PUB);
    buf[2..].copy_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(buf).into_string())
}

/// `secretKeyMultibase` of `key`: `z` + base58-btc(0x80 0x26 ‖ seed).
///
/// The result is the secret itself: store it sealed.
pub fn secret_key_multibase(key: &SigningKey) -> String {
    // Zeroizing wipes the copy of the seed when it goes out of scope.
    let mut buf = Zeroizing::new([0u8; 2 + SECRET_KEY_LENGTH]);
    buf[..2].copy_from_slice(&ED25519_PRIV);
    buf[2..].copy_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(&buf[..]).into_string())
}

/// Reads a `secretKeyMultibase` (prefix 0x80 0x26, 32-byte seed).
pub fn secret_key_from_multibase(text: &str) -> Result<SigningKey, ProofError> {
    let seed: Zeroizing<[u8; SECRET_KEY_LENGTH]> =
        Zeroizing::new(decode_multikey(text, ED25519_PRIV, "secret")?);
    Ok(SigningKey::from_bytes(&seed))
}

/// Decodes `z` + base58-btc(prefix ‖ 32 bytes) and returns the 32 bytes.
fn decode_multikey(text: &str, prefix: [u8; 2], what: &str) -> Result<[u8; 32], ProofError> {
    let encoded = text.strip_prefix('z').ok_or_else(|| {
        ProofError::Proof(format!("Ed25519 {what} key: multibase must be base58-btc (start with 'z')"))
    })?;
    // Decode into a fixed buffer one byte larger than expected, so an
    // over-long key is reported as a wrong length rather than truncated, and
    // no heap copy of a secret is left behind.
    let mut buf = Zeroizing::new([0u8; 2 + 32 + 1]);
    let len = bs58::decode(encoded).onto(&mut buf[..]).map_err(|e| match e {
        bs58::decode::Error::BufferTooSmall => {
            ProofError::Proof(format!("Ed25519 {what} key: longer than 34 bytes"))
        }
        other => ProofError::Proof(format!("Ed25519 {what} key: invalid base58-btc: {other}")),
    })?;
    if len < 2 || buf[..2] != prefix {
        return Err(ProofError::Proof(format!(
            "not an Ed25519 {what} key: multicodec prefix must be {:02x}{:02x}",
            prefix[0], prefix[1]
        )));
    }
    if len != 2 + 32 {
        return Err(ProofError::Proof(format!("Ed25519 {what} key: {} bytes, expected 32", len - 2)));
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&buf[2..34]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn round_trips_and_starts_with_z6mk() {
        let sk = key(7);
        let did = did_from_public_key(&sk.verifying_key());
        assert!(did.starts_with("did:key:z6Mk"), "{did}");
        let vm = verification_method(&did);
        assert_eq!(did_of_verification_method(&vm), did);
        assert_eq!(vm, format!("{did}#{}", public_key_multibase(&sk.verifying_key())));
        assert_eq!(public_key_from_did(&did).unwrap(), sk.verifying_key());
        assert_eq!(public_key_from_did(&vm).unwrap(), sk.verifying_key());
        let secret = secret_key_multibase(&sk);
        assert_eq!(secret_key_from_multibase(&secret).unwrap().to_bytes(), sk.to_bytes());
    }

    #[test]
    fn rejects_other_keys_prefixes_and_lengths() {
        let did = did_from_public_key(&key(7).verifying_key());
        let other = public_key_multibase(&key(8).verifying_key());
        assert!(public_key_from_did(&format!("{did}#{other}")).is_err());
        assert!(public_key_from_did(&format!("{did}#")).is_err());
        assert!(public_key_from_did("did:web:example.com").is_err());
        assert!(public_key_from_did(&did.replace("did:key:z", "did:key:f")).is_err());
        // A secret key is not a public key, and vice versa.
        let secret = secret_key_multibase(&key(7));
        assert!(public_key_from_did(&format!("did:key:{secret}")).is_err());
        assert!(secret_key_from_multibase(&public_key_multibase(&key(7).verifying_key())).is_err());
        // X25519 (0xec 0x01), too short, too long.
        for bytes in [
            [&[0xec, 0x01][..], &[1u8; 32][..]].concat(),
            [&ED25519_PUB[..], &[1u8; 31][..]].concat(),
            [&ED25519_PUB[..], &[1u8; 33][..]].concat(),
            vec![0xed],
            vec![],
        ] {
            let text = format!("did:key:z{}", bs58::encode(bytes).into_string());
            assert!(public_key_from_did(&text).is_err(), "{text}");
        }
        // Not base58 (0, O, I, l are outside the alphabet).
        assert!(public_key_from_did("did:key:z6Mk0OIl").is_err());
    }

    #[test]
    fn rejects_small_order_points() {
        // The identity point (y = 1) has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let text =
            format!("did:key:z{}", bs58::encode([&ED25519_PUB[..], &identity[..]].concat()).into_string());
        assert!(public_key_from_did(&text).is_err());
    }
}
