//! What a statistics request asks for, pure: the area, the months
//! (Vietnam's) it covers, which areas a reader may see, the shares the
//! programmes report and the order communes are ranked in.

use chrono::{Datelike, NaiveDate};

use crate::reference::rules::check_commune_code;
use common::{ApiError, ErrorCode};

use super::{CommuneRank, Measures};

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

/// The areas a reader may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every area: admin, staff, and officers of an organisation placed in
    /// no commune (the operator's own).
    All,
    /// One province: an officer of an organisation (a commune's People's
    /// Committee, a cooperative) in a commune of it, who sees that commune
    /// beside the others of its province.
    Province(String),
}

/// The scope of a reader: officers are bound to the province of their
/// organisation's commune when it has one.
pub fn scope(is_officer: bool, organisation_province: Option<&str>) -> Scope {
    match (is_officer, organisation_province) {
        (true, Some(p)) => Scope::Province(p.to_string()),
        _ => Scope::All,
    }
}

/// The area read, within `scope`: the whole country becomes the reader's
/// province; another province, or a commune of one (`commune_province`),
/// is refused (403).
pub fn within(scope: &Scope, area: Area, commune_province: Option<&str>) -> Result<Area, ApiError> {
    let Scope::Province(own) = scope else { return Ok(area) };
    match area {
        Area::Country => Ok(Area::Province(own.clone())),
        Area::Province(p) if &p == own => Ok(Area::Province(p)),
        Area::Commune(c) if commune_province == Some(own.as_str()) => Ok(Area::Commune(c)),
        _ => Err(ApiError::forbidden()),
    }
}

/// `part` out of `whole` in whole percent, rounded half up; `None` when
/// there is nothing to divide.
pub fn percent(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    let part = part.clamp(0, whole);
    Some((part * 100 + whole / 2) / whole)
}

/// Fills the shares of an area's measures.
pub fn measures(mut m: Measures) -> Measures {
    m.sellers_online_percent = percent(m.sellers_online, m.sellers);
    m.bank_transfer_percent = percent(m.orders_bank_transfer, m.orders_bank_transfer + m.orders_cash);
    m
}

/// Fills the shares of a commune's figures.
pub fn with_shares(mut c: CommuneRank) -> CommuneRank {
    c.sellers_online_percent = percent(c.sellers_online, c.sellers);
    c.bank_transfer_percent = percent(c.orders_bank_transfer, c.orders_bank_transfer + c.orders_cash);
    c
}

/// What ranks a commune, best first: sellers selling online, products
/// online, value delivered, orders.
fn rank_key(c: &CommuneRank) -> (i64, i64, i64, i64) {
    (c.sellers_online, c.products_online, c.revenue_vnd, c.orders_placed)
}

/// Orders communes best first (ties by name) and numbers them; communes
/// with the same figures share a rank (1, 1, 3).
pub fn rank(mut communes: Vec<CommuneRank>) -> Vec<CommuneRank> {
    communes.sort_by(|a, b| rank_key(b).cmp(&rank_key(a)).then_with(|| a.commune_name.cmp(&b.commune_name)));
    let mut previous: Option<(i64, i64, i64, i64)> = None;
    let mut current = 0;
    for (i, c) in communes.iter_mut().enumerate() {
        let key = rank_key(c);
        if previous != Some(key) {
            current = i as i64 + 1;
            previous = Some(key);
        }
        c.rank = current;
    }
    communes
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

    #[test]
    fn officers_read_their_province_only() {
        let hong_thai = Scope::Province("08".into());
        assert_eq!(scope(true, Some("08")), hong_thai);
        assert_eq!(scope(true, None), Scope::All, "the operator's officers read everything");
        assert_eq!(scope(false, Some("08")), Scope::All, "staff and admin are not bound");
        assert_eq!(within(&hong_thai, Area::Country, None).unwrap(), Area::Province("08".into()));
        assert_eq!(
            within(&hong_thai, Area::Province("08".into()), None).unwrap(),
            Area::Province("08".into())
        );
        let c = Area::Commune("02260".into());
        assert_eq!(within(&hong_thai, c.clone(), Some("08")).unwrap(), c);
        for (area, province) in
            [(Area::Province("01".into()), None), (Area::Commune("00004".into()), Some("01")), (c, None)]
        {
            let e = within(&hong_thai, area.clone(), province).unwrap_err();
            assert_eq!(e.code(), ErrorCode::Forbidden, "{area:?}");
        }
        assert_eq!(within(&Scope::All, Area::Country, None).unwrap(), Area::Country);
    }

    #[test]
    fn shares_round_half_up_and_need_a_whole() {
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(1, 2), Some(50));
        assert_eq!(percent(1, 200), Some(1), "0.5 % rounds up");
        assert_eq!(percent(0, 5), Some(0));
        assert_eq!(percent(5, 5), Some(100));
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(7, 5), Some(100), "never above the whole");
        let c = with_shares(CommuneRank {
            sellers: 4,
            sellers_online: 3,
            orders_bank_transfer: 1,
            orders_cash: 3,
            ..Default::default()
        });
        assert_eq!((c.sellers_online_percent, c.bank_transfer_percent), (Some(75), Some(25)));
        assert_eq!(with_shares(CommuneRank::default()).bank_transfer_percent, None);
        let m = measures(Measures { sellers: 3, sellers_online: 2, orders_cash: 2, ..Default::default() });
        assert_eq!((m.sellers_online_percent, m.bank_transfer_percent), (Some(67), Some(0)));
    }

    #[test]
    fn communes_rank_by_sellers_online_then_products_then_value() {
        let c = |name: &str, online: i64, products: i64, revenue: i64| CommuneRank {
            commune_name: name.into(),
            sellers_online: online,
            products_online: products,
            revenue_vnd: revenue,
            ..Default::default()
        };
        let ranked = rank(vec![
            c("Xã Tú Lệ", 1, 1, 0),
            c("Xã Hồng Thái", 2, 1, 0),
            c("Xã Bản Liền", 1, 3, 0),
            c("Xã Ân Thi", 1, 1, 0),
            c("Xã Yên Bình", 1, 1, 500_000),
            c("Xã Thượng Lâm", 0, 0, 0),
        ]);
        let order: Vec<(i64, &str)> = ranked.iter().map(|r| (r.rank, r.commune_name.as_str())).collect();
        assert_eq!(
            order,
            [
                (1, "Xã Hồng Thái"),
                (2, "Xã Bản Liền"),
                (3, "Xã Yên Bình"),
                (4, "Xã Tú Lệ"),
                (4, "Xã Ân Thi"),
                (6, "Xã Thượng Lâm"),
            ]
        );
    }
}
