//! What schemathesis (`scripts/fuzz-api.sh`, as officer, buyer, farmer,
//! staff and admin) found answered with a status the OpenAPI document did not list
//! for the operation. Each case replays the request it sent; the answer
//! must be a 4xx the served document lists.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::support::TestServer;

/// Fails unless `r` is a client error listed for `method path` in `doc`.
async fn assert_documented(doc: &Value, method: &str, path: &str, r: Response) -> u16 {
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(status.is_client_error(), "{method} {path}: {status} {body}");
    let listed = &doc["paths"][path][method]["responses"];
    assert!(
        listed.get(status.as_str()).is_some(),
        "{method} {path} answers {status} ({body}), not in {listed}"
    );
    status.as_u16()
}

#[tokio::test]
async fn refusals_found_by_schemathesis_are_documented() {
    let s = TestServer::start().await;
    let doc: Value = s.get("/api/openapi.json", None).await.json().await.unwrap();
    let buyer = s.buyer("0987000001").await;
    let (seller, _farmer) = s.farmer("0912000101", "008080001234").await;
    let staff = s.staff_token.clone();
    let admin = s.admin_token.clone();
    let nowhere = "2b309a96-c56a-416c-ab86-5a1cff02915d";

    // An officer has no orders.
    let officer = s.user(accounts::Role::Officer, "0900000004").await;
    let r = s.get(&format!("/api/v1/orders/{nowhere}"), Some(&officer)).await;
    assert_eq!(assert_documented(&doc, "get", "/api/v1/orders/{id}", r).await, 403);

    // A buyer has no lots, may not read sellers.
    let r = s.get("/api/v1/lots?seller_id=", Some(&buyer)).await;
    assert_eq!(assert_documented(&doc, "get", "/api/v1/lots", r).await, 403);
    let r = s.get(&format!("/api/v1/sellers/{seller}"), Some(&buyer)).await;
    assert_eq!(assert_documented(&doc, "get", "/api/v1/sellers/{id}", r).await, 403);
    let r = s.get(&format!("/api/v1/sellers/{seller}/listings"), Some(&buyer)).await;
    assert_eq!(assert_documented(&doc, "get", "/api/v1/sellers/{id}/listings", r).await, 403);

    // Query values out of range or of the wrong form.
    let r = s.get(&format!("/api/v1/orders/{nowhere}/vietqr.png?scale=2147483648"), Some(&buyer)).await;
    assert_eq!(assert_documented(&doc, "get", "/api/v1/orders/{id}/vietqr.png", r).await, 422);
    let r = s.get("/api/v1/sellers?commune=", Some(&staff)).await;
    assert_eq!(assert_documented(&doc, "get", "/api/v1/sellers", r).await, 422);

    // A post office that does not exist.
    let r = s.get("/api/v1/cod/position?post_office=", Some(&staff)).await;
    assert_eq!(assert_documented(&doc, "get", "/api/v1/cod/position", r).await, 404);
    let remittance = json!({"post_office": "no such office", "amount_vnd": 1000});
    let r = s.post_json("/api/v1/cod/remittances", Some(&staff), &remittance).await;
    assert_eq!(assert_documented(&doc, "post", "/api/v1/cod/remittances", r).await, 404);

    // A JSON body of the wrong shape, on routes whose body is optional.
    for action in ["confirm", "hand-over", "deliver"] {
        let path = format!("/api/v1/orders/{nowhere}/{action}");
        let r = s.send(Method::POST, &path, Some(&staff), Some(&Value::Null)).await;
        let template = format!("/api/v1/orders/{{id}}/{action}");
        assert_eq!(assert_documented(&doc, "post", &template, r).await, 422);
    }

    // A malformed Idempotency-Key on POSTs that take no body.
    let no_body: [(&str, String, &str); 4] = [
        ("/api/v1/payouts", "/api/v1/payouts".into(), &admin),
        ("/api/v1/payouts/{id}/sent", format!("/api/v1/payouts/{nowhere}/sent"), &admin),
        ("/api/v1/cod/remittances/{id}/cancel", format!("/api/v1/cod/remittances/{nowhere}/cancel"), &staff),
        ("/api/v1/sellers/{id}/activation-code", format!("/api/v1/sellers/{seller}/activation-code"), &staff),
    ];
    for (template, path, token) in no_body {
        let r = s
            .client
            .post(s.at(&path))
            .bearer_auth(token)
            .header("Idempotency-Key", "k".repeat(129))
            .send()
            .await
            .unwrap();
        assert_eq!(assert_documented(&doc, "post", template, r).await, 400);
    }

    // Wrong activation codes for one phone end in 429 (the login throttle).
    let r = s
        .post_json(
            "/api/v1/sellers",
            Some(&staff),
            &crate::support::seller_body("0912000102", "015085004321"),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let wrong = json!({"phone": "0912000102", "activation_code": "00000000", "password": "a new password 1"});
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let r = s.post_json("/api/v1/auth/activate", None, &wrong).await;
        statuses.push(assert_documented(&doc, "post", "/api/v1/auth/activate", r).await);
    }
    assert!(statuses.contains(&429), "no 429 after repeated wrong codes: {statuses:?}");
}
