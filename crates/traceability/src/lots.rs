//! Lots in the database: creating them, appending events, issuing a new
//! signed record version after every change, and reading them back.

use accounts::{Actor, Role};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use storage::schema::{communes, lot_events, lots, provenance_records, provinces, sellers};
use storage::DbConnection;
use utoipa::ToSchema;

use crate::chain::{self, LotGenesis};
use crate::credential::{self, Issuer, LotSnapshot, Origin, QuantityFacts};
use crate::digital_link::{DigitalLink, LotCode};
use crate::gtin::Gtin;
use crate::proof::{self, ProofOptions};
use crate::quantity::{Quantity, Unit};
use crate::{did_key, keys, EventDetails, EventType, LotEvent, TraceError};

/// What the server configures for this slice.
#[derive(Debug, Clone)]
pub struct TraceSettings {
    /// Base of every Digital Link URI, without a trailing slash.
    pub public_url: String,
    /// GS1 company prefix used to assign GTINs to lots that have none.
    pub gtin_company_prefix: String,
}

impl TraceSettings {
    /// GTINs in GS1's restricted-circulation ranges (GTIN-13 prefixes
    /// 020–029, 040–049, 200–299) are valid only inside this system; the
    /// scan page says so.
    pub fn gtin_is_internal(&self, gtin: &str) -> bool {
        let prefix: u32 = gtin.get(1..4).and_then(|p| p.parse().ok()).unwrap_or(999);
        gtin.len() == 14 && matches!(prefix, 20..=29 | 40..=49 | 200..=299)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLot {
    #[schema(example = "Chè Shan tuyết")]
    pub product_name: String,
    /// A number or a decimal string, at most 3 decimals.
    #[schema(value_type = String, example = "12.5")]
    pub quantity: Value,
    /// Unit code (GET /api/v1/units).
    #[schema(example = "kg")]
    pub unit: String,
    /// Harvest date, YYYY-MM-DD.
    #[schema(value_type = String, example = "2025-11-02")]
    pub harvested_on: String,
    /// Origin commune code (2025 list).
    #[schema(example = "02467")]
    pub commune_code: String,
    /// GTIN-8/12/13/14 with a valid check digit; assigned when absent.
    pub gtin: Option<String>,
    /// Staff and admin record lots for a seller; farmers for themselves.
    pub seller_id: Option<String>,
    /// Your own lot code (`A-Z a-z 0-9 - . _`, 1–20); generated when absent.
    pub lot_code: Option<String>,
    /// Farm or household name; defaults to the seller's.
    pub farm_name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// planting, input_application, harvest, packing, cooling, shipping,
    /// receiving or processing.
    #[serde(rename = "type")]
    #[schema(example = "harvest")]
    pub event_type: String,
    /// RFC 3339 with an offset, e.g. `2025-11-02T07:30:00+07:00`.
    #[schema(example = "2025-11-02T07:30:00+07:00")]
    pub occurred_at: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub details: EventDetails,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecallRequest {
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LotView {
    pub id: String,
    pub lot_code: String,
    pub gtin: String,
    pub gtin_is_internal: bool,
    pub digital_link: String,
    pub product_name: String,
    pub quantity: String,
    pub unit: String,
    pub quantity_g: Option<i64>,
    pub harvested_on: String,
    pub commune_code: String,
    pub commune_name: String,
    pub province_code: String,
    pub province_name: String,
    pub farm_name: String,
    pub seller_id: String,
    pub producer_name: String,
    /// `active` or `recalled`.
    pub status: String,
    pub record_version: i64,
    pub event_count: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    pub lot_id: String,
    pub seq: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub occurred_at: String,
    pub recorded_at: String,
    #[schema(value_type = Object)]
    pub details: EventDetails,
    pub prev_hash: String,
    pub hash: String,
    pub record_version: i64,
}

fn ts(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

#[derive(Debug, Clone, Queryable)]
struct LotRow {
    id: String,
    seller_id: String,
    lot_code: String,
    gtin: String,
    product_name: String,
    quantity: String,
    unit: String,
    quantity_g: Option<i64>,
    harvested_on: String,
    commune_code: String,
    farm_name: String,
    status: String,
    genesis_hash: String,
    created_at: NaiveDateTime,
}

/// A lot with everything around it that views and records need.
#[derive(Debug, Clone)]
struct LotContext {
    lot: LotRow,
    seller_user_id: String,
    seller_name: String,
    seller_organisation: Option<String>,
    commune_name: String,
    province_code: String,
    province_name: String,
}

fn load_context(conn: &mut DbConnection, filter: LotFilter<'_>) -> Result<Option<LotContext>, TraceError> {
    let mut q = lots::table
        .inner_join(sellers::table)
        .inner_join(communes::table.inner_join(provinces::table))
        .select((
            (
                lots::id,
                lots::seller_id,
                lots::lot_code,
                lots::gtin,
                lots::product_name,
                lots::quantity,
                lots::unit,
                lots::quantity_g,
                lots::harvested_on,
                lots::commune_code,
                lots::farm_name,
                lots::status,
                lots::genesis_hash,
                lots::created_at,
            ),
            (sellers::user_id, sellers::full_name, sellers::organisation_id),
            (communes::name, provinces::code, provinces::name),
        ))
        .into_boxed();
    q = match filter {
        LotFilter::Id(id) => q.filter(lots::id.eq(id.to_string())),
        LotFilter::Link(gtin, code) => {
            q.filter(lots::gtin.eq(gtin.to_string())).filter(lots::lot_code.eq(code.to_string()))
        }
    };
    type Row = (LotRow, (String, String, Option<String>), (String, String, String));
    let row: Option<Row> = q.first(conn).optional()?;
    Ok(row.map(
        |(
            lot,
            (seller_user_id, seller_name, seller_organisation),
            (commune_name, province_code, province_name),
        )| {
            LotContext {
                lot,
                seller_user_id,
                seller_name,
                seller_organisation,
                commune_name,
                province_code,
                province_name,
            }
        },
    ))
}

#[derive(Clone, Copy)]
enum LotFilter<'a> {
    Id(&'a str),
    Link(&'a str, &'a str),
}

fn load_events(conn: &mut DbConnection, lot_id: &str) -> Result<Vec<LotEvent>, TraceError> {
    type Row = (String, i64, String, NaiveDateTime, NaiveDateTime, String, String, String);
    let rows: Vec<Row> = lot_events::table
        .filter(lot_events::lot_id.eq(lot_id))
        .order(lot_events::seq)
        .select((
            lot_events::id,
            lot_events::seq,
            lot_events::event_type,
            lot_events::occurred_at,
            lot_events::recorded_at,
            lot_events::details,
            lot_events::prev_hash,
            lot_events::hash,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, seq, t, occurred, recorded, details, prev_hash, hash)| {
            Ok(LotEvent {
                id,
                seq,
                event_type: EventType::parse(&t)?,
                occurred_at: occurred.and_utc(),
                recorded_at: recorded.and_utc(),
                details: serde_json::from_str(&details)
                    .map_err(|e| TraceError::Internal(format!("stored event {seq} is unreadable: {e}")))?,
                prev_hash,
                hash,
            })
        })
        .collect()
}

fn latest_version(conn: &mut DbConnection, lot_id: &str) -> Result<i64, TraceError> {
    let v: Option<i64> = provenance_records::table
        .filter(provenance_records::lot_id.eq(lot_id))
        .select(diesel::dsl::max(provenance_records::version))
        .first(conn)?;
    Ok(v.unwrap_or(0))
}

fn genesis_of(ctx: &LotContext) -> LotGenesis {
    let l = &ctx.lot;
    LotGenesis {
        lot_id: l.id.clone(),
        lot_code: l.lot_code.clone(),
        gtin: l.gtin.clone(),
        product_name: l.product_name.clone(),
        seller_id: l.seller_id.clone(),
        harvested_on: l.harvested_on.clone(),
        origin_commune_code: l.commune_code.clone(),
        created_at: ts(l.created_at),
    }
}

fn digital_link(settings: &TraceSettings, lot: &LotRow) -> Result<String, TraceError> {
    let link = DigitalLink::new(Gtin::parse(&lot.gtin)?, LotCode::parse(&lot.lot_code)?);
    Ok(link.uri(&settings.public_url))
}

/// Signs and stores the next version of the lot's record.
fn issue_record(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    lot_id: &str,
) -> Result<i64, TraceError> {
    let ctx = load_context(conn, LotFilter::Id(lot_id))?.ok_or_else(|| TraceError::NotFound("lot".into()))?;
    let events = load_events(conn, lot_id)?;
    let snapshot = LotSnapshot {
        genesis: genesis_of(&ctx),
        genesis_hash: ctx.lot.genesis_hash.clone(),
        digital_link: digital_link(settings, &ctx.lot)?,
        quantity: QuantityFacts {
            value: ctx.lot.quantity.clone(),
            unit: ctx.lot.unit.clone(),
            grams: ctx.lot.quantity_g,
        },
        origin: Origin {
            country: "VN".into(),
            commune_code: ctx.lot.commune_code.clone(),
            commune_name: ctx.commune_name.clone(),
            province_code: ctx.province_code.clone(),
            province_name: ctx.province_name.clone(),
            farm_name: ctx.lot.farm_name.clone(),
        },
        producer_name: ctx.seller_name.clone(),
        recalled: ctx.lot.status == "recalled",
        events,
    };
    let identity = keys::signing_identity(conn, master, ctx.seller_organisation.as_deref())?;
    let version = latest_version(conn, lot_id)? + 1;
    let record_id = storage::new_id();
    let now = whole_seconds(Utc::now());
    let unsigned = credential::unsigned_record(
        &snapshot,
        version,
        &record_id,
        &Issuer { did: &identity.did, name: &identity.organisation_name },
        now,
    );
    let options = ProofOptions {
        verification_method: did_key::verification_method(&identity.did),
        proof_purpose: "assertionMethod".into(),
        created: Some(now),
    };
    let signed = proof::add_proof(&unsigned, &options, &identity.signing_key)?;
    diesel::insert_into(provenance_records::table)
        .values((
            provenance_records::id.eq(&record_id),
            provenance_records::lot_id.eq(lot_id),
            provenance_records::version.eq(version),
            provenance_records::credential.eq(signed.to_string()),
            provenance_records::issuer_key_id.eq(&identity.key_id),
            provenance_records::created_at.eq(storage::now()),
        ))
        .execute(conn)?;
    Ok(version)
}

/// Which seller a lot is recorded for, and for whom staff act.
fn resolve_seller(
    conn: &mut DbConnection,
    actor: &Actor,
    requested: Option<&str>,
) -> Result<(String, String, Option<String>, String), TraceError> {
    type Row = (String, String, Option<String>, String);
    match actor.role {
        Role::Staff | Role::Admin => {
            let id =
                requested.ok_or_else(|| TraceError::invalid("seller_id", "staff must say which seller"))?;
            let unknown = || TraceError::invalid("seller_id", format!("no seller `{id}`"));
            if !plausible_id(id) {
                return Err(unknown());
            }
            let row: Option<(Row, Option<String>)> = sellers::table
                .find(id)
                .select((
                    (sellers::id, sellers::user_id, sellers::farm_name, sellers::full_name),
                    sellers::organisation_id,
                ))
                .first(conn)
                .optional()?;
            match row {
                Some((seller, org)) if actor.may_act_for_organisation(org.as_deref()) => Ok(seller),
                _ => Err(unknown()),
            }
        }
        Role::Farmer => {
            let own: Option<Row> = sellers::table
                .filter(sellers::user_id.eq(&actor.user_id))
                .select((sellers::id, sellers::user_id, sellers::farm_name, sellers::full_name))
                .first(conn)
                .optional()?;
            let own = own.ok_or_else(common::ApiError::forbidden)?;
            if requested.is_some_and(|r| r != own.0) {
                return Err(common::ApiError::forbidden().into());
            }
            Ok(own)
        }
        Role::Buyer | Role::Officer => Err(common::ApiError::forbidden().into()),
    }
}

fn text(field: &str, value: &str, max: usize) -> Result<String, TraceError> {
    Ok(accounts::clean_text(field, value, max)?)
}

/// Opaque ids are UUIDs; anything else cannot name a row (and must not
/// reach the database as a query value, e.g. with a NUL byte).
fn plausible_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Takes the lot's row lock before anything about the lot is read, so that
/// concurrent changes to one lot (an event and a recall, two recalls) run
/// one after the other on PostgreSQL and each sees the other's result.
/// SQLite's BEGIN IMMEDIATE already serialises writers.
fn lock_lot(conn: &mut DbConnection, lot_id: &str) -> Result<(), TraceError> {
    let locked = diesel::update(lots::table.find(lot_id)).set(lots::status.eq(lots::status)).execute(conn)?;
    if locked == 0 {
        return Err(TraceError::NotFound("lot".into()));
    }
    Ok(())
}

/// Crockford base32: no I, L, O or U, so a code read aloud or copied by
/// hand from a label is not misread.
fn generate_lot_code(harvested_on: NaiveDate) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::rngs::OsRng;
    let suffix: String = (0..6).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{}-{suffix}", harvested_on.format("%y%m%d"))
}

fn assign_gtin(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    seller_id: &str,
    product_name: &str,
) -> Result<Gtin, TraceError> {
    use storage::schema::assigned_gtins as ag;
    let product_key = product_name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let existing: Option<String> = ag::table
        .filter(ag::seller_id.eq(seller_id))
        .filter(ag::product_key.eq(&product_key))
        .select(ag::gtin)
        .first(conn)
        .optional()?;
    if let Some(g) = existing {
        return Gtin::parse(&g);
    }
    let last: Option<i64> = ag::table.select(diesel::dsl::max(ag::item_reference)).first(conn)?;
    let item_reference = last.unwrap_or(0) + 1;
    let gtin = Gtin::assign(&settings.gtin_company_prefix, item_reference as u64)?;
    diesel::insert_into(ag::table)
        .values((
            ag::gtin.eq(gtin.as_str()),
            ag::seller_id.eq(seller_id),
            ag::product_key.eq(&product_key),
            ag::item_reference.eq(item_reference),
        ))
        .execute(conn)?;
    Ok(gtin)
}

/// GTINs under our own company prefix are ours to hand out: a seller may
/// quote one only if it was assigned to that seller.
fn check_gtin_owner(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    gtin: &Gtin,
    seller_id: &str,
) -> Result<(), TraceError> {
    use storage::schema::assigned_gtins as ag;
    if !gtin.as_str().starts_with(&format!("0{}", settings.gtin_company_prefix)) {
        return Ok(());
    }
    let owner: Option<String> = ag::table.find(gtin.as_str()).select(ag::seller_id).first(conn).optional()?;
    match owner {
        Some(o) if o == seller_id => Ok(()),
        _ => Err(TraceError::invalid(
            "gtin",
            "this GTIN is under nongsan's own prefix and was not assigned to this seller",
        )),
    }
}

pub fn create_lot(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    actor: &Actor,
    input: &NewLot,
) -> Result<LotView, TraceError> {
    let product_name = text("product_name", &input.product_name, 100)?;
    let unit = Unit::parse(&input.unit)?;
    let quantity = Quantity::from_json(&input.quantity)?;
    let harvested_on = NaiveDate::parse_from_str(input.harvested_on.trim(), "%Y-%m-%d")
        .map_err(|_| TraceError::invalid("harvested_on", "a date as YYYY-MM-DD"))?;
    let today = Utc::now().date_naive();
    if harvested_on > today + chrono::Duration::days(1) || harvested_on.year_ce().1 < 2000 {
        return Err(TraceError::invalid("harvested_on", "not in the future, not before 2000"));
    }
    let given_gtin = input.gtin.as_deref().map(Gtin::parse).transpose()?;
    let given_code = input.lot_code.as_deref().map(LotCode::parse).transpose()?;
    let farm_name = input.farm_name.as_deref().map(|f| text("farm_name", f, 100)).transpose()?;
    let commune_code = input.commune_code.trim().to_string();
    if commune_code.len() != 5 || !commune_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TraceError::invalid("commune_code", "5 digits from the 2025 commune list"));
    }

    let lot_id = storage::write_transaction(conn, |conn| {
        let (seller_id, seller_user_id, seller_farm, seller_name) =
            resolve_seller(conn, actor, input.seller_id.as_deref())?;
        let commune_known: i64 = communes::table.find(&commune_code).count().get_result(conn)?;
        if commune_known == 0 {
            return Err(TraceError::invalid(
                "commune_code",
                format!("`{commune_code}` is not in the 2025 list"),
            ));
        }
        let gtin = match &given_gtin {
            Some(g) => {
                check_gtin_owner(conn, settings, g, &seller_id)?;
                g.clone()
            }
            None => assign_gtin(conn, settings, &seller_id, &product_name)?,
        };
        let lot_code = match &given_code {
            Some(c) => c.as_str().to_string(),
            None => generate_lot_code(harvested_on),
        };
        let taken: i64 = lots::table.filter(lots::lot_code.eq(&lot_code)).count().get_result(conn)?;
        if taken > 0 {
            return Err(TraceError::Conflict(format!("lot code {lot_code} is already used")));
        }
        let id = storage::new_id();
        let created_at = DateTime::from_timestamp(Utc::now().timestamp(), 0)
            .map(|t| t.naive_utc())
            .unwrap_or_else(storage::now);
        let farm_name = farm_name.clone().or(seller_farm).unwrap_or_else(|| format!("Hộ {seller_name}"));
        let genesis = LotGenesis {
            lot_id: id.clone(),
            lot_code: lot_code.clone(),
            gtin: gtin.as_str().to_string(),
            product_name: product_name.clone(),
            seller_id: seller_id.clone(),
            harvested_on: harvested_on.to_string(),
            origin_commune_code: commune_code.clone(),
            created_at: ts(created_at),
        };
        diesel::insert_into(lots::table)
            .values((
                lots::id.eq(&id),
                lots::seller_id.eq(&seller_id),
                lots::lot_code.eq(&lot_code),
                lots::gtin.eq(gtin.as_str()),
                lots::product_name.eq(&product_name),
                lots::quantity.eq(quantity.to_text()),
                lots::unit.eq(unit.code),
                lots::quantity_g.eq(quantity.grams(unit)),
                lots::harvested_on.eq(harvested_on.to_string()),
                lots::commune_code.eq(&commune_code),
                lots::farm_name.eq(&farm_name),
                lots::status.eq("active"),
                lots::genesis_hash.eq(chain::genesis_hash(&genesis)?),
                lots::created_by.eq(&actor.user_id),
                lots::created_at.eq(created_at),
            ))
            .execute(conn)?;
        issue_record(conn, master, settings, &id)?;
        let acting_for = (seller_user_id != actor.user_id).then_some(seller_user_id.as_str());
        accounts::audit::record(conn, actor, acting_for, "lot.create", "lot", &id)?;
        Ok(id)
    })?;
    get_lot(conn, settings, &lot_id)
}

/// May this actor record events on (or otherwise change) this lot?
fn may_change(actor: &Actor, ctx: &LotContext) -> Result<(), TraceError> {
    let own_farm = actor.role == Role::Farmer && actor.user_id == ctx.seller_user_id;
    if own_farm || actor.may_act_for_organisation(ctx.seller_organisation.as_deref()) {
        Ok(())
    } else {
        Err(common::ApiError::forbidden().into())
    }
}

fn append(
    conn: &mut DbConnection,
    actor: &Actor,
    ctx: &LotContext,
    event_type: EventType,
    occurred_at: DateTime<Utc>,
    details: EventDetails,
) -> Result<LotEvent, TraceError> {
    let lot_id = &ctx.lot.id;

    let head: Option<(i64, String)> = lot_events::table
        .filter(lot_events::lot_id.eq(lot_id))
        .order(lot_events::seq.desc())
        .select((lot_events::seq, lot_events::hash))
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match head {
        Some((s, h)) => (s + 1, h),
        None => (1, ctx.lot.genesis_hash.clone()),
    };
    let mut event = LotEvent {
        id: storage::new_id(),
        seq,
        event_type,
        occurred_at,
        recorded_at: whole_seconds(Utc::now()),
        details,
        prev_hash,
        hash: String::new(),
    };
    event.hash = chain::event_hash(&event)?;
    let details_json =
        serde_json::to_string(&event.details).map_err(|e| TraceError::Internal(e.to_string()))?;
    diesel::insert_into(lot_events::table)
        .values((
            lot_events::id.eq(&event.id),
            lot_events::lot_id.eq(lot_id),
            lot_events::seq.eq(event.seq),
            lot_events::event_type.eq(event.event_type.as_str()),
            lot_events::occurred_at.eq(event.occurred_at.naive_utc()),
            lot_events::recorded_at.eq(event.recorded_at.naive_utc()),
            lot_events::details.eq(details_json),
            lot_events::prev_hash.eq(&event.prev_hash),
            lot_events::hash.eq(&event.hash),
            lot_events::recorded_by.eq(&actor.user_id),
            lot_events::acting_for.eq((ctx.seller_user_id != actor.user_id).then_some(&ctx.seller_user_id)),
        ))
        .execute(conn)?;
    let acting_for = (ctx.seller_user_id != actor.user_id).then_some(ctx.seller_user_id.as_str());
    accounts::audit::record(
        conn,
        actor,
        acting_for,
        &format!("lot.event.{}", event_type.as_str()),
        "lot",
        lot_id,
    )?;
    Ok(event)
}

pub fn parse_occurred_at(text: &str) -> Result<DateTime<Utc>, TraceError> {
    let t = DateTime::parse_from_rfc3339(text.trim())
        .map_err(|_| {
            TraceError::invalid("occurred_at", "RFC 3339 with an offset, e.g. 2025-11-02T07:30:00+07:00")
        })?
        .with_timezone(&Utc);
    if t > Utc::now() + chrono::Duration::hours(24) {
        return Err(TraceError::invalid("occurred_at", "is in the future"));
    }
    if t.year_ce().1 < 2000 {
        return Err(TraceError::invalid("occurred_at", "is before 2000"));
    }
    Ok(whole_seconds(t))
}

use chrono::Datelike;

pub fn add_event(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    actor: &Actor,
    lot_id: &str,
    input: &NewEvent,
) -> Result<EventView, TraceError> {
    let event_type = EventType::parse(&input.event_type)?;
    if !event_type.is_user_recordable() {
        return Err(TraceError::invalid("type", "a recall is made with POST /api/v1/lots/{id}/recall"));
    }
    let occurred_at = parse_occurred_at(&input.occurred_at)?;
    input.details.validate_for(event_type)?;
    if !plausible_id(lot_id) {
        return Err(TraceError::NotFound("lot".into()));
    }
    let (event, version) = storage::write_transaction(conn, |conn| {
        lock_lot(conn, lot_id)?;
        let ctx =
            load_context(conn, LotFilter::Id(lot_id))?.ok_or_else(|| TraceError::NotFound("lot".into()))?;
        may_change(actor, &ctx)?;
        if ctx.lot.status == "recalled" {
            return Err(TraceError::Conflict("this lot is recalled; nothing more can be recorded".into()));
        }
        let event = append(conn, actor, &ctx, event_type, occurred_at, input.details.clone())?;
        let version = issue_record(conn, master, settings, lot_id)?;
        Ok((event, version))
    })?;
    Ok(event_view(lot_id, event, version))
}

pub fn recall(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    actor: &Actor,
    lot_id: &str,
    input: &RecallRequest,
) -> Result<LotView, TraceError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let details = EventDetails { reason: Some(text("reason", &input.reason, 500)?), ..Default::default() };
    if !plausible_id(lot_id) {
        return Err(TraceError::NotFound("lot".into()));
    }
    storage::write_transaction(conn, |conn| {
        lock_lot(conn, lot_id)?;
        let ctx =
            load_context(conn, LotFilter::Id(lot_id))?.ok_or_else(|| TraceError::NotFound("lot".into()))?;
        may_change(actor, &ctx)?;
        if ctx.lot.status == "recalled" {
            return Err(TraceError::Conflict("this lot is already recalled".into()));
        }
        append(conn, actor, &ctx, EventType::Recall, whole_seconds(Utc::now()), details)?;
        diesel::update(lots::table.find(lot_id)).set(lots::status.eq("recalled")).execute(conn)?;
        issue_record(conn, master, settings, lot_id)?;
        Ok(())
    })?;
    get_lot(conn, settings, lot_id)
}

fn event_view(lot_id: &str, e: LotEvent, record_version: i64) -> EventView {
    EventView {
        id: e.id,
        lot_id: lot_id.to_string(),
        seq: e.seq,
        event_type: e.event_type.as_str().to_string(),
        occurred_at: credential::rfc3339(e.occurred_at),
        recorded_at: credential::rfc3339(e.recorded_at),
        details: e.details,
        prev_hash: e.prev_hash,
        hash: e.hash,
        record_version,
    }
}

fn view(conn: &mut DbConnection, settings: &TraceSettings, ctx: LotContext) -> Result<LotView, TraceError> {
    let event_count: i64 =
        lot_events::table.filter(lot_events::lot_id.eq(&ctx.lot.id)).count().get_result(conn)?;
    let record_version = latest_version(conn, &ctx.lot.id)?;
    let l = ctx.lot;
    Ok(LotView {
        digital_link: digital_link(settings, &l)?,
        gtin_is_internal: settings.gtin_is_internal(&l.gtin),
        id: l.id,
        lot_code: l.lot_code,
        gtin: l.gtin,
        product_name: l.product_name,
        quantity: l.quantity,
        unit: l.unit,
        quantity_g: l.quantity_g,
        harvested_on: l.harvested_on,
        commune_code: l.commune_code,
        commune_name: ctx.commune_name,
        province_code: ctx.province_code,
        province_name: ctx.province_name,
        farm_name: l.farm_name,
        seller_id: l.seller_id,
        producer_name: ctx.seller_name,
        status: l.status,
        record_version,
        event_count,
        created_at: ts(l.created_at),
    })
}

pub fn get_lot(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    lot_id: &str,
) -> Result<LotView, TraceError> {
    if !plausible_id(lot_id) {
        return Err(TraceError::NotFound("lot".into()));
    }
    let ctx = load_context(conn, LotFilter::Id(lot_id))?.ok_or_else(|| TraceError::NotFound("lot".into()))?;
    view(conn, settings, ctx)
}

pub fn find_by_link(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    link: &DigitalLink,
) -> Result<Option<LotView>, TraceError> {
    match load_context(conn, LotFilter::Link(link.gtin.as_str(), link.lot.as_str()))? {
        Some(ctx) => Ok(Some(view(conn, settings, ctx)?)),
        None => Ok(None),
    }
}

/// Lots the actor may manage: a farmer's own, or any for staff and admin
/// (optionally one seller's).
/// Which lots an actor may list and export: staff their own post office's
/// sellers' lots, a farmer their own, an admin all. Buyers none.
enum LotScope {
    All,
    Organisation(Option<String>),
    Farmer(String),
}

fn lot_scope(actor: &Actor) -> Result<LotScope, TraceError> {
    match actor.role {
        Role::Admin => Ok(LotScope::All),
        Role::Staff => Ok(LotScope::Organisation(actor.organisation_id.clone())),
        Role::Farmer => Ok(LotScope::Farmer(actor.user_id.clone())),
        Role::Buyer | Role::Officer => Err(common::ApiError::forbidden().into()),
    }
}

/// Applies a [`LotScope`] to any boxed query that joins `sellers`.
macro_rules! within_scope {
    ($query:expr, $scope:expr) => {
        match $scope {
            LotScope::All => $query,
            LotScope::Organisation(Some(org)) => $query.filter(sellers::organisation_id.eq(org.clone())),
            LotScope::Organisation(None) => $query.filter(sellers::organisation_id.is_null()),
            LotScope::Farmer(user) => $query.filter(sellers::user_id.eq(user.clone())),
        }
    };
}

pub fn list_lots(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    actor: &Actor,
    seller_id: Option<&str>,
) -> Result<Vec<LotView>, TraceError> {
    let scope = lot_scope(actor)?;
    let mut q = lots::table.inner_join(sellers::table).select(lots::id).into_boxed();
    if let (Some(s), Role::Staff | Role::Admin) = (seller_id, actor.role) {
        q = q.filter(lots::seller_id.eq(s.to_string()));
    }
    let q = within_scope!(q, &scope);
    let ids: Vec<String> = q.order(lots::created_at.desc()).limit(200).load(conn)?;
    ids.iter().map(|id| get_lot(conn, settings, id)).collect()
}

/// The most lots one FSMA 204 export covers; a wider request is refused
/// with advice to shorten the date range.
pub const FSMA_MAX_LOTS: i64 = 5_000;

/// Vietnam's offset: export dates are the officer's calendar days.
const VIETNAM_OFFSET_HOURS: i64 = 7;

/// Rows of the FSMA 204 spreadsheet for the critical tracking events that
/// happened from `from` to `to` (Vietnamese calendar days, both included)
/// in the lots the actor may see, sorted by time.
pub fn fsma_rows(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<[String; 22]>, TraceError> {
    if to < from {
        return Err(TraceError::invalid("to", "must not be before `from`"));
    }
    let scope = lot_scope(actor)?;
    let local_midnight_utc =
        |day: NaiveDate| day.and_time(chrono::NaiveTime::MIN) - chrono::Duration::hours(VIETNAM_OFFSET_HOURS);
    let start = local_midnight_utc(from);
    let end = local_midnight_utc(to.succ_opt().ok_or_else(|| TraceError::invalid("to", "is out of range"))?);
    let q = lot_events::table
        .inner_join(lots::table.inner_join(sellers::table))
        .filter(lot_events::occurred_at.ge(start))
        .filter(lot_events::occurred_at.lt(end))
        .select(lot_events::lot_id)
        .distinct()
        .into_boxed();
    let ids: Vec<String> = within_scope!(q, &scope).limit(FSMA_MAX_LOTS + 1).load(conn)?;
    if ids.len() as i64 > FSMA_MAX_LOTS {
        return Err(TraceError::invalid(
            "from",
            format!("more than {FSMA_MAX_LOTS} lots have events in this range; choose a shorter one"),
        ));
    }
    let as_text = |t: NaiveDateTime| t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let range = (as_text(start), as_text(end));
    let mut rows = Vec::new();
    for id in &ids {
        let lot = get_lot(conn, settings, id)?;
        let events: Vec<LotEvent> = load_events(conn, id)?;
        let fsma_lot = crate::fsma::FsmaLot {
            gtin: &lot.gtin,
            lot_code: &lot.lot_code,
            product_name: &lot.product_name,
            quantity: &lot.quantity,
            unit: &lot.unit,
            harvested_on: &lot.harvested_on,
            farm_name: &lot.farm_name,
            commune_code: &lot.commune_code,
            commune_name: &lot.commune_name,
            province_name: &lot.province_name,
            producer_name: &lot.producer_name,
            status: &lot.status,
            digital_link: &lot.digital_link,
        };
        // Every event feeds the variety carried from harvest; only those in
        // the range are written.
        // (Rows hold RFC 3339 UTC times of one format: text order is time order.)
        let in_range = |row: &[String; 22]| row[0] >= range.0 && row[0] < range.1;
        rows.extend(crate::fsma::rows(&fsma_lot, &events).into_iter().filter(in_range));
    }
    crate::fsma::sort_rows(&mut rows);
    Ok(rows)
}

pub fn list_events(conn: &mut DbConnection, lot_id: &str) -> Result<Vec<EventView>, TraceError> {
    if !plausible_id(lot_id) {
        return Err(TraceError::NotFound("lot".into()));
    }
    let exists: i64 = lots::table.find(lot_id).count().get_result(conn)?;
    if exists == 0 {
        return Err(TraceError::NotFound("lot".into()));
    }
    let events = load_events(conn, lot_id)?;
    // each event's record version is the version issued right after it
    // (version 1 is the lot's creation)
    Ok(events
        .into_iter()
        .map(|e| {
            let v = e.seq + 1;
            event_view(lot_id, e, v)
        })
        .collect())
}

/// The signed record: the newest, or a given version.
pub fn record(conn: &mut DbConnection, lot_id: &str, version: Option<i64>) -> Result<Value, TraceError> {
    let text = record_text(conn, lot_id, version)?;
    serde_json::from_str(&text).map_err(|e| TraceError::Internal(format!("stored record is unreadable: {e}")))
}

/// The signed record exactly as stored, for serving without re-encoding.
pub fn record_text(
    conn: &mut DbConnection,
    lot_id: &str,
    version: Option<i64>,
) -> Result<String, TraceError> {
    if !plausible_id(lot_id) {
        return Err(TraceError::NotFound("lot".into()));
    }
    let mut q = provenance_records::table
        .filter(provenance_records::lot_id.eq(lot_id))
        .select(provenance_records::credential)
        .into_boxed();
    if let Some(v) = version {
        q = q.filter(provenance_records::version.eq(v));
    }
    q.order(provenance_records::version.desc())
        .first(conn)
        .optional()?
        .ok_or_else(|| TraceError::NotFound("record".into()))
}

/// The id of the lot a Digital Link names: one indexed lookup.
pub fn id_by_link(conn: &mut DbConnection, link: &DigitalLink) -> Result<Option<String>, TraceError> {
    Ok(lots::table
        .filter(lots::gtin.eq(link.gtin.as_str()))
        .filter(lots::lot_code.eq(link.lot.as_str()))
        .select(lots::id)
        .first(conn)
        .optional()?)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordVersion {
    pub version: i64,
    pub created_at: String,
    pub url: String,
}

pub fn record_versions(conn: &mut DbConnection, lot_id: &str) -> Result<Vec<RecordVersion>, TraceError> {
    if !plausible_id(lot_id) {
        return Err(TraceError::NotFound("lot".into()));
    }
    let rows: Vec<(i64, NaiveDateTime)> = provenance_records::table
        .filter(provenance_records::lot_id.eq(lot_id))
        .order(provenance_records::version)
        .select((provenance_records::version, provenance_records::created_at))
        .load(conn)?;
    if rows.is_empty() {
        return Err(TraceError::NotFound("lot".into()));
    }
    Ok(rows
        .into_iter()
        .map(|(version, at)| RecordVersion {
            version,
            created_at: ts(at),
            url: format!("/api/v1/lots/{lot_id}/record?version={version}"),
        })
        .collect())
}

/// Newest version number and recall state of a lot, for verification.
pub fn lot_status(conn: &mut DbConnection, lot_id: &str) -> Result<Option<(i64, bool)>, TraceError> {
    if !plausible_id(lot_id) {
        return Ok(None);
    }
    let status: Option<String> = lots::table.find(lot_id).select(lots::status).first(conn).optional()?;
    match status {
        None => Ok(None),
        Some(s) => Ok(Some((latest_version(conn, lot_id)?, s == "recalled"))),
    }
}

/// Events of a lot for the EPCIS export and the scan page.
pub fn events_of(conn: &mut DbConnection, lot_id: &str) -> Result<Vec<LotEvent>, TraceError> {
    load_events(conn, lot_id)
}

/// After a key is revoked, nothing it signed is trusted: re-sign the newest
/// version of every lot whose newest record it signed, with the current
/// key, so scan pages show a trusted record again. Returns how many.
pub fn resign_after_revocation(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    revoked_did: &str,
) -> Result<usize, TraceError> {
    use storage::schema::issuer_keys;
    let key_id: String = issuer_keys::table
        .filter(issuer_keys::did.eq(revoked_did))
        .select(issuer_keys::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| TraceError::NotFound(format!("issuer key {revoked_did}")))?;
    let lot_ids: Vec<String> = provenance_records::table
        .filter(provenance_records::issuer_key_id.eq(&key_id))
        .select(provenance_records::lot_id)
        .distinct()
        .load(conn)?;
    let mut resigned = 0;
    for lot_id in lot_ids {
        storage::write_transaction(conn, |conn| {
            lock_lot(conn, &lot_id)?;
            let newest_by: String = provenance_records::table
                .filter(provenance_records::lot_id.eq(&lot_id))
                .order(provenance_records::version.desc())
                .select(provenance_records::issuer_key_id)
                .first(conn)?;
            if newest_by == key_id {
                issue_record(conn, master, settings, &lot_id)?;
                resigned += 1;
            }
            Ok::<_, TraceError>(())
        })?;
    }
    Ok(resigned)
}
