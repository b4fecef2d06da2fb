//! The ledger's queries, the same on SQLite and PostgreSQL.
//!
//! # Transactions
//!
//! Every function here must run inside the caller's
//! [`storage::write_transaction`], and none opens one of its own: the
//! payment flows record their transfers and update their orders in one
//! transaction, so both happen or neither does.
//!
//! When a function returns an error the transaction may already hold part
//! of the work (a transfer row written before its accounts refused it), so
//! the caller must let the error end the transaction, which
//! `write_transaction` then rolls back. Never commit after a ledger error.
//!
//! # How a transfer is written
//!
//! 1. The request is checked and its fingerprint computed (pure core).
//! 2. The transfer row is inserted first, with `ON CONFLICT DO NOTHING`, so
//!    that no statement ever fails on a unique constraint (which would
//!    abort a PostgreSQL transaction). No row inserted means the key (or,
//!    when resolving a hold, the hold) was taken: the stored transfer with
//!    that key is a replay when its fingerprint matches, a
//!    [`LedgerError::KeyConflict`] when not; without one, the hold was
//!    resolved by another key ([`LedgerError::AlreadyResolved`]). On
//!    PostgreSQL a concurrent insert of the same key waits for the other
//!    transaction and then sees its row, so a key yields one transfer even
//!    under races.
//! 3. The totals of the two accounts are updated in the order of their
//!    codes (two transfers can never wait on each other's accounts), each
//!    with one conditional `UPDATE` that also checks the non-negative rule
//!    on the new totals. On PostgreSQL the update waits for any other
//!    transaction holding the row and re-checks the condition on what it
//!    then sees; SQLite's write transactions run one at a time. No row
//!    updated means [`LedgerError::InsufficientFunds`]. The schema's CHECK
//!    constraint would catch a mistake here.
//!
//! Running totals are `BIGINT`; with at most 10^15 đồng per transfer they
//! cannot overflow before some 9,000 maximal transfers (9.2 × 10^18 đồng)
//! have gone through one account.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::{ledger_accounts, ledger_transfers};
use storage::DbConnection;

use super::{
    amount_to_post, check_account_code, check_amount, check_key, check_memo, statement_lines, Account,
    AccountSpec, Change, LedgerError, Recorded, Request, Side, StatementLine, Transfer, TransferKind,
    TransferRequest, TrialBalance,
};

/// At most this many lines in one statement.
pub const MAX_STATEMENT_LINES: i64 = 1000;

#[derive(Queryable)]
struct AccountRow {
    code: String,
    normal_side: String,
    non_negative: bool,
    debits_posted: i64,
    credits_posted: i64,
    debits_pending: i64,
    credits_pending: i64,
}

macro_rules! account_columns {
    () => {
        (
            ledger_accounts::code,
            ledger_accounts::normal_side,
            ledger_accounts::non_negative,
            ledger_accounts::debits_posted,
            ledger_accounts::credits_posted,
            ledger_accounts::debits_pending,
            ledger_accounts::credits_pending,
        )
    };
}

#[derive(Queryable)]
struct TransferRow {
    id: String,
    key: String,
    fingerprint: String,
    kind: String,
    debit: String,
    credit: String,
    amount_vnd: i64,
    pending_id: Option<String>,
    memo: String,
    reference: Option<String>,
    created_at: NaiveDateTime,
}

macro_rules! transfer_columns {
    () => {
        (
            ledger_transfers::id,
            ledger_transfers::idempotency_key,
            ledger_transfers::fingerprint,
            ledger_transfers::kind,
            ledger_transfers::debit_account,
            ledger_transfers::credit_account,
            ledger_transfers::amount_vnd,
            ledger_transfers::pending_id,
            ledger_transfers::memo,
            ledger_transfers::reference,
            ledger_transfers::created_at,
        )
    };
}

/// A value the schema's CHECK constraints rule out was read back.
fn damaged(what: String) -> LedgerError {
    LedgerError::Storage(diesel::result::Error::DeserializationError(what.into()))
}

impl TryFrom<AccountRow> for Account {
    type Error = LedgerError;

    fn try_from(r: AccountRow) -> Result<Account, LedgerError> {
        let normal = Side::parse(&r.normal_side).ok_or_else(|| {
            damaged(format!("ledger account `{}` has normal side `{}`", r.code, r.normal_side))
        })?;
        Ok(Account {
            code: r.code,
            normal,
            non_negative: r.non_negative,
            debits_posted: r.debits_posted,
            credits_posted: r.credits_posted,
            debits_pending: r.debits_pending,
            credits_pending: r.credits_pending,
        })
    }
}

impl TransferRow {
    fn into_transfer(self) -> Result<Transfer, LedgerError> {
        let kind = TransferKind::parse(&self.kind)
            .ok_or_else(|| damaged(format!("ledger transfer `{}` has kind `{}`", self.id, self.kind)))?;
        Ok(Transfer {
            id: self.id,
            key: self.key,
            kind,
            debit: self.debit,
            credit: self.credit,
            amount_vnd: self.amount_vnd,
            pending_id: self.pending_id,
            memo: self.memo,
            reference: self.reference,
            created_at: self.created_at,
        })
    }
}

/// Opens an account, or checks that the one with this code is the same
/// (normal side and limit). Opening twice is harmless, so flows may open
/// the accounts they use every time.
pub fn open_account(conn: &mut DbConnection, spec: &AccountSpec) -> Result<(), LedgerError> {
    check_account_code(spec.code)?;
    let now = storage::now();
    let inserted = storage::per_backend!(conn, |c| diesel::insert_into(ledger_accounts::table)
        .values((
            ledger_accounts::code.eq(spec.code),
            ledger_accounts::normal_side.eq(spec.normal.as_str()),
            ledger_accounts::non_negative.eq(spec.non_negative),
            ledger_accounts::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted == 1 {
        return Ok(());
    }
    match account(conn, spec.code)? {
        Some(a) if a.normal == spec.normal && a.non_negative == spec.non_negative => Ok(()),
        _ => Err(LedgerError::AccountMismatch(spec.code.to_string())),
    }
}

/// Records a posted transfer or a hold (`request.pending`).
pub fn transfer(conn: &mut DbConnection, request: &TransferRequest) -> Result<Recorded, LedgerError> {
    request.validate()?;
    let fingerprint = Request::Transfer(request).fingerprint();
    require_accounts(conn, &[request.debit, request.credit])?;
    let transfer = Transfer {
        id: storage::new_id(),
        key: request.key.to_string(),
        kind: request.kind(),
        debit: request.debit.to_string(),
        credit: request.credit.to_string(),
        amount_vnd: request.amount_vnd,
        pending_id: None,
        memo: request.memo.to_string(),
        reference: request.reference.map(str::to_string),
        created_at: storage::now(),
    };
    record(conn, transfer, &fingerprint, 0)
}

/// Posts a hold: all of it (`amount_vnd` = `None`), or `Some(a)` of it
/// with the rest released. More than the hold is
/// [`LedgerError::ExceedsHold`]. The posted transfer keeps the hold's
/// accounts and reference.
pub fn post_pending(
    conn: &mut DbConnection,
    key: &str,
    pending_id: &str,
    amount_vnd: Option<i64>,
    memo: &str,
) -> Result<Recorded, LedgerError> {
    check_key(key)?;
    check_memo(memo)?;
    if let Some(a) = amount_vnd {
        check_amount(a)?;
    }
    let fingerprint = Request::PostPending { key, pending_id, amount_vnd, memo }.fingerprint();
    let hold = find_hold(conn, pending_id)?;
    let posted = amount_to_post(hold.amount_vnd, amount_vnd)?;
    let transfer = resolution(&hold, key, TransferKind::PostPending, posted, memo);
    record(conn, transfer, &fingerprint, hold.amount_vnd)
}

/// Releases a hold entirely. The void transfer carries the amount released.
pub fn void_pending(
    conn: &mut DbConnection,
    key: &str,
    pending_id: &str,
    memo: &str,
) -> Result<Recorded, LedgerError> {
    check_key(key)?;
    check_memo(memo)?;
    let fingerprint = Request::VoidPending { key, pending_id, memo }.fingerprint();
    let hold = find_hold(conn, pending_id)?;
    let transfer = resolution(&hold, key, TransferKind::VoidPending, hold.amount_vnd, memo);
    record(conn, transfer, &fingerprint, hold.amount_vnd)
}

fn resolution(hold: &Transfer, key: &str, kind: TransferKind, amount_vnd: i64, memo: &str) -> Transfer {
    Transfer {
        id: storage::new_id(),
        key: key.to_string(),
        kind,
        debit: hold.debit.clone(),
        credit: hold.credit.clone(),
        amount_vnd,
        pending_id: Some(hold.id.clone()),
        memo: memo.to_string(),
        reference: hold.reference.clone(),
        created_at: storage::now(),
    }
}

/// The pending transfer `pending_id`, resolved or not.
fn find_hold(conn: &mut DbConnection, pending_id: &str) -> Result<Transfer, LedgerError> {
    let row: Option<TransferRow> = ledger_transfers::table
        .find(pending_id)
        .filter(ledger_transfers::kind.eq(TransferKind::Pending.as_str()))
        .select(transfer_columns!())
        .first(conn)
        .optional()?;
    match row {
        Some(row) => row.into_transfer(),
        None => Err(LedgerError::PendingNotFound(pending_id.to_string())),
    }
}

/// Inserts `transfer` and applies it to its accounts, or answers a replay.
/// `held` is the amount of the hold it resolves (0 for posted and pending).
fn record(
    conn: &mut DbConnection,
    transfer: Transfer,
    fingerprint: &str,
    held: i64,
) -> Result<Recorded, LedgerError> {
    let t = &transfer;
    let inserted = storage::per_backend!(conn, |c| diesel::insert_into(ledger_transfers::table)
        .values((
            ledger_transfers::id.eq(&t.id),
            ledger_transfers::idempotency_key.eq(&t.key),
            ledger_transfers::fingerprint.eq(fingerprint),
            ledger_transfers::kind.eq(t.kind.as_str()),
            ledger_transfers::debit_account.eq(&t.debit),
            ledger_transfers::credit_account.eq(&t.credit),
            ledger_transfers::amount_vnd.eq(t.amount_vnd),
            ledger_transfers::pending_id.eq(&t.pending_id),
            ledger_transfers::memo.eq(&t.memo),
            ledger_transfers::reference.eq(&t.reference),
            ledger_transfers::created_at.eq(t.created_at),
        ))
        // no conflict target: the key, and for a resolution the hold
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted == 0 {
        return match find_row_by_key(conn, &t.key)? {
            Some(first) if first.fingerprint == fingerprint => {
                Ok(Recorded { transfer: first.into_transfer()?, replayed: true })
            }
            Some(_) => Err(LedgerError::KeyConflict { key: t.key.clone() }),
            // the key is free, so the hold was taken by another key
            None => match &t.pending_id {
                Some(pending_id) => Err(LedgerError::AlreadyResolved(pending_id.clone())),
                None => Err(diesel::result::Error::NotFound.into()),
            },
        };
    }
    let change = Change::of(t.kind, t.amount_vnd, held);
    let mut sides = [(t.debit.as_str(), Side::Debit), (t.credit.as_str(), Side::Credit)];
    sides.sort();
    for (code, side) in sides {
        apply(conn, code, side, change)?;
    }
    telemetry::ledger_transfer(t.kind.as_str());
    Ok(Recorded { transfer, replayed: false })
}

/// Adds `change` to the `side` totals of account `code`, if the account
/// then still keeps the non-negative rule (see [`Account::within_limits`]).
fn apply(conn: &mut DbConnection, code: &str, side: Side, change: Change) -> Result<(), LedgerError> {
    use ledger_accounts as a;
    let Change { posted: p, pending: q } = change;
    let updated = match side {
        Side::Debit => diesel::update(
            a::table.find(code).filter(
                a::non_negative
                    .eq(false)
                    .or(a::normal_side
                        .eq(Side::Credit.as_str())
                        .and(a::credits_posted.ge(a::debits_posted + p + a::debits_pending + q)))
                    .or(a::normal_side
                        .eq(Side::Debit.as_str())
                        .and((a::debits_posted + p).ge(a::credits_posted + a::credits_pending))),
            ),
        )
        .set((a::debits_posted.eq(a::debits_posted + p), a::debits_pending.eq(a::debits_pending + q)))
        .execute(conn)?,
        Side::Credit => diesel::update(
            a::table.find(code).filter(
                a::non_negative
                    .eq(false)
                    .or(a::normal_side
                        .eq(Side::Debit.as_str())
                        .and(a::debits_posted.ge(a::credits_posted + p + a::credits_pending + q)))
                    .or(a::normal_side
                        .eq(Side::Credit.as_str())
                        .and((a::credits_posted + p).ge(a::debits_posted + a::debits_pending))),
            ),
        )
        .set((a::credits_posted.eq(a::credits_posted + p), a::credits_pending.eq(a::credits_pending + q)))
        .execute(conn)?,
    };
    if updated == 1 {
        return Ok(());
    }
    match account(conn, code)? {
        Some(a) => Err(LedgerError::InsufficientFunds { account: a.code.clone(), available: a.available() }),
        None => Err(LedgerError::NoSuchAccount(code.to_string())),
    }
}

/// Every code exists, or the first missing one is named.
fn require_accounts(conn: &mut DbConnection, codes: &[&str]) -> Result<(), LedgerError> {
    let found: Vec<String> = ledger_accounts::table
        .filter(ledger_accounts::code.eq_any(codes))
        .select(ledger_accounts::code)
        .load(conn)?;
    match codes.iter().find(|c| !found.iter().any(|f| f == *c)) {
        Some(missing) => Err(LedgerError::NoSuchAccount(missing.to_string())),
        None => Ok(()),
    }
}

fn find_row_by_key(conn: &mut DbConnection, key: &str) -> Result<Option<TransferRow>, LedgerError> {
    Ok(ledger_transfers::table
        .filter(ledger_transfers::idempotency_key.eq(key))
        .select(transfer_columns!())
        .first(conn)
        .optional()?)
}

/// The transfer recorded with idempotency key `key`.
pub fn find_by_key(conn: &mut DbConnection, key: &str) -> Result<Option<Transfer>, LedgerError> {
    find_row_by_key(conn, key)?.map(TransferRow::into_transfer).transpose()
}

pub fn account(conn: &mut DbConnection, code: &str) -> Result<Option<Account>, LedgerError> {
    let row: Option<AccountRow> =
        ledger_accounts::table.find(code).select(account_columns!()).first(conn).optional()?;
    row.map(Account::try_from).transpose()
}

/// The accounts whose codes start with `prefix` (e.g. every
/// `payable:seller:` account), by code.
pub fn accounts_with_prefix(conn: &mut DbConnection, prefix: &str) -> Result<Vec<Account>, LedgerError> {
    let pattern = like_prefix(prefix);
    let rows: Vec<AccountRow> = ledger_accounts::table
        .filter(ledger_accounts::code.like(pattern).escape('\\'))
        .order(ledger_accounts::code)
        .select(account_columns!())
        .load(conn)?;
    rows.into_iter()
        // SQLite's LIKE ignores ASCII case; a prefix is exact
        .filter(|r| r.code.starts_with(prefix))
        .map(Account::try_from)
        .collect()
}

/// Locks the accounts `codes` until the transaction ends, in code order.
///
/// A transfer updates its two accounts in code order, but a transaction
/// that books several transfers (a delivery: release, then fee; a payout
/// run: one hold per seller) would otherwise take its locks in the order
/// of its steps, and two such transactions on PostgreSQL could each wait
/// for the other. Locking everything first, sorted, rules that out. SQLite
/// runs one write transaction at a time and needs nothing.
pub fn lock_accounts(conn: &mut DbConnection, codes: &[&str]) -> Result<(), LedgerError> {
    let mut sorted: Vec<&str> = codes.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if let DbConnection::Postgres(c) = conn {
        let _locked: Vec<String> = ledger_accounts::table
            .filter(ledger_accounts::code.eq_any(&sorted))
            .order(ledger_accounts::code)
            .select(ledger_accounts::code)
            .for_update()
            .load(c)?;
    }
    Ok(())
}

/// A LIKE pattern matching codes that start with `prefix` (escape `\\`).
fn like_prefix(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for ch in prefix.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// The sum of the posted balances of the accounts whose code starts with
/// `prefix`, each on its normal side. Only accounts with a balance are
/// read (an order's escrow is empty once the order is done), so the cost
/// follows the open accounts, not the history.
pub fn posted_balance_total(conn: &mut DbConnection, prefix: &str) -> Result<i64, LedgerError> {
    let pattern = like_prefix(prefix);
    let rows: Vec<AccountRow> = ledger_accounts::table
        .filter(ledger_accounts::code.like(pattern).escape('\\'))
        .filter(ledger_accounts::credits_posted.ne(ledger_accounts::debits_posted))
        .select(account_columns!())
        .load(conn)?;
    let mut total = 0i64;
    for row in rows.into_iter().filter(|r| r.code.starts_with(prefix)) {
        total = total.saturating_add(Account::try_from(row)?.balance());
    }
    Ok(total)
}

/// The holds on account `code` that are neither posted nor voided yet,
/// oldest first.
pub fn pending_holds(conn: &mut DbConnection, code: &str) -> Result<Vec<Transfer>, LedgerError> {
    let resolutions = diesel::alias!(ledger_transfers as resolutions);
    let rows: Vec<TransferRow> = ledger_transfers::table
        .filter(ledger_transfers::kind.eq(TransferKind::Pending.as_str()))
        .filter(ledger_transfers::debit_account.eq(code).or(ledger_transfers::credit_account.eq(code)))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            resolutions
                .filter(resolutions.field(ledger_transfers::pending_id).eq(ledger_transfers::id.nullable())),
        )))
        .order((ledger_transfers::created_at, ledger_transfers::id))
        .select(transfer_columns!())
        .load(conn)?;
    rows.into_iter().map(TransferRow::into_transfer).collect()
}

/// Every account, and the sums of their totals.
pub fn trial_balance(conn: &mut DbConnection) -> Result<TrialBalance, LedgerError> {
    let rows: Vec<AccountRow> =
        ledger_accounts::table.order(ledger_accounts::code).select(account_columns!()).load(conn)?;
    let accounts = rows.into_iter().map(Account::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok(TrialBalance::of(accounts))
}

/// The latest `limit` (at most [`MAX_STATEMENT_LINES`]) posted effects on
/// account `code`, oldest first, each with its signed amount on the
/// account's normal side and the balance after it; the last line's balance
/// is the account's balance now. Holds and voids are left out: they do not
/// change a posted balance.
pub fn statement(conn: &mut DbConnection, code: &str, limit: i64) -> Result<Vec<StatementLine>, LedgerError> {
    let Some(account) = account(conn, code)? else {
        return Err(LedgerError::NoSuchAccount(code.to_string()));
    };
    let limit = limit.clamp(0, MAX_STATEMENT_LINES);
    if limit == 0 {
        return Ok(Vec::new());
    }
    let rows: Vec<TransferRow> = ledger_transfers::table
        .filter(
            ledger_transfers::kind
                .eq_any([TransferKind::Posted.as_str(), TransferKind::PostPending.as_str()]),
        )
        .filter(ledger_transfers::debit_account.eq(code).or(ledger_transfers::credit_account.eq(code)))
        .order((ledger_transfers::created_at.desc(), ledger_transfers::id.desc()))
        .limit(limit)
        .select(transfer_columns!())
        .load(conn)?;
    let mut transfers = rows.into_iter().map(TransferRow::into_transfer).collect::<Result<Vec<_>, _>>()?;
    transfers.reverse();
    Ok(statement_lines(&account, &transfers, account.balance()))
}
