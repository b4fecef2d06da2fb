//! SVG output: single labels and A4 sheets, in millimetre user units so the
//! print dialog keeps the physical size.

use std::fmt::{self, Write as _};

use crate::fit::TextLine;
use crate::layout::{Layout, PlacedQr, LABEL_HEIGHT_MM, LABEL_WIDTH_MM, PX_PER_MM};
use crate::shipping::{self, RectPx, ShippingLayout};
use crate::{LabelError, LabelText};

/// DejaVu Sans first: the PNG and the line breaks are computed with it.
/// The rest cover Vietnamese too and are what phones, Windows and macOS have.
const FONT_FAMILY: &str = "'DejaVu Sans', 'Noto Sans', Roboto, 'Segoe UI', Arial, sans-serif";

const A4_WIDTH_MM: f32 = 210.0;
const A4_HEIGHT_MM: f32 = 297.0;
/// Labels per A4 page.
pub const SHEET_COLUMNS: usize = 3;
/// Rows per A4 page.
pub const SHEET_ROWS: usize = 8;
/// Office printers cannot print the outer ~4–5 mm of a sheet and three 70 mm
/// labels are exactly 210 mm, so on the sheet every label is scaled to 14/15
/// (65.3 × 32.7 mm): the grid then keeps a 7 mm side margin and the QR stays
/// far above the size phones need.
const SHEET_SCALE: f32 = 14.0 / 15.0;
/// How far cut lines run past the grid into the margin, so a trimmer blade
/// can be lined up with them.
const CUT_MARK_OVERHANG_MM: f32 = 3.0;

/// A number with at most three decimals and no trailing zeros, which keeps
/// the SVG short without visible loss (1 µm).
pub(crate) struct Num(pub(crate) f32);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = (self.0 * 1000.0).round() / 1000.0;
        let s = format!("{:.3}", if rounded == 0.0 { 0.0 } else { rounded });
        f.write_str(s.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// Escapes text for XML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Writes the QR as one path in module units, scaled into place: compact,
/// and with crispEdges renderers do not leave hairlines between adjacent
/// runs.
pub(crate) fn write_qr_path(out: &mut String, placed: &PlacedQr) -> fmt::Result {
    let mm_per_px = 1.0 / PX_PER_MM;
    write!(
        out,
        r##"<path fill="#000" shape-rendering="crispEdges" transform="translate({} {}) scale({})" d=""##,
        Num(placed.left_px as f32 * mm_per_px),
        Num(placed.top_px as f32 * mm_per_px),
        Num(placed.module_px as f32 * mm_per_px),
    )?;
    for y in 0..placed.qr.width() {
        for (x, len) in placed.qr.dark_runs(y) {
            write!(out, "M{x} {y}h{len}v1h-{len}z")?;
        }
    }
    out.push_str("\"/>");
    Ok(())
}

/// Writes text lines as `<text>` in one group with the font fallback list.
pub(crate) fn write_text_lines(out: &mut String, lines: &[TextLine]) -> fmt::Result {
    write!(out, r##"<g font-family="{FONT_FAMILY}" fill="#000">"##)?;
    for line in lines {
        // textLength pins each line to the width measured with DejaVu Sans,
        // so a substituted, wider font is squeezed instead of overflowing.
        write!(
            out,
            r#"<text x="{}" y="{}" font-size="{}"{} textLength="{}" lengthAdjust="spacingAndGlyphs">{}</text>"#,
            Num(line.x_mm),
            Num(line.baseline_mm),
            Num(line.size_mm),
            if line.bold { r#" font-weight="bold""# } else { "" },
            Num(line.width_mm),
            escape(&line.text),
        )?;
    }
    out.push_str("</g>");
    Ok(())
}

/// Writes the label's content in label-local millimetres (0..70 × 0..35);
/// used bare for one label and wrapped in a transform on a sheet.
fn write_label_body(out: &mut String, layout: &Layout) -> fmt::Result {
    write!(
        out,
        r##"<rect width="{}" height="{}" fill="#fff"/>"##,
        Num(LABEL_WIDTH_MM),
        Num(LABEL_HEIGHT_MM)
    )?;
    write_qr_path(out, &layout.qr)?;
    write_text_lines(out, &layout.lines)
}

pub(crate) fn fmt_error(_: fmt::Error) -> LabelError {
    LabelError::Render("formatting SVG failed".into())
}

pub(crate) fn label_svg(layout: &Layout) -> Result<String, LabelError> {
    let mut out = String::with_capacity(8 * 1024);
    write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}">"#,
        w = Num(LABEL_WIDTH_MM),
        h = Num(LABEL_HEIGHT_MM),
    )
    .map_err(fmt_error)?;
    write_label_body(&mut out, layout).map_err(fmt_error)?;
    out.push_str("</svg>");
    Ok(out)
}

/// The A6 parcel label; rules and bars are `<rect>`s placed in whole
/// 300 dpi dots, converted to millimetres, so they match the PNG.
pub(crate) fn shipping_svg(layout: &ShippingLayout) -> Result<String, LabelError> {
    write_shipping(layout).map_err(fmt_error)
}

fn write_shipping(layout: &ShippingLayout) -> Result<String, fmt::Error> {
    let mut out = String::with_capacity(16 * 1024);
    write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}"><rect width="{w}" height="{h}" fill="#fff"/>"##,
        w = Num(shipping::WIDTH_MM),
        h = Num(shipping::HEIGHT_MM),
    )?;
    let rects = |out: &mut String, rects: &[RectPx]| -> fmt::Result {
        for r in rects {
            write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}"/>"#,
                Num(r.x as f32 / PX_PER_MM),
                Num(r.y as f32 / PX_PER_MM),
                Num(r.w as f32 / PX_PER_MM),
                Num(r.h as f32 / PX_PER_MM),
            )?;
        }
        Ok(())
    };
    out.push_str(r##"<g fill="#000" shape-rendering="crispEdges">"##);
    rects(&mut out, &layout.rects)?;
    out.push_str(r##"</g><g id="barcode" fill="#000" shape-rendering="crispEdges">"##);
    rects(&mut out, &layout.bars)?;
    out.push_str("</g>");
    if let Some(qr) = &layout.qr {
        write_qr_path(&mut out, qr)?;
    }
    write_text_lines(&mut out, &layout.lines)?;
    out.push_str("</svg>");
    Ok(out)
}

pub(crate) fn a4_sheets(labels: &[(String, LabelText)]) -> Result<Vec<String>, LabelError> {
    // Lay out every label first so that a bad one fails the whole job before
    // anything is printed, naming the label at fault.
    let layouts = labels
        .iter()
        .enumerate()
        .map(|(index, (uri, text))| {
            Layout::new(uri, text).map_err(|e| LabelError::InLabel { index, source: Box::new(e) })
        })
        .collect::<Result<Vec<_>, _>>()?;
    layouts.chunks(SHEET_COLUMNS * SHEET_ROWS).map(|page| a4_page(page).map_err(fmt_error)).collect()
}

fn a4_page(page: &[Layout]) -> Result<String, fmt::Error> {
    let cell_w = LABEL_WIDTH_MM * SHEET_SCALE;
    let cell_h = LABEL_HEIGHT_MM * SHEET_SCALE;
    let left = (A4_WIDTH_MM - cell_w * SHEET_COLUMNS as f32) / 2.0;
    let top = (A4_HEIGHT_MM - cell_h * SHEET_ROWS as f32) / 2.0;

    let mut out = String::with_capacity(page.len() * 8 * 1024 + 2048);
    write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}"><rect width="{w}" height="{h}" fill="#fff"/>"##,
        w = Num(A4_WIDTH_MM),
        h = Num(A4_HEIGHT_MM),
    )?;
    for (i, layout) in page.iter().enumerate() {
        let x = left + (i % SHEET_COLUMNS) as f32 * cell_w;
        let y = top + (i / SHEET_COLUMNS) as f32 * cell_h;
        write!(out, r#"<g transform="translate({} {}) scale({})">"#, Num(x), Num(y), Num(SHEET_SCALE))?;
        write_label_body(&mut out, layout)?;
        out.push_str("</g>");
    }

    // Cut lines on the cell borders (shared by neighbours, so one cut serves
    // two labels), only as far down as this page has labels. Labels keep
    // white margins inside, so a slightly-off cut never touches the QR.
    let rows = page.len().div_ceil(SHEET_COLUMNS);
    let bottom = top + rows as f32 * cell_h;
    let right = left + SHEET_COLUMNS as f32 * cell_w;
    out.push_str(r##"<g stroke="#888" stroke-width="0.15" stroke-dasharray="1.5 1" fill="none">"##);
    for c in 0..=SHEET_COLUMNS {
        let x = left + c as f32 * cell_w;
        write!(
            out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            Num(x),
            Num(top - CUT_MARK_OVERHANG_MM),
            Num(x),
            Num(bottom + CUT_MARK_OVERHANG_MM)
        )?;
    }
    for r in 0..=rows {
        let y = top + r as f32 * cell_h;
        write!(
            out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            Num(left - CUT_MARK_OVERHANG_MM),
            Num(y),
            Num(right + CUT_MARK_OVERHANG_MM),
            Num(y)
        )?;
    }
    out.push_str("</g></svg>");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(Num(70.0).to_string(), "70");
        assert_eq!(Num(0.6773).to_string(), "0.677");
        assert_eq!(Num(-0.0001).to_string(), "0");
        assert_eq!(Num(17.8336).to_string(), "17.834");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape(r#"<a & "b" 'c'>"#), "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;");
    }
}
