//! Vietnamese mobile numbers, parsed once at the boundary.

use crate::{ApiError, ErrorCode};

/// A phone number in national form: `0` and nine digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Accepts `0912345678`, `+84912345678`, `84912345678`, with spaces,
    /// dots or dashes as people type them.
    pub fn parse(input: &str) -> Result<Phone, ApiError> {
        let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
        let national = if let Some(rest) = digits.strip_prefix("+84") {
            format!("0{rest}")
        } else if digits.len() == 11 && digits.starts_with("84") {
            format!("0{}", &digits[2..])
        } else {
            digits
        };
        let ok = national.len() == 10
            && national.starts_with('0')
            && national.bytes().all(|b| b.is_ascii_digit())
            && national.as_bytes()[1] != b'0';
        if ok {
            Ok(Phone(national))
        } else {
            Err(ApiError::field(
                ErrorCode::InvalidFormat,
                "phone",
                format!("`{input}` is not a Vietnamese phone number (10 digits starting with 0)"),
            )
            .param("expected", "0 and 9 digits"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn national_and_international_forms_agree() {
        for s in ["0912345678", "+84912345678", "84912345678", "091 234 5678", "091.234.5678"] {
            assert_eq!(Phone::parse(s).unwrap().as_str(), "0912345678", "{s}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_phone() {
        for s in ["", "12345", "09123456789", "0012345678", "09123x5678", "+1 555 0100"] {
            assert!(Phone::parse(s).is_err(), "{s}");
        }
    }
}
