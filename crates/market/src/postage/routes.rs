//! HTTP routes of postage: the tariff in force, replacing it, and quotes.

use accounts::Actor;
use actix_web::{web, HttpResponse};

use super::{store, Quote, QuoteRequest, TariffView};
use common::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/postage/tariff", web::get().to(get_tariff))
        .route("/api/v1/postage/tariff", web::put().to(put_tariff))
        .route("/api/v1/postage/quote", web::post().to(quote));
}

/// The postage tariff in force. Public: buyers may read the price list.
#[utoipa::path(get, path = "/api/v1/postage/tariff", tag = "postage",
    responses((status = 200, body = TariffView)))]
pub async fn get_tariff(pool: web::Data<storage::Pool>) -> Result<HttpResponse, ApiError> {
    let view = pool.run(store::current).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Replaces the tariff (admin). Checked whole: a gap or an overlap between
/// weight bands, a heavier band cheaper than a lighter one, or a zone left
/// out is refused with the field at fault, and the tariff in force stays.
/// Orders already placed keep their postage.
#[utoipa::path(put, path = "/api/v1/postage/tariff", tag = "postage", security(("bearer" = [])),
    request_body(content = Object, description = "the `tariff` of GET /api/v1/postage/tariff"),
    responses((status = 200, body = TariffView), (status = 400, body = accounts::ErrorBody),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn put_tariff(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    body: web::Json<parcels::Tariff>,
) -> Result<HttpResponse, ApiError> {
    let tariff = body.into_inner();
    let view = pool.run(move |c| store::replace(c, Some(&actor), &tariff)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// What an order would cost if placed now: goods, postage per seller's
/// parcel (by zone and weight) and the total. Public, so a buyer sees the
/// price of delivery before signing in.
#[utoipa::path(post, path = "/api/v1/postage/quote", tag = "postage",
    request_body = QuoteRequest,
    responses((status = 200, body = Quote),
              (status = 409, description = "`listing_unavailable`", body = accounts::ErrorBody),
              (status = 422, description = "`parcel_too_heavy`, `no_delivery_zone`, bad lines or commune",
               body = accounts::ErrorBody)))]
pub async fn quote(
    pool: web::Data<storage::Pool>,
    body: web::Json<QuoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let quote = pool.run(move |c| store::quote(c, &body.into_inner())).await?;
    Ok(HttpResponse::Ok().json(quote))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(get_tariff, put_tariff, quote))]
pub struct PostageApi;
