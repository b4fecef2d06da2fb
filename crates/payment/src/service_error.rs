//! The one error type of the payment service (webhook, escrow, COD,
//! payouts, books), mapped to HTTP here and nowhere else. The pure cores
//! keep their own precise errors ([`crate::PaymentError`] for VietQR,
//! [`crate::ledger::LedgerError`], [`crate::NotificationError`]),
//! which convert into this one.

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
    Api(#[from] common::ApiError),
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

impl From<ServiceError> for common::ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Api(e) => e,
            other => other.describe(),
        }
    }
}

impl ServiceError {
    /// What the client is told: a code from the API's one error table.
    fn describe(&self) -> common::ApiError {
        use common::{ApiError, ErrorCode};
        let message = self.to_string();
        match self {
            ServiceError::Invalid { field, message } => ApiError::invalid(field, message),
            ServiceError::Notification(_) | ServiceError::VietQr(_) => {
                ApiError::new(ErrorCode::InvalidInput, message)
            }
            ServiceError::NotFound(_) => ApiError::new(ErrorCode::NotFound, message),
            ServiceError::Conflict { code, message } => {
                let code = ErrorCode::ALL.iter().find(|c| c.as_str() == *code).copied();
                ApiError::new(code.unwrap_or(ErrorCode::Conflict), message)
            }
            ServiceError::Unauthorized(_) => ApiError::new(ErrorCode::Unauthorized, message),
            ServiceError::MalformedJson(_) => ApiError::new(ErrorCode::MalformedJson, message),
            ServiceError::PayloadTooLarge(_) => ApiError::new(ErrorCode::PayloadTooLarge, message),
            ServiceError::Ledger(LedgerError::KeyConflict { .. }) => {
                ApiError::new(ErrorCode::IdempotencyKeyReused, message)
            }
            ServiceError::Ledger(LedgerError::InsufficientFunds { .. }) => {
                ApiError::new(ErrorCode::InsufficientFunds, message)
            }
            ServiceError::Ledger(LedgerError::AlreadyResolved(_)) => {
                ApiError::new(ErrorCode::AlreadyResolved, message)
            }
            ServiceError::Ledger(LedgerError::InvalidAmount | LedgerError::InvalidKey) => {
                ApiError::new(ErrorCode::InvalidInput, message)
            }
            ServiceError::Api(e) => ApiError::new(e.code(), e.message()),
            ServiceError::Ledger(_) | ServiceError::Storage(_) | ServiceError::Internal(_) => {
                ApiError::internal(message)
            }
        }
    }
}

impl actix_web::ResponseError for ServiceError {
    fn status_code(&self) -> StatusCode {
        match self {
            ServiceError::Api(e) => e.status(),
            other => other.describe().status(),
        }
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        match self {
            ServiceError::Api(e) => e.error_response(),
            other => other.describe().error_response(),
        }
    }
}
