//! Writes the scan page for a realistic lot, one page per banner, plus a
//! "not found" page, to a folder (default `/tmp`), to look at in a browser:
//!
//! ```text
//! cargo run -p pages --example scan_page -- /tmp
//! ```

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use std::path::PathBuf;

use pages::{render_message_page, render_scan_page, Banner};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "/tmp".to_owned()));
    let mut view = fixture::tea_view();
    view.buy_url = Some("/#/sp/01HZX3J6Q3V4W5X6Y7Z8A9B0CD".to_owned());
    let banners = [
        ("scan.html", Banner::Verified),
        (
            "scan-recalled.html",
            Banner::Recalled {
                reason: "Phát hiện dư lượng thuốc bảo vệ thực vật vượt mức cho phép".to_owned(),
                recalled_on: "08/11/2025".to_owned(),
            },
        ),
        ("scan-superseded.html", Banner::Superseded),
        (
            "scan-untrusted.html",
            Banner::Untrusted {
                reasons_vi: vec![
                    "Chữ ký không khớp với nội dung.".to_owned(),
                    "Người ký không có trong danh sách tin cậy.".to_owned(),
                ],
                reasons_tech: vec![
                    "the signature does not verify".to_owned(),
                    "issuer did:key:z6Mk… is not on the trust list".to_owned(),
                ],
            },
        ),
    ];
    for (name, banner) in banners {
        view.banner = banner;
        let html = render_scan_page(&view)?;
        let path = dir.join(name);
        std::fs::write(&path, &html)?;
        println!("{} ({} bytes)", path.display(), html.len());
    }
    let html = render_message_page(
        "Không tìm thấy lô hàng",
        "Mã trên tem không khớp với lô hàng nào. Hãy quét lại tem, hoặc hỏi người bán.",
    )?;
    let path = dir.join("not-found.html");
    std::fs::write(&path, &html)?;
    println!("{} ({} bytes)", path.display(), html.len());
    Ok(())
}
