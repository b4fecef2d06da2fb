//! A server that loses PostgreSQL for a few seconds (a restart, a cut
//! network) answers 503 `database_unavailable` with `Retry-After`, writes
//! nothing half-way, and serves again once the database is back, without
//! a restart of its own.
//!
//! The server reaches PostgreSQL through a TCP relay in this test; cutting
//! the relay drops every open connection and refuses new ones, as a
//! database that went away would. PostgreSQL pass only (SQLite is a file:
//! it cannot go away).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::support::{error_code, order_body, place, TestServer};

/// Forwards connections to `target` until cut.
struct Relay {
    address: String,
    cut: Arc<AtomicBool>,
    piping: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn to(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let cut = Arc::new(AtomicBool::new(false));
        let piping: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (c, p) = (cut.clone(), piping.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else { return };
                if c.load(Ordering::SeqCst) {
                    // refused: closed at once, as a port nobody listens on
                    drop(client);
                    continue;
                }
                let target = target.clone();
                p.lock().unwrap().push(tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                }));
            }
        });
        Relay { address, cut, piping }
    }

    /// Drops every open connection and refuses new ones.
    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for pipe in self.piping.lock().unwrap().drain(..) {
            pipe.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn losing_postgres_for_seconds_gives_503_then_recovers() {
    if storage::testing::selected_backend() != storage::testing::Backend::Postgres {
        eprintln!("database_outage: PostgreSQL pass only (a SQLite file cannot go away)");
        return;
    }
    // The relay stands in front of the test server's own database; its
    // address replaces the host and port in the URL.
    let server = storage::testing::postgres_server_url().expect("the PostgreSQL pass has a server URL");
    let real = reqwest::Url::parse(&server).unwrap();
    let relay = Relay::to(format!("{}:{}", real.host_str().unwrap(), real.port().unwrap_or(5432))).await;
    let via = relay.address.clone();
    let s = TestServer::start_with(move |config| {
        let mut url = reqwest::Url::parse(&config.database_url).unwrap();
        let (host, port) = via.split_once(':').unwrap();
        url.set_host(Some(host)).unwrap();
        url.set_port(Some(port.parse().unwrap())).unwrap();
        config.database_url = url.to_string();
    })
    .await;

    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s
        .listing(
            &farmer,
            &json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": 120000, "quantity": 10}),
        )
        .await;
    let lid = listing["id"].as_str().unwrap().to_owned();
    let buyer = s.buyer("0987000001").await;
    place(&s, &buyer, &[(&lid, 1)], "cod").await;

    relay.cut();
    let cut_at = Instant::now();
    // reads, writes and the health check all say "try again", quickly
    let r = s.get("/api/v1/listings?q=che", None).await;
    assert_eq!(r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()), Some("5".into()));
    assert_eq!(error_code(r, StatusCode::SERVICE_UNAVAILABLE).await, "database_unavailable");
    let r = s.post_json("/api/v1/orders", Some(&buyer), &order_body(&[(&lid, 2)], "cod")).await;
    assert_eq!(error_code(r, StatusCode::SERVICE_UNAVAILABLE).await, "database_unavailable");
    let r = s.get("/healthz", None).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(cut_at.elapsed() < Duration::from_secs(30), "503s took {:?}", cut_at.elapsed());

    relay.restore();
    // back without a restart: the pool drops its dead connections and opens new ones
    let back = Instant::now();
    loop {
        let r = s.get("/healthz", None).await;
        if r.status() == StatusCode::OK {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(30), "still {} after 30 s", r.status());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    place(&s, &buyer, &[(&lid, 3)], "cod").await;
    // the order refused during the outage took no stock: 10 − 1 − 3
    let now: Value = s.get(&format!("/api/v1/listings/{lid}"), None).await.json().await.unwrap();
    assert_eq!(now["quantity"], 6, "{now}");
    let r = s.get("/api/v1/orders", Some(&buyer)).await;
    let orders: Value = r.json().await.unwrap();
    assert_eq!(orders["items"].as_array().map(Vec::len), Some(2), "two orders, none half-written: {orders}");
}
