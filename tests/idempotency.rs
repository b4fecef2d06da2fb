//! `Idempotency-Key`: a retried POST never acts twice. The same order sent
//! again with its key is one order and the same answer; another request
//! with that key is refused; concurrent duplicates wait for the first; keys
//! are the caller's own; answers live in the database, so another server
//! on it (or this one after a restart) replays them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{error_code, order_body, TestServer};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

async fn post_keyed(
    s: &TestServer,
    base: &str,
    token: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> Response {
    s.client
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn orders_of(s: &TestServer, token: &str) -> usize {
    let list: Value = s.get("/api/v1/orders", Some(token)).await.json().await.unwrap();
    list["items"].as_array().unwrap().len()
}

async fn market(s: &TestServer) -> String {
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let body = json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": 100_000, "quantity": 100});
    s.listing(&farmer, &body).await["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_retried_order_is_one_order_and_the_same_answer() {
    let s = TestServer::start().await;
    let listing = market(&s).await;
    let buyer = s.buyer("0987000001").await;
    let body = order_body(&[(&listing, 2)], "cod");
    let first = post_keyed(&s, &s.url, &buyer, "/api/v1/orders", "order-7f3a", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = post_keyed(&s, &s.url, &buyer, "/api/v1/orders", "order-7f3a", &body).await;
    assert_eq!(again.status(), StatusCode::CREATED, "the first answer's status");
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first, "the first answer's body");
    assert_eq!(orders_of(&s, &buyer).await, 1);
    let stock: Value = s.get(&format!("/api/v1/listings/{listing}"), None).await.json().await.unwrap();
    assert_eq!(stock["quantity"], 98, "stock taken once");

    // the same key for another request is refused, and nothing is done
    let other = order_body(&[(&listing, 3)], "cod");
    let r = post_keyed(&s, &s.url, &buyer, "/api/v1/orders", "order-7f3a", &other).await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "idempotency_key_reused");
    assert_eq!(orders_of(&s, &buyer).await, 1);
    // another caller's key of the same name is theirs
    let neighbour = s.buyer("0987000002").await;
    let r = post_keyed(&s, &s.url, &neighbour, "/api/v1/orders", "order-7f3a", &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_ne!(r.json::<Value>().await.unwrap()["id"], first["id"]);
    // a malformed key is refused before anything happens
    let r = post_keyed(&s, &s.url, &buyer, "/api/v1/orders", "a key with spaces", &body).await;
    assert_eq!(error_code(r, StatusCode::BAD_REQUEST).await, "invalid_header");
    // without a key a request acts as before
    s.post_json("/api/v1/orders", Some(&buyer), &body).await;
    assert_eq!(orders_of(&s, &buyer).await, 2);

    // another server on the same database (or this one restarted) replays it
    let other_server = server::Application::build(s.state.clone()).expect("build");
    let other_url = other_server.public_url.clone();
    tokio::spawn(other_server.run_until_stopped());
    let replayed = post_keyed(&s, &other_url, &buyer, "/api/v1/orders", "order-7f3a", &body).await;
    assert_eq!(replayed.status(), StatusCode::CREATED);
    assert_eq!(replayed.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(orders_of(&s, &buyer).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_duplicates_make_one_order() {
    let s = std::sync::Arc::new(TestServer::start().await);
    let listing = market(&s).await;
    let buyer = s.buyer("0987000001").await;
    let body = order_body(&[(&listing, 1)], "vietqr");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (s, buyer, body) = (s.clone(), buyer.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let r = post_keyed(&s, &s.url, &buyer, "/api/v1/orders", "tap-tap-tap", &body).await;
            (r.status(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.insert(body["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 1, "one order");
    assert_eq!(orders_of(&s, &buyer).await, 1);
}

#[tokio::test]
async fn actions_and_refusals_replay_too() {
    let s = TestServer::start().await;
    let listing = market(&s).await;
    let buyer = s.buyer("0987000001").await;
    let order: Value =
        post_keyed(&s, &s.url, &buyer, "/api/v1/orders", "o-1", &order_body(&[(&listing, 1)], "cod"))
            .await
            .json()
            .await
            .unwrap();
    let id = order["id"].as_str().unwrap();
    // the buyer cancels; the retry gets the same answer, not a 409
    let path = format!("/api/v1/orders/{id}/cancel");
    let first = post_keyed(&s, &s.url, &buyer, &path, "cancel-1", &json!({})).await;
    assert_eq!(first.status(), StatusCode::OK);
    let again = post_keyed(&s, &s.url, &buyer, &path, "cancel-1", &json!({})).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["status"], "cancelled");
    // a refusal is an answer too: replayed as it was
    let r = post_keyed(&s, &s.url, &buyer, &path, "cancel-2", &json!({})).await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "invalid_transition");
    let r = post_keyed(&s, &s.url, &buyer, &path, "cancel-2", &json!({})).await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "invalid_transition");
    // anonymous registration, retried
    let body = json!({"phone": "0987000009", "password": "mat-khau-dai", "name": "Người Mua"});
    let first = s
        .client
        .post(s.at("/api/v1/auth/register"))
        .header("Idempotency-Key", "reg-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let again = s
        .client
        .post(s.at("/api/v1/auth/register"))
        .header("Idempotency-Key", "reg-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CREATED, "not 409 phone taken");
}
