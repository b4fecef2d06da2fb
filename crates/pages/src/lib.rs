//! Public HTML pages that nongsan serves to people rather than programs.
//!
//! The main one is the **scan page**: what a buyer sees after pointing a
//! phone camera at the QR label on a bag of produce. The label holds the
//! lot's GS1 Digital Link URI; fetched by a browser, that URI answers with
//! [`render_scan_page`]. [`render_message_page`] is the plain page for
//! everything else a browser can be told (unknown lot, malformed link,
//! server trouble).
//!
//! Who reads these pages decides how they are built:
//! - Buyers scan on cheap Android phones over weak 3G, so a page is one
//!   self-contained HTML document: inline CSS, inline SVG icons, no fonts,
//!   images or anything else fetched, and the page with its one small
//!   script stays under 30 KB. Nothing needs JavaScript: the scan page's
//!   module (`/scan/check.js`, same origin) only adds a check of the
//!   signature on the phone, marking the verdict with `data-local-check`.
//! - Many readers are new to smartphones and read little, so the page is in
//!   Vietnamese, in large high-contrast type laid out for a 360 px screen,
//!   and opens with one coloured banner that says whether the record can be
//!   trusted: green (verified), red (recalled), amber (superseded or not
//!   verifiable).
//! - The timeline is chronological, oldest event first, the way a farmer
//!   tells the story of a harvest: callers pass [`ScanView::events`] in that
//!   order and the page keeps it.
//!
//! This crate only renders. It holds plain data ([`ScanView`]) with every
//! value already formatted for display, and depends on no other nongsan
//! crate; the server builds the view from a lot, its newest signed record
//! and the verifier's result. All text is HTML-escaped by the templates
//! (askama, auto-escaping), which live in the repository's `web/templates/`
//! folder together with the rest of what the browser gets.

use askama::Template;

/// The verdict shown at the top of the scan page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Banner {
    /// Signature valid, issuer trusted, key not revoked, newest version,
    /// not recalled: green "Đã xác minh".
    Verified,
    /// The lot has been recalled: red "THU HỒI — không sử dụng". The record
    /// may be genuine; what matters to the buyer is not to use the produce.
    Recalled {
        /// Why, as the recalling staff wrote it.
        reason: String,
        /// Date of the recall, already formatted (e.g. `"05/11/2025"`).
        recalled_on: String,
    },
    /// Genuine, but a newer signed version of this lot's record exists:
    /// amber, with a link to the newest ([`ScanView::digital_link`]).
    Superseded,
    /// The record could not be verified (bad signature, unknown or revoked
    /// issuer…): amber, with the reasons in Vietnamese, one per item; the
    /// verifier's own (English, technical) messages only inside the folded
    /// developer part at the bottom.
    Untrusted {
        /// Short Vietnamese sentences a buyer reads, shown in the verdict.
        reasons_vi: Vec<String>,
        /// The verifier's technical messages, shown only under "Tự kiểm
        /// tra" (the `<details>` for people who check records themselves).
        reasons_tech: Vec<String>,
    },
}

/// One event of a lot's history, ready for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanEvent {
    /// Vietnamese name of the event type, e.g. `"Thu hoạch"`.
    pub type_label: String,
    /// Machine name of the event type, e.g. `"harvest"` or
    /// `"input_application"`; picks the icon. Unknown codes get a plain dot.
    pub type_code: String,
    /// Local time, already formatted, e.g. `"02/11/2025 07:30"`.
    pub occurred_at: String,
    /// Label and value pairs in display order, e.g.
    /// `("Sản phẩm", "Phân hữu cơ")`, `("Liều lượng", "2 kg/sào")`.
    pub details: Vec<(String, String)>,
}

/// Everything the scan page shows, every value already formatted for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanView {
    pub product_name: String,
    pub lot_code: String,
    /// GTIN-14 as printed in the Digital Link; empty hides the line.
    pub gtin: String,
    /// The GTIN was assigned by nongsan rather than by GS1 to the producer;
    /// the page says "mã nội bộ" (internal code) beside it.
    pub gtin_is_internal: bool,
    /// E.g. `"12.5 kg"`.
    pub quantity: String,
    /// E.g. `"02/11/2025"`.
    pub harvested_on: String,
    pub producer_name: String,
    /// Empty hides the line.
    pub farm_name: String,
    pub commune_name: String,
    pub province_name: String,
    pub banner: Banner,
    /// Organisation that signed the record, e.g. `"Bưu điện xã Hồng Thái"`.
    pub issuer_name: String,
    /// The issuer's `did:key:…`.
    pub issuer_did: String,
    /// Version number of the signed record (1 for the first).
    pub record_version: i64,
    /// When the record was signed, already formatted.
    pub signed_at: String,
    /// Oldest first; shown in this order.
    pub events: Vec<ScanEvent>,
    /// The signed JSON record (verifiable credential); the page offers it as
    /// a download named `{lot_code}.json`.
    pub record_url: String,
    /// The lot's GS1 EPCIS 2.0 document.
    pub epcis_url: String,
    /// The issuer trust list, for checking a saved record offline.
    pub trust_list_url: String,
    /// The lot's QR label image.
    pub label_url: String,
    /// The lot's GS1 Digital Link URI (what the QR label encodes).
    pub digital_link: String,
    /// Where to buy this lot's produce on the market (`/#/sp/{listing}`),
    /// when a listing of it can be ordered now: the page then shows a
    /// "Mua sản phẩm này" button below the verdict (never on a recalled
    /// lot).
    pub buy_url: Option<String>,
}

/// Rendering a page failed. Templates are checked at compile time, so this
/// only happens if writing the output itself fails.
#[derive(Debug, thiserror::Error)]
pub enum PagesError {
    #[error("rendering page template failed: {0}")]
    Render(#[from] askama::Error),
}

impl ScanEvent {
    /// Id suffix of the SVG symbol for this event type (see `scan.html`).
    fn icon(&self) -> &'static str {
        match self.type_code.as_str() {
            "planting" => "planting",
            "input_application" => "input",
            "harvest" => "harvest",
            "packing" => "packing",
            "cooling" => "cooling",
            "shipping" => "shipping",
            "receiving" => "receiving",
            "processing" => "processing",
            "recall" => "recall",
            _ => "dot",
        }
    }
}

#[derive(Template)]
#[template(path = "scan.html")]
struct ScanPage<'a> {
    v: &'a ScanView,
    /// The Vietnamese reasons of an untrusted verdict (empty otherwise).
    reasons_vi: &'a [String],
    /// Their technical counterparts, inside the developer `<details>`.
    reasons_tech: &'a [String],
    /// The buy button's target; `None` hides the button.
    buy_url: Option<&'a str>,
    /// Events left out in the middle of a long history (0: none), and the
    /// position in `v.events` before which the page says so.
    omitted: usize,
    omitted_before: usize,
}

/// A scan page never exceeds this many bytes (a cheap phone on weak 3G);
/// the full history is always in the signed record the page links to.
/// Together with its script (`web/scan/check.js`, at most 7.5 KB) a scan
/// stays under 30 KB (30,720 bytes) before compression.
pub const SCAN_PAGE_LIMIT: usize = 23_000;

/// A detail value longer than this is shortened on the page (the record
/// keeps it whole).
const DETAIL_CHARS_SHOWN: usize = 120;

fn shorten(text: &str) -> String {
    match text.char_indices().nth(DETAIL_CHARS_SHOWN) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_string(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    title: &'a str,
    message: &'a str,
}

/// The page for a lot's Digital Link URI fetched by a browser.
///
/// A long history is thinned in the middle, keeping the first events
/// (planting, inputs, harvest) and the newest ones, until the page fits in
/// [`SCAN_PAGE_LIMIT`]; the page says how many it left out.
pub fn render_scan_page(view: &ScanView) -> Result<String, PagesError> {
    let mut shown = view.clone();
    for event in &mut shown.events {
        for (_, value) in &mut event.details {
            *value = shorten(value);
        }
    }
    let (reasons_vi, reasons_tech): (&[String], &[String]) = match &view.banner {
        Banner::Untrusted { reasons_vi, reasons_tech } => (reasons_vi, reasons_tech),
        _ => (&[], &[]),
    };
    let buy_url = match view.banner {
        Banner::Recalled { .. } => None,
        _ => view.buy_url.as_deref().filter(|u| !u.is_empty()),
    };
    let all = std::mem::take(&mut shown.events);
    let total = all.len();
    // Keep `head` oldest and `tail` newest events, dropping from the middle;
    // never more than 60 in all, which keeps re-rendering cheap.
    let (mut head, mut tail) = (total.div_ceil(2).min(30), (total / 2).min(30));
    loop {
        shown.events = all[..head].iter().chain(all[total - tail..].iter()).cloned().collect();
        let omitted = total - head - tail;
        let page = ScanPage { v: &shown, reasons_vi, reasons_tech, buy_url, omitted, omitted_before: head }
            .render()?;
        if page.len() <= SCAN_PAGE_LIMIT || head + tail == 0 {
            return Ok(page);
        }
        // Drop about a fifth of what is left per round (at least one).
        let drop = ((head + tail) / 5).max(1);
        for _ in 0..drop {
            if head > tail {
                head -= 1;
            } else {
                tail = tail.saturating_sub(1);
            }
        }
    }
}

/// A plain page with a title and one message, in the same look as the scan
/// page: for an unknown lot (404, e.g. "Không tìm thấy lô hàng"), a
/// malformed Digital Link (400) or a server error. The caller sets the HTTP
/// status; both texts are escaped.
pub fn render_message_page(status_title: &str, message: &str) -> Result<String, PagesError> {
    Ok(MessagePage { title: status_title, message }.render()?)
}
