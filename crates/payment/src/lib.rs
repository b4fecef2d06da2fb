//! Payment: how buyers pay for orders and how the money reaches farmers.
//!
//! Buyers pay for an order by bank transfer, scanning a VietQR code with
//! their bank app, or in cash to the postman. A VietQR code holds an EMVCo
//! merchant-presented payload naming the bank (BIN) and account, the
//! amount, and a purpose that carries the order code. When the money
//! arrives, a bank-notification service (SePay and the like) posts the
//! transfer to our webhook; we check who sent it, read it, find the order
//! code in the transfer text, and book it in the escrow ledger, where it
//! waits until the goods are delivered.
//!
//! The pure core (no HTTP, no database), unit- and property-tested:
//! - [`VietQr`]: a checked transfer request; [`VietQr::new_dynamic`] for
//!   one order, [`VietQr::new_static`] for a reusable code,
//!   [`VietQr::parse`] to read one, [`VietQr::payload`] to write it.
//! - [`ascii_purpose`]: order code or name to a ≤ 25-character ASCII purpose.
//! - [`crc16_ccitt_false`]: the checksum of tag 63.
//! - [`tlv`]: the generic EMVCo tag-length-value reader and writer.
//! - [`BankNotification::parse`]: a webhook body, checked field by field.
//! - [`candidate_order_codes`]: order codes in transfer text however the
//!   bank mangled it; [`is_order_code`] for the canonical form.
//! - [`webhook_auth`]: `Authorization: Apikey` and HMAC-SHA256 signatures.
//! - [`FeeRate`]: the platform fee in basis points, rounded down.
//! - [`escrow::plan`]: which ledger postings an order change makes.
//!
//! On the database:
//! - [`ledger`]: the double-entry escrow ledger: accounts and transfers in
//!   whole đồng, holds, idempotency keys and the non-negative rule.
//! - [`chart`]: the accounts the flows use; [`escrow`]: orders' money;
//!   [`bank_transfers`]: the webhook's notifications and suspense;
//!   [`cod`]: cash on delivery; [`payouts`]: paying sellers, statements.
//! - [`routes`]: the HTTP API of all of it; [`ServiceError`] its one error
//!   type. The pure parts keep their own precise errors: [`PaymentError`]
//!   (VietQR), [`NotificationError`], [`SignatureError`],
//!   [`ledger::LedgerError`].
//!
//! Reading a VietQR is strict on what decides where money goes (structure,
//! CRC, GUID, BIN, account, currency, amount, purpose) and lenient on tags
//! it has no use for, so that payloads printed by bank apps parse. Reading
//! a notification is likewise strict on id, account, direction and amount
//! and ignores fields it has no use for.

mod bank_notification;
pub mod bank_transfers;
pub mod chart;
pub mod cod;
mod crc;
mod error;
pub mod escrow;
mod fee;
pub mod ledger;
mod order_code;
pub mod payouts;
mod purpose;
pub mod routes;
mod service_error;
pub mod tlv;
mod vietqr;
pub mod webhook_auth;

pub use bank_notification::{
    BankNotification, Direction, MAX_CONTENT_LEN, MAX_ID_LEN, MAX_NAME_LEN, MAX_NOTIFIED_ACCOUNT_LEN,
    MAX_NOTIFIED_AMOUNT_VND,
};
pub use crc::crc16_ccitt_false;
pub use error::{Field, NotificationError, NotificationField, PaymentError, SignatureError};
pub use fee::{FeeRate, FeeRateError};
pub use order_code::{
    candidate_order_codes, is_order_code, MAX_GAP, ORDER_CODE_ALPHABET, ORDER_CODE_BODY_LEN,
    ORDER_CODE_PREFIX,
};
pub use purpose::ascii_purpose;
pub use service_error::ServiceError;
pub use vietqr::{Service, VietQr, MAX_ACCOUNT_LEN, MAX_AMOUNT_VND, MAX_PURPOSE_LEN, NAPAS_GUID};
pub use webhook_auth::{api_key_matches, sign, verify_signature};
