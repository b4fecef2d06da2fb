//! Market: reference data (communes, banks, categories, units), seller
//! onboarding, listings and their search, and orders.

pub mod banks;
pub mod body;
pub mod catalog;
pub mod communes;
pub mod listings;
pub mod orders;
pub mod routes;
pub mod seller_csv;
pub mod seller_import;
pub mod sellers;
pub mod stats;
pub mod text;

use actix_web::http::StatusCode;
use orders::lifecycle::TransitionError;

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
    Transition(#[from] orders::lifecycle::TransitionError),
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
    InvalidRows { message: String, rows: Vec<seller_csv::RowError> },
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
    Api(#[from] common::ApiError),
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

/// A commune code as the 2025 list writes it: five digits.
pub fn check_commune_code(field: &str, code: &str) -> Result<String, MarketError> {
    let code = code.trim();
    if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(MarketError::invalid(field, format!("`{code}` is not a commune code (5 digits)")))
    }
}

/// Opaque ids are UUIDs; anything else cannot name a row (and must not
/// reach the database as a query value, e.g. with a NUL byte).
pub fn plausible_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl From<actix_web::error::BlockingError> for MarketError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        MarketError::Internal(e.to_string())
    }
}

impl From<MarketError> for common::ApiError {
    fn from(e: MarketError) -> Self {
        match e {
            MarketError::Api(e) => e,
            other => other.describe(),
        }
    }
}

impl MarketError {
    /// What the client is told: a code from the API's one error table.
    fn describe(&self) -> common::ApiError {
        use common::{ApiError, ErrorCode};
        let message = self.to_string();
        match self {
            MarketError::Invalid { field, message } => ApiError::invalid(field, message),
            MarketError::NotFound(_) => ApiError::new(ErrorCode::NotFound, message),
            MarketError::Conflict(m) => ApiError::conflict(m),
            MarketError::InsufficientStock { listing_id, available } => {
                // the buyer's app can show what is left and offer to adjust
                ApiError::new(ErrorCode::InsufficientStock, message)
                    .param("listing_id", listing_id.as_str())
                    .param("available", *available)
                    .with_extra("listing_id", listing_id.as_str())
                    .with_extra("available", *available)
            }
            MarketError::ListingUnavailable(_) => ApiError::new(ErrorCode::ListingUnavailable, message),
            MarketError::Transition(TransitionError::NotAllowed { .. }) => {
                ApiError::new(ErrorCode::Forbidden, message)
            }
            MarketError::Transition(TransitionError::NotPaid) => ApiError::new(ErrorCode::NotPaid, message),
            MarketError::Transition(TransitionError::Invalid { .. }) => {
                ApiError::new(ErrorCode::InvalidTransition, message)
            }
            MarketError::PaymentUnavailable(_) => ApiError::new(ErrorCode::PaymentMethodUnavailable, message),
            MarketError::MalformedJson(_) => ApiError::new(ErrorCode::MalformedJson, message),
            MarketError::PreconditionFailed(_) => ApiError::new(ErrorCode::PreconditionFailed, message),
            MarketError::Photo(e) => e.into(),
            MarketError::InvalidFile(_) => ApiError::new(ErrorCode::InvalidFile, message),
            MarketError::InvalidRows { rows, .. } => ApiError::new(ErrorCode::InvalidRows, message)
                .with_extra("rows", serde_json::to_value(rows).unwrap_or_default()),
            MarketError::PayloadTooLarge(_) => ApiError::new(ErrorCode::PayloadTooLarge, message),
            MarketError::UnsupportedMediaType(_) => ApiError::new(ErrorCode::UnsupportedMediaType, message),
            MarketError::RequestTimeout(_) => ApiError::new(ErrorCode::RequestTimeout, message),
            MarketError::BadRequest(_) => ApiError::new(ErrorCode::BadRequest, message),
            MarketError::Api(e) => ApiError::new(e.code(), e.message()),
            MarketError::Storage(_) | MarketError::Internal(_) => ApiError::internal(message),
        }
    }
}

impl actix_web::ResponseError for MarketError {
    fn status_code(&self) -> StatusCode {
        match self {
            MarketError::Api(e) => e.status(),
            other => other.describe().status(),
        }
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        match self {
            MarketError::Api(e) => e.error_response(),
            other => other.describe().error_response(),
        }
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
    pub rows: Option<Vec<seller_csv::RowError>>,
}
