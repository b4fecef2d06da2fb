//! End-to-end: accounts, onboarding, lots, signed records, Digital Link,
//! labels, EPCIS and verification, over HTTP against the real server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{error_code, seller_body, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn health_and_openapi_answer() {
    let s = TestServer::start().await;
    let r = s.get("/healthz", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = s.get("/api/openapi.json", None).await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/lots", "/api/v1/verify", "/api/v1/sellers", "/api/v1/auth/login"] {
        assert!(doc["paths"][path].is_object(), "{path} missing from OpenAPI");
    }
}

#[tokio::test]
async fn login_logout_and_throttling() {
    let s = TestServer::start().await;
    let r =
        s.post_json("/api/v1/auth/login", None, &json!({"phone": "0900000002", "password": PASSWORD})).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["user"]["role"], "staff");
    let token = body["token"].as_str().unwrap().to_string();
    assert_eq!(s.get("/api/v1/auth/me", Some(&token)).await.status(), StatusCode::OK);
    let r = s.post_json("/api/v1/auth/logout", Some(&token), &json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let code = error_code(s.get("/api/v1/auth/me", Some(&token)).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(code, "unauthenticated");

    // repeated wrong passwords are slowed down, then refused outright
    let mut statuses = vec![];
    for _ in 0..7 {
        let r = s
            .post_json("/api/v1/auth/login", None, &json!({"phone": "0900000001", "password": "wrong pass"}))
            .await;
        statuses.push(r.status());
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
    let r =
        s.post_json("/api/v1/auth/login", None, &json!({"phone": "0900000001", "password": PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(r.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn buyers_register_once() {
    let s = TestServer::start().await;
    let body = json!({"phone": "0987654321", "password": "mật khẩu mới 1", "name": "Trần Minh Anh"});
    let r = s.post_json("/api/v1/auth/register", None, &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["user"]["role"], "buyer");
    assert_eq!(
        error_code(s.post_json("/api/v1/auth/register", None, &body).await, StatusCode::CONFLICT).await,
        "already_taken"
    );
    // a validation error names its field and the limit, for the page to say it in Vietnamese
    let short = json!({"phone": "0987654322", "password": "short", "name": "A"});
    let r = s.post_json("/api/v1/auth/register", None, &short).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "too_short");
    assert_eq!(v["error"]["field"], "password");
    assert_eq!(v["error"]["params"], json!({"min": 8}));
    // asking for a role is not quietly ignored
    let admin = json!({"phone": "0987654323", "password": "mật khẩu mới 1", "name": "B", "role": "admin"});
    error_code(s.post_json("/api/v1/auth/register", None, &admin).await, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
}

#[tokio::test]
async fn staff_onboard_a_seller_who_activates_once() {
    let s = TestServer::start().await;
    let r = s
        .post_json("/api/v1/sellers", Some(&s.staff_token), &seller_body("0912000101", "008080001234"))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let code = created["activation_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);

    let seller: Value =
        s.get(&format!("/api/v1/sellers/{id}"), Some(&s.staff_token)).await.json().await.unwrap();
    assert_eq!(seller["national_id_masked"], "*********234");
    assert_eq!(seller["bank_account_name"], "HOANG VAN THAO");
    assert_eq!(seller["consent_method"], "paper_form");
    assert!(!seller.to_string().contains("008080001234"), "the national ID is never shown whole");

    let wrong = json!({"phone": "0912000101", "activation_code": "00000000", "password": PASSWORD});
    let c =
        error_code(s.post_json("/api/v1/auth/activate", None, &wrong).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(c, "bad_activation_code");
    let right = json!({"phone": "0912000101", "activation_code": code, "password": PASSWORD});
    let r = s.post_json("/api/v1/auth/activate", None, &right).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["user"]["role"], "farmer");
    error_code(s.post_json("/api/v1/auth/activate", None, &right).await, StatusCode::UNAUTHORIZED).await;

    // the same person twice, and an existing phone, are conflicts
    // (the code and the field say which, so a page can say it)
    let again = seller_body("0912000199", "008080001234");
    let r = s.post_json("/api/v1/sellers", Some(&s.staff_token), &again).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let e = r.json::<Value>().await.unwrap()["error"].clone();
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("already_taken"), Some("national_id")));
    let phone_taken = seller_body("0912000101", "008080009999");
    let r = s.post_json("/api/v1/sellers", Some(&s.staff_token), &phone_taken).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let e = r.json::<Value>().await.unwrap()["error"].clone();
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("already_taken"), Some("phone")));
}

#[tokio::test]
async fn onboarding_rejects_bad_input_without_writing_anything() {
    let s = TestServer::start().await;
    let cases = [("national_id", json!("12345")), ("commune_code", json!("99999")), ("phone", json!("12"))];
    for (field, value) in cases {
        let mut body = seller_body("0912000150", "008080005555");
        body[field] = value;
        let r = s.post_json("/api/v1/sellers", Some(&s.staff_token), &body).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
    }
    let mut body = seller_body("0912000150", "008080005555");
    body["bank"]["bin"] = json!("123456");
    error_code(
        s.post_json("/api/v1/sellers", Some(&s.staff_token), &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut body = seller_body("0912000150", "008080005555");
    body["surprise"] = json!(1);
    error_code(
        s.post_json("/api/v1/sellers", Some(&s.staff_token), &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // nothing half-written: the phone is still free
    let ok = s
        .post_json("/api/v1/sellers", Some(&s.staff_token), &seller_body("0912000150", "008080005555"))
        .await;
    assert_eq!(ok.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn roles_are_enforced() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let body = seller_body("0912000102", "008080004321");
    error_code(s.post_json("/api/v1/sellers", None, &body).await, StatusCode::UNAUTHORIZED).await;
    error_code(s.post_json("/api/v1/sellers", Some(&farmer), &body).await, StatusCode::FORBIDDEN).await;
    error_code(s.post_json("/api/v1/sellers", Some("not-a-token"), &body).await, StatusCode::UNAUTHORIZED)
        .await;

    // a farmer records lots only for itself
    let (other_seller, _) = s.farmer("0912000103", "008080007777").await;
    let lot = json!({"product_name": "Chè", "quantity": 1, "unit": "kg", "harvested_on": "2025-10-28",
                     "commune_code": "02260", "seller_id": other_seller});
    error_code(s.post_json("/api/v1/lots", Some(&farmer), &lot).await, StatusCode::FORBIDDEN).await;
    let own = json!({"product_name": "Chè", "quantity": 1, "unit": "kg", "harvested_on": "2025-10-28",
                     "commune_code": "02260"});
    let r = s.post_json("/api/v1/lots", Some(&farmer), &own).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let lot_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(s.get(&format!("/api/v1/sellers/{seller}"), Some(&farmer)).await.status(), StatusCode::OK);
    error_code(s.get(&format!("/api/v1/sellers/{other_seller}"), Some(&farmer)).await, StatusCode::NOT_FOUND)
        .await;

    // another farmer cannot add events to it; a buyer cannot create lots
    let (_, intruder) = s.farmer("0912000104", "008080008888").await;
    let ev = json!({"type": "packing", "occurred_at": "2025-10-29T08:00:00+07:00"});
    error_code(
        s.post_json(&format!("/api/v1/lots/{lot_id}/events"), Some(&intruder), &ev).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let r = s
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({"phone": "0987000001", "password": PASSWORD, "name": "B"}),
        )
        .await;
    let buyer = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    error_code(s.post_json("/api/v1/lots", Some(&buyer), &own).await, StatusCode::FORBIDDEN).await;
    // recall is for staff and admin only
    let recall = json!({"reason": "test"});
    error_code(
        s.post_json(&format!("/api/v1/lots/{lot_id}/recall"), Some(&farmer), &recall).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn bad_json_gets_json_errors_never_500() {
    let s = TestServer::start().await;
    let send = |body: &'static str| {
        s.client
            .post(s.at("/api/v1/lots"))
            .bearer_auth(&s.staff_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_eq!(error_code(send("{not json").await.unwrap(), StatusCode::BAD_REQUEST).await, "malformed_json");
    error_code(send(r#"{"product_name": 5}"#).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
    // /verify wants a record: JSON that is not an object is refused
    for body in ["null", "[]", "\"x\"", "1", "true"] {
        let r = s.client.post(s.at("/api/v1/verify")).header("content-type", "application/json").body(body);
        error_code(r.send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let big = "x".repeat(2 * 1024 * 1024);
    let r = s
        .client
        .post(s.at("/api/v1/verify"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r, StatusCode::PAYLOAD_TOO_LARGE).await, "payload_too_large");
    let r = s
        .client
        .post(s.at("/api/v1/verify"))
        .header("content-type", "application/json")
        .body("[1,")
        .send()
        .await
        .unwrap();
    error_code(r, StatusCode::BAD_REQUEST).await;
    error_code(s.get("/api/v1/lots/nope", None).await, StatusCode::NOT_FOUND).await;
    error_code(s.get("/api/v1/nothing-here", None).await, StatusCode::NOT_FOUND).await;
    error_code(s.get("/api/v1/communes?limit=abc", None).await, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn communes_are_searchable_without_diacritics() {
    let s = TestServer::start().await;
    let v: Value = s.get("/api/v1/communes?q=hong%20thai", None).await.json().await.unwrap();
    let names: Vec<&str> =
        v["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Xã Hồng Thái"), "{names:?}");
    let v: Value = s.get("/api/v1/communes?q=HONG THAI&province=08", None).await.json().await.unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["code"], "02260");
    let v: Value = s.get("/api/v1/banks", None).await.json().await.unwrap();
    assert!(v["items"].as_array().unwrap().iter().any(|b| b["bin"] == "970405"));
    let v: Value = s.get("/api/v1/units", None).await.json().await.unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 11);
    let v: Value = s.get("/api/v1/categories", None).await.json().await.unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 13);
}

async fn add_event(s: &TestServer, lot: &str, body: Value) -> Value {
    let r = s.post_json(&format!("/api/v1/lots/{lot}/events"), Some(&s.staff_token), &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn verify(s: &TestServer, record: &Value) -> Value {
    let r = s.post_json("/api/v1/verify", None, record).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_lot_gets_signed_versions_that_verify() {
    let s = TestServer::start().await;
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let id = lot["id"].as_str().unwrap();
    let link = lot["digital_link"].as_str().unwrap();
    assert!(link.starts_with(&format!("{}/01/0200000", s.url)), "{link}");
    assert!(link.ends_with(&format!("/10/{}", lot["lot_code"].as_str().unwrap())));
    assert_eq!(lot["gtin_is_internal"], true);
    assert_eq!(lot["quantity_g"], 12_500);

    let v1: Value = s.get(&format!("/api/v1/lots/{id}/record"), None).await.json().await.unwrap();
    assert_eq!(v1["proof"]["cryptosuite"], "eddsa-jcs-2022");
    assert!(v1["proof"]["verificationMethod"].as_str().unwrap().starts_with("did:key:z6Mk"));
    let report = verify(&s, &v1).await;
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["status"]["latest_version"], true);

    add_event(
        &s,
        id,
        json!({"type": "harvest", "occurred_at": "2025-10-28T06:00:00+07:00",
                              "details": {"quantity_g": 12500, "field": "Đồi Khuổi Bốc"}}),
    )
    .await;
    let ev = add_event(
        &s,
        id,
        json!({"type": "input_application", "occurred_at": "2025-10-20T06:00:00+07:00",
                              "details": {"product": "Phân chuồng", "dose": "3 kg/gốc"}}),
    )
    .await;
    assert_eq!(ev["seq"], 2);
    let v3: Value = s.get(&format!("/api/v1/lots/{id}/record"), None).await.json().await.unwrap();
    assert_eq!(v3["credentialSubject"]["record_version"], 3);
    let events = v3["credentialSubject"]["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["prev_hash"], events[0]["hash"], "each event commits to the previous one");
    assert_eq!(verify(&s, &v3).await["verified"], true);

    // the old version stays retrievable and genuine, but is flagged
    let old: Value = s.get(&format!("/api/v1/lots/{id}/record?version=1"), None).await.json().await.unwrap();
    let report = verify(&s, &old).await;
    assert_eq!(report["verified"], true);
    assert_eq!(report["status"]["latest_version"], false);
    let versions: Value = s.get(&format!("/api/v1/lots/{id}/records"), None).await.json().await.unwrap();
    assert_eq!(versions["items"].as_array().unwrap().len(), 3);

    // input_application needs product and dose; unknown detail fields are refused
    let r = s
        .post_json(
            &format!("/api/v1/lots/{id}/events"),
            Some(&s.staff_token),
            &json!({"type": "input_application", "occurred_at": "2025-10-20T06:00:00+07:00", "details": {}}),
        )
        .await;
    error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let r = s.post_json(&format!("/api/v1/lots/{id}/events"), Some(&s.staff_token),
        &json!({"type": "packing", "occurred_at": "2025-10-20T06:00:00+07:00", "details": {"weight": 1.5}})).await;
    error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let r = s
        .post_json(
            &format!("/api/v1/lots/{id}/events"),
            Some(&s.staff_token),
            &json!({"type": "teleport", "occurred_at": "2025-10-20T06:00:00+07:00"}),
        )
        .await;
    error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await;
}

/// Every leaf of a JSON document, as (pointer, value).
fn leaves(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| leaves(x, format!("{path}/{k}"), out)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| leaves(x, format!("{path}/{i}"), out)),
        _ => out.push(path),
    }
}

#[tokio::test]
async fn every_single_field_tamper_fails_verification() {
    let s = TestServer::start().await;
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let id = lot["id"].as_str().unwrap();
    add_event(&s, id, json!({"type": "harvest", "occurred_at": "2025-10-28T06:00:00+07:00", "details": {"quantity_g": 500}})).await;
    let record: Value = s.get(&format!("/api/v1/lots/{id}/record"), None).await.json().await.unwrap();
    let mut paths = vec![];
    leaves(&record, String::new(), &mut paths);
    assert!(paths.len() > 30);
    for p in paths.iter().filter(|p| !p.ends_with("/proofValue")) {
        let mut t = record.clone();
        let leaf = t.pointer_mut(p).unwrap();
        *leaf = match leaf {
            Value::String(x) => Value::String(format!("{x}x")),
            Value::Number(n) => json!(n.as_i64().unwrap_or(0) + 1),
            Value::Bool(b) => Value::Bool(!*b),
            _ => json!("x"),
        };
        let report = verify(&s, &t).await;
        assert_eq!(report["verified"], false, "tampering {p} went unnoticed");
    }
}

#[tokio::test]
async fn unknown_and_revoked_keys_are_reported() {
    let s = TestServer::start().await;
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let id = lot["id"].as_str().unwrap().to_string();
    let record: Value = s.get(&format!("/api/v1/lots/{id}/record"), None).await.json().await.unwrap();

    // a valid signature by a key the server does not trust
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let did = traceability::did_key::did_from_public_key(&stranger.verifying_key());
    let mut unsigned = record.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    unsigned["issuer"]["id"] = json!(did);
    let forged = traceability::proof::add_proof(
        &unsigned,
        &traceability::proof::ProofOptions {
            verification_method: traceability::did_key::verification_method(&did),
            proof_purpose: "assertionMethod".into(),
            created: Some(chrono::Utc::now()),
        },
        &stranger,
    )
    .unwrap();
    let report = verify(&s, &forged).await;
    assert_eq!(report["checks"]["signature"], true);
    assert_eq!(report["checks"]["issuer_trusted"], false);
    assert_eq!(report["verified"], false);

    // rotation keeps old records valid; revocation does not
    let issuer = record["issuer"]["id"].as_str().unwrap().to_string();
    let st = s.state.clone();
    let i2 = issuer.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = st.pool.get().unwrap();
        let org = traceability::keys::operator_organisation(&mut c).unwrap().unwrap();
        traceability::keys::rotate(&mut c, &st.master, &org).unwrap();
        let _ = i2;
    })
    .await
    .unwrap();
    let report = verify(&s, &record).await;
    assert_eq!(report["verified"], true, "rotation must not invalidate old records: {report}");
    let st = s.state.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = st.pool.get().unwrap();
        traceability::keys::revoke(&mut c, &issuer, "laptop stolen").unwrap();
    })
    .await
    .unwrap();
    // a running server sees key changes within the cache's 5 seconds;
    // the test does not wait for that
    s.state.trust_cache.invalidate();
    let report = verify(&s, &record).await;
    assert_eq!(report["checks"]["key_not_revoked"], false);
    assert_eq!(report["verified"], false);
}

#[tokio::test]
async fn recall_is_signed_and_reported() {
    let s = TestServer::start().await;
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let id = lot["id"].as_str().unwrap();
    let before: Value = s.get(&format!("/api/v1/lots/{id}/record"), None).await.json().await.unwrap();
    let r = s
        .post_json(
            &format!("/api/v1/lots/{id}/recall"),
            Some(&s.staff_token),
            &json!({"reason": "Dư lượng thuốc BVTV vượt ngưỡng"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "recalled");
    let after: Value = s.get(&format!("/api/v1/lots/{id}/record"), None).await.json().await.unwrap();
    assert_eq!(after["credentialSubject"]["status"], "recalled");
    let report = verify(&s, &after).await;
    assert_eq!(report["verified"], true);
    assert_eq!(report["status"]["recalled"], true);
    assert_eq!(report["errors"], json!([]), "a genuine record has no errors…");
    assert!(report["warnings"].to_string().contains("RECALLED"), "…but a warning: {report}");
    assert_eq!(verify(&s, &before).await["status"]["recalled"], true, "old versions tell of the recall too");
    let recalled = |r| error_code(r, StatusCode::CONFLICT);
    assert_eq!(recalled(s.get(&format!("/api/v1/lots/{id}/label.png"), None).await).await, "lot_recalled");
    let sheet = s.get(&format!("/api/v1/labels/sheet.html?lots={id}"), None).await;
    assert_eq!(recalled(sheet).await, "lot_recalled");
    let ev = json!({"type": "packing", "occurred_at": "2025-10-29T08:00:00+07:00"});
    let r = s.post_json(&format!("/api/v1/lots/{id}/events"), Some(&s.staff_token), &ev).await;
    assert_eq!(recalled(r).await, "lot_recalled");
    let page = s.get(&lot["digital_link"].as_str().unwrap()[s.url.len()..], None).await.text().await.unwrap();
    assert!(page.contains("THU HỒI"), "the scan page warns in red");
}

#[tokio::test]
async fn digital_link_serves_people_machines_and_resolvers() {
    let s = TestServer::start().await;
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let path = lot["digital_link"].as_str().unwrap()[s.url.len()..].to_string();

    let r = s.client.get(s.at(&path)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("Chè Shan tuyết") && html.contains("Hồng Thái") && html.contains("Tuyên Quang"));
    assert!(html.contains("Đã xác minh"), "verified banner");
    assert!(html.len() < 30 * 1024, "scan page is {} bytes", html.len());

    for accept in ["application/json", "application/ld+json", "application/vc"] {
        let r = s.client.get(s.at(&path)).header("accept", accept).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["proof"]["cryptosuite"], "eddsa-jcs-2022", "{accept}");
    }
    for req in [
        s.client.get(s.at(&path)).header("accept", "application/linkset+json"),
        s.client.get(s.at(&format!("{path}?linkType=linkset"))),
    ] {
        let r = req.send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/linkset+json");
        let v: Value = r.json().await.unwrap();
        let set = &v["linkset"][0];
        assert_eq!(set["anchor"], lot["digital_link"]);
        assert!(set["https://gs1.org/voc/traceability"][0]["href"].as_str().unwrap().ends_with("/record"));
        assert!(set["https://gs1.org/voc/epcis"][0]["title"].is_string());
    }
    let r = s.get(&format!("{path}?linkType=gs1:epcis"), None).await;
    assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT);
    // the query string is passed on, without linkType
    let r = s.get(&format!("{path}?linkType=gs1:epcis&lang=vi"), None).await;
    assert!(r.headers()["location"].to_str().unwrap().ends_with("/epcis?lang=vi"));
    // every link type the resolver advertises resolves
    let r = s.get(&format!("{path}?linkType=gs1:verificationService"), None).await;
    assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT);
    assert!(r.headers()["location"].to_str().unwrap().ends_with("/api/v1/verify"));
    let described: Value = s.get("/.well-known/gs1resolver", None).await.json().await.unwrap();
    for link_type in described["supportedLinkType"].as_array().unwrap() {
        let r = s.get(&format!("{path}?linkType={}", link_type.as_str().unwrap()), None).await;
        assert!(r.status().is_success() || r.status().is_redirection(), "{link_type}: {}", r.status());
    }
    // errors carry CORS headers too, so browser apps can read them
    let r = s.get(&format!("{path}?linkType=gs1:nonsense"), None).await;
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    error_code(r, StatusCode::NOT_FOUND).await;
    let r = s.client.request(reqwest::Method::OPTIONS, s.at(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let r = s.client.head(s.at(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["link"].to_str().unwrap().contains("rel=\"linkset\""));
    let r = s.get("/.well-known/gs1resolver", None).await;
    assert_eq!(r.status(), StatusCode::OK);

    let gtin = lot["gtin"].as_str().unwrap();
    for bad in [
        format!("/01/{gtin}/10/bad%20lot"),
        "/01/12345678901234/10/A".to_string(),
        format!("{path}/"),
        "/01/abc".to_string(),
    ] {
        let r = s.client.get(s.at(&bad)).header("accept", "application/json").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        // a linkset was asked for: the error is JSON too
        error_code(s.get(&format!("{bad}?linkType=linkset"), None).await, StatusCode::BAD_REQUEST).await;
        // people get a page in Vietnamese
        let r = s.client.get(s.at(&bad)).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.text().await.unwrap().contains("Mã QR không hợp lệ"));
    }
    // a browser following an unknown link type gets a page, not JSON
    let r = s
        .client
        .get(s.at(&format!("{path}?linkType=zzz")))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    // a known route asked with the wrong method: 405 with Allow; HEAD works like GET
    let r = s.client.put(s.at("/api/v1/lots")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET, POST");
    assert_eq!(error_code(r, StatusCode::METHOD_NOT_ALLOWED).await, "method_not_allowed");
    let r = s.client.delete(s.at("/api/v1/lots/some-id/record")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET");
    error_code(r, StatusCode::METHOD_NOT_ALLOWED).await;
    let r = s.client.head(s.at("/api/v1/banks")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().is_empty());
    // unknown routes answer JSON to clients that ask for it; a resolver
    // link is read-only
    let r = s.client.get(s.at("/nope")).header("accept", "application/json").send().await.unwrap();
    error_code(r, StatusCode::NOT_FOUND).await;
    let r = s.client.post(s.at(&path)).header("accept", "application/json").send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET, HEAD, OPTIONS");
    error_code(r, StatusCode::METHOD_NOT_ALLOWED).await;
    let r = s
        .client
        .get(s.at(&format!("/01/{gtin}/10/NO-SUCH-LOT")))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = s.client.get(s.at(&format!("/01/{gtin}/10/NO-SUCH-LOT"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn labels_decode_to_the_digital_link() {
    let s = TestServer::start().await;
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let id = lot["id"].as_str().unwrap();
    let r = s.get(&format!("/api/v1/lots/{id}/label.png"), None).await;
    assert_eq!(r.headers()["content-type"], "image/png");
    let png = r.bytes().await.unwrap();
    let img = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, lot["digital_link"].as_str().unwrap());

    let svg = s.get(&format!("/api/v1/lots/{id}/label.svg"), None).await.text().await.unwrap();
    assert!(svg.contains("Chè Shan tuyết") && svg.contains(lot["lot_code"].as_str().unwrap()));
    let sheet =
        s.get(&format!("/api/v1/labels/sheet.html?lots={id}&copies=30"), None).await.text().await.unwrap();
    assert_eq!(sheet.matches("<div class=\"page\">").count(), 2, "30 labels take two A4 pages");
    error_code(s.get("/api/v1/labels/sheet.html?lots=nope", None).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn epcis_export_has_one_event_per_lot_event() {
    let s = TestServer::start().await;
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let id = lot["id"].as_str().unwrap();
    add_event(&s, id, json!({"type": "harvest", "occurred_at": "2025-10-28T06:00:00+07:00", "details": {"quantity_g": 500}})).await;
    add_event(
        &s,
        id,
        json!({"type": "shipping", "occurred_at": "2025-10-29T06:00:00+07:00", "details": {"to": "Hà Nội"}}),
    )
    .await;
    let doc: Value = s.get(&format!("/api/v1/lots/{id}/epcis"), None).await.json().await.unwrap();
    assert_eq!(doc["type"], "EPCISDocument");
    let events = doc["epcisBody"]["eventList"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["bizStep"], "commissioning");
    assert_eq!(events[1]["bizStep"], "shipping");
}

#[tokio::test]
async fn fsma_204_spreadsheet_lists_critical_tracking_events_in_range_and_scope() {
    let s = TestServer::start().await;
    let (seller, farmer_token) = s.farmer("0912000101", "008080001234").await;
    let (other_seller, other_token) = s.farmer("0912000102", "008080001235").await;
    let lot = s.lot(&seller).await;
    let other = s.lot(&other_seller).await;
    let (id, other_id) = (lot["id"].as_str().unwrap(), other["id"].as_str().unwrap());
    add_event(&s, id, json!({"type": "planting", "occurred_at": "2025-03-01T06:00:00+07:00", "details": {}}))
        .await;
    add_event(
        &s,
        id,
        json!({"type": "harvest", "occurred_at": "2025-10-28T06:00:00+07:00",
        "details": {"quantity_g": 12500, "variety": "Shan tuyết", "field": "Lô 3"}}),
    )
    .await;
    // 00:30 on 1 November in Vietnam is still 31 October in UTC.
    add_event(
        &s,
        id,
        json!({"type": "shipping", "occurred_at": "2025-11-01T00:30:00+07:00",
        "details": {"to": "=cmd|' /C calc'!A0", "reference_document": "VĐ-0042"}}),
    )
    .await;
    add_event(
        &s,
        other_id,
        json!({"type": "harvest", "occurred_at": "2025-10-30T06:00:00+07:00", "details": {}}),
    )
    .await;

    let export = |token: String, query: &'static str| {
        let url = s.at(&format!("/api/v1/exports/fsma204.csv?{query}"));
        let client = s.client.clone();
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let r = export(s.staff_token.clone(), "from=2025-10-01&to=2025-10-31").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = r.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let col = |row: &csv::StringRecord, name: &str| {
        row.get(headers.iter().position(|h| h == name).unwrap()).unwrap().to_string()
    };
    let summary: Vec<(String, String)> =
        rows.iter().map(|r| (col(r, "cte"), col(r, "event_time_utc"))).collect();
    assert_eq!(
        summary,
        [
            ("Harvesting".to_string(), "2025-10-27T23:00:00Z".to_string()),
            ("Harvesting".to_string(), "2025-10-29T23:00:00Z".to_string()),
        ],
        "planting is not a CTE; the shipping happened on 1 November, Vietnamese time"
    );
    let tlc = format!("(01){}(10){}", lot["gtin"].as_str().unwrap(), lot["lot_code"].as_str().unwrap());
    assert_eq!(col(&rows[0], "traceability_lot_code"), tlc);
    assert_eq!(col(&rows[0], "commodity_variety"), "Shan tuyết");
    assert_eq!((col(&rows[0], "quantity"), col(&rows[0], "unit_of_measure")), ("12500".into(), "g".into()));

    // The next day's export has the shipping, its formula made inert.
    let text = export(s.staff_token.clone(), "from=2025-11-01&to=2025-11-01").await.text().await.unwrap();
    assert!(text.contains("Shipping") && text.contains("'=cmd|"), "{text}");

    // A farmer sees only their own lots; a buyer nothing; a stranger must log in.
    let own = export(farmer_token, "from=2025-10-01&to=2025-10-31").await.text().await.unwrap();
    assert!(own.contains(&tlc) && own.lines().count() == 2, "{own}");
    let theirs = export(other_token, "from=2025-10-01&to=2025-10-31").await.text().await.unwrap();
    assert!(!theirs.contains(&tlc) && theirs.lines().count() == 2, "{theirs}");
    let buyer = s
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({"phone": "0987000009", "password": PASSWORD, "name": "Lan"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    error_code(export(buyer, "from=2025-10-01&to=2025-10-31").await, StatusCode::FORBIDDEN).await;
    error_code(
        s.get("/api/v1/exports/fsma204.csv?from=2025-10-01&to=2025-10-31", None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // Bad dates are JSON errors.
    error_code(export(s.admin_token.clone(), "from=2025-13-01&to=2025-10-31").await, StatusCode::BAD_REQUEST)
        .await;
    error_code(export(s.admin_token.clone(), "from=2025-10-01").await, StatusCode::BAD_REQUEST).await;
    error_code(
        export(s.admin_token.clone(), "from=2025-10-31&to=2025-10-01").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_a_408_not_a_hung_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start().await;
    let addr = s.url.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"phone\":1"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), async {
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
    assert!(read.is_ok(), "no answer within 20 s");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"request_timeout\""), "{text}");
}

#[tokio::test]
async fn nul_bytes_and_duplicate_keys_are_refused_not_500() {
    let s = TestServer::start().await;
    error_code(s.get("/api/v1/lots/a%00b", None).await, StatusCode::BAD_REQUEST).await;
    error_code(s.get("/api/v1/communes?q=a%00", None).await, StatusCode::BAD_REQUEST).await;
    let r = s
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({"phone": "0987000002", "password": PASSWORD, "name": "a\u{0}b"}),
        )
        .await;
    error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let mut body = seller_body("0912000150", "008080005555");
    body["commune_code"] = json!("0\u{0}");
    error_code(
        s.post_json("/api/v1/sellers", Some(&s.staff_token), &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let lot = json!({"product_name": "Chè", "quantity": 1, "unit": "kg", "harvested_on": "2025-10-28",
                     "commune_code": "02260", "seller_id": "x\u{0}"});
    error_code(
        s.post_json("/api/v1/lots", Some(&s.staff_token), &lot).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let many_words = "a ".repeat(2000);
    let r = s.client.get(s.at("/api/v1/communes")).query(&[("q", many_words.as_str())]).send().await.unwrap();
    error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await;

    // a genuine record with a duplicated property is not accepted
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let text = s
        .get(&format!("/api/v1/lots/{}/record", lot["id"].as_str().unwrap()), None)
        .await
        .text()
        .await
        .unwrap();
    let dup =
        text.replacen("\"credentialSubject\":{", "\"credentialSubject\":{\"product_name\":\"Khác\",", 1);
    assert_ne!(dup, text);
    let r = s
        .client
        .post(s.at("/api/v1/verify"))
        .header("content-type", "application/json")
        .body(dup)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r, StatusCode::BAD_REQUEST).await, "malformed_json");
    let bad_lot = json!({"lot_id": "x\u{0}", "record_version": 1});
    let r = s.post_json("/api/v1/verify", None, &json!({"credentialSubject": bad_lot})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["verified"], false);
}

#[tokio::test]
async fn staff_act_only_for_their_own_post_office() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let id = lot["id"].as_str().unwrap();
    let other = s.staff_of_new_post_office("Bưu điện xã Tú Lệ", Some("04630"), "0900000077").await;
    error_code(s.get(&format!("/api/v1/sellers/{seller}"), Some(&other)).await, StatusCode::NOT_FOUND).await;
    let listed: Value = s.get("/api/v1/sellers", Some(&other)).await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    let ev = json!({"type": "packing", "occurred_at": "2025-10-29T08:00:00+07:00"});
    error_code(
        s.post_json(&format!("/api/v1/lots/{id}/events"), Some(&other), &ev).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let new_lot = json!({"product_name": "Chè", "quantity": 1, "unit": "kg", "harvested_on": "2025-10-28",
                         "commune_code": "02260", "seller_id": seller});
    error_code(s.post_json("/api/v1/lots", Some(&other), &new_lot).await, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    let r = s.post_json(&format!("/api/v1/sellers/{seller}/activation-code"), Some(&other), &json!({})).await;
    error_code(r, StatusCode::NOT_FOUND).await;

    // once the farmer has a password, staff cannot issue a code that would replace it
    let r = s
        .post_json(&format!("/api/v1/sellers/{seller}/activation-code"), Some(&s.staff_token), &json!({}))
        .await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "already_activated");
    // an admin can; setting the new password ends the old sessions
    let r = s
        .post_json(&format!("/api/v1/sellers/{seller}/activation-code"), Some(&s.admin_token), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let code = r.json::<Value>().await.unwrap()["activation_code"].as_str().unwrap().to_string();
    let body = json!({"phone": "0912000101", "activation_code": code, "password": "another long password"});
    assert_eq!(s.post_json("/api/v1/auth/activate", None, &body).await.status(), StatusCode::OK);
    error_code(s.get("/api/v1/auth/me", Some(&farmer)).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn concurrent_events_on_one_lot_keep_the_chain_intact() {
    let s = std::sync::Arc::new(TestServer::start().await);
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let id = lot["id"].as_str().unwrap().to_string();
    let mut tasks = vec![];
    for i in 0..8 {
        let s = s.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"type": "packing", "occurred_at": "2025-10-29T08:00:00+07:00", "details": {"note": format!("túi {i}")}});
            s.post_json(&format!("/api/v1/lots/{id}/events"), Some(&s.staff_token), &body).await.status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    let record: Value = s.get(&format!("/api/v1/lots/{id}/record"), None).await.json().await.unwrap();
    let seqs: Vec<i64> = record["credentialSubject"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
    assert_eq!(record["credentialSubject"]["record_version"], 9);
    let report = verify(&s, &record).await;
    assert_eq!(report["verified"], true, "{report}");
}

/// The pages' shared modules: served as JavaScript with a strong ETag, and
/// a warm reload revalidates for a 304 without a body.
#[tokio::test]
async fn shared_modules_are_cached_and_revalidated() {
    let s = TestServer::start().await;
    let r = s.get("/shared/vi.js", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(tag.starts_with('"') && tag.len() > 20, "a strong ETag: {tag}");
    assert!(r.text().await.unwrap().contains("export function errorText"));
    let again = s.client.get(s.at("/shared/vi.js")).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.unwrap().is_empty());
    assert_eq!(s.get("/shared/nothing.js", None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(s.get("/shared/..%2FCargo.toml", None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(s.get("/staff/..%2F..%2FCargo.toml", None).await.status(), StatusCode::NOT_FOUND);

    // precompressed, in the best encoding the browser takes; each has its own ETag
    let plain = s.get("/staff", None).await.bytes().await.unwrap().len();
    let fetch =
        |encodings: &'static str| s.client.get(s.at("/staff")).header("Accept-Encoding", encodings).send();
    let br = fetch("gzip, deflate, br").await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["vary"], "Accept-Encoding");
    let br_tag = br.headers()["etag"].to_str().unwrap().to_string();
    let br_len = br.bytes().await.unwrap().len();
    let gz = fetch("gzip").await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_ne!(gz.headers()["etag"].to_str().unwrap(), br_tag);
    let gz_body = gz.bytes().await.unwrap();
    assert_eq!(&gz_body[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(
        br_len < gz_body.len() && gz_body.len() < plain / 2,
        "br {br_len} < gzip {} < plain {plain} / 2",
        gz_body.len()
    );
    // a browser that refuses brotli gets gzip
    assert_eq!(fetch("br;q=0, gzip").await.unwrap().headers()["content-encoding"], "gzip");
    let warm = s.client.get(s.at("/staff")).header("Accept-Encoding", "br").header("If-None-Match", &br_tag);
    assert_eq!(warm.send().await.unwrap().status(), StatusCode::NOT_MODIFIED);
}
