//! Blobs in any S3-compatible object store (Garage, MinIO, Ceph, AWS…),
//! so that several servers share one set of photos.
//!
//! The store is reached through the `object_store` crate, configured by the
//! standard `AWS_*` variables (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`), and addressed
//! as `s3://BUCKET` or `s3://BUCKET/PREFIX`. Keys are kept flat under the
//! prefix (`PREFIX/<sha256>.jpg`): object stores need no fan-out folders.
//!
//! `object_store` is asynchronous and our storage traits are synchronous
//! (they run on blocking threads), so the store owns a small runtime of its
//! own and waits on it; each call has a deadline, so a store that hangs
//! gives [`MediaError::StoreUnavailable`] in seconds instead of holding an
//! upload for minutes.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{BackoffConfig, ClientConfigKey, ObjectStore, PutPayload, RetryConfig};

use crate::store::{Blob, BlobKey, BlobStore, StoredBlob};
use crate::MediaError;

/// How long one call to the store may take, retries included. An upload
/// waits for two puts, so a farmer hears "try again later" in under half a
/// minute when the store is down.
const CALL_DEADLINE: Duration = Duration::from_secs(10);

/// Blobs listed per batch handed to the caller of [`BlobStore::list`].
const LIST_BATCH: usize = 500;

/// An S3 bucket (and optional prefix) holding blobs.
pub struct S3Store {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    runtime: tokio::runtime::Runtime,
    description: String,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Store").field("at", &self.description).finish()
    }
}

/// `s3://BUCKET[/PREFIX]` split into bucket and prefix.
pub fn parse_s3_url(url: &str) -> Result<(String, String), String> {
    let rest = url.strip_prefix("s3://").ok_or_else(|| format!("`{url}` does not start with s3://"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.'));
    if !bucket_ok {
        return Err(format!("`{bucket}` is not an S3 bucket name (3–63 of a–z, 0–9, - and .)"));
    }
    let prefix = prefix.trim_matches('/');
    if prefix.split('/').any(|part| part == "." || part == "..") {
        return Err(format!("`{prefix}` is not a usable prefix"));
    }
    Ok((bucket.to_owned(), prefix.to_owned()))
}

impl S3Store {
    /// The store at `url` (`s3://BUCKET[/PREFIX]`), with endpoint and
    /// credentials from the `AWS_*` environment variables, then `settings`
    /// (`object_store`'s names: `aws_endpoint`, `aws_access_key_id`,
    /// `aws_allow_http`…), which win. Nothing is asked of the store yet: see
    /// [`S3Store::check`].
    pub fn open(url: &str, settings: &[(String, String)]) -> Result<S3Store, MediaError> {
        let (bucket, prefix) = parse_s3_url(url).map_err(|reason| MediaError::StoreUnavailable { reason })?;
        let mut builder = AmazonS3Builder::from_env();
        for (name, value) in settings {
            let key: AmazonS3ConfigKey = name
                .parse()
                .map_err(|e: object_store::Error| MediaError::StoreUnavailable { reason: e.to_string() })?;
            builder = builder.with_config(key, value);
        }
        let store = builder
            .with_bucket_name(&bucket)
            // A store that is down must fail fast: a few quick retries for
            // a dropped connection, never the default three minutes.
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(100),
                    max_backoff: Duration::from_secs(1),
                    base: 2.0,
                },
                max_retries: 3,
                retry_timeout: Duration::from_secs(8),
            })
            .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout), "2s")
            .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "8s")
            .build()
            .map_err(|e| MediaError::StoreUnavailable { reason: e.to_string() })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("photo-store")
            .enable_all()
            .build()
            .map_err(MediaError::Io)?;
        Ok(S3Store {
            store: Arc::new(store),
            prefix: Path::from(prefix.as_str()),
            runtime,
            description: url.to_owned(),
        })
    }

    /// Asks the store for one listing entry, to fail at start, not at the
    /// first upload, when the bucket or the credentials are wrong.
    pub fn check(&self) -> Result<(), MediaError> {
        let store = self.store.clone();
        let prefix = self.prefix.clone();
        self.wait(async move {
            let mut entries = store.list(Some(&prefix));
            match entries.next().await {
                Some(Err(e)) => Err(e),
                _ => Ok(()),
            }
        })
    }

    fn location(&self, key: &BlobKey) -> Path {
        self.prefix.child(key.as_str())
    }

    /// Runs `work` on the store's runtime and waits for it, at most
    /// [`CALL_DEADLINE`]. Callable from any thread that may block.
    fn wait<T: Send + 'static>(
        &self,
        work: impl Future<Output = object_store::Result<T>> + Send + 'static,
    ) -> Result<T, MediaError> {
        let (answer, answered) = std::sync::mpsc::sync_channel(1);
        self.runtime.spawn(async move {
            let outcome = tokio::time::timeout(CALL_DEADLINE, work).await;
            // The caller is gone only if its thread panicked: nothing to tell.
            let _ = answer.send(outcome);
        });
        match answered.recv() {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(e))) => Err(unavailable(&e)),
            Ok(Err(_elapsed)) => Err(MediaError::StoreUnavailable {
                reason: format!("no answer within {} s", CALL_DEADLINE.as_secs()),
            }),
            Err(_) => Err(MediaError::StoreUnavailable { reason: "the store's runtime stopped".into() }),
        }
    }
}

fn unavailable(e: &object_store::Error) -> MediaError {
    MediaError::StoreUnavailable { reason: e.to_string() }
}

impl BlobStore for S3Store {
    fn put(&self, bytes: &[u8], content_type: &str) -> Result<BlobKey, MediaError> {
        let key = BlobKey::for_content(bytes, content_type)?;
        let (store, location) = (self.store.clone(), self.location(&key));
        // Always written, even when the key exists: same bytes, and the new
        // modification time tells the orphan sweep the blob is wanted again.
        // An S3 PUT is atomic: readers see the old object or the new one.
        let payload = PutPayload::from(bytes.to_vec());
        self.wait(async move { store.put(&location, payload).await })?;
        Ok(key)
    }

    fn get(&self, key: &BlobKey) -> Result<Option<Blob>, MediaError> {
        let (store, location) = (self.store.clone(), self.location(key));
        let bytes = self.wait(async move {
            match store.get(&location).await {
                Ok(found) => found.bytes().await.map(Some),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })?;
        Ok(bytes.map(|b| Blob { bytes: b.to_vec(), content_type: key.content_type() }))
    }

    fn delete(&self, key: &BlobKey) -> Result<(), MediaError> {
        let (store, location) = (self.store.clone(), self.location(key));
        self.wait(async move {
            match store.delete(&location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(e),
            }
        })
    }

    fn modified(&self, key: &BlobKey) -> Result<Option<SystemTime>, MediaError> {
        let (store, location) = (self.store.clone(), self.location(key));
        self.wait(async move {
            match store.head(&location).await {
                Ok(meta) => Ok(Some(SystemTime::from(meta.last_modified))),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })
    }

    fn list(
        &self,
        visit: &mut dyn FnMut(Vec<StoredBlob>) -> Result<(), MediaError>,
    ) -> Result<(), MediaError> {
        // The listing is driven on the store's runtime and handed over in
        // batches, so a bucket of millions of photos is never held at once.
        let (batches, mut received) = tokio::sync::mpsc::channel::<Result<Vec<StoredBlob>, MediaError>>(2);
        let (store, prefix) = (self.store.clone(), self.prefix.clone());
        self.runtime.spawn(async move {
            let mut entries = store.list(Some(&prefix));
            let mut batch = Vec::with_capacity(LIST_BATCH);
            loop {
                let next = tokio::time::timeout(CALL_DEADLINE, entries.next()).await;
                let entry = match next {
                    Ok(Some(Ok(meta))) => meta,
                    Ok(None) => break,
                    Ok(Some(Err(e))) => {
                        let _ = batches.send(Err(unavailable(&e))).await;
                        return;
                    }
                    Err(_) => {
                        let reason = "the listing stopped answering".to_owned();
                        let _ = batches.send(Err(MediaError::StoreUnavailable { reason })).await;
                        return;
                    }
                };
                // Only our own blobs, directly under the prefix; anything
                // else in the bucket is not ours to judge.
                let ours = entry.location.prefix_match(&prefix).and_then(|mut parts| {
                    let name = parts.next()?;
                    parts.next().is_none().then(|| BlobKey::parse(name.as_ref()).ok()).flatten()
                });
                if let Some(key) = ours {
                    batch.push(StoredBlob { key, modified: SystemTime::from(entry.last_modified) });
                }
                if batch.len() == LIST_BATCH
                    && batches
                        .send(Ok(std::mem::replace(&mut batch, Vec::with_capacity(LIST_BATCH))))
                        .await
                        .is_err()
                {
                    return; // the caller stopped listening
                }
            }
            if !batch.is_empty() {
                let _ = batches.send(Ok(batch)).await;
            }
        });
        while let Some(batch) = received.blocking_recv() {
            visit(batch?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_s3_url;

    #[test]
    fn urls() {
        assert_eq!(parse_s3_url("s3://photos"), Ok(("photos".into(), "".into())));
        assert_eq!(parse_s3_url("s3://photos/nongsan/a/"), Ok(("photos".into(), "nongsan/a".into())));
        assert!(parse_s3_url("file://photos").is_err());
        assert!(parse_s3_url("s3://Photos").is_err());
        assert!(parse_s3_url("s3://ph").is_err());
        assert!(parse_s3_url("s3://photos/../x").is_err());
    }
}
