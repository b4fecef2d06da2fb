//! Listing photos: any bytes through `media::process_photo`, the function
//! the upload endpoint calls, with its limits.
//!
//! The limits are those of the server scaled down (so that one run decodes
//! thousands of images, not a few), chosen by the input's length so that the
//! committed images stay plain image files: square, a wide and a tall
//! asymmetric pair (a rotated photo must still be judged by its stored
//! width and height), and tiny limits with a small memory budget.
//!
//! - It never panics, and the process never asks for much more memory than
//!   the limit (the script runs this target with a malloc limit).
//! - When it accepts a photo, the dimensions its header declares are within
//!   the limits (read here with a fresh `image` reader), the large image and
//!   the thumbnail are that size shrunk to at most 1280 and 320 px (turned
//!   by the EXIF orientation or not), and both are JPEGs of the size they
//!   claim.
#![no_main]

use std::io::Cursor;

use image::{ImageFormat, ImageReader};
use libfuzzer_sys::fuzz_target;
use media::{process_photo, PhotoLimits, SourceFormat, LARGE_MAX_SIDE, THUMBNAIL_MAX_SIDE};

const MIB: u64 = 1024 * 1024;

fn limits(selector: usize) -> PhotoLimits {
    let server = PhotoLimits::default();
    let (max_width, max_height, max_pixels, max_alloc) = match selector % 4 {
        0 => (1024, 1024, 600_000, 8 * MIB),
        1 => (1600, 300, 300_000, 4 * MIB),
        2 => (300, 1600, 300_000, 4 * MIB),
        _ => (64, 64, 4096, 64 * 1024),
    };
    PhotoLimits { max_width, max_height, max_pixels, max_alloc, ..server }
}

fuzz_target!(|data: &[u8]| {
    let limits = limits(data.len());
    let Ok(photo) = process_photo(data, &limits) else {
        return;
    };
    let format = match photo.source_format {
        SourceFormat::Jpeg => ImageFormat::Jpeg,
        SourceFormat::Png => ImageFormat::Png,
        SourceFormat::WebP => ImageFormat::WebP,
    };
    let (width, height) = ImageReader::with_format(Cursor::new(data), format)
        .into_dimensions()
        .expect("a photo that decoded has readable dimensions");
    assert!(width <= limits.max_width && height <= limits.max_height, "{width}×{height} accepted");
    assert!(u64::from(width) * u64::from(height) <= limits.max_pixels, "{width}×{height} accepted");

    let large = (photo.large.width, photo.large.height);
    let (w, h) = shrunk(width, height, LARGE_MAX_SIDE);
    assert!(large == (w, h) || large == (h, w), "{width}×{height} became {large:?}");
    let thumbnail = (photo.thumbnail.width, photo.thumbnail.height);
    assert_eq!(thumbnail, shrunk(large.0, large.1, THUMBNAIL_MAX_SIDE));

    for image in [&photo.large, &photo.thumbnail] {
        assert_eq!(image.content_type, "image/jpeg");
        let decoded = image::load_from_memory_with_format(&image.bytes, ImageFormat::Jpeg)
            .expect("the output is a JPEG");
        assert_eq!((decoded.width(), decoded.height()), (image.width, image.height));
    }
});

/// Longest side scaled to `max_side` with the aspect ratio kept (rounded,
/// at least one pixel), or the size itself when it already fits.
fn shrunk(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_side {
        return (width, height);
    }
    let scale = |side: u32| {
        let scaled = (u64::from(side) * u64::from(max_side) + u64::from(longest) / 2) / u64::from(longest);
        (scaled as u32).max(1)
    };
    (scale(width), scale(height))
}
