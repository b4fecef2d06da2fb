//! End-to-end checks of what gets printed: every QR is decoded back with an
//! independent decoder (rqrr) and compared with the exact URI, and the SVGs
//! are parsed as XML.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use labels::{
    a4_sheet_svg, label_png, label_svg, qr_matrix, qr_png, LabelError, LabelText, QUIET_ZONE_MODULES,
    SHEET_COLUMNS, SHEET_ROWS,
};

const TYPICAL: &str = "https://nongsan.example/01/08938000000017/10/HT-2025-001";
/// Longest lot code the project allows: 20 characters.
const LONGEST_LOT: &str = "https://nongsan.example/01/08938000000017/10/ABCDEFGHIJ0123456789";
/// A long public URL, with query string and percent-encoding.
const LONG_PUBLIC: &str = "https://truy-xuat.nongsan.example/01/08938000000017/10/HT-2025-001/21/SN%2F0001\
?linkType=gs1:traceability&utm_source=label&utm_medium=qr&ref=buu-dien-hong-thai-tuyen-quang";

const URIS: [&str; 4] = [TYPICAL, LONGEST_LOT, LONG_PUBLIC, "https://nongsan.example/01/08938000000024"];

fn sample_text() -> LabelText {
    LabelText {
        title: "Chè Shan tuyết".into(),
        lines: vec![
            "Lô: HT-2025-001".into(),
            "Xuất xứ: Xã Hồng Thái, Tuyên Quang".into(),
            "Thu hoạch: 2025-11-02".into(),
        ],
    }
}

fn decode_gray(img: &image::GrayImage) -> Vec<String> {
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(img.width() as usize, img.height() as usize, |x, y| {
            img.get_pixel(x as u32, y as u32)[0]
        });
    prepared.detect_grids().into_iter().map(|g| g.decode().expect("QR decodes").1).collect()
}

fn decode_png(png: &[u8]) -> Vec<String> {
    decode_gray(&image::load_from_memory_with_format(png, image::ImageFormat::Png).unwrap().to_luma8())
}

fn png_info(png: &[u8]) -> (u32, u32, png::ColorType, png::BitDepth, Option<png::PixelDimensions>) {
    let reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
    let info = reader.info();
    (info.width, info.height, info.color_type, info.bit_depth, info.pixel_dims)
}

#[test]
fn label_png_qr_decodes_to_the_exact_uri() {
    for uri in URIS {
        let png = label_png(uri, &sample_text()).unwrap();
        assert_eq!(decode_png(&png), vec![uri.to_owned()], "{uri}");
    }
}

#[test]
fn label_png_has_print_size_and_is_small() {
    let png = label_png(TYPICAL, &sample_text()).unwrap();
    let (w, h, color, depth, dims) = png_info(&png);
    assert_eq!((w, h), (827, 413), "70 x 35 mm at 300 dpi");
    assert_eq!(color, png::ColorType::Grayscale);
    assert_eq!(depth, png::BitDepth::Two);
    let dims = dims.expect("pHYs chunk");
    assert_eq!((dims.xppu, dims.yppu, dims.unit), (11811, 11811, png::Unit::Meter));
    assert!(png.len() < 12_000, "{} bytes", png.len());
}

#[test]
fn label_png_survives_a_blurry_low_resolution_capture() {
    // A phone photo of a printed label has far fewer pixels per module than
    // the print; 40 % size with smoothing leaves ~3 px per module.
    let img = image::load_from_memory(&label_png(LONGEST_LOT, &sample_text()).unwrap()).unwrap().to_luma8();
    let small = image::imageops::resize(&img, 331, 165, image::imageops::FilterType::Triangle);
    assert_eq!(decode_gray(&small), vec![LONGEST_LOT.to_owned()]);
}

#[test]
fn qr_png_decodes_and_has_the_expected_size() {
    for uri in URIS {
        for module_px in [1, 3, 8] {
            let png = qr_png(uri, module_px).unwrap();
            let (w, h, color, depth, _) = png_info(&png);
            let side = (qr_matrix(uri).unwrap().width() + 2 * QUIET_ZONE_MODULES) as u32 * module_px;
            assert_eq!((w, h), (side, side));
            assert_eq!((color, depth), (png::ColorType::Grayscale, png::BitDepth::One));
            if module_px > 1 {
                // rqrr needs more than one pixel per module.
                assert_eq!(decode_png(&png), vec![uri.to_owned()], "{uri} @ {module_px}px");
            }
        }
    }
}

#[test]
fn qr_png_quiet_zone_is_white() {
    let img = image::load_from_memory(&qr_png(TYPICAL, 5).unwrap()).unwrap().to_luma8();
    let quiet = (QUIET_ZONE_MODULES * 5) as u32;
    for (x, y, p) in img.enumerate_pixels() {
        let inside = (quiet..img.width() - quiet).contains(&x) && (quiet..img.height() - quiet).contains(&y);
        if !inside {
            assert_eq!(p[0], 255, "({x}, {y})");
        }
    }
    // Top-left finder pattern starts right after the quiet zone.
    assert_eq!(img.get_pixel(quiet, quiet)[0], 0);
}

#[test]
fn qr_png_rejects_bad_module_sizes() {
    assert!(matches!(qr_png(TYPICAL, 0), Err(LabelError::InvalidModuleSize { module_px: 0, .. })));
    assert!(matches!(qr_png(TYPICAL, 100_000), Err(LabelError::InvalidModuleSize { .. })));
}

#[test]
fn too_long_data_is_an_error_not_a_panic() {
    let huge = format!("https://nongsan.example/01/08938000000017/10/{}", "x".repeat(3000));
    assert!(matches!(qr_png(&huge, 4), Err(LabelError::DataTooLong { .. })));
    assert!(matches!(label_png(&huge, &sample_text()), Err(LabelError::DataTooLong { .. })));
    assert!(matches!(label_svg(&huge, &sample_text()), Err(LabelError::DataTooLong { .. })));

    // Fits a QR, but only one too dense to scan from a 70 mm label.
    let dense = format!("https://nongsan.example/01/08938000000017/10/{}", "x".repeat(600));
    assert!(qr_png(&dense, 2).is_ok());
    let err = label_png(&dense, &sample_text()).unwrap_err();
    assert!(matches!(err, LabelError::TooDenseForLabel { max_version: 18, .. }), "{err}");

    let mut sheet: Vec<(String, LabelText)> = (0..5).map(|_| (TYPICAL.into(), sample_text())).collect();
    sheet[3].0 = huge;
    let err = a4_sheet_svg(&sheet).unwrap_err();
    assert!(matches!(err, LabelError::InLabel { index: 3, .. }), "{err}");
    assert!(err.to_string().starts_with("label 3: "), "{err}");
}

#[test]
fn label_svg_is_well_formed_with_escaped_text() {
    let text = LabelText {
        title: r#"Trà <&> "Ô""#.into(),
        lines: vec!["Lô: HT-2025-001".into(), "'Đặc biệt' & <hữu cơ>".into()],
    };
    let svg = label_svg(TYPICAL, &text).unwrap();
    assert!(svg.contains(">Trà &lt;&amp;&gt; &quot;Ô&quot;</text>"), "{svg}");
    assert!(svg.contains(">&apos;Đặc biệt&apos; &amp; &lt;hữu cơ&gt;</text>"), "{svg}");
    assert!(!svg.contains("<&>") && !svg.contains("<hữu"));

    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("70mm"));
    assert_eq!(root.attribute("height"), Some("35mm"));
    assert_eq!(root.attribute("viewBox"), Some("0 0 70 35"));

    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(texts.join(" "), format!("{} {}", text.title, text.lines.join(" ")));

    let family = doc.descendants().find_map(|n| n.attribute("font-family")).unwrap();
    assert!(family.starts_with("'DejaVu Sans'") && family.ends_with("sans-serif"), "{family}");
}

#[test]
fn svg_text_is_nfc_and_stays_inside_the_label() {
    let text = LabelText {
        // Decomposed input, as some phone keyboards send it.
        title: "Che\u{300} Shan tuye\u{302}\u{301}t cổ thụ loại đặc biệt thu hái thủ công trên núi cao"
            .into(),
        lines: (0..20).map(|i| format!("Dòng {i}: Xã Hồng Thái, huyện Na Hang, tỉnh Tuyên Quang")).collect(),
    };
    let svg = label_svg(TYPICAL, &text).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let lines: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("text")).collect();
    assert!(lines[0].text().unwrap().starts_with("Chè Shan tuyết"));
    assert!(lines.last().unwrap().text().unwrap().ends_with('…'));
    for line in &lines {
        let num = |a: &str| line.attribute(a).unwrap().parse::<f32>().unwrap();
        assert!(num("x") > 34.0 && num("x") + num("textLength") <= 67.51, "{:?}", line.text());
        assert!(num("y") > num("font-size") && num("y") < 33.0, "{:?}", line.text());
        assert!(num("font-size") >= 6.0 * 25.4 / 72.0 - 1e-3, "body text never below 6 pt");
    }
}

/// Reads the QR `<path>` back (our own `M x y h n v1 h-n z` runs in module
/// units) and rasterises it at 4 px per module with a quiet zone.
fn rasterise_svg_qr(svg: &str) -> (usize, image::GrayImage) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let path = doc.descendants().find(|n| n.has_tag_name("path")).unwrap();
    let transform = path.attribute("transform").unwrap();
    assert!(transform.starts_with("translate(") && transform.contains(") scale("), "{transform}");
    let mut runs = Vec::new();
    for cmd in path.attribute("d").unwrap().split('M').filter(|s| !s.is_empty()) {
        let cmd = cmd.strip_suffix('z').unwrap();
        let (xy, rest) = cmd.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (len, back) = rest.split_once("v1h-").unwrap();
        assert_eq!(len, back);
        runs.push((x.parse::<usize>().unwrap(), y.parse::<usize>().unwrap(), len.parse::<usize>().unwrap()));
    }
    let width = runs.iter().map(|&(x, y, len)| (x + len).max(y + 1)).max().unwrap();
    let (px, quiet) = (4, QUIET_ZONE_MODULES);
    let side = ((width + 2 * quiet) * px) as u32;
    let mut img = image::GrayImage::from_pixel(side, side, image::Luma([255]));
    for (x, y, len) in runs {
        for mx in x..x + len {
            for dy in 0..px {
                for dx in 0..px {
                    img.put_pixel(
                        ((mx + quiet) * px + dx) as u32,
                        ((y + quiet) * px + dy) as u32,
                        image::Luma([0]),
                    );
                }
            }
        }
    }
    (width, img)
}

#[test]
fn label_svg_qr_path_decodes_to_the_exact_uri() {
    for uri in URIS {
        let svg = label_svg(uri, &sample_text()).unwrap();
        let (width, img) = rasterise_svg_qr(&svg);
        assert_eq!(width, qr_matrix(uri).unwrap().width());
        assert_eq!(decode_gray(&img), vec![uri.to_owned()], "{uri}");
    }
}

#[test]
fn png_and_svg_place_the_qr_identically() {
    // The SVG's transform, converted to 300 dpi dots, must be where the PNG
    // has the top-left finder pattern.
    let svg = label_svg(TYPICAL, &sample_text()).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let transform = doc.descendants().find_map(|n| n.attribute("transform")).unwrap();
    let nums: Vec<f32> = transform
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let to_px = |mm: f32| (mm * 300.0 / 25.4).round() as u32;
    let (left, top) = (to_px(nums[0]), to_px(nums[1]));

    let img = image::load_from_memory(&label_png(TYPICAL, &sample_text()).unwrap()).unwrap().to_luma8();
    assert_eq!(img.get_pixel(left, top)[0], 0);
    assert_eq!(img.get_pixel(left - 1, top)[0], 255);
    assert_eq!(img.get_pixel(left, top - 1)[0], 255);
}

#[test]
fn a4_sheets_page_the_labels() {
    let labels: Vec<(String, LabelText)> = (1..=25)
        .map(|i| {
            let mut text = sample_text();
            text.lines[0] = format!("Lô: HT-2025-{i:03}");
            (format!("https://nongsan.example/01/08938000000017/10/HT-2025-{i:03}"), text)
        })
        .collect();
    let pages = a4_sheet_svg(&labels).unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(SHEET_COLUMNS * SHEET_ROWS, 24);

    let mut lots = Vec::new();
    for (page, expected) in pages.iter().zip([24, 1]) {
        let doc = roxmltree::Document::parse(page).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("width"), Some("210mm"));
        assert_eq!(root.attribute("height"), Some("297mm"));
        assert_eq!(root.attribute("viewBox"), Some("0 0 210 297"));
        let cells: Vec<_> =
            root.children().filter(|n| n.has_tag_name("g") && n.attribute("transform").is_some()).collect();
        assert_eq!(cells.len(), expected);
        for cell in &cells {
            // translate(x y) scale(s): the whole 70 x 35 label must sit inside
            // the page with at least 5 mm for the printer's unprintable border.
            let t = cell.attribute("transform").unwrap();
            let nums: Vec<f32> = t
                .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            let (x, y, s) = (nums[0], nums[1], nums[2]);
            assert!(x >= 5.0 && x + 70.0 * s <= 205.0 + 1e-3, "{t}");
            assert!(y >= 5.0 && y + 35.0 * s <= 292.0 + 1e-3, "{t}");
            let lot = cell.descendants().filter(|n| n.has_tag_name("text")).nth(1).unwrap().text().unwrap();
            lots.push(lot.to_owned());
        }
        assert!(root.descendants().any(|n| n.has_tag_name("line")), "cut lines");
    }
    let expected: Vec<String> = (1..=25).map(|i| format!("Lô: HT-2025-{i:03}")).collect();
    assert_eq!(lots, expected, "labels keep their order across pages");

    assert_eq!(a4_sheet_svg(&labels[..24]).unwrap().len(), 1);
    assert!(a4_sheet_svg(&[]).unwrap().is_empty());
}
