//! In-process rate of the full offline verification POST /api/v1/verify
//! performs (proof, purpose, history chain) on a record shaped like the
//! demo's tea lot: the baseline the HTTP figure is compared with.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use traceability::chain::{self, LotGenesis};
use traceability::credential::{self, Issuer, LotSnapshot, Origin, QuantityFacts};
use traceability::proof::{self, ProofOptions};
use traceability::{did_key, EventDetails, EventType, LotEvent};

fn demo_record() -> serde_json::Value {
    let genesis = LotGenesis {
        lot_id: "6f1c2a9e-4b7d-4c1e-9a51-0d3b8e2f7a10".into(),
        lot_code: "HT-2510-001".into(),
        gtin: "02000000000015".into(),
        product_name: "Chè Shan tuyết".into(),
        seller_id: "0b8f5a3c-2d6e-4f1a-8c7b-9e4d3a2b1c0f".into(),
        harvested_on: "2025-10-28".into(),
        origin_commune_code: "02260".into(),
        created_at: "2025-10-28T00:00:00Z".into(),
    };
    let genesis_hash = chain::genesis_hash(&genesis).unwrap();
    let kinds = [
        (EventType::Planting, "Cây chè cổ thụ trên 100 năm"),
        (EventType::InputApplication, "Phân chuồng ủ hoai"),
        (EventType::Harvest, "Hái một tôm hai lá"),
        (EventType::Processing, "Sao chè thủ công bằng chảo gang"),
        (EventType::Packing, "Túi giấy kraft 200 g"),
        (EventType::Shipping, "Kho VNPost Hà Nội"),
    ];
    let mut prev = genesis_hash.clone();
    let mut events = vec![];
    for (i, (t, note)) in kinds.iter().enumerate() {
        let mut e = LotEvent {
            id: format!("00000000-0000-4000-8000-00000000000{i}"),
            seq: i as i64 + 1,
            event_type: *t,
            occurred_at: Utc.with_ymd_and_hms(2025, 10, 1 + i as u32, 1, 0, 0).unwrap(),
            recorded_at: Utc.with_ymd_and_hms(2025, 10, 1 + i as u32, 2, 0, 0).unwrap(),
            details: EventDetails {
                note: Some(note.to_string()),
                product: (*t == EventType::InputApplication).then(|| "Phân chuồng".into()),
                dose: (*t == EventType::InputApplication).then(|| "3 kg/gốc".into()),
                to: (*t == EventType::Shipping).then(|| "Kho VNPost Hà Nội".into()),
                process: (*t == EventType::Processing).then(|| "Sao chè".into()),
                quantity_g: Some(25_000),
                ..Default::default()
            },
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        e.hash = chain::event_hash(&e).unwrap();
        prev = e.hash.clone();
        events.push(e);
    }
    let snapshot = LotSnapshot {
        genesis,
        genesis_hash,
        digital_link: "https://nongsan.example/01/02000000000015/10/HT-2510-001".into(),
        quantity: QuantityFacts { value: "25".into(), unit: "kg".into(), grams: Some(25_000) },
        origin: Origin {
            country: "VN".into(),
            commune_code: "02260".into(),
            commune_name: "Xã Hồng Thái".into(),
            province_code: "08".into(),
            province_name: "Tỉnh Tuyên Quang".into(),
            farm_name: "Đồi chè Shan tuyết Khuổi Bốc".into(),
        },
        producer_name: "Hoàng Văn Thào".into(),
        recalled: false,
        events,
    };
    let key = ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]);
    let did = did_key::did_from_public_key(&key.verifying_key());
    let now = Utc.with_ymd_and_hms(2025, 11, 2, 0, 0, 0).unwrap();
    let unsigned = credential::unsigned_record(
        &snapshot,
        7,
        "9a1b2c3d-0000-4000-8000-000000000001",
        &Issuer { did: &did, name: "Bưu điện văn hoá xã Hồng Thái" },
        now,
    );
    let options = ProofOptions {
        verification_method: did_key::verification_method(&did),
        proof_purpose: "assertionMethod".into(),
        created: Some(now),
    };
    proof::add_proof(&unsigned, &options, &key).unwrap()
}

fn bench(c: &mut Criterion) {
    let record = demo_record();
    let text = record.to_string();
    assert!(traceability::verify::offline(&record).signature_valid);
    c.bench_function("verify_record/offline (parse + proof + chain), 6 events", |b| {
        b.iter(|| {
            let value = traceability::jcs::parse_strict(std::hint::black_box(&text)).unwrap();
            let r = traceability::verify::offline(&value);
            assert!(r.signature_valid && r.history_intact);
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
