//! The 2025 two-level administrative units (34 provinces, ~3,300 communes),
//! loaded from the shipped CSV into the database as reference data, and
//! their queries.

use diesel::prelude::*;
use storage::schema::{communes, provinces};
use storage::DbConnection;

use super::{Commune, Province};
use crate::text;
use common::ApiError;

const CSV: &str = include_str!("../../data/communes-2025.csv");

#[derive(Debug, serde::Deserialize)]
struct Row {
    province_code: String,
    province_name: String,
    province_short: String,
    commune_code: String,
    commune_name: String,
    commune_short: String,
    commune_type: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// Loads the list once, when the tables are empty. Returns rows inserted.
pub fn load_reference_data(conn: &mut DbConnection) -> Result<usize, ApiError> {
    let existing: i64 = communes::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    let mut reader = csv::Reader::from_reader(CSV.as_bytes());
    let rows: Vec<Row> = reader
        .deserialize()
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::internal(format!("shipped commune list is damaged: {e}")))?;
    storage::write_transaction(conn, |conn| {
        let mut seen = std::collections::BTreeMap::new();
        for r in &rows {
            seen.entry(r.province_code.clone())
                .or_insert((r.province_name.clone(), r.province_short.clone()));
        }
        let province_rows: Vec<_> = seen
            .iter()
            .map(|(code, (name, short))| {
                (provinces::code.eq(code), provinces::name.eq(name), provinces::short_name.eq(short))
            })
            .collect();
        storage::per_backend!(conn, |c| diesel::insert_into(provinces::table)
            .values(&province_rows)
            .execute(c))?;
        // Chunks keep each statement under SQLite's bound-parameter limit.
        for chunk in rows.chunks(500) {
            let values: Vec<_> = chunk
                .iter()
                .map(|r| {
                    (
                        communes::code.eq(&r.commune_code),
                        communes::province_code.eq(&r.province_code),
                        communes::name.eq(&r.commune_name),
                        communes::short_name.eq(&r.commune_short),
                        communes::kind.eq(&r.commune_type),
                        communes::search_key.eq(text::fold(&r.commune_name)),
                        communes::lat.eq(r.lat),
                        communes::lon.eq(r.lon),
                    )
                })
                .collect();
            storage::per_backend!(conn, |c| diesel::insert_into(communes::table).values(&values).execute(c))?;
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(rows.len())
}

fn commune_columns(
) -> (communes::code, communes::name, communes::kind, communes::province_code, provinces::name) {
    (communes::code, communes::name, communes::kind, communes::province_code, provinces::name)
}

pub fn find(conn: &mut DbConnection, code: &str) -> Result<Option<Commune>, ApiError> {
    Ok(communes::table
        .inner_join(provinces::table)
        .filter(communes::code.eq(code))
        .select(commune_columns())
        .first(conn)
        .optional()?)
}

/// Which of these codes are in the commune list, in one query.
pub fn existing_codes(
    conn: &mut DbConnection,
    codes: &[String],
) -> Result<std::collections::HashSet<String>, ApiError> {
    let found: Vec<String> =
        communes::table.filter(communes::code.eq_any(codes)).select(communes::code).load(conn)?;
    Ok(found.into_iter().collect())
}

/// Diacritic-insensitive search: every word of `q` must occur in the name.
pub fn search(
    conn: &mut DbConnection,
    q: Option<&str>,
    province: Option<&str>,
    limit: i64,
) -> Result<Vec<Commune>, ApiError> {
    let mut query = communes::table.inner_join(provinces::table).select(commune_columns()).into_boxed();
    if let Some(q) = q {
        // A few words are plenty for a name; more would only deepen the query.
        for word in text::fold(q).split(' ').filter(|w| !w.is_empty()).take(6) {
            let pattern = format!("%{}%", word.replace(['%', '_'], ""));
            query = query.filter(communes::search_key.like(pattern));
        }
    }
    if let Some(p) = province {
        query = query.filter(communes::province_code.eq(p.to_string()));
    }
    Ok(query.order((communes::province_code, communes::name)).limit(limit).load(conn)?)
}

pub fn provinces(conn: &mut DbConnection) -> Result<Vec<Province>, ApiError> {
    Ok(provinces::table
        .select((provinces::code, provinces::name, provinces::short_name))
        .order(provinces::code)
        .load(conn)?)
}
