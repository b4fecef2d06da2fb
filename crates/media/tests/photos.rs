//! `process_photo` on uploads built here: each accepted format, refused
//! ones, limits, decompression bombs, EXIF orientation and metadata removal.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use media::{process_photo, MediaError, PhotoLimits, ProcessedPhoto, SourceFormat};

/// Left half red, right half blue: shows which way an image was turned.
fn two_tone(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(
        width,
        height,
        |x, _| if x < width / 2 { Rgb([220, 20, 20]) } else { Rgb([20, 20, 220]) },
    )
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90).encode_image(image).unwrap();
    bytes
}

fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

fn process(bytes: &[u8]) -> Result<ProcessedPhoto, MediaError> {
    process_photo(bytes, &PhotoLimits::default())
}

fn decode_rgb(bytes: &[u8]) -> RgbImage {
    image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).unwrap().into_rgb8()
}

/// Checks an output JPEG: declared size and content type match the data.
fn assert_jpeg(image: &media::EncodedImage, width: u32, height: u32) {
    assert_eq!(image.content_type, "image/jpeg");
    assert_eq!((image.width, image.height), (width, height));
    assert_eq!(decode_rgb(&image.bytes).dimensions(), (width, height));
}

fn is_reddish(px: &Rgb<u8>) -> bool {
    px[0] > 150 && px[2] < 100
}

fn is_blueish(px: &Rgb<u8>) -> bool {
    px[2] > 150 && px[0] < 100
}

#[test]
fn accepts_jpeg_png_and_webp() {
    let image = two_tone(64, 48);
    let cases = [
        (jpeg(&image), SourceFormat::Jpeg),
        (encode(DynamicImage::ImageRgb8(image.clone()), ImageFormat::Png), SourceFormat::Png),
        // image's WebP encoder is lossless only; that is still a WebP.
        (encode(DynamicImage::ImageRgb8(image.clone()), ImageFormat::WebP), SourceFormat::WebP),
    ];
    for (bytes, format) in cases {
        let photo = process(&bytes).unwrap();
        assert_eq!(photo.source_format, format);
        assert_jpeg(&photo.large, 64, 48);
        assert_jpeg(&photo.thumbnail, 64, 48);
        let large = decode_rgb(&photo.large.bytes);
        assert!(is_reddish(large.get_pixel(5, 24)), "{format:?}: {:?}", large.get_pixel(5, 24));
        assert!(is_blueish(large.get_pixel(58, 24)), "{format:?}: {:?}", large.get_pixel(58, 24));
    }
}

#[test]
fn accepts_grayscale_and_16_bit_images() {
    let gray = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(30, 20, image::Luma([128])));
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90).encode_image(&gray).unwrap();
    let photo = process(&bytes).unwrap();
    assert_jpeg(&photo.large, 30, 20);

    let deep = DynamicImage::ImageRgb16(image::ImageBuffer::from_pixel(30, 20, Rgb([65535u16, 0, 0])));
    let photo = process(&encode(deep, ImageFormat::Png)).unwrap();
    assert!(is_reddish(decode_rgb(&photo.large.bytes).get_pixel(15, 10)));
}

#[test]
fn refuses_other_formats_by_content() {
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\
                \x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    // A 1×1 24-bit BMP: file header, BITMAPINFOHEADER, one padded pixel.
    let mut bmp = b"BM".to_vec();
    bmp.extend(58u32.to_le_bytes());
    bmp.extend([0, 0, 0, 0]);
    bmp.extend(54u32.to_le_bytes());
    for field in [40u32, 1, 1] {
        bmp.extend(field.to_le_bytes());
    }
    bmp.extend(1u16.to_le_bytes());
    bmp.extend(24u16.to_le_bytes());
    bmp.extend([0; 24]);
    bmp.extend([0, 0, 255, 0]);
    let tiff = b"II*\0\x08\0\0\0\0\0";
    let cases: [(&[u8], &str); 7] = [
        (gif, "a GIF image"),
        (b"\0\0\0\x1cftypheic\0\0\0\0mif1heic", "a HEIC photo"),
        (b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "an SVG image"),
        (&bmp, "a BMP image"),
        (tiff, "a TIFF image"),
        (b"hello, this is not a photo", "a text file"),
        (b"", "an empty file"),
    ];
    for (bytes, found) in cases {
        let err = process(bytes).unwrap_err();
        assert!(matches!(err, MediaError::UnsupportedFormat { found: f } if f == found), "{found}: {err:?}");
        assert_eq!(err.code(), "unsupported_media_type");
        assert!(err.to_string().contains("JPEG, PNG or WebP"), "{err}");
    }
}

#[test]
fn refuses_too_large_before_decoding() {
    let limits = PhotoLimits::default();
    // Valid JPEG magic followed by junk: if it were decoded the error would
    // be Undecodable, so TooLarge proves the size check comes first.
    let mut bytes = vec![0u8; limits.max_bytes + 1];
    bytes[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let err = process_photo(&bytes, &limits).unwrap_err();
    assert!(
        matches!(err, MediaError::TooLarge { size, max } if size == max + 1 && max == 10 << 20),
        "{err:?}"
    );
    assert_eq!(err.code(), "photo_too_large");
    assert_eq!(err.to_string(), "the photo is 10.1 MB; a photo may be at most 10 MB");

    let small = PhotoLimits { max_bytes: 100, ..PhotoLimits::default() };
    let err = process_photo(&jpeg(&two_tone(64, 64)), &small).unwrap_err();
    assert!(matches!(err, MediaError::TooLarge { max: 100, .. }), "{err:?}");
}

#[test]
fn refuses_damaged_files() {
    let png = encode(DynamicImage::ImageRgb8(two_tone(64, 64)), ImageFormat::Png);
    let cases: [&[u8]; 3] =
        [b"\xFF\xD8\xFF\xE0 definitely not a jpeg", &png[..png.len() / 2], b"RIFF\0\0\0\0WEBPjunk"];
    for bytes in cases {
        let err = process(bytes).unwrap_err();
        assert!(matches!(err, MediaError::Undecodable { .. }), "{err:?}");
        assert_eq!(err.code(), "undecodable_photo");
    }
}

/// A real decompression bomb: a 1-bit all-black PNG of `width`×`height`,
/// tiny on disk (zeros compress about 1000:1) but gigabytes once decoded.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap();
    let row = vec![0u8; width.div_ceil(8) as usize];
    let mut stream = writer.stream_writer().unwrap();
    for _ in 0..height {
        std::io::Write::write_all(&mut stream, &row).unwrap();
    }
    stream.finish().unwrap();
    writer.finish().unwrap();
    bytes
}

#[test]
fn refuses_decompression_bombs_before_allocating() {
    let bomb = png_bomb(30_000, 30_000);
    assert!(bomb.len() < 1 << 20, "the bomb should be small: {} bytes", bomb.len());
    let start = Instant::now();
    let err = process(&bomb).unwrap_err();
    // Decoding 900 megapixels would take many seconds and gigabytes; the
    // header check answers at once (the bound is loose for busy CI machines).
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
    assert!(matches!(err, MediaError::TooManyPixels { width: 30_000, height: 30_000, .. }), "{err:?}");
    assert_eq!(err.code(), "photo_dimensions_too_large");

    // Within the side limits but over the pixel count.
    let err = process(&png_bomb(10_000, 6_000)).unwrap_err();
    assert!(matches!(err, MediaError::TooManyPixels { width: 10_000, height: 6_000, .. }), "{err:?}");
}

#[test]
fn refuses_images_needing_more_memory_than_allowed() {
    // One megapixel, but 16-bit RGBA: 8 MB of pixels.
    let image = DynamicImage::ImageRgba16(image::ImageBuffer::new(1000, 1000));
    let png = encode(image, ImageFormat::Png);
    let limits = PhotoLimits { max_alloc: 4 << 20, ..PhotoLimits::default() };
    let err = process_photo(&png, &limits).unwrap_err();
    assert!(matches!(err, MediaError::TooMuchMemory { width: 1000, height: 1000, .. }), "{err:?}");
    assert_eq!(err.code(), "photo_needs_too_much_memory");
    assert_eq!(
        err.to_string(),
        "the photo (1000×1000 pixels) needs more than 4 MB of memory to open; please upload a smaller photo or a JPEG"
    );
    // The same photo passes with the default limits.
    assert!(process(&png).is_ok());
}

#[test]
fn shrinks_to_1280_and_320_keeping_the_aspect_ratio() {
    let cases = [((2000, 1000), (1280, 640), (320, 160)), ((900, 1600), (720, 1280), (180, 320))];
    for ((w, h), large, thumb) in cases {
        let photo = process(&jpeg(&two_tone(w, h))).unwrap();
        assert_jpeg(&photo.large, large.0, large.1);
        assert_jpeg(&photo.thumbnail, thumb.0, thumb.1);
        assert!(photo.thumbnail.bytes.len() < photo.large.bytes.len());
    }
}

#[test]
fn never_upscales() {
    let photo = process(&jpeg(&two_tone(300, 200))).unwrap();
    assert_jpeg(&photo.large, 300, 200);
    assert_jpeg(&photo.thumbnail, 300, 200);

    let photo = process(&jpeg(&two_tone(1000, 500))).unwrap();
    assert_jpeg(&photo.large, 1000, 500);
    assert_jpeg(&photo.thumbnail, 320, 160);
}

#[test]
fn flattens_transparency_onto_white() {
    let mut image = RgbaImage::from_pixel(20, 10, Rgba([0, 0, 0, 0]));
    for x in 10..20 {
        for y in 0..10 {
            image.put_pixel(x, y, Rgba([20, 20, 220, 255]));
        }
    }
    for format in [ImageFormat::Png, ImageFormat::WebP] {
        let photo = process(&encode(DynamicImage::ImageRgba8(image.clone()), format)).unwrap();
        let out = decode_rgb(&photo.large.bytes);
        assert!(out.get_pixel(2, 5).0.iter().all(|&c| c > 240), "{format:?}: {:?}", out.get_pixel(2, 5));
        assert!(is_blueish(out.get_pixel(17, 5)), "{format:?}: {:?}", out.get_pixel(17, 5));
    }
}

// ---- EXIF ----

/// Latitude 21° 49' 34.56" as the three TIFF RATIONALs a camera writes: the
/// bytes that must not leave the server.
const GPS_LATITUDE: [u32; 6] = [21, 1, 49, 1, 3456, 100];
const GPS_LONGITUDE: [u32; 6] = [105, 1, 17, 1, 789, 100];

fn gps_latitude_bytes() -> Vec<u8> {
    GPS_LATITUDE.iter().flat_map(|n| n.to_be_bytes()).collect()
}

/// A big-endian TIFF block as in a camera's EXIF: IFD0 with Orientation and
/// a pointer to a GPS IFD holding latitude and longitude.
fn exif_tiff(orientation: u16) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend(tag.to_be_bytes());
        out.extend(kind.to_be_bytes());
        out.extend(count.to_be_bytes());
        out.extend(value);
    }
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;
    let ifd0_at = 8u32;
    let gps_ifd_at = ifd0_at + 2 + 2 * 12 + 4;
    let latitude_at = gps_ifd_at + 2 + 4 * 12 + 4;
    let longitude_at = latitude_at + 24;

    let mut t = b"MM\0\x2a".to_vec();
    t.extend(ifd0_at.to_be_bytes());
    t.extend(2u16.to_be_bytes());
    let [o1, o2] = orientation.to_be_bytes();
    entry(&mut t, 0x0112, SHORT, 1, [o1, o2, 0, 0]);
    entry(&mut t, 0x8825, LONG, 1, gps_ifd_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    assert_eq!(t.len() as u32, gps_ifd_at);
    t.extend(4u16.to_be_bytes());
    entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, RATIONAL, 3, latitude_at.to_be_bytes());
    entry(&mut t, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, RATIONAL, 3, longitude_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    assert_eq!(t.len() as u32, latitude_at);
    t.extend(GPS_LATITUDE.iter().chain(&GPS_LONGITUDE).flat_map(|n| n.to_be_bytes()));
    t
}

/// `jpeg` with an EXIF APP1 segment right after SOI, where cameras put it.
fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(exif_tiff(orientation));
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend((payload.len() as u16 + 2).to_be_bytes());
    out.extend(payload);
    out.extend(&jpeg[2..]);
    out
}

/// Markers of the segments before the image data (up to and with SOS).
fn header_markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8]);
    let mut markers = Vec::new();
    let mut at = 2;
    loop {
        assert_eq!(jpeg[at], 0xFF, "segment expected at {at}");
        let marker = jpeg[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            return markers;
        }
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn strips_exif_and_gps() {
    let upload = with_exif(&jpeg(&two_tone(64, 48)), 1);
    // The upload really carries what must go.
    assert!(header_markers(&upload).contains(&0xE1));
    assert!(contains(&upload, b"Exif\0\0"));
    assert!(contains(&upload, &gps_latitude_bytes()));

    let photo = process(&upload).unwrap();
    for out in [&photo.large.bytes, &photo.thumbnail.bytes] {
        // Only JFIF (APP0), tables, frame and scan: no APP1 (EXIF, XMP),
        // APP2 (ICC), APP13 (IPTC) or comment.
        for marker in header_markers(out) {
            assert!(matches!(marker, 0xE0 | 0xDB | 0xC0 | 0xC4 | 0xDA), "unexpected marker {marker:#04x}");
        }
        // In entropy-coded data 0xFF is always followed by 0x00 or a restart
        // marker, so an APP1 marker cannot hide anywhere.
        assert!(!contains(out, &[0xFF, 0xE1]));
        assert!(!contains(out, b"Exif"));
        assert!(!contains(out, &gps_latitude_bytes()));
    }
}

#[test]
fn applies_exif_orientation() {
    // Orientation 6: the camera stored the picture turned 90° counter-
    // clockwise; viewers turn it 90° clockwise, so the left (red) half ends
    // up on top.
    let upload = with_exif(&jpeg(&two_tone(400, 200)), 6);
    let photo = process(&upload).unwrap();
    assert_jpeg(&photo.large, 200, 400);
    assert_jpeg(&photo.thumbnail, 160, 320);
    let large = decode_rgb(&photo.large.bytes);
    assert!(is_reddish(large.get_pixel(100, 50)), "{:?}", large.get_pixel(100, 50));
    assert!(is_blueish(large.get_pixel(100, 350)), "{:?}", large.get_pixel(100, 350));

    // Also when the photo is shrunk (that happens before turning it).
    let photo = process(&with_exif(&jpeg(&two_tone(1600, 800)), 6)).unwrap();
    assert_jpeg(&photo.large, 640, 1280);
    assert_jpeg(&photo.thumbnail, 160, 320);
    let large = decode_rgb(&photo.large.bytes);
    assert!(is_reddish(large.get_pixel(320, 100)), "{:?}", large.get_pixel(320, 100));
    assert!(is_blueish(large.get_pixel(320, 1180)), "{:?}", large.get_pixel(320, 1180));

    // Orientation 8 turns the other way: red ends up at the bottom.
    let photo = process(&with_exif(&jpeg(&two_tone(400, 200)), 8)).unwrap();
    assert_jpeg(&photo.large, 200, 400);
    let large = decode_rgb(&photo.large.bytes);
    assert!(is_blueish(large.get_pixel(100, 50)), "{:?}", large.get_pixel(100, 50));
    assert!(is_reddish(large.get_pixel(100, 350)), "{:?}", large.get_pixel(100, 350));

    // Orientation 1 leaves it as it is.
    let photo = process(&with_exif(&jpeg(&two_tone(400, 200)), 1)).unwrap();
    assert_jpeg(&photo.large, 400, 200);
}

#[test]
fn at_most_eight_photos_per_listing() {
    assert!(media::check_photo_count(8).is_ok());
    let err = media::check_photo_count(9).unwrap_err();
    assert_eq!(err.code(), "too_many_photos");
    assert_eq!(err.to_string(), "a listing can have at most 8 photos");
}

#[test]
fn a_small_png_declaring_49_megapixels_is_refused_at_once() {
    // 7000×7000, 1-bit: a few hundred KB that would decode to 147 MB of RGB
    let bomb = png_bomb(7_000, 7_000);
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    let start = Instant::now();
    let err = process(&bomb).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
    assert!(matches!(err, MediaError::TooManyPixels { width: 7_000, height: 7_000, .. }), "{err:?}");
    // within the pixel count, the RGB copy still counts against the memory
    // bound: 20 MP of 1-bit PNG is 60 MB as RGB
    let limits = PhotoLimits { max_alloc: 48 << 20, ..PhotoLimits::default() };
    let err = process_photo(&png_bomb(5_000, 4_000), &limits).unwrap_err();
    assert!(matches!(err, MediaError::TooMuchMemory { width: 5_000, height: 4_000, .. }), "{err:?}");
}

#[test]
fn only_so_many_photos_are_decoded_at_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let turns = media::Turns::new(2);
    let (now, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
    std::thread::scope(|scope| {
        for _ in 0..6 {
            scope.spawn(|| {
                let _turn = turns.take_turn();
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(n, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(30));
                now.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    assert_eq!(most.load(Ordering::SeqCst), 2);
    assert_eq!(media::CONCURRENT_DECODES, 2);
}
