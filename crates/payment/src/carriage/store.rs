//! Post offices' postage accounts on the database.

use accounts::{Actor, Role};
use storage::DbConnection;

use super::{PostagePaid, PostageStatement};
use crate::cod::rules::post_office_for;
use crate::{chart, escrow, ledger};
use common::ApiError;

/// A post office's postage: staff their own, admin the one named.
pub fn statement(
    conn: &mut DbConnection,
    actor: &Actor,
    post_office: Option<&str>,
) -> Result<PostageStatement, ApiError> {
    let office = post_office_for(actor, post_office)?;
    let code = chart::carrier_code(Some(&office));
    let account = ledger::account(conn, &code)?;
    // a post office that has carried nothing yet has no account yet
    let lines = if account.is_some() { ledger::statement(conn, &code, 1000)? } else { Vec::new() };
    let lines = crate::payouts::store::readable_lines(conn, lines)?;
    Ok(PostageStatement {
        earned_vnd: account.as_ref().map_or(0, |a| a.credits_posted),
        paid_vnd: account.as_ref().map_or(0, |a| a.debits_posted),
        owed_vnd: account.as_ref().map_or(0, |a| a.balance()),
        awaiting_delivery_vnd: account.as_ref().map_or(0, |a| a.credits_pending),
        post_office: office,
        lines,
    })
}

/// Admin records postage paid to a post office from the collection
/// account, under the bank's reference (its idempotency key). Never more
/// than the post office is owed (409 `insufficient_funds`).
pub fn record_paid(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &PostagePaid,
) -> Result<PostageStatement, ApiError> {
    actor.require(&[Role::Admin])?;
    let office = post_office_for(actor, Some(&input.post_office))?;
    let reference = escrow::rules::money_sent(input.amount_vnd, &input.reference)?;
    storage::write_transaction(conn, |conn| {
        escrow::post(
            conn,
            &format!("postage-paid:{office}:{reference}"),
            &chart::carrier_code(Some(&office)),
            chart::BANK,
            input.amount_vnd,
            &format!("postage paid to the post office ({reference})"),
            &reference,
        )?;
        accounts::audit::record(conn, actor, None, "payment.postage_paid", "organisation", &office)?;
        Ok::<_, ApiError>(())
    })?;
    statement(conn, actor, Some(&office))
}
