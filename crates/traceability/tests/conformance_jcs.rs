//! RFC 8785 conformance: the published test data of the RFC's author
//! (`tests/vectors/jcs/`, cyberphone/json-canonicalization@19d51d7f) and the
//! RFC's number samples.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use traceability::jcs::{canonicalize, canonicalize_str, parse_strict};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/jcs")
}

/// Every `input/X.json` with its `output/X.json` and `outhex/X.txt`.
fn cases() -> Vec<(String, String, Vec<u8>, String)> {
    let dir = vectors();
    let mut names: Vec<String> = std::fs::read_dir(dir.join("input"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let stem = name.trim_end_matches(".json").to_string();
            let input = std::fs::read_to_string(dir.join("input").join(&name)).unwrap();
            let output = std::fs::read(dir.join("output").join(&name)).unwrap();
            let outhex = std::fs::read_to_string(dir.join("outhex").join(format!("{stem}.txt"))).unwrap();
            (stem, input, output, outhex)
        })
        .collect()
}

#[test]
fn all_six_published_cases_are_present() {
    let names: Vec<String> = cases().into_iter().map(|c| c.0).collect();
    assert_eq!(names, ["arrays", "french", "structures", "unicode", "values", "weird"]);
}

#[test]
fn every_input_canonicalizes_to_exactly_the_output_bytes() {
    for (name, input, output, outhex) in cases() {
        // The hex file is the same expectation; check we read both right.
        let from_hex = hex::decode(outhex.split_whitespace().collect::<String>()).unwrap();
        assert_eq!(from_hex, output, "{name}: outhex and output disagree");

        let canonical = canonicalize_str(&input).unwrap();
        assert_eq!(canonical.as_bytes(), &output[..], "{name} (from text)");

        // The same through a Value from the strict parser...
        let value = parse_strict(&input).unwrap();
        assert_eq!(canonicalize(&value).unwrap().as_bytes(), &output[..], "{name} (from Value)");
        // ...and from serde_json, whose map keeps input order. This holds
        // for `values` only because the workspace turns on serde_json's
        // `float_roundtrip`: without it 333333333.33333329 is read one ulp
        // off (…325) and the Value is wrong before canonicalization.
        let value: Value = serde_json::from_str(&input).unwrap();
        assert_eq!(canonicalize(&value).unwrap().as_bytes(), &output[..], "{name} (from serde_json)");

        // The canonical form is a fixed point.
        assert_eq!(canonicalize_str(&canonical).unwrap(), canonical, "{name} (idempotent)");
    }
}

/// RFC 8785 Appendix B: IEEE-754 bit patterns and the text ECMAScript (and so
/// JCS) must write for them. Checked against Node's `JSON.stringify`.
const APPENDIX_B: &[(u64, &str)] = &[
    (0x0000000000000000, "0"),
    (0x8000000000000000, "0"),
    (0x0000000000000001, "5e-324"),
    (0x8000000000000001, "-5e-324"),
    (0x7fefffffffffffff, "1.7976931348623157e+308"),
    (0xffefffffffffffff, "-1.7976931348623157e+308"),
    (0x4340000000000000, "9007199254740992"),
    (0xc340000000000000, "-9007199254740992"),
    (0x4430000000000000, "295147905179352830000"),
    (0x44b52d02c7e14af5, "9.999999999999997e+22"),
    (0x44b52d02c7e14af6, "1e+23"),
    (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
    (0x444b1ae4d6e2ef4e, "999999999999999700000"),
    (0x444b1ae4d6e2ef4f, "999999999999999900000"),
    (0x444b1ae4d6e2ef50, "1e+21"),
    (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
    (0x3eb0c6f7a0b5ed8d, "0.000001"),
    (0x41b3de4355555553, "333333333.3333332"),
    (0x41b3de4355555554, "333333333.33333325"),
    (0x41b3de4355555555, "333333333.3333333"),
    (0x41b3de4355555556, "333333333.3333334"),
    (0x41b3de4355555557, "333333333.33333343"),
    (0xbecbf647612f3696, "-0.0000033333333333333333"),
    (0x43143ff3c1cb0959, "1424953923781206.2"),
];

#[test]
fn appendix_b_number_samples() {
    for &(bits, expected) in APPENDIX_B {
        let value = json!(f64::from_bits(bits));
        assert_eq!(canonicalize(&value).unwrap(), expected, "{bits:016x}");
        // Reading the expected text back gives the same double and text.
        assert_eq!(canonicalize_str(expected).unwrap(), expected, "{bits:016x} from text");
    }
}

#[test]
fn standards_digest_number_samples() {
    // STANDARDS.md §2, each given as the literal a producer might write.
    for (literal, expected) in [
        ("1E30", "1e+30"),
        ("1e+30", "1e+30"),
        ("2e-3", "0.002"),
        ("0.002", "0.002"),
        ("9.999999999999997e-7", "9.999999999999997e-7"),
        ("0.000001", "0.000001"),
        ("1e-6", "0.000001"),
        ("1e-7", "1e-7"),
        ("1e21", "1e+21"),
        ("1e20", "100000000000000000000"),
        ("999999999999999900000", "999999999999999900000"),
        ("999999999999999868928", "999999999999999900000"),
        // 1424953923781206.25 lies halfway between two shortest candidates;
        // the digit is rounded to even.
        ("1424953923781206.25", "1424953923781206.2"),
        ("-0", "0"),
        ("-0.0", "0"),
        ("-0e10", "0"),
        ("4.50", "4.5"),
        ("56.0", "56"),
        ("0.1", "0.1"),
        ("123456789012345678901234567890", "1.2345678901234568e+29"),
        // Integers beyond 2^53 are doubles (I-JSON).
        ("9007199254740993", "9007199254740992"),
        ("-9007199254740993", "-9007199254740992"),
    ] {
        assert_eq!(canonicalize_str(literal).unwrap(), expected, "{literal}");
    }
    assert_eq!(canonicalize(&json!(-0.0)).unwrap(), "0");
    assert_eq!(canonicalize(&json!(1e30)).unwrap(), "1e+30");
    assert_eq!(canonicalize(&json!(0.002)).unwrap(), "0.002");
    assert_eq!(canonicalize(&json!(1424953923781206.2)).unwrap(), "1424953923781206.2");
}

#[test]
fn numbers_outside_the_double_range_are_errors() {
    for literal in ["1e309", "-1e309", "[1e400]"] {
        assert!(canonicalize_str(literal).is_err(), "{literal}");
    }
    // Underflow to zero is fine: it is a double.
    assert_eq!(canonicalize_str("1e-400").unwrap(), "0");
}

#[test]
fn key_order_is_utf16_code_units() {
    // STANDARDS.md §2 expected order.
    let value = json!({
        "\u{FB33}": 6, "\u{1F600}": 5, "\u{20AC}": 4, "\u{F6}": 3, "\u{80}": 2, "1": 1, "\r": 0,
    });
    assert_eq!(
        canonicalize(&value).unwrap(),
        "{\"\\r\":0,\"1\":1,\"\u{80}\":2,\"\u{F6}\":3,\"\u{20AC}\":4,\"\u{1F600}\":5,\"\u{FB33}\":6}"
    );
    // A shorter prefix sorts first; comparison is unsigned and locale-free.
    let value = json!({"ab": 1, "a": 2, "B": 3, "b": 4, "": 5});
    assert_eq!(canonicalize(&value).unwrap(), r#"{"":5,"B":3,"a":2,"ab":1,"b":4}"#);
}

#[test]
fn lone_surrogates_are_rejected() {
    for text in [
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud83dx""#,
        r#""\ud83d\u0041""#,
        r#""\ude02\ud83d""#,
        r#"{"\ud800": 1}"#,
        r#"["ok", "\udfff"]"#,
    ] {
        let err = canonicalize_str(text).unwrap_err();
        assert!(err.to_string().contains("surrogate"), "{text}: {err}");
    }
    // A proper pair is fine and written as UTF-8.
    assert_eq!(canonicalize_str(r#""\ud83d\ude02""#).unwrap(), "\"\u{1F602}\"");
}

#[test]
fn duplicate_property_names_are_rejected() {
    for text in [
        r#"{"a": 1, "a": 1}"#,
        r#"{"a": 1, "b": 2, "a": 3}"#,
        r#"{"\u20ac": 1, "€": 2}"#,
        r#"{"x": [{"k": 1, "k": 2}]}"#,
    ] {
        let err = canonicalize_str(text).unwrap_err();
        assert!(err.to_string().contains("duplicate"), "{text}: {err}");
    }
    // serde_json would have kept the last value silently.
    let lenient: Value = serde_json::from_str(r#"{"a": 1, "a": 2}"#).unwrap();
    assert_eq!(lenient, json!({"a": 2}));
}

#[test]
fn strings_are_escaped_minimally_and_not_normalised() {
    let text = r#""\u0000\u0007\b\t\n\u000b\f\r\u001f \u007f\/\"\\\u20ac\ud83d\ude02""#;
    assert_eq!(
        canonicalize_str(text).unwrap(),
        "\"\\u0000\\u0007\\b\\t\\n\\u000b\\f\\r\\u001f \u{7f}/\\\"\\\\\u{20AC}\u{1F602}\""
    );
    // Decomposed and precomposed forms stay as they are (no NFC).
    let decomposed = "\"A\u{30A}\"";
    let precomposed = "\"\u{C5}\"";
    assert_eq!(canonicalize_str(decomposed).unwrap(), decomposed);
    assert_eq!(canonicalize_str(precomposed).unwrap(), precomposed);
}

#[test]
fn literals_and_whitespace() {
    assert_eq!(
        canonicalize_str(" \t\r\n[ null , true , false , { } , [ ] ] \n").unwrap(),
        "[null,true,false,{},[]]"
    );
    assert_eq!(parse_strict("[null,true,false]").unwrap(), json!([null, true, false]));
}
