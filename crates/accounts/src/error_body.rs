//! The error JSON every route answers with: `{"error":{"code","message"}}`.
//! Written once here; each crate's error type picks status, code and message,
//! and an unexpected failure is logged in full while the client sees a bare
//! "internal" with no internals.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_input`, `not_found`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

pub fn json_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    let message = if status.is_server_error() {
        tracing::error!(%status, code, cause = message, "request failed");
        "internal error; it has been logged".to_string()
    } else {
        message.to_string()
    };
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .json(ErrorBody { error: ErrorDetail { code: code.to_string(), message } })
}
