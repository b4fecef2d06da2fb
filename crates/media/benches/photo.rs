//! Cost of one typical upload: a 12-megapixel phone JPEG (4000×3000) decoded,
//! shrunk to 1280 px and 320 px and re-encoded. Servers have two cores and a
//! listing has up to eight photos, so this decides how long a farmer waits.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use media::{process_photo, PhotoLimits};

/// A 4000×3000 JPEG at quality 90 with smooth gradients and fine noise, so
/// it compresses like a photo (a few MB), not like a flat test card.
fn phone_jpeg() -> Vec<u8> {
    let mut seed: u32 = 0x2545_f491;
    let image = RgbImage::from_fn(4000, 3000, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 24) as u8;
        Rgb([
            ((x * 255 / 4000) as u8).saturating_add(noise),
            ((y * 255 / 3000) as u8).saturating_add(noise),
            (((x + y) % 256) as u8 / 2).saturating_add(noise),
        ])
    });
    let mut bytes = Vec::new();
    if let Err(e) = JpegEncoder::new_with_quality(&mut bytes, 90).encode_image(&image) {
        panic!("encoding the bench photo: {e}");
    }
    bytes
}

fn bench(c: &mut Criterion) {
    let jpeg = phone_jpeg();
    eprintln!("bench photo: 4000×3000, {} bytes", jpeg.len());
    let limits = PhotoLimits::default();
    let mut group = c.benchmark_group("photo");
    group.sample_size(10);
    group.bench_function("process_photo_12mp_jpeg", |b| b.iter(|| process_photo(black_box(&jpeg), &limits)));
    // The parts, to see where the time goes.
    group.bench_function("decode_only_12mp_jpeg", |b| b.iter(|| image::load_from_memory(black_box(&jpeg))));
    let decoded = match image::load_from_memory(&jpeg) {
        Ok(image) => image.into_rgb8(),
        Err(e) => panic!("decoding the bench photo: {e}"),
    };
    // Why fast_image_resize: image's own resizer, with its cheapest smooth
    // filter, against the SIMD one with a cheap and a sharp filter.
    group.bench_function("image_resize_to_1280_triangle", |b| {
        b.iter(|| {
            image::imageops::resize(black_box(&decoded), 1280, 960, image::imageops::FilterType::Triangle)
        })
    });
    for filter in [FilterType::Bilinear, FilterType::Lanczos3] {
        group.bench_function(format!("fir_resize_to_1280_{filter:?}"), |b| {
            let source = match ImageRef::new(4000, 3000, decoded.as_raw(), PixelType::U8x3) {
                Ok(source) => source,
                Err(e) => panic!("{e}"),
            };
            let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter));
            let mut resizer = Resizer::new();
            b.iter(|| {
                let mut target = Image::new(1280, 960, PixelType::U8x3);
                resizer.resize(black_box(&source), &mut target, &options).map(|()| target)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
