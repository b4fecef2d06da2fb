//! Fonts, text measurement and the line breaking that keeps label text inside
//! its box.
//!
//! Widths are measured in ems with the embedded DejaVu metrics, so the PNG and
//! the SVG break lines at the same places; the SVG then pins each line to the
//! measured width (`textLength`) in case a viewer substitutes another font.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::LabelError;

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

const ELLIPSIS: char = '…';

/// One embedded font with the metrics the layout needs, in ems.
pub(crate) struct Face {
    pub(crate) font: FontRef<'static>,
    units_per_em: f32,
    pub(crate) ascent_em: f32,
    pub(crate) descent_em: f32,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Option<Self> {
        let font = FontRef::try_from_slice(bytes).ok()?;
        let units_per_em = font.units_per_em()?;
        Some(Self {
            ascent_em: font.ascent_unscaled() / units_per_em,
            descent_em: -font.descent_unscaled() / units_per_em,
            units_per_em,
            font,
        })
    }

    /// Converts font units to ems.
    pub(crate) fn em(&self, units: f32) -> f32 {
        units / self.units_per_em
    }

    /// Pixel scale that makes one em `em_px` pixels; ab_glyph scales by the
    /// font's ascent-to-descent height rather than by the em.
    pub(crate) fn px_scale(&self, em_px: f32) -> ab_glyph::PxScale {
        ab_glyph::PxScale::from(em_px * self.font.height_unscaled() / self.units_per_em)
    }

    /// Advance width of `text` in ems, kerning included.
    pub(crate) fn width_em(&self, text: &str) -> f32 {
        let mut units = 0.0;
        let mut prev = None;
        for c in text.chars() {
            let id = self.font.glyph_id(c);
            if let Some(p) = prev {
                units += self.font.kern_unscaled(p, id);
            }
            units += self.font.h_advance_unscaled(id);
            prev = Some(id);
        }
        self.em(units)
    }
}

pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

impl Fonts {
    pub(crate) fn face(&self, bold: bool) -> &Face {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }
}

/// The embedded fonts, parsed once per process.
pub(crate) fn fonts() -> Result<&'static Fonts, LabelError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| Some(Fonts { regular: Face::load(REGULAR_TTF)?, bold: Face::load(BOLD_TTF)? }))
        .as_ref()
        .ok_or_else(|| LabelError::Render("embedded DejaVu font could not be parsed".into()))
}

/// NFC-normalises and flattens one piece of label text.
///
/// Phones and some keyboards send Vietnamese decomposed (e + ◌̂ + ◌́); without
/// shaping those marks would stack badly, while NFC gives the precomposed
/// letters DejaVu draws properly. Control characters are not allowed in XML
/// and print as boxes, so they become spaces, and runs of whitespace collapse.
pub(crate) fn clean(text: &str) -> String {
    let nfc: String = text.nfc().map(|c| if c.is_control() { ' ' } else { c }).collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Greedy word wrap to `max_em`; a word wider than a whole line (a long lot
/// code or URL) is broken between characters rather than allowed to overflow.
pub(crate) fn wrap(face: &Face, text: &str, max_em: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() { word.to_owned() } else { format!("{current} {word}") };
        if face.width_em(&candidate) <= max_em {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if face.width_em(word) <= max_em {
            current = word.to_owned();
        } else {
            let mut pieces = break_word(face, word, max_em);
            current = pieces.pop().unwrap_or_default();
            lines.extend(pieces);
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Splits a single over-long word into pieces that each fit `max_em`, never
/// separating a combining mark from its base letter.
fn break_word(face: &Face, word: &str, max_em: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for c in word.chars() {
        let mut candidate = current.clone();
        candidate.push(c);
        if !current.is_empty() && !is_combining_mark(c) && face.width_em(&candidate) > max_em {
            pieces.push(std::mem::replace(&mut current, c.to_string()));
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// `text` shortened so that it plus "…" fits `max_em`, ellipsis always added:
/// used where more text follows that will not be printed. Whole words are
/// dropped first ("…biệt…" reads better than "…biệt t…"); only a single word
/// too long for the line is cut between letters.
pub(crate) fn with_ellipsis(face: &Face, text: &str, max_em: f32) -> String {
    let mut kept = text.trim_end().to_owned();
    while face.width_em(&format!("{kept}{ELLIPSIS}")) > max_em {
        match kept.rfind(' ') {
            Some(space) => kept.truncate(space),
            None => break,
        }
    }
    loop {
        let candidate = format!("{kept}{ELLIPSIS}");
        if kept.is_empty() || face.width_em(&candidate) <= max_em {
            return candidate;
        }
        kept.pop();
        // Drop a combining mark's base letter together with it, and don't
        // leave a dangling space before the ellipsis.
        while kept.ends_with(|c: char| is_combining_mark(c) || c.is_whitespace()) {
            kept.pop();
        }
    }
}

/// Wraps `text` into at most `max_lines` lines, ending the last one with "…"
/// if text had to be cut.
pub(crate) fn wrap_limited(face: &Face, text: &str, max_em: f32, max_lines: usize) -> Vec<String> {
    let mut lines = wrap(face, text, max_em);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = with_ellipsis(face, last, max_em);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn nfc_and_control_characters() {
        // "Chè" typed decomposed, with a tab and a newline inside.
        assert_eq!(clean("Che\u{300}\tShan\n  tuye\u{302}\u{301}t\u{7}"), "Chè Shan tuyết");
    }

    #[test]
    fn vietnamese_letters_have_glyphs() {
        let f = fonts().unwrap();
        for face in [&f.regular, &f.bold] {
            for c in "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐƠƯơư…".chars()
            {
                assert_ne!(face.font.glyph_id(c).0, 0, "missing glyph for {c}");
            }
        }
    }

    #[test]
    fn wrap_respects_width_and_keeps_words() {
        let f = fonts().unwrap();
        let text = "Xuất xứ: Xã Hồng Thái, huyện Na Hang, tỉnh Tuyên Quang";
        let lines = wrap(&f.regular, text, 10.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(f.regular.width_em(l) <= 10.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn long_word_is_broken() {
        let f = fonts().unwrap();
        let word = "HT-2025-0000000000000000000000000000000001";
        let lines = wrap(&f.regular, word, 8.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word);
        assert!(lines.iter().all(|l| f.regular.width_em(l) <= 8.0));
    }

    #[test]
    fn limited_wrap_ends_with_ellipsis() {
        let f = fonts().unwrap();
        let text = "một hai ba bốn năm sáu bảy tám chín mười ".repeat(5);
        let lines = wrap_limited(&f.bold, &text, 9.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with(ELLIPSIS));
        assert!(lines.iter().all(|l| f.bold.width_em(l) <= 9.0));
    }
}
