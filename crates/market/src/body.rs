//! Reading request bodies by hand, for routes that take something other
//! than a JSON document, so that every failure still answers in JSON.

use actix_web::{web, HttpRequest};

use common::{ApiError, ErrorCode};

/// The body, at most `max` bytes (`too_large` says so otherwise); a body
/// that stalls or breaks off is the client's problem (408 or 400), not a
/// 500.
pub async fn read_limited(
    req: &HttpRequest,
    body: web::Payload,
    max: usize,
    too_large: fn() -> ApiError,
) -> Result<web::Bytes, ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    match body.to_bytes_limited(max).await {
        Err(_) => Err(too_large()),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => {
            let timed_out = e.as_error::<actix_web::error::PayloadError>().is_some_and(|p| {
                matches!(p, actix_web::error::PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
            });
            Err(if timed_out {
                ApiError::new(ErrorCode::RequestTimeout, e.to_string())
            } else {
                ApiError::new(ErrorCode::BadRequest, format!("the body could not be read: {e}"))
            })
        }
    }
}
