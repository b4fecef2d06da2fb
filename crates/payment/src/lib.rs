//! Payment: the VietQR core (pure: no HTTP, no database) and the escrow ledger.
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
//! - [`PaymentError`]: the one error type.
//!
//! Reading is strict on what decides where money goes (structure, CRC,
//! GUID, BIN, account, currency, amount, purpose) and lenient on tags it
//! has no use for, so that payloads printed by bank apps parse.
//!
//! [`ledger`] is the escrow ledger the payment flows post to: double-entry
//! accounts and transfers in whole đồng, with holds, idempotency keys and
//! the non-negative rule, on SQLite and PostgreSQL.

mod crc;
mod error;
pub mod ledger;
mod purpose;
pub mod tlv;
mod vietqr;

pub use crc::crc16_ccitt_false;
pub use error::{Field, PaymentError};
pub use purpose::ascii_purpose;
pub use vietqr::{Service, VietQr, MAX_ACCOUNT_LEN, MAX_AMOUNT_VND, MAX_PURPOSE_LEN, NAPAS_GUID};
