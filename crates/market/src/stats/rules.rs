//! What a statistics request asks for, pure: the area, and the months
//! (Vietnam's) it covers.

use chrono::{Datelike, NaiveDate};

use crate::reference::rules::check_commune_code;
use common::{ApiError, ErrorCode};

/// The longest range one request may ask for.
pub const MAX_MONTHS: i32 = 36;

/// Months are Vietnam's (UTC+7, no daylight saving): an order placed at
/// 06:00 on the 1st belongs to the new month, although it is still the
/// previous day in UTC, where timestamps are stored.
pub const VIETNAM_UTC_OFFSET_HOURS: i64 = 7;

/// The current month in Vietnam.
pub fn this_month() -> Month {
    Month::of((chrono::Utc::now() + chrono::Duration::hours(VIETNAM_UTC_OFFSET_HOURS)).date_naive())
}

/// Where the statistics are counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    Country,
    Province(String),
    Commune(String),
}

/// A month as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(field: &str, text: &str) -> Result<Month, ApiError> {
        let bad = || {
            ApiError::field(ErrorCode::InvalidFormat, field, format!("`{text}` is not a month like 2026-11"))
                .param("expected", "YYYY-MM")
        };
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }

    pub fn of(date: NaiveDate) -> Month {
        Month { year: date.year(), month: date.month() }
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }

    fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// The months `from..=to`, checked: in order and at most [`MAX_MONTHS`].
pub fn month_range(from: Month, to: Month) -> Result<Vec<Month>, ApiError> {
    if from > to {
        return Err(ApiError::invalid("from", "must not be after `to`"));
    }
    if to.index() - from.index() + 1 > MAX_MONTHS {
        return Err(ApiError::field(
            ErrorCode::OutOfRange,
            "from",
            format!("at most {MAX_MONTHS} months at once"),
        )
        .param("max", MAX_MONTHS));
    }
    let mut months = vec![from];
    while let Some(&last) = months.last() {
        if last == to {
            break;
        }
        months.push(last.next());
    }
    Ok(months)
}

/// The area asked for: a province or a commune, not both; the whole
/// country when neither is given.
pub fn area(province: Option<&str>, commune: Option<&str>) -> Result<Area, ApiError> {
    Ok(match (province.map(str::trim), commune.map(str::trim)) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid("commune", "give a province or a commune, not both"))
        }
        (None, Some(c)) => Area::Commune(check_commune_code("commune", c)?),
        (Some(p), None) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Area::Province(p.to_string())
        }
        (Some(_), None) => {
            return Err(ApiError::field(ErrorCode::InvalidFormat, "province", "a 2-digit province code")
                .param("expected", "2 digits"))
        }
        (None, None) => Area::Country,
    })
}

/// The months asked for: unless given, `to` is this month and `from` the
/// month 11 before it (a year in all).
pub fn months(from: Option<&str>, to: Option<&str>) -> Result<Vec<Month>, ApiError> {
    let to = match to {
        Some(t) => Month::parse("to", t)?,
        None => this_month(),
    };
    let from = match from {
        Some(f) => Month::parse("from", f)?,
        None => Month { year: to.year - 1, month: to.month }.next(),
    };
    month_range(from, to)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn months_parse_and_count() {
        let from = Month::parse("from", "2025-11").unwrap();
        let to = Month::parse("to", "2026-02").unwrap();
        let labels: Vec<String> = month_range(from, to).unwrap().into_iter().map(Month::label).collect();
        assert_eq!(labels, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", "", "1999-01"] {
            assert!(Month::parse("from", bad).is_err(), "{bad}");
        }
        assert!(month_range(to, from).is_err());
        let long = Month::parse("from", "2020-01").unwrap();
        assert!(month_range(long, to).is_err(), "more than 36 months");
    }
}
