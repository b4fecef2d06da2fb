//! A6 parcel shipping labels: what a post-office counter sticks on one
//! parcel, i.e. on one seller's part of an order.
//!
//! The receiver's block is the largest text because it is what the postman
//! reads; the cash to collect (or that there is none) stands in a box of its
//! own so it cannot be missed; the part code is a Code 128 barcode for the
//! counter's scanner, and the lot's QR (when the parcel holds one lot) lets
//! the buyer open its traceability page.

mod layout;

use crate::{raster, svg, LabelError};

pub(crate) use layout::{RectPx, ShippingLayout, HEIGHT_MM, HEIGHT_PX, WIDTH_MM, WIDTH_PX};

/// Label width in millimetres: A6 portrait, the size of the thermal labels
/// and label printers post offices use.
pub const SHIPPING_LABEL_WIDTH_MM: f64 = 105.0;
/// Label height in millimetres (A6 portrait).
pub const SHIPPING_LABEL_HEIGHT_MM: f64 = 148.0;

/// What a post-office counter prints on one parcel (one seller's part of an order).
///
/// Text fields are printed as given (NFC-normalised, control characters
/// replaced, whitespace collapsed), wrapped and shrunk to fit their block,
/// and only as a last resort cut with "…"; amounts are never cut.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShippingLabel {
    /// The part's code, e.g. "NS7K2M9QXB-1": printed as a Code 128 barcode and in text under it.
    pub part_code: String,
    /// Seller's name, e.g. "HTX Chè Hồng Thái".
    pub sender_name: String,
    /// Sender's commune and province, e.g. "Xã Hồng Thái, Tuyên Quang".
    pub sender_place: String,
    /// Receiver's name, printed large.
    pub receiver_name: String,
    /// Receiver's phone, printed large so the postman can call ahead.
    pub receiver_phone: String,
    /// Street, house number, hamlet… up to three lines.
    pub receiver_address: String,
    /// Receiver's commune and province.
    pub receiver_place: String,
    /// Parcel weight with packaging, grams.
    pub weight_g: i64,
    /// Cash the postman collects, đồng; 0 = nothing to collect (paid by transfer).
    pub collect_vnd: i64,
    /// What is inside, one short line, e.g. "Chè Shan tuyết × 2 kg".
    pub contents: String,
    /// The carrier's tracking number when known.
    pub tracking_number: Option<String>,
    /// GS1 Digital Link URI of the lot when the parcel holds exactly one lot: printed as a QR code.
    pub lot_uri: Option<String>,
}

/// The label as a standalone SVG document, 105 mm × 148 mm (`viewBox` in
/// millimetres): text as `<text>` with a font fallback list headed by the
/// DejaVu Sans the layout was measured with, bars and rules as `<rect>`s in
/// the same whole printer dots as [`shipping_label_png`], the QR as one
/// `<path>`.
///
/// Errors: [`LabelError::InvalidPartCode`] or [`LabelError::PartCodeTooLong`]
/// for a part code the barcode cannot carry, [`LabelError::NegativeQuantity`]
/// for a negative weight or amount, and the QR errors
/// ([`LabelError::DataTooLong`], [`LabelError::TooDenseForLabel`]) for a
/// `lot_uri` that does not fit its 33 mm corner.
pub fn shipping_label_svg(label: &ShippingLabel) -> Result<String, LabelError> {
    svg::shipping_svg(&ShippingLayout::new(label)?)
}

/// The label as a 300 dpi PNG, 1240 × 1748 px (105 × 148 mm), 2-bit
/// grayscale with its resolution recorded so it prints at A6 size; one
/// pixel is one dot of a 300 dpi label printer, and barcode bars and QR
/// modules are whole dots wide. Errors as [`shipping_label_svg`].
pub fn shipping_label_png(label: &ShippingLabel) -> Result<Vec<u8>, LabelError> {
    raster::shipping_png(&ShippingLayout::new(label)?, crate::text::fonts()?)
}

/// `n` with dots between thousands, as Vietnamese writes amounts: 1.136.500.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> =
        digits.as_bytes().rchunks(3).rev().map(|g| std::str::from_utf8(g).unwrap_or_default()).collect();
    groups.join(".")
}

/// Grams as kilograms with a decimal comma and no trailing zeros: 2100 →
/// "2,1 kg", 850 → "0,85 kg", 12 000 → "12 kg".
fn format_kg(grams: u64) -> String {
    let fraction = format!("{:03}", grams % 1000);
    let fraction = fraction.trim_end_matches('0');
    let whole = group_thousands(grams / 1000);
    if fraction.is_empty() {
        format!("{whole} kg")
    } else {
        format!("{whole},{fraction} kg")
    }
}

/// The line in the cash box: the amount to collect, or that there is none.
fn cash_line(collect_vnd: u64) -> String {
    if collect_vnd == 0 {
        "KHÔNG THU TIỀN — đã thanh toán".to_owned()
    } else {
        format!("THU HỘ (COD): {} đ", group_thousands(collect_vnd))
    }
}

/// `value` as unsigned, or the error naming `field` if it is negative.
fn non_negative(field: &'static str, value: i64) -> Result<u64, LabelError> {
    u64::try_from(value).map_err(|_| LabelError::NegativeQuantity { field, value })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn amounts_use_dots_between_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(500), "500");
        assert_eq!(group_thousands(1_000), "1.000");
        assert_eq!(group_thousands(1_136_500), "1.136.500");
        assert_eq!(group_thousands(u64::MAX), "18.446.744.073.709.551.615");
        assert_eq!(cash_line(1_136_500), "THU HỘ (COD): 1.136.500 đ");
        assert_eq!(cash_line(0), "KHÔNG THU TIỀN — đã thanh toán");
    }

    #[test]
    fn weights_in_kilograms_with_a_decimal_comma() {
        assert_eq!(format_kg(2100), "2,1 kg");
        assert_eq!(format_kg(850), "0,85 kg");
        assert_eq!(format_kg(1), "0,001 kg");
        assert_eq!(format_kg(0), "0 kg");
        assert_eq!(format_kg(12_000), "12 kg");
        assert_eq!(format_kg(1_234_560), "1.234,56 kg");
    }

    #[test]
    fn negative_numbers_are_refused() {
        assert_eq!(non_negative("weight_g", 0).unwrap(), 0);
        assert!(matches!(
            non_negative("collect_vnd", -1),
            Err(LabelError::NegativeQuantity { field: "collect_vnd", value: -1 })
        ));
    }
}
