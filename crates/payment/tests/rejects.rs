//! What `VietQr::parse` and the constructors refuse, one rule at a time.
//!
//! Most cases give a payload a valid CRC on purpose (`with_crc`), so that
//! the rule under test, not the checksum, is what refuses it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use payment::{crc16_ccitt_false, Field, PaymentError, VietQr};

/// `body` + `6304` + its CRC.
fn with_crc(body: &str) -> String {
    let covered = format!("{body}6304");
    let crc = crc16_ccitt_false(covered.as_bytes());
    format!("{covered}{crc:04X}")
}

/// The pieces of a good dynamic payload, to vary one at a time.
const FORMAT: &str = "000201";
const DYNAMIC: &str = "010212";
// 38 54: 00 10 A000000727 | 01 24 [ 00 06 970436 | 01 10 0123456789 ] | 02 08 QRIBFTTA
const NAPAS: &str = "38540010A00000072701240006970436011001234567890208QRIBFTTA";
const CURRENCY: &str = "5303704";
const AMOUNT: &str = "5406150000";
const COUNTRY: &str = "5802VN";
const ADDITIONAL: &str = "62120808NS000123";

fn body_with(replace: &str, by: &str) -> String {
    let parts = [FORMAT, DYNAMIC, NAPAS, CURRENCY, AMOUNT, COUNTRY, ADDITIONAL];
    assert!(parts.contains(&replace), "{replace} is not a part");
    parts.iter().map(|p| if *p == replace { by } else { p }).collect()
}

fn parse_with(replace: &str, by: &str) -> Result<VietQr, PaymentError> {
    VietQr::parse(&with_crc(&body_with(replace, by)))
}

fn good() -> String {
    with_crc(&body_with(FORMAT, FORMAT))
}

fn invalid(field: Field) -> impl Fn(&PaymentError) -> bool {
    move |e| matches!(e, PaymentError::InvalidField { field: f, .. } if *f == field)
}

#[test]
fn the_base_payload_is_good() {
    let qr = VietQr::parse(&good()).unwrap();
    assert_eq!(qr, VietQr::new_dynamic("970436", "0123456789", 150_000, "NS000123").unwrap());
}

#[test]
fn crc_rules() {
    let good = good();
    let (body, crc) = good.split_at(good.len() - 4);

    // A wrong CRC.
    let flipped = if crc.ends_with('0') { "1" } else { "0" };
    let wrong = format!("{body}{}{flipped}", &crc[..3]);
    assert!(matches!(VietQr::parse(&wrong), Err(PaymentError::CrcMismatch { .. })));

    // Lower-case hex is accepted and reads the same.
    let lower = format!("{body}{}", crc.to_ascii_lowercase());
    assert_ne!(lower, good, "the CRC of this payload has letters");
    assert_eq!(VietQr::parse(&lower).unwrap(), VietQr::parse(&good).unwrap());

    // Not hex, or not four characters.
    assert_eq!(VietQr::parse(&format!("{body}ZZZZ")), Err(PaymentError::BadCrc));
    assert_eq!(VietQr::parse(&format!("{body}+ABC")), Err(PaymentError::BadCrc));
    let five = format!("{}6305{crc}0", &body[..body.len() - 4]);
    assert_eq!(VietQr::parse(&five), Err(PaymentError::BadCrc));

    // Missing, or followed by anything.
    assert_eq!(VietQr::parse(&body[..body.len() - 4]), Err(PaymentError::MissingTag { path: "63" }));
    assert_eq!(VietQr::parse(""), Err(PaymentError::MissingTag { path: "63" }));
    assert_eq!(VietQr::parse(&format!("{good}9901x")), Err(PaymentError::CrcNotLast));
}

#[test]
fn the_crc_covers_its_own_tag_and_length() {
    // CRC over the content without "6304" is a different number: a
    // payload carrying that one is refused.
    let body = body_with(FORMAT, FORMAT);
    let crc = crc16_ccitt_false(body.as_bytes());
    assert!(matches!(VietQr::parse(&format!("{body}6304{crc:04X}")), Err(PaymentError::CrcMismatch { .. })));
}

#[test]
fn structure_rules() {
    // Non-digit length at the top level and inside 38.01.
    assert!(matches!(parse_with(CURRENCY, "530X704"), Err(PaymentError::BadLength { tag: 53, .. })));
    assert!(matches!(
        parse_with(NAPAS, "38540010A00000072701240006970436011x01234567890208QRIBFTTA"),
        Err(PaymentError::BadLength { tag: 1, .. })
    ));
    // 38.01.01 claims 11 characters; only 10 remain inside 38.01.
    assert_eq!(
        parse_with(NAPAS, "38540010A00000072701240006970436011101234567890208QRIBFTTA"),
        Err(PaymentError::LengthOverrun { tag: 1, offset: 44, len: 11, available: 10 })
    );
    // 38.01 claims 40 characters; only 36 remain inside 38.
    assert_eq!(
        parse_with(NAPAS, "38540010A00000072701400006970436011001234567890208QRIBFTTA"),
        Err(PaymentError::LengthOverrun { tag: 1, offset: 30, len: 40, available: 36 })
    );
    // 62.08 claims 9; 8 remain inside 62.
    assert!(matches!(
        parse_with(ADDITIONAL, "62120809NS000123"),
        Err(PaymentError::LengthOverrun { tag: 8, len: 9, available: 8, .. })
    ));
    // An empty value.
    assert!(matches!(parse_with(ADDITIONAL, "62040800"), Err(PaymentError::EmptyValue { tag: 8, .. })));
    // Non-ASCII anywhere.
    assert!(matches!(
        parse_with(ADDITIONAL, "62120808NS00012đ"),
        Err(PaymentError::NotPrintableAscii { .. })
    ));
}

#[test]
fn duplicate_tags() {
    assert!(matches!(
        parse_with(CURRENCY, "53037045303704"),
        Err(PaymentError::DuplicateTag { tag: 53, .. })
    ));
    // 02 twice inside 38 (38 grows by 12 to 66).
    assert!(matches!(
        parse_with(NAPAS, "38660010A00000072701240006970436011001234567890208QRIBFTTA0208QRIBFTTA"),
        Err(PaymentError::DuplicateTag { tag: 2, .. })
    ));
    // 08 twice inside 62.
    assert!(matches!(
        parse_with(ADDITIONAL, "62200808NS0001230804NS01"),
        Err(PaymentError::DuplicateTag { tag: 8, .. })
    ));
}

#[test]
fn missing_mandatory_tags() {
    for (part, path) in [(FORMAT, "00"), (NAPAS, "38"), (CURRENCY, "53"), (COUNTRY, "58")] {
        assert_eq!(parse_with(part, ""), Err(PaymentError::MissingTag { path }), "without {path}");
    }
    let cases = [
        // 38 40: 01 24 [..] | 02 08 QRIBFTTA
        ("38400124000697043601100123456789", "0208QRIBFTTA", "38.00"),
        // 38 26: 00 10 A000000727 | 02 08 QRIBFTTA
        ("38260010A000000727", "0208QRIBFTTA", "38.01"),
        // 38 44: 00 10 A000000727 | 01 14 [ 01 10 0123456789 ] | 02 08 QRIBFTTA
        ("38440010A0000007270114011001234567890208QRIBFTTA", "", "38.01.00"),
        // 38 40: 00 10 A000000727 | 01 10 [ 00 06 970436 ] | 02 08 QRIBFTTA
        ("38400010A00000072701100006970436", "0208QRIBFTTA", "38.01.01"),
        // 38 42: 00 10 A000000727 | 01 24 [..]
        ("38420010A000000727012400069704360110", "0123456789", "38.02"),
    ];
    for (head, tail, path) in cases {
        let napas = format!("{head}{tail}");
        assert_eq!(parse_with(NAPAS, &napas), Err(PaymentError::MissingTag { path }), "{napas} lacks {path}");
    }
}

#[test]
fn napas_template_rules() {
    // Another GUID in 38.
    assert!(parse_with(NAPAS, "38540010A00000072801240006970436011001234567890208QRIBFTTA")
        .is_err_and(|e| invalid(Field::Guid)(&e)));
    // Lower-case GUID is not the GUID.
    assert!(parse_with(NAPAS, "38540010a00000072701240006970436011001234567890208QRIBFTTA")
        .is_err_and(|e| invalid(Field::Guid)(&e)));
    // Unknown service; QRPUSH is a merchant payment, not a transfer.
    assert!(parse_with(NAPAS, "38520010A00000072701240006970436011001234567890206QRPUSH")
        .is_err_and(|e| invalid(Field::Service)(&e)));
    // A purpose put inside 38 (some generators do) is not allowed there.
    assert_eq!(
        parse_with(NAPAS, "38620010A00000072701240006970436011001234567890208QRIBFTTA0804NS01"),
        Err(PaymentError::UnexpectedTag { parent: "38", tag: 8 })
    );
    // Nor anything but 00 and 01 inside 38.01.
    assert_eq!(
        parse_with(NAPAS, "38600010A00000072701300006970436011001234567890202XY0208QRIBFTTA"),
        Err(PaymentError::UnexpectedTag { parent: "38.01", tag: 2 })
    );
    // BIN of 5 digits (38.01 shrinks to 23, 38 to 53).
    assert!(parse_with(NAPAS, "38530010A0000007270123000597043011001234567890208QRIBFTTA")
        .is_err_and(|e| invalid(Field::BankBin)(&e)));
    // Account with a dash (38.01.01 "0123-45678", still 10 characters).
    assert!(parse_with(NAPAS, "38540010A0000007270124000697043601100123-456780208QRIBFTTA")
        .is_err_and(|e| invalid(Field::Account)(&e)));
}

#[test]
fn root_value_rules() {
    assert!(parse_with(FORMAT, "000202").is_err_and(|e| invalid(Field::PayloadFormat)(&e)));
    assert!(parse_with(DYNAMIC, "010213").is_err_and(|e| invalid(Field::PointOfInitiation)(&e)));
    assert!(parse_with(CURRENCY, "5303840").is_err_and(|e| invalid(Field::Currency)(&e)));
    assert!(parse_with(COUNTRY, "5802US").is_err_and(|e| invalid(Field::Country)(&e)));
    assert!(parse_with(COUNTRY, "5802vn").is_err_and(|e| invalid(Field::Country)(&e)));

    // Point of initiation absent reads as static; the amount stays.
    let qr = parse_with(DYNAMIC, "").unwrap();
    assert!(!qr.is_dynamic());
    assert_eq!(qr.amount_vnd(), Some(150_000));
    // 62 without 08 is no purpose; other sub-tags of 62 are ignored.
    let qr = parse_with(ADDITIONAL, "62110107NPS6869").unwrap();
    assert_eq!(qr.purpose(), None);
    // Unknown top-level tags are ignored, wherever they are.
    let qr = VietQr::parse(&with_crc(&format!("52045999{}", body_with(FORMAT, FORMAT)))).unwrap();
    assert_eq!(qr.payload(), good());
}

#[test]
fn amount_rules() {
    let bad_amounts = [
        "5409150000.00", // decimals: đồng have no minor unit
        "54031.5",
        "54010",              // zero
        "54070150000",        // leading zero
        "5406-15000",         // sign
        "5406+15000",         // sign
        "5406 15000",         // space
        "541410000000000000", // 14 digits
    ];
    for amount in bad_amounts {
        assert!(parse_with(AMOUNT, amount).is_err_and(|e| invalid(Field::Amount)(&e)), "{amount}");
    }
    // 13 digits, the most there can be.
    let qr = parse_with(AMOUNT, "54139999999999999").unwrap();
    assert_eq!(qr.amount_vnd(), Some(payment::MAX_AMOUNT_VND));
    // No amount at all is fine.
    assert_eq!(parse_with(AMOUNT, "").unwrap().amount_vnd(), None);
}

#[test]
fn purpose_rules() {
    // 25 characters pass, 26 do not.
    let qr = parse_with(ADDITIONAL, "62290825ABCDEFGHIJKLMNOPQRSTUVWXY").unwrap();
    assert_eq!(qr.purpose(), Some("ABCDEFGHIJKLMNOPQRSTUVWXY"));
    assert!(parse_with(ADDITIONAL, "62300826ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        .is_err_and(|e| invalid(Field::Purpose)(&e)));
}

#[test]
fn constructors_check_their_inputs() {
    let ok = |bin: &str, account: &str, amount: i64, purpose: &str| {
        VietQr::new_dynamic(bin, account, amount, purpose)
    };
    assert!(ok("970436", "0123456789", 150_000, "NS000123").is_ok());

    for bin in ["97043", "9704361", "97043a", "", "９７０４３６"] {
        assert!(ok(bin, "1", 1, "x").is_err_and(|e| invalid(Field::BankBin)(&e)), "{bin}");
    }
    for account in ["", "01234567890123456789", "0123-4567", "0123 4567", "012345678đ"] {
        assert!(ok("970436", account, 1, "x").is_err_and(|e| invalid(Field::Account)(&e)), "{account}");
    }
    assert!(ok("970436", "0123456789012345678", 1, "x").is_ok(), "19 characters");
    for amount in [0, -1, i64::MIN, payment::MAX_AMOUNT_VND + 1, i64::MAX] {
        assert!(ok("970436", "1", amount, "x").is_err_and(|e| invalid(Field::Amount)(&e)), "{amount}");
    }
    assert!(ok("970436", "1", payment::MAX_AMOUNT_VND, "x").is_ok());
    for purpose in ["", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "Đơn hàng", "NS\n0001", "NS\u{7f}"] {
        assert!(ok("970436", "1", 1, purpose).is_err_and(|e| invalid(Field::Purpose)(&e)), "{purpose:?}");
    }
    assert!(VietQr::new_static("97043", "0123456789").is_err());
    assert!(VietQr::new_static("970436", "").is_err());
}
