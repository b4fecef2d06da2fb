//! The escrow on the database: its state for an order, writing steps, and
//! an order's payments as its buyer sees them.

use std::collections::BTreeMap;

use accounts::Actor;
use storage::DbConnection;

use super::rules::spec_for;
use super::{EscrowState, OrderPayments, Step};
use crate::ledger::{self, LedgerError, TransferRequest};
use crate::{chart, transfers};
use common::{ApiError, OrderId};

/// The escrow's state for an order, read from the ledger.
pub fn escrow_state(conn: &mut DbConnection, order_id: &str) -> Result<EscrowState, LedgerError> {
    let code = chart::escrow_code(order_id);
    let Some(account) = ledger::account(conn, &code)? else {
        return Ok(EscrowState::default());
    };
    let holds: Vec<_> = ledger::pending_holds(conn, &code)?.into_iter().filter(|t| t.debit == code).collect();
    let by_prefix = |prefix: &str| {
        holds
            .iter()
            .filter_map(|t| t.key.strip_prefix(prefix).map(|part| (part.to_string(), t.amount_vnd)))
            .collect()
    };
    Ok(EscrowState {
        available_vnd: account.available(),
        open_holds: by_prefix("hold:"),
        open_postage_holds: by_prefix("postage-hold:"),
    })
}

/// Opens the accounts a step touches, if they are new.
fn open_accounts(conn: &mut DbConnection, codes: &[&str]) -> Result<(), LedgerError> {
    for code in codes {
        let spec = spec_for(code);
        ledger::open_account(conn, &spec)?;
    }
    Ok(())
}

/// Writes `steps`. Inside the caller's transaction. Every account the
/// steps touch is opened if new and locked first, in code order (see
/// [`ledger::lock_accounts`]).
pub fn apply(conn: &mut DbConnection, steps: &[Step], reference: &str) -> Result<(), LedgerError> {
    // First pass: open new accounts and find the holds (read once), so that
    // every account can be locked before anything moves.
    let mut touched: Vec<String> = Vec::new();
    let mut holds: BTreeMap<&str, String> = BTreeMap::new();
    for step in steps {
        match step {
            Step::Transfer { debit, credit, .. } => {
                open_accounts(conn, &[debit, credit])?;
                touched.extend([debit.clone(), credit.clone()]);
            }
            Step::PostHold { hold_key, .. } | Step::VoidHold { hold_key, .. } => {
                let hold = ledger::find_by_key(conn, hold_key)?
                    .ok_or_else(|| LedgerError::PendingNotFound(hold_key.clone()))?;
                touched.extend([hold.debit, hold.credit]);
                holds.insert(hold_key, hold.id);
            }
        }
    }
    let codes: Vec<&str> = touched.iter().map(String::as_str).collect();
    ledger::lock_accounts(conn, &codes)?;
    for step in steps {
        match step {
            Step::Transfer { key, debit, credit, amount_vnd, pending, memo } => {
                ledger::transfer(
                    conn,
                    &TransferRequest {
                        key,
                        debit,
                        credit,
                        amount_vnd: *amount_vnd,
                        pending: *pending,
                        memo,
                        reference: Some(reference),
                    },
                )?;
            }
            Step::PostHold { key, hold_key, memo } => {
                ledger::post_pending(conn, key, hold_id(&holds, hold_key)?, None, memo)?;
            }
            Step::VoidHold { key, hold_key, memo } => {
                ledger::void_pending(conn, key, hold_id(&holds, hold_key)?, memo)?;
            }
        }
    }
    Ok(())
}

/// The id of the hold made under `hold_key`, found by [`apply`]'s first pass.
fn hold_id<'a>(holds: &'a BTreeMap<&str, String>, hold_key: &str) -> Result<&'a str, LedgerError> {
    holds.get(hold_key).map(String::as_str).ok_or_else(|| LedgerError::PendingNotFound(hold_key.to_string()))
}

/// A transfer between two chart accounts, opening them if needed.
pub(crate) fn post(
    conn: &mut DbConnection,
    key: &str,
    debit: &str,
    credit: &str,
    amount_vnd: i64,
    memo: &str,
    reference: &str,
) -> Result<(), LedgerError> {
    if amount_vnd <= 0 {
        return Ok(());
    }
    apply(
        conn,
        &[Step::Transfer {
            key: key.to_string(),
            debit: debit.to_string(),
            credit: credit.to_string(),
            amount_vnd,
            pending: false,
            memo: memo.to_string(),
        }],
        reference,
    )
}

/// The buyer's (or admin's) view of an order's money; sellers and staff see
/// the order but not the buyer's transfers. The buyer is the account that
/// placed the order, whatever its role now (a farmer who also buys).
pub fn payments_of(c: &mut DbConnection, actor: &Actor, id: &OrderId) -> Result<OrderPayments, ApiError> {
    // the order rules decide whose order it is, and refuse sellers and
    // staff the buyer's bank transfers
    let order = market::orders::store::get_as_buyer(c, actor, id)?;
    let escrow = ledger::account(c, &chart::escrow_code(id.as_str()))?;
    let refund = ledger::account(c, &chart::refund_code(id.as_str()))?;
    Ok(OrderPayments {
        paid_vnd: order.paid_vnd,
        held_vnd: escrow.as_ref().map_or(0, |a| a.balance()),
        refund_due_vnd: refund.as_ref().map_or(0, |a| a.balance()),
        refunded_vnd: refund.as_ref().map_or(0, |a| a.debits_posted),
        transfers: transfers::store::for_order(c, id)?,
        order_id: id.clone(),
    })
}

/// Admin records `amount_vnd` paid back to the buyer of order `id` (from
/// its refund account), under the bank's `reference`; then the order's
/// payments.
pub fn record_refund(
    c: &mut DbConnection,
    actor: &Actor,
    id: &OrderId,
    amount_vnd: i64,
    reference: &str,
) -> Result<OrderPayments, ApiError> {
    let order = market::orders::store::get(c, actor, id)?;
    storage::write_transaction(c, |c| {
        post(
            c,
            &format!("refund-paid:{id}:{reference}"),
            &chart::refund_code(id.as_str()),
            chart::BANK,
            amount_vnd,
            &format!("order {}: paid back to the buyer ({reference})", order.code),
            id.as_str(),
        )?;
        accounts::audit::record(c, actor, None, "payment.refund", "order", id.as_str())?;
        Ok::<_, ApiError>(())
    })?;
    payments_of(c, actor, id)
}
