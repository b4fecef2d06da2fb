//! The one error type of the market and its HTTP answer: each variant's
//! status and `code`, mapped once, here.

use actix_web::http::StatusCode;

use crate::orders::lifecycle::TransitionError;
use crate::sellers::spreadsheet::RowError;

/// The one error type of this crate, mapped to HTTP once, below.
#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("only {available} left of listing `{listing_id}`")]
    InsufficientStock { listing_id: String, available: i64 },
    #[error("{0}")]
    ListingUnavailable(String),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Photo(#[from] media::MediaError),
    /// `If-Match` named another version than the current one.
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("bank transfer cannot be used: {0}")]
    PaymentUnavailable(String),
    /// A file that cannot be read as a whole (encoding, header, no rows).
    #[error("{0}")]
    InvalidFile(String),
    /// Rows of a file that break the rules, every one of them listed.
    #[error("{message}")]
    InvalidRows { message: String, rows: Vec<RowError> },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request body stopped arriving (or broke off) before its end.
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Accounts(#[from] accounts::AccountsError),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl MarketError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        MarketError::Invalid { field: field.to_string(), message: message.into() }
    }
}

impl From<diesel::result::Error> for MarketError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            // a concurrent request created the same thing first
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                MarketError::Conflict("it already exists (or was just created by another request)".into())
            }
            other => MarketError::Storage(other.into()),
        }
    }
}

impl From<actix_web::error::BlockingError> for MarketError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        MarketError::Internal(e.to_string())
    }
}

impl actix_web::ResponseError for MarketError {
    fn status_code(&self) -> StatusCode {
        match self {
            MarketError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            MarketError::NotFound(_) => StatusCode::NOT_FOUND,
            MarketError::Conflict(_)
            | MarketError::InsufficientStock { .. }
            | MarketError::ListingUnavailable(_) => StatusCode::CONFLICT,
            MarketError::Transition(TransitionError::NotAllowed { .. }) => StatusCode::FORBIDDEN,
            MarketError::Transition(_) => StatusCode::CONFLICT,
            MarketError::PaymentUnavailable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            MarketError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            MarketError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            MarketError::Photo(e) => match e {
                media::MediaError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                media::MediaError::UnsupportedFormat { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                media::MediaError::Undecodable { .. }
                | media::MediaError::TooManyPixels { .. }
                | media::MediaError::TooMuchMemory { .. }
                | media::MediaError::TooManyPhotos { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                media::MediaError::InvalidBlobKey { .. } => StatusCode::NOT_FOUND,
                media::MediaError::UnsupportedContentType { .. }
                | media::MediaError::Conversion { .. }
                | media::MediaError::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            MarketError::InvalidFile(_) | MarketError::InvalidRows { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            MarketError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            MarketError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            MarketError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            MarketError::BadRequest(_) => StatusCode::BAD_REQUEST,
            MarketError::Accounts(e) => e.status_code(),
            MarketError::Storage(_) | MarketError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        let code = match self {
            MarketError::Invalid { .. } => "invalid_input",
            MarketError::NotFound(_) => "not_found",
            MarketError::Conflict(_) => "conflict",
            MarketError::InsufficientStock { listing_id, available } => {
                // the buyer's app can show what is left and offer to adjust
                return actix_web::HttpResponse::Conflict()
                    .insert_header(("Cache-Control", "no-store"))
                    .json(serde_json::json!({"error": {
                        "code": "insufficient_stock",
                        "message": self.to_string(),
                        "listing_id": listing_id,
                        "available": available,
                    }}));
            }
            MarketError::ListingUnavailable(_) => "listing_unavailable",
            MarketError::Transition(TransitionError::NotAllowed { .. }) => "forbidden",
            MarketError::Transition(TransitionError::NotPaid) => "not_paid",
            MarketError::Transition(TransitionError::Invalid { .. }) => "invalid_transition",
            MarketError::PaymentUnavailable(_) => "payment_method_unavailable",
            MarketError::MalformedJson(_) => "malformed_json",
            MarketError::PreconditionFailed(_) => "precondition_failed",
            MarketError::Photo(e) => e.code(),
            MarketError::InvalidFile(_) => "invalid_file",
            MarketError::InvalidRows { message, rows } => return row_errors_response(message, rows),
            MarketError::PayloadTooLarge(_) => "payload_too_large",
            MarketError::UnsupportedMediaType(_) => "unsupported_media_type",
            MarketError::RequestTimeout(_) => "request_timeout",
            MarketError::BadRequest(_) => "bad_request",
            MarketError::Accounts(e) => return e.error_response(),
            MarketError::Storage(_) | MarketError::Internal(_) => "internal",
        };
        accounts::json_error(self.status_code(), code, &self.to_string())
    }
}

/// The error body of a rejected file: the usual `code` and `message`, and
/// `rows` listing each problem so staff can fix them all in one go.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RowErrorBody {
    pub error: RowErrorDetail,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RowErrorDetail {
    /// `invalid_rows`, or `invalid_file` when the file as a whole cannot be
    /// read (then there is no `rows`).
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<RowError>>,
}

fn row_errors_response(message: &str, rows: &[RowError]) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
        .insert_header(("Cache-Control", "no-store"))
        .json(RowErrorBody {
            error: RowErrorDetail {
                code: "invalid_rows".into(),
                message: message.to_string(),
                rows: Some(rows.to_vec()),
            },
        })
}
