//! Listing photos: records of the resized images kept in the photo store.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use storage::schema::listing_photos;
use storage::DbConnection;
use utoipa::ToSchema;

use common::{ApiError, ListingId, PhotoId};

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
) -> Result<HashMap<String, Vec<PhotoView>>, ApiError> {
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

/// A photo processed and stored, waiting to be attached to its listing.
pub struct StoredPhoto {
    pub large: media::BlobKey,
    pub large_size: (u32, u32),
    pub thumbnail: media::BlobKey,
    pub thumbnail_size: (u32, u32),
}

/// Resizes, re-encodes (dropping all metadata) and stores one upload.
/// CPU-heavy and blocking: run it on a blocking thread.
pub fn process_and_store(bytes: &[u8], store: &dyn media::BlobStore) -> Result<StoredPhoto, ApiError> {
    let photo = media::process_photo(bytes, &media::PhotoLimits::default())?;
    let large = store.put(&photo.large.bytes, photo.large.content_type)?;
    let thumbnail = store.put(&photo.thumbnail.bytes, photo.thumbnail.content_type)?;
    Ok(StoredPhoto {
        large,
        large_size: (photo.large.width, photo.large.height),
        thumbnail,
        thumbnail_size: (photo.thumbnail.width, photo.thumbnail.height),
    })
}

/// A stored photo's name as a path carries it (`<sha256>.<extension>`);
/// anything else fails in the path extractor, which answers 404.
pub struct PhotoKey(pub media::BlobKey);

impl<'de> serde::Deserialize<'de> for PhotoKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        media::BlobKey::parse(&text).map(PhotoKey).map_err(serde::de::Error::custom)
    }
}

/// Photos a listing can still take, after checking `actor` may change it.
pub fn free_slots(
    conn: &mut DbConnection,
    actor: &accounts::Actor,
    listing_id: &ListingId,
) -> Result<i64, ApiError> {
    actor.require(&[accounts::Role::Farmer, accounts::Role::Staff, accounts::Role::Admin])?;
    super::store::check_may_change(conn, actor, listing_id)?;
    Ok(MAX_PHOTOS - count(conn, listing_id)?)
}

fn count(conn: &mut DbConnection, listing_id: &ListingId) -> Result<i64, ApiError> {
    Ok(listing_photos::table.filter(listing_photos::listing_id.eq(listing_id)).count().get_result(conn)?)
}

fn to_i32(n: u32) -> i32 {
    // sides are at most 1280 px
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Attaches stored photos to a listing, after the ones it has.
pub fn attach(
    conn: &mut DbConnection,
    actor: &accounts::Actor,
    listing_id: &ListingId,
    photos: &[StoredPhoto],
) -> Result<(), ApiError> {
    storage::write_transaction(conn, |conn| {
        let (seller, _) = super::store::lock_for_change(conn, actor, listing_id)?;
        let existing = count(conn, listing_id)?;
        if existing + photos.len() as i64 > MAX_PHOTOS {
            return Err(media::MediaError::TooManyPhotos { max: MAX_PHOTOS as usize }.into());
        }
        let last: Option<i32> = listing_photos::table
            .filter(listing_photos::listing_id.eq(listing_id))
            .select(diesel::dsl::max(listing_photos::position))
            .first(conn)?;
        let now = storage::now();
        for (i, p) in photos.iter().enumerate() {
            let id = storage::new_id();
            diesel::insert_into(listing_photos::table)
                .values((
                    listing_photos::id.eq(&id),
                    listing_photos::listing_id.eq(listing_id),
                    listing_photos::position.eq(last.unwrap_or(0) + 1 + i as i32),
                    listing_photos::large_key.eq(p.large.as_str()),
                    listing_photos::large_width.eq(to_i32(p.large_size.0)),
                    listing_photos::large_height.eq(to_i32(p.large_size.1)),
                    listing_photos::thumbnail_key.eq(p.thumbnail.as_str()),
                    listing_photos::thumbnail_width.eq(to_i32(p.thumbnail_size.0)),
                    listing_photos::thumbnail_height.eq(to_i32(p.thumbnail_size.1)),
                    listing_photos::created_by.eq(&actor.user_id),
                    listing_photos::created_at.eq(now),
                ))
                .execute(conn)?;
            accounts::audit::record(
                conn,
                actor,
                super::store::acting_for(actor, &seller),
                "listing.photo.add",
                "listing_photo",
                &id,
            )?;
        }
        diesel::update(storage::schema::listings::table.find(listing_id))
            .set(storage::schema::listings::updated_at.eq(now))
            .execute(conn)?;
        Ok(())
    })
}

/// Takes a photo off a listing. The stored image stays for now: identical
/// photos share one blob, so it may still be in use elsewhere;
/// [`super::photo_sweep`] removes it once nothing names it.
pub fn detach(
    conn: &mut DbConnection,
    actor: &accounts::Actor,
    listing_id: &ListingId,
    photo_id: &PhotoId,
) -> Result<(), ApiError> {
    actor.require(&[accounts::Role::Farmer, accounts::Role::Staff, accounts::Role::Admin])?;
    storage::write_transaction(conn, |conn| {
        let (seller, _) = super::store::lock_for_change(conn, actor, listing_id)?;
        let removed = diesel::delete(
            listing_photos::table
                .filter(listing_photos::id.eq(photo_id))
                .filter(listing_photos::listing_id.eq(listing_id)),
        )
        .execute(conn)?;
        if removed == 0 {
            return Err(ApiError::not_found("photo"));
        }
        accounts::audit::record(
            conn,
            actor,
            super::store::acting_for(actor, &seller),
            "listing.photo.remove",
            "listing_photo",
            photo_id.as_str(),
        )?;
        Ok(())
    })
}
