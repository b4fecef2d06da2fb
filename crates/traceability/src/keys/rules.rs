//! Pure: which organisations may sign, and whether a record's issuer is
//! trusted according to a trust list.

use chrono::{DateTime, Utc};

use super::{TrustDecision, TrustedIssuer, ORG_COOPERATIVE, ORG_POST_OFFICE};
use common::{ApiError, ErrorCode};

/// The name of a new post office or cooperative, trimmed, once its kind
/// and name pass the checks.
pub(crate) fn signing_organisation_name<'a>(kind: &str, name: &'a str) -> Result<&'a str, ApiError> {
    if ![ORG_POST_OFFICE, ORG_COOPERATIVE].contains(&kind) {
        return Err(ApiError::field(ErrorCode::UnknownValue, "kind", "must be post_office or cooperative"));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid("name", "1 to 200 characters, no control characters"));
    }
    Ok(name)
}

/// Decides trust from a trust list (also used offline by
/// `nongsan verify --trust-list FILE`).
pub fn decide_trust(list: &[TrustedIssuer], did: &str, signed_at: Option<DateTime<Utc>>) -> TrustDecision {
    let Some(entry) = list.iter().find(|e| e.did == did) else {
        return TrustDecision {
            issuer_trusted: false,
            key_not_revoked: true,
            issuer_name: None,
            reasons: vec![format!("issuer {did} is not on the trust list")],
        };
    };
    let mut reasons = vec![];
    let parse = |s: &str| DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc));
    let key_not_revoked = entry.revoked_at.is_none();
    if !key_not_revoked {
        reasons.push(format!(
            "issuer key was revoked ({})",
            entry.revocation_reason.clone().unwrap_or_else(|| "no reason given".into())
        ));
    }
    let mut in_period = true;
    match signed_at {
        None => {
            in_period = false;
            reasons.push("the proof has no `created` time to check against the key's validity".into());
        }
        Some(t) => {
            // A small allowance for clocks: records are signed by this server.
            let slack = chrono::Duration::seconds(5);
            if parse(&entry.valid_from).is_some_and(|from| t + slack < from) {
                in_period = false;
                reasons.push("signed before the key's validity period began".into());
            }
            if entry.valid_until.as_deref().and_then(parse).is_some_and(|until| t > until + slack) {
                in_period = false;
                reasons.push("signed after the key was rotated out".into());
            }
        }
    }
    TrustDecision {
        issuer_trusted: in_period && key_not_revoked,
        key_not_revoked,
        issuer_name: Some(entry.organisation_name.clone()),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn only_post_offices_and_cooperatives_with_a_clean_name_sign() {
        assert_eq!(
            signing_organisation_name("post_office", "  Bưu điện Hồng Thái ").unwrap(),
            "Bưu điện Hồng Thái"
        );
        assert!(signing_organisation_name("operator", "Nông sản số").is_err());
        assert!(signing_organisation_name("cooperative", " ").is_err());
        assert!(signing_organisation_name("cooperative", "a\u{7}b").is_err());
    }
}
