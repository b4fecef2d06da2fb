//! GS1 Global Trade Item Numbers (GTIN).
//!
//! nongsan always stores and prints the 14-digit form (GTIN-14): that is the
//! only form a GS1 Digital Link URI accepts without the engine's "legacy"
//! flag, so keeping one canonical form means one string per product and no
//! normalisation at every comparison. GTIN-8, GTIN-12 (UPC) and GTIN-13 (EAN)
//! are all common on produce, so [`Gtin::parse`] accepts them and left-pads
//! with zeros, which keeps the check digit unchanged (weights count from the
//! right).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use common::{ApiError, ErrorCode};

/// A GTIN in its canonical 14-digit form, check digit verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gtin(String);

/// The GS1 mod-10 check digit of `data_digits` (every digit except the check
/// digit): weights 3, 1, 3, 1… starting from the rightmost data digit, and
/// `check = (10 − sum mod 10) mod 10`.
///
/// `0950600013435` → 2, `1234567890123` → 1.
///
/// The input is meant to be ASCII digits only; every caller in this crate
/// checks that first. A character that is not a digit counts as 0 rather than
/// panicking, so the function stays total.
pub fn check_digit(data_digits: &str) -> u8 {
    let sum: u32 = data_digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = if b.is_ascii_digit() { u32::from(b - b'0') } else { 0 };
            if i % 2 == 0 {
                d * 3
            } else {
                d
            }
        })
        .sum();
    // `sum % 10` is below 10, so the result is below 10 and fits a u8.
    ((10 - sum % 10) % 10) as u8
}

fn invalid(message: impl Into<String>, expected: &str) -> ApiError {
    ApiError::field(ErrorCode::InvalidFormat, "gtin", message).param("expected", expected)
}

impl Gtin {
    /// Parses a GTIN-8, -12, -13 or -14 (digits only, no spaces) and returns
    /// its 14-digit form. The check digit must be correct.
    pub fn parse(s: &str) -> Result<Gtin, ApiError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("must contain digits only", "digits"));
        }
        if !matches!(s.len(), 8 | 12 | 13 | 14) {
            return Err(invalid(
                format!("must be 8, 12, 13 or 14 digits, not {}", s.len()),
                "8, 12, 13 or 14 digits",
            ));
        }
        let padded = format!("{s:0>14}");
        let (data, given) = padded.split_at(13);
        let expected = check_digit(data);
        if given.as_bytes().first().map(|b| b - b'0') != Some(expected) {
            return Err(invalid(format!("check digit is {given}, expected {expected}"), "GS1 check digit")
                .param("check_digit", expected));
        }
        Ok(Gtin(padded))
    }

    /// Builds the GTIN-14 `0` + `company_prefix` + item reference (zero-padded
    /// to fill the 12 digits after the indicator) + check digit.
    ///
    /// The indicator digit is 0 because nongsan numbers trade items, not
    /// logistic cases (indicators 1–8). A GS1 company prefix has 6 to 12
    /// digits; a 12-digit prefix leaves room for exactly one item, reference 0.
    pub fn assign(company_prefix: &str, item_reference: u64) -> Result<Gtin, ApiError> {
        if !company_prefix.bytes().all(|b| b.is_ascii_digit()) || !(6..=12).contains(&company_prefix.len()) {
            return Err(ApiError::field(
                ErrorCode::InvalidFormat,
                "company_prefix",
                "must be 6 to 12 digits",
            )
            .param("expected", "6 to 12 digits"));
        }
        let width = 12 - company_prefix.len();
        // width ≤ 6, so 10^width fits easily.
        let capacity = 10u64.pow(width as u32);
        if item_reference >= capacity {
            return Err(ApiError::field(
                ErrorCode::OutOfRange,
                "item_reference",
                format!(
                    "{item_reference} does not fit the {width} digit(s) left by a {}-digit company prefix",
                    company_prefix.len()
                ),
            )
            .param("max", capacity - 1));
        }
        // `{:0width$}` would print "0" for width 0, so the empty case is explicit.
        let item = if width == 0 { String::new() } else { format!("{item_reference:0width$}") };
        let data = format!("0{company_prefix}{item}");
        let check = check_digit(&data);
        Ok(Gtin(format!("{data}{check}")))
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Gtin {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Gtin::parse(s)
    }
}

impl AsRef<str> for Gtin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Gtin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Deserialising goes through [`Gtin::parse`], so a value read back from JSON
/// is as trustworthy as one typed in.
impl<'de> Deserialize<'de> for Gtin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Gtin::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn check_digit_examples_from_standards() {
        assert_eq!(check_digit("0950600013435"), 2);
        assert_eq!(check_digit("1234567890123"), 1);
        // GTIN-13 4006381333931 (a well-known EAN): data 400638133393 → 1.
        assert_eq!(check_digit("400638133393"), 1);
        // Sum divisible by 10 gives 0, not 10.
        assert_eq!(check_digit("0000000000000"), 0);
    }

    #[test]
    fn parse_accepts_14_digits_with_valid_check_digit() {
        let g = Gtin::parse("09506000134352").unwrap();
        assert_eq!(g.as_str(), "09506000134352");
        assert_eq!(g.to_string(), "09506000134352");
        assert!(Gtin::parse("09506000134353").is_err());
    }

    #[test]
    fn parse_pads_gtin_8_12_13() {
        assert_eq!(Gtin::parse("4006381333931").unwrap().as_str(), "04006381333931");
        // UPC-A 036000291452.
        assert_eq!(Gtin::parse("036000291452").unwrap().as_str(), "00036000291452");
        // EAN-8 96385074.
        assert_eq!(Gtin::parse("96385074").unwrap().as_str(), "00000096385074");
        assert!(Gtin::parse("96385075").is_err());
    }

    #[test]
    fn parse_rejects_other_lengths_and_non_digits() {
        for bad in [
            "",
            "1234567",
            "123456789",
            "12345678901",
            "123456789012345",
            " 4006381333931",
            "40063813339x1",
            "٤006381333931",
        ] {
            assert!(Gtin::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn assign_builds_valid_gtins() {
        // GS1 Vietnam prefix 893 + a 7-digit company number = 10-digit prefix.
        let g = Gtin::assign("8938000000", 1).unwrap();
        assert_eq!(g.as_str(), "08938000000015");
        assert_eq!(g.as_str().len(), 14);
        assert_eq!(Gtin::parse(g.as_str()).unwrap(), g);

        let g = Gtin::assign("950600", 1343).unwrap();
        assert_eq!(g.as_str(), "09506000013435");

        assert_eq!(
            Gtin::assign("123456789012", 0).unwrap().as_str(),
            format!("0123456789012{}", check_digit("0123456789012"))
        );
    }

    #[test]
    fn assign_rejects_bad_prefix_and_overflowing_reference() {
        assert!(Gtin::assign("12345", 1).is_err());
        assert!(Gtin::assign("1234567890123", 0).is_err());
        assert!(Gtin::assign("12345a", 1).is_err());
        assert!(Gtin::assign("8938000000", 99).is_ok());
        assert!(Gtin::assign("8938000000", 100).is_err());
        assert!(Gtin::assign("123456789012", 1).is_err());
        assert!(Gtin::assign("950600", 999_999).is_ok());
        assert!(Gtin::assign("950600", 1_000_000).is_err());
    }

    #[test]
    fn serde_round_trips_as_a_string_and_validates() {
        let g = Gtin::parse("09506000134352").unwrap();
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(json, "\"09506000134352\"");
        assert_eq!(serde_json::from_str::<Gtin>(&json).unwrap(), g);
        assert_eq!(serde_json::from_str::<Gtin>("\"4006381333931\"").unwrap().as_str(), "04006381333931");
        assert!(serde_json::from_str::<Gtin>("\"09506000134353\"").is_err());
        assert!(serde_json::from_str::<Gtin>("9506000134352").is_err());
    }
}
