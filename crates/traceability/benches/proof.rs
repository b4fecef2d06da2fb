//! Cost of `eddsa-jcs-2022` on a realistic provenance record: a VC 2.0
//! credential for one lot of tea with ten events and Vietnamese text, shaped
//! like `credential::unsigned_record` (built here with `json!` so the bench
//! depends only on the crypto modules).
//!
//! Run: `cargo bench -p traceability --bench proof`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use traceability::did_key;
use traceability::jcs::canonicalize;
use traceability::proof::{add_proof, verify_proof, ProofOptions};

const EVENTS: [(&str, &str, &str); 10] = [
    ("input_application", "Bón phân hữu cơ vi sinh Sông Gianh, 2 kg/sào", "Đồi chè số 3, bản Păng Cáng"),
    ("harvest", "Hái một tôm hai lá, sáng sớm sau sương", "Đồi chè số 3, bản Păng Cáng"),
    ("cooling", "Làm héo trong nhà lạnh 18 °C", "Xưởng chế biến Hợp tác xã Suối Giàng"),
    ("processing", "Sao chè bằng chảo gang, vò tay ba lần", "Xưởng chế biến Hợp tác xã Suối Giàng"),
    ("inspection", "Kiểm tra dư lượng thuốc bảo vệ thực vật: đạt", "Trung tâm Kiểm nghiệm Yên Bái"),
    ("packing", "Đóng túi 500 g, hút chân không", "Xưởng chế biến Hợp tác xã Suối Giàng"),
    ("shipping", "Gửi qua Viettel Post, mã vận đơn VTP123456789", "Văn Chấn, Yên Bái"),
    ("receiving", "Nhận hàng nguyên vẹn, nhiệt độ kho 22 °C", "Cửa hàng Nông Sản Sạch, Cầu Giấy, Hà Nội"),
    ("storing", "Bảo quản nơi khô ráo, tránh ánh nắng trực tiếp", "Cửa hàng Nông Sản Sạch, Cầu Giấy, Hà Nội"),
    ("sale", "Bán lẻ cho khách tại cửa hàng", "Cửa hàng Nông Sản Sạch, Cầu Giấy, Hà Nội"),
];

fn credential(issuer_did: &str) -> Value {
    let mut prev = "9f2c1e0b7a6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b".to_string();
    let events: Vec<Value> = EVENTS
        .iter()
        .enumerate()
        .map(|(i, (kind, note, location))| {
            let hash = format!("{:064x}", (i as u128 + 1) * 0x1234_5678_9abc_def0_1234_5678_9abc_def0);
            let event = json!({
                "id": format!("0193f2a4-7c1e-7b3a-9d2f-5e6a7b8c9d{i:02}"),
                "lot_id": "0193f2a4-6b00-7c1e-8a2b-3c4d5e6f7a8b",
                "seq": i + 1,
                "type": kind,
                "occurred_at": format!("2025-10-{:02}T0{}:30:00Z", i + 3, i % 10),
                "recorded_at": format!("2025-10-{:02}T1{}:00:00Z", i + 3, i % 10),
                "actor": "Nguyễn Thị Hương",
                "details": {
                    "note": note,
                    "location": location,
                    "variety": "Shan tuyết cổ thụ",
                    "quantity_g": 125_000 - 9_000 * i as i64,
                    "reference_document": format!("HĐ-2025/{:04}", 117 + i),
                },
                "prev_hash": prev,
                "hash": hash,
            });
            prev = hash;
            event
        })
        .collect();
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0193f2a4-9a00-7d1e-8f2b-1c2d3e4f5a6b",
        "type": ["VerifiableCredential", "LotProvenanceCredential"],
        "name": "Nguồn gốc Chè Shan tuyết Suối Giàng — lô SG-2025-10-03",
        "issuer": { "id": issuer_did, "name": "Hợp tác xã Chè Shan tuyết Suối Giàng" },
        "validFrom": "2025-10-13T08:00:00Z",
        "credentialSubject": {
            "id": "https://nongsan.example/01/08930000000017/10/SG-2025-10-03",
            "type": "HarvestLot",
            "lot_id": "0193f2a4-6b00-7c1e-8a2b-3c4d5e6f7a8b",
            "lot_code": "SG-2025-10-03",
            "gtin": "08930000000017",
            "product_name": "Chè Shan tuyết Suối Giàng",
            "quantity": { "value": "125", "unit": "kg", "grams": 125_000 },
            "harvested_on": "2025-10-04",
            "origin": {
                "country": "VN",
                "commune_code": "04531",
                "commune_name": "Xã Suối Giàng",
                "province_code": "15",
                "province_name": "Tỉnh Yên Bái",
                "farm_name": "Vườn chè cổ thụ nhà ông Giàng A Páo",
            },
            "producer": { "seller_id": "0193f2a4-5a00-7b1e-9c2d-4e5f6a7b8c9d", "name": "Giàng A Páo" },
            "status": "active",
            "record_version": 3,
            "genesis_hash": "9f2c1e0b7a6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b",
            "head_hash": prev,
            "events": events,
        }
    })
}

fn bench(c: &mut Criterion) {
    let key = SigningKey::from_bytes(&[7; 32]);
    let did = did_key::did_from_public_key(&key.verifying_key());
    let options = ProofOptions {
        verification_method: did_key::verification_method(&did),
        proof_purpose: "assertionMethod".into(),
        created: Some(Utc.with_ymd_and_hms(2025, 10, 13, 8, 0, 0).unwrap()),
    };
    let unsigned = credential(&did);
    let secured = add_proof(&unsigned, &options, &key).unwrap();
    assert!(verify_proof(&secured).is_valid());
    eprintln!(
        "credential: {} events, {} bytes canonical",
        EVENTS.len(),
        canonicalize(&unsigned).unwrap().len()
    );

    c.bench_function("jcs canonicalize (10-event credential)", |b| {
        b.iter(|| canonicalize(black_box(&unsigned)).unwrap())
    });
    c.bench_function("add_proof: canonicalize + sign", |b| {
        b.iter(|| add_proof(black_box(&unsigned), &options, &key).unwrap())
    });
    c.bench_function("verify_proof", |b| b.iter(|| verify_proof(black_box(&secured))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
