//! Market end to end: listings, search, orders, recalls, over HTTP against
//! the real server, on the backend `NONGSAN_TEST_BACKEND` names.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{self, act, error_code, order_body, place, TestServer};
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

async fn stock(s: &TestServer, listing: &str) -> i64 {
    let v: Value = s.get(&format!("/api/v1/listings/{listing}"), None).await.json().await.unwrap();
    v["quantity"].as_i64().unwrap()
}

#[tokio::test]
async fn a_cash_on_delivery_order_goes_from_placed_to_delivered() {
    let s = TestServer::start().await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &tea(350_000, 10)).await;
    let lid = listing["id"].as_str().unwrap();
    let buyer = s.buyer("0987000001").await;

    let order = place(&s, &buyer, &[(lid, 3)], "cod").await;
    let id = order["id"].as_str().unwrap();
    assert_eq!(order["status"], "cod");
    // 3 kg of tea from Tuyên Quang to Hà Nội (far): 3.1 kg packed is
    // 52,000 for 2 kg and 3 steps of 500 g at 8,000; collecting the cash
    // costs 1 % of the goods (10,500)
    assert_eq!(order["goods_vnd"], 1_050_000);
    assert_eq!(order["postage_vnd"], 76_000 + 10_500);
    assert_eq!(order["total_vnd"], 1_050_000 + 86_500);
    assert_eq!(order["parts"][0]["zone"], "far");
    assert_eq!(order["parts"][0]["weight_g"], 3_100);
    assert_eq!(order["paid_vnd"], 0);
    assert_eq!(order["payment"]["method"], "cod");
    assert!(order["code"].as_str().unwrap().starts_with("NS"));
    assert_eq!(stock(&s, lid).await, 7, "reserved at once");

    // the post office cannot hand over what the seller has not confirmed
    let c = error_code(act(&s, &s.staff_token, id, "hand-over", None).await, StatusCode::CONFLICT).await;
    assert_eq!(c, "invalid_transition");
    // the buyer cannot confirm for the seller
    error_code(act(&s, &buyer, id, "confirm", None).await, StatusCode::FORBIDDEN).await;

    let r = act(&s, &farmer, id, "confirm", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "confirmed");
    // the farmer cannot claim the post office has the parcel
    error_code(act(&s, &farmer, id, "hand-over", None).await, StatusCode::FORBIDDEN).await;
    // and the buyer can no longer back out alone
    error_code(act(&s, &buyer, id, "cancel", None).await, StatusCode::CONFLICT).await;

    let r = act(&s, &s.staff_token, id, "hand-over", None).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "handed_over");
    let r = act(&s, &s.staff_token, id, "deliver", None).await;
    let delivered: Value = r.json().await.unwrap();
    assert_eq!(delivered["status"], "delivered");
    assert!(delivered["parts"][0]["delivered_at"].is_string());
    // delivered is final
    error_code(act(&s, &s.staff_token, id, "deliver", None).await, StatusCode::CONFLICT).await;
    error_code(
        act(&s, &s.admin_token, id, "cancel", Some(json!({"reason": "x"}))).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(stock(&s, lid).await, 7);

    let seen: Value = s.get(&format!("/api/v1/orders/{id}"), Some(&buyer)).await.json().await.unwrap();
    assert_eq!(seen["status"], "delivered");
    assert_eq!(seen["parts"][0]["items"][0]["quantity"], 3);
}

#[tokio::test]
async fn bank_transfer_orders_carry_a_vietqr_and_wait_for_payment() {
    let s = TestServer::start().await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &tea(120_000, 10)).await;
    let lid = listing["id"].as_str().unwrap();
    let buyer = s.buyer("0987000001").await;
    let order = place(&s, &buyer, &[(lid, 2)], "vietqr").await;
    assert_eq!(order["status"], "placed");
    assert!(order["payment_due_at"].is_string());
    let qr = &order["payment"]["vietqr"];
    let payload = qr["payload"].as_str().unwrap();
    assert!(payload.starts_with("000201010212"), "dynamic VietQR: {payload}");
    assert!(payload.contains("A000000727"));
    assert!(payload.contains(order["code"].as_str().unwrap()), "the order code is in the purpose");
    // 2 kg of tea and its postage (2.1 kg far: 60,000)
    assert!(payload.contains("5406300000"), "amount 300000: {payload}");
    assert_eq!(qr["amount_vnd"], 240_000 + 60_000);

    // the seller must wait for the money
    let c = error_code(
        act(&s, &farmer, order["id"].as_str().unwrap(), "confirm", None).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(c, "not_paid");
    // the buyer may cancel, and the stock comes back
    let r = act(&s, &buyer, order["id"].as_str().unwrap(), "cancel", None).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "cancelled");
    assert_eq!(stock(&s, lid).await, 10);
}

#[tokio::test]
async fn unpaid_bank_transfer_orders_release_their_stock() {
    let s = TestServer::start_with(|c| {
        c.payment_window = chrono::Duration::milliseconds(300);
        c.release_interval = std::time::Duration::from_millis(200);
    })
    .await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &tea(120_000, 5)).await;
    let lid = listing["id"].as_str().unwrap();
    let buyer = s.buyer("0987000001").await;
    let unpaid = place(&s, &buyer, &[(lid, 4)], "vietqr").await;
    let cod = place(&s, &buyer, &[(lid, 1)], "cod").await;
    assert_eq!(stock(&s, lid).await, 0);
    let mut released = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if stock(&s, lid).await == 4 {
            released = true;
            break;
        }
    }
    assert!(released, "the unpaid order's 4 units came back");
    let o: Value = s
        .get(&format!("/api/v1/orders/{}", unpaid["id"].as_str().unwrap()), Some(&buyer))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(o["status"], "cancelled");
    assert_eq!(o["parts"][0]["cancel_reason"], "payment not received in time");
    let o: Value = s
        .get(&format!("/api/v1/orders/{}", cod["id"].as_str().unwrap()), Some(&buyer))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(o["status"], "cod", "cash-on-delivery orders do not expire");
}

#[tokio::test]
async fn orders_refuse_what_is_not_there() {
    let s = TestServer::start().await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &tea(120_000, 3)).await;
    let lid = listing["id"].as_str().unwrap();
    let other = s.listing(&farmer, &tea(50_000, 3)).await;
    let oid = other["id"].as_str().unwrap();
    let buyer = s.buyer("0987000001").await;

    let r = s.post_json("/api/v1/orders", Some(&buyer), &order_body(&[(oid, 1), (lid, 4)], "cod")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "insufficient_stock");
    assert_eq!(v["error"]["listing_id"], lid);
    assert_eq!(v["error"]["available"], 3);
    assert_eq!(stock(&s, oid).await, 3, "nothing half-reserved");

    // the same listing twice adds up
    let r = s.post_json("/api/v1/orders", Some(&buyer), &order_body(&[(lid, 2), (lid, 2)], "cod")).await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "insufficient_stock");

    let bad_bodies = [
        json!({"items": [], "shipping": order_body(&[], "cod")["shipping"], "payment_method": "cod"}),
        order_body(&[(lid, 0)], "cod"),
        order_body(&[(lid, -1)], "cod"),
        order_body(&[("no-such-listing", 1)], "cod"),
        order_body(&[(lid, 1)], "bitcoin"),
        {
            let mut b = order_body(&[(lid, 1)], "cod");
            b["items"][0]["quantity"] = json!(1.5);
            b
        },
        {
            let mut b = order_body(&[(lid, 1)], "cod");
            b["shipping"]["commune_code"] = json!("99999");
            b
        },
        {
            let mut b = order_body(&[(lid, 1)], "cod");
            b["shipping"]["phone"] = json!("12");
            b
        },
    ];
    for body in bad_bodies {
        let r = s.post_json("/api/v1/orders", Some(&buyer), &body).await;
        assert!(r.status().is_client_error(), "{body}: {}", r.status());
        let v: Value = r.json().await.unwrap();
        assert!(v["error"]["code"].is_string(), "{v}");
    }
    // paused listings cannot be ordered
    s.send(
        Method::PATCH,
        &format!("/api/v1/listings/{lid}"),
        Some(&farmer),
        Some(&json!({"status": "paused"})),
    )
    .await;
    let r = s.post_json("/api/v1/orders", Some(&buyer), &order_body(&[(lid, 1)], "cod")).await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "listing_unavailable");
    // a farmer may buy, but not their own produce
    let r = s.post_json("/api/v1/orders", Some(&farmer), &order_body(&[(oid, 1)], "cod")).await;
    assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "own_listing");
    assert_eq!(stock(&s, lid).await, 3);
    assert_eq!(stock(&s, oid).await, 3);
}

#[tokio::test]
async fn each_seller_sees_and_handles_only_its_own_part() {
    let s = TestServer::start().await;
    let (seller_a, farmer_a) = s.farmer("0912000101", "008080001234").await;
    let (seller_b, farmer_b) = s.farmer("0912000102", "008080001235").await;
    let la = s.listing(&farmer_a, &tea(100_000, 5)).await;
    let lb = s.listing(&farmer_b, &tea(30_000, 5)).await;
    let buyer = s.buyer("0987000001").await;
    let stranger = s.buyer("0987000002").await;
    let order =
        place(&s, &buyer, &[(la["id"].as_str().unwrap(), 1), (lb["id"].as_str().unwrap(), 2)], "cod").await;
    let id = order["id"].as_str().unwrap();
    // goods 160,000 and two parcels paid on delivery: 1.1 kg (52,000) and
    // 2.1 kg (60,000) far, each with the least surcharge (10,000)
    assert_eq!(order["total_vnd"], 160_000 + 62_000 + 70_000);
    assert_eq!(order["parts"].as_array().unwrap().len(), 2);

    let seen_by_a: Value =
        s.get(&format!("/api/v1/orders/{id}"), Some(&farmer_a)).await.json().await.unwrap();
    assert_eq!(seen_by_a["parts"].as_array().unwrap().len(), 1);
    assert_eq!(seen_by_a["parts"][0]["seller_id"], seller_a.as_str());
    assert_eq!(seen_by_a["total_vnd"], 100_000 + 62_000, "a seller sees its own share");
    assert_eq!(seen_by_a["postage_vnd"], 62_000);
    let list_b: Value = s.get("/api/v1/orders", Some(&farmer_b)).await.json().await.unwrap();
    assert_eq!(list_b["items"][0]["parts"][0]["seller_id"], seller_b.as_str());
    error_code(s.get(&format!("/api/v1/orders/{id}"), Some(&stranger)).await, StatusCode::NOT_FOUND).await;
    let none: Value = s.get("/api/v1/orders", Some(&stranger)).await.json().await.unwrap();
    assert!(none["items"].as_array().unwrap().is_empty());
    error_code(s.get(&format!("/api/v1/orders/{id}"), None).await, StatusCode::UNAUTHORIZED).await;

    // A confirms; the order waits for B
    let after_a: Value = act(&s, &farmer_a, id, "confirm", None).await.json().await.unwrap();
    assert_eq!(after_a["parts"][0]["status"], "confirmed");
    let whole: Value = s.get(&format!("/api/v1/orders/{id}"), Some(&buyer)).await.json().await.unwrap();
    assert_eq!(whole["status"], "cod");
    // B cannot touch A's part by naming it
    let part_a = after_a["parts"][0]["id"].as_str().unwrap();
    error_code(
        act(&s, &farmer_b, id, "cancel", Some(json!({"part_id": part_a, "reason": "x"}))).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // B cancels its own part (with a reason), its stock returns, the order goes on
    error_code(act(&s, &farmer_b, id, "cancel", None).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let r = act(&s, &farmer_b, id, "cancel", Some(json!({"reason": "hết hàng"}))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(stock(&s, lb["id"].as_str().unwrap()).await, 5);
    let whole: Value = s.get(&format!("/api/v1/orders/{id}"), Some(&buyer)).await.json().await.unwrap();
    assert_eq!(whole["status"], "confirmed", "the live part decides");
    // malformed and unknown options are refused
    let r = s
        .client
        .post(s.at(&format!("/api/v1/orders/{id}/deliver")))
        .bearer_auth(&s.staff_token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    error_code(r, StatusCode::BAD_REQUEST).await;
    error_code(
        act(&s, &s.staff_token, id, "hand-over", Some(json!({"surprise": 1}))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

/// Dozens of buyers at once for a listing with fewer units than they want
/// in all: exactly the stock is sold, never more, on either backend.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_buyers_never_oversell() {
    let s = std::sync::Arc::new(TestServer::start().await);
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let a = s.listing(&farmer, &tea(10_000, 25)).await["id"].as_str().unwrap().to_string();
    let b = s.listing(&farmer, &tea(20_000, 40)).await["id"].as_str().unwrap().to_string();
    let mut buyers = Vec::new();
    for i in 0..40 {
        buyers.push(s.buyer(&format!("09870001{i:02}")).await);
    }
    let mut tasks = Vec::new();
    for (i, token) in buyers.into_iter().enumerate() {
        let s = s.clone();
        let (a, b) = (a.clone(), b.clone());
        tasks.push(tokio::spawn(async move {
            // half order both listings (in either order), half only one
            let items: Vec<(&str, i64)> = match i % 4 {
                0 => vec![(a.as_str(), 1), (b.as_str(), 2)],
                1 => vec![(b.as_str(), 2), (a.as_str(), 1)],
                2 => vec![(a.as_str(), 1)],
                _ => vec![(b.as_str(), 1)],
            };
            let r = s.post_json("/api/v1/orders", Some(&token), &order_body(&items, "cod")).await;
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            (status, body)
        }));
    }
    let (mut sold_a, mut sold_b, mut refused) = (0, 0, 0);
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => {
                for part in body["parts"].as_array().unwrap() {
                    for item in part["items"].as_array().unwrap() {
                        let q = item["quantity"].as_i64().unwrap();
                        if item["listing_id"] == a.as_str() {
                            sold_a += q;
                        } else {
                            sold_b += q;
                        }
                    }
                }
            }
            StatusCode::CONFLICT => {
                assert_eq!(body["error"]["code"], "insufficient_stock", "{body}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    let (left_a, left_b) = (stock(&s, &a).await, stock(&s, &b).await);
    assert!(left_a >= 0 && left_b >= 0);
    assert_eq!(sold_a + left_a, 25, "every unit of A is sold once or still there");
    assert_eq!(sold_b + left_b, 40);
    assert!(refused > 0, "demand (30 of A, 50 of B) exceeded stock");
}

#[tokio::test]
async fn a_recalled_lot_stops_selling_and_staff_find_its_buyers() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let lot_id = lot["id"].as_str().unwrap();
    let mut body = tea(100_000, 10);
    body["lot_id"] = json!(lot_id);
    let listing = s.listing(&farmer, &body).await;
    let lid = listing["id"].as_str().unwrap();
    let buyer = s.buyer("0987000001").await;
    let order = place(&s, &buyer, &[(lid, 2)], "cod").await;

    let r = s
        .post_json(
            &format!("/api/v1/lots/{lot_id}/recall"),
            Some(&s.staff_token),
            &json!({"reason": "dư lượng thuốc"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    assert_eq!(search(&s, "q=che").await["total"], 0, "out of the search");
    let seen: Value = s.get(&format!("/api/v1/listings/{lid}"), None).await.json().await.unwrap();
    assert_eq!(seen["available"], false);
    assert_eq!(seen["lot"]["status"], "recalled");
    let r = s.post_json("/api/v1/orders", Some(&buyer), &order_body(&[(lid, 1)], "cod")).await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "listing_unavailable");
    // no new listing may sell from it either
    let r = s.post_json("/api/v1/listings", Some(&farmer), &body).await;
    error_code(r, StatusCode::CONFLICT).await;

    let affected: Value =
        s.get(&format!("/api/v1/lots/{lot_id}/orders"), Some(&s.staff_token)).await.json().await.unwrap();
    let items = affected["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["order_id"], order["id"]);
    assert_eq!(items[0]["buyer_phone"], "0987000001");
    assert_eq!(items[0]["quantity"], 2);
    // farmers and buyers do not get the buyers' contacts
    error_code(s.get(&format!("/api/v1/lots/{lot_id}/orders"), Some(&farmer)).await, StatusCode::FORBIDDEN)
        .await;
    error_code(s.get(&format!("/api/v1/lots/{lot_id}/orders"), Some(&buyer)).await, StatusCode::FORBIDDEN)
        .await;
    error_code(s.get("/api/v1/lots/nope/orders", Some(&s.staff_token)).await, StatusCode::NOT_FOUND).await;
}

/// A phone-like JPEG carrying EXIF with a made-up GPS note in it.
fn phone_photo(width: u32, height: u32) -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    // APP1 "Exif": a big-endian TIFF header with an empty IFD, then the note
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(b"GPS 21.0285N 105.8542E");
    let len = (exif.len() + 2) as u16;
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[tokio::test]
async fn photos_are_resized_stripped_and_limited() {
    let s = TestServer::start().await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let (_, other) = s.farmer("0912000102", "008080001235").await;
    let listing = s.listing(&farmer, &tea(100_000, 5)).await;
    let lid = listing["id"].as_str().unwrap();

    let original = phone_photo(2000, 1500);
    assert!(original.windows(4).any(|w| w == b"Exif"));
    let r = s.upload_photos(&farmer, lid, vec![("IMG_0001.jpg", original.clone())]).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let view: Value = r.json().await.unwrap();
    let photo = &view["photos"][0];
    assert_eq!((photo["width"].as_i64(), photo["height"].as_i64()), (Some(1280), Some(960)));
    assert_eq!(photo["thumbnail_width"], 320);

    let r = s.get(photo["url"].as_str().unwrap(), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let served = r.bytes().await.unwrap();
    assert!(!served.windows(4).any(|w| w == b"Exif"), "metadata is gone");
    assert!(!served.windows(3).any(|w| w == b"GPS"));
    let decoded = image::load_from_memory(&served).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1280, 960));
    let thumb = s.get(photo["thumbnail_url"].as_str().unwrap(), None).await.bytes().await.unwrap();
    assert_eq!(image::load_from_memory(&thumb).unwrap().width(), 320);

    // refused: not a photo, a GIF, not multipart, someone else's listing
    let r = s.upload_photos(&farmer, lid, vec![("notes.txt", b"hello".to_vec())]).await;
    assert_eq!(error_code(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await, "unsupported_media_type");
    let r =
        s.upload_photos(&farmer, lid, vec![("a.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec())]).await;
    error_code(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let r =
        s.post_json(&format!("/api/v1/listings/{lid}/photos"), Some(&farmer), &json!({"photo": "x"})).await;
    error_code(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let r = s.upload_photos(&other, lid, vec![("x.jpg", phone_photo(10, 10))]).await;
    error_code(r, StatusCode::NOT_FOUND).await;
    let too_big = vec![0xFF_u8; 10 * 1024 * 1024 + 1];
    let r = s.upload_photos(&farmer, lid, vec![("big.jpg", too_big)]).await;
    assert_eq!(error_code(r, StatusCode::PAYLOAD_TOO_LARGE).await, "photo_too_large");
    error_code(s.get("/media/..%2F..%2Fetc%2Fpasswd", None).await, StatusCode::NOT_FOUND).await;
    error_code(s.get(&format!("/media/{}.jpg", "0".repeat(64)), None).await, StatusCode::NOT_FOUND).await;

    // at most 8: seven more fit, the ninth does not
    let seven: Vec<(&str, Vec<u8>)> = (0..7).map(|i| ("p.jpg", phone_photo(40 + i, 30))).collect();
    let r = s.upload_photos(&farmer, lid, seven).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let view: Value = r.json().await.unwrap();
    assert_eq!(view["photos"].as_array().unwrap().len(), 8);
    let r = s.upload_photos(&farmer, lid, vec![("p.jpg", phone_photo(50, 50))]).await;
    assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "too_many_photos");

    // removing one frees a place
    let first = view["photos"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/listings/{lid}/photos/{first}");
    error_code(s.send(Method::DELETE, &path, Some(&other), None).await, StatusCode::NOT_FOUND).await;
    assert_eq!(s.send(Method::DELETE, &path, Some(&farmer), None).await.status(), StatusCode::NO_CONTENT);
    error_code(s.send(Method::DELETE, &path, Some(&farmer), None).await, StatusCode::NOT_FOUND).await;
    let r = s.upload_photos(&farmer, lid, vec![("p.jpg", phone_photo(50, 50))]).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn officers_read_commune_statistics_and_nothing_else() {
    let s = TestServer::start().await;
    let officer = s.user(accounts::Role::Officer, "0900000009").await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let l = s.listing(&farmer, &tea(100_000, 10)).await;
    s.listing(&farmer, &tea(50_000, 0)).await;
    let buyer = s.buyer("0987000001").await;
    let order = place(&s, &buyer, &[(l["id"].as_str().unwrap(), 2)], "cod").await;
    let id = order["id"].as_str().unwrap();
    act(&s, &farmer, id, "confirm", None).await;
    act(&s, &s.staff_token, id, "hand-over", None).await;
    assert_eq!(act(&s, &s.staff_token, id, "deliver", None).await.status(), StatusCode::OK);
    place(&s, &buyer, &[(l["id"].as_str().unwrap(), 1)], "cod").await;

    let month = (chrono::Utc::now() + chrono::Duration::hours(7)).format("%Y-%m").to_string();
    for query in ["commune=02260", "province=08", ""] {
        let r = s.get(&format!("/api/v1/stats?{query}"), Some(&officer)).await;
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        let v: Value = r.json().await.unwrap();
        let months = v["months"].as_array().unwrap();
        assert_eq!(months.len(), 12, "a year by default");
        let this = months.last().unwrap();
        assert_eq!(this["month"], month.as_str());
        assert_eq!(this["sellers_onboarded"], 1, "{query}: {this}");
        assert_eq!(this["listings_created"], 2);
        assert_eq!(this["orders_placed"], 2);
        assert_eq!(this["parts_delivered"], 1);
        assert_eq!(this["revenue_vnd"], 200_000);
        assert_eq!(v["now"]["active_listings"], 1, "the sold-out one is not online");
        assert_eq!(v["now"]["sellers"], 1);
    }
    // another commune has nothing
    let v: Value = s.get("/api/v1/stats?commune=00004", Some(&officer)).await.json().await.unwrap();
    assert_eq!(v["now"]["sellers"], 0);
    assert!(v["months"].as_array().unwrap().iter().all(|m| m["orders_placed"] == 0));
    let v: Value = s
        .get(&format!("/api/v1/stats?commune=02260&from={month}&to={month}"), Some(&officer))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["months"].as_array().unwrap().len(), 1);

    for bad in [
        "province=8",
        "commune=1",
        "province=08&commune=02260",
        "from=2026-13",
        "from=2020-01&to=2026-01",
        "from=2026-05&to=2026-01",
    ] {
        let r = s.get(&format!("/api/v1/stats?{bad}"), Some(&officer)).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    // farmers and buyers do not see statistics; officers change nothing
    error_code(s.get("/api/v1/stats", Some(&farmer)).await, StatusCode::FORBIDDEN).await;
    error_code(s.get("/api/v1/stats", Some(&buyer)).await, StatusCode::FORBIDDEN).await;
    error_code(s.get("/api/v1/stats", None).await, StatusCode::UNAUTHORIZED).await;
    error_code(s.post_json("/api/v1/listings", Some(&officer), &tea(1, 1)).await, StatusCode::FORBIDDEN)
        .await;
    error_code(
        s.post_json("/api/v1/orders", Some(&officer), &order_body(&[(l["id"].as_str().unwrap(), 1)], "cod"))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    error_code(act(&s, &officer, id, "cancel", Some(json!({"reason": "x"}))).await, StatusCode::FORBIDDEN)
        .await;
    let r = s
        .post_json("/api/v1/sellers", Some(&officer), &support::seller_body("0912000188", "008080001299"))
        .await;
    error_code(r, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_cancelled_part_lowers_what_is_due_and_the_buyer_can_still_cancel_the_rest() {
    let s = TestServer::start().await;
    let (_, farmer_a) = s.farmer("0912000101", "008080001234").await;
    let (_, farmer_b) = s.farmer("0912000102", "008080001235").await;
    let la = s.listing(&farmer_a, &tea(100_000, 5)).await;
    let lb = s.listing(&farmer_b, &tea(200_000, 5)).await;
    let (a, b) = (la["id"].as_str().unwrap(), lb["id"].as_str().unwrap());
    let buyer = s.buyer("0987000001").await;
    let order = place(&s, &buyer, &[(a, 1), (b, 1)], "vietqr").await;
    let id = order["id"].as_str().unwrap();
    // two 1 kg parcels, far: 52,000 each
    assert_eq!(order["payment"]["vietqr"]["amount_vnd"], 300_000 + 104_000);

    // A cannot deliver: the QR now asks only for B's share, with B's postage
    let r = act(&s, &farmer_a, id, "cancel", Some(json!({"reason": "hỏng hàng"}))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let seen: Value = s.get(&format!("/api/v1/orders/{id}"), Some(&buyer)).await.json().await.unwrap();
    assert_eq!(seen["total_vnd"], 404_000);
    assert_eq!(seen["amount_due_vnd"], 252_000);
    assert_eq!(seen["payment"]["vietqr"]["amount_vnd"], 252_000);
    assert!(seen["payment"]["vietqr"]["payload"].as_str().unwrap().contains("5406252000"));

    // the buyer's "cancel the order" passes over the part already cancelled
    let r = act(&s, &buyer, id, "cancel", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "cancelled");
    assert_eq!((stock(&s, a).await, stock(&s, b).await), (5, 5));
    // and once everything is cancelled, cancelling again is a conflict
    error_code(act(&s, &buyer, id, "cancel", None).await, StatusCode::CONFLICT).await;

    // sellers find what waits for them
    let o2 = place(&s, &buyer, &[(a, 1), (b, 1)], "cod").await;
    act(&s, &farmer_a, o2["id"].as_str().unwrap(), "confirm", None).await;
    let waiting: Value =
        s.get("/api/v1/orders?part_status=pending", Some(&farmer_a)).await.json().await.unwrap();
    assert!(waiting["items"].as_array().unwrap().is_empty(), "A has confirmed its part");
    let waiting: Value =
        s.get("/api/v1/orders?part_status=pending", Some(&farmer_b)).await.json().await.unwrap();
    assert_eq!(waiting["items"].as_array().unwrap().len(), 1);
    error_code(
        s.get("/api/v1/orders?part_status=lost", Some(&farmer_b)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // a status-change body is small
    let r = s
        .client
        .post(s.at(&format!("/api/v1/orders/{}/confirm", o2["id"].as_str().unwrap())))
        .bearer_auth(&farmer_b)
        .header("content-type", "application/json")
        .body(format!("{{\"reason\":\"{}\"}}", "x".repeat(20_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r, StatusCode::PAYLOAD_TOO_LARGE).await, "payload_too_large");
}

#[tokio::test]
async fn an_edit_based_on_an_old_read_does_not_overwrite_sold_stock() {
    let s = TestServer::start().await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &tea(100_000, 10)).await;
    let id = listing["id"].as_str().unwrap();
    let r = s.get(&format!("/api/v1/listings/{id}"), None).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    // a buyer takes 3 meanwhile
    let buyer = s.buyer("0987000001").await;
    place(&s, &buyer, &[(id, 3)], "cod").await;
    // the farmer's form still says 10
    let stale = s
        .client
        .patch(s.at(&format!("/api/v1/listings/{id}")))
        .bearer_auth(&farmer)
        .header("if-match", &etag)
        .json(&json!({"quantity": 10, "price_vnd": 90000}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(stale, StatusCode::PRECONDITION_FAILED).await, "precondition_failed");
    assert_eq!(stock(&s, id).await, 7);
    // read again, then the change goes through
    let fresh =
        s.get(&format!("/api/v1/listings/{id}"), None).await.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(fresh, etag);
    let ok = s
        .client
        .patch(s.at(&format!("/api/v1/listings/{id}")))
        .bearer_auth(&farmer)
        .header("if-match", &fresh)
        .json(&json!({"price_vnd": 90000}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.headers().contains_key("etag"));
}

/// Cancellations return stock while new orders take it, across two sellers'
/// listings: on PostgreSQL both lock listings in the same order, so neither
/// deadlocks (a deadlock would surface as a 500).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancellations_and_new_orders_do_not_deadlock() {
    let s = std::sync::Arc::new(TestServer::start().await);
    let (_, farmer_a) = s.farmer("0912000101", "008080001234").await;
    let (_, farmer_b) = s.farmer("0912000102", "008080001235").await;
    let x = s.listing(&farmer_a, &tea(10_000, 100)).await["id"].as_str().unwrap().to_string();
    let y = s.listing(&farmer_b, &tea(20_000, 100)).await["id"].as_str().unwrap().to_string();
    let mut placed = Vec::new();
    for i in 0..12 {
        let buyer = s.buyer(&format!("09870002{i:02}")).await;
        let order = place(&s, &buyer, &[(x.as_str(), 1), (y.as_str(), 1)], "cod").await;
        placed.push((buyer, order["id"].as_str().unwrap().to_string()));
    }
    let mut tasks = Vec::new();
    for (buyer, order) in placed {
        let s1 = s.clone();
        let (b1, o1) = (buyer.clone(), order.clone());
        tasks.push(tokio::spawn(async move { act(&s1, &b1, &o1, "cancel", None).await.status() }));
        let s2 = s.clone();
        let (x2, y2) = (x.clone(), y.clone());
        tasks.push(tokio::spawn(async move {
            s2.post_json("/api/v1/orders", Some(&buyer), &order_body(&[(&y2, 1), (&x2, 1)], "cod"))
                .await
                .status()
        }));
    }
    for t in tasks {
        let status = t.await.unwrap();
        assert!(status == StatusCode::OK || status == StatusCode::CREATED, "{status}");
    }
    // 12 cancelled, 12 new: 12 units of each are taken
    assert_eq!((stock(&s, &x).await, stock(&s, &y).await), (88, 88));
}
