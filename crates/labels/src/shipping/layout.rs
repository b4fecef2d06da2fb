//! Geometry of the A6 parcel label, computed once and drawn by both the PNG
//! and the SVG writer.
//!
//! Text is placed in millimetres, in fixed blocks from top to bottom (so
//! the receiver is always in the same place for the postman); everything
//! that is scanned or ruled (bars, QR modules, rules, the cash box) is placed
//! in whole 300 dpi dots so its edges print sharp.
//!
//! ```text
//!  3.5 ┌ header, sender ───────────────┬ QR (33 mm) ┐
//!      │                               │ caption    │
//! 40.5 ├ rule ────────────────────────────────────────┤
//!      │ receiver: name, phone, address, place (large) │
//! 85.5 ├ rule ────────────────────────────────────────┤
//!      │ weight                                        │
//!   92 │ contents, tracking number                     │
//!  105 │ ┏ cash box ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓ │
//!  120 │ ▌▌▐▌▐▐▌ Code 128 of the part code, 18 mm     │
//!  139 └ part code in text ───────────────────────────┘
//! ```

use super::{cash_line, format_kg, non_negative, ShippingLabel};
use crate::barcode::{code128_modules, set_b_modules};
use crate::fit::{fit, Align, Para, TextBox, TextLine, VAlign};
use crate::layout::{PlacedQr, PX_PER_MM, QR_BLOCK_PX};
use crate::text::{clean, fonts};
use crate::LabelError;

/// 105 × 148 mm at 300 dpi, rounded to whole dots.
pub(crate) const WIDTH_PX: u32 = 1240;
pub(crate) const HEIGHT_PX: u32 = 1748;
pub(crate) const WIDTH_MM: f32 = 105.0;
pub(crate) const HEIGHT_MM: f32 = 148.0;

/// Left and right edge of all text: 5 mm keeps it clear of printer offsets.
const TEXT_LEFT_MM: f32 = 5.0;
const TEXT_RIGHT_MM: f32 = 100.0;
/// Same margin in dots, for rules and the cash box.
const MARGIN_PX: u32 = 59;
const RULE_PX: u32 = 4;

/// QR block in the top-right corner, quiet zone included.
const QR_LEFT_PX: u32 = WIDTH_PX - MARGIN_PX - QR_BLOCK_PX;
const QR_TOP_PX: u32 = 41;
/// Text left of the QR block stops this far from it.
const QR_GAP_MM: f32 = 2.0;
const QR_CAPTION: &str = "Quét để xem nguồn gốc";

const HEADER: &str = "NÔNG SẢN — BƯU ĐIỆN";
const RULE_1_PX: u32 = 478; // 40.5 mm
const RULE_2_PX: u32 = 1010; // 85.5 mm
const WEIGHT_BOTTOM_MM: f32 = 92.0;
const CASH_TOP_PX: u32 = 1240; // 105 mm
const CASH_BOTTOM_PX: u32 = 1394; // 118 mm
/// The cash box's border: heavy when there is cash to collect.
const CASH_BORDER_COD_PX: u32 = 8;
const CASH_BORDER_PAID_PX: u32 = 3;

/// Bars between these dots horizontally, quiet zones included (3 mm from
/// the label's edges).
const BARCODE_LEFT_PX: u32 = 35;
const BARCODE_RIGHT_PX: u32 = WIDTH_PX - 35;
/// A counter's hand scanner reads bars of 0.25 mm (3 dots) and up.
pub(crate) const MIN_MODULE_PX: u32 = 3;
/// Short codes get wider bars, up to 0.85 mm (10 dots): inside the range
/// scanners are specified for (GS1 logistic labels use 0.5–1 mm).
const MAX_MODULE_PX: u32 = 10;
/// Light space required before and after the bars, in modules.
pub(crate) const QUIET_ZONE_MODULES: u32 = 10;
const BARS_TOP_PX: u32 = 1423; // 120.5 mm
/// 18 mm: tall enough to scan at a slant, well over the 15 mm minimum.
pub(crate) const BARS_HEIGHT_PX: u32 = 213;

const LINE_HEIGHT_EM: f32 = 1.2;
/// Shrink steps per block; each block's smallest size stays at or above
/// 6 pt, and the cash line's at 7.5 pt.
const SMALL_SCALES: [f32; 4] = [1.0, 0.9, 0.8, 0.75];
const LARGE_SCALES: [f32; 4] = [1.0, 0.9, 0.8, 0.7];
const INFO_SCALES: [f32; 5] = [1.0, 0.9, 0.8, 0.7, 0.6];
const CASH_SCALES: [f32; 6] = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5];

/// A filled black rectangle, in dots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RectPx {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// Everything needed to draw one parcel label.
#[derive(Debug, Clone)]
pub(crate) struct ShippingLayout {
    /// Rules and the cash box's border.
    pub rects: Vec<RectPx>,
    /// The Code 128 bars.
    pub bars: Vec<RectPx>,
    pub qr: Option<PlacedQr>,
    pub lines: Vec<TextLine>,
}

fn mm(px: u32) -> f32 {
    px as f32 / PX_PER_MM
}

/// A left-aligned, top-aligned block that shrinks before cutting.
fn block(left_mm: f32, top_mm: f32, right_mm: f32, bottom_mm: f32, scales: &'static [f32]) -> TextBox {
    TextBox {
        left_mm,
        top_mm,
        right_mm,
        bottom_mm,
        align: Align::Left,
        v_align: VAlign::Top,
        scales,
        line_height_em: LINE_HEIGHT_EM,
        shrink_before_cut: true,
    }
}

impl ShippingLayout {
    pub(crate) fn new(label: &ShippingLabel) -> Result<Self, LabelError> {
        let modules = code128_modules(&label.part_code)?;
        let weight_g = non_negative("weight_g", label.weight_g)?;
        let collect_vnd = non_negative("collect_vnd", label.collect_vnd)?;
        let qr = match &label.lot_uri {
            Some(uri) => Some(PlacedQr::in_block(uri, QR_LEFT_PX, QR_TOP_PX)?),
            None => None,
        };
        let (bars, _module_px) = bars(&modules, label.part_code.len())?;
        let fonts = fonts()?;

        let top_right_mm = if qr.is_some() { mm(QR_LEFT_PX) - QR_GAP_MM } else { TEXT_RIGHT_MM };
        let mut lines = Vec::new();
        let header = block(TEXT_LEFT_MM, 3.5, top_right_mm, 8.5, &SMALL_SCALES);
        lines.extend(fit(fonts, &[Para::new(HEADER, true, 9.0, 1)], &header));
        let sender = [
            Para::new("Người gửi:", false, 8.0, 1),
            Para::new(&label.sender_name, true, 10.0, 2),
            Para::new(&label.sender_place, false, 9.0, 2),
        ];
        lines.extend(fit(fonts, &sender, &block(TEXT_LEFT_MM, 9.5, top_right_mm, 39.5, &SMALL_SCALES)));
        if qr.is_some() {
            let mut caption =
                block(mm(QR_LEFT_PX), mm(QR_TOP_PX + QR_BLOCK_PX), TEXT_RIGHT_MM, 39.8, &SMALL_SCALES);
            caption.align = Align::Center;
            lines.extend(fit(fonts, &[Para::new(QR_CAPTION, false, 7.0, 1)], &caption));
        }

        let phone = clean(&label.receiver_phone);
        let mut receiver =
            vec![Para::new("Người nhận:", false, 9.0, 1), Para::new(&label.receiver_name, true, 16.0, 2)];
        if !phone.is_empty() {
            receiver.push(Para::new(format!("ĐT: {phone}"), true, 16.0, 1));
        }
        receiver.push(Para::new(&label.receiver_address, true, 13.0, 3));
        receiver.push(Para::new(&label.receiver_place, true, 13.0, 2));
        let receiver_box =
            block(TEXT_LEFT_MM, mm(RULE_1_PX + RULE_PX) + 1.0, TEXT_RIGHT_MM, 84.5, &LARGE_SCALES);
        lines.extend(fit(fonts, &receiver, &receiver_box));

        // The weight has a block of its own so that long contents cannot
        // shrink it.
        let weight = Para::new(format!("Khối lượng: {}", format_kg(weight_g)), true, 11.0, 1);
        let weight_top = mm(RULE_2_PX + RULE_PX) + 1.0;
        lines.extend(fit(
            fonts,
            &[weight],
            &block(TEXT_LEFT_MM, weight_top, TEXT_RIGHT_MM, WEIGHT_BOTTOM_MM, &INFO_SCALES),
        ));
        let mut info = vec![Para::new(format!("Hàng: {}", clean(&label.contents)), false, 10.0, 2)];
        if let Some(tracking) = label.tracking_number.as_deref().map(clean).filter(|t| !t.is_empty()) {
            info.push(Para::new(format!("Mã vận đơn: {tracking}"), false, 10.0, 1));
        }
        let info_box =
            block(TEXT_LEFT_MM, WEIGHT_BOTTOM_MM, TEXT_RIGHT_MM, mm(CASH_TOP_PX) - 1.0, &INFO_SCALES);
        lines.extend(fit(fonts, &info, &info_box));

        let border = if collect_vnd > 0 { CASH_BORDER_COD_PX } else { CASH_BORDER_PAID_PX };
        // Two lines allowed so a huge amount wraps instead of being cut; the
        // box is only tall enough for two lines once they have shrunk, so a
        // normal amount stays on one large line.
        let mut cash = block(
            TEXT_LEFT_MM + 1.5,
            mm(CASH_TOP_PX + CASH_BORDER_COD_PX) + 0.3,
            TEXT_RIGHT_MM - 1.5,
            mm(CASH_BOTTOM_PX - CASH_BORDER_COD_PX) - 0.3,
            &CASH_SCALES,
        );
        (cash.align, cash.v_align) = (Align::Center, VAlign::Middle);
        lines.extend(fit(fonts, &[Para::new(cash_line(collect_vnd), true, 15.0, 2)], &cash));

        let mut code =
            block(TEXT_LEFT_MM, mm(BARS_TOP_PX + BARS_HEIGHT_PX) + 0.6, TEXT_RIGHT_MM, 145.0, &CASH_SCALES);
        code.align = Align::Center;
        lines.extend(fit(fonts, &[Para::new(&label.part_code, true, 12.0, 1)], &code));

        let mut rects = vec![
            RectPx { x: MARGIN_PX, y: RULE_1_PX, w: WIDTH_PX - 2 * MARGIN_PX, h: RULE_PX },
            RectPx { x: MARGIN_PX, y: RULE_2_PX, w: WIDTH_PX - 2 * MARGIN_PX, h: RULE_PX },
        ];
        rects.extend(frame(MARGIN_PX, CASH_TOP_PX, WIDTH_PX - MARGIN_PX, CASH_BOTTOM_PX, border));
        Ok(Self { rects, bars, qr, lines })
    }
}

/// The four sides of a box `border` dots thick, inside the given edges.
fn frame(left: u32, top: u32, right: u32, bottom: u32, border: u32) -> [RectPx; 4] {
    let (w, h) = (right - left, bottom - top);
    [
        RectPx { x: left, y: top, w, h: border },
        RectPx { x: left, y: bottom - border, w, h: border },
        RectPx { x: left, y: top + border, w: border, h: h - 2 * border },
        RectPx { x: right - border, y: top + border, w: border, h: h - 2 * border },
    ]
}

/// The longest part code of set-B characters (no runs of digits) whose bars
/// are at least [`MIN_MODULE_PX`] dots wide: every code up to this length fits.
pub(crate) const fn max_fitting_chars() -> usize {
    let span = ((BARCODE_RIGHT_PX - BARCODE_LEFT_PX) / MIN_MODULE_PX - 2 * QUIET_ZONE_MODULES) as usize;
    let mut n = 0;
    while set_b_modules(n + 1) <= span {
        n += 1;
    }
    n
}

/// The bars of `modules`, centred across the label with the widest whole
/// number of dots per module (at most [`MAX_MODULE_PX`]) that keeps the quiet
/// zones inside the barcode area.
fn bars(modules: &[u8], code_len: usize) -> Result<(Vec<RectPx>, u32), LabelError> {
    let span = u32::try_from(modules.len()).unwrap_or(u32::MAX).saturating_add(2 * QUIET_ZONE_MODULES);
    let module_px = ((BARCODE_RIGHT_PX - BARCODE_LEFT_PX) / span).min(MAX_MODULE_PX);
    if module_px < MIN_MODULE_PX {
        return Err(LabelError::PartCodeTooLong { len: code_len, max_len: max_fitting_chars() });
    }
    let symbol_px = module_px * (span - 2 * QUIET_ZONE_MODULES);
    let left = (WIDTH_PX - symbol_px) / 2;
    let mut bars = Vec::new();
    let mut x = 0;
    while x < modules.len() {
        let len = modules[x..].iter().take_while(|&&m| m == modules[x]).count();
        if modules[x] == 1 {
            bars.push(RectPx {
                x: left + x as u32 * module_px,
                y: BARS_TOP_PX,
                w: len as u32 * module_px,
                h: BARS_HEIGHT_PX,
            });
        }
        x += len;
    }
    Ok((bars, module_px))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn label() -> ShippingLabel {
        ShippingLabel {
            part_code: "NS7K2M9QXB-1".into(),
            sender_name: "HTX Chè Hồng Thái".into(),
            sender_place: "Xã Hồng Thái, Tuyên Quang".into(),
            receiver_name: "Nguyễn Thị Hoa".into(),
            receiver_phone: "0912 345 678".into(),
            receiver_address: "Số 12, ngõ 34 phố Hàng Bạc".into(),
            receiver_place: "Phường Hoàn Kiếm, Hà Nội".into(),
            weight_g: 2100,
            collect_vnd: 1_136_500,
            contents: "Chè Shan tuyết × 2 kg".into(),
            tracking_number: Some("EB123456789VN".into()),
            lot_uri: Some("https://nongsan.example/01/08938000000017/10/HT-2025-001".into()),
        }
    }

    #[test]
    fn pixel_size_matches_millimetres() {
        assert_eq!(WIDTH_PX, (WIDTH_MM * PX_PER_MM).round() as u32);
        assert_eq!(HEIGHT_PX, (HEIGHT_MM * PX_PER_MM).round() as u32);
        assert_eq!(f64::from(WIDTH_MM), super::super::SHIPPING_LABEL_WIDTH_MM);
        assert_eq!(f64::from(HEIGHT_MM), super::super::SHIPPING_LABEL_HEIGHT_MM);
        assert_eq!(MARGIN_PX, (TEXT_LEFT_MM * PX_PER_MM).round() as u32);
        assert!(mm(BARS_HEIGHT_PX) >= 15.0);
        const { assert!(CASH_BOTTOM_PX < BARS_TOP_PX) };
    }

    #[test]
    fn typical_label_keeps_everything_whole_and_apart() {
        let l = ShippingLayout::new(&label()).unwrap();
        let texts: Vec<&str> = l.lines.iter().map(|t| t.text.as_str()).collect();
        assert!(!texts.iter().any(|t| t.contains('…')), "{texts:?}");
        for expected in
            ["Nguyễn Thị Hoa", "ĐT: 0912 345 678", "Khối lượng: 2,1 kg", "THU HỘ (COD): 1.136.500 đ"]
        {
            assert!(texts.contains(&expected), "{expected} in {texts:?}");
        }
        let (_, module_px) = bars(&code128_modules("NS7K2M9QXB-1").unwrap(), 12).unwrap();
        assert_eq!(module_px, 6);
        // The cash line is on one line at a large size.
        let cash = l.lines.iter().find(|t| t.text.starts_with("THU HỘ")).unwrap();
        assert!(cash.size_mm >= 12.0 * crate::fit::PT_MM, "{cash:?}");

        let bars_top = mm(BARS_TOP_PX);
        let bars_bottom = mm(BARS_TOP_PX + BARS_HEIGHT_PX);
        let qr = l.qr.as_ref().unwrap();
        let fonts = fonts().unwrap();
        for t in &l.lines {
            let face = fonts.face(t.bold);
            let (top, bottom) =
                (t.baseline_mm - face.ascent_em * t.size_mm, t.baseline_mm + face.descent_em * t.size_mm);
            assert!(t.x_mm >= TEXT_LEFT_MM - 1e-3 && t.x_mm + t.width_mm <= TEXT_RIGHT_MM + 1e-3, "{t:?}");
            assert!(top >= 3.0 && bottom <= 146.0, "{t:?}");
            assert!(bottom <= bars_top || top >= bars_bottom, "text over the bars: {t:?}");
            let over_qr = t.x_mm + t.width_mm > mm(QR_LEFT_PX) && top < mm(QR_TOP_PX + QR_BLOCK_PX);
            assert!(!over_qr, "text in the QR block: {t:?}");
        }
        assert!(qr.left_px >= QR_LEFT_PX && qr.top_px >= QR_TOP_PX);
    }

    #[test]
    fn bars_are_whole_dots_with_quiet_zones() {
        let modules = code128_modules("NS7K2M9QXB-1").unwrap();
        let (bars, m) = bars(&modules, 12).unwrap();
        let first = bars.first().unwrap();
        let last = bars.last().unwrap();
        assert!(first.x >= BARCODE_LEFT_PX + QUIET_ZONE_MODULES * m);
        assert!(last.x + last.w + QUIET_ZONE_MODULES * m <= BARCODE_RIGHT_PX);
        assert_eq!(last.x + last.w - first.x, modules.len() as u32 * m);
        assert!(bars.iter().all(|b| b.w % m == 0 && (b.x - first.x) % m == 0));
        let dark: usize = modules.iter().map(|&b| usize::from(b)).sum();
        assert_eq!(bars.iter().map(|b| b.w).sum::<u32>(), dark as u32 * m);
    }

    #[test]
    fn every_code_up_to_the_guaranteed_length_fits() {
        let n = max_fitting_chars();
        assert_eq!(n, 30);
        let letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-ABCDEFGHIJKLMN";
        assert!(ShippingLayout::new(&ShippingLabel { part_code: letters[..n].into(), ..label() }).is_ok());
        let err = ShippingLayout::new(&ShippingLabel { part_code: letters[..n + 1].into(), ..label() });
        assert!(matches!(err, Err(LabelError::PartCodeTooLong { len: 31, max_len: 30 })), "{err:?}");
        // Digits pack two to a symbol character, so 40 of them fit.
        assert!(ShippingLayout::new(&ShippingLabel { part_code: "1".repeat(40), ..label() }).is_ok());
    }

    #[test]
    fn huge_amounts_wrap_but_are_never_cut() {
        let l = ShippingLayout::new(&ShippingLabel { collect_vnd: i64::MAX, ..label() }).unwrap();
        let cash: String =
            l.lines.iter().filter(|t| t.bold && t.x_mm > TEXT_LEFT_MM).map(|t| t.text.as_str()).collect();
        assert!(cash.contains("9.223.372.036.854.775.807"), "{cash}");
        assert!(!cash.contains('…'));
    }
}
