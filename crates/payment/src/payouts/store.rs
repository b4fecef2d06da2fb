//! Payouts on the database: runs, batches and their rows, and sellers'
//! statements.

use accounts::access::{self, SellerOwner};
use accounts::{Actor, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::{orders, payout_batches, payout_items, sellers};
use storage::DbConnection;

use super::{rules, PayoutBatch, PayoutItem, SellerStatement, StatementLine};
use crate::{chart, escrow, ledger};
use common::{rfc3339, ApiError, ErrorCode, PayoutId, SellerId};

/// What the collection account holds that belongs to nobody but sellers
/// and the platform: its balance less what buyers paid for orders not yet
/// delivered (escrow), what is owed back to them (refunds), transfers
/// not yet assigned (suspense) and the postage owed to post offices beyond
/// the cash on delivery they still hold (see [`rules::postage_to_keep`]). Sellers are paid from this only, so that a
/// seller whose cash on delivery the post office has not yet remitted is
/// never paid with another buyer's money.
fn free_in_bank(conn: &mut DbConnection) -> Result<i64, ApiError> {
    let bank = ledger::account(conn, chart::BANK)?.map_or(0, |a| a.available());
    let owed_to_others = ledger::posted_balance_total(conn, chart::ESCROW_PREFIX)?
        + ledger::posted_balance_total(conn, chart::REFUND_PREFIX)?
        + ledger::account(conn, chart::SUSPENSE)?.map_or(0, |a| a.balance())
        + postage_to_keep(conn)?;
    Ok((bank - owed_to_others).max(0))
}

fn postage_to_keep(conn: &mut DbConnection) -> Result<i64, ApiError> {
    let mut owed = Vec::new();
    for account in ledger::accounts_with_prefix(conn, chart::CARRIER_PREFIX)? {
        let office = account.code.trim_start_matches(chart::CARRIER_PREFIX).to_string();
        let cash_held = ledger::account(conn, &chart::cod_code(Some(&office)))?.map_or(0, |a| a.balance());
        owed.push((account.balance(), cash_held));
    }
    Ok(rules::postage_to_keep(&owed))
}

/// Gathers what every seller is owed into a new batch (admin). Amounts
/// already in an earlier unconfirmed batch are held and not gathered
/// again; what the collection account does not hold yet for sellers (cash
/// on delivery not remitted) waits for a later run.
pub fn create(conn: &mut DbConnection, actor: &Actor) -> Result<PayoutBatch, ApiError> {
    actor.require(&[Role::Admin])?;
    let batch_id = PayoutId::new();
    storage::write_transaction(conn, |conn| {
        // Lock the bank and every payable first (in code order), then read:
        // two runs at once take turns, and the second sees what the first
        // set aside, so together they never promise more than is free.
        let payables: Vec<String> =
            ledger::accounts_with_prefix(conn, chart::PAYABLE_PREFIX)?.into_iter().map(|a| a.code).collect();
        let mut codes: Vec<&str> = payables.iter().map(String::as_str).collect();
        codes.push(chart::BANK);
        ledger::lock_accounts(conn, &codes)?;
        let mut bank_left = free_in_bank(conn)?;
        let owed = ledger::accounts_with_prefix(conn, chart::PAYABLE_PREFIX)?;
        let purpose = format!("NONGSAN TT {}", batch_id.as_str()[..8].to_ascii_uppercase());
        let mut items = Vec::new();
        for account in owed {
            let amount = account.available().min(bank_left);
            if amount <= 0 {
                continue;
            }
            let Some(seller_id) = account.code.strip_prefix(chart::PAYABLE_PREFIX).and_then(SellerId::parse)
            else {
                continue;
            };
            let bank: Option<(String, String, String)> = sellers::table
                .find(&seller_id)
                .select((sellers::bank_bin, sellers::bank_account_number, sellers::bank_account_name))
                .first(conn)
                .optional()?;
            let Some((bin, number, name)) = bank else { continue };
            escrow::apply(
                conn,
                &[escrow::Step::Transfer {
                    key: rules::hold_key(&batch_id, &seller_id),
                    debit: account.code.clone(),
                    credit: chart::BANK.into(),
                    amount_vnd: amount,
                    pending: true,
                    memo: format!("payout batch {batch_id}"),
                }],
                batch_id.as_str(),
            )?;
            bank_left -= amount;
            items.push((seller_id, amount, bin, number, name));
        }
        if items.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NothingPayable,
                "no seller is owed money that the collection account holds",
            ));
        }
        let now = storage::now();
        diesel::insert_into(payout_batches::table)
            .values((
                payout_batches::id.eq(&batch_id),
                payout_batches::status.eq("created"),
                payout_batches::total_vnd.eq(items.iter().map(|i| i.1).sum::<i64>()),
                payout_batches::item_count.eq(items.len() as i64),
                payout_batches::created_by.eq(&actor.user_id),
                payout_batches::created_at.eq(now),
            ))
            .execute(conn)?;
        for (seller_id, amount, bin, number, name) in &items {
            diesel::insert_into(payout_items::table)
                .values((
                    payout_items::id.eq(storage::new_id()),
                    payout_items::batch_id.eq(&batch_id),
                    payout_items::seller_id.eq(seller_id),
                    payout_items::amount_vnd.eq(amount),
                    payout_items::bank_bin.eq(bin),
                    payout_items::account_number.eq(number),
                    payout_items::account_name.eq(name),
                    payout_items::purpose.eq(&purpose),
                    payout_items::status.eq("pending"),
                ))
                .execute(conn)?;
        }
        accounts::audit::record(conn, actor, None, "payout.create", "payout_batch", batch_id.as_str())?;
        Ok::<_, ApiError>(())
    })?;
    get(conn, actor, &batch_id)
}

type BatchRow = (PayoutId, String, i64, i64, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>);

const BATCH_COLUMNS: (
    payout_batches::id,
    payout_batches::status,
    payout_batches::total_vnd,
    payout_batches::item_count,
    payout_batches::created_at,
    payout_batches::sent_at,
    payout_batches::confirmed_at,
) = (
    payout_batches::id,
    payout_batches::status,
    payout_batches::total_vnd,
    payout_batches::item_count,
    payout_batches::created_at,
    payout_batches::sent_at,
    payout_batches::confirmed_at,
);

fn batch_view(r: BatchRow, items: Vec<PayoutItem>) -> PayoutBatch {
    PayoutBatch {
        id: r.0,
        status: r.1,
        total_vnd: r.2,
        item_count: r.3,
        created_at: rfc3339(r.4),
        sent_at: r.5.map(rfc3339),
        confirmed_at: r.6.map(rfc3339),
        items,
    }
}

/// Batches, newest first, without their rows (admin).
pub fn list(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<PayoutBatch>, ApiError> {
    actor.require(&[Role::Admin])?;
    let rows: Vec<BatchRow> = payout_batches::table
        .order(payout_batches::created_at.desc())
        .limit(100)
        .select(BATCH_COLUMNS)
        .load(conn)?;
    Ok(rows.into_iter().map(|r| batch_view(r, Vec::new())).collect())
}

/// One batch with its rows (admin).
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &PayoutId) -> Result<PayoutBatch, ApiError> {
    actor.require(&[Role::Admin])?;
    let row: Option<BatchRow> =
        payout_batches::table.find(id).select(BATCH_COLUMNS).first(conn).optional()?;
    let row = row.ok_or_else(|| ApiError::not_found("payout batch"))?;
    let items: Vec<(SellerId, i64, String, String, String, String, String)> = payout_items::table
        .filter(payout_items::batch_id.eq(id))
        .order(payout_items::seller_id)
        .select((
            payout_items::seller_id,
            payout_items::amount_vnd,
            payout_items::bank_bin,
            payout_items::account_number,
            payout_items::account_name,
            payout_items::purpose,
            payout_items::status,
        ))
        .load(conn)?;
    let items =
        items
            .into_iter()
            .map(|(seller_id, amount_vnd, bank_bin, account_number, account_name, purpose, status)| {
                PayoutItem { seller_id, amount_vnd, bank_bin, account_number, account_name, purpose, status }
            })
            .collect();
    Ok(batch_view(row, items))
}

/// The file went to the bank (admin).
pub fn mark_sent(conn: &mut DbConnection, actor: &Actor, id: &PayoutId) -> Result<PayoutBatch, ApiError> {
    actor.require(&[Role::Admin])?;
    storage::write_transaction(conn, |conn| {
        let changed =
            diesel::update(payout_batches::table.find(id).filter(payout_batches::status.eq("created")))
                .set((payout_batches::status.eq("sent"), payout_batches::sent_at.eq(storage::now())))
                .execute(conn)?;
        if changed == 0 {
            let current = get(conn, actor, id)?;
            return Err(ApiError::new(
                ErrorCode::BatchNotCreated,
                format!("the batch is already {}", current.status),
            ));
        }
        accounts::audit::record(conn, actor, None, "payout.sent", "payout_batch", id.as_str())?;
        Ok::<_, ApiError>(())
    })?;
    get(conn, actor, id)
}

/// The bank confirmed the batch (admin): every row is paid except the
/// sellers named in `failed`, whose money stays owed for the next run.
pub fn confirm(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &PayoutId,
    failed: &[String],
) -> Result<PayoutBatch, ApiError> {
    actor.require(&[Role::Admin])?;
    storage::write_transaction(conn, |conn| {
        let changed =
            diesel::update(payout_batches::table.find(id).filter(payout_batches::status.eq("sent")))
                .set((
                    payout_batches::status.eq("confirmed"),
                    payout_batches::confirmed_at.eq(storage::now()),
                ))
                .execute(conn)?;
        if changed == 0 {
            let current = get(conn, actor, id)?;
            return Err(ApiError::new(
                ErrorCode::BatchNotSent,
                match current.status.as_str() {
                    "created" => "mark the batch sent before confirming it".to_string(),
                    other => format!("the batch is already {other}"),
                },
            ));
        }
        let sellers_in_batch: Vec<SellerId> = payout_items::table
            .filter(payout_items::batch_id.eq(id))
            .select(payout_items::seller_id)
            .load(conn)?;
        if let Some(unknown) = failed.iter().find(|f| !sellers_in_batch.iter().any(|s| s == f.as_str())) {
            return Err(ApiError::field(
                ErrorCode::UnknownReference,
                "failed",
                format!("seller {unknown} is not in this batch"),
            )
            .at("failed_seller_ids"));
        }
        let mut steps = Vec::new();
        for seller_id in &sellers_in_batch {
            let paid = !failed.iter().any(|f| seller_id == f.as_str());
            steps.push(rules::settle_step(id, seller_id, paid));
            diesel::update(
                payout_items::table
                    .filter(payout_items::batch_id.eq(id))
                    .filter(payout_items::seller_id.eq(seller_id)),
            )
            .set(payout_items::status.eq(if paid { "paid" } else { "failed" }))
            .execute(conn)?;
        }
        // one call, so every account is locked at once, in order
        escrow::apply(conn, &steps, id.as_str())?;
        accounts::audit::record(conn, actor, None, "payout.confirm", "payout_batch", id.as_str())?;
        Ok::<_, ApiError>(())
    })?;
    get(conn, actor, id)
}

/// The statement of a seller: the farmer its own, staff their post
/// office's sellers, admin any.
pub fn statement(
    conn: &mut DbConnection,
    actor: &Actor,
    seller_id: &SellerId,
) -> Result<SellerStatement, ApiError> {
    let not_found = || ApiError::not_found("seller");
    let seller: Option<(String, Option<String>)> = sellers::table
        .find(seller_id)
        .select((sellers::user_id, sellers::organisation_id))
        .first(conn)
        .optional()?;
    let (user_id, organisation) = seller.ok_or_else(not_found)?;
    // the one visibility rule: buyers and officers 403, others' sellers 404
    let owner = SellerOwner { user_id: &user_id, organisation_id: organisation.as_deref() };
    if !access::seller_scope(actor)?.includes(owner) {
        return Err(not_found());
    }
    let code = chart::payable_code(seller_id.as_str());
    let account = ledger::account(conn, &code)?;
    // a seller with no money yet has no account yet: an empty statement
    let lines = if account.is_some() { ledger::statement(conn, &code, 1000)? } else { Vec::new() };
    let lines = readable_lines(conn, lines)?;
    Ok(SellerStatement {
        seller_id: seller_id.clone(),
        owed_vnd: account.as_ref().map_or(0, |a| a.balance()),
        in_payout_vnd: account.as_ref().map_or(0, |a| a.debits_pending),
        lines,
    })
}

/// Ledger lines as an account holder reads them, each with the code of the
/// order it belongs to (the ledger keeps the order's id, which no person reads).
pub(crate) fn readable_lines(
    conn: &mut DbConnection,
    lines: Vec<ledger::StatementLine>,
) -> Result<Vec<StatementLine>, ApiError> {
    let ids: Vec<&str> = lines.iter().filter_map(|l| l.reference.as_deref()).collect();
    let codes: std::collections::HashMap<String, String> = if ids.is_empty() {
        Default::default()
    } else {
        orders::table
            .filter(orders::id.eq_any(&ids))
            .select((orders::id, orders::code))
            .load(conn)?
            .into_iter()
            .collect()
    };
    Ok(lines
        .into_iter()
        .map(|l| {
            let order_code = l.reference.as_ref().and_then(|r| codes.get(r)).cloned();
            StatementLine { order_code, ..StatementLine::from(l) }
        })
        .collect())
}
