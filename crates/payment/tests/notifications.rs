//! Whole webhook bodies through `BankNotification::parse`, one rule at a
//! time: each bad body differs from SePay's documented example in one
//! field, so the rule under test is what refuses it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use payment::{BankNotification, Direction, NotificationError, NotificationField as F};
use serde_json::{json, Value};

/// SePay's example payload (developer.sepay.vn, "SePay Webhooks", quick
/// start), with all its fields.
fn sepay_example() -> Value {
    json!({
        "id": 92704,
        "gateway": "Vietcombank",
        "transactionDate": "2023-03-25 14:02:37",
        "accountNumber": "0123499999",
        "code": null,
        "content": "chuyen tien mua iphone",
        "transferType": "in",
        "transferAmount": 2277000,
        "accumulated": 19077000,
        "subAccount": null,
        "referenceCode": "MBVCB.3278907687",
        "description": ""
    })
}

fn parse(v: &Value) -> Result<BankNotification, NotificationError> {
    BankNotification::parse(v.to_string().as_bytes())
}

fn with(key: &str, value: Value) -> Value {
    let mut v = sepay_example();
    v[key] = value;
    v
}

fn without(key: &str) -> Value {
    let mut v = sepay_example();
    v.as_object_mut().unwrap().remove(key);
    v
}

fn field_of(v: &Value) -> F {
    parse(v).unwrap_err().field().expect("a field error")
}

#[test]
fn reads_the_example() {
    let n = parse(&sepay_example()).unwrap();
    assert_eq!(n.id(), "92704");
    assert_eq!(n.direction(), Direction::In);
    assert_eq!(n.amount_vnd(), 2_277_000);
    assert_eq!(n.transaction_time(), Utc.with_ymd_and_hms(2023, 3, 25, 7, 2, 37).unwrap());
}

#[test]
fn reads_a_minimal_body_with_string_id_and_amount() {
    // Fields as some integrations send them: string id (SePay's API gives
    // UUIDs for transactions), string amount, no referenceCode.
    let body = br#"{"id":"07ad3dc9-1111-2222-3333-0afffe87053b","gateway":"ACB","transactionDate":"2026-10-31T11:24:40+07:00","accountNumber":"0000000002","content":"","transferType":"out","transferAmount":"50000"}"#;
    let n = BankNotification::parse(body).unwrap();
    assert_eq!(n.id(), "07ad3dc9-1111-2222-3333-0afffe87053b");
    assert_eq!(n.content(), "");
    assert_eq!(n.direction(), Direction::Out);
    assert_eq!(n.amount_vnd(), 50_000);
    assert_eq!(n.reference_code(), None);
    assert_eq!(n.transaction_time(), Utc.with_ymd_and_hms(2026, 10, 31, 4, 24, 40).unwrap());
}

#[test]
fn keeps_vietnamese_content_as_sent() {
    let n = parse(&with("content", json!("Thanh toán đơn NS7K2M9QXA – Nguyễn Văn A"))).unwrap();
    assert_eq!(n.content(), "Thanh toán đơn NS7K2M9QXA – Nguyễn Văn A");
}

#[test]
fn ignores_unknown_fields() {
    let mut v = sepay_example();
    v["somethingNew"] = json!({"nested": [1, 2, 3]});
    v["accumulated"] = json!("not even a number");
    assert!(parse(&v).is_ok());
}

#[test]
fn empty_or_null_reference_is_none() {
    assert_eq!(parse(&with("referenceCode", json!(""))).unwrap().reference_code(), None);
    assert_eq!(parse(&with("referenceCode", Value::Null)).unwrap().reference_code(), None);
    assert_eq!(field_of(&with("referenceCode", json!(12345))), F::ReferenceCode);
    assert_eq!(field_of(&with("referenceCode", json!("R".repeat(101)))), F::ReferenceCode);
}

#[test]
fn every_required_field_missing_or_null_is_named() {
    for field in [
        F::Id,
        F::Gateway,
        F::TransactionDate,
        F::AccountNumber,
        F::Content,
        F::TransferType,
        F::TransferAmount,
    ] {
        assert_eq!(parse(&without(field.key())), Err(NotificationError::Missing { field }), "{field}");
        assert_eq!(
            parse(&with(field.key(), Value::Null)),
            Err(NotificationError::Missing { field }),
            "{field}"
        );
    }
}

#[test]
fn wrong_values_name_their_field() {
    let cases = [
        ("id", json!(""), F::Id),
        ("id", json!(1.5), F::Id),
        ("id", json!([1]), F::Id),
        ("gateway", json!(7), F::Gateway),
        ("gateway", json!("G".repeat(101)), F::Gateway),
        ("transactionDate", json!("25/03/2023 14:02"), F::TransactionDate),
        ("accountNumber", json!("0123 499 999"), F::AccountNumber),
        ("accountNumber", json!(123499999), F::AccountNumber),
        ("content", json!(["chuyen tien"]), F::Content),
        ("content", json!("x".repeat(1001)), F::Content),
        ("transferType", json!("IN"), F::TransferType),
        ("transferType", json!("credit"), F::TransferType),
        ("transferAmount", json!(2277000.5), F::TransferAmount),
        ("transferAmount", json!(-2277000), F::TransferAmount),
        ("transferAmount", json!(0), F::TransferAmount),
        ("transferAmount", json!(10_000_000_000_001_i64), F::TransferAmount),
        ("transferAmount", json!("2.277.000"), F::TransferAmount),
    ];
    for (key, value, field) in cases {
        assert_eq!(field_of(&with(key, value.clone())), field, "{key} = {value}");
    }
}

#[test]
fn limits_count_characters_not_bytes() {
    // 1000 "ệ" are 3000 bytes of UTF-8 and still a valid content.
    assert!(parse(&with("content", json!("ệ".repeat(1000)))).is_ok());
    assert!(parse(&with("gateway", json!("Ngân hàng ".repeat(10)))).is_ok());
}

#[test]
fn messages_name_the_field() {
    let err = parse(&with("transferAmount", json!(1500.5))).unwrap_err();
    assert_eq!(err.to_string(), "transferAmount: must be a whole number of đồng, not a fraction");
    let err = parse(&without("accountNumber")).unwrap_err();
    assert_eq!(err.to_string(), "accountNumber: missing");
    let err = parse(&with("transferAmount", json!(10_000_000_000_001_i64))).unwrap_err();
    assert_eq!(err.to_string(), "transferAmount: must be at most 10000000000000 đồng");
}

#[test]
fn not_json_or_not_an_object() {
    assert!(matches!(BankNotification::parse(b""), Err(NotificationError::NotJson { .. })));
    assert!(matches!(BankNotification::parse(b"{\"id\":"), Err(NotificationError::NotJson { .. })));
    assert!(matches!(BankNotification::parse(b"\xff\xfe"), Err(NotificationError::NotJson { .. })));
    assert_eq!(BankNotification::parse(b"[1,2]"), Err(NotificationError::NotAnObject));
    assert_eq!(BankNotification::parse(b"null"), Err(NotificationError::NotAnObject));
    assert_eq!(BankNotification::parse(b"\"x\"").unwrap_err().field(), None);
}
