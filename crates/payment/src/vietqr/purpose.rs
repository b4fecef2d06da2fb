//! Folding free Vietnamese text into a VietQR purpose.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::MAX_PURPOSE_LEN;

/// Folds `text` into something [`crate::VietQr::new_dynamic`] accepts as a
/// purpose: diacritics removed (`Nguyễn` → `Nguyen`, `đ` → `d`), every run
/// of whitespace or of characters with no ASCII form (emoji, dashes like
/// `–`) made one space, no leading or trailing space, at most 25
/// characters. Compatibility forms fold too (full-width `Ａ` → `A`).
///
/// Bank apps count the length of non-ASCII text differently, and many
/// strip diacritics from transfer descriptions anyway, so the order code
/// only round-trips through a bank reliably as plain ASCII.
///
/// The result is empty when `text` has nothing that folds to ASCII.
pub fn ascii_purpose(text: &str) -> String {
    let mut out = String::with_capacity(MAX_PURPOSE_LEN);
    let mut gap = false;
    for c in text.nfkd() {
        let c = match c {
            // đ/Đ are letters of their own, not d plus a mark; Ð (U+00D0)
            // is often typed for Đ.
            'đ' => 'd',
            'Đ' | 'Ð' => 'D',
            c => c,
        };
        if is_combining_mark(c) {
            continue;
        }
        if !c.is_ascii_graphic() {
            // Whitespace, controls and anything else without an ASCII form.
            gap = !out.is_empty();
            continue;
        }
        let needed = if gap { 2 } else { 1 };
        if out.len() + needed > MAX_PURPOSE_LEN {
            break;
        }
        if gap {
            out.push(' ');
            gap = false;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ascii_purpose;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(ascii_purpose("Đà Lạt"), "Da Lat");
        assert_eq!(ascii_purpose("ăâêôơư ĂÂÊÔƠƯ"), "aaeoou AAEOOU");
        assert_eq!(ascii_purpose("Rau cải ngọt"), "Rau cai ngot");
        assert_eq!(ascii_purpose("đậu phộng"), "dau phong");
    }

    #[test]
    fn decomposed_input_folds_the_same() {
        // "Việt" typed with combining marks: e + U+0323 dot below + U+0302 circumflex.
        assert_eq!(ascii_purpose("Vie\u{323}\u{302}t"), "Viet");
        assert_eq!(ascii_purpose("Vie\u{323}\u{302}t"), ascii_purpose("Việt"));
    }

    #[test]
    fn truncates_to_25_without_trailing_space() {
        let folded = ascii_purpose("Đơn hàng NS-0001 của Nguyễn Thị Ánh");
        assert_eq!(folded, "Don hang NS-0001 cua Nguy");
        assert_eq!(folded.len(), 25);
        // A space that would land in position 25 is dropped, not kept.
        assert_eq!(ascii_purpose("aaaaaaaaaaaaaaaaaaaaaaaa bcd"), "aaaaaaaaaaaaaaaaaaaaaaaa");
    }

    #[test]
    fn collapses_gaps() {
        assert_eq!(ascii_purpose("  NS\t\n 0001  "), "NS 0001");
        assert_eq!(ascii_purpose("Cà phê–Đà Lạt"), "Ca phe Da Lat");
        assert_eq!(ascii_purpose("Rau🥬sạch"), "Rau sach");
        assert_eq!(ascii_purpose("ＮＳ０１"), "NS01");
    }

    #[test]
    fn nothing_foldable_is_empty() {
        assert_eq!(ascii_purpose(""), "");
        assert_eq!(ascii_purpose("🥬 越南"), "");
    }
}
