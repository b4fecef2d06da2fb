//! End-to-end: post-office staff onboard many sellers at once from a
//! spreadsheet saved as CSV, all or nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{error_code, TestServer, PASSWORD};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

const IMPORT: &str = "/api/v1/sellers/import";

const HEADER: &str = "full_name,phone,national_id,commune_code,address,farm_name,bank_bin,\
                      bank_account_number,bank_account_name,consent_terms_version,consent_method";

/// A plain row in Xã Hồng Thái.
fn row(name: &str, phone: &str, national_id: &str) -> String {
    format!(
        "{name},{phone},{national_id},02260,Thôn Khuổi Bốc,,970405,8800205123456,{name},2025-07,paper_form"
    )
}

fn file(rows: &[String]) -> String {
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

async fn post_csv(
    s: &TestServer,
    path: &str,
    token: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Response {
    let mut req = s.client.post(s.at(path)).header("Content-Type", "text/csv; charset=utf-8").body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn seller_count(s: &TestServer) -> usize {
    let listed: Value = s.get("/api/v1/sellers", Some(&s.admin_token)).await.json().await.unwrap();
    listed["items"].as_array().unwrap().len()
}

/// The codes a row problem may carry (`market::sellers::rules::ROW_CODES`),
/// as the pages read them.
const ROW_CODES: [&str; 7] = [
    "required",
    "too_long",
    "control_characters",
    "invalid_format",
    "invalid_input",
    "unknown_value",
    "already_taken",
];

/// Asserts an `invalid_rows` answer, each problem with a code the pages
/// word it by (and the English message for API clients), and returns its
/// (row, field, code).
async fn row_errors(r: Response) -> Vec<(u64, String, String)> {
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_rows", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("nothing was imported"), "{body}");
    body["error"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(!r["message"].as_str().unwrap().is_empty());
            let code = r["code"].as_str().unwrap_or_else(|| panic!("a row problem without a code: {r}"));
            assert!(ROW_CODES.contains(&code), "{r}");
            assert!(r["params"].is_null() || r["params"].is_object(), "{r}");
            (r["row"].as_u64().unwrap(), r["field"].as_str().unwrap_or("").to_string(), code.to_string())
        })
        .collect()
}

/// Asserts an error with `status` and `code`, and returns its message.
async fn error_message(r: Response, status: StatusCode, code: &str) -> String {
    assert_eq!(r.status(), status);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    body["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_file_from_excel_imports_sellers_whose_codes_work() {
    let s = TestServer::start().await;
    // As Excel's "CSV UTF-8" writes it: a BOM, CRLF, quotes where needed,
    // and columns in the order staff happened to lay them out.
    let csv = "\u{feff}phone,full_name,national_id,commune_code,address,farm_name,bank_bin,\
               bank_account_number,bank_account_name,consent_terms_version,consent_method\r\n\
               0912000201,Lò Thị Mai,008080000201,02260,\"Thôn Khuổi Bốc, xã Hồng Thái\",,970405,\
               8800205000201,Lò Thị Mai,2025-07,paper_form\r\n\
               0912000202,\"Hoàng Văn Thào\",008080000202,02260,\"Bản Nà Pồng\nxã Hồng Thái\",\
               \"Trại chè \"\"Shan tuyết\"\"\",970436,0071000202,HOANG VAN THAO,2025-07,verbal_at_counter\r\n\
               \r\n\
               +84 912 000 203,Hà Thị Páo,008 080 000 203,02260,Thôn Nặm Đăm,,970418,21510000203,\
               Hà Thị Páo,2025-07,electronic\r\n";
    let r = post_csv(&s, IMPORT, Some(&s.staff_token), csv).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["imported"], 3);
    let sellers = body["sellers"].as_array().unwrap();
    let rows: Vec<u64> = sellers.iter().map(|s| s["row"].as_u64().unwrap()).collect();
    assert_eq!(rows, vec![2, 3, 5], "rows as Excel shows them, the blank row counted");
    assert_eq!(sellers[2]["phone"], "0912000203");
    assert_eq!(sellers[1]["full_name"], "Hoàng Văn Thào");

    let staff: Value = s.get("/api/v1/auth/me", Some(&s.staff_token)).await.json().await.unwrap();
    let second: Value = s
        .get(&format!("/api/v1/sellers/{}", sellers[1]["id"].as_str().unwrap()), Some(&s.staff_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["address"], "Bản Nà Pồng, xã Hồng Thái");
    assert_eq!(second["farm_name"], "Trại chè \"Shan tuyết\"");
    assert_eq!(second["bank_account_number"], "0071000202");
    assert_eq!(second["consent_method"], "verbal_at_counter");
    assert_eq!(second["consent_recorded_by"], staff["id"]);
    assert_eq!(second["national_id_masked"], "*********202");

    for seller in sellers {
        let activate = json!({
            "phone": seller["phone"], "activation_code": seller["activation_code"], "password": PASSWORD
        });
        let r = s.post_json("/api/v1/auth/activate", None, &activate).await;
        assert_eq!(r.status(), StatusCode::OK, "{seller}");
        assert_eq!(r.json::<Value>().await.unwrap()["user"]["role"], "farmer");
    }

    // every seller has its audit record: the staff member acting for the farmer
    let st = s.state.clone();
    let audited = tokio::task::spawn_blocking(move || {
        use storage::diesel::prelude::*;
        use storage::schema::audit_log;
        let mut c = st.pool.get().unwrap();
        audit_log::table
            .filter(audit_log::action.eq("seller.import"))
            .select((audit_log::actor_user_id, audit_log::acting_for, audit_log::subject_id))
            .load::<(String, Option<String>, String)>(&mut c)
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(audited.len(), 3);
    for seller in sellers {
        assert!(audited.iter().any(|(actor, acting_for, subject)| {
            actor == staff["id"].as_str().unwrap()
                && acting_for.as_deref() == seller["user_id"].as_str()
                && subject == seller["id"].as_str().unwrap()
        }));
    }
}

#[tokio::test]
async fn one_bad_row_imports_nothing_and_every_problem_is_named() {
    let s = TestServer::start().await;
    let bad_phone_and_bank =
        "Lò Thị Mai,0012,008080000302,02260,Thôn A,,123456,8800205,Lò Thị Mai,v1,paper_form";
    let unknown_commune_and_method =
        "Hà Văn Páo,0912000304,008080000304,99999,Thôn B,,970405,8800205,Hà Văn Páo,v1,by_phone";
    let csv = file(&[
        row("Hoàng Văn Thào", "0912000301", "008080000301"),
        bad_phone_and_bank.to_string(),
        row("Lý Thị Dung", "0912000303", "008080000303"),
        unknown_commune_and_method.to_string(),
        row("Vàng A Sử", "0912000305", "12345"),
    ]);
    let errors = row_errors(post_csv(&s, IMPORT, Some(&s.staff_token), csv.clone()).await).await;
    assert_eq!(
        errors,
        vec![
            (3, "phone".to_string(), "invalid_format".to_string()),
            (3, "bank_bin".to_string(), "unknown_value".to_string()),
            (5, "commune_code".to_string(), "unknown_value".to_string()),
            (5, "consent_method".to_string(), "unknown_value".to_string()),
            (6, "national_id".to_string(), "invalid_format".to_string()),
        ]
    );
    assert_eq!(seller_count(&s).await, 0, "nothing imported");

    // fixed, the same file imports; the good rows' phones were never taken
    let fixed = csv
        .replace("0012,", "0912000302,")
        .replace("123456,8800205,Lò", "970405,8800205,Lò")
        .replace("99999", "02260")
        .replace("by_phone", "electronic")
        .replace(",12345,", ",008080000305,");
    let r = post_csv(&s, IMPORT, Some(&s.staff_token), fixed).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(seller_count(&s).await, 5);
}

#[tokio::test]
async fn the_same_farmer_twice_in_a_file_is_refused() {
    let s = TestServer::start().await;
    let csv = file(&[
        row("Lò Thị Mai", "0912000401", "008080000401"),
        row("Hà Văn Páo", "0912000402", "008080000402"),
        row("Lò Thị Mai", "091 200 0401", "008080000499"),
        row("Hà Văn Páo", "0912000404", "008080000402"),
    ]);
    let r = post_csv(&s, IMPORT, Some(&s.staff_token), csv).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["rows"],
        json!([
            {"row": 4, "field": "phone", "code": "already_taken", "message": "same phone as row 2",
             "params": {"same_as_row": 2}},
            {"row": 5, "field": "national_id", "code": "already_taken", "message": "same national ID as row 3",
             "params": {"same_as_row": 3}}
        ])
    );
    assert_eq!(seller_count(&s).await, 0);
}

#[tokio::test]
async fn farmers_already_registered_are_refused() {
    let s = TestServer::start().await;
    s.farmer("0912000501", "008080000501").await;
    let csv = file(&[
        row("Lò Thị Mai", "0912000501", "008080000599"),
        row("Hà Văn Páo", "0912000502", "008080000501"),
        row("Staff", "0900000002", "008080000503"),
        row("Hoàng Văn Thào", "0912000504", "008080000504"),
    ]);
    let errors = row_errors(post_csv(&s, IMPORT, Some(&s.staff_token), csv).await).await;
    let taken = |row, field: &str| (row, field.to_string(), "already_taken".to_string());
    assert_eq!(errors, vec![taken(2, "phone"), taken(3, "national_id"), taken(4, "phone")]);
    assert_eq!(seller_count(&s).await, 1);
}

#[tokio::test]
async fn only_staff_and_admins_import() {
    let s = TestServer::start().await;
    let csv = file(&[row("Lò Thị Mai", "0912000601", "008080000601")]);
    error_code(post_csv(&s, IMPORT, None, csv.clone()).await, StatusCode::UNAUTHORIZED).await;
    error_code(post_csv(&s, IMPORT, Some("not-a-token"), csv.clone()).await, StatusCode::UNAUTHORIZED).await;
    let (_, farmer) = s.farmer("0912000602", "008080000602").await;
    error_code(post_csv(&s, IMPORT, Some(&farmer), csv.clone()).await, StatusCode::FORBIDDEN).await;
    let buyer = json!({"phone": "0987000603", "password": "mật khẩu mới 1", "name": "Trần Minh Anh"});
    let r = s.post_json("/api/v1/auth/register", None, &buyer).await;
    let buyer_token = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    error_code(post_csv(&s, IMPORT, Some(&buyer_token), csv.clone()).await, StatusCode::FORBIDDEN).await;
    assert_eq!(seller_count(&s).await, 1, "only the farmer made above");
    let r = post_csv(&s, IMPORT, Some(&s.admin_token), csv).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_dry_run_checks_everything_and_imports_nothing() {
    let s = TestServer::start().await;
    s.farmer("0912000701", "008080000701").await;
    let good = file(&[
        row("Lò Thị Mai", "0912000702", "008080000702"),
        row("Hà Văn Páo", "0912000703", "008080000703"),
    ]);
    let r = post_csv(&s, &format!("{IMPORT}?dry_run=true"), Some(&s.staff_token), good.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"valid": true, "rows": 2}));
    assert_eq!(seller_count(&s).await, 1);

    // the database is part of the check: a registered phone is found
    let taken = file(&[row("Lò Thị Mai", "0912000701", "008080000704")]);
    let errors =
        row_errors(post_csv(&s, &format!("{IMPORT}?dry_run=true"), Some(&s.staff_token), taken).await).await;
    assert_eq!(errors, vec![(2, "phone".to_string(), "already_taken".to_string())]);

    let r = post_csv(&s, &format!("{IMPORT}?dry_run=false"), Some(&s.staff_token), good).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(seller_count(&s).await, 3);
}

#[tokio::test]
async fn files_that_cannot_be_read_get_one_clear_error() {
    let s = TestServer::start().await;
    let t = Some(s.staff_token.as_str());
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;

    let m = error_message(post_csv(&s, IMPORT, t, "").await, unprocessable, "invalid_file").await;
    assert!(m.contains("empty"), "{m}");
    let m =
        error_message(post_csv(&s, IMPORT, t, format!("{HEADER}\r\n")).await, unprocessable, "invalid_file")
            .await;
    assert!(m.contains("no sellers"), "{m}");

    let missing = file(&[row("A", "0912000801", "008080000801")]).replace("national_id,", "cccd,");
    let m = error_message(post_csv(&s, IMPORT, t, missing).await, unprocessable, "invalid_file").await;
    assert!(m.contains("missing `national_id`") && m.contains("unknown `cccd`"), "{m}");

    // Excel's plain "CSV" on Vietnamese Windows: Windows-1258, not UTF-8
    let mut cp1258 = format!("{HEADER}\r\n").into_bytes();
    cp1258.extend_from_slice(b"Nguy\xEAn V\xE3n A,0912000802,008080000802\r\n");
    let m = error_message(post_csv(&s, IMPORT, t, cp1258).await, unprocessable, "invalid_file").await;
    assert!(m.contains("CSV UTF-8"), "{m}");

    // leading zeros Excel dropped are explained, not guessed back
    let stripped = file(&[row("A", "912000803", "8080000803")]);
    let r = post_csv(&s, IMPORT, t, stripped).await;
    let body: Value = r.json().await.unwrap();
    let rows = body["error"]["rows"].as_array().unwrap();
    let messages: Vec<&str> = rows.iter().map(|r| r["message"].as_str().unwrap()).collect();
    assert_eq!(messages.len(), 2);
    assert!(messages.iter().all(|m| m.contains("leading zero") && m.contains("Text")), "{messages:?}");
    // the page says it in Vietnamese from the code and params, not the message
    let said: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            let p = &r["params"];
            (
                r["field"].as_str().unwrap(),
                r["code"].as_str().unwrap(),
                p["excel"].as_str().unwrap_or(""),
                p["value"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        said,
        vec![
            ("phone", "invalid_format", "leading_zero", "912000803"),
            ("national_id", "invalid_format", "leading_zero", "8080000803")
        ]
    );

    // sent as JSON, or as a form: not what the route reads
    let r = s.post_json(IMPORT, t, &json!({"file": "x"})).await;
    error_message(r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    assert_eq!(seller_count(&s).await, 0);
}

#[tokio::test]
async fn too_many_rows_or_bytes_are_refused_with_the_limits() {
    let s = TestServer::start().await;
    let t = Some(s.staff_token.as_str());
    let rows: Vec<String> =
        (0..1001).map(|i| row("Lò Thị Mai", &format!("09130{i:05}"), &format!("0080810{i:05}"))).collect();
    let m = error_message(
        post_csv(&s, IMPORT, t, file(&rows)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    assert!(m.contains("1001") && m.contains("1000"), "{m}");

    let mut big = format!("{HEADER}\n").into_bytes();
    big.resize(3 * 1024 * 1024, b' ');
    let m =
        error_message(post_csv(&s, IMPORT, t, big).await, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
            .await;
    assert!(m.contains("2 MB"), "{m}");
    assert_eq!(seller_count(&s).await, 0);

    // exactly the limit is fine, and quick: one transaction
    let r = post_csv(&s, IMPORT, t, file(&rows[..1000])).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.json::<Value>().await.unwrap()["imported"], 1000);
}
