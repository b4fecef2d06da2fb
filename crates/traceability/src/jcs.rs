//! RFC 8785 JSON Canonicalization Scheme (JCS): the byte form that
//! `eddsa-jcs-2022` hashes and signs.
//!
//! - Object members are sorted by their names as arrays of UTF-16 code units
//!   (not by UTF-8 bytes, and never by input order: the workspace turns on
//!   serde_json's `preserve_order`, so a `Map` remembers insertion order and
//!   we must ignore it).
//! - Numbers are written as ECMAScript `Number::toString` would (via
//!   `ryu-js`); serde_json's own float output is not that form (`1e30` vs
//!   `1e+30`). Every number is an IEEE-754 double (I-JSON), so integers beyond
//!   2^53 are rounded like JavaScript rounds them. nongsan signs only strings
//!   and small integers, so this never changes a record.
//! - Strings escape only `"`, `\` and U+0000–U+001F; everything else is
//!   written as UTF-8, with no Unicode normalisation.
//!
//! [`canonicalize_str`] also parses JSON text with the I-JSON rules that a
//! `serde_json::Value` cannot express: duplicate property names and lone
//! surrogates are errors, and numbers are parsed with correct rounding.

use std::cmp::Ordering;
use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

use common::ApiError;

/// Deepest nesting of arrays and objects we accept, in both directions.
/// It matches serde_json's own parse limit and keeps recursion bounded, so
/// hostile input cannot overflow the stack.
pub const MAX_DEPTH: usize = 128;

/// The RFC 8785 canonical form of `value`, as UTF-8 text.
///
/// Errors on a number that is not finite (only reachable with serde_json
/// features we do not use) and on nesting deeper than [`MAX_DEPTH`].
pub fn canonicalize(value: &Value) -> Result<String, ApiError> {
    let mut out = String::new();
    write_value(&mut out, value, 0)?;
    Ok(out)
}

/// Parses `text` as I-JSON ([`parse_strict`]) and canonicalizes it.
pub fn canonicalize_str(text: &str) -> Result<String, ApiError> {
    canonicalize(&parse_strict(text)?)
}

/// Parses JSON text under the I-JSON rules of RFC 7493 that RFC 8785 requires.
///
/// Unlike `serde_json::from_str` this rejects duplicate property names (which
/// serde_json silently resolves to the last one, so two parties could read
/// different documents from the same signed bytes), and it parses every
/// fractional number with correctly rounded `f64::from_str` (serde_json does
/// so only with its `float_roundtrip` feature). A number too large for a
/// double is an error, and so are a lone surrogate escape, raw control
/// characters in strings, a byte-order mark and trailing content.
pub fn parse_strict(text: &str) -> Result<Value, ApiError> {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0 };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos != parser.bytes.len() {
        return Err(parser.error("unexpected content after the JSON value"));
    }
    Ok(value)
}

fn too_deep() -> ApiError {
    ApiError::invalid("json", format!("nested deeper than {MAX_DEPTH} levels"))
}

fn write_value(out: &mut String, value: &Value, depth: usize) -> Result<(), ApiError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n)?,
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            if depth >= MAX_DEPTH {
                return Err(too_deep());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, depth + 1)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            if depth >= MAX_DEPTH {
                return Err(too_deep());
            }
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_unstable_by(|a, b| utf16_cmp(a.0, b.0));
            out.push('{');
            for (i, (name, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, name);
                out.push(':');
                write_value(out, item, depth + 1)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Orders two strings as sequences of UTF-16 code units (RFC 8785 §3.2.3).
///
/// UTF-8 byte order equals code point order, which differs from UTF-16
/// order only when a character above U+FFFF (a surrogate pair, 0xD800..)
/// meets one in U+E000–U+FFFF. Names are compared rarely enough that the
/// plain UTF-16 comparison is cheap; ASCII names take the byte fast path.
fn utf16_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.as_bytes().cmp(b.as_bytes());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

fn write_number(out: &mut String, n: &Number) -> Result<(), ApiError> {
    // `as f64` rounds to nearest, ties to even, like JavaScript's ToNumber.
    let f = if let Some(u) = n.as_u64() {
        u as f64
    } else if let Some(i) = n.as_i64() {
        i as f64
    } else {
        n.as_f64().ok_or_else(|| ApiError::invalid("json", format!("number {n} is not a double")))?
    };
    if !f.is_finite() {
        return Err(ApiError::invalid("json", "NaN and Infinity are not JSON numbers"));
    }
    if f == 0.0 {
        // Covers -0, which ECMAScript prints as "0".
        out.push('0');
    } else {
        out.push_str(ryu_js::Buffer::new().format_finite(f));
    }
    Ok(())
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Every byte that needs escaping is ASCII, so `i` is a char boundary.
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// A small recursive-descent parser for RFC 8259 JSON with I-JSON checks.
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> ApiError {
        ApiError::invalid("json", format!("{message} at byte {}", self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), ApiError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected {what}")))
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, ApiError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, ApiError> {
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, ApiError> {
        if depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        self.pos += 1; // '{'
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a property name"));
            }
            let name_at = self.pos;
            let name = self.string()?;
            self.skip_ws();
            self.expect(b':', "':'")?;
            self.skip_ws();
            let item = self.value(depth + 1)?;
            if map.contains_key(&name) {
                // Names are compared after unescaping: "a" and "\u0061" clash.
                return Err(ApiError::invalid(
                    "json",
                    format!("duplicate property name {name:?} at byte {name_at}"),
                ));
            }
            map.insert(name, item);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, ApiError> {
        if depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    /// Parses a string starting at its opening quote.
    fn string(&mut self) -> Result<String, ApiError> {
        self.pos += 1; // '"'
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            let Some(byte) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            match byte {
                b'"' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    out.push(self.escape()?);
                    run = self.pos;
                }
                0x00..=0x1f => return Err(self.error("raw control character in a string")),
                // Input is &str, so multi-byte UTF-8 is already valid; copy it
                // with the run.
                _ => self.pos += 1,
            }
        }
    }

    /// Parses one escape after its backslash.
    fn escape(&mut self) -> Result<char, ApiError> {
        let Some(byte) = self.peek() else {
            return Err(self.error("unterminated escape"));
        };
        self.pos += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                match unit {
                    0xd800..=0xdbff => {
                        if !self.bytes[self.pos..].starts_with(b"\\u") {
                            return Err(self.error("lone leading surrogate"));
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xdc00..=0xdfff).contains(&low) {
                            return Err(self.error("lone leading surrogate"));
                        }
                        let code = 0x10000 + ((u32::from(unit) - 0xd800) << 10) + (u32::from(low) - 0xdc00);
                        char::from_u32(code).ok_or_else(|| self.error("invalid surrogate pair"))?
                    }
                    0xdc00..=0xdfff => return Err(self.error("lone trailing surrogate")),
                    _ => char::from_u32(u32::from(unit)).ok_or_else(|| self.error("invalid \\u escape"))?,
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("invalid escape"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u16, ApiError> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or_else(|| self.error("short \\u escape"))?;
        let mut unit: u16 = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.error("invalid hex digit in \\u escape")),
            };
            unit = (unit << 4) | u16::from(v);
        }
        self.pos += 4;
        Ok(unit)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Parses a number per the RFC 8259 grammar
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<Value, ApiError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("expected digits after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected digits in the exponent"));
            }
        }
        let literal = &self.text[start..self.pos];
        // Keep integers as integers so the Value matches serde_json's; the
        // canonical text is the same either way.
        if integer {
            if let Ok(u) = literal.parse::<u64>() {
                return Ok(Value::Number(u.into()));
            }
            if let Ok(i) = literal.parse::<i64>() {
                return Ok(Value::Number(i.into()));
            }
        }
        // Rust's float parsing is correctly rounded (round half to even).
        let f: f64 = literal.parse().map_err(|_| self.error("invalid number"))?;
        Number::from_f64(f).map(Value::Number).ok_or_else(|| {
            ApiError::invalid(
                "json",
                format!("number {literal} at byte {start} is out of the range of a double"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_by_utf16_not_by_code_point() {
        // U+1F600 is 0xD83D 0xDE00 in UTF-16, so it sorts before U+FB33;
        // by code point (and UTF-8 bytes) it would sort after.
        let v = json!({"\u{FB33}": 1, "\u{1F600}": 2});
        assert_eq!(canonicalize(&v).unwrap(), "{\"\u{1F600}\":2,\"\u{FB33}\":1}");
    }

    #[test]
    fn escapes_control_characters_in_lowercase_hex() {
        let v = json!("\u{0}\u{1f}\u{8}\u{c}\u{7f}/");
        assert_eq!(canonicalize(&v).unwrap(), "\"\\u0000\\u001f\\b\\f\u{7f}/\"");
    }

    #[test]
    fn integers_beyond_2_pow_53_are_doubles() {
        assert_eq!(canonicalize(&json!(9007199254740993u64)).unwrap(), "9007199254740992");
        assert_eq!(canonicalize(&json!(u64::MAX)).unwrap(), "18446744073709552000");
        assert_eq!(canonicalize(&json!(i64::MIN)).unwrap(), "-9223372036854776000");
    }

    #[test]
    fn depth_limit_applies_to_values_and_text() {
        let mut v = json!(1);
        for _ in 0..MAX_DEPTH {
            v = json!([v]);
        }
        assert!(canonicalize(&v).is_ok());
        let deeper = json!([v]);
        assert!(canonicalize(&deeper).is_err());
        let text = format!("{}1{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse_strict(&text).is_err());
        let text = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse_strict(&text).is_ok());
    }

    #[test]
    fn parser_rejects_what_rfc_8259_rejects() {
        for bad in [
            "",
            " ",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "'a'",
            "tru",
            "nul",
            "[1] x",
            "\u{feff}1",
            "\"\t\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"abc",
            "[",
            "{\"a\"}",
            "NaN",
            "Infinity",
            "1e400",
            "-1e400",
        ] {
            assert!(parse_strict(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn parser_reads_escapes_and_numbers() {
        let v = parse_strict(" {\"a\\u0062\\/\": [\"\\ud83d\\ude00\\n\", -0, 1.5e2, 18446744073709551615, -9223372036854775808, 18446744073709551616]} ").unwrap();
        assert_eq!(v, json!({"ab/": ["\u{1F600}\n", 0, 150.0, u64::MAX, i64::MIN, 18446744073709551616.0]}));
    }

    #[test]
    fn duplicate_names_are_detected_after_unescaping() {
        let err = parse_strict("{\"a\":1,\"\\u0061\":2}").unwrap_err();
        assert!(err.to_string().contains("duplicate"), "{err}");
        // The same name in different objects is fine.
        assert!(parse_strict("{\"a\":{\"a\":1},\"b\":{\"a\":2}}").is_ok());
    }
}
