//! Content-addressed blob storage: the key of a blob is the SHA-256 of its
//! bytes, so a stored blob never changes, the same photo uploaded twice is
//! kept once, and URLs made from keys can be cached forever.

use std::fmt;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::MediaError;

/// Extensions a key may end in, with the content type each stands for. The
/// extension is part of the key so that the content type is known from the
/// key alone (a file store has nowhere else to keep it).
const KINDS: [(&str, &str); 3] = [("jpg", "image/jpeg"), ("png", "image/png"), ("webp", "image/webp")];

const HASH_HEX_LEN: usize = 64;

/// Name of a stored blob: `<sha256 of the bytes, 64 lowercase hex>.<ext>`,
/// e.g. `9f86…0f00a08.jpg`.
///
/// Keys arrive in URL paths, so [`BlobKey::parse`] accepts exactly that shape
/// and nothing else: no separators, dots or uppercase can get through, and a
/// key can never name a path outside the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(String);

impl BlobKey {
    /// The key under which `bytes` of `content_type` are stored.
    pub fn for_content(bytes: &[u8], content_type: &str) -> Result<BlobKey, MediaError> {
        let extension =
            KINDS.iter().find(|(_, ct)| *ct == content_type).map(|(ext, _)| *ext).ok_or_else(|| {
                MediaError::UnsupportedContentType { content_type: content_type.to_owned() }
            })?;
        Ok(BlobKey(format!("{}.{extension}", hex::encode(Sha256::digest(bytes)))))
    }

    /// Checks a key that came from outside (URL path, database).
    pub fn parse(key: &str) -> Result<BlobKey, MediaError> {
        let invalid = || MediaError::InvalidBlobKey { key: key.chars().take(100).collect() };
        let (hash, extension) = key.split_once('.').ok_or_else(invalid)?;
        let hash_ok =
            hash.len() == HASH_HEX_LEN && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !hash_ok || !KINDS.iter().any(|(ext, _)| *ext == extension) {
            return Err(invalid());
        }
        Ok(BlobKey(key.to_owned()))
    }

    /// The key as text, e.g. for URLs and database columns.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the blob's bytes, in lowercase hex.
    pub fn sha256_hex(&self) -> &str {
        &self.0[..HASH_HEX_LEN]
    }

    /// The extension, without the dot: `jpg`, `png` or `webp`.
    pub fn extension(&self) -> &str {
        &self.0[HASH_HEX_LEN + 1..]
    }

    /// MIME type of the blob, from its extension.
    pub fn content_type(&self) -> &'static str {
        KINDS
            .iter()
            .find(|(ext, _)| *ext == self.extension())
            .map_or("application/octet-stream", |(_, ct)| ct)
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for BlobKey {
    type Err = MediaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BlobKey::parse(s)
    }
}

impl AsRef<str> for BlobKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A stored blob as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

/// Where photos are kept. Implementations must be content-addressed (the
/// key is [`BlobKey::for_content`]) so that putting the same bytes twice is
/// harmless, and must never expose a partly written blob.
///
/// Synchronous like the rest of our storage: call it from a blocking thread.
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` and returns their key; a no-op if they are already there.
    fn put(&self, bytes: &[u8], content_type: &str) -> Result<BlobKey, MediaError>;
    /// The blob under `key`, or `None` if there is none.
    fn get(&self, key: &BlobKey) -> Result<Option<Blob>, MediaError>;
}

/// Blobs as files under a directory, e.g. `<data dir>/photos`, laid out as
/// `ab/cd/abcd….jpg` so no directory grows past 65 536 entries per level.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// A store under `root`; directories are created as blobs are put.
    pub fn new(root: impl Into<PathBuf>) -> FileStore {
        FileStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob under `key` is (or would be) kept, for serving the
    /// file directly.
    pub fn path_of(&self, key: &BlobKey) -> PathBuf {
        let hash = key.sha256_hex();
        self.root.join(&hash[..2]).join(&hash[2..4]).join(key.as_str())
    }
}

impl BlobStore for FileStore {
    fn put(&self, bytes: &[u8], content_type: &str) -> Result<BlobKey, MediaError> {
        let key = BlobKey::for_content(bytes, content_type)?;
        let path = self.path_of(&key);
        if path.try_exists()? {
            return Ok(key);
        }
        let dir = path.parent().unwrap_or(&self.root);
        common::files::create_private_dir_all(dir)?;
        // Written beside its final place and renamed: a rename within one
        // directory is atomic, so readers see the whole blob or none, and a
        // crash leaves at most a stray `.partial-*` file (never a valid key).
        // Two writers racing on the same bytes both rename identical files.
        let mut builder = tempfile::Builder::new();
        builder.prefix(".partial-");
        // Temporary files are private (0600), and the blob stays so: the
        // server serves photos itself, nobody else on the machine reads them.
        let mut file = builder.tempfile_in(dir)?;
        file.write_all(bytes)?;
        // On disk before the rename makes it visible, so a power cut cannot
        // leave an empty file under a valid key.
        file.as_file().sync_all()?;
        file.persist(&path).map_err(|e| e.error)?;
        Ok(key)
    }

    fn get(&self, key: &BlobKey) -> Result<Option<Blob>, MediaError> {
        match std::fs::read(self.path_of(key)) {
            Ok(bytes) => Ok(Some(Blob { bytes, content_type: key.content_type() })),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_parts() {
        let key = BlobKey::for_content(b"abc", "image/jpeg");
        let Ok(key) = key else { panic!("{key:?}") };
        // SHA-256("abc") from FIPS 180-2.
        assert_eq!(key.sha256_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(key.extension(), "jpg");
        assert_eq!(key.content_type(), "image/jpeg");
        assert_eq!(BlobKey::parse(key.as_str()).ok(), Some(key.clone()));
        assert_eq!(key.to_string().parse::<BlobKey>().ok(), Some(key));
    }
}
