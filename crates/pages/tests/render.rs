//! What a buyer's phone receives: the scan page for a realistic lot (Shan
//! tuyết tea from Xã Hồng Thái, Tuyên Quang, 12 events) and the message page.
//! Checks size over weak 3G (the page with its check script), that nothing
//! is fetched but the scan page's own same-origin module, that user text is
//! escaped, that every banner says what it must, that technical reasons and
//! developer links stay folded in one `<details>`, the buy button, and that
//! the markup is balanced.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixture;

use pages::{render_message_page, render_scan_page, Banner, ScanEvent, ScanView};

/// Budget for one scan page, in bytes, before any compression.
const BUDGET: usize = 30_000;

fn render(view: &ScanView) -> String {
    render_scan_page(view).unwrap()
}

fn with_banner(banner: Banner) -> String {
    let mut view = fixture::tea_view();
    view.banner = banner;
    render(&view)
}

/// One start or end tag: its lower-case name, the text between `<` and `>`,
/// and whether it is an end tag.
struct Tag<'a> {
    name: String,
    raw: &'a str,
    end: bool,
}

/// Every tag of the document, in order. Escaped text never contains `<`, so
/// every `<` starts a tag, a comment or the doctype.
fn tags(html: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let close = after.find('>').expect("unterminated tag");
        let raw = &after[..close];
        rest = &after[close + 1..];
        if raw.starts_with('!') {
            continue;
        }
        let end = raw.starts_with('/');
        let name: String = raw
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        out.push(Tag { name, raw, end });
    }
    out
}

/// Attributes of a tag's text as (name, value); values are double-quoted
/// (askama escapes `"` inside them) or absent.
fn attrs(raw: &str) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    let body = raw.trim_end_matches('/');
    let mut rest = body.find(char::is_whitespace).map_or("", |i| &body[i..]);
    loop {
        rest = rest.trim_start();
        let name_len = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        if name_len == 0 {
            break;
        }
        let name = rest[..name_len].to_ascii_lowercase();
        rest = &rest[name_len..];
        if let Some(quoted) = rest.strip_prefix("=\"") {
            let len = quoted.find('"').expect("unterminated attribute value");
            out.push((name, &quoted[..len]));
            rest = &quoted[len + 1..];
        } else {
            assert!(!rest.starts_with('='), "unquoted attribute value in <{raw}>");
            out.push((name, ""));
        }
    }
    out
}

/// Value of attribute `name` in a tag's text, if present.
fn attr<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    attrs(raw).into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// The one script a page may have: the scan page's same-origin module that
/// checks the signature on the phone (progressive: the page is complete
/// without it).
const CHECK_MODULE: &str = "script type=\"module\" src=\"/scan/check.js\"";

/// The page fetches nothing but the scan page's own module: no element that
/// loads a resource, no `src`, no stylesheet or font URLs, no other script
/// and no handlers; `href` only on links and on SVG `<use>` pointing inside
/// the page.
fn assert_self_contained(html: &str) {
    const LOADERS: [&str; 12] = [
        "link", "script", "img", "iframe", "frame", "object", "embed", "source", "video", "audio", "picture",
        "base",
    ];
    for tag in tags(html) {
        if tag.raw == CHECK_MODULE || (tag.end && tag.name == "script") {
            continue;
        }
        assert!(!LOADERS.contains(&tag.name.as_str()), "page has a <{}> element: <{}>", tag.name, tag.raw);
        assert!(attr(tag.raw, "src").is_none(), "src attribute in <{}>", tag.raw);
        assert!(attr(tag.raw, "srcset").is_none(), "srcset attribute in <{}>", tag.raw);
        assert!(attr(tag.raw, "style").is_none_or(|s| !s.contains("url(")), "url() in <{}>", tag.raw);
        for (name, _) in attrs(tag.raw) {
            assert!(!name.starts_with("on"), "event handler in <{}>", tag.raw);
        }
        if let Some(href) = attr(tag.raw, "href") {
            match tag.name.as_str() {
                "a" => {}
                "use" => assert!(href.starts_with('#'), "<use> outside the page: <{}>", tag.raw),
                other => panic!("href on <{other}>: <{}>", tag.raw),
            }
        }
    }
    let lower = html.to_ascii_lowercase();
    for needle in ["url(", "@import", "@font-face", "javascript:", "xlink:href"] {
        assert!(!lower.contains(needle), "page contains `{needle}`");
    }
}

/// Every non-void element is closed, in order.
fn assert_balanced(html: &str) {
    const VOID: [&str; 4] = ["meta", "br", "hr", "input"];
    let mut open: Vec<String> = Vec::new();
    for tag in tags(html) {
        if tag.end {
            let top = open.pop().unwrap_or_else(|| panic!("</{}> closes nothing", tag.name));
            assert_eq!(top, tag.name, "<{top}> closed by </{}>", tag.name);
        } else if !VOID.contains(&tag.name.as_str()) && !tag.raw.ends_with('/') {
            open.push(tag.name);
        }
    }
    assert!(open.is_empty(), "unclosed elements: {open:?}");
}

fn assert_document_head(html: &str) {
    assert!(html.starts_with("<!doctype html>\n<html lang=\"vi\">"), "{}", &html[..60]);
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    assert!(html.contains("<style>"));
}

#[test]
fn realistic_lot_fits_the_budget_and_shows_everything() {
    let view = fixture::tea_view();
    assert_eq!(view.events.len(), 12);
    let html = render(&view);
    assert!(html.len() < BUDGET, "scan page is {} bytes, budget {BUDGET}", html.len());
    assert_document_head(&html);
    assert_self_contained(&html);
    assert_balanced(&html);
    // The test view uses same-site relative URLs only, so nothing absolute
    // may appear anywhere in the page.
    assert!(!html.contains("http:") && !html.contains("https:") && !html.contains("=\"//"));

    for text in [
        "<title>Chè Shan tuyết Hồng Thái · Lô HT-2025-0042</title>",
        "<h1>Chè Shan tuyết Hồng Thái</h1>",
        "Bàn Văn Sáng",
        "Nương chè Khau Lắc",
        "Xã Hồng Thái",
        "Tuyên Quang",
        "02/11/2025",
        "12.5 kg",
        "HT-2025-0042",
        "08938000000017",
        "(mã nội bộ)",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "06/11/2025 15:41",
        "<dd>12</dd>",
        "href=\"/api/v1/lots/42/record\" download=\"HT-2025-0042.json\"",
        ">Bản ghi có chữ ký (JSON)</a>",
        "href=\"/api/v1/lots/42/epcis\"",
        ">Sự kiện EPCIS</a>",
        "href=\"/api/v1/lots/42/label.png\"",
        ">Tem QR</a>",
        "nongsan verify HT-2025-0042.json",
        "/01/08938000000017/10/HT-2025-0042",
        "<dt>Liều lượng</dt> <dd>2 kg/sào</dd>",
        "<dt>Sản phẩm</dt> <dd>Phân hữu cơ vi sinh Sông Gianh</dd>",
    ] {
        assert!(html.contains(text), "missing {text:?}");
    }

    // Events appear in the order given (oldest first), each with its icon.
    let mut last = 0;
    for event in &view.events {
        let at = html[last..]
            .find(&format!("{}</p>", event.occurred_at))
            .unwrap_or_else(|| panic!("event {} out of order", event.occurred_at));
        last += at + 1;
    }
    assert_eq!(html.matches("<li class=\"ev ").count(), 12);
    assert_eq!(html.matches("href=\"#i-input\"").count(), 4);
    assert!(html.contains(
        "<li class=\"ev t-harvest\"><svg class=\"ic\" aria-hidden=\"true\"><use href=\"#i-harvest\"/>"
    ));
    // Every icon used is defined.
    for tag in tags(&html).into_iter().filter(|t| t.name == "use") {
        let id = &attr(tag.raw, "href").unwrap()[1..];
        assert!(html.contains(&format!("<symbol id=\"{id}\"")), "icon #{id} is not defined");
    }
}

#[test]
fn long_event_details_still_fit_the_budget() {
    let mut view = fixture::tea_view();
    for event in &mut view.events {
        event.details = (0..4)
            .map(|i| {
                (
                    format!("Thông tin {i}"),
                    "Ghi chú dài của người trồng về cách chăm sóc nương chè".to_owned(),
                )
            })
            .collect();
    }
    let html = render(&view);
    assert!(html.len() < BUDGET, "scan page is {} bytes, budget {BUDGET}", html.len());
}

#[test]
fn a_history_of_any_length_fits_the_budget_first_and_newest_shown() {
    for (count, value_len) in [(60, 40), (400, 500), (2_000, 20)] {
        let mut view = fixture::tea_view();
        let template = view.events[0].clone();
        view.events = (0..count)
            .map(|i| ScanEvent {
                occurred_at: format!("sự kiện số {i}"),
                details: (0..12).map(|k| (format!("Mục {k}"), "ồ".repeat(value_len))).collect(),
                ..template.clone()
            })
            .collect();
        let html = render(&view);
        assert!(html.len() < BUDGET, "{count} events: {} bytes, budget {BUDGET}", html.len());
        assert!(html.contains(">sự kiện số 0<"), "the first event stays");
        assert!(html.contains(&format!(">sự kiện số {}<", count - 1)), "the newest event stays");
        assert!(html.contains("sự kiện khác"), "the page says events were left out");
        assert_balanced(&html);
    }
    // A short history is shown whole, with no note.
    let html = render(&fixture::tea_view());
    assert!(!html.contains("sự kiện khác"));
}

#[test]
fn user_text_is_escaped_everywhere() {
    let mut view = fixture::tea_view();
    view.product_name = "<script>alert(\"x\")</script> & Chè".to_owned();
    view.producer_name = "<img src=x onerror=alert(1)>".to_owned();
    view.farm_name = "Vườn \"Khau Lắc\" & 'Pả Vi'".to_owned();
    view.issuer_name = "<b>Giả mạo</b>".to_owned();
    view.record_url = "/r\" onmouseover=\"alert(1)".to_owned();
    view.events[0].details.push(("<i>k</i>".to_owned(), "</dd></dl><script>x()</script>".to_owned()));
    view.events[1].type_label = "<u>Bón</u>".to_owned();
    view.events[2].type_code = "\"><script>".to_owned();
    let html = render(&view);

    assert!(
        html.matches("<script").count() == 1 && !html.contains("<img") && !html.contains("<b>Giả"),
        "unescaped markup"
    );
    // askama escapes `"&'<>` as numeric character references.
    assert!(html.contains("<h1>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; Chè</h1>"));
    assert!(html.contains("&#60;img src=x onerror=alert(1)&#62;"));
    assert!(html.contains("Vườn &#34;Khau Lắc&#34; &#38; &#39;Pả Vi&#39;"));
    assert!(html.contains("href=\"/r&#34; onmouseover=&#34;alert(1)\""));
    assert!(html.contains("&#60;/dd&#62;&#60;/dl&#62;&#60;script&#62;x()&#60;/script&#62;"));
    assert!(html.contains("<h3>&#60;u&#62;Bón&#60;/u&#62;</h3>"));
    // An unknown event type gets the plain dot, never the raw code.
    assert!(html.contains("<li class=\"ev t-dot\">"));
    assert_self_contained(&html);
    assert_balanced(&html);
}

#[test]
fn verified_banner() {
    let html = with_banner(Banner::Verified);
    assert!(html.contains("<p class=\"bt\">Đã xác minh</p>"));
    assert!(html.contains("có chữ ký số của <b>Bưu điện xã Hồng Thái</b>"));
    assert!(html.contains("<meta name=\"theme-color\" content=\"#146c2e\">"));
    for other in ["THU HỒI", "bản ghi mới hơn", "Chưa xác minh được"] {
        assert!(!html.contains(other), "verified page says {other:?}");
    }
}

#[test]
fn recalled_banner() {
    let html = with_banner(Banner::Recalled {
        reason: "Dư lượng thuốc <vượt mức>".to_owned(),
        recalled_on: "08/11/2025".to_owned(),
    });
    assert!(html.contains("<header id=\"verdict\" class=\"ban bad\" role=\"alert\">"));
    assert!(html.contains("THU HỒI — không sử dụng"));
    assert!(html.contains("Lý do: <b>Dư lượng thuốc &#60;vượt mức&#62;</b>"));
    assert!(html.contains("Ngày thu hồi: <b>08/11/2025</b>"));
    assert!(html.contains("<meta name=\"theme-color\" content=\"#b3261e\">"));
    assert!(!html.contains("Đã xác minh"));
    assert_balanced(&html);
}

#[test]
fn superseded_banner() {
    let html = with_banner(Banner::Superseded);
    assert!(html.contains("<header id=\"verdict\" class=\"ban warn\" role=\"status\">"));
    assert!(html.contains("Đã có bản ghi mới hơn"));
    assert!(html.contains("<a href=\"/01/08938000000017/10/HT-2025-0042\">Xem bản mới nhất</a>"));
    assert!(!html.contains("Đã xác minh") && !html.contains("THU HỒI"));
    assert_balanced(&html);
}

#[test]
fn untrusted_banner_lists_the_reasons() {
    let html = with_banner(Banner::Untrusted {
        reasons_vi: vec![
            "Chữ ký không khớp với nội dung.".to_owned(),
            "Người ký không có trong danh sách tin cậy.".to_owned(),
        ],
        reasons_tech: vec!["signature: the proof does not verify".to_owned()],
    });
    assert!(html.contains("<header id=\"verdict\" class=\"ban warn\" role=\"alert\">"));
    assert!(html.contains("Chưa xác minh được"));
    assert!(html.contains("<li>Chữ ký không khớp với nội dung.</li>"));
    assert!(html.contains("<li>Người ký không có trong danh sách tin cậy.</li>"));
    assert!(!html.contains("Đã xác minh") && !html.contains("THU HỒI"));
    assert_balanced(&html);
}

/// The verdict (the `<header id="verdict">`) of a page.
fn verdict(html: &str) -> &str {
    let start = html.find("<header id=\"verdict\"").expect("no verdict");
    &html[start..start + html[start..].find("</header>").expect("verdict not closed")]
}

/// The folded developer part (`<details>…</details>`) of a page.
fn developer_part(html: &str) -> &str {
    let start = html.find("<details").expect("no <details>");
    &html[start..start + html[start..].find("</details>").expect("<details> not closed")]
}

/// What the buyer sees without unfolding anything: the page without its
/// `<details>`.
fn visible(html: &str) -> String {
    let part = developer_part(html);
    html.replacen(part, "", 1)
}

#[test]
fn technical_reasons_only_inside_the_developer_part() {
    let tech = [
        "the proof was made by did:key:z6MkA, not by the issuer did:key:z6MkB",
        "issuer did:key:z6MkB is not on the trust list",
    ];
    let html = with_banner(Banner::Untrusted {
        reasons_vi: vec!["Người ký không có trong danh sách nơi ký tin cậy.".to_owned()],
        reasons_tech: tech.iter().map(|t| (*t).to_owned()).collect(),
    });
    let (verdict, details, seen) = (verdict(&html), developer_part(&html), visible(&html));
    assert!(verdict.contains("<li>Người ký không có trong danh sách nơi ký tin cậy.</li>"));
    for t in tech {
        assert!(details.contains(&format!("<li>{t}</li>")), "{t:?} missing from the developer part");
        assert!(!seen.contains(t), "{t:?} shown outside the developer part");
    }
    assert!(details.contains("Chi tiết kỹ thuật của lỗi xác minh"));
    // No English word of a reason reaches the visible verdict.
    for word in ["proof", "issuer", "trust list", "signature", "not on"] {
        assert!(!verdict.contains(word), "English {word:?} in the verdict: {verdict}");
    }
    // A verified page has no technical list at all.
    let html = with_banner(Banner::Verified);
    assert!(!html.contains("Chi tiết kỹ thuật") && !html.contains("class=\"tech\""));
}

#[test]
fn developer_parts_are_folded_in_one_closed_details() {
    let html = render(&fixture::tea_view());
    assert_eq!(html.matches("<details").count(), 1);
    let details = developer_part(&html);
    assert!(details.starts_with("<details class=\"card foot\">"), "the <details> must start closed");
    for part in [
        "<summary>",
        "id=\"rec\" class=\"btn\" href=\"/api/v1/lots/42/record\"",
        "href=\"/api/v1/lots/42/epcis\"",
        "href=\"/api/v1/lots/42/label.png\"",
        "href=\"/api/v1/trust-list\"",
        "nongsan verify HT-2025-0042.json",
    ] {
        assert!(details.contains(part), "{part:?} not in the developer part");
    }
    let seen = visible(&html);
    for part in ["EPCIS", "nongsan verify", "Tem QR"] {
        assert!(!seen.contains(part), "{part:?} outside the developer part");
    }
    // What the phone's check reads, and where it writes.
    for id in ["id=\"verdict\"", "id=\"did\"", "id=\"lot\"", "id=\"harv\"", "id=\"rec\""] {
        assert_eq!(html.matches(id).count(), 1, "{id}");
    }
    // The server never claims the phone's check: the script sets it.
    assert!(!html.contains("data-local-check"));
    // One same-origin module, after the content (a module is deferred anyway).
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.find("<script type=\"module\" src=\"/scan/check.js\"></script>") > html.find("</details>"));
}

#[test]
fn buy_button_only_with_an_orderable_listing() {
    let html = render(&fixture::tea_view());
    assert!(!html.contains("Mua sản phẩm này") && !html.contains("class=\"btn buy\""));

    let mut view = fixture::tea_view();
    view.buy_url = Some("/#/sp/01HZX3J6Q3V4W5X6Y7Z8A9B0CD".to_owned());
    let html = render(&view);
    assert_eq!(html.matches("Mua sản phẩm này").count(), 1);
    assert!(html.contains("<a class=\"btn buy\" href=\"/#/sp/01HZX3J6Q3V4W5X6Y7Z8A9B0CD\">"));
    // Right below the verdict, before the lot's facts.
    let (ban, buy, h1) = (
        html.find("id=\"verdict\"").unwrap(),
        html.find("Mua sản phẩm này").unwrap(),
        html.find("<h1>").unwrap(),
    );
    assert!(ban < buy && buy < h1);
    assert_self_contained(&html);
    assert_balanced(&html);

    // Never for a recalled lot, whatever the caller passed.
    view.banner =
        Banner::Recalled { reason: "Dư lượng".to_owned(), recalled_on: "08/11/2025".to_owned() };
    assert!(!render(&view).contains("Mua sản phẩm này"));
    // An empty URL is no URL.
    view.banner = Banner::Verified;
    view.buy_url = Some(String::new());
    assert!(!render(&view).contains("Mua sản phẩm này"));
}

#[test]
fn page_and_its_script_fit_30_kb() {
    let script = include_str!("../../../web/scan/check.js");
    for count in [12, 60, 2_000] {
        let mut view = fixture::tea_view();
        view.buy_url = Some("/#/sp/01HZX3J6Q3V4W5X6Y7Z8A9B0CD".to_owned());
        let template = view.events[0].clone();
        view.events = (0..count)
            .map(|i| ScanEvent { occurred_at: format!("sự kiện số {i}"), ..template.clone() })
            .collect();
        let html = render(&view);
        assert!(
            html.len() + script.len() < 30 * 1024,
            "{count} events: page {} + script {} bytes",
            html.len(),
            script.len()
        );
    }
}

#[test]
fn optional_parts_are_hidden_when_empty() {
    let mut view = fixture::tea_view();
    view.events.clear();
    view.gtin.clear();
    view.farm_name.clear();
    let html = render(&view);
    assert!(html.contains("Chưa có sự kiện nào."));
    assert!(!html.contains("<ol class=\"tl\">"));
    assert!(!html.contains("GTIN") && !html.contains("mã nội bộ"));
    assert!(html.contains("<dd>Bàn Văn Sáng</dd>"));
    assert_balanced(&html);

    let mut view = fixture::tea_view();
    view.gtin_is_internal = false;
    let html = render(&view);
    assert!(html.contains("08938000000017") && !html.contains("mã nội bộ"));

    let view = ScanView {
        events: vec![ScanEvent {
            type_label: "Thu hoạch".to_owned(),
            type_code: "harvest".to_owned(),
            occurred_at: "02/11/2025 07:30".to_owned(),
            details: Vec::new(),
        }],
        ..fixture::tea_view()
    };
    let html = render(&view);
    assert!(!html.contains("<dl class=\"det\">"));
    assert_balanced(&html);
}

#[test]
fn message_page() {
    let html = render_message_page(
        "Không tìm thấy lô hàng",
        "Mã trên tem không khớp với lô hàng nào. Hãy quét lại tem, hoặc hỏi người bán.",
    )
    .unwrap();
    assert_document_head(&html);
    assert_self_contained(&html);
    assert_balanced(&html);
    assert!(html.contains("<title>Không tìm thấy lô hàng · Nông sản</title>"));
    assert!(html.contains("<h1>Không tìm thấy lô hàng</h1>"));
    assert!(
        html.contains("<p>Mã trên tem không khớp với lô hàng nào. Hãy quét lại tem, hoặc hỏi người bán.</p>")
    );
    assert!(html.len() < 8_000, "message page is {} bytes", html.len());
    assert!(!html.contains("<script"), "the message page runs nothing");

    let html = render_message_page("Đường dẫn <sai>", "Mã \"01\" & lô").unwrap();
    assert!(html.contains("<h1>Đường dẫn &#60;sai&#62;</h1>"));
    assert!(html.contains("<p>Mã &#34;01&#34; &#38; lô</p>"));
    assert_balanced(&html);
}

// The checks above must be able to fail.

#[test]
#[should_panic(expected = "page has a <link> element")]
fn checker_rejects_external_stylesheets() {
    assert_self_contained("<head><link rel=\"stylesheet\" href=\"https://cdn.example/x.css\"></head>");
}

#[test]
#[should_panic(expected = "page has a <img> element")]
fn checker_rejects_images() {
    assert_self_contained("<p><img src=\"/photo.jpg\" alt=\"\"></p>");
}

#[test]
#[should_panic(expected = "event handler")]
fn checker_rejects_event_handlers() {
    assert_self_contained("<p onclick=\"x()\">a</p>");
}

#[test]
#[should_panic(expected = "`@font-face`")]
fn checker_rejects_web_fonts() {
    assert_self_contained("<style>@font-face{font-family:x}</style>");
}

#[test]
#[should_panic(expected = "closed by")]
fn checker_rejects_unbalanced_markup() {
    assert_balanced("<main><section><p>a</section></main>");
}
