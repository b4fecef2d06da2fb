//! Commune statistics for officers: per month, in a province or commune,
//! how many sellers were onboarded, listings created, orders placed and
//! delivered, the value delivered, and lots recalled; and what is online
//! now. Counted by the database, grouped by month with each backend's own
//! date function.

use accounts::{Actor, Role};
use chrono::{Datelike, NaiveDate};
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use serde::Serialize;
use storage::DbConnection;
use utoipa::ToSchema;

use crate::MarketError;

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
    pub fn parse(field: &str, text: &str) -> Result<Month, MarketError> {
        let bad = || MarketError::invalid(field, format!("`{text}` is not a month like 2026-11"));
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
pub fn month_range(from: Month, to: Month) -> Result<Vec<Month>, MarketError> {
    if from > to {
        return Err(MarketError::invalid("from", "must not be after `to`"));
    }
    if to.index() - from.index() + 1 > MAX_MONTHS {
        return Err(MarketError::invalid("from", format!("at most {MAX_MONTHS} months at once")));
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

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct MonthStats {
    /// `YYYY-MM`
    pub month: String,
    pub sellers_onboarded: i64,
    pub listings_created: i64,
    /// Orders placed with at least one seller of the area.
    pub orders_placed: i64,
    /// Sellers' parts of orders delivered.
    pub parts_delivered: i64,
    /// Value of the goods delivered, in đồng (what buyers paid for them,
    /// before the platform fee).
    pub revenue_vnd: i64,
    pub lots_recalled: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrentStats {
    pub sellers: i64,
    /// Listings a buyer can order now.
    pub active_listings: i64,
    pub lots: i64,
    pub lots_recalled: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stats {
    /// `country`, `province` or `commune`.
    pub area: String,
    pub province_code: Option<String>,
    pub commune_code: Option<String>,
    pub now: CurrentStats,
    pub months: Vec<MonthStats>,
}

#[derive(QueryableByName)]
struct MonthCount {
    #[diesel(sql_type = Text)]
    month: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The seller filter for an area, on a table aliased `s` (sellers).
fn seller_area(area: &Area) -> (&'static str, Option<String>) {
    match area {
        Area::Country => ("", None),
        Area::Province(p) => (
            " AND s.commune_code IN (SELECT code FROM communes WHERE province_code = $AREA)",
            Some(p.clone()),
        ),
        Area::Commune(c) => (" AND s.commune_code = $AREA", Some(c.clone())),
    }
}

/// Runs a query with up to three binds: the range start, the range end
/// (both as timestamps), and the area code, written `$FROM`, `$TO`,
/// `$AREA` in `sql` and turned into each backend's placeholders.
fn query<T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static>(
    conn: &mut DbConnection,
    sql: &str,
    from: Option<chrono::NaiveDateTime>,
    to: Option<chrono::NaiveDateTime>,
    area: Option<&str>,
) -> Result<Vec<T>, MarketError> {
    use diesel::RunQueryDsl;
    let postgres = matches!(conn, DbConnection::Postgres(_));
    // bind values in the order their placeholders appear
    let mut order: Vec<(usize, &str)> =
        ["$FROM", "$TO", "$AREA"].iter().filter_map(|p| sql.find(p).map(|i| (i, *p))).collect();
    order.sort();
    let mut text = sql.to_string();
    for (n, (_, name)) in order.iter().enumerate() {
        let placeholder = if postgres { format!("${}", n + 1) } else { "?".to_string() };
        text = text.replacen(name, &placeholder, 1);
    }
    let rows = storage::per_backend!(conn, |c| {
        let mut q = diesel::sql_query(text.clone()).into_boxed();
        for (_, name) in &order {
            q = match *name {
                "$FROM" => q.bind::<diesel::sql_types::Timestamp, _>(from.unwrap_or_default()),
                "$TO" => q.bind::<diesel::sql_types::Timestamp, _>(to.unwrap_or_default()),
                _ => q.bind::<Text, _>(area.unwrap_or_default().to_string()),
            };
        }
        q.load::<T>(c)
    })?;
    Ok(rows)
}

pub fn stats(
    conn: &mut DbConnection,
    actor: &Actor,
    area: &Area,
    months: &[Month],
) -> Result<Stats, MarketError> {
    actor.require(&[Role::Officer, Role::Admin, Role::Staff])?;
    let (first, last) = match (months.first(), months.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => return Err(MarketError::invalid("from", "no months asked for")),
    };
    // midnight in Vietnam, as the UTC timestamps are stored
    let offset = chrono::Duration::hours(VIETNAM_UTC_OFFSET_HOURS);
    let from = first.first_day().and_hms_opt(0, 0, 0).map(|t| t - offset);
    let to = last.next().first_day().and_hms_opt(0, 0, 0).map(|t| t - offset);
    let (area_sql, area_code) = seller_area(area);
    let code = area_code.as_deref();
    let postgres = matches!(conn, DbConnection::Postgres(_));
    // the month of a timestamp in Vietnam, `YYYY-MM`, in each backend's words
    let month = |column: &str| {
        if postgres {
            format!("to_char({column} + interval '{VIETNAM_UTC_OFFSET_HOURS} hours', 'YYYY-MM')")
        } else {
            format!("strftime('%Y-%m', {column}, '+{VIETNAM_UTC_OFFSET_HOURS} hours')")
        }
    };

    let per_month = |conn: &mut DbConnection, sql: String| -> Result<Vec<MonthCount>, MarketError> {
        query::<MonthCount>(conn, &sql, from, to, code)
    };
    let onboarded = per_month(
        conn,
        format!(
            "SELECT {m} AS month, COUNT(*) AS n FROM sellers s \
             WHERE s.created_at >= $FROM AND s.created_at < $TO{area_sql} GROUP BY 1",
            m = month("s.created_at")
        ),
    )?;
    let listed = per_month(
        conn,
        format!(
            "SELECT {m} AS month, COUNT(*) AS n FROM listings l JOIN sellers s ON s.id = l.seller_id \
             WHERE l.created_at >= $FROM AND l.created_at < $TO{area_sql} GROUP BY 1",
            m = month("l.created_at")
        ),
    )?;
    let ordered = per_month(
        conn,
        format!(
            "SELECT {m} AS month, COUNT(*) AS n FROM orders o \
             WHERE o.created_at >= $FROM AND o.created_at < $TO AND EXISTS (SELECT 1 FROM order_parts p \
             JOIN sellers s ON s.id = p.seller_id WHERE p.order_id = o.id{area_sql}) GROUP BY 1",
            m = month("o.created_at")
        ),
    )?;
    let delivered = per_month(
        conn,
        format!(
            "SELECT {m} AS month, COUNT(*) AS n FROM order_parts p JOIN sellers s ON s.id = p.seller_id \
             WHERE p.status = 'delivered' AND p.delivered_at >= $FROM AND p.delivered_at < $TO{area_sql} GROUP BY 1",
            m = month("p.delivered_at")
        ),
    )?;
    let revenue = per_month(
        conn,
        format!(
            "SELECT {m} AS month, CAST(SUM(p.subtotal_vnd) AS BIGINT) AS n FROM order_parts p \
             JOIN sellers s ON s.id = p.seller_id \
             WHERE p.status = 'delivered' AND p.delivered_at >= $FROM AND p.delivered_at < $TO{area_sql} GROUP BY 1",
            m = month("p.delivered_at")
        ),
    )?;
    let recalled = per_month(
        conn,
        format!(
            "SELECT {m} AS month, COUNT(*) AS n FROM lot_events e JOIN lots t ON t.id = e.lot_id \
             JOIN sellers s ON s.id = t.seller_id \
             WHERE e.event_type = 'recall' AND e.recorded_at >= $FROM AND e.recorded_at < $TO{area_sql} GROUP BY 1",
            m = month("e.recorded_at")
        ),
    )?;

    let mut rows: Vec<MonthStats> =
        months.iter().map(|m| MonthStats { month: m.label(), ..Default::default() }).collect();
    let mut put = |counts: Vec<MonthCount>, field: fn(&mut MonthStats) -> &mut i64| {
        for c in counts {
            if let Some(row) = rows.iter_mut().find(|r| r.month == c.month) {
                *field(row) = c.n;
            }
        }
    };
    put(onboarded, |r| &mut r.sellers_onboarded);
    put(listed, |r| &mut r.listings_created);
    put(ordered, |r| &mut r.orders_placed);
    put(delivered, |r| &mut r.parts_delivered);
    put(revenue, |r| &mut r.revenue_vnd);
    put(recalled, |r| &mut r.lots_recalled);

    let count = |conn: &mut DbConnection, sql: String| -> Result<i64, MarketError> {
        Ok(query::<Count>(conn, &sql, None, None, code)?.first().map(|c| c.n).unwrap_or(0))
    };
    let now = CurrentStats {
        sellers: count(conn, format!("SELECT COUNT(*) AS n FROM sellers s WHERE 1 = 1{area_sql}"))?,
        active_listings: count(
            conn,
            format!(
                "SELECT COUNT(*) AS n FROM listings l JOIN sellers s ON s.id = l.seller_id \
                 WHERE l.status = 'active' AND l.quantity > 0 \
                 AND (l.lot_id IS NULL OR l.lot_id NOT IN (SELECT id FROM lots WHERE status = 'recalled')){area_sql}"
            ),
        )?,
        lots: count(conn, format!("SELECT COUNT(*) AS n FROM lots t JOIN sellers s ON s.id = t.seller_id WHERE 1 = 1{area_sql}"))?,
        lots_recalled: count(
            conn,
            format!(
                "SELECT COUNT(*) AS n FROM lots t JOIN sellers s ON s.id = t.seller_id \
                 WHERE t.status = 'recalled'{area_sql}"
            ),
        )?,
    };
    let (area_name, province_code, commune_code) = match area {
        Area::Country => ("country", None, None),
        Area::Province(p) => ("province", Some(p.clone()), None),
        Area::Commune(c) => ("commune", None, Some(c.clone())),
    };
    Ok(Stats { area: area_name.to_string(), province_code, commune_code, now, months: rows })
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
