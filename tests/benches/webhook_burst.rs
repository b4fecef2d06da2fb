//! The bank webhook under a burst: 1,000 notifications (800 distinct ids,
//! 200 of them sent a second time; matched to orders, over- and under-paid,
//! or naming no order) posted concurrently to the real server over HTTP,
//! on SQLite and on PostgreSQL. Reports total time, notifications per
//! second and p50/p99/max latency, then checks that the books balance,
//! that each order's `paid_vnd` is the sum of its distinct notifications
//! (up to what it owes; the rest owed back) and that suspense holds exactly
//! the distinct unmatched ones: a duplicate, even one racing its original,
//! books nothing.
//!
//! ```text
//! NONGSAN_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo bench -p e2e --bench webhook_burst
//! ```
//!
//! Without `NONGSAN_BENCH_POSTGRES_URL` only SQLite is measured, and the
//! bench says so. Knobs: `NONGSAN_BENCH_NOTIFICATIONS` (1000),
//! `NONGSAN_BENCH_DISTINCT` (800), `NONGSAN_BENCH_CONCURRENCY` (48),
//! `NONGSAN_BENCH_ORDERS` (100), `NONGSAN_BENCH_SEED` (42),
//! `NONGSAN_BENCH_BACKENDS` (`sqlite,postgres`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The end-to-end tests' helpers, shared as a module (the e2e package has no
// lib); this bench uses only a few of them.
#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use storage::testing::{Backend, TestDatabase};
use support::{notification, place, TestServer};

/// Each order is one kilogram at this price.
const ORDER_VND: i64 = 100_000;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// A small deterministic generator (SplitMix64): the same burst every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One distinct notification: its body, and the order it pays (by index)
/// or `None` for suspense.
struct Distinct {
    body: Value,
    order: Option<usize>,
    amount: i64,
}

fn burst(
    orders: &[(String, String)],
    distinct: usize,
    total: usize,
    seed: u64,
) -> (Vec<Distinct>, Vec<usize>) {
    let mut rng = Rng(seed);
    let mut notes = Vec::with_capacity(distinct);
    for i in 0..distinct {
        // three in four name an order, with the bank's usual wrappings
        let order = (rng.below(4) != 0).then(|| rng.below(orders.len()));
        let amount = 5_000 * (1 + rng.below(8) as i64);
        let content = match order {
            Some(o) => {
                let code = &orders[o].1;
                match rng.below(3) {
                    0 => code.clone(),
                    1 => format!(
                        "MBVCB.{i}.{}.CT tu 0123456789 TRAN THI BE toi 1900000000001",
                        code.to_lowercase()
                    ),
                    _ => format!("IBFT {} {}", &code[..6], &code[6..]),
                }
            }
            None => format!("chuyen tien {i}"),
        };
        notes.push(Distinct { body: notification(&format!("burst-{i}"), &content, amount), order, amount });
    }
    // every distinct id once, then repeats of random ones, all shuffled:
    // a repeat may race its original
    let mut sends: Vec<usize> = (0..distinct).collect();
    sends.extend((distinct..total).map(|_| rng.below(distinct)));
    for i in (1..sends.len()).rev() {
        sends.swap(i, rng.below(i + 1));
    }
    (notes, sends)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

struct Figures {
    total: Duration,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

async fn bench_backend(name: &str, db: TestDatabase) -> Figures {
    let total: usize = env_or("NONGSAN_BENCH_NOTIFICATIONS", 1000);
    let distinct: usize = env_or("NONGSAN_BENCH_DISTINCT", 800).min(total);
    let concurrency: usize = env_or("NONGSAN_BENCH_CONCURRENCY", 48);
    let n_orders: usize = env_or("NONGSAN_BENCH_ORDERS", 100);
    let seed: u64 = env_or("NONGSAN_BENCH_SEED", 42);
    let url = db.url.clone();
    let s = Arc::new(TestServer::start_with(move |c| c.database_url = url).await);

    // the orders the burst pays
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s
        .listing(
            &farmer,
            &json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": ORDER_VND, "quantity": 1_000_000}),
        )
        .await;
    let listing_id = listing["id"].as_str().unwrap().to_string();
    let buyer = s.buyer("0987000001").await;
    let mut orders = Vec::new();
    for _ in 0..n_orders {
        let o = place(&s, &buyer, &[(listing_id.as_str(), 1)], "vietqr").await;
        orders.push((o["id"].as_str().unwrap().to_string(), o["code"].as_str().unwrap().to_string()));
    }
    let (notes, sends) = burst(&orders, distinct, total, seed);
    let notes = Arc::new(notes);
    let sends = Arc::new(sends);
    println!(
        "\n=== {name}: {} notifications ({distinct} distinct, {} repeats; {} naming one of {n_orders} orders), \
         {concurrency} in flight ===",
        sends.len(),
        sends.len() - distinct,
        notes.iter().filter(|n| n.order.is_some()).count(),
    );

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (s, notes, sends, next) = (s.clone(), notes.clone(), sends.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&n) = sends.get(i) else { break };
                let sent = Instant::now();
                let r = s.notify(&notes[n].body).await;
                let status = r.status();
                let text = r.text().await.unwrap();
                latencies.push(sent.elapsed());
                assert_eq!(status, StatusCode::OK, "notification {n}: {text}");
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.unwrap());
    }
    let took = started.elapsed();
    latencies.sort();
    let figures = Figures {
        total: took,
        per_second: latencies.len() as f64 / took.as_secs_f64(),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        max: latencies[latencies.len() - 1],
    };
    println!(
        "{name}: {} notifications in {:.2} s: {:.0}/s; latency p50 {} ms, p99 {} ms, max {} ms",
        latencies.len(),
        took.as_secs_f64(),
        figures.per_second,
        ms(figures.p50),
        ms(figures.p99),
        ms(figures.max)
    );

    // the books afterwards: each distinct notification counted once
    let tb = s.books().await;
    let balance = |code: &str| {
        tb["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == code)
            .map_or(0, |a| a["balance_vnd"].as_i64().unwrap())
    };
    let mut sent_for: BTreeMap<usize, i64> = BTreeMap::new();
    for n in notes.iter() {
        if let Some(o) = n.order {
            *sent_for.entry(o).or_default() += n.amount;
        }
    }
    let unmatched: i64 = notes.iter().filter(|n| n.order.is_none()).map(|n| n.amount).sum();
    let all: i64 = notes.iter().map(|n| n.amount).sum();
    assert_eq!(balance("bank:collection"), all, "the bank holds every distinct notification once");
    assert_eq!(balance("suspense:unmatched-transfers"), unmatched);
    for (o, (id, code)) in orders.iter().enumerate() {
        let sent = sent_for.get(&o).copied().unwrap_or(0);
        let r = s.get(&format!("/api/v1/orders/{id}"), Some(&s.admin_token)).await;
        let order: Value = r.json().await.unwrap();
        let paid = sent.min(ORDER_VND);
        assert_eq!(order["paid_vnd"], paid, "order {code}: sent {sent}");
        assert_eq!(order["status"], if paid == ORDER_VND { "paid" } else { "placed" }, "order {code}");
        assert_eq!(balance(&format!("escrow:order:{id}")), paid, "order {code}");
        assert_eq!(
            balance(&format!("refund:order:{id}")),
            sent - paid,
            "order {code}: the excess is owed back"
        );
    }
    println!("{name}: books balanced; every order's paid_vnd is the sum of its distinct notifications");
    figures
}

fn main() {
    let backends = std::env::var("NONGSAN_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let postgres_url = std::env::var("NONGSAN_BENCH_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty());
    let mut results = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let (name, db) = match backend {
            Backend::Sqlite if backends.contains("sqlite") => {
                ("SQLite", TestDatabase::on(Backend::Sqlite).unwrap())
            }
            Backend::Postgres if backends.contains("postgres") => match &postgres_url {
                Some(url) => ("PostgreSQL", TestDatabase::postgres_on(url).unwrap()),
                None => {
                    eprintln!(
                        "\n!!!!!!!! NONGSAN_BENCH_POSTGRES_URL is not set: PostgreSQL was NOT measured \
                         (e.g. postgres://postgres@127.0.0.1:5432/postgres) !!!!!!!!\n"
                    );
                    continue;
                }
            },
            _ => continue,
        };
        // a runtime per backend: the server stops with it
        let rt = tokio::runtime::Runtime::new().unwrap();
        let figures = rt.block_on(bench_backend(name, db));
        results.push((name, figures));
    }
    println!("\n| backend | notifications | total s | per s | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|");
    let total: usize = env_or("NONGSAN_BENCH_NOTIFICATIONS", 1000);
    for (name, f) in &results {
        println!(
            "| {name} | {total} | {:.2} | {:.0} | {} | {} | {} |",
            f.total.as_secs_f64(),
            f.per_second,
            ms(f.p50),
            ms(f.p99),
            ms(f.max)
        );
    }
}
