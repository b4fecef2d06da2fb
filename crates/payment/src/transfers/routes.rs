//! The suspense list and its actions, for staff and admin.

use accounts::Actor;
use actix_web::{web, HttpResponse};

use super::{store, Assignment, Returned, TransferList, TransferQuery, TransferView};
use common::{ApiError, NotificationId};

/// Bank transfers received, newest first; `?outcome=unmatched` lists the
/// ones waiting in suspense for staff to assign.
///
/// Who sees which: admin sees every transfer. Staff see a transfer only
/// when an order it points at has a seller of their own post office: the
/// order it paid, or, while it waits in suspense, the orders its text named
/// (`unmatched_orders`). A transfer whose text names no order we know is
/// seen, and sorted out, by admin only.
#[utoipa::path(get, path = "/api/v1/payments/bank-transfers", tag = "payments", security(("bearer" = [])),
    params(TransferQuery),
    responses((status = 200, body = TransferList), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody)))]
pub async fn list_transfers(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<TransferQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let items = pool.run(move |c| store::list(c, &actor, q.outcome.as_deref(), None, limit)).await?;
    Ok(HttpResponse::Ok().json(TransferList { items }))
}

/// Staff assign a transfer held in suspense to the order it was meant for.
/// Staff may assign only transfers they see (see the list), and only to
/// an order of their own post office; anything else is 404.
#[utoipa::path(post, path = "/api/v1/payments/bank-transfers/{id}/assign", tag = "payments",
    security(("bearer" = [])), params(("id" = String, Path, description = "the notification id")),
    request_body = Assignment,
    responses((status = 200, body = TransferView), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "not in suspense, or a cash-on-delivery order", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn assign_transfer(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<NotificationId>,
    body: web::Json<Assignment>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = pool.run(move |c| store::assign(c, &actor, &id, &body.order_code)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Admin sends a transfer held in suspense back to its sender.
#[utoipa::path(post, path = "/api/v1/payments/bank-transfers/{id}/return", tag = "payments",
    security(("bearer" = [])), params(("id" = String, Path, description = "the notification id")),
    request_body = Returned,
    responses((status = 200, body = TransferView), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "not in suspense", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn return_transfer(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<NotificationId>,
    body: web::Json<Returned>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let reference = body.into_inner().reference;
    let view = pool.run(move |c| store::return_to_sender(c, &actor, &id, reference.as_deref())).await?;
    Ok(HttpResponse::Ok().json(view))
}
