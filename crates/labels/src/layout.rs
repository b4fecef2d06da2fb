//! Geometry of one label, computed once and drawn by both the PNG and the SVG
//! writer so the two outputs match.
//!
//! Units: millimetres for the label; the QR is placed in whole 300 dpi printer
//! dots because a module that straddles dots prints blurred and scans worse.

use crate::fit::{fit, Align, Para, TextBox, TextLine, VAlign};
use crate::qr::{QrMatrix, QUIET_ZONE_MODULES};
use crate::text::fonts;
use crate::{LabelError, LabelText};

/// Label width in millimetres (a common roll/sheet label size).
pub const LABEL_WIDTH_MM: f32 = 70.0;
/// Label height in millimetres.
pub const LABEL_HEIGHT_MM: f32 = 35.0;
/// Resolution [`crate::label_png`] renders at: the usual label and office
/// printer resolution, so one image pixel is one printer dot.
pub const DPI: u32 = 300;

pub(crate) const PX_PER_MM: f32 = DPI as f32 / 25.4;
/// 70 mm and 35 mm at 300 dpi, rounded to whole pixels.
pub(crate) const LABEL_WIDTH_PX: u32 = 827;
pub(crate) const LABEL_HEIGHT_PX: u32 = 413;

/// Square reserved for the QR and its quiet zone (33 mm), at the left of a
/// lot label and in a corner of a parcel label, so that any lot whose label
/// prints also fits its parcel's label.
pub(crate) const QR_BLOCK_PX: u32 = 390;
const QR_BLOCK_LEFT_PX: u32 = 12;
const QR_BLOCK_TOP_PX: u32 = (LABEL_HEIGHT_PX - QR_BLOCK_PX) / 2;
/// Below ~0.34 mm per module (4 dots) ordinary phone cameras struggle with a
/// printed code, so a URI needing a denser symbol is refused.
const MIN_LABEL_MODULE_PX: u32 = 4;

/// Text box right of the QR block; the margins keep text clear of printer
/// offsets and cut edges.
const TEXT_LEFT_MM: f32 = 34.5;
const TEXT_RIGHT_MM: f32 = 67.5;
const TEXT_TOP_MM: f32 = 2.5;
const TEXT_BOTTOM_MM: f32 = 32.5;

const TITLE_PT: f32 = 10.0;
const BODY_PT: f32 = 7.5;
/// Text shrinks in these steps before anything is cut; the last keeps body
/// text at 6 pt, about the smallest that stays readable in print.
const SCALES: [f32; 5] = [1.0, 0.95, 0.9, 0.85, 0.8];
const LINE_HEIGHT_EM: f32 = 1.22;
const TITLE_GAP_EM: f32 = 0.45;
const MAX_TITLE_LINES: usize = 2;
/// A single detail line may wrap once; beyond that it is ellipsised so one
/// long address cannot push the lot number off the label.
const MAX_LINES_PER_DETAIL: usize = 2;

/// A QR symbol placed on a label in whole printer dots.
#[derive(Debug, Clone)]
pub(crate) struct PlacedQr {
    pub qr: QrMatrix,
    /// Top-left corner of the symbol (not of its quiet zone), in dots.
    pub left_px: u32,
    pub top_px: u32,
    pub module_px: u32,
}

impl PlacedQr {
    /// Encodes `uri` and centres it, quiet zone included, in the
    /// [`QR_BLOCK_PX`] square whose top-left corner is given, with the largest
    /// whole number of dots per module; refuses a symbol whose modules would
    /// be smaller than [`MIN_LABEL_MODULE_PX`].
    pub(crate) fn in_block(uri: &str, block_left_px: u32, block_top_px: u32) -> Result<Self, LabelError> {
        let qr = QrMatrix::encode(uri)?;
        let span = u32::try_from(qr.width() + 2 * QUIET_ZONE_MODULES).unwrap_or(u32::MAX);
        let module_px = QR_BLOCK_PX / span;
        if module_px < MIN_LABEL_MODULE_PX {
            return Err(LabelError::TooDenseForLabel {
                len: uri.len(),
                version: qr.version(),
                max_version: max_label_version(),
            });
        }
        let symbol_px = module_px * (span - 2 * QUIET_ZONE_MODULES as u32);
        let offset = (QR_BLOCK_PX - symbol_px) / 2;
        Ok(Self { qr, left_px: block_left_px + offset, top_px: block_top_px + offset, module_px })
    }
}

/// Everything needed to draw one label.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub qr: PlacedQr,
    pub lines: Vec<TextLine>,
}

impl Layout {
    pub(crate) fn new(uri: &str, text: &LabelText) -> Result<Self, LabelError> {
        Ok(Self { qr: PlacedQr::in_block(uri, QR_BLOCK_LEFT_PX, QR_BLOCK_TOP_PX)?, lines: fit_text(text)? })
    }
}

/// The largest QR version whose modules are still at least
/// [`MIN_LABEL_MODULE_PX`] dots in the QR block.
fn max_label_version() -> u8 {
    let max_width = QR_BLOCK_PX / MIN_LABEL_MODULE_PX - 2 * QUIET_ZONE_MODULES as u32;
    u8::try_from((max_width.saturating_sub(17)) / 4).unwrap_or(40).min(40)
}

/// Lays out title and detail lines in the text box, centred vertically
/// beside the QR: wrap, then shrink, and as a last resort drop trailing lines
/// (marking the cut with "…"), so the text never leaves the box whatever the
/// user typed.
fn fit_text(text: &LabelText) -> Result<Vec<TextLine>, LabelError> {
    let mut paras = vec![Para::new(&text.title, true, TITLE_PT, MAX_TITLE_LINES)];
    let details = text.lines.iter().map(|l| Para::new(l, false, BODY_PT, MAX_LINES_PER_DETAIL));
    for (i, detail) in details.filter(|p| !p.text.is_empty()).enumerate() {
        paras.push(if i == 0 { detail.gap_before(TITLE_GAP_EM) } else { detail });
    }
    let bx = TextBox {
        left_mm: TEXT_LEFT_MM,
        top_mm: TEXT_TOP_MM,
        right_mm: TEXT_RIGHT_MM,
        bottom_mm: TEXT_BOTTOM_MM,
        align: Align::Left,
        v_align: VAlign::Middle,
        scales: &SCALES,
        line_height_em: LINE_HEIGHT_EM,
        shrink_before_cut: false,
    };
    Ok(fit(fonts()?, &paras, &bx))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::fit::PT_MM;
    use crate::text::fonts;

    fn sample() -> LabelText {
        LabelText {
            title: "Chè Shan tuyết".into(),
            lines: vec![
                "Lô: HT-2025-001".into(),
                "Xuất xứ: Xã Hồng Thái, Tuyên Quang".into(),
                "Thu hoạch: 2025-11-02".into(),
            ],
        }
    }

    #[test]
    fn pixel_size_matches_millimetres() {
        assert_eq!(LABEL_WIDTH_PX, (LABEL_WIDTH_MM * PX_PER_MM).round() as u32);
        assert_eq!(LABEL_HEIGHT_PX, (LABEL_HEIGHT_MM * PX_PER_MM).round() as u32);
        // The text box starts right of the QR block.
        assert!(TEXT_LEFT_MM * PX_PER_MM > (QR_BLOCK_LEFT_PX + QR_BLOCK_PX) as f32);
    }

    #[test]
    fn typical_label_keeps_all_text_at_full_size() {
        let l = Layout::new("https://nongsan.example/01/08938000000017/10/HT-2025-001", &sample()).unwrap();
        let q = &l.qr;
        let all: Vec<&str> = l.lines.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(all.first(), Some(&"Chè Shan tuyết"));
        assert!(!all.iter().any(|t| t.contains('…')), "{all:?}");
        assert!((l.lines[0].size_mm - TITLE_PT * PT_MM).abs() < 1e-4);
        // Quiet zone fits in the QR block on every side.
        let symbol = q.module_px * q.qr.width() as u32;
        let quiet = q.module_px * QUIET_ZONE_MODULES as u32;
        assert!(q.left_px >= QR_BLOCK_LEFT_PX + quiet);
        assert!(q.left_px + symbol + quiet <= QR_BLOCK_LEFT_PX + QR_BLOCK_PX);
        assert!(q.top_px >= quiet && q.top_px + symbol + quiet <= LABEL_HEIGHT_PX);
    }

    #[test]
    fn excessive_text_stays_inside_the_box() {
        let text = LabelText {
            title: "Chè Shan tuyết cổ thụ loại đặc biệt thu hái thủ công trên đỉnh núi cao".into(),
            lines: (0..30)
                .map(|i| format!("Dòng {i}: Xã Hồng Thái, huyện Na Hang, tỉnh Tuyên Quang"))
                .collect(),
        };
        let l = Layout::new("https://nongsan.example/01/08938000000017/10/HT-2025-001", &text).unwrap();
        assert!(l.lines.last().unwrap().text.ends_with('…'));
        let fonts = fonts().unwrap();
        for line in &l.lines {
            let face = fonts.face(line.bold);
            assert!(line.x_mm + line.width_mm <= TEXT_RIGHT_MM + 1e-3, "{line:?}");
            assert!(line.baseline_mm - face.ascent_em * line.size_mm >= TEXT_TOP_MM - 0.5, "{line:?}");
            assert!(line.baseline_mm + face.descent_em * line.size_mm <= TEXT_BOTTOM_MM + 1e-3, "{line:?}");
        }
    }

    #[test]
    fn empty_text_is_fine() {
        let l = Layout::new("x", &LabelText { title: String::new(), lines: vec![" ".into()] }).unwrap();
        assert!(l.lines.is_empty());
    }

    #[test]
    fn label_version_limit() {
        assert_eq!(max_label_version(), 18);
    }
}
