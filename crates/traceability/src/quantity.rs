//! Units and decimal quantities. Quantities are kept as decimal strings and,
//! for units of mass, exact integer grams, so that no float ever reaches a
//! signed record.

use serde::Serialize;

use common::{ApiError, ErrorCode};

/// The fixed list of selling units (SPEC), with their translated names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
    /// Grams in one unit, for units of mass.
    #[serde(skip)]
    pub grams: Option<i64>,
}

const fn unit(code: &'static str, name_vi: &'static str, name_en: &'static str, grams: Option<i64>) -> Unit {
    Unit { code, name_vi, name_en, grams }
}

pub const UNITS: &[Unit] = &[
    unit("kg", "kg", "kilogram", Some(1_000)),
    unit("g", "gam", "gram", Some(1)),
    unit("tan", "tấn", "tonne", Some(1_000_000)),
    unit("l", "lít", "litre", None),
    unit("bo", "bó", "bunch", None),
    unit("qua", "quả", "piece (fruit)", None),
    unit("hop", "hộp", "box", None),
    unit("goi", "gói", "pack", None),
    unit("chai", "chai", "bottle", None),
    unit("tui", "túi", "bag", None),
    unit("con", "con", "head (animal)", None),
];

impl Unit {
    pub fn parse(code: &str) -> Result<&'static Unit, ApiError> {
        UNITS.iter().find(|u| u.code == code).ok_or_else(|| {
            ApiError::field(
                ErrorCode::UnknownValue,
                "unit",
                format!("unknown unit `{code}`; see GET /api/v1/units"),
            )
        })
    }
}

/// A positive decimal with at most 3 decimal places, as canonical text
/// (`"12.5"`, `"3"`), parsed from a JSON number or string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    /// Value times 1000: exact, no floating point.
    milli: i64,
}

const MAX_MILLI: i64 = 1_000_000_000_000; // one billion units

impl Quantity {
    pub fn parse(text: &str) -> Result<Quantity, ApiError> {
        let bad = || {
            ApiError::field(
                ErrorCode::InvalidFormat,
                "quantity",
                format!("`{text}` is not a positive number with at most 3 decimals"),
            )
            .param("expected", "positive decimal")
            .param("max_decimals", 3)
        };
        let t = text.trim();
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty() || whole.len() > 12 || frac.len() > 3 {
            return Err(bad());
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if t.ends_with('.') {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac_milli: i64 = format!("{frac:0<3}").parse().map_err(|_| bad())?;
        let milli = whole.checked_mul(1000).and_then(|w| w.checked_add(frac_milli)).ok_or_else(bad)?;
        if milli <= 0 || milli > MAX_MILLI {
            return Err(bad());
        }
        Ok(Quantity { milli })
    }

    /// From the JSON a client sent: a number (`12.5`) or a string (`"12.5"`).
    pub fn from_json(value: &serde_json::Value) -> Result<Quantity, ApiError> {
        match value {
            serde_json::Value::String(s) => Quantity::parse(s),
            // serde_json prints a float's shortest round-trip form, so `12.5`
            // arrives as "12.5" and too many decimals are refused.
            serde_json::Value::Number(n) => Quantity::parse(&n.to_string()),
            _ => Err(ApiError::field(
                ErrorCode::InvalidFormat,
                "quantity",
                "must be a number or a decimal string",
            )
            .param("expected", "number or decimal string")),
        }
    }

    pub fn to_text(&self) -> String {
        let whole = self.milli / 1000;
        let frac = self.milli % 1000;
        if frac == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{frac:03}").trim_end_matches('0').to_string()
        }
    }

    /// Exact grams when the unit is one of mass and the result is whole.
    pub fn grams(&self, unit: &Unit) -> Option<i64> {
        let g = unit.grams?.checked_mul(self.milli)?;
        (g % 1000 == 0).then_some(g / 1000)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn decimal_text_is_exact() {
        assert_eq!(Quantity::parse("12.5").unwrap().to_text(), "12.5");
        assert_eq!(Quantity::parse("12.500").unwrap().to_text(), "12.5");
        assert_eq!(Quantity::parse("007").unwrap().to_text(), "7");
        assert_eq!(Quantity::parse("0.125").unwrap().to_text(), "0.125");
        for bad in ["", "0", "-1", "1.2345", "1e3", "abc", "1.", ".5", "NaN", "1,5"] {
            assert!(Quantity::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn grams_for_mass_units_only() {
        let kg = Unit::parse("kg").unwrap();
        assert_eq!(Quantity::parse("12.5").unwrap().grams(kg), Some(12_500));
        assert_eq!(Quantity::parse("0.5").unwrap().grams(Unit::parse("g").unwrap()), None);
        assert_eq!(Quantity::parse("3").unwrap().grams(Unit::parse("bo").unwrap()), None);
        assert!(Unit::parse("pound").is_err());
    }

    #[test]
    fn json_numbers_and_strings_both_work() {
        let q = Quantity::from_json(&serde_json::json!(12.5)).unwrap();
        assert_eq!(q.to_text(), "12.5");
        assert!(Quantity::from_json(&serde_json::json!(true)).is_err());
    }
}
