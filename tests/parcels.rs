//! Parcels end to end: weights on listings, postage priced by zone and
//! weight before and when ordering, postage through the books (held with
//! the order, the carrying post office's on delivery, refunded with a
//! cancelled part, collected and remitted with cash on delivery), tracking
//! numbers and steps, the counter's scan, and the tariff replaced without
//! touching placed orders. The books balance after every step.
//!
//! The sellers: farmer A in Xã Hồng Thái (Tuyên Quang), farmer B in Xã
//! Phong Quang (Thái Nguyên); the buyer in Phường Ba Đình (Hà Nội), which
//! borders Thái Nguyên but not Tuyên Quang. Prices by the standard tariff
//! (100 g packaging; far: 32,000 / 40,000 / 52,000 to 0.5 / 1 / 2 kg, then
//! 8,000 a further 500 g; neighbouring: 25,000 / 30,000 / 38,000, then
//! 5,000; cash on delivery 1 % of the goods, at least 10,000).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{act, error_code, notification, order_body, place, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The parcel's label as the counter prints it, as a grey image.
async fn label_png(s: &TestServer, code: &str) -> image::GrayImage {
    let r = s.get(&format!("/api/v1/parcels/{code}/label.png"), Some(&s.staff_token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    image::load_from_memory(&r.bytes().await.unwrap()).unwrap().to_luma8()
}

/// The Code 128 barcode on a label, read as a counter's scanner reads it.
fn read_barcode(img: &image::GrayImage) -> String {
    let found = rxing::helpers::detect_in_luma(
        img.as_raw().clone(),
        img.width(),
        img.height(),
        Some(rxing::BarcodeFormat::CODE_128),
    )
    .expect("the label's barcode reads");
    found.getText().to_owned()
}

fn read_qrs(img: &image::GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(img.clone());
    prepared.detect_grids().into_iter().map(|g| g.decode().unwrap().1).collect()
}

fn part_of<'a>(order: &'a Value, seller: &str) -> &'a Value {
    order["parts"].as_array().unwrap().iter().find(|p| p["seller_id"] == seller).unwrap()
}

struct Market {
    s: TestServer,
    seller_a: String,
    farmer_a: String,
    seller_b: String,
    farmer_b: String,
    tea: String,
    honey: String,
    buyer: String,
}

async fn market() -> Market {
    let s = TestServer::start().await;
    let (seller_a, farmer_a) = s.farmer("0912000101", "008080001234").await;
    let (seller_b, farmer_b) = s.farmer_in("0912000102", "008080001235", "01849").await;
    // sold by the kilogram: a unit weighs its own mass; from one lot
    let lot = s.lot(&seller_a).await;
    let tea = s
        .listing(
            &farmer_a,
            &json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": 200_000,
                    "quantity": 50, "lot_id": lot["id"]}),
        )
        .await;
    assert_eq!(tea["unit_weight_g"], 1_000);
    // sold by the bottle: the seller says what one weighs packed
    let honey_body = json!({"title": "Mật ong rừng", "category": "mat-ong", "unit": "chai",
                            "price_vnd": 150_000, "quantity": 20});
    let r = s.post_json("/api/v1/listings", Some(&farmer_b), &honey_body).await;
    let e: Value = {
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        r.json().await.unwrap()
    };
    assert_eq!(
        (e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (Some("required"), Some("unit_weight_g"))
    );
    for bad in [json!(0), json!(-5), json!(2.5), json!(30_001), json!("700")] {
        let mut body = honey_body.clone();
        body["unit_weight_g"] = bad.clone();
        let r = s.post_json("/api/v1/listings", Some(&farmer_b), &body).await;
        let status = r.status();
        let e: Value = r.json().await.unwrap();
        assert!(status.is_client_error(), "{bad}: {status} {e}");
        assert!(e["error"]["code"].is_string(), "{bad}: {e}");
    }
    let mine: Value = ok(s.get(&format!("/api/v1/sellers/{seller_b}/listings"), Some(&farmer_b)).await).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 0, "nothing half-saved: {mine}");
    let mut body = honey_body.clone();
    body["unit_weight_g"] = json!(700);
    let honey = s.listing(&farmer_b, &body).await;
    assert_eq!(honey["unit_weight_g"], 700);
    let buyer = s.buyer("0987000001").await;
    Market {
        tea: tea["id"].as_str().unwrap().to_string(),
        honey: honey["id"].as_str().unwrap().to_string(),
        s,
        seller_a,
        farmer_a,
        seller_b,
        farmer_b,
        buyer,
    }
}

#[tokio::test]
async fn two_parcels_priced_by_zone_and_weight_paid_tracked_delivered_and_returned() {
    let m = market().await;
    let s = &m.s;
    let (tea, honey) = (m.tea.as_str(), m.honey.as_str());

    // Before ordering, the buyer sees goods, postage and total.
    let quote = ok(s
        .post_json(
            "/api/v1/postage/quote",
            None,
            &json!({"items": [{"listing_id": tea, "quantity": 2}, {"listing_id": honey, "quantity": 3}],
                    "commune_code": "00004", "payment_method": "vietqr"}),
        )
        .await)
    .await;
    // A: 2 kg of tea, 2.1 kg packed, far: 52,000 + 8,000; B: 3 bottles of
    // 700 g, 2.2 kg packed, neighbouring: 38,000 + 5,000
    assert_eq!((quote["goods_vnd"].as_i64(), quote["postage_vnd"].as_i64()), (Some(850_000), Some(103_000)));
    assert_eq!(quote["total_vnd"], 953_000);
    let by_zone: Vec<(String, i64, i64)> = quote["parcels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["zone"].as_str().unwrap().to_string(),
                p["weight_g"].as_i64().unwrap(),
                p["postage_vnd"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(by_zone.contains(&("far".into(), 2_100, 60_000)), "{quote}");
    assert!(by_zone.contains(&("neighbouring".into(), 2_200, 43_000)), "{quote}");

    // Ordered: the same prices, and the VietQR asks for goods and postage.
    let order = place(s, &m.buyer, &[(tea, 2), (honey, 3)], "vietqr").await;
    let (id, code) = (order["id"].as_str().unwrap(), order["code"].as_str().unwrap());
    assert_eq!((order["goods_vnd"].as_i64(), order["postage_vnd"].as_i64()), (Some(850_000), Some(103_000)));
    assert_eq!(order["total_vnd"], 953_000);
    assert_eq!(order["payment"]["vietqr"]["amount_vnd"], 953_000);
    assert!(order["payment"]["vietqr"]["payload"].as_str().unwrap().contains("5406953000"));
    let (part_a, part_b) = (part_of(&order, &m.seller_a).clone(), part_of(&order, &m.seller_b).clone());
    assert_eq!((part_a["postage_vnd"].as_i64(), part_a["zone"].as_str()), (Some(60_000), Some("far")));
    assert_eq!((part_b["postage_vnd"].as_i64(), part_b["weight_g"].as_i64()), (Some(43_000), Some(2_200)));
    let codes: Vec<&str> = [&part_a, &part_b].iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&format!("{code}-1").as_str()) && codes.contains(&format!("{code}-2").as_str()));

    ok(s.notify(&notification("p-1", code, 953_000)).await).await;
    assert_eq!(s.balance(&format!("escrow:order:{id}")).await, 953_000);
    ok(act(s, &m.farmer_a, id, "confirm", None).await).await;
    ok(act(s, &m.farmer_b, id, "confirm", None).await).await;
    s.books().await;

    // The counter takes A's parcel with the carrier's number, typed or
    // scanned in any case; a number is one parcel's.
    let (a_id, b_id) = (part_a["id"].as_str().unwrap(), part_b["id"].as_str().unwrap());
    let r = act(
        s,
        &s.staff_token,
        id,
        "confirm",
        Some(json!({"part_id": a_id, "tracking_number": "EE123456789VN"})),
    )
    .await;
    error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let r =
        act(s, &s.staff_token, id, "hand-over", Some(json!({"part_id": a_id, "tracking_number": "EE 12"})))
            .await;
    assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "invalid_format");
    let r = act(s, &s.staff_token, id, "hand-over", Some(json!({"tracking_number": "EE123456789VN"}))).await;
    assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "required", "two parcels: name one");
    let after = ok(act(
        s,
        &s.staff_token,
        id,
        "hand-over",
        Some(json!({"part_id": a_id, "tracking_number": " ee123456789vn "})),
    )
    .await)
    .await;
    let tracking = &part_of(&after, &m.seller_a)["tracking"];
    assert_eq!(tracking["number"], "EE123456789VN");
    assert_eq!(tracking["steps"][0]["step"], "handed_over");
    let r = act(
        s,
        &s.staff_token,
        id,
        "hand-over",
        Some(json!({"part_id": b_id, "tracking_number": "EE123456789VN"})),
    )
    .await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "already_taken");
    ok(act(s, &s.staff_token, id, "hand-over", Some(json!({"part_id": b_id}))).await).await;

    // The label printed at hand-over: its barcode reads back as the part's
    // code, its QR as the lot's Digital Link (the parcel holds one lot).
    let (a_code, b_code) = (part_a["code"].as_str().unwrap(), part_b["code"].as_str().unwrap());
    let png = label_png(s, a_code).await;
    assert_eq!(read_barcode(&png), a_code);
    let lot_link =
        ok(s.get(&format!("/api/v1/listings/{tea}"), None).await).await["lot"]["digital_link"].clone();
    assert_eq!(read_qrs(&png), [lot_link.as_str().unwrap()]);
    assert_eq!(read_barcode(&label_png(s, b_code).await), b_code);
    assert!(read_qrs(&label_png(s, b_code).await).is_empty(), "no lot, no QR");
    let r = s.get(&format!("/api/v1/parcels/{a_code}/label.svg"), Some(&s.staff_token)).await;
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let svg = r.text().await.unwrap();
    assert!(svg.contains("width=\"105mm\"") && svg.contains("height=\"148mm\""), "A6");
    assert!(svg.contains(a_code) && svg.contains("EE123456789VN") && svg.contains("2,1 kg"));
    assert!(svg.contains("KHÔNG THU TIỀN"), "paid by transfer: nothing to collect");
    error_code(
        s.get(&format!("/api/v1/parcels/{a_code}/label.png"), Some(&m.buyer)).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Delivery at the counter: the scanner types the label's code.
    let scanned = ok(s
        .get(
            &format!("/api/v1/parcels/{}", part_a["code"].as_str().unwrap().to_lowercase()),
            Some(&s.staff_token),
        )
        .await)
    .await;
    assert_eq!((scanned["part_id"].as_str(), scanned["status"].as_str()), (Some(a_id), Some("handed_over")));
    assert_eq!(scanned["collect_vnd"], 0, "paid by transfer: nothing to collect");
    assert_eq!(scanned["shipping"]["commune_code"], "00004");
    error_code(s.get("/api/v1/parcels/NS00000000-1", Some(&s.staff_token)).await, StatusCode::NOT_FOUND)
        .await;
    error_code(s.get(&format!("/api/v1/parcels/{}", codes[0]), Some(&m.buyer)).await, StatusCode::FORBIDDEN)
        .await;
    ok(act(s, &s.staff_token, id, "deliver", Some(json!({"part_id": a_id}))).await).await;
    // the goods go to the seller less the fee; the postage to the post office, with no fee
    assert_eq!(s.balance(&format!("payable:seller:{}", m.seller_a)).await, 400_000 - 8_000);
    assert_eq!(s.balance("revenue:platform-fees").await, 8_000);
    let earnings = ok(s.get("/api/v1/postage/earnings", Some(&s.staff_token)).await).await;
    assert_eq!(
        (earnings["earned_vnd"].as_i64(), earnings["awaiting_delivery_vnd"].as_i64()),
        (Some(60_000), Some(43_000))
    );

    // B's parcel comes back: its goods and its postage are owed back.
    let back = ok(act(
        s,
        &s.staff_token,
        id,
        "return",
        Some(json!({"part_id": b_id, "reason": "người nhận không nghe máy"})),
    )
    .await)
    .await;
    let steps: Vec<&str> = part_of(&back, &m.seller_b)["tracking"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["handed_over", "returned"]);
    assert_eq!(s.balance(&format!("refund:order:{id}")).await, 450_000 + 43_000);
    assert_eq!(s.balance(&format!("payable:seller:{}", m.seller_b)).await, 0);
    let earnings = ok(s.get("/api/v1/postage/earnings", Some(&s.staff_token)).await).await;
    assert_eq!(
        (earnings["earned_vnd"].as_i64(), earnings["awaiting_delivery_vnd"].as_i64()),
        (Some(60_000), Some(0))
    );
    let refund = json!({"amount_vnd": 493_000, "reference": "FT-HOAN-B"});
    let money =
        ok(s.post_json(&format!("/api/v1/orders/{id}/refunds"), Some(&s.admin_token), &refund).await).await;
    assert_eq!((money["refund_due_vnd"].as_i64(), money["refunded_vnd"].as_i64()), (Some(0), Some(493_000)));
    assert_eq!(s.balance(&format!("escrow:order:{id}")).await, 0);
    // the buyer sees where each parcel went
    let seen = ok(s.get(&format!("/api/v1/orders/{id}"), Some(&m.buyer)).await).await;
    assert_eq!(part_of(&seen, &m.seller_a)["tracking"]["steps"][1]["step"], "delivered");
    assert_eq!(seen["amount_due_vnd"], 400_000 + 60_000);
    s.books().await;
}

#[tokio::test]
async fn cash_on_delivery_collects_and_remits_the_postage_too() {
    let m = market().await;
    let s = &m.s;
    let order = place(s, &m.buyer, &[(&m.tea, 1), (&m.honey, 1)], "cod").await;
    let id = order["id"].as_str().unwrap();
    // A: 1.1 kg far 52,000; B: 0.8 kg neighbouring 30,000; each with the
    // least cash-on-delivery surcharge, 10,000
    assert_eq!((order["goods_vnd"].as_i64(), order["postage_vnd"].as_i64()), (Some(350_000), Some(102_000)));
    assert_eq!(order["total_vnd"], 452_000);
    for farmer in [&m.farmer_a, &m.farmer_b] {
        ok(act(s, farmer, id, "confirm", None).await).await;
    }
    ok(act(s, &s.staff_token, id, "hand-over", None).await).await;
    let b_code = part_of(&order, &m.seller_b)["code"].as_str().unwrap();
    let scanned = ok(s.get(&format!("/api/v1/parcels/{b_code}"), Some(&s.staff_token)).await).await;
    assert_eq!(scanned["collect_vnd"], 150_000 + 40_000, "the postman collects goods and postage");
    let svg = s
        .get(&format!("/api/v1/parcels/{b_code}/label.svg"), Some(&s.staff_token))
        .await
        .text()
        .await
        .unwrap();
    assert!(svg.contains("190.000 đ"), "the label says what to collect");
    assert_eq!(read_barcode(&label_png(s, b_code).await), b_code);
    ok(act(s, &s.staff_token, id, "deliver", None).await).await;
    s.books().await;
    let position = ok(s.get("/api/v1/cod/position", Some(&s.staff_token)).await).await;
    assert_eq!(position["owed_vnd"], 452_000);
    let earnings = ok(s.get("/api/v1/postage/earnings", Some(&s.staff_token)).await).await;
    assert_eq!(earnings["earned_vnd"], 102_000);
    // the remittance is all the postman collected
    let remit =
        ok(s.post_json("/api/v1/cod/remittances", Some(&s.staff_token), &json!({"reference": "BD-1"})).await)
            .await;
    assert_eq!(remit["amount_vnd"], 452_000);
    let rid = remit["id"].as_str().unwrap();
    ok(s.notify(&notification("remit-1", "BD HONG THAI NOP TIEN THU HO BD-1", 452_000)).await).await;
    ok(s.post_json(
        &format!("/api/v1/cod/remittances/{rid}/received"),
        Some(&s.admin_token),
        &json!({"notification_id": "remit-1"}),
    )
    .await)
    .await;
    assert_eq!(s.balance("bank:collection").await, 452_000);
    // sellers are paid their goods less fees; the postage stays for the post office
    let batch = ok(s.post_json("/api/v1/payouts", Some(&s.admin_token), &json!({})).await).await;
    assert_eq!(batch["total_vnd"], (200_000 - 4_000) + (150_000 - 3_000));
    s.books().await;
}

#[tokio::test]
async fn a_new_tariff_prices_new_orders_only_and_a_broken_one_is_refused() {
    let m = market().await;
    let s = &m.s;
    let before = place(s, &m.buyer, &[(&m.tea, 2)], "vietqr").await;
    assert_eq!(before["postage_vnd"], 60_000);
    let current = ok(s.get("/api/v1/postage/tariff", None).await).await;
    assert_eq!(current["id"], "standard");
    let mut tariff = current["tariff"].clone();

    // broken tariffs are refused with the field at fault, and nothing changes
    let mut gap = tariff.clone();
    gap["zones"]["far"]["bands"][1]["from_g"] = json!(600);
    let mut overlap = tariff.clone();
    overlap["zones"]["far"]["bands"][2]["from_g"] = json!(900);
    let mut cheaper = tariff.clone();
    cheaper["zones"]["neighbouring"]["bands"][2]["price_vnd"] = json!(1_000);
    let mut missing = tariff.clone();
    missing["zones"].as_object_mut().unwrap().remove("same_commune");
    for (bad, field) in [
        (gap, "zones.far.bands[1].from_g"),
        (overlap, "zones.far.bands[2].from_g"),
        (cheaper, "zones.neighbouring.bands[2].price_vnd"),
        (missing, "zones.same_commune"),
    ] {
        let r = s.send(Method::PUT, "/api/v1/postage/tariff", Some(&s.admin_token), Some(&bad)).await;
        let e: Value = {
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            r.json().await.unwrap()
        };
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let r =
        s.send(Method::PUT, "/api/v1/postage/tariff", Some(&s.admin_token), Some(&json!({"zones": 1}))).await;
    assert!(r.status().is_client_error());
    let r = s.send(Method::PUT, "/api/v1/postage/tariff", Some(&s.staff_token), Some(&tariff)).await;
    error_code(r, StatusCode::FORBIDDEN).await;
    assert_eq!(ok(s.get("/api/v1/postage/tariff", None).await).await["id"], "standard");

    // far parcels cost twice as much from now on
    for band in tariff["zones"]["far"]["bands"].as_array_mut().unwrap() {
        band["price_vnd"] = json!(band["price_vnd"].as_i64().unwrap() * 2);
    }
    tariff["zones"]["far"]["extra_step_vnd"] = json!(16_000);
    let replaced =
        ok(s.send(Method::PUT, "/api/v1/postage/tariff", Some(&s.admin_token), Some(&tariff)).await).await;
    assert_ne!(replaced["id"], "standard");
    assert!(replaced["since"].is_string());
    let after = place(s, &m.buyer, &[(&m.tea, 2)], "vietqr").await;
    assert_eq!(after["postage_vnd"], 104_000 + 16_000);
    // the order placed before keeps its postage, and what it asks for
    let kept =
        ok(s.get(&format!("/api/v1/orders/{}", before["id"].as_str().unwrap()), Some(&m.buyer)).await).await;
    assert_eq!((kept["postage_vnd"].as_i64(), kept["total_vnd"].as_i64()), (Some(60_000), Some(460_000)));
    assert_eq!(kept["payment"]["vietqr"]["amount_vnd"], 460_000);
}

#[tokio::test]
async fn a_parcel_heavier_than_the_post_takes_is_refused_and_nothing_is_taken() {
    let m = market().await;
    let s = &m.s;
    // 30 kg of tea and 100 g of packaging: over 30 kg
    let r = s.post_json("/api/v1/orders", Some(&m.buyer), &order_body(&[(&m.tea, 30)], "cod")).await;
    let e: Value = {
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        r.json().await.unwrap()
    };
    assert_eq!(e["error"]["code"], "parcel_too_heavy", "{e}");
    assert_eq!(e["error"]["params"]["max"], 30_000);
    let listing = ok(s.get(&format!("/api/v1/listings/{}", m.tea), None).await).await;
    assert_eq!(listing["quantity"], 50, "no stock taken");
    let r = s
        .post_json(
            "/api/v1/postage/quote",
            None,
            &json!({"items": [{"listing_id": m.tea, "quantity": 30}], "commune_code": "00004", "payment_method": "cod"}),
        )
        .await;
    assert_eq!(error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await, "parcel_too_heavy");
    // a quote for a commune that is not in the list, or no lines
    let r = s
        .post_json(
            "/api/v1/postage/quote",
            None,
            &json!({"items": [{"listing_id": m.tea, "quantity": 1}], "commune_code": "99999", "payment_method": "cod"}),
        )
        .await;
    error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let r = s
        .post_json(
            "/api/v1/postage/quote",
            None,
            &json!({"items": [], "commune_code": "00004", "payment_method": "cod"}),
        )
        .await;
    error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    // a seller changes the weight: new orders use it
    let r = s
        .send(
            Method::PATCH,
            &format!("/api/v1/listings/{}", m.honey),
            Some(&m.farmer_b),
            Some(&json!({"unit_weight_g": 1_500})),
        )
        .await;
    assert_eq!(ok(r).await["unit_weight_g"], 1_500);
    let order = place(s, &m.buyer, &[(&m.honey, 1)], "vietqr").await;
    // 1.6 kg neighbouring: 38,000
    assert_eq!(order["postage_vnd"], 38_000);
    let _ = (&m.seller_a, &m.farmer_a);
}
