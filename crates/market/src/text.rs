//! Vietnamese text folding for search: people type without diacritics.

use unicode_normalization::UnicodeNormalization;

/// Lower-case, diacritics removed, `đ` → `d`, runs of spaces and punctuation
/// folded to one space: `Chè Shan tuyết` → `che shan tuyet`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_the_way_people_type() {
        assert_eq!(fold("Chè Shan tuyết"), "che shan tuyet");
        assert_eq!(fold("Đường ĐI  đá"), "duong di da");
        assert_eq!(fold("Xã Hồng Thái"), "xa hong thai");
        assert_eq!(fold("  Ốc—hương!! "), "oc huong");
        // precomposed and decomposed input fold alike
        assert_eq!(fold("Tuyê\u{0302}n"), fold("Tuyên"));
    }
}
