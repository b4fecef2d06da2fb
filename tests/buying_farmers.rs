//! One person may buy and sell with one phone (issue 17, item 8): a buyer
//! onboarded as a farmer keeps their purchases and goes on buying, never
//! from their own listings; whoever placed an order is its buyer, whatever
//! their role now. Sellers', staff's and others' refusals stay as they were.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{act, error_code, order_body, place, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn tea(price: i64, quantity: i64) -> Value {
    json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": price, "quantity": quantity})
}

async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

fn ids(list: &Value) -> Vec<&str> {
    list["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_buyer_who_becomes_a_farmer_keeps_buying_and_their_orders() {
    let s = TestServer::start().await;
    let (_, grower) = s.farmer("0912000701", "008080000701").await;
    let pears = s.listing(&grower, &tea(100_000, 20)).await;
    let pears = pears["id"].as_str().unwrap();

    // as a buyer: one order to cancel later, one to see through
    let phone = "0987000701";
    let buyer = s.buyer(phone).await;
    let before = place(&s, &buyer, &[(pears, 1)], "cod").await;
    let before_id = before["id"].as_str().unwrap();
    let paid_before = place(&s, &buyer, &[(pears, 2)], "cod").await;
    let me = ok(s.get("/api/v1/auth/me", Some(&buyer)).await).await;

    // staff onboard the same phone; the buyer activates with their password
    let (seller_id, farmer) = s.farmer(phone, "008080000702").await;
    let now = ok(s.get("/api/v1/auth/me", Some(&farmer)).await).await;
    assert_eq!((now["role"].as_str(), &now["id"]), (Some("farmer"), &me["id"]), "the same account");
    let own = s.listing(&farmer, &tea(80_000, 5)).await;
    let own = own["id"].as_str().unwrap();

    // the earlier orders: still theirs, seen whole, in their purchases
    let seen = ok(s.get(&format!("/api/v1/orders/{before_id}"), Some(&farmer)).await).await;
    assert_eq!(seen["total_vnd"], before["total_vnd"], "the whole order, as its buyer");
    let purchases = ok(s.get("/api/v1/orders?as=buyer", Some(&farmer)).await).await;
    let mut listed = ids(&purchases);
    listed.sort();
    let mut expected = vec![before_id, paid_before["id"].as_str().unwrap()];
    expected.sort();
    assert_eq!(listed, expected);

    // a new order from another farmer's listing, by bank transfer: they are
    // shown how to pay, and may see its QR code and payments
    let after = place(&s, &farmer, &[(pears, 3)], "vietqr").await;
    let after_id = after["id"].as_str().unwrap();
    assert!(after["payment"]["vietqr"]["payload"].is_string(), "{after}");
    let r = s.get(&format!("/api/v1/orders/{after_id}/vietqr.png"), Some(&farmer)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let money = ok(s.get(&format!("/api/v1/orders/{after_id}/payments"), Some(&farmer)).await).await;
    assert_eq!(money["paid_vnd"], 0);
    // the grower sees the order as its seller, without how the buyer pays
    let sold = ok(s.get(&format!("/api/v1/orders/{after_id}"), Some(&grower)).await).await;
    assert!(sold["payment"]["vietqr"].is_null(), "{sold}");
    for path in
        [format!("/api/v1/orders/{after_id}/vietqr.png"), format!("/api/v1/orders/{after_id}/payments")]
    {
        error_code(s.get(&path, Some(&grower)).await, StatusCode::FORBIDDEN).await;
    }

    // never their own produce, alone or beside someone else's: nothing taken
    for items in [vec![(own, 1)], vec![(pears, 1), (own, 1)]] {
        let r = s.post_json("/api/v1/orders", Some(&farmer), &order_body(&items, "cod")).await;
        assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "own_listing");
    }
    let stock = ok(s.get(&format!("/api/v1/listings/{own}"), None).await).await;
    assert_eq!(stock["quantity"], 5);

    // sales and purchases are listed apart; by default what they sell, as
    // for every farmer before
    let sale = place(&s, &s.buyer("0987000702").await, &[(own, 1)], "cod").await;
    let sale_id = sale["id"].as_str().unwrap();
    for query in ["", "?as=seller"] {
        let sales = ok(s.get(&format!("/api/v1/orders{query}"), Some(&farmer)).await).await;
        assert_eq!(ids(&sales), vec![sale_id], "{query}");
        assert_eq!(sales["items"][0]["parts"][0]["seller_id"], seller_id.as_str());
    }
    let purchases = ok(s.get("/api/v1/orders?as=buyer&limit=100", Some(&farmer)).await).await;
    assert_eq!(ids(&purchases).len(), 3);
    assert!(!ids(&purchases).contains(&sale_id));
    let pending = ok(s.get("/api/v1/orders?as=buyer&part_status=pending", Some(&farmer)).await).await;
    assert_eq!(ids(&pending).len(), 3);

    // as the buyer, they cancel the earlier order without giving a reason
    let r = act(&s, &farmer, before_id, "cancel", None).await;
    let cancelled = ok(r).await;
    assert_eq!(cancelled["status"], "cancelled");
    // as the seller, a reason is still asked
    let r = act(&s, &farmer, sale_id, "cancel", None).await;
    assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "required");
    // and the buyer's side does not let them confirm their own purchase
    let r = act(&s, &farmer, paid_before["id"].as_str().unwrap(), "confirm", None).await;
    error_code(r, StatusCode::FORBIDDEN).await;
    // the grower still confirms it
    ok(act(&s, &grower, paid_before["id"].as_str().unwrap(), "confirm", None).await).await;
}

#[tokio::test]
async fn who_may_list_purchases_and_who_may_not() {
    let s = TestServer::start().await;
    let buyer = s.buyer("0987000711").await;
    let (_, farmer) = s.farmer("0912000711", "008080000711").await;
    let officer = s.user(accounts::Role::Officer, "0912000712").await;
    // a buyer's purchases, as before, by default or by name; no sales side
    for query in ["", "?as=buyer"] {
        ok(s.get(&format!("/api/v1/orders{query}"), Some(&buyer)).await).await;
    }
    error_code(s.get("/api/v1/orders?as=seller", Some(&buyer)).await, StatusCode::FORBIDDEN).await;
    // staff, admin and officers place no orders, so have no purchases
    for token in [&s.staff_token, &s.admin_token, &officer] {
        error_code(s.get("/api/v1/orders?as=buyer", Some(token)).await, StatusCode::FORBIDDEN).await;
    }
    // officers still list no orders, and still order nothing
    error_code(s.get("/api/v1/orders", Some(&officer)).await, StatusCode::FORBIDDEN).await;
    let r = s.post_json("/api/v1/orders", Some(&officer), &order_body(&[], "cod")).await;
    error_code(r, StatusCode::FORBIDDEN).await;
    for token in [&s.staff_token, &s.admin_token] {
        let r = s.post_json("/api/v1/orders", Some(token), &order_body(&[], "cod")).await;
        error_code(r, StatusCode::FORBIDDEN).await;
    }
    let r = s.get("/api/v1/orders?as=everyone", Some(&farmer)).await;
    assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "unknown_value");
}
