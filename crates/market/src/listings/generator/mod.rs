//! Realistic listings in bulk, the same for the same seed: for the search
//! benchmark and for anyone who wants a full market to click through
//! (`nongsan seed-listings`).
//!
//! Sellers live in a few hundred communes of every province, some communes
//! much busier than others; each sells a few products of its trade under
//! titles sellers really write, at the prices of the trade. Some listings
//! are paused, deleted or sold out; some sell from a signed lot, a few of
//! them recalled.
//!
//! Users, sellers and listings are inserted in batches inside transactions,
//! through the real tables, so the SQLite full-text triggers and
//! PostgreSQL's generated tsvector are kept exactly as for one listing made
//! through the API. Lots go through the traceability slice one by one
//! (each is signed), and so do their recalls.

mod vocabulary;

use std::collections::{BTreeMap, HashSet};

use accounts::{Actor, Role};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use storage::schema::{communes, listings, organisations, provinces, sellers, users};
use storage::DbConnection;
use traceability::lots::{NewLot, RecallRequest, TraceSettings};

use super::rules::{self, ListingStatus, Place};
use crate::{banks, catalog, text, MarketError};
use vocabulary::{Product, PRODUCTS};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub listings: usize,
    pub seed: u64,
    pub sellers: usize,
    pub communes: usize,
    /// The newest timestamp; sellers joined and listed in the three years
    /// before it. Everything but timestamps is the same for the same seed.
    pub until: NaiveDateTime,
    /// Add to a market that already has listings (with another seed).
    pub append: bool,
}

impl SeedPlan {
    /// About 50 listings per seller and 4 sellers per commune: 100,000
    /// listings come from 2,000 sellers in 500 communes.
    pub fn new(listings: usize, seed: u64, until: NaiveDateTime) -> SeedPlan {
        let sellers = (listings / 50).clamp(1, 2_000);
        let communes = (sellers / 4).clamp(1, 500);
        SeedPlan { listings, seed, sellers, communes, until, append: false }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub listings: usize,
    pub sellers: usize,
    pub communes: usize,
    pub provinces: usize,
    pub lots: usize,
    pub recalled_lots: usize,
    /// Listings a buyer can order now: active, in stock, lot not recalled.
    pub available: usize,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} listings ({} available to buy) from {} sellers in {} communes of {} provinces; \
             {} lots, {} recalled",
            self.listings,
            self.available,
            self.sellers,
            self.communes,
            self.provinces,
            self.lots,
            self.recalled_lots
        )
    }
}

/// SplitMix64: tiny, fast and fixed forever, so a seed gives the same
/// market whatever version of a random-number crate is in the tree.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6e6f_6e67_7361_6e00)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n); `n` is small, so the modulo bias is nothing.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(f64::MIN_POSITIVE);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// A UUID v4 from this generator, so ids repeat with the seed.
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 + (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

/// A commune where sellers live, with how busy it is.
struct Commune {
    code: String,
    province_code: String,
    name: String,
    short_name: String,
    province_name: String,
    province_short: String,
    weight: f64,
}

/// The post office of a province: it onboards the sellers there, signs
/// their lots, and its staff list for some of them.
struct Office {
    organisation_id: String,
    staff_user_id: String,
    staff_name: String,
}

struct Seller {
    id: String,
    user_id: String,
    full_name: String,
    farm_name: Option<String>,
    phone: String,
    national_id: String,
    commune: usize,
    products: Vec<&'static Product>,
    price_factor: f64,
    listings: usize,
    created_at: NaiveDateTime,
    /// Lots of this seller: (index in `products`, lot id, recalled).
    lots: Vec<(usize, String, bool)>,
}

/// Generates `plan` into the database behind `conn`, reporting progress
/// in a few lines through `progress`.
pub fn seed(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    plan: &SeedPlan,
    progress: &mut dyn FnMut(&str),
) -> Result<SeedReport, MarketError> {
    let existing: i64 = listings::table.count().get_result(conn)?;
    if existing > 0 && !plan.append {
        return Err(MarketError::Conflict(format!(
            "the database already has {existing} listings; seed an empty market, \
             or add to it on purpose (--append, with another --seed)"
        )));
    }
    let mut rng = Rng::new(plan.seed);
    let places = pick_communes(conn, &mut rng, plan.communes)?;
    let offices = post_offices(conn, master, &mut rng, &places)?;
    let mut sellers = plan_sellers(conn, &mut rng, plan, &places)?;
    insert_sellers(conn, master, &sellers, &places, &offices)?;
    progress(&format!(
        "{} sellers in {} communes of {} provinces",
        sellers.len(),
        places.len(),
        offices.len()
    ));
    let (lots, recalled) =
        make_lots(conn, master, settings, &mut rng, plan, &mut sellers, &places, &offices)?;
    progress(&format!("{lots} signed lots, {recalled} of them recalled"));
    let available = insert_listings(conn, &mut rng, plan, &sellers, &places, &offices, progress)?;
    refresh_statistics(conn)?;
    Ok(SeedReport {
        listings: plan.listings,
        sellers: sellers.len(),
        communes: places.len(),
        provinces: offices.len(),
        lots,
        recalled_lots: recalled,
        available,
    })
}

/// `count` communes spread over every province, weighted so that a few
/// are busy and most are quiet (Zipf-like, as markets are).
fn pick_communes(conn: &mut DbConnection, rng: &mut Rng, count: usize) -> Result<Vec<Commune>, MarketError> {
    type Row = (String, String, String, String, String, String);
    let rows: Vec<Row> = communes::table
        .inner_join(provinces::table)
        .select((
            communes::code,
            communes::province_code,
            communes::name,
            communes::short_name,
            provinces::name,
            provinces::short_name,
        ))
        .order(communes::code)
        .load(conn)?;
    if rows.is_empty() {
        return Err(MarketError::Internal("no communes: load the reference data first".into()));
    }
    let mut by_province: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for row in rows {
        by_province.entry(row.1.clone()).or_default().push(row);
    }
    for list in by_province.values_mut() {
        rng.shuffle(list);
    }
    // One commune from each province in turn, so every province has some.
    let mut chosen: Vec<Row> = Vec::with_capacity(count);
    let mut round = 0;
    while chosen.len() < count {
        let before = chosen.len();
        for list in by_province.values() {
            if let Some(row) = list.get(round) {
                if chosen.len() < count {
                    chosen.push(row.clone());
                }
            }
        }
        if chosen.len() == before {
            break;
        }
        round += 1;
    }
    rng.shuffle(&mut chosen);
    Ok(chosen
        .into_iter()
        .enumerate()
        .map(|(rank, (code, province_code, name, short_name, province_name, province_short))| Commune {
            code,
            province_code,
            name,
            short_name,
            province_name,
            province_short,
            weight: 1.0 / ((rank + 1) as f64).powf(0.7),
        })
        .collect())
}

const PHONE_PREFIXES: &[&str] = &[
    "086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039", "088", "091", "094",
    "083", "084", "085", "081", "082", "089", "090", "093", "070", "079", "077", "076", "078", "092", "056",
];

fn new_phone(rng: &mut Rng, taken: &mut HashSet<String>) -> String {
    loop {
        let phone = format!("{}{}", rng.pick(PHONE_PREFIXES), rng.digits(7));
        if taken.insert(phone.clone()) {
            return phone;
        }
    }
}

fn person_name(rng: &mut Rng, province_code: &str) -> String {
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

fn post_offices(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    rng: &mut Rng,
    places: &[Commune],
) -> Result<BTreeMap<String, Office>, MarketError> {
    let trace = |e: traceability::TraceError| MarketError::Internal(format!("post office: {e}"));
    let mut phones: HashSet<String> =
        users::table.select(users::phone).load::<String>(conn)?.into_iter().collect();
    let mut offices = BTreeMap::new();
    for place in places {
        if offices.contains_key(&place.province_code) {
            continue;
        }
        let name = format!("Bưu điện {}", place.province_short);
        // The post offices of an earlier run, when adding to a market.
        let found: Option<String> = organisations::table
            .filter(organisations::kind.eq(traceability::keys::ORG_POST_OFFICE))
            .filter(organisations::name.eq(&name))
            .select(organisations::id)
            .first(conn)
            .optional()?;
        let organisation_id = match found {
            Some(id) => id,
            None => {
                traceability::keys::add_signing_organisation(
                    conn,
                    master,
                    traceability::keys::ORG_POST_OFFICE,
                    &name,
                    Some(&place.code),
                )
                .map_err(trace)?
                .0
            }
        };
        let staff: Option<(String, String)> = users::table
            .filter(users::organisation_id.eq(&organisation_id))
            .filter(users::role.eq(Role::Staff.as_str()))
            .select((users::id, users::name))
            .first(conn)
            .optional()?;
        let (staff_user_id, staff_name) = match staff {
            Some(s) => s,
            None => {
                let name = format!("{} ({name})", person_name(rng, &place.province_code));
                let phone = accounts::Phone::parse(&new_phone(rng, &mut phones))?;
                let user = accounts::users::insert_user(
                    conn,
                    accounts::users::NewUser {
                        role: Role::Staff,
                        phone: &phone,
                        name: &name,
                        password_hash: None,
                        organisation_id: Some(&organisation_id),
                    },
                )?;
                (user.id, name)
            }
        };
        offices.insert(place.province_code.clone(), Office { organisation_id, staff_user_id, staff_name });
    }
    Ok(offices)
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

fn plan_sellers(
    conn: &mut DbConnection,
    rng: &mut Rng,
    plan: &SeedPlan,
    places: &[Commune],
) -> Result<Vec<Seller>, MarketError> {
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

fn insert_sellers(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    sellers: &[Seller],
    places: &[Commune],
    offices: &BTreeMap<String, Office>,
) -> Result<(), MarketError> {
    let office = |s: &Seller| {
        offices
            .get(&places[s.commune].province_code)
            .ok_or_else(|| MarketError::Internal("a seller's province has no post office".into()))
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
                    sellers::bank_account_name.eq(crate::sellers::normalise_account_name(&s.full_name)?),
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

/// Signed lots for about a quarter of the sellers, through the
/// traceability slice, and recalls of a few of them.
#[allow(clippy::too_many_arguments)]
fn make_lots(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    rng: &mut Rng,
    plan: &SeedPlan,
    sellers: &mut [Seller],
    places: &[Commune],
    offices: &BTreeMap<String, Office>,
) -> Result<(usize, usize), MarketError> {
    let trace = |e: traceability::TraceError| MarketError::Internal(format!("lot: {e}"));
    let (mut made, mut recalled) = (0, 0);
    for (index, seller) in sellers.iter_mut().enumerate() {
        if !rng.chance(0.25) {
            continue;
        }
        let place = &places[seller.commune];
        let Some(office) = offices.get(&place.province_code) else { continue };
        let staff = Actor::acting_as(
            &office.staff_user_id,
            Role::Staff,
            &office.staff_name,
            Some(&office.organisation_id),
        );
        for n in 0..1 + rng.below(2) {
            let product = rng.below(seller.products.len().min(2));
            let harvested = plan.until - Duration::days(5 + rng.below(200) as i64);
            let lot = traceability::lots::create_lot(
                conn,
                master,
                settings,
                &staff,
                &NewLot {
                    product_name: seller.products[product].name.to_string(),
                    quantity: serde_json::Value::String((20 + rng.below(480)).to_string()),
                    unit: seller.products[product].unit.to_string(),
                    harvested_on: harvested.date().to_string(),
                    commune_code: place.code.clone(),
                    gtin: None,
                    seller_id: Some(seller.id.clone()),
                    lot_code: Some(format!("S{:04X}-{index:04}-{n}", plan.seed & 0xffff)),
                    farm_name: None,
                },
            )
            .map_err(trace)?;
            made += 1;
            let recall = rng.chance(0.04);
            if recall {
                traceability::lots::recall(
                    conn,
                    master,
                    settings,
                    &staff,
                    &lot.id,
                    &RecallRequest {
                        reason: rng
                            .pick(&[
                                "Mẫu kiểm tra có dư lượng thuốc bảo vệ thực vật vượt ngưỡng",
                                "Bao bì bị ẩm mốc trong kho",
                                "Sai nhãn ngày thu hoạch",
                            ])
                            .to_string(),
                    },
                )
                .map_err(trace)?;
                recalled += 1;
            }
            seller.lots.push((product, lot.id, recall));
        }
    }
    Ok((made, recalled))
}

/// Log-uniform between the trade's low and high price, with the seller's
/// own markup, rounded the way prices are written.
fn price(rng: &mut Rng, product: &Product, factor: f64) -> i64 {
    let (lo, hi) = (product.price.0 as f64, product.price.1 as f64);
    let raw = (lo.ln() + rng.unit() * (hi.ln() - lo.ln())).exp() * factor;
    let step = match raw {
        r if r < 20_000.0 => 500.0,
        r if r < 1_000_000.0 => 1_000.0,
        r if r < 10_000_000.0 => 10_000.0,
        _ => 1_000_000.0,
    };
    ((raw / step).round() * step).clamp(1.0, rules::MAX_PRICE_VND as f64) as i64
}

fn quantity(rng: &mut Rng, unit: &str) -> i64 {
    let (median, max) = match unit {
        "kg" => (40.0, 2_000.0),
        "g" => (1_000.0, 50_000.0),
        "tan" => (3.0, 50.0),
        "l" => (20.0, 500.0),
        "qua" => (200.0, 5_000.0),
        _ => (50.0, 1_000.0),
    };
    ((median * (0.9 * rng.normal()).exp()).round().clamp(1.0, max)) as i64
}

fn title(rng: &mut Rng, product: &Product, place: &Commune) -> String {
    let mut title = product.name.to_string();
    if rng.chance(0.55) {
        title = format!("{title} {}", rng.pick(product.kinds));
    }
    let origin = match rng.below(10) {
        0..=3 => Some(*rng.pick(product.origins)),
        4..=6 => Some(place.short_name.as_str()),
        _ => None,
    };
    if let Some(origin) = origin.filter(|o| !title.contains(o)) {
        title = format!("{title} {origin}");
    }
    if rng.chance(0.35) {
        title = format!("{title} {}", rng.pick(vocabulary::GRADES));
    }
    if rng.chance(0.2) {
        title = format!("{title} - {}", rng.pick(vocabulary::PACKINGS));
    }
    title
}

fn description(rng: &mut Rng, product: &Product, seller: &Seller, place: &Commune) -> Option<String> {
    if rng.chance(0.15) {
        return None;
    }
    let who = seller.farm_name.clone().unwrap_or_else(|| format!("nhà {}", seller.full_name));
    let mut text = format!(
        "{} của {who}, {}, {}. {}",
        product.name,
        place.name,
        place.province_short,
        rng.pick(vocabulary::notes(product.category))
    );
    if rng.chance(0.5) {
        text = format!("{text} {}", rng.pick(vocabulary::CLOSINGS));
    }
    Some(text)
}

/// One listing, as the batch insert takes it.
struct Row {
    id: String,
    seller_id: String,
    title: String,
    category: &'static str,
    unit: &'static str,
    price_vnd: i64,
    quantity: i64,
    description: Option<String>,
    lot_id: Option<String>,
    status: &'static str,
    commune_code: String,
    province_code: String,
    search_title: String,
    search_body: String,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

const BATCH: usize = 1_000;

fn insert_listings(
    conn: &mut DbConnection,
    rng: &mut Rng,
    plan: &SeedPlan,
    sellers: &[Seller],
    places: &[Commune],
    offices: &BTreeMap<String, Office>,
    progress: &mut dyn FnMut(&str),
) -> Result<usize, MarketError> {
    let all_weights: Vec<f64> = PRODUCTS.iter().map(|p| f64::from(p.weight)).collect();
    // When each listing was made, then the listings in that order, so that
    // search ids follow creation as they do when farmers list one by one.
    // Recent months are busier than old ones.
    let mut made: Vec<(NaiveDateTime, usize)> = Vec::with_capacity(plan.listings);
    for (index, seller) in sellers.iter().enumerate() {
        let span = (plan.until - seller.created_at).num_seconds().max(1) as f64;
        for _ in 0..seller.listings {
            made.push((plan.until - Duration::seconds((span * rng.unit().powf(1.6)) as i64), index));
        }
    }
    made.sort();
    let own: Vec<Vec<f64>> =
        sellers.iter().map(|s| (0..s.products.len()).map(|i| 1.0 / (i + 1) as f64).collect()).collect();
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
    let (mut done, mut available, mut reported) = (0, 0, 0);
    for (created_at, index) in made {
        let seller = &sellers[index];
        let place = &places[seller.commune];
        let staff = offices.get(&place.province_code).map(|o| o.staff_user_id.as_str());
        let own = &own[index];
        // Mostly the seller's own trade, sometimes a neighbour's honey
        // or eggs.
        let (product, own_index) = if rng.chance(0.8) {
            let i = rng.weighted(own);
            (seller.products[i], Some(i))
        } else {
            (&PRODUCTS[rng.weighted(&all_weights)], None)
        };
        let category = catalog::find_category(product.category)
            .ok_or_else(|| MarketError::Internal(format!("unknown category {}", product.category)))?;
        let title = title(rng, product, place);
        let description = description(rng, product, seller, place);
        let status = match rng.below(100) {
            0..=4 => ListingStatus::Deleted,
            5..=11 => ListingStatus::Paused,
            _ => ListingStatus::Active,
        };
        let quantity = if rng.chance(0.09) { 0 } else { quantity(rng, product.unit) };
        let lots: Vec<&(usize, String, bool)> =
            seller.lots.iter().filter(|(i, _, _)| Some(*i) == own_index).collect();
        let lot = if !lots.is_empty() && rng.chance(0.6) { Some(*rng.pick(&lots)) } else { None };
        if status == ListingStatus::Active && quantity > 0 && !lot.is_some_and(|l| l.2) {
            available += 1;
        }
        let updated_at = (created_at + Duration::seconds(rng.below(60 * 86_400) as i64)).min(plan.until);
        let body = rules::search_body(
            description.as_deref(),
            seller.farm_name.as_deref().unwrap_or(&seller.full_name),
            &Place { commune_name: &place.name, province_name: &place.province_name },
            category,
        );
        batch.push(Row {
            id: rng.uuid(),
            seller_id: seller.id.clone(),
            search_title: text::fold(&title),
            title,
            category: category.code,
            unit: product.unit,
            price_vnd: price(rng, product, seller.price_factor),
            quantity,
            description,
            lot_id: lot.map(|l| l.1.clone()),
            status: status.as_str(),
            commune_code: place.code.clone(),
            province_code: place.province_code.clone(),
            search_body: body,
            created_by: match staff {
                Some(staff) if rng.chance(0.35) => staff.to_string(),
                _ => seller.user_id.clone(),
            },
            created_at,
            updated_at,
        });
        if batch.len() == BATCH {
            done += write_batch(conn, &mut batch)?;
        }
        if done >= reported + 20_000 {
            reported = done;
            progress(&format!("{done} listings"));
        }
    }
    write_batch(conn, &mut batch)?;
    Ok(available)
}

fn write_batch(conn: &mut DbConnection, batch: &mut Vec<Row>) -> Result<usize, MarketError> {
    if batch.is_empty() {
        return Ok(0);
    }
    let rows = std::mem::take(batch);
    storage::write_transaction(conn, |conn| {
        let first = super::reserve_search_ids(conn, rows.len() as i64)?;
        let values: Vec<_> = rows
            .iter()
            .zip(first..)
            .map(|(r, search_id)| {
                (
                    listings::id.eq(&r.id),
                    listings::search_id.eq(search_id),
                    listings::seller_id.eq(&r.seller_id),
                    listings::title.eq(&r.title),
                    listings::category.eq(r.category),
                    listings::unit.eq(r.unit),
                    listings::price_vnd.eq(r.price_vnd),
                    listings::quantity.eq(r.quantity),
                    listings::description.eq(&r.description),
                    listings::lot_id.eq(&r.lot_id),
                    listings::status.eq(r.status),
                    listings::commune_code.eq(&r.commune_code),
                    listings::province_code.eq(&r.province_code),
                    listings::search_title.eq(&r.search_title),
                    listings::search_body.eq(&r.search_body),
                    listings::created_by.eq(&r.created_by),
                    listings::created_at.eq(r.created_at),
                    listings::updated_at.eq(r.updated_at),
                )
            })
            .collect();
        storage::per_backend!(&mut *conn, |c| diesel::insert_into(listings::table)
            .values(&values)
            .execute(c))?;
        Ok(rows.len())
    })
}

/// After a bulk load the planner's statistics describe an empty market;
/// refresh them as an operator would after any large import.
fn refresh_statistics(conn: &mut DbConnection) -> Result<(), MarketError> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Postgres(c) => {
            c.batch_execute("VACUUM (ANALYZE) listings, listing_search, lots, sellers, users")?
        }
        DbConnection::Sqlite(c) => c.batch_execute("ANALYZE")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut a, mut b, mut c) = (Rng::new(42), Rng::new(42), Rng::new(43));
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(xs, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(xs, (0..5).map(|_| c.next_u64()).collect::<Vec<_>>());
        let id = a.uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(crate::plausible_id(&id));
    }

    /// A small market on the backend under test.
    fn seeded(
        listings: usize,
        seed: u64,
    ) -> (storage::testing::TestDatabase, SeedReport, Vec<(String, String, i64)>) {
        let db = storage::testing::TestDatabase::new().unwrap();
        let pool = storage::connect_and_migrate(&db.database_url().unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        crate::communes::load_reference_data(&mut conn).unwrap();
        let master = vault::MasterKey::generate();
        traceability::keys::ensure_operator(&mut conn, &master, "test").unwrap();
        let settings = TraceSettings { public_url: "http://x".into(), gtin_company_prefix: "200000".into() };
        let until = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        let plan = SeedPlan::new(listings, seed, until);
        let report = super::seed(&mut conn, &master, &settings, &plan, &mut |_| {}).unwrap();
        let rows = listings::table
            .order(listings::id)
            .select((listings::id, listings::title, listings::price_vnd))
            .load(&mut conn)
            .unwrap();
        let again = super::seed(&mut conn, &master, &settings, &plan, &mut |_| {});
        assert!(matches!(again, Err(MarketError::Conflict(_))), "a second run must be asked for");
        // What the generator counts as buyable is what the search finds.
        let everything = crate::listings::search::search(
            &mut conn,
            &rules::SearchQuery::parse(&rules::RawSearch::default()).unwrap(),
        )
        .unwrap();
        assert_eq!(everything.total, report.available as i64);
        drop(conn);
        (db, report, rows)
    }

    #[test]
    fn a_seed_makes_the_same_market_every_time() {
        let (_a, report, first) = seeded(600, 7);
        assert_eq!((report.listings, report.sellers, first.len()), (600, 12, 600));
        assert!(report.available > 400 && report.available < 600, "{report:?}");
        let (_b, _, second) = seeded(600, 7);
        assert_eq!(first, second);
        let (_c, _, other) = seeded(600, 8);
        assert_ne!(first, other);
    }

    #[test]
    fn the_vocabulary_fits_the_rules() {
        let mut rng = Rng::new(1);
        let place = Commune {
            code: "02260".into(),
            province_code: "08".into(),
            name: "Xã Hồng Thái".into(),
            short_name: "Hồng Thái".into(),
            province_name: "Tỉnh Tuyên Quang".into(),
            province_short: "Tuyên Quang".into(),
            weight: 1.0,
        };
        for product in PRODUCTS {
            assert!(catalog::find_category(product.category).is_some(), "{}", product.name);
            assert!(rules::unit(product.unit).is_ok(), "{}", product.name);
            assert!(!product.kinds.is_empty() && !product.origins.is_empty(), "{}", product.name);
            for _ in 0..20 {
                let t = title(&mut rng, product, &place);
                assert_eq!(rules::title(&t).unwrap(), t);
                let p = price(&mut rng, product, 1.2);
                assert!((1..=rules::MAX_PRICE_VND).contains(&p), "{t}: {p}");
                assert!(rules::quantity(&quantity(&mut rng, product.unit).into()).is_ok());
            }
        }
        for (code, _) in vocabulary::CATEGORY_WEIGHTS {
            assert!(PRODUCTS.iter().any(|p| p.category == *code), "{code} has no products");
        }
    }
}
