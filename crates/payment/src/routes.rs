//! HTTP routes of the payment slice: the bank webhook, unmatched transfers,
//! an order's payments and its VietQR image, and the books for admin.

use std::sync::Arc;

use accounts::{Actor, Role};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::bank_transfers::{self, TransferView};
use crate::cod::{self, CodPosition, Remittance};
use crate::payouts::{self, PayoutBatch, SellerStatement};
use crate::{chart, ledger, BankNotification, ServiceError};

/// What the server configures for bank notifications.
#[derive(Clone, Default)]
pub struct WebhookSettings {
    /// `NONGSAN_BANK_WEBHOOK_KEY`: the `Authorization: Apikey …` key. With
    /// none the webhook refuses every call.
    pub api_key: Option<String>,
    /// `NONGSAN_BANK_WEBHOOK_SECRET`: when set, calls must also carry an
    /// HMAC-SHA256 signature of the body with a timestamp in the last five
    /// minutes (see [`crate::webhook_auth`]).
    pub signing_secret: Option<Vec<u8>>,
    /// The collection account's number: only money in to it is booked.
    pub collection_account: Option<String>,
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never print the key or the secret
        f.debug_struct("WebhookSettings")
            .field("api_key", &self.api_key.as_ref().map(|_| "…"))
            .field("signing_secret", &self.signing_secret.as_ref().map(|_| "…"))
            .field("collection_account", &self.collection_account)
            .finish()
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/payments/bank-webhook", web::post().to(bank_webhook))
        .route("/api/v1/payments/bank-transfers", web::get().to(list_transfers))
        .route("/api/v1/payments/bank-transfers/{id}/assign", web::post().to(assign_transfer))
        .route("/api/v1/payments/bank-transfers/{id}/return", web::post().to(return_transfer))
        .route("/api/v1/orders/{id}/payments", web::get().to(order_payments))
        .route("/api/v1/orders/{id}/vietqr.png", web::get().to(order_vietqr_png))
        .route("/api/v1/orders/{id}/refunds", web::post().to(record_refund))
        .route("/api/v1/ledger/trial-balance", web::get().to(trial_balance))
        .route("/api/v1/cod/position", web::get().to(cod_position))
        .route("/api/v1/cod/remittances", web::post().to(announce_remittance))
        .route("/api/v1/cod/remittances/{id}/received", web::post().to(remittance_received))
        .route("/api/v1/cod/remittances/{id}/cancel", web::post().to(remittance_cancelled))
        .route("/api/v1/payouts", web::post().to(create_payout))
        .route("/api/v1/payouts", web::get().to(list_payouts))
        .route("/api/v1/payouts/{id}", web::get().to(get_payout))
        .route("/api/v1/payouts/{id}/bank-file.csv", web::get().to(payout_bank_file))
        .route("/api/v1/payouts/{id}/sent", web::post().to(payout_sent))
        .route("/api/v1/payouts/{id}/confirm", web::post().to(payout_confirmed))
        .route("/api/v1/sellers/{id}/statement", web::get().to(seller_statement));
}

/// Notification bodies are a few hundred bytes.
const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

#[derive(Serialize, ToSchema)]
pub struct WebhookAnswer {
    pub success: bool,
}

/// A bank-notification service reports a transfer to or from the
/// collection account (SePay's format). Authenticated by
/// `Authorization: Apikey KEY`; when the server has a signing secret, also
/// by `X-Nongsan-Timestamp` and `X-Nongsan-Signature: sha256=…`. The raw
/// body is stored before it is read; a repeated `id` changes nothing and
/// still answers `{"success": true}`, so the service stops retrying.
#[utoipa::path(post, path = "/api/v1/payments/bank-webhook", tag = "payments",
    request_body(content = String, description = "SePay-style JSON: id, gateway, transactionDate, accountNumber, content, transferType, transferAmount, referenceCode", content_type = "application/json"),
    responses((status = 200, body = WebhookAnswer),
              (status = 401, description = "missing or wrong key or signature", body = accounts::ErrorBody),
              (status = 400, body = accounts::ErrorBody), (status = 413, body = accounts::ErrorBody),
              (status = 422, description = "a field is missing or out of range", body = accounts::ErrorBody)))]
pub async fn bank_webhook(
    req: HttpRequest,
    body: web::Payload,
    pool: web::Data<storage::Pool>,
    settings: web::Data<WebhookSettings>,
) -> Result<HttpResponse, ServiceError> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let key = settings.api_key.as_deref().unwrap_or_default();
    if !crate::api_key_matches(header("authorization"), key) {
        tracing::warn!(peer = ?req.peer_addr(), "bank webhook: wrong or missing API key");
        return Err(ServiceError::Unauthorized("wrong or missing `Authorization: Apikey …`".into()));
    }
    let body = market::body::read_limited(&req, body, MAX_WEBHOOK_BYTES, || {
        market::MarketError::PayloadTooLarge(format!(
            "a notification is at most {} KB",
            MAX_WEBHOOK_BYTES / 1024
        ))
    })
    .await?;
    if let Some(secret) = &settings.signing_secret {
        crate::verify_signature(
            secret,
            header(crate::webhook_auth::TIMESTAMP_HEADER),
            header(crate::webhook_auth::SIGNATURE_HEADER),
            &body,
            chrono::Utc::now(),
        )
        .map_err(|e| {
            tracing::warn!(peer = ?req.peer_addr(), error = %e, "bank webhook: signature refused");
            ServiceError::Unauthorized(format!("signature refused: {e}"))
        })?;
    }
    let settings = settings.into_inner();
    let outcome = pool
        .run(move |c| {
            let inbox = bank_transfers::store_raw(c, &body)?;
            let notification = match BankNotification::parse(&body) {
                Ok(n) => n,
                Err(e) => {
                    bank_transfers::note_outcome(c, &inbox, None, &format!("refused: {e}"))?;
                    tracing::warn!(error = %e, "bank webhook: notification refused");
                    return Err(ServiceError::from(e));
                }
            };
            let outcome = bank_transfers::receive(c, &notification, settings.collection_account.as_deref());
            let noted = match &outcome {
                Ok(o) => o.as_str().to_string(),
                Err(e) => format!("failed: {e}"),
            };
            bank_transfers::note_outcome(c, &inbox, Some(notification.id()), &noted)?;
            tracing::info!(id = notification.id(), outcome = %noted, "bank webhook");
            outcome
        })
        .await?;
    tracing::debug!(outcome = outcome.as_str(), "bank webhook handled");
    Ok(HttpResponse::Ok().json(WebhookAnswer { success: true }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferQuery {
    /// `unmatched` for the suspense list; `paid`, `partly_paid`,
    /// `overpaid`, `owed_back`, `assigned`, `ignored`.
    pub outcome: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TransferList {
    pub items: Vec<TransferView>,
}

/// Bank transfers received, newest first; `?outcome=unmatched` lists the
/// ones waiting in suspense for staff to assign.
#[utoipa::path(get, path = "/api/v1/payments/bank-transfers", tag = "payments", security(("bearer" = [])),
    params(TransferQuery),
    responses((status = 200, body = TransferList), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody)))]
pub async fn list_transfers(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<TransferQuery>,
) -> Result<HttpResponse, ServiceError> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let items = pool.run(move |c| bank_transfers::list(c, &actor, q.outcome.as_deref(), None, limit)).await?;
    Ok(HttpResponse::Ok().json(TransferList { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The order the money was meant for.
    #[schema(example = "NS7K2M9QXA")]
    pub order_code: String,
}

/// Staff assign a transfer held in suspense to the order it was meant for.
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
    id: web::Path<String>,
    body: web::Json<Assignment>,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    let view = pool.run(move |c| bank_transfers::assign(c, &actor, &id, &body.order_code)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Returned {
    /// The bank's reference of the transfer back.
    pub reference: Option<String>,
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
    id: web::Path<String>,
    body: web::Json<Returned>,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    let reference = body.into_inner().reference;
    let view =
        pool.run(move |c| bank_transfers::return_to_sender(c, &actor, &id, reference.as_deref())).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Where an order's money is.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPayments {
    pub order_id: String,
    /// Received and counted towards the order.
    pub paid_vnd: i64,
    /// Held for the order until delivery (including amounts set aside for
    /// sellers who confirmed).
    pub held_vnd: i64,
    /// Owed back to the buyer and not yet paid back.
    pub refund_due_vnd: i64,
    /// Already paid back.
    pub refunded_vnd: i64,
    pub transfers: Vec<TransferView>,
}

/// An order's payments: the buyer sees what arrived and what is owed back.
#[utoipa::path(get, path = "/api/v1/orders/{id}/payments", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = OrderPayments), (status = 401, body = accounts::ErrorBody),
              (status = 403, description = "sellers and staff see orders, not payments", body = accounts::ErrorBody),
              (status = 404, description = "no such order, or not yours", body = accounts::ErrorBody)))]
pub async fn order_payments(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    let view = pool.run(move |c| payments_of(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The buyer's (or admin's) view of an order's money; sellers and staff see
/// the order but not the buyer's transfers.
fn payments_of(
    c: &mut storage::DbConnection,
    actor: &Actor,
    id: &str,
) -> Result<OrderPayments, ServiceError> {
    // sellers and staff see orders, not the buyer's bank transfers
    actor.require(&[Role::Admin, Role::Buyer])?;
    // the order rules decide whose order it is
    let order = market::orders::store::get(c, actor, id)?;
    let escrow = ledger::account(c, &chart::escrow_code(&order.id))?;
    let refund = ledger::account(c, &chart::refund_code(&order.id))?;
    Ok(OrderPayments {
        paid_vnd: order.paid_vnd,
        held_vnd: escrow.as_ref().map_or(0, |a| a.balance()),
        refund_due_vnd: refund.as_ref().map_or(0, |a| a.balance()),
        refunded_vnd: refund.as_ref().map_or(0, |a| a.debits_posted),
        transfers: bank_transfers::for_order(c, &order.id)?,
        order_id: order.id,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QrImageQuery {
    /// Pixels per QR module, 2 to 16 (default 6).
    pub scale: Option<u32>,
}

/// The VietQR code the buyer scans with a banking app, as a PNG, while the
/// order awaits payment: the amount still due and the order code. For the
/// order's buyer (and admin).
#[utoipa::path(get, path = "/api/v1/orders/{id}/vietqr.png", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path), QrImageQuery),
    responses((status = 200, content_type = "image/png", body = Vec<u8>),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 404, description = "no such order of yours", body = accounts::ErrorBody),
              (status = 409, description = "nothing to pay by bank transfer", body = accounts::ErrorBody)))]
pub async fn order_vietqr_png(
    pool: web::Data<storage::Pool>,
    payments: web::Data<dyn market::orders::PaymentRequests>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<QrImageQuery>,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    let scale = query.scale.unwrap_or(6);
    if !(2..=16).contains(&scale) {
        return Err(ServiceError::invalid("scale", "from 2 to 16 pixels per module"));
    }
    // the code is for the buyer to scan (admin may look at it)
    actor.require(&[Role::Admin, Role::Buyer])?;
    let payments: Arc<dyn market::orders::PaymentRequests> = payments.into_inner();
    let order =
        pool.run(move |c| market::orders::store::get(c, &actor, &id).map_err(ServiceError::from)).await?;
    let owed = order.amount_due_vnd - order.paid_vnd;
    if order.payment_method != "vietqr" || order.status != "placed" || owed <= 0 {
        return Err(ServiceError::conflict(
            "nothing_to_pay",
            "this order has nothing to pay by bank transfer",
        ));
    }
    let request =
        payments.vietqr(&order.code, owed).map_err(|e| ServiceError::conflict("payment_unavailable", e))?;
    let png = labels::qr_png(&request.payload, scale).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        // the amount changes as money arrives
        .insert_header(("Cache-Control", "private, no-cache"))
        .body(png))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrialBalanceView {
    /// Every account: posted debits and credits, pending ones, and the
    /// balance on its normal side.
    pub accounts: Vec<AccountLine>,
    pub debits_posted_vnd: i64,
    pub credits_posted_vnd: i64,
    pub debits_pending_vnd: i64,
    pub credits_pending_vnd: i64,
    /// Debits equal credits, posted and pending: always true unless the
    /// books are broken.
    pub balanced: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountLine {
    pub code: String,
    /// `debit` (assets) or `credit` (liabilities, revenue).
    pub normal_side: String,
    pub debits_posted_vnd: i64,
    pub credits_posted_vnd: i64,
    pub debits_pending_vnd: i64,
    pub credits_pending_vnd: i64,
    pub balance_vnd: i64,
    pub available_vnd: i64,
}

impl From<&ledger::Account> for AccountLine {
    fn from(a: &ledger::Account) -> Self {
        AccountLine {
            code: a.code.clone(),
            normal_side: a.normal.as_str().to_string(),
            debits_posted_vnd: a.debits_posted,
            credits_posted_vnd: a.credits_posted,
            debits_pending_vnd: a.debits_pending,
            credits_pending_vnd: a.credits_pending,
            balance_vnd: a.balance(),
            available_vnd: a.available(),
        }
    }
}

/// The trial balance of the escrow ledger (admin): every account's totals;
/// debits always equal credits.
#[utoipa::path(get, path = "/api/v1/ledger/trial-balance", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = TrialBalanceView), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody)))]
pub async fn trial_balance(
    pool: web::Data<storage::Pool>,
    actor: Actor,
) -> Result<HttpResponse, ServiceError> {
    actor.require(&[Role::Admin])?;
    let tb = pool.run(|c| ledger::trial_balance(c).map_err(ServiceError::from)).await?;
    Ok(HttpResponse::Ok().json(TrialBalanceView {
        accounts: tb.accounts.iter().map(AccountLine::from).collect(),
        debits_posted_vnd: tb.debits_posted,
        credits_posted_vnd: tb.credits_posted,
        debits_pending_vnd: tb.debits_pending,
        credits_pending_vnd: tb.credits_pending,
        balanced: tb.is_balanced(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundPaid {
    pub amount_vnd: i64,
    /// The bank reference of the refund transfer; repeating a reference
    /// with the same amount changes nothing, with another amount is refused.
    pub reference: String,
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
    id: web::Path<String>,
    body: web::Json<RefundPaid>,
) -> Result<HttpResponse, ServiceError> {
    actor.require(&[Role::Admin])?;
    let id = id.into_inner();
    let RefundPaid { amount_vnd, reference } = body.into_inner();
    let reference = accounts::clean_text("reference", &reference, 100)?;
    // it becomes part of the ledger's idempotency key, which is ASCII
    if !reference.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Err(ServiceError::invalid(
            "reference",
            "the bank's reference: letters, digits and punctuation without diacritics",
        ));
    }
    if amount_vnd <= 0 || amount_vnd > crate::MAX_NOTIFIED_AMOUNT_VND {
        return Err(ServiceError::invalid("amount_vnd", "a positive whole number of đồng"));
    }
    let view = pool
        .run(move |c| {
            let order = market::orders::store::get(c, &actor, &id)?;
            storage::write_transaction(c, |c| {
                crate::escrow::post(
                    c,
                    &format!("refund-paid:{}:{reference}", order.id),
                    &chart::refund_code(&order.id),
                    chart::BANK,
                    amount_vnd,
                    &format!("order {}: paid back to the buyer ({reference})", order.code),
                    &order.id,
                )?;
                accounts::audit::record(c, &actor, None, "payment.refund", "order", &order.id)?;
                Ok::<_, ServiceError>(())
            })?;
            payments_of(c, &actor, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostOfficeQuery {
    /// Admin names the post office (organisation id); staff see their own.
    pub post_office: Option<String>,
}

/// What a post office owes for cash on delivery, and its remittances.
#[utoipa::path(get, path = "/api/v1/cod/position", tag = "payments", security(("bearer" = [])),
    params(PostOfficeQuery),
    responses((status = 200, body = CodPosition), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 422, body = accounts::ErrorBody)))]
pub async fn cod_position(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<PostOfficeQuery>,
) -> Result<HttpResponse, ServiceError> {
    let office = query.into_inner().post_office;
    let view = pool.run(move |c| cod::position(c, &actor, office.as_deref())).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRemittance {
    /// Admin only: which post office.
    pub post_office: Option<String>,
    /// All that is owed when left out.
    pub amount_vnd: Option<i64>,
    /// The bank reference of the transfer.
    pub reference: Option<String>,
}

/// Post-office staff announce cash sent on to the collection account.
#[utoipa::path(post, path = "/api/v1/cod/remittances", tag = "payments", security(("bearer" = [])),
    request_body = NewRemittance,
    responses((status = 201, body = Remittance), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "more than the post office owes", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn announce_remittance(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    body: web::Json<NewRemittance>,
) -> Result<HttpResponse, ServiceError> {
    let b = body.into_inner();
    let view = pool
        .run(move |c| {
            cod::announce(c, &actor, b.post_office.as_deref(), b.amount_vnd, b.reference.as_deref())
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemittanceReceived {
    /// The bank notification the remittance arrived as (it waits in
    /// suspense, naming no order); leave out when it came another way.
    pub notification_id: Option<String>,
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
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    // no body is fine; a body that does not parse is refused, never taken
    // for "no notification" (that would book the money a second time)
    let notification = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<RemittanceReceived>(&body)
            .map_err(|e| ServiceError::MalformedJson(e.to_string()))?
            .notification_id
    };
    let view = pool.run(move |c| cod::resolve(c, &actor, &id, true, notification.as_deref())).await?;
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
    id: web::Path<String>,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    let view = pool.run(move |c| cod::resolve(c, &actor, &id, false, None)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Admin starts a payout run: every seller's payable, as far as the
/// collection account holds the money, set aside in a new batch.
#[utoipa::path(post, path = "/api/v1/payouts", tag = "payments", security(("bearer" = [])),
    responses((status = 201, body = PayoutBatch), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "nobody is owed anything payable now", body = accounts::ErrorBody)))]
pub async fn create_payout(
    pool: web::Data<storage::Pool>,
    actor: Actor,
) -> Result<HttpResponse, ServiceError> {
    let view = pool.run(move |c| payouts::create(c, &actor)).await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Serialize, ToSchema)]
pub struct PayoutList {
    pub items: Vec<PayoutBatch>,
}

/// Payout batches, newest first (admin).
#[utoipa::path(get, path = "/api/v1/payouts", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = PayoutList), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody)))]
pub async fn list_payouts(
    pool: web::Data<storage::Pool>,
    actor: Actor,
) -> Result<HttpResponse, ServiceError> {
    let items = pool.run(move |c| payouts::list(c, &actor)).await?;
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
    id: web::Path<String>,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    let view = pool.run(move |c| payouts::get(c, &actor, &id)).await?;
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
    id: web::Path<String>,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    let name = format!("nongsan-payout-{}.csv", id.get(..8).unwrap_or(&id));
    let file = pool.run(move |c| payouts::bank_file(c, &actor, &id)).await?;
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
    id: web::Path<String>,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    let view = pool.run(move |c| payouts::mark_sent(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutConfirmation {
    /// Sellers the bank could not pay; their money stays owed.
    #[serde(default)]
    pub failed_seller_ids: Vec<String>,
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
    id: web::Path<String>,
    body: web::Json<PayoutConfirmation>,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    let failed = body.into_inner().failed_seller_ids;
    let view = pool.run(move |c| payouts::confirm(c, &actor, &id, &failed)).await?;
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
    id: web::Path<String>,
) -> Result<HttpResponse, ServiceError> {
    let id = id.into_inner();
    let view = pool.run(move |c| payouts::statement(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    bank_webhook,
    list_transfers,
    assign_transfer,
    return_transfer,
    order_payments,
    order_vietqr_png,
    record_refund,
    trial_balance,
    cod_position,
    announce_remittance,
    remittance_received,
    remittance_cancelled,
    create_payout,
    list_payouts,
    get_payout,
    payout_bank_file,
    payout_sent,
    payout_confirmed,
    seller_statement
))]
pub struct PaymentsApi;
