//! The lots and events an FSMA 204 export covers.

use accounts::access::seller_scope;
use accounts::Actor;
use chrono::NaiveDate;
use diesel::prelude::*;
use storage::schema::{lot_events, lots, sellers};
use storage::DbConnection;

use super::fsma;
use crate::lots::store::{get_lot, load_events};
use crate::lots::TraceSettings;
use crate::LotEvent;
use common::ids::LotId;
use common::{ApiError, ErrorCode};

/// The most lots one FSMA 204 export covers; a wider request is refused
/// with advice to shorten the date range.
pub const FSMA_MAX_LOTS: i64 = 5_000;

/// Vietnam's offset: export dates are the officer's calendar days.
const VIETNAM_OFFSET_HOURS: i64 = 7;

/// Rows of the FSMA 204 spreadsheet for the critical tracking events that
/// happened from `from` to `to` (Vietnamese calendar days, both included)
/// in the lots the actor may see, sorted by time.
pub fn fsma_rows(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<[String; 22]>, ApiError> {
    if to < from {
        return Err(ApiError::invalid("to", "must not be before `from`"));
    }
    let scope = seller_scope(actor)?;
    let local_midnight_utc =
        |day: NaiveDate| day.and_time(chrono::NaiveTime::MIN) - chrono::Duration::hours(VIETNAM_OFFSET_HOURS);
    let start = local_midnight_utc(from);
    let end = local_midnight_utc(
        to.succ_opt().ok_or_else(|| ApiError::field(ErrorCode::OutOfRange, "to", "is out of range"))?,
    );
    let q = lot_events::table
        .inner_join(lots::table.inner_join(sellers::table))
        .filter(lot_events::occurred_at.ge(start))
        .filter(lot_events::occurred_at.lt(end))
        .select(lot_events::lot_id)
        .distinct()
        .into_boxed();
    let ids: Vec<LotId> = accounts::within_seller_scope!(q, &scope).limit(FSMA_MAX_LOTS + 1).load(conn)?;
    if ids.len() as i64 > FSMA_MAX_LOTS {
        return Err(ApiError::invalid(
            "from",
            format!("more than {FSMA_MAX_LOTS} lots have events in this range; choose a shorter one"),
        )
        .param("max", FSMA_MAX_LOTS));
    }
    let range = (common::rfc3339(start), common::rfc3339(end));
    let mut rows = Vec::new();
    for id in &ids {
        let lot = get_lot(conn, settings, id)?;
        let events: Vec<LotEvent> = load_events(conn, id)?;
        let fsma_lot = fsma::FsmaLot {
            gtin: &lot.gtin,
            lot_code: &lot.lot_code,
            product_name: &lot.product_name,
            quantity: &lot.quantity,
            unit: &lot.unit,
            harvested_on: &lot.harvested_on,
            farm_name: &lot.farm_name,
            commune_code: &lot.commune_code,
            commune_name: &lot.commune_name,
            province_name: &lot.province_name,
            producer_name: &lot.producer_name,
            status: &lot.status,
            digital_link: &lot.digital_link,
        };
        // Every event feeds the variety carried from harvest; only those in
        // the range are written.
        // (Rows hold RFC 3339 UTC times of one format: text order is time order.)
        let in_range = |row: &[String; 22]| row[0] >= range.0 && row[0] < range.1;
        rows.extend(fsma::rows(&fsma_lot, &events).into_iter().filter(in_range));
    }
    fsma::sort_rows(&mut rows);
    Ok(rows)
}
