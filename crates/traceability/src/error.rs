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
    Accounts(#[from] accounts::AccountsError),
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

impl actix_web::ResponseError for TraceError {
    fn status_code(&self) -> StatusCode {
        match self {
            TraceError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            TraceError::MalformedLink(_) | TraceError::NotIJson(_) => StatusCode::BAD_REQUEST,
            TraceError::NotFound(_) => StatusCode::NOT_FOUND,
            TraceError::Conflict(_) => StatusCode::CONFLICT,
            TraceError::Accounts(e) => e.status_code(),
            TraceError::Label(labels::LabelError::DataTooLong { .. })
            | TraceError::Label(labels::LabelError::TooDenseForLabel { .. }) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            TraceError::Proof(_)
            | TraceError::Label(_)
            | TraceError::Storage(_)
            | TraceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        let code = match self {
            TraceError::Invalid { .. } => "invalid_input",
            TraceError::MalformedLink(_) => "malformed_digital_link",
            TraceError::NotIJson(_) => "malformed_json",
            TraceError::NotFound(_) => "not_found",
            TraceError::Conflict(_) => "conflict",
            TraceError::Accounts(e) => return e.error_response(),
            TraceError::Label(_) if self.status_code().is_client_error() => "label_too_long",
            _ => "internal",
        };
        accounts::json_error(self.status_code(), code, &self.to_string())
    }
}
