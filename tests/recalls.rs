//! A recall stops what is already in flight: for each state an order part
//! can be in when its lot is recalled, what the recall does to it, that it
//! can no longer be sent on (409 `lot_recalled`, whoever asks), what the
//! buyer is owed back and what the seller is owed, with the books balanced.

use std::collections::BTreeMap;

use crate::support::{act, error_code, notification, place, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PRICE: i64 = 100_000;
const FEE_BP: i64 = 200; // the test servers' platform fee, 2 %
/// One 1 kg parcel (1.1 kg packed) from Tuyên Quang to Hà Nội, far, paid
/// by transfer.
const POSTAGE: i64 = 52_000;

fn tea(quantity: i64) -> Value {
    json!({
        "title": "Chè Shan tuyết cổ thụ", "category": "che", "unit": "kg",
        "price_vnd": PRICE, "quantity": quantity,
    })
}

async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn order(s: &TestServer, token: &str, id: &str) -> Value {
    ok(s.get(&format!("/api/v1/orders/{id}"), Some(token)).await).await
}

async fn stock(s: &TestServer, listing: &str) -> i64 {
    ok(s.get(&format!("/api/v1/listings/{listing}"), None).await).await["quantity"].as_i64().unwrap()
}

/// The part of `order` that holds `listing`.
fn part_with<'a>(order: &'a Value, listing: &str) -> &'a Value {
    order["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["items"].as_array().unwrap().iter().any(|i| i["listing_id"] == listing))
        .unwrap_or_else(|| panic!("no part with {listing}: {order}"))
}

/// The market after the recall: a seller whose lot is recalled, another
/// whose produce is fine, and one order per state a part can be in.
struct Market {
    s: TestServer,
    seller: String,
    farmer: String,
    other_farmer: String,
    buyer: String,
    lot: String,
    recalled: String,
    fine: String,
    /// Order id by the state its recalled part was in.
    orders: BTreeMap<&'static str, String>,
}

const STATES: [&str; 8] =
    ["unpaid", "paid", "cod", "confirmed", "handed_over", "cod_handed_over", "delivered", "two_sellers"];

async fn market_then_recall() -> Market {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let (_, other_farmer) = s.farmer("0912000102", "008080001235").await;
    let lot = s.lot(&seller).await["id"].as_str().unwrap().to_string();
    let mut body = tea(100);
    body["lot_id"] = json!(lot);
    let recalled = s.listing(&farmer, &body).await["id"].as_str().unwrap().to_string();
    let fine = s.listing(&other_farmer, &tea(100)).await["id"].as_str().unwrap().to_string();
    let buyer = s.buyer("0987000001").await;
    let mut orders = BTreeMap::new();
    for (n, state) in STATES.into_iter().enumerate() {
        let cod = state.starts_with("cod");
        let items: Vec<(&str, i64)> = if state == "two_sellers" {
            vec![(recalled.as_str(), 1), (fine.as_str(), 2)]
        } else {
            vec![(recalled.as_str(), 1)]
        };
        let placed = place(&s, &buyer, &items, if cod { "cod" } else { "vietqr" }).await;
        let id = placed["id"].as_str().unwrap().to_string();
        if !cod && state != "unpaid" {
            let paid = placed["total_vnd"].as_i64().unwrap();
            let code = placed["code"].as_str().unwrap();
            ok(s.notify(&notification(&format!("pay-{n}"), code, paid)).await).await;
        }
        let steps: &[&str] = match state {
            "confirmed" | "two_sellers" => &["confirm"],
            "handed_over" | "cod_handed_over" => &["confirm", "hand-over"],
            "delivered" => &["confirm", "hand-over", "deliver"],
            _ => &[],
        };
        for step in steps {
            ok(act(&s, &s.staff_token, &id, step, None).await).await;
        }
        orders.insert(state, id);
    }
    let before = stock(&s, &recalled).await;
    let r = s
        .post_json(
            &format!("/api/v1/lots/{lot}/recall"),
            Some(&s.staff_token),
            &json!({"reason": "dư lượng thuốc bảo vệ thực vật vượt ngưỡng"}),
        )
        .await;
    ok(r).await;
    assert_eq!(stock(&s, &recalled).await, before, "recalled produce does not go back on sale");
    Market { s, seller, farmer, other_farmer, buyer, lot, recalled, fine, orders }
}

impl Market {
    fn id(&self, state: &str) -> &str {
        &self.orders[state]
    }

    async fn refund_due(&self, state: &str) -> i64 {
        let id = self.id(state);
        ok(self.s.get(&format!("/api/v1/orders/{id}/payments"), Some(&self.buyer)).await).await
            ["refund_due_vnd"]
            .as_i64()
            .unwrap()
    }
}

#[tokio::test]
async fn a_recall_cancels_what_has_not_left_and_stops_what_has() {
    let m = market_then_recall().await;
    let s = &m.s;
    let expected = [
        // state, the recalled part's status, its recall outcome, the order's status
        ("unpaid", "cancelled", "cancelled", "cancelled"),
        ("paid", "cancelled", "cancelled", "cancelled"),
        ("cod", "cancelled", "cancelled", "cancelled"),
        ("confirmed", "cancelled", "cancelled", "cancelled"),
        ("handed_over", "handed_over", "returning", "handed_over"),
        ("cod_handed_over", "handed_over", "returning", "handed_over"),
        ("delivered", "delivered", "delivered", "delivered"),
        // the other seller's part is not the recall's business
        ("two_sellers", "cancelled", "cancelled", "confirmed"),
    ];
    for (state, part_status, outcome, order_status) in expected {
        let seen = order(s, &m.buyer, m.id(state)).await;
        assert_eq!(seen["status"], order_status, "{state}: {seen}");
        let part = part_with(&seen, &m.recalled);
        assert_eq!(part["status"], part_status, "{state}: {part}");
        let recall = &part["recall"];
        assert_eq!(recall["outcome"], outcome, "{state}: {part}");
        assert_eq!(recall["reason"], "dư lượng thuốc bảo vệ thực vật vượt ngưỡng");
        assert_eq!(recall["lot_id"], m.lot.as_str());
        assert!(recall["recalled_at"].as_str().unwrap().ends_with('Z'), "{recall}");
        if part_status == "cancelled" {
            assert!(part["cancel_reason"].as_str().unwrap().starts_with("lot recalled"), "{part}");
        }
    }
    let other = part_with(&order(s, &m.buyer, m.id("two_sellers")).await, &m.fine).clone();
    assert_eq!(other["status"], "confirmed");
    assert!(other.get("recall").is_none(), "{other}");

    // Nothing recalled moves on, whoever asks: the seller, its post
    // office, admin; for the whole order or the part.
    let admin = s.admin_token.clone();
    for state in STATES {
        let id = m.id(state);
        let seen = order(s, &m.buyer, id).await;
        let part = part_with(&seen, &m.recalled)["id"].as_str().unwrap().to_string();
        for token in [&m.farmer, &s.staff_token, &admin] {
            for action in ["confirm", "hand-over", "deliver"] {
                let whole = act(s, token, id, action, None).await;
                let status = whole.status();
                if state == "two_sellers" && token != &m.farmer {
                    // the other seller's part may go on, alone
                    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
                } else {
                    assert_eq!(
                        error_code(whole, StatusCode::CONFLICT).await,
                        "lot_recalled",
                        "{state} {action}"
                    );
                }
                let one = act(s, token, id, action, Some(json!({"part_id": part}))).await;
                assert_eq!(error_code(one, StatusCode::CONFLICT).await, "lot_recalled", "{state} {action}");
            }
        }
    }
    // … and the other seller's part did go on
    let two = order(s, &m.buyer, m.id("two_sellers")).await;
    assert_eq!(part_with(&two, &m.fine)["status"], "delivered", "{two}");
    assert_eq!(two["status"], "delivered");
    let _ = &m.other_farmer;
}

#[tokio::test]
async fn the_buyer_is_owed_back_what_was_recalled_and_the_seller_is_owed_nothing_for_it() {
    let m = market_then_recall().await;
    let s = &m.s;
    // what the buyer paid for the cancelled parts is owed back in full
    assert_eq!(m.refund_due("unpaid").await, 0);
    // (goods and postage: the parcel never left)
    assert_eq!(m.refund_due("paid").await, PRICE + POSTAGE);
    assert_eq!(m.refund_due("confirmed").await, PRICE + POSTAGE, "the holds made at confirmation are voided");
    assert_eq!(m.refund_due("two_sellers").await, PRICE + POSTAGE, "only the recalled part");
    assert_eq!(m.refund_due("handed_over").await, 0, "not until the parcel is back");
    assert_eq!(m.refund_due("delivered").await, 0);
    for state in ["unpaid", "paid", "confirmed"] {
        assert_eq!(s.balance(&format!("escrow:order:{}", m.id(state))).await, 0, "{state}");
    }
    // the seller's payable holds only what was delivered before the recall
    let delivered_net = PRICE - PRICE * FEE_BP / 10_000;
    assert_eq!(s.balance(&format!("payable:seller:{}", m.seller)).await, delivered_net);

    // The counter's scan tells the postman to collect nothing for a stopped parcel.
    let stopped = order(s, &m.buyer, m.id("cod_handed_over")).await;
    let code = stopped["parts"][0]["code"].as_str().unwrap();
    let scanned = ok(s.get(&format!("/api/v1/parcels/{code}"), Some(&s.staff_token)).await).await;
    assert_eq!(
        (scanned["collect_vnd"].as_i64(), scanned["recall"]["outcome"].as_str()),
        (Some(0), Some("returning"))
    );

    // The post office's list says which parcels are with the postman.
    let affected = ok(s.get(&format!("/api/v1/lots/{}/orders", m.lot), Some(&s.staff_token)).await).await;
    let rows = affected["items"].as_array().unwrap();
    assert_eq!(rows.len(), STATES.len());
    let row = |state: &str| rows.iter().find(|r| r["order_id"] == m.id(state)).unwrap().clone();
    for state in ["handed_over", "cod_handed_over"] {
        assert_eq!(row(state)["part_status"], "handed_over");
        assert_eq!(row(state)["recall"], "returning");
    }
    assert_eq!(row("delivered")["recall"], "delivered");
    assert_eq!(row("paid")["recall"], "cancelled");

    // The parcels come back: a return, with a reason, by the post office.
    for state in ["handed_over", "cod_handed_over"] {
        let id = m.id(state);
        let r = act(s, &m.farmer, id, "return", Some(json!({"reason": "bưu kiện đã thu hồi"}))).await;
        assert_eq!(error_code(r, StatusCode::FORBIDDEN).await, "forbidden", "farmers do not record returns");
        let r = act(s, &s.staff_token, id, "return", None).await;
        assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "required");
        let back =
            ok(act(s, &s.staff_token, id, "return", Some(json!({"reason": "bưu kiện đã thu hồi"}))).await)
                .await;
        let part = part_with(&back, &m.recalled);
        assert_eq!(part["status"], "cancelled");
        assert_eq!(part["recall"]["outcome"], "returned");
        assert_eq!(back["status"], "cancelled");
        // a second return changes nothing more
        let again = act(s, &s.staff_token, id, "return", Some(json!({"reason": "lần hai"}))).await;
        assert_eq!(error_code(again, StatusCode::CONFLICT).await, "invalid_transition");
    }
    assert_eq!(m.refund_due("handed_over").await, PRICE + POSTAGE, "refunded once the parcel is back");
    assert_eq!(m.refund_due("cod_handed_over").await, 0, "cash on delivery was never collected");
    assert_eq!(s.balance(&format!("payable:seller:{}", m.seller)).await, delivered_net);
    // no cash is owed by the post office for recalled parcels
    let books = s.books().await;
    for account in books["accounts"].as_array().unwrap() {
        if account["code"].as_str().unwrap().starts_with("cod:") {
            assert_eq!(account["balance_vnd"], 0, "{account}");
        }
    }

    // A late transfer for the recalled, cancelled order is owed back in full.
    let unpaid = order(s, &m.buyer, m.id("unpaid")).await;
    let code = unpaid["code"].as_str().unwrap();
    ok(s.notify(&notification("late-1", code, PRICE)).await).await;
    assert_eq!(m.refund_due("unpaid").await, PRICE);
    let after = order(s, &m.buyer, m.id("unpaid")).await;
    assert_eq!(after["status"], "cancelled");

    s.books().await; // balanced
}

#[tokio::test]
async fn every_part_the_recall_reached_is_in_the_audit_log_with_who_recalled() {
    let m = market_then_recall().await;
    let state = m.s.state.clone();
    let recorded = tokio::task::spawn_blocking(move || {
        use storage::diesel::prelude::*;
        use storage::schema::{audit_log, users};
        let mut conn = state.pool.get().unwrap();
        let lines: Vec<(String, String)> = audit_log::table
            .filter(audit_log::action.eq("order.recall"))
            .select((audit_log::actor_user_id, audit_log::subject_id))
            .load(&mut conn)
            .unwrap();
        lines
            .into_iter()
            .map(|(actor, part)| {
                let phone: String = users::table.find(&actor).select(users::phone).first(&mut conn).unwrap();
                (phone, part)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    // every part holding the lot, none cancelled before: one line each,
    // naming the staff member who recalled
    assert_eq!(recorded.len(), STATES.len(), "{recorded:?}");
    assert!(recorded.iter().all(|(phone, _)| phone == "0900000002"), "{recorded:?}");
    let _ = (&m.fine, &m.other_farmer);
}

#[tokio::test]
async fn a_recall_leaves_parts_cancelled_before_it_alone() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await["id"].as_str().unwrap().to_string();
    let mut body = tea(10);
    body["lot_id"] = json!(lot);
    let listing = s.listing(&farmer, &body).await["id"].as_str().unwrap().to_string();
    let buyer = s.buyer("0987000001").await;
    let placed = place(&s, &buyer, &[(&listing, 3)], "cod").await;
    let id = placed["id"].as_str().unwrap();
    ok(act(&s, &buyer, id, "cancel", None).await).await;
    assert_eq!(stock(&s, &listing).await, 10, "a plain cancellation puts the stock back");
    ok(s.post_json(&format!("/api/v1/lots/{lot}/recall"), Some(&s.staff_token), &json!({"reason": "mốc"}))
        .await)
    .await;
    let seen = order(&s, &buyer, id).await;
    let part = &seen["parts"][0];
    assert_eq!(part["cancel_reason"], Value::Null, "{part}");
    assert!(part.get("recall").is_none(), "{part}");
    let affected = ok(s.get(&format!("/api/v1/lots/{lot}/orders"), Some(&s.staff_token)).await).await;
    assert!(affected["items"][0].get("recall").is_none(), "{affected}");
    // a second recall of the same lot is refused, and changes nothing
    let r = s
        .post_json(&format!("/api/v1/lots/{lot}/recall"), Some(&s.staff_token), &json!({"reason": "x"}))
        .await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "lot_recalled");
}

/// The recall racing the post office and new buyers, as an attacker would
/// time it: whatever interleaving the database picks, nothing holding the
/// lot is delivered after the recall, no order on the lot escapes it, no
/// request fails with a 5xx, and the books balance.
#[tokio::test]
async fn a_recall_racing_deliveries_and_new_orders_lets_nothing_through() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await["id"].as_str().unwrap().to_string();
    let mut body = tea(500);
    body["lot_id"] = json!(lot);
    let listing = s.listing(&farmer, &body).await["id"].as_str().unwrap().to_string();
    let buyer = s.buyer("0987000001").await;
    let mut ids = Vec::new();
    for n in 0..16 {
        // half paid by transfer, so confirmations take holds in the books
        let method = if n % 2 == 0 { "cod" } else { "vietqr" };
        let placed = place(&s, &buyer, &[(&listing, 1)], method).await;
        if method == "vietqr" {
            let code = placed["code"].as_str().unwrap();
            let total = placed["total_vnd"].as_i64().unwrap();
            ok(s.notify(&notification(&format!("race-{n}"), code, total)).await).await;
        }
        ids.push(placed["id"].as_str().unwrap().to_string());
    }
    use std::time::Instant;
    let s = std::sync::Arc::new(s);
    // what each request got, and when it was sent
    let mut tasks = Vec::new();
    for id in ids {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for step in ["confirm", "hand-over", "deliver"] {
                let sent = Instant::now();
                let r = act(&s, &s.staff_token, &id, step, None).await;
                answers.push((step, r.status().as_u16(), sent));
                if !r.status().is_success() {
                    let code = error_code(r, StatusCode::CONFLICT).await;
                    assert_eq!(code, "lot_recalled", "{id} {step}");
                    break;
                }
            }
            answers
        }));
    }
    // the farmer edits the listing meanwhile (its search entry is what the
    // recall takes out), and buyers cancel (their stock goes back)
    for n in 0..4 {
        let (s, farmer, listing) = (s.clone(), farmer.clone(), listing.clone());
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let path = format!("/api/v1/listings/{listing}");
            let body = json!({"price_vnd": PRICE, "title": format!("Chè Shan tuyết cổ thụ {n}")});
            let r = s.send(reqwest::Method::PATCH, &path, Some(&farmer), Some(&body)).await;
            vec![("edit", r.status().as_u16(), sent)]
        }));
    }
    for _ in 0..4 {
        let (s, buyer, listing) = (s.clone(), buyer.clone(), listing.clone());
        tasks.push(tokio::spawn(async move {
            let body = crate::support::order_body(&[(&listing, 1)], "cod");
            let placed = s.post_json("/api/v1/orders", Some(&buyer), &body).await;
            if placed.status() != StatusCode::CREATED {
                return vec![("place", placed.status().as_u16(), Instant::now())];
            }
            let id = placed.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
            let sent = Instant::now();
            let r = act(&s, &buyer, &id, "cancel", None).await;
            vec![("cancel", r.status().as_u16(), sent)]
        }));
    }
    for _ in 0..8 {
        let (s, buyer, listing) = (s.clone(), buyer.clone(), listing.clone());
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let body = crate::support::order_body(&[(&listing, 1)], "cod");
            let r = s.post_json("/api/v1/orders", Some(&buyer), &body).await;
            let status = r.status().as_u16();
            if status != 201 {
                assert_eq!(error_code(r, StatusCode::CONFLICT).await, "listing_unavailable");
            }
            vec![("place", status, sent)]
        }));
    }
    let recall = {
        let (s, lot) = (s.clone(), lot.clone());
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(40)).await;
            let path = format!("/api/v1/lots/{lot}/recall");
            let r = s.post_json(&path, Some(&s.staff_token), &json!({"reason": "nhiễm khuẩn"})).await;
            (r.status().as_u16(), Instant::now())
        })
    };
    let mut answers = Vec::new();
    for t in tasks {
        answers.extend(t.await.unwrap());
    }
    let (recalled, recall_done) = recall.await.unwrap();
    assert_eq!(recalled, 200);
    for (step, status, sent) in &answers {
        assert!(*status < 500, "{step} failed with {status}");
        // a request sent once the recall had answered sees the recall
        if *sent > recall_done && !matches!(*step, "edit" | "cancel") {
            assert!(*status >= 400, "{step} went through after the recall: {status}");
        }
    }

    // Every order line on the lot, read after the dust settled: each was
    // reached by the recall, and none went further than where it stood.
    let affected = ok(s.get(&format!("/api/v1/lots/{lot}/orders"), Some(&s.staff_token)).await).await;
    let rows = affected["items"].as_array().unwrap();
    let mut delivered = 0;
    for row in rows {
        let seen = order(&s, &buyer, row["order_id"].as_str().unwrap()).await;
        let part = &seen["parts"][0];
        let recall = &part["recall"];
        if part["status"] == "cancelled" && recall.is_null() {
            // the buyer cancelled it before the recall came
            assert_eq!(part["cancel_reason"], Value::Null, "{part}");
            continue;
        }
        assert!(recall.is_object(), "an order on the lot escaped the recall: {seen}");
        match part["status"].as_str().unwrap() {
            "delivered" => delivered += 1,
            "handed_over" => assert_eq!(recall["outcome"], "returning"),
            "cancelled" => assert_eq!(recall["outcome"], "cancelled"),
            other => panic!("a recalled part left {other}: {part}"),
        }
    }
    let delivered_ok =
        answers.iter().filter(|(step, status, _)| *step == "deliver" && *status == 200).count();
    assert_eq!(delivered, delivered_ok as i64, "every delivery the post office was told of, and no other");
    eprintln!("race: {} order lines on the lot, {delivered} delivered before the recall", rows.len());
    let payable = s.balance(&format!("payable:seller:{seller}")).await;
    assert_eq!(
        payable,
        delivered * (PRICE - PRICE * FEE_BP / 10_000),
        "paid only for what was delivered before"
    );
}

/// What an earlier version's recall did: the lot alone.
struct LotOnly;

impl traceability::lots::RecallFollowUp for LotOnly {
    fn lot_recalled(
        &self,
        _: &mut storage::DbConnection,
        _: &traceability::lots::Recall<'_>,
    ) -> Result<(), common::ApiError> {
        Ok(())
    }
}

/// A lot recalled by an earlier version (the lot marked, its orders left in
/// flight): its parts cannot move even so, and the server stops them when
/// it starts.
#[tokio::test]
async fn orders_of_a_lot_recalled_before_this_version_are_stopped_at_start() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await["id"].as_str().unwrap().to_string();
    let mut body = tea(10);
    body["lot_id"] = json!(lot);
    let listing = s.listing(&farmer, &body).await["id"].as_str().unwrap().to_string();
    let buyer = s.buyer("0987000001").await;
    let id = place(&s, &buyer, &[(&listing, 2)], "cod").await["id"].as_str().unwrap().to_string();
    ok(act(&s, &farmer, &id, "confirm", None).await).await;

    let state = s.state.clone();
    let lot_id = common::LotId::parse(&lot).unwrap();
    tokio::task::spawn_blocking(move || {
        let mut conn = state.pool.get().unwrap();
        let admin = accounts::users::find_by_phone(&mut conn, &accounts::Phone::parse("0900000001").unwrap())
            .unwrap()
            .unwrap();
        let actor = accounts::Actor::acting_as(&admin.id, accounts::Role::Admin, &admin.name, None);
        let settings = traceability::lots::TraceSettings {
            public_url: "http://x".into(),
            gtin_company_prefix: state.config.gtin_company_prefix.clone(),
        };
        let reason = traceability::lots::RecallRequest { reason: "mốc".into() };
        traceability::lots::recall(&mut conn, &state.master, &settings, &actor, &lot_id, &reason, &LotOnly)
            .unwrap();
    })
    .await
    .unwrap();
    let r = act(&s, &s.staff_token, &id, "hand-over", None).await;
    assert_eq!(
        error_code(r, StatusCode::CONFLICT).await,
        "lot_recalled",
        "its lot is recalled, marked or not"
    );

    let state = s.state.clone();
    let caught = tokio::task::spawn_blocking(move || {
        let mut conn = state.pool.get().unwrap();
        let first = market::orders::store::catch_up_recalls(&mut conn, state.money.as_ref()).unwrap();
        let again = market::orders::store::catch_up_recalls(&mut conn, state.money.as_ref()).unwrap();
        (first, again)
    })
    .await
    .unwrap();
    assert_eq!(caught, (1, 0), "once");
    let seen = order(&s, &buyer, &id).await;
    assert_eq!(seen["status"], "cancelled");
    assert_eq!(seen["parts"][0]["recall"]["outcome"], "cancelled");
    assert_eq!(seen["parts"][0]["recall"]["reason"], "mốc");
    assert_eq!(stock(&s, &listing).await, 8, "recalled stock stays off sale");
    s.books().await;
}
