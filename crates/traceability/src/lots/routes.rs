//! Lot and event handlers.

use accounts::Actor;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use common::ids::LotId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{store, EventView, LotView, NewEvent, NewLot, RecallFollowUp, RecallRequest};
use crate::routes::{with_conn, Master, Pool, Settings, Statuses};
use common::ApiError;

#[utoipa::path(post, path = "/api/v1/lots", tag = "lots", security(("bearer" = [])), request_body = NewLot,
    responses((status = 201, description = "the lot, its Digital Link and its first signed record", body = LotView),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "lot code already used", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn create_lot(
    pool: Pool,
    master: Master,
    settings: Settings,
    actor: Actor,
    body: web::Json<NewLot>,
) -> Result<HttpResponse, ApiError> {
    let lot = with_conn(pool, move |c| store::create_lot(c, &master, &settings, &actor, &body)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/lots/{}", lot.id)))
        .json(lot))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LotQuery {
    /// Staff and admin: only this seller's lots.
    seller_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LotList {
    items: Vec<LotView>,
}

#[utoipa::path(get, path = "/api/v1/lots", tag = "lots", security(("bearer" = [])), params(LotQuery),
    responses((status = 200, body = LotList), (status = 401, body = accounts::ErrorBody),
              (status = 403, description = "an account that has no lots (a buyer)", body = accounts::ErrorBody)))]
pub async fn list_lots(
    pool: Pool,
    settings: Settings,
    actor: Actor,
    query: web::Query<LotQuery>,
) -> Result<HttpResponse, ApiError> {
    let seller = query.into_inner().seller_id;
    let items = with_conn(pool, move |c| store::list_lots(c, &settings, &actor, seller.as_deref())).await?;
    Ok(HttpResponse::Ok().json(LotList { items }))
}

#[utoipa::path(get, path = "/api/v1/lots/{id}", tag = "lots", params(("id" = String, Path)),
    responses((status = 200, body = LotView), (status = 404, body = accounts::ErrorBody)))]
pub async fn get_lot(pool: Pool, settings: Settings, id: web::Path<LotId>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lot = with_conn(pool, move |c| store::get_lot(c, &settings, &id)).await?;
    Ok(HttpResponse::Ok().json(lot))
}

#[utoipa::path(post, path = "/api/v1/lots/{id}/events", tag = "lots", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewEvent,
    responses((status = 201, description = "recorded; a new signed record version was issued", body = EventView),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "the lot is recalled", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn add_event(
    pool: Pool,
    statuses: Statuses,
    master: Master,
    settings: Settings,
    actor: Actor,
    id: web::Path<LotId>,
    body: web::Json<NewEvent>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lot_id = id.clone();
    let event = with_conn(pool, move |c| store::add_event(c, &master, &settings, &actor, &id, &body)).await?;
    statuses.invalidate(lot_id.as_str());
    Ok(HttpResponse::Created().json(event))
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    items: Vec<EventView>,
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/events", tag = "lots", params(("id" = String, Path)),
    responses((status = 200, body = EventList), (status = 404, body = accounts::ErrorBody)))]
pub async fn list_events(pool: Pool, id: web::Path<LotId>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = with_conn(pool, move |c| store::list_events(c, &id)).await?;
    Ok(HttpResponse::Ok().json(EventList { items }))
}

#[utoipa::path(post, path = "/api/v1/lots/{id}/recall", tag = "lots", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RecallRequest,
    responses((status = 200, description = "recalled; a new signed record version says so, and the orders \
               holding the lot are stopped in the same transaction", body = LotView),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, body = accounts::ErrorBody),
              (status = 422, description = "no reason, or a field of the wrong type", body = accounts::ErrorBody)))]
pub async fn recall_lot(
    pool: Pool,
    // what the recall changes beyond the lot: the cached status, the orders
    (statuses, follow_up): (Statuses, web::Data<dyn RecallFollowUp>),
    master: Master,
    settings: Settings,
    actor: Actor,
    id: web::Path<LotId>,
    body: web::Json<RecallRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lot_id = id.clone();
    let follow_up: std::sync::Arc<dyn RecallFollowUp> = follow_up.into_inner();
    let lot = with_conn(pool, move |c| {
        store::recall(c, &master, &settings, &actor, &id, &body, follow_up.as_ref())
    })
    .await?;
    statuses.invalidate(lot_id.as_str());
    Ok(HttpResponse::Ok().json(lot))
}
