//! The crate's one error type and its HTTP mapping.

use actix_web::http::StatusCode;

/// The one error type of this crate, mapped to HTTP once, below.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// Input that breaks a rule: the field and what is wrong with it.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// JSON that parses but is not I-JSON (duplicate names, lone surrogates).
    #[error("not I-JSON (RFC 7493): {0}")]
    NotIJson(String),
    /// A GS1 Digital Link path or URI that does not parse.
    #[error("malformed Digital Link: {0}")]
    MalformedLink(String),
    /// A proof could not be created or checked (bad key, bad encoding…).
    #[error("proof: {0}")]
    Proof(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Api(#[from] common::ApiError),
    #[error(transparent)]
    Label(#[from] labels::LabelError),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl TraceError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        TraceError::Invalid { field: field.into(), message: message.into() }
    }
}

impl From<diesel::result::Error> for TraceError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            // a concurrent request took the same lot code, GTIN or chain place
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                TraceError::Conflict("a concurrent change got there first; try again".into())
            }
            other => TraceError::Storage(other.into()),
        }
    }
}

impl From<actix_web::error::BlockingError> for TraceError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        TraceError::Internal(e.to_string())
    }
}

impl From<TraceError> for common::ApiError {
    fn from(e: TraceError) -> Self {
        match e {
            TraceError::Api(e) => e,
            other => other.describe(),
        }
    }
}

impl TraceError {
    /// What the client is told: a code from the API's one error table.
    fn describe(&self) -> common::ApiError {
        use common::{ApiError, ErrorCode};
        match self {
            TraceError::Invalid { field, message } => ApiError::invalid(field, message),
            TraceError::MalformedLink(_) => ApiError::new(ErrorCode::MalformedDigitalLink, self.to_string()),
            TraceError::NotIJson(_) => ApiError::new(ErrorCode::MalformedJson, self.to_string()),
            TraceError::NotFound(_) => ApiError::new(ErrorCode::NotFound, self.to_string()),
            TraceError::Conflict(m) => ApiError::conflict(m),
            TraceError::Label(e) => e.into(),
            TraceError::Api(e) => ApiError::new(e.code(), e.message()),
            TraceError::Proof(_) | TraceError::Storage(_) | TraceError::Internal(_) => {
                ApiError::internal(self.to_string())
            }
        }
    }
}

impl actix_web::ResponseError for TraceError {
    fn status_code(&self) -> StatusCode {
        match self {
            TraceError::Api(e) => e.status(),
            other => other.describe().status(),
        }
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        match self {
            TraceError::Api(e) => e.error_response(),
            other => other.describe().error_response(),
        }
    }
}
