//! The communes of an area side by side: one query per figure, grouped by
//! the sellers' commune; the order is `rules::rank`'s.

use std::collections::BTreeMap;

use accounts::{Actor, Role};
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use storage::DbConnection;

use super::rules::{self, Area, Month};
use super::store::{self, query, seller_area, ORDERABLE, PAID_BY_TRANSFER, PAID_IN_CASH};
use super::{CommuneRank, CommuneRanking};
use common::ApiError;

#[derive(QueryableByName)]
struct CodeCount {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    name: String,
}

/// The communes of the area asked (a commune stands for its province),
/// narrowed to what `actor` may read, with their figures over `months`.
pub fn communes(
    conn: &mut DbConnection,
    actor: &Actor,
    area: Area,
    months: &[Month],
) -> Result<CommuneRanking, ApiError> {
    actor.require(&[Role::Officer, Role::Admin, Role::Staff])?;
    let area = match store::readable_area(conn, actor, area)? {
        Area::Commune(c) => match crate::reference::store::find(conn, &c)? {
            Some(found) => Area::Province(found.province_code),
            None => return Err(ApiError::not_found("commune")),
        },
        other => other,
    };
    let (from, to) = store::bounds(months)?;
    let (area_sql, area_code) = seller_area(&area);
    let code = area_code.as_deref();

    // the communes with sellers, and the officer's own
    let mut rows: BTreeMap<String, CommuneRank> = BTreeMap::new();
    let named = query::<Named>(
        conn,
        &format!(
            "SELECT c.code AS code, c.name AS name FROM communes c \
             WHERE c.code IN (SELECT s.commune_code FROM sellers s WHERE 1 = 1{area_sql})"
        ),
        None,
        None,
        code,
    )?;
    for n in named {
        rows.insert(
            n.code.clone(),
            CommuneRank { commune_code: n.code, commune_name: n.name, ..Default::default() },
        );
    }
    if let Some(own) = store::own_commune(conn, actor)? {
        if let Some(c) = crate::reference::store::find(conn, &own)? {
            let inside = match &area {
                Area::Province(p) => &c.province_code == p,
                _ => true,
            };
            if inside {
                rows.entry(own.clone())
                    .or_insert_with(|| CommuneRank {
                        commune_code: own,
                        commune_name: c.name,
                        ..Default::default()
                    })
                    .own = true;
            }
        }
    }

    let mut per_commune = |sql: String, field: fn(&mut CommuneRank) -> &mut i64| -> Result<(), ApiError> {
        for c in query::<CodeCount>(conn, &sql, from, to, code)? {
            if let Some(row) = rows.get_mut(&c.code) {
                *field(row) = c.n;
            }
        }
        Ok(())
    };
    per_commune(
        format!("SELECT s.commune_code AS code, COUNT(*) AS n FROM sellers s WHERE 1 = 1{area_sql} GROUP BY s.commune_code"),
        |r| &mut r.sellers,
    )?;
    let online = |what: &str| {
        format!(
            "SELECT s.commune_code AS code, {what} AS n FROM listings l JOIN sellers s ON s.id = l.seller_id \
             WHERE {ORDERABLE}{area_sql} GROUP BY s.commune_code"
        )
    };
    per_commune(online("COUNT(DISTINCT s.id)"), |r| &mut r.sellers_online)?;
    per_commune(online("COUNT(*)"), |r| &mut r.products_online)?;
    let orders = |how: &str| {
        format!(
            "SELECT s.commune_code AS code, COUNT(DISTINCT o.id) AS n FROM orders o \
             JOIN order_parts p ON p.order_id = o.id JOIN sellers s ON s.id = p.seller_id \
             WHERE o.created_at >= $FROM AND o.created_at < $TO AND {how}{area_sql} GROUP BY s.commune_code"
        )
    };
    per_commune(orders("1 = 1"), |r| &mut r.orders_placed)?;
    per_commune(orders(PAID_BY_TRANSFER), |r| &mut r.orders_bank_transfer)?;
    per_commune(orders(PAID_IN_CASH), |r| &mut r.orders_cash)?;
    per_commune(
        format!(
            "SELECT s.commune_code AS code, CAST(SUM(p.subtotal_vnd) AS BIGINT) AS n FROM order_parts p \
             JOIN sellers s ON s.id = p.seller_id WHERE p.status = 'delivered' \
             AND p.delivered_at >= $FROM AND p.delivered_at < $TO{area_sql} GROUP BY s.commune_code"
        ),
        |r| &mut r.revenue_vnd,
    )?;

    let province_code = match &area {
        Area::Province(p) => Some(p.clone()),
        _ => None,
    };
    let province_name = match province_code.as_deref() {
        Some(p) => store::province_name(conn, p)?,
        None => None,
    };
    let label = |m: Option<&Month>| m.map(|m| m.label()).unwrap_or_default();
    Ok(CommuneRanking {
        province_code,
        province_name,
        from: label(months.first()),
        to: label(months.last()),
        communes: rules::rank(rows.into_values().map(rules::with_shares).collect()),
    })
}
