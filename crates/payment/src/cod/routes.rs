//! A post office's cash-on-delivery position and its remittances.

use accounts::Actor;
use actix_web::{web, HttpResponse};

use super::{store, CodPosition, NewRemittance, PostOfficeQuery, Remittance, RemittanceReceived};
use common::{ApiError, ErrorCode, RemittanceId};

/// What a post office owes for cash on delivery, and its remittances.
#[utoipa::path(get, path = "/api/v1/cod/position", tag = "payments", security(("bearer" = [])),
    params(PostOfficeQuery),
    responses((status = 200, body = CodPosition), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody),
              (status = 404, description = "no such post office", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn cod_position(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<PostOfficeQuery>,
) -> Result<HttpResponse, ApiError> {
    let office = query.into_inner().post_office;
    let view = pool.run(move |c| store::position(c, &actor, office.as_deref())).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Post-office staff announce cash sent on to the collection account.
#[utoipa::path(post, path = "/api/v1/cod/remittances", tag = "payments", security(("bearer" = [])),
    request_body = NewRemittance,
    responses((status = 201, body = Remittance), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody),
              (status = 404, description = "no such post office", body = accounts::ErrorBody),
              (status = 409, description = "more than the post office owes", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn announce_remittance(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    body: web::Json<NewRemittance>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let view = pool
        .run(move |c| {
            store::announce(c, &actor, b.post_office.as_deref(), b.amount_vnd, b.reference.as_deref())
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Admin: the remittance arrived in the collection account.
#[utoipa::path(post, path = "/api/v1/cod/remittances/{id}/received", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Option<RemittanceReceived>),
    responses((status = 200, body = Remittance), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "already received or cancelled", body = accounts::ErrorBody)))]
pub async fn remittance_received(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<RemittanceId>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // no body is fine; a body that does not parse is refused, never taken
    // for "no notification" (that would book the money a second time)
    let notification = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<RemittanceReceived>(&body)
            .map_err(|e| ApiError::new(ErrorCode::MalformedJson, format!("the body is not valid JSON: {e}")))?
            .notification_id
    };
    let view = pool.run(move |c| store::resolve(c, &actor, &id, true, notification.as_deref())).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Admin: the remittance never arrived; the post office owes the cash again.
#[utoipa::path(post, path = "/api/v1/cod/remittances/{id}/cancel", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Remittance), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "already received or cancelled", body = accounts::ErrorBody)))]
pub async fn remittance_cancelled(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<RemittanceId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = pool.run(move |c| store::resolve(c, &actor, &id, false, None)).await?;
    Ok(HttpResponse::Ok().json(view))
}
