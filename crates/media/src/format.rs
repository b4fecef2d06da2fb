//! What kind of file an upload is, told from its first bytes only: file names
//! and the content type a phone's browser sends are often wrong (a HEIC photo
//! named `.jpg`, `application/octet-stream`), and an attacker chooses them.

use crate::MediaError;

/// The accepted upload formats, as named in error messages.
pub(crate) const ACCEPTED: &str = "JPEG, PNG or WebP";

/// Format of an accepted upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    Jpeg,
    Png,
    WebP,
}

impl SourceFormat {
    /// Tells the format from the file's magic bytes; anything else is refused
    /// with an error that names what was found, when it is recognisable, and
    /// what is accepted.
    pub fn sniff(bytes: &[u8]) -> Result<SourceFormat, MediaError> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok(SourceFormat::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Ok(SourceFormat::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Ok(SourceFormat::WebP)
        } else {
            Err(MediaError::UnsupportedFormat { found: describe_other(bytes) })
        }
    }

    /// Name shown to people, e.g. in logs.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "JPEG",
            SourceFormat::Png => "PNG",
            SourceFormat::WebP => "WebP",
        }
    }

    pub(crate) fn image_format(self) -> image::ImageFormat {
        match self {
            SourceFormat::Jpeg => image::ImageFormat::Jpeg,
            SourceFormat::Png => image::ImageFormat::Png,
            SourceFormat::WebP => image::ImageFormat::WebP,
        }
    }
}

/// A name for a refused file, so the message can say "this is a HEIC photo"
/// (what iPhones take by default) rather than only "not accepted".
fn describe_other(bytes: &[u8]) -> &'static str {
    if bytes.is_empty() {
        return "an empty file";
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return "a GIF image";
    }
    if bytes.starts_with(b"BM") {
        return "a BMP image";
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return "a TIFF image";
    }
    if bytes.starts_with(b"%PDF") {
        return "a PDF document";
    }
    // ISO base media files (HEIC, AVIF, MP4) start with a size and `ftyp`,
    // then the major brand.
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return match &bytes[8..12] {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => "a HEIC photo",
            b"avif" | b"avis" => "an AVIF image",
            _ => "a video or other media file",
        };
    }
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') && text.to_ascii_lowercase().contains("<svg") {
        return "an SVG image";
    }
    if head.iter().all(|&b| b >= 0x20 || b"\t\r\n".contains(&b)) {
        return "a text file";
    }
    "a file of an unknown kind"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(bytes: &[u8]) -> &'static str {
        match SourceFormat::sniff(bytes) {
            Err(MediaError::UnsupportedFormat { found }) => found,
            other => panic!("expected UnsupportedFormat, got {other:?}"),
        }
    }

    #[test]
    fn names_common_refused_kinds() {
        assert_eq!(found(b""), "an empty file");
        assert_eq!(found(b"GIF89a\x01\x00\x01\x00"), "a GIF image");
        assert_eq!(found(b"\0\0\0\x18ftypheic\0\0\0\0"), "a HEIC photo");
        assert_eq!(found(b"\0\0\0\x18ftypavif\0\0\0\0"), "an AVIF image");
        assert_eq!(found(b"\xef\xbb\xbf <?xml version=\"1.0\"?><svg xmlns=\"\"/>"), "an SVG image");
        assert_eq!(found(b"BM\x36\0\0\0"), "a BMP image");
        assert_eq!(found(b"II*\0\x08\0\0\0"), "a TIFF image");
        assert_eq!(found("giá lúa hôm nay\n".as_bytes()), "a text file");
        assert_eq!(found(&[0, 1, 2, 3]), "a file of an unknown kind");
        // A WebP needs its RIFF form type; a WAV file is RIFF too.
        assert_eq!(found(b"RIFF\0\0\0\0WAVEfmt "), "a file of an unknown kind");
    }

    #[test]
    fn accepts_by_magic_bytes_only() {
        assert_eq!(SourceFormat::sniff(b"\xFF\xD8\xFF\xE0").ok(), Some(SourceFormat::Jpeg));
        assert_eq!(SourceFormat::sniff(b"\x89PNG\r\n\x1a\n").ok(), Some(SourceFormat::Png));
        assert_eq!(SourceFormat::sniff(b"RIFF\0\0\0\0WEBPVP8 ").ok(), Some(SourceFormat::WebP));
    }
}
