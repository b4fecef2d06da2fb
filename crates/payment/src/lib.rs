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
//! # Layout
//!
//! One folder per resource, each cut the same way: `mod.rs` holds the
//! resource's public types (the JSON its routes take and give included),
//! `rules.rs` its pure decisions (no actix-web, no diesel, no storage),
//! `store.rs` its diesel queries on a connection it is given, and
//! `routes.rs` its handlers with their OpenAPI paths. A resource lacks the
//! files it does not need. So only a `store.rs` runs SQL and only a
//! `routes.rs` speaks HTTP; the other files of a folder (the webhook's
//! parsers, the VietQR codec) are pure too.
//!
//! - [`webhook`]: `POST /payments/bank-webhook`. Pure: reading a
//!   notification ([`BankNotification::parse`]), checking its `Apikey` and
//!   HMAC-SHA256 signature ([`webhook::auth`]), finding order codes in
//!   transfer text however the bank mangled it
//!   ([`candidate_order_codes`], [`is_order_code`]); store: the raw inbox.
//! - [`transfers`]: booking a notification against the order it names or
//!   into suspense, and the suspense list that staff assign and admin sends
//!   back.
//! - [`escrow`]: what the books record as orders are paid, confirmed,
//!   delivered or cancelled ([`escrow::plan`], pure; [`escrow::apply`]
//!   writes the steps every flow makes); an order's payments and refunds.
//! - [`ledger`]: the double-entry escrow ledger: accounts and transfers in
//!   whole đồng, holds, idempotency keys and the non-negative rule; the
//!   trial balance.
//! - [`cod`]: cash on delivery: what a post office owes, its remittances
//!   (goods and postage, all the postman collected).
//! - [`carriage`]: the postage post offices earn for delivered parcels:
//!   their statement, and postage paid to them.
//! - [`payouts`]: paying sellers in batches, the bank file, statements.
//! - [`vietqr`]: a checked transfer request ([`VietQr::new_dynamic`] for
//!   one order, [`VietQr::new_static`] for a reusable code,
//!   [`VietQr::parse`] to read one, [`VietQr::payload`] to write it) with
//!   its parts: [`vietqr::tlv`], the generic EMVCo tag-length-value reader
//!   and writer, [`crc16_ccitt_false`], the checksum of tag 63, and
//!   [`ascii_purpose`], order code or name to a ≤ 25-character ASCII
//!   purpose; and the PNG an order's buyer scans.
//!
//! Shared by the folders, all pure but the last: [`chart`], the accounts
//! the flows use; [`FeeRate`], the platform fee in basis points, rounded
//! down; the precise errors of the pure parts, [`PaymentError`] (VietQR),
//! [`NotificationError`], [`SignatureError`] and [`ledger::LedgerError`],
//! each converting into `common::ApiError`, which every store function and
//! handler returns (the one error rule of the API). [`routes`] registers every resource's handlers in one
//! `configure` and lists them in one OpenAPI document.
//!
//! Reading a VietQR is strict on what decides where money goes (structure,
//! CRC, GUID, BIN, account, currency, amount, purpose) and lenient on tags
//! it has no use for, so that payloads printed by bank apps parse. Reading
//! a notification is likewise strict on id, account, direction and amount
//! and ignores fields it has no use for.

pub mod carriage;
pub mod chart;
pub mod cod;
mod error;
pub mod escrow;
mod fee;
pub mod ledger;
pub mod payouts;
pub mod routes;
pub mod transfers;
pub mod vietqr;
pub mod webhook;

pub use error::{Field, NotificationError, NotificationField, PaymentError, SignatureError};
pub use fee::{FeeRate, FeeRateError};
pub use vietqr::crc::crc16_ccitt_false;
pub use vietqr::purpose::ascii_purpose;
pub use vietqr::{Service, VietQr, MAX_ACCOUNT_LEN, MAX_AMOUNT_VND, MAX_PURPOSE_LEN, NAPAS_GUID};
pub use webhook::auth::{api_key_matches, sign, verify_signature};
pub use webhook::notification::{
    BankNotification, Direction, MAX_CONTENT_LEN, MAX_ID_LEN, MAX_NAME_LEN, MAX_NOTIFIED_ACCOUNT_LEN,
    MAX_NOTIFIED_AMOUNT_VND,
};
pub use webhook::order_code::{
    candidate_order_codes, is_order_code, MAX_GAP, ORDER_CODE_ALPHABET, ORDER_CODE_BODY_LEN,
    ORDER_CODE_PREFIX,
};
