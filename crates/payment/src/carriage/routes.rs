//! A post office's postage statement, and postage paid to it.

use accounts::Actor;
use actix_web::{web, HttpResponse};

use super::{store, PostagePaid, PostageQuery, PostageStatement};
use common::ApiError;

/// What a post office earned carrying parcels, was paid, and is owed.
#[utoipa::path(get, path = "/api/v1/postage/earnings", tag = "payments", security(("bearer" = [])),
    params(PostageQuery),
    responses((status = 200, body = PostageStatement), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn postage_earnings(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<PostageQuery>,
) -> Result<HttpResponse, ApiError> {
    let office = query.into_inner().post_office;
    let view = pool.run(move |c| store::statement(c, &actor, office.as_deref())).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Admin records postage paid to a post office.
#[utoipa::path(post, path = "/api/v1/postage/earnings/payments", tag = "payments", security(("bearer" = [])),
    request_body = PostagePaid,
    responses((status = 200, body = PostageStatement), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "`insufficient_funds` (more than is owed) or `idempotency_key_reused`",
               body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn postage_paid(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    body: web::Json<PostagePaid>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let view = pool.run(move |c| store::record_paid(c, &actor, &input)).await?;
    Ok(HttpResponse::Ok().json(view))
}
