//! Accounts: users and roles, password hashing, bearer sessions, login
//! throttling, activation codes, the `Actor` every handler is given, the
//! audit trail, and the JSON error shape all crates answer with.

pub mod actor;
pub mod audit;
pub mod error_body;
pub mod passwords;
pub mod phone;
pub mod routes;
pub mod sessions;
pub mod users;

pub use actor::{Actor, OptionalActor};
pub use error_body::{json_error, ErrorBody};
pub use phone::Phone;

use actix_web::http::StatusCode;

/// Who a user is to the system. Stored as the snake-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Staff,
    Farmer,
    Buyer,
    /// A commune or cooperative officer: reads statistics, changes nothing.
    Officer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Farmer => "farmer",
            Role::Buyer => "buyer",
            Role::Officer => "officer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Admin, Role::Staff, Role::Farmer, Role::Buyer, Role::Officer]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// The one error type of this crate, mapped to HTTP in one place below.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("{0}")]
    Invalid(String),
    #[error("authentication required")]
    Unauthenticated,
    #[error("wrong phone or password")]
    WrongCredentials,
    #[error("too many failed attempts; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error("this account is not allowed to do that")]
    Forbidden,
    #[error("{0}")]
    Conflict(String),
    #[error("activation code is wrong, used or expired")]
    BadActivationCode,
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<diesel::result::Error> for AccountsError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                AccountsError::Conflict("it already exists (or was just created by another request)".into())
            }
            other => AccountsError::Storage(other.into()),
        }
    }
}

/// Text from a client: trimmed, 1..=max characters, no control characters
/// (PostgreSQL cannot even store U+0000, and none belong in a name).
pub fn clean_text(field: &str, value: &str, max: usize) -> Result<String, AccountsError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(AccountsError::Invalid(format!("{field}: 1 to {max} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(AccountsError::Invalid(format!("{field}: control characters are not allowed")));
    }
    Ok(v.to_string())
}

impl From<actix_web::error::BlockingError> for AccountsError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AccountsError::Internal(e.to_string())
    }
}

impl actix_web::ResponseError for AccountsError {
    fn status_code(&self) -> StatusCode {
        match self {
            AccountsError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AccountsError::Unauthenticated | AccountsError::WrongCredentials => StatusCode::UNAUTHORIZED,
            AccountsError::BadActivationCode => StatusCode::UNAUTHORIZED,
            AccountsError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AccountsError::Forbidden => StatusCode::FORBIDDEN,
            AccountsError::Conflict(_) => StatusCode::CONFLICT,
            AccountsError::Storage(_) | AccountsError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        let code = match self {
            AccountsError::Invalid(_) => "invalid_input",
            AccountsError::Unauthenticated => "unauthenticated",
            AccountsError::WrongCredentials => "wrong_credentials",
            AccountsError::Throttled { .. } => "too_many_attempts",
            AccountsError::Forbidden => "forbidden",
            AccountsError::Conflict(_) => "conflict",
            AccountsError::BadActivationCode => "bad_activation_code",
            AccountsError::Storage(_) | AccountsError::Internal(_) => "internal",
        };
        let mut response = json_error(self.status_code(), code, &self.to_string());
        if let AccountsError::Throttled { retry_after_secs } = self {
            if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
            }
        }
        response
    }
}
