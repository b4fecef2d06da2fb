//! A recall reaching the orders in flight: inside the recall's own
//! transaction, every part holding the recalled lot is marked, and those
//! that have not left their seller are cancelled with the books told.
//!
//! Locks, in the order every writer takes them so none waits on another
//! in a circle: the lot (taken by the recall before this runs; placing an
//! order takes it before its listings, so no order on the lot can slip in
//! unseen), then the orders in id order, then the ledger accounts (each
//! order's, by `OrderMoney`). Stock is not put back: recalled produce is
//! not for sale.

use std::collections::BTreeSet;
use std::sync::Arc;

use diesel::prelude::*;
use storage::schema::{lot_events, lots, order_items, order_parts};
use storage::DbConnection;
use traceability::lots::{Recall, RecallFollowUp};

use super::{load_parts, lock_order, parts_change, refresh_status};
use crate::orders::lifecycle::{recall_cancels, PartStatus};
use crate::orders::OrderMoney;
use common::ApiError;

/// The market's answer to a recall; the server plugs it into the
/// traceability slice's recall.
pub struct RecallOrders {
    pub money: Arc<dyn OrderMoney>,
}

impl RecallFollowUp for RecallOrders {
    fn lot_recalled(&self, conn: &mut DbConnection, recall: &Recall<'_>) -> Result<(), ApiError> {
        stop_in_flight(conn, recall, self.money.as_ref()).map(|_| ())
    }
}

/// Marks every part holding the recalled lot and cancels those that have
/// not been handed over, in the caller's transaction. Returns how many
/// parts were cancelled.
pub fn stop_in_flight(
    conn: &mut DbConnection,
    recall: &Recall<'_>,
    money: &dyn OrderMoney,
) -> Result<usize, ApiError> {
    let holding: Vec<(String, String)> = order_items::table
        .filter(order_items::lot_id.eq(recall.lot_id))
        .select((order_items::order_id, order_items::part_id))
        .load(conn)?;
    let order_ids: BTreeSet<String> = holding.iter().map(|(order, _)| order.clone()).collect();
    let part_ids: BTreeSet<&str> = holding.iter().map(|(_, part)| part.as_str()).collect();
    // every order first, in id order, before any money moves
    let mut orders = Vec::with_capacity(order_ids.len());
    for id in &order_ids {
        orders.push(lock_order(conn, id)?);
    }
    let reason = format!("lot recalled: {}", recall.reason);
    let at = recall.recalled_at;
    let mut cancelled = 0;
    for order in orders {
        let method = order.method()?;
        let parts = load_parts(conn, std::slice::from_ref(&order.id))?;
        let mut changed = Vec::new();
        for part in parts.iter().filter(|p| part_ids.contains(p.id.as_str())) {
            let from = part.status()?;
            let reached_before = part.recalled_at.is_some();
            // cancelled before any recall: not the recall's business
            if from == PartStatus::Cancelled && !reached_before {
                continue;
            }
            let target = order_parts::table.find(&part.id);
            // a part holding two recalled lots keeps the first recall's
            // notice; the second is in the audit log all the same
            if !reached_before {
                diesel::update(target)
                    .set((
                        order_parts::recalled_at.eq(Some(at)),
                        order_parts::recall_reason.eq(Some(recall.reason)),
                        order_parts::recall_lot_id.eq(Some(recall.lot_id)),
                    ))
                    .execute(conn)?;
            }
            if recall_cancels(from) {
                diesel::update(target)
                    .set((
                        order_parts::status.eq(PartStatus::Cancelled.as_str()),
                        order_parts::cancelled_at.eq(Some(at)),
                        order_parts::cancel_reason.eq(Some(&reason)),
                    ))
                    .execute(conn)?;
                changed.push((part.id.clone(), from, PartStatus::Cancelled));
            }
            accounts::audit::record(
                conn,
                recall.actor,
                Some(part.seller_user_id.as_str()),
                "order.recall",
                "order_part",
                &part.id,
            )?;
        }
        if changed.is_empty() {
            continue;
        }
        cancelled += changed.len();
        money.parts_changed(conn, &parts_change(&order, method, &parts, changed))?;
        refresh_status(conn, &order.id, method, order.paid_vnd, storage::now())?;
    }
    Ok(cancelled)
}

/// Stops the orders of lots recalled before recalls reached orders (a
/// database from an earlier version): every such lot whose parts are not
/// yet marked is handled as its recall would have been, with the recall's
/// own reason and time, by the system. Each lot is its own transaction.
/// Runs when the server starts; returns how many lots it caught up.
pub fn catch_up(conn: &mut DbConnection, money: &dyn OrderMoney) -> Result<usize, ApiError> {
    let pending: Vec<String> = order_items::table
        .inner_join(order_parts::table.on(order_parts::id.eq(order_items::part_id)))
        .inner_join(lots::table.on(order_items::lot_id.eq(lots::id.nullable())))
        .filter(lots::status.eq("recalled"))
        .filter(order_parts::recalled_at.is_null())
        .filter(order_parts::status.ne(PartStatus::Cancelled.as_str()))
        .select(lots::id)
        .distinct()
        .load(conn)?;
    let system = accounts::Actor::acting_as(&common::UserId::system(), accounts::Role::Admin, "system", None);
    for lot in &pending {
        let lot_id = common::LotId::parse(lot)
            .ok_or_else(|| ApiError::internal(format!("lot id {lot} in the database is not an id")))?;
        // the recall's own event; a lot marked recalled without one (by
        // hand in the database) is still stopped, now, without a reason
        let event: Option<(chrono::NaiveDateTime, String)> = lot_events::table
            .filter(lot_events::lot_id.eq(&lot_id))
            .filter(lot_events::event_type.eq("recall"))
            .select((lot_events::occurred_at, lot_events::details))
            .first(conn)
            .optional()?;
        let (occurred_at, details) = event.unwrap_or_else(|| (storage::now(), String::new()));
        let details: serde_json::Value = serde_json::from_str(&details).unwrap_or_default();
        let reason = details["reason"].as_str().unwrap_or("recalled").to_string();
        storage::write_transaction(conn, |conn| {
            // the lot's lock, as the recall itself holds it
            diesel::update(lots::table.find(&lot_id)).set(lots::status.eq(lots::status)).execute(conn)?;
            let recall =
                Recall { lot_id: &lot_id, reason: &reason, recalled_at: occurred_at, actor: &system };
            stop_in_flight(conn, &recall, money)
        })?;
    }
    Ok(pending.len())
}
