//! GS1 Digital Link URIs for lots: `{public_url}/01/{GTIN-14}/10/{lot}`.
//!
//! nongsan serves its Digital Links at the root of its own domain and only
//! ever issues the one shape GTIN + lot, so the parser accepts exactly
//! `/01/{14 digits}/10/{lot}` and nothing else: no path prefix, no other
//! qualifiers (22, 21, 235), no trailing slash. Anything else is a 400
//! (`malformed_digital_link`) rather than a guess at what was meant.
//!
//! Rules follow GS1's own engine (see STANDARDS.md §3): the GTIN in a URI
//! must be exactly 14 digits with a correct check digit, and the path is
//! percent-decoded leniently (`%2D` and `%2d` are both `-`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::gtin::Gtin;
use common::{ApiError, ErrorCode};

/// GS1 Digital Link's canonical domain; its URIs name a lot independently of
/// whoever serves it, which is what EPCIS wants as a class identifier.
pub const GS1_CANONICAL_STEM: &str = "https://id.gs1.org";

/// Longest lot code: GS1 AI (10) is `X..20`.
pub const LOT_CODE_MAX_LEN: usize = 20;

/// A lot code: 1 to 20 characters of `A-Z a-z 0-9 - . _`.
///
/// This is stricter than GS1's CSET 82 on purpose (SPEC): every allowed
/// character is unreserved in URIs, so a lot code never needs escaping in a
/// Digital Link, in a QR code or in a file name, and a human can read it off
/// a label without ambiguity about punctuation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LotCode(String);

fn is_lot_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')
}

impl LotCode {
    pub fn parse(s: &str) -> Result<LotCode, ApiError> {
        if s.is_empty() {
            return Err(ApiError::field(ErrorCode::Required, "lot_code", "must not be empty"));
        }
        if let Some(c) = s.chars().find(|c| !is_lot_char(*c)) {
            return Err(ApiError::field(
                ErrorCode::InvalidFormat,
                "lot_code",
                format!("may contain only A-Z a-z 0-9 - . _ (found {c:?})"),
            )
            .param("expected", "A-Z a-z 0-9 - . _"));
        }
        // All characters are ASCII here, so bytes == characters.
        if s.len() > LOT_CODE_MAX_LEN {
            return Err(ApiError::field(ErrorCode::TooLong, "lot_code", "must be at most 20 characters")
                .param("max", LOT_CODE_MAX_LEN));
        }
        Ok(LotCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LotCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for LotCode {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LotCode::parse(s)
    }
}

impl AsRef<str> for LotCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for LotCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for LotCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        LotCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A lot's GS1 Digital Link: its GTIN and lot code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DigitalLink {
    pub gtin: Gtin,
    pub lot: LotCode,
}

fn malformed(reason: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::MalformedDigitalLink, format!("malformed Digital Link: {}", reason.into()))
}

/// Decodes `%HH` escapes (either case) and checks the result is UTF-8.
/// Everything else is taken literally, including `+`, which GS1 reads as a
/// plus sign in a path. A `%` not followed by two hex digits is an error:
/// guessing would let two different strings name the same lot.
fn percent_decode(segment: &str) -> Result<String, ApiError> {
    if !segment.contains('%') {
        return Ok(segment.to_owned());
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let value = hex
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| malformed("bad percent-encoding (expected % followed by two hex digits)"))?;
            out.push(value);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| malformed("percent-encoding does not decode to UTF-8"))
}

impl DigitalLink {
    pub fn new(gtin: Gtin, lot: LotCode) -> DigitalLink {
        DigitalLink { gtin, lot }
    }

    /// Parses a request path, exactly `/01/{GTIN-14}/10/{lot}` (no query
    /// string, no fragment: the server hands over the path alone).
    pub fn parse_path(path: &str) -> Result<DigitalLink, ApiError> {
        let rest = path.strip_prefix('/').ok_or_else(|| malformed("path must start with /"))?;
        if rest.ends_with('/') {
            return Err(malformed("trailing slash"));
        }
        let raw: Vec<&str> = rest.split('/').collect();
        // Split before decoding, so that an encoded `%2F` stays inside its
        // segment (and is then refused by the lot rule) instead of adding one.
        let segments = raw.iter().map(|s| percent_decode(s)).collect::<Result<Vec<_>, _>>()?;
        if segments.iter().any(String::is_empty) {
            return Err(malformed("empty path segment"));
        }
        match segments.first().map(String::as_str) {
            Some("01") => {}
            Some(ai) => {
                return Err(malformed(format!(
                    "path must start with /01/ (GTIN); `{ai}` is not a primary key nongsan serves"
                )))
            }
            None => return Err(malformed("empty path")),
        }
        let gtin_raw = segments.get(1).ok_or_else(|| malformed("missing GTIN after /01/"))?;
        if gtin_raw.len() != 14 || !gtin_raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed("the GTIN in a Digital Link must be exactly 14 digits"));
        }
        let gtin = Gtin::parse(gtin_raw).map_err(|e| malformed(e.to_string()))?;
        match segments.get(2).map(String::as_str) {
            Some("10") => {}
            Some(ai @ ("22" | "21" | "235")) => {
                return Err(malformed(format!(
                    "qualifier AI ({ai}) is not used by nongsan; expected /10/{{lot}}"
                )))
            }
            Some(ai) => {
                return Err(malformed(format!("unknown or unexpected AI `{ai}`; expected /10/{{lot}}")))
            }
            None => return Err(malformed("missing /10/{lot}: nongsan links always name a lot")),
        }
        let lot_raw = segments.get(3).ok_or_else(|| malformed("missing lot code after /10/"))?;
        let lot = LotCode::parse(lot_raw).map_err(|e| malformed(e.to_string()))?;
        if segments.len() > 4 {
            return Err(malformed("extra path segments after the lot code"));
        }
        Ok(DigitalLink { gtin, lot })
    }

    /// `/01/{gtin}/10/{lot}`. No escaping is needed: a GTIN is digits and a
    /// lot code uses only unreserved characters.
    pub fn path(&self) -> String {
        format!("/01/{}/10/{}", self.gtin, self.lot)
    }

    /// The URI printed on the label: `{public_url}/01/{gtin}/10/{lot}`
    /// (a trailing slash on `public_url` is dropped).
    pub fn uri(&self, public_url: &str) -> String {
        format!("{}{}", public_url.trim_end_matches('/'), self.path())
    }

    /// The same link on GS1's canonical domain,
    /// `https://id.gs1.org/01/{gtin}/10/{lot}`: a deployment-independent name
    /// for the lot, used as the EPCIS class identifier.
    pub fn canonical_gs1_uri(&self) -> String {
        self.uri(GS1_CANONICAL_STEM)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const GTIN: &str = "08938000000015";

    fn reason(path: &str) -> String {
        match DigitalLink::parse_path(path) {
            Err(e) if e.code() == ErrorCode::MalformedDigitalLink => {
                e.message().trim_start_matches("malformed Digital Link: ").to_string()
            }
            other => panic!("{path:?} gave {other:?}"),
        }
    }

    #[test]
    fn lot_code_rules() {
        for ok in ["A", "HT-2025-001", "a.b_c-D9", "12345678901234567890"] {
            assert_eq!(LotCode::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "123456789012345678901", "HT 2025", "lô-1", "a/b", "a+b", "a%2D", "a~b", "a#b", "a?b"]
        {
            assert!(LotCode::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn parses_the_one_shape() {
        let dl = DigitalLink::parse_path(&format!("/01/{GTIN}/10/HT-2025-001")).unwrap();
        assert_eq!(dl.gtin.as_str(), GTIN);
        assert_eq!(dl.lot.as_str(), "HT-2025-001");
        assert_eq!(dl.path(), format!("/01/{GTIN}/10/HT-2025-001"));
    }

    #[test]
    fn decodes_percent_escapes_leniently() {
        let dl = DigitalLink::parse_path(&format!("/01/{GTIN}/10/HT%2D2025%2d001")).unwrap();
        assert_eq!(dl.lot.as_str(), "HT-2025-001");
        let dl = DigitalLink::parse_path(&format!("/%30%31/{GTIN}/1%30/A")).unwrap();
        assert_eq!(dl.lot.as_str(), "A");
    }

    #[test]
    fn rejects_everything_else() {
        let cases = [
            String::new(),
            "/".to_owned(),
            format!("01/{GTIN}/10/A"),
            format!("/01/{GTIN}/10/A/"),
            format!("/01/{GTIN}/10/A/21/5"),
            format!("/01/{GTIN}/21/5"),
            format!("/01/{GTIN}/22/5/10/A"),
            format!("/01/{GTIN}/99/A"),
            format!("/01/{GTIN}"),
            format!("/01/{GTIN}/10"),
            format!("/01/{GTIN}/10/"),
            "/01//10/A".to_owned(),
            format!("//01/{GTIN}/10/A"),
            format!("/prefix/01/{GTIN}/10/A"),
            format!("/00/{GTIN}/10/A"),
            "/01/8938000000015/10/A".to_owned(),
            "/01/4006381333931/10/A".to_owned(),
            "/01/08938000000016/10/A".to_owned(),
            "/01/0893800000001x/10/A".to_owned(),
            format!("/01/{GTIN}/10/A%2FB"),
            format!("/01/{GTIN}/10/A%2"),
            format!("/01/{GTIN}/10/A%zz"),
            format!("/01/{GTIN}/10/%FF"),
            format!("/01/{GTIN}/10/A+B"),
            format!("/01/{GTIN}/10/A?x=1"),
            format!("/01/{GTIN}/10/123456789012345678901"),
        ];
        for path in cases {
            assert!(!reason(&path).is_empty(), "{path:?}");
        }
        assert!(reason(&format!("/01/{GTIN}/10/A/")).contains("trailing slash"));
        assert!(reason("/01/08938000000016/10/A").contains("check digit"));
        assert!(reason("/01/4006381333931/10/A").contains("14 digits"));
    }

    #[test]
    fn uri_and_canonical() {
        let dl = DigitalLink::new(Gtin::parse(GTIN).unwrap(), LotCode::parse("L1").unwrap());
        assert_eq!(dl.uri("https://nongsan.example/"), format!("https://nongsan.example/01/{GTIN}/10/L1"));
        assert_eq!(dl.uri("http://127.0.0.1:8080"), format!("http://127.0.0.1:8080/01/{GTIN}/10/L1"));
        assert_eq!(dl.canonical_gs1_uri(), format!("https://id.gs1.org/01/{GTIN}/10/L1"));
    }
}
