//! Cash on delivery on the database: positions, remittances, and their
//! postings.

use accounts::{Actor, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::cod_remittances;
use storage::DbConnection;

use super::rules::{self, post_office_for};
use super::{CodPosition, Remittance};
use crate::{chart, escrow, ledger, transfers};
use common::{rfc3339, ApiError, ErrorCode, NotificationId, RemittanceId};

type RemittanceRow =
    (RemittanceId, String, i64, String, Option<String>, NaiveDateTime, Option<NaiveDateTime>);

fn to_view(r: RemittanceRow) -> Remittance {
    Remittance {
        id: r.0,
        post_office: r.1,
        amount_vnd: r.2,
        status: r.3,
        reference: r.4,
        created_at: rfc3339(r.5),
        resolved_at: r.6.map(rfc3339),
    }
}

const COLUMNS: (
    cod_remittances::id,
    cod_remittances::post_office,
    cod_remittances::amount_vnd,
    cod_remittances::status,
    cod_remittances::reference,
    cod_remittances::created_at,
    cod_remittances::resolved_at,
) = (
    cod_remittances::id,
    cod_remittances::post_office,
    cod_remittances::amount_vnd,
    cod_remittances::status,
    cod_remittances::reference,
    cod_remittances::created_at,
    cod_remittances::resolved_at,
);

/// A post office's position and its remittances, newest first.
pub fn position(
    conn: &mut DbConnection,
    actor: &Actor,
    post_office: Option<&str>,
) -> Result<CodPosition, ApiError> {
    let office = post_office_for(actor, post_office)?;
    let account = ledger::account(conn, &chart::cod_code(Some(&office)))?;
    let rows: Vec<RemittanceRow> = cod_remittances::table
        .filter(cod_remittances::post_office.eq(&office))
        .order(cod_remittances::created_at.desc())
        .limit(200)
        .select(COLUMNS)
        .load(conn)?;
    Ok(CodPosition {
        owed_vnd: account.as_ref().map_or(0, |a| a.balance()),
        in_transit_vnd: account.as_ref().map_or(0, |a| a.credits_pending),
        remittable_vnd: account.as_ref().map_or(0, |a| a.available()),
        post_office: office,
        remittances: rows.into_iter().map(to_view).collect(),
    })
}

/// Staff announce that their post office sent `amount_vnd` (all it owes
/// when `None`) to the collection account.
pub fn announce(
    conn: &mut DbConnection,
    actor: &Actor,
    post_office: Option<&str>,
    amount_vnd: Option<i64>,
    reference: Option<&str>,
) -> Result<Remittance, ApiError> {
    let office = post_office_for(actor, post_office)?;
    let reference = reference.map(|r| accounts::clean_text("reference", r, 100)).transpose()?;
    let id = RemittanceId::new();
    storage::write_transaction(conn, |conn| {
        let code = chart::cod_code(Some(&office));
        let remittable = ledger::account(conn, &code)?.map_or(0, |a| a.available());
        let amount = rules::amount_to_remit(amount_vnd, remittable)?;
        escrow::apply(
            conn,
            &[escrow::Step::Transfer {
                key: format!("remit:{id}"),
                debit: chart::BANK.into(),
                credit: code,
                amount_vnd: amount,
                pending: true,
                memo: format!("cash on delivery remitted by post office {office}"),
            }],
            id.as_str(),
        )?;
        diesel::insert_into(cod_remittances::table)
            .values((
                cod_remittances::id.eq(&id),
                cod_remittances::post_office.eq(&office),
                cod_remittances::amount_vnd.eq(amount),
                cod_remittances::status.eq("pending"),
                cod_remittances::reference.eq(&reference),
                cod_remittances::created_by.eq(&actor.user_id),
                cod_remittances::created_at.eq(storage::now()),
            ))
            .execute(conn)?;
        accounts::audit::record(conn, actor, None, "cod.remit", "cod_remittance", id.as_str())?;
        Ok::<_, ApiError>(())
    })?;
    one(conn, &id)
}

fn one(conn: &mut DbConnection, id: &RemittanceId) -> Result<Remittance, ApiError> {
    let row: Option<RemittanceRow> =
        cod_remittances::table.find(id).select(COLUMNS).first(conn).optional()?;
    row.map(to_view).ok_or_else(|| ApiError::not_found("remittance"))
}

/// Admin records that the money arrived (`received = true`) or never will
/// (`false`: the hold is voided and the post office owes the cash again).
/// Each remittance resolves once.
///
/// When the remittance arrived as a bank transfer the webhook reported, it
/// is waiting in suspense (its text names no order): admin names that
/// notification, and the money moves suspense → post office instead of
/// being booked into the bank a second time. Without one (the money came
/// some other way) the hold bank ← post office is posted.
pub fn resolve(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &RemittanceId,
    received: bool,
    notification_id: Option<&str>,
) -> Result<Remittance, ApiError> {
    actor.require(&[Role::Admin])?;
    storage::write_transaction(conn, |conn| {
        let status = if received { "received" } else { "cancelled" };
        let changed =
            diesel::update(cod_remittances::table.find(id).filter(cod_remittances::status.eq("pending")))
                .set((
                    cod_remittances::status.eq(status),
                    cod_remittances::resolved_by.eq(&actor.user_id),
                    cod_remittances::resolved_at.eq(storage::now()),
                ))
                .execute(conn)?;
        if changed == 0 {
            let current = one(conn, id)?;
            return Err(ApiError::new(
                ErrorCode::RemittanceResolved,
                format!("the remittance is already {}", current.status),
            ));
        }
        let remittance = one(conn, id)?;
        let matched = match (received, notification_id) {
            (true, Some(nid)) => {
                // the body names it as text: one that cannot be an id names
                // no transfer, as one that names nothing
                let nid = NotificationId::parse(nid).ok_or_else(|| ApiError::not_found("bank transfer"))?;
                let note = format!("cash-on-delivery remittance {id}");
                let amount = transfers::store::claim_unmatched(
                    conn,
                    actor,
                    &nid,
                    transfers::Outcome::Assigned,
                    &note,
                )?;
                Some((nid, amount))
            }
            _ => None,
        };
        let matched = matched.as_ref().map(|(nid, amount)| (nid, *amount));
        let steps = rules::resolution_steps(id, &remittance, received, matched)?;
        escrow::apply(conn, &steps, id.as_str())?;
        accounts::audit::record(conn, actor, None, &format!("cod.{status}"), "cod_remittance", id.as_str())?;
        Ok::<_, ApiError>(())
    })?;
    one(conn, id)
}
