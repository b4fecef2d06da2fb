//! Listing photos: records of the resized images kept in the photo store.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use storage::schema::listing_photos;
use storage::DbConnection;
use utoipa::ToSchema;

use crate::MarketError;

/// At most this many photos per listing: enough to show the produce, few
/// enough for a listing page to load over 3G.
pub const MAX_PHOTOS: i64 = 8;

/// Where photos are served from; keys are content hashes, so the URLs
/// never change meaning and may be cached for ever.
pub const MEDIA_PATH: &str = "/media";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoView {
    pub id: String,
    /// The photo, at most 1280 px on its longest side (JPEG).
    pub url: String,
    pub width: i32,
    pub height: i32,
    /// At most 320 px on its longest side, for lists.
    pub thumbnail_url: String,
    pub thumbnail_width: i32,
    pub thumbnail_height: i32,
}

pub fn media_url(key: &str) -> String {
    format!("{MEDIA_PATH}/{key}")
}

type PhotoRow = (String, String, String, i32, i32, String, i32, i32);

/// The photos of each listing, cover first.
pub fn for_listings(
    conn: &mut DbConnection,
    listing_ids: &[String],
) -> Result<HashMap<String, Vec<PhotoView>>, MarketError> {
    let rows: Vec<PhotoRow> = listing_photos::table
        .filter(listing_photos::listing_id.eq_any(listing_ids))
        .order((listing_photos::listing_id, listing_photos::position, listing_photos::created_at))
        .select((
            listing_photos::listing_id,
            listing_photos::id,
            listing_photos::large_key,
            listing_photos::large_width,
            listing_photos::large_height,
            listing_photos::thumbnail_key,
            listing_photos::thumbnail_width,
            listing_photos::thumbnail_height,
        ))
        .load(conn)?;
    let mut map: HashMap<String, Vec<PhotoView>> = HashMap::new();
    for (listing_id, id, large, w, h, thumb, tw, th) in rows {
        map.entry(listing_id).or_default().push(PhotoView {
            id,
            url: media_url(&large),
            width: w,
            height: h,
            thumbnail_url: media_url(&thumb),
            thumbnail_width: tw,
            thumbnail_height: th,
        });
    }
    Ok(map)
}
