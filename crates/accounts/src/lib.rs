//! Accounts: users and roles, password hashing, bearer sessions, login
//! throttling, activation codes, the `Actor` every handler is given, and the
//! audit trail. Errors follow the one rule written in `common::error`.

pub mod access;
pub mod actor;
pub mod audit;
pub mod passwords;
pub mod phone;
pub mod routes;
pub mod sessions;
pub mod users;

pub use actor::{Actor, OptionalActor};
pub use common::{ApiError, ErrorBody, ErrorCode};
pub use phone::Phone;

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

/// Text from a client: trimmed, 1..=max characters, no control characters
/// (PostgreSQL cannot even store U+0000, and none belong in a name).
pub fn clean_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    let count = v.chars().count();
    if count == 0 || count > max {
        let code = if count == 0 { ErrorCode::Required } else { ErrorCode::TooLong };
        return Err(ApiError::field(code, field, format!("1 to {max} characters")).param("max", max));
    }
    if v.chars().any(char::is_control) {
        return Err(ApiError::field(
            ErrorCode::ControlCharacters,
            field,
            "control characters are not allowed",
        ));
    }
    Ok(v.to_string())
}
