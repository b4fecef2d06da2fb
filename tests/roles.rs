//! Every role against every route: each operation of the OpenAPI document
//! is called by each kind of caller, on another party's resource and on its
//! own, and must answer what the matrix below says. A route added to the
//! document without a row here fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::support::{self, seller_body, TestServer, PASSWORD, WEBHOOK_KEY};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Caller {
    /// No token.
    Anon,
    Admin,
    /// Post office 1: onboarded farmers A and B.
    Staff,
    /// Post office 2: none of the farmers here are its own.
    Staff2,
    /// Owns the listing, lot and order part acted on.
    FarmerA,
    /// Same post office as A, its own listing and lot.
    FarmerB,
    /// Ordered from farmer A.
    BuyerX,
    /// Ordered nothing from anyone in the world.
    BuyerY,
    /// Reads statistics, changes nothing.
    Officer,
}

use Caller::*;

/// The matrix's columns, in order.
const CALLERS: [Caller; 9] = [Anon, Admin, Staff, Staff2, FarmerA, FarmerB, BuyerX, BuyerY, Officer];
const COLUMNS: &str = "anon admin staff staff2 farmA farmB buyX buyY officer";

/// One row per operation: method, path template, then the status each caller
/// gets, in the order of `COLUMNS`. Writes act on fresh objects of farmer A
/// (listing, lot, order bought by X), so rows do not depend on each other.
///
/// `404*`: answered 404 where the convention (403 when the role may never do
/// this, 404 when it could but the object is not its own) says 403. Nothing
/// is allowed either way; these cells are listed at the end of each run.
/// `-`: not checked beyond "no 5xx, error bodies well formed".
#[rustfmt::skip]
const MATRIX: &[&str] = &[
    //                                                anon admin staff staff2 farmA farmB buyX buyY officer
    "GET    /healthz                                  200  200  200  200  200  200  200  200  200",  // public
    "GET    /metrics                                  401  401  401  401  401  401  401  401  401",  // NONGSAN_METRICS_TOKEN only, never a session
    // -- auth: not role-scoped; logout ends the caller's own (fresh) session
    "POST   /api/v1/auth/login                        200  200  200  200  200  200  200  200  200",  // buyer Y's credentials
    "POST   /api/v1/auth/logout                       401  204  204  204  204  204  204  204  204",
    "POST   /api/v1/auth/register                     201  201  201  201  201  201  201  201  201",  // a new buyer, token ignored
    "POST   /api/v1/auth/activate                     200  200  200  200  200  200  200  200  200",  // a fresh farmer's code
    "GET    /api/v1/auth/me                           401  200  200  200  200  200  200  200  200",
    // -- reference data: public
    "GET    /api/v1/categories                        200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/units                             200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/banks                             200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/provinces                         200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/communes                          200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/communes/{code}                   200  200  200  200  200  200  200  200  200",
    // -- sellers: staff (own post office) and admin only; a farmer sees its own record
    "POST   /api/v1/sellers                           401  201  201  201  403  403  403  403  403",  // joins the caller's office
    "POST   /api/v1/sellers/import                    401  201  201  201  403  403  403  403  403",
    "GET    /api/v1/sellers                           401  200  200  200  403  403  403  403  403",  // staff2: own office only
    "GET    /api/v1/sellers/me                        401  403  403  403  200  200  403  403  403",  // a farmer's own
    "GET    /api/v1/sellers/{id}                      401  200  200  404  200  404  403  403  403",  // seller A
    "POST   /api/v1/sellers/{id}/activation-code      401  201  201  404  403  403  403  403  403",  // fresh seller of office 1
    // -- listings: anyone reads; the seller, its office's staff and admin change
    "GET    /api/v1/listings                          200  200  200  200  200  200  200  200  200",
    "POST   /api/v1/listings                          401  201  201  422  201  403  403  403  403",  // names seller A; staff2: 'no such seller in your organisation'
    "GET    /api/v1/listings/{id}                     200  200  200  200  200  200  200  200  200",  // listing A
    "PATCH  /api/v1/listings/{id}                     401  200  200  404  200  404  403  403  403",  // fresh listing of A
    "DELETE /api/v1/listings/{id}                     401  204  204  404  204  404  403  403  403",  // fresh listing of A
    "GET    /api/v1/sellers/{id}/listings             401  200  200  404  200  404  403  403  403",  // seller A, paused ones too
    "POST   /api/v1/listings/{id}/photos              401  201  201  404  201  404  403  403  403",  // fresh listing of A
    "DELETE /api/v1/listings/{id}/photos/{photo_id}   401  204  204  404  204  404  403  403  403",  // fresh listing of A with a photo
    // -- orders: buyers and farmers place (never from their own listings); each party sees and moves only its part
    "POST   /api/v1/orders                            401  403  403  403  422  201  201  201  403",  // 1 unit of A's produce: A's own (own_listing)
    "GET    /api/v1/orders                            401  200  200  200  200  200  200  200  403",  // each its own (contents checked below)
    "GET    /api/v1/orders/{id}                       401  200  200  404  200  404  200  404  403",  // X's order from A
    "POST   /api/v1/orders/{id}/confirm               401  200  200  404  200  404  403  404  403",  // fresh COD order X→A
    "POST   /api/v1/orders/{id}/hand-over             401  200  200  404  403  404  403  404  403",  // fresh confirmed order
    "POST   /api/v1/orders/{id}/deliver               401  200  200  404  403  404  403  404  403",  // fresh handed-over order
    "POST   /api/v1/orders/{id}/cancel                401  200  200  404  200  404  200  404  403",  // fresh COD order, with a reason
    "POST   /api/v1/orders/{id}/return                401  200  200  404  403  404  403  404  403",  // fresh handed-over order, with a reason
    "GET    /api/v1/lots/{id}/orders                  401  200  200  404  403  403  403  403  403",  // lot A: buyers' contacts, staff only
    "GET    /api/v1/parcels/{code}                    401  200  200  404  403  403  403  403  403",  // a fresh COD parcel of A, by its label's code
    "GET    /api/v1/parcels/{code}/label.svg          401  200  200  404  403  403  403  403  403",  // the same
    "GET    /api/v1/parcels/{code}/label.png          401  200  200  404  403  403  403  403  403",  // the same
    // -- lots: records are public (traceability); the seller, its office and admin change them
    "POST   /api/v1/lots                              401  201  201  422  201  403  403  403  403",  // names seller A
    "GET    /api/v1/lots                              401  200  200  200  200  200  403  403  403",  // each its own (contents checked below)
    "GET    /api/v1/lots/{id}                         200  200  200  200  200  200  200  200  200",  // lot A
    "POST   /api/v1/lots/{id}/events                  401  201  201  403  201  403  403  403  403",  // fresh lot of A
    "GET    /api/v1/lots/{id}/events                  200  200  200  200  200  200  200  200  200",
    "POST   /api/v1/lots/{id}/recall                  401  200  200  403  403  403  403  403  403",  // fresh lot of A; staff and admin only
    "GET    /api/v1/lots/{id}/record                  200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/lots/{id}/records                 200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/lots/{id}/label.png               200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/lots/{id}/label.svg               200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/labels/sheet.svg                  200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/labels/sheet.html                 200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/lots/{id}/epcis                   200  200  200  200  200  200  200  200  200",
    "GET    /api/v1/exports/fsma204.csv               401  200  200  200  200  200  403  403  403",  // each its own lots (contents checked below)
    "POST   /api/v1/verify                            200  200  200  200  200  200  200  200  200",  // checks a record, stores nothing
    "GET    /api/v1/trust-list                        200  200  200  200  200  200  200  200  200",
    // -- payments: the bank's notifications by their key; an order's money for its buyer; the books for admin
    "POST   /api/v1/payments/bank-webhook             200  200  200  200  200  200  200  200  200",  // Apikey, no bearer: pays a fresh vietqr order
    "GET    /api/v1/payments/bank-transfers           401  200  200  200  403  403  403  403  403",  // each office's staff see their own orders' transfers (contents in security.rs)
    "POST   /api/v1/payments/bank-transfers/{id}/assign  401  200  200  404  403  403  403  403  403",  // fresh unmatched transfer naming two fresh vietqr orders of A → one of them
    "POST   /api/v1/payments/bank-transfers/{id}/return  401  200  403  403  403  403  403  403  403",  // fresh unmatched transfer sent back
    "GET    /api/v1/orders/{id}/payments              401  200  403  403  403  403  200  404  403",  // fresh paid vietqr order X→A: buyer and admin only, staff and farmers never
    "GET    /api/v1/orders/{id}/vietqr.png            401  200  403  403  403  403  200  404  403",  // fresh unpaid vietqr order X→A: the buyer scans it (admin may look)
    "POST   /api/v1/orders/{id}/refunds               401  200  403  403  403  403  403  403  403",  // fresh overpaid order: the excess paid back
    "GET    /api/v1/ledger/trial-balance              401  200  403  403  403  403  403  403  403",
    "GET    /api/v1/cod/position                      401  200  200  404  403  403  403  403  403",  // names office 1
    "POST   /api/v1/cod/remittances                   401  201  201  404  403  403  403  403  403",  // office 1, after a fresh COD delivery
    "POST   /api/v1/cod/remittances/{id}/received     401  200  403  403  403  403  403  403  403",  // fresh pending remittance of office 1
    "POST   /api/v1/cod/remittances/{id}/cancel       401  200  403  403  403  403  403  403  403",  // fresh pending remittance of office 1
    "POST   /api/v1/payouts                           401  201  403  403  403  403  403  403  403",  // after a fresh delivered, paid order of A
    "GET    /api/v1/payouts                           401  200  403  403  403  403  403  403  403",
    "GET    /api/v1/payouts/{id}                      401  200  403  403  403  403  403  403  403",  // fresh created batch
    "GET    /api/v1/payouts/{id}/bank-file.csv        401  200  403  403  403  403  403  403  403",  // fresh created batch
    "POST   /api/v1/payouts/{id}/sent                 401  200  403  403  403  403  403  403  403",  // fresh created batch
    "POST   /api/v1/payouts/{id}/confirm              401  200  403  403  403  403  403  403  403",  // fresh sent batch, nobody failed
    "GET    /api/v1/sellers/{id}/statement            401  200  200  404  200  404  403  403  403",  // seller A
    // -- postage: the price list and quotes are public; admin replaces it; a post office's earnings
    "GET    /api/v1/postage/tariff                    200  200  200  200  200  200  200  200  200",
    "PUT    /api/v1/postage/tariff                    401  200  403  403  403  403  403  403  403",  // the tariff in force, again
    "POST   /api/v1/postage/quote                     200  200  200  200  200  200  200  200  200",  // 1 unit of A's produce to Hà Nội
    "GET    /api/v1/postage/earnings                  401  200  200  404  403  403  403  403  403",  // names office 1
    "POST   /api/v1/postage/earnings/payments         401  200  403  403  403  403  403  403  403",  // 1 đồng of office 1's postage, after a fresh COD delivery
    // -- statistics: only when the document has the route
    "GET    /api/v1/stats                             401  200  200  200  403  403  403  403  200",
    "GET    /api/v1/stats/communes                    401  200  200  200  403  403  403  403  200",
];

/// Rows checked only when the OpenAPI document has them.
const OPTIONAL: &[&str] = &["GET /api/v1/stats"];

/// Writes anyone may make whatever their role: the caller's own session or
/// account, a check that stores nothing, or a bank notification (its
/// API key, not a role, lets it in). Every other write is refused to the
/// officer.
const ROLELESS_WRITES: &[&str] = &[
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/logout",
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/activate",
    "POST /api/v1/verify",
    "POST /api/v1/payments/bank-webhook",
    "POST /api/v1/postage/quote",
];

/// What farmer B must never be given on farmer A's objects (and buyer Y on
/// buyer X's order).
const A_PRIVATE: &[&str] = &[
    "GET /api/v1/sellers/{id}",
    "POST /api/v1/sellers/{id}/activation-code",
    "POST /api/v1/listings",
    "PATCH /api/v1/listings/{id}",
    "DELETE /api/v1/listings/{id}",
    "GET /api/v1/sellers/{id}/listings",
    "POST /api/v1/listings/{id}/photos",
    "DELETE /api/v1/listings/{id}/photos/{photo_id}",
    "GET /api/v1/orders/{id}",
    "POST /api/v1/orders/{id}/confirm",
    "POST /api/v1/orders/{id}/hand-over",
    "POST /api/v1/orders/{id}/deliver",
    "POST /api/v1/orders/{id}/cancel",
    "POST /api/v1/orders/{id}/return",
    "GET /api/v1/lots/{id}/orders",
    "POST /api/v1/lots",
    "POST /api/v1/lots/{id}/events",
    "POST /api/v1/lots/{id}/recall",
    "GET /api/v1/orders/{id}/payments",
    "GET /api/v1/orders/{id}/vietqr.png",
    "POST /api/v1/orders/{id}/refunds",
    "GET /api/v1/sellers/{id}/statement",
];
const X_PRIVATE: &[&str] = &[
    "GET /api/v1/orders/{id}",
    "POST /api/v1/orders/{id}/confirm",
    "POST /api/v1/orders/{id}/hand-over",
    "POST /api/v1/orders/{id}/deliver",
    "POST /api/v1/orders/{id}/cancel",
    "POST /api/v1/orders/{id}/return",
    "GET /api/v1/orders/{id}/payments",
    "GET /api/v1/orders/{id}/vietqr.png",
    "POST /api/v1/orders/{id}/refunds",
];
/// What staff of post office 2 must never be given on post office 1's
/// money: its sellers' statements, its cash on delivery.
const OFFICE1_PRIVATE: &[&str] = &[
    "GET /api/v1/sellers/{id}/statement",
    "GET /api/v1/cod/position",
    "POST /api/v1/cod/remittances",
    "GET /api/v1/postage/earnings",
    "GET /api/v1/parcels/{code}",
    "GET /api/v1/parcels/{code}/label.svg",
    "GET /api/v1/parcels/{code}/label.png",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Exactly(u16),
    /// 404 where the convention says 403.
    Hidden,
    Unchecked,
}

impl Cell {
    fn parse(s: &str) -> Cell {
        match s {
            "-" => Cell::Unchecked,
            "403 " => Cell::Hidden,
            n => Cell::Exactly(n.parse().unwrap_or_else(|_| panic!("bad matrix cell `{n}`"))),
        }
    }

    fn accepts(self, status: u16) -> bool {
        match self {
            Cell::Exactly(n) => n == status,
            Cell::Hidden => status == 404,
            Cell::Unchecked => true,
        }
    }

    fn refuses(self) -> bool {
        match self {
            Cell::Exactly(n) => (400..500).contains(&n),
            Cell::Hidden => true,
            Cell::Unchecked => false,
        }
    }
}

struct Row {
    method: Method,
    path: &'static str,
    cells: Vec<(Caller, Cell)>,
}

impl Row {
    fn op(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    fn cell(&self, caller: Caller) -> Cell {
        self.cells.iter().find(|(c, _)| *c == caller).map(|(_, cell)| *cell).unwrap()
    }
}

fn matrix() -> Vec<Row> {
    MATRIX
        .iter()
        .map(|line| {
            let mut words = line.split_whitespace();
            let method = Method::from_bytes(words.next().unwrap().as_bytes()).unwrap();
            let path = words.next().unwrap();
            let cells: Vec<Cell> = words.map(Cell::parse).collect();
            assert_eq!(cells.len(), CALLERS.len(), "{line}: one cell per caller ({COLUMNS})");
            Row { method, path, cells: CALLERS.into_iter().zip(cells).collect() }
        })
        .collect()
}

/// Every (method, path) of the OpenAPI document.
async fn documented_operations(s: &TestServer) -> BTreeSet<String> {
    let doc: Value = s.get("/api/openapi.json", None).await.json().await.unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "options", "head", "patch", "trace"] {
            if item.get(method).is_some() {
                ops.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(ops.len() > 40, "the document lists the API: {ops:?}");
    ops
}

// ---- the world ---------------------------------------------------------

const STAFF2_PHONE: &str = "0900000003";
const OFFICER_PHONE: &str = "0900000004";

struct World {
    s: TestServer,
    tokens: BTreeMap<Caller, String>,
    phones: BTreeMap<Caller, String>,
    /// Post office 1: the operator's organisation, farmers A and B's.
    office1: String,
    seller_a: String,
    seller_b: String,
    listing_a: String,
    listing_b: String,
    /// Farmer A's produce with plenty of stock, for the orders rows buy.
    stock_a: String,
    lot_a: String,
    lot_a_code: String,
    lot_b: String,
    /// Buyer X's order from farmer A alone.
    order_x: String,
    /// Buyer X's order from farmers A and B at once.
    mixed: String,
    record_a: Value,
    next: AtomicU32,
}

fn produce(quantity: i64) -> Value {
    json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": 350000, "quantity": quantity})
}

fn lot_body(seller_id: &str) -> Value {
    json!({
        "product_name": "Chè Shan tuyết", "quantity": "12.5", "unit": "kg",
        "harvested_on": "2025-10-28", "commune_code": "02260", "seller_id": seller_id
    })
}

fn order_body(items: &[&str]) -> Value {
    json!({
        "items": items.iter().map(|id| json!({"listing_id": id, "quantity": 1})).collect::<Vec<_>>(),
        "shipping": {"name": "Trần Minh Anh", "phone": "0987000001", "address": "12 Hàng Bạc", "commune_code": "00004"},
        "payment_method": "cod",
    })
}

const CSV_HEADER: &str = "full_name,phone,national_id,commune_code,address,farm_name,bank_bin,\
                          bank_account_number,bank_account_name,consent_terms_version,consent_method";

/// A small JPEG.
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(24, 16, |x, y| image::Rgb([(x * 10) as u8, (y * 15) as u8, 90]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    jpeg
}

/// Asserts a success and returns the JSON body.
async fn ok_json(r: reqwest::Response, what: &str) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

impl World {
    async fn build() -> World {
        let s = TestServer::start().await;
        let state = s.state.clone();
        let office1 = tokio::task::spawn_blocking(move || {
            let mut conn = state.pool.get().unwrap();
            let office1 = traceability::keys::operator_organisation(&mut conn).unwrap().expect("office 1");
            let (office2, _did) = traceability::keys::add_signing_organisation(
                &mut conn,
                &state.master,
                traceability::keys::ORG_POST_OFFICE,
                "Bưu điện Mù Cang Chải",
                None,
            )
            .unwrap();
            let hash = accounts::passwords::hash_password(PASSWORD).unwrap();
            let office2 = common::OrganisationId::parse(&office2).unwrap();
            for (role, phone, name, org) in [
                (accounts::Role::Staff, STAFF2_PHONE, "Staff 2", Some(&office2)),
                (accounts::Role::Officer, OFFICER_PHONE, "Cán bộ xã", None),
            ] {
                accounts::users::insert_user(
                    &mut conn,
                    accounts::users::NewUser {
                        role,
                        phone: &accounts::Phone::parse(phone).unwrap(),
                        name,
                        password_hash: Some(hash.clone()),
                        organisation_id: org,
                    },
                )
                .unwrap();
            }
            office1
        })
        .await
        .unwrap();

        let (seller_a, farmer_a) = s.farmer("0912000001", "008080000001").await;
        let (seller_b, farmer_b) = s.farmer("0912000002", "008080000002").await;
        let buyer_x = s.buyer("0987100001").await;
        let buyer_y = s.buyer("0987100002").await;
        let staff2 = s.login(STAFF2_PHONE, PASSWORD).await;
        let officer = s.login(OFFICER_PHONE, PASSWORD).await;

        let lot_a = s.lot(&seller_a).await;
        let lot_b = s.lot(&seller_b).await;
        let lot_a_id = lot_a["id"].as_str().unwrap().to_string();
        // a critical tracking event, so that the FSMA export has a row of lot A
        let r = s
            .post_json(
                &format!("/api/v1/lots/{lot_a_id}/events"),
                Some(&farmer_a),
                &json!({"type": "harvest", "occurred_at": "2025-10-28T06:00:00+07:00",
                        "details": {"quantity_g": 12500}}),
            )
            .await;
        ok_json(r, "harvest event of lot A").await;

        let mut body = produce(40);
        body["lot_id"] = lot_a["id"].clone();
        let listing_a = s.listing(&farmer_a, &body).await["id"].as_str().unwrap().to_string();
        let mut body = produce(40);
        body["lot_id"] = lot_b["id"].clone();
        let listing_b = s.listing(&farmer_b, &body).await["id"].as_str().unwrap().to_string();
        let stock_a = s.listing(&farmer_a, &produce(1_000_000)).await["id"].as_str().unwrap().to_string();

        let r = s.post_json("/api/v1/orders", Some(&buyer_x), &order_body(&[&listing_a])).await;
        let order_x = ok_json(r, "X orders from A").await["id"].as_str().unwrap().to_string();
        let r = s.post_json("/api/v1/orders", Some(&buyer_x), &order_body(&[&listing_a, &listing_b])).await;
        let mixed = ok_json(r, "X orders from A and B").await["id"].as_str().unwrap().to_string();

        let record_a: Value =
            s.get(&format!("/api/v1/lots/{lot_a_id}/record"), None).await.json().await.unwrap();

        let tokens = BTreeMap::from([
            (Admin, s.admin_token.clone()),
            (Staff, s.staff_token.clone()),
            (Staff2, staff2),
            (FarmerA, farmer_a),
            (FarmerB, farmer_b),
            (BuyerX, buyer_x),
            (BuyerY, buyer_y),
            (Officer, officer),
        ]);
        let phones = BTreeMap::from([
            (Admin, "0900000001".to_string()),
            (Staff, "0900000002".to_string()),
            (Staff2, STAFF2_PHONE.to_string()),
            (FarmerA, "0912000001".to_string()),
            (FarmerB, "0912000002".to_string()),
            (BuyerX, "0987100001".to_string()),
            (BuyerY, "0987100002".to_string()),
            (Officer, OFFICER_PHONE.to_string()),
        ]);
        World {
            s,
            tokens,
            phones,
            office1,
            seller_a,
            seller_b,
            listing_a,
            listing_b,
            stock_a,
            lot_a: lot_a_id,
            lot_a_code: lot_a["lot_code"].as_str().unwrap().to_string(),
            lot_b: lot_b["id"].as_str().unwrap().to_string(),
            order_x,
            mixed,
            record_a,
            next: AtomicU32::new(1),
        }
    }

    fn token(&self, caller: Caller) -> Option<&str> {
        self.tokens.get(&caller).map(String::as_str)
    }

    fn unique(&self) -> u32 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    fn fresh_phone(&self) -> String {
        format!("0913{:06}", self.unique())
    }

    fn fresh_national_id(&self) -> String {
        format!("001090{:06}", self.unique())
    }

    async fn get_as(&self, caller: Caller, path: &str) -> reqwest::Response {
        self.s.get(path, self.token(caller)).await
    }

    async fn get_json(&self, caller: Caller, path: &str) -> Value {
        ok_json(self.get_as(caller, path).await, path).await
    }

    /// A seller of post office 1 that has not set a password yet:
    /// (id, phone, activation code).
    async fn fresh_seller(&self) -> (String, String, String) {
        let phone = self.fresh_phone();
        let body = seller_body(&phone, &self.fresh_national_id());
        let r = self.s.post_json("/api/v1/sellers", Some(&self.s.staff_token), &body).await;
        let v = ok_json(r, "onboard a seller").await;
        (v["id"].as_str().unwrap().into(), phone, v["activation_code"].as_str().unwrap().into())
    }

    async fn fresh_listing(&self) -> String {
        self.s.listing(&self.tokens[&FarmerA], &produce(10)).await["id"].as_str().unwrap().to_string()
    }

    /// A fresh listing of A with one photo: (listing id, photo id).
    async fn fresh_listing_with_photo(&self) -> (String, String) {
        let id = self.fresh_listing().await;
        let form = reqwest::multipart::Form::new()
            .part("photo", reqwest::multipart::Part::bytes(photo()).file_name("p.jpg"));
        let r = self
            .s
            .client
            .post(self.s.at(&format!("/api/v1/listings/{id}/photos")))
            .bearer_auth(&self.tokens[&FarmerA])
            .multipart(form)
            .send()
            .await
            .unwrap();
        let view = ok_json(r, "photo upload").await;
        let photo = view["photos"][0]["id"].as_str().unwrap().to_string();
        (id, photo)
    }

    async fn fresh_lot(&self) -> String {
        self.s.lot(&self.seller_a).await["id"].as_str().unwrap().to_string()
    }

    /// A cash-on-delivery order of buyer X from farmer A, taken `steps`
    /// along: 0 waiting for the seller, 1 confirmed, 2 handed over,
    /// 3 delivered (post office 1 then owes its cash).
    async fn fresh_order(&self, steps: u8) -> String {
        let r = self
            .s
            .post_json("/api/v1/orders", Some(&self.tokens[&BuyerX]), &order_body(&[&self.stock_a]))
            .await;
        let id = ok_json(r, "fresh order").await["id"].as_str().unwrap().to_string();
        self.take_along(&id, steps).await;
        id
    }

    /// Confirms (farmer A), hands over and delivers (staff) the first
    /// `steps` of that.
    async fn take_along(&self, id: &str, steps: u8) {
        let all = [("confirm", FarmerA), ("hand-over", Staff), ("deliver", Staff)];
        for (step, who) in all.into_iter().take(steps.into()) {
            let r = self
                .s
                .send(Method::POST, &format!("/api/v1/orders/{id}/{step}"), self.token(who), None)
                .await;
            ok_json(r, step).await;
        }
    }

    /// A bank-transfer order of buyer X from farmer A, not paid yet:
    /// (id, code, amount due).
    async fn fresh_vietqr_order(&self) -> (String, String, i64) {
        let mut body = order_body(&[&self.stock_a]);
        body["payment_method"] = json!("vietqr");
        let r = self.s.post_json("/api/v1/orders", Some(&self.tokens[&BuyerX]), &body).await;
        let o = ok_json(r, "fresh vietqr order").await;
        let due = o["amount_due_vnd"].as_i64().unwrap();
        assert!(due > 0, "{o}");
        (o["id"].as_str().unwrap().into(), o["code"].as_str().unwrap().into(), due)
    }

    /// A bank notification of a new transfer in; returns its id.
    async fn transfer_in(&self, content: &str, amount_vnd: i64) -> String {
        let id = format!("{}", 7_000_000 + self.unique());
        let r = self.s.notify(&support::notification(&id, content, amount_vnd)).await;
        assert_eq!(ok_json(r, "bank notification").await, json!({"success": true}));
        id
    }

    /// A fresh bank-transfer order of X from A paid `extra` đồng more than
    /// it owes (the excess is owed back to X), taken `steps` along.
    async fn fresh_paid_order(&self, extra: i64, steps: u8) -> String {
        let (id, code, due) = self.fresh_vietqr_order().await;
        self.transfer_in(&format!("{code} thanh toan"), due + extra).await;
        self.take_along(&id, steps).await;
        id
    }

    /// A fresh payout batch (of what farmer A is owed for a fresh paid and
    /// delivered order, at least), marked sent when `sent`.
    async fn fresh_payout(&self, sent: bool) -> String {
        self.fresh_paid_order(0, 3).await;
        let r = self.s.send(Method::POST, "/api/v1/payouts", self.token(Admin), None).await;
        let id = ok_json(r, "payout batch").await["id"].as_str().unwrap().to_string();
        if sent {
            let r = self
                .s
                .send(Method::POST, &format!("/api/v1/payouts/{id}/sent"), self.token(Admin), None)
                .await;
            ok_json(r, "batch sent").await;
        }
        id
    }

    /// A pending remittance of post office 1, announced by its staff after
    /// a fresh cash-on-delivery order was delivered.
    async fn fresh_remittance(&self) -> String {
        self.fresh_order(3).await;
        let r = self.s.post_json("/api/v1/cod/remittances", self.token(Staff), &json!({})).await;
        ok_json(r, "remittance").await["id"].as_str().unwrap().to_string()
    }
}

// ---- requests ----------------------------------------------------------

enum Body {
    None,
    Json(Value),
    Csv(String),
    Photo(Vec<u8>),
}

enum Token {
    /// The caller's session from the world.
    Caller,
    /// A new session of the caller (the call ends it).
    Fresh,
    /// No session: `Authorization: Apikey` with the bank-notification key,
    /// whoever calls.
    WebhookKey,
}

/// What one cell sends, and what to read (as admin) before and after a
/// refused write to see that it changed nothing.
struct Req {
    path: String,
    body: Body,
    token: Token,
    probe: Option<String>,
}

impl Req {
    fn at(path: impl Into<String>) -> Req {
        Req { path: path.into(), body: Body::None, token: Token::Caller, probe: None }
    }

    fn json(mut self, body: Value) -> Req {
        self.body = Body::Json(body);
        self
    }

    fn probe(mut self, path: impl Into<String>) -> Req {
        self.probe = Some(path.into());
        self
    }
}

/// The request `row` makes for `caller`, on farmer A's objects (fresh ones
/// for writes).
async fn request(w: &World, row: &Row) -> Req {
    let lot = &w.lot_a;
    match (row.method.as_str(), row.path) {
        ("GET", "/healthz" | "/metrics") => Req::at(row.path),
        ("POST", "/api/v1/auth/login") => {
            Req::at(row.path).json(json!({"phone": w.phones[&BuyerY], "password": PASSWORD}))
        }
        ("POST", "/api/v1/auth/logout") => Req { token: Token::Fresh, ..Req::at(row.path) },
        ("POST", "/api/v1/auth/register") => Req::at(row.path)
            .json(json!({"phone": w.fresh_phone(), "password": PASSWORD, "name": "Người Mua"})),
        ("POST", "/api/v1/auth/activate") => {
            let (_, phone, code) = w.fresh_seller().await;
            Req::at(row.path).json(json!({"phone": phone, "activation_code": code, "password": PASSWORD}))
        }
        ("GET", "/api/v1/auth/me" | "/api/v1/categories" | "/api/v1/units" | "/api/v1/banks")
        | ("GET", "/api/v1/provinces" | "/api/v1/sellers" | "/api/v1/orders" | "/api/v1/lots")
        | ("GET", "/api/v1/trust-list" | "/api/v1/stats" | "/api/v1/stats/communes") => Req::at(row.path),
        ("GET", "/api/v1/communes") => Req::at("/api/v1/communes?q=hong%20thai"),
        ("GET", "/api/v1/communes/{code}") => Req::at("/api/v1/communes/02260"),
        ("POST", "/api/v1/sellers") => Req::at(row.path)
            .json(seller_body(&w.fresh_phone(), &w.fresh_national_id()))
            .probe("/api/v1/sellers"),
        ("POST", "/api/v1/sellers/import") => {
            let line = format!(
                "Lò Thị Mai,{},{},02260,Bản Lìm Mông,,970405,8800205123456,LO THI MAI,2025-07,paper_form",
                w.fresh_phone(),
                w.fresh_national_id()
            );
            Req { body: Body::Csv(format!("{CSV_HEADER}\n{line}\n")), ..Req::at(row.path) }
                .probe("/api/v1/sellers")
        }
        ("GET", "/api/v1/sellers/me") => Req::at("/api/v1/sellers/me"),
        ("GET", "/api/v1/sellers/{id}") => Req::at(format!("/api/v1/sellers/{}", w.seller_a)),
        ("POST", "/api/v1/sellers/{id}/activation-code") => {
            let (id, _, _) = w.fresh_seller().await;
            Req::at(format!("/api/v1/sellers/{id}/activation-code"))
        }
        ("GET", "/api/v1/listings") => Req::at("/api/v1/listings?q=che"),
        ("POST", "/api/v1/listings") => {
            let mut body = produce(5);
            body["seller_id"] = json!(w.seller_a);
            Req::at(row.path).json(body).probe(format!("/api/v1/sellers/{}/listings", w.seller_a))
        }
        ("GET", "/api/v1/listings/{id}") => Req::at(format!("/api/v1/listings/{}", w.listing_a)),
        ("PATCH", "/api/v1/listings/{id}") => {
            let path = format!("/api/v1/listings/{}", w.fresh_listing().await);
            Req::at(&path).json(json!({"price_vnd": 1000, "status": "paused"})).probe(path)
        }
        ("DELETE", "/api/v1/listings/{id}") => {
            let path = format!("/api/v1/listings/{}", w.fresh_listing().await);
            Req::at(&path).probe(path)
        }
        ("GET", "/api/v1/sellers/{id}/listings") => {
            Req::at(format!("/api/v1/sellers/{}/listings", w.seller_a))
        }
        ("POST", "/api/v1/listings/{id}/photos") => {
            let id = w.fresh_listing().await;
            Req { body: Body::Photo(photo()), ..Req::at(format!("/api/v1/listings/{id}/photos")) }
                .probe(format!("/api/v1/listings/{id}"))
        }
        ("DELETE", "/api/v1/listings/{id}/photos/{photo_id}") => {
            let (id, photo) = w.fresh_listing_with_photo().await;
            Req::at(format!("/api/v1/listings/{id}/photos/{photo}")).probe(format!("/api/v1/listings/{id}"))
        }
        ("POST", "/api/v1/orders") => {
            Req::at(row.path).json(order_body(&[&w.stock_a])).probe(format!("/api/v1/listings/{}", w.stock_a))
        }
        ("GET", "/api/v1/orders/{id}") => Req::at(format!("/api/v1/orders/{}", w.order_x)),
        ("POST", "/api/v1/orders/{id}/confirm" | "/api/v1/orders/{id}/hand-over")
        | ("POST", "/api/v1/orders/{id}/deliver" | "/api/v1/orders/{id}/cancel")
        | ("POST", "/api/v1/orders/{id}/return") => {
            let action = row.path.rsplit('/').next().unwrap();
            let steps = match action {
                "hand-over" => 1,
                "deliver" | "return" => 2,
                _ => 0,
            };
            let id = w.fresh_order(steps).await;
            let req = Req::at(format!("/api/v1/orders/{id}/{action}")).probe(format!("/api/v1/orders/{id}"));
            if action == "cancel" || action == "return" {
                req.json(json!({"reason": "hết hàng"}))
            } else {
                req
            }
        }
        ("GET", "/api/v1/lots/{id}/orders") => Req::at(format!("/api/v1/lots/{lot}/orders")),
        ("POST", "/api/v1/lots") => Req::at(row.path)
            .json(lot_body(&w.seller_a))
            .probe(format!("/api/v1/lots?seller_id={}", w.seller_a)),
        ("GET", "/api/v1/lots/{id}" | "/api/v1/lots/{id}/events" | "/api/v1/lots/{id}/record")
        | ("GET", "/api/v1/lots/{id}/records" | "/api/v1/lots/{id}/label.png")
        | ("GET", "/api/v1/lots/{id}/label.svg" | "/api/v1/lots/{id}/epcis") => {
            Req::at(row.path.replace("{id}", lot))
        }
        ("POST", "/api/v1/lots/{id}/events") => {
            let id = w.fresh_lot().await;
            Req::at(format!("/api/v1/lots/{id}/events"))
                .json(json!({"type": "packing", "occurred_at": "2025-10-29T08:00:00+07:00"}))
                .probe(format!("/api/v1/lots/{id}/events"))
        }
        ("POST", "/api/v1/lots/{id}/recall") => {
            let id = w.fresh_lot().await;
            Req::at(format!("/api/v1/lots/{id}/recall"))
                .json(json!({"reason": "dư lượng thuốc bảo vệ thực vật"}))
                .probe(format!("/api/v1/lots/{id}"))
        }
        ("GET", "/api/v1/labels/sheet.svg" | "/api/v1/labels/sheet.html") => {
            Req::at(format!("{}?lots={lot}", row.path))
        }
        ("GET", "/api/v1/exports/fsma204.csv") => {
            Req::at(format!("{}?from=2000-01-01&to=2099-12-31", row.path))
        }
        ("POST", "/api/v1/verify") => Req::at(row.path).json(w.record_a.clone()),
        // -- payments
        ("POST", "/api/v1/payments/bank-webhook") => {
            let (id, code, due) = w.fresh_vietqr_order().await;
            let body = support::notification(
                &format!("{}", 8_000_000 + w.unique()),
                &format!("{code} thanh toan"),
                due,
            );
            Req { token: Token::WebhookKey, ..Req::at(row.path) }
                .json(body)
                .probe(format!("/api/v1/orders/{id}/payments"))
        }
        ("GET", "/api/v1/payments/bank-transfers") => {
            Req::at("/api/v1/payments/bank-transfers?outcome=unmatched&limit=10")
        }
        ("POST", "/api/v1/payments/bank-transfers/{id}/assign") => {
            let (_, code, _) = w.fresh_vietqr_order().await;
            let (_, other, _) = w.fresh_vietqr_order().await;
            let transfer = w.transfer_in(&format!("{code} {other}"), 100_000).await;
            Req::at(format!("/api/v1/payments/bank-transfers/{transfer}/assign"))
                .json(json!({"order_code": code}))
                .probe("/api/v1/payments/bank-transfers?outcome=unmatched&limit=500")
        }
        ("POST", "/api/v1/payments/bank-transfers/{id}/return") => {
            let transfer = w.transfer_in("chuyen nham", 100_000).await;
            Req::at(format!("/api/v1/payments/bank-transfers/{transfer}/return"))
                .json(json!({"reference": "FT-BACK"}))
                .probe("/api/v1/payments/bank-transfers?outcome=unmatched&limit=500")
        }
        ("GET", "/api/v1/orders/{id}/payments") => {
            Req::at(format!("/api/v1/orders/{}/payments", w.fresh_paid_order(0, 0).await))
        }
        ("GET", "/api/v1/orders/{id}/vietqr.png") => {
            Req::at(format!("/api/v1/orders/{}/vietqr.png", w.fresh_vietqr_order().await.0))
        }
        ("POST", "/api/v1/orders/{id}/refunds") => {
            let id = w.fresh_paid_order(5_000, 0).await;
            Req::at(format!("/api/v1/orders/{id}/refunds"))
                .json(json!({"amount_vnd": 5_000, "reference": format!("FT-HOAN-{}", w.unique())}))
                .probe(format!("/api/v1/orders/{id}/payments"))
        }
        ("GET", "/api/v1/ledger/trial-balance" | "/api/v1/payouts") => Req::at(row.path),
        ("GET", "/api/v1/cod/position") => Req::at(format!("/api/v1/cod/position?post_office={}", w.office1)),
        ("POST", "/api/v1/cod/remittances") => {
            w.fresh_order(3).await;
            Req::at(row.path)
                .json(json!({"post_office": w.office1, "reference": format!("BD-{}", w.unique())}))
                .probe(format!("/api/v1/cod/position?post_office={}", w.office1))
        }
        ("POST", "/api/v1/cod/remittances/{id}/received" | "/api/v1/cod/remittances/{id}/cancel") => {
            let id = w.fresh_remittance().await;
            Req::at(row.path.replace("{id}", &id))
                .probe(format!("/api/v1/cod/position?post_office={}", w.office1))
        }
        ("POST", "/api/v1/payouts") => {
            w.fresh_paid_order(0, 3).await;
            Req::at(row.path).probe("/api/v1/payouts")
        }
        ("GET", "/api/v1/payouts/{id}" | "/api/v1/payouts/{id}/bank-file.csv") => {
            Req::at(row.path.replace("{id}", &w.fresh_payout(false).await))
        }
        ("POST", "/api/v1/payouts/{id}/sent") => {
            let path = format!("/api/v1/payouts/{}", w.fresh_payout(false).await);
            Req::at(format!("{path}/sent")).probe(path)
        }
        ("POST", "/api/v1/payouts/{id}/confirm") => {
            let path = format!("/api/v1/payouts/{}", w.fresh_payout(true).await);
            Req::at(format!("{path}/confirm")).json(json!({"failed_seller_ids": []})).probe(path)
        }
        ("GET", "/api/v1/sellers/{id}/statement") => {
            Req::at(format!("/api/v1/sellers/{}/statement", w.seller_a))
        }
        (
            "GET",
            "/api/v1/parcels/{code}"
            | "/api/v1/parcels/{code}/label.svg"
            | "/api/v1/parcels/{code}/label.png",
        ) => {
            let id = w.fresh_order(0).await;
            let order = w.get_json(Admin, &format!("/api/v1/orders/{id}")).await;
            let code = order["parts"][0]["code"].as_str().unwrap().to_lowercase();
            Req::at(row.path.replace("{code}", &code))
        }
        ("GET", "/api/v1/postage/tariff") => Req::at(row.path),
        ("PUT", "/api/v1/postage/tariff") => {
            let tariff = w.get_json(Admin, row.path).await["tariff"].clone();
            Req::at(row.path).json(tariff).probe(row.path)
        }
        ("POST", "/api/v1/postage/quote") => Req::at(row.path).json(json!({
            "items": [{"listing_id": w.listing_a, "quantity": 1}],
            "commune_code": "00004", "payment_method": "cod"
        })),
        ("GET", "/api/v1/postage/earnings") => {
            Req::at(format!("/api/v1/postage/earnings?post_office={}", w.office1))
        }
        ("POST", "/api/v1/postage/earnings/payments") => {
            w.fresh_order(3).await;
            Req::at(row.path)
                .json(json!({"post_office": w.office1, "amount_vnd": 1, "reference": format!("FT-CUOC-{}", w.unique())}))
                .probe(format!("/api/v1/postage/earnings?post_office={}", w.office1))
        }
        _ => panic!("no request for {}: add it to `request`", row.op()),
    }
}

/// Sends `req` as `caller`; returns the status and the body.
async fn call(w: &World, method: &Method, req: &Req, caller: Caller) -> (u16, Vec<u8>) {
    let token = match (&req.token, caller) {
        (Token::WebhookKey, _) | (_, Anon) => None,
        (Token::Caller, c) => w.token(c).map(str::to_string),
        (Token::Fresh, c) => Some(w.s.login(&w.phones[&c], PASSWORD).await),
    };
    let mut rb = w.s.client.request(method.clone(), w.s.at(&req.path));
    if let Some(t) = &token {
        rb = rb.bearer_auth(t);
    }
    if let Token::WebhookKey = req.token {
        rb = rb.header("Authorization", format!("Apikey {WEBHOOK_KEY}"));
    }
    rb = match &req.body {
        Body::None => rb,
        Body::Json(v) => rb.json(v),
        Body::Csv(text) => rb.header("Content-Type", "text/csv; charset=utf-8").body(text.clone()),
        Body::Photo(bytes) => rb.multipart(
            reqwest::multipart::Form::new()
                .part("photo", reqwest::multipart::Part::bytes(bytes.clone()).file_name("p.jpg")),
        ),
    };
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.bytes().await.unwrap().to_vec())
}

/// `Some(why)` unless an error body is `{"error":{"code","message",…}}`
/// with a listed code answered with its own status.
fn malformed_error(status: u16, body: &[u8]) -> Option<String> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Some(format!("not JSON: {}", String::from_utf8_lossy(body)));
    };
    crate::support::error_body_problem(status, &v)
}

/// What a probe shows: the admin's view of an object, or its absence.
async fn look(w: &World, probe: &str) -> (u16, String) {
    let r = w.get_as(Admin, probe).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The shared objects of the world as everyone sees them; no row may change them.
async fn snapshot(w: &World) -> Vec<(String, u16, String)> {
    let paths = [
        format!("/api/v1/listings/{}", w.listing_a),
        format!("/api/v1/listings/{}", w.listing_b),
        format!("/api/v1/sellers/{}", w.seller_a),
        format!("/api/v1/sellers/{}", w.seller_b),
        format!("/api/v1/lots/{}", w.lot_a),
        format!("/api/v1/lots/{}/events", w.lot_a),
        format!("/api/v1/lots/{}", w.lot_b),
        format!("/api/v1/orders/{}", w.order_x),
        format!("/api/v1/orders/{}", w.mixed),
    ];
    let mut out = Vec::new();
    for p in paths {
        let (status, body) = look(w, &p).await;
        out.push((p, status, body));
    }
    out
}

#[tokio::test]
async fn every_role_against_every_route() {
    let started = std::time::Instant::now();
    let w = World::build().await;
    let rows = matrix();

    // The matrix covers the document, and only the document (bar optional rows).
    let documented = documented_operations(&w.s).await;
    let in_table: BTreeSet<String> = rows.iter().map(Row::op).collect();
    assert_eq!(in_table.len(), rows.len(), "an operation has two rows");
    let untested: Vec<&String> = documented.difference(&in_table).collect();
    assert!(untested.is_empty(), "operations without a row in MATRIX: {untested:?}");
    let stale: Vec<&String> =
        in_table.difference(&documented).filter(|op| !OPTIONAL.contains(&op.as_str())).collect();
    assert!(stale.is_empty(), "MATRIX rows for operations the document does not have: {stale:?}");

    // The rules hold in the table itself, so no edit can relax them.
    for row in &rows {
        let op = row.op();
        if row.method != Method::GET && !ROLELESS_WRITES.contains(&op.as_str()) {
            assert!(row.cell(Officer).refuses(), "{op}: the officer changes nothing");
        }
        if A_PRIVATE.contains(&op.as_str()) {
            assert!(row.cell(FarmerB).refuses(), "{op}: farmer B never touches A's objects");
        }
        if X_PRIVATE.contains(&op.as_str()) {
            assert!(row.cell(BuyerY).refuses(), "{op}: buyer Y never sees X's orders");
        }
        if OFFICE1_PRIVATE.contains(&op.as_str()) {
            assert!(row.cell(Staff2).refuses(), "{op}: post office 2 never sees office 1's money");
        }
    }

    let before = snapshot(&w).await;
    let mut failures: Vec<String> = Vec::new();
    let mut hidden: Vec<String> = Vec::new();
    let mut seen: Vec<(String, Vec<String>)> = Vec::new();
    let mut calls = 0;
    for row in rows.iter().filter(|r| documented.contains(&r.op())) {
        let op = row.op();
        let mut line = Vec::new();
        for caller in CALLERS {
            let req = request(&w, row).await;
            let probe_before = match &req.probe {
                Some(p) => Some(look(&w, p).await),
                None => None,
            };
            let (status, body) = call(&w, &row.method, &req, caller).await;
            calls += 1;
            let cell = row.cell(caller);
            let text = String::from_utf8_lossy(&body);
            let short: String = text.chars().take(300).collect();
            if status >= 500 {
                failures.push(format!("{op} as {caller:?}: {status} (a server error) {short}"));
            } else if !cell.accepts(status) {
                failures.push(format!("{op} as {caller:?}: expected {cell:?}, got {status} {short}"));
            }
            if status >= 400 {
                if let Some(why) = malformed_error(status, &body) {
                    failures.push(format!("{op} as {caller:?}: {status} error body {why}"));
                }
                if let (Some(p), Some(was)) = (&req.probe, probe_before) {
                    let now = look(&w, p).await;
                    if now != was {
                        failures.push(format!(
                            "{op} as {caller:?}: refused with {status} but {p} changed:\n  before {was:?}\n  after  {now:?}"
                        ));
                    }
                }
            }
            if cell == Cell::Hidden && status == 404 {
                hidden.push(format!("{op} as {caller:?}"));
            }
            let mark = if cell.accepts(status) && status < 500 { " " } else { "!" };
            line.push(format!("{status}{mark}"));
        }
        seen.push((op, line));
    }
    let after = snapshot(&w).await;
    for (b, a) in before.iter().zip(&after) {
        if b != a {
            failures.push(format!("a row changed a shared object:\n  before {b:?}\n  after  {a:?}"));
        }
    }

    let skipped: Vec<&&str> = OPTIONAL.iter().filter(|op| !documented.contains(**op)).collect();
    let mut report = format!("{:<52} {}\n", "operation", COLUMNS.replace(' ', "  "));
    for (op, line) in &seen {
        report.push_str(&format!("{op:<52} {}\n", line.join("  ")));
    }
    eprintln!(
        "{report}\n{} operations × {} callers = {calls} calls in {:.1?}; skipped (not in the document): {skipped:?}",
        seen.len(),
        CALLERS.len(),
        started.elapsed()
    );
    eprintln!("404 where the 403/404 convention says 403 ({}):\n  {}", hidden.len(), hidden.join("\n  "));
    assert!(failures.is_empty(), "{} cells failed:\n{}", failures.len(), failures.join("\n"));
}

// ---- what lists and views show --------------------------------------------

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap()
}

#[tokio::test]
async fn lists_and_views_show_each_party_only_its_own() {
    let w = World::build().await;
    let x_orders = [w.order_x.as_str(), w.mixed.as_str()];

    // orders: buyer Y and post office 2 see none of X's; farmer B sees the
    // mixed order with its own part alone, and nothing of A's
    for caller in [BuyerY, Staff2] {
        let list = w.get_json(caller, "/api/v1/orders?limit=100").await;
        assert!(items(&list).iter().all(|o| !x_orders.contains(&o["id"].as_str().unwrap())), "{caller:?}");
    }
    for (caller, own, other) in [(FarmerA, &w.seller_a, &w.seller_b), (FarmerB, &w.seller_b, &w.seller_a)] {
        let list = w.get_json(caller, "/api/v1/orders?limit=100").await;
        let ids: Vec<&str> = items(&list).iter().map(|o| o["id"].as_str().unwrap()).collect();
        let expected: Vec<&str> = if caller == FarmerA { vec![&w.mixed, &w.order_x] } else { vec![&w.mixed] };
        assert_eq!(
            ids.iter().collect::<BTreeSet<_>>(),
            expected.iter().collect::<BTreeSet<_>>(),
            "{caller:?}"
        );
        for order in items(&list) {
            for part in order["parts"].as_array().unwrap() {
                assert_eq!(part["seller_id"], own.as_str(), "{caller:?} sees only its part: {order}");
                assert_ne!(part["seller_id"], other.as_str());
            }
        }
        let mixed = w.get_json(caller, &format!("/api/v1/orders/{}", w.mixed)).await;
        assert_eq!(mixed["parts"].as_array().unwrap().len(), 1, "{mixed}");
        let own_total = mixed["parts"][0]["subtotal_vnd"].as_i64().unwrap()
            + mixed["parts"][0]["postage_vnd"].as_i64().unwrap();
        assert_eq!(mixed["total_vnd"], own_total, "a seller sees its own total");
    }
    let whole = w.get_json(BuyerX, &format!("/api/v1/orders/{}", w.mixed)).await;
    assert_eq!(whole["parts"].as_array().unwrap().len(), 2);
    let part_of = |seller: &str| {
        whole["parts"].as_array().unwrap().iter().find(|p| p["seller_id"] == seller).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (part_a, part_b) = (part_of(&w.seller_a), part_of(&w.seller_b));
    let mine = w.get_json(BuyerX, "/api/v1/orders?limit=100").await;
    assert_eq!(items(&mine).len(), 2);
    let none = w.get_json(BuyerY, "/api/v1/orders").await;
    assert!(items(&none).is_empty(), "{none}");

    // farmer B cannot move A's part of the mixed order by naming it; its
    // own confirm leaves A's part alone
    let confirm = format!("/api/v1/orders/{}/confirm", w.mixed);
    let r = w.s.send(Method::POST, &confirm, w.token(FarmerB), Some(&json!({"part_id": part_a}))).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = w.s.send(Method::POST, &confirm, w.token(FarmerB), None).await;
    let after = ok_json(r, "B confirms its part").await;
    assert_eq!(after["parts"].as_array().unwrap().len(), 1);
    assert_eq!(after["parts"][0]["id"], part_b.as_str());
    let whole = w.get_json(Admin, &format!("/api/v1/orders/{}", w.mixed)).await;
    for part in whole["parts"].as_array().unwrap() {
        let expected = if part["id"] == part_b.as_str() { "confirmed" } else { "pending" };
        assert_eq!(part["status"], expected, "{whole}");
    }

    // lots: farmer B and post office 2 list none of A's
    for caller in [FarmerB, Staff2] {
        let list = w.get_json(caller, "/api/v1/lots").await;
        assert!(items(&list).iter().all(|l| l["seller_id"] != w.seller_a.as_str()), "{caller:?}: {list}");
        // naming seller A does not widen the scope
        let named = w.get_json(caller, &format!("/api/v1/lots?seller_id={}", w.seller_a)).await;
        assert!(items(&named).iter().all(|l| l["seller_id"] != w.seller_a.as_str()), "{caller:?}: {named}");
    }
    let own = w.get_json(FarmerA, "/api/v1/lots").await;
    assert!(items(&own).iter().any(|l| l["id"] == w.lot_a.as_str()));
    assert!(items(&own).iter().all(|l| l["seller_id"] == w.seller_a.as_str()));

    // the FSMA export: A's lot for A and its post office, not for B nor office 2
    let fsma = "/api/v1/exports/fsma204.csv?from=2000-01-01&to=2099-12-31";
    for (caller, sees) in [(FarmerA, true), (Staff, true), (Admin, true), (FarmerB, false), (Staff2, false)] {
        let r = w.get_as(caller, fsma).await;
        assert_eq!(r.status(), StatusCode::OK);
        let csv = r.text().await.unwrap();
        assert_eq!(csv.contains(&w.lot_a_code), sees, "{caller:?}: {csv}");
    }

    // sellers: post office 2 lists none of office 1's; a farmer reads itself
    let list = w.get_json(Staff2, "/api/v1/sellers").await;
    assert!(items(&list).iter().all(|s| s["id"] != w.seller_a.as_str() && s["id"] != w.seller_b.as_str()));
    let list = w.get_json(Staff, "/api/v1/sellers").await;
    assert!(items(&list).iter().any(|s| s["id"] == w.seller_a.as_str()));
    let me = w.get_json(FarmerB, &format!("/api/v1/sellers/{}", w.seller_b)).await;
    assert_eq!(me["id"], w.seller_b.as_str());

    // farmer B cannot sell from A's lot, neither in a new listing nor by
    // relinking its own
    let mut body = produce(3);
    body["lot_id"] = json!(w.lot_a);
    let r = w.s.post_json("/api/v1/listings", w.token(FarmerB), &body).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        w.s.send(
            Method::PATCH,
            &format!("/api/v1/listings/{}", w.listing_b),
            w.token(FarmerB),
            Some(&json!({"lot_id": w.lot_a})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let b = w.get_json(Anon, &format!("/api/v1/listings/{}", w.listing_b)).await;
    assert_eq!(b["lot"]["id"], w.lot_b.as_str());

    // farmer B cannot delete A's photo through its own listing
    let (a_listing, a_photo) = w.fresh_listing_with_photo().await;
    let r =
        w.s.send(
            Method::DELETE,
            &format!("/api/v1/listings/{}/photos/{a_photo}", w.listing_b),
            w.token(FarmerB),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let a = w.get_json(Anon, &format!("/api/v1/listings/{a_listing}")).await;
    assert_eq!(a["photos"].as_array().unwrap().len(), 1);

    // lots farmer B may not change stay as they were: its own records the event
    let ev = json!({"type": "packing", "occurred_at": "2025-10-29T08:00:00+07:00"});
    let r = w.s.post_json(&format!("/api/v1/lots/{}/events", w.lot_b), w.token(FarmerB), &ev).await;
    ok_json(r, "B records on its own lot").await;
}
