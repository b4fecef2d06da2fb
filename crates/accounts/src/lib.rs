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
pub mod throttle;
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

/// Text from a client: trimmed, in NFC (Vietnamese typed with combining
/// marks is stored like Vietnamese typed precomposed), 1..=max characters,
/// no control characters (PostgreSQL cannot even store U+0000, and none
/// belong in a name), and no invisible formatting characters (see
/// [`is_invisible_format`]).
pub fn clean_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    use unicode_normalization::UnicodeNormalization;
    let nfc: String = value.trim().nfc().collect();
    let v = nfc.as_str();
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
    if let Some(c) = v.chars().find(|c| is_invisible_format(*c)) {
        return Err(ApiError::field(
            ErrorCode::InvisibleCharacters,
            field,
            format!("invisible formatting characters are not allowed (U+{:04X})", u32::from(c)),
        )
        .param("character", format!("U+{:04X}", u32::from(c))));
    }
    Ok(v.to_string())
}

/// Characters that change how text looks without being seen: Unicode's
/// format category (Cf: the bidirectional overrides and isolates such as
/// U+202E, zero-width spaces and joiners, U+FEFF, soft hyphens, tags) and
/// the line and paragraph separators. In a name they make staff read
/// something other than what is stored (U+202E before "ệuhT" shows "Thuệ"); no
/// Vietnamese text needs them (its marks are combining marks, Mn).
pub fn is_invisible_format(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory};
    matches!(
        get_general_category(c),
        GeneralCategory::Format | GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
    )
}

#[cfg(test)]
mod clean_text_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn vietnamese_is_kept_and_stored_precomposed() {
        assert_eq!(clean_text("name", " Hoàng Văn Thào ", 100).unwrap(), "Hoàng Văn Thào");
        // typed with combining marks (NFD): accepted, stored as NFC
        let decomposed = "Nguye\u{302}\u{303}n Thi\u{323} Lan";
        assert_eq!(clean_text("name", decomposed, 100).unwrap(), "Nguyễn Thị Lan");
        assert_eq!(clean_text("name", "Đặng Thị Ngọc Ánh", 100).unwrap(), "Đặng Thị Ngọc Ánh");
    }

    #[test]
    fn invisible_and_direction_changing_characters_are_refused() {
        for spoof in [
            "\u{202E}ệuhT",
            "Th\u{200B}ào",
            "Thào\u{2066}",
            "\u{FEFF}Lan",
            "A\u{200D}B",
            "a\u{2028}b",
            "Lan\u{00AD}",
        ] {
            let e = clean_text("name", spoof, 100).unwrap_err();
            assert_eq!(
                (e.code(), e.field_name()),
                (ErrorCode::InvisibleCharacters, Some("name")),
                "{spoof:?}"
            );
        }
        assert_eq!(clean_text("name", "a\u{7}b", 100).unwrap_err().code(), ErrorCode::ControlCharacters);
    }
}
