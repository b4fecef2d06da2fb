//! End-to-end checks of the A6 parcel label: the Code 128 is scanned back
//! with an independent reader (rxing, a port of ZXing) and the QR with rqrr,
//! both from the PNG exactly as it would be printed; the SVG is parsed as XML
//! and its bars are checked against the PNG's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use labels::{
    shipping_label_png, shipping_label_svg, LabelError, ShippingLabel, SHIPPING_LABEL_HEIGHT_MM,
    SHIPPING_LABEL_WIDTH_MM,
};

const LOT: &str = "https://nongsan.example/01/08938000000017/10/HT-2025-001";
const PX_PER_MM: f64 = 300.0 / 25.4;

fn sample() -> ShippingLabel {
    ShippingLabel {
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
        lot_uri: Some(LOT.into()),
    }
}

/// A long rural address, as buyers type them, decomposed as some phone
/// keyboards send Vietnamese.
fn long_address() -> ShippingLabel {
    ShippingLabel {
        receiver_name: "Hoàng Thị Phương Thảo (nhờ chị Nguyễn Thị Ngọc Ánh nhận hộ)".into(),
        receiver_address: "Nha\u{300} văn hóa thôn Khuổi Phầy, sau cổng trường mầm non Hoa Sen, \
                           rẽ trái 200 m qua cầu treo, gọi trước khi giao"
            .into(),
        receiver_place: "Xã Thượng Lâm, huyện Lâm Bình (cũ), tỉnh Tuyên Quang".into(),
        collect_vnd: 0,
        tracking_number: None,
        lot_uri: None,
        ..sample()
    }
}

fn gray(png: &[u8]) -> image::GrayImage {
    image::load_from_memory_with_format(png, image::ImageFormat::Png).unwrap().to_luma8()
}

fn read_code128(img: &image::GrayImage) -> String {
    let result = rxing::helpers::detect_in_luma(
        img.as_raw().clone(),
        img.width(),
        img.height(),
        Some(rxing::BarcodeFormat::CODE_128),
    )
    .expect("Code 128 decodes");
    assert_eq!(result.getBarcodeFormat(), &rxing::BarcodeFormat::CODE_128);
    result.getText().to_owned()
}

fn read_qrs(img: &image::GrayImage) -> Vec<String> {
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(img.width() as usize, img.height() as usize, |x, y| {
            img.get_pixel(x as u32, y as u32)[0]
        });
    prepared.detect_grids().into_iter().map(|g| g.decode().expect("QR decodes").1).collect()
}

fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect()
}

/// The bars of the SVG's barcode group, in 300 dpi dots: (x, y, w, h).
fn svg_bars(svg: &str) -> Vec<(u32, u32, u32, u32)> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let group = doc.descendants().find(|n| n.attribute("id") == Some("barcode")).unwrap();
    let dots = |n: &roxmltree::Node, a: &str| -> u32 {
        (n.attribute(a).unwrap().parse::<f64>().unwrap() * PX_PER_MM).round() as u32
    };
    group
        .children()
        .filter(|n| n.has_tag_name("rect"))
        .map(|r| (dots(&r, "x"), dots(&r, "y"), dots(&r, "width"), dots(&r, "height")))
        .collect()
}

#[test]
fn png_barcode_and_qr_scan_back() {
    let mut cod_long_address = long_address();
    cod_long_address.collect_vnd = 250_000;
    let mut paid_with_lot = sample();
    paid_with_lot.collect_vnd = 0;
    let cases = [sample(), long_address(), cod_long_address, paid_with_lot];
    for label in cases {
        let img = gray(&shipping_label_png(&label).unwrap());
        assert_eq!(read_code128(&img), label.part_code, "{label:?}");
        let expected: Vec<String> = label.lot_uri.iter().cloned().collect();
        assert_eq!(read_qrs(&img), expected, "{label:?}");
    }
}

#[test]
fn all_kinds_of_part_codes_scan_back() {
    for code in [
        "NS7K2M9QXB-12",
        "A-1",
        "AB-123456-9",
        // 40 digits, packed two to a symbol character.
        "1234567890123456789012345678901234567890",
        // The longest code of letters that always fits.
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ-ABC",
        r#"a<b&c>'"d ~{|}`\"#,
    ] {
        let label = ShippingLabel { part_code: code.into(), ..sample() };
        let img = gray(&shipping_label_png(&label).unwrap());
        assert_eq!(read_code128(&img), code);
        assert!(svg_texts(&shipping_label_svg(&label).unwrap()).contains(&code.to_owned()), "{code}");
    }
}

#[test]
fn barcode_survives_a_half_resolution_capture() {
    let img = gray(&shipping_label_png(&sample()).unwrap());
    let small = image::imageops::resize(&img, 620, 874, image::imageops::FilterType::Triangle);
    assert_eq!(read_code128(&small), "NS7K2M9QXB-1");
}

#[test]
fn png_is_a6_at_300_dpi() {
    let png = shipping_label_png(&sample()).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(&png)).read_info().unwrap();
    let info = reader.info();
    assert_eq!((info.width, info.height), (1240, 1748));
    assert_eq!((info.color_type, info.bit_depth), (png::ColorType::Grayscale, png::BitDepth::Two));
    let dims = info.pixel_dims.expect("pHYs chunk");
    assert_eq!((dims.xppu, dims.yppu, dims.unit), (11811, 11811, png::Unit::Meter));
    assert_eq!(
        ((SHIPPING_LABEL_WIDTH_MM * PX_PER_MM).round(), (SHIPPING_LABEL_HEIGHT_MM * PX_PER_MM).round()),
        (1240.0, 1748.0)
    );
    assert!(png.len() < 80_000, "{} bytes", png.len());
}

#[test]
fn bars_are_whole_dots_with_quiet_zones_and_match_the_png() {
    for label in [sample(), long_address()] {
        let bars = svg_bars(&shipping_label_svg(&label).unwrap());
        let img = gray(&shipping_label_png(&label).unwrap());
        let module = bars.iter().map(|b| b.2).min().unwrap();
        assert!(module >= 3, "module {module} px");
        let (first, last) = (bars[0], *bars.last().unwrap());
        for b in &bars {
            assert_eq!((b.0 - first.0) % module, 0, "bar edges on the module grid");
            assert_eq!(b.2 % module, 0);
            assert_eq!((b.1, b.3), (first.1, first.3), "all bars equally tall");
        }
        let (top, height) = (first.1, first.3);
        assert!(f64::from(height) >= 15.0 * PX_PER_MM, "bars {height} px tall");
        let end = last.0 + last.2;
        assert!(end - first.0 > 700, "the barcode spans most of the label");
        // The PNG has exactly these bars, and white quiet zones of at least
        // 10 modules beside them, all the way down.
        let expected: Vec<Option<u8>> = (0..img.width())
            .map(|x| {
                let in_bar = bars.iter().any(|b| (b.0..b.0 + b.2).contains(&x));
                let in_quiet = (first.0.saturating_sub(10 * module)..first.0).contains(&x)
                    || (end..end + 10 * module).contains(&x);
                if in_bar {
                    Some(0)
                } else if in_quiet || (first.0..end).contains(&x) {
                    Some(255)
                } else {
                    None
                }
            })
            .collect();
        for y in top..top + height {
            for (x, want) in expected.iter().enumerate() {
                if let Some(want) = want {
                    assert_eq!(img.get_pixel(x as u32, y)[0], *want, "({x}, {y})");
                }
            }
        }
        assert_eq!(img.get_pixel(first.0, top - 1)[0], 255, "nothing above the bars");
        assert_eq!(img.get_pixel(first.0, top + height)[0], 255, "nothing below the bars");
        assert!(first.0 >= 10 * module && end + 10 * module <= img.width());
    }
}

#[test]
fn svg_is_a6_and_its_bars_scan() {
    let svg = shipping_label_svg(&sample()).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("105mm"));
    assert_eq!(root.attribute("height"), Some("148mm"));
    assert_eq!(root.attribute("viewBox"), Some("0 0 105 148"));
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("path")).count(), 1, "the lot QR");

    let texts = svg_texts(&svg);
    for expected in [
        "NS7K2M9QXB-1",
        "Nguyễn Thị Hoa",
        "ĐT: 0912 345 678",
        "Khối lượng: 2,1 kg",
        "THU HỘ (COD): 1.136.500 đ",
        "Hàng: Chè Shan tuyết × 2 kg",
        "Mã vận đơn: EB123456789VN",
        "Quét để xem nguồn gốc",
    ] {
        assert!(texts.contains(&expected.to_owned()), "{expected} in {texts:?}");
    }
    let family = doc.descendants().find_map(|n| n.attribute("font-family")).unwrap();
    assert!(family.starts_with("'DejaVu Sans'"), "{family}");

    // Drawing only the SVG's bars gives a barcode that scans.
    let mut img = image::GrayImage::from_pixel(1240, 400, image::Luma([255]));
    for (x, y, w, h) in svg_bars(&svg) {
        for py in y - 1300..y - 1300 + h {
            for px in x..x + w {
                img.put_pixel(px, py, image::Luma([0]));
            }
        }
    }
    assert_eq!(read_code128(&img), "NS7K2M9QXB-1");

    let paid = ShippingLabel { collect_vnd: 0, weight_g: 850, lot_uri: None, ..sample() };
    let svg = shipping_label_svg(&paid).unwrap();
    let texts = svg_texts(&svg);
    assert!(texts.contains(&"KHÔNG THU TIỀN — đã thanh toán".to_owned()), "{texts:?}");
    assert!(texts.contains(&"Khối lượng: 0,85 kg".to_owned()), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("COD") || t.contains("Quét")), "{texts:?}");
    assert!(!svg.contains("<path"));
}

#[test]
fn svg_escapes_hostile_text() {
    let label = ShippingLabel {
        part_code: r#"<&>'"-1"#.into(),
        sender_name: "Tom & Jerry's <farm>".into(),
        receiver_name: r#"</text><script>alert("x")</script>"#.into(),
        contents: "]]> & <!-- -->".into(),
        tracking_number: Some("<EB&1>".into()),
        ..sample()
    };
    let svg = shipping_label_svg(&label).unwrap();
    assert!(!svg.contains("<script") && !svg.contains("<farm") && !svg.contains("<!--"), "{svg}");
    assert!(svg.contains("&lt;/text&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/s"), "{svg}");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
    let texts = svg_texts(&svg);
    // The name is one long "word", broken across two lines.
    assert!(texts.concat().contains(r#"</text><script>alert("x")</script>"#), "{texts:?}");
    for expected in [r#"<&>'"-1"#, "Tom & Jerry's <farm>", "Hàng: ]]> & <!-- -->", "Mã vận đơn: <EB&1>"]
    {
        assert!(texts.contains(&expected.to_owned()), "{expected} in {texts:?}");
    }
    assert_eq!(read_code128(&gray(&shipping_label_png(&label).unwrap())), r#"<&>'"-1"#);
}

#[test]
fn text_never_leaves_its_place() {
    let long = "Xã Hồng Thái, huyện Na Hang, tỉnh Tuyên Quang, ".repeat(12);
    let label = ShippingLabel {
        sender_name: long.clone(),
        sender_place: long.clone(),
        receiver_name: long.clone(),
        receiver_phone: long.clone(),
        receiver_address: long.clone(),
        receiver_place: long.clone(),
        contents: long.clone(),
        tracking_number: Some(long.clone()),
        weight_g: i64::MAX,
        collect_vnd: i64::MAX,
        ..sample()
    };
    for label in [label, long_address(), sample()] {
        let svg = shipping_label_svg(&label).unwrap();
        let bars = svg_bars(&svg);
        let (bars_top, bars_bottom) =
            (f64::from(bars[0].1) / PX_PER_MM, f64::from(bars[0].1 + bars[0].3) / PX_PER_MM);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let lines: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("text")).collect();
        for line in &lines {
            let num = |a: &str| line.attribute(a).unwrap().parse::<f64>().unwrap();
            let (x, y, size, width) = (num("x"), num("y"), num("font-size"), num("textLength"));
            let text = line.text().unwrap();
            assert!(x >= 5.0 - 1e-3 && x + width <= 100.0 + 1e-3, "{text}");
            // DejaVu's ascent and descent are 0.93 and 0.24 em.
            let (top, bottom) = (y - 0.93 * size, y + 0.24 * size);
            assert!(top >= 3.0 && bottom <= 146.0, "{text}");
            assert!(bottom <= bars_top || top >= bars_bottom, "{text} over the bars");
            assert!(size >= 6.0 * 25.4 / 72.0 - 1e-3, "{text}: never below 6 pt");
        }
        let texts: Vec<&str> = lines.iter().map(|n| n.text().unwrap()).collect();
        assert!(texts.contains(&label.part_code.as_str()), "part code printed whole");
        let amount = texts.concat();
        if label.collect_vnd == i64::MAX {
            assert!(amount.contains("9.223.372.036.854.775.807"), "cash amount never cut: {texts:?}");
            assert!(amount.contains("9.223.372.036.854.775,807 kg"), "weight never cut: {texts:?}");
            assert!(texts.iter().any(|t| t.ends_with('…')), "long text is cut: {texts:?}");
        }
        assert_eq!(read_code128(&gray(&shipping_label_png(&label).unwrap())), label.part_code);
    }
}

#[test]
fn long_address_is_printed_whole() {
    let texts = svg_texts(&shipping_label_svg(&long_address()).unwrap());
    assert!(!texts.iter().any(|t| t.contains('…')), "{texts:?}");
    let all = texts.join(" ");
    for part in [
        "Hoàng Thị Phương Thảo",
        "Nhà văn hóa thôn Khuổi Phầy",
        "gọi trước khi giao",
        "Xã Thượng Lâm",
        "tỉnh Tuyên Quang",
        "KHÔNG THU TIỀN",
    ] {
        assert!(all.contains(part), "{part} in {texts:?}");
    }
}

#[test]
fn bad_part_codes_are_refused() {
    let with = |code: &str| ShippingLabel { part_code: code.into(), ..sample() };
    for code in ["", " ", " NS7K2M9QXB-1", "NS7K2M9QXB-1\n", "MÃ-1", "NS\u{7f}1", "NS\t1"] {
        let err = shipping_label_png(&with(code)).unwrap_err();
        assert!(matches!(err, LabelError::InvalidPartCode { .. }), "{code:?}: {err}");
        assert!(matches!(shipping_label_svg(&with(code)), Err(LabelError::InvalidPartCode { .. })));
        let api = common::ApiError::from(&err);
        assert_eq!(api.code(), common::ErrorCode::InvalidFormat);
        assert_eq!(api.status().as_u16(), 422);
        assert_eq!(api.field_name(), Some("part_code"));
    }
    let too_long = [
        ("A".repeat(41), 41, 40),
        ("1".repeat(41), 41, 40),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ-ABCD".into(), 31, 30),
    ];
    for (code, len, max) in too_long {
        let err = shipping_label_svg(&with(&code)).unwrap_err();
        assert!(
            matches!(err, LabelError::PartCodeTooLong { len: l, max_len: m } if l == len && m == max),
            "{code}: {err}"
        );
        let api = common::ApiError::from(&err);
        assert_eq!(api.code(), common::ErrorCode::LabelTooLong);
        assert_eq!(api.status().as_u16(), 422);
        assert_eq!(api.params()["max"], max);
    }
}

#[test]
fn other_bad_input_is_refused() {
    let err = shipping_label_png(&ShippingLabel { weight_g: -1, ..sample() }).unwrap_err();
    assert!(matches!(err, LabelError::NegativeQuantity { field: "weight_g", value: -1 }), "{err}");
    let api = common::ApiError::from(&err);
    assert_eq!((api.code(), api.field_name()), (common::ErrorCode::OutOfRange, Some("weight_g")));
    let err = shipping_label_svg(&ShippingLabel { collect_vnd: -500, ..sample() }).unwrap_err();
    assert!(matches!(err, LabelError::NegativeQuantity { field: "collect_vnd", .. }), "{err}");

    let dense = format!("https://nongsan.example/01/08938000000017/10/{}", "x".repeat(600));
    let err = shipping_label_png(&ShippingLabel { lot_uri: Some(dense), ..sample() }).unwrap_err();
    assert!(matches!(err, LabelError::TooDenseForLabel { max_version: 18, .. }), "{err}");
    let huge = format!("https://nongsan.example/01/08938000000017/10/{}", "x".repeat(3000));
    let err = shipping_label_svg(&ShippingLabel { lot_uri: Some(huge), ..sample() }).unwrap_err();
    assert!(matches!(err, LabelError::DataTooLong { .. }), "{err}");
    assert_eq!(common::ApiError::from(&err).code(), common::ErrorCode::LabelTooLong);
}
