//! Listing search on each backend's own full-text index: SQLite FTS5 with
//! bm25 ranking, PostgreSQL tsvector/GIN with ts_rank. Both index the same
//! folded text (lower-case, no diacritics, đ→d), so both answer alike; only
//! the SQL that reaches the index differs.

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use storage::DbConnection;

use super::rules::{SearchQuery, SortOrder};
use crate::MarketError;

/// One page of matching listing ids, best first, and how many match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    pub ids: Vec<String>,
    pub total: i64,
}

enum Bind {
    Text(String),
    Int(i64),
}

/// SQL text with its bind values, placeholders spelled for the backend.
struct Sql {
    text: String,
    binds: Vec<Bind>,
    postgres: bool,
}

impl Sql {
    fn new(postgres: bool) -> Sql {
        Sql { text: String::new(), binds: Vec::new(), postgres }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        if self.postgres {
            let n = self.binds.len();
            self.text.push_str(&format!("${n}"));
        } else {
            self.text.push('?');
        }
        self
    }
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `FROM … WHERE …` shared by the page and the count: only listings a
/// buyer can order now (active, in stock, lot not recalled) that match
/// every word and filter.
fn from_where(sql: &mut Sql, q: &SearchQuery) {
    let text_match = !q.words.is_empty();
    if text_match && !sql.postgres {
        sql.push(" FROM listing_search JOIN listings l ON l.search_id = listing_search.rowid")
            .push(" WHERE listing_search MATCH ")
            .bind(Bind::Text(q.fts5_match()))
            .push(" AND");
    } else if text_match {
        sql.push(" FROM listings l WHERE l.search_vector @@ to_tsquery('simple', ")
            .bind(Bind::Text(q.tsquery()))
            .push(") AND");
    } else {
        sql.push(" FROM listings l WHERE");
    }
    // Recalled lots are few: the subquery is read once per query.
    sql.push(
        " l.status = 'active' AND l.quantity > 0 \
         AND (l.lot_id IS NULL OR l.lot_id NOT IN (SELECT id FROM lots WHERE status = 'recalled'))",
    );
    let text_filters = [
        (" AND l.province_code = ", &q.province),
        (" AND l.commune_code = ", &q.commune),
        (" AND l.category = ", &q.category),
        (" AND l.seller_id = ", &q.seller),
    ];
    for (clause, value) in text_filters {
        if let Some(v) = value {
            sql.push(clause).bind(Bind::Text(v.clone()));
        }
    }
    if let Some(lo) = q.min_price {
        sql.push(" AND l.price_vnd >= ").bind(Bind::Int(lo));
    }
    if let Some(hi) = q.max_price {
        sql.push(" AND l.price_vnd <= ").bind(Bind::Int(hi));
    }
}

fn order_by(sql: &mut Sql, q: &SearchQuery) {
    sql.push(" ORDER BY ");
    match q.sort {
        SortOrder::Relevance if !q.words.is_empty() => {
            if sql.postgres {
                // title words (weight A) count more than the rest (B)
                sql.push("ts_rank(l.search_vector, to_tsquery('simple', ")
                    .bind(Bind::Text(q.tsquery()))
                    .push(")) DESC, ");
            } else {
                // bm25 is lower for better matches; the title weighs 10×
                sql.push("bm25(listing_search, 10.0, 1.0), ");
            }
        }
        SortOrder::Relevance | SortOrder::Newest => {}
        SortOrder::PriceAsc => {
            sql.push("l.price_vnd ASC, ");
        }
        SortOrder::PriceDesc => {
            sql.push("l.price_vnd DESC, ");
        }
    }
    // newest first among equals, then the id so pages never overlap
    sql.push("l.created_at DESC, l.id");
}

fn page_sql(q: &SearchQuery, postgres: bool) -> Sql {
    let mut sql = Sql::new(postgres);
    sql.push("SELECT l.id AS id");
    from_where(&mut sql, q);
    order_by(&mut sql, q);
    sql.push(" LIMIT ").bind(Bind::Int(q.limit)).push(" OFFSET ").bind(Bind::Int(q.offset));
    sql
}

fn count_sql(q: &SearchQuery, postgres: bool) -> Sql {
    let mut sql = Sql::new(postgres);
    sql.push("SELECT COUNT(*) AS n");
    from_where(&mut sql, q);
    sql
}

/// Runs `sql` on whichever backend `conn` is, binding its values in order.
macro_rules! load_rows {
    ($conn:expr, $sql:expr, $row:ty) => {{
        use diesel::RunQueryDsl;
        let sql: Sql = $sql;
        storage::per_backend!($conn, |c| {
            let mut query = diesel::sql_query(sql.text).into_boxed();
            for bind in sql.binds {
                query = match bind {
                    Bind::Text(t) => query.bind::<Text, _>(t),
                    Bind::Int(i) => query.bind::<BigInt, _>(i),
                };
            }
            query.load::<$row>(c)
        })
    }};
}

pub fn search(conn: &mut DbConnection, q: &SearchQuery) -> Result<SearchPage, MarketError> {
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let ids: Vec<IdRow> = load_rows!(conn, page_sql(q, postgres), IdRow)?;
    // A short first page is the whole result: no need to count.
    let total = if q.offset == 0 && (ids.len() as i64) < q.limit {
        ids.len() as i64
    } else {
        load_rows!(conn, count_sql(q, postgres), CountRow)?.first().map(|r| r.n).unwrap_or(0)
    };
    Ok(SearchPage { ids: ids.into_iter().map(|r| r.id).collect(), total })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::listings::rules::RawSearch;

    #[test]
    fn placeholders_follow_the_backend() {
        let q = SearchQuery::parse(&RawSearch {
            q: Some("chè"),
            commune: Some("02260"),
            max_price: Some(500_000),
            ..Default::default()
        })
        .unwrap();
        let sqlite = page_sql(&q, false);
        assert_eq!(sqlite.text.matches('?').count(), sqlite.binds.len());
        assert!(sqlite.text.contains("listing_search MATCH ?"), "{}", sqlite.text);
        let pg = page_sql(&q, true);
        assert!(pg.text.contains("to_tsquery('simple', $1)"), "{}", pg.text);
        assert!(pg.text.contains(&format!("${}", pg.binds.len())));
        assert!(!pg.text.contains('?'));
    }

    #[test]
    fn without_words_there_is_no_text_index_in_the_query() {
        let q = SearchQuery::parse(&RawSearch { category: Some("che"), ..Default::default() }).unwrap();
        for postgres in [false, true] {
            let sql = page_sql(&q, postgres);
            assert!(!sql.text.contains("MATCH") && !sql.text.contains("tsquery"), "{}", sql.text);
            assert!(sql.text.contains("ORDER BY l.created_at DESC, l.id"), "{}", sql.text);
        }
    }
}
