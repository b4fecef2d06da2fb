//! VietQR (EMVCo merchant-presented QR): what a buyer's bank app reads to
//! know where the money goes, and what we read back from payloads banks
//! print.
//!
//! - Any payload `VietQr::parse` accepts ends in `6304` and a CRC-16/
//!   CCITT-FALSE that matches (recomputed here, not with the crate's own
//!   function), has fields in their domains, and its canonical payload
//!   parses back to the same `VietQr` (parse ∘ render is the identity on
//!   everything parse returns).
//! - Any `VietQr` built from valid fields (fuzz-chosen) renders a payload
//!   that parses back equal, with a correct CRC.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use payment::{VietQr, MAX_ACCOUNT_LEN, MAX_AMOUNT_VND, MAX_PURPOSE_LEN};

fuzz_target!(|data: &[u8]| {
    if let Ok(payload) = std::str::from_utf8(data) {
        parsed(payload);
    }
    let _ = built(&mut Unstructured::new(data));
});

fn parsed(payload: &str) {
    let Ok(qr) = VietQr::parse(payload) else {
        return;
    };
    assert!(crc_is_valid(payload), "accepted with a wrong CRC: {payload}");
    assert_fields(&qr);
    let canonical = qr.payload();
    assert!(crc_is_valid(canonical), "rendered a wrong CRC: {canonical}");
    let again = VietQr::parse(canonical).expect("the canonical payload parses");
    assert_eq!(again, qr);
}

fn built(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let bin: String =
        (0..6).map(|_| u8::arbitrary(u).map(|b| char::from(b'0' + b % 10))).collect::<Result<_, _>>()?;
    let account =
        text(u, 1..=MAX_ACCOUNT_LEN, b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")?;
    let printable: Vec<u8> = (0x20..=0x7E).collect();
    let purpose = text(u, 1..=MAX_PURPOSE_LEN, &printable)?;
    let amount = u.int_in_range(1..=MAX_AMOUNT_VND)?;

    let qr = if bool::arbitrary(u)? {
        VietQr::new_dynamic(&bin, &account, amount, &purpose).expect("valid fields")
    } else {
        VietQr::new_static(&bin, &account).expect("valid fields")
    };
    assert!(crc_is_valid(qr.payload()));
    assert_eq!(VietQr::parse(qr.payload()).ok().as_ref(), Some(&qr), "{}", qr.payload());
    Ok(())
}

fn text(
    u: &mut Unstructured<'_>,
    len: std::ops::RangeInclusive<usize>,
    alphabet: &[u8],
) -> arbitrary::Result<String> {
    let n = u.int_in_range(len)?;
    (0..n).map(|_| u.choose(alphabet).map(|b| char::from(*b))).collect()
}

fn assert_fields(qr: &VietQr) {
    assert!(qr.bank_bin().len() == 6 && qr.bank_bin().bytes().all(|b| b.is_ascii_digit()));
    let account = qr.account();
    assert!(
        (1..=MAX_ACCOUNT_LEN).contains(&account.len()) && account.bytes().all(|b| b.is_ascii_alphanumeric())
    );
    if let Some(amount) = qr.amount_vnd() {
        assert!((1..=MAX_AMOUNT_VND).contains(&amount), "amount {amount}");
    }
    if let Some(purpose) = qr.purpose() {
        assert!((1..=MAX_PURPOSE_LEN).contains(&purpose.len()));
        assert!(purpose.bytes().all(|b| (0x20..=0x7E).contains(&b)));
    }
}

/// Tag 63, length 04, last; its four hex digits (either case) are the CRC of
/// everything before them.
fn crc_is_valid(payload: &str) -> bool {
    let Some(split) = payload.len().checked_sub(4) else {
        return false;
    };
    let (covered, digits) = payload.split_at(split);
    covered.ends_with("6304")
        && digits.bytes().all(|b| b.is_ascii_hexdigit())
        && u16::from_str_radix(digits, 16).ok() == Some(crc16_ccitt_false(covered.as_bytes()))
}

/// Poly 0x1021, init 0xFFFF, not reflected, no final XOR.
fn crc16_ccitt_false(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0xFFFF, |mut crc: u16, &byte| {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
        crc
    })
}
