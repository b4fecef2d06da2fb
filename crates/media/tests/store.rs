//! `BlobKey` parsing and the file store.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use media::{BlobKey, BlobStore, FileStore, MediaError};
use sha2::{Digest, Sha256};

const HASH: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn put_then_get_round_trips_under_the_content_hash() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("photos"));
    let bytes = b"\xFF\xD8\xFF not really a jpeg, the store does not care".to_vec();

    let key = store.put(&bytes, "image/jpeg").unwrap();
    let hash = hex::encode(Sha256::digest(&bytes));
    assert_eq!(key.as_str(), format!("{hash}.jpg"));
    assert_eq!(key.sha256_hex(), hash);
    assert_eq!(
        store.path_of(&key),
        dir.path().join("photos").join(&hash[..2]).join(&hash[2..4]).join(format!("{hash}.jpg"))
    );
    assert_eq!(files_under(store.root()), vec![store.path_of(&key)]);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.path_of(&key)).unwrap().permissions().mode();
        // owner-only: the server serves photos itself, nobody else reads them
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    let blob = store.get(&key).unwrap().unwrap();
    assert_eq!(blob.bytes, bytes);
    assert_eq!(blob.content_type, "image/jpeg");
}

#[test]
fn get_of_a_missing_key_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    assert_eq!(store.get(&BlobKey::parse(&format!("{HASH}.jpg")).unwrap()).unwrap(), None);
}

#[test]
fn putting_the_same_bytes_twice_keeps_one_file_and_renews_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let first = store.put(b"photo", "image/jpeg").unwrap();
    let path = store.path_of(&first);
    let written = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));

    let second = store.put(b"photo", "image/jpeg").unwrap();
    assert_eq!(first, second);
    // The sweep of unused photos must see it as wanted again.
    assert!(std::fs::metadata(&path).unwrap().modified().unwrap() > written, "time renewed");
    assert_eq!(store.modified(&first).unwrap(), Some(std::fs::metadata(&path).unwrap().modified().unwrap()));
    assert_eq!(std::fs::read(&path).unwrap(), b"photo");
    assert_eq!(files_under(dir.path()), vec![path]);

    // Same bytes, other type: another key, since the key says the type.
    let png = store.put(b"photo", "image/png").unwrap();
    assert_eq!(png.sha256_hex(), first.sha256_hex());
    assert_eq!(png.extension(), "png");
}

#[test]
fn concurrent_puts_of_the_same_bytes_agree() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FileStore::new(dir.path()));
    let bytes: Arc<Vec<u8>> = Arc::new((0..200_000u32).map(|i| (i % 251) as u8).collect());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (store, bytes) = (Arc::clone(&store), Arc::clone(&bytes));
            std::thread::spawn(move || store.put(&bytes, "image/jpeg").unwrap())
        })
        .collect();
    let keys: Vec<BlobKey> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(keys.windows(2).all(|k| k[0] == k[1]));
    // One file, whole, and no temporary file left behind.
    assert_eq!(files_under(dir.path()), vec![store.path_of(&keys[0])]);
    assert_eq!(store.get(&keys[0]).unwrap().unwrap().bytes, *bytes);
}

#[test]
fn refuses_content_types_it_does_not_keep() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let err = store.put(b"<svg/>", "image/svg+xml").unwrap_err();
    assert!(matches!(err, MediaError::UnsupportedContentType { .. }), "{err:?}");
    assert!(files_under(dir.path()).is_empty());
}

#[test]
fn store_is_usable_as_a_trait_object() {
    let dir = tempfile::tempdir().unwrap();
    let store: Box<dyn BlobStore> = Box::new(FileStore::new(dir.path()));
    let key = store.put(b"x", "image/webp").unwrap();
    assert_eq!(store.get(&key).unwrap().unwrap().content_type, "image/webp");
}

#[test]
fn parse_accepts_exactly_hash_dot_known_extension() {
    for ext in ["jpg", "png", "webp"] {
        let key = BlobKey::parse(&format!("{HASH}.{ext}")).unwrap();
        assert_eq!(key.extension(), ext);
        assert_eq!(key.to_string(), format!("{HASH}.{ext}"));
    }
    let upper = HASH.to_uppercase();
    let refused = [
        String::new(),
        "../x".to_owned(),
        format!("../{HASH}.jpg"),
        format!("../../{}.jpg", &HASH[..58]),
        format!("ba/78/{HASH}.jpg"),
        format!("{HASH}.jpg/../../etc/passwd"),
        format!("{HASH}/.jpg"),
        format!("{upper}.jpg"),
        format!("{}.jpg", &HASH[..63]),
        format!("{HASH}0.jpg"),
        format!("{}g.jpg", &HASH[..63]),
        format!("{HASH}.JPG"),
        format!("{HASH}.jpeg"),
        format!("{HASH}.gif"),
        format!("{HASH}.html"),
        format!("{HASH}.jpg.png"),
        format!("{HASH}."),
        HASH.to_owned(),
        format!(" {HASH}.jpg"),
        format!("{HASH}.jpg\0"),
        format!("{HASH}.jpg%2f"),
        // 64 bytes but not 64 hex digits.
        format!("{}é.jpg", &HASH[..62]),
    ];
    for key in refused {
        let err = BlobKey::parse(&key).unwrap_err();
        assert!(matches!(err, MediaError::InvalidBlobKey { .. }), "{key:?}: {err:?}");
        assert_eq!(err.code(), "invalid_photo_key");
    }
}

#[test]
fn list_names_only_blobs_and_delete_forgets_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let a = store.put(b"one", "image/jpeg").unwrap();
    let b = store.put(b"two", "image/png").unwrap();
    // what a crash leaves, and a stray file: not blobs
    std::fs::write(store.path_of(&a).with_file_name(".partial-x1"), b"half").unwrap();
    std::fs::write(dir.path().join("README"), b"not a blob").unwrap();

    let mut listed = Vec::new();
    store
        .list(&mut |batch| {
            listed.extend(batch.into_iter().map(|blob| blob.key));
            Ok(())
        })
        .unwrap();
    listed.sort();
    let mut expected = vec![a.clone(), b.clone()];
    expected.sort();
    assert_eq!(listed, expected);

    store.delete(&a).unwrap();
    store.delete(&a).unwrap(); // absent: not an error
    assert_eq!(store.get(&a).unwrap(), None);
    assert_eq!(store.modified(&a).unwrap(), None);
    assert!(store.get(&b).unwrap().is_some());
    // an empty or missing store lists nothing
    let empty = FileStore::new(dir.path().join("none"));
    empty.list(&mut |_| panic!("nothing to list")).unwrap();
}
