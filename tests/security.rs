//! What an adversarial review of the server found, each fixed and held
//! here: bank transfers seen only by their post office, login and
//! registration throttled per address and per phone without locking an
//! owner out, a buyer's phone onboarded as a farmer, owner-only data files,
//! request deadlines and per-address limits, spoofing characters in names,
//! and photos whose decoding would take too much memory.

use std::net::IpAddr;

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_code, notification, place, seller_body, TestServer, PASSWORD};

/// A server behind a "load balancer" at 127.0.0.1, so each test client
/// can say which address it comes from with `X-Forwarded-For`.
async fn behind_a_proxy(adjust: impl FnOnce(&mut server::Config)) -> TestServer {
    TestServer::start_with(|c| {
        c.trusted_proxies = accounts::throttle::TrustedProxies(vec!["127.0.0.1".parse::<IpAddr>().unwrap()]);
        adjust(c);
    })
    .await
}

async fn login_from(s: &TestServer, from: &str, phone: &str, password: &str) -> reqwest::Response {
    s.client
        .post(s.at("/api/v1/auth/login"))
        .header("X-Forwarded-For", format!("10.9.9.9, {from}"))
        .json(&json!({"phone": phone, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn ok_json(r: reqwest::Response) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{status} {text}");
    serde_json::from_str(&text).unwrap()
}

/// A farmer onboarded by `staff` with a listing of tea; returns the listing id.
async fn farmer_of(s: &TestServer, staff: &str, phone: &str, national_id: &str) -> String {
    let r = s.post_json("/api/v1/sellers", Some(staff), &seller_body(phone, national_id)).await;
    let seller = ok_json(r).await;
    let body = json!({"phone": phone, "activation_code": seller["activation_code"], "password": PASSWORD});
    let token = ok_json(s.post_json("/api/v1/auth/activate", None, &body).await).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let listing = json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": 350000, "quantity": 50});
    s.listing(&token, &listing).await["id"].as_str().unwrap().to_string()
}

async fn transfer_ids(s: &TestServer, token: &str) -> Vec<String> {
    let v = ok_json(s.get("/api/v1/payments/bank-transfers", Some(token)).await).await;
    let mut ids: Vec<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["notification_id"].as_str().unwrap().into())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn staff_see_and_assign_only_their_own_post_office_transfers() {
    let s = TestServer::start().await;
    let staff2 = s.staff_of_new_post_office("Bưu điện Mù Cang Chải", None, "0900000022").await;
    let mine = farmer_of(&s, &s.staff_token, "0912000301", "008080000301").await;
    let theirs = farmer_of(&s, &staff2, "0912000302", "008080000302").await;
    let buyer = s.buyer("0987000301").await;
    let code = |o: &Value| o["code"].as_str().unwrap().to_string();
    let a1 = code(&place(&s, &buyer, &[(&mine, 1)], "vietqr").await);
    let a2 = code(&place(&s, &buyer, &[(&mine, 1)], "vietqr").await);
    let a3 = code(&place(&s, &buyer, &[(&mine, 1)], "vietqr").await);
    let b1 = code(&place(&s, &buyer, &[(&theirs, 1)], "vietqr").await);
    for (id, content) in [
        ("1", format!("{a1} thanh toan")),        // pays office 1's order
        ("2", format!("{b1} thanh toan")),        // pays office 2's order
        ("3", "chuyen tien mua che".to_string()), // a stranger's text, no order
        ("4", format!("{a2} {a3}")),              // two of office 1's orders: suspense
    ] {
        assert_eq!(s.notify(&notification(id, &content, 1_000)).await.status(), StatusCode::OK);
    }
    assert_eq!(transfer_ids(&s, &s.admin_token).await, ["1", "2", "3", "4"]);
    assert_eq!(transfer_ids(&s, &s.staff_token).await, ["1", "4"]);
    assert_eq!(transfer_ids(&s, &staff2).await, ["2"]);

    let assign = |id: &str, order: &str| {
        (format!("/api/v1/payments/bank-transfers/{id}/assign"), json!({ "order_code": order }))
    };
    // another office's transfer, and a stranger's, are "not found" to staff
    let (path, body) = assign("4", &b1);
    assert_eq!(
        error_code(s.post_json(&path, Some(&staff2), &body).await, StatusCode::NOT_FOUND).await,
        "not_found"
    );
    let (path, body) = assign("3", &b1);
    assert_eq!(
        error_code(s.post_json(&path, Some(&staff2), &body).await, StatusCode::NOT_FOUND).await,
        "not_found"
    );
    // their own transfer, but to another office's order: not found either
    let (path, body) = assign("4", &b1);
    let r = s.post_json(&path, Some(&s.staff_token), &body).await;
    assert_eq!(error_code(r, StatusCode::NOT_FOUND).await, "not_found");
    let (path, body) = assign("4", &a2);
    assert_eq!(ok_json(s.post_json(&path, Some(&s.staff_token), &body).await).await["outcome"], "assigned");
    // admin sorts out the stranger's transfer
    let (path, body) = assign("3", &b1);
    assert_eq!(ok_json(s.post_json(&path, Some(&s.admin_token), &body).await).await["outcome"], "assigned");
    assert_eq!(transfer_ids(&s, &staff2).await, ["2", "3"]);
    s.books().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_guesser_is_slowed_at_its_own_address_and_the_owner_logs_in_elsewhere() {
    let s = std::sync::Arc::new(behind_a_proxy(|_| {}).await);
    // forty wrong guesses at once: exactly five are checked
    let guesses = (0..40).map(|_| {
        let s = s.clone();
        async move { login_from(&s, "203.0.113.9", "0900000001", "wrong pass").await.status() }
    });
    let statuses = join_all(guesses).await;
    let checked = statuses.iter().filter(|st| **st == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|st| **st == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, refused), (5, 35), "{statuses:?}");
    // the guesser waits, and is told truthfully for how long
    let r = login_from(&s, "203.0.113.9", "0900000001", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    // the admin, at another address, is not locked out
    assert_eq!(login_from(&s, "198.51.100.7", "0900000001", PASSWORD).await.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let r = login_from(&s, "203.0.113.9", "0900000001", "wrong again").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "after Retry-After the guesser is checked again");

    // one address trying a password on many phones is stopped at 30
    let mut statuses = Vec::new();
    for i in 0..35 {
        statuses.push(login_from(&s, "192.0.2.1", &format!("09870004{i:02}"), "mat khau 123").await.status());
    }
    assert!(statuses[..30].iter().all(|st| *st == StatusCode::UNAUTHORIZED), "{statuses:?}");
    assert!(statuses[30..].iter().all(|st| *st == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

#[tokio::test]
async fn without_a_trusted_proxy_x_forwarded_for_changes_nothing() {
    let s = TestServer::start().await;
    for i in 0..6 {
        let r = login_from(&s, &format!("203.0.113.{i}"), "0900000001", "wrong pass").await;
        assert_eq!(r.status(), if i < 5 { StatusCode::UNAUTHORIZED } else { StatusCode::TOO_MANY_REQUESTS });
    }
}

#[tokio::test]
async fn registrations_are_limited_per_address() {
    let s = behind_a_proxy(|c| c.registrations_per_address = 3).await;
    let register = |from: &'static str, phone: String| {
        let s = &s;
        async move {
            s.client
                .post(s.at("/api/v1/auth/register"))
                .header("X-Forwarded-For", from)
                .json(&json!({"phone": phone, "password": PASSWORD, "name": "Người Mua"}))
                .send()
                .await
                .unwrap()
        }
    };
    for i in 0..3 {
        assert_eq!(register("203.0.113.9", format!("098700050{i}")).await.status(), StatusCode::CREATED);
    }
    let r = register("203.0.113.9", "0987000509".into()).await;
    assert!(r.headers().get("retry-after").is_some());
    assert_eq!(error_code(r, StatusCode::TOO_MANY_REQUESTS).await, "too_many_attempts");
    assert_eq!(register("198.51.100.7", "0987000509".into()).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_buyer_onboarded_as_a_farmer_keeps_the_account_and_proves_it() {
    let s = TestServer::start().await;
    let phone = "0912000401";
    s.buyer(phone).await;
    // the phone having a buyer account does not block onboarding
    let r = s.post_json("/api/v1/sellers", Some(&s.staff_token), &seller_body(phone, "008080000401")).await;
    let seller = ok_json(r).await;
    let code = seller["activation_code"].as_str().unwrap();
    let activate =
        |code: &str, password: &str| json!({"phone": phone, "activation_code": code, "password": password});
    // the code alone does not take the account over: its password is asked
    let r = s.post_json("/api/v1/auth/activate", None, &activate(code, "mật khẩu của kẻ khác")).await;
    assert_eq!(error_code(r, StatusCode::UNAUTHORIZED).await, "bad_activation_code");
    let buyer_token = s.login(phone, PASSWORD).await;
    let me = ok_json(s.get("/api/v1/auth/me", Some(&buyer_token)).await).await;
    assert_eq!(me["role"], "buyer", "nothing changed");
    // nor does the password without the code
    let r = s.post_json("/api/v1/auth/activate", None, &activate("00000000", PASSWORD)).await;
    assert_eq!(error_code(r, StatusCode::UNAUTHORIZED).await, "bad_activation_code");
    let v = ok_json(s.post_json("/api/v1/auth/activate", None, &activate(code, PASSWORD)).await).await;
    assert_eq!((v["user"]["role"].as_str(), v["user"]["id"].as_str()), (Some("farmer"), me["id"].as_str()));
    let token = v["token"].as_str().unwrap();
    let own = ok_json(s.get("/api/v1/sellers/me", Some(token)).await).await;
    assert_eq!(own["id"], seller["id"]);
    // staff see the farmer in their post office's list
    let listed = ok_json(s.get("/api/v1/sellers", Some(&s.staff_token)).await).await;
    assert!(listed.to_string().contains(seller["id"].as_str().unwrap()));
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(24, 16, |x, y| image::Rgb([(x * 10) as u8, (y * 15) as u8, 90]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_its_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let s = TestServer::start_with(|c| {
        c.data_dir = c.data_dir.join("data");
        c.master_key_hex = None;
    })
    .await;
    let data = s.state.config.data_dir.clone();
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("master.key")), 0o600);
    let listing = farmer_of(&s, &s.staff_token, "0912000501", "008080000501").await;
    ok_json(s.upload_photos(&s.staff_token, &listing, vec![("p.jpg", jpeg())]).await).await;
    let mut seen = 0;
    let mut folders = vec![data.join("photos")];
    while let Some(dir) = folders.pop() {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "the photo was stored");
    if let Some(path) = s.state.config.database_url.strip_prefix("sqlite://") {
        for file in [path.to_string(), format!("{path}-wal")] {
            assert_eq!(mode(std::path::Path::new(&file)), 0o600, "{file}");
        }
    }
    // and anything else the process makes, through the umask `nongsan` sets first
    server::cli::private_umask();
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("backup.db"), b"x").unwrap();
    std::fs::create_dir(other.path().join("copies")).unwrap();
    assert_eq!((mode(&other.path().join("backup.db")), mode(&other.path().join("copies"))), (0o600, 0o700));
}

/// Reads one HTTP answer (head and a JSON body) from a raw connection.
async fn read_answer(socket: &mut tokio::net::TcpStream, within_secs: u64) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(within_secs), async {
        let mut buf = [0u8; 4096];
        loop {
            let n = socket.read(&mut buf).await.unwrap_or(0);
            answer.extend_from_slice(&buf[..n]);
            if n == 0 || answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                break;
            }
        }
    })
    .await;
    read.ok().map(|_| String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn a_body_trickling_in_just_inside_the_idle_limit_still_ends_at_the_deadline() {
    use tokio::io::AsyncWriteExt;
    // idle limit 2 s (the test default), deadline 3 s
    let s = TestServer::start_with(|c| c.body_deadline = std::time::Duration::from_secs(3)).await;
    let addr = s.url.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let writer = async {
        // one byte a second: never idle for 2 s
        for _ in 0..20 {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            if socket.write_all(b" ").await.is_err() {
                break;
            }
        }
    };
    tokio::select! {
        _ = writer => {}
        _ = tokio::time::sleep(std::time::Duration::from_millis(4_500)) => {}
    }
    let text = read_answer(&mut socket, 5).await.expect("an answer");
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"request_timeout\""), "{text}");
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "{:?}", started.elapsed());
}

#[tokio::test]
async fn one_address_holds_only_its_share_of_connections() {
    use tokio::io::AsyncWriteExt;
    let s = TestServer::start_with(|c| c.connections_per_address = 3).await;
    let addr = s.url.trim_start_matches("http://").to_string();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    // the test client may hold a pooled connection or two already: open
    // more until the address's share is used up
    let mut held = Vec::new();
    let refused = loop {
        let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
        socket.write_all(request.as_bytes()).await.unwrap();
        let text = read_answer(&mut socket, 5).await.unwrap();
        if text.starts_with("HTTP/1.1 200") {
            held.push(socket);
            assert!(held.len() <= 3, "more than the share was let in");
            continue;
        }
        break (socket, text);
    };
    let (extra, text) = refused;
    assert!(text.starts_with("HTTP/1.1 429"), "{text}");
    assert!(text.contains("too_many_connections"), "{text}");
    assert!(text.to_ascii_lowercase().contains("connection: close"), "{text}");
    assert!(!held.is_empty(), "no connection was let in");
    // a connection closed gives its place back
    drop(held.pop());
    drop(extra);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut again = tokio::net::TcpStream::connect(&addr).await.unwrap();
    again.write_all(request.as_bytes()).await.unwrap();
    let text = read_answer(&mut again, 5).await.unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

/// A PNG of a few hundred KB declaring 7000×7000 pixels.
fn png_declaring_49_megapixels() -> Vec<u8> {
    let img = image::GrayImage::new(7_000, 7_000);
    let mut out = Vec::new();
    image::DynamicImage::ImageLuma8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn a_photo_declaring_huge_dimensions_is_refused_quickly() {
    let s = TestServer::start().await;
    let listing = farmer_of(&s, &s.staff_token, "0912000601", "008080000601").await;
    let bomb = png_declaring_49_megapixels();
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    let started = std::time::Instant::now();
    let r = s.upload_photos(&s.staff_token, &listing, vec![("bomb.png", bomb)]).await;
    assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "photo_dimensions_too_large");
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn names_that_would_read_as_something_else_are_refused() {
    let s = TestServer::start().await;
    for spoof in ["\u{202E}ệuhT nầrT", "Trần\u{200B}Thuệ"] {
        let body = json!({"phone": "0987000701", "password": PASSWORD, "name": spoof});
        let r = s.post_json("/api/v1/auth/register", None, &body).await;
        assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "invisible_characters");
        let mut seller = seller_body("0912000701", "008080000701");
        seller["full_name"] = json!(spoof);
        let r = s.post_json("/api/v1/sellers", Some(&s.staff_token), &seller).await;
        assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "invisible_characters");
    }
    // Vietnamese typed with combining marks is a name like any other
    let body =
        json!({"phone": "0987000701", "password": PASSWORD, "name": "Tra\u{302}\u{300}n Thue\u{323}\u{302}"});
    let v = ok_json(s.post_json("/api/v1/auth/register", None, &body).await).await;
    assert_eq!(v["user"]["name"], "Trần Thuệ");
}
