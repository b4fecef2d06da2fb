//! Ledger postings per second, one per write transaction as the payment
//! flows make them: a posted transfer between two limited accounts
//! (escrow to payable, the conditional updates at work), and a hold posted
//! later in a transaction of its own (a pair = two transactions).
//!
//! ```text
//! NONGSAN_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo bench -p payment --bench ledger
//! ```
//!
//! SQLite runs on a temporary file (WAL, synchronous = NORMAL, as the
//! server opens it); PostgreSQL on a new database at
//! `NONGSAN_BENCH_POSTGRES_URL`, dropped at the end. Without that variable
//! only SQLite is measured, and the bench says so. Each backend first gets
//! a plain timed run (`NONGSAN_BENCH_POSTINGS`, 2000) whose figure is
//! printed as postings per second, then criterion's measurement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use payment::ledger::{self, AccountSpec, Side, TransferRequest};
use storage::testing::{Backend, TestDatabase};
use storage::DbConnection;

const BANK: &str = "bank:collection";
const ESCROW: &str = "escrow:bench";
const PAYABLE: &str = "payable:seller:bench";

fn setup(db: &TestDatabase) -> DbConnection {
    let mut conn = DbConnection::open(&db.database_url().unwrap()).unwrap();
    conn.run_pending_migrations().unwrap();
    storage::write_transaction(&mut conn, |c| {
        ledger::open_account(c, &AccountSpec { code: BANK, normal: Side::Debit, non_negative: false })?;
        ledger::open_account(c, &AccountSpec { code: ESCROW, normal: Side::Credit, non_negative: true })?;
        ledger::open_account(c, &AccountSpec { code: PAYABLE, normal: Side::Credit, non_negative: true })?;
        ledger::transfer(
            c,
            &TransferRequest {
                key: "fund",
                debit: BANK,
                credit: ESCROW,
                amount_vnd: ledger::MAX_AMOUNT_VND,
                pending: false,
                memo: "",
                reference: None,
            },
        )
    })
    .unwrap();
    conn
}

fn posted(conn: &mut DbConnection, key: &str) {
    storage::write_transaction(conn, |c| {
        ledger::transfer(
            c,
            &TransferRequest {
                key,
                debit: ESCROW,
                credit: PAYABLE,
                amount_vnd: 1_000,
                pending: false,
                memo: "Giao hàng đơn NS12345678",
                reference: Some("order:bench"),
            },
        )
    })
    .unwrap();
}

fn pending_then_post(conn: &mut DbConnection, key: &str) {
    let hold = storage::write_transaction(conn, |c| {
        ledger::transfer(
            c,
            &TransferRequest {
                key,
                debit: ESCROW,
                credit: PAYABLE,
                amount_vnd: 1_000,
                pending: true,
                memo: "Giữ tiền đơn NS12345678",
                reference: Some("order:bench"),
            },
        )
    })
    .unwrap();
    storage::write_transaction(conn, |c| {
        ledger::post_pending(c, &format!("{key}:post"), &hold.transfer.id, Some(900), "Giao hàng")
    })
    .unwrap();
}

fn per_second(n: usize, elapsed: Duration) -> f64 {
    n as f64 / elapsed.as_secs_f64()
}

fn bench_backend(c: &mut Criterion, name: &str, db: TestDatabase) {
    let mut conn = setup(&db);
    let n: usize = std::env::var("NONGSAN_BENCH_POSTINGS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);

    let start = Instant::now();
    for i in 0..n {
        posted(&mut conn, &format!("warm:{i}"));
    }
    let posted_rate = per_second(n, start.elapsed());
    let start = Instant::now();
    for i in 0..n / 2 {
        pending_then_post(&mut conn, &format!("warm:pair:{i}"));
    }
    let pair_rate = per_second(n / 2, start.elapsed());
    println!(
        "\n{name}: {posted_rate:.0} posted transfers/s (one per transaction); \
         {pair_rate:.0} pending+post pairs/s ({:.0} transactions/s), over {n} postings each\n",
        pair_rate * 2.0
    );

    let counter = Cell::new(0_u64);
    let next_key = || {
        counter.set(counter.get() + 1);
        format!("bench:{}", counter.get())
    };
    let mut group = c.benchmark_group(format!("ledger/{name}"));
    group.throughput(Throughput::Elements(1));
    group.bench_function("posted transfer", |b| b.iter(|| posted(&mut conn, &next_key())));
    group.bench_function("pending+post pair", |b| b.iter(|| pending_then_post(&mut conn, &next_key())));
    group.finish();

    let tb = storage::write_transaction(&mut conn, ledger::trial_balance).unwrap();
    assert!(tb.is_balanced(), "{tb:?}");
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    bench_backend(&mut c, "SQLite", TestDatabase::on(Backend::Sqlite).unwrap());
    match std::env::var("NONGSAN_BENCH_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty()) {
        Some(url) => bench_backend(&mut c, "PostgreSQL", TestDatabase::postgres_on(&url).unwrap()),
        None => eprintln!(
            "\n!!!!!!!! NONGSAN_BENCH_POSTGRES_URL is not set: PostgreSQL was NOT measured \
             (e.g. postgres://postgres@127.0.0.1:5432/postgres) !!!!!!!!\n"
        ),
    }
    c.final_summary();
}
