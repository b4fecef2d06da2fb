//! HTTP routes of listings and their search.

use accounts::Actor;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use traceability::lots::TraceSettings;
use utoipa::{IntoParams, ToSchema};

use super::rules::{self, RawSearch, SearchQuery, SortOrder};
use super::{photos, search, store, LinkBase, ListingChanges, ListingView, NewListing};
use common::{ApiError, ErrorCode, ListingId, PhotoId, SellerId};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/listings", web::post().to(create_listing))
        .route("/api/v1/listings", web::get().to(search_listings))
        .route("/api/v1/listings/{id}", web::get().to(get_listing))
        .route("/api/v1/listings/{id}", web::patch().to(update_listing))
        .route("/api/v1/listings/{id}", web::delete().to(delete_listing))
        .route("/api/v1/sellers/{id}/listings", web::get().to(seller_listings))
        .route("/api/v1/listings/{id}/photos", web::post().to(upload_photos))
        .route("/api/v1/listings/{id}/photos/{photo_id}", web::delete().to(delete_photo))
        .route("/media/{key}", web::get().to(get_media));
}

fn links(settings: &TraceSettings) -> LinkBase {
    LinkBase { public_url: settings.public_url.clone() }
}

#[utoipa::path(post, path = "/api/v1/listings", tag = "listings", security(("bearer" = [])),
    request_body = NewListing,
    responses((status = 201, body = ListingView),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "the lot is recalled", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn create_listing(
    pool: web::Data<storage::Pool>,
    settings: web::Data<TraceSettings>,
    actor: Actor,
    body: web::Json<NewListing>,
) -> Result<HttpResponse, ApiError> {
    let links = links(&settings);
    let view = pool.run(move |c| store::create(c, &links, &actor, &body.into_inner())).await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find, typed any way: `che shan tuyet` finds `Chè Shan
    /// tuyết`. Every word must match, at the start of a word.
    q: Option<String>,
    /// 2-digit province code.
    province: Option<String>,
    /// 5-digit commune code.
    commune: Option<String>,
    /// Category code.
    category: Option<String>,
    /// Seller id.
    seller: Option<String>,
    /// Lowest price per unit, in đồng.
    min_price: Option<i64>,
    /// Highest price per unit, in đồng.
    max_price: Option<i64>,
    /// `relevance` (default), `newest`, `price_asc` or `price_desc`.
    #[param(value_type = Option<String>)]
    sort: Option<SortOrder>,
    /// 1 to 100, default 20.
    limit: Option<i64>,
    /// 0 to 10000, default 0.
    offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ListingPage {
    items: Vec<ListingView>,
    /// How many listings match: exact up to 1,000 (or up to the end of the
    /// page asked for, when further); past that, `total` is that bound and
    /// `total_is_lower_bound` is true: more than `total` listings match.
    total: i64,
    /// True when more than `total` listings match (the count stopped).
    total_is_lower_bound: bool,
    limit: i64,
    offset: i64,
}

/// Listings a buyer can order now: active, in stock, not from a recalled lot.
#[utoipa::path(get, path = "/api/v1/listings", tag = "listings", params(SearchParams),
    responses((status = 200, body = ListingPage), (status = 400, body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn search_listings(
    pool: web::Data<storage::Pool>,
    settings: web::Data<TraceSettings>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let query = SearchQuery::parse(&RawSearch {
        q: p.q.as_deref(),
        province: p.province.as_deref(),
        commune: p.commune.as_deref(),
        category: p.category.as_deref(),
        seller: p.seller.as_deref(),
        min_price: p.min_price,
        max_price: p.max_price,
        sort: p.sort,
        limit: p.limit,
        offset: p.offset,
    })?;
    let links = links(&settings);
    let (limit, offset) = (query.limit, query.offset);
    let (items, total, total_is_lower_bound) = pool
        .run(move |c| {
            let page = search::search(c, &query)?;
            Ok::<_, ApiError>((
                store::load_views(c, &links, &page.ids)?,
                page.total,
                page.total_is_lower_bound,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(ListingPage { items, total, total_is_lower_bound, limit, offset }))
}

#[utoipa::path(get, path = "/api/v1/listings/{id}", tag = "listings", params(("id" = String, Path)),
    responses((status = 200, body = ListingView), (status = 404, body = accounts::ErrorBody)))]
pub async fn get_listing(
    pool: web::Data<storage::Pool>,
    settings: web::Data<TraceSettings>,
    trust: web::Data<traceability::keys::TrustListCache>,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let links = links(&settings);
    let id = id.into_inner();
    let trust = trust.into_inner();
    let view = pool
        .run(move |c| {
            let mut view = store::get(c, &links, &id)?;
            if let Some(lot) = view.lot.as_mut() {
                // A buyer deciding whether to trust the origin sees whether
                // the record behind the link verifies right now.
                let lot_id = common::LotId::parse(&lot.id)
                    .ok_or_else(|| ApiError::internal(format!("stored lot id {:?}", lot.id)))?;
                let record = traceability::records::record(c, &lot_id, None)
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                let report = traceability::verify::verify_in_db(c, &trust, &record)
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                lot.verified = Some(report.verified);
            }
            Ok::<_, ApiError>(view)
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::ETAG, rules::etag(&view))).json(view))
}

/// Changes a listing. Send the `ETag` of the listing you read back in
/// `If-Match` to be sure not to overwrite a change made meanwhile (an order
/// taking stock, another device): a mismatch is a 412.
#[utoipa::path(patch, path = "/api/v1/listings/{id}", tag = "listings", security(("bearer" = [])),
    params(("id" = String, Path),
           ("If-Match" = Option<String>, Header, description = "the ETag of the listing as last read")),
    request_body = ListingChanges,
    responses((status = 200, body = ListingView),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 404, body = accounts::ErrorBody), (status = 409, body = accounts::ErrorBody),
              (status = 412, description = "changed since read", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn update_listing(
    req: actix_web::HttpRequest,
    pool: web::Data<storage::Pool>,
    settings: web::Data<TraceSettings>,
    actor: Actor,
    id: web::Path<ListingId>,
    body: web::Json<ListingChanges>,
) -> Result<HttpResponse, ApiError> {
    let links = links(&settings);
    let id = id.into_inner();
    let if_match = req
        .headers()
        .get(actix_web::http::header::IF_MATCH)
        .map(|v| v.to_str().map(str::to_string))
        .transpose()
        .map_err(|_| ApiError::invalid("If-Match", "not a valid entity tag"))?;
    let view = pool
        .run(move |c| store::update(c, &links, &actor, &id, &body.into_inner(), if_match.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::ETAG, rules::etag(&view))).json(view))
}

#[utoipa::path(delete, path = "/api/v1/listings/{id}", tag = "listings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204, description = "removed from the market"),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 404, body = accounts::ErrorBody)))]
pub async fn delete_listing(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    pool.run(move |c| store::delete(c, &actor, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct SellerListings {
    items: Vec<ListingView>,
}

/// All of a seller's listings that are not deleted, paused and sold-out
/// ones included: for the farmer and the staff who help them.
#[utoipa::path(get, path = "/api/v1/sellers/{id}/listings", tag = "listings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = SellerListings), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody)))]
pub async fn seller_listings(
    pool: web::Data<storage::Pool>,
    settings: web::Data<TraceSettings>,
    actor: Actor,
    id: web::Path<SellerId>,
) -> Result<HttpResponse, ApiError> {
    let links = links(&settings);
    let id = id.into_inner();
    let items = pool.run(move |c| store::for_seller(c, &links, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(SellerListings { items }))
}

/// Photos decoded at once: a photo at the size limits needs a few hundred
/// megabytes while it is resized, and a cheap server has little to spare.
static PHOTO_TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Uploads read at once: each holds up to 8 photos of 10 MB in memory
/// until they are processed; later uploads wait for their turn.
static UPLOAD_TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

fn multipart_error(e: actix_multipart::MultipartError) -> ApiError {
    use actix_multipart::MultipartError as M;
    match e {
        M::ContentTypeMissing | M::ContentTypeParse | M::ContentTypeIncompatible | M::BoundaryMissing => {
            ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the photos as multipart/form-data, one file field per photo",
            )
        }
        M::Payload(actix_web::error::PayloadError::Io(io)) if io.kind() == std::io::ErrorKind::TimedOut => {
            ApiError::new(ErrorCode::RequestTimeout, "the upload stopped arriving; try again")
        }
        other => {
            ApiError::new(ErrorCode::BadRequest, format!("the upload is not a valid multipart body: {other}"))
        }
    }
}

/// Reads the file fields of an upload, refusing more files than `slots`
/// and any file over the size limit as soon as it shows.
async fn read_files(mut form: actix_multipart::Multipart, slots: i64) -> Result<Vec<Vec<u8>>, ApiError> {
    use futures_util::StreamExt;
    let max = media::PhotoLimits::default().max_bytes;
    let mut files: Vec<Vec<u8>> = Vec::new();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(multipart_error)?;
        let is_file = field.content_disposition().and_then(|d| d.get_filename()).is_some();
        if is_file && files.len() as i64 >= slots {
            return Err(media::MediaError::TooManyPhotos { max: photos::MAX_PHOTOS as usize }.into());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(multipart_error)?;
            if !is_file {
                // other form fields are read past, not kept
                continue;
            }
            if bytes.len() + chunk.len() > max {
                return Err(media::MediaError::TooLarge { size: bytes.len() + chunk.len(), max }.into());
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            files.push(bytes);
        }
    }
    if files.is_empty() {
        return Err(ApiError::field(
            ErrorCode::Required,
            "photo",
            "no file in the upload: send each photo as a file field",
        ));
    }
    Ok(files)
}

/// Adds photos to a listing: JPEG, PNG or WebP up to 10 MB each, at most 8
/// per listing. Each is turned upright, resized to 1280 px and a 320 px
/// thumbnail, and re-encoded as JPEG, which leaves every piece of metadata
/// (GPS position included) behind.
#[utoipa::path(post, path = "/api/v1/listings/{id}/photos", tag = "listings", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "one file field per photo"),
    responses((status = 201, body = ListingView),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 404, body = accounts::ErrorBody),
              (status = 413, description = "a photo over 10 MB", body = accounts::ErrorBody),
              (status = 415, description = "not JPEG, PNG or WebP, or not multipart", body = accounts::ErrorBody),
              (status = 422, description = "undecodable, too many pixels, or more than 8 photos",
               body = accounts::ErrorBody),
              (status = 503, description = "the photo store does not answer; nothing was saved",
               body = accounts::ErrorBody)))]
pub async fn upload_photos(
    req: actix_web::HttpRequest,
    payload: web::Payload,
    pool: web::Data<storage::Pool>,
    settings: web::Data<TraceSettings>,
    store: web::Data<dyn media::BlobStore>,
    actor: Actor,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let slots = {
        let (actor, id) = (actor.clone(), id.clone());
        pool.run(move |c| photos::free_slots(c, &actor, &id)).await?
    };
    let _upload = UPLOAD_TURNS.acquire().await.map_err(|e| ApiError::internal(e.to_string()))?;
    let form = actix_multipart::Multipart::new(req.headers(), payload);
    let files = read_files(form, slots).await?;
    let mut stored = Vec::with_capacity(files.len());
    for bytes in files {
        let _turn = PHOTO_TURNS.acquire().await.map_err(|e| ApiError::internal(e.to_string()))?;
        let store = store.clone().into_inner();
        stored.push(web::block(move || photos::process_and_store(&bytes, store.as_ref())).await??);
    }
    let links = links(&settings);
    let view = pool
        .run(move |c| {
            photos::attach(c, &actor, &id, &stored)?;
            store::get(c, &links, &id)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[utoipa::path(delete, path = "/api/v1/listings/{id}/photos/{photo_id}", tag = "listings",
    security(("bearer" = [])), params(("id" = String, Path), ("photo_id" = String, Path)),
    responses((status = 204, description = "removed"), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody)))]
pub async fn delete_photo(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    path: web::Path<(ListingId, PhotoId)>,
) -> Result<HttpResponse, ApiError> {
    let (id, photo_id) = path.into_inner();
    pool.run(move |c| photos::detach(c, &actor, &id, &photo_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A stored photo. Its name is the hash of its bytes, so it never changes
/// and caches may keep it for ever.
pub async fn get_media(
    store: web::Data<dyn media::BlobStore>,
    key: web::Path<photos::PhotoKey>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner().0;
    let store = store.into_inner();
    let blob = web::block(move || store.get(&key)).await??;
    match blob {
        Some(b) => Ok(HttpResponse::Ok()
            .content_type(b.content_type)
            .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
            .body(b.bytes)),
        None => Err(ApiError::not_found("photo")),
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_listing,
    search_listings,
    get_listing,
    update_listing,
    delete_listing,
    seller_listings,
    upload_photos,
    delete_photo
))]
pub struct ListingsApi;
