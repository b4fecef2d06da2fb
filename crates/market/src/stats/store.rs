//! The statistics counted by the database: one query per figure, grouped
//! by month with each backend's own date function.

use accounts::{Actor, Role};
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use storage::DbConnection;

use super::rules::{self, Area, Month, Scope, VIETNAM_UTC_OFFSET_HOURS};
use super::{CurrentStats, Measures, MonthStats, Stats};
use common::ApiError;

#[derive(QueryableByName)]
struct MonthCount {
    #[diesel(sql_type = Text)]
    month: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
pub(super) struct Count {
    #[diesel(sql_type = BigInt)]
    pub(super) n: i64,
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = Text)]
    code: String,
}

/// A listing a buyer can order now, on tables aliased `l` (listings).
pub(super) const ORDERABLE: &str = "l.status = 'active' AND l.quantity > 0 \
     AND (l.lot_id IS NULL OR l.lot_id NOT IN (SELECT id FROM lots WHERE status = 'recalled'))";

/// An order paid by bank transfer, on a table aliased `o` (orders): paid,
/// and not cancelled since.
pub(super) const PAID_BY_TRANSFER: &str =
    "o.payment_method = 'vietqr' AND o.status NOT IN ('placed', 'cancelled')";

/// An order paid in cash on delivery, not cancelled.
pub(super) const PAID_IN_CASH: &str = "o.payment_method = 'cod' AND o.status <> 'cancelled'";

/// The areas `actor` may read: an officer's organisation placed in a
/// commune binds them to its province.
pub fn scope(conn: &mut DbConnection, actor: &Actor) -> Result<Scope, ApiError> {
    let officer = actor.role == Role::Officer;
    let province = match (&actor.organisation_id, officer) {
        (Some(org), true) => query::<Code>(
            conn,
            "SELECT c.province_code AS code FROM organisations g JOIN communes c ON c.code = g.commune_code \
             WHERE g.id = $AREA",
            None,
            None,
            Some(org.as_str()),
        )?
        .into_iter()
        .next()
        .map(|c| c.code),
        _ => None,
    };
    Ok(rules::scope(officer, province.as_deref()))
}

/// The commune of the officer's own organisation, if any.
pub(super) fn own_commune(conn: &mut DbConnection, actor: &Actor) -> Result<Option<String>, ApiError> {
    let Some(org) = actor.organisation_id.as_ref().filter(|_| actor.role == Role::Officer) else {
        return Ok(None);
    };
    Ok(query::<Code>(
        conn,
        "SELECT g.commune_code AS code FROM organisations g WHERE g.id = $AREA AND g.commune_code IS NOT NULL",
        None,
        None,
        Some(org.as_str()),
    )?
    .into_iter()
    .next()
    .map(|c| c.code))
}

/// The area asked, narrowed to what `actor` may read (403 beyond it).
pub fn readable_area(conn: &mut DbConnection, actor: &Actor, area: Area) -> Result<Area, ApiError> {
    let scope = scope(conn, actor)?;
    let commune_province = match (&scope, &area) {
        (Scope::Province(_), Area::Commune(c)) => {
            crate::reference::store::find(conn, c)?.map(|c| c.province_code)
        }
        _ => None,
    };
    rules::within(&scope, area, commune_province.as_deref())
}

/// The first instant of `months` and the first after them, as the UTC
/// timestamps are stored (midnight in Vietnam).
pub(super) fn bounds(
    months: &[Month],
) -> Result<(Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>), ApiError> {
    let (first, last) = match (months.first(), months.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => return Err(ApiError::invalid("from", "no months asked for")),
    };
    let offset = chrono::Duration::hours(VIETNAM_UTC_OFFSET_HOURS);
    Ok((
        first.first_day().and_hms_opt(0, 0, 0).map(|t| t - offset),
        last.next().first_day().and_hms_opt(0, 0, 0).map(|t| t - offset),
    ))
}

/// The seller filter for an area, on a table aliased `s` (sellers).
pub(super) fn seller_area(area: &Area) -> (&'static str, Option<String>) {
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
pub(super) fn query<
    T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
>(
    conn: &mut DbConnection,
    sql: &str,
    from: Option<chrono::NaiveDateTime>,
    to: Option<chrono::NaiveDateTime>,
    area: Option<&str>,
) -> Result<Vec<T>, ApiError> {
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

/// The statistics of `area` (narrowed to what `actor` may read) over `months`.
pub fn stats(
    conn: &mut DbConnection,
    actor: &Actor,
    area: Area,
    months: &[Month],
) -> Result<Stats, ApiError> {
    actor.require(&[Role::Officer, Role::Admin, Role::Staff])?;
    let area = &readable_area(conn, actor, area)?;
    let (from, to) = bounds(months)?;
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

    let per_month = |conn: &mut DbConnection, sql: String| -> Result<Vec<MonthCount>, ApiError> {
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
    let paid = |conn: &mut DbConnection, how: &str| {
        per_month(
            conn,
            format!(
                "SELECT {m} AS month, COUNT(*) AS n FROM orders o \
                 WHERE o.created_at >= $FROM AND o.created_at < $TO AND {how} AND EXISTS (SELECT 1 \
                 FROM order_parts p JOIN sellers s ON s.id = p.seller_id WHERE p.order_id = o.id{area_sql}) \
                 GROUP BY 1",
                m = month("o.created_at")
            ),
        )
    };
    let by_transfer = paid(conn, PAID_BY_TRANSFER)?;
    let in_cash = paid(conn, PAID_IN_CASH)?;

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
    put(by_transfer, |r| &mut r.orders_bank_transfer);
    put(in_cash, |r| &mut r.orders_cash);

    let count = |conn: &mut DbConnection, sql: String| -> Result<i64, ApiError> {
        Ok(query::<Count>(conn, &sql, None, None, code)?.first().map(|c| c.n).unwrap_or(0))
    };
    let now = CurrentStats {
        sellers: count(conn, format!("SELECT COUNT(*) AS n FROM sellers s WHERE 1 = 1{area_sql}"))?,
        active_listings: count(
            conn,
            format!(
                "SELECT COUNT(*) AS n FROM listings l JOIN sellers s ON s.id = l.seller_id \
                 WHERE {ORDERABLE}{area_sql}"
            ),
        )?,
        lots: count(
            conn,
            format!(
                "SELECT COUNT(*) AS n FROM lots t JOIN sellers s ON s.id = t.seller_id WHERE 1 = 1{area_sql}"
            ),
        )?,
        lots_recalled: count(
            conn,
            format!(
                "SELECT COUNT(*) AS n FROM lots t JOIN sellers s ON s.id = t.seller_id \
                 WHERE t.status = 'recalled'{area_sql}"
            ),
        )?,
    };
    let sellers_online = count(
        conn,
        format!(
            "SELECT COUNT(DISTINCT s.id) AS n FROM listings l JOIN sellers s ON s.id = l.seller_id \
             WHERE {ORDERABLE}{area_sql}"
        ),
    )?;
    let measures = rules::measures(Measures {
        sellers: now.sellers,
        sellers_online,
        products_online: now.active_listings,
        orders_bank_transfer: rows.iter().map(|r| r.orders_bank_transfer).sum(),
        orders_cash: rows.iter().map(|r| r.orders_cash).sum(),
        ..Default::default()
    });
    let (kind, mut province_code, commune_code) = match area {
        Area::Country => ("country", None, None),
        Area::Province(p) => ("province", Some(p.clone()), None),
        Area::Commune(c) => ("commune", None, Some(c.clone())),
    };
    let mut commune_name = None;
    if let Some(c) =
        commune_code.as_deref().map(|c| crate::reference::store::find(conn, c)).transpose()?.flatten()
    {
        commune_name = Some(c.name);
        province_code = Some(c.province_code);
    }
    let province_name = match province_code.as_deref() {
        Some(p) => province_name(conn, p)?,
        None => None,
    };
    Ok(Stats {
        area: kind.to_string(),
        province_code,
        province_name,
        commune_code,
        commune_name,
        now,
        measures,
        months: rows,
    })
}

/// A province's name, e.g. `Tỉnh Tuyên Quang`.
pub(super) fn province_name(conn: &mut DbConnection, code: &str) -> Result<Option<String>, ApiError> {
    Ok(query::<Code>(
        conn,
        "SELECT p.name AS code FROM provinces p WHERE p.code = $AREA",
        None,
        None,
        Some(code),
    )?
    .into_iter()
    .next()
    .map(|c| c.code))
}
