//! Moving order parts along their lifecycle: a party's action on the parts
//! it may act on, all or nothing, with the books told in the same
//! transaction; and the cancelling of bank-transfer orders left unpaid.

use accounts::{Actor, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::{lots, order_items, order_parts, orders};
use storage::DbConnection;

use super::{
    amount_due, get, load_parts, lock_order, parts_change, party_for, refresh_status, return_stock, PartRow,
};
use crate::orders::lifecycle::{self, Action, OrderStatus, PartStatus, Party, PaymentMethod};
use crate::orders::rules::{self, settled};
use crate::orders::{OrderMoney, OrderView};
use common::{ApiError, ErrorCode, OrderId, PartId};

/// What a party asks of an order's parts.
#[derive(Debug, Clone, Copy)]
pub struct PartAction<'a> {
    pub action: Action,
    /// Only this part; by default every part the party may act on.
    pub part_id: Option<&'a PartId>,
    /// Why (cancel, return): required from anyone but the buyer.
    pub reason: Option<&'a str>,
    /// On hand-over: the carrier's tracking number of the one parcel.
    pub tracking_number: Option<&'a str>,
}

/// Applies the action to the parts of an order `actor` may act on (or to
/// the one named): all of them change, or none. Asked for a whole order, it
/// passes over parts already done (cancelled, or past the step).
pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    order_id: &OrderId,
    request: PartAction<'_>,
    money: &dyn OrderMoney,
) -> Result<OrderView, ApiError> {
    let PartAction { action, part_id, reason, tracking_number } = request;
    actor.require(&[Role::Buyer, Role::Farmer, Role::Staff, Role::Admin])?;
    let reason = reason.map(|r| accounts::clean_text("reason", r, 500)).transpose()?;
    let tracking_number = match tracking_number {
        Some(_) if action != Action::HandOver => {
            return Err(ApiError::invalid(
                "tracking_number",
                "recorded when the post office takes the parcel",
            ))
        }
        Some(n) => Some(rules::tracking_number(n)?),
        None => None,
    };
    storage::write_transaction(conn, |conn| {
        let order = lock_order(conn, order_id.as_str())?;
        let parts = load_parts(conn, std::slice::from_ref(&order.id))?;
        let method = order.method()?;
        let all: Vec<&PartRow> = parts.iter().collect();
        let settled = settled(method, order.paid_vnd, amount_due(&all));
        let mine: Vec<(&PartRow, Party)> = parts
            .iter()
            .filter(|p| part_id.is_none_or(|id| *id == *p.id))
            .filter_map(|p| party_for(actor, &order.buyer_user_id, p).map(|party| (p, party)))
            .collect();
        if mine.is_empty() {
            return Err(ApiError::not_found(if part_id.is_some() { "order part" } else { "order" }));
        }
        // the buyer (the account that placed the order, whatever its role
        // now) cancels without saying why; anyone else tells the buyer why
        let as_buyer = mine.iter().all(|(_, party)| *party == Party::Buyer);
        if matches!(action, Action::Cancel | Action::Return) && !as_buyer && reason.is_none() {
            let why = if action == Action::Return {
                "say why the parcel came back; the buyer is told"
            } else {
                "say why the order is cancelled; the buyer is told"
            };
            return Err(ApiError::field(ErrorCode::Required, "reason", why));
        }
        // Parts holding a recalled lot: marked by the recall, and, should a
        // part ever have escaped its marking, any whose lot is recalled now.
        let ids: Vec<&str> = mine.iter().map(|(p, _)| p.id.as_str()).collect();
        let on_recalled_lots: Vec<String> = if action.moves_goods() {
            order_items::table
                .inner_join(lots::table.on(order_items::lot_id.eq(lots::id.nullable())))
                .filter(order_items::part_id.eq_any(&ids))
                .filter(lots::status.eq("recalled"))
                .select(order_items::part_id)
                .load(conn)?
        } else {
            Vec::new()
        };
        // Check every part first, then change them: all or nothing.
        let mut changes: Vec<(&PartRow, Party, PartStatus, PartStatus)> = Vec::new();
        let mut first_error: Option<ApiError> = None;
        for (part, party) in &mine {
            let from = part.status()?;
            // a whole-order request passes over parts already done
            let passed_over = part_id.is_none() && action.already_done(from);
            if action.moves_goods() && (part.recalled_at.is_some() || on_recalled_lots.contains(&part.id)) {
                // recalled produce goes no further, whoever asks
                let refusal = recalled(part);
                if !passed_over {
                    return Err(refusal);
                }
                first_error.get_or_insert(refusal);
                continue;
            }
            match lifecycle::next_part_status(from, action, *party, settled) {
                Ok(to) => changes.push((part, *party, from, to)),
                Err(e) if passed_over => {
                    first_error.get_or_insert(e.into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        if changes.is_empty() {
            return Err(first_error.unwrap_or_else(|| ApiError::not_found("order part")));
        }
        if let Some(number) = &tracking_number {
            // one number is one parcel
            if changes.len() != 1 {
                return Err(ApiError::field(
                    ErrorCode::Required,
                    "part_id",
                    "name the part whose parcel has this tracking number",
                ));
            }
            let taken: i64 = order_parts::table
                .filter(order_parts::tracking_number.eq(number))
                .count()
                .get_result(conn)?;
            if taken > 0 {
                return Err(ApiError::field(
                    ErrorCode::AlreadyTaken,
                    "tracking_number",
                    "another parcel has this tracking number",
                ));
            }
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
                PartStatus::HandedOver => diesel::update(target)
                    .set((
                        order_parts::handed_over_at.eq(stamp),
                        order_parts::tracking_number.eq(&tracking_number),
                    ))
                    .execute(conn)?,
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
        let changed = changes.iter().map(|(p, _, from, to)| (p.id.clone(), *from, *to)).collect();
        let change = parts_change(&order, method, &parts, changed);
        money.parts_changed(conn, &change)?;
        refresh_status(conn, &order.id, method, order.paid_vnd, now)?;
        Ok(())
    })?;
    get(conn, actor, order_id)
}

/// The refusal to move a part that holds a recalled lot.
fn recalled(part: &PartRow) -> ApiError {
    ApiError::new(
        ErrorCode::LotRecalled,
        format!(
            "this part holds a recalled lot ({}); it can no longer be confirmed, handed over or delivered",
            part.recall_reason.as_deref().unwrap_or("recalled")
        ),
    )
    .with_extra("part_id", part.id.clone())
    .with_extra("lot_id", part.recall_lot_id.clone())
}

/// Cancels bank-transfer orders whose payment did not arrive in time and
/// puts their stock back on sale. Returns how many this call released: 0
/// while another server sharing the database is releasing (each server runs
/// this on a timer; one at a time does the work, the others skip that
/// turn). Each order is its own transaction, re-checked under its lock, so
/// a payment recorded at the same moment wins or loses cleanly.
pub fn release_expired(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, ApiError> {
    let released = storage::unless_running_elsewhere(conn, storage::Job::ReleaseUnpaidOrders, |conn| {
        release_expired_alone(conn, now)
    })?;
    Ok(released.unwrap_or(0))
}

fn release_expired_alone(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, ApiError> {
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
                return Ok::<_, ApiError>(false);
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
            let system = Actor::acting_as(&common::UserId::system(), Role::Admin, "system", None);
            accounts::audit::record(conn, &system, None, "order.expire", "order", &id)?;
            Ok(true)
        })?;
        if done {
            released += 1;
        }
    }
    Ok(released)
}
