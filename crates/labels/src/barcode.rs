//! Code 128 for parcel codes: checks the code, picks the character sets and
//! gets the module pattern from `barcoders`; the bars themselves are drawn
//! by the label layout so the PNG and the SVG match.
//!
//! Code 128 because every counter scanner reads it and it holds the letters,
//! digits and dash of a part code (`NS7K2M9QXB-1`) compactly; set B covers
//! all printable ASCII, and runs of digits switch to set C, which packs two
//! digits into one symbol character so numeric codes stay short.

use barcoders::sym::code128::Code128;

use crate::LabelError;

/// Longest part code accepted. Codes of mostly letters may be refused
/// shorter than this when their bars would not fit the label; see
/// [`LabelError::PartCodeTooLong`].
pub(crate) const MAX_PART_CODE_CHARS: usize = 40;

/// barcoders' markers that select a Code 128 character set.
const SET_B: char = 'Ɓ';
const SET_C: char = 'Ć';

/// Modules of start, check and stop characters (11 + 11 + 13).
const OVERHEAD_MODULES: usize = 35;
const MODULES_PER_CHAR: usize = 11;

/// Checks `code` and returns its Code 128 symbol as modules (1 = bar,
/// 0 = space), start and stop characters and check digit included, quiet
/// zones not.
pub(crate) fn code128_modules(code: &str) -> Result<Vec<u8>, LabelError> {
    if code.is_empty() {
        return Err(LabelError::InvalidPartCode { code: code.to_owned(), reason: "it is empty" });
    }
    if !code.chars().all(|c| (' '..='~').contains(&c)) {
        return Err(LabelError::InvalidPartCode {
            code: code.to_owned(),
            reason: "only printable ASCII characters can be printed as a Code 128 barcode",
        });
    }
    if code.trim() != code {
        return Err(LabelError::InvalidPartCode {
            code: code.to_owned(),
            reason: "it starts or ends with a space, which would not show under the barcode",
        });
    }
    let len = code.len();
    if len > MAX_PART_CODE_CHARS {
        return Err(LabelError::PartCodeTooLong { len, max_len: MAX_PART_CODE_CHARS });
    }
    let symbol = Code128::new(with_sets(code)).map_err(|e| LabelError::Render(Box::new(e)))?;
    Ok(symbol.encode())
}

/// Width in modules of a Code 128 symbol of `set_b_chars` characters all in
/// set B: what a code without runs of digits needs, and the most any code of
/// that length needs.
pub(crate) const fn set_b_modules(set_b_chars: usize) -> usize {
    OVERHEAD_MODULES + MODULES_PER_CHAR * set_b_chars
}

/// `code` with barcoders' set markers: set B, switching to set C for runs of
/// digits where that makes the symbol shorter (at least 4 digits at the
/// start or end, 6 in the middle, an odd one staying in set B), so the
/// result is never longer than plain set B.
fn with_sets(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len() + 8);
    let mut in_c = false;
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 0 {
            if in_c || out.is_empty() {
                out.push(SET_B);
                in_c = false;
            }
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let odd = run % 2;
        let at_start = out.is_empty() && odd == 0;
        let at_end = i + run == chars.len();
        // Symbol characters in set C: a switch in (none if the symbol
        // starts in C), the pairs, an odd digit in B and a switch back out.
        let cost_c = usize::from(!at_start) + run / 2 + odd + usize::from(!at_end);
        if cost_c < run {
            if odd == 1 {
                if out.is_empty() {
                    out.push(SET_B);
                }
                out.push(chars[i]);
            }
            out.push(SET_C);
            out.extend(&chars[i + odd..i + run]);
            in_c = true;
        } else {
            if in_c || out.is_empty() {
                out.push(SET_B);
                in_c = false;
            }
            out.extend(&chars[i..i + run]);
        }
        i += run;
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn sets_switch_only_where_shorter() {
        assert_eq!(with_sets("NS7K2M9QXB-1"), "ƁNS7K2M9QXB-1");
        assert_eq!(with_sets("1234"), "Ć1234");
        assert_eq!(with_sets("12"), "Ć12");
        assert_eq!(with_sets("123"), "Ɓ123");
        assert_eq!(with_sets("12345"), "Ɓ1Ć2345");
        assert_eq!(with_sets("AB-1234"), "ƁAB-Ć1234");
        assert_eq!(with_sets("AB-1234-9"), "ƁAB-1234-9");
        assert_eq!(with_sets("AB-123456-9"), "ƁAB-Ć123456Ɓ-9");
        assert_eq!(with_sets("1234AB"), "Ć1234ƁAB");
        assert_eq!(with_sets("12345AB"), "Ɓ12345AB");
        assert_eq!(with_sets("123456AB"), "Ć123456ƁAB");
    }

    #[test]
    fn never_longer_than_set_b() {
        for code in
            ["NS7K2M9QXB-1", "1", "12", "123", "1234", "A1234", "9876543210-12", "A12B34C5678D", "0-0"]
        {
            let modules = code128_modules(code).unwrap();
            assert!(modules.len() <= set_b_modules(code.len()), "{code}");
            assert_eq!((modules.len() - 2) % MODULES_PER_CHAR, 0, "{code}");
        }
        assert_eq!(code128_modules("NS7K2M9QXB-1").unwrap().len(), set_b_modules(12));
        assert!(code128_modules(&"1".repeat(40)).unwrap().len() < set_b_modules(21));
    }

    #[test]
    fn known_pattern() {
        // "PJJ123C" in set B, from the Code 128 specification's example
        // checksum (54): start B, data, check, stop.
        let modules = code128_modules("PJJ123C").unwrap();
        let text: String = modules.iter().map(|&m| char::from(b'0' + m)).collect();
        assert!(text.starts_with("11010010000"), "start B: {text}");
        assert!(text.ends_with("1100011101011"), "stop: {text}");
    }

    #[test]
    fn refuses_what_it_cannot_print() {
        assert!(matches!(code128_modules(""), Err(LabelError::InvalidPartCode { .. })));
        assert!(matches!(code128_modules(" NS-1"), Err(LabelError::InvalidPartCode { .. })));
        assert!(matches!(code128_modules("NS-1\n"), Err(LabelError::InvalidPartCode { .. })));
        assert!(matches!(code128_modules("MÃ-1"), Err(LabelError::InvalidPartCode { .. })));
        assert!(matches!(code128_modules("A\u{7f}"), Err(LabelError::InvalidPartCode { .. })));
        assert!(matches!(
            code128_modules(&"A".repeat(41)),
            Err(LabelError::PartCodeTooLong { len: 41, max_len: 40 })
        ));
        assert!(code128_modules("! \"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").is_ok());
    }
}
