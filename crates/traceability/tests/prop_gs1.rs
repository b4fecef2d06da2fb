//! Property tests of GTINs and Digital Link paths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use common::ErrorCode;
use proptest::prelude::*;
use traceability::digital_link::{DigitalLink, LotCode};
use traceability::gtin::{check_digit, Gtin};

/// Any 13 data digits plus their check digit.
fn gtin14() -> impl Strategy<Value = String> {
    "[0-9]{13}".prop_map(|data| format!("{data}{}", check_digit(&data)))
}

fn lot_code() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._-]{1,20}"
}

fn public_url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://nongsan.example".to_owned()),
        Just("https://nongsan.example/".to_owned()),
        Just("http://127.0.0.1:8080".to_owned()),
        "https://[a-z]{1,10}\\.vn/?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn valid_link_round_trips_through_uri_and_parse_path(
        gtin in gtin14(), lot in lot_code(), base in public_url(),
    ) {
        let link = DigitalLink::new(Gtin::parse(&gtin).unwrap(), LotCode::parse(&lot).unwrap());
        let uri = link.uri(&base);
        let origin = base.trim_end_matches('/');
        prop_assert!(uri.starts_with(origin));
        let path = &uri[origin.len()..];
        prop_assert_eq!(path, link.path());
        let parsed = DigitalLink::parse_path(path).unwrap();
        prop_assert_eq!(&parsed, &link);
        prop_assert_eq!(parsed.gtin.as_str(), gtin.as_str());
        prop_assert_eq!(parsed.lot.as_str(), lot.as_str());
        prop_assert_eq!(
            link.canonical_gs1_uri(),
            format!("https://id.gs1.org/01/{gtin}/10/{lot}")
        );
    }

    /// Percent-encoding any character of a valid path (as another encoder
    /// might) does not change what it names.
    #[test]
    fn percent_encoded_paths_parse_to_the_same_link(
        gtin in gtin14(), lot in lot_code(), mask in proptest::collection::vec(any::<bool>(), 64), upper in any::<bool>(),
    ) {
        let link = DigitalLink::new(Gtin::parse(&gtin).unwrap(), LotCode::parse(&lot).unwrap());
        let path = link.path();
        let encoded: String = path
            .chars()
            .zip(mask.iter().cycle())
            .map(|(c, &enc)| {
                if enc && c != '/' {
                    if upper { format!("%{:02X}", c as u32) } else { format!("%{:02x}", c as u32) }
                } else {
                    c.to_string()
                }
            })
            .collect();
        prop_assert_eq!(DigitalLink::parse_path(&encoded).unwrap(), link);
    }

    #[test]
    fn parser_never_panics_on_random_strings(s in any::<String>()) {
        let _ = DigitalLink::parse_path(&s);
        let _ = Gtin::parse(&s);
        let _ = LotCode::parse(&s);
    }

    /// Random strings shaped like a path (slashes, digits, `%`) reach the
    /// deeper branches that fully random strings rarely do.
    #[test]
    fn parser_never_panics_on_path_like_strings(s in "(/|%|[0-9]{1,14}|[A-Za-z._~+-]{1,5}|%[0-9A-Fa-f]{0,2}){0,12}") {
        match DigitalLink::parse_path(&s) {
            Ok(link) => {
                // Whatever is accepted is in canonical form once printed.
                prop_assert_eq!(DigitalLink::parse_path(&link.path()).unwrap(), link);
            }
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::MalformedDigitalLink, "{:?}", e),
        }
    }

    #[test]
    fn single_digit_change_is_caught_by_the_check_digit(
        gtin in gtin14(), pos in 0usize..14, delta in 1u8..10, lot in lot_code(),
    ) {
        let mut digits = gtin.clone().into_bytes();
        digits[pos] = b'0' + (digits[pos] - b'0' + delta) % 10;
        let changed = String::from_utf8(digits).unwrap();
        prop_assert_ne!(&changed, &gtin);
        prop_assert!(Gtin::parse(&changed).is_err(), "{} accepted (from {})", changed, gtin);
        let path = format!("/01/{changed}/10/{lot}");
        prop_assert_eq!(DigitalLink::parse_path(&path).err().map(|e| e.code()), Some(ErrorCode::MalformedDigitalLink));
    }

    #[test]
    fn assign_always_yields_a_parseable_gtin_with_the_prefix(
        prefix in "[0-9]{6,12}", item in any::<u64>(),
    ) {
        let width = 12 - prefix.len();
        let item = item % 10u64.pow(width as u32);
        let g = Gtin::assign(&prefix, item).unwrap();
        prop_assert_eq!(g.as_str().len(), 14);
        let expected_start = format!("0{prefix}");
        prop_assert!(g.as_str().starts_with(&expected_start));
        prop_assert_eq!(Gtin::parse(g.as_str()).unwrap(), g.clone());
        if width > 0 {
            prop_assert_eq!(g.as_str()[1 + prefix.len()..13].parse::<u64>().unwrap(), item);
        }
        prop_assert!(Gtin::assign(&prefix, 10u64.pow(width as u32)).is_err());
    }

    /// Shorter GTINs are the same number with leading zeros.
    #[test]
    fn short_gtins_pad_to_the_same_14(data in "[0-9]{7}|[0-9]{11}|[0-9]{12}") {
        let short = format!("{data}{}", check_digit(&data));
        let g = Gtin::parse(&short).unwrap();
        prop_assert_eq!(g.as_str(), format!("{short:0>14}"));
        // But a Digital Link path wants the 14 digits.
        let path = format!("/01/{short}/10/A");
        prop_assert!(DigitalLink::parse_path(&path).is_err());
    }
}
