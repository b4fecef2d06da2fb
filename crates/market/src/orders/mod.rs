//! Orders: buyers order listings from one or more sellers; stock is
//! reserved in the same transaction as the order, so concurrent buyers can
//! never take more than exists; each seller handles its own part.

pub mod lifecycle;
pub mod routes;

use std::collections::BTreeMap;

use accounts::{Actor, Phone, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Number;
use storage::schema::{listings, lots, order_items, order_parts, orders, sellers, users};
use storage::DbConnection;
use utoipa::ToSchema;

use crate::listings::rules;
use crate::MarketError;
use lifecycle::{Action, OrderStatus, PartStatus, Party, PaymentMethod};

/// At most this many lines in one order.
pub const MAX_ITEMS: usize = 20;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub items: Vec<NewOrderItem>,
    pub shipping: Shipping,
    pub payment_method: PaymentMethod,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrderItem {
    pub listing_id: String,
    /// Whole units of the listing's unit.
    #[schema(value_type = i64, example = 2)]
    pub quantity: Number,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
    pub name: String,
    #[schema(example = "0987654321")]
    pub phone: String,
    pub address: String,
    /// Commune code from the 2025 list.
    #[schema(example = "02260")]
    pub commune_code: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderView {
    pub id: String,
    /// What the buyer writes in a bank transfer: ASCII letters and digits.
    pub code: String,
    /// `placed`, `paid`, `cod`, `confirmed`, `handed_over`, `delivered` or
    /// `cancelled`.
    pub status: String,
    pub payment_method: String,
    /// The whole order as placed; for a seller, its own part.
    pub total_vnd: i64,
    /// What is owed for the parts not cancelled (for a seller, its own).
    pub amount_due_vnd: i64,
    pub paid_vnd: i64,
    /// An unpaid bank-transfer order is cancelled after this.
    pub payment_due_at: Option<String>,
    pub shipping: Shipping,
    /// The parts the viewer may see: all for the buyer and admin, its own
    /// for a seller, its organisation's sellers' for staff.
    pub parts: Vec<PartView>,
    pub created_at: String,
    pub updated_at: String,
    /// How to pay; filled in by the routes while payment is awaited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentInstructions>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartView {
    pub id: String,
    pub seller_id: String,
    pub seller_name: String,
    /// `pending`, `confirmed`, `handed_over`, `delivered` or `cancelled`.
    pub status: String,
    pub subtotal_vnd: i64,
    pub items: Vec<ItemView>,
    pub confirmed_at: Option<String>,
    pub handed_over_at: Option<String>,
    pub delivered_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    pub listing_id: String,
    pub lot_id: Option<String>,
    pub title: String,
    pub unit: String,
    pub unit_price_vnd: i64,
    pub quantity: i64,
    pub line_total_vnd: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentInstructions {
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vietqr: Option<VietQrRequest>,
}

/// A bank transfer request the buyer scans in a banking app.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VietQrRequest {
    /// The EMVCo payload to render as a QR code.
    pub payload: String,
    pub bank_bin: String,
    pub account_number: String,
    pub account_name: String,
    pub amount_vnd: i64,
    /// The transfer description; it carries the order code.
    pub purpose: String,
}

/// Makes payment requests for orders. The market does not depend on the
/// payment slice (payment depends on the market); the server plugs in the
/// VietQR builder behind this.
pub trait PaymentRequests: Send + Sync {
    /// The VietQR request for paying `amount_vnd` for order `code`, or why
    /// bank transfer is not available on this server.
    fn vietqr(&self, order_code: &str, amount_vnd: i64) -> Result<VietQrRequest, String>;
}

fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// What an order part change means for money. The market keeps no books:
/// the payment slice does (escrow, seller payables, refunds, cash on
/// delivery), behind this trait the server plugs in. It runs inside the
/// transaction that changes the parts, so the books and the orders change
/// together or not at all.
pub trait OrderMoney: Send + Sync {
    fn parts_changed(&self, conn: &mut DbConnection, change: &PartsChange) -> Result<(), MarketError>;
}

/// An order after some of its parts changed status.
#[derive(Debug, Clone)]
pub struct PartsChange {
    pub order_id: String,
    pub order_code: String,
    pub method: PaymentMethod,
    pub paid_vnd: i64,
    /// Every part of the order, with its status after the change.
    pub parts: Vec<PartMoney>,
    /// The parts that changed: (part id, from, to).
    pub changed: Vec<(String, PartStatus, PartStatus)>,
}

/// One part as the books need it.
#[derive(Debug, Clone)]
pub struct PartMoney {
    pub id: String,
    pub seller_id: String,
    /// The seller's post office: it collects cash on delivery.
    pub seller_organisation: Option<String>,
    pub subtotal_vnd: i64,
    pub status: PartStatus,
}

/// A random order code: `NS` and 8 Crockford base32 characters (no I, L, O,
/// U), ASCII so that every bank app carries it intact in a transfer.
fn new_order_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::rngs::OsRng;
    let suffix: String = (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("NS{suffix}")
}

/// A checked order, ready to place.
struct ValidOrder {
    /// listing id → quantity, sorted by id so that concurrent orders lock
    /// listings in the same order and cannot deadlock.
    items: BTreeMap<String, i64>,
    shipping: Shipping,
    method: PaymentMethod,
}

fn validate(input: &NewOrder) -> Result<ValidOrder, MarketError> {
    if input.items.is_empty() {
        return Err(MarketError::invalid("items", "an order needs at least one item"));
    }
    if input.items.len() > MAX_ITEMS {
        return Err(MarketError::invalid("items", format!("at most {MAX_ITEMS} items in one order")));
    }
    let mut items = BTreeMap::new();
    for (i, item) in input.items.iter().enumerate() {
        let field = format!("items[{i}].quantity");
        let quantity = rules::whole_number(&field, &item.quantity, 1, rules::MAX_QUANTITY, "units")?;
        if !crate::plausible_id(&item.listing_id) {
            return Err(MarketError::invalid(&format!("items[{i}].listing_id"), "not a listing id"));
        }
        // the same listing twice is one line with both quantities
        let total: &mut i64 = items.entry(item.listing_id.clone()).or_insert(0);
        *total = total.saturating_add(quantity).min(rules::MAX_QUANTITY + 1);
        if *total > rules::MAX_QUANTITY {
            return Err(MarketError::invalid(&field, format!("at most {} units", rules::MAX_QUANTITY)));
        }
    }
    let s = &input.shipping;
    let shipping = Shipping {
        name: accounts::clean_text("shipping.name", &s.name, 100)?,
        phone: Phone::parse(&s.phone)
            .map_err(|_| MarketError::invalid("shipping.phone", "not a Vietnamese phone number"))?
            .as_str()
            .to_string(),
        address: accounts::clean_text("shipping.address", &s.address, 300)?,
        commune_code: crate::check_commune_code("shipping.commune_code", &s.commune_code)?,
    };
    Ok(ValidOrder { items, shipping, method: input.payment_method })
}

/// What the order copies from a listing once its stock is reserved.
#[derive(Queryable)]
struct Reserved {
    id: String,
    seller_id: String,
    title: String,
    unit: String,
    price_vnd: i64,
    lot_id: Option<String>,
}

/// Takes `quantity` from the listing's stock, or says why not. The update
/// checks and takes in one statement: on PostgreSQL it waits for any other
/// order holding the row and re-checks the stock it then sees; on SQLite
/// the write transaction already runs alone. The `quantity >= 0` CHECK in
/// the schema would stop an oversell even if this were wrong.
fn reserve(conn: &mut DbConnection, listing_id: &str, quantity: i64) -> Result<Reserved, MarketError> {
    let taken = diesel::update(
        listings::table
            .find(listing_id)
            .filter(listings::status.eq("active"))
            .filter(listings::quantity.ge(quantity)),
    )
    .set(listings::quantity.eq(listings::quantity - quantity))
    .execute(conn)?;
    let row: Option<(String, i64, Option<String>)> = listings::table
        .find(listing_id)
        .select((listings::status, listings::quantity, listings::lot_id))
        .first(conn)
        .optional()?;
    let (status, available, lot_id) = match row {
        None => return Err(MarketError::invalid("items", format!("no listing `{listing_id}`"))),
        Some(r) => r,
    };
    if taken == 0 {
        return Err(match status.as_str() {
            "active" => MarketError::InsufficientStock { listing_id: listing_id.to_string(), available },
            "deleted" => MarketError::invalid("items", format!("no listing `{listing_id}`")),
            _ => MarketError::ListingUnavailable(format!("listing `{listing_id}` is paused by its seller")),
        });
    }
    if let Some(lot) = &lot_id {
        let lot_status: String = lots::table.find(lot).select(lots::status).first(conn)?;
        if lot_status == "recalled" {
            return Err(MarketError::ListingUnavailable(format!(
                "listing `{listing_id}` sells from a recalled lot"
            )));
        }
    }
    Ok(listings::table
        .find(listing_id)
        .select((
            listings::id,
            listings::seller_id,
            listings::title,
            listings::unit,
            listings::price_vnd,
            listings::lot_id,
        ))
        .first(conn)?)
}

/// Places an order for a buyer: all stock reserved, or nothing written.
pub fn place(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &NewOrder,
    payments: &dyn PaymentRequests,
    payment_window: chrono::Duration,
) -> Result<OrderView, MarketError> {
    actor.require(&[Role::Buyer])?;
    let order = validate(input)?;
    let id = storage::write_transaction(conn, |conn| {
        if crate::communes::find(conn, &order.shipping.commune_code)?.is_none() {
            return Err(MarketError::invalid("shipping.commune_code", "not in the 2025 commune list"));
        }
        let mut by_seller: BTreeMap<String, Vec<(Reserved, i64)>> = BTreeMap::new();
        for (listing_id, quantity) in &order.items {
            let r = reserve(conn, listing_id, *quantity)?;
            by_seller.entry(r.seller_id.clone()).or_default().push((r, *quantity));
        }
        let now = storage::now();
        let id = storage::new_id();
        let mut total: i64 = 0;
        let mut parts = Vec::new();
        for (seller_id, lines) in by_seller {
            // at most 1e9 đồng × 1e6 units × 20 lines: fits an i64
            let subtotal: i64 = lines.iter().map(|(r, q)| r.price_vnd * q).sum();
            total += subtotal;
            parts.push((storage::new_id(), seller_id, subtotal, lines));
        }
        let code = new_order_code();
        let due = match order.method {
            PaymentMethod::Vietqr => {
                // refuse now, before anything is written, when the server
                // cannot take this transfer
                payments.vietqr(&code, total).map_err(MarketError::PaymentUnavailable)?;
                Some(now + payment_window)
            }
            PaymentMethod::Cod => None,
        };
        let status = lifecycle::summarise(order.method, false, &vec![PartStatus::Pending; parts.len()]);
        diesel::insert_into(orders::table)
            .values((
                orders::id.eq(&id),
                orders::code.eq(&code),
                orders::buyer_user_id.eq(&actor.user_id),
                orders::status.eq(status.as_str()),
                orders::payment_method.eq(order.method.as_str()),
                orders::total_vnd.eq(total),
                orders::paid_vnd.eq(0_i64),
                orders::shipping_name.eq(&order.shipping.name),
                orders::shipping_phone.eq(&order.shipping.phone),
                orders::shipping_address.eq(&order.shipping.address),
                orders::shipping_commune_code.eq(&order.shipping.commune_code),
                orders::payment_due_at.eq(due),
                orders::created_at.eq(now),
                orders::updated_at.eq(now),
            ))
            .execute(conn)?;
        for (part_id, seller_id, subtotal, lines) in parts {
            diesel::insert_into(order_parts::table)
                .values((
                    order_parts::id.eq(&part_id),
                    order_parts::order_id.eq(&id),
                    order_parts::seller_id.eq(&seller_id),
                    order_parts::status.eq(PartStatus::Pending.as_str()),
                    order_parts::subtotal_vnd.eq(subtotal),
                ))
                .execute(conn)?;
            for (r, quantity) in lines {
                diesel::insert_into(order_items::table)
                    .values((
                        order_items::id.eq(storage::new_id()),
                        order_items::order_id.eq(&id),
                        order_items::part_id.eq(&part_id),
                        order_items::listing_id.eq(&r.id),
                        order_items::lot_id.eq(&r.lot_id),
                        order_items::title.eq(&r.title),
                        order_items::unit.eq(&r.unit),
                        order_items::unit_price_vnd.eq(r.price_vnd),
                        order_items::quantity.eq(quantity),
                        order_items::line_total_vnd.eq(r.price_vnd * quantity),
                    ))
                    .execute(conn)?;
            }
        }
        accounts::audit::record(conn, actor, None, "order.place", "order", &id)?;
        Ok(id)
    })?;
    get(conn, actor, &id)
}

#[derive(Queryable)]
struct OrderRow {
    id: String,
    code: String,
    buyer_user_id: String,
    status: String,
    payment_method: String,
    total_vnd: i64,
    paid_vnd: i64,
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
    seller_user_id: String,
    seller_organisation: Option<String>,
    seller_name: String,
    farm_name: Option<String>,
}

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

fn load_parts(conn: &mut DbConnection, order_ids: &[String]) -> Result<Vec<PartRow>, MarketError> {
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
            sellers::user_id,
            sellers::organisation_id,
            sellers::full_name,
            sellers::farm_name,
        ))
        .load(conn)?)
}

/// How the actor stands to one part, if at all.
fn party_for(actor: &Actor, buyer_user_id: &str, part: &PartRow) -> Option<Party> {
    match actor.role {
        Role::Admin => Some(Party::Admin),
        Role::Staff if actor.may_act_for_organisation(part.seller_organisation.as_deref()) => {
            Some(Party::Staff)
        }
        Role::Farmer if part.seller_user_id == actor.user_id => Some(Party::Seller),
        Role::Buyer if buyer_user_id == actor.user_id => Some(Party::Buyer),
        _ => None,
    }
}

fn item_views(
    conn: &mut DbConnection,
    part_ids: &[&str],
) -> Result<BTreeMap<String, Vec<ItemView>>, MarketError> {
    type ItemRow = (String, String, Option<String>, String, String, i64, i64, i64);
    let rows: Vec<ItemRow> = order_items::table
        .filter(order_items::part_id.eq_any(part_ids))
        .order((order_items::part_id, order_items::title))
        .select((
            order_items::part_id,
            order_items::listing_id,
            order_items::lot_id,
            order_items::title,
            order_items::unit,
            order_items::unit_price_vnd,
            order_items::quantity,
            order_items::line_total_vnd,
        ))
        .load(conn)?;
    let mut map: BTreeMap<String, Vec<ItemView>> = BTreeMap::new();
    for (part_id, listing_id, lot_id, title, unit, unit_price_vnd, quantity, line_total_vnd) in rows {
        map.entry(part_id).or_default().push(ItemView {
            listing_id,
            lot_id,
            title,
            unit,
            unit_price_vnd,
            quantity,
            line_total_vnd,
        });
    }
    Ok(map)
}

/// Views of `rows` as `actor` may see them; orders the actor has no part
/// in are left out.
fn views(conn: &mut DbConnection, actor: &Actor, rows: Vec<OrderRow>) -> Result<Vec<OrderView>, MarketError> {
    let ids: Vec<String> = rows.iter().map(|o| o.id.clone()).collect();
    let parts = load_parts(conn, &ids)?;
    let visible: Vec<&PartRow> = parts
        .iter()
        .filter(|p| {
            rows.iter().any(|o| o.id == p.order_id && party_for(actor, &o.buyer_user_id, p).is_some())
        })
        .collect();
    let part_ids: Vec<&str> = visible.iter().map(|p| p.id.as_str()).collect();
    let mut items = item_views(conn, &part_ids)?;
    let mut out = Vec::new();
    for o in rows {
        let mine: Vec<&&PartRow> = visible.iter().filter(|p| p.order_id == o.id).collect();
        if mine.is_empty() {
            continue;
        }
        let whole = actor.role == Role::Admin || o.buyer_user_id == actor.user_id;
        let part_views: Vec<PartView> = mine
            .iter()
            .map(|p| PartView {
                id: p.id.clone(),
                seller_id: p.seller_id.clone(),
                seller_name: p.farm_name.clone().unwrap_or_else(|| p.seller_name.clone()),
                status: p.status.clone(),
                subtotal_vnd: p.subtotal_vnd,
                items: items.remove(&p.id).unwrap_or_default(),
                confirmed_at: p.confirmed_at.map(rfc3339),
                handed_over_at: p.handed_over_at.map(rfc3339),
                delivered_at: p.delivered_at.map(rfc3339),
                cancelled_at: p.cancelled_at.map(rfc3339),
                cancel_reason: p.cancel_reason.clone(),
            })
            .collect();
        let live: Vec<&PartRow> = if whole {
            parts.iter().filter(|p| p.order_id == o.id).collect()
        } else {
            mine.iter().map(|p| **p).collect()
        };
        out.push(OrderView {
            total_vnd: if whole { o.total_vnd } else { part_views.iter().map(|p| p.subtotal_vnd).sum() },
            amount_due_vnd: amount_due(&live),
            id: o.id,
            code: o.code,
            status: o.status,
            payment_method: o.payment_method,
            paid_vnd: o.paid_vnd,
            payment_due_at: o.payment_due_at.map(rfc3339),
            shipping: Shipping {
                name: o.shipping_name,
                phone: o.shipping_phone,
                address: o.shipping_address,
                commune_code: o.shipping_commune_code,
            },
            parts: part_views,
            created_at: rfc3339(o.created_at),
            updated_at: rfc3339(o.updated_at),
            payment: None,
        });
    }
    Ok(out)
}

/// One order as `actor` may see it; others' orders are "not found".
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<OrderView, MarketError> {
    actor.require(&[Role::Buyer, Role::Farmer, Role::Staff, Role::Admin])?;
    let not_found = || MarketError::NotFound("order".into());
    if !crate::plausible_id(id) {
        return Err(not_found());
    }
    let rows: Vec<OrderRow> = orders::table.find(id).select(order_columns!()).load(conn)?;
    views(conn, actor, rows)?.pop().ok_or_else(not_found)
}

/// The orders `actor` takes part in, newest first.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    status: Option<&str>,
    part_status: Option<PartStatus>,
    limit: i64,
    offset: i64,
) -> Result<Vec<OrderView>, MarketError> {
    let mut q = orders::table.select(order_columns!()).into_boxed();
    // the part statuses asked for (every one when none is named)
    let statuses: Vec<&'static str> = match part_status {
        Some(p) => vec![p.as_str()],
        None => vec!["pending", "confirmed", "handed_over", "delivered", "cancelled"],
    };
    match actor.role {
        Role::Admin | Role::Buyer => {
            if actor.role == Role::Buyer {
                q = q.filter(orders::buyer_user_id.eq(actor.user_id.clone()));
            }
            if part_status.is_some() {
                let parts = order_parts::table
                    .filter(order_parts::status.eq_any(statuses))
                    .select(order_parts::order_id);
                q = q.filter(orders::id.eq_any(parts));
            }
        }
        Role::Farmer => {
            let parts = order_parts::table
                .inner_join(sellers::table)
                .filter(sellers::user_id.eq(actor.user_id.clone()))
                .filter(order_parts::status.eq_any(statuses))
                .select(order_parts::order_id);
            q = q.filter(orders::id.eq_any(parts));
        }
        Role::Staff => {
            let org = actor.organisation_id.clone().unwrap_or_default();
            let parts = order_parts::table
                .inner_join(sellers::table)
                .filter(sellers::organisation_id.eq(org))
                .filter(order_parts::status.eq_any(statuses))
                .select(order_parts::order_id);
            q = q.filter(orders::id.eq_any(parts));
        }
        Role::Officer => return Err(common::ApiError::forbidden().into()),
    }
    if let Some(s) = status {
        q = q.filter(orders::status.eq(s.to_string()));
    }
    let rows: Vec<OrderRow> =
        q.order((orders::created_at.desc(), orders::id)).limit(limit).offset(offset).load(conn)?;
    views(conn, actor, rows)
}

/// Locks the order's row until the transaction ends, so that two changes
/// to one order (a seller confirming while the buyer cancels) run one after
/// the other and each sees the other's result.
fn lock_order(conn: &mut DbConnection, id: &str) -> Result<OrderRow, MarketError> {
    let not_found = || MarketError::NotFound("order".into());
    if !crate::plausible_id(id) {
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
fn return_stock(conn: &mut DbConnection, part_ids: &[String]) -> Result<(), MarketError> {
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

/// What the buyer owes for the parts still alive.
fn amount_due(parts: &[&PartRow]) -> i64 {
    parts.iter().filter(|p| p.status != PartStatus::Cancelled.as_str()).map(|p| p.subtotal_vnd).sum()
}

/// Whether the sellers may start: cash on delivery, or the transfer
/// covers what is still due.
fn settled(method: PaymentMethod, paid_vnd: i64, due_vnd: i64) -> bool {
    method == PaymentMethod::Cod || (due_vnd > 0 && paid_vnd >= due_vnd)
}

/// Applies `action` to the parts of an order `actor` may act on (or to the
/// one named): all of them change, or none. Asked for a whole order, it
/// passes over parts already done (cancelled, or past the step).
pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    order_id: &str,
    part_id: Option<&str>,
    action: Action,
    reason: Option<&str>,
    money: &dyn OrderMoney,
) -> Result<OrderView, MarketError> {
    actor.require(&[Role::Buyer, Role::Farmer, Role::Staff, Role::Admin])?;
    let reason = reason.map(|r| accounts::clean_text("reason", r, 500)).transpose()?;
    storage::write_transaction(conn, |conn| {
        let order = lock_order(conn, order_id)?;
        let parts = load_parts(conn, std::slice::from_ref(&order.id))?;
        let method = PaymentMethod::parse(&order.payment_method).ok_or_else(|| {
            MarketError::Internal(format!("order {} has an unknown payment method", order.id))
        })?;
        let all: Vec<&PartRow> = parts.iter().collect();
        let settled = settled(method, order.paid_vnd, amount_due(&all));
        let mine: Vec<(&PartRow, Party)> = parts
            .iter()
            .filter(|p| part_id.is_none_or(|id| id == p.id))
            .filter_map(|p| party_for(actor, &order.buyer_user_id, p).map(|party| (p, party)))
            .collect();
        if mine.is_empty() {
            return Err(MarketError::NotFound(if part_id.is_some() { "order part" } else { "order" }.into()));
        }
        if action == Action::Cancel && actor.role != Role::Buyer && reason.is_none() {
            return Err(MarketError::invalid("reason", "say why the order is cancelled; the buyer is told"));
        }
        // Check every part first, then change them: all or nothing.
        let mut changes: Vec<(&PartRow, Party, PartStatus, PartStatus)> = Vec::new();
        let mut first_error = None;
        for (part, party) in &mine {
            let from = PartStatus::parse(&part.status)
                .ok_or_else(|| MarketError::Internal(format!("part {} has an unknown status", part.id)))?;
            match lifecycle::next_part_status(from, action, *party, settled) {
                Ok(to) => changes.push((part, *party, from, to)),
                // a whole-order request passes over parts already done
                Err(e) if part_id.is_none() && action.already_done(from) => {
                    first_error.get_or_insert(e);
                }
                Err(e) => return Err(e.into()),
            }
        }
        if changes.is_empty() {
            return Err(first_error
                .map(MarketError::from)
                .unwrap_or_else(|| MarketError::NotFound("order part".into())));
        }
        let now = storage::now();
        let stamp = Some(now);
        let returned: Vec<String> = changes
            .iter()
            .filter(|(_, _, from, to)| *to == PartStatus::Cancelled && from.stock_returns_on_cancel())
            .map(|(part, ..)| part.id.clone())
            .collect();
        return_stock(conn, &returned)?;
        for (part, party, _, to) in &changes {
            let target = order_parts::table.find(&part.id);
            match to {
                PartStatus::Confirmed => {
                    diesel::update(target).set(order_parts::confirmed_at.eq(stamp)).execute(conn)?
                }
                PartStatus::HandedOver => {
                    diesel::update(target).set(order_parts::handed_over_at.eq(stamp)).execute(conn)?
                }
                PartStatus::Delivered => {
                    diesel::update(target).set(order_parts::delivered_at.eq(stamp)).execute(conn)?
                }
                PartStatus::Cancelled => diesel::update(target)
                    .set((order_parts::cancelled_at.eq(stamp), order_parts::cancel_reason.eq(&reason)))
                    .execute(conn)?,
                PartStatus::Pending => 0,
            };
            diesel::update(order_parts::table.find(&part.id))
                .set(order_parts::status.eq(to.as_str()))
                .execute(conn)?;
            let acting_for =
                (*party == Party::Staff || *party == Party::Admin).then_some(part.seller_user_id.as_str());
            accounts::audit::record(
                conn,
                actor,
                acting_for,
                &format!("order.{}", action.as_str()),
                "order_part",
                &part.id,
            )?;
        }
        let change = PartsChange {
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
                    status: changes
                        .iter()
                        .find(|(c, ..)| c.id == p.id)
                        .map(|(.., to)| *to)
                        .or_else(|| PartStatus::parse(&p.status))
                        .unwrap_or(PartStatus::Cancelled),
                })
                .collect(),
            changed: changes.iter().map(|(p, _, from, to)| (p.id.clone(), *from, *to)).collect(),
        };
        money.parts_changed(conn, &change)?;
        refresh_status(conn, &order.id, method, order.paid_vnd, now)?;
        Ok(())
    })?;
    get(conn, actor, order_id)
}

/// Recomputes the order's summary status after its parts changed.
fn refresh_status(
    conn: &mut DbConnection,
    order_id: &str,
    method: PaymentMethod,
    paid_vnd: i64,
    now: NaiveDateTime,
) -> Result<OrderStatus, MarketError> {
    let rows: Vec<(String, i64)> = order_parts::table
        .filter(order_parts::order_id.eq(order_id))
        .select((order_parts::status, order_parts::subtotal_vnd))
        .load(conn)?;
    let parts: Vec<PartStatus> = rows.iter().filter_map(|(s, _)| PartStatus::parse(s)).collect();
    let due: i64 = rows.iter().filter(|(s, _)| s != PartStatus::Cancelled.as_str()).map(|(_, v)| v).sum();
    let status = lifecycle::summarise(method, settled(method, paid_vnd, due), &parts);
    diesel::update(orders::table.find(order_id))
        .set((orders::status.eq(status.as_str()), orders::updated_at.eq(now)))
        .execute(conn)?;
    Ok(status)
}

/// An order a bank transfer may pay, found by its code.
#[derive(Debug, Clone)]
pub struct PayableOrder {
    pub id: String,
    pub code: String,
    pub method: PaymentMethod,
}

/// The order with this code (exact, upper case), if any.
pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<PayableOrder>, MarketError> {
    let row: Option<(String, String, String)> = orders::table
        .filter(orders::code.eq(code))
        .select((orders::id, orders::code, orders::payment_method))
        .first(conn)
        .optional()?;
    row.map(|(id, code, method)| {
        let method = PaymentMethod::parse(&method)
            .ok_or_else(|| MarketError::Internal(format!("order {id} has an unknown payment method")))?;
        Ok(PayableOrder { id, code, method })
    })
    .transpose()
}

/// How a payment was credited to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentApplied {
    /// What went towards the order (now counted in `paid_vnd`).
    pub applied_vnd: i64,
    /// What was more than the order still owed: owed back to the buyer.
    pub excess_vnd: i64,
    pub paid_vnd: i64,
    pub status: OrderStatus,
}

/// Credits `amount_vnd` received for an order: up to what is still due goes
/// to the order, the rest is excess (an order cancelled or already paid owes
/// all of it back). Must run inside the caller's write transaction, which
/// also records the money in the books.
pub fn apply_payment(
    conn: &mut DbConnection,
    order_id: &str,
    amount_vnd: i64,
) -> Result<PaymentApplied, MarketError> {
    if amount_vnd <= 0 {
        return Err(MarketError::invalid("amount_vnd", "a payment is a positive number of đồng"));
    }
    let order = lock_order(conn, order_id)?;
    let method = PaymentMethod::parse(&order.payment_method)
        .ok_or_else(|| MarketError::Internal(format!("order {} has an unknown payment method", order.id)))?;
    let parts = load_parts(conn, std::slice::from_ref(&order.id))?;
    let all: Vec<&PartRow> = parts.iter().collect();
    let still_due = (amount_due(&all) - order.paid_vnd).max(0);
    let applied = if method == PaymentMethod::Vietqr { amount_vnd.min(still_due) } else { 0 };
    let paid_vnd = order.paid_vnd + applied;
    let now = storage::now();
    if applied > 0 {
        diesel::update(orders::table.find(&order.id)).set(orders::paid_vnd.eq(paid_vnd)).execute(conn)?;
    }
    let status = refresh_status(conn, &order.id, method, paid_vnd, now)?;
    Ok(PaymentApplied { applied_vnd: applied, excess_vnd: amount_vnd - applied, paid_vnd, status })
}

/// Cancels bank-transfer orders whose payment did not arrive in time and
/// puts their stock back on sale. Returns how many were released. Each
/// order is its own transaction, re-checked under its lock, so a payment
/// recorded at the same moment wins or loses cleanly.
pub fn release_expired(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, MarketError> {
    let due: Vec<String> = orders::table
        .filter(orders::status.eq(OrderStatus::Placed.as_str()))
        .filter(orders::payment_due_at.lt(now))
        .select(orders::id)
        .limit(500)
        .load(conn)?;
    let mut released = 0;
    for id in due {
        let done = storage::write_transaction(conn, |conn| {
            let order = lock_order(conn, &id)?;
            // Money that has arrived, even short, is for people to sort out
            // (refund or top-up), not for a timer.
            if order.status != OrderStatus::Placed.as_str() || order.paid_vnd > 0 {
                return Ok::<_, MarketError>(false);
            }
            let expiring: Vec<PartRow> = load_parts(conn, std::slice::from_ref(&id))?
                .into_iter()
                .filter(|part| {
                    let from = PartStatus::parse(&part.status).unwrap_or(PartStatus::Cancelled);
                    lifecycle::next_part_status(from, Action::Cancel, Party::System, false).is_ok()
                })
                .collect();
            let ids: Vec<String> = expiring.iter().map(|p| p.id.clone()).collect();
            return_stock(conn, &ids)?;
            for part in &expiring {
                diesel::update(order_parts::table.find(&part.id))
                    .set((
                        order_parts::status.eq(PartStatus::Cancelled.as_str()),
                        order_parts::cancelled_at.eq(Some(now)),
                        order_parts::cancel_reason.eq(Some("payment not received in time")),
                    ))
                    .execute(conn)?;
            }
            refresh_status(conn, &id, PaymentMethod::Vietqr, 0, now)?;
            let system = Actor::acting_as("system", Role::Admin, "system", None);
            accounts::audit::record(conn, &system, None, "order.expire", "order", &id)?;
            Ok(true)
        })?;
        if done {
            released += 1;
        }
    }
    Ok(released)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AffectedOrder {
    pub order_id: String,
    pub code: String,
    pub status: String,
    pub ordered_at: String,
    pub buyer_name: String,
    pub buyer_phone: String,
    pub shipping_name: String,
    pub shipping_phone: String,
    pub shipping_address: String,
    pub shipping_commune_code: String,
    pub title: String,
    pub quantity: i64,
    pub unit: String,
}

/// Orders with items from a lot, and how to reach their buyers: what staff
/// need when a lot is recalled. Staff see lots of their organisation's
/// sellers; admin any.
pub fn for_lot(
    conn: &mut DbConnection,
    actor: &Actor,
    lot_id: &str,
) -> Result<Vec<AffectedOrder>, MarketError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let not_found = || MarketError::NotFound("lot".into());
    if !crate::plausible_id(lot_id) {
        return Err(not_found());
    }
    let org: Option<Option<String>> = lots::table
        .inner_join(sellers::table)
        .filter(lots::id.eq(lot_id))
        .select(sellers::organisation_id)
        .first(conn)
        .optional()?;
    match org {
        Some(org) if actor.may_act_for_organisation(org.as_deref()) => {}
        _ => return Err(not_found()),
    }
    type Row = (
        String,
        String,
        String,
        NaiveDateTime,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        i64,
        String,
    );
    let rows: Vec<Row> = order_items::table
        .inner_join(orders::table.on(orders::id.eq(order_items::order_id)))
        .inner_join(users::table.on(users::id.eq(orders::buyer_user_id)))
        .filter(order_items::lot_id.eq(lot_id))
        .order(orders::created_at.desc())
        .select((
            orders::id,
            orders::code,
            orders::status,
            orders::created_at,
            users::name,
            users::phone,
            orders::shipping_name,
            orders::shipping_phone,
            orders::shipping_address,
            orders::shipping_commune_code,
            order_items::title,
            order_items::quantity,
            order_items::unit,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| AffectedOrder {
            order_id: r.0,
            code: r.1,
            status: r.2,
            ordered_at: rfc3339(r.3),
            buyer_name: r.4,
            buyer_phone: r.5,
            shipping_name: r.6,
            shipping_phone: r.7,
            shipping_address: r.8,
            shipping_commune_code: r.9,
            title: r.10,
            quantity: r.11,
            unit: r.12,
        })
        .collect())
}
