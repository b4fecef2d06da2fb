//! The ledger store against a model: random sequences of operations (open,
//! posted and pending transfers, full and partial posts, voids, replays of
//! earlier keys with the same and with another request, overdrafts) run on
//! the database and on a few maps in memory, compared after every step:
//! the result (which transfer, or which error) and every balance; the trial
//! balance must balance throughout.
//!
//! One database for the whole test (fresh per run); each case has its own
//! account codes and keys. `PROPTEST_CASES` overrides the 24 cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};

use payment::ledger::{
    self, amount_to_post, Account, AccountSpec, Change, LedgerError, Recorded, Side, TransferKind,
    TransferRequest, MAX_AMOUNT_VND,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use storage::testing::TestDatabase;
use storage::DbConnection;

/// Accounts opened at the start of every case; one more (`ACCOUNTS`)
/// exists only once an Open op opens it.
const ACCOUNTS: u8 = 5;
const MEMOS: [&str; 3] = ["", "Thanh toán đơn", "giao hàng"];

/// The shape each account is usually opened with: a bank account that may
/// go below zero, limited escrow and payable accounts, a limited
/// debit-normal cash account, an unlimited revenue account.
fn usual_shape(account: u8) -> (Side, bool) {
    match account {
        0 => (Side::Debit, false),
        1 | 2 => (Side::Credit, true),
        3 => (Side::Debit, true),
        _ => (Side::Credit, false),
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// `odd`: with the other limit than usual (a later usual open then
    /// mismatches, or this one does).
    Open {
        account: u8,
        odd: bool,
    },
    Transfer {
        debit: u8,
        credit: u8,
        amount: i64,
        pending: bool,
        memo: u8,
    },
    /// `target` picks a hold recorded earlier in the case, resolved or
    /// not, and now and then any transfer or one that does not exist.
    Post {
        target: usize,
        amount: Option<i64>,
    },
    Void {
        target: usize,
    },
    /// The request of an earlier keyed step again, the same or changed.
    Replay {
        earlier: usize,
        same: bool,
    },
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![20 => 1_i64..=150, 1 => Just(0_i64), 1 => Just(MAX_AMOUNT_VND + 1), 1 => Just(MAX_AMOUNT_VND)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (prop_oneof![Just(ACCOUNTS), 0..ACCOUNTS], prop::bool::weighted(0.2)).prop_map(|(account, odd)| Op::Open { account, odd }),
        // the credited account a few steps round from the debited one;
        // now and then the same one, or the one not opened at the start
        8 => (0..ACCOUNTS, prop_oneof![12 => 1..ACCOUNTS, 1 => Just(0), 1 => Just(ACCOUNTS)], amount(), any::<bool>(), 0..MEMOS.len() as u8)
            .prop_map(|(debit, offset, amount, pending, memo)| Op::Transfer {
                debit,
                credit: if offset == ACCOUNTS { ACCOUNTS } else { (debit + offset) % ACCOUNTS },
                amount,
                pending,
                memo
            }),
        3 => (any::<usize>(), prop::option::of(0_i64..=160))
            .prop_map(|(target, amount)| Op::Post { target, amount }),
        2 => any::<usize>().prop_map(|target| Op::Void { target }),
        3 => (any::<usize>(), any::<bool>()).prop_map(|(earlier, same)| Op::Replay { earlier, same }),
    ]
}

/// A request with everything that makes it what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Req {
    Transfer {
        key: String,
        debit: String,
        credit: String,
        amount: i64,
        pending: bool,
        memo: String,
        reference: Option<String>,
    },
    Post {
        key: String,
        pending_id: String,
        amount: Option<i64>,
        memo: String,
    },
    Void {
        key: String,
        pending_id: String,
        memo: String,
    },
}

impl Req {
    fn key(&self) -> &str {
        match self {
            Req::Transfer { key, .. } | Req::Post { key, .. } | Req::Void { key, .. } => key,
        }
    }

    /// The same key with another request.
    fn changed(&self, by_amount: bool) -> Req {
        let mut r = self.clone();
        match &mut r {
            Req::Transfer { amount, .. } if by_amount => {
                *amount = amount.saturating_add(1).min(MAX_AMOUNT_VND)
            }
            Req::Post { amount, .. } if by_amount => *amount = Some(amount.map_or(1, |a| a + 1)),
            Req::Transfer { memo, .. } | Req::Post { memo, .. } | Req::Void { memo, .. } => {
                memo.push_str(" (sửa)")
            }
        }
        if r == *self {
            // an amount at the limit: change the memo instead
            return self.changed(false);
        }
        r
    }
}

/// What a step should produce (ids of new transfers come from the store).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    replayed: bool,
    /// Known when replayed.
    id: Option<String>,
    kind: TransferKind,
    debit: String,
    credit: String,
    amount: i64,
    pending_id: Option<String>,
}

impl Outcome {
    fn of(r: &Recorded, known_id: bool) -> Outcome {
        let t = &r.transfer;
        Outcome {
            replayed: r.replayed,
            id: known_id.then(|| t.id.clone()),
            kind: t.kind,
            debit: t.debit.clone(),
            credit: t.credit.clone(),
            amount: t.amount_vnd,
            pending_id: t.pending_id.clone(),
        }
    }
}

fn error_name(e: &LedgerError) -> String {
    match e {
        LedgerError::InvalidAmount => "InvalidAmount".into(),
        LedgerError::SameAccount => "SameAccount".into(),
        LedgerError::NoSuchAccount(c) => format!("NoSuchAccount({c})"),
        LedgerError::AccountMismatch(c) => format!("AccountMismatch({c})"),
        LedgerError::InsufficientFunds { account, available } => {
            format!("InsufficientFunds({account}, {available})")
        }
        LedgerError::KeyConflict { key } => format!("KeyConflict({key})"),
        LedgerError::PendingNotFound(p) => format!("PendingNotFound({p})"),
        LedgerError::AlreadyResolved(p) => format!("AlreadyResolved({p})"),
        LedgerError::ExceedsHold { held, asked } => format!("ExceedsHold({held}, {asked})"),
        other => format!("unexpected: {other}"),
    }
}

#[derive(Debug, Clone)]
struct ModelTransfer {
    id: String,
    kind: TransferKind,
    debit: String,
    credit: String,
    amount: i64,
    pending_id: Option<String>,
}

/// The ledger in memory: accounts by code, transfers by key, and which
/// holds are resolved.
#[derive(Default)]
struct Model {
    accounts: BTreeMap<String, Account>,
    by_key: HashMap<String, (Req, ModelTransfer)>,
    by_id: HashMap<String, ModelTransfer>,
    resolved: HashMap<String, bool>,
}

/// A step the model accepted, to be kept once the store says which id the
/// new transfer got.
struct Accepted {
    outcome: Outcome,
    accounts: Vec<Account>,
}

impl Model {
    fn open(&mut self, code: &str, normal: Side, non_negative: bool) -> Result<(), String> {
        match self.accounts.get(code) {
            Some(a) if a.normal == normal && a.non_negative == non_negative => Ok(()),
            Some(_) => Err(format!("AccountMismatch({code})")),
            None => {
                self.accounts.insert(
                    code.to_string(),
                    Account {
                        code: code.to_string(),
                        normal,
                        non_negative,
                        debits_posted: 0,
                        credits_posted: 0,
                        debits_pending: 0,
                        credits_pending: 0,
                    },
                );
                Ok(())
            }
        }
    }

    /// What the store should answer, in the order it checks things.
    fn expect(&self, req: &Req) -> Result<Accepted, String> {
        let (kind, debit, credit, amount, held, pending_id) = match req {
            Req::Transfer { debit, credit, amount, pending, .. } => {
                if !(1..=MAX_AMOUNT_VND).contains(amount) {
                    return Err("InvalidAmount".into());
                }
                if debit == credit {
                    return Err("SameAccount".into());
                }
                for code in [debit, credit] {
                    if !self.accounts.contains_key(code) {
                        return Err(format!("NoSuchAccount({code})"));
                    }
                }
                let kind = if *pending { TransferKind::Pending } else { TransferKind::Posted };
                (kind, debit.clone(), credit.clone(), *amount, 0, None)
            }
            Req::Post { pending_id, amount, .. } => {
                if let Some(a) = amount {
                    if !(1..=MAX_AMOUNT_VND).contains(a) {
                        return Err("InvalidAmount".into());
                    }
                }
                let hold = self.hold(pending_id)?;
                let posted = amount_to_post(hold.amount, *amount).map_err(|e| error_name(&e))?;
                (
                    TransferKind::PostPending,
                    hold.debit.clone(),
                    hold.credit.clone(),
                    posted,
                    hold.amount,
                    Some(pending_id.clone()),
                )
            }
            Req::Void { pending_id, .. } => {
                let hold = self.hold(pending_id)?;
                (
                    TransferKind::VoidPending,
                    hold.debit.clone(),
                    hold.credit.clone(),
                    hold.amount,
                    hold.amount,
                    Some(pending_id.clone()),
                )
            }
        };
        if let Some((first_req, first)) = self.by_key.get(req.key()) {
            if first_req != req {
                return Err(format!("KeyConflict({})", req.key()));
            }
            return Ok(Accepted {
                outcome: Outcome {
                    replayed: true,
                    id: Some(first.id.clone()),
                    kind: first.kind,
                    debit: first.debit.clone(),
                    credit: first.credit.clone(),
                    amount: first.amount,
                    pending_id: first.pending_id.clone(),
                },
                accounts: vec![],
            });
        }
        if let Some(p) = &pending_id {
            if self.resolved.get(p).copied().unwrap_or(false) {
                return Err(format!("AlreadyResolved({p})"));
            }
        }
        let change = Change::of(kind, amount, held);
        let mut sides = [(debit.clone(), Side::Debit), (credit.clone(), Side::Credit)];
        sides.sort();
        let mut accounts = vec![];
        for (code, side) in sides {
            let now = &self.accounts[&code];
            let next = now.after(side, change).expect("no overflow at these amounts");
            if !next.within_limits() {
                return Err(format!("InsufficientFunds({code}, {})", now.available()));
            }
            accounts.push(next);
        }
        Ok(Accepted {
            outcome: Outcome { replayed: false, id: None, kind, debit, credit, amount, pending_id },
            accounts,
        })
    }

    fn hold(&self, pending_id: &str) -> Result<&ModelTransfer, String> {
        match self.by_id.get(pending_id) {
            Some(t) if t.kind == TransferKind::Pending => Ok(t),
            _ => Err(format!("PendingNotFound({pending_id})")),
        }
    }

    fn keep(&mut self, req: &Req, accepted: Accepted, id: &str) {
        let o = accepted.outcome;
        if o.replayed {
            return;
        }
        for a in accepted.accounts {
            self.accounts.insert(a.code.clone(), a);
        }
        if let Some(p) = &o.pending_id {
            self.resolved.insert(p.clone(), true);
        }
        let t = ModelTransfer {
            id: id.to_string(),
            kind: o.kind,
            debit: o.debit,
            credit: o.credit,
            amount: o.amount,
            pending_id: o.pending_id,
        };
        self.by_id.insert(id.to_string(), t.clone());
        self.by_key.insert(req.key().to_string(), (req.clone(), t));
    }
}

fn run(conn: &mut DbConnection, req: &Req) -> Result<Recorded, LedgerError> {
    storage::write_transaction(conn, |c| match req {
        Req::Transfer { key, debit, credit, amount, pending, memo, reference } => ledger::transfer(
            c,
            &TransferRequest {
                key,
                debit,
                credit,
                amount_vnd: *amount,
                pending: *pending,
                memo,
                reference: reference.as_deref(),
            },
        ),
        Req::Post { key, pending_id, amount, memo } => {
            ledger::post_pending(c, key, pending_id, *amount, memo)
        }
        Req::Void { key, pending_id, memo } => ledger::void_pending(c, key, pending_id, memo),
    })
}

fn run_case(conn: &mut DbConnection, case: &str, ops: &[Op]) -> Result<(), TestCaseError> {
    let code = |i: u8| format!("{case}:acct:{i}");
    let mut model = Model::default();
    // keyed requests made so far, and the transfers recorded, in order
    let mut history: Vec<Req> = vec![];
    let mut recorded: Vec<String> = vec![];
    let mut holds: Vec<String> = vec![];
    let pick = |recorded: &[String], holds: &[String], target: usize| -> String {
        let i = target / 6;
        let id = match target % 6 {
            // one slot past the end stands for a transfer that does not exist
            0 => recorded.get(i % (recorded.len() + 1)),
            _ => holds.get(i % holds.len().max(1)),
        };
        id.cloned().unwrap_or_else(|| format!("{case}:no-such-transfer"))
    };
    for account in 0..ACCOUNTS {
        let (normal, non_negative) = usual_shape(account);
        let c = code(account);
        storage::write_transaction(conn, |conn| {
            ledger::open_account(conn, &AccountSpec { code: &c, normal, non_negative })
        })
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(model.open(&c, normal, non_negative), Ok(()));
    }
    for (step, op) in ops.iter().enumerate() {
        let key = format!("{case}:k{step}");
        let req = match op {
            Op::Open { account, odd } => {
                let (normal, limited) = usual_shape(*account);
                let non_negative = limited != *odd;
                let c = code(*account);
                let got = storage::write_transaction(conn, |conn| {
                    ledger::open_account(conn, &AccountSpec { code: &c, normal, non_negative })
                })
                .map_err(|e| error_name(&e));
                let want = model.open(&c, normal, non_negative);
                prop_assert_eq!(got, want, "step {}: {:?}", step, op);
                None
            }
            Op::Transfer { debit, credit, amount, pending, memo } => Some(Req::Transfer {
                key,
                debit: code(*debit),
                credit: code(*credit),
                amount: *amount,
                pending: *pending,
                memo: MEMOS[*memo as usize].to_string(),
                reference: (*memo > 0).then(|| format!("order:{case}")),
            }),
            Op::Post { target, amount } => Some(Req::Post {
                key,
                pending_id: pick(&recorded, &holds, *target),
                amount: *amount,
                memo: String::new(),
            }),
            Op::Void { target } => {
                Some(Req::Void { key, pending_id: pick(&recorded, &holds, *target), memo: String::new() })
            }
            Op::Replay { earlier, same } => match history.get(earlier % history.len().max(1)) {
                Some(first) if *same => Some(first.clone()),
                Some(first) => Some(first.changed(earlier & 1 == 0)),
                None => None,
            },
        };
        if let Some(req) = req {
            let want = model.expect(&req);
            let got = run(conn, &req);
            prop_assert_eq!(
                got.as_ref().map(|r| Outcome::of(r, r.replayed)).map_err(error_name),
                want.as_ref().map(|a| a.outcome.clone()).map_err(Clone::clone),
                "step {}: {:?}",
                step,
                &req
            );
            if let (Ok(accepted), Ok(r)) = (want, got) {
                if !r.replayed {
                    prop_assert!(!model.by_id.contains_key(&r.transfer.id));
                    recorded.push(r.transfer.id.clone());
                    if r.transfer.kind == TransferKind::Pending {
                        holds.push(r.transfer.id.clone());
                    }
                }
                model.keep(&req, accepted, &r.transfer.id);
            }
            history.push(req);
        }

        // every balance, after every step
        let mut stored =
            storage::write_transaction(conn, |c| ledger::accounts_with_prefix(c, &format!("{case}:")))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
        stored.sort_by(|a, b| a.code.cmp(&b.code));
        let modelled: Vec<Account> = model.accounts.values().cloned().collect();
        prop_assert_eq!(&stored, &modelled, "balances after step {}: {:?}", step, op);
        for a in &stored {
            prop_assert!(a.within_limits(), "{:?}", a);
        }
        let tb = storage::write_transaction(conn, ledger::trial_balance)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(tb.is_balanced(), "{:?}", tb);
    }
    Ok(())
}

#[test]
fn the_store_behaves_like_the_model() {
    let db = TestDatabase::new().unwrap();
    let mut conn = DbConnection::open(&db.database_url().unwrap()).unwrap();
    conn.run_pending_migrations().unwrap();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let case = std::cell::Cell::new(0_u32);
    let conn = std::cell::RefCell::new(conn);
    runner
        .run(&prop::collection::vec(op(), 1..=40), |ops| {
            case.set(case.get() + 1);
            run_case(&mut conn.borrow_mut(), &format!("c{}", case.get()), &ops)
        })
        .unwrap();
}
