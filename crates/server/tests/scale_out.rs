//! Two `nongsan serve` processes on one PostgreSQL database and one S3
//! photo store, behind a real HAProxy (round robin), driven through it as
//! users would: both start at once (migrations once), sessions work on
//! either, a photo uploaded through one shows through the other, 40
//! concurrent orders on 10 units sell exactly 10, duplicate bank
//! notifications racing on both servers credit once, an idempotent retry
//! landing on the other server gets the first answer, and the releasers
//! of both servers release each overdue unpaid order once.
//!
//! Needs PostgreSQL (`NONGSAN_TEST_BACKEND=postgres`), the S3 store
//! (`NONGSAN_TEST_S3_*`, see `scripts/garage.sh`) and HAProxy
//! (`NONGSAN_TEST_HAPROXY`, the binary); `.ci/run` sets them all. Without
//! them it says so loudly and does nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::{free_port, get, post, var, wait_healthy, Cluster, Running};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";
const WEBHOOK_KEY: &str = "scale-out-webhook-key-0123";
const METRICS_TOKEN: &str = "scale-out-metrics-token-0123";

/// Orders released by the servers at `bases`, from their `/metrics`.
async fn released_on(client: &Client, bases: &[&String]) -> f64 {
    let mut total = 0.0;
    for base in bases {
        let text = client
            .get(format!("{base}/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        total += text
            .lines()
            .find_map(|l| l.strip_prefix("nongsan_unpaid_orders_released_total "))
            .map_or(0.0, |v| v.trim().parse::<f64>().unwrap());
    }
    total
}

fn small_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([(x * 6) as u8, (y * 8) as u8, 123]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    jpeg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_behind_haproxy_share_database_photos_and_money() {
    if storage::testing::selected_backend() != storage::testing::Backend::Postgres {
        eprintln!("scale_out: runs in the PostgreSQL pass only (several servers need a shared database)");
        return;
    }
    let missing: Vec<&str> = ["NONGSAN_TEST_S3_ENDPOINT", "NONGSAN_TEST_S3_BUCKET", "NONGSAN_TEST_HAPROXY"]
        .into_iter()
        .filter(|v| var(v).is_none())
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "\n*** {missing:?} not set: the two-servers-behind-HAProxy test did NOT run. ***\n\
             *** `.ci/run` sets them (scripts/garage.sh, Debian's haproxy). ***\n"
        );
        return;
    }
    let db = storage::testing::TestDatabase::new().expect("test database");
    let data = tempfile::tempdir().unwrap();
    let (lb_port, a_port, b_port) = (free_port(), free_port(), free_port());
    let lb = format!("http://127.0.0.1:{lb_port}");
    let env = [
        ("NONGSAN_MASTER_KEY", "22".repeat(32)),
        ("NONGSAN_PUBLIC_URL", lb.clone()),
        ("NONGSAN_BANK_WEBHOOK_KEY", WEBHOOK_KEY.into()),
        ("NONGSAN_COLLECTION_BANK_BIN", "970405".into()),
        ("NONGSAN_COLLECTION_ACCOUNT", "1900000000001".into()),
        ("NONGSAN_COLLECTION_ACCOUNT_NAME", "NONGSAN TEST".into()),
        ("NONGSAN_WORKERS", "2".into()),
        // each server looks for overdue orders every second
        ("NONGSAN_RELEASE_INTERVAL_SECS", "1".into()),
        ("NONGSAN_METRICS_TOKEN", METRICS_TOKEN.into()),
        (
            "NONGSAN_PHOTO_STORE",
            format!("s3://{}/scale-out-{}", var("NONGSAN_TEST_S3_BUCKET").unwrap(), a_port),
        ),
        ("AWS_ENDPOINT_URL", var("NONGSAN_TEST_S3_ENDPOINT").unwrap()),
        ("AWS_ACCESS_KEY_ID", var("NONGSAN_TEST_S3_ACCESS_KEY_ID").unwrap_or_default()),
        ("AWS_SECRET_ACCESS_KEY", var("NONGSAN_TEST_S3_SECRET_ACCESS_KEY").unwrap_or_default()),
        ("AWS_REGION", var("NONGSAN_TEST_S3_REGION").unwrap_or_else(|| "garage".into())),
        ("AWS_ALLOW_HTTP", "true".into()),
    ];
    let cluster = Cluster {
        db_url: db.url.clone(),
        env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        data,
    };

    // Both servers start at the same moment on an empty database: the
    // migrations must run once, and both must come up.
    let _a = cluster.serve("a", a_port);
    let _b = cluster.serve("b", b_port);
    let client = Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let (a, b) = (format!("http://127.0.0.1:{a_port}"), format!("http://127.0.0.1:{b_port}"));
    wait_healthy(&client, &a, "a", &cluster).await;
    wait_healthy(&client, &b, "b", &cluster).await;

    let cfg = format!(
        "global\n  maxconn 512\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 60s\n  \
         timeout server 60s\nfrontend market\n  bind 127.0.0.1:{lb_port}\n  default_backend servers\n\
         backend servers\n  balance roundrobin\n  option httpchk GET /healthz\n  \
         server a 127.0.0.1:{a_port} check inter 1s\n  server b 127.0.0.1:{b_port} check inter 1s\n"
    );
    let cfg_path = cluster.data.path().join("haproxy.cfg");
    std::fs::write(&cfg_path, cfg).unwrap();
    let haproxy_log = std::fs::File::create(cluster.data.path().join("haproxy.log")).unwrap();
    let _haproxy = Running(
        Command::new(var("NONGSAN_TEST_HAPROXY").unwrap())
            .args(["-db", "-f"])
            .arg(&cfg_path)
            .stdout(haproxy_log.try_clone().unwrap())
            .stderr(haproxy_log)
            .spawn()
            .unwrap(),
    );
    wait_healthy(&client, &lb, "haproxy", &cluster).await;

    // Accounts made with the command line, as an operator would.
    cluster.post_office_admin_and_staff(PASSWORD);

    // Sessions: a token from one server works on both, through the balancer.
    let login = |phone: &'static str| {
        let (client, lb) = (client.clone(), lb.clone());
        async move {
            let (status, body) = post(
                &client,
                format!("{lb}/api/v1/auth/login"),
                None,
                &json!({"phone": phone, "password": PASSWORD}),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "login {phone}: {body}");
            body["token"].as_str().unwrap().to_owned()
        }
    };
    let staff = login("0900000002").await;
    let admin = login("0900000001").await;
    for base in [&a, &b, &lb, &lb] {
        assert_eq!(get(&client, format!("{base}/api/v1/auth/me"), &staff).await.0, StatusCode::OK, "{base}");
    }

    // A farmer onboarded and activated; a listing of 10 units with a photo.
    let mut seller = json!({
        "full_name": "Hoàng Văn Thào", "phone": "0912000101", "national_id": "008080001234",
        "commune_code": "02260", "address": "Thôn Khuổi Bốc, xã Hồng Thái",
        "bank": {"bin": "970405", "account_number": "8800205123456", "account_name": "Hoàng Văn Thào"},
        "consent": {"terms_version": "2025-07", "method": "paper_form"}
    });
    let (status, onboarded) = post(&client, format!("{lb}/api/v1/sellers"), Some(&staff), &seller).await;
    assert_eq!(status, StatusCode::CREATED, "{onboarded}");
    seller["activation_code"] = onboarded["activation_code"].clone();
    let (status, activated) = post(
        &client,
        format!("{lb}/api/v1/auth/activate"),
        None,
        &json!({"phone": "0912000101", "activation_code": onboarded["activation_code"], "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{activated}");
    let farmer = activated["token"].as_str().unwrap().to_owned();
    let (status, listing) = post(
        &client,
        format!("{lb}/api/v1/listings"),
        Some(&farmer),
        &json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": 100_000,
                "quantity": 10, "description": "Búp chè hái tay"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{listing}");
    let lid = listing["id"].as_str().unwrap().to_owned();
    let form = reqwest::multipart::Form::new()
        .part("photo", reqwest::multipart::Part::bytes(small_jpeg()).file_name("IMG_0001.jpg"));
    let r = client
        .post(format!("{lb}/api/v1/listings/{lid}/photos"))
        .bearer_auth(&farmer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let with_photo: Value = r.json().await.unwrap();
    let photo = with_photo["photos"][0]["url"].as_str().unwrap().to_owned();
    let mut shown = Vec::new();
    for base in [&a, &b] {
        let r = client.get(format!("{base}{photo}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{base}{photo}");
        shown.push(r.bytes().await.unwrap());
    }
    assert_eq!(shown[0], shown[1], "both servers show the same photo");

    // 40 concurrent orders of one unit on 10 units, spread over both servers.
    let (status, body) = post(
        &client,
        format!("{lb}/api/v1/auth/register"),
        None,
        &json!({"phone": "0987000001", "password": PASSWORD, "name": "Người Mua"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let buyer = body["token"].as_str().unwrap().to_owned();
    let order = json!({"items": [{"listing_id": lid, "quantity": 1}], "payment_method": "cod",
                       "shipping": {"name": "Trần Minh Anh", "phone": "0987000001",
                                    "address": "12 Hàng Bạc", "commune_code": "00004"}});
    let attempts = (0..40).map(|i| {
        let (client, buyer, order) = (client.clone(), buyer.clone(), order.clone());
        let base = if i % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(
            async move { post(&client, format!("{base}/api/v1/orders"), Some(&buyer), &order).await },
        )
    });
    let mut sold = 0;
    for attempt in futures_util::future::join_all(attempts).await {
        let (status, body) = attempt.unwrap();
        match status {
            StatusCode::CREATED => sold += 1,
            StatusCode::CONFLICT => assert_eq!(body["error"]["code"], "insufficient_stock", "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(sold, 10, "exactly the stock is sold");
    let (_, after) = get(&client, format!("{lb}/api/v1/listings/{lid}"), &buyer).await;
    assert_eq!(after["quantity"], 0, "{after}");

    // An idempotent retry that lands on the other server gets the first answer.
    let (status, listing2) = post(
        &client,
        format!("{lb}/api/v1/listings"),
        Some(&farmer),
        &json!({"title": "Mật ong bạc hà", "category": "mat-ong", "unit": "kg", "price_vnd": 300_000,
                "quantity": 5, "description": "Mật ong Đồng Văn"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{listing2}");
    let mut vietqr = order.clone();
    vietqr["items"][0]["listing_id"] = listing2["id"].clone();
    vietqr["payment_method"] = json!("vietqr");
    let key = "retry-across-servers-0001";
    let mut answers = Vec::new();
    for base in [&a, &b] {
        let r = client
            .post(format!("{base}/api/v1/orders"))
            .bearer_auth(&buyer)
            .header("Idempotency-Key", key)
            .json(&vietqr)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        answers.push(r.json::<Value>().await.unwrap());
    }
    assert_eq!(answers[0]["id"], answers[1]["id"], "one order for one key");
    let (_, l2) =
        get(&client, format!("{lb}/api/v1/listings/{}", listing2["id"].as_str().unwrap()), &buyer).await;
    assert_eq!(l2["quantity"], 4, "stock taken once: {l2}");

    // Duplicate bank notifications racing on both servers: one credit.
    let placed = &answers[0];
    let (oid, code, total) = (
        placed["id"].as_str().unwrap(),
        placed["code"].as_str().unwrap(),
        placed["total_vnd"].as_i64().unwrap(),
    );
    let note = json!({
        "id": "777001", "gateway": "Vietcombank", "transactionDate": "2026-12-03 09:15:02",
        "accountNumber": "1900000000001", "code": null, "content": format!("{code} thanh toan"),
        "transferType": "in", "transferAmount": total, "accumulated": 0,
        "subAccount": null, "referenceCode": "FT777001", "description": ""
    });
    let sends = (0..10).map(|i| {
        let (client, note) = (client.clone(), note.clone());
        let base = if i % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/payments/bank-webhook"))
                .header("Authorization", format!("Apikey {WEBHOOK_KEY}"))
                .json(&note)
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    for status in futures_util::future::join_all(sends).await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    let (_, paid) = get(&client, format!("{lb}/api/v1/orders/{oid}"), &buyer).await;
    assert_eq!((paid["status"].as_str(), paid["paid_vnd"].as_i64()), (Some("paid"), Some(total)), "{paid}");
    let (status, books) = get(&client, format!("{lb}/api/v1/ledger/trial-balance"), &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(books["balanced"], true, "{books}");
    let escrow = books["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|acc| acc["code"] == format!("escrow:order:{oid}"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(escrow["balance_vnd"], total, "credited once: {escrow}");

    // Unpaid orders past their window: both servers' releasers run every
    // second; each order is released once and its stock comes back once.
    let (status, listing3) = post(
        &client,
        format!("{lb}/api/v1/listings"),
        Some(&farmer),
        &json!({"title": "Gạo Séng Cù", "category": "gao", "unit": "kg", "price_vnd": 40_000,
                "quantity": 20, "description": "Gạo nương Bát Xát"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{listing3}");
    let l3 = listing3["id"].as_str().unwrap().to_owned();
    let mut unpaid = vietqr.clone();
    unpaid["items"][0]["listing_id"] = json!(l3);
    let mut overdue = Vec::new();
    for _ in 0..8 {
        let (status, placed) = post(&client, format!("{lb}/api/v1/orders"), Some(&buyer), &unpaid).await;
        assert_eq!(status, StatusCode::CREATED, "{placed}");
        overdue.push(placed["id"].as_str().unwrap().to_owned());
    }
    let released_before = released_on(&client, &[&a, &b]).await;
    // the hour passes: their payment windows closed a minute ago
    {
        use diesel::{Connection, RunQueryDsl};
        let mut conn = diesel::pg::PgConnection::establish(&cluster.db_url).unwrap();
        let ids = overdue.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(",");
        let changed = diesel::sql_query(format!(
            "UPDATE orders SET payment_due_at = (now() at time zone 'utc') - interval '1 minute' WHERE id IN ({ids})"
        ))
        .execute(&mut conn)
        .unwrap();
        assert_eq!(changed, 8);
    }
    let mut waited = 0;
    loop {
        let (_, l) = get(&client, format!("{lb}/api/v1/listings/{l3}"), &buyer).await;
        if l["quantity"] == 20 {
            break;
        }
        waited += 1;
        assert!(waited < 100, "the stock did not come back: {l}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // a few more runs on both servers find nothing left to do
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, l) = get(&client, format!("{lb}/api/v1/listings/{l3}"), &buyer).await;
    assert_eq!(l["quantity"], 20, "stock returned once: {l}");
    assert_eq!(released_on(&client, &[&a, &b]).await - released_before, 8.0, "each order released once");
    for id in &overdue {
        let (_, o) = get(&client, format!("{lb}/api/v1/orders/{id}"), &buyer).await;
        assert_eq!(o["status"], "cancelled", "{o}");
    }

    // Both servers wrote to their own logs and neither failed a request.
    for name in ["a", "b"] {
        let log = cluster.log(name);
        assert!(!log.contains(" 500 "), "{name} answered a 500:\n{log}");
    }
}
