//! VietQR payloads: EMVCo merchant-presented QR for NAPAS 24/7 transfers.
//!
//! Layout written by [`VietQr::payload`] (tags ascending, CRC last):
//!
//! ```text
//! 00 02 01                      payload format indicator
//! 01 02 11 | 12                 point of initiation: static | dynamic
//! 38 LL                         merchant account information, NAPAS
//!    00 10 A000000727           GUID
//!    01 LL                      beneficiary
//!       00 06 <BIN>             bank BIN
//!       01 LL <account>         account or card number
//!    02 08 QRIBFTTA | QRIBFTTC  service: to an account | to a card
//! 53 03 704                     currency, VND
//! 54 LL <amount>                whole đồng, only if there is an amount
//! 58 02 VN                      country
//! 62 LL                         additional data, only with a purpose
//!    08 LL <purpose>            purpose of transaction, the order code
//! 63 04 <CRC>                   CRC-16/CCITT-FALSE, upper-case hex
//! ```
//!
//! Merchant name (59) and city (60) are not written: bank apps show the
//! account holder's name that NAPAS looks up, and the payloads bank apps
//! themselves print mostly omit them. When parsing, those and any other
//! top-level tags (52 merchant category, 26 other networks, …) and other
//! sub-tags of 62 are checked for well-formedness and otherwise ignored.
//!
//! This folder: the codec here and its parts ([`tlv`], `crc`, `purpose`),
//! all pure; [`routes`] serves an order's code as a PNG.

pub(crate) mod crc;
pub(crate) mod purpose;
pub mod routes;
pub mod tlv;

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Field;
use crate::PaymentError;
use tlv::{DataObject, Template, Writer, CRC_TAG};

/// The GUID that marks template 38 as NAPAS (VietQR).
pub const NAPAS_GUID: &str = "A000000727";
/// The largest amount tag 54 can carry without decimals: 13 digits.
pub const MAX_AMOUNT_VND: i64 = 9_999_999_999_999;
/// The longest purpose (62.08) EMVCo allows.
pub const MAX_PURPOSE_LEN: usize = 25;
/// The longest account number (38.01.01) NAPAS allows.
pub const MAX_ACCOUNT_LEN: usize = 19;

const TAG_FORMAT: u8 = 0;
const TAG_INITIATION: u8 = 1;
const TAG_NAPAS: u8 = 38;
const TAG_CURRENCY: u8 = 53;
const TAG_AMOUNT: u8 = 54;
const TAG_COUNTRY: u8 = 58;
const TAG_ADDITIONAL: u8 = 62;

const NAPAS_GUID_SUB: u8 = 0;
const NAPAS_BENEFICIARY_SUB: u8 = 1;
const NAPAS_SERVICE_SUB: u8 = 2;
const BENEFICIARY_BIN_SUB: u8 = 0;
const BENEFICIARY_ACCOUNT_SUB: u8 = 1;
const ADDITIONAL_PURPOSE_SUB: u8 = 8;

const FORMAT_VALUE: &str = "01";
const STATIC_VALUE: &str = "11";
const DYNAMIC_VALUE: &str = "12";
const VND: &str = "704";
const VIETNAM: &str = "VN";

/// The NAPAS service a VietQR asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// `QRIBFTTA`: transfer to a bank account.
    Account,
    /// `QRIBFTTC`: transfer to a card number.
    Card,
}

impl Service {
    /// The service code in tag 38.02.
    pub fn code(self) -> &'static str {
        match self {
            Service::Account => "QRIBFTTA",
            Service::Card => "QRIBFTTC",
        }
    }

    fn from_code(code: &str) -> Result<Self, PaymentError> {
        match code {
            "QRIBFTTA" => Ok(Service::Account),
            "QRIBFTTC" => Ok(Service::Card),
            _ => Err(PaymentError::invalid(Field::Service, "neither QRIBFTTA nor QRIBFTTC")),
        }
    }
}

/// A valid VietQR transfer request. The only ways to get one are the
/// constructors and [`VietQr::parse`], which check every field, so a
/// `VietQr` always has a well-formed canonical payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VietQr {
    bank_bin: String,
    account: String,
    service: Service,
    amount_vnd: Option<i64>,
    purpose: Option<String>,
    dynamic: bool,
    payload: String,
}

/// The fields of a `VietQr`, not yet checked.
struct Parts<'a> {
    bank_bin: &'a str,
    account: &'a str,
    service: Service,
    amount_vnd: Option<i64>,
    purpose: Option<&'a str>,
    dynamic: bool,
}

impl VietQr {
    /// A one-order QR (point of initiation `12`) for a transfer to an
    /// account: `bank_bin` six digits, `account` 1–19 ASCII letters or
    /// digits, `amount_vnd` in `1..=MAX_AMOUNT_VND`, `purpose` 1–25
    /// printable ASCII characters (see [`crate::ascii_purpose`]); the
    /// purpose is what comes back in the bank transfer's description.
    pub fn new_dynamic(
        bank_bin: &str,
        account: &str,
        amount_vnd: i64,
        purpose: &str,
    ) -> Result<Self, PaymentError> {
        VietQr::from_parts(Parts {
            bank_bin,
            account,
            service: Service::Account,
            amount_vnd: Some(amount_vnd),
            purpose: Some(purpose),
            dynamic: true,
        })
    }

    /// A reusable QR (point of initiation `11`) for a transfer to an
    /// account, without amount or purpose: the payer types both.
    pub fn new_static(bank_bin: &str, account: &str) -> Result<Self, PaymentError> {
        VietQr::from_parts(Parts {
            bank_bin,
            account,
            service: Service::Account,
            amount_vnd: None,
            purpose: None,
            dynamic: false,
        })
    }

    /// Reads a VietQR payload. Tags may come in any order, except that the
    /// CRC (63) must be last; its hex digits may be lower-case. Point of
    /// initiation (01) may be absent, which reads as static; a static QR
    /// may carry an amount and a dynamic one may lack it, as in the wild.
    pub fn parse(payload: &str) -> Result<Self, PaymentError> {
        let root = Template::parse(payload)?;
        check_crc(payload, &root)?;

        expect_value(required(&root, TAG_FORMAT, "00")?, FORMAT_VALUE, Field::PayloadFormat, "must be 01")?;
        let dynamic = match root.get(TAG_INITIATION).map(DataObject::value) {
            None | Some(STATIC_VALUE) => false,
            Some(DYNAMIC_VALUE) => true,
            Some(_) => {
                return Err(PaymentError::invalid(
                    Field::PointOfInitiation,
                    "must be 11 (static) or 12 (dynamic)",
                ))
            }
        };

        let napas = required(&root, TAG_NAPAS, "38")?.nested()?;
        only_tags(&napas, "38", &[NAPAS_GUID_SUB, NAPAS_BENEFICIARY_SUB, NAPAS_SERVICE_SUB])?;
        if required(&napas, NAPAS_GUID_SUB, "38.00")?.value() != NAPAS_GUID {
            return Err(PaymentError::invalid(Field::Guid, "not the NAPAS GUID A000000727"));
        }
        let beneficiary = required(&napas, NAPAS_BENEFICIARY_SUB, "38.01")?.nested()?;
        only_tags(&beneficiary, "38.01", &[BENEFICIARY_BIN_SUB, BENEFICIARY_ACCOUNT_SUB])?;
        let bank_bin = required(&beneficiary, BENEFICIARY_BIN_SUB, "38.01.00")?.value();
        let account = required(&beneficiary, BENEFICIARY_ACCOUNT_SUB, "38.01.01")?.value();
        let service = Service::from_code(required(&napas, NAPAS_SERVICE_SUB, "38.02")?.value())?;

        expect_value(required(&root, TAG_CURRENCY, "53")?, VND, Field::Currency, "must be 704 (VND)")?;
        let amount_vnd = root.get(TAG_AMOUNT).map(|o| parse_amount(o.value())).transpose()?;
        expect_value(required(&root, TAG_COUNTRY, "58")?, VIETNAM, Field::Country, "must be VN")?;
        let purpose = match root.get(TAG_ADDITIONAL) {
            None => None,
            Some(additional) => additional.nested()?.get(ADDITIONAL_PURPOSE_SUB).map(DataObject::value),
        };

        VietQr::from_parts(Parts { bank_bin, account, service, amount_vnd, purpose, dynamic })
    }

    fn from_parts(parts: Parts<'_>) -> Result<Self, PaymentError> {
        check_bank_bin(parts.bank_bin)?;
        check_account(parts.account)?;
        if let Some(amount) = parts.amount_vnd {
            check_amount(amount)?;
        }
        if let Some(purpose) = parts.purpose {
            check_purpose(purpose)?;
        }
        let payload = encode(&parts)?;
        Ok(VietQr {
            bank_bin: parts.bank_bin.to_owned(),
            account: parts.account.to_owned(),
            service: parts.service,
            amount_vnd: parts.amount_vnd,
            purpose: parts.purpose.map(str::to_owned),
            dynamic: parts.dynamic,
            payload,
        })
    }

    /// The six-digit bank BIN (38.01.00).
    pub fn bank_bin(&self) -> &str {
        &self.bank_bin
    }

    /// The account or card number (38.01.01).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Transfer to an account or to a card (38.02).
    pub fn service(&self) -> Service {
        self.service
    }

    /// The amount in whole đồng (54), if fixed by the QR.
    pub fn amount_vnd(&self) -> Option<i64> {
        self.amount_vnd
    }

    /// The purpose of transaction (62.08), if any.
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }

    /// Whether the point of initiation is `12`, a QR for one payment.
    pub fn is_dynamic(&self) -> bool {
        self.dynamic
    }

    /// The canonical payload: the text to put in the QR code.
    pub fn payload(&self) -> &str {
        &self.payload
    }
}

impl fmt::Display for VietQr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.payload)
    }
}

impl FromStr for VietQr {
    type Err = PaymentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VietQr::parse(s)
    }
}

fn encode(parts: &Parts<'_>) -> Result<String, PaymentError> {
    let mut beneficiary = Writer::new();
    beneficiary.put(BENEFICIARY_BIN_SUB, parts.bank_bin)?.put(BENEFICIARY_ACCOUNT_SUB, parts.account)?;
    let mut napas = Writer::new();
    napas
        .put(NAPAS_GUID_SUB, NAPAS_GUID)?
        .put_template(NAPAS_BENEFICIARY_SUB, &beneficiary)?
        .put(NAPAS_SERVICE_SUB, parts.service.code())?;

    let mut root = Writer::new();
    root.put(TAG_FORMAT, FORMAT_VALUE)?
        .put(TAG_INITIATION, if parts.dynamic { DYNAMIC_VALUE } else { STATIC_VALUE })?
        .put_template(TAG_NAPAS, &napas)?
        .put(TAG_CURRENCY, VND)?;
    if let Some(amount) = parts.amount_vnd {
        root.put(TAG_AMOUNT, &amount.to_string())?;
    }
    root.put(TAG_COUNTRY, VIETNAM)?;
    if let Some(purpose) = parts.purpose {
        let mut additional = Writer::new();
        additional.put(ADDITIONAL_PURPOSE_SUB, purpose)?;
        root.put_template(TAG_ADDITIONAL, &additional)?;
    }
    root.finish_with_crc()
}

/// The CRC must be the last data object, four hex digits in either case,
/// and equal the CRC of everything before its value.
fn check_crc(payload: &str, root: &Template<'_>) -> Result<(), PaymentError> {
    let missing = PaymentError::MissingTag { path: "63" };
    let crc = root.objects().last().ok_or(missing.clone())?;
    if crc.tag() != CRC_TAG {
        return Err(if root.get(CRC_TAG).is_some() { PaymentError::CrcNotLast } else { missing });
    }
    let digits = crc.value();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PaymentError::BadCrc);
    }
    let found = u16::from_str_radix(digits, 16).map_err(|_| PaymentError::BadCrc)?;
    let covered = payload.get(..crc.offset() + 4).ok_or(PaymentError::BadCrc)?;
    let computed = crc::crc16_ccitt_false(covered.as_bytes());
    if found != computed {
        return Err(PaymentError::CrcMismatch { found, computed });
    }
    Ok(())
}

fn required<'t, 'a>(
    template: &'t Template<'a>,
    tag: u8,
    path: &'static str,
) -> Result<&'t DataObject<'a>, PaymentError> {
    template.get(tag).ok_or(PaymentError::MissingTag { path })
}

fn only_tags(template: &Template<'_>, parent: &'static str, allowed: &[u8]) -> Result<(), PaymentError> {
    match template.objects().iter().find(|o| !allowed.contains(&o.tag())) {
        Some(o) => Err(PaymentError::UnexpectedTag { parent, tag: o.tag() }),
        None => Ok(()),
    }
}

fn expect_value(
    object: &DataObject<'_>,
    expected: &str,
    field: Field,
    reason: &'static str,
) -> Result<(), PaymentError> {
    if object.value() == expected {
        Ok(())
    } else {
        Err(PaymentError::invalid(field, reason))
    }
}

fn check_bank_bin(bin: &str) -> Result<(), PaymentError> {
    if bin.len() == 6 && bin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PaymentError::invalid(Field::BankBin, "must be exactly 6 digits"))
    }
}

fn check_account(account: &str) -> Result<(), PaymentError> {
    if (1..=MAX_ACCOUNT_LEN).contains(&account.len()) && account.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(PaymentError::invalid(Field::Account, "must be 1 to 19 ASCII letters or digits"))
    }
}

fn check_amount(amount: i64) -> Result<(), PaymentError> {
    if (1..=MAX_AMOUNT_VND).contains(&amount) {
        Ok(())
    } else {
        Err(PaymentError::invalid(Field::Amount, "must be 1 to 9999999999999 đồng"))
    }
}

/// Tag 54 for VND: digits only (đồng have no minor unit), no leading zero.
fn parse_amount(text: &str) -> Result<i64, PaymentError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PaymentError::invalid(Field::Amount, "must be whole đồng, digits only"));
    }
    if text.len() > 13 {
        return Err(PaymentError::invalid(Field::Amount, "more than 13 digits"));
    }
    if text.starts_with('0') {
        return Err(PaymentError::invalid(Field::Amount, "must be positive, without leading zeros"));
    }
    text.parse::<i64>().map_err(|_| PaymentError::invalid(Field::Amount, "not a number"))
}

fn check_purpose(purpose: &str) -> Result<(), PaymentError> {
    if !(1..=MAX_PURPOSE_LEN).contains(&purpose.len()) {
        return Err(PaymentError::invalid(Field::Purpose, "must be 1 to 25 characters"));
    }
    if !purpose.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Err(PaymentError::invalid(
            Field::Purpose,
            "must be printable ASCII, without diacritics (see ascii_purpose)",
        ));
    }
    Ok(())
}

// the query of `routes::order_vietqr_png`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QrImageQuery {
    /// Pixels per QR module, 2 to 16 (default 6).
    pub scale: Option<u32>,
}
