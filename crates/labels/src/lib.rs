//! Printable QR labels for harvest lots, A6 shipping labels for parcels, and
//! bare QR images.
//!
//! Every harvest lot sold through nongsan carries a label whose QR code holds
//! the lot's GS1 Digital Link URI (e.g.
//! `https://nongsan.example/01/08938000000017/10/HT-2025-001`), so a buyer's
//! ordinary phone camera opens the lot's traceability page without an app,
//! while the printed text tells people without a phone what the lot is.
//! Post-office staff print labels one at a time on a label printer
//! ([`label_png`], [`label_svg`]) or 24 to an A4 sheet on an office printer and
//! cut them apart ([`a4_sheet_svg`]); [`qr_png`] is the bare code, also used
//! for payment QR codes. Each parcel (one seller's part of an order) gets an
//! A6 shipping label ([`shipping_label_png`], [`shipping_label_svg`]) with the
//! receiver in large type, the cash to collect, a Code 128 barcode of the
//! part code for the counter's scanner and, when it holds one lot, the lot's
//! QR.
//!
//! Why it is built the way it is:
//! - Fonts are embedded (DejaVu Sans, which covers Vietnamese), so a label
//!   looks the same on every server and never depends on installed fonts.
//! - QR codes use error-correction level M with the full 4-module quiet zone;
//!   on labels the module size is a whole number of 300 dpi printer dots so
//!   module edges print sharp, and a URI that would need modules too small
//!   for a phone camera is refused rather than printed unscannable.
//! - Text is NFC-normalised, wrapped, shrunk down to 6 pt and as a last resort
//!   ellipsised, so whatever a seller types it never runs off the label.
//! - PNG and SVG share one layout; PNGs are 2-bit (labels) or 1-bit (bare
//!   QR) grayscale with their 300 dpi resolution recorded, which keeps them
//!   small and makes them print at their physical size.
//! - Barcode bars, like QR modules, are whole printer dots wide (at least 3
//!   dots, 0.25 mm) with 10-module quiet zones; a part code that would need
//!   thinner bars is refused.

mod barcode;
mod fit;
mod layout;
mod qr;
mod raster;
mod shipping;
mod svg;
mod text;

pub use layout::{DPI, LABEL_HEIGHT_MM, LABEL_WIDTH_MM};
pub use qr::{QrMatrix, QUIET_ZONE_MODULES};
pub use shipping::{
    shipping_label_png, shipping_label_svg, ShippingLabel, SHIPPING_LABEL_HEIGHT_MM, SHIPPING_LABEL_WIDTH_MM,
};
pub use svg::{SHEET_COLUMNS, SHEET_ROWS};

use layout::Layout;

/// Human-readable part of a label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelText {
    /// Printed bold on top, e.g. the product name "Chè Shan tuyết".
    pub title: String,
    /// Detail lines, e.g. "Lô: HT-2025-001", "Xuất xứ: Xã Hồng Thái, Tuyên
    /// Quang", "Thu hoạch: 2025-11-02". Empty lines are skipped.
    pub lines: Vec<String>,
}

/// The one error type of this crate.
#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    /// No QR code version can hold this much data at level M.
    #[error("{len} bytes is too long for a QR code (error-correction level M)")]
    DataTooLong {
        /// Length of the data in bytes.
        len: usize,
    },
    /// The data fits a QR code, but one so dense that in a label's 33 mm QR
    /// block (on a lot label and on a parcel label alike) its modules would
    /// be too small for phone cameras.
    #[error(
        "a {len}-byte URI needs a version {version} QR code, too dense for a printed label \
         (at most version {max_version}); use a shorter URI"
    )]
    TooDenseForLabel {
        /// Length of the URI in bytes.
        len: usize,
        /// QR version the URI needs.
        version: u8,
        /// Largest version a label accepts.
        max_version: u8,
    },
    /// `module_px` is zero, or so large the image would be unreasonably big.
    #[error("module size {module_px} px is out of range (1..={max} px for this data)")]
    InvalidModuleSize {
        /// Requested pixels per module.
        module_px: u32,
        /// Largest accepted value for this data.
        max: u32,
    },
    /// A parcel's part code cannot be printed as its Code 128 barcode: it
    /// is empty, has characters other than printable ASCII, or starts or
    /// ends with a space.
    #[error("part code {code:?} cannot be printed as a barcode: {reason}")]
    InvalidPartCode {
        /// The code as given.
        code: String,
        /// Why not, in English.
        reason: &'static str,
    },
    /// A parcel's part code is too long for the barcode on an A6 label: more
    /// than 40 characters, or so many letters that the bars would be thinner
    /// than a counter scanner reads (3 printer dots). Every code of up to
    /// `max_len` characters fits; runs of digits are packed two to a symbol
    /// character, so codes with digits may be longer.
    #[error("a {len}-character part code is too long for the parcel label's barcode (at most {max_len})")]
    PartCodeTooLong {
        /// Length of the code.
        len: usize,
        /// Longest code that always fits (40 for codes over 40 characters).
        max_len: usize,
    },
    /// A parcel's weight or cash to collect is negative.
    #[error("{field} must not be negative, got {value}")]
    NegativeQuantity {
        /// `weight_g` or `collect_vnd`.
        field: &'static str,
        /// The value given.
        value: i64,
    },
    /// Rendering or encoding failed for another reason.
    #[error("rendering the label failed: {0}")]
    Render(Box<dyn std::error::Error + Send + Sync>),
    /// One label of an A4 sheet job failed; `index` is its position in the
    /// input, so staff can find and fix that lot.
    #[error("label {index}: {source}")]
    InLabel {
        /// Zero-based index into the labels passed to [`a4_sheet_svg`].
        index: usize,
        /// What went wrong with that label.
        #[source]
        source: Box<LabelError>,
    },
}

impl From<LabelError> for common::ApiError {
    fn from(e: LabelError) -> Self {
        common::ApiError::from(&e)
    }
}

impl From<&LabelError> for common::ApiError {
    /// Data that cannot fit a label is the request's fault (422
    /// `label_too_long`), and so are a part code that cannot be a barcode
    /// (422 `invalid_format`) and a negative weight or amount (422
    /// `out_of_range`); anything else is ours.
    fn from(e: &LabelError) -> Self {
        use common::{ApiError, ErrorCode};
        match e {
            LabelError::DataTooLong { .. } | LabelError::TooDenseForLabel { .. } => {
                ApiError::new(ErrorCode::LabelTooLong, e.to_string())
            }
            LabelError::PartCodeTooLong { max_len, .. } => {
                ApiError::new(ErrorCode::LabelTooLong, e.to_string()).at("part_code").param("max", *max_len)
            }
            LabelError::InvalidPartCode { .. } => ApiError::new(ErrorCode::InvalidFormat, e.to_string())
                .at("part_code")
                .param("expected", "1 to 40 printable ASCII characters"),
            LabelError::NegativeQuantity { field, .. } => {
                ApiError::new(ErrorCode::OutOfRange, e.to_string()).at(*field).param("min", 0)
            }
            other => ApiError::internal(other.to_string()),
        }
    }
}

/// Largest bare QR image side accepted by [`qr_png`], in pixels; it bounds
/// memory use whatever `module_px` a caller passes.
pub const MAX_QR_PNG_SIDE_PX: u32 = 8192;

/// The QR modules for `data`, for callers that draw the code themselves
/// (e.g. in HTML); all outputs of this crate use the same matrix.
pub fn qr_matrix(data: &str) -> Result<QrMatrix, LabelError> {
    QrMatrix::encode(data)
}

/// A bare QR code as a 1-bit grayscale PNG: black modules of `module_px`
/// pixels on white, with the 4-module quiet zone included.
pub fn qr_png(data: &str, module_px: u32) -> Result<Vec<u8>, LabelError> {
    let qr = QrMatrix::encode(data)?;
    let span = (qr.width() + 2 * QUIET_ZONE_MODULES) as u32;
    let max = MAX_QR_PNG_SIDE_PX / span;
    if module_px == 0 || module_px > max {
        return Err(LabelError::InvalidModuleSize { module_px, max });
    }
    raster::qr_png(&qr, module_px)
}

/// A 70 × 35 mm label at 300 dpi (827 × 413 px, 2-bit grayscale PNG with its
/// resolution recorded): the QR for `uri` on the left, `text` to its right.
pub fn label_png(uri: &str, text: &LabelText) -> Result<Vec<u8>, LabelError> {
    let layout = Layout::new(uri, text)?;
    raster::label_png(&layout, text::fonts()?)
}

/// The same label as [`label_png`] as SVG, 70 mm × 35 mm, for printing at any
/// resolution. The QR is one `<path>`, text is `<text>` with a font fallback
/// list.
pub fn label_svg(uri: &str, text: &LabelText) -> Result<String, LabelError> {
    svg::label_svg(&Layout::new(uri, text)?)
}

/// Printable A4 pages (SVG, 210 × 297 mm, one string per page) holding the
/// labels in a grid of [`SHEET_COLUMNS`] × [`SHEET_ROWS`] with dashed cut
/// lines. Labels are scaled to 14/15 so the grid stays inside the printable
/// area of office printers. No labels gives no pages. If any label fails, the
/// whole job fails with [`LabelError::InLabel`] naming it.
pub fn a4_sheet_svg(labels: &[(String, LabelText)]) -> Result<Vec<String>, LabelError> {
    svg::a4_sheets(labels)
}
