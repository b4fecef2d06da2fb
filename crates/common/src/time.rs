//! Time on the wire is UTC, RFC 3339, whole seconds, written with `Z`
//! (`2026-12-02T07:32:46Z`): one format, so that clients never meet two
//! spellings of the same instant.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};

/// An instant as the API writes it. Accepts what the database returns
/// (naive UTC) and what the code computes (`DateTime<Utc>`).
pub fn rfc3339(t: impl Into<Instant>) -> String {
    t.into().0.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Either kind of UTC time we hold, so [`rfc3339`] takes both.
pub struct Instant(DateTime<Utc>);

impl From<DateTime<Utc>> for Instant {
    fn from(t: DateTime<Utc>) -> Self {
        Instant(t)
    }
}

impl From<NaiveDateTime> for Instant {
    /// Database timestamps are stored in UTC without an offset.
    fn from(t: NaiveDateTime) -> Self {
        Instant(t.and_utc())
    }
}

impl From<&NaiveDateTime> for Instant {
    fn from(t: &NaiveDateTime) -> Self {
        Instant(t.and_utc())
    }
}

impl From<&DateTime<Utc>> for Instant {
    fn from(t: &DateTime<Utc>) -> Self {
        Instant(*t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    #[test]
    fn whole_seconds_with_z() {
        let t = Utc
            .with_ymd_and_hms(2026, 12, 2, 7, 32, 46)
            .single()
            .map(|t| t + chrono::Duration::microseconds(999_999));
        let Some(t) = t else { panic!("valid date") };
        assert_eq!(rfc3339(t), "2026-12-02T07:32:46Z");
        let naive = NaiveDate::from_ymd_opt(2025, 11, 2).and_then(|d| d.and_hms_opt(23, 0, 5));
        let Some(naive) = naive else { panic!("valid date") };
        assert_eq!(rfc3339(naive), "2025-11-02T23:00:05Z");
        let from_a_row: &chrono::NaiveDateTime = &naive;
        assert_eq!(rfc3339(from_a_row), "2025-11-02T23:00:05Z");
    }
}
