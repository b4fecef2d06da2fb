//! Content-addressed blob storage: the key of a blob is the SHA-256 of its
//! bytes, so a stored blob never changes, the same photo uploaded twice is
//! kept once, and URLs made from keys can be cached forever.

use std::fmt;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::SystemTime;

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

/// A blob as a listing of the store shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub key: BlobKey,
    /// When it was last put: the orphan sweep leaves recent blobs alone,
    /// since an upload stores its blobs before its listing refers to them.
    pub modified: SystemTime,
}

/// Where photos are kept. Implementations must be content-addressed (the
/// key is [`BlobKey::for_content`]) so that putting the same bytes twice is
/// harmless, and must never expose a partly written blob.
///
/// Synchronous like the rest of our storage: call it from a blocking thread.
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` and returns their key. Putting bytes that are already
    /// there keeps them and makes their modification time now.
    fn put(&self, bytes: &[u8], content_type: &str) -> Result<BlobKey, MediaError>;
    /// The blob under `key`, or `None` if there is none.
    fn get(&self, key: &BlobKey) -> Result<Option<Blob>, MediaError>;
    /// Removes the blob under `key`; removing an absent blob is not an error.
    fn delete(&self, key: &BlobKey) -> Result<(), MediaError>;
    /// When the blob under `key` was last put, or `None` if there is none.
    fn modified(&self, key: &BlobKey) -> Result<Option<SystemTime>, MediaError>;
    /// Every blob in the store, handed to `visit` in batches (in no
    /// particular order); an error from `visit` stops the listing.
    fn list(
        &self,
        visit: &mut dyn FnMut(Vec<StoredBlob>) -> Result<(), MediaError>,
    ) -> Result<(), MediaError>;
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
            // Already there: only say it is wanted again (see `StoredBlob`).
            match std::fs::File::options().append(true).open(&path) {
                Ok(file) => file.set_modified(SystemTime::now())?,
                Err(e) if e.kind() == ErrorKind::NotFound => {} // swept meanwhile: write it below
                Err(e) => return Err(e.into()),
            }
            if path.try_exists()? {
                return Ok(key);
            }
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

    fn delete(&self, key: &BlobKey) -> Result<(), MediaError> {
        match std::fs::remove_file(self.path_of(key)) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    fn modified(&self, key: &BlobKey) -> Result<Option<SystemTime>, MediaError> {
        match std::fs::metadata(self.path_of(key)) {
            Ok(meta) => Ok(Some(meta.modified()?)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn list(
        &self,
        visit: &mut dyn FnMut(Vec<StoredBlob>) -> Result<(), MediaError>,
    ) -> Result<(), MediaError> {
        // The layout is `ab/cd/<key>`: one folder level per two hex digits.
        // Anything else under the root (a `.partial-*` file a crash left, a
        // stray file) is not a blob and is not listed.
        for first in sorted_entries(&self.root)? {
            for second in sorted_entries(&first)? {
                let mut batch = Vec::new();
                for file in sorted_entries(&second)? {
                    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                    let Ok(key) = BlobKey::parse(name) else { continue };
                    if file != self.path_of(&key) {
                        continue;
                    }
                    match std::fs::metadata(&file) {
                        Ok(meta) => batch.push(StoredBlob { key, modified: meta.modified()? }),
                        Err(e) if e.kind() == ErrorKind::NotFound => {} // deleted meanwhile
                        Err(e) => return Err(e.into()),
                    }
                }
                if !batch.is_empty() {
                    visit(batch)?;
                }
            }
        }
        Ok(())
    }
}

/// The entries of a folder, sorted; none if it does not exist (yet).
fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, MediaError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound || e.kind() == ErrorKind::NotADirectory => {
            return Ok(Vec::new())
        }
        Err(e) => return Err(e.into()),
    };
    let mut paths = entries.map(|e| e.map(|e| e.path())).collect::<Result<Vec<_>, _>>()?;
    paths.sort();
    Ok(paths)
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
