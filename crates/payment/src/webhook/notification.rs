//! Bank-transfer notifications, as Vietnamese notification services post
//! them to our webhook.
//!
//! The shape is SePay's (developer.sepay.vn, "SePay Webhooks", payload of
//! `POST` to the configured URL):
//!
//! ```json
//! {"id":92704,"gateway":"Vietcombank","transactionDate":"2023-03-25 14:02:37",
//!  "accountNumber":"0123499999","code":null,"content":"chuyen tien mua iphone",
//!  "transferType":"in","transferAmount":2277000,"accumulated":19077000,
//!  "subAccount":null,"referenceCode":"MBVCB.3278907687","description":""}
//! ```
//!
//! SePay documents `id` as the key to deduplicate retries by (it retries up
//! to 7 times on failure), so [`BankNotification::id`] is what makes a
//! repeated notification change nothing. Integrations in the wild declare
//! `id` as a number or as a string and `transferAmount` as an integer or a
//! float, so both spellings are read here, but an amount must still be a
//! whole positive number of đồng. `transactionDate` is the bank's local
//! time (Vietnam, UTC+7, no daylight saving). Fields we have no use for
//! (`code`, `accumulated`, `subAccount`, `description`, anything added
//! later) are ignored.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use common::NotificationId;
use serde_json::{Map, Value};

use crate::error::{NotificationError, NotificationField as F};

/// Largest amount a notification may carry: 10¹³ đồng, far above any real
/// transfer and still exact in an `i64` and a JSON double.
pub const MAX_NOTIFIED_AMOUNT_VND: i64 = 10_000_000_000_000;
/// Longest `id` kept, in characters.
pub const MAX_ID_LEN: usize = 100;
/// Longest `gateway` and `referenceCode`, in characters.
pub const MAX_NAME_LEN: usize = 100;
/// Longest `content`, in characters.
pub const MAX_CONTENT_LEN: usize = 1000;
/// Longest `accountNumber`: NAPAS allows 19 characters.
pub const MAX_NOTIFIED_ACCOUNT_LEN: usize = 19;

/// Vietnam's offset from UTC, constant all year.
const VIETNAM_OFFSET_HOURS: i64 = 7;

/// Which way the money moved on our account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `in`: money received, a buyer paying.
    In,
    /// `out`: money sent, a payout or refund leaving.
    Out,
}

impl Direction {
    /// The wire value, `in` or `out`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// A checked bank-transfer notification. The only way to get one is
/// [`BankNotification::parse`], so every value in it is in its domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankNotification {
    id: NotificationId,
    gateway: String,
    transaction_time: DateTime<Utc>,
    account_number: String,
    content: String,
    direction: Direction,
    amount_vnd: i64,
    reference_code: Option<String>,
}

impl BankNotification {
    /// Reads a notification from the raw request body.
    ///
    /// - `id`: a JSON integer or a string of 1–100 printable ASCII
    ///   characters; kept as a string (`92704` → `"92704"`).
    /// - `gateway`: a string of at most 100 characters.
    /// - `transactionDate`: `YYYY-MM-DD HH:MM:SS` in Vietnam time, or an
    ///   RFC 3339 timestamp with its own offset.
    /// - `accountNumber`: 1–19 ASCII letters or digits.
    /// - `content`: a string of at most 1000 characters, possibly empty.
    /// - `transferType`: `in` or `out`.
    /// - `transferAmount`: a whole number of đồng from 1 to 10¹³, as a JSON
    ///   integer or a string of digits.
    /// - `referenceCode`: optional; absent, `null` or `""` mean none,
    ///   otherwise a string of at most 100 characters.
    ///
    /// Required fields that are `null` count as missing.
    pub fn parse(body: &[u8]) -> Result<BankNotification, NotificationError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| NotificationError::NotJson { line: e.line(), column: e.column() })?;
        let Value::Object(object) = value else {
            return Err(NotificationError::NotAnObject);
        };
        Ok(BankNotification {
            id: id(required(&object, F::Id)?)?,
            gateway: string(&object, F::Gateway, MAX_NAME_LEN)?,
            transaction_time: transaction_time(required(&object, F::TransactionDate)?)?,
            account_number: account_number(required(&object, F::AccountNumber)?)?,
            content: string(&object, F::Content, MAX_CONTENT_LEN)?,
            direction: direction(required(&object, F::TransferType)?)?,
            amount_vnd: amount(required(&object, F::TransferAmount)?)?,
            reference_code: reference_code(&object)?,
        })
    }

    /// The notification service's transaction id: the deduplication key.
    pub fn id(&self) -> &NotificationId {
        &self.id
    }

    /// The bank's name as the service gives it (`Vietcombank`, `MBBank`…).
    pub fn gateway(&self) -> &str {
        &self.gateway
    }

    /// When the bank booked the transfer.
    pub fn transaction_time(&self) -> DateTime<Utc> {
        self.transaction_time
    }

    /// Our account number the transfer went into (or out of).
    pub fn account_number(&self) -> &str {
        &self.account_number
    }

    /// The transfer description as the bank passed it on; see
    /// [`crate::candidate_order_codes`] to find the order code in it.
    pub fn content(&self) -> &str {
        &self.content
    }

    /// Money in or out.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// The amount in whole đồng, from 1 to [`MAX_NOTIFIED_AMOUNT_VND`].
    pub fn amount_vnd(&self) -> i64 {
        self.amount_vnd
    }

    /// The bank's own reference (`MBVCB.3278907687`, `FT23329138005389`…).
    pub fn reference_code(&self) -> Option<&str> {
        self.reference_code.as_deref()
    }
}

fn required(object: &Map<String, Value>, field: F) -> Result<&Value, NotificationError> {
    match object.get(field.key()) {
        None | Some(Value::Null) => Err(NotificationError::Missing { field }),
        Some(value) => Ok(value),
    }
}

fn string(object: &Map<String, Value>, field: F, max_chars: usize) -> Result<String, NotificationError> {
    let Value::String(s) = required(object, field)? else {
        return Err(NotificationError::invalid(field, "must be a string"));
    };
    check_length(field, s, max_chars)?;
    Ok(s.clone())
}

/// Also refuses control characters (other than tab and line breaks, which
/// bank texts do carry): PostgreSQL cannot store NUL in text, and nothing
/// else of the kind belongs in a transfer description.
fn check_length(field: F, s: &str, max_chars: usize) -> Result<(), NotificationError> {
    if s.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(NotificationError::invalid(field, "must not contain control characters"));
    }
    if s.chars().count() > max_chars {
        return Err(NotificationError::invalid(
            field,
            match max_chars {
                MAX_CONTENT_LEN => "must be at most 1000 characters",
                _ => "must be at most 100 characters",
            },
        ));
    }
    Ok(())
}

fn id(value: &Value) -> Result<NotificationId, NotificationError> {
    let id = match value {
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        Value::Number(_) => return Err(NotificationError::invalid(F::Id, "must be an integer or a string")),
        Value::String(s) => s.clone(),
        _ => return Err(NotificationError::invalid(F::Id, "must be an integer or a string")),
    };
    if id.is_empty() {
        return Err(NotificationError::invalid(F::Id, "must not be empty"));
    }
    if id.len() > MAX_ID_LEN {
        return Err(NotificationError::invalid(F::Id, "must be at most 100 characters"));
    }
    if !id.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Err(NotificationError::invalid(F::Id, "must be printable ASCII"));
    }
    // the same rule as the type's; checked above for the precise reason
    NotificationId::parse(&id).ok_or(NotificationError::invalid(F::Id, "must be printable ASCII"))
}

/// `YYYY-MM-DD HH:MM:SS` in Vietnam time, or RFC 3339.
fn transaction_time(value: &Value) -> Result<DateTime<Utc>, NotificationError> {
    const REASON: &str = "must be YYYY-MM-DD HH:MM:SS (Vietnam time) or an RFC 3339 timestamp";
    let Value::String(s) = value else {
        return Err(NotificationError::invalid(F::TransactionDate, REASON));
    };
    if is_local_date_time(s) {
        let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .map_err(|_| NotificationError::invalid(F::TransactionDate, "is not a valid date and time"))?;
        return local
            .checked_sub_signed(TimeDelta::hours(VIETNAM_OFFSET_HOURS))
            .map(|utc| utc.and_utc())
            .ok_or(NotificationError::invalid(F::TransactionDate, "is out of range"));
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| NotificationError::invalid(F::TransactionDate, REASON))
}

/// Exactly `dddd-dd-dd dd:dd:dd`. chrono alone would also take a signed or
/// longer year, or one-digit fields.
fn is_local_date_time(s: &str) -> bool {
    const SHAPE: &[u8; 19] = b"dddd-dd-dd dd:dd:dd";
    s.len() == SHAPE.len()
        && s.bytes().zip(SHAPE.iter()).all(|(b, &want)| match want {
            b'd' => b.is_ascii_digit(),
            _ => b == want,
        })
}

fn account_number(value: &Value) -> Result<String, NotificationError> {
    let Value::String(s) = value else {
        return Err(NotificationError::invalid(F::AccountNumber, "must be a string"));
    };
    if s.is_empty() || s.len() > MAX_NOTIFIED_ACCOUNT_LEN || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(NotificationError::invalid(F::AccountNumber, "must be 1 to 19 ASCII letters or digits"));
    }
    Ok(s.clone())
}

fn direction(value: &Value) -> Result<Direction, NotificationError> {
    match value.as_str() {
        Some("in") => Ok(Direction::In),
        Some("out") => Ok(Direction::Out),
        _ => Err(NotificationError::invalid(F::TransferType, "must be \"in\" or \"out\"")),
    }
}

/// A whole positive number of đồng, at most [`MAX_NOTIFIED_AMOUNT_VND`].
fn amount(value: &Value) -> Result<i64, NotificationError> {
    const NOT_A_NUMBER: &str = "must be a whole number of đồng (an integer or a string of digits)";
    const FRACTION: &str = "must be a whole number of đồng, not a fraction";
    const NOT_POSITIVE: &str = "must be positive";
    const TOO_LARGE: &str = "must be at most 10000000000000 đồng";
    let invalid = |reason| NotificationError::invalid(F::TransferAmount, reason);
    let amount = match value {
        Value::Number(n) => {
            if let Some(v) = n.as_i64() {
                v
            } else if n.is_u64() {
                // Larger than i64::MAX.
                return Err(invalid(TOO_LARGE));
            } else {
                // A float: say what is wrong with it, but never accept it,
                // not even 2277000.0, since a float amount means the
                // sender's money arithmetic is not whole đồng.
                let f = n.as_f64().unwrap_or(f64::NAN);
                return Err(invalid(if f.fract() != 0.0 {
                    FRACTION
                } else if f <= 0.0 {
                    NOT_POSITIVE
                } else if f > MAX_NOTIFIED_AMOUNT_VND as f64 {
                    TOO_LARGE
                } else {
                    "must be an integer, without a decimal point or exponent"
                }));
            }
        }
        Value::String(s) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() {
                return Err(invalid(NOT_A_NUMBER));
            }
            if digits.bytes().all(|b| b.is_ascii_digit()) {
                if s.starts_with('-') {
                    return Err(invalid(NOT_POSITIVE));
                }
                let significant = digits.trim_start_matches('0');
                if significant.len() > 14 {
                    return Err(invalid(TOO_LARGE));
                }
                // At most 14 digits: always fits.
                significant.parse::<i64>().unwrap_or(0)
            } else if digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') && digits.contains('.') {
                return Err(invalid(FRACTION));
            } else {
                return Err(invalid(NOT_A_NUMBER));
            }
        }
        _ => return Err(invalid(NOT_A_NUMBER)),
    };
    if amount <= 0 {
        return Err(invalid(NOT_POSITIVE));
    }
    if amount > MAX_NOTIFIED_AMOUNT_VND {
        return Err(invalid(TOO_LARGE));
    }
    Ok(amount)
}

fn reference_code(object: &Map<String, Value>) -> Result<Option<String>, NotificationError> {
    match object.get(F::ReferenceCode.key()) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => {
            check_length(F::ReferenceCode, s, MAX_NAME_LEN)?;
            Ok(Some(s.clone()))
        }
        Some(_) => Err(NotificationError::invalid(F::ReferenceCode, "must be a string")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use chrono::TimeZone;

    /// SePay's documented example payload, verbatim
    /// (developer.sepay.vn/en/sepay-webhooks/bat-dau-nhanh).
    const SEPAY_EXAMPLE: &str = r#"{"id":92704,"gateway":"Vietcombank","transactionDate":"2023-03-25 14:02:37","accountNumber":"0123499999","code":null,"content":"chuyen tien mua iphone","transferType":"in","transferAmount":2277000,"accumulated":19077000,"subAccount":null,"referenceCode":"MBVCB.3278907687","description":""}"#;

    #[test]
    fn reads_the_sepay_example() {
        let n = BankNotification::parse(SEPAY_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(n.id(), "92704");
        assert_eq!(n.gateway(), "Vietcombank");
        // 14:02:37 in Hanoi is 07:02:37 UTC.
        assert_eq!(n.transaction_time(), Utc.with_ymd_and_hms(2023, 3, 25, 7, 2, 37).unwrap());
        assert_eq!(n.account_number(), "0123499999");
        assert_eq!(n.content(), "chuyen tien mua iphone");
        assert_eq!(n.direction(), Direction::In);
        assert_eq!(n.amount_vnd(), 2_277_000);
        assert_eq!(n.reference_code(), Some("MBVCB.3278907687"));
    }

    #[test]
    fn local_time_crosses_midnight_to_utc() {
        assert_eq!(
            transaction_time(&"2024-01-01 03:00:00".into()),
            Ok(Utc.with_ymd_and_hms(2023, 12, 31, 20, 0, 0).unwrap())
        );
    }

    #[test]
    fn rfc3339_keeps_its_own_offset() {
        let want = Utc.with_ymd_and_hms(2023, 3, 25, 7, 2, 37).unwrap();
        assert_eq!(transaction_time(&"2023-03-25T14:02:37+07:00".into()), Ok(want));
        assert_eq!(transaction_time(&"2023-03-25T07:02:37Z".into()), Ok(want));
    }

    #[test]
    fn refuses_other_date_shapes() {
        for bad in [
            "2023-3-25 14:02:37",
            "25/03/2023 14:02:37",
            "2023-03-25",
            "+2023-03-25 14:02:37",
            "2023-02-30 10:00:00",
            "2023-03-25 24:00:00",
            "",
        ] {
            let err = transaction_time(&bad.into()).unwrap_err();
            assert_eq!(err.field(), Some(F::TransactionDate), "{bad:?}");
        }
        assert!(transaction_time(&Value::from(1_679_727_757)).is_err());
    }

    #[test]
    fn amount_spellings() {
        assert_eq!(amount(&Value::from(2_277_000)), Ok(2_277_000));
        assert_eq!(amount(&"2277000".into()), Ok(2_277_000));
        assert_eq!(amount(&"0002277000".into()), Ok(2_277_000));
        assert_eq!(amount(&Value::from(MAX_NOTIFIED_AMOUNT_VND)), Ok(MAX_NOTIFIED_AMOUNT_VND));
        assert_eq!(amount(&"10000000000000".into()), Ok(MAX_NOTIFIED_AMOUNT_VND));
    }

    fn amount_reason(v: Value) -> &'static str {
        match amount(&v) {
            Err(NotificationError::Invalid { field: F::TransferAmount, reason }) => reason,
            other => panic!("{v}: {other:?}"),
        }
    }

    #[test]
    fn amount_refusals_say_why() {
        assert_eq!(
            amount_reason(serde_json::from_str("1500.5").unwrap()),
            "must be a whole number of đồng, not a fraction"
        );
        assert_eq!(amount_reason("1500.50".into()), "must be a whole number of đồng, not a fraction");
        assert_eq!(amount_reason(Value::from(0)), "must be positive");
        assert_eq!(amount_reason("0".into()), "must be positive");
        assert_eq!(amount_reason(Value::from(-5)), "must be positive");
        assert_eq!(amount_reason("-5".into()), "must be positive");
        assert_eq!(
            amount_reason(Value::from(MAX_NOTIFIED_AMOUNT_VND + 1)),
            "must be at most 10000000000000 đồng"
        );
        assert_eq!(amount_reason("10000000000001".into()), "must be at most 10000000000000 đồng");
        assert_eq!(amount_reason("99999999999999999999999".into()), "must be at most 10000000000000 đồng");
        assert_eq!(amount_reason(Value::from(u64::MAX)), "must be at most 10000000000000 đồng");
        assert_eq!(
            amount_reason(serde_json::from_str("1e20").unwrap()),
            "must be at most 10000000000000 đồng"
        );
        assert_eq!(
            amount_reason(serde_json::from_str("2277000.0").unwrap()),
            "must be an integer, without a decimal point or exponent"
        );
        for bad in ["", "-", " 100", "100 ", "1,000", "1e6", "abc", "１００"] {
            assert_eq!(
                amount_reason(bad.into()),
                "must be a whole number of đồng (an integer or a string of digits)",
                "{bad:?}"
            );
        }
        assert!(amount(&Value::Bool(true)).is_err());
    }

    #[test]
    fn id_as_number_or_string() {
        assert_eq!(id(&Value::from(92704)).map(String::from), Ok("92704".to_owned()));
        assert_eq!(
            id(&"07ad3dc9-0000-0000-0000-0afffe87053b".into()).map(String::from),
            Ok("07ad3dc9-0000-0000-0000-0afffe87053b".to_owned())
        );
        assert!(id(&"".into()).is_err());
        assert!(id(&"x".repeat(101).into()).is_err());
        assert!(id(&"x".repeat(100).into()).is_ok());
        assert!(id(&"mã".into()).is_err());
        assert!(id(&"a\nb".into()).is_err());
        assert!(id(&serde_json::from_str::<Value>("1.5").unwrap()).is_err());
        assert!(id(&Value::Bool(false)).is_err());
    }

    #[test]
    fn account_numbers() {
        assert!(account_number(&"0123499999".into()).is_ok());
        assert!(account_number(&"VQRQ0001abc".into()).is_ok());
        assert!(account_number(&"1".repeat(19).into()).is_ok());
        for bad in ["", "1234 5678", "0123-499", &"1".repeat(20), "０１２３"] {
            assert!(account_number(&bad.into()).is_err(), "{bad:?}");
        }
        assert!(account_number(&Value::from(123_499_999)).is_err());
    }
}
