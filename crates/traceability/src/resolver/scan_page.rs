//! Pure: the scan page's view model, from the lot, its record, its events,
//! the verification report and the listing a buyer can order. The page
//! itself is `pages`' template.

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

/// Why the server could not verify a record, in Vietnamese a buyer
/// understands, one sentence per failed check (the verifier's own messages
/// are English and technical: the page shows them only in its folded
/// developer part). Never empty for an unverified record.
pub(crate) fn reasons_vi(report: &VerifyReport) -> Vec<String> {
    let c = &report.checks;
    let mut out: Vec<&str> = vec![];
    if !c.signature {
        out.push("Chữ ký số không khớp với nội dung: bản ghi có thể đã bị sửa hoặc bị làm giả.");
    }
    if !c.history_intact {
        out.push("Nhật ký của lô hàng không liền mạch: lịch sử có thể đã bị sửa.");
    }
    if !c.key_not_revoked {
        out.push("Khoá chữ ký của nơi ký đã bị thu hồi.");
    } else if report.issuer_name.is_none() {
        out.push("Nơi ký không có trong danh sách nơi ký tin cậy của nongsan.");
    } else if c.signature && !c.issuer_trusted {
        out.push("Bản ghi được ký ngoài thời hạn hiệu lực của khoá chữ ký.");
    }
    if out.is_empty() {
        out.push("Máy chủ không xác minh được bản ghi này.");
    }
    out.into_iter().map(str::to_string).collect()
}

/// The market page of `listing` (the market at `/` routes `#/sp/{id}`).
pub(crate) fn listing_url(public_url: &str, listing: &str) -> String {
    format!("{public_url}/#/sp/{listing}")
}

pub(crate) fn scan_view(
    lot: &LotView,
    record: &Value,
    events: &[LotEvent],
    report: &VerifyReport,
    settings: &TraceSettings,
    orderable_listing: Option<&str>,
) -> pages::ScanView {
    let recall = events.iter().rev().find(|e| e.event_type == EventType::Recall);
    let banner = if report.status.recalled {
        pages::Banner::Recalled {
            reason: recall.and_then(|e| e.details.reason.clone()).unwrap_or_default(),
            recalled_on: recall.map(|e| local(e.recorded_at)).unwrap_or_default(),
        }
    } else if !report.verified {
        pages::Banner::Untrusted { reasons_vi: reasons_vi(report), reasons_tech: report.errors.clone() }
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
        buy_url: orderable_listing.map(|id| listing_url(base, id)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::verify::{Checks, RecordStatus};

    fn report(signature: bool, trusted: bool, not_revoked: bool, history: bool, named: bool) -> VerifyReport {
        VerifyReport {
            verified: signature && trusted && not_revoked && history,
            checks: Checks {
                signature,
                issuer_trusted: trusted,
                key_not_revoked: not_revoked,
                history_intact: history,
            },
            status: RecordStatus { latest_version: true, recalled: false },
            issuer: Some("did:key:z6MkTest".into()),
            issuer_name: named.then(|| "Bưu điện xã Hồng Thái".into()),
            lot_id: None,
            record_version: Some(1),
            errors: vec![
                "the proof does not verify".into(),
                "issuer did:key:z6MkTest is not on the trust list".into(),
            ],
            warnings: vec![],
        }
    }

    fn lot() -> LotView {
        LotView {
            id: common::ids::LotId::new(),
            lot_code: "HT-1".into(),
            gtin: "08938000000017".into(),
            gtin_is_internal: false,
            digital_link: "http://x/01/08938000000017/10/HT-1".into(),
            product_name: "Chè Shan tuyết".into(),
            quantity: "12.5".into(),
            unit: "kg".into(),
            quantity_g: Some(12_500),
            harvested_on: "2025-10-28".into(),
            commune_code: "02260".into(),
            commune_name: "Xã Hồng Thái".into(),
            province_code: "08".into(),
            province_name: "Tuyên Quang".into(),
            farm_name: String::new(),
            seller_id: common::ids::SellerId::new(),
            producer_name: "Hoàng Văn Thào".into(),
            status: "active".into(),
            record_version: 1,
            event_count: 0,
            created_at: "2025-10-28T00:00:00Z".into(),
        }
    }

    fn settings() -> TraceSettings {
        TraceSettings { public_url: "http://nongsan.test".into(), gtin_company_prefix: "893800000".into() }
    }

    /// Every sentence a buyer reads is Vietnamese: it has Vietnamese
    /// letters and none of the verifier's English words.
    fn assert_vietnamese(reasons: &[String]) {
        assert!(!reasons.is_empty());
        for r in reasons {
            assert!(r.chars().any(|c| "ảãạăắằâấầđêếềểôốồơớờưứừýữửọịụ".contains(c)), "{r}");
            for english in ["proof", "issuer", "trust", "signature", "history", "revoked", "the "] {
                assert!(!r.to_lowercase().contains(english), "{english:?} in {r:?}");
            }
        }
    }

    #[test]
    fn every_failed_check_has_its_vietnamese_reason() {
        for bits in 0..32u8 {
            let b = |i: u8| bits & (1 << i) != 0;
            let r = report(b(0), b(1), b(2), b(3), b(4));
            if r.verified {
                continue;
            }
            assert_vietnamese(&reasons_vi(&r));
        }
        let bad_signature = reasons_vi(&report(false, false, true, true, true));
        assert_eq!(bad_signature.len(), 1);
        assert!(bad_signature[0].contains("Chữ ký số không khớp"));
        let stranger = reasons_vi(&report(true, false, true, true, false));
        assert_eq!(stranger, vec!["Nơi ký không có trong danh sách nơi ký tin cậy của nongsan.".to_string()]);
        let revoked = reasons_vi(&report(true, false, false, true, true));
        assert_eq!(revoked, vec!["Khoá chữ ký của nơi ký đã bị thu hồi.".to_string()]);
        let expired = reasons_vi(&report(true, false, true, true, true));
        assert!(expired[0].contains("ngoài thời hạn"));
        let broken = reasons_vi(&report(true, true, true, false, true));
        assert!(broken[0].contains("Nhật ký"));
    }

    #[test]
    fn untrusted_page_gets_vietnamese_reasons_and_keeps_the_technical_ones_apart() {
        let r = report(false, false, true, true, false);
        let view = scan_view(&lot(), &Value::Null, &[], &r, &settings(), None);
        let pages::Banner::Untrusted { reasons_vi, reasons_tech } = &view.banner else {
            panic!("{:?}", view.banner);
        };
        assert_vietnamese(reasons_vi);
        assert_eq!(reasons_tech, &r.errors);
        assert_eq!(view.buy_url, None);
    }

    #[test]
    fn buy_link_goes_to_the_listing_on_the_market() {
        let r = report(true, true, true, true, true);
        let view = scan_view(&lot(), &Value::Null, &[], &r, &settings(), Some("01HZX3J6Q3V4W5X6Y7Z8A9B0CD"));
        assert_eq!(view.banner, pages::Banner::Verified);
        assert_eq!(view.buy_url.as_deref(), Some("http://nongsan.test/#/sp/01HZX3J6Q3V4W5X6Y7Z8A9B0CD"));
    }

    #[test]
    fn grams_read_naturally() {
        assert_eq!(format_grams(12_500), "12,5 kg");
        assert_eq!(format_grams(2_000), "2 kg");
        assert_eq!(format_grams(750), "750 g");
    }
}
