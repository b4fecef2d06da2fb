//! HTTP routes of orders.

use std::sync::Arc;

use accounts::Actor;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::lifecycle::{Action, PartStatus, PaymentMethod};
use super::store;
use super::{
    AffectedOrder, NewOrder, OrderMoney, OrderView, ParcelView, PaymentInstructions, PaymentRequests,
};
use common::{ApiError, ErrorCode, LotId, OrderId, ParcelCode, PartId};

/// What the server configures for orders.
#[derive(Debug, Clone)]
pub struct OrderSettings {
    /// How long a bank-transfer order waits for its payment before its
    /// stock goes back on sale.
    pub payment_window: chrono::Duration,
}

impl Default for OrderSettings {
    fn default() -> Self {
        OrderSettings { payment_window: chrono::Duration::minutes(60) }
    }
}

type Payments = web::Data<dyn PaymentRequests>;
type Money = web::Data<dyn OrderMoney>;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/orders", web::post().to(place_order))
        .route("/api/v1/orders", web::get().to(list_orders))
        .route("/api/v1/orders/{id}", web::get().to(get_order))
        .route("/api/v1/orders/{id}/confirm", web::post().to(confirm_order))
        .route("/api/v1/orders/{id}/hand-over", web::post().to(hand_over_order))
        .route("/api/v1/orders/{id}/deliver", web::post().to(deliver_order))
        .route("/api/v1/orders/{id}/cancel", web::post().to(cancel_order))
        .route("/api/v1/orders/{id}/return", web::post().to(return_order))
        .route("/api/v1/lots/{id}/orders", web::get().to(lot_orders))
        .route("/api/v1/parcels/{code}", web::get().to(get_parcel))
        .route("/api/v1/parcels/{code}/label.svg", web::get().to(parcel_label_svg))
        .route("/api/v1/parcels/{code}/label.png", web::get().to(parcel_label_png));
}

/// Adds how to pay while the buyer still has to.
fn with_payment(mut view: OrderView, payments: &dyn PaymentRequests) -> OrderView {
    if view.payment_method == PaymentMethod::Vietqr.as_str() && view.status == "placed" {
        // only the one who placed it pays it, whatever their role now
        let vietqr = if view.placed_by_viewer {
            payments.vietqr(&view.code, view.amount_due_vnd - view.paid_vnd).ok()
        } else {
            None
        };
        view.payment = Some(PaymentInstructions { method: view.payment_method.clone(), vietqr });
    } else {
        view.payment = Some(PaymentInstructions { method: view.payment_method.clone(), vietqr: None });
    }
    view
}

#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])),
    request_body = NewOrder,
    responses((status = 201, body = OrderView),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "`insufficient_stock` (with `listing_id` and `available`) or `listing_unavailable`",
               body = accounts::ErrorBody),
              (status = 422, description = "invalid input, or `own_listing` (with `listing_id`): a farmer ordering their own listing",
               body = accounts::ErrorBody)))]
pub async fn place_order(
    pool: web::Data<storage::Pool>,
    settings: Option<web::Data<OrderSettings>>,
    payments: Payments,
    actor: Actor,
    body: web::Json<NewOrder>,
) -> Result<HttpResponse, ApiError> {
    let window =
        settings.map(|s| s.payment_window).unwrap_or_else(|| OrderSettings::default().payment_window);
    let payments: Arc<dyn PaymentRequests> = payments.into_inner();
    let view = pool
        .run(move |c| {
            let view = store::place(c, &actor, &body.into_inner(), payments.as_ref(), window)?;
            Ok::<_, ApiError>(with_payment(view, payments.as_ref()))
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    /// Which side of your orders: `buyer`, the orders you placed (a
    /// buyer's, or a farmer's purchases), or `seller`, those with a part
    /// you sell or act for (farmers, staff, admin). By default `buyer` for
    /// a buyer account and `seller` for every other.
    #[serde(rename = "as")]
    side: Option<String>,
    /// Only orders in this status (the whole order's).
    status: Option<String>,
    /// Only orders with a part in this status that you take part in:
    /// `pending`, `confirmed`, `handed_over`, `delivered` or `cancelled`
    /// (a seller's "to confirm" list is `part_status=pending`).
    part_status: Option<String>,
    /// 1 to 100, default 20.
    limit: Option<i64>,
    /// Default 0.
    offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderList {
    items: Vec<OrderView>,
}

const ORDER_STATUSES: [&str; 7] =
    ["placed", "paid", "cod", "confirmed", "handed_over", "delivered", "cancelled"];

/// The buyer's own orders; a seller's orders with its part; staff those of
/// their organisation's sellers; admin all. A farmer who also buys lists
/// their purchases with `as=buyer`.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), params(OrderQuery),
    responses((status = 200, body = OrderList), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 422, body = accounts::ErrorBody)))]
pub async fn list_orders(
    pool: web::Data<storage::Pool>,
    payments: Payments,
    actor: Actor,
    query: web::Query<OrderQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::out_of_range("limit", 1, 100));
    }
    let offset = q.offset.unwrap_or(0);
    if !(0..=100_000).contains(&offset) {
        return Err(ApiError::field(ErrorCode::OutOfRange, "offset", "0 to 100000")
            .param("min", 0)
            .param("max", 100_000));
    }
    if q.status.as_deref().is_some_and(|s| !ORDER_STATUSES.contains(&s)) {
        return Err(ApiError::field(
            ErrorCode::UnknownValue,
            "status",
            format!("one of {}", ORDER_STATUSES.join(", ")),
        ));
    }
    let part_status = q
        .part_status
        .as_deref()
        .map(|p| {
            PartStatus::parse(p).ok_or_else(|| {
                ApiError::field(
                    ErrorCode::UnknownValue,
                    "part_status",
                    "one of pending, confirmed, handed_over, delivered, cancelled",
                )
            })
        })
        .transpose()?;
    let side = match q.side.as_deref() {
        None => store::OrderSide::default_for(&actor),
        Some("buyer") => store::OrderSide::Buyer,
        Some("seller") => store::OrderSide::Seller,
        Some(_) => return Err(ApiError::field(ErrorCode::UnknownValue, "as", "buyer or seller")),
    };
    let payments: Arc<dyn PaymentRequests> = payments.into_inner();
    let items = pool
        .run(move |c| {
            let views = store::list(c, &actor, side, q.status.as_deref(), part_status, limit, offset)?;
            Ok::<_, ApiError>(views.into_iter().map(|v| with_payment(v, payments.as_ref())).collect())
        })
        .await?;
    Ok(HttpResponse::Ok().json(OrderList { items }))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = OrderView), (status = 401, body = accounts::ErrorBody),
              (status = 403, description = "an account that has no orders (an officer)", body = accounts::ErrorBody),
              (status = 404, description = "no such order, or not yours", body = accounts::ErrorBody)))]
pub async fn get_order(
    pool: web::Data<storage::Pool>,
    payments: Payments,
    actor: Actor,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let payments: Arc<dyn PaymentRequests> = payments.into_inner();
    let view = pool
        .run(move |c| {
            let view = store::get(c, &actor, &id)?;
            Ok::<_, ApiError>(with_payment(view, payments.as_ref()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Optional body of a status change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// Only this part (one seller's share); by default every part you may
    /// act on.
    pub part_id: Option<String>,
    /// Why; required when a seller, staff or admin cancels.
    pub reason: Option<String>,
    /// On hand-over: the carrier's tracking number for the parcel (typed
    /// or scanned); with `part_id` when the order has several parcels.
    pub tracking_number: Option<String>,
}

/// An absent or empty body is no options; anything else must be valid.
fn status_change(body: &web::Bytes) -> Result<StatusChange, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(StatusChange::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ApiError::invalid("body", e.to_string())
        } else {
            crate::error::malformed_json(e.to_string())
        }
    })
}

/// Status-change bodies are a few words; anything longer is a mistake.
const MAX_CHANGE_BYTES: usize = 16 * 1024;

fn change_too_large() -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("a status change body is at most {} KB", MAX_CHANGE_BYTES / 1024),
    )
}

async fn change_status(
    req: actix_web::HttpRequest,
    pool: web::Data<storage::Pool>,
    (payments, money): (Payments, Money),
    actor: Actor,
    id: OrderId,
    body: web::Payload,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    let body = crate::body::read_limited(&req, body, MAX_CHANGE_BYTES, change_too_large).await?;
    let change = status_change(&body)?;
    // a part id that cannot be one names no part of this order
    let part_id = match change.part_id.as_deref().map(PartId::parse) {
        None => None,
        Some(Some(part)) => Some(part),
        Some(None) => return Err(ApiError::not_found("order part")),
    };
    let payments: Arc<dyn PaymentRequests> = payments.into_inner();
    let money: Arc<dyn OrderMoney> = money.into_inner();
    let view = pool
        .run(move |c| {
            let request = store::PartAction {
                action,
                part_id: part_id.as_ref(),
                reason: change.reason.as_deref(),
                tracking_number: change.tracking_number.as_deref(),
            };
            let view = store::transition(c, &actor, &id, request, money.as_ref())?;
            Ok::<_, ApiError>(with_payment(view, payments.as_ref()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The seller (or its staff, or admin) accepts its part; the order must be
/// paid or cash on delivery.
#[utoipa::path(post, path = "/api/v1/orders/{id}/confirm", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Option<StatusChange>),
    responses((status = 200, body = OrderView), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "`invalid_transition`, `not_paid` or `lot_recalled`",
               body = accounts::ErrorBody)))]
pub async fn confirm_order(
    req: actix_web::HttpRequest,
    pool: web::Data<storage::Pool>,
    payments: Payments,
    money: Money,
    actor: Actor,
    id: web::Path<OrderId>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    change_status(req, pool, (payments, money), actor, id.into_inner(), body, Action::Confirm).await
}

/// Post-office staff (or admin) accept the parcel of a confirmed part.
#[utoipa::path(post, path = "/api/v1/orders/{id}/hand-over", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Option<StatusChange>),
    responses((status = 200, body = OrderView), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, body = accounts::ErrorBody)))]
pub async fn hand_over_order(
    req: actix_web::HttpRequest,
    pool: web::Data<storage::Pool>,
    payments: Payments,
    money: Money,
    actor: Actor,
    id: web::Path<OrderId>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    change_status(req, pool, (payments, money), actor, id.into_inner(), body, Action::HandOver).await
}

/// Post-office staff (or admin) record the delivery.
#[utoipa::path(post, path = "/api/v1/orders/{id}/deliver", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Option<StatusChange>),
    responses((status = 200, body = OrderView), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, body = accounts::ErrorBody)))]
pub async fn deliver_order(
    req: actix_web::HttpRequest,
    pool: web::Data<storage::Pool>,
    payments: Payments,
    money: Money,
    actor: Actor,
    id: web::Path<OrderId>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    change_status(req, pool, (payments, money), actor, id.into_inner(), body, Action::Deliver).await
}

/// The buyer cancels the whole order before any seller confirmed; a seller
/// its part before hand-over; staff or admin any part not yet delivered (a
/// failed delivery). Stock not yet handed over goes back on sale.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Option<StatusChange>),
    responses((status = 200, body = OrderView), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, body = accounts::ErrorBody), (status = 422, body = accounts::ErrorBody)))]
pub async fn cancel_order(
    req: actix_web::HttpRequest,
    pool: web::Data<storage::Pool>,
    payments: Payments,
    money: Money,
    actor: Actor,
    id: web::Path<OrderId>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    change_status(req, pool, (payments, money), actor, id.into_inner(), body, Action::Cancel).await
}

/// Post-office staff (or admin) record a parcel that came back undelivered
/// (stopped by a recall, or the buyer could not be reached): the part is
/// cancelled and what the buyer paid for it is owed back. Its stock is not
/// put back on sale.
#[utoipa::path(post, path = "/api/v1/orders/{id}/return", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Option<StatusChange>),
    responses((status = 200, body = OrderView), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "`invalid_transition`: the part is not with the post office",
               body = accounts::ErrorBody),
              (status = 422, description = "`required`: the reason", body = accounts::ErrorBody)))]
pub async fn return_order(
    req: actix_web::HttpRequest,
    pool: web::Data<storage::Pool>,
    payments: Payments,
    money: Money,
    actor: Actor,
    id: web::Path<OrderId>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    change_status(req, pool, (payments, money), actor, id.into_inner(), body, Action::Return).await
}

#[derive(Serialize, ToSchema)]
pub struct AffectedOrders {
    items: Vec<AffectedOrder>,
}

/// Orders with items from this lot and their buyers' contacts, for staff
/// handling a recall.
#[utoipa::path(get, path = "/api/v1/lots/{id}/orders", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AffectedOrders), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody)))]
pub async fn lot_orders(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<LotId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = pool.run(move |c| store::for_lot(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(AffectedOrders { items }))
}

/// The parcel a label's barcode names (the part's code, `NS7K2M9QXB-1`),
/// for the counter: receiver, cash to collect, where it is. Staff of the
/// seller's post office, admin.
#[utoipa::path(get, path = "/api/v1/parcels/{code}", tag = "orders", security(("bearer" = [])),
    params(("code" = String, Path, description = "the part's code, as printed or scanned")),
    responses((status = 200, body = ParcelView), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody)))]
pub async fn get_parcel(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    code: web::Path<ParcelCode>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let view = pool.run(move |c| store::parcel(c, &actor, &code)).await?;
    Ok(HttpResponse::Ok().json(view))
}

type Links = web::Data<traceability::lots::TraceSettings>;

async fn shipping_label(
    pool: web::Data<storage::Pool>,
    settings: Links,
    actor: Actor,
    code: ParcelCode,
) -> Result<::labels::ShippingLabel, ApiError> {
    let links = crate::listings::LinkBase { public_url: settings.public_url.clone() };
    pool.run(move |c| store::label(c, &actor, &links, &code)).await
}

/// The parcel's A6 shipping label (105 × 148 mm), print-ready: sender,
/// receiver, weight, cash to collect, the part's code as a Code 128
/// barcode, and the lot's QR when the parcel holds one lot. Staff of the
/// seller's post office, admin.
#[utoipa::path(get, path = "/api/v1/parcels/{code}/label.svg", tag = "orders", security(("bearer" = [])),
    params(("code" = String, Path, description = "the part's code")),
    responses((status = 200, description = "A6 label", content_type = "image/svg+xml"),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 404, body = accounts::ErrorBody)))]
pub async fn parcel_label_svg(
    pool: web::Data<storage::Pool>,
    settings: Links,
    actor: Actor,
    code: web::Path<ParcelCode>,
) -> Result<HttpResponse, ApiError> {
    let label = shipping_label(pool, settings, actor, code.into_inner()).await?;
    let svg = ::labels::shipping_label_svg(&label)?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "no-store"))
        .body(svg))
}

/// The same label as a 300 dpi PNG, for label printers that take images.
#[utoipa::path(get, path = "/api/v1/parcels/{code}/label.png", tag = "orders", security(("bearer" = [])),
    params(("code" = String, Path, description = "the part's code")),
    responses((status = 200, description = "A6 label at 300 dpi", content_type = "image/png"),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 404, body = accounts::ErrorBody)))]
pub async fn parcel_label_png(
    pool: web::Data<storage::Pool>,
    settings: Links,
    actor: Actor,
    code: web::Path<ParcelCode>,
) -> Result<HttpResponse, ApiError> {
    let label = shipping_label(pool, settings, actor, code.into_inner()).await?;
    let png = web::block(move || ::labels::shipping_label_png(&label)).await??;
    Ok(HttpResponse::Ok().content_type("image/png").insert_header(("Cache-Control", "no-store")).body(png))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    place_order,
    list_orders,
    get_order,
    confirm_order,
    hand_over_order,
    deliver_order,
    cancel_order,
    return_order,
    lot_orders,
    get_parcel,
    parcel_label_svg,
    parcel_label_png
))]
pub struct OrdersApi;
