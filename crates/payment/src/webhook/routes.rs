//! The webhook endpoint.

use actix_web::{web, HttpRequest, HttpResponse};

use super::{auth, store, WebhookAnswer, WebhookSettings};
use crate::{transfers, BankNotification};
use common::{ApiError, ErrorCode};

/// Notification bodies are a few hundred bytes.
const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

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
) -> Result<HttpResponse, ApiError> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let key = settings.api_key.as_deref().unwrap_or_default();
    if !auth::api_key_matches(header("authorization"), key) {
        telemetry::bank_notification("refused_key");
        tracing::warn!(peer = ?req.peer_addr(), "bank webhook: wrong or missing API key");
        return Err(ApiError::new(ErrorCode::Unauthorized, "wrong or missing `Authorization: Apikey …`"));
    }
    let body = market::body::read_limited(&req, body, MAX_WEBHOOK_BYTES, || {
        common::ApiError::new(
            common::ErrorCode::PayloadTooLarge,
            format!("a notification is at most {} KB", MAX_WEBHOOK_BYTES / 1024),
        )
    })
    .await
    .inspect_err(|_| telemetry::bank_notification("refused"))?;
    if let Some(secret) = &settings.signing_secret {
        auth::verify_signature(
            secret,
            header(auth::TIMESTAMP_HEADER),
            header(auth::SIGNATURE_HEADER),
            &body,
            chrono::Utc::now(),
        )
        .map_err(|e| {
            telemetry::bank_notification("refused_signature");
            tracing::warn!(peer = ?req.peer_addr(), error = %e, "bank webhook: signature refused");
            ApiError::new(ErrorCode::Unauthorized, format!("signature refused: {e}"))
        })?;
    }
    let settings = settings.into_inner();
    let outcome = pool
        .run(move |c| {
            let inbox = store::store_raw(c, &body)?;
            let notification = match BankNotification::parse(&body) {
                Ok(n) => n,
                Err(e) => {
                    store::note_outcome(c, &inbox, None, &format!("refused: {e}"))?;
                    tracing::warn!(error = %e, "bank webhook: notification refused");
                    return Err(ApiError::from(e));
                }
            };
            let outcome = transfers::store::receive(c, &notification, settings.collection_account.as_deref());
            let noted = match &outcome {
                Ok(o) => o.as_str().to_string(),
                Err(e) => format!("failed: {e}"),
            };
            store::note_outcome(c, &inbox, Some(notification.id()), &noted)?;
            tracing::info!(id = %notification.id(), outcome = %noted, "bank webhook");
            outcome
        })
        .await;
    telemetry::bank_notification(match &outcome {
        Ok(o) => o.as_str(),
        Err(e) if e.status().is_server_error() => "failed",
        Err(_) => "refused",
    });
    let outcome = outcome?;
    tracing::debug!(outcome = outcome.as_str(), "bank webhook handled");
    Ok(HttpResponse::Ok().json(WebhookAnswer { success: true }))
}
