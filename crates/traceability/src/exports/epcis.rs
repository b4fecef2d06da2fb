//! Export of a lot's events as a GS1 EPCIS 2.0 JSON-LD `EPCISDocument`.
//!
//! The export is a view for other systems (importers, auditors, an FDA
//! FSMA 204 request); the signed provenance record stays the source of truth.
//! Each event therefore also carries nongsan's `seq`, `hash` and `prevHash`
//! as extension fields, so an EPCIS event can be matched to the signed chain.
//!
//! Choices, all checked against the EPCIS 2.0 JSON Schema in the tests:
//! - What: the lot as a class, its Digital Link on GS1's canonical domain
//!   (`https://id.gs1.org/01/{gtin}/10/{lot}`, the form of GS1's own Example
//!   9.6.4), in a `quantityList`; for a GTIN in GS1's restricted
//!   circulation ranges (assigned by nongsan) the link on nongsan's own
//!   resolver, since such a GTIN means nothing at id.gs1.org. Quantities are integer grams with UN/ECE
//!   unit `GRM`, never floating-point kilograms, so a quantity printed here
//!   is exactly the one in the signed record. An event shows a quantity only
//!   when it states one (harvest defaults to the lot's quantity): an
//!   observation that names no amount does not claim the whole lot.
//! - When: `eventTime` stays in UTC (`Z`) as stored; `eventTimeZoneOffset`
//!   is Vietnam's `+07:00`, which EPCIS uses to tell the local zone where the
//!   event happened. Both together are legal and lose nothing.
//! - Where: nongsan has no GS1 Global Location Numbers (GLNs cost a GS1
//!   membership the farmers don't have), so locations are URIs on nongsan's
//!   own domain, `{public_url}/id/commune/{commune code}`. Vietnam's official
//!   commune codes are stable public identifiers, so the URI names a real
//!   place even though only nongsan resolves it.
//! - Why: `bizStep` and `disposition` are CBV 2.0 bare words where CBV has a
//!   fitting one, otherwise nongsan's own absolute URIs ([`BIZSTEP_PLANTING`]
//!   and the like). CBV has no "harvesting": harvest is `commissioning`.
//! - Everything CBV has no field for (dose, free-text places, notes…) goes
//!   in extension fields under the `nongsan:` prefix declared in `@context`.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::digital_link::DigitalLink;
use crate::event::{EventDetails, EventType, LotEvent};

/// The JSON-LD context GS1 publishes for EPCIS 2.0.
pub const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/// Prefix and namespace of nongsan's extension fields (`nongsan:dose` …).
pub const NONGSAN_PREFIX: &str = "nongsan";
pub const NONGSAN_NS: &str = "https://ns.nongsan.vn/epcis/";

/// nongsan's own business steps, for what CBV 2.0 has no word for.
///
/// They are absolute URIs on a fixed namespace, deliberately not built from
/// `public_url`: a vocabulary term must mean the same in every deployment and
/// in every document ever exported, while `public_url` changes between test,
/// demo and production. The naming mirrors CBV's own
/// `https://ns.gs1.org/cbv/BizStep-…`. Identifiers only; they need not
/// resolve.
pub const BIZSTEP_PLANTING: &str = "https://ns.nongsan.vn/voc/BizStep-planting";
pub const BIZSTEP_INPUT_APPLICATION: &str = "https://ns.nongsan.vn/voc/BizStep-input_application";
pub const BIZSTEP_COOLING: &str = "https://ns.nongsan.vn/voc/BizStep-cooling";
pub const BIZSTEP_PROCESSING: &str = "https://ns.nongsan.vn/voc/BizStep-processing";
pub const BIZSTEP_RECALLING: &str = "https://ns.nongsan.vn/voc/BizStep-recalling";

/// Vietnam's time zone (UTC+7, no daylight saving).
pub const EVENT_TIME_ZONE_OFFSET: &str = "+07:00";
const VIETNAM_OFFSET_SECONDS: i32 = 7 * 3600;

/// UN/ECE Recommendation 20 codes.
pub const UOM_GRAM: &str = "GRM";
pub const UOM_CELSIUS: &str = "CEL";

/// EPCIS master-data vocabulary types (EPCIS standard, master data section).
const VTYPE_EPC_CLASS: &str = "urn:epcglobal:epcis:vtype:EPCClass";
const VTYPE_BUSINESS_LOCATION: &str = "urn:epcglobal:epcis:vtype:BusinessLocation";

/// The lot an export is about: everything besides its events.
#[derive(Debug, Clone, Copy)]
pub struct EpcisLot<'a> {
    pub link: &'a DigitalLink,
    pub product_name: &'a str,
    /// The lot's quantity in grams as harvested, if known: the harvest
    /// event's quantity when that event states none.
    pub quantity_g: Option<i64>,
    pub origin_commune_code: &'a str,
    pub farm_name: &'a str,
    pub seller_id: &'a str,
    /// Base of nongsan's URIs (`NONGSAN_PUBLIC_URL`).
    pub public_url: &'a str,
    /// The GTIN is in a restricted-circulation range (assigned by nongsan,
    /// not by GS1): it names nothing at id.gs1.org.
    pub gtin_is_internal: bool,
}

/// The CBV business step for an event type: a CBV 2.0 bare word or one of
/// nongsan's URIs.
pub fn biz_step(event_type: EventType) -> &'static str {
    match event_type {
        EventType::Planting => BIZSTEP_PLANTING,
        EventType::InputApplication => BIZSTEP_INPUT_APPLICATION,
        // CBV: commissioning "encompasses … harvesting (of fruit/vegetable)".
        EventType::Harvest => "commissioning",
        EventType::Packing => "packing",
        EventType::Cooling => BIZSTEP_COOLING,
        EventType::Shipping => "shipping",
        EventType::Receiving => "receiving",
        // CBV has no "transforming"; `commissioning` would claim a new lot
        // was created, which nongsan's processing does not do.
        EventType::Processing => BIZSTEP_PROCESSING,
        // Not CBV `holding`: that says objects are being held at a place,
        // while a recall is staff declaring the whole lot recalled wherever
        // it is. The standard signal is the disposition `recalled`.
        EventType::Recall => BIZSTEP_RECALLING,
    }
}

/// The CBV disposition after an event, when one can honestly be stated.
/// Planting and input application happen before the lot exists as produce,
/// so they state none.
pub fn disposition(event_type: EventType) -> Option<&'static str> {
    match event_type {
        EventType::Planting | EventType::InputApplication => None,
        EventType::Harvest => Some("active"),
        EventType::Packing | EventType::Cooling | EventType::Receiving | EventType::Processing => {
            Some("in_progress")
        }
        EventType::Shipping => Some("in_transit"),
        EventType::Recall => Some("recalled"),
    }
}

/// `{public_url}/id/commune/{code}`, the location URI of a commune (see the
/// module docs for why not a GLN).
pub fn commune_location_uri(public_url: &str, commune_code: &str) -> String {
    format!("{}/id/commune/{}", public_url.trim_end_matches('/'), encode_segment(commune_code))
}

/// Percent-encodes every byte outside `A-Za-z0-9-._~`, as GS1's engine does,
/// so that whatever a commune code contains the URI stays valid.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn ns(term: &str) -> String {
    format!("{NONGSAN_PREFIX}:{term}")
}

fn time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The calendar date in Vietnam, which is what a farmer means by "harvested
/// on": 20:00 UTC on the 1st is already the 2nd in Vietnam.
fn vietnam_date(t: &DateTime<Utc>) -> String {
    FixedOffset::east_opt(VIETNAM_OFFSET_SECONDS)
        .map(|tz| t.with_timezone(&tz).date_naive())
        .unwrap_or_else(|| t.date_naive())
        .format("%Y-%m-%d")
        .to_string()
}

/// `urn:uuid:…` (RFC 9562, lowercase) when `id` is a UUID.
fn uuid_urn(id: &str) -> Option<String> {
    let b = id.as_bytes();
    let shaped = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    shaped.then(|| format!("urn:uuid:{}", id.to_ascii_lowercase()))
}

fn quantity_element(class: &str, grams: Option<i64>) -> Value {
    // Zero or negative amounts are not quantities of produce; leave them out
    // rather than export a nonsense number.
    match grams.filter(|g| *g > 0) {
        Some(g) => json!({ "epcClass": class, "quantity": g, "uom": UOM_GRAM }),
        None => json!({ "epcClass": class }),
    }
}

/// Does this event's `quantity_g` measure the lot itself? For planting and
/// input application it measures seed or fertiliser, so it must not be
/// exported as a quantity of the lot.
fn quantity_is_of_lot(event_type: EventType) -> bool {
    !matches!(event_type, EventType::Planting | EventType::InputApplication)
}

/// The quantity of the lot an event states. Only an event's own quantity
/// counts (an observation that states none does not claim the whole lot),
/// except harvest, whose quantity is the lot's by definition.
fn lot_quantity(lot: &EpcisLot, event: &LotEvent) -> Option<i64> {
    let own = event.details.quantity_g.filter(|_| quantity_is_of_lot(event.event_type));
    if event.event_type == EventType::Harvest {
        own.or(lot.quantity_g)
    } else {
        own
    }
}

/// Does the event happen at the lot's origin? Field work, the first packing
/// and cooling, and the dispatch happen on or near the farm for nongsan's
/// smallholders, so the origin commune is the place; receiving, processing
/// and recalls happen elsewhere (or nowhere in particular), and a free-text
/// place cannot be turned into a URI, so those events carry no location
/// (their `location` text is kept in `nongsan:location`).
fn at_origin(event_type: EventType) -> bool {
    matches!(
        event_type,
        EventType::Planting
            | EventType::InputApplication
            | EventType::Harvest
            | EventType::Packing
            | EventType::Cooling
            | EventType::Shipping
    )
}

/// Builds the EPCIS 2.0 document of a lot's events, in the order given.
pub fn epcis_document(lot: &EpcisLot, events: &[LotEvent], creation_date: DateTime<Utc>) -> Value {
    // An internal GTIN is not globally unique and does not resolve at
    // id.gs1.org, so the class is named on nongsan's own resolver instead.
    let class =
        if lot.gtin_is_internal { lot.link.uri(lot.public_url) } else { lot.link.canonical_gs1_uri() };
    let location = commune_location_uri(lot.public_url, lot.origin_commune_code);
    // The lot's quantity as last stated, for a processing step's input.
    let mut current_g = lot.quantity_g;
    let mut event_list = Vec::with_capacity(events.len());
    for e in events {
        event_list.push(epcis_event(lot, &class, &location, current_g, e));
        if let Some(g) = lot_quantity(lot, e) {
            current_g = Some(g);
        }
    }
    json!({
        "@context": [EPCIS_CONTEXT, { NONGSAN_PREFIX: NONGSAN_NS }],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": time(&creation_date),
        "epcisHeader": master_data(lot, &class, &location),
        "epcisBody": { "eventList": event_list },
    })
}

/// Master data for the lot class and its origin: the product description
/// and origin that FSMA 204 asks for with every event, stated once.
fn master_data(lot: &EpcisLot, class: &str, location: &str) -> Value {
    let attr = |term: &str, value: Value| json!({ "id": format!("{NONGSAN_NS}{term}"), "attribute": value });
    let mut class_attrs = Vec::new();
    for (term, value) in
        [("productName", lot.product_name), ("farmName", lot.farm_name), ("seller", lot.seller_id)]
    {
        if !value.trim().is_empty() {
            class_attrs.push(attr(term, json!(value)));
        }
    }
    class_attrs.push(attr("originLocation", json!(location)));
    class_attrs.push(attr("digitalLink", json!(lot.link.uri(lot.public_url))));
    json!({
        "epcisMasterData": {
            "vocabularyList": [
                {
                    "type": VTYPE_EPC_CLASS,
                    "vocabularyElementList": [{ "id": class, "attributes": class_attrs }],
                },
                {
                    "type": VTYPE_BUSINESS_LOCATION,
                    "vocabularyElementList": [{
                        "id": location,
                        "attributes": [attr("communeCode", json!(lot.origin_commune_code))],
                    }],
                },
            ]
        }
    })
}

fn epcis_event(
    lot: &EpcisLot,
    class: &str,
    location: &str,
    before_g: Option<i64>,
    event: &LotEvent,
) -> Value {
    let t = event.event_type;
    let d = &event.details;
    let mut m = Map::new();
    let is_transformation = t == EventType::Processing;
    m.insert("type".into(), json!(if is_transformation { "TransformationEvent" } else { "ObjectEvent" }));
    let event_id = uuid_urn(&event.id);
    if let Some(id) = &event_id {
        m.insert("eventID".into(), json!(id));
    }
    m.insert("eventTime".into(), json!(time(&event.occurred_at)));
    m.insert("eventTimeZoneOffset".into(), json!(EVENT_TIME_ZONE_OFFSET));
    // recordTime is when the event was captured, which is what nongsan's
    // recorded_at means.
    m.insert("recordTime".into(), json!(time(&event.recorded_at)));

    if is_transformation {
        // Same class in and out: nongsan keeps the lot code through
        // processing. In: the lot's quantity as last stated before this
        // step; out: the processed amount, if stated.
        m.insert("inputQuantityList".into(), json!([quantity_element(class, before_g)]));
        m.insert("outputQuantityList".into(), json!([quantity_element(class, d.quantity_g)]));
    } else {
        // Harvest brings the lot into existence (ADD, the only action that
        // may carry ILMD); every other event observes it.
        m.insert("action".into(), json!(if t == EventType::Harvest { "ADD" } else { "OBSERVE" }));
        m.insert("quantityList".into(), json!([quantity_element(class, lot_quantity(lot, event))]));
    }
    m.insert("bizStep".into(), json!(biz_step(t)));
    if let Some(disp) = disposition(t) {
        m.insert("disposition".into(), json!(disp));
    }
    if at_origin(t) {
        m.insert("readPoint".into(), json!({ "id": location }));
        // Goods in transit have no business location (CBV `in_transit`).
        if t != EventType::Shipping {
            m.insert("bizLocation".into(), json!({ "id": location }));
        }
    }
    if let Some(c) = d.temperature_c {
        // A temperature is a sensor report in EPCIS 2.0, even when read off
        // a thermometer by hand.
        m.insert(
            "sensorElementList".into(),
            json!([{ "sensorReport": [{ "type": "Temperature", "value": c, "uom": UOM_CELSIUS }] }]),
        );
    }
    if t == EventType::Harvest {
        m.insert("ilmd".into(), Value::Object(harvest_ilmd(event)));
    }
    extensions(&mut m, event, event_id.is_none());
    Value::Object(m)
}

/// Lot master data set at harvest: FSMA 204 harvesting KDEs. CBV's
/// `cbvmda:harvestStartDate` exists, but its JSON-LD prefix binding could not
/// be confirmed from the sources at hand, so nongsan's namespace is used.
fn harvest_ilmd(event: &LotEvent) -> Map<String, Value> {
    let d = &event.details;
    let mut ilmd = Map::new();
    ilmd.insert(ns("harvestDate"), json!(vietnam_date(&event.occurred_at)));
    if let Some(v) = &d.variety {
        ilmd.insert(ns("variety"), json!(v));
    }
    if let Some(f) = &d.field {
        ilmd.insert(ns("field"), json!(f));
    }
    ilmd
}

/// nongsan's own fields, namespaced so that EPCIS consumers can ignore them
/// safely and JSON-LD processors can expand them.
fn extensions(m: &mut Map<String, Value>, event: &LotEvent, keep_raw_id: bool) {
    let t = event.event_type;
    let EventDetails {
        note,
        location,
        field,
        variety,
        product,
        dose,
        pre_harvest_interval_days,
        quantity_g,
        package,
        temperature_c: _, // in sensorElementList
        from,
        to,
        process,
        reference_document,
        reason,
    } = &event.details;

    m.insert(ns("eventType"), json!(t.as_str()));
    m.insert(ns("seq"), json!(event.seq));
    if keep_raw_id {
        m.insert(ns("eventId"), json!(event.id));
    }
    m.insert(ns("hash"), json!(event.hash));
    m.insert(ns("prevHash"), json!(event.prev_hash));

    let harvest = t == EventType::Harvest;
    let texts = [
        ("note", note),
        ("location", location),
        // At harvest these are lot master data, in `ilmd`.
        ("field", if harvest { &None } else { field }),
        ("variety", if harvest { &None } else { variety }),
        ("inputProduct", product),
        ("inputDose", dose),
        ("package", package),
        // Free-text parties and places: no URI can be formed from them, so
        // they are not put in sourceList/destinationList.
        ("from", from),
        ("to", to),
        ("process", process),
        // A bizTransaction must be a URI, and without a GLN there is no
        // standard URI for a farmer's invoice number.
        ("referenceDocument", reference_document),
        ("reason", reason),
    ];
    for (term, value) in texts {
        if let Some(v) = value {
            m.insert(ns(term), json!(v));
        }
    }
    if let Some(days) = pre_harvest_interval_days {
        m.insert(ns("preHarvestIntervalDays"), json!(days));
    }
    if !quantity_is_of_lot(t) {
        if let Some(g) = quantity_g {
            m.insert(ns("quantityG"), json!(g));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn uuid_urn_only_for_uuids() {
        assert_eq!(
            uuid_urn("0192F3A4-5B6C-7D8E-9F01-23456789ABCD").as_deref(),
            Some("urn:uuid:0192f3a4-5b6c-7d8e-9f01-23456789abcd")
        );
        assert_eq!(uuid_urn("not a uuid"), None);
        assert_eq!(uuid_urn("0192f3a4-5b6c-7d8e-9f01-23456789abcg"), None);
        assert_eq!(uuid_urn("0192f3a4x5b6c-7d8e-9f01-23456789abcd"), None);
    }

    #[test]
    fn vietnam_date_crosses_midnight() {
        let t: DateTime<Utc> = "2025-03-01T17:00:00Z".parse().unwrap();
        assert_eq!(vietnam_date(&t), "2025-03-02");
        let t: DateTime<Utc> = "2025-03-01T16:59:59Z".parse().unwrap();
        assert_eq!(vietnam_date(&t), "2025-03-01");
    }

    #[test]
    fn commune_uri_trims_and_encodes() {
        assert_eq!(commune_location_uri("https://n.example/", "00004"), "https://n.example/id/commune/00004");
        assert_eq!(
            commune_location_uri("https://n.example", "a b/ư"),
            "https://n.example/id/commune/a%20b%2F%C6%B0"
        );
    }
}
