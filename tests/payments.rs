//! Payment end to end: VietQR, the bank webhook, escrow, cash on delivery,
//! payouts and the books, over HTTP against the real server, on the
//! backend `NONGSAN_TEST_BACKEND` names. Every test ends with the trial
//! balance checked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{act, error_code, notification, place, TestServer, WEBHOOK_KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn tea(price: i64, quantity: i64) -> Value {
    json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": price, "quantity": quantity})
}

async fn order(s: &TestServer, token: &str, id: &str) -> Value {
    let r = s.get(&format!("/api/v1/orders/{id}"), Some(token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

async fn statement(s: &TestServer, token: &str, seller: &str) -> Value {
    ok(s.get(&format!("/api/v1/sellers/{seller}/statement"), Some(token)).await).await
}

#[tokio::test]
async fn a_buyer_pays_by_vietqr_and_the_farmer_is_paid_after_delivery() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &tea(125_000, 10)).await;
    let buyer = s.buyer("0987000001").await;
    let o = place(&s, &buyer, &[(listing["id"].as_str().unwrap(), 2)], "vietqr").await;
    let (id, code) = (o["id"].as_str().unwrap(), o["code"].as_str().unwrap());

    // the QR image decodes to the same payload the order carries
    let r = s.get(&format!("/api/v1/orders/{id}/vietqr.png"), Some(&buyer)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    let png = r.bytes().await.unwrap();
    let img = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, decoded) = grids[0].decode().unwrap();
    assert_eq!(decoded, o["payment"]["vietqr"]["payload"].as_str().unwrap());
    // nobody else gets it
    let other = s.buyer("0987000002").await;
    error_code(s.get(&format!("/api/v1/orders/{id}/vietqr.png"), Some(&other)).await, StatusCode::NOT_FOUND)
        .await;

    // goods 250,000 and postage: 2.1 kg packed, far, 60,000
    assert_eq!(o["total_vnd"], 310_000);
    // the bank's text mangles the code; the webhook still finds the order
    let mangled =
        format!("MBVCB.8812345.{}.CT tu 0123456789 TRAN MINH ANH toi 1900000000001", code.to_lowercase());
    assert_eq!(ok(s.notify(&notification("92704", &mangled, 310_000)).await).await, json!({"success": true}));
    let paid = order(&s, &buyer, id).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["paid_vnd"], 310_000);
    // the service retries: nothing changes
    assert_eq!(ok(s.notify(&notification("92704", &mangled, 310_000)).await).await, json!({"success": true}));
    assert_eq!(order(&s, &buyer, id).await["paid_vnd"], 310_000);
    assert_eq!(s.balance(&format!("escrow:order:{id}")).await, 310_000);
    // paid means no more QR
    error_code(s.get(&format!("/api/v1/orders/{id}/vietqr.png"), Some(&buyer)).await, StatusCode::CONFLICT)
        .await;

    // confirm holds the money for the seller; delivery releases it less 2 %
    ok(act(&s, &farmer, id, "confirm", None).await).await;
    let tb = s.books().await;
    let escrow = tb["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == format!("escrow:order:{id}"))
        .unwrap()
        .clone();
    assert_eq!(escrow["available_vnd"], 0, "all of it set aside: {escrow}");
    ok(act(&s, &s.staff_token, id, "hand-over", None).await).await;
    ok(act(&s, &s.staff_token, id, "deliver", None).await).await;
    let st = statement(&s, &farmer, &seller).await;
    assert_eq!(st["owed_vnd"], 245_000, "250 000 less the 2 % fee: {st}");
    assert_eq!(st["lines"].as_array().unwrap().len(), 2, "delivered, fee: {st}");
    // each line says what it was and whose order, for a page to write in Vietnamese
    let said: Vec<_> = st["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["kind"].clone(), l["order_code"].clone()))
        .collect();
    assert_eq!(said, [(json!("goods_delivered"), json!(code)), (json!("platform_fee"), json!(code))], "{st}");
    assert_eq!(s.balance("revenue:platform-fees").await, 5_000, "no fee on the postage");
    assert_eq!(s.balance(&format!("escrow:order:{id}")).await, 0);
    // the postage went to the post office that carried the parcel
    let postage = ok(s.get("/api/v1/postage/earnings", Some(&s.staff_token)).await).await;
    assert_eq!((postage["earned_vnd"].as_i64(), postage["owed_vnd"].as_i64()), (Some(60_000), Some(60_000)));
    assert_eq!(postage["lines"][0]["kind"], "postage_earned", "{postage}");
    assert_eq!(postage["lines"][0]["order_code"], code, "{postage}");
    let office = postage["post_office"].as_str().unwrap().to_string();

    // the payout run: batch, bank file, sent, confirmed
    let batch = ok(s.post_json("/api/v1/payouts", Some(&s.admin_token), &json!({})).await).await;
    assert_eq!(batch["total_vnd"], 245_000);
    assert_eq!(batch["items"][0]["seller_id"], seller.as_str());
    let bid = batch["id"].as_str().unwrap();
    assert_eq!(statement(&s, &farmer, &seller).await["in_payout_vnd"], 245_000);
    // a second run finds nothing more to pay
    error_code(s.post_json("/api/v1/payouts", Some(&s.admin_token), &json!({})).await, StatusCode::CONFLICT)
        .await;
    let csv = s
        .get(&format!("/api/v1/payouts/{bid}/bank-file.csv"), Some(&s.admin_token))
        .await
        .text()
        .await
        .unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(&row[2], "970405");
    assert_eq!(&row[3], "8800205123456");
    assert_eq!(&row[4], "245000");
    let qr = payment::VietQr::parse(&row[6]).unwrap();
    assert_eq!(qr.amount_vnd(), Some(245_000));
    assert_eq!(qr.account(), "8800205123456");
    // confirm needs sent first
    error_code(
        s.post_json(&format!("/api/v1/payouts/{bid}/confirm"), Some(&s.admin_token), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    ok(s.post_json(&format!("/api/v1/payouts/{bid}/sent"), Some(&s.admin_token), &json!({})).await).await;
    let done =
        ok(s.post_json(&format!("/api/v1/payouts/{bid}/confirm"), Some(&s.admin_token), &json!({})).await)
            .await;
    assert_eq!(done["status"], "confirmed");
    assert_eq!(done["items"][0]["status"], "paid");
    let st = statement(&s, &farmer, &seller).await;
    assert_eq!(st["owed_vnd"], 0);
    assert_eq!(st["in_payout_vnd"], 0);
    // what is left in the bank is the fee and the post office's postage
    assert_eq!(s.balance("bank:collection").await, 65_000);
    // admin records the postage paid to the post office; repeating the
    // record changes nothing, more than is owed is refused
    let paid = json!({"post_office": office, "amount_vnd": 60_000, "reference": "FT-POSTAGE-11"});
    for _ in 0..2 {
        let st =
            ok(s.post_json("/api/v1/postage/earnings/payments", Some(&s.admin_token), &paid).await).await;
        assert_eq!((st["paid_vnd"].as_i64(), st["owed_vnd"].as_i64()), (Some(60_000), Some(0)), "{st}");
    }
    let more = json!({"post_office": office, "amount_vnd": 1, "reference": "FT-POSTAGE-12"});
    let r = s.post_json("/api/v1/postage/earnings/payments", Some(&s.admin_token), &more).await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "insufficient_funds");
    error_code(
        s.post_json("/api/v1/postage/earnings/payments", Some(&s.staff_token), &paid).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(s.balance("bank:collection").await, 5_000, "what is left is the fee");
    // a farmer sees only its own statement
    let (other_seller, _) = s.farmer("0912000102", "008080001235").await;
    error_code(
        s.get(&format!("/api/v1/sellers/{other_seller}/statement"), Some(&farmer)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn partial_payments_add_up_and_overpayments_are_owed_back() {
    let s = TestServer::start().await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &tea(100_000, 10)).await;
    let buyer = s.buyer("0987000001").await;
    let o = place(&s, &buyer, &[(listing["id"].as_str().unwrap(), 3)], "vietqr").await;
    let (id, code) = (o["id"].as_str().unwrap(), o["code"].as_str().unwrap());

    // goods 300,000, postage 76,000 (3.1 kg, far)
    assert_eq!(o["total_vnd"], 376_000);
    ok(s.notify(&notification("t1", &format!("{code} lan 1"), 100_000)).await).await;
    let first = order(&s, &buyer, id).await;
    assert_eq!(first["status"], "placed");
    assert_eq!(first["paid_vnd"], 100_000);
    // what is left to pay is what the QR now asks for
    assert_eq!(first["payment"]["vietqr"]["amount_vnd"], 276_000);
    ok(s.notify(&notification("t2", &format!("IBFT {code}"), 326_000)).await).await;
    let second = order(&s, &buyer, id).await;
    assert_eq!(second["status"], "paid");
    assert_eq!(second["paid_vnd"], 376_000);
    let money = ok(s.get(&format!("/api/v1/orders/{id}/payments"), Some(&buyer)).await).await;
    assert_eq!(money["refund_due_vnd"], 50_000, "{money}");
    assert_eq!(money["held_vnd"], 376_000);
    let outcomes: Vec<&str> =
        money["transfers"].as_array().unwrap().iter().map(|t| t["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["partly_paid", "overpaid"]);

    // admin pays the 50 000 back; a repeat of the same record changes nothing
    let refund = json!({"amount_vnd": 50_000, "reference": "FT-REFUND-1"});
    ok(s.post_json(&format!("/api/v1/orders/{id}/refunds"), Some(&s.admin_token), &refund).await).await;
    let again =
        ok(s.post_json(&format!("/api/v1/orders/{id}/refunds"), Some(&s.admin_token), &refund).await).await;
    assert_eq!(again["refund_due_vnd"], 0);
    assert_eq!(again["refunded_vnd"], 50_000);
    // the same reference for another amount is refused, and so is more than is owed
    for (reference, code) in
        [("FT-REFUND-1", "idempotency_key_reused"), ("FT-REFUND-2", "insufficient_funds")]
    {
        let body = json!({"amount_vnd": 1, "reference": reference});
        let r = s.post_json(&format!("/api/v1/orders/{id}/refunds"), Some(&s.admin_token), &body).await;
        assert_eq!(error_code(r, StatusCode::CONFLICT).await, code);
    }
    s.books().await;
}

#[tokio::test]
async fn cancelling_a_paid_order_makes_the_money_owed_back() {
    let s = TestServer::start().await;
    let (_, farmer_a) = s.farmer("0912000101", "008080001234").await;
    let (_, farmer_b) = s.farmer("0912000102", "008080001235").await;
    let a = s.listing(&farmer_a, &tea(100_000, 10)).await;
    let b = s.listing(&farmer_b, &tea(200_000, 10)).await;
    let buyer = s.buyer("0987000001").await;
    let o =
        place(&s, &buyer, &[(a["id"].as_str().unwrap(), 1), (b["id"].as_str().unwrap(), 1)], "vietqr").await;
    let (id, code) = (o["id"].as_str().unwrap(), o["code"].as_str().unwrap());
    // goods 300,000 and two 1.1 kg parcels, far, 52,000 each
    ok(s.notify(&notification("p1", code, 404_000)).await).await;
    ok(act(&s, &farmer_a, id, "confirm", None).await).await;
    // A cannot deliver after all: its held 100,000 and its postage are
    // owed back; B's 200,000 and postage stay
    ok(act(&s, &farmer_a, id, "cancel", Some(json!({"reason": "hết hàng"}))).await).await;
    assert_eq!(s.balance(&format!("refund:order:{id}")).await, 152_000);
    assert_eq!(s.balance(&format!("escrow:order:{id}")).await, 252_000);
    // the buyer cancels the rest
    ok(act(&s, &buyer, id, "cancel", None).await).await;
    assert_eq!(s.balance(&format!("refund:order:{id}")).await, 404_000);
    assert_eq!(s.balance(&format!("escrow:order:{id}")).await, 0);
    // money for an order that owes nothing is owed back in full
    ok(s.notify(&notification("p2", code, 10_000)).await).await;
    assert_eq!(s.balance(&format!("refund:order:{id}")).await, 414_000);
    let money = ok(s.get(&format!("/api/v1/orders/{id}/payments"), Some(&buyer)).await).await;
    assert_eq!(money["transfers"][1]["outcome"], "owed_back");
    s.books().await;
}

#[tokio::test]
async fn transfers_naming_no_order_wait_in_suspense_until_staff_assign_them() {
    let s = TestServer::start().await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &tea(100_000, 10)).await;
    let buyer = s.buyer("0987000001").await;
    let o = place(&s, &buyer, &[(listing["id"].as_str().unwrap(), 1)], "vietqr").await;
    let (id, code) = (o["id"].as_str().unwrap(), o["code"].as_str().unwrap());
    // 100,000 of tea and 52,000 postage
    ok(s.notify(&notification("u1", "chuyen tien mua che", 152_000)).await).await;
    assert_eq!(order(&s, &buyer, id).await["paid_vnd"], 0);
    assert_eq!(s.balance("suspense:unmatched-transfers").await, 152_000);
    // a transfer naming no order is nobody's post office's business: admin sorts it out
    let seen_by_staff =
        ok(s.get("/api/v1/payments/bank-transfers?outcome=unmatched", Some(&s.staff_token)).await).await;
    assert_eq!(seen_by_staff["items"], json!([]));
    let list =
        ok(s.get("/api/v1/payments/bank-transfers?outcome=unmatched", Some(&s.admin_token)).await).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["notification_id"], "u1");
    // why, as a code a page translates (never an English sentence)
    assert_eq!(list["items"][0]["unmatched_reason"], "no_order_code");
    assert_eq!(list["items"][0]["unmatched_orders"], json!([]));
    assert_eq!(list["items"][0]["note"], Value::Null);
    // buyers and farmers do not see the bank's transfers
    error_code(s.get("/api/v1/payments/bank-transfers", Some(&buyer)).await, StatusCode::FORBIDDEN).await;

    let assigned = ok(s
        .post_json(
            "/api/v1/payments/bank-transfers/u1/assign",
            Some(&s.admin_token),
            &json!({"order_code": code.to_lowercase()}),
        )
        .await)
    .await;
    assert_eq!(assigned["outcome"], "assigned");
    assert_eq!(assigned["order_code"], code);
    assert_eq!(assigned["unmatched_reason"], Value::Null);
    assert_eq!(order(&s, &buyer, id).await["status"], "paid");
    assert_eq!(s.balance("suspense:unmatched-transfers").await, 0);
    // once only
    error_code(
        s.post_json(
            "/api/v1/payments/bank-transfers/u1/assign",
            Some(&s.admin_token),
            &json!({"order_code": code}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    error_code(
        s.post_json(
            "/api/v1/payments/bank-transfers/nope/assign",
            Some(&s.staff_token),
            &json!({"order_code": code}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    s.books().await;
}

#[tokio::test]
async fn forged_replayed_and_absurd_notifications_are_refused_or_harmless() {
    let s = TestServer::start().await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &tea(100_000, 10)).await;
    let buyer = s.buyer("0987000001").await;
    let o = place(&s, &buyer, &[(listing["id"].as_str().unwrap(), 1)], "vietqr").await;
    let (id, code) = (o["id"].as_str().unwrap(), o["code"].as_str().unwrap());
    let url = s.at("/api/v1/payments/bank-webhook");
    let body = notification("f1", code, 100_000);

    // no key, wrong key, wrong scheme
    for auth in [None, Some("Apikey wrong"), Some(format!("Bearer {WEBHOOK_KEY}").leak() as &str)] {
        let mut req = s.client.post(&url).json(&body);
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        assert_eq!(error_code(req.send().await.unwrap(), StatusCode::UNAUTHORIZED).await, "unauthorized");
    }
    // bad amounts and bad JSON: 4xx with a clear error, nothing booked
    for (amount, why) in [
        (json!(-100_000), "negative"),
        (json!(0), "zero"),
        (json!(100_000.5), "fraction"),
        (json!(10_000_000_000_001_i64), "absurd"),
        (json!("nhiều"), "text"),
    ] {
        let mut bad = body.clone();
        bad["transferAmount"] = amount;
        let r = s.notify(&bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{why}");
    }
    // a NUL in the text (PostgreSQL cannot store it), in the JSON and raw
    let mut nul = body.clone();
    nul["content"] = json!(format!("{code}\u{0}"));
    assert_eq!(s.notify(&nul).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let raw = serde_json::to_string(&body).unwrap().replacen("Vietcombank", "Vietcom\0bank", 1);
    let r = s
        .client
        .post(&url)
        .header("Authorization", format!("Apikey {WEBHOOK_KEY}"))
        .header("Content-Type", "application/json")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let r = s
        .client
        .post(&url)
        .header("Authorization", format!("Apikey {WEBHOOK_KEY}"))
        .header("Content-Type", "application/json")
        .body("{\"id\": 1,")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    // money out of the account is recorded and ignored
    let mut out = notification("f2", code, 100_000);
    out["transferType"] = json!("out");
    ok(s.notify(&out).await).await;
    // money into another account is not ours to book
    let mut elsewhere = notification("f3", code, 100_000);
    elsewhere["accountNumber"] = json!("0071000689735");
    ok(s.notify(&elsewhere).await).await;
    assert_eq!(order(&s, &buyer, id).await["paid_vnd"], 0);
    let ignored =
        ok(s.get("/api/v1/payments/bank-transfers?outcome=ignored", Some(&s.admin_token)).await).await;
    assert_eq!(ignored["items"].as_array().unwrap().len(), 2);
    // every authenticated call was stored as it came, the refused ones too
    let state = s.state.clone();
    let stored = tokio::task::spawn_blocking(move || {
        use storage::diesel::prelude::*;
        let mut c = state.pool.get().unwrap();
        storage::schema::bank_webhook_inbox::table.count().get_result::<i64>(&mut c).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(stored, 5 + 2 + 1 + 2, "5 bad amounts, 2 NULs, bad JSON, out, elsewhere");
    // a concurrent burst of one notification counts once
    let burst = notification("f4", code, 100_000);
    let calls = (0..16).map(|_| s.notify(&burst));
    for r in futures_util::future::join_all(calls).await {
        assert_eq!(r.status(), StatusCode::OK);
    }
    assert_eq!(order(&s, &buyer, id).await["paid_vnd"], 100_000);
    assert_eq!(s.balance("bank:collection").await, 100_000);
    s.books().await;
}

#[tokio::test]
async fn signed_notifications_are_required_when_the_server_has_a_secret() {
    let secret = "whsec-test-0123456789";
    let s = TestServer::start_with(|c| c.bank_webhook_secret = Some(secret.into())).await;
    let body = serde_json::to_vec(&notification("s1", "no order here", 10_000)).unwrap();
    let send = |ts: Option<i64>, sig: Option<String>| {
        let mut req = s
            .client
            .post(s.at("/api/v1/payments/bank-webhook"))
            .header("Authorization", format!("Apikey {WEBHOOK_KEY}"))
            .header("Content-Type", "application/json")
            .body(body.clone());
        if let Some(ts) = ts {
            req = req.header("X-Nongsan-Timestamp", ts.to_string());
        }
        if let Some(sig) = sig {
            req = req.header("X-Nongsan-Signature", sig);
        }
        req.send()
    };
    let now = chrono::Utc::now().timestamp();
    // the key alone is not enough
    error_code(send(None, None).await.unwrap(), StatusCode::UNAUTHORIZED).await;
    // a signature of another body, or a replay from ten minutes ago
    error_code(
        send(Some(now), Some(payment::sign(secret.as_bytes(), now, b"{}"))).await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let old = now - 600;
    error_code(
        send(Some(old), Some(payment::sign(secret.as_bytes(), old, &body))).await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(s.balance("suspense:unmatched-transfers").await, 0);
    ok(send(Some(now), Some(payment::sign(secret.as_bytes(), now, &body))).await.unwrap()).await;
    assert_eq!(s.balance("suspense:unmatched-transfers").await, 10_000);
}

#[tokio::test]
async fn cash_on_delivery_is_collected_by_the_post_office_and_remitted() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &tea(80_000, 10)).await;
    let buyer = s.buyer("0987000001").await;
    let o = place(&s, &buyer, &[(listing["id"].as_str().unwrap(), 2)], "cod").await;
    let id = o["id"].as_str().unwrap();
    ok(act(&s, &farmer, id, "confirm", None).await).await;
    ok(act(&s, &s.staff_token, id, "hand-over", None).await).await;
    // nothing is owed before the cash is in the postman's hand
    let pos = ok(s.get("/api/v1/cod/position", Some(&s.staff_token)).await).await;
    assert_eq!(pos["owed_vnd"], 0);
    ok(act(&s, &s.staff_token, id, "deliver", None).await).await;
    // the postman collected the goods (160,000) and the postage: 2.1 kg
    // far (60,000) and the cash-on-delivery surcharge (1 %, at least 10,000)
    assert_eq!(o["total_vnd"], 230_000);
    let pos = ok(s.get("/api/v1/cod/position", Some(&s.staff_token)).await).await;
    assert_eq!(pos["owed_vnd"], 230_000, "{pos}");
    assert_eq!(statement(&s, &farmer, &seller).await["owed_vnd"], 156_800);
    let postage = ok(s.get("/api/v1/postage/earnings", Some(&s.staff_token)).await).await;
    assert_eq!(postage["earned_vnd"], 70_000, "{postage}");
    // the money is not in the bank yet: no payout possible, not even while
    // the bank holds another buyer's payment for an order not yet delivered
    let (_, other_farmer) = s.farmer("0912000102", "008080001235").await;
    let other = s.listing(&other_farmer, &tea(500_000, 3)).await;
    let paid = place(&s, &buyer, &[(other["id"].as_str().unwrap(), 1)], "vietqr").await;
    ok(s.notify(&notification("cod-1", paid["code"].as_str().unwrap(), 552_000)).await).await;
    assert_eq!(s.balance("bank:collection").await, 552_000);
    let c = error_code(
        s.post_json("/api/v1/payouts", Some(&s.admin_token), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(c, "nothing_payable");

    // the post office sends the cash on; it cannot send more than it owes
    let c = error_code(
        s.post_json("/api/v1/cod/remittances", Some(&s.staff_token), &json!({"amount_vnd": 230_001})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(c, "exceeds_remittable");
    let remit = ok(s
        .post_json("/api/v1/cod/remittances", Some(&s.staff_token), &json!({"reference": "BD-2026-11-30"}))
        .await)
    .await;
    assert_eq!(remit["amount_vnd"], 230_000, "goods and postage");
    assert_eq!(remit["status"], "pending");
    // … and not twice
    error_code(
        s.post_json("/api/v1/cod/remittances", Some(&s.staff_token), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    // only admin says it arrived
    let rid = remit["id"].as_str().unwrap();
    error_code(
        s.post_json(&format!("/api/v1/cod/remittances/{rid}/received"), Some(&s.staff_token), &json!({}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // the post office's transfer reaches the webhook: it names no order, so
    // it waits in suspense until admin matches it to the remittance
    ok(s.notify(&notification("remit-1", "BD HONG THAI NOP TIEN THU HO BD-2026-11-30", 230_000)).await).await;
    ok(s.notify(&notification("stray-1", "chuyen nham", 159_000)).await).await;
    assert_eq!(s.balance("suspense:unmatched-transfers").await, 389_000);
    let received = |nid: &str| json!({"notification_id": nid});
    let c = error_code(
        s.post_json(
            &format!("/api/v1/cod/remittances/{rid}/received"),
            Some(&s.admin_token),
            &received("stray-1"),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(c, "amount_mismatch");
    ok(s.post_json(
        &format!("/api/v1/cod/remittances/{rid}/received"),
        Some(&s.admin_token),
        &received("remit-1"),
    )
    .await)
    .await;
    error_code(
        s.post_json(&format!("/api/v1/cod/remittances/{rid}/received"), Some(&s.admin_token), &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let pos = ok(s.get("/api/v1/cod/position", Some(&s.staff_token)).await).await;
    assert_eq!(pos["owed_vnd"], 0);
    // the cash is in the bank once, not twice
    assert_eq!(s.balance("bank:collection").await, 552_000 + 230_000 + 159_000);
    // the stray transfer goes back to whoever sent it (admin only)
    error_code(
        s.post_json("/api/v1/payments/bank-transfers/stray-1/return", Some(&s.staff_token), &json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let back = ok(s
        .post_json(
            "/api/v1/payments/bank-transfers/stray-1/return",
            Some(&s.admin_token),
            &json!({"reference": "FT-BACK-1"}),
        )
        .await)
    .await;
    assert_eq!(back["outcome"], "returned");
    assert_eq!(s.balance("suspense:unmatched-transfers").await, 0);
    assert_eq!(s.balance("bank:collection").await, 782_000);
    // now the seller can be paid
    let batch = ok(s.post_json("/api/v1/payouts", Some(&s.admin_token), &json!({})).await).await;
    assert_eq!(batch["total_vnd"], 156_800);
    let bid = batch["id"].as_str().unwrap();
    ok(s.post_json(&format!("/api/v1/payouts/{bid}/sent"), Some(&s.admin_token), &json!({})).await).await;
    // the bank could not pay: the money stays owed for the next run
    let done = ok(s
        .post_json(
            &format!("/api/v1/payouts/{bid}/confirm"),
            Some(&s.admin_token),
            &json!({"failed_seller_ids": [seller]}),
        )
        .await)
    .await;
    assert_eq!(done["items"][0]["status"], "failed");
    assert_eq!(statement(&s, &farmer, &seller).await["owed_vnd"], 156_800);
    let again = ok(s.post_json("/api/v1/payouts", Some(&s.admin_token), &json!({})).await).await;
    assert_eq!(again["total_vnd"], 156_800);
    s.books().await;
}
