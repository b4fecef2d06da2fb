//! Listing search on each backend's own full-text index: SQLite FTS5,
//! PostgreSQL stripped tsvectors with GIN. Both index the same folded text
//! (lower-case, no diacritics, đ→d) of the listings a buyer can order now
//! (active, in stock, lot not recalled; triggers keep the index in step,
//! see the market migration), and both order alike, so both answer alike.
//!
//! Relevance: listings whose title holds every word come first, then those
//! that hold them elsewhere (description, farm, place, category), newest
//! first within each. Every order a search asks for is an index order
//! (search ids are handed out in creation order, so the newest listing has
//! the highest), so a page reads about its own rows and stops. A score
//! such as bm25 or ts_rank would have to be computed for every match and
//! sorted before the first row could be shown: with a word in half the
//! market, 50,000 of them. The exact total is a count over the full-text
//! index, without listing rows (FTS5 counts from its doclists; PostgreSQL
//! reads the narrow index rows of the matches: the one cost that grows
//! with the result).

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use storage::DbConnection;

use super::rules::{SearchQuery, SortOrder};
use common::ApiError;

/// One page of matching listing ids, best first, and how many match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    pub ids: Vec<String>,
    /// How many match, counted up to [`SearchQuery::count_bound`]: exact
    /// when `total_is_lower_bound` is false, else more than `total` match.
    pub total: i64,
    pub total_is_lower_bound: bool,
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

/// Which matches of the words a part of a search reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Words {
    /// Every word somewhere in the listing's text.
    Anywhere,
    /// Every word in the title.
    InTitle,
    /// Every word somewhere, but not all of them in the title.
    NotAllInTitle,
}

/// The parts of a relevance page, best first: `(tier, words)`.
const TIERS: [(i64, Words); 2] = [(0, Words::InTitle), (1, Words::NotAllInTitle)];

fn has_filters(q: &SearchQuery) -> bool {
    q.province.is_some()
        || q.commune.is_some()
        || q.category.is_some()
        || q.seller.is_some()
        || q.min_price.is_some()
        || q.max_price.is_some()
}

/// ` AND …` for every filter, on the table aliased `t`.
fn filters(sql: &mut Sql, q: &SearchQuery, t: &str) {
    let text_filters = [
        ("province_code", &q.province),
        ("commune_code", &q.commune),
        ("category", &q.category),
        ("seller_id", &q.seller),
    ];
    for (column, value) in text_filters {
        if let Some(v) = value {
            sql.push(&format!(" AND {t}.{column} = ")).bind(Bind::Text(v.clone()));
        }
    }
    if let Some(lo) = q.min_price {
        sql.push(&format!(" AND {t}.price_vnd >= ")).bind(Bind::Int(lo));
    }
    if let Some(hi) = q.max_price {
        sql.push(&format!(" AND {t}.price_vnd <= ")).bind(Bind::Int(hi));
    }
}

/// `price_vnd …, ` when sorting by price, on the table aliased `t`;
/// `plus` is appended to the column (`" + 0"` hides its index order).
fn price_order(q: &SearchQuery, t: &str, plus: &str) -> String {
    match q.sort {
        SortOrder::PriceAsc => format!("{t}.price_vnd{plus} ASC, "),
        SortOrder::PriceDesc => format!("{t}.price_vnd{plus} DESC, "),
        SortOrder::Relevance | SortOrder::Newest => String::new(),
    }
}

/// The page; `total` is the count, which PostgreSQL makes first.
fn page_sql(q: &SearchQuery, postgres: bool, total: i64) -> Sql {
    if postgres {
        postgres::page(q, total)
    } else {
        sqlite::page(q)
    }
}

fn count_sql(q: &SearchQuery, postgres: bool) -> Sql {
    if postgres {
        postgres::count(q)
    } else {
        sqlite::count(q)
    }
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

mod postgres;
mod sqlite;

/// `SELECT COUNT(*)` of at most `bound + 1` rows of `matches`, a
/// `SELECT 1 FROM …` without a limit: counting stops one past the bound.
fn bounded_count(postgres: bool, bound: i64, matches: impl FnOnce(&mut Sql)) -> Sql {
    let mut sql = Sql::new(postgres);
    sql.push("SELECT COUNT(*) AS n FROM (SELECT 1 AS one");
    matches(&mut sql);
    sql.push(" LIMIT ").bind(Bind::Int(bound + 1)).push(") AS counted");
    sql
}

pub fn search(conn: &mut DbConnection, q: &SearchQuery) -> Result<SearchPage, ApiError> {
    let bound = q.count_bound();
    let count = |conn: &mut DbConnection, postgres| -> Result<i64, ApiError> {
        Ok(load_rows!(conn, count_sql(q, postgres), CountRow)?.first().map(|r| r.n).unwrap_or(0))
    };
    let (ids, counted) = match conn {
        DbConnection::Postgres(_) => {
            // Counting first tells how to find the page (see `postgres::part`),
            // and that there is none past the end.
            let q = &postgres::rarest_first(conn, q)?;
            let counted = Ok::<_, ApiError>(
                load_rows!(conn, count_sql(q, true), CountRow)?.first().map(|r| r.n).unwrap_or(0),
            )?;
            // Past the bound there are many: more than `FEW`.
            let many = if counted > bound { i64::MAX } else { counted };
            let ids: Vec<IdRow> = if q.offset >= counted {
                Vec::new()
            } else if !q.words.is_empty() && q.sort == SortOrder::Relevance && many > postgres::FEW {
                // Each part of the page in turn, the next only if needed.
                let enough = q.offset + q.limit;
                let mut ids: Vec<IdRow> = Vec::new();
                for tier in TIERS {
                    let short = enough - ids.len() as i64;
                    if short > 0 {
                        ids.extend(load_rows!(conn, postgres::many_part(q, tier, short), IdRow)?);
                    }
                }
                ids.into_iter().skip(q.offset as usize).take(q.limit as usize).collect()
            } else {
                load_rows!(conn, page_sql(q, true, many), IdRow)?
            };
            (ids, counted)
        }
        DbConnection::Sqlite(_) => {
            let ids: Vec<IdRow> = load_rows!(conn, page_sql(q, false, 0), IdRow)?;
            // A short first page is the whole result: no need to count.
            let counted = if q.offset == 0 && (ids.len() as i64) < q.limit {
                ids.len() as i64
            } else {
                count(conn, false)?
            };
            (ids, counted)
        }
    };
    Ok(SearchPage {
        ids: ids.into_iter().map(|r| r.id).collect(),
        total: counted.min(bound),
        total_is_lower_bound: counted > bound,
    })
}

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::listings::rules::{RawSearch, COUNT_BOUND};

    fn parse(raw: RawSearch<'_>) -> SearchQuery {
        SearchQuery::parse(&raw).unwrap()
    }

    #[test]
    fn placeholders_follow_the_backend() {
        let q = parse(RawSearch {
            q: Some("chè"),
            commune: Some("02260"),
            max_price: Some(500_000),
            ..Default::default()
        });
        for sql in [page_sql(&q, false, 0), count_sql(&q, false)] {
            assert_eq!(sql.text.matches('?').count(), sql.binds.len(), "{}", sql.text);
            assert!(sql.text.contains("listing_search MATCH ?"), "{}", sql.text);
        }
        for sql in [page_sql(&q, true, 1_000_000), count_sql(&q, true)] {
            assert!(sql.text.contains("@@ to_tsquery('simple', $"), "{}", sql.text);
            assert!(sql.text.contains(&format!("${}", sql.binds.len())));
            assert!(!sql.text.contains(&format!("${}", sql.binds.len() + 1)));
            assert!(!sql.text.contains('?'));
        }
    }

    #[test]
    fn title_matches_come_first_then_the_rest_newest_first() {
        let q = parse(RawSearch { q: Some("chè shan"), offset: Some(40), ..Default::default() });
        assert_eq!(sqlite::fts5_query(&q, Words::InTitle), "{title} : (\"che\"* AND \"shan\"*)");
        assert_eq!(
            sqlite::fts5_query(&q, Words::NotAllInTitle),
            "(\"che\"* AND \"shan\"*) NOT {title} : (\"che\"* AND \"shan\"*)"
        );
        let sql = page_sql(&q, false, 0);
        assert!(sql.text.contains("UNION ALL"), "{}", sql.text);
        assert!(sql.text.contains("ORDER BY listing_search.rowid DESC"), "{}", sql.text);
        assert!(sql.text.ends_with("ORDER BY tier, sid DESC LIMIT ? OFFSET ?"), "{}", sql.text);
        // each part returns enough rows for the page: offset + limit
        assert!(sql.binds.iter().any(|b| matches!(b, Bind::Int(60))));
        let pg = page_sql(&q, true, 1_000_000);
        let few = page_sql(&q, true, 100).text;
        assert!(
            !few.contains("WITH") && few.contains("ORDER BY s.title_words @@"),
            "few are collected: {few}"
        );
        assert!(
            pg.text.contains("s.title_words @@") && pg.text.contains("AND NOT s.title_words @@"),
            "{}",
            pg.text
        );
        assert!(pg.text.contains("ORDER BY search_id DESC LIMIT $1"), "the newest first: {}", pg.text);
        assert!(pg.text.contains("ORDER BY s.search_id + 0 DESC"), "or all matches: {}", pg.text);
        assert!(!pg.text.contains("listings"), "PostgreSQL searches read only the search table: {}", pg.text);
    }

    #[test]
    fn words_alone_are_counted_on_the_full_text_index() {
        let q = parse(RawSearch { q: Some("chè"), ..Default::default() });
        assert_eq!(
            count_sql(&q, false).text,
            "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM listing_search WHERE listing_search MATCH ? \
             LIMIT ?) AS counted"
        );
        assert!(!count_sql(&q, true).text.contains("listings"));
        let q = parse(RawSearch { q: Some("chè"), province: Some("08"), ..Default::default() });
        assert!(count_sql(&q, false).text.contains("JOIN listings l"));
        assert!(!count_sql(&q, true).text.contains("listings"));
    }

    /// A fresh database holding a generated market of `listings`.
    pub(super) fn seeded_market(
        listings: usize,
        seed: u64,
    ) -> (storage::testing::TestDatabase, storage::Pool) {
        let db = storage::testing::TestDatabase::new().unwrap();
        let pool = storage::connect_and_migrate(&db.database_url().unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        crate::reference::store::load_reference_data(&mut conn).unwrap();
        let master = vault::MasterKey::generate();
        traceability::keys::ensure_operator(&mut conn, &master, "test").unwrap();
        let settings = traceability::lots::TraceSettings {
            public_url: "http://x".into(),
            gtin_company_prefix: "200000".into(),
        };
        let until = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        // The generator is its own crate, built on this one's library: only
        // storage, vault and traceability types cross, so its second copy of
        // the market does not matter here.
        let plan = listing_generator::SeedPlan::new(listings, seed, until);
        listing_generator::seed(&mut conn, &master, &settings, &plan, &mut |_| {}).unwrap();
        drop(conn);
        (db, pool)
    }

    /// The full-text index follows what a buyer can order: triggers add
    /// and remove listings as they are paused, sell out, change words, are
    /// deleted or have their lot recalled.
    #[test]
    fn the_index_follows_stock_status_edits_and_recalls() {
        use diesel::prelude::*;
        use storage::schema::{listings, lots};
        let (_db, pool) = seeded_market(2_000, 3);
        let mut conn = pool.get().unwrap();
        let conn: &mut DbConnection = &mut conn;

        // Far down the result, where the count is exact for a market this size.
        let total = |conn: &mut DbConnection, q: &str| {
            let q =
                parse(RawSearch { q: Some(q), limit: Some(1), offset: Some(9_999), ..Default::default() });
            let page = search(conn, &q).unwrap();
            assert!(!page.total_is_lower_bound);
            page.total
        };
        let ids = |conn: &mut DbConnection, q: &str| {
            search(conn, &parse(RawSearch { q: Some(q), limit: Some(100), ..Default::default() }))
                .unwrap()
                .ids
        };
        let everything = total(conn, "");
        // A listing sold from a lot, orderable now.
        let (id, lot_id): (String, String) = listings::table
            .inner_join(lots::table)
            .filter(
                listings::status.eq("active").and(listings::quantity.gt(0)).and(lots::status.eq("active")),
            )
            .select((listings::id, lots::id))
            .first(conn)
            .unwrap();
        let mine = || listings::table.find(&id);
        let set_quantity = |conn: &mut DbConnection, n: i64| {
            diesel::update(mine()).set(listings::quantity.eq(n)).execute(conn).unwrap();
        };
        set_quantity(conn, 0);
        assert_eq!(total(conn, ""), everything - 1, "sold out");
        set_quantity(conn, 5);
        set_quantity(conn, 4);
        assert_eq!(total(conn, ""), everything, "back in stock; stock changes alone keep it");
        diesel::update(mine()).set(listings::status.eq("paused")).execute(conn).unwrap();
        assert_eq!(total(conn, ""), everything - 1, "paused");
        diesel::update(mine()).set(listings::status.eq("active")).execute(conn).unwrap();

        diesel::update(mine())
            .set((listings::search_title.eq("quyt hong lai vung"), listings::search_body.eq("zzqq")))
            .execute(conn)
            .unwrap();
        assert_eq!(ids(conn, "quyt hong lai"), std::slice::from_ref(&id));
        assert_eq!(ids(conn, "zzq"), std::slice::from_ref(&id), "the body is searched too");
        assert_eq!(total(conn, "zzqq quyt"), 1);
        for sort in [SortOrder::PriceAsc, SortOrder::PriceDesc, SortOrder::Newest] {
            let q = parse(RawSearch { q: Some("zzqq"), sort: Some(sort), ..Default::default() });
            assert_eq!(search(conn, &q).unwrap().ids, std::slice::from_ref(&id), "{sort:?}");
        }
        // A word in the title ranks above the same word elsewhere, even in
        // a newer listing.
        let newest = search(conn, &parse(RawSearch { limit: Some(2), ..Default::default() })).unwrap().ids;
        let (newer, older) = (&newest[0], &newest[1]);
        diesel::update(listings::table.find(older))
            .set(listings::search_title.eq("xxyy"))
            .execute(conn)
            .unwrap();
        diesel::update(listings::table.find(newer))
            .set(listings::search_body.eq("tea xxyy"))
            .execute(conn)
            .unwrap();
        assert_eq!(ids(conn, "xxyy"), [older.clone(), newer.clone()]);
        assert_eq!(
            search(
                conn,
                &parse(RawSearch { q: Some("xxyy"), sort: Some(SortOrder::Newest), ..Default::default() })
            )
            .unwrap()
            .ids,
            [newer.clone(), older.clone()]
        );

        let linked: i64 = listings::table
            .filter(
                listings::lot_id.eq(&lot_id).and(listings::status.eq("active")).and(listings::quantity.gt(0)),
            )
            .count()
            .get_result(conn)
            .unwrap();
        diesel::update(lots::table.find(&lot_id)).set(lots::status.eq("recalled")).execute(conn).unwrap();
        assert_eq!(total(conn, ""), everything - linked, "a recall takes its listings out of browsing");
        assert_eq!(total(conn, "zzqq"), 0, "and out of the full-text index");
        set_quantity(conn, 9);
        assert_eq!(total(conn, "zzqq"), 0, "and they stay out");
    }

    /// Totals are exact up to the bound (or the end of the page asked
    /// for), and past it say "more than" without counting further.
    #[test]
    fn totals_are_exact_up_to_the_bound() {
        use diesel::prelude::*;
        use storage::schema::listings;
        let (_db, pool) = seeded_market(2_000, 3);
        let mut conn = pool.get().unwrap();
        let conn: &mut DbConnection = &mut conn;
        let exact = |conn: &mut DbConnection, q: &SearchQuery| {
            let page = search(conn, &SearchQuery { offset: 9_980, ..q.clone() }).unwrap();
            assert!(!page.total_is_lower_bound);
            page.total
        };
        let everything = exact(conn, &parse(RawSearch::default()));
        let orderable: i64 = listings::table
            .filter(listings::status.eq("active").and(listings::quantity.gt(0)))
            .count()
            .get_result(conn)
            .unwrap();
        assert!(everything > COUNT_BOUND + 100 && everything <= orderable, "{everything} of {orderable}");
        let page = |conn: &mut DbConnection, raw: RawSearch<'_>| search(conn, &parse(raw)).unwrap();
        let first = page(conn, RawSearch::default());
        assert_eq!((first.total, first.total_is_lower_bound, first.ids.len()), (COUNT_BOUND, true, 20));
        let far =
            page(conn, RawSearch { offset: Some(COUNT_BOUND + 50), limit: Some(30), ..Default::default() });
        assert_eq!((far.total, far.total_is_lower_bound), (COUNT_BOUND + 80, true), "to the end of the page");
        let last = page(conn, RawSearch { offset: Some(everything - 5), ..Default::default() });
        assert_eq!((last.total, last.total_is_lower_bound, last.ids.len()), (everything, false, 5));
        // Fewer matches than the bound: exact, on every path.
        for raw in [
            RawSearch { q: Some("gao"), ..Default::default() },
            RawSearch { q: Some("gao"), offset: Some(30), ..Default::default() },
            RawSearch { q: Some("che"), category: Some("che"), limit: Some(5), ..Default::default() },
            RawSearch { category: Some("qua"), sort: Some(SortOrder::PriceAsc), ..Default::default() },
        ] {
            let q = parse(raw);
            let wanted = exact(conn, &q);
            let got = search(conn, &q).unwrap();
            assert!(wanted < COUNT_BOUND && wanted > 0, "{wanted}");
            assert_eq!((got.total, got.total_is_lower_bound), (wanted, false));
        }
    }

    /// PostgreSQL finds a page of many matches among the newest listings
    /// first, and collects few; both ways give the same page.
    #[test]
    fn many_and_few_matches_give_the_same_pages_on_postgres() {
        if storage::testing::selected_backend() != storage::testing::Backend::Postgres {
            return;
        }
        let (_db, pool) = seeded_market(3_000, 5);
        let mut conn = pool.get().unwrap();
        let conn: &mut DbConnection = &mut conn;
        let cases = [
            RawSearch { q: Some("ch"), ..Default::default() },
            RawSearch { q: Some("ch"), offset: Some(100), limit: Some(50), ..Default::default() },
            RawSearch { q: Some("xa"), ..Default::default() },
            RawSearch { q: Some("che"), category: Some("che"), ..Default::default() },
            RawSearch { q: Some("gao st25"), ..Default::default() },
            RawSearch { q: Some("mat ong"), max_price: Some(500_000), offset: Some(5), ..Default::default() },
        ];
        for raw in cases {
            let q = parse(raw);
            let mut page = |total: i64| -> Vec<String> {
                let rows: Vec<IdRow> = load_rows!(&mut *conn, page_sql(&q, true, total), IdRow).unwrap();
                rows.into_iter().map(|r| r.id).collect()
            };
            let few = page(postgres::FEW);
            let many = page(postgres::FEW + 1);
            assert!(!few.is_empty(), "{q:?}");
            assert_eq!(few, many, "{q:?}");
        }
    }

    #[test]
    fn without_words_there_is_no_text_index_in_the_query() {
        let q = parse(RawSearch { category: Some("che"), ..Default::default() });
        for postgres in [false, true] {
            let sql = page_sql(&q, postgres, 1_000_000);
            assert!(!sql.text.contains("MATCH") && !sql.text.contains("tsquery"), "{}", sql.text);
            assert!(sql.text.contains("search_id DESC LIMIT"), "{}", sql.text);
        }
        let q = parse(RawSearch { sort: Some(SortOrder::PriceAsc), ..Default::default() });
        assert!(page_sql(&q, false, 0).text.contains("ORDER BY l.price_vnd ASC, l.search_id DESC"));
    }
}
