//! What the officers' dashboard at `/officer` reads: the area's names, the
//! measures the communes' digital-transformation programmes report
//! (sellers selling online, products online, orders paid by bank transfer
//! rather than cash) and the communes side by side; an officer of a
//! commune's organisation reads their province only, and changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{act, error_code, notification, place, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

const HONG_THAI: &str = "02260"; // Tỉnh Tuyên Quang (08)
const NGOC_DUONG: &str = "00700"; // Tỉnh Tuyên Quang (08)
const TU_LE: &str = "04630"; // Tỉnh Lào Cai (15)

fn produce(title: &str, price: i64, quantity: i64) -> Value {
    json!({"title": title, "category": "che", "unit": "kg", "price_vnd": price, "quantity": quantity})
}

/// An officer of the People's Committee of Xã Hồng Thái (an organisation
/// placed in that commune); signs in.
async fn commune_officer(s: &TestServer, phone: &str) -> String {
    let state = s.state.clone();
    let phone_owned = phone.to_string();
    tokio::task::spawn_blocking(move || {
        let mut conn = state.pool.get().unwrap();
        let org = traceability::keys::create_organisation(
            &mut conn,
            traceability::keys::ORG_COOPERATIVE,
            "UBND xã Hồng Thái",
            Some(HONG_THAI),
        )
        .unwrap();
        accounts::users::insert_user(
            &mut conn,
            accounts::users::NewUser {
                role: accounts::Role::Officer,
                phone: &accounts::Phone::parse(&phone_owned).unwrap(),
                name: "Cán bộ UBND xã Hồng Thái",
                password_hash: Some(accounts::passwords::hash_password(PASSWORD).unwrap()),
                organisation_id: Some(&common::OrganisationId::parse(&org).unwrap()),
            },
        )
        .unwrap();
    })
    .await
    .unwrap();
    s.login(phone, PASSWORD).await
}

async fn read(s: &TestServer, path: &str, token: &str) -> Value {
    let r = s.get(path, Some(token)).await;
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{path}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Two sellers in Hồng Thái (one selling, one sold out), one in Ngọc Đường
/// with two listings, one in Tú Lệ; in Hồng Thái one order paid by bank
/// transfer, one in cash, one transfer never paid and one cash order
/// cancelled (neither counts).
async fn market(s: &TestServer) {
    let (_, a) = s.farmer_in("0912000201", "008080002001", HONG_THAI).await;
    let (_, b) = s.farmer_in("0912000202", "008080002002", HONG_THAI).await;
    let (_, c) = s.farmer_in("0912000203", "008080002003", NGOC_DUONG).await;
    let (_, d) = s.farmer_in("0912000204", "015150002004", TU_LE).await;
    let tea = s.listing(&a, &produce("Chè Shan tuyết", 100_000, 20)).await;
    s.listing(&b, &produce("Măng khô", 50_000, 0)).await;
    s.listing(&c, &produce("Cam sành", 30_000, 50)).await;
    s.listing(&c, &produce("Mật ong", 200_000, 5)).await;
    s.listing(&d, &produce("Gạo nếp Tú Lệ", 250_000, 10)).await;

    let buyer = s.buyer("0987000201").await;
    let tea = tea["id"].as_str().unwrap();
    let cash = place(s, &buyer, &[(tea, 2)], "cod").await;
    let id = cash["id"].as_str().unwrap();
    act(s, &a, id, "confirm", None).await;
    act(s, &s.staff_token, id, "hand-over", None).await;
    assert_eq!(act(s, &s.staff_token, id, "deliver", None).await.status(), StatusCode::OK);
    let transfer = place(s, &buyer, &[(tea, 1)], "vietqr").await;
    let (code, total) = (transfer["code"].as_str().unwrap(), transfer["total_vnd"].as_i64().unwrap());
    assert_eq!(s.notify(&notification("of-1", code, total)).await.status(), StatusCode::OK);
    let paid: Value = s
        .get(&format!("/api/v1/orders/{}", transfer["id"].as_str().unwrap()), Some(&buyer))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(paid["status"], "paid", "{paid}");
    place(s, &buyer, &[(tea, 1)], "vietqr").await; // never paid
    let dropped = place(s, &buyer, &[(tea, 1)], "cod").await;
    let r = act(s, &buyer, dropped["id"].as_str().unwrap(), "cancel", None).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_measures_count_sellers_online_products_and_how_orders_were_paid() {
    let s = TestServer::start().await;
    market(&s).await;
    let month = (chrono::Utc::now() + chrono::Duration::hours(7)).format("%Y-%m").to_string();
    let v =
        read(&s, &format!("/api/v1/stats?commune={HONG_THAI}&from={month}&to={month}"), &s.admin_token).await;
    assert_eq!(v["area"], "commune");
    assert_eq!(v["commune_name"], "Xã Hồng Thái");
    assert_eq!(v["province_code"], "08");
    assert_eq!(v["province_name"], "Tỉnh Tuyên Quang");
    assert_eq!(
        v["measures"],
        json!({"sellers": 2, "sellers_online": 1, "sellers_online_percent": 50, "products_online": 1,
               "orders_bank_transfer": 1, "orders_cash": 1, "bank_transfer_percent": 50})
    );
    let this = &v["months"][0];
    assert_eq!(this["month"], month.as_str());
    assert_eq!((this["orders_placed"].as_i64(), this["orders_bank_transfer"].as_i64()), (Some(4), Some(1)));
    assert_eq!(this["orders_cash"], 1, "the cancelled cash order does not count");
    assert_eq!(this["revenue_vnd"], 200_000);

    let v = read(&s, "/api/v1/stats?province=08", &s.admin_token).await;
    assert_eq!((v["province_name"].as_str(), v["commune_name"].as_str()), (Some("Tỉnh Tuyên Quang"), None));
    assert_eq!(v["measures"]["sellers"], 3);
    assert_eq!(v["measures"]["sellers_online"], 2);
    assert_eq!(v["measures"]["sellers_online_percent"], 67);
    assert_eq!(v["measures"]["products_online"], 3);
    let v = read(&s, "/api/v1/stats", &s.admin_token).await;
    assert_eq!(v["area"], "country");
    assert_eq!(v["measures"]["sellers"], 4);
    assert_eq!(v["measures"]["sellers_online"], 3);
    // nothing sold: no share to speak of
    let v = read(&s, "/api/v1/stats?commune=00004", &s.admin_token).await;
    assert_eq!(v["measures"]["sellers_online_percent"], Value::Null);
    assert_eq!(v["measures"]["bank_transfer_percent"], Value::Null);
    assert_eq!(v["commune_name"], "Phường Ba Đình");
}

#[tokio::test]
async fn communes_rank_side_by_side() {
    let s = TestServer::start().await;
    market(&s).await;
    let r = read(&s, "/api/v1/stats/communes?province=08", &s.admin_token).await;
    assert_eq!(r["province_name"], "Tỉnh Tuyên Quang");
    let rows = r["communes"].as_array().unwrap();
    let names: Vec<(i64, &str)> =
        rows.iter().map(|c| (c["rank"].as_i64().unwrap(), c["commune_name"].as_str().unwrap())).collect();
    // one seller online each; Ngọc Đường has two products online
    assert_eq!(names, [(1, "Xã Ngọc Đường"), (2, "Xã Hồng Thái")]);
    let ht = &rows[1];
    assert_eq!(ht["commune_code"], HONG_THAI);
    assert_eq!((ht["sellers"].as_i64(), ht["sellers_online"].as_i64()), (Some(2), Some(1)));
    assert_eq!(ht["sellers_online_percent"], 50);
    assert_eq!(ht["products_online"], 1);
    assert_eq!(ht["orders_placed"], 4);
    assert_eq!((ht["orders_bank_transfer"].as_i64(), ht["orders_cash"].as_i64()), (Some(1), Some(1)));
    assert_eq!(ht["bank_transfer_percent"], 50);
    assert_eq!(ht["revenue_vnd"], 200_000);
    assert_eq!(ht["own"], false, "admin has no commune of its own");
    // a commune stands for its province; the country lists every commune with sellers
    let same = read(&s, &format!("/api/v1/stats/communes?commune={NGOC_DUONG}"), &s.admin_token).await;
    assert_eq!(same["communes"], r["communes"]);
    let all = read(&s, "/api/v1/stats/communes", &s.staff_token).await;
    assert_eq!(all["province_code"], Value::Null);
    assert_eq!(all["communes"].as_array().unwrap().len(), 3);
    let lao_cai = read(&s, "/api/v1/stats/communes?province=15", &s.admin_token).await;
    assert_eq!(lao_cai["communes"][0]["commune_name"], "Xã Tú Lệ");
    assert_eq!(lao_cai["communes"].as_array().unwrap().len(), 1);
    // bad input as for the statistics
    for bad in ["province=8", "commune=1", "province=08&commune=02260", "from=2026-13"] {
        let r = s.get(&format!("/api/v1/stats/communes?{bad}"), Some(&s.admin_token)).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

#[tokio::test]
async fn an_officer_reads_only_their_province_and_changes_nothing() {
    let s = TestServer::start().await;
    market(&s).await;
    let officer = commune_officer(&s, "0900000014").await;

    // asked for nothing, they get their province
    let v = read(&s, "/api/v1/stats", &officer).await;
    assert_eq!((v["area"].as_str(), v["province_code"].as_str()), (Some("province"), Some("08")));
    assert_eq!(v["measures"]["sellers"], 3, "Tú Lệ is not theirs");
    read(&s, &format!("/api/v1/stats?commune={NGOC_DUONG}"), &officer).await;
    read(&s, "/api/v1/stats?province=08", &officer).await;
    for elsewhere in ["province=15", "commune=04630", "province=01"] {
        let r = s.get(&format!("/api/v1/stats?{elsewhere}"), Some(&officer)).await;
        assert_eq!(error_code(r, StatusCode::FORBIDDEN).await, "forbidden", "{elsewhere}");
        let r = s.get(&format!("/api/v1/stats/communes?{elsewhere}"), Some(&officer)).await;
        assert_eq!(error_code(r, StatusCode::FORBIDDEN).await, "forbidden", "{elsewhere}");
    }
    // their communes side by side, their own marked
    let r = read(&s, "/api/v1/stats/communes", &officer).await;
    assert_eq!(r["province_code"], "08");
    let rows = r["communes"].as_array().unwrap();
    let codes: Vec<(&str, bool)> =
        rows.iter().map(|c| (c["commune_code"].as_str().unwrap(), c["own"].as_bool().unwrap())).collect();
    assert_eq!(codes, [(NGOC_DUONG, false), (HONG_THAI, true)]);

    // an officer of the operator (no commune) reads every province, as before
    let national = s.user(accounts::Role::Officer, "0900000015").await;
    read(&s, "/api/v1/stats?province=15", &national).await;
    let all = read(&s, "/api/v1/stats/communes", &national).await;
    assert!(all["communes"].as_array().unwrap().iter().all(|c| c["own"] == false));

    // reading is all they do
    let listing = produce("Chè", 1_000, 1);
    error_code(s.post_json("/api/v1/listings", Some(&officer), &listing).await, StatusCode::FORBIDDEN).await;
    let seller = crate::support::seller_body("0912000299", "008080002099");
    error_code(s.post_json("/api/v1/sellers", Some(&officer), &seller).await, StatusCode::FORBIDDEN).await;
    let lot = json!({"product_name": "Chè", "quantity": "1", "unit": "kg", "harvested_on": "2025-10-28",
                     "commune_code": HONG_THAI});
    error_code(s.post_json("/api/v1/lots", Some(&officer), &lot).await, StatusCode::FORBIDDEN).await;
    // farmers, buyers and strangers read no ranking
    let (_, farmer) = s.farmer_in("0912000298", "008080002098", HONG_THAI).await;
    error_code(s.get("/api/v1/stats/communes", Some(&farmer)).await, StatusCode::FORBIDDEN).await;
    error_code(s.get("/api/v1/stats/communes", None).await, StatusCode::UNAUTHORIZED).await;
}
