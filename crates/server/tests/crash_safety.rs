//! Crash safety: `kill -9` a server in the middle of bursts of orders,
//! bank notifications (some sent twice), deliveries and payout runs,
//! start it again on the same database and check that
//! - every write the server acknowledged is there (orders, notifications,
//!   steps of delivery, payout runs);
//! - each listing's stock is its initial stock less what live orders hold;
//! - the books balance (trial balance zero);
//! - each order's paid amount is the sum of its distinct notifications,
//!   and sending every notification again credits nothing;
//! - SQLite's `PRAGMA integrity_check` says ok.
//!
//! Runs on the backend the pass selects. `NONGSAN_CRASH_ROUNDS` (3 by
//! default, bounded for CI) sets how many kills; the README gives the
//! figures of a longer run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{free_port, get, post, wait_healthy, Cluster, Running};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";
const WEBHOOK_KEY: &str = "crash-safety-webhook-key-01";
const LISTINGS: usize = 3;
const STOCK: i64 = 100_000;
const BUYERS: usize = 4;
const WORKERS: usize = 12;

/// What the server acknowledged (answered 2xx to) and so must keep.
#[derive(Default)]
struct Acknowledged {
    /// order id → what was placed
    orders: BTreeMap<String, Placed>,
    /// notification id → (order id, amount)
    notifications: BTreeMap<String, (String, i64)>,
    /// order id → delivery steps acknowledged (1 confirmed, 2 handed
    /// over, 3 delivered)
    steps: HashMap<String, u8>,
    payouts: BTreeSet<String>,
    /// orders a worker is taking along, so two never race on one
    busy: BTreeSet<String>,
}

#[derive(Clone)]
struct Placed {
    code: String,
    total: i64,
    /// a notification has been acknowledged (cash on delivery: always)
    payable: bool,
}

struct World {
    client: Client,
    base: Mutex<String>,
    staff: String,
    admin: String,
    farmer: String,
    buyers: Vec<String>,
    listings: Vec<String>,
    ack: Mutex<Acknowledged>,
    next: AtomicU64,
    stop: AtomicBool,
    /// answers that are never acceptable, even in a crash (5xx, a 4xx
    /// the burst cannot cause)
    wrong: Mutex<Vec<String>>,
}

impl World {
    fn base(&self) -> String {
        self.base.lock().unwrap().clone()
    }

    fn unique(&self) -> u64 {
        self.next.fetch_add(1, Ordering::SeqCst)
    }

    /// A small pseudo-random number below `n` (no need for a generator crate).
    fn pick(&self, n: usize) -> usize {
        let x = self.unique().wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((x >> 33) % n as u64) as usize
    }

    /// A request; `None` when no answer came (the server died under it).
    async fn send(
        &self,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        key: bool,
    ) -> Option<(u16, Value)> {
        let mut req = self.client.post(format!("{}{path}", self.base()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if key {
            req = req.header("Idempotency-Key", format!("crash-{}", self.unique()));
        }
        if path.ends_with("bank-webhook") {
            req = req.header("Authorization", format!("Apikey {WEBHOOK_KEY}"));
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.ok()?;
        let status = r.status().as_u16();
        let body = r.json().await.ok()?;
        if status >= 500 {
            self.wrong.lock().unwrap().push(format!("{status} on {path}: {body}"));
        }
        Some((status, body))
    }

    async fn place_order(&self) -> bool {
        let (buyer, listing) = (self.pick(BUYERS), self.pick(LISTINGS));
        let quantity = 1 + self.pick(3) as i64;
        let cod = self.pick(2) == 0;
        let body = json!({
            "items": [{"listing_id": self.listings[listing], "quantity": quantity}],
            "payment_method": if cod { "cod" } else { "vietqr" },
            "shipping": {"name": "Trần Minh Anh", "phone": "0987000001", "address": "12 Hàng Bạc", "commune_code": "00004"}
        });
        let Some((status, o)) =
            self.send("/api/v1/orders", Some(&self.buyers[buyer]), Some(&body), true).await
        else {
            return false;
        };
        if status != 201 {
            self.wrong.lock().unwrap().push(format!("order: {status} {o}"));
            return false;
        }
        let placed = Placed {
            code: o["code"].as_str().unwrap().to_owned(),
            total: o["total_vnd"].as_i64().unwrap(),
            payable: cod,
        };
        self.ack.lock().unwrap().orders.insert(o["id"].as_str().unwrap().to_owned(), placed);
        true
    }

    /// Pays an unpaid bank-transfer order; one time in four the same
    /// notification is sent twice, as banks' services do.
    async fn pay_order(&self) -> bool {
        let unpaid = {
            let ack = self.ack.lock().unwrap();
            let waiting: Vec<_> = ack.orders.iter().filter(|(_, p)| !p.payable).collect();
            (!waiting.is_empty()).then(|| {
                let (id, p) = waiting[self.pick(waiting.len())];
                (id.clone(), p.clone())
            })
        };
        let Some((order, placed)) = unpaid else { return false };
        let id = format!("{}", 9_000_000 + self.unique());
        let note = json!({
            "id": id, "gateway": "Vietcombank", "transactionDate": "2026-12-03 09:15:02",
            "accountNumber": "1900000000001", "code": null, "content": format!("{} thanh toan", placed.code),
            "transferType": "in", "transferAmount": placed.total, "accumulated": 0,
            "subAccount": null, "referenceCode": format!("FT{id}"), "description": ""
        });
        let times = if self.pick(4) == 0 { 2 } else { 1 };
        for _ in 0..times {
            if let Some((200, _)) = self.send("/api/v1/payments/bank-webhook", None, Some(&note), false).await
            {
                let mut ack = self.ack.lock().unwrap();
                ack.notifications.insert(id.clone(), (order.clone(), placed.total));
                if let Some(p) = ack.orders.get_mut(&order) {
                    p.payable = true;
                }
            }
        }
        true
    }

    /// Takes a paid or cash-on-delivery order one step further.
    async fn deliver_step(&self) -> bool {
        let chosen = {
            let mut ack = self.ack.lock().unwrap();
            let next = ack
                .orders
                .iter()
                .filter(|(id, p)| {
                    p.payable && !ack.busy.contains(*id) && ack.steps.get(*id).copied().unwrap_or(0) < 3
                })
                .map(|(id, _)| id.clone())
                .nth(self.pick(4));
            if let Some(id) = &next {
                ack.busy.insert(id.clone());
            }
            next.map(|id| {
                let step = ack.steps.get(&id).copied().unwrap_or(0);
                (id, step)
            })
        };
        let Some((order, done)) = chosen else { return false };
        let (action, token) = match done {
            0 => ("confirm", &self.farmer),
            1 => ("hand-over", &self.staff),
            _ => ("deliver", &self.staff),
        };
        let answer = self.send(&format!("/api/v1/orders/{order}/{action}"), Some(token), None, true).await;
        let reached = match answer {
            Some((200, _)) => Some(done + 1),
            // A step sent before a kill got no answer and may have been
            // taken; sent again it is refused (409). Where the order is
            // then is the server's word, and the next step goes from there.
            Some((409, _)) => {
                let url = format!("{}/api/v1/orders/{order}", self.base());
                match get(&self.client, url, &self.admin).await {
                    (StatusCode::OK, o) => part_step(&o),
                    _ => None,
                }
            }
            Some((status, body)) => {
                self.wrong.lock().unwrap().push(format!("{action}: {status} {body}"));
                None
            }
            // no answer: the step may or may not have been taken
            None => None,
        };
        let mut ack = self.ack.lock().unwrap();
        if let Some(step) = reached {
            ack.steps.insert(order.clone(), step.max(done));
        }
        ack.busy.remove(&order);
        true
    }

    async fn payout_run(&self) -> bool {
        match self.send("/api/v1/payouts", Some(&self.admin), None, true).await {
            Some((201, batch)) => {
                self.ack.lock().unwrap().payouts.insert(batch["id"].as_str().unwrap().to_owned());
            }
            // nothing owed yet (422 nothing_to_pay) is a fine answer
            Some((status, _)) if status < 500 => {}
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        true
    }
}

/// How far an order's one part went: 0 waiting for the seller, 1
/// confirmed, 2 handed over, 3 delivered; `None` for anything else.
fn part_step(order: &Value) -> Option<u8> {
    match order["parts"][0]["status"].as_str()? {
        "pending" => Some(0),
        "confirmed" => Some(1),
        "handed_over" => Some(2),
        "delivered" => Some(3),
        _ => None,
    }
}

async fn login(client: &Client, base: &str, phone: &str) -> String {
    let (status, body) = post(
        client,
        format!("{base}/api/v1/auth/login"),
        None,
        &json!({"phone": phone, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "login {phone}: {body}");
    body["token"].as_str().unwrap().to_owned()
}

/// Everything the server holds that the checks need, read back after a restart.
async fn check(world: &World, round: usize) {
    let base = world.base();
    let c = &world.client;
    let ack = world.ack.lock().unwrap().orders.clone();
    let (notifications, steps, payouts) = {
        let a = world.ack.lock().unwrap();
        (a.notifications.clone(), a.steps.clone(), a.payouts.clone())
    };
    // every order there is, acknowledged or not
    let mut all = Vec::new();
    for offset in (0..).step_by(100) {
        let (status, page) =
            get(c, format!("{base}/api/v1/orders?limit=100&offset={offset}"), &world.admin).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().unwrap().clone();
        let n = items.len();
        all.extend(items);
        if n < 100 {
            break;
        }
    }
    let by_id: HashMap<String, &Value> =
        all.iter().map(|o| (o["id"].as_str().unwrap().to_owned(), o)).collect();
    for (id, placed) in &ack {
        let o = by_id.get(id).unwrap_or_else(|| panic!("round {round}: acknowledged order {id} is gone"));
        assert_eq!(o["total_vnd"], placed.total, "round {round}: {o}");
        let step = steps.get(id).copied().unwrap_or(0);
        let reached = part_step(o).unwrap_or_else(|| panic!("round {round}: order {id} went astray: {o}"));
        assert!(reached >= step, "round {round}: order {id} acknowledged step {step}, is at {reached}: {o}");
    }
    // stock: initial less what every live order holds
    let mut held = [0i64; LISTINGS];
    for o in &all {
        for part in o["parts"].as_array().unwrap() {
            if part["status"] == "cancelled" {
                continue;
            }
            for item in part["items"].as_array().unwrap() {
                let i = world.listings.iter().position(|l| *l == item["listing_id"]).unwrap();
                held[i] += item["quantity"].as_i64().unwrap();
            }
        }
    }
    for (i, lid) in world.listings.iter().enumerate() {
        let (_, l) = get(c, format!("{base}/api/v1/listings/{lid}"), &world.admin).await;
        assert_eq!(l["quantity"].as_i64(), Some(STOCK - held[i]), "round {round}: stock of listing {i}: {l}");
    }
    // paid amounts: the sum of distinct notifications, each acknowledged one there
    for o in all.iter().filter(|o| o["payment_method"] == "vietqr") {
        let id = o["id"].as_str().unwrap();
        let (status, pay) = get(c, format!("{base}/api/v1/orders/{id}/payments"), &world.admin).await;
        assert_eq!(status, StatusCode::OK, "{pay}");
        let transfers = pay["transfers"].as_array().unwrap();
        let distinct: BTreeSet<&str> =
            transfers.iter().map(|t| t["notification_id"].as_str().unwrap()).collect();
        assert_eq!(distinct.len(), transfers.len(), "round {round}: a notification counted twice: {pay}");
        let sum: i64 = transfers.iter().map(|t| t["applied_vnd"].as_i64().unwrap()).sum();
        assert_eq!(o["paid_vnd"].as_i64(), Some(sum), "round {round}: {o} {pay}");
        for (note, (order, _)) in notifications.iter().filter(|(_, (order, _))| order == id) {
            assert!(
                distinct.contains(note.as_str()),
                "round {round}: notification {note} for {order} is gone"
            );
        }
    }
    for batch in &payouts {
        let (status, b) = get(c, format!("{base}/api/v1/payouts/{batch}"), &world.admin).await;
        assert_eq!(status, StatusCode::OK, "round {round}: payout run {batch}: {b}");
    }
    let (_, books) = get(c, format!("{base}/api/v1/ledger/trial-balance"), &world.admin).await;
    assert_eq!(books["balanced"], true, "round {round}: {books}");
    eprintln!(
        "crash_safety round {round}: {} orders ({} acknowledged), {} notifications, {} steps, {} payout runs: all kept",
        all.len(),
        ack.len(),
        notifications.len(),
        steps.values().map(|&s| u64::from(s)).sum::<u64>(),
        payouts.len()
    );
}

fn sqlite_integrity(url: &str) {
    use diesel::{Connection, QueryableByName, RunQueryDsl};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let path = url.strip_prefix("sqlite://").unwrap();
    let mut conn = diesel::sqlite::SqliteConnection::establish(path).unwrap();
    let rows: Vec<Row> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn).unwrap();
    let said: Vec<&str> = rows.iter().map(|r| r.integrity_check.as_str()).collect();
    assert_eq!(said, ["ok"], "integrity_check");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_in_the_middle_of_bursts_loses_nothing_acknowledged() {
    let backend = storage::testing::selected_backend();
    let rounds: usize = std::env::var("NONGSAN_CRASH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let data = tempfile::tempdir().unwrap();
    let db = (backend == storage::testing::Backend::Postgres)
        .then(|| storage::testing::TestDatabase::new().expect("test database"));
    let db_url = match &db {
        Some(db) => db.url.clone(),
        None => format!("sqlite://{}", data.path().join("nongsan.sqlite").display()),
    };
    let env = [
        ("NONGSAN_MASTER_KEY", "33".repeat(32)),
        ("NONGSAN_BANK_WEBHOOK_KEY", WEBHOOK_KEY.into()),
        ("NONGSAN_COLLECTION_BANK_BIN", "970405".into()),
        ("NONGSAN_COLLECTION_ACCOUNT", "1900000000001".into()),
        ("NONGSAN_COLLECTION_ACCOUNT_NAME", "NONGSAN TEST".into()),
        ("NONGSAN_WORKERS", "2".into()),
        ("NONGSAN_REGISTRATIONS_PER_ADDRESS", "1000".into()),
    ];
    let cluster = Cluster { db_url, env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(), data };
    let client = Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let start = |port: u16| cluster.serve("server", port);
    let mut port = free_port();
    let mut server: Running = start(port);
    let mut base = format!("http://127.0.0.1:{port}");
    wait_healthy(&client, &base, "server", &cluster).await;
    cluster.post_office_admin_and_staff(PASSWORD);

    let staff = login(&client, &base, "0900000002").await;
    let admin = login(&client, &base, "0900000001").await;
    let seller = json!({
        "full_name": "Hoàng Văn Thào", "phone": "0912000101", "national_id": "008080001234",
        "commune_code": "02260", "address": "Thôn Khuổi Bốc, xã Hồng Thái",
        "bank": {"bin": "970405", "account_number": "8800205123456", "account_name": "Hoàng Văn Thào"},
        "consent": {"terms_version": "2025-07", "method": "paper_form"}
    });
    let (status, onboarded) = post(&client, format!("{base}/api/v1/sellers"), Some(&staff), &seller).await;
    assert_eq!(status, StatusCode::CREATED, "{onboarded}");
    let activate =
        json!({"phone": "0912000101", "activation_code": onboarded["activation_code"], "password": PASSWORD});
    let (status, activated) = post(&client, format!("{base}/api/v1/auth/activate"), None, &activate).await;
    assert_eq!(status, StatusCode::OK, "{activated}");
    let farmer = activated["token"].as_str().unwrap().to_owned();
    let mut listings = Vec::new();
    for (title, category) in
        [("Chè Shan tuyết", "che"), ("Gạo Séng Cù", "gao"), ("Mật ong bạc hà", "mat-ong")]
    {
        let body = json!({"title": title, "category": category, "unit": "kg", "price_vnd": 50_000, "quantity": STOCK});
        let (status, l) = post(&client, format!("{base}/api/v1/listings"), Some(&farmer), &body).await;
        assert_eq!(status, StatusCode::CREATED, "{l}");
        listings.push(l["id"].as_str().unwrap().to_owned());
    }
    let mut buyers = Vec::new();
    for i in 0..BUYERS {
        let body = json!({"phone": format!("098700000{i}"), "password": PASSWORD, "name": "Người Mua"});
        let (status, b) = post(&client, format!("{base}/api/v1/auth/register"), None, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
        buyers.push(b["token"].as_str().unwrap().to_owned());
    }
    let world = Arc::new(World {
        client: client.clone(),
        base: Mutex::new(base.clone()),
        staff,
        admin,
        farmer,
        buyers,
        listings,
        ack: Mutex::default(),
        next: AtomicU64::new(1),
        stop: AtomicBool::new(false),
        wrong: Mutex::default(),
    });

    for round in 1..=rounds {
        world.stop.store(false, Ordering::SeqCst);
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                let world = world.clone();
                tokio::spawn(async move {
                    while !world.stop.load(Ordering::SeqCst) {
                        let busy = match w % 6 {
                            0 | 1 => world.place_order().await,
                            2 | 3 => world.pay_order().await,
                            4 => world.deliver_step().await,
                            _ if w == WORKERS - 1 => world.payout_run().await,
                            _ => world.deliver_step().await,
                        };
                        if !busy {
                            // nothing to do yet: let the others make some
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                })
            })
            .collect();
        // the kill lands at a different moment of the burst each round
        tokio::time::sleep(Duration::from_millis(700 + 450 * (round as u64 % 4))).await;
        server.0.kill().unwrap(); // SIGKILL
        server.0.wait().unwrap();
        world.stop.store(true, Ordering::SeqCst);
        for w in workers {
            w.await.unwrap();
        }
        if backend == storage::testing::Backend::Sqlite {
            sqlite_integrity(&cluster.db_url);
        }
        port = free_port();
        server = start(port);
        base = format!("http://127.0.0.1:{port}");
        wait_healthy(&client, &base, "server", &cluster).await;
        *world.base.lock().unwrap() = base.clone();
        check(&world, round).await;
    }

    // Every notification sent again, after the crashes: nothing is credited twice.
    let before = get(&client, format!("{base}/api/v1/ledger/trial-balance"), &world.admin).await.1;
    let notes: Vec<(String, (String, i64))> =
        world.ack.lock().unwrap().notifications.clone().into_iter().collect();
    for (id, (order, amount)) in &notes {
        let code = world.ack.lock().unwrap().orders[order].code.clone();
        let note = json!({
            "id": id, "gateway": "Vietcombank", "transactionDate": "2026-12-03 09:15:02",
            "accountNumber": "1900000000001", "code": null, "content": format!("{code} thanh toan"),
            "transferType": "in", "transferAmount": amount, "accumulated": 0,
            "subAccount": null, "referenceCode": format!("FT{id}"), "description": ""
        });
        let answer = world.send("/api/v1/payments/bank-webhook", None, Some(&note), false).await;
        assert_eq!(answer.map(|a| a.0), Some(200), "resending {id}");
    }
    let after = get(&client, format!("{base}/api/v1/ledger/trial-balance"), &world.admin).await.1;
    assert_eq!(before, after, "resent notifications moved money");
    check(&world, rounds + 1).await;
    drop(server);
    if backend == storage::testing::Backend::Sqlite {
        sqlite_integrity(&cluster.db_url);
    }
    let wrong = world.wrong.lock().unwrap();
    assert!(wrong.is_empty(), "answers no burst should get:\n{}", wrong.join("\n"));
    assert!(cluster.log("server").matches("listening").count() > rounds, "{}", cluster.log("server"));
}
