//! Placing an order: every line's stock reserved and the order, its parts
//! and items written in one transaction, or nothing.

use std::collections::{BTreeMap, BTreeSet};

use accounts::{Actor, Role};
use diesel::prelude::*;
use storage::schema::{listings, lots, order_items, order_parts, orders, sellers};
use storage::DbConnection;

use super::get;
use crate::orders::lifecycle::{self, PartStatus, PaymentMethod};
use crate::orders::rules::{goods_weight, new_order_code, part_code, validate, ValidOrder};
use crate::orders::{NewOrder, OrderView, PaymentRequests};
use crate::postage::store::{price_parcels, ParcelGoods};
use common::{ApiError, ErrorCode, OrderId};

/// What the order copies from a listing once its stock is reserved.
#[derive(Queryable)]
struct Reserved {
    id: String,
    seller_id: String,
    title: String,
    unit: String,
    price_vnd: i64,
    lot_id: Option<String>,
    unit_weight_g: Option<i64>,
}

/// Takes `quantity` from the listing's stock, or says why not. The update
/// checks and takes in one statement: on PostgreSQL it waits for any other
/// order holding the row and re-checks the stock it then sees; on SQLite
/// the write transaction already runs alone. The `quantity >= 0` CHECK in
/// the schema would stop an oversell even if this were wrong.
fn reserve(
    conn: &mut DbConnection,
    listing_id: &str,
    quantity: i64,
    locked_lots: &BTreeSet<String>,
) -> Result<Reserved, ApiError> {
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
        None => {
            return Err(ApiError::field(
                ErrorCode::UnknownReference,
                "items",
                format!("no listing `{listing_id}`"),
            ))
        }
        Some(r) => r,
    };
    if taken == 0 {
        return Err(match status.as_str() {
            "active" => crate::error::insufficient_stock(listing_id, available),
            "deleted" => {
                ApiError::field(ErrorCode::UnknownReference, "items", format!("no listing `{listing_id}`"))
            }
            _ => crate::error::listing_unavailable(format!("listing `{listing_id}` is paused by its seller")),
        });
    }
    if let Some(lot) = &lot_id {
        // The listing was moved to another lot since `lock_lots` looked:
        // its lot is not locked, so a recall of it could miss this order.
        if !locked_lots.contains(lot) {
            return Err(ApiError::conflict(format!(
                "listing `{listing_id}` changed while the order was placed; place it again"
            )));
        }
        let lot_status: String = lots::table.find(lot).select(lots::status).first(conn)?;
        if lot_status == "recalled" {
            return Err(crate::error::listing_unavailable(format!(
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
            listings::unit_weight_g,
        ))
        .first(conn)?)
}

/// Locks the lots the listings sell from, in id order, before any listing:
/// a recall holds its lot's lock while it looks for the orders to stop, so
/// an order is either seen and stopped by it or placed after it and
/// refused (`reserve` reads the lot's status under this lock, and refuses
/// a listing moved meanwhile to a lot not locked). Lots before listings is
/// the order every writer keeps (see `store::recall`). Returns the lots.
fn lock_lots<'a>(
    conn: &mut DbConnection,
    listing_ids: impl Iterator<Item = &'a str>,
) -> Result<BTreeSet<String>, ApiError> {
    let listing_ids: Vec<&str> = listing_ids.collect();
    let lot_ids: BTreeSet<String> = listings::table
        .filter(listings::id.eq_any(&listing_ids))
        .select(listings::lot_id)
        .load::<Option<String>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    for lot_id in &lot_ids {
        diesel::update(lots::table.find(lot_id)).set(lots::status.eq(lots::status)).execute(conn)?;
    }
    Ok(lot_ids)
}

/// Refuses an order with a line from the actor's own listings: a farmer may
/// buy, but not from themselves. A listing never changes seller, so this
/// needs no lock.
fn refuse_own_listings(conn: &mut DbConnection, actor: &Actor, order: &ValidOrder) -> Result<(), ApiError> {
    let listing_ids: Vec<&str> = order.items.keys().map(String::as_str).collect();
    let own: Option<String> = listings::table
        .inner_join(sellers::table)
        .filter(listings::id.eq_any(&listing_ids))
        .filter(sellers::user_id.eq(&actor.user_id))
        .select(listings::id)
        .order(listings::id)
        .first(conn)
        .optional()?;
    match own {
        Some(listing_id) => Err(crate::error::own_listing(&listing_id)),
        None => Ok(()),
    }
}

/// Places an order for the account asking: a buyer, or a farmer buying
/// from other sellers (one person may both buy and sell). All stock
/// reserved, or nothing written.
pub fn place(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &NewOrder,
    payments: &dyn PaymentRequests,
    payment_window: chrono::Duration,
) -> Result<OrderView, ApiError> {
    actor.require(&[Role::Buyer, Role::Farmer])?;
    let order = validate(input)?;
    refuse_own_listings(conn, actor, &order)?;
    let id = storage::write_transaction(conn, |conn| {
        let Some(destination) = crate::reference::store::find(conn, &order.shipping.commune_code)? else {
            return Err(ApiError::field(
                ErrorCode::UnknownValue,
                "shipping.commune_code",
                "not in the 2025 commune list",
            ));
        };
        let locked_lots = lock_lots(conn, order.items.keys().map(String::as_str))?;
        let mut by_seller: BTreeMap<String, Vec<(Reserved, i64)>> = BTreeMap::new();
        for (listing_id, quantity) in &order.items {
            let r = reserve(conn, listing_id, *quantity, &locked_lots)?;
            by_seller.entry(r.seller_id.clone()).or_default().push((r, *quantity));
        }
        let now = storage::now();
        let id = OrderId::new();
        // one parcel per seller, priced with the tariff in force now: the
        // postage is written with the part and never priced again
        let mut goods = Vec::new();
        for (seller_id, lines) in &by_seller {
            let weights: Vec<(&str, Option<i64>, i64)> =
                lines.iter().map(|(r, q)| (r.id.as_str(), r.unit_weight_g, *q)).collect();
            goods.push(ParcelGoods {
                seller_id: seller_id.clone(),
                goods_g: goods_weight(&weights)?,
                // at most 1e9 đồng × 1e6 units × 20 lines: fits an i64
                goods_vnd: lines.iter().map(|(r, q)| r.price_vnd * q).sum(),
            });
        }
        let tariff = crate::postage::store::current(conn)?.tariff;
        let postage = price_parcels(conn, &tariff, &destination, order.method, &goods)?;
        let goods_total: i64 = goods.iter().map(|g| g.goods_vnd).sum();
        let postage_total: i64 = postage.iter().map(|p| p.postage_vnd).sum();
        let total = goods_total + postage_total;
        let parts: Vec<_> = by_seller
            .into_iter()
            .zip(goods.iter().zip(&postage))
            .map(|((seller_id, lines), (g, p))| (storage::new_id(), seller_id, g.goods_vnd, *p, lines))
            .collect();
        let code = new_order_code();
        let due = match order.method {
            PaymentMethod::Vietqr => {
                // refuse now, before anything is written, when the server
                // cannot take this transfer
                payments.vietqr(&code, total).map_err(|m| {
                    ApiError::new(
                        ErrorCode::PaymentMethodUnavailable,
                        format!("bank transfer cannot be used: {m}"),
                    )
                })?;
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
                orders::postage_vnd.eq(postage_total),
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
        for (n, (part_id, seller_id, subtotal, postage, lines)) in parts.into_iter().enumerate() {
            diesel::insert_into(order_parts::table)
                .values((
                    order_parts::id.eq(&part_id),
                    order_parts::order_id.eq(&id),
                    order_parts::seller_id.eq(&seller_id),
                    order_parts::status.eq(PartStatus::Pending.as_str()),
                    order_parts::subtotal_vnd.eq(subtotal),
                    order_parts::code.eq(part_code(&code, n)),
                    order_parts::postage_vnd.eq(postage.postage_vnd),
                    order_parts::weight_g.eq(postage.weight_g),
                    order_parts::zone.eq(postage.zone.as_str()),
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
        accounts::audit::record(conn, actor, None, "order.place", "order", id.as_str())?;
        Ok(id)
    })?;
    get(conn, actor, &id)
}
