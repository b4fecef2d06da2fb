//! Reading orders as each party may see them: the buyer and admin the
//! whole order, a seller its own part, staff the parts of their
//! organisation's sellers; and the orders touched by a lot, for a recall.

use std::collections::BTreeMap;

use accounts::{Actor, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::{lots, order_items, order_parts, orders, sellers, users};
use storage::DbConnection;

use super::{amount_due, load_parts, party_for, rfc3339, OrderRow, PartRow};
use crate::orders::lifecycle::{self, PartStatus, RecallOutcome};
use crate::orders::{
    AffectedOrder, ItemView, OrderView, ParcelView, PartRecall, PartView, Shipping, Tracking, TrackingStep,
};
use common::{ApiError, LotId, OrderId, ParcelCode};

fn item_views(
    conn: &mut DbConnection,
    part_ids: &[&str],
) -> Result<BTreeMap<String, Vec<ItemView>>, ApiError> {
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
fn views(conn: &mut DbConnection, actor: &Actor, rows: Vec<OrderRow>) -> Result<Vec<OrderView>, ApiError> {
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
                code: p.code.clone().unwrap_or_default(),
                seller_id: p.seller_id.clone(),
                seller_name: p.farm_name.clone().unwrap_or_else(|| p.seller_name.clone()),
                status: p.status.clone(),
                subtotal_vnd: p.subtotal_vnd,
                postage_vnd: p.postage_vnd,
                weight_g: p.weight_g,
                zone: p.zone.clone(),
                tracking: tracking_of(p),
                items: items.remove(&p.id).unwrap_or_default(),
                confirmed_at: p.confirmed_at.map(rfc3339),
                handed_over_at: p.handed_over_at.map(rfc3339),
                delivered_at: p.delivered_at.map(rfc3339),
                cancelled_at: p.cancelled_at.map(rfc3339),
                cancel_reason: p.cancel_reason.clone(),
                recall: recall_of(p),
            })
            .collect();
        let live: Vec<&PartRow> = if whole {
            parts.iter().filter(|p| p.order_id == o.id).collect()
        } else {
            mine.iter().map(|p| **p).collect()
        };
        let (total_vnd, postage_vnd) = if whole {
            (o.total_vnd, o.postage_vnd)
        } else {
            let postage: i64 = part_views.iter().map(|p| p.postage_vnd).sum();
            (part_views.iter().map(|p| p.subtotal_vnd).sum::<i64>() + postage, postage)
        };
        out.push(OrderView {
            total_vnd,
            goods_vnd: total_vnd - postage_vnd,
            postage_vnd,
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
            placed_by_viewer: o.buyer_user_id == actor.user_id,
        });
    }
    Ok(out)
}

/// The parcel's tracking number and its steps so far. A parcel cancelled
/// after the post office took it came back: `returned`.
fn tracking_of(part: &PartRow) -> Tracking {
    let mut steps = Vec::new();
    if let Some(at) = part.handed_over_at {
        steps.push(TrackingStep { step: "handed_over".into(), at: rfc3339(at) });
        if let Some(at) = part.delivered_at {
            steps.push(TrackingStep { step: "delivered".into(), at: rfc3339(at) });
        } else if let Some(at) = part.cancelled_at {
            steps.push(TrackingStep { step: "returned".into(), at: rfc3339(at) });
        }
    }
    Tracking { number: part.tracking_number.clone(), steps }
}

/// The recall that reached a part, if one did.
fn recall_of(part: &PartRow) -> Option<PartRecall> {
    let at = part.recalled_at?;
    let status = PartStatus::parse(&part.status)?;
    Some(PartRecall {
        lot_id: part.recall_lot_id.clone().unwrap_or_default(),
        reason: part.recall_reason.clone().unwrap_or_default(),
        recalled_at: rfc3339(at),
        outcome: RecallOutcome::of(status, part.handed_over_at.is_some()),
    })
}

/// One order as `actor` may see it; others' orders are "not found".
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &OrderId) -> Result<OrderView, ApiError> {
    actor.require(&[Role::Buyer, Role::Farmer, Role::Staff, Role::Admin])?;
    let not_found = || ApiError::not_found("order");
    let rows: Vec<OrderRow> = orders::table.find(id).select(order_columns!()).load(conn)?;
    views(conn, actor, rows)?.pop().ok_or_else(not_found)
}

/// One order as its buyer sees it, for what only the buyer and admin may
/// see (the bank QR that pays it, its transfers). The buyer is the account
/// that placed it, whatever its role now. A farmer who did not place the
/// order is refused as before farmers could buy (403, whether or not the
/// order exists or is one they sell); a buyer's others' orders stay "not
/// found".
pub fn get_as_buyer(conn: &mut DbConnection, actor: &Actor, id: &OrderId) -> Result<OrderView, ApiError> {
    actor.require(&[Role::Admin, Role::Buyer, Role::Farmer])?;
    let view = get(conn, actor, id);
    match actor.role {
        Role::Admin | Role::Buyer => view,
        _ => view.ok().filter(|v| v.placed_by_viewer).ok_or_else(ApiError::forbidden),
    }
}

/// The parcel whose label carries `code` (as typed, or as a scanner
/// types it: case does not matter), for the staff of
/// its seller's post office and admin; any other parcel is "not found".
pub fn parcel(conn: &mut DbConnection, actor: &Actor, code: &ParcelCode) -> Result<ParcelView, ApiError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let not_found = || ApiError::not_found("parcel");
    let code = code.as_str().to_ascii_uppercase();
    let found: Option<(String, String)> = order_parts::table
        .filter(order_parts::code.eq(&code))
        .select((order_parts::order_id, order_parts::id))
        .first(conn)
        .optional()?;
    let (order_id, part_id) = found.ok_or_else(not_found)?;
    let order_id = OrderId::parse(&order_id).ok_or_else(not_found)?;
    let order = get(conn, actor, &order_id).map_err(|_| not_found())?;
    let part = order.parts.into_iter().find(|p| p.id == part_id).ok_or_else(not_found)?;
    // what the postman collects: nothing for a transfer, a cancelled part
    // or a parcel a recall stopped (the same rule as what is owed)
    let owed = PartStatus::parse(&part.status).is_some_and(|s| lifecycle::owed(s, part.recall.is_some()));
    let collect_vnd =
        if order.payment_method == "cod" && owed { part.subtotal_vnd + part.postage_vnd } else { 0 };
    Ok(ParcelView {
        code: part.code,
        order_id: order.id,
        order_code: order.code,
        part_id: part.id,
        status: part.status,
        payment_method: order.payment_method,
        seller_id: part.seller_id,
        seller_name: part.seller_name,
        shipping: order.shipping,
        goods_vnd: part.subtotal_vnd,
        postage_vnd: part.postage_vnd,
        weight_g: part.weight_g,
        zone: part.zone,
        collect_vnd,
        tracking: part.tracking,
        items: part.items,
        recall: part.recall,
    })
}

/// Which of an account's orders a list shows: those it placed, or those
/// with a part it sells (or acts for, as staff or admin). One account may
/// have both: a farmer who also buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSide {
    Buyer,
    Seller,
}

impl OrderSide {
    /// What an account lists when it does not say: a buyer its purchases,
    /// everyone else the orders it sells or acts for, as before farmers
    /// could buy.
    pub fn default_for(actor: &Actor) -> OrderSide {
        if actor.role == Role::Buyer {
            OrderSide::Buyer
        } else {
            OrderSide::Seller
        }
    }
}

/// The orders `actor` takes part in on `side`, newest first. Purchases are
/// listed for accounts that may place orders (buyers and farmers); the
/// seller's side for those who sell or act for sellers.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    side: OrderSide,
    status: Option<&str>,
    part_status: Option<PartStatus>,
    limit: i64,
    offset: i64,
) -> Result<Vec<OrderView>, ApiError> {
    let mut q = orders::table.select(order_columns!()).into_boxed();
    // the part statuses asked for (every one when none is named)
    let statuses: Vec<&'static str> = match part_status {
        Some(p) => vec![p.as_str()],
        None => vec!["pending", "confirmed", "handed_over", "delivered", "cancelled"],
    };
    if side == OrderSide::Buyer {
        actor.require(&[Role::Buyer, Role::Farmer])?;
        q = q.filter(orders::buyer_user_id.eq(actor.user_id.clone()));
        if part_status.is_some() {
            let parts =
                order_parts::table.filter(order_parts::status.eq_any(statuses)).select(order_parts::order_id);
            q = q.filter(orders::id.eq_any(parts));
        }
    } else {
        // the orders with a part of a seller the one visibility rule lets
        // the actor act for (officers: none, 403); the SQL twin of
        // `SellerScope::includes`, spelled out because a boxed subquery
        // cannot serve both backends
        use accounts::access::SellerScope;
        let parts = order_parts::table
            .inner_join(sellers::table)
            .filter(order_parts::status.eq_any(statuses))
            .select(order_parts::order_id);
        match accounts::access::seller_scope(actor)? {
            SellerScope::All if part_status.is_none() => {}
            SellerScope::All => q = q.filter(orders::id.eq_any(parts)),
            SellerScope::Organisation(Some(org)) => {
                q = q.filter(orders::id.eq_any(parts.filter(sellers::organisation_id.eq(org))))
            }
            SellerScope::Organisation(None) => {
                q = q.filter(orders::id.eq_any(parts.filter(sellers::organisation_id.is_null())))
            }
            SellerScope::Farmer(user) => {
                q = q.filter(orders::id.eq_any(parts.filter(sellers::user_id.eq(user))))
            }
        }
    }
    if let Some(s) = status {
        q = q.filter(orders::status.eq(s.to_string()));
    }
    let rows: Vec<OrderRow> =
        q.order((orders::created_at.desc(), orders::id)).limit(limit).offset(offset).load(conn)?;
    views(conn, actor, rows)
}

/// Orders with items from a lot, and how to reach their buyers: what staff
/// need when a lot is recalled. Staff see lots of their organisation's
/// sellers; admin any.
pub fn for_lot(
    conn: &mut DbConnection,
    actor: &Actor,
    lot_id: &LotId,
) -> Result<Vec<AffectedOrder>, ApiError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let not_found = || ApiError::not_found("lot");
    let seller: Option<(String, Option<String>)> = lots::table
        .inner_join(sellers::table)
        .filter(lots::id.eq(lot_id))
        .select((sellers::user_id, sellers::organisation_id))
        .first(conn)
        .optional()?;
    match seller {
        Some((user_id, org))
            if accounts::access::may_act_for(
                actor,
                accounts::access::SellerOwner { user_id: &user_id, organisation_id: org.as_deref() },
            ) => {}
        _ => return Err(not_found()),
    }
    type Row = (
        String,
        String,
        (String, String),
        (String, String, Option<NaiveDateTime>, Option<NaiveDateTime>),
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
        .inner_join(order_parts::table.on(order_parts::id.eq(order_items::part_id)))
        .inner_join(users::table.on(users::id.eq(orders::buyer_user_id)))
        .filter(order_items::lot_id.eq(lot_id))
        .order((orders::created_at.desc(), order_items::id))
        .select((
            orders::id,
            orders::code,
            (orders::status, orders::payment_method),
            (order_parts::id, order_parts::status, order_parts::handed_over_at, order_parts::recalled_at),
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
        .map(|r| {
            let (status, payment_method) = r.2;
            let (part_id, part_status, handed_over_at, recalled_at) = r.3;
            let recall = recalled_at.and_then(|_| {
                PartStatus::parse(&part_status).map(|s| RecallOutcome::of(s, handed_over_at.is_some()))
            });
            AffectedOrder {
                order_id: r.0,
                code: r.1,
                status,
                payment_method,
                part_id,
                part_status,
                recall,
                ordered_at: rfc3339(r.4),
                buyer_name: r.5,
                buyer_phone: r.6,
                shipping_name: r.7,
                shipping_phone: r.8,
                shipping_address: r.9,
                shipping_commune_code: r.10,
                title: r.11,
                quantity: r.12,
                unit: r.13,
            }
        })
        .collect())
}
