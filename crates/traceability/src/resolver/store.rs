//! What the scan page asks the database besides the lot: whether the lot's
//! produce can be bought on the market now.
//!
//! Reads the market's `listings` table through the shared schema (the
//! market crate depends on this one, not the other way round), with the
//! market's own meaning of "orderable": the listing is active and in stock
//! and its lot is not recalled.

use diesel::prelude::*;
use storage::schema::{listings, lots};
use storage::DbConnection;

use common::ids::LotId;
use common::ApiError;

/// The listing a buyer who scanned `lot` is sent to, if any listing of it
/// can be ordered now: the cheapest (the oldest among equals, so the link
/// does not change with every new listing). The market page has no filter
/// by lot, so the scan page links one listing, never a search.
pub fn orderable_listing(conn: &mut DbConnection, lot: &LotId) -> Result<Option<String>, ApiError> {
    Ok(listings::table
        .inner_join(lots::table)
        .filter(listings::lot_id.eq(lot.as_str()))
        .filter(listings::status.eq("active"))
        .filter(listings::quantity.gt(0))
        .filter(lots::status.ne("recalled"))
        .order((listings::price_vnd.asc(), listings::search_id.asc()))
        .select(listings::id)
        .first::<String>(conn)
        .optional()?)
}
