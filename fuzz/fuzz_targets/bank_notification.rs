//! Bank-transfer notifications: the raw body the webhook receives from the
//! notification service, and the order codes looked for in its text. The
//! body is the one input from outside that moves money in the books.
//!
//! - `BankNotification::parse` either refuses or returns a notification
//!   whose every field is in its documented domain: an amount from 1 to
//!   10¹³ đồng, the same amount as the body's `transferAmount`, an id of
//!   1–100 printable ASCII characters, an account of 1–19 ASCII letters or
//!   digits, `in` or `out`, texts within their lengths and free of control
//!   characters other than tab and line breaks.
//! - `candidate_order_codes` on any text returns only well-formed order
//!   codes, each once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use payment::{
    candidate_order_codes, is_order_code, BankNotification, Direction, MAX_CONTENT_LEN, MAX_ID_LEN,
    MAX_NAME_LEN, MAX_NOTIFIED_ACCOUNT_LEN, MAX_NOTIFIED_AMOUNT_VND,
};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    if let Ok(notification) = BankNotification::parse(data) {
        assert_domain(&notification, data);
        assert_codes(notification.content());
    }
    // The order-code search runs on any transfer text, so on any string.
    assert_codes(&String::from_utf8_lossy(data));
});

fn assert_domain(n: &BankNotification, body: &[u8]) {
    let amount = n.amount_vnd();
    assert!((1..=MAX_NOTIFIED_AMOUNT_VND).contains(&amount), "amount {amount}");
    let value: Value = serde_json::from_slice(body).expect("parse read it as JSON");
    let wire = match &value["transferAmount"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse::<i64>().ok(),
        _ => None,
    };
    assert_eq!(wire, Some(amount), "the amount is not the body's transferAmount");
    let expected_direction = match value["transferType"].as_str() {
        Some("in") => Direction::In,
        Some("out") => Direction::Out,
        other => panic!("accepted transferType {other:?}"),
    };
    assert_eq!(n.direction(), expected_direction);

    let id = n.id().as_str();
    assert!((1..=MAX_ID_LEN).contains(&id.len()) && id.bytes().all(|b| (0x20..=0x7E).contains(&b)));
    let account = n.account_number();
    assert!(
        (1..=MAX_NOTIFIED_ACCOUNT_LEN).contains(&account.len())
            && account.bytes().all(|b| b.is_ascii_alphanumeric())
    );
    assert_text(n.gateway(), MAX_NAME_LEN);
    assert_text(n.content(), MAX_CONTENT_LEN);
    if let Some(reference) = n.reference_code() {
        assert!(!reference.is_empty());
        assert_text(reference, MAX_NAME_LEN);
    }
}

fn assert_text(s: &str, max_chars: usize) {
    assert!(s.chars().count() <= max_chars, "{} characters", s.chars().count());
    assert!(
        !s.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
        "control character in {s:?}"
    );
}

fn assert_codes(text: &str) {
    let codes = candidate_order_codes(text);
    for (i, code) in codes.iter().enumerate() {
        assert!(is_order_code(code), "{code:?} from {text:?}");
        assert!(!codes[..i].contains(code), "{code:?} twice from {text:?}");
    }
}
