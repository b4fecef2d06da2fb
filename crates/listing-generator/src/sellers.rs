//! The generated sellers: names and phones as people have them, farms
//! named after their trade and place, shop sizes from a few products to
//! hundreds; inserted in batches through the real tables, national IDs
//! sealed as onboarding seals them.

use std::collections::{BTreeMap, HashSet};

use accounts::Role;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use storage::schema::{sellers, users};
use storage::DbConnection;

use crate::places::{Commune, Office};
use crate::rng::Rng;
use crate::vocabulary::{self, Product, PRODUCTS};
use crate::SeedPlan;
use common::ApiError;
use market::reference::banks;

pub(crate) struct Seller {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) full_name: String,
    pub(crate) farm_name: Option<String>,
    pub(crate) phone: String,
    pub(crate) national_id: String,
    pub(crate) commune: usize,
    pub(crate) products: Vec<&'static Product>,
    pub(crate) price_factor: f64,
    pub(crate) listings: usize,
    pub(crate) created_at: NaiveDateTime,
    /// Lots of this seller: (index in `products`, lot id, recalled).
    pub(crate) lots: Vec<(usize, String, bool)>,
}

const PHONE_PREFIXES: &[&str] = &[
    "086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039", "088", "091", "094",
    "083", "084", "085", "081", "082", "089", "090", "093", "070", "079", "077", "076", "078", "092", "056",
];

pub(crate) fn new_phone(rng: &mut Rng, taken: &mut HashSet<String>) -> String {
    loop {
        let phone = format!("{}{}", rng.pick(PHONE_PREFIXES), rng.digits(7));
        if taken.insert(phone.clone()) {
            return phone;
        }
    }
}

pub(crate) fn person_name(rng: &mut Rng, province_code: &str) -> String {
    use vocabulary::*;
    let woman = rng.chance(0.5);
    if NORTHERN_HIGHLANDS.contains(&province_code) && rng.chance(0.6) {
        let middle = if woman { "Thị" } else { rng.pick(HIGHLAND_MIDDLE) };
        return format!("{} {} {}", rng.pick(HIGHLAND_FAMILY_NAMES), middle, rng.pick(HIGHLAND_GIVEN));
    }
    if CENTRAL_HIGHLANDS.contains(&province_code) && rng.chance(0.4) {
        let given = if woman { rng.pick(CENTRAL_GIVEN_WOMEN) } else { rng.pick(CENTRAL_GIVEN_MEN) };
        return format!("{given} {}", rng.pick(CENTRAL_FAMILY_NAMES));
    }
    let (middle, given) = if woman {
        (rng.pick(MIDDLE_WOMEN), rng.pick(GIVEN_WOMEN))
    } else {
        (rng.pick(MIDDLE_MEN), rng.pick(GIVEN_MEN))
    };
    format!("{} {middle} {given}", rng.pick(FAMILY_NAMES))
}

fn farm_name(rng: &mut Rng, category: &str, full_name: &str, place: &Commune) -> Option<String> {
    let trade = vocabulary::trade(category);
    let given = full_name.rsplit(' ').next().unwrap_or(full_name);
    match rng.below(10) {
        0 | 1 => Some(format!("HTX {trade} {}", place.short_name)),
        2 => Some(format!("Tổ hợp tác {trade} {}", place.short_name)),
        3 | 4 => Some(format!("Trang trại {given} {}", place.short_name)),
        5 => Some(format!("Vườn nhà {given}")),
        _ => None,
    }
}

pub(crate) fn plan_sellers(
    conn: &mut DbConnection,
    rng: &mut Rng,
    plan: &SeedPlan,
    places: &[Commune],
) -> Result<Vec<Seller>, ApiError> {
    let mut phones: HashSet<String> =
        users::table.select(users::phone).load::<String>(conn)?.into_iter().collect();
    let place_weights: Vec<f64> = places.iter().map(|p| p.weight).collect();
    let category_weights: Vec<f64> =
        vocabulary::CATEGORY_WEIGHTS.iter().map(|(_, w)| f64::from(*w)).collect();
    let mut sellers = Vec::with_capacity(plan.sellers);
    let mut sizes = Vec::with_capacity(plan.sellers);
    for _ in 0..plan.sellers {
        let commune = rng.weighted(&place_weights);
        let place = &places[commune];
        let (category, _) = vocabulary::CATEGORY_WEIGHTS[rng.weighted(&category_weights)];
        let of_trade: Vec<&'static Product> = PRODUCTS.iter().filter(|p| p.category == category).collect();
        let weights: Vec<f64> = of_trade.iter().map(|p| f64::from(p.weight)).collect();
        let mut products: Vec<&'static Product> = Vec::new();
        for _ in 0..2 + rng.below(3) {
            let product = of_trade[rng.weighted(&weights)];
            if !products.iter().any(|p| std::ptr::eq(*p, product)) {
                products.push(product);
            }
        }
        let full_name = person_name(rng, &place.province_code);
        let national_id = format!(
            "{:03}{}{}{}",
            1 + rng.below(96),
            rng.pick(&["0", "1", "2", "3"]),
            rng.digits(2),
            rng.digits(6)
        );
        let days = 60 + rng.below(1_000) as i64;
        sellers.push(Seller {
            id: rng.uuid(),
            user_id: rng.uuid(),
            farm_name: farm_name(rng, category, &full_name, place),
            full_name,
            phone: new_phone(rng, &mut phones),
            national_id,
            commune,
            products,
            price_factor: 0.85 + 0.35 * rng.unit(),
            listings: 0,
            created_at: plan.until - Duration::days(days) - Duration::seconds(rng.below(86_400) as i64),
            lots: Vec::new(),
        });
        // Log-normal shop sizes: most sellers list a few dozen products,
        // a few list hundreds.
        sizes.push((1.1 * rng.normal()).exp());
    }
    let total: f64 = sizes.iter().sum();
    let mut given = 0;
    for (seller, size) in sellers.iter_mut().zip(&sizes) {
        seller.listings = (plan.listings as f64 * size / total).floor() as usize;
        given += seller.listings;
    }
    let n = sellers.len();
    for i in 0..plan.listings.saturating_sub(given) {
        sellers[i % n].listings += 1;
    }
    Ok(sellers)
}

pub(crate) fn insert_sellers(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    sellers: &[Seller],
    places: &[Commune],
    offices: &BTreeMap<String, Office>,
) -> Result<(), ApiError> {
    let office = |s: &Seller| {
        offices
            .get(&places[s.commune].province_code)
            .ok_or_else(|| ApiError::internal("a seller's province has no post office"))
    };
    let mut rng = Rng::new(sellers.len() as u64);
    storage::write_transaction(conn, |conn| {
        // Chunks keep each statement under SQLite's bound-parameter limit.
        for chunk in sellers.chunks(500) {
            let mut user_rows = Vec::with_capacity(chunk.len());
            let mut seller_rows = Vec::with_capacity(chunk.len());
            for s in chunk {
                let office = office(s)?;
                let place = &places[s.commune];
                user_rows.push((
                    users::id.eq(&s.user_id),
                    users::role.eq(Role::Farmer.as_str()),
                    users::phone.eq(&s.phone),
                    users::name.eq(&s.full_name),
                    users::password_hash.eq(None::<String>),
                    users::organisation_id.eq(Some(&office.organisation_id)),
                    users::created_at.eq(s.created_at),
                ));
                let address = format!("{}, {}, {}", rng.pick(HAMLETS), place.name, place.province_short);
                seller_rows.push((
                    sellers::id.eq(&s.id),
                    sellers::user_id.eq(&s.user_id),
                    sellers::full_name.eq(&s.full_name),
                    sellers::phone.eq(&s.phone),
                    sellers::national_id_ciphertext
                        .eq(master.seal(&format!("seller:{}:national_id", s.id), s.national_id.as_bytes())),
                    sellers::national_id_lookup.eq(master.lookup_hash("national_id", &s.national_id)),
                    sellers::national_id_last3.eq(s.national_id[9..].to_string()),
                    sellers::commune_code.eq(&place.code),
                    sellers::address.eq(address),
                    sellers::farm_name.eq(&s.farm_name),
                    sellers::bank_bin.eq(rng.pick(&banks::BANKS[..8]).bin),
                    sellers::bank_account_number.eq(rng.digits(13)),
                    sellers::bank_account_name
                        .eq(market::sellers::rules::normalise_account_name(&s.full_name)?),
                    sellers::consent_terms_version.eq("2025-07"),
                    sellers::consent_method.eq(*rng.pick(&["paper_form", "paper_form", "verbal_at_counter"])),
                    sellers::consent_recorded_by.eq(&office.staff_user_id),
                    sellers::consent_at.eq(s.created_at),
                    sellers::organisation_id.eq(Some(&office.organisation_id)),
                    sellers::created_at.eq(s.created_at),
                ));
            }
            storage::per_backend!(&mut *conn, |c| diesel::insert_into(users::table)
                .values(&user_rows)
                .execute(c))?;
            storage::per_backend!(&mut *conn, |c| diesel::insert_into(sellers::table)
                .values(&seller_rows)
                .execute(c))?;
        }
        Ok(())
    })
}

const HAMLETS: &[&str] = &[
    "Thôn 1",
    "Thôn 3",
    "Thôn Trung",
    "Thôn Đông",
    "Xóm Đồng",
    "Xóm Chùa",
    "Bản Mới",
    "Bản Khoang",
    "Bản Pác Ngòi",
    "Ấp 3",
    "Ấp Bình Hòa",
    "Tổ dân phố 5",
];
