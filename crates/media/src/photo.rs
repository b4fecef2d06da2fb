//! One upload in, two clean JPEGs out.

use std::io::Cursor;

use fast_image_resize::images::{Image as ResizedImage, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::error::LimitErrorKind;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits, RgbImage};

use crate::{MediaError, SourceFormat};

/// Longest side of the large photo, in pixels: sharp on a phone screen held
/// upright or sideways, small enough for slow mobile data.
pub const LARGE_MAX_SIDE: u32 = 1280;
/// Longest side of the thumbnail used in listing grids, in pixels.
pub const THUMBNAIL_MAX_SIDE: u32 = 320;
/// JPEG quality of the large photo: no visible artefacts on produce photos.
pub const LARGE_JPEG_QUALITY: u8 = 80;
/// JPEG quality of the thumbnail: artefacts vanish at that size.
pub const THUMBNAIL_JPEG_QUALITY: u8 = 75;
/// Photos one listing may have.
pub const MAX_PHOTOS_PER_LISTING: usize = 8;

const JPEG: &str = "image/jpeg";

/// What an upload may be. Everything is checked before pixels are decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoLimits {
    /// Largest upload in bytes (default 10 MiB).
    pub max_bytes: usize,
    /// Largest declared width in pixels (default 12 000).
    pub max_width: u32,
    /// Largest declared height in pixels (default 12 000).
    pub max_height: u32,
    /// Largest declared width × height (default 24 megapixels: twice the
    /// 12 MP photos phones save, far below what a bomb declares).
    pub max_pixels: u64,
    /// Most memory one photo may take while it is opened, in bytes: the
    /// decoder's buffer plus the 3-byte-a-pixel RGB copy it is turned into
    /// (default 96 MiB: a 16 MP photo; a 16 MP RGBA or 16-bit PNG is
    /// refused). With [`CONCURRENT_DECODES`] at once, photos never hold
    /// more than a few hundred MB however many arrive.
    pub max_alloc: u64,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        PhotoLimits {
            max_bytes: 10 * 1024 * 1024,
            max_width: 12_000,
            max_height: 12_000,
            max_pixels: 24_000_000,
            max_alloc: 96 * 1024 * 1024,
        }
    }
}

/// One re-encoded image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedImage {
    /// The encoded file.
    pub bytes: Vec<u8>,
    /// Width in pixels, after orientation.
    pub width: u32,
    /// Height in pixels, after orientation.
    pub height: u32,
    /// MIME type of `bytes`; always `image/jpeg` for now.
    pub content_type: &'static str,
}

/// The result of [`process_photo`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    /// Longest side at most [`LARGE_MAX_SIDE`].
    pub large: EncodedImage,
    /// Longest side at most [`THUMBNAIL_MAX_SIDE`].
    pub thumbnail: EncodedImage,
    /// What was uploaded.
    pub source_format: SourceFormat,
}

/// Refuses a listing's photo count above [`MAX_PHOTOS_PER_LISTING`], so the
/// limit lives next to the others.
pub fn check_photo_count(count: usize) -> Result<(), MediaError> {
    if count > MAX_PHOTOS_PER_LISTING {
        return Err(MediaError::TooManyPhotos { max: MAX_PHOTOS_PER_LISTING });
    }
    Ok(())
}

/// Photos decoded at once, across the process.
pub const CONCURRENT_DECODES: usize = 2;

static DECODES: Turns = Turns::new(CONCURRENT_DECODES);

/// A counting semaphore for blocking threads (photos are processed on
/// them): at most `capacity` turns are out at once.
pub struct Turns {
    capacity: usize,
    taken: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

/// A turn, given back when dropped.
pub struct Turn<'a>(&'a Turns);

impl Turns {
    pub const fn new(capacity: usize) -> Turns {
        Turns { capacity, taken: std::sync::Mutex::new(0), freed: std::sync::Condvar::new() }
    }

    /// Waits for a free turn.
    pub fn take_turn(&self) -> Turn<'_> {
        // a count survives a panic in another holder unharmed
        let mut taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        while *taken >= self.capacity {
            taken = self.freed.wait(taken).unwrap_or_else(|p| p.into_inner());
        }
        *taken += 1;
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut taken = self.0.taken.lock().unwrap_or_else(|p| p.into_inner());
        *taken = taken.saturating_sub(1);
        self.0.freed.notify_one();
    }
}

/// Checks, decodes, orients, shrinks and re-encodes one uploaded photo.
///
/// Refuses uploads over `limits.max_bytes` before looking at them, anything
/// not JPEG, PNG or WebP by its magic bytes, and images whose declared size
/// is over the limits before decoding pixels. The output carries no metadata
/// at all.
pub fn process_photo(bytes: &[u8], limits: &PhotoLimits) -> Result<ProcessedPhoto, MediaError> {
    if bytes.len() > limits.max_bytes {
        return Err(MediaError::TooLarge { size: bytes.len(), max: limits.max_bytes });
    }
    let source_format = SourceFormat::sniff(bytes)?;
    // Each decode may take up to `max_alloc`: a few at a time, the rest wait.
    let _turn = DECODES.take_turn();
    let (image, orientation) = decode(bytes, source_format, limits)?;
    let rgb = flatten_onto_white(image);

    // Shrunk before it is turned upright: rotating the longest side keeps
    // it the longest, and turning a 1280 px image instead of a 12 MP one
    // saves a full-size copy.
    let large = shrink_to_fit(&rgb, LARGE_MAX_SIDE)?.unwrap_or(rgb);
    let large = upright(large, orientation);
    // From the large image rather than the original: a tenth of the work,
    // and the result is as good at thumbnail size.
    let thumbnail = shrink_to_fit(&large, THUMBNAIL_MAX_SIDE)?.unwrap_or_else(|| large.clone());

    Ok(ProcessedPhoto {
        large: encode_jpeg(&large, LARGE_JPEG_QUALITY)?,
        thumbnail: encode_jpeg(&thumbnail, THUMBNAIL_JPEG_QUALITY)?,
        source_format,
    })
}

/// Decodes with every limit checked before the pixel buffer exists; also
/// returns the camera's EXIF orientation, which must be applied to the
/// pixels since the tag itself does not survive re-encoding.
fn decode(
    bytes: &[u8],
    format: SourceFormat,
    limits: &PhotoLimits,
) -> Result<(DynamicImage, Orientation), MediaError> {
    let mut image_limits = Limits::default();
    image_limits.max_alloc = Some(limits.max_alloc);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    // Width and height limits are left out here so that an oversized image
    // reaches our own check below, which reports its dimensions; the
    // allocation limit still guards header parsing (e.g. huge PNG text chunks).
    reader.limits(image_limits.clone());
    let mut decoder = reader.into_decoder().map_err(|e| MediaError::Undecodable { reason: e.to_string() })?;

    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(MediaError::Undecodable { reason: format!("declared size {width}×{height}") });
    }
    let too_many_pixels = || MediaError::TooManyPixels {
        width,
        height,
        max_width: limits.max_width,
        max_height: limits.max_height,
        max_pixels: limits.max_pixels,
    };
    if width > limits.max_width
        || height > limits.max_height
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(too_many_pixels());
    }
    if format == SourceFormat::WebP && !webp_frames_fit(bytes, width, height) {
        return Err(MediaError::Undecodable { reason: "a WebP frame is larger than its canvas".to_owned() });
    }
    let over_limits = |e: ImageError| match e {
        ImageError::Limits(limit) if matches!(limit.kind(), LimitErrorKind::DimensionError) => {
            too_many_pixels()
        }
        ImageError::Limits(_) => MediaError::TooMuchMemory { width, height, max_alloc: limits.max_alloc },
        other => MediaError::Undecodable { reason: other.to_string() },
    };

    // Second line of defence: the decoders enforce these themselves too.
    image_limits.max_image_width = Some(limits.max_width);
    image_limits.max_image_height = Some(limits.max_height);
    decoder.set_limits(image_limits.clone()).map_err(over_limits)?;
    // A 16-bit RGBA image needs 8 bytes a pixel: the pixel count alone does
    // not bound the buffer.
    image_limits.reserve(decoder.total_bytes()).map_err(over_limits)?;
    // ...and what matters is the peak: the RGB copy made from it counts too
    // (a 1-bit 49 MP PNG is 6 MB decoded but 147 MB as RGB).
    image_limits.reserve(u64::from(width) * u64::from(height) * 3).map_err(over_limits)?;

    // A broken EXIF block is no reason to refuse a photo: show it unrotated.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(over_limits)?;
    Ok((image, orientation))
}

/// Whether every lossy (VP8) frame of a WebP file fits the canvas whose
/// size was checked. An extended WebP declares its canvas in `VP8X`, but
/// image-webp sizes its buffers from the VP8 frame's own header and compares
/// the two only after decoding: a few hundred bytes claiming a 16383×16383
/// frame on a 16×16 canvas made it allocate 384 MiB past every limit (found
/// by fuzz/, target `photo`). Lossless frames are decoded at the canvas size.
fn webp_frames_fit(bytes: &[u8], width: u32, height: u32) -> bool {
    fn chunks_fit(mut chunks: &[u8], width: u32, height: u32) -> bool {
        while let [a, b, c, d, s0, s1, s2, s3, rest @ ..] = chunks {
            let size = u32::from_le_bytes([*s0, *s1, *s2, *s3]) as usize;
            let payload = &rest[..size.min(rest.len())];
            let fits = match &[*a, *b, *c, *d] {
                b"VP8 " => vp8_fits(payload, width, height),
                // An animation frame: 16 bytes of placement, then its chunks.
                b"ANMF" => payload.get(16..).is_none_or(|frame| chunks_fit(frame, width, height)),
                _ => true,
            };
            if !fits {
                return false;
            }
            // Chunks are padded to an even size.
            chunks = rest.get(size.saturating_add(size % 2)..).unwrap_or(&[]);
        }
        true
    }
    // A key frame: a 3-byte tag with bit 0 clear, the start code, then
    // 14-bit width and height (the top 2 bits are a scaling hint).
    fn vp8_fits(frame: &[u8], width: u32, height: u32) -> bool {
        match frame {
            [tag, _, _, 0x9d, 0x01, 0x2a, w0, w1, h0, h1, ..] if tag & 1 == 0 => {
                u32::from(u16::from_le_bytes([*w0, *w1]) & 0x3FFF) <= width
                    && u32::from(u16::from_le_bytes([*h0, *h1]) & 0x3FFF) <= height
            }
            _ => true,
        }
    }
    chunks_fit(bytes.get(12..).unwrap_or(&[]), width, height)
}

/// Turns the image as the EXIF orientation says: phones store portrait
/// photos sideways and set that tag rather than rotating the pixels.
fn upright(image: RgbImage, orientation: Orientation) -> RgbImage {
    if orientation == Orientation::NoTransforms {
        return image;
    }
    let mut image = DynamicImage::ImageRgb8(image);
    image.apply_orientation(orientation);
    image.into_rgb8()
}

/// RGB for JPEG; transparent parts (PNG, WebP stickers, screenshots) become
/// white, which is what a listing page's background is, instead of the
/// black they would turn into if alpha were simply dropped.
fn flatten_onto_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let alpha = u16::from(px[3]);
        for c in 0..3 {
            // Rounded integer blend; at most (255·255 + 127) / 255 = 255.
            let blended = (u16::from(px[c]) * alpha + 255 * (255 - alpha) + 127) / 255;
            out[c] = blended as u8;
        }
    }
    rgb
}

/// The image scaled so its longest side is `max_side`, keeping the aspect
/// ratio; `None` when it already fits (never upscaled: that only adds bytes).
fn shrink_to_fit(image: &RgbImage, max_side: u32) -> Result<Option<RgbImage>, MediaError> {
    let (width, height) = image.dimensions();
    let longest = width.max(height);
    if longest <= max_side {
        return Ok(None);
    }
    let scale = |side: u32| {
        let scaled = (u64::from(side) * u64::from(max_side) + u64::from(longest) / 2) / u64::from(longest);
        // At most max_side, so it fits in u32; at least one pixel for very
        // thin panoramas.
        (scaled as u32).max(1)
    };
    resize(image, scale(width), scale(height)).map(Some)
}

/// Lanczos3 keeps produce photos sharp when shrinking threefold; with SIMD
/// it costs little more than bilinear.
fn resize(image: &RgbImage, width: u32, height: u32) -> Result<RgbImage, MediaError> {
    let internal = |reason: String| MediaError::Conversion { reason };
    let source = ImageRef::new(image.width(), image.height(), image.as_raw(), PixelType::U8x3)
        .map_err(|e| internal(e.to_string()))?;
    let mut target = ResizedImage::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new().resize(&source, &mut target, &options).map_err(|e| internal(e.to_string()))?;
    RgbImage::from_raw(width, height, target.into_vec())
        .ok_or_else(|| internal("resized buffer has the wrong size".to_owned()))
}

fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<EncodedImage, MediaError> {
    let mut bytes = Vec::new();
    // A fresh encoder writes only JFIF and the image: no EXIF, XMP or ICC.
    JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(image)
        .map_err(|e| MediaError::Conversion { reason: e.to_string() })?;
    Ok(EncodedImage { bytes, width: image.width(), height: image.height(), content_type: JPEG })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An extended WebP: a `VP8X` canvas of `canvas`×`canvas` and one VP8
    /// key frame whose header declares `frame`×`frame`.
    fn webp(canvas: u32, frame: u16) -> Vec<u8> {
        let mut vp8x = vec![0u8; 4];
        vp8x.extend_from_slice(&(canvas - 1).to_le_bytes()[..3]);
        vp8x.extend_from_slice(&(canvas - 1).to_le_bytes()[..3]);
        let mut vp8 = vec![0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a];
        vp8.extend_from_slice(&frame.to_le_bytes());
        vp8.extend_from_slice(&frame.to_le_bytes());
        vp8.extend_from_slice(&[0xff; 40]);
        let mut body = b"WEBP".to_vec();
        for (name, data) in [(b"VP8X", &vp8x), (b"VP8 ", &vp8)] {
            body.extend_from_slice(name);
            body.extend_from_slice(&(data.len() as u32).to_le_bytes());
            body.extend_from_slice(data);
        }
        let mut file = b"RIFF".to_vec();
        file.extend_from_slice(&(body.len() as u32).to_le_bytes());
        file.extend_from_slice(&body);
        file
    }

    #[test]
    fn a_webp_frame_larger_than_its_canvas_is_refused_before_decoding() {
        let bomb = webp(16, 0x3FFF);
        assert!(!webp_frames_fit(&bomb, 16, 16));
        match process_photo(&bomb, &PhotoLimits::default()) {
            Err(MediaError::Undecodable { reason }) => assert!(reason.contains("canvas"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert!(webp_frames_fit(&webp(16, 16), 16, 16));
    }
}
