//! Orders in the database, one file per thing done to them: `place`
//! reserves stock and writes an order, `views` reads orders as each party
//! may see them (and a parcel by its label's code), `label` gathers what a
//! parcel's shipping label prints, `transition` moves parts along (and
//! cancels unpaid orders), `payment` credits a transfer. Here: the rows they share, and
//! the locks and recomputations more than one of them needs.

use std::collections::BTreeMap;

use accounts::{Actor, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::{listings, order_items, order_parts, orders, sellers};
use storage::DbConnection;

use super::lifecycle::{self, OrderStatus, PartStatus, Party, PaymentMethod};
use super::rules::settled;
use super::{PartMoney, PartsChange};
use common::rfc3339;
use common::ApiError;

macro_rules! order_columns {
    () => {
        (
            orders::id,
            orders::code,
            orders::buyer_user_id,
            orders::status,
            orders::payment_method,
            orders::total_vnd,
            orders::paid_vnd,
            orders::postage_vnd,
            orders::shipping_name,
            orders::shipping_phone,
            orders::shipping_address,
            orders::shipping_commune_code,
            orders::payment_due_at,
            orders::created_at,
            orders::updated_at,
        )
    };
}

// After `order_columns!`, which they use.
mod label;
mod payment;
mod place;
mod recall;
mod transition;
mod views;

pub use label::label;
pub use payment::{apply_payment, find_by_code};
pub use place::place;
pub use recall::{catch_up as catch_up_recalls, stop_in_flight, RecallOrders};
pub use transition::{release_expired, transition, PartAction};
pub use views::{for_lot, get, get_as_buyer, list, parcel, OrderSide};

#[derive(Queryable)]
struct OrderRow {
    id: String,
    code: String,
    buyer_user_id: String,
    status: String,
    payment_method: String,
    total_vnd: i64,
    paid_vnd: i64,
    postage_vnd: i64,
    shipping_name: String,
    shipping_phone: String,
    shipping_address: String,
    shipping_commune_code: String,
    payment_due_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Queryable)]
struct PartRow {
    id: String,
    order_id: String,
    seller_id: String,
    status: String,
    subtotal_vnd: i64,
    confirmed_at: Option<NaiveDateTime>,
    handed_over_at: Option<NaiveDateTime>,
    delivered_at: Option<NaiveDateTime>,
    cancelled_at: Option<NaiveDateTime>,
    cancel_reason: Option<String>,
    /// When a recall reached the part, why, and which lot.
    recalled_at: Option<NaiveDateTime>,
    recall_reason: Option<String>,
    recall_lot_id: Option<String>,
    /// The parcel: its code (the label's barcode), postage, weight, zone
    /// and the carrier's tracking number once handed over.
    code: Option<String>,
    postage_vnd: i64,
    weight_g: Option<i64>,
    zone: Option<String>,
    tracking_number: Option<String>,
    seller_user_id: String,
    seller_organisation: Option<String>,
    seller_name: String,
    farm_name: Option<String>,
}

fn load_parts(conn: &mut DbConnection, order_ids: &[String]) -> Result<Vec<PartRow>, ApiError> {
    Ok(order_parts::table
        .inner_join(sellers::table)
        .filter(order_parts::order_id.eq_any(order_ids))
        .order((order_parts::order_id, order_parts::id))
        .select((
            order_parts::id,
            order_parts::order_id,
            order_parts::seller_id,
            order_parts::status,
            order_parts::subtotal_vnd,
            order_parts::confirmed_at,
            order_parts::handed_over_at,
            order_parts::delivered_at,
            order_parts::cancelled_at,
            order_parts::cancel_reason,
            order_parts::recalled_at,
            order_parts::recall_reason,
            order_parts::recall_lot_id,
            order_parts::code,
            order_parts::postage_vnd,
            order_parts::weight_g,
            order_parts::zone,
            order_parts::tracking_number,
            sellers::user_id,
            sellers::organisation_id,
            sellers::full_name,
            sellers::farm_name,
        ))
        .load(conn)?)
}

/// How the actor stands to one part, if at all. The account that placed
/// the order is its buyer whatever its role now: a buyer later onboarded as
/// a farmer keeps their purchases. (A farmer cannot order their own
/// listings, so the buyer is never also the seller of a part.)
fn party_for(actor: &Actor, buyer_user_id: &str, part: &PartRow) -> Option<Party> {
    if actor.user_id == buyer_user_id {
        return Some(Party::Buyer);
    }
    // the seller's side: whoever the one visibility rule lets act for it
    let seller = accounts::access::SellerOwner {
        user_id: &part.seller_user_id,
        organisation_id: part.seller_organisation.as_deref(),
    };
    if !accounts::access::may_act_for(actor, seller) {
        return None;
    }
    match actor.role {
        Role::Admin => Some(Party::Admin),
        Role::Staff => Some(Party::Staff),
        Role::Farmer => Some(Party::Seller),
        Role::Buyer | Role::Officer => None,
    }
}

/// Locks the order's row until the transaction ends, so that two changes
/// to one order (a seller confirming while the buyer cancels) run one after
/// the other and each sees the other's result.
fn lock_order(conn: &mut DbConnection, id: &str) -> Result<OrderRow, ApiError> {
    let not_found = || ApiError::not_found("order");
    if !common::ids::plausible_id(id) {
        return Err(not_found());
    }
    let locked =
        diesel::update(orders::table.find(id)).set(orders::status.eq(orders::status)).execute(conn)?;
    if locked == 0 {
        return Err(not_found());
    }
    Ok(orders::table.find(id).select(order_columns!()).first(conn)?)
}

/// Puts the stock of cancelled parts back on sale, one listing at a time in
/// listing order: the order in which `place` takes stock, so a cancellation
/// and a new order touching the same listings cannot deadlock.
fn return_stock(conn: &mut DbConnection, part_ids: &[String]) -> Result<(), ApiError> {
    if part_ids.is_empty() {
        return Ok(());
    }
    let lines: Vec<(String, i64)> = order_items::table
        .filter(order_items::part_id.eq_any(part_ids))
        .select((order_items::listing_id, order_items::quantity))
        .load(conn)?;
    let mut per_listing: BTreeMap<String, i64> = BTreeMap::new();
    for (listing_id, quantity) in lines {
        *per_listing.entry(listing_id).or_insert(0) += quantity;
    }
    for (listing_id, quantity) in per_listing {
        diesel::update(listings::table.find(&listing_id))
            .set(listings::quantity.eq(listings::quantity + quantity))
            .execute(conn)?;
    }
    Ok(())
}

/// What the buyer owes for the parts still on their way or delivered:
/// goods and postage.
fn amount_due(parts: &[&PartRow]) -> i64 {
    parts
        .iter()
        .filter(|p| PartStatus::parse(&p.status).is_some_and(|s| lifecycle::owed(s, p.recalled_at.is_some())))
        .map(|p| p.subtotal_vnd + p.postage_vnd)
        .sum()
}

/// Recomputes the order's summary status after its parts changed.
fn refresh_status(
    conn: &mut DbConnection,
    order_id: &str,
    method: PaymentMethod,
    paid_vnd: i64,
    now: NaiveDateTime,
) -> Result<OrderStatus, ApiError> {
    let rows: Vec<(String, i64, Option<NaiveDateTime>)> = order_parts::table
        .filter(order_parts::order_id.eq(order_id))
        .select((
            order_parts::status,
            order_parts::subtotal_vnd + order_parts::postage_vnd,
            order_parts::recalled_at,
        ))
        .load(conn)?;
    let parts: Vec<(PartStatus, i64, bool)> = rows
        .iter()
        .filter_map(|(s, v, recalled)| PartStatus::parse(s).map(|s| (s, *v, recalled.is_some())))
        .collect();
    let due: i64 =
        parts.iter().filter(|(s, _, recalled)| lifecycle::owed(*s, *recalled)).map(|(_, v, _)| v).sum();
    let parts: Vec<PartStatus> = parts.into_iter().map(|(s, ..)| s).collect();
    let status = lifecycle::summarise(method, settled(method, paid_vnd, due), &parts);
    diesel::update(orders::table.find(order_id))
        .set((orders::status.eq(status.as_str()), orders::updated_at.eq(now)))
        .execute(conn)?;
    Ok(status)
}

impl OrderRow {
    fn method(&self) -> Result<PaymentMethod, ApiError> {
        PaymentMethod::parse(&self.payment_method)
            .ok_or_else(|| ApiError::internal(format!("order {} has an unknown payment method", self.id)))
    }
}

impl PartRow {
    fn status(&self) -> Result<PartStatus, ApiError> {
        PartStatus::parse(&self.status)
            .ok_or_else(|| ApiError::internal(format!("part {} has an unknown status", self.id)))
    }
}

/// What the books are told after some of an order's parts changed:
/// every part with its status after the change, and the changes
/// (part id, from, to).
fn parts_change(
    order: &OrderRow,
    method: PaymentMethod,
    parts: &[PartRow],
    changed: Vec<(String, PartStatus, PartStatus)>,
) -> PartsChange {
    PartsChange {
        order_id: order.id.clone(),
        order_code: order.code.clone(),
        method,
        paid_vnd: order.paid_vnd,
        parts: parts
            .iter()
            .map(|p| PartMoney {
                id: p.id.clone(),
                seller_id: p.seller_id.clone(),
                seller_organisation: p.seller_organisation.clone(),
                subtotal_vnd: p.subtotal_vnd,
                postage_vnd: p.postage_vnd,
                status: changed
                    .iter()
                    .find(|(id, ..)| *id == p.id)
                    .map(|(.., to)| *to)
                    .or_else(|| PartStatus::parse(&p.status))
                    .unwrap_or(PartStatus::Cancelled),
            })
            .collect(),
        changed,
    }
}
