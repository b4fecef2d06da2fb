//! Vault: the server's master key and the secrets sealed under it (issuer
//! signing keys, national ID numbers).
//!
//! The master key comes from `NONGSAN_MASTER_KEY` (64 hex digits) or from a
//! key file created with mode 0600 in the data directory on first start.
//! Secrets are sealed with XChaCha20-Poly1305; the row a secret belongs to is
//! bound in as associated data, so a ciphertext copied to another row does
//! not open. Lookups of sealed values (is this national ID already
//! registered?) use a keyed HMAC, never a bare hash that could be brute-forced.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("master key: {0}")]
    BadKey(String),
    #[error("master key file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("a sealed secret did not open: wrong master key or damaged data")]
    Open,
}

const NONCE_LEN: usize = 24;

/// The 32-byte master key. Never printed: `Debug` shows nothing of it.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        MasterKey(key)
    }

    pub fn from_hex(text: &str) -> Result<Self, VaultError> {
        let bytes = Zeroizing::new(
            hex::decode(text.trim()).map_err(|_| VaultError::BadKey("expected 64 hex digits".into()))?,
        );
        let arr: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::BadKey("expected 32 bytes (64 hex digits)".into()))?;
        Ok(MasterKey(Zeroizing::new(arr)))
    }

    /// Reads the key file, or creates it (mode 0600) when it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, VaultError> {
        let io = |source| VaultError::Io { path: path.display().to_string(), source };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    if !dir.as_os_str().is_empty() {
                        private_dir(dir).map_err(io)?;
                    }
                }
                let key = Self::generate();
                write_private(path, hex::encode(key.0.as_ref()).as_bytes()).map_err(io)?;
                Ok(key)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// Seals `plaintext`; `context` names the row it belongs to.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new(self.0.as_ref().into());
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        // Encryption with a valid key and in-memory buffers cannot fail.
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: context.as_bytes() })
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        if sealed.len() < NONCE_LEN {
            return Err(VaultError::Open);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(self.0.as_ref().into());
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: context.as_bytes() })
            .map(Zeroizing::new)
            .map_err(|_| VaultError::Open)
    }

    /// A keyed fingerprint for finding equal secrets without storing them.
    pub fn lookup_hash(&self, purpose: &str, value: &str) -> String {
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref()) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The key's folder, owner-only like the key (0700).
#[cfg(unix)]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_context() {
        let key = MasterKey::generate();
        let sealed = key.seal("seller:1", b"012345678901");
        assert_eq!(key.open("seller:1", &sealed).unwrap().as_slice(), b"012345678901");
        assert!(key.open("seller:2", &sealed).is_err(), "moved to another row");
        assert!(MasterKey::generate().open("seller:1", &sealed).is_err(), "other key");
        let mut damaged = sealed.clone();
        damaged[30] ^= 1;
        assert!(key.open("seller:1", &damaged).is_err());
    }

    #[test]
    fn key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/master.key");
        let a = MasterKey::load_or_create(&path).unwrap();
        let b = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(a.lookup_hash("p", "v"), b.lookup_hash("p", "v"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        assert_eq!(format!("{:?}", MasterKey::generate()), "MasterKey(..)");
        assert!(MasterKey::from_hex("abcd").is_err());
    }
}
