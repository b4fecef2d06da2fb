//! The lot's status (newest version, recalled) from the database, kept
//! in memory for a moment, and verification against the server's own data.

use diesel::prelude::*;
use serde_json::Value;
use storage::schema::lots;
use storage::DbConnection;

use super::{rules::verify_with, LotStatus, VerifyReport};
use crate::records::store::latest_version;
use crate::remembered::Remembered;
use crate::{credential, keys};
use common::ids::LotId;
use common::ApiError;

/// Newest version number and recall state of a lot, for verification.
pub fn lot_status(conn: &mut DbConnection, lot_id: &str) -> Result<Option<(i64, bool)>, ApiError> {
    let Some(lot_id) = LotId::parse(lot_id) else {
        return Ok(None);
    };
    let status: Option<String> = lots::table.find(&lot_id).select(lots::status).first(conn).optional()?;
    match status {
        None => Ok(None),
        Some(s) => Ok(Some((latest_version(conn, &lot_id)?, s == "recalled"))),
    }
}

/// Verifies a record against this server's trust list and the lot's status.
pub fn verify_in_db(
    conn: &mut storage::DbConnection,
    trust: &keys::TrustListCache,
    record: &Value,
) -> Result<VerifyReport, common::ApiError> {
    let list = trust.get(conn)?;
    let lot_status = match credential::facts(record).lot_id {
        Some(id) => lot_status(conn, &id)?,
        None => None,
    };
    Ok(verify_with(record, &list, lot_status))
}

/// Recent lot statuses (newest version, recalled), so that repeated
/// verifications of popular lots need no database round trip. Writes in
/// this process invalidate their lot at once; other processes' writes
/// (the command line) are seen within the time limit.
pub struct LotStatusCache {
    ttl: std::time::Duration,
    entries: std::sync::Mutex<std::collections::HashMap<String, Remembered<LotStatus>>>,
}

/// Bound on remembered lots; the map is simply cleared when full.
const LOT_STATUS_CAPACITY: usize = 50_000;

impl LotStatusCache {
    pub fn new(ttl: std::time::Duration) -> Self {
        LotStatusCache { ttl, entries: std::sync::Mutex::new(std::collections::HashMap::new()) }
    }

    /// `Some(status)` to answer with (the status itself may be `None`: the
    /// lot is unknown here), or `None` when this caller should read the
    /// status from the database and [`LotStatusCache::put`] it.
    pub fn peek(&self, lot_id: &str) -> Option<Option<(i64, bool)>> {
        self.entries.lock().ok()?.get_mut(lot_id)?.consult(self.ttl)
    }

    pub fn put(&self, lot_id: &str, status: Option<(i64, bool)>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= LOT_STATUS_CAPACITY {
                entries.clear();
            }
            entries.insert(lot_id.to_string(), Remembered::new(status));
        }
    }

    /// Forget a lot at once (after an event or a recall written here).
    pub fn invalidate(&self, lot_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(lot_id);
        }
    }
}
