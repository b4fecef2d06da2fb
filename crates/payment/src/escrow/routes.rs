//! An order's payments, and refunds paid back to its buyer.

use accounts::{Actor, Role};
use actix_web::{web, HttpResponse};

use super::{rules, store, OrderPayments, RefundPaid};
use common::{ApiError, OrderId};

/// An order's payments: the buyer sees what arrived and what is owed back.
#[utoipa::path(get, path = "/api/v1/orders/{id}/payments", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = OrderPayments), (status = 401, body = accounts::ErrorBody),
              (status = 403, description = "sellers and staff see orders, not payments", body = accounts::ErrorBody),
              (status = 404, description = "no such order, or not yours", body = accounts::ErrorBody)))]
pub async fn order_payments(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = pool.run(move |c| store::payments_of(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Admin records money paid back to an order's buyer (from the refund
/// owed to it).
#[utoipa::path(post, path = "/api/v1/orders/{id}/refunds", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RefundPaid,
    responses((status = 200, body = OrderPayments), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "more than is owed back, or the reference was used for another amount", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn record_refund(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<OrderId>,
    body: web::Json<RefundPaid>,
) -> Result<HttpResponse, ApiError> {
    actor.require(&[Role::Admin])?;
    let id = id.into_inner();
    let RefundPaid { amount_vnd, reference } = body.into_inner();
    let reference = rules::money_sent(amount_vnd, &reference)?;
    let view = pool.run(move |c| store::record_refund(c, &actor, &id, amount_vnd, &reference)).await?;
    Ok(HttpResponse::Ok().json(view))
}
