//! Pure: what a label says, which lots may get one, and the printable
//! sheet around the drawn pages.

use chrono::NaiveDate;

use crate::lots::LotView;
use common::ids::LotId;
use common::{ApiError, ErrorCode};

/// `YYYY-MM-DD` as Vietnamese readers write it, `DD/MM/YYYY`.
pub(crate) fn vn_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.into())
}

pub(crate) fn label_text(lot: &LotView) -> ::labels::LabelText {
    ::labels::LabelText {
        title: lot.product_name.clone(),
        lines: vec![
            format!("Lô: {}", lot.lot_code),
            format!("Xuất xứ: {}, {}", lot.commune_name, lot.province_name),
            format!("Thu hoạch: {}", vn_date(&lot.harvested_on)),
            format!("Người trồng: {}", lot.producer_name),
        ],
    }
}

/// A recalled lot gets no new labels: they would put it back on shelves.
pub(crate) fn printable(lot: LotView) -> Result<LotView, ApiError> {
    if lot.status == "recalled" {
        return Err(ApiError::new(
            ErrorCode::LotRecalled,
            format!("lot {} has been recalled; its labels are no longer printed", lot.lot_code),
        ));
    }
    Ok(lot)
}

/// The lot ids of a sheet request and how many copies of each: 1 to 240
/// labels in all. Text that cannot be a lot id names no lot (404).
pub(crate) fn sheet_request(lots: &str, copies: Option<usize>) -> Result<(Vec<LotId>, usize), ApiError> {
    let ids: Vec<String> =
        lots.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    let copies = copies.unwrap_or(1);
    if ids.is_empty() || !(1..=240).contains(&copies) || ids.len() * copies > 240 {
        return Err(ApiError::field(ErrorCode::OutOfRange, "lots", "1 to 240 labels in all (lots × copies)")
            .param("min", 1)
            .param("max", 240));
    }
    let ids: Result<Vec<LotId>, ApiError> =
        ids.iter().map(|id| LotId::parse(id).ok_or_else(|| ApiError::not_found("lot"))).collect();
    Ok((ids?, copies))
}

/// Every page of a sheet in one HTML document, each page one A4 sheet when
/// printed at 100 %. On screen a bar at the top says so and has a print
/// button; it is not printed. The button is wired by a module, not an
/// inline handler: the pages' Content-Security-Policy runs no inline script.
pub(crate) fn sheet_html(pages: &[String]) -> String {
    let mut html = String::from(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Tem QR — in khổ A4</title>\
         <style>@page{size:A4;margin:0}body{margin:0}.page{width:210mm;height:297mm;page-break-after:always}\
         .page svg{width:210mm;height:297mm;display:block}@media screen{body{background:#ccc}\
         .page{background:#fff;margin:8mm auto;box-shadow:0 0 4px #888}}\
         .bar{position:sticky;top:0;z-index:1;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;\
         justify-content:center;padding:10px 16px;background:#fffbe6;border-bottom:2px solid #f2a900;\
         font:600 17px/1.4 system-ui,sans-serif;color:#1b2a1b}\
         .bar button{font:inherit;min-height:44px;padding:6px 20px;border:2px solid #2e6b2e;border-radius:8px;\
         background:#2e6b2e;color:#fff;cursor:pointer}@media print{.bar{display:none}}</style></head><body>\
         <div class=\"bar\" id=\"print-bar\"><span id=\"print-hint\">In ở tỉ lệ 100 % (không co giãn) để mã QR quét được</span>\
         <button type=\"button\" id=\"print\">In trang này</button></div>\
         <script type=\"module\" src=\"/shared/print-button.js\"></script>",
    );
    for p in pages {
        html.push_str("<div class=\"page\">");
        html.push_str(p);
        html.push_str("</div>");
    }
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_sheet_holds_1_to_240_labels() {
        assert_eq!(
            sheet_request(" a, b ,,", None).unwrap(),
            (vec![LotId::parse("a").unwrap(), LotId::parse("b").unwrap()], 1)
        );
        assert!(sheet_request("", None).is_err());
        assert!(sheet_request("a,b", Some(120)).is_ok());
        assert!(sheet_request("a,b", Some(121)).is_err());
        assert!(sheet_request("a", Some(0)).is_err());
    }

    #[test]
    fn the_sheet_says_to_print_at_100_percent_and_has_a_print_button_not_printed() {
        let html = sheet_html(&["<svg></svg>".to_string()]);
        assert!(html.contains("In ở tỉ lệ 100 % (không co giãn) để mã QR quét được"));
        assert!(html.contains("<script type=\"module\" src=\"/shared/print-button.js\"></script>"));
        assert!(!html.contains("onclick"), "no inline script: the policy would refuse it");
        assert!(html.contains("@media print{.bar{display:none}}"));
        assert!(html.find("id=\"print-bar\"") < html.find("class=\"page\""), "the bar is above the labels");
    }

    #[test]
    fn dates_read_the_vietnamese_way() {
        assert_eq!(vn_date("2025-11-02"), "02/11/2025");
        assert_eq!(vn_date("not a date"), "not a date");
    }
}
