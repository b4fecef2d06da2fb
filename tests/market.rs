//! Market end to end: listings, search, orders, recalls, over HTTP against
//! the real server, on the backend `NONGSAN_TEST_BACKEND` names.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{error_code, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn tea(price: i64, quantity: i64) -> Value {
    json!({
        "title": "Chè Shan tuyết cổ thụ", "category": "che", "unit": "kg",
        "price_vnd": price, "quantity": quantity,
        "description": "Búp chè hái tay trên núi Tây Côn Lĩnh"
    })
}

async fn search(s: &TestServer, query: &str) -> Value {
    let r = s.get(&format!("/api/v1/listings?{query}"), None).await;
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn titles(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn farmers_list_edit_pause_and_delete_their_produce() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;

    let mut body = tea(350_000, 40);
    body["lot_id"] = lot["id"].clone();
    let listing = s.listing(&farmer, &body).await;
    let id = listing["id"].as_str().unwrap();
    assert_eq!(listing["seller_id"], seller.as_str());
    assert_eq!(listing["price_vnd"], 350_000);
    assert_eq!(listing["status"], "active");
    assert_eq!(listing["available"], true);
    assert_eq!(listing["category_name"], "Chè");
    assert_eq!(listing["commune_code"], "02260");
    assert_eq!(listing["lot"]["lot_code"], lot["lot_code"]);
    assert_eq!(listing["lot"]["digital_link"], lot["digital_link"]);

    // anyone may read it, with the lot's verification status
    let public: Value = s.get(&format!("/api/v1/listings/{id}"), None).await.json().await.unwrap();
    assert_eq!(public["lot"]["verified"], true, "{public}");
    assert_eq!(public["lot"]["status"], "active");

    let r = s
        .send(
            Method::PATCH,
            &format!("/api/v1/listings/{id}"),
            Some(&farmer),
            Some(&json!({"price_vnd": 320000, "description": null})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["price_vnd"], 320_000);
    assert_eq!(edited["description"], Value::Null);
    assert_eq!(edited["title"], "Chè Shan tuyết cổ thụ");

    // paused listings stay readable but leave the search
    let r = s
        .send(
            Method::PATCH,
            &format!("/api/v1/listings/{id}"),
            Some(&farmer),
            Some(&json!({"status": "paused"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(search(&s, "q=che").await["total"], 0);
    let r = s
        .send(
            Method::PATCH,
            &format!("/api/v1/listings/{id}"),
            Some(&farmer),
            Some(&json!({"status": "active"})),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["available"], true);
    assert_eq!(search(&s, "q=che").await["total"], 1);

    // the seller's own page shows paused and sold-out listings too
    let own = s.listing(&farmer, &tea(100_000, 0)).await;
    assert_eq!(own["available"], false);
    let mine: Value =
        s.get(&format!("/api/v1/sellers/{seller}/listings"), Some(&farmer)).await.json().await.unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    assert_eq!(search(&s, "q=che").await["total"], 1, "no stock, not in the search");

    let r = s.send(Method::DELETE, &format!("/api/v1/listings/{id}"), Some(&farmer), None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    error_code(s.get(&format!("/api/v1/listings/{id}"), None).await, StatusCode::NOT_FOUND).await;
    error_code(
        s.send(Method::DELETE, &format!("/api/v1/listings/{id}"), Some(&farmer), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(search(&s, "").await["total"], 0);
}

#[tokio::test]
async fn listings_refuse_bad_input_with_clear_errors() {
    let s = TestServer::start().await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let cases = [
        ("price_vnd", json!(35000.5)),
        ("price_vnd", json!(-1)),
        ("price_vnd", json!(0)),
        ("price_vnd", json!("35000")),
        ("quantity", json!(2.5)),
        ("quantity", json!(-3)),
        ("category", json!("tea")),
        ("unit", json!("kilo")),
        ("title", json!("")),
        ("lot_id", json!("no-such-lot")),
        ("surprise", json!(true)),
    ];
    for (field, value) in cases {
        let mut body = tea(35_000, 10);
        body[field] = value.clone();
        let r = s.post_json("/api/v1/listings", Some(&farmer), &body).await;
        assert!(r.status().is_client_error(), "{field}={value}: {}", r.status());
        let v: Value = r.json().await.unwrap();
        assert!(v["error"]["message"].is_string(), "{v}");
        if field == "price_vnd" && value == json!(35000.5) {
            assert!(v["error"]["message"].as_str().unwrap().contains("whole number"), "{v}");
        }
    }
    assert_eq!(search(&s, "").await["total"], 0, "nothing was written");
}

#[tokio::test]
async fn only_the_seller_its_staff_and_admin_change_a_listing() {
    let s = TestServer::start().await;
    let (seller_a, farmer_a) = s.farmer("0912000101", "008080001234").await;
    let (_, farmer_b) = s.farmer("0912000102", "008080001235").await;
    let buyer = s.buyer("0987000001").await;
    let listing = s.listing(&farmer_a, &tea(100_000, 5)).await;
    let path = format!("/api/v1/listings/{}", listing["id"].as_str().unwrap());
    let change = json!({"price_vnd": 1});

    // another farmer, a buyer, nobody: not theirs
    error_code(s.send(Method::PATCH, &path, Some(&farmer_b), Some(&change)).await, StatusCode::NOT_FOUND)
        .await;
    error_code(s.send(Method::PATCH, &path, Some(&buyer), Some(&change)).await, StatusCode::FORBIDDEN).await;
    error_code(s.send(Method::PATCH, &path, None, Some(&change)).await, StatusCode::UNAUTHORIZED).await;
    error_code(s.send(Method::DELETE, &path, Some(&farmer_b), None).await, StatusCode::NOT_FOUND).await;
    error_code(s.post_json("/api/v1/listings", Some(&buyer), &tea(1, 1)).await, StatusCode::FORBIDDEN).await;
    // a farmer cannot list for someone else
    let mut for_a = tea(1, 1);
    for_a["seller_id"] = json!(seller_a);
    error_code(s.post_json("/api/v1/listings", Some(&farmer_b), &for_a).await, StatusCode::FORBIDDEN).await;
    error_code(
        s.get(&format!("/api/v1/sellers/{seller_a}/listings"), Some(&farmer_b)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // staff act for the farmer, and must say for whom
    error_code(
        s.post_json("/api/v1/listings", Some(&s.staff_token), &tea(1, 1)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let by_staff = s.listing(&s.staff_token, &for_a).await;
    assert_eq!(by_staff["seller_id"], seller_a.as_str());
    let r = s.send(Method::PATCH, &path, Some(&s.staff_token), Some(&change)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = s.send(Method::PATCH, &path, Some(&s.admin_token), Some(&json!({"price_vnd": 2}))).await;
    assert_eq!(r.status(), StatusCode::OK);

    // and the audit trail says who acted for whom
    let state = s.state.clone();
    let id = by_staff["id"].as_str().unwrap().to_string();
    let rows = tokio::task::spawn_blocking(move || {
        use storage::diesel::prelude::*;
        use storage::schema::audit_log as a;
        let mut conn = state.pool.get().unwrap();
        a::table
            .filter(a::subject_id.eq(id))
            .select((a::action, a::acting_for))
            .load::<(String, Option<String>)>(&mut conn)
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "listing.create");
    assert!(rows[0].1.is_some(), "staff acted for the farmer");
}

#[tokio::test]
async fn search_ignores_diacritics_and_case_and_ranks_and_filters() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let items = [
        ("Chè Shan tuyết cổ thụ", "che", 350_000, "Búp chè hái tay"),
        ("Chè xanh Thái Nguyên", "che", 120_000, "Chè móc câu"),
        ("Đậu đỏ", "gao", 60_000, "Đậu hạt nhỏ, nấu chè rất ngon"),
        ("Mật ong bạc hà", "mat-ong", 400_000, "Ong nuôi trên cao nguyên đá"),
        ("Gạo nếp cái hoa vàng", "gao", 45_000, "Thơm dẻo, uống kèm chè shan càng ngon"),
    ];
    for (title, category, price, description) in items {
        s.listing(
            &farmer,
            &json!({"title": title, "category": category, "unit": "kg", "price_vnd": price, "quantity": 3,
                    "description": description}),
        )
        .await;
    }
    assert_eq!(titles(&search(&s, "q=che%20shan%20tuyet").await), ["Chè Shan tuyết cổ thụ"]);
    assert_eq!(titles(&search(&s, "q=CH%C3%88%20SHAN%20TUY%E1%BA%BET").await), ["Chè Shan tuyết cổ thụ"]);
    assert_eq!(titles(&search(&s, "q=dau%20do").await), ["Đậu đỏ"], "đ is d");
    assert_eq!(titles(&search(&s, "q=nep%20ca").await), ["Gạo nếp cái hoa vàng"], "prefixes while typing");
    // a word in the title ranks above the same word in a description,
    // even in an older listing
    let shan = search(&s, "q=shan").await;
    assert_eq!(titles(&shan), ["Chè Shan tuyết cổ thụ", "Gạo nếp cái hoa vàng"]);
    // the place and the category's names are searchable too
    assert_eq!(search(&s, "q=hong%20thai").await["total"], 5);
    assert_eq!(search(&s, "q=honey").await["total"], 1);
    assert_eq!(search(&s, "q=chuoi").await["total"], 0);

    assert_eq!(search(&s, "category=che").await["total"], 2);
    assert_eq!(search(&s, "q=che&max_price=200000").await["total"], 3);
    assert_eq!(search(&s, "q=che&category=che&max_price=200000").await["total"], 1);
    assert_eq!(search(&s, "min_price=100000&max_price=360000").await["total"], 2);
    assert_eq!(search(&s, "commune=02260").await["total"], 5);
    assert_eq!(search(&s, "commune=00004").await["total"], 0);
    assert_eq!(search(&s, "province=08").await["total"], 5);
    assert_eq!(search(&s, &format!("seller={seller}")).await["total"], 5);
    let cheap = titles(&search(&s, "sort=price_asc").await);
    assert_eq!(cheap[0], "Gạo nếp cái hoa vàng");

    // pages do not overlap and the total stays the same
    let p1 = search(&s, "limit=2").await;
    let p2 = search(&s, "limit=2&offset=2").await;
    let p3 = search(&s, "limit=2&offset=4").await;
    assert_eq!(
        (p1["total"].as_i64(), p2["total"].as_i64(), p3["total"].as_i64()),
        (Some(5), Some(5), Some(5))
    );
    let mut all: Vec<String> = [titles(&p1), titles(&p2), titles(&p3)].concat();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 5);

    for bad in [
        "limit=0",
        "limit=101",
        "offset=-1",
        "province=8",
        "category=tea",
        "min_price=5&max_price=1",
        "min_price=abc",
        "sort=random",
    ] {
        let r = s.get(&format!("/api/v1/listings?{bad}"), None).await;
        assert!(r.status().is_client_error(), "{bad}: {}", r.status());
    }
}
