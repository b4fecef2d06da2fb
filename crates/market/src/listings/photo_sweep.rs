//! Removing photos no listing shows any more.
//!
//! Blobs are content-addressed and shared (the same photo on two listings is
//! one blob), so taking a photo off a listing or deleting the listing only
//! removes the database rows; the blobs go in a sweep that lists the store
//! and removes each blob that no photo row names. A sweep is safe to run on
//! several servers at once and to interrupt: every step is idempotent.
//!
//! An upload puts its blobs before the listing names them, so a sweep
//! leaves alone every blob put within a grace period (putting a blob that
//! is already there renews its time, see `media::BlobStore::put`). Each
//! blob is checked again just before it goes, time first and rows second;
//! what remains is a window of milliseconds in which the same photo would
//! have to be uploaded again and attached, which then shows as a missing
//! image until it is uploaded once more.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use diesel::prelude::*;
use serde::Serialize;
use storage::schema::listing_photos;
use storage::DbConnection;

use common::ApiError;
use media::{BlobKey, BlobStore, StoredBlob};

/// A day. An upload needs seconds between storing its blobs and naming
/// them; the rest is room for clocks that disagree (the store's times are
/// its own) and for offline phones whose queued uploads arrive late.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(24 * 3600);

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// Blobs in the store.
    pub examined: u64,
    /// Blobs removed: no listing named them and they were older than the grace.
    pub removed: u64,
    /// Blobs no listing names yet but put within the grace period.
    pub kept_recent: u64,
}

/// Whether a blob may be removed: no photo row names it and it was last
/// put more than `grace` before `now`. A time in the future (a clock set
/// wrong somewhere) counts as recent.
pub fn may_remove(modified: SystemTime, now: SystemTime, grace: Duration, referenced: bool) -> bool {
    !referenced && now.duration_since(modified).is_ok_and(|age| age > grace)
}

/// The keys among `keys` that some photo row names (as its large image or
/// its thumbnail).
fn referenced(conn: &mut DbConnection, keys: &[&str]) -> Result<HashSet<String>, ApiError> {
    let mut found: HashSet<String> = listing_photos::table
        .filter(listing_photos::large_key.eq_any(keys))
        .select(listing_photos::large_key)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    found.extend(
        listing_photos::table
            .filter(listing_photos::thumbnail_key.eq_any(keys))
            .select(listing_photos::thumbnail_key)
            .load::<String>(conn)?,
    );
    Ok(found)
}

/// Lists the store and removes the blobs no listing names, put more than
/// `grace` ago. Blocking: run it on a thread that may block. A connection
/// is taken per batch, never held while the store is listed.
pub fn sweep_orphans(
    pool: &storage::Pool,
    store: &dyn BlobStore,
    grace: Duration,
) -> Result<SweepReport, ApiError> {
    let mut report = SweepReport::default();
    let mut batch_error: Option<ApiError> = None;
    let listed = store.list(&mut |batch: Vec<StoredBlob>| {
        match sweep_batch(pool, store, grace, &batch, &mut report) {
            Ok(()) => Ok(()),
            Err(e) => {
                batch_error = Some(e);
                // Stops the listing; the error itself is reported below.
                Err(media::MediaError::StoreUnavailable { reason: "sweep stopped".into() })
            }
        }
    });
    if let Some(e) = batch_error {
        return Err(e);
    }
    listed?;
    Ok(report)
}

fn sweep_batch(
    pool: &storage::Pool,
    store: &dyn BlobStore,
    grace: Duration,
    batch: &[StoredBlob],
    report: &mut SweepReport,
) -> Result<(), ApiError> {
    report.examined += batch.len() as u64;
    let mut conn = pool.get()?;
    let keys: Vec<&str> = batch.iter().map(|b| b.key.as_str()).collect();
    let named = referenced(&mut conn, &keys)?;
    let now = SystemTime::now();
    for blob in batch {
        let is_named = named.contains(blob.key.as_str());
        if is_named {
            continue;
        }
        if !may_remove(blob.modified, now, grace, false) {
            report.kept_recent += 1;
            continue;
        }
        if remove_if_still_orphan(&mut conn, store, grace, &blob.key)? {
            report.removed += 1;
        }
    }
    Ok(())
}

/// Looks again, just before removing: put again since the listing (time),
/// or named by a photo attached since (rows), and it stays.
fn remove_if_still_orphan(
    conn: &mut DbConnection,
    store: &dyn BlobStore,
    grace: Duration,
    key: &BlobKey,
) -> Result<bool, ApiError> {
    let Some(modified) = store.modified(key)? else {
        return Ok(false); // another sweep took it
    };
    let named = !referenced(conn, &[key.as_str()])?.is_empty();
    if !may_remove(modified, SystemTime::now(), grace, named) {
        return Ok(false);
    }
    store.delete(key)?;
    tracing::info!(key = key.as_str(), "removed a photo no listing shows");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_unnamed_blobs_go() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let hour = Duration::from_secs(3600);
        assert!(may_remove(now - 2 * hour, now, hour, false));
        assert!(!may_remove(now - 2 * hour, now, hour, true), "named by a listing");
        assert!(!may_remove(now - hour / 2, now, hour, false), "within the grace period");
        assert!(!may_remove(now - hour, now, hour, false), "exactly the grace period is still recent");
        assert!(!may_remove(now + hour, now, hour, false), "a time in the future counts as recent");
        assert!(may_remove(now - Duration::from_secs(1), now, Duration::ZERO, false));
    }
}
