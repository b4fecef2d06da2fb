//! An FSMA-204-style sortable spreadsheet (CSV) of critical tracking events.
//!
//! In an outbreak or a recall, 21 CFR §1.1455 asks for the key data elements
//! of §1.1325–§1.1350 "as an electronic sortable spreadsheet". nongsan's
//! answer has one row per critical tracking event (CTE) and a fixed column
//! per key data element (KDE), so a food-safety officer can sort and filter
//! it in any spreadsheet program. Choices:
//! - Only the event types that are FSMA CTEs appear: harvest (Harvesting),
//!   cooling, packing (Initial packing), shipping, receiving and processing
//!   (Transformation). Planting and input applications are farm records,
//!   not CTEs; a recall is not a CTE either, but every row carries the lot's
//!   status, so a recalled lot shows on each of its rows.
//! - The traceability lot code is the GS1 element string
//!   `(01){GTIN-14}(10){lot code}` (industry practice: TLC = GTIN + lot).
//! - Quantities: the event's own integer grams when it states them; a
//!   harvest that states none is the lot's quantity and unit as entered;
//!   any other event that states none is left blank rather than claiming
//!   the whole lot (as in the EPCIS export). Times are UTC, RFC 3339.
//! - The variety and field stated at harvest carry on to later events
//!   (§1.1330(a) asks for the field at packing); the event location is the
//!   event's own, else the farm for harvest and cooling, the ship-from place
//!   for shipping and the receiving place for receiving when stated.
//! - One lot keeps one TLC through its history: nongsan records processing
//!   as an event of the same lot, not yet as a transformation into a new
//!   lot with a new TLC.
//! - Every row also names the event's `seq` and `hash`, so it can be matched
//!   to the signed provenance record, which stays the source of truth.
//! - The file starts with a UTF-8 byte-order mark so that Excel shows
//!   Vietnamese text correctly, and text cells that a spreadsheet would read
//!   as a formula (`=`, `+`, `-`, `@` first) are prefixed with `'`.

use crate::event::{EventType, LotEvent};

/// What the export needs to know about a lot (from the lot's view).
#[derive(Debug, Clone)]
pub struct FsmaLot<'a> {
    pub gtin: &'a str,
    pub lot_code: &'a str,
    pub product_name: &'a str,
    pub quantity: &'a str,
    pub unit: &'a str,
    pub harvested_on: &'a str,
    pub farm_name: &'a str,
    pub commune_code: &'a str,
    pub commune_name: &'a str,
    pub province_name: &'a str,
    pub producer_name: &'a str,
    /// `active` or `recalled`.
    pub status: &'a str,
    pub digital_link: &'a str,
}

/// The FSMA 204 name of the CTE an event type records, if it is one.
pub fn cte_name(event_type: EventType) -> Option<&'static str> {
    match event_type {
        EventType::Harvest => Some("Harvesting"),
        EventType::Cooling => Some("Cooling"),
        EventType::Packing => Some("Initial packing"),
        EventType::Shipping => Some("Shipping"),
        EventType::Receiving => Some("Receiving"),
        EventType::Processing => Some("Transformation"),
        EventType::Planting | EventType::InputApplication | EventType::Recall => None,
    }
}

pub const COLUMNS: [&str; 22] = [
    "event_time_utc",
    "cte",
    "traceability_lot_code",
    "gtin",
    "lot_code",
    "product_description",
    "commodity_variety",
    "quantity",
    "unit_of_measure",
    "event_location",
    "farm_location",
    "field_or_growing_area",
    "harvest_date",
    "immediate_previous_source",
    "immediate_subsequent_recipient",
    "tlc_source",
    "reference_document",
    "lot_status",
    "event_seq",
    "event_hash",
    "event_id",
    "digital_link",
];

/// One row per CTE among `events`, in the order of [`COLUMNS`].
pub fn rows(lot: &FsmaLot<'_>, events: &[LotEvent]) -> Vec<[String; 22]> {
    let harvest = events.iter().find(|e| e.event_type == EventType::Harvest);
    let harvest_variety = harvest.and_then(|e| e.details.variety.clone()).unwrap_or_default();
    let harvest_field = harvest.and_then(|e| e.details.field.clone()).unwrap_or_default();
    let farm_location = [lot.farm_name, lot.commune_name, lot.province_name]
        .iter()
        .filter(|part| !part.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let farm_location = format!("{farm_location} (commune {})", lot.commune_code);
    events
        .iter()
        .filter_map(|event| {
            let cte = cte_name(event.event_type)?;
            let d = &event.details;
            let (quantity, unit) = match (d.quantity_g, event.event_type) {
                (Some(grams), _) => (grams.to_string(), "g".to_string()),
                (None, EventType::Harvest) => (lot.quantity.to_string(), lot.unit.to_string()),
                (None, _) => (String::new(), String::new()),
            };
            let event_location = match (&d.location, event.event_type) {
                (Some(place), _) => place.clone(),
                (None, EventType::Harvest | EventType::Cooling) => farm_location.clone(),
                (None, EventType::Shipping) => d.from.clone().unwrap_or_default(),
                (None, EventType::Receiving) => d.to.clone().unwrap_or_default(),
                (None, _) => String::new(),
            };
            Some([
                common::rfc3339(event.occurred_at),
                cte.to_string(),
                format!("(01){}(10){}", lot.gtin, lot.lot_code),
                lot.gtin.to_string(),
                lot.lot_code.to_string(),
                lot.product_name.to_string(),
                d.variety.clone().unwrap_or_else(|| harvest_variety.clone()),
                quantity,
                unit,
                event_location,
                farm_location.clone(),
                d.field.clone().unwrap_or_else(|| harvest_field.clone()),
                lot.harvested_on.to_string(),
                d.from.clone().unwrap_or_default(),
                d.to.clone().unwrap_or_default(),
                format!("{}, {}", lot.producer_name, farm_location),
                d.reference_document.clone().unwrap_or_default(),
                lot.status.to_string(),
                event.seq.to_string(),
                event.hash.clone(),
                event.id.clone(),
                lot.digital_link.to_string(),
            ])
        })
        .collect()
}

/// Sorts rows by event time, then lot code, then position in the lot.
pub fn sort_rows(rows: &mut [[String; 22]]) {
    rows.sort_by(|a, b| {
        (a[0].as_str(), a[2].as_str(), a[18].parse::<i64>().unwrap_or(0)).cmp(&(
            b[0].as_str(),
            b[2].as_str(),
            b[18].parse::<i64>().unwrap_or(0),
        ))
    });
}

/// A text cell that a spreadsheet would evaluate is made inert.
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// The CSV file: byte-order mark, header, rows (RFC 4180 quoting, CRLF).
pub fn to_csv(rows: &[[String; 22]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + rows.len() * 400);
    out.extend_from_slice("\u{feff}".as_bytes());
    {
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        // Writing into a Vec cannot fail; the fields are always 22.
        let _ = writer.write_record(COLUMNS);
        for row in rows {
            let _ = writer.write_record(row.iter().map(|cell| inert(cell).into_owned()));
        }
        let _ = writer.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::event::EventDetails;
    use chrono::{TimeZone, Utc};

    fn lot() -> FsmaLot<'static> {
        FsmaLot {
            gtin: "02000000000015",
            lot_code: "HT-2510-001",
            product_name: "Chè Shan tuyết",
            quantity: "120",
            unit: "kg",
            harvested_on: "2025-10-12",
            farm_name: "Đồi chè Nậm Đăm",
            commune_code: "02260",
            commune_name: "Xã Hồng Thái",
            province_name: "Tỉnh Tuyên Quang",
            producer_name: "Hoàng Văn Pó",
            status: "active",
            digital_link: "https://nongsan.example/01/02000000000015/10/HT-2510-001",
        }
    }

    fn event(seq: i64, event_type: EventType, day: u32, details: EventDetails) -> LotEvent {
        LotEvent {
            id: format!("e{seq}"),
            seq,
            event_type,
            occurred_at: Utc.with_ymd_and_hms(2025, 10, day, 1, 0, 0).unwrap(),
            recorded_at: Utc.with_ymd_and_hms(2025, 10, day, 2, 0, 0).unwrap(),
            details,
            prev_hash: "00".repeat(32),
            hash: format!("{seq:064x}"),
        }
    }

    fn history() -> Vec<LotEvent> {
        vec![
            event(1, EventType::Planting, 1, EventDetails::default()),
            event(
                2,
                EventType::InputApplication,
                3,
                EventDetails {
                    product: Some("NPK".into()),
                    dose: Some("2 kg/sào".into()),
                    ..Default::default()
                },
            ),
            event(
                3,
                EventType::Harvest,
                12,
                EventDetails {
                    variety: Some("Shan tuyết".into()),
                    field: Some("Lô 3".into()),
                    quantity_g: Some(120_000),
                    ..Default::default()
                },
            ),
            event(
                4,
                EventType::Shipping,
                14,
                EventDetails {
                    to: Some("=HYPERLINK(\"http://evil\")".into()),
                    reference_document: Some("VĐ-0042".into()),
                    ..Default::default()
                },
            ),
        ]
    }

    #[test]
    fn only_critical_tracking_events_become_rows() {
        let rows = rows(&lot(), &history());
        let ctes: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
        assert_eq!(ctes, ["Harvesting", "Shipping"]);
    }

    #[test]
    fn rows_carry_the_key_data_elements() {
        let rows = rows(&lot(), &history());
        let harvest = &rows[0];
        assert_eq!(harvest[0], "2025-10-12T01:00:00Z");
        assert_eq!(harvest[2], "(01)02000000000015(10)HT-2510-001");
        assert_eq!(harvest[6], "Shan tuyết");
        assert_eq!((harvest[7].as_str(), harvest[8].as_str()), ("120000", "g"));
        assert_eq!(harvest[9], "Đồi chè Nậm Đăm, Xã Hồng Thái, Tỉnh Tuyên Quang (commune 02260)");
        assert_eq!(harvest[11], "Lô 3");
        let shipping = &rows[1];
        assert_eq!(shipping[6], "Shan tuyết", "the harvest's variety carries on");
        assert_eq!((shipping[7].as_str(), shipping[8].as_str()), ("", ""), "no claim on the whole lot");
        assert_eq!(shipping[11], "Lô 3", "the harvest's field carries on");
        assert_eq!(shipping[16], "VĐ-0042");
        assert_eq!(shipping[18], "4");
        assert_eq!(shipping[19], format!("{:064x}", 4));
    }

    #[test]
    fn the_csv_opens_in_excel_and_formulas_are_inert() {
        let csv = to_csv(&rows(&lot(), &history()));
        let text = String::from_utf8(csv).unwrap();
        assert!(text.starts_with("\u{feff}event_time_utc,cte,"));
        assert!(text.contains("\r\n"));
        assert!(text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "{text}");
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(reader.headers().unwrap().len(), COLUMNS.len());
        assert_eq!(reader.records().count(), 2);
    }

    #[test]
    fn sorting_is_by_time_then_lot_then_position() {
        let mut rows = rows(&lot(), &history());
        rows.reverse();
        let mut other = rows[1].clone();
        other[2] = "(01)02000000000022(10)A".into();
        rows.push(other);
        sort_rows(&mut rows);
        let keys: Vec<(&str, &str)> = rows.iter().map(|r| (r[0].as_str(), r[2].as_str())).collect();
        assert_eq!(
            keys,
            [
                ("2025-10-12T01:00:00Z", "(01)02000000000015(10)HT-2510-001"),
                ("2025-10-12T01:00:00Z", "(01)02000000000022(10)A"),
                ("2025-10-14T01:00:00Z", "(01)02000000000015(10)HT-2510-001"),
            ]
        );
    }
}
