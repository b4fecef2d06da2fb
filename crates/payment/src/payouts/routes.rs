//! Payout batches (admin), and a seller's statement.

use accounts::Actor;
use actix_web::{web, HttpResponse};

use super::{rules, store, PayoutBatch, PayoutConfirmation, PayoutList, SellerStatement};
use common::{ApiError, PayoutId, SellerId};

/// Admin starts a payout run: every seller's payable, as far as the
/// collection account holds the money, set aside in a new batch.
#[utoipa::path(post, path = "/api/v1/payouts", tag = "payments", security(("bearer" = [])),
    responses((status = 201, body = PayoutBatch), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "nobody is owed anything payable now", body = accounts::ErrorBody)))]
pub async fn create_payout(pool: web::Data<storage::Pool>, actor: Actor) -> Result<HttpResponse, ApiError> {
    let view = pool.run(move |c| store::create(c, &actor)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Payout batches, newest first (admin).
#[utoipa::path(get, path = "/api/v1/payouts", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = PayoutList), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody)))]
pub async fn list_payouts(pool: web::Data<storage::Pool>, actor: Actor) -> Result<HttpResponse, ApiError> {
    let items = pool.run(move |c| store::list(c, &actor)).await?;
    Ok(HttpResponse::Ok().json(PayoutList { items }))
}

/// One payout batch with its rows (admin).
#[utoipa::path(get, path = "/api/v1/payouts/{id}", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PayoutBatch), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody)))]
pub async fn get_payout(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<PayoutId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = pool.run(move |c| store::get(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The batch as a CSV file for the operator's bank (admin).
#[utoipa::path(get, path = "/api/v1/payouts/{id}/bank-file.csv", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody)))]
pub async fn payout_bank_file(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<PayoutId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let name = format!("nongsan-payout-{}.csv", id.as_str().get(..8).unwrap_or(id.as_str()));
    let file = pool
        .run(move |c| {
            let batch = store::get(c, &actor, &id)?;
            rules::bank_file(&batch)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .insert_header(("Cache-Control", "no-store"))
        .body(file))
}

/// Admin: the batch file went to the bank.
#[utoipa::path(post, path = "/api/v1/payouts/{id}/sent", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PayoutBatch), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, body = accounts::ErrorBody)))]
pub async fn payout_sent(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<PayoutId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = pool.run(move |c| store::mark_sent(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Admin: the bank paid the batch (all but the failed rows).
#[utoipa::path(post, path = "/api/v1/payouts/{id}/confirm", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PayoutConfirmation,
    responses((status = 200, body = PayoutBatch), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, body = accounts::ErrorBody), (status = 422, body = accounts::ErrorBody)))]
pub async fn payout_confirmed(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<PayoutId>,
    body: web::Json<PayoutConfirmation>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let failed = body.into_inner().failed_seller_ids;
    let view = pool.run(move |c| store::confirm(c, &actor, &id, &failed)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// A seller's statement: what it is owed and every movement.
#[utoipa::path(get, path = "/api/v1/sellers/{id}/statement", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = SellerStatement), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody)))]
pub async fn seller_statement(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<SellerId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = pool.run(move |c| store::statement(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}
