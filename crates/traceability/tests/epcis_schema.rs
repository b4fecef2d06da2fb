//! The EPCIS export against GS1's own EPCIS 2.0 JSON Schema and examples
//! (vendored in `tests/vectors/epcis/`, see its README for source and terms).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use traceability::digital_link::{DigitalLink, LotCode};
use traceability::exports::epcis::{epcis_document, EpcisLot, NONGSAN_NS, NONGSAN_PREFIX};
use traceability::gtin::Gtin;
use traceability::{EventDetails, EventType, LotEvent};

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/epcis")
}

fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema() -> Value {
    read_json(&vectors().join("EPCIS-JSON-Schema.json"))
}

fn validator() -> jsonschema::Validator {
    // Draft 7 with format assertions on, as GS1 validated its examples
    // (README: Python Draft7Validator with its format checker).
    jsonschema::draft7::options().should_validate_formats(true).build(&schema()).unwrap()
}

fn schema_errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

/// The CBV 2.0 bare words the schema lists for `definition`.
fn cbv_enum(definition: &str) -> BTreeSet<String> {
    let s = schema();
    let any_of = s["definitions"][definition]["anyOf"].as_array().unwrap();
    let words: BTreeSet<String> = any_of
        .iter()
        .filter_map(|branch| branch.get("enum"))
        .flat_map(|e| e.as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_owned()))
        .collect();
    assert!(words.len() > 20, "{definition}: enum not found in schema");
    words
}

/// RFC 3986 absolute URI: scheme ":" then something, no whitespace.
fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A CBV value must be a listed bare word, or an absolute URI outside GS1's
/// CBV namespaces (a URI there would have to be a listed term too).
fn cbv_value_ok(value: &str, words: &BTreeSet<String>) -> bool {
    if words.contains(value) {
        return true;
    }
    is_absolute_uri(value)
        && !value.starts_with("urn:epcglobal:cbv")
        && !value.starts_with("https://ns.gs1.org/cbv/")
        && !value.starts_with("http://ns.gs1.org/cbv/")
}

const GTIN: &str = "08938000000015";

fn link() -> DigitalLink {
    DigitalLink::new(Gtin::parse(GTIN).unwrap(), LotCode::parse("SHAN-2025-07").unwrap())
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn details_for(t: EventType) -> EventDetails {
    let s = |v: &str| Some(v.to_owned());
    let d = match t {
        EventType::Planting => {
            EventDetails { variety: s("Shan tuyết"), field: s("Đồi chè số 2"), ..Default::default() }
        }
        EventType::InputApplication => EventDetails {
            product: s("Phân hữu cơ vi sinh"),
            dose: s("2 kg/sào"),
            pre_harvest_interval_days: Some(14),
            quantity_g: Some(20_000),
            ..Default::default()
        },
        EventType::Harvest => EventDetails {
            variety: s("Shan tuyết"),
            field: s("Đồi chè số 2"),
            quantity_g: Some(125_500),
            note: s("Hái một tôm hai lá"),
            ..Default::default()
        },
        EventType::Packing => {
            EventDetails { package: s("túi 500 g"), quantity_g: Some(120_000), ..Default::default() }
        }
        EventType::Cooling => {
            EventDetails { temperature_c: Some(4), location: s("Kho lạnh HTX"), ..Default::default() }
        }
        EventType::Shipping => EventDetails {
            to: s("Bưu điện Hà Giang"),
            reference_document: s("VN-2025-000123"),
            ..Default::default()
        },
        EventType::Receiving => EventDetails { from: s("Bưu điện Hà Giang"), ..Default::default() },
        EventType::Processing => {
            EventDetails { process: s("sao chè"), quantity_g: Some(25_000), ..Default::default() }
        }
        EventType::Recall => {
            EventDetails { reason: s("Dư lượng thuốc BVTV vượt ngưỡng"), ..Default::default() }
        }
    };
    d.validate_for(t).unwrap();
    d
}

fn one_event_of_each_type() -> Vec<LotEvent> {
    let start = at("2025-03-01T01:00:00Z");
    EventType::ALL
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let occurred_at = start + Duration::days(i as i64 * 3);
            LotEvent {
                id: format!("0192f3a4-5b6c-7d8e-9f01-{:012x}", i + 1),
                seq: i as i64 + 1,
                event_type: t,
                occurred_at,
                recorded_at: occurred_at + Duration::minutes(5),
                details: details_for(t),
                prev_hash: format!("{:064x}", i),
                hash: format!("{:064x}", i + 1),
            }
        })
        .collect()
}

fn lot<'a>(link: &'a DigitalLink, quantity_g: Option<i64>) -> EpcisLot<'a> {
    EpcisLot {
        link,
        product_name: "Chè Shan tuyết",
        quantity_g,
        origin_commune_code: "00691",
        farm_name: "Vườn chè nhà ông Giàng A Páo",
        seller_id: "0192f3a4-0000-7000-8000-000000000042",
        public_url: "https://nongsan.example/",
        gtin_is_internal: false,
    }
}

fn document(quantity_g: Option<i64>) -> Value {
    let link = link();
    epcis_document(&lot(&link, quantity_g), &one_event_of_each_type(), at("2025-04-01T00:00:00Z"))
}

fn events(doc: &Value) -> &Vec<Value> {
    doc["epcisBody"]["eventList"].as_array().unwrap()
}

fn by_type(doc: &Value, t: EventType) -> &Value {
    events(doc).iter().find(|e| e["nongsan:eventType"] == t.as_str()).unwrap()
}

#[test]
fn every_vendored_example_validates() {
    let v = validator();
    let mut count = 0;
    let mut entries: Vec<_> =
        std::fs::read_dir(vectors().join("examples")).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let doc = read_json(&path);
        let errors = schema_errors(&v, &doc);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        count += 1;
    }
    assert_eq!(count, 7, "the README lists seven examples");
}

#[test]
fn export_with_every_event_type_validates() {
    let v = validator();
    for quantity in [Some(125_500), None] {
        let doc = document(quantity);
        assert_eq!(events(&doc).len(), EventType::ALL.len());
        let errors = schema_errors(&v, &doc);
        assert!(errors.is_empty(), "{errors:#?}\n{}", serde_json::to_string_pretty(&doc).unwrap());
    }
}

#[test]
fn empty_history_validates() {
    let link = link();
    let doc = epcis_document(&lot(&link, None), &[], at("2025-04-01T00:00:00Z"));
    assert!(schema_errors(&validator(), &doc).is_empty());
    assert_eq!(events(&doc).len(), 0);
}

#[test]
fn biz_steps_and_dispositions_are_cbv_words_or_uris() {
    let steps = cbv_enum("bizStep");
    let dispositions = cbv_enum("disposition");
    // The checker itself must be able to fail.
    assert!(!cbv_value_ok("harvesting", &steps));
    assert!(!cbv_value_ok("cooling", &steps));
    assert!(
        !cbv_value_ok("https://ns.gs1.org/cbv/BizStep-harvesting", &steps) || steps.contains("harvesting")
    );
    assert!(cbv_value_ok("commissioning", &steps));

    let doc = document(Some(125_500));
    let mut seen_steps = 0;
    for e in events(&doc) {
        let step = e["bizStep"].as_str().unwrap();
        assert!(cbv_value_ok(step, &steps), "bizStep {step}");
        seen_steps += 1;
        if let Some(d) = e.get("disposition") {
            let d = d.as_str().unwrap();
            assert!(cbv_value_ok(d, &dispositions), "disposition {d}");
        }
    }
    assert_eq!(seen_steps, EventType::ALL.len());
    let text = serde_json::to_string(&doc).unwrap();
    assert!(!text.to_lowercase().contains("harvesting"), "CBV has no harvesting");
}

#[test]
fn mapping_of_each_event_type() {
    let doc = document(Some(125_500));
    let class = format!("https://id.gs1.org/01/{GTIN}/10/SHAN-2025-07");
    let place = "https://nongsan.example/id/commune/00691";

    assert_eq!(
        doc["@context"],
        json!(["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", { "nongsan": "https://ns.nongsan.vn/epcis/" }])
    );
    assert_eq!(doc["schemaVersion"], "2.0");
    assert_eq!(doc["creationDate"], "2025-04-01T00:00:00Z");

    for e in events(&doc) {
        assert_eq!(e["eventTimeZoneOffset"], "+07:00");
        assert!(e["eventTime"].as_str().unwrap().ends_with('Z'));
        assert!(e["eventID"].as_str().unwrap().starts_with("urn:uuid:0192f3a4-5b6c-7d8e-9f01-"));
        // Every field that is not a standard EPCIS one is namespaced.
        for key in e.as_object().unwrap().keys() {
            let standard = [
                "type",
                "eventID",
                "eventTime",
                "eventTimeZoneOffset",
                "recordTime",
                "action",
                "quantityList",
                "inputQuantityList",
                "outputQuantityList",
                "bizStep",
                "disposition",
                "readPoint",
                "bizLocation",
                "sensorElementList",
                "ilmd",
            ];
            assert!(standard.contains(&key.as_str()) || key.starts_with("nongsan:"), "{key}");
        }
    }
    assert_eq!(NONGSAN_PREFIX, "nongsan");
    assert_eq!(doc["@context"][1][NONGSAN_PREFIX], NONGSAN_NS);

    let planting = by_type(&doc, EventType::Planting);
    assert_eq!(planting["action"], "OBSERVE");
    assert_eq!(planting["bizStep"], "https://ns.nongsan.vn/voc/BizStep-planting");
    assert!(planting.get("disposition").is_none());
    // Planting has no quantity of the lot: only the class.
    assert_eq!(planting["quantityList"], json!([{ "epcClass": class }]));

    let input = by_type(&doc, EventType::InputApplication);
    assert_eq!(input["bizStep"], "https://ns.nongsan.vn/voc/BizStep-input_application");
    assert_eq!(input["nongsan:inputProduct"], "Phân hữu cơ vi sinh");
    assert_eq!(input["nongsan:inputDose"], "2 kg/sào");
    assert_eq!(input["nongsan:preHarvestIntervalDays"], 14);
    // 20 kg of fertiliser is not 20 kg of tea.
    assert_eq!(input["nongsan:quantityG"], 20_000);
    assert_eq!(input["quantityList"], json!([{ "epcClass": class }]));

    let harvest = by_type(&doc, EventType::Harvest);
    assert_eq!(harvest["type"], "ObjectEvent");
    assert_eq!(harvest["action"], "ADD");
    assert_eq!(harvest["bizStep"], "commissioning");
    assert_eq!(harvest["disposition"], "active");
    assert_eq!(harvest["quantityList"], json!([{ "epcClass": class, "quantity": 125_500, "uom": "GRM" }]));
    assert_eq!(harvest["readPoint"], json!({ "id": place }));
    assert_eq!(harvest["bizLocation"], json!({ "id": place }));
    assert_eq!(
        harvest["ilmd"],
        json!({ "nongsan:harvestDate": "2025-03-07", "nongsan:variety": "Shan tuyết", "nongsan:field": "Đồi chè số 2" })
    );
    assert!(harvest.get("nongsan:variety").is_none());
    assert_eq!(harvest["nongsan:note"], "Hái một tôm hai lá");
    assert_eq!(harvest["nongsan:seq"], 3);
    assert_eq!(harvest["nongsan:hash"], format!("{:064x}", 3));
    assert_eq!(harvest["nongsan:prevHash"], format!("{:064x}", 2));

    let packing = by_type(&doc, EventType::Packing);
    assert_eq!((packing["action"].as_str(), packing["bizStep"].as_str()), (Some("OBSERVE"), Some("packing")));
    assert_eq!(packing["quantityList"][0]["quantity"], 120_000);

    let cooling = by_type(&doc, EventType::Cooling);
    assert_eq!(cooling["bizStep"], "https://ns.nongsan.vn/voc/BizStep-cooling");
    assert_eq!(
        cooling["sensorElementList"],
        json!([{ "sensorReport": [{ "type": "Temperature", "value": 4, "uom": "CEL" }] }])
    );
    // States no quantity, so claims none (not the lot's 125.5 kg).
    assert_eq!(cooling["quantityList"], json!([{ "epcClass": class }]));
    assert_eq!(cooling["nongsan:location"], "Kho lạnh HTX");

    let shipping = by_type(&doc, EventType::Shipping);
    assert_eq!(
        (shipping["bizStep"].as_str(), shipping["disposition"].as_str()),
        (Some("shipping"), Some("in_transit"))
    );
    assert_eq!(shipping["readPoint"], json!({ "id": place }));
    assert!(shipping.get("bizLocation").is_none());
    assert!(shipping.get("destinationList").is_none());
    assert_eq!(shipping["nongsan:to"], "Bưu điện Hà Giang");
    assert_eq!(shipping["nongsan:referenceDocument"], "VN-2025-000123");

    let receiving = by_type(&doc, EventType::Receiving);
    assert_eq!(receiving["bizStep"], "receiving");
    assert!(receiving.get("readPoint").is_none());
    assert_eq!(receiving["nongsan:from"], "Bưu điện Hà Giang");

    let processing = by_type(&doc, EventType::Processing);
    assert_eq!(processing["type"], "TransformationEvent");
    assert!(processing.get("action").is_none());
    // Input: the quantity last stated before processing (packing's 120 kg).
    assert_eq!(
        processing["inputQuantityList"],
        json!([{ "epcClass": class, "quantity": 120_000, "uom": "GRM" }])
    );
    assert_eq!(
        processing["outputQuantityList"],
        json!([{ "epcClass": class, "quantity": 25_000, "uom": "GRM" }])
    );
    assert_eq!(processing["nongsan:process"], "sao chè");

    let recall = by_type(&doc, EventType::Recall);
    assert_eq!(recall["action"], "OBSERVE");
    assert_eq!(recall["quantityList"], json!([{ "epcClass": class }]));
    assert_eq!(recall["disposition"], "recalled");
    assert_eq!(recall["nongsan:reason"], "Dư lượng thuốc BVTV vượt ngưỡng");

    let master = &doc["epcisHeader"]["epcisMasterData"]["vocabularyList"];
    assert_eq!(master[0]["vocabularyElementList"][0]["id"], class);
    let attrs = master[0]["vocabularyElementList"][0]["attributes"].as_array().unwrap();
    assert!(attrs.contains(
        &json!({ "id": "https://ns.nongsan.vn/epcis/productName", "attribute": "Chè Shan tuyết" })
    ));
    assert!(attrs.contains(&json!({
        "id": "https://ns.nongsan.vn/epcis/digitalLink",
        "attribute": format!("https://nongsan.example/01/{GTIN}/10/SHAN-2025-07"),
    })));
    assert_eq!(master[1]["vocabularyElementList"][0]["id"], place);
}

#[test]
fn lot_quantity_fills_in_for_a_harvest_that_states_none() {
    let link = link();
    let class = format!("https://id.gs1.org/01/{GTIN}/10/SHAN-2025-07");
    let mut evs = one_event_of_each_type();
    for e in &mut evs {
        e.details.quantity_g = None;
    }
    for (lot_g, expected) in [
        (Some(125_500), json!([{ "epcClass": class, "quantity": 125_500, "uom": "GRM" }])),
        (None, json!([{ "epcClass": class }])),
    ] {
        let doc = epcis_document(&lot(&link, lot_g), &evs, at("2025-04-01T00:00:00Z"));
        assert_eq!(by_type(&doc, EventType::Harvest)["quantityList"], expected);
        // Processing consumed the lot as last stated: the harvest's.
        assert_eq!(by_type(&doc, EventType::Processing)["inputQuantityList"], expected);
        assert_eq!(
            by_type(&doc, EventType::Processing)["outputQuantityList"],
            json!([{ "epcClass": class }])
        );
        assert_eq!(by_type(&doc, EventType::Packing)["quantityList"], json!([{ "epcClass": class }]));
        assert!(schema_errors(&validator(), &doc).is_empty());
    }
}

#[test]
fn quantities_are_integers() {
    let doc = document(None);
    // Quantities are integers, never floats.
    let text = serde_json::to_string(&doc).unwrap();
    for e in events(&doc) {
        for list in ["quantityList", "inputQuantityList", "outputQuantityList"] {
            for q in e.get(list).and_then(Value::as_array).into_iter().flatten() {
                if let Some(n) = q.get("quantity") {
                    assert!(n.is_i64(), "{n} in {text}");
                }
            }
        }
    }
}

#[test]
fn non_uuid_event_id_is_kept_as_an_extension() {
    let link = link();
    let mut evs = one_event_of_each_type();
    evs[0].id = "legacy-42".into();
    let doc = epcis_document(&lot(&link, None), &evs, at("2025-04-01T00:00:00Z"));
    let first = &events(&doc)[0];
    assert!(first.get("eventID").is_none());
    assert_eq!(first["nongsan:eventId"], "legacy-42");
    assert!(events(&doc)[1].get("nongsan:eventId").is_none());
    assert!(schema_errors(&validator(), &doc).is_empty());
}

/// The schema checks must be able to fail: break the export in ways a
/// careless mapping could, and expect the validator to object.
#[test]
fn validator_rejects_broken_exports() {
    let v = validator();
    let good = document(Some(125_500));
    assert!(schema_errors(&v, &good).is_empty());
    fn idx(t: EventType) -> usize {
        EventType::ALL.iter().position(|x| *x == t).unwrap()
    }

    type Breakage = (&'static str, Box<dyn Fn(&mut Value)>);
    let breakages: Vec<Breakage> = vec![
        (
            "ObjectEvent without action",
            Box::new(|d| {
                d["epcisBody"]["eventList"][idx(EventType::Packing)]
                    .as_object_mut()
                    .unwrap()
                    .remove("action");
            }),
        ),
        (
            "ilmd on an OBSERVE",
            Box::new(|d| {
                d["epcisBody"]["eventList"][idx(EventType::Packing)]["ilmd"] = json!({ "nongsan:x": 1 });
            }),
        ),
        (
            "un-namespaced extension",
            Box::new(|d| {
                d["epcisBody"]["eventList"][0]["dose"] = json!("2 kg");
            }),
        ),
        (
            "uom not a UN/ECE code",
            Box::new(|d| {
                d["epcisBody"]["eventList"][idx(EventType::Harvest)]["quantityList"][0]["uom"] =
                    json!("grams");
            }),
        ),
        (
            "quantity as a string",
            Box::new(|d| {
                d["epcisBody"]["eventList"][idx(EventType::Harvest)]["quantityList"][0]["quantity"] =
                    json!("125.5");
            }),
        ),
        (
            "bare non-CBV bizStep",
            Box::new(|d| {
                d["epcisBody"]["eventList"][idx(EventType::Harvest)]["bizStep"] = json!("harvesting");
            }),
        ),
        (
            "bad time zone offset",
            Box::new(|d| {
                d["epcisBody"]["eventList"][0]["eventTimeZoneOffset"] = json!("+7");
            }),
        ),
        (
            "transformation without outputs",
            Box::new(|d| {
                d["epcisBody"]["eventList"][idx(EventType::Processing)]
                    .as_object_mut()
                    .unwrap()
                    .remove("outputQuantityList");
            }),
        ),
        (
            "no @context",
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("@context");
            }),
        ),
    ];
    for (what, breakage) in breakages {
        let mut doc = good.clone();
        breakage(&mut doc);
        assert!(!schema_errors(&v, &doc).is_empty(), "schema accepted: {what}");
    }
}

#[test]
fn an_internal_gtin_is_named_on_nongsans_resolver_not_gs1s() {
    let link = DigitalLink::parse_path("/01/02000000000015/10/HT-2510-001").unwrap();
    let mut internal = lot(&link, Some(1000));
    internal.gtin_is_internal = true;
    let doc = epcis_document(&internal, &one_event_of_each_type(), at("2025-04-01T00:00:00Z"));
    let text = doc.to_string();
    assert!(
        !text.contains("id.gs1.org/01/02000000000015"),
        "a restricted-range GTIN resolves nowhere at GS1"
    );
    assert!(text.contains("https://nongsan.example/01/02000000000015/10/HT-2510-001"), "{text}");
    let errors = schema_errors(&validator(), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
}
