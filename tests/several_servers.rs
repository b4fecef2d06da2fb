//! Several servers on one PostgreSQL database: they start together without
//! tripping over each other's migrations and start-up writes, and the
//! unpaid-order releaser that runs on each releases every order once.

use reqwest::StatusCode;
use serde_json::{json, Value};
use storage::diesel::prelude::*;
use storage::schema::{audit_log, issuer_keys, orders, organisations};
use storage::testing::{selected_backend, Backend, TestDatabase};

use crate::support::{place, TestServer};

fn on_postgres(test: &str) -> bool {
    if selected_backend() == Backend::Postgres {
        return true;
    }
    eprintln!("{test}: several servers share a PostgreSQL database only; skipped on SQLite");
    false
}

fn config_for(db: &TestDatabase, data: &std::path::Path) -> server::Config {
    let mut config = server::Config::from_env();
    config.bind = "127.0.0.1:0".into();
    config.database_url = db.url.clone();
    config.data_dir = data.to_path_buf();
    config.public_url = String::new();
    config.master_key_hex = Some("11".repeat(32));
    config.workers = 1;
    config
}

#[tokio::test]
async fn two_servers_start_together_on_one_fresh_database() {
    if !on_postgres("two_servers_start_together_on_one_fresh_database") {
        return;
    }
    // A few rounds: without turns, the two start-ups collide on the first
    // migration (or on the commune list) nearly every time.
    for _ in 0..3 {
        let db = TestDatabase::new().unwrap();
        let data = tempfile::tempdir().unwrap();
        let starts: Vec<_> = (0..2)
            .map(|_| {
                let config = config_for(&db, data.path());
                tokio::task::spawn_blocking(move || server::prepare(&config))
            })
            .collect();
        let mut states = Vec::new();
        for start in starts {
            states.push(start.await.unwrap().expect("both servers come up"));
        }
        let mut conn = states[0].pool.get().unwrap();
        let operators: i64 = organisations::table.count().get_result(&mut conn).unwrap();
        assert_eq!(operators, 1, "one operator organisation");
        let keys: i64 = issuer_keys::table.count().get_result(&mut conn).unwrap();
        assert_eq!(keys, 1, "one issuer key");
        drop(conn);
        for state in states {
            let app = server::Application::build(state).unwrap();
            let url = format!("{}/healthz", app.public_url);
            tokio::spawn(app.run_until_stopped());
            let r = reqwest::get(&url).await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
    }
}

#[tokio::test]
async fn the_releaser_on_two_servers_releases_each_order_once() {
    if !on_postgres("the_releaser_on_two_servers_releases_each_order_once") {
        return;
    }
    let s = TestServer::start_with(|c| {
        c.payment_window = chrono::Duration::milliseconds(300);
        // the servers' own timers stay out of the way: the test runs the
        // releases itself, from two pools at once
        c.release_interval = std::time::Duration::from_secs(3600);
    })
    .await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let body = json!({
        "title": "Chè Shan tuyết cổ thụ", "category": "che", "unit": "kg",
        "price_vnd": 120_000, "quantity": 40, "description": "Búp chè hái tay"
    });
    let lid = s.listing(&farmer, &body).await["id"].as_str().unwrap().to_string();
    let buyer = s.buyer("0987000001").await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(place(&s, &buyer, &[(&lid, 2)], "vietqr").await["id"].as_str().unwrap().to_string());
    }
    let stock = || async {
        let v: Value = s.get(&format!("/api/v1/listings/{lid}"), None).await.json().await.unwrap();
        v["quantity"].as_i64().unwrap()
    };
    assert_eq!(stock().await, 0);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;

    let url = storage::DatabaseUrl::parse(&s.state.config.database_url).unwrap();
    let other =
        tokio::task::spawn_blocking(move || storage::connect_and_migrate(&url, 4)).await.unwrap().unwrap();
    let runs: Vec<_> = [s.state.pool.clone(), other.clone(), s.state.pool.clone(), other]
        .into_iter()
        .map(|pool| {
            tokio::spawn(async move {
                pool.run(|conn| market::orders::store::release_expired(conn, storage::now())).await.unwrap()
            })
        })
        .collect();
    let mut released = 0;
    for run in runs {
        released += run.await.unwrap();
    }
    assert_eq!(released, ids.len(), "every overdue order released, by one of the runs");
    assert_eq!(stock().await, 40, "the stock came back once");

    let mut conn = s.state.pool.get().unwrap();
    for id in &ids {
        let status: String = orders::table.find(id).select(orders::status).first(&mut conn).unwrap();
        assert_eq!(status, "cancelled");
        let entries: i64 = audit_log::table
            .filter(audit_log::subject_id.eq(id))
            .filter(audit_log::action.eq("order.expire"))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(entries, 1, "order {id} released once");
    }
    drop(conn);
    s.books().await;
}
