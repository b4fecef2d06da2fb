//! Fitting paragraphs of text into a box: wrap, shrink, and as a last resort
//! cut with "…", so that whatever a seller or buyer typed never leaves its
//! box. Both the 70 × 35 mm lot label and the A6 parcel label lay out their
//! text with it.

use crate::text::{clean, with_ellipsis, wrap, wrap_limited, Face, Fonts};

/// Typographic point in millimetres.
pub(crate) const PT_MM: f32 = 25.4 / 72.0;

/// One positioned line of text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextLine {
    pub text: String,
    pub bold: bool,
    /// Em size (CSS `font-size`) in millimetres.
    pub size_mm: f32,
    pub x_mm: f32,
    pub baseline_mm: f32,
    /// Advance width measured with the embedded font.
    pub width_mm: f32,
}

/// One paragraph: a run of text in one style, wrapped onto at most
/// `max_lines` lines.
#[derive(Debug, Clone)]
pub(crate) struct Para {
    pub text: String,
    pub bold: bool,
    /// Size at scale 1, in points.
    pub size_pt: f32,
    pub max_lines: usize,
    /// Extra space above the paragraph, in its own ems; ignored for the first
    /// line of the box.
    pub gap_before_em: f32,
}

impl Para {
    pub(crate) fn new(text: impl AsRef<str>, bold: bool, size_pt: f32, max_lines: usize) -> Self {
        Self { text: clean(text.as_ref()), bold, size_pt, max_lines, gap_before_em: 0.0 }
    }

    pub(crate) fn gap_before(mut self, em: f32) -> Self {
        self.gap_before_em = em;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VAlign {
    Top,
    Middle,
}

/// Where and how a block of paragraphs is set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextBox {
    pub left_mm: f32,
    pub top_mm: f32,
    pub right_mm: f32,
    pub bottom_mm: f32,
    pub align: Align,
    pub v_align: VAlign,
    /// Scales tried in turn, largest first; the last is the smallest size
    /// the block may be printed at.
    pub scales: &'static [f32],
    pub line_height_em: f32,
    /// When true, a paragraph cut at its `max_lines` makes the block try
    /// the next smaller scale, so text is shrunk before anything is dropped
    /// (an address should rather be smaller than incomplete). When false,
    /// only the box height makes it shrink.
    pub shrink_before_cut: bool,
}

impl TextBox {
    fn width(&self) -> f32 {
        self.right_mm - self.left_mm
    }

    fn height(&self) -> f32 {
        self.bottom_mm - self.top_mm
    }
}

#[derive(Clone, Copy)]
struct Style {
    bold: bool,
    size_mm: f32,
}

/// A wrapped line before it is positioned: its text, style and the gap above it.
type Pending = (String, Style, f32);

/// Lays out `paras` (empty ones are skipped) in `bx`: wrap, then shrink
/// through `bx.scales`, and at the last scale drop trailing lines until the
/// block fits (marking the cut with "…"), so the text never leaves the box.
pub(crate) fn fit(fonts: &Fonts, paras: &[Para], bx: &TextBox) -> Vec<TextLine> {
    let paras: Vec<&Para> = paras.iter().filter(|p| !p.text.is_empty()).collect();
    let mut lines: Vec<Pending> = Vec::new();
    for (step, scale) in bx.scales.iter().enumerate() {
        lines.clear();
        let mut cut = false;
        for para in &paras {
            let style = Style { bold: para.bold, size_mm: para.size_pt * PT_MM * scale };
            let face = fonts.face(style.bold);
            let max_em = bx.width() / style.size_mm;
            cut |= wrap(face, &para.text, max_em).len() > para.max_lines;
            for (i, l) in wrap_limited(face, &para.text, max_em, para.max_lines).into_iter().enumerate() {
                let gap = if i == 0 && !lines.is_empty() { para.gap_before_em * style.size_mm } else { 0.0 };
                lines.push((l, style, gap));
            }
        }
        let last_step = step + 1 == bx.scales.len();
        if height(bx, &lines) <= bx.height() && !(bx.shrink_before_cut && cut) {
            break;
        }
        if !last_step {
            continue;
        }
        let mut dropped = false;
        while lines.len() > 1 && height(bx, &lines) > bx.height() {
            lines.pop();
            dropped = true;
        }
        if let Some((last, style, _)) = lines.last_mut().filter(|_| dropped) {
            *last = with_ellipsis(fonts.face(style.bold), last, bx.width() / style.size_mm);
        }
    }
    position(fonts, &lines, bx)
}

fn height(bx: &TextBox, lines: &[Pending]) -> f32 {
    lines.iter().map(|(_, s, gap)| s.size_mm * bx.line_height_em + gap).sum()
}

/// Places the lines in the box and computes their baselines.
fn position(fonts: &Fonts, lines: &[Pending], bx: &TextBox) -> Vec<TextLine> {
    let block = height(bx, lines);
    let mut top = match bx.v_align {
        VAlign::Top => bx.top_mm,
        VAlign::Middle => bx.top_mm + ((bx.height() - block) / 2.0).max(0.0),
    };
    let mut out = Vec::with_capacity(lines.len());
    for (text, style, gap) in lines {
        top += gap;
        let face: &Face = fonts.face(style.bold);
        let line_height = style.size_mm * bx.line_height_em;
        let glyph_height = (face.ascent_em + face.descent_em) * style.size_mm;
        let baseline = top + (line_height - glyph_height) / 2.0 + face.ascent_em * style.size_mm;
        let width_mm = face.width_em(text) * style.size_mm;
        let x_mm = match bx.align {
            Align::Left => bx.left_mm,
            Align::Center => bx.left_mm + ((bx.width() - width_mm) / 2.0).max(0.0),
        };
        out.push(TextLine {
            width_mm,
            text: text.clone(),
            bold: style.bold,
            size_mm: style.size_mm,
            x_mm,
            baseline_mm: baseline,
        });
        top += line_height;
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::text::fonts;

    const BOX: TextBox = TextBox {
        left_mm: 10.0,
        top_mm: 10.0,
        right_mm: 40.0,
        bottom_mm: 30.0,
        align: Align::Left,
        v_align: VAlign::Top,
        scales: &[1.0, 0.9, 0.8],
        line_height_em: 1.2,
        shrink_before_cut: true,
    };

    #[test]
    fn shrinks_before_cutting_when_asked() {
        let f = fonts().unwrap();
        // Sized so that the one allowed line is too wide at scales 1 and
        // 0.9 and fits at 0.8.
        let text = "Xã Hồng Thái, Tuyên Quang";
        let size_pt = 30.0 / (f.bold.width_em(text) * 0.85) / PT_MM;
        let para = Para::new(text, true, size_pt, 1);
        let lines = fit(f, std::slice::from_ref(&para), &BOX);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, text);
        assert!((lines[0].size_mm - 0.8 * size_pt * PT_MM).abs() < 1e-4);
        assert!(lines[0].width_mm <= 30.0 + 1e-3);

        let lazy = TextBox { shrink_before_cut: false, ..BOX };
        let lines = fit(f, &[para], &lazy);
        assert!(lines[0].text.ends_with('…'), "{lines:?}");
        assert!((lines[0].size_mm - size_pt * PT_MM).abs() < 1e-4);
    }

    #[test]
    fn centres_and_keeps_inside() {
        let f = fonts().unwrap();
        let bx = TextBox { align: Align::Center, v_align: VAlign::Middle, ..BOX };
        let lines = fit(f, &[Para::new("ab", false, 10.0, 1)], &bx);
        let l = &lines[0];
        assert!((l.x_mm - 10.0 - (30.0 - l.width_mm) / 2.0).abs() < 1e-4);
        assert!(l.baseline_mm > 20.0 && l.baseline_mm < 30.0);

        let many: Vec<Para> = (0..20).map(|i| Para::new(format!("dòng {i}"), false, 10.0, 1)).collect();
        let lines = fit(f, &many, &bx);
        assert!(lines.last().unwrap().text.ends_with('…'));
        let last = lines.last().unwrap();
        assert!(last.baseline_mm <= 30.0);
    }

    #[test]
    fn blank_paragraphs_take_no_room() {
        let f = fonts().unwrap();
        let lines =
            fit(f, &[Para::new(" \t", true, 10.0, 2), Para::new("x", false, 10.0, 1).gap_before(1.0)], &BOX);
        assert_eq!(lines.len(), 1);
        // A gap is never added above the first line.
        let face = f.face(false);
        let size = 10.0 * PT_MM;
        let expected =
            10.0 + (size * 1.2 - (face.ascent_em + face.descent_em) * size) / 2.0 + face.ascent_em * size;
        assert!((lines[0].baseline_mm - expected).abs() < 1e-4);
    }
}
