//! End-to-end test support: starts the real nongsan server on a free port
//! over a fresh database (SQLite or PostgreSQL, per `NONGSAN_TEST_BACKEND`)
//! and drives it over HTTP with reqwest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use storage::testing::TestDatabase;

pub const PASSWORD: &str = "correct horse battery";
/// The bank-notification key test servers expect.
pub const WEBHOOK_KEY: &str = "test-webhook-key-0123456789";
/// The token test servers want for `GET /metrics`.
pub const METRICS_TOKEN: &str = "test-metrics-token-4f1c";

pub struct TestServer {
    pub url: String,
    pub client: Client,
    pub state: server::State,
    pub admin_token: String,
    pub staff_token: String,
    _db: TestDatabase,
    _data: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    /// Starts with the test configuration changed by `adjust` first.
    pub async fn start_with(adjust: impl FnOnce(&mut server::Config)) -> TestServer {
        let db = TestDatabase::new().expect("test database");
        let data = tempfile::tempdir().expect("data dir");
        let mut config = server::Config::from_env();
        config.bind = "127.0.0.1:0".into();
        config.database_url = db.url.clone();
        config.data_dir = data.path().to_path_buf();
        config.public_url = String::new();
        config.master_key_hex = Some("11".repeat(32));
        config.workers = 2;
        // Short, so the stalled-body test is quick; loopback bodies arrive at once.
        config.body_idle_timeout = std::time::Duration::from_secs(2);
        config.collection_account = Some(server::config::CollectionAccount::demo());
        config.bank_webhook_key = Some(WEBHOOK_KEY.into());
        config.bank_webhook_secret = None;
        config.platform_fee = payment::FeeRate::from_basis_points(200).unwrap();
        config.metrics_token = Some(METRICS_TOKEN.into());
        // every test client is 127.0.0.1: tests that register dozens of
        // buyers are not the flood the limit is for (tests of it lower it)
        config.registrations_per_address = 1_000;
        // likewise for connections (tests of the limit lower it)
        config.connections_per_address = 10_000;
        adjust(&mut config);
        let state =
            tokio::task::spawn_blocking(move || server::prepare(&config)).await.unwrap().expect("prepare");
        let s = state.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = s.pool.get().unwrap();
            let org = traceability::keys::operator_organisation(&mut conn)
                .unwrap()
                .map(|o| common::OrganisationId::parse(&o).unwrap());
            let hash = accounts::passwords::hash_password(PASSWORD).unwrap();
            for (role, phone, name) in [
                (accounts::Role::Admin, "0900000001", "Admin"),
                (accounts::Role::Staff, "0900000002", "Staff"),
            ] {
                accounts::users::insert_user(
                    &mut conn,
                    accounts::users::NewUser {
                        role,
                        phone: &accounts::Phone::parse(phone).unwrap(),
                        name,
                        password_hash: Some(hash.clone()),
                        organisation_id: org.as_ref(),
                    },
                )
                .unwrap();
            }
        })
        .await
        .unwrap();
        let app = server::Application::build(state.clone()).expect("build");
        let url = app.public_url.clone();
        tokio::spawn(app.run_until_stopped());
        let client = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mut server = TestServer {
            url,
            client,
            state,
            admin_token: String::new(),
            staff_token: String::new(),
            _db: db,
            _data: data,
        };
        server.admin_token = server.login("0900000001", PASSWORD).await;
        server.staff_token = server.login("0900000002", PASSWORD).await;
        server
    }

    /// A second server on the same database and photo store, as a second
    /// machine behind a load balancer would be (its own pool, caches and
    /// store client); the address it answers on.
    pub async fn second_server(&self) -> String {
        let mut config = self.state.config.clone();
        config.bind = "127.0.0.1:0".into();
        let state =
            tokio::task::spawn_blocking(move || server::prepare(&config)).await.unwrap().expect("prepare");
        let app = server::Application::build(state).expect("build");
        let url = app.public_url.clone();
        tokio::spawn(app.run_until_stopped());
        url
    }

    /// A post office of its own (with its issuer key) and one staff member
    /// there; returns that staff member's token.
    pub async fn staff_of_new_post_office(&self, office: &str, commune: Option<&str>, phone: &str) -> String {
        let state = self.state.clone();
        let (office, commune, staff_phone) =
            (office.to_owned(), commune.map(str::to_owned), phone.to_owned());
        tokio::task::spawn_blocking(move || {
            let mut conn = state.pool.get().unwrap();
            let (org, _) = traceability::keys::add_signing_organisation(
                &mut conn,
                &state.master,
                traceability::keys::ORG_POST_OFFICE,
                &office,
                commune.as_deref(),
            )
            .unwrap();
            accounts::users::insert_user(
                &mut conn,
                accounts::users::NewUser {
                    role: accounts::Role::Staff,
                    phone: &accounts::Phone::parse(&staff_phone).unwrap(),
                    name: "Staff",
                    password_hash: Some(accounts::passwords::hash_password(PASSWORD).unwrap()),
                    organisation_id: Some(&common::OrganisationId::parse(&org).unwrap()),
                },
            )
            .unwrap();
        })
        .await
        .unwrap();
        self.login(phone, PASSWORD).await
    }

    /// Uploads `files` (file name, bytes) as a listing's photos.
    pub async fn upload_photos(&self, token: &str, listing: &str, files: Vec<(&str, Vec<u8>)>) -> Response {
        let mut form = reqwest::multipart::Form::new();
        for (name, bytes) in files {
            form = form.part("photo", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        }
        self.client
            .post(self.at(&format!("/api/v1/listings/{listing}/photos")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    pub async fn login(&self, phone: &str, password: &str) -> String {
        let r =
            self.post_json("/api/v1/auth/login", None, &json!({"phone": phone, "password": password})).await;
        assert_eq!(r.status(), StatusCode::OK, "login {phone}");
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut req = self.client.post(self.at(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.get(self.at(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// Any method, optional token and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.at(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.unwrap()
    }

    /// Creates a user of `role` in the operator's organisation directly in
    /// the database (as `nongsan user add` does) and signs in.
    pub async fn user(&self, role: accounts::Role, phone: &str) -> String {
        let state = self.state.clone();
        let phone_owned = phone.to_string();
        tokio::task::spawn_blocking(move || {
            let mut conn = state.pool.get().unwrap();
            let org = traceability::keys::operator_organisation(&mut conn)
                .unwrap()
                .map(|o| common::OrganisationId::parse(&o).unwrap());
            accounts::users::insert_user(
                &mut conn,
                accounts::users::NewUser {
                    role,
                    phone: &accounts::Phone::parse(&phone_owned).unwrap(),
                    name: "Cán bộ xã",
                    password_hash: Some(accounts::passwords::hash_password(PASSWORD).unwrap()),
                    organisation_id: org.as_ref(),
                },
            )
            .unwrap();
        })
        .await
        .unwrap();
        self.login(phone, PASSWORD).await
    }

    /// Registers a buyer; returns the token.
    pub async fn buyer(&self, phone: &str) -> String {
        let r = self
            .post_json(
                "/api/v1/auth/register",
                None,
                &json!({"phone": phone, "password": PASSWORD, "name": "Người Mua"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "register {phone}");
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
    }

    /// Lists produce with `token` (a farmer's, or staff naming `seller_id`
    /// in `body`); returns the listing.
    pub async fn listing(&self, token: &str, body: &Value) -> Value {
        let r = self.post_json("/api/v1/listings", Some(token), body).await;
        let status = r.status();
        let text = r.text().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Onboards a farmer in Xã Hồng Thái and activates the account;
    /// returns (seller id, farmer token).
    pub async fn farmer(&self, phone: &str, national_id: &str) -> (String, String) {
        self.farmer_in(phone, national_id, "02260").await
    }

    /// Onboards a farmer in the commune `commune_code` and activates the
    /// account; returns (seller id, farmer token).
    pub async fn farmer_in(&self, phone: &str, national_id: &str, commune_code: &str) -> (String, String) {
        let mut body = seller_body(phone, national_id);
        body["commune_code"] = json!(commune_code);
        let r = self.post_json("/api/v1/sellers", Some(&self.staff_token), &body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let body: Value = r.json().await.unwrap();
        let code = body["activation_code"].as_str().unwrap();
        let r = self
            .post_json(
                "/api/v1/auth/activate",
                None,
                &json!({"phone": phone, "activation_code": code, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let token = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
        (body["id"].as_str().unwrap().to_string(), token)
    }

    /// Creates a tea lot for `seller_id` as staff; returns its view.
    pub async fn lot(&self, seller_id: &str) -> Value {
        let r = self
            .post_json(
                "/api/v1/lots",
                Some(&self.staff_token),
                &json!({
                    "product_name": "Chè Shan tuyết", "quantity": "12.5", "unit": "kg",
                    "harvested_on": "2025-10-28", "commune_code": "02260", "seller_id": seller_id
                }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }
}

pub fn seller_body(phone: &str, national_id: &str) -> Value {
    json!({
        "full_name": "Hoàng Văn Thào",
        "phone": phone,
        "national_id": national_id,
        "commune_code": "02260",
        "address": "Thôn Khuổi Bốc, xã Hồng Thái",
        "bank": {"bin": "970405", "account_number": "8800205123456", "account_name": "Hoàng Văn Thào"},
        "consent": {"terms_version": "2025-07", "method": "paper_form"}
    })
}

/// Asserts the SPEC error shape and returns the code.
pub async fn error_code(r: Response, status: StatusCode) -> String {
    assert_eq!(r.status(), status, "unexpected status");
    let body: Value = r.json().await.expect("error body is JSON");
    if let Some(why) = error_body_problem(status.as_u16(), &body) {
        panic!("{why}");
    }
    body["error"]["code"].as_str().unwrap_or_default().to_string()
}

/// `Some(why)` unless `body` is an error the way the API promises it:
/// `{"error":{"code","message","field"?,"params"?}}`, with a code listed in
/// the OpenAPI document (the table `common::ErrorCode`, whose enum the
/// document publishes) and the status that table gives the code.
pub fn error_body_problem(status: u16, body: &Value) -> Option<String> {
    let e = &body["error"];
    let Some(code) = e["code"].as_str() else {
        return Some(format!("no error.code: {body}"));
    };
    let Ok(listed) = serde_json::from_value::<common::ErrorCode>(json!(code)) else {
        return Some(format!("error code `{code}` is not listed in the OpenAPI document: {body}"));
    };
    if listed.status().as_u16() != status {
        return Some(format!("`{code}` must be answered with {}, not {status}: {body}", listed.status()));
    }
    if !e["message"].is_string() {
        return Some(format!("no error.message: {body}"));
    }
    if !(e["field"].is_null() || e["field"].is_string())
        || !(e["params"].is_null() || e["params"].is_object())
    {
        return Some(format!("error.field must be a string and error.params an object: {body}"));
    }
    None
}

/// An order body for `items` (listing id, quantity), shipped to Hà Nội.
pub fn order_body(items: &[(&str, i64)], method: &str) -> Value {
    json!({
        "items": items.iter().map(|(id, q)| json!({"listing_id": id, "quantity": q})).collect::<Vec<_>>(),
        "shipping": {"name": "Trần Minh Anh", "phone": "0987000001", "address": "12 Hàng Bạc", "commune_code": "00004"},
        "payment_method": method,
    })
}

pub async fn place(s: &TestServer, buyer: &str, items: &[(&str, i64)], method: &str) -> Value {
    let r = s.post_json("/api/v1/orders", Some(buyer), &order_body(items, method)).await;
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    serde_json::from_str(&text).unwrap()
}

pub async fn act(s: &TestServer, token: &str, order: &str, action: &str, body: Option<Value>) -> Response {
    s.send(reqwest::Method::POST, &format!("/api/v1/orders/{order}/{action}"), Some(token), body.as_ref())
        .await
}

/// A bank notification as SePay sends it, money in to the test collection
/// account (`CollectionAccount::demo`).
pub fn notification(id: &str, content: &str, amount: i64) -> Value {
    json!({
        "id": id, "gateway": "Vietcombank", "transactionDate": "2026-11-30 09:15:02",
        "accountNumber": "1900000000001", "code": null, "content": content,
        "transferType": "in", "transferAmount": amount, "accumulated": 0,
        "subAccount": null, "referenceCode": format!("FT{id}"), "description": ""
    })
}

impl TestServer {
    /// Posts a bank notification with the right key.
    pub async fn notify(&self, body: &Value) -> Response {
        self.client
            .post(self.at("/api/v1/payments/bank-webhook"))
            .header("Authorization", format!("Apikey {WEBHOOK_KEY}"))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// The trial balance, asserted balanced; returns it.
    pub async fn books(&self) -> Value {
        let r = self.get("/api/v1/ledger/trial-balance", Some(&self.admin_token)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let tb: Value = r.json().await.unwrap();
        assert_eq!(tb["balanced"], true, "the books do not balance: {tb}");
        assert_eq!(tb["debits_posted_vnd"], tb["credits_posted_vnd"], "{tb}");
        tb
    }

    /// The balance of one ledger account (0 when it does not exist yet).
    pub async fn balance(&self, code: &str) -> i64 {
        let tb = self.books().await;
        tb["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == code)
            .map_or(0, |a| a["balance_vnd"].as_i64().unwrap())
    }
}
