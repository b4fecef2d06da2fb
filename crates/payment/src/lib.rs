//! Payment: the VietQR core, pure (no HTTP, no database).
//!
//! Buyers pay for an order by bank transfer, scanning a VietQR code with
//! their bank app. A VietQR code holds an EMVCo merchant-presented payload
//! naming the seller's bank (BIN) and account, the amount, and a purpose
//! that carries the order code, so that the incoming transfer can be
//! matched to its order. This crate builds those payloads, reads them back
//! (for checking our own, and for reading a seller's bank-printed static
//! QR), and folds Vietnamese text into a purpose bank apps carry intact.
//!
//! - [`VietQr`]: a checked transfer request; [`VietQr::new_dynamic`] for
//!   one order, [`VietQr::new_static`] for a reusable code,
//!   [`VietQr::parse`] to read one, [`VietQr::payload`] to write it.
//! - [`ascii_purpose`]: order code or name to a ≤ 25-character ASCII purpose.
//! - [`crc16_ccitt_false`]: the checksum of tag 63.
//! - [`tlv`]: the generic EMVCo tag-length-value reader and writer.
//! - [`BankNotification::parse`]: a webhook body, checked field by field.
//! - [`candidate_order_codes`]: order codes in transfer text however the
//!   bank mangled it; [`is_order_code`] for the canonical form.
//! - [`FeeRate`]: the platform fee in basis points, rounded down.
//! - [`PaymentError`], [`NotificationError`]: the errors.
//!
//! Reading is strict on what decides where money goes (structure, CRC,
//! GUID, BIN, account, currency, amount, purpose) and lenient on tags it
//! has no use for, so that payloads printed by bank apps parse.

mod bank_notification;
mod crc;
mod error;
mod fee;
mod order_code;
mod purpose;
pub mod tlv;
mod vietqr;

pub use bank_notification::{
    BankNotification, Direction, MAX_CONTENT_LEN, MAX_ID_LEN, MAX_NAME_LEN, MAX_NOTIFIED_ACCOUNT_LEN,
    MAX_NOTIFIED_AMOUNT_VND,
};
pub use crc::crc16_ccitt_false;
pub use error::{Field, NotificationError, NotificationField, PaymentError};
pub use fee::{FeeRate, FeeRateError};
pub use order_code::{
    candidate_order_codes, is_order_code, MAX_GAP, ORDER_CODE_ALPHABET, ORDER_CODE_BODY_LEN,
    ORDER_CODE_PREFIX,
};
pub use purpose::ascii_purpose;
pub use vietqr::{Service, VietQr, MAX_ACCOUNT_LEN, MAX_AMOUNT_VND, MAX_PURPOSE_LEN, NAPAS_GUID};
