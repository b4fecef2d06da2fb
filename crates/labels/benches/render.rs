//! Rendering cost of one label: post offices print hundreds per session and
//! the web shop renders them on demand, so this should stay in milliseconds.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use labels::{
    a4_sheet_svg, label_png, label_svg, qr_png, shipping_label_png, shipping_label_svg, LabelText,
    ShippingLabel,
};

const URI: &str = "https://nongsan.example/01/08938000000017/10/HT-2025-001";

fn text() -> LabelText {
    LabelText {
        title: "Chè Shan tuyết".into(),
        lines: vec![
            "Lô: HT-2025-001".into(),
            "Xuất xứ: Xã Hồng Thái, Tuyên Quang".into(),
            "Thu hoạch: 2025-11-02".into(),
        ],
    }
}

fn render(c: &mut Criterion) {
    let text = text();
    c.bench_function("label_png", |b| b.iter(|| label_png(black_box(URI), black_box(&text))));
    c.bench_function("label_svg", |b| b.iter(|| label_svg(black_box(URI), black_box(&text))));
    c.bench_function("qr_png_8px", |b| b.iter(|| qr_png(black_box(URI), 8)));
    let sheet: Vec<(String, LabelText)> = (0..24).map(|_| (URI.to_owned(), text.clone())).collect();
    c.bench_function("a4_sheet_svg_24", |b| b.iter(|| a4_sheet_svg(black_box(&sheet))));
    let parcel = ShippingLabel {
        part_code: "NS7K2M9QXB-1".into(),
        sender_name: "HTX Chè Shan tuyết Hồng Thái".into(),
        sender_place: "Xã Hồng Thái, Tuyên Quang".into(),
        receiver_name: "Nguyễn Thị Hoa".into(),
        receiver_phone: "0912 345 678".into(),
        receiver_address: "Số 12, ngõ 34 phố Hàng Bạc".into(),
        receiver_place: "Phường Hoàn Kiếm, Hà Nội".into(),
        weight_g: 2100,
        collect_vnd: 1_136_500,
        contents: "Chè Shan tuyết × 2 kg".into(),
        tracking_number: Some("EB123456789VN".into()),
        lot_uri: Some(URI.into()),
    };
    c.bench_function("shipping_label_png", |b| b.iter(|| shipping_label_png(black_box(&parcel))));
    c.bench_function("shipping_label_svg", |b| b.iter(|| shipping_label_svg(black_box(&parcel))));
}

criterion_group!(benches, render);
criterion_main!(benches);
