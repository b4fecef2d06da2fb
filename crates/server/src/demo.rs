//! `serve --demo`: fills an empty database with believable data from real
//! places, so a new user can click through the whole flow at once.

use accounts::{passwords, users, Actor, Phone, Role};
use anyhow::Context;
use serde_json::json;
use traceability::lots::{self, NewEvent, NewLot, TraceSettings};
use traceability::EventDetails;

use crate::config::Config;

pub const DEMO_PASSWORD: &str = "nongsan-demo";

struct DemoFarmer {
    name: &'static str,
    phone: &'static str,
    national_id: &'static str,
    commune: &'static str,
    address: &'static str,
    farm: &'static str,
    bank_bin: &'static str,
    account: &'static str,
}

const FARMERS: [DemoFarmer; 3] = [
    DemoFarmer {
        name: "Hoàng Văn Thào",
        phone: "0912000101",
        national_id: "008080001234",
        commune: "02260",
        address: "Thôn Khuổi Bốc, xã Hồng Thái, Tuyên Quang",
        farm: "Đồi chè Shan tuyết Khuổi Bốc",
        bank_bin: "970405",
        account: "8800205123456",
    },
    DemoFarmer {
        name: "Giàng A Sử",
        phone: "0912000102",
        national_id: "015085004321",
        commune: "04630",
        address: "Bản Tú Lệ, xã Tú Lệ, Lào Cai",
        farm: "Ruộng nếp Tú Lệ nhà Giàng A Sử",
        bank_bin: "970449",
        account: "030012345678",
    },
    DemoFarmer {
        name: "Nguyễn Thị Lan",
        phone: "0912000103",
        national_id: "026190007777",
        commune: "08911",
        address: "Thôn Đền Thõng, xã Tam Đảo, Phú Thọ",
        farm: "Vườn su su Tam Đảo",
        bank_bin: "970418",
        account: "21510001234567",
    },
];

fn event(kind: &str, at: &str, details: EventDetails) -> NewEvent {
    NewEvent { event_type: kind.into(), occurred_at: at.into(), details }
}

/// Seeds the demo when the database has no accounts yet; returns what to print.
pub fn seed(
    pool: &storage::Pool,
    master: &vault::MasterKey,
    config: &Config,
    public_url: &str,
) -> anyhow::Result<String> {
    let mut conn = pool.get()?;
    use diesel::prelude::*;
    let existing: i64 = storage::schema::users::table.count().get_result(&mut conn)?;
    if existing > 0 {
        return Ok("demo: the database already has accounts; nothing added".into());
    }
    let settings = TraceSettings {
        public_url: public_url.into(),
        gtin_company_prefix: config.gtin_company_prefix.clone(),
    };
    let hash = passwords::hash_password(DEMO_PASSWORD)?;

    let operator =
        traceability::keys::operator_organisation(&mut conn)?.context("no operator organisation")?;
    let post_office = traceability::keys::create_organisation(
        &mut conn,
        traceability::keys::ORG_POST_OFFICE,
        "Bưu điện văn hoá xã Hồng Thái",
        Some("02260"),
    )?;
    // The post office signs the records of the farmers it onboards.
    traceability::keys::new_key(&mut conn, master, &post_office)?;

    let org_id = |id: &str| common::OrganisationId::parse(id).context("organisation id");
    let (operator_id, post_office_id) = (org_id(&operator)?, org_id(&post_office)?);
    let mk_user = |conn: &mut storage::DbConnection,
                   role,
                   phone: &str,
                   name: &str,
                   org: Option<&common::OrganisationId>| {
        users::insert_user(
            conn,
            users::NewUser {
                role,
                phone: &Phone::parse(phone)?,
                name,
                password_hash: Some(hash.clone()),
                organisation_id: org,
            },
        )
    };
    let admin = mk_user(&mut conn, Role::Admin, "0900000001", "Quản trị nongsan", Some(&operator_id))?;
    let staff = mk_user(
        &mut conn,
        Role::Staff,
        "0900000002",
        "Ma Thị Hằng (Bưu điện Hồng Thái)",
        Some(&post_office_id),
    )?;
    let buyer = mk_user(&mut conn, Role::Buyer, "0900000003", "Trần Minh Anh", None)?;
    let staff_actor = Actor::acting_as(&staff.id, Role::Staff, &staff.name, Some(&post_office_id));

    let mut seller_ids = vec![];
    for f in &FARMERS {
        let input: market::sellers::OnboardSeller = serde_json::from_value(json!({
            "full_name": f.name, "phone": f.phone, "national_id": f.national_id,
            "commune_code": f.commune, "address": f.address, "farm_name": f.farm,
            "bank": {"bin": f.bank_bin, "account_number": f.account, "account_name": f.name},
            "consent": {"terms_version": "2025-07", "method": "paper_form"}
        }))?;
        let created = market::sellers::store::onboard(
            &mut conn,
            master,
            &staff_actor,
            &input,
            chrono::Duration::days(14),
        )?;
        let farmer = common::UserId::parse(&created.user_id).context("farmer's user id")?;
        users::set_password_hash(&mut conn, &farmer, &hash)?;
        seller_ids.push(created.id);
    }

    let tea = lots::create_lot(
        &mut conn,
        master,
        &settings,
        &staff_actor,
        &NewLot {
            product_name: "Chè Shan tuyết".into(),
            quantity: json!("25"),
            unit: "kg".into(),
            harvested_on: "2025-10-28".into(),
            commune_code: "02260".into(),
            gtin: None,
            seller_id: Some(seller_ids[0].clone()),
            lot_code: Some("HT-2510-001".into()),
            farm_name: None,
        },
    )?;
    let tea_events = [
        event(
            "planting",
            "2025-03-05T07:00:00+07:00",
            EventDetails {
                variety: Some("Shan tuyết cổ thụ".into()),
                field: Some("Đồi Khuổi Bốc".into()),
                note: Some("Cây chè cổ thụ trên 100 năm, không tưới tiêu".into()),
                ..Default::default()
            },
        ),
        event(
            "input_application",
            "2025-06-12T06:30:00+07:00",
            EventDetails {
                product: Some("Phân chuồng ủ hoai".into()),
                dose: Some("3 kg/gốc".into()),
                pre_harvest_interval_days: Some(60),
                ..Default::default()
            },
        ),
        event(
            "harvest",
            "2025-10-28T06:00:00+07:00",
            EventDetails {
                quantity_g: Some(25_000),
                field: Some("Đồi Khuổi Bốc".into()),
                note: Some("Hái một tôm hai lá".into()),
                ..Default::default()
            },
        ),
        event(
            "processing",
            "2025-10-28T14:00:00+07:00",
            EventDetails {
                process: Some("Sao chè thủ công bằng chảo gang".into()),
                quantity_g: Some(5_000),
                ..Default::default()
            },
        ),
        event(
            "packing",
            "2025-10-30T09:00:00+07:00",
            EventDetails {
                package: Some("Túi giấy kraft 200 g".into()),
                quantity_g: Some(5_000),
                location: Some("Hợp tác xã chè Hồng Thái".into()),
                ..Default::default()
            },
        ),
        event(
            "shipping",
            "2025-11-02T08:00:00+07:00",
            EventDetails {
                from: Some("Bưu điện văn hoá xã Hồng Thái".into()),
                to: Some("Kho VNPost Hà Nội".into()),
                reference_document: Some("VN123456789".into()),
                ..Default::default()
            },
        ),
    ];
    for e in &tea_events {
        lots::add_event(&mut conn, master, &settings, &staff_actor, &tea.id, e)?;
    }

    let rice = lots::create_lot(
        &mut conn,
        master,
        &settings,
        &staff_actor,
        &NewLot {
            product_name: "Gạo nếp Tú Lệ".into(),
            quantity: json!(120),
            unit: "kg".into(),
            harvested_on: "2025-10-05".into(),
            commune_code: "04630".into(),
            gtin: None,
            seller_id: Some(seller_ids[1].clone()),
            lot_code: Some("TL-2510-007".into()),
            farm_name: None,
        },
    )?;
    for e in [
        event(
            "planting",
            "2025-06-01T07:00:00+07:00",
            EventDetails {
                variety: Some("Nếp Tan Tú Lệ".into()),
                field: Some("Ruộng bậc thang bản Tú Lệ".into()),
                ..Default::default()
            },
        ),
        event(
            "harvest",
            "2025-10-05T07:00:00+07:00",
            EventDetails { quantity_g: Some(150_000), ..Default::default() },
        ),
        event(
            "processing",
            "2025-10-10T08:00:00+07:00",
            EventDetails {
                process: Some("Phơi và xay xát".into()),
                quantity_g: Some(120_000),
                ..Default::default()
            },
        ),
        event(
            "packing",
            "2025-10-12T08:00:00+07:00",
            EventDetails { package: Some("Túi vải 5 kg".into()), ..Default::default() },
        ),
    ] {
        lots::add_event(&mut conn, master, &settings, &staff_actor, &rice.id, &e)?;
    }

    let chayote = lots::create_lot(
        &mut conn,
        master,
        &settings,
        &staff_actor,
        &NewLot {
            product_name: "Su su Tam Đảo".into(),
            quantity: json!("300"),
            unit: "kg".into(),
            harvested_on: "2025-11-01".into(),
            commune_code: "08911".into(),
            gtin: None,
            seller_id: Some(seller_ids[2].clone()),
            lot_code: Some("TD-2511-003".into()),
            farm_name: None,
        },
    )?;
    for e in [
        event(
            "input_application",
            "2025-10-01T06:00:00+07:00",
            EventDetails {
                product: Some("Chế phẩm sinh học Trichoderma".into()),
                dose: Some("1 kg/sào".into()),
                pre_harvest_interval_days: Some(7),
                ..Default::default()
            },
        ),
        event(
            "harvest",
            "2025-11-01T05:30:00+07:00",
            EventDetails { quantity_g: Some(300_000), ..Default::default() },
        ),
        event(
            "cooling",
            "2025-11-01T09:00:00+07:00",
            EventDetails {
                temperature_c: Some(8),
                location: Some("Kho lạnh HTX Tam Đảo".into()),
                ..Default::default()
            },
        ),
    ] {
        lots::add_event(&mut conn, master, &settings, &staff_actor, &chayote.id, &e)?;
    }

    // What the farmers sell, with staff listing for them as at the counter.
    let links = market::listings::LinkBase { public_url: public_url.into() };
    let listing = |conn: &mut storage::DbConnection, seller: &str, body: serde_json::Value| {
        let mut input: market::listings::NewListing = serde_json::from_value(body)?;
        input.seller_id = Some(seller.to_string());
        anyhow::Ok(market::listings::store::create(conn, &links, &staff_actor, &input)?)
    };
    let tea_listing = listing(
        &mut conn,
        &seller_ids[0],
        json!({"title": "Chè Shan tuyết Hồng Thái túi 200 g", "category": "che", "unit": "goi",
               "price_vnd": 180000, "quantity": 25, "unit_weight_g": 230, "lot_id": tea.id,
               "description": "Búp chè Shan tuyết cổ thụ hái tay, sao chảo gang. Pha 90 °C."}),
    )?;
    listing(
        &mut conn,
        &seller_ids[0],
        json!({"title": "Măng nứa khô Hồng Thái", "category": "rau", "unit": "kg", "price_vnd": 320000,
               "quantity": 12, "description": "Măng rừng luộc, phơi nắng, không chất bảo quản."}),
    )?;
    listing(
        &mut conn,
        &seller_ids[1],
        json!({"title": "Gạo nếp Tú Lệ túi 5 kg", "category": "gao", "unit": "tui", "price_vnd": 250000,
               "quantity": 24, "unit_weight_g": 5050, "lot_id": rice.id, "description": "Nếp Tan ruộng bậc thang, dẻo thơm."}),
    )?;
    listing(
        &mut conn,
        &seller_ids[2],
        json!({"title": "Su su Tam Đảo", "category": "rau", "unit": "kg", "price_vnd": 15000,
               "quantity": 300, "lot_id": chayote.id, "description": "Quả non, hái sáng sớm, bảo quản lạnh 8 °C."}),
    )?;
    listing(
        &mut conn,
        &seller_ids[2],
        json!({"title": "Mật ong hoa rừng Tam Đảo", "category": "mat-ong", "unit": "chai", "price_vnd": 320000,
               "quantity": 10, "unit_weight_g": 950, "description": "Chai 500 ml, ong nội nuôi dưới tán rừng."}),
    )?;
    // One order on its way, so sellers and staff have something to handle.
    let buyer_actor = Actor::acting_as(&buyer.id, Role::Buyer, &buyer.name, None);
    let order: market::orders::NewOrder = serde_json::from_value(json!({
        "items": [{"listing_id": tea_listing.id, "quantity": 2}],
        "shipping": {"name": "Trần Minh Anh", "phone": "0900000003",
                     "address": "12 Hàng Bạc, phường Hoàn Kiếm", "commune_code": "00070"},
        "payment_method": "cod"
    }))?;
    let payments = crate::payments::VietQrPayments { account: config.collection_account.clone() };
    market::orders::store::place(&mut conn, &buyer_actor, &order, &payments, config.payment_window)?;
    mk_user(&mut conn, Role::Officer, "0900000004", "Cán bộ UBND xã Hồng Thái", Some(&operator_id))?;

    let tea_view = lots::get_lot(&mut conn, &settings, &tea.id)?;
    let _ = admin;
    Ok(format!(
        "\n=== nongsan demo ===\n\
         Logins (password for all: {DEMO_PASSWORD}):\n  \
           admin   0900000001\n  \
           staff   0900000002  (Bưu điện văn hoá xã Hồng Thái)\n  \
           farmer  0912000101  (Hoàng Văn Thào, chè Shan tuyết)\n  \
           farmer  0912000102  (Giàng A Sử, gạo nếp Tú Lệ)\n  \
           farmer  0912000103  (Nguyễn Thị Lan, su su Tam Đảo)\n  \
           buyer   0900000003  (one cash-on-delivery order waiting for the farmer)\n  \
           officer 0900000004  (commune statistics: {public_url}/officer)\n\
         Market:      {public_url}/api/v1/listings?q=che%20shan%20tuyet\n\
         Scan page:   {link}\n\
         Label:       {public_url}/api/v1/lots/{id}/label.png\n\
         Record:      {public_url}/api/v1/lots/{id}/record\n\
         A4 labels:   {public_url}/api/v1/labels/sheet.html?lots={id},{rice},{chayote}&copies=8\n\
         API docs:    {public_url}/api/openapi.json\n\
         Bank webhook: {public_url}/api/v1/payments/bank-webhook (Authorization: Apikey {key};\n\
         \x20             account {account}; the order code goes in \"content\"; see the README)\n",
        link = tea_view.digital_link,
        id = tea.id,
        rice = rice.id,
        chayote = chayote.id,
        account = config.collection_account.as_ref().map_or("-", |a| a.account_number.as_str()),
        key = webhook_key_shown(config.bank_webhook_key.as_deref()),
    ))
}

/// What the demo banner says of the webhook key: the demo key itself, but
/// never a real key set in `NONGSAN_BANK_WEBHOOK_KEY` (banners end up in
/// logs and screenshots).
fn webhook_key_shown(key: Option<&str>) -> &str {
    match key {
        Some(crate::config::DEMO_WEBHOOK_KEY) => crate::config::DEMO_WEBHOOK_KEY,
        Some(_) => "the key in NONGSAN_BANK_WEBHOOK_KEY",
        None => "(NONGSAN_BANK_WEBHOOK_KEY is not set)",
    }
}

#[cfg(test)]
mod webhook_key_tests {
    use super::*;

    #[test]
    fn the_banner_shows_only_the_demo_key() {
        let real = "sk-live-9f8e7d6c5b4a";
        assert_eq!(webhook_key_shown(Some(crate::config::DEMO_WEBHOOK_KEY)), crate::config::DEMO_WEBHOOK_KEY);
        assert!(!webhook_key_shown(Some(real)).contains(real));
        assert!(webhook_key_shown(None).contains("not set"));
    }
}
