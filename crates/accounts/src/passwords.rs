//! Password hashing with argon2id (the `argon2` crate's default parameters,
//! which follow OWASP's recommendation), and the rules for new passwords.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::{ApiError, ErrorCode};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

pub fn check_new_password(password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(ApiError::field(
            ErrorCode::TooShort,
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        )
        .param("min", MIN_PASSWORD_CHARS));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(ApiError::field(
            ErrorCode::TooLong,
            "password",
            format!("at most {MAX_PASSWORD_CHARS} characters"),
        )
        .param("max", MAX_PASSWORD_CHARS));
    }
    Ok(())
}

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("hashing password: {e}")))
}

pub fn verify_password(stored_hash: &str, password: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real check, so a response time does not tell
/// whether a phone number has an account.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default());
    let _ = verify_password(hash, password);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_password("mật khẩu dài").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "mật khẩu dài"));
        assert!(!verify_password(&h, "mat khau dai"));
        assert!(!verify_password("garbage", "x"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_new_password("1234567").is_err());
        assert!(check_new_password("12345678").is_ok());
    }
}
