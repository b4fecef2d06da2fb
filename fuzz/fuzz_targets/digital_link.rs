//! GS1 Digital Link paths (`/01/{GTIN-14}/10/{lot}`), what the resolver
//! reads from every scanned label.
//!
//! - Any path the parser accepts names a link whose canonical path parses
//!   back to the same link, is made only of unreserved URI characters, has
//!   a 14-digit GTIN with a correct GS1 check digit (checked here
//!   independently) and a lot of 1–20 characters; without `%` escapes the
//!   accepted path is the canonical path itself, with them it is the
//!   canonical path once the escapes are decoded.
//! - Any link built from a valid GTIN and lot code round-trips through
//!   `path()` and `parse_path`.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use traceability::digital_link::{DigitalLink, LotCode, LOT_CODE_MAX_LEN};
use traceability::gtin::Gtin;

const LOT_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._";

fuzz_target!(|data: &[u8]| {
    if let Ok(path) = std::str::from_utf8(data) {
        parsed_path(path);
        if let Ok(lot) = LotCode::parse(path) {
            assert!((1..=LOT_CODE_MAX_LEN).contains(&lot.as_str().len()));
            assert!(lot.as_str().bytes().all(|b| LOT_CHARS.contains(&b)));
        }
    }
    let _ = built_link(&mut Unstructured::new(data));
});

fn parsed_path(path: &str) {
    let Ok(link) = DigitalLink::parse_path(path) else {
        return;
    };
    let canonical = link.path();
    assert_eq!(
        DigitalLink::parse_path(&canonical).ok().as_ref(),
        Some(&link),
        "{canonical} does not parse back"
    );
    assert!(canonical.bytes().all(|b| b == b'/' || LOT_CHARS.contains(&b)), "{canonical}");
    let gtin = link.gtin.as_str();
    assert!(gtin.len() == 14 && gtin.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(gs1_check_digit(&gtin[..13]), gtin.as_bytes()[13] - b'0', "bad check digit in {gtin}");
    assert!((1..=LOT_CODE_MAX_LEN).contains(&link.lot.as_str().len()));
    if path.contains('%') {
        assert_eq!(percent_decoded(path).as_deref(), Some(canonical.as_str()));
    } else {
        assert_eq!(path, canonical, "a path without escapes must be the canonical one");
    }
}

fn built_link(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let mut digits = String::with_capacity(14);
    for _ in 0..13 {
        digits.push(char::from(b'0' + u8::arbitrary(u)? % 10));
    }
    digits.push(char::from(b'0' + gs1_check_digit(&digits)));
    let len = u.int_in_range(1..=LOT_CODE_MAX_LEN)?;
    let mut lot = String::with_capacity(len);
    for _ in 0..len {
        lot.push(char::from(*u.choose(LOT_CHARS)?));
    }
    let gtin = Gtin::parse(&digits).expect("a GTIN-14 with its check digit");
    let lot = LotCode::parse(&lot).expect("a lot code from the allowed characters");
    let link = DigitalLink::new(gtin, lot);
    assert_eq!(DigitalLink::parse_path(&link.path()).ok(), Some(link));
    Ok(())
}

/// GS1 mod-10: weights 3, 1, 3… from the rightmost data digit.
fn gs1_check_digit(data: &str) -> u8 {
    let sum: u32 = data
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// `%HH` decoded (either case); `None` if an escape is malformed or the
/// result is not UTF-8. Decoding the whole path is the same as decoding each
/// segment here, because an accepted path never has an escaped `/`.
fn percent_decoded(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
