//! Properties over random inputs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use payment::vietqr::tlv::{Template, Writer};
use payment::{ascii_purpose, crc16_ccitt_false, VietQr, MAX_AMOUNT_VND};
use proptest::prelude::*;

fn bin() -> impl Strategy<Value = String> {
    "[0-9]{6}"
}

fn account() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{1,19}"
}

fn purpose() -> impl Strategy<Value = String> {
    "[ -~]{1,25}"
}

fn dynamic_qr() -> impl Strategy<Value = VietQr> {
    (bin(), account(), 1..=MAX_AMOUNT_VND, purpose())
        .prop_map(|(b, a, n, p)| VietQr::new_dynamic(&b, &a, n, &p).unwrap())
}

/// `body` + `6304` + its CRC.
fn with_crc(body: &str) -> String {
    let covered = format!("{body}6304");
    format!("{covered}{:04X}", crc16_ccitt_false(covered.as_bytes()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dynamic_round_trip(
        b in bin(),
        a in account(),
        n in 1..=MAX_AMOUNT_VND,
        p in purpose(),
    ) {
        let qr = VietQr::new_dynamic(&b, &a, n, &p).unwrap();
        let back = VietQr::parse(qr.payload()).unwrap();
        prop_assert_eq!(back.bank_bin(), b.as_str());
        prop_assert_eq!(back.account(), a.as_str());
        prop_assert_eq!(back.amount_vnd(), Some(n));
        prop_assert_eq!(back.purpose(), Some(p.as_str()));
        prop_assert!(back.is_dynamic());
        prop_assert_eq!(back.payload(), qr.payload());
        prop_assert_eq!(back, qr);
    }

    #[test]
    fn static_round_trip(b in bin(), a in account()) {
        let qr = VietQr::new_static(&b, &a).unwrap();
        let back = VietQr::parse(qr.payload()).unwrap();
        prop_assert_eq!(back.bank_bin(), b.as_str());
        prop_assert_eq!(back.account(), a.as_str());
        prop_assert_eq!(back.amount_vnd(), None);
        prop_assert_eq!(back.purpose(), None);
        prop_assert!(!back.is_dynamic());
        prop_assert_eq!(back, qr);
    }

    #[test]
    fn the_crc_always_validates(qr in dynamic_qr()) {
        let payload = qr.payload();
        let (covered, crc) = payload.split_at(payload.len() - 4);
        prop_assert!(covered.ends_with("6304"));
        prop_assert_eq!(crc, format!("{:04X}", crc16_ccitt_false(covered.as_bytes())));
        // Tags come out in ascending order, CRC last.
        let root = Template::parse(payload).unwrap();
        let tags: Vec<u8> = root.objects().iter().map(|o| o.tag()).collect();
        prop_assert!(tags.windows(2).all(|w| w[0] < w[1]), "{:?}", tags);
        prop_assert_eq!(tags.last(), Some(&63));
    }

    /// Changing any one character never yields the same payment. With a
    /// 16-bit CRC, which catches every single-character change, it is in
    /// fact always refused, but for one case the spec allows: changing the
    /// case of a hex letter of the CRC, which reads the same.
    #[test]
    fn any_single_character_change_is_caught(
        qr in dynamic_qr(),
        index in any::<prop::sample::Index>(),
        replacement in prop_oneof![
            any::<char>(),
            prop::sample::select("0123456789ABCDEFabcdef ".chars().collect::<Vec<_>>()),
        ],
    ) {
        let payload = qr.payload();
        let mut chars: Vec<char> = payload.chars().collect();
        let at = index.index(chars.len());
        let original = chars[at];
        prop_assume!(replacement != original);
        chars[at] = replacement;
        let changed: String = chars.into_iter().collect();

        let in_crc = at >= payload.len() - 4;
        match VietQr::parse(&changed) {
            Ok(other) if in_crc && replacement.eq_ignore_ascii_case(&original) => {
                prop_assert_eq!(other, qr);
            }
            Ok(other) => {
                return Err(TestCaseError::fail(format!(
                    "{changed} parsed after a change at {at}: {other:?} (same data: {})",
                    other == qr
                )));
            }
            Err(_) => {}
        }
    }

    /// Top-level tags may come in any order, as long as the CRC is last.
    #[test]
    fn tags_in_any_order(
        (qr, order) in dynamic_qr().prop_flat_map(|qr| {
            let n = Template::parse(qr.payload()).unwrap().objects().len() - 1;
            (Just(qr), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        }),
    ) {
        let root = Template::parse(qr.payload()).unwrap();
        let objects = root.objects();
        let body: String = order
            .iter()
            .map(|&i| format!("{:02}{:02}{}", objects[i].tag(), objects[i].value().len(), objects[i].value()))
            .collect();
        prop_assert_eq!(VietQr::parse(&with_crc(&body)).unwrap(), qr);
    }

    #[test]
    fn parse_never_panics_on_any_string(s in any::<String>()) {
        let _ = VietQr::parse(&s);
    }

    /// Strings of digits and a few letters get past the first checks more
    /// often; with a valid CRC appended they reach the field rules.
    #[test]
    fn parse_never_panics_on_tlv_like_strings(s in "[0-9A-Z ]{0,120}") {
        let _ = VietQr::parse(&s);
        if let Ok(qr) = VietQr::parse(&with_crc(&s)) {
            prop_assert_eq!(VietQr::parse(qr.payload()).unwrap(), qr);
        }
    }

    /// Well-formed trees of random tags and values, with a valid CRC: the
    /// parser must answer (usually no) without panicking, and anything it
    /// accepts must re-encode to itself.
    #[test]
    fn parse_never_panics_on_random_templates(
        objects in prop::collection::btree_map(
            0u8..63,
            prop_oneof![
                "[ -~]{1,30}",
                prop::collection::btree_map(0u8..10, "[0-9A-Z]{1,12}", 1..4).prop_map(|inner| {
                    let mut w = Writer::new();
                    for (tag, value) in &inner {
                        w.put(*tag, value).unwrap();
                    }
                    w.into_string()
                }),
            ],
            0..10,
        ),
    ) {
        let mut w = Writer::new();
        for (tag, value) in &objects {
            w.put(*tag, value).unwrap();
        }
        let payload = w.finish_with_crc().unwrap();
        if let Ok(qr) = VietQr::parse(&payload) {
            prop_assert_eq!(VietQr::parse(qr.payload()).unwrap(), qr);
        }
    }

    #[test]
    fn ascii_purpose_is_always_a_valid_purpose(text in any::<String>()) {
        let folded = ascii_purpose(&text);
        prop_assert!(folded.len() <= 25);
        prop_assert!(folded.bytes().all(|b| (0x20..=0x7E).contains(&b)), "{:?}", folded);
        prop_assert!(!folded.starts_with(' ') && !folded.ends_with(' ') && !folded.contains("  "));
        if !folded.is_empty() {
            prop_assert!(VietQr::new_dynamic("970436", "1", 1, &folded).is_ok());
        }
    }

    #[test]
    fn ascii_purpose_keeps_plain_codes(code in "[!-~]{1,25}") {
        prop_assert_eq!(ascii_purpose(&code), code);
    }
}
