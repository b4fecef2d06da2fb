//! Market: reference data (communes, banks, categories, units), seller
//! onboarding, and (later) listings and orders.

pub mod banks;
pub mod catalog;
pub mod communes;
pub mod routes;
pub mod seller_csv;
pub mod sellers;
pub mod text;

use actix_web::http::StatusCode;

/// The one error type of this crate, mapped to HTTP once, below.
#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
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

/// A commune code as the 2025 list writes it: five digits.
pub fn check_commune_code(field: &str, code: &str) -> Result<String, MarketError> {
    let code = code.trim();
    if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(MarketError::invalid(field, format!("`{code}` is not a commune code (5 digits)")))
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
            MarketError::Conflict(_) => StatusCode::CONFLICT,
            MarketError::Accounts(e) => e.status_code(),
            MarketError::Storage(_) | MarketError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        let code = match self {
            MarketError::Invalid { .. } => "invalid_input",
            MarketError::NotFound(_) => "not_found",
            MarketError::Conflict(_) => "conflict",
            MarketError::Accounts(e) => return e.error_response(),
            MarketError::Storage(_) | MarketError::Internal(_) => "internal",
        };
        accounts::json_error(self.status_code(), code, &self.to_string())
    }
}
