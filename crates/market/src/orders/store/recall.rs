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
use storage::schema::{order_items, order_parts};
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
            // cancelled before the recall, or reached by an earlier one
            if from == PartStatus::Cancelled || part.recalled_at.is_some() {
                continue;
            }
            let target = order_parts::table.find(&part.id);
            diesel::update(target)
                .set((
                    order_parts::recalled_at.eq(Some(at)),
                    order_parts::recall_reason.eq(Some(recall.reason)),
                    order_parts::recall_lot_id.eq(Some(recall.lot_id)),
                ))
                .execute(conn)?;
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
