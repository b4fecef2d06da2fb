//! Booking incoming bank transfers, and reading them back.
//!
//! Each notification is handled once: its id is claimed by inserting its
//! row (a concurrent duplicate waits for the first to commit and then finds
//! the row taken), and every ledger posting carries a key derived from the
//! id, so even a replay that got past the row would book nothing twice.

use accounts::access::{seller_scope, SellerOwner, SellerScope};
use accounts::{Actor, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::{bank_transfers, order_parts, orders, sellers};
use storage::DbConnection;

use super::rules::{self, Found};
use super::{Outcome, TransferView};
use crate::escrow::post;
use crate::{chart, BankNotification, Direction};
use common::{rfc3339, ApiError, ErrorCode, NotificationId, OrderId};

/// Books a notification: matched to an order (bank → escrow, any excess
/// bank → refund), or to suspense. `collection_account` is the account
/// number money must arrive in; transfers out, or to another account, are
/// recorded and ignored.
pub fn receive(
    conn: &mut DbConnection,
    n: &BankNotification,
    collection_account: Option<&str>,
) -> Result<Outcome, ApiError> {
    storage::write_transaction(conn, |conn| {
        let now = storage::now();
        let claimed = storage::per_backend!(conn, |c| {
            diesel::insert_into(bank_transfers::table)
                .values((
                    bank_transfers::notification_id.eq(n.id()),
                    bank_transfers::gateway.eq(n.gateway()),
                    bank_transfers::transaction_at.eq(n.transaction_time().naive_utc()),
                    bank_transfers::account_number.eq(n.account_number()),
                    bank_transfers::content.eq(n.content()),
                    bank_transfers::direction.eq(n.direction().as_str()),
                    bank_transfers::amount_vnd.eq(n.amount_vnd()),
                    bank_transfers::reference_code.eq(n.reference_code()),
                    bank_transfers::outcome.eq("received"),
                    bank_transfers::received_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(c)
        })?;
        if claimed == 0 {
            // The id was seen: nothing changes. A repeat that disagrees with
            // the first report is worth a person's look, not a second booking.
            let first: Option<(i64, String)> = bank_transfers::table
                .find(n.id())
                .select((bank_transfers::amount_vnd, bank_transfers::account_number))
                .first(conn)
                .optional()?;
            if first
                .as_ref()
                .is_some_and(|(amount, account)| *amount != n.amount_vnd() || account != n.account_number())
            {
                tracing::warn!(
                    id = %n.id(),
                    amount = n.amount_vnd(),
                    first = ?first,
                    "bank webhook: a repeated notification id with another amount or account; ignored"
                );
            }
            return Ok(Outcome::Duplicate);
        }
        if n.direction() == Direction::Out {
            return settle_row(conn, n.id(), Outcome::Ignored, None, 0, 0, Some("money out of the account"));
        }
        if collection_account.is_none_or(|a| a != n.account_number()) {
            return settle_row(
                conn,
                n.id(),
                Outcome::Ignored,
                None,
                0,
                0,
                Some("not the collection account this server books"),
            );
        }
        let key = format!("bank:{}", n.id());
        match find_order(conn, n.content())? {
            Found::One(order) => credit_order(conn, &key, n.id(), chart::BANK, &order, n.amount_vnd(), false),
            Found::None(why) => {
                post(
                    conn,
                    &format!("{key}:suspense"),
                    chart::BANK,
                    chart::SUSPENSE,
                    n.amount_vnd(),
                    &format!("transfer {} names no order we can tell", n.id()),
                    n.id().as_str(),
                )?;
                settle_row(conn, n.id(), Outcome::Unmatched, None, 0, 0, Some(&why.to_note()))
            }
        }
    })
}

/// The one bank-transfer order the text names, if there is exactly one
/// (see [`rules::pick_order`]).
fn find_order(conn: &mut DbConnection, content: &str) -> Result<Found, ApiError> {
    let mut found: Vec<market::orders::PayableOrder> = Vec::new();
    for code in crate::candidate_order_codes(content) {
        if let Some(order) = market::orders::store::find_by_code(conn, &code)? {
            if !found.iter().any(|o| o.id == order.id) {
                found.push(order);
            }
        }
    }
    Ok(rules::pick_order(found))
}

/// Credits `amount_vnd` from `source` (the bank, or suspense) to an order.
fn credit_order(
    conn: &mut DbConnection,
    key: &str,
    notification_id: &NotificationId,
    source: &str,
    order: &market::orders::PayableOrder,
    amount_vnd: i64,
    assigned: bool,
) -> Result<Outcome, ApiError> {
    let applied = market::orders::store::apply_payment(conn, &order.id, amount_vnd)?;
    post(
        conn,
        &format!("{key}:order"),
        source,
        &chart::escrow_code(&order.id),
        applied.applied_vnd,
        &format!("order {}: paid by bank transfer {notification_id}", order.code),
        &order.id,
    )?;
    post(
        conn,
        &format!("{key}:refund"),
        source,
        &chart::refund_code(&order.id),
        applied.excess_vnd,
        &format!("order {}: more than owed, to be paid back (transfer {notification_id})", order.code),
        &order.id,
    )?;
    let outcome = rules::outcome(assigned, &applied);
    settle_row(conn, notification_id, outcome, Some(&order.id), applied.applied_vnd, applied.excess_vnd, None)
}

fn settle_row(
    conn: &mut DbConnection,
    notification_id: &NotificationId,
    outcome: Outcome,
    order_id: Option<&str>,
    applied_vnd: i64,
    excess_vnd: i64,
    note: Option<&str>,
) -> Result<Outcome, ApiError> {
    diesel::update(bank_transfers::table.find(notification_id))
        .set((
            bank_transfers::outcome.eq(outcome.as_str()),
            bank_transfers::order_id.eq(order_id),
            bank_transfers::applied_vnd.eq(applied_vnd),
            bank_transfers::excess_vnd.eq(excess_vnd),
            bank_transfers::note.eq(note),
        ))
        .execute(conn)?;
    Ok(outcome)
}

/// The columns of a [`TransferRow`], from `bank_transfers` left-joined to
/// `orders`.
macro_rules! transfer_columns {
    () => {
        (
            bank_transfers::notification_id,
            bank_transfers::gateway,
            bank_transfers::transaction_at,
            bank_transfers::amount_vnd,
            bank_transfers::content,
            bank_transfers::reference_code,
            bank_transfers::outcome,
            bank_transfers::order_id,
            orders::code.nullable(),
            bank_transfers::applied_vnd,
            bank_transfers::excess_vnd,
            bank_transfers::note,
            bank_transfers::received_at,
        )
    };
}

type TransferRow = (
    NotificationId,
    String,
    NaiveDateTime,
    i64,
    String,
    Option<String>,
    String,
    Option<OrderId>,
    Option<String>,
    i64,
    i64,
    Option<String>,
    NaiveDateTime,
);

fn to_view(r: TransferRow) -> TransferView {
    // while in suspense the note is the machine's reason; after, a person's words
    let unmatched =
        r.11.as_deref().and_then(super::rules::Unmatched::from_note).filter(|_| r.6 == "unmatched");
    let note = if unmatched.is_some() { None } else { r.11 };
    TransferView {
        unmatched_reason: unmatched.as_ref().map(|u| u.reason.as_str().to_string()),
        unmatched_orders: unmatched.map(|u| u.orders).unwrap_or_default(),
        notification_id: r.0,
        gateway: r.1,
        transaction_at: rfc3339(r.2),
        amount_vnd: r.3,
        content: r.4,
        reference_code: r.5,
        outcome: r.6,
        order_id: r.7,
        order_code: r.8,
        applied_vnd: r.9,
        excess_vnd: r.10,
        note,
        received_at: rfc3339(r.12),
    }
}

/// Transfers with this outcome (all when `None`), newest first: staff and
/// admin work through the unmatched ones. Staff see only the transfers
/// [`rules::may_see`] allows them.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    outcome: Option<&str>,
    order_id: Option<&OrderId>,
    limit: i64,
) -> Result<Vec<TransferView>, ApiError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let scope = seller_scope(actor)?;
    let mut items = Vec::new();
    let mut offset = 0;
    // Transfers that paid an order are kept or dropped by the query itself
    // (the SQL twin of the rule); ones in suspense are judged row by row
    // from the orders their text named, so the page is filled in rounds.
    loop {
        let mut q = bank_transfers::table.left_join(orders::table).select(transfer_columns!()).into_boxed();
        if let Some(o) = outcome {
            q = q.filter(bank_transfers::outcome.eq(o.to_string()));
        }
        if let Some(o) = order_id {
            q = q.filter(bank_transfers::order_id.eq(o.clone()));
        }
        // The orders with a seller in scope (a subquery per kind of scope:
        // diesel cannot nest a boxed query across backends).
        let parts = order_parts::table.inner_join(sellers::table);
        let in_suspense = bank_transfers::outcome.eq(Outcome::Unmatched.as_str());
        q = match &scope {
            SellerScope::All => q,
            SellerScope::Organisation(Some(org)) => q.filter(
                bank_transfers::order_id
                    .eq_any(
                        parts
                            .filter(sellers::organisation_id.eq(org.clone()))
                            .select(order_parts::order_id.nullable()),
                    )
                    .or(in_suspense),
            ),
            SellerScope::Organisation(None) => q.filter(
                bank_transfers::order_id
                    .eq_any(
                        parts
                            .filter(sellers::organisation_id.is_null())
                            .select(order_parts::order_id.nullable()),
                    )
                    .or(in_suspense),
            ),
            SellerScope::Farmer(user) => q.filter(
                bank_transfers::order_id
                    .eq_any(
                        parts
                            .filter(sellers::user_id.eq(user.clone()))
                            .select(order_parts::order_id.nullable()),
                    )
                    .or(in_suspense),
            ),
        };
        let rows: Vec<TransferRow> = q
            .order((bank_transfers::received_at.desc(), bank_transfers::notification_id))
            .limit(limit)
            .offset(offset)
            .load(conn)?;
        let fetched = rows.len() as i64;
        for row in rows {
            let view = to_view(row);
            if view.order_id.is_some() || may_see_transfer(conn, &scope, &view)? {
                items.push(view);
            }
        }
        if fetched < limit || items.len() as i64 >= limit {
            items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            return Ok(items);
        }
        offset += fetched;
    }
}

/// Whether `scope` may see a transfer (see [`rules::may_see`]): it points
/// at the order it paid, or at the orders its suspense reason names.
fn may_see_transfer(
    conn: &mut DbConnection,
    scope: &SellerScope,
    view: &TransferView,
) -> Result<bool, ApiError> {
    if matches!(scope, SellerScope::All) {
        return Ok(true);
    }
    let codes = match &view.order_code {
        Some(code) => vec![code.clone()],
        None => view.unmatched_orders.clone(),
    };
    Ok(rules::may_see(scope, &as_owners(&sellers_of_orders(conn, &codes)?)))
}

/// The sellers (user id, post office) of the orders with these codes.
fn sellers_of_orders(
    conn: &mut DbConnection,
    codes: &[String],
) -> Result<Vec<(String, Option<String>)>, ApiError> {
    Ok(order_parts::table
        .inner_join(orders::table)
        .inner_join(sellers::table)
        .filter(orders::code.eq_any(codes))
        .select((sellers::user_id, sellers::organisation_id))
        .distinct()
        .load(conn)?)
}

fn as_owners(rows: &[(String, Option<String>)]) -> Vec<SellerOwner<'_>> {
    rows.iter().map(|(user, org)| SellerOwner { user_id: user, organisation_id: org.as_deref() }).collect()
}

/// The transfers that paid an order (for its buyer's page).
pub fn for_order(conn: &mut DbConnection, order_id: &OrderId) -> Result<Vec<TransferView>, ApiError> {
    let rows: Vec<TransferRow> = bank_transfers::table
        .left_join(orders::table)
        .filter(bank_transfers::order_id.eq(order_id))
        .select(transfer_columns!())
        .order(bank_transfers::received_at)
        .load(conn)?;
    Ok(rows.into_iter().map(to_view).collect())
}

/// Staff assign an unmatched transfer to the order the buyer meant (they
/// called, or the text was garbled): suspense → that order, as if the
/// transfer had named it. Each transfer can be assigned once.
pub fn assign(
    conn: &mut DbConnection,
    actor: &Actor,
    notification_id: &NotificationId,
    order_code: &str,
) -> Result<TransferView, ApiError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let scope = seller_scope(actor)?;
    let code = rules::order_code(order_code)?;
    storage::write_transaction(conn, |conn| {
        // Staff act only on transfers they may see, and only for orders of
        // their own post office: anything else is "not found" to them.
        let seen = find_one(conn, notification_id)?;
        if !seen.as_ref().map(|view| may_see_transfer(conn, &scope, view)).transpose()?.unwrap_or(true) {
            return Err(ApiError::not_found("bank transfer"));
        }
        if !rules::may_see(&scope, &as_owners(&sellers_of_orders(conn, std::slice::from_ref(&code))?)) {
            return Err(ApiError::not_found(format_args!("order {code}")));
        }
        let amount = claim_unmatched(conn, actor, notification_id, Outcome::Assigned, "assigned by staff")?;
        let order = market::orders::store::find_by_code(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format_args!("order {code}")))?;
        if order.method == market::orders::lifecycle::PaymentMethod::Cod {
            return Err(ApiError::new(
                ErrorCode::CashOnDeliveryOrder,
                format!("order {code} is cash on delivery; a bank transfer cannot pay it"),
            ));
        }
        credit_order(
            conn,
            &format!("assign:{notification_id}"),
            notification_id,
            chart::SUSPENSE,
            &order,
            amount,
            true,
        )?;
        accounts::audit::record(
            conn,
            actor,
            None,
            "payment.assign",
            "bank_transfer",
            notification_id.as_str(),
        )?;
        Ok(())
    })?;
    list_one(conn, notification_id)
}

fn list_one(conn: &mut DbConnection, notification_id: &NotificationId) -> Result<TransferView, ApiError> {
    find_one(conn, notification_id)?.ok_or_else(|| ApiError::not_found("bank transfer"))
}

fn find_one(
    conn: &mut DbConnection,
    notification_id: &NotificationId,
) -> Result<Option<TransferView>, ApiError> {
    let row: Option<TransferRow> = bank_transfers::table
        .left_join(orders::table)
        .filter(bank_transfers::notification_id.eq(notification_id))
        .select(transfer_columns!())
        .first(conn)
        .optional()?;
    Ok(row.map(to_view))
}

/// Claims an unmatched transfer for `outcome` (one claim wins), returning
/// its amount; a transfer that is not waiting in suspense is a conflict.
pub(crate) fn claim_unmatched(
    conn: &mut DbConnection,
    actor: &Actor,
    notification_id: &NotificationId,
    outcome: Outcome,
    note: &str,
) -> Result<i64, ApiError> {
    let row: Option<(String, i64)> = bank_transfers::table
        .find(notification_id)
        .select((bank_transfers::outcome, bank_transfers::amount_vnd))
        .first(conn)
        .optional()?;
    let Some((current, amount)) = row else {
        return Err(ApiError::not_found("bank transfer"));
    };
    let claimed = diesel::update(
        bank_transfers::table
            .find(notification_id)
            .filter(bank_transfers::outcome.eq(Outcome::Unmatched.as_str())),
    )
    .set((
        bank_transfers::outcome.eq(outcome.as_str()),
        bank_transfers::note.eq(note),
        bank_transfers::assigned_by.eq(&actor.user_id),
        bank_transfers::assigned_at.eq(storage::now()),
    ))
    .execute(conn)?;
    if claimed == 0 {
        return Err(ApiError::new(
            ErrorCode::NotInSuspense,
            format!("this transfer is not waiting in suspense (it is `{current}`)"),
        ));
    }
    Ok(amount)
}

/// Admin sends an unmatched transfer back to its sender (a stranger's
/// mistake, a buyer paying a cash-on-delivery order by transfer): suspense
/// → bank, once. `reference` is the bank's reference of the return.
pub fn return_to_sender(
    conn: &mut DbConnection,
    actor: &Actor,
    notification_id: &NotificationId,
    reference: Option<&str>,
) -> Result<TransferView, ApiError> {
    actor.require(&[Role::Admin])?;
    let reference = reference.map(|r| accounts::clean_text("reference", r, 100)).transpose()?;
    storage::write_transaction(conn, |conn| {
        let note = match &reference {
            Some(r) => format!("sent back to the sender ({r})"),
            None => "sent back to the sender".to_string(),
        };
        let amount = claim_unmatched(conn, actor, notification_id, Outcome::Returned, &note)?;
        post(
            conn,
            &format!("return:{notification_id}"),
            chart::SUSPENSE,
            chart::BANK,
            amount,
            &format!("transfer {notification_id} {note}"),
            notification_id.as_str(),
        )?;
        accounts::audit::record(
            conn,
            actor,
            None,
            "payment.return",
            "bank_transfer",
            notification_id.as_str(),
        )?;
        Ok::<_, ApiError>(())
    })?;
    list_one(conn, notification_id)
}
