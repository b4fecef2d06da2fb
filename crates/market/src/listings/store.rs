//! Listings in the database: creating, reading (with everything a view
//! shows), changing and removing them, and who may do which for which
//! seller.

use accounts::{access, Actor, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::{communes, counters, listings, lots, provinces, sellers};
use storage::DbConnection;
use traceability::digital_link::{DigitalLink, LotCode};
use traceability::gtin::Gtin;

use super::rules::{self, ListingStatus, Place};
use super::{photos, LinkBase, ListingChanges, ListingLot, ListingView, NewListing};
use crate::reference::catalog;
use common::rfc3339;
use common::{ApiError, ErrorCode, ListingId, SellerId};

#[derive(Queryable)]
struct ListingRow {
    id: String,
    seller_id: String,
    title: String,
    category: String,
    unit: String,
    price_vnd: i64,
    quantity: i64,
    unit_weight_g: Option<i64>,
    description: Option<String>,
    status: String,
    commune_code: String,
    province_code: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

type LoadedRow = (
    ListingRow,
    (String, Option<String>),
    (String, String),
    Option<(String, String, String, String, String, String)>,
);

/// Loads listings by id, in the order given, with everything a view shows.
pub fn load_views(
    conn: &mut DbConnection,
    links: &LinkBase,
    ids: &[String],
) -> Result<Vec<ListingView>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<LoadedRow> = listings::table
        .inner_join(sellers::table)
        .inner_join(communes::table.on(communes::code.eq(listings::commune_code)))
        .inner_join(provinces::table.on(provinces::code.eq(listings::province_code)))
        .left_join(lots::table)
        .filter(listings::id.eq_any(ids))
        .select((
            (
                listings::id,
                listings::seller_id,
                listings::title,
                listings::category,
                listings::unit,
                listings::price_vnd,
                listings::quantity,
                listings::unit_weight_g,
                listings::description,
                listings::status,
                listings::commune_code,
                listings::province_code,
                listings::created_at,
                listings::updated_at,
            ),
            (sellers::full_name, sellers::farm_name),
            (communes::name, provinces::name),
            (lots::id, lots::lot_code, lots::gtin, lots::product_name, lots::harvested_on, lots::status)
                .nullable(),
        ))
        .load(conn)?;
    let mut photos = photos::for_listings(conn, ids)?;
    let mut views: Vec<ListingView> = Vec::with_capacity(rows.len());
    for (l, (full_name, farm_name), (commune_name, province_name), lot) in rows {
        let lot = lot.map(|(id, lot_code, gtin, product_name, harvested_on, status)| {
            let digital_link = Gtin::parse(&gtin)
                .ok()
                .zip(LotCode::parse(&lot_code).ok())
                .map(|(g, c)| DigitalLink::new(g, c).uri(&links.public_url))
                .unwrap_or_default();
            ListingLot {
                id,
                lot_code,
                gtin,
                product_name,
                harvested_on,
                digital_link,
                status,
                verified: None,
            }
        });
        let recalled = lot.as_ref().is_some_and(|l| l.status == "recalled");
        views.push(ListingView {
            available: l.status == "active" && l.quantity > 0 && !recalled,
            seller_name: farm_name.unwrap_or(full_name),
            category_name: catalog::find_category(&l.category)
                .map(|c| c.name_vi)
                .unwrap_or_default()
                .to_string(),
            unit_name: rules::unit(&l.unit).map(|u| u.name_vi).unwrap_or_default().to_string(),
            photos: photos.remove(&l.id).unwrap_or_default(),
            id: l.id,
            seller_id: l.seller_id,
            title: l.title,
            category: l.category,
            unit: l.unit,
            price_vnd: l.price_vnd,
            quantity: l.quantity,
            unit_weight_g: l.unit_weight_g,
            description: l.description,
            status: l.status,
            commune_code: l.commune_code,
            commune_name,
            province_code: l.province_code,
            province_name,
            lot,
            created_at: rfc3339(l.created_at),
            updated_at: rfc3339(l.updated_at),
        });
    }
    // the database returns rows in any order; callers asked for `ids`' order
    views.sort_by_key(|v| ids.iter().position(|id| *id == v.id));
    Ok(views)
}

/// The seller a listing belongs to, as the checks below need it.
#[derive(Queryable)]
pub(crate) struct SellerRef {
    id: String,
    user_id: String,
    organisation_id: Option<String>,
    commune_code: String,
    full_name: String,
    farm_name: Option<String>,
}

impl SellerRef {
    /// Who the seller belongs to, for the visibility rule.
    fn owner(&self) -> access::SellerOwner<'_> {
        access::SellerOwner { user_id: &self.user_id, organisation_id: self.organisation_id.as_deref() }
    }

    fn display_name(&self) -> &str {
        self.farm_name.as_deref().unwrap_or(&self.full_name)
    }
}

fn seller_ref(conn: &mut DbConnection, seller_id: &str) -> Result<Option<SellerRef>, ApiError> {
    if !common::ids::plausible_id(seller_id) {
        return Ok(None);
    }
    Ok(sellers::table
        .find(seller_id)
        .select((
            sellers::id,
            sellers::user_id,
            sellers::organisation_id,
            sellers::commune_code,
            sellers::full_name,
            sellers::farm_name,
        ))
        .first(conn)
        .optional()?)
}

/// The seller `actor` may list for: a farmer itself; staff a farmer of
/// their organisation, named by `requested`; admin anyone named.
fn seller_for_actor(
    conn: &mut DbConnection,
    actor: &Actor,
    requested: Option<&str>,
) -> Result<SellerRef, ApiError> {
    match actor.role {
        Role::Farmer => {
            let own = crate::sellers::store::seller_id_for_user(conn, actor.user_id.as_str())?
                .ok_or_else(common::ApiError::forbidden)?;
            if requested.is_some_and(|r| r != own) {
                return Err(common::ApiError::forbidden());
            }
            seller_ref(conn, &own)?.ok_or_else(|| ApiError::not_found("seller"))
        }
        Role::Staff | Role::Admin => {
            let id = requested.ok_or_else(|| {
                ApiError::field(
                    ErrorCode::Required,
                    "seller_id",
                    "staff and admin name the seller they list for",
                )
            })?;
            match seller_ref(conn, id)? {
                Some(s) if access::may_act_for(actor, s.owner()) => Ok(s),
                _ => Err(ApiError::field(
                    ErrorCode::UnknownReference,
                    "seller_id",
                    "no such seller in your organisation",
                )),
            }
        }
        Role::Buyer | Role::Officer => Err(common::ApiError::forbidden()),
    }
}

/// Whether `actor` may change listings of `seller`.
fn may_manage(actor: &Actor, seller: &SellerRef) -> bool {
    access::may_act_for(actor, seller.owner())
}

/// The user a change was made for, when staff made it for a farmer.
pub(crate) fn acting_for<'a>(actor: &Actor, seller: &'a SellerRef) -> Option<&'a str> {
    (seller.user_id != actor.user_id).then_some(seller.user_id.as_str())
}

/// A lot may be linked by its own seller's listings only, and never once
/// recalled.
fn check_lot(conn: &mut DbConnection, lot_id: &str, seller: &SellerRef) -> Result<String, ApiError> {
    let unknown = || ApiError::field(ErrorCode::UnknownReference, "lot_id", "no such lot of this seller");
    if !common::ids::plausible_id(lot_id) {
        return Err(unknown());
    }
    let row: Option<(String, String)> =
        lots::table.find(lot_id).select((lots::seller_id, lots::status)).first(conn).optional()?;
    match row {
        Some((owner, _)) if owner != seller.id => Err(unknown()),
        Some((_, status)) if status == "recalled" => {
            Err(ApiError::new(ErrorCode::LotRecalled, "this lot is recalled; it cannot be sold"))
        }
        Some(_) => Ok(lot_id.to_string()),
        None => Err(unknown()),
    }
}

fn place(conn: &mut DbConnection, commune_code: &str) -> Result<(String, String, String), ApiError> {
    let (province_code, commune_name, province_name): (String, String, String) = communes::table
        .inner_join(provinces::table)
        .filter(communes::code.eq(commune_code))
        .select((communes::province_code, communes::name, provinces::name))
        .first(conn)?;
    Ok((province_code, commune_name, province_name))
}

/// The next integer key of the full-text index. The counter row is
/// locked until the transaction ends, so keys never repeat.
fn next_search_id(conn: &mut DbConnection) -> Result<i64, ApiError> {
    reserve_search_ids(conn, 1)
}

/// Reserves `n` consecutive keys of the full-text index (for bulk loads,
/// such as the listing generator's); returns the first.
pub fn reserve_search_ids(conn: &mut DbConnection, n: i64) -> Result<i64, ApiError> {
    let last: i64 = diesel::update(counters::table.find("listing_search_id"))
        .set(counters::value.eq(counters::value + n))
        .returning(counters::value)
        .get_result(conn)?;
    Ok(last - n + 1)
}

pub fn create(
    conn: &mut DbConnection,
    links: &LinkBase,
    actor: &Actor,
    input: &NewListing,
) -> Result<ListingView, ApiError> {
    actor.require(&[Role::Farmer, Role::Staff, Role::Admin])?;
    let title = rules::title(&input.title)?;
    let category = rules::category(&input.category)?;
    let unit = rules::unit(&input.unit)?;
    let price = rules::price(&input.price_vnd)?;
    let quantity = rules::quantity(&input.quantity)?;
    let unit_weight_g = rules::unit_weight(input.unit_weight_g.as_ref(), unit)?;
    let description = rules::description(input.description.as_deref())?;
    let id = storage::write_transaction(conn, |conn| {
        let seller = seller_for_actor(conn, actor, input.seller_id.as_deref())?;
        let lot_id = input.lot_id.as_deref().map(|l| check_lot(conn, l, &seller)).transpose()?;
        let (province_code, commune_name, province_name) = place(conn, &seller.commune_code)?;
        let body = rules::search_body(
            description.as_deref(),
            seller.display_name(),
            &Place { commune_name: &commune_name, province_name: &province_name },
            category,
        );
        let id = ListingId::new();
        let now = storage::now();
        diesel::insert_into(listings::table)
            .values((
                listings::id.eq(&id),
                listings::search_id.eq(next_search_id(conn)?),
                listings::seller_id.eq(&seller.id),
                listings::title.eq(&title),
                listings::category.eq(category.code),
                listings::unit.eq(unit.code),
                listings::price_vnd.eq(price),
                listings::quantity.eq(quantity),
                listings::unit_weight_g.eq(unit_weight_g),
                listings::description.eq(&description),
                listings::lot_id.eq(&lot_id),
                listings::status.eq(ListingStatus::Active.as_str()),
                listings::commune_code.eq(&seller.commune_code),
                listings::province_code.eq(&province_code),
                listings::search_title.eq(crate::text::fold(&title)),
                listings::search_body.eq(&body),
                listings::created_by.eq(&actor.user_id),
                listings::created_at.eq(now),
                listings::updated_at.eq(now),
            ))
            .execute(conn)?;
        accounts::audit::record(
            conn,
            actor,
            acting_for(actor, &seller),
            "listing.create",
            "listing",
            id.as_str(),
        )?;
        Ok::<_, ApiError>(id)
    })?;
    get(conn, links, &id)
}

/// A listing that is not deleted. Anyone may see it, paused or sold out:
/// a buyer following an old link learns why it cannot be ordered.
pub fn get(conn: &mut DbConnection, links: &LinkBase, id: &ListingId) -> Result<ListingView, ApiError> {
    let not_found = || ApiError::not_found("listing");
    let view = load_views(conn, links, &[id.to_string()])?.pop().ok_or_else(not_found)?;
    if view.status == ListingStatus::Deleted.as_str() {
        return Err(not_found());
    }
    Ok(view)
}

/// Locks the listing's row for the rest of the transaction and returns
/// its seller, after checking `actor` may change it.
pub(crate) fn lock_for_change(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &ListingId,
) -> Result<(SellerRef, String), ApiError> {
    let not_found = || ApiError::not_found("listing");
    // Someone else's listing is refused before anything is written or
    // locked: a stranger's requests must not hold up the seller's.
    check_may_change(conn, actor, id)?;
    // A no-op update takes the row lock on PostgreSQL, so two edits of one
    // listing (or an edit and an order) run one after the other.
    let locked =
        diesel::update(listings::table.find(id)).set(listings::status.eq(listings::status)).execute(conn)?;
    if locked == 0 {
        return Err(not_found());
    }
    // read again under the lock: it may have been deleted meanwhile
    let (seller_id, status): (String, String) =
        listings::table.find(id).select((listings::seller_id, listings::status)).first(conn)?;
    let seller = seller_ref(conn, &seller_id)?.ok_or_else(not_found)?;
    if status == ListingStatus::Deleted.as_str() {
        return Err(not_found());
    }
    Ok((seller, status))
}

/// Checks, without locking, that `actor` may change the listing.
pub(crate) fn check_may_change(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &ListingId,
) -> Result<(), ApiError> {
    let not_found = || ApiError::not_found("listing");
    let row: Option<(String, String)> =
        listings::table.find(id).select((listings::seller_id, listings::status)).first(conn).optional()?;
    let (seller_id, status) = row.ok_or_else(not_found)?;
    let seller = seller_ref(conn, &seller_id)?.ok_or_else(not_found)?;
    if status == ListingStatus::Deleted.as_str() || !may_manage(actor, &seller) {
        return Err(not_found());
    }
    Ok(())
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = listings)]
struct ListingUpdate {
    title: Option<String>,
    category: Option<String>,
    unit: Option<String>,
    price_vnd: Option<i64>,
    quantity: Option<i64>,
    unit_weight_g: Option<Option<i64>>,
    description: Option<Option<String>>,
    lot_id: Option<Option<String>>,
    status: Option<String>,
    search_title: Option<String>,
    search_body: Option<String>,
    updated_at: Option<NaiveDateTime>,
}

pub fn update(
    conn: &mut DbConnection,
    links: &LinkBase,
    actor: &Actor,
    id: &ListingId,
    changes: &ListingChanges,
    if_match: Option<&str>,
) -> Result<ListingView, ApiError> {
    actor.require(&[Role::Farmer, Role::Staff, Role::Admin])?;
    let mut update = ListingUpdate {
        title: changes.title.as_deref().map(rules::title).transpose()?,
        category: changes
            .category
            .as_deref()
            .map(|c| rules::category(c).map(|c| c.code.to_string()))
            .transpose()?,
        unit: changes.unit.as_deref().map(|u| rules::unit(u).map(|u| u.code.to_string())).transpose()?,
        // a new weight, or the new unit's own (a new unit that is not a
        // mass must come with its weight)
        unit_weight_g: match (&changes.unit_weight_g, changes.unit.as_deref()) {
            (Some(w), _) => Some(Some(rules::whole_number(
                "unit_weight_g",
                w,
                1,
                parcels::tariff::MAX_PARCEL_G,
                "grams",
            )?)),
            (None, Some(u)) => Some(rules::unit_weight(None, rules::unit(u)?)?),
            (None, None) => None,
        },
        price_vnd: changes.price_vnd.as_ref().map(rules::price).transpose()?,
        quantity: changes.quantity.as_ref().map(rules::quantity).transpose()?,
        description: changes.description.as_ref().map(|d| rules::description(d.as_deref())).transpose()?,
        ..Default::default()
    };
    match changes.status {
        Some(ListingStatus::Deleted) => {
            return Err(ApiError::invalid("status", "use DELETE /api/v1/listings/{id} to remove a listing"))
        }
        Some(s) => update.status = Some(s.as_str().to_string()),
        None => {}
    }
    storage::write_transaction(conn, |conn| {
        let (seller, _) = lock_for_change(conn, actor, id)?;
        if let Some(expected) = if_match {
            let current = get(conn, links, id)?;
            if !rules::if_match_holds(expected, &rules::etag(&current)) {
                return Err(ApiError::new(
                    ErrorCode::PreconditionFailed,
                    format!(
                        "the listing changed since you read it (now {} in stock, {} đồng); read it again",
                        current.quantity, current.price_vnd
                    ),
                ));
            }
        }
        if let Some(lot) = &changes.lot_id {
            update.lot_id = Some(lot.as_deref().map(|l| check_lot(conn, l, &seller)).transpose()?);
        }
        // Re-derive the search text from what the listing will hold.
        let (title, category_code, description): (String, String, Option<String>) = listings::table
            .find(id)
            .select((listings::title, listings::category, listings::description))
            .first(conn)?;
        let title = update.title.clone().unwrap_or(title);
        let category = rules::category(update.category.as_deref().unwrap_or(&category_code))?;
        let description = update.description.clone().unwrap_or(description);
        let (_, commune_name, province_name) = place(conn, &seller.commune_code)?;
        update.search_title = Some(crate::text::fold(&title));
        update.search_body = Some(rules::search_body(
            description.as_deref(),
            seller.display_name(),
            &Place { commune_name: &commune_name, province_name: &province_name },
            category,
        ));
        update.updated_at = Some(storage::now());
        diesel::update(listings::table.find(id)).set(&update).execute(conn)?;
        accounts::audit::record(
            conn,
            actor,
            acting_for(actor, &seller),
            "listing.update",
            "listing",
            id.as_str(),
        )?;
        Ok::<_, ApiError>(())
    })?;
    get(conn, links, id)
}

/// Soft delete: the listing leaves the market; orders keep their copy.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &ListingId) -> Result<(), ApiError> {
    actor.require(&[Role::Farmer, Role::Staff, Role::Admin])?;
    storage::write_transaction(conn, |conn| {
        let (seller, _) = lock_for_change(conn, actor, id)?;
        diesel::update(listings::table.find(id))
            .set((
                listings::status.eq(ListingStatus::Deleted.as_str()),
                listings::updated_at.eq(storage::now()),
            ))
            .execute(conn)?;
        // A deleted listing is shown to no one: its photos are let go, and
        // the sweep removes the images nothing else names.
        diesel::delete(
            storage::schema::listing_photos::table.filter(storage::schema::listing_photos::listing_id.eq(id)),
        )
        .execute(conn)?;
        accounts::audit::record(
            conn,
            actor,
            acting_for(actor, &seller),
            "listing.delete",
            "listing",
            id.as_str(),
        )?;
        Ok(())
    })
}

/// Every listing of a seller that is not deleted, newest first, for the
/// seller's own page and the staff console.
pub fn for_seller(
    conn: &mut DbConnection,
    links: &LinkBase,
    actor: &Actor,
    seller_id: &SellerId,
) -> Result<Vec<ListingView>, ApiError> {
    actor.require(&[Role::Farmer, Role::Staff, Role::Admin])?;
    let seller = seller_ref(conn, seller_id.as_str())?.ok_or_else(|| ApiError::not_found("seller"))?;
    if !may_manage(actor, &seller) {
        return Err(ApiError::not_found("seller"));
    }
    let ids: Vec<String> = listings::table
        .filter(listings::seller_id.eq(&seller.id))
        .filter(listings::status.ne(ListingStatus::Deleted.as_str()))
        .order(listings::created_at.desc())
        .select(listings::id)
        .limit(500)
        .load(conn)?;
    load_views(conn, links, &ids)
}
