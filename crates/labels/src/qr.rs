//! QR encoding shared by every output format, so PNG and SVG labels always
//! carry exactly the same symbol.

use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode, Version};

use crate::LabelError;

/// Light modules the QR specification requires around the symbol. Scanners
/// locate the finder patterns by this margin, so it is never trimmed.
pub const QUIET_ZONE_MODULES: usize = 4;

/// The modules of one QR symbol (without quiet zone), error-correction level M.
///
/// Level M restores up to ~15 % damaged modules: enough for a scuffed label on
/// a sack of produce while keeping the symbol one or two versions smaller (so
/// with bigger modules) than level Q or H would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    version: u8,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `data` byte for byte (the encoder may pick numeric or
    /// alphanumeric segments for runs such as a GTIN, which only makes the
    /// symbol smaller; decoders return the identical string).
    pub fn encode(data: &str) -> Result<Self, LabelError> {
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).map_err(|e| match e {
            QrError::DataTooLong => LabelError::DataTooLong { len: data.len() },
            other => LabelError::Render(Box::new(other)),
        })?;
        let version = match code.version() {
            Version::Normal(v) | Version::Micro(v) => u8::try_from(v).unwrap_or(u8::MAX),
        };
        let width = code.width();
        let dark = code.into_colors().into_iter().map(|c| c == Color::Dark).collect();
        Ok(Self { width, version, dark })
    }

    /// Modules per side, without the quiet zone (21 for version 1, 177 for 40).
    pub fn width(&self) -> usize {
        self.width
    }

    /// QR version (1–40); it grows with the length of the data.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Whether module (`x`, `y`) is dark; out-of-range coordinates are light,
    /// which is what the quiet zone around the symbol is.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// Horizontal runs of dark modules in row `y` as `(start_x, length)`;
    /// the SVG writer draws one rectangle per run instead of one per module.
    pub(crate) fn dark_runs(&self, y: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let row = &self.dark[y * self.width..(y + 1) * self.width];
        let mut x = 0;
        std::iter::from_fn(move || {
            while x < row.len() && !row[x] {
                x += 1;
            }
            if x >= row.len() {
                return None;
            }
            let start = x;
            while x < row.len() && row[x] {
                x += 1;
            }
            Some((start, x - start))
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let m = QrMatrix::encode("https://nongsan.example/01/08938000000017/10/HT-2025-001").unwrap();
        for y in 0..m.width() {
            let mut row = vec![false; m.width()];
            for (x, len) in m.dark_runs(y) {
                assert!(len > 0);
                for cell in &mut row[x..x + len] {
                    assert!(!*cell, "runs overlap");
                    *cell = true;
                }
            }
            for (x, cell) in row.iter().enumerate() {
                assert_eq!(*cell, m.is_dark(x, y));
            }
        }
    }

    #[test]
    fn digital_link_fits_a_small_version() {
        let m = QrMatrix::encode("https://nongsan.example/01/08938000000017/10/HT-2025-001").unwrap();
        assert!(m.version() <= 5, "version {}", m.version());
        assert_eq!(m.width(), 17 + 4 * usize::from(m.version()));
    }
}
