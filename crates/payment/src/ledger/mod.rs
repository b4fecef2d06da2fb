//! The escrow ledger: double-entry bookkeeping in whole đồng.
//!
//! The ledger knows accounts and transfers, not orders. The payment flows
//! give the accounts their meaning (`bank:collection`, `escrow:order:<id>`,
//! `payable:seller:<id>`, `revenue:fees`, …) and move money between them:
//! a buyer's payment into escrow, delivery from escrow to the seller's
//! payable less the fee, a cancellation to a refund due, payouts.
//!
//! Every transfer moves one amount from one account (debited) to another
//! (credited), so the debits and credits of all accounts always match
//! ([`TrialBalance::is_balanced`]). A transfer is either
//! - *posted*: done; or
//! - *pending*: a hold that reserves the amount on both accounts until it
//!   is resolved, exactly once, by a *post_pending* (all of it, or part of
//!   it with the rest released) or a *void_pending* (all released).
//!
//! Transfers are never changed or removed (the database refuses to). A
//! mistake is corrected by a reversing transfer: the same amount with debit
//! and credit swapped, and a memo saying what it reverses.
//!
//! Every request carries an idempotency key chosen by the caller
//! (`order:<id>:paid`). Repeating a request with its key is harmless: the
//! first transfer is returned ([`Recorded::replayed`]) and nothing changes.
//! Reusing a key for a different request is refused
//! ([`LedgerError::KeyConflict`]).
//!
//! The pure core is this module's types and [`rules`]: validation,
//! request fingerprints, balance arithmetic and the non-negative rule (the
//! methods of [`Account`], [`TransferRequest`], [`Request`] and
//! [`TrialBalance`] live there). [`store`] holds the queries, which run
//! inside the caller's write transaction. [`routes`]: the trial balance
//! for admin.

pub mod routes;
pub mod rules;
pub mod store;

use serde::Serialize;
use utoipa::ToSchema;

pub use rules::{
    amount_to_post, check_account_code, check_amount, check_key, check_memo, check_reference, statement_lines,
};
pub use store::{
    account, accounts_with_prefix, find_by_key, lock_accounts, open_account, pending_holds, post_pending,
    posted_balance_total, statement, transfer, trial_balance, void_pending,
};

/// The largest amount of one transfer: 10^15 đồng, far above any order and
/// small enough that running totals cannot overflow an `i64` before some
/// nine thousand such transfers have gone through one account.
pub const MAX_AMOUNT_VND: i64 = 1_000_000_000_000_000;
/// Idempotency keys and account codes: 1 to this many printable ASCII
/// characters.
pub const MAX_KEY_LEN: usize = 200;
/// Memos: at most this many characters (not bytes).
pub const MAX_MEMO_CHARS: usize = 500;
/// References: at most this many characters.
pub const MAX_REFERENCE_CHARS: usize = 200;

/// The side of an entry, and the side on which an account grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Debit,
    Credit,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Debit => "debit",
            Side::Credit => "credit",
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "debit" => Some(Side::Debit),
            "credit" => Some(Side::Credit),
            _ => None,
        }
    }

    /// +1 when an entry on this side grows an account whose normal side is
    /// `normal`, −1 when it shrinks it.
    pub fn sign_for(self, normal: Side) -> i64 {
        if self == normal {
            1
        } else {
            -1
        }
    }
}

/// An account to open: its code, the side it grows on, and whether it may
/// ever show less than nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSpec<'a> {
    pub code: &'a str,
    pub normal: Side,
    /// Refuse any transfer or hold that would take the account's
    /// [`Account::available`] below zero (escrow, payables, …). Asset
    /// accounts such as the collection bank account are debit-normal and
    /// usually not limited.
    pub non_negative: bool,
}

/// An account with its running totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub code: String,
    pub normal: Side,
    pub non_negative: bool,
    pub debits_posted: i64,
    pub credits_posted: i64,
    /// Held by pending transfers that debit the account.
    pub debits_pending: i64,
    /// Held by pending transfers that credit the account.
    pub credits_pending: i64,
}

/// What a transfer does to the totals of each of its two accounts: the
/// debited account's debit totals and the credited account's credit totals
/// change by the same amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub posted: i64,
    pub pending: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// Done at once.
    Posted,
    /// A hold, resolved later by exactly one post_pending or void_pending.
    Pending,
    /// Posts a hold (all of it, or part with the rest released).
    PostPending,
    /// Releases a hold.
    VoidPending,
}

impl TransferKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferKind::Posted => "posted",
            TransferKind::Pending => "pending",
            TransferKind::PostPending => "post_pending",
            TransferKind::VoidPending => "void_pending",
        }
    }

    pub fn parse(s: &str) -> Option<TransferKind> {
        match s {
            "posted" => Some(TransferKind::Posted),
            "pending" => Some(TransferKind::Pending),
            "post_pending" => Some(TransferKind::PostPending),
            "void_pending" => Some(TransferKind::VoidPending),
            _ => None,
        }
    }
}

/// A recorded transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub id: String,
    /// The caller's idempotency key.
    pub key: String,
    pub kind: TransferKind,
    pub debit: String,
    pub credit: String,
    /// Posted or held; for post_pending the part posted, for void_pending
    /// the amount released.
    pub amount_vnd: i64,
    /// The hold a post_pending or void_pending resolves.
    pub pending_id: Option<String>,
    pub memo: String,
    pub reference: Option<String>,
    pub created_at: chrono::NaiveDateTime,
}

/// A posted transfer or a hold, as asked by a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferRequest<'a> {
    pub key: &'a str,
    pub debit: &'a str,
    pub credit: &'a str,
    pub amount_vnd: i64,
    /// A hold instead of a posted transfer.
    pub pending: bool,
    pub memo: &'a str,
    /// What the money is for (`order:<id>`), for finding it later.
    pub reference: Option<&'a str>,
}

/// What a store function did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub transfer: Transfer,
    /// The key had been seen before with the same request: this is the
    /// first transfer, and nothing changed now.
    pub replayed: bool,
}

/// Every request the ledger records, for its fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'a> {
    Transfer(&'a TransferRequest<'a>),
    PostPending { key: &'a str, pending_id: &'a str, amount_vnd: Option<i64>, memo: &'a str },
    VoidPending { key: &'a str, pending_id: &'a str, memo: &'a str },
}

/// Every account's totals, and their sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialBalance {
    pub accounts: Vec<Account>,
    pub debits_posted: i64,
    pub credits_posted: i64,
    pub debits_pending: i64,
    pub credits_pending: i64,
}

/// One posted effect on an account's statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub transfer_id: String,
    /// The idempotency key of the transfer, which says what it was.
    pub key: String,
    pub at: chrono::NaiveDateTime,
    pub memo: String,
    pub reference: Option<String>,
    /// Positive when the transfer grew the account's balance.
    pub amount_vnd: i64,
    /// The account's posted balance after this transfer.
    pub balance_vnd: i64,
    /// The other account of the transfer.
    pub counterparty: String,
}

/// The one error type of the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("the amount must be a whole number of đồng from 1 to {MAX_AMOUNT_VND}")]
    InvalidAmount,
    #[error("a transfer needs two different accounts")]
    SameAccount,
    #[error("the idempotency key must be 1 to {MAX_KEY_LEN} printable ASCII characters")]
    InvalidKey,
    #[error("the memo must be at most {MAX_MEMO_CHARS} characters, without control characters")]
    InvalidMemo,
    #[error("the reference must be 1 to {MAX_REFERENCE_CHARS} characters, without control characters")]
    InvalidReference,
    #[error("`{0}` is not an account code: use 1 to {MAX_KEY_LEN} printable ASCII characters")]
    InvalidAccountCode(String),
    #[error("there is no ledger account `{0}`")]
    NoSuchAccount(String),
    #[error("ledger account `{0}` already exists with another normal side or limit")]
    AccountMismatch(String),
    #[error("not enough money in `{account}`: {available} đồng available")]
    InsufficientFunds { account: String, available: i64 },
    #[error("the idempotency key `{key}` was already used for a different request")]
    KeyConflict { key: String },
    #[error("there is no pending transfer `{0}`")]
    PendingNotFound(String),
    #[error("the pending transfer `{0}` was already posted or voided")]
    AlreadyResolved(String),
    #[error("cannot post {asked} đồng of a hold of {held} đồng")]
    ExceedsHold { held: i64, asked: i64 },
    #[error(transparent)]
    Storage(#[from] diesel::result::Error),
}

impl From<LedgerError> for common::ApiError {
    /// The refusals a client can cause keep their codes; a storage error
    /// follows the one rule; anything else is a bug in the books (500).
    fn from(e: LedgerError) -> Self {
        use common::{ApiError, ErrorCode};
        let message = e.to_string();
        match e {
            LedgerError::KeyConflict { .. } => ApiError::new(ErrorCode::IdempotencyKeyReused, message),
            LedgerError::InsufficientFunds { available, .. } => {
                ApiError::new(ErrorCode::InsufficientFunds, message).param("available", available)
            }
            LedgerError::AlreadyResolved(_) => ApiError::new(ErrorCode::AlreadyResolved, message),
            LedgerError::InvalidAmount => {
                ApiError::new(ErrorCode::OutOfRange, message).param("min", 1).param("max", MAX_AMOUNT_VND)
            }
            LedgerError::InvalidKey => ApiError::new(ErrorCode::InvalidInput, message),
            LedgerError::Storage(d) => d.into(),
            other => ApiError::internal(other),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrialBalanceView {
    /// Every account: posted debits and credits, pending ones, and the
    /// balance on its normal side.
    pub accounts: Vec<AccountLine>,
    pub debits_posted_vnd: i64,
    pub credits_posted_vnd: i64,
    pub debits_pending_vnd: i64,
    pub credits_pending_vnd: i64,
    /// Debits equal credits, posted and pending: always true unless the
    /// books are broken.
    pub balanced: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountLine {
    pub code: String,
    /// `debit` (assets) or `credit` (liabilities, revenue).
    pub normal_side: String,
    pub debits_posted_vnd: i64,
    pub credits_posted_vnd: i64,
    pub debits_pending_vnd: i64,
    pub credits_pending_vnd: i64,
    pub balance_vnd: i64,
    pub available_vnd: i64,
}

impl From<&Account> for AccountLine {
    fn from(a: &Account) -> Self {
        AccountLine {
            code: a.code.clone(),
            normal_side: a.normal.as_str().to_string(),
            debits_posted_vnd: a.debits_posted,
            credits_posted_vnd: a.credits_posted,
            debits_pending_vnd: a.debits_pending,
            credits_pending_vnd: a.credits_pending,
            balance_vnd: a.balance(),
            available_vnd: a.available(),
        }
    }
}
