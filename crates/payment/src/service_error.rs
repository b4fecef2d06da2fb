//! The one error type of the payment service (webhook, escrow, COD,
//! payouts, books), mapped to HTTP here and nowhere else. The pure cores
//! keep their own precise errors ([`crate::PaymentError`] for VietQR,
//! [`crate::ledger::LedgerError`], [`crate::NotificationError`]),
//! which convert into this one.

use accounts::json_error;
use actix_web::http::StatusCode;

use crate::ledger::LedgerError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0} not found")]
    NotFound(String),
    /// The request clashes with the state things are in; `code` says
    /// which clash, for clients that act on it.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A webhook call without the right key or signature.
    #[error("{0}")]
    Unauthorized(String),
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error(transparent)]
    Notification(#[from] crate::NotificationError),
    #[error(transparent)]
    VietQr(#[from] crate::PaymentError),
    #[error(transparent)]
    Ledger(LedgerError),
    #[error(transparent)]
    Market(#[from] market::MarketError),
    #[error(transparent)]
    Accounts(#[from] accounts::AccountsError),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid { field: field.to_string(), message: message.into() }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Conflict { code, message: message.into() }
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::Storage(e.into())
    }
}

impl From<LedgerError> for ServiceError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::Storage(d) => ServiceError::Storage(d.into()),
            other => ServiceError::Ledger(other),
        }
    }
}

impl actix_web::ResponseError for ServiceError {
    fn status_code(&self) -> StatusCode {
        match self {
            ServiceError::Invalid { .. } | ServiceError::Notification(_) | ServiceError::VietQr(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Conflict { .. } => StatusCode::CONFLICT,
            ServiceError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServiceError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            ServiceError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ServiceError::Ledger(e) => match e {
                LedgerError::KeyConflict { .. }
                | LedgerError::InsufficientFunds { .. }
                | LedgerError::AlreadyResolved(_) => StatusCode::CONFLICT,
                LedgerError::InvalidAmount | LedgerError::InvalidKey => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ServiceError::Market(e) => actix_web::ResponseError::status_code(e),
            ServiceError::Accounts(e) => e.status_code(),
            ServiceError::Storage(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        let code = match self {
            ServiceError::Invalid { .. } | ServiceError::Notification(_) | ServiceError::VietQr(_) => {
                "invalid_input"
            }
            ServiceError::NotFound(_) => "not_found",
            ServiceError::Conflict { code, .. } => code,
            ServiceError::Unauthorized(_) => "unauthorized",
            ServiceError::MalformedJson(_) => "malformed_json",
            ServiceError::PayloadTooLarge(_) => "payload_too_large",
            ServiceError::Ledger(LedgerError::KeyConflict { .. }) => "idempotency_key_reused",
            ServiceError::Ledger(LedgerError::InsufficientFunds { .. }) => "insufficient_funds",
            ServiceError::Ledger(LedgerError::AlreadyResolved(_)) => "already_resolved",
            ServiceError::Ledger(LedgerError::InvalidAmount | LedgerError::InvalidKey) => "invalid_input",
            ServiceError::Market(e) => return actix_web::ResponseError::error_response(e),
            ServiceError::Accounts(e) => return e.error_response(),
            ServiceError::Ledger(_) | ServiceError::Storage(_) | ServiceError::Internal(_) => "internal",
        };
        json_error(self.status_code(), code, &self.to_string())
    }
}
