//! Checks of reference codes, pure: no SQL (whether a code is in the list
//! is the store's question).

use common::{ApiError, ErrorCode};

/// A commune code as the 2025 list writes it: five digits.
pub fn check_commune_code(field: &str, code: &str) -> Result<String, ApiError> {
    let code = code.trim();
    if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(ApiError::field(
            ErrorCode::InvalidFormat,
            field,
            format!("`{code}` is not a commune code (5 digits)"),
        )
        .param("expected", "5 digits"))
    }
}
