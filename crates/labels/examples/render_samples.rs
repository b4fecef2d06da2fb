//! Writes a sample label (PNG and SVG), a bare QR, A4 sheet pages and an A6 parcel label to a
//! directory, to look at or test-print: `cargo run -p labels --example render_samples -- /tmp/labels`.

use labels::{
    a4_sheet_svg, label_png, label_svg, qr_png, shipping_label_png, shipping_label_svg, LabelText,
    ShippingLabel,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "labels-samples".into());
    std::fs::create_dir_all(&dir)?;
    let uri = "https://nongsan.example/01/08938000000017/10/HT-2025-001";
    let text = LabelText {
        title: "Chè Shan tuyết".into(),
        lines: vec![
            "Lô: HT-2025-001".into(),
            "Xuất xứ: Xã Hồng Thái, Tuyên Quang".into(),
            "Thu hoạch: 2025-11-02".into(),
        ],
    };
    let png = label_png(uri, &text)?;
    println!("label.png: {} bytes", png.len());
    std::fs::write(format!("{dir}/label.png"), png)?;
    std::fs::write(format!("{dir}/label.svg"), label_svg(uri, &text)?)?;
    let qr = qr_png(uri, 8)?;
    println!("qr.png (8 px/module): {} bytes", qr.len());
    std::fs::write(format!("{dir}/qr.png"), qr)?;

    let crowded = LabelText {
        title: "Chè Shan tuyết cổ thụ loại đặc biệt thu hái thủ công <&> trên đỉnh núi".into(),
        lines: (1..=12).map(|i| format!("Dòng {i}: Xã Hồng Thái, huyện Na Hang, tỉnh Tuyên Quang")).collect(),
    };
    let long_uri = "https://nongsan.example/01/08938000000017/10/ABCDEFGHIJKLMNOPQRST";
    std::fs::write(format!("{dir}/crowded.png"), label_png(long_uri, &crowded)?)?;

    let sheet: Vec<(String, LabelText)> = (1..=25)
        .map(|i| {
            let lot = format!("HT-2025-{i:03}");
            let mut t = text.clone();
            t.lines[0] = format!("Lô: {lot}");
            (format!("https://nongsan.example/01/08938000000017/10/{lot}"), t)
        })
        .collect();
    let pages = a4_sheet_svg(&sheet)?;
    for (i, page) in pages.iter().enumerate() {
        std::fs::write(format!("{dir}/sheet-{}.svg", i + 1), page)?;
    }
    println!("{} pages written to {dir}", pages.len());

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
        lot_uri: Some(uri.into()),
    };
    let png = shipping_label_png(&parcel)?;
    println!("parcel.png: {} bytes", png.len());
    std::fs::write(format!("{dir}/parcel.png"), png)?;
    std::fs::write(format!("{dir}/parcel.svg"), shipping_label_svg(&parcel)?)?;
    Ok(())
}
