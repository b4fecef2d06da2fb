//! Hardening: the security headers every answer carries, and
//! `nongsan backup` (a copy of a running SQLite database, taken while lots
//! are being recorded, opens in a new server where every signed record
//! still verifies; PostgreSQL is refused with the pg_dump command to use).

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestServer;

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let s = TestServer::start().await;
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let scan = lot["digital_link"].as_str().unwrap().trim_start_matches(&s.url).to_string();
    for path in [
        "/",
        "/staff",
        "/farmer",
        "/officer",
        "/shared/api.js",
        "/api/v1/categories",
        "/api/v1/nothing-here",
        &scan,
    ] {
        let r = s.get(path, None).await;
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{path}: {csp}");
        // scripts only from our own files: no inline script, no eval
        assert!(csp.contains("script-src 'self';") && !csp.contains("unsafe-eval"), "{path}: {csp}");
        let scripts = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap_or_default();
        assert!(!scripts.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
    }
}

/// The policy runs no inline script, so no page may need one: every
/// `<script>` names a file (or is data, like JSON-LD) and no element
/// carries a handler attribute.
#[tokio::test]
async fn pages_carry_no_inline_script() {
    let s = TestServer::start().await;
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let scan = lot["digital_link"].as_str().unwrap().trim_start_matches(&s.url).to_string();
    let sheet = format!("/api/v1/labels/sheet.html?lots={}&copies=2", lot["id"].as_str().unwrap());
    for path in ["/", "/staff", "/farmer", "/officer", scan.as_str(), sheet.as_str()] {
        let r = s.get(path, Some(&s.staff_token)).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        for tag in html.split("<script").skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            assert!(
                tag.contains(" src=") || tag.contains("application/ld+json"),
                "{path}: an inline script: <script{tag}>"
            );
        }
        let lower = html.to_lowercase();
        for handler in [" onclick=", " onload=", " onerror=", " onsubmit=", " onchange=", " oninput="] {
            assert!(!lower.contains(handler), "{path}: a handler attribute{handler}");
        }
    }
}

#[tokio::test]
async fn postgres_is_sent_to_pg_dump() {
    let mut config = server::Config::from_env();
    config.database_url = "postgres://postgres@127.0.0.1:5432/postgres".into();
    let dir = tempfile::tempdir().unwrap();
    let err = server::backup::run(&config, &dir.path().join("x.db")).unwrap_err().to_string();
    assert!(err.contains("pg_dump"), "{err}");
    assert!(!dir.path().join("x.db").exists());
}

#[tokio::test]
async fn a_copy_taken_while_lots_are_recorded_restores_with_every_record_verifying() {
    if !matches!(storage::testing::selected_backend(), storage::testing::Backend::Sqlite) {
        eprintln!(
            "backup: SQLite only (PostgreSQL is backed up with pg_dump); nothing to test on this backend"
        );
        return;
    }
    let mut source = String::new();
    let s = TestServer::start_with(|c| source = c.database_url.clone()).await;
    let source = source.strip_prefix("sqlite://").unwrap().to_string();
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let mut before = Vec::new();
    for _ in 0..3 {
        before.push(s.lot(&seller).await["id"].as_str().unwrap().to_string());
    }
    let originals: Vec<Value> = {
        let mut v = Vec::new();
        for id in &before {
            v.push(s.get(&format!("/api/v1/lots/{id}/record"), None).await.json().await.unwrap());
        }
        v
    };

    // lots keep being recorded while the copy is taken
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    let to = copy.clone();
    let done = std::sync::atomic::AtomicBool::new(false);
    let copying = async {
        let r = tokio::task::spawn_blocking(move || {
            server::backup::sqlite_copy(std::path::Path::new(&source), &to)
        })
        .await
        .unwrap();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        r
    };
    let writing = async {
        let mut n = 0;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            s.lot(&seller).await;
            n += 1;
        }
        n
    };
    let (copied, during) = tokio::join!(copying, writing);
    let bytes = copied.expect("the copy is taken and passes its integrity check");
    assert!(during >= 1, "a lot was being recorded while the copy was taken");
    assert!(bytes > 0);

    // a new server over the copy
    let data = tempfile::tempdir().unwrap();
    let mut config = server::Config::from_env();
    config.bind = "127.0.0.1:0".into();
    config.database_url = format!("sqlite://{}", copy.display());
    config.data_dir = data.path().to_path_buf();
    config.public_url = String::new();
    config.master_key_hex = Some("11".repeat(32));
    config.workers = 1;
    let state =
        tokio::task::spawn_blocking(move || server::prepare(&config)).await.unwrap().expect("prepare");
    let app = server::Application::build(state).expect("build");
    let url = app.public_url.clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();

    let listed =
        json(client.get(format!("{url}/api/v1/lots?limit=100")).bearer_auth(login(&client, &url).await))
            .await;
    let ids: Vec<String> =
        listed["items"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()).collect();
    assert!(
        ids.len() >= before.len() && ids.len() <= before.len() + during,
        "{} lots in the copy",
        ids.len()
    );
    for id in &ids {
        let r = client.get(format!("{url}/api/v1/lots/{id}/record")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "lot {id}");
        let record: Value = r.json().await.unwrap();
        let report = json(client.post(format!("{url}/api/v1/verify")).json(&record)).await;
        assert_eq!(report["verified"], true, "lot {id}: {report}");
        if let Some(i) = before.iter().position(|b| b == id) {
            assert_eq!(record, originals[i], "the record of lot {id} is the one signed before the copy");
        }
    }
    for id in &before {
        assert!(ids.contains(id), "lot {id}, recorded before the copy, is in it");
    }
}

async fn login(client: &reqwest::Client, url: &str) -> String {
    let body = serde_json::json!({"phone": "0900000002", "password": crate::support::PASSWORD});
    json(client.post(format!("{url}/api/v1/auth/login")).json(&body)).await["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The JSON answer of a request.
async fn json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// The three answers schemathesis found outside their documentation: each
/// status is now one the OpenAPI document lists for its operation.
#[tokio::test]
async fn refusals_are_the_ones_the_openapi_document_lists() {
    let s = TestServer::start().await;
    let doc: Value = s.get("/api/openapi.json", None).await.json().await.unwrap();
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let lot_id = lot["id"].as_str().unwrap();
    let recall_path = format!("/api/v1/lots/{lot_id}/recall");
    let login = serde_json::json!({"phone": "0900000002", "password": "x", "remember": true});
    let cases: [(&str, &str, reqwest::Response); 3] = [
        ("get", "/api/v1/communes", s.get("/api/v1/communes?limit=100000", None).await),
        ("post", "/api/v1/auth/login", s.post_json("/api/v1/auth/login", None, &login).await),
        (
            "post",
            "/api/v1/lots/{id}/recall",
            s.post_json(&recall_path, Some(&s.staff_token), &serde_json::json!({"reason": 42})).await,
        ),
    ];
    for (method, path, r) in cases {
        let status = r.status();
        assert!(status.is_client_error(), "{method} {path}: {status}");
        let listed = &doc["paths"][path][method]["responses"];
        assert!(listed.get(status.as_str()).is_some(), "{method} {path} answers {status}, not in {listed}");
    }
}
