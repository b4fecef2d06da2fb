//! An order's VietQR code, as a PNG for its buyer to scan.

use std::sync::Arc;

use accounts::Actor;
use actix_web::{web, HttpResponse};

use super::QrImageQuery;
use common::{ApiError, ErrorCode, OrderId};

/// The VietQR code the buyer scans with a banking app, as a PNG, while the
/// order awaits payment: the amount still due and the order code. For the
/// order's buyer (and admin).
#[utoipa::path(get, path = "/api/v1/orders/{id}/vietqr.png", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path), QrImageQuery),
    responses((status = 200, content_type = "image/png", body = Vec<u8>),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 404, description = "no such order of yours", body = accounts::ErrorBody),
              (status = 409, description = "nothing to pay by bank transfer", body = accounts::ErrorBody),
              (status = 422, description = "`scale` out of range", body = accounts::ErrorBody)))]
pub async fn order_vietqr_png(
    pool: web::Data<storage::Pool>,
    payments: web::Data<dyn market::orders::PaymentRequests>,
    actor: Actor,
    id: web::Path<OrderId>,
    query: web::Query<QrImageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scale = query.scale.unwrap_or(6);
    if !(2..=16).contains(&scale) {
        return Err(ApiError::field(ErrorCode::OutOfRange, "scale", "from 2 to 16 pixels per module")
            .param("min", 2)
            .param("max", 16));
    }
    // the code is for the buyer to scan, the account that placed the order
    // whatever its role now (admin may look at it)
    let payments: Arc<dyn market::orders::PaymentRequests> = payments.into_inner();
    let order = pool.run(move |c| market::orders::store::get_as_buyer(c, &actor, &id)).await?;
    let owed = order.amount_due_vnd - order.paid_vnd;
    if order.payment_method != "vietqr" || order.status != "placed" || owed <= 0 {
        return Err(ApiError::new(ErrorCode::NothingToPay, "this order has nothing to pay by bank transfer"));
    }
    let request =
        payments.vietqr(&order.code, owed).map_err(|e| ApiError::new(ErrorCode::PaymentUnavailable, e))?;
    let png = labels::qr_png(&request.payload, scale).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        // the amount changes as money arrives
        .insert_header(("Cache-Control", "private, no-cache"))
        .body(png))
}
