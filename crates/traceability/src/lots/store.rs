//! Lots in the database: creating them, appending events and reading them
//! back. Every change issues the next signed record version
//! ([`crate::records::store::issue_record`]) in the same transaction.

use accounts::access::{seller_scope, SellerOwner};
use accounts::{Actor, Role};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use storage::schema::{communes, lot_events, lots, provinces, sellers};
use storage::DbConnection;

use super::rules::{self, event_view, generate_lot_code, may_change, text, whole_seconds, CheckedLot};
use super::{EventView, LotView, NewEvent, NewLot, Recall, RecallFollowUp, RecallRequest, TraceSettings};
use crate::chain::{self, LotGenesis};
use crate::digital_link::{DigitalLink, LotCode};
use crate::gtin::Gtin;
use crate::records::store::{issue_record, latest_version};
use crate::{EventDetails, EventType, LotEvent};
use common::ids::{EventId, LotId, SellerId};
use common::{ApiError, ErrorCode};

#[derive(Debug, Clone, Queryable)]
pub(crate) struct LotRow {
    pub(crate) id: LotId,
    pub(crate) seller_id: SellerId,
    pub(crate) lot_code: String,
    pub(crate) gtin: String,
    pub(crate) product_name: String,
    pub(crate) quantity: String,
    pub(crate) unit: String,
    pub(crate) quantity_g: Option<i64>,
    pub(crate) harvested_on: String,
    pub(crate) commune_code: String,
    pub(crate) farm_name: String,
    pub(crate) status: String,
    pub(crate) genesis_hash: String,
    pub(crate) created_at: NaiveDateTime,
}

/// A lot with everything around it that views and records need.
#[derive(Debug, Clone)]
pub(crate) struct LotContext {
    pub(crate) lot: LotRow,
    pub(crate) seller_user_id: String,
    pub(crate) seller_name: String,
    pub(crate) seller_organisation: Option<String>,
    pub(crate) commune_name: String,
    pub(crate) province_code: String,
    pub(crate) province_name: String,
}

pub(crate) fn load_context(
    conn: &mut DbConnection,
    filter: LotFilter<'_>,
) -> Result<Option<LotContext>, ApiError> {
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
        LotFilter::Id(id) => q.filter(lots::id.eq(id)),
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
pub(crate) enum LotFilter<'a> {
    Id(&'a LotId),
    Link(&'a str, &'a str),
}

pub(crate) fn load_events(conn: &mut DbConnection, lot_id: &LotId) -> Result<Vec<LotEvent>, ApiError> {
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
                    .map_err(|e| ApiError::internal(format!("stored event {seq} is unreadable: {e}")))?,
                prev_hash,
                hash,
            })
        })
        .collect()
}

pub(crate) fn genesis_of(ctx: &LotContext) -> LotGenesis {
    let l = &ctx.lot;
    LotGenesis {
        lot_id: l.id.to_string(),
        lot_code: l.lot_code.clone(),
        gtin: l.gtin.clone(),
        product_name: l.product_name.clone(),
        seller_id: l.seller_id.to_string(),
        harvested_on: l.harvested_on.clone(),
        origin_commune_code: l.commune_code.clone(),
        created_at: common::rfc3339(l.created_at),
    }
}

pub(crate) fn digital_link(settings: &TraceSettings, lot: &LotRow) -> Result<String, ApiError> {
    let link = DigitalLink::new(Gtin::parse(&lot.gtin)?, LotCode::parse(&lot.lot_code)?);
    Ok(link.uri(&settings.public_url))
}

/// Which seller a lot is recorded for, and for whom staff act.
fn resolve_seller(
    conn: &mut DbConnection,
    actor: &Actor,
    requested: Option<&str>,
) -> Result<(SellerId, String, Option<String>, String), ApiError> {
    type Row = (SellerId, String, Option<String>, String);
    match actor.role {
        Role::Staff | Role::Admin => {
            let id = requested.ok_or_else(|| {
                ApiError::field(ErrorCode::Required, "seller_id", "staff must say which seller")
            })?;
            let unknown =
                || ApiError::field(ErrorCode::UnknownReference, "seller_id", format!("no seller `{id}`"));
            let Some(id) = SellerId::parse(id) else {
                return Err(unknown());
            };
            let row: Option<(Row, Option<String>)> = sellers::table
                .find(&id)
                .select((
                    (sellers::id, sellers::user_id, sellers::farm_name, sellers::full_name),
                    sellers::organisation_id,
                ))
                .first(conn)
                .optional()?;
            // Naming a seller is the post office's step (or the admin's).
            let scope = seller_scope(actor)?;
            match row {
                Some((seller, org))
                    if scope.is_post_office_for(SellerOwner {
                        user_id: &seller.1,
                        organisation_id: org.as_deref(),
                    }) =>
                {
                    Ok(seller)
                }
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
            if requested.is_some_and(|r| own.0 != r) {
                return Err(common::ApiError::forbidden());
            }
            Ok(own)
        }
        Role::Buyer | Role::Officer => Err(common::ApiError::forbidden()),
    }
}

/// Takes the lot's row lock before anything about the lot is read, so that
/// concurrent changes to one lot (an event and a recall, two recalls) run
/// one after the other on PostgreSQL and each sees the other's result.
/// SQLite's BEGIN IMMEDIATE already serialises writers.
pub(crate) fn lock_lot(conn: &mut DbConnection, lot_id: &LotId) -> Result<(), ApiError> {
    let locked = diesel::update(lots::table.find(lot_id)).set(lots::status.eq(lots::status)).execute(conn)?;
    if locked == 0 {
        return Err(ApiError::not_found("lot"));
    }
    Ok(())
}

fn assign_gtin(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    seller_id: &SellerId,
    product_name: &str,
) -> Result<Gtin, ApiError> {
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
    seller_id: &SellerId,
) -> Result<(), ApiError> {
    use storage::schema::assigned_gtins as ag;
    if !gtin.as_str().starts_with(&format!("0{}", settings.gtin_company_prefix)) {
        return Ok(());
    }
    let owner: Option<SellerId> =
        ag::table.find(gtin.as_str()).select(ag::seller_id).first(conn).optional()?;
    match owner {
        Some(o) if &o == seller_id => Ok(()),
        _ => Err(ApiError::field(
            ErrorCode::UnknownReference,
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
) -> Result<LotView, ApiError> {
    let CheckedLot {
        product_name,
        unit,
        quantity,
        harvested_on,
        given_gtin,
        given_code,
        farm_name,
        commune_code,
    } = rules::check_new_lot(input)?;

    let lot_id = storage::write_transaction(conn, |conn| {
        let (seller_id, seller_user_id, seller_farm, seller_name) =
            resolve_seller(conn, actor, input.seller_id.as_deref())?;
        let commune_known: i64 = communes::table.find(&commune_code).count().get_result(conn)?;
        if commune_known == 0 {
            return Err(ApiError::field(
                ErrorCode::UnknownValue,
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
            let used = format!("lot code {lot_code} is already used");
            return Err(ApiError::field(ErrorCode::AlreadyTaken, "lot_code", used));
        }
        let id = LotId::new();
        let created_at = DateTime::from_timestamp(Utc::now().timestamp(), 0)
            .map(|t| t.naive_utc())
            .unwrap_or_else(storage::now);
        let farm_name = farm_name.clone().or(seller_farm).unwrap_or_else(|| format!("Hộ {seller_name}"));
        let genesis = LotGenesis {
            lot_id: id.to_string(),
            lot_code: lot_code.clone(),
            gtin: gtin.as_str().to_string(),
            product_name: product_name.clone(),
            seller_id: seller_id.to_string(),
            harvested_on: harvested_on.to_string(),
            origin_commune_code: commune_code.clone(),
            created_at: common::rfc3339(created_at),
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
        accounts::audit::record(conn, actor, acting_for, "lot.create", "lot", id.as_str())?;
        Ok(id)
    })?;
    get_lot(conn, settings, &lot_id)
}

fn append(
    conn: &mut DbConnection,
    actor: &Actor,
    ctx: &LotContext,
    event_type: EventType,
    occurred_at: DateTime<Utc>,
    details: EventDetails,
) -> Result<LotEvent, ApiError> {
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
        id: EventId::new().into_string(),
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
        serde_json::to_string(&event.details).map_err(|e| ApiError::internal(e.to_string()))?;
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
        lot_id.as_str(),
    )?;
    Ok(event)
}

pub fn add_event(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    actor: &Actor,
    lot_id: &LotId,
    input: &NewEvent,
) -> Result<EventView, ApiError> {
    let (event_type, occurred_at) = rules::check_new_event(input)?;
    let (event, version) = storage::write_transaction(conn, |conn| {
        lock_lot(conn, lot_id)?;
        let ctx = load_context(conn, LotFilter::Id(lot_id))?.ok_or_else(|| ApiError::not_found("lot"))?;
        may_change(actor, &ctx.seller_user_id, ctx.seller_organisation.as_deref())?;
        if ctx.lot.status == "recalled" {
            return Err(ApiError::new(
                ErrorCode::LotRecalled,
                "this lot is recalled; nothing more can be recorded",
            ));
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
    lot_id: &LotId,
    input: &RecallRequest,
    follow_up: &dyn RecallFollowUp,
) -> Result<LotView, ApiError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let reason = text("reason", &input.reason, 500)?;
    let details = EventDetails { reason: Some(reason.clone()), ..Default::default() };
    storage::write_transaction(conn, |conn| {
        lock_lot(conn, lot_id)?;
        let ctx = load_context(conn, LotFilter::Id(lot_id))?.ok_or_else(|| ApiError::not_found("lot"))?;
        may_change(actor, &ctx.seller_user_id, ctx.seller_organisation.as_deref())?;
        if ctx.lot.status == "recalled" {
            return Err(ApiError::new(ErrorCode::LotRecalled, "this lot is already recalled"));
        }
        let recalled_at = whole_seconds(Utc::now());
        append(conn, actor, &ctx, EventType::Recall, recalled_at, details)?;
        // Orders first, then the lot's row: marking the lot recalled takes
        // its listings out of the search index (a trigger), and a listing
        // edit waiting on those rows may be held up by an order the recall
        // would otherwise wait for; this way the recall never holds them
        // while it waits.
        follow_up.lot_recalled(
            conn,
            &Recall { lot_id, reason: &reason, recalled_at: recalled_at.naive_utc(), actor },
        )?;
        diesel::update(lots::table.find(lot_id)).set(lots::status.eq("recalled")).execute(conn)?;
        issue_record(conn, master, settings, lot_id)?;
        Ok(())
    })?;
    get_lot(conn, settings, lot_id)
}

fn view(conn: &mut DbConnection, settings: &TraceSettings, ctx: LotContext) -> Result<LotView, ApiError> {
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
        created_at: common::rfc3339(l.created_at),
    })
}

pub fn get_lot(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    lot_id: &LotId,
) -> Result<LotView, ApiError> {
    let ctx = load_context(conn, LotFilter::Id(lot_id))?.ok_or_else(|| ApiError::not_found("lot"))?;
    view(conn, settings, ctx)
}

pub fn find_by_link(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    link: &DigitalLink,
) -> Result<Option<LotView>, ApiError> {
    match load_context(conn, LotFilter::Link(link.gtin.as_str(), link.lot.as_str()))? {
        Some(ctx) => Ok(Some(view(conn, settings, ctx)?)),
        None => Ok(None),
    }
}

/// Lots the actor may manage: a farmer's own, or any for staff and admin
/// (optionally one seller's).
pub fn list_lots(
    conn: &mut DbConnection,
    settings: &TraceSettings,
    actor: &Actor,
    seller_id: Option<&str>,
) -> Result<Vec<LotView>, ApiError> {
    let scope = seller_scope(actor)?;
    let mut q = lots::table.inner_join(sellers::table).select(lots::id).into_boxed();
    if let (Some(s), Role::Staff | Role::Admin) = (seller_id, actor.role) {
        // No lot belongs to text that cannot be a seller id.
        let Some(s) = SellerId::parse(s) else {
            return Ok(Vec::new());
        };
        q = q.filter(lots::seller_id.eq(s));
    }
    let q = accounts::within_seller_scope!(q, &scope);
    let ids: Vec<LotId> = q.order(lots::created_at.desc()).limit(200).load(conn)?;
    ids.iter().map(|id| get_lot(conn, settings, id)).collect()
}

pub fn list_events(conn: &mut DbConnection, lot_id: &LotId) -> Result<Vec<EventView>, ApiError> {
    let exists: i64 = lots::table.find(lot_id).count().get_result(conn)?;
    if exists == 0 {
        return Err(ApiError::not_found("lot"));
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

/// The id of the lot a Digital Link names: one indexed lookup.
pub fn id_by_link(conn: &mut DbConnection, link: &DigitalLink) -> Result<Option<LotId>, ApiError> {
    Ok(lots::table
        .filter(lots::gtin.eq(link.gtin.as_str()))
        .filter(lots::lot_code.eq(link.lot.as_str()))
        .select(lots::id)
        .first(conn)
        .optional()?)
}

/// Events of a lot for the EPCIS export and the scan page.
pub fn events_of(conn: &mut DbConnection, lot_id: &LotId) -> Result<Vec<LotEvent>, ApiError> {
    load_events(conn, lot_id)
}
