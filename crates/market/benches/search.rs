//! Listing search at 100,000 or 1,000,000 listings: the database work of
//! `GET /api/v1/listings` (`search` then `load_views`, as the handler runs
//! them) over a realistic mix of queries, with p50/p95/p99/max per kind of
//! query and overall, on SQLite and on PostgreSQL. The goal is p95 under
//! 50 ms for every kind.
//!
//! ```text
//! NONGSAN_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo bench -p market --bench search
//! ```
//!
//! Each backend gets a fresh database (a temporary SQLite file; a new
//! PostgreSQL database, dropped at the end), filled by the listing
//! generator. Without `NONGSAN_BENCH_POSTGRES_URL` only SQLite is measured,
//! and the bench says so. Other knobs: `NONGSAN_BENCH_LISTINGS` (100000),
//! `NONGSAN_BENCH_ROUNDS` (100 timed runs of every kind), `NONGSAN_BENCH_SEED`
//! (42), `NONGSAN_BENCH_BACKENDS` (`sqlite,postgres`).
//!
//! At a million listings seeding takes minutes, so a market made once with
//! `nongsan seed-listings --count N --seed 42` can be measured again and
//! again: `NONGSAN_BENCH_SQLITE_DB` (a file path) and
//! `NONGSAN_BENCH_POSTGRES_DB` (a database URL) name it; the bench applies
//! pending migrations and keeps it. With `NONGSAN_BENCH_SQLITE_HTTP` or
//! `NONGSAN_BENCH_POSTGRES_HTTP` (a base URL such as
//! `http://127.0.0.1:8080` of a release server on that database) the same
//! mix is also timed over HTTP, `GET /api/v1/listings` as a browser sends it
//! (one client, a new connection per request).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use listing_generator::SeedPlan;
use market::listings::rules::{RawSearch, SearchQuery, SortOrder};
use market::listings::store::load_views;
use market::listings::{search, LinkBase};
use storage::schema::listings;
use storage::testing::{Backend, TestDatabase};
use storage::DbConnection;

const GOAL: Duration = Duration::from_millis(50);

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// A query as it would be written in the URL (`q=che&province=08`).
fn parse(query: &str) -> SearchQuery {
    let pairs: Vec<(&str, &str)> = query.split('&').filter_map(|p| p.split_once('=')).collect();
    let get = |k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let num = |k: &str| get(k).map(|v| v.parse::<i64>().unwrap());
    let sort = get("sort").map(|s| match s {
        "newest" => SortOrder::Newest,
        "price_asc" => SortOrder::PriceAsc,
        "price_desc" => SortOrder::PriceDesc,
        _ => SortOrder::Relevance,
    });
    SearchQuery::parse(&RawSearch {
        q: get("q"),
        province: get("province"),
        commune: get("commune"),
        category: get("category"),
        seller: get("seller"),
        min_price: num("min_price"),
        max_price: num("max_price"),
        sort,
        limit: num("limit"),
        offset: num("offset"),
    })
    .unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// Busy, middling and quiet places of the generated market, so filters
/// meet both large and small result sets.
struct Places {
    communes: Vec<String>,
    provinces: Vec<String>,
}

fn places(conn: &mut DbConnection) -> Places {
    let by = |conn: &mut DbConnection, province: bool| -> Vec<String> {
        let rows: Vec<(String, i64)> = if province {
            listings::table
                .group_by(listings::province_code)
                .select((listings::province_code, diesel::dsl::count_star()))
                .load(conn)
                .unwrap()
        } else {
            listings::table
                .group_by(listings::commune_code)
                .select((listings::commune_code, diesel::dsl::count_star()))
                .load(conn)
                .unwrap()
        };
        let mut rows = rows;
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let n = rows.len();
        vec![rows[0].0.clone(), rows[n / 2].0.clone(), rows[n - 1].0.clone()]
    };
    Places { communes: by(conn, false), provinces: by(conn, true) }
}

/// The query mix: what buyers type and click, by kind.
fn mix(p: &Places) -> Vec<(&'static str, Vec<String>)> {
    let (c, pr) = (&p.communes, &p.provinces);
    let kinds: Vec<(&'static str, Vec<String>)> = vec![
        ("one common word", vec!["q=che".into(), "q=gao".into(), "q=cam".into(), "q=mat".into()]),
        (
            "several words",
            vec![
                "q=che shan tuyet".into(),
                "q=gao st25".into(),
                "q=mat ong bac ha".into(),
                "q=ca phe robusta".into(),
                "q=nấm hương sa pa".into(),
            ],
        ),
        (
            "prefixes while typing",
            vec!["q=ch".into(), "q=mat o".into(), "q=ca p".into(), "q=che sh".into(), "q=tr".into()],
        ),
        ("word in nothing", vec!["q=sushi".into(), "q=iphone".into(), "q=che iphone".into()]),
        ("filter: province", pr.iter().map(|x| format!("province={x}")).collect()),
        ("filter: commune", c.iter().map(|x| format!("commune={x}")).collect()),
        ("filter: category", vec!["category=che".into(), "category=qua".into(), "category=duoc-lieu".into()]),
        (
            "filter: price range",
            vec![
                "min_price=50000&max_price=150000".into(),
                "max_price=30000".into(),
                "min_price=1000000".into(),
            ],
        ),
        (
            "words + filters",
            vec![
                format!("q=che&province={}", pr[0]),
                "q=gao&category=gao&max_price=40000".into(),
                "q=mat ong&min_price=300000&max_price=800000".into(),
                format!("q=cam&commune={}", c[0]),
                format!("q=thit&province={}&category=thit", pr[1]),
            ],
        ),
        ("browse, page 1", vec!["".into(), "sort=newest".into(), "limit=50".into()]),
        ("browse, offset 2000", vec!["offset=2000".into(), "offset=2000&sort=newest".into()]),
        (
            "sort by price",
            vec![
                "sort=price_asc".into(),
                "sort=price_desc".into(),
                "category=che&sort=price_desc".into(),
                "q=cam&sort=price_asc".into(),
                format!("province={}&sort=price_asc", pr[0]),
            ],
        ),
    ];
    kinds
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// What `GET /api/v1/listings` does with the database; returns the total
/// and whether it is a lower bound.
fn run(conn: &mut DbConnection, links: &LinkBase, q: &SearchQuery) -> (i64, bool) {
    let page = search::search(conn, q).unwrap();
    let views = load_views(conn, links, &page.ids).unwrap();
    assert_eq!(views.len(), page.ids.len());
    (page.total, page.total_is_lower_bound)
}

struct Stats {
    n: usize,
    p50: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
}

fn stats(samples: &[Duration]) -> Stats {
    let mut s = samples.to_vec();
    s.sort();
    Stats {
        n: s.len(),
        p50: percentile(&s, 0.50),
        p95: percentile(&s, 0.95),
        p99: percentile(&s, 0.99),
        max: s[s.len() - 1],
    }
}

/// Returns whether the goal was met.
fn bench_backend(backend: Backend, postgres_url: Option<&str>) -> bool {
    let listings: usize = env_or("NONGSAN_BENCH_LISTINGS", 100_000);
    let rounds: usize = env_or("NONGSAN_BENCH_ROUNDS", 100);
    let seed: u64 = env_or("NONGSAN_BENCH_SEED", 42);
    let (kept_var, http_var) = match backend {
        Backend::Sqlite => ("NONGSAN_BENCH_SQLITE_DB", "NONGSAN_BENCH_SQLITE_HTTP"),
        Backend::Postgres => ("NONGSAN_BENCH_POSTGRES_DB", "NONGSAN_BENCH_POSTGRES_HTTP"),
    };
    let kept = std::env::var(kept_var).ok().filter(|v| !v.trim().is_empty());
    let http = std::env::var(http_var).ok().filter(|v| !v.trim().is_empty());
    // A fresh database, dropped at the end, unless one is named.
    let (_fresh, url) = match (&kept, postgres_url) {
        (Some(kept), _) if backend == Backend::Sqlite => (None, format!("sqlite://{kept}")),
        (Some(kept), _) => (None, kept.clone()),
        (None, Some(url)) => {
            let db = TestDatabase::postgres_on(url).unwrap();
            let url = db.url.clone();
            (Some(db), url)
        }
        (None, None) => {
            let db = TestDatabase::on(backend).unwrap();
            let url = db.url.clone();
            (Some(db), url)
        }
    };
    let name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let pool = storage::connect_and_migrate(&storage::DatabaseUrl::parse(&url).unwrap(), 2).unwrap();
    let mut conn = pool.get().unwrap();
    let conn: &mut DbConnection = &mut conn;
    if let DbConnection::Postgres(pg) = &mut *conn {
        let version: String =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("version()")).get_result(pg).unwrap();
        println!("{}", version.split(" on ").next().unwrap_or(&version));
    }
    let public_url = "http://127.0.0.1:8080".to_string();
    let existing: i64 = listings::table.count().get_result(conn).unwrap();
    let listings = if kept.is_some() && existing > 0 {
        println!("\n=== {name}: the market already there, {existing} listings ===");
        existing as usize
    } else {
        seed_market(conn, name, listings, seed, &public_url);
        listings
    };

    let links = LinkBase { public_url };
    let kinds = mix(&places(conn));
    // Warm-up: one run of everything, which also shows what each query finds.
    let mut totals: BTreeMap<String, (i64, bool)> = BTreeMap::new();
    for (_, queries) in &kinds {
        for q in queries {
            totals.insert(q.clone(), run(conn, &links, &parse(q)));
        }
    }
    let mut met = report(name, "in process", listings, rounds, &kinds, &totals, |_, q| {
        let started = Instant::now();
        run(conn, &links, q);
        started.elapsed()
    });
    if let Some(base) = http {
        for (_, queries) in &kinds {
            for q in queries {
                get(&base, q);
            }
        }
        met &= report(name, &format!("over HTTP ({base})"), listings, rounds, &kinds, &totals, |raw, _| {
            let started = Instant::now();
            get(&base, raw);
            started.elapsed()
        });
    }
    met
}

fn seed_market(conn: &mut DbConnection, name: &str, listings: usize, seed: u64, public_url: &str) {
    market::reference::store::load_reference_data(conn).unwrap();
    let master = vault::MasterKey::generate();
    traceability::keys::ensure_operator(conn, &master, "Nông sản số (bench)").unwrap();
    let settings = traceability::lots::TraceSettings {
        public_url: public_url.into(),
        gtin_company_prefix: "200000".into(),
    };
    let until = chrono::Utc::now().date_naive().and_hms_opt(0, 0, 0).unwrap();
    let plan = SeedPlan::new(listings, seed, until);
    println!("\n=== {name}: generating {listings} listings (seed {seed}) ===");
    let started = Instant::now();
    let report =
        listing_generator::seed(conn, &master, &settings, &plan, &mut |line| println!("  {line}")).unwrap();
    println!("  done in {:.1} s: {report}", started.elapsed().as_secs_f64());
}

/// `GET /api/v1/listings?{query}` over a new connection, as a browser's
/// first request would; panics unless the answer is 200.
fn get(base: &str, query: &str) {
    use std::io::{Read, Write};
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut path = String::from("/api/v1/listings?");
    for (i, pair) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
        if i > 0 {
            path.push('&');
        }
        for b in pair.bytes() {
            match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'=' | b'_' | b'-' => path.push(b as char),
                _ => path.push_str(&format!("%{b:02X}")),
            }
        }
    }
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream.set_nodelay(true).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{query}: {}",
        String::from_utf8_lossy(&answer[..answer.len().min(300)])
    );
}

/// Times `rounds` runs of every kind with `time` and prints the table;
/// returns whether the goal was met.
fn report(
    name: &str,
    how: &str,
    listings: usize,
    rounds: usize,
    kinds: &[(&'static str, Vec<String>)],
    totals: &BTreeMap<String, (i64, bool)>,
    mut time: impl FnMut(&str, &SearchQuery) -> Duration,
) -> bool {
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); kinds.len()];
    let mut by_query: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    let parsed: Vec<Vec<SearchQuery>> =
        kinds.iter().map(|(_, qs)| qs.iter().map(|q| parse(q)).collect()).collect();
    for round in 0..rounds {
        // Kinds interleaved, so a slow moment of the machine hits them all.
        for (k, (_, queries)) in kinds.iter().enumerate() {
            let i = round % queries.len();
            let took = time(&queries[i], &parsed[k][i]);
            by_kind[k].push(took);
            by_query.entry(queries[i].clone()).or_default().push(took);
        }
    }

    println!("\n{name}, {listings} listings, {how}, {rounds} runs of each kind (ms):");
    println!("| kind | runs | p50 | p95 | p99 | max |");
    println!("|---|---|---|---|---|---|");
    let mut worst: Option<(&str, Duration)> = None;
    for (k, (kind, _)) in kinds.iter().enumerate() {
        let s = stats(&by_kind[k]);
        println!("| {kind} | {} | {} | {} | {} | {} |", s.n, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max));
        if worst.is_none_or(|(_, p95)| s.p95 > p95) {
            worst = Some((kind, s.p95));
        }
    }
    let all: Vec<Duration> = by_kind.concat();
    let s = stats(&all);
    println!("| **all** | {} | {} | {} | {} | {} |", s.n, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max));

    println!("\n{name}, each query: matches, p50 and max (ms)");
    for (kind, queries) in kinds {
        for q in queries {
            let s = stats(&by_query[q]);
            let shown = if q.is_empty() { "(nothing)" } else { q };
            let (total, more) = totals[q];
            let total = format!("{}{total}", if more { ">" } else { "" });
            println!("  {kind:<22} {shown:<45} {total:>7} {:>7} {:>7}", ms(s.p50), ms(s.max));
        }
    }
    let (worst_kind, worst_p95) = worst.unwrap();
    let met = worst_p95 < GOAL;
    println!(
        "\n{name} ({how}): goal p95 < {} ms for every kind: {} (slowest kind: {worst_kind}, p95 {} ms)",
        GOAL.as_millis(),
        if met { "MET" } else { "MISSED" },
        ms(worst_p95)
    );
    met
}

fn main() {
    let backends = std::env::var("NONGSAN_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let postgres_url = std::env::var("NONGSAN_BENCH_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty());
    let mut results = Vec::new();
    if backends.contains("sqlite") {
        results.push(("SQLite", bench_backend(Backend::Sqlite, None)));
    }
    if backends.contains("postgres") {
        match &postgres_url {
            Some(url) => results.push(("PostgreSQL", bench_backend(Backend::Postgres, Some(url)))),
            None => eprintln!(
                "\n!!!!!!!! NONGSAN_BENCH_POSTGRES_URL is not set: PostgreSQL was NOT measured \
                 (e.g. postgres://postgres@127.0.0.1:5432/postgres) !!!!!!!!\n"
            ),
        }
    }
    println!();
    for (name, met) in &results {
        println!("{name}: {}", if *met { "goal met" } else { "GOAL MISSED" });
    }
}
