//! Pure: the scan page's view model, from the lot, its record, its events
//! and the verification report. The page itself is `pages`' template.

use chrono::FixedOffset;
use serde_json::Value;

use crate::labels::rules::vn_date;
use crate::lots::{LotView, TraceSettings};
use crate::verify::VerifyReport;
use crate::{EventType, LotEvent};

const VN_OFFSET_SECS: i32 = 7 * 3600;

fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    // Vietnam has one time zone and no daylight saving.
    match FixedOffset::east_opt(VN_OFFSET_SECS) {
        Some(tz) => t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string(),
        None => t.format("%d/%m/%Y %H:%M UTC").to_string(),
    }
}

fn detail_rows(e: &LotEvent) -> Vec<(String, String)> {
    let d = &e.details;
    let mut rows = vec![];
    let mut push = |label: &str, v: Option<String>| {
        if let Some(v) = v {
            rows.push((label.to_string(), v));
        }
    };
    push("Giống", d.variety.clone());
    push("Sản phẩm", d.product.clone());
    push("Liều lượng", d.dose.clone());
    push("Cách ly trước thu hoạch", d.pre_harvest_interval_days.map(|n| format!("{n} ngày")));
    push("Khối lượng", d.quantity_g.map(format_grams));
    push("Bao bì", d.package.clone());
    push("Nhiệt độ", d.temperature_c.map(|t| format!("{t} °C")));
    push("Từ", d.from.clone());
    push("Đến", d.to.clone());
    push("Chế biến", d.process.clone());
    push("Nơi", d.location.clone());
    push("Thửa ruộng", d.field.clone());
    push("Chứng từ", d.reference_document.clone());
    push("Lý do", d.reason.clone());
    push("Ghi chú", d.note.clone());
    rows
}

fn format_grams(g: i64) -> String {
    if g >= 1000 && g % 10 == 0 {
        let kg = g / 1000;
        let rest = g % 1000;
        if rest == 0 {
            format!("{kg} kg")
        } else {
            format!("{kg},{} kg", format!("{rest:03}").trim_end_matches('0'))
        }
    } else {
        format!("{g} g")
    }
}

pub(crate) fn scan_view(
    lot: &LotView,
    record: &Value,
    events: &[LotEvent],
    report: &VerifyReport,
    settings: &TraceSettings,
) -> pages::ScanView {
    let recall = events.iter().rev().find(|e| e.event_type == EventType::Recall);
    let banner = if report.status.recalled {
        pages::Banner::Recalled {
            reason: recall.and_then(|e| e.details.reason.clone()).unwrap_or_default(),
            recalled_on: recall.map(|e| local(e.recorded_at)).unwrap_or_default(),
        }
    } else if !report.verified {
        pages::Banner::Untrusted { reasons: report.errors.clone() }
    } else if !report.status.latest_version {
        pages::Banner::Superseded
    } else {
        pages::Banner::Verified
    };
    let unit_name = crate::quantity::Unit::parse(&lot.unit).map(|u| u.name_vi).unwrap_or(&lot.unit);
    let base = &settings.public_url;
    pages::ScanView {
        product_name: lot.product_name.clone(),
        lot_code: lot.lot_code.clone(),
        gtin: lot.gtin.clone(),
        gtin_is_internal: lot.gtin_is_internal,
        quantity: format!("{} {}", lot.quantity.replace('.', ","), unit_name),
        harvested_on: vn_date(&lot.harvested_on),
        producer_name: lot.producer_name.clone(),
        farm_name: lot.farm_name.clone(),
        commune_name: lot.commune_name.clone(),
        province_name: lot.province_name.clone(),
        banner,
        issuer_name: report.issuer_name.clone().unwrap_or_default(),
        issuer_did: report.issuer.clone().unwrap_or_default(),
        record_version: report.record_version.unwrap_or(lot.record_version),
        signed_at: record
            .get("proof")
            .and_then(|p| p.get("created"))
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| local(t.with_timezone(&chrono::Utc)))
            .unwrap_or_default(),
        events: events
            .iter()
            .map(|e| pages::ScanEvent {
                type_label: e.event_type.label_vi().to_string(),
                type_code: e.event_type.as_str().to_string(),
                occurred_at: local(e.occurred_at),
                details: detail_rows(e),
            })
            .collect(),
        record_url: format!("{base}/api/v1/lots/{}/record", lot.id),
        epcis_url: format!("{base}/api/v1/lots/{}/epcis", lot.id),
        trust_list_url: format!("{base}/api/v1/trust-list"),
        label_url: format!("{base}/api/v1/lots/{}/label.png", lot.id),
        digital_link: lot.digital_link.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_read_naturally() {
        assert_eq!(format_grams(12_500), "12,5 kg");
        assert_eq!(format_grams(2_000), "2 kg");
        assert_eq!(format_grams(750), "750 g");
    }
}
