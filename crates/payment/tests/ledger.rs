//! The escrow ledger against a real database (SQLite or PostgreSQL, as
//! `NONGSAN_TEST_BACKEND` says), one fresh database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Barrier};

use diesel::connection::SimpleConnection;
use payment::ledger::{
    self, Account, AccountSpec, LedgerError, Recorded, Side, TransferKind, TransferRequest,
};
use storage::testing::TestDatabase;
use storage::DbConnection;

const BANK: &str = "bank:collection";
const ESCROW: &str = "escrow:order:1";
const PAYABLE: &str = "payable:seller:1";
const FEES: &str = "revenue:fees";

fn fresh() -> (TestDatabase, DbConnection) {
    let db = TestDatabase::new().unwrap();
    let mut conn = DbConnection::open(&db.database_url().unwrap()).unwrap();
    conn.run_pending_migrations().unwrap();
    (db, conn)
}

/// Runs `f` in its own write transaction, as the payment flows do.
fn tx<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    storage::write_transaction(conn, f)
}

fn open(conn: &mut DbConnection, code: &str, normal: Side, non_negative: bool) {
    tx(conn, |c| ledger::open_account(c, &AccountSpec { code, normal, non_negative })).unwrap();
}

/// The accounts of one order's escrow flow.
fn escrow_accounts(conn: &mut DbConnection) {
    open(conn, BANK, Side::Debit, false);
    open(conn, ESCROW, Side::Credit, true);
    open(conn, PAYABLE, Side::Credit, true);
    open(conn, FEES, Side::Credit, false);
}

fn req<'a>(key: &'a str, debit: &'a str, credit: &'a str, amount_vnd: i64) -> TransferRequest<'a> {
    TransferRequest { key, debit, credit, amount_vnd, pending: false, memo: "", reference: Some("order:1") }
}

fn send(conn: &mut DbConnection, r: &TransferRequest) -> Result<Recorded, LedgerError> {
    tx(conn, |c| ledger::transfer(c, r))
}

fn acct(conn: &mut DbConnection, code: &str) -> Account {
    tx(conn, |c| ledger::account(c, code)).unwrap().unwrap()
}

fn balances(conn: &mut DbConnection) -> Vec<Account> {
    let tb = tx(conn, ledger::trial_balance).unwrap();
    assert!(tb.is_balanced(), "{tb:?}");
    tb.accounts
}

#[test]
fn a_posted_transfer_moves_money_between_two_accounts() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    let paid = send(
        &mut conn,
        &TransferRequest { memo: "Thanh toán đơn NS1", ..req("o1:paid", BANK, ESCROW, 150_000) },
    )
    .unwrap();
    assert!(!paid.replayed);
    assert_eq!(paid.transfer.kind, TransferKind::Posted);
    assert_eq!(paid.transfer.memo, "Thanh toán đơn NS1");
    assert_eq!(acct(&mut conn, BANK).balance(), 150_000);
    assert_eq!(acct(&mut conn, ESCROW).balance(), 150_000);

    // delivery: escrow to the seller's payable less the fee
    send(&mut conn, &req("o1:delivered:seller", ESCROW, PAYABLE, 142_500)).unwrap();
    send(&mut conn, &req("o1:delivered:fee", ESCROW, FEES, 7_500)).unwrap();
    let escrow = acct(&mut conn, ESCROW);
    assert_eq!((escrow.balance(), escrow.debits_posted, escrow.credits_posted), (0, 150_000, 150_000));
    assert_eq!(acct(&mut conn, PAYABLE).balance(), 142_500);
    assert_eq!(acct(&mut conn, FEES).balance(), 7_500);

    let tb = tx(&mut conn, ledger::trial_balance).unwrap();
    assert!(tb.is_balanced());
    assert_eq!((tb.debits_posted, tb.credits_posted), (300_000, 300_000));

    let found = tx(&mut conn, |c| ledger::find_by_key(c, "o1:paid")).unwrap().unwrap();
    assert_eq!(found, paid.transfer);
    assert!(tx(&mut conn, |c| ledger::find_by_key(c, "nope")).unwrap().is_none());

    let lines = tx(&mut conn, |c| ledger::statement(c, ESCROW, 50)).unwrap();
    let got: Vec<(i64, i64, &str)> =
        lines.iter().map(|l| (l.amount_vnd, l.balance_vnd, l.counterparty.as_str())).collect();
    assert_eq!(got, vec![(150_000, 150_000, BANK), (-142_500, 7_500, PAYABLE), (-7_500, 0, FEES)]);
    assert_eq!(lines[0].memo, "Thanh toán đơn NS1");
    assert_eq!(lines[0].reference.as_deref(), Some("order:1"));
    // the latest lines, still oldest first, running to the balance now
    let last = tx(&mut conn, |c| ledger::statement(c, ESCROW, 2)).unwrap();
    assert_eq!(last.iter().map(|l| l.balance_vnd).collect::<Vec<_>>(), vec![7_500, 0]);
    let bank = tx(&mut conn, |c| ledger::statement(c, BANK, 10)).unwrap();
    assert_eq!((bank.len(), bank[0].amount_vnd, bank[0].balance_vnd), (1, 150_000, 150_000));
    assert!(matches!(
        tx(&mut conn, |c| ledger::statement(c, "nope", 10)),
        Err(LedgerError::NoSuchAccount(_))
    ));
}

#[test]
fn requests_are_checked() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    let err = |conn: &mut DbConnection, r: TransferRequest| send(conn, &r).unwrap_err();
    assert!(matches!(err(&mut conn, req("k", BANK, ESCROW, 0)), LedgerError::InvalidAmount));
    assert!(matches!(
        err(&mut conn, req("k", BANK, ESCROW, 1_000_000_000_000_001)),
        LedgerError::InvalidAmount
    ));
    assert!(matches!(err(&mut conn, req("k", BANK, BANK, 1)), LedgerError::SameAccount));
    assert!(matches!(err(&mut conn, req("", BANK, ESCROW, 1)), LedgerError::InvalidKey));
    match err(&mut conn, req("k", BANK, "escrow:order:2", 1)) {
        LedgerError::NoSuchAccount(code) => assert_eq!(code, "escrow:order:2"),
        other => panic!("{other:?}"),
    }
    // nothing was written by any of them
    assert!(tx(&mut conn, |c| ledger::find_by_key(c, "k")).unwrap().is_none());
    send(&mut conn, &req("k", BANK, ESCROW, 1_000_000_000_000_000)).unwrap();
}

#[test]
fn opening_an_account_twice_is_harmless_but_not_with_another_shape() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    open(&mut conn, ESCROW, Side::Credit, true);
    for (normal, non_negative) in [(Side::Debit, true), (Side::Credit, false)] {
        let r =
            tx(&mut conn, |c| ledger::open_account(c, &AccountSpec { code: ESCROW, normal, non_negative }));
        assert!(matches!(r, Err(LedgerError::AccountMismatch(code)) if code == ESCROW));
    }
    let r = tx(&mut conn, |c| {
        ledger::open_account(c, &AccountSpec { code: "", normal: Side::Debit, non_negative: false })
    });
    assert!(matches!(r, Err(LedgerError::InvalidAccountCode(_))));
    let a = acct(&mut conn, ESCROW);
    assert_eq!((a.normal, a.non_negative, a.balance(), a.available()), (Side::Credit, true, 0, 0));
    assert!(tx(&mut conn, |c| ledger::account(c, "nope")).unwrap().is_none());
}

#[test]
fn accounts_by_prefix_are_exact() {
    let (_db, mut conn) = fresh();
    for code in [
        "payable:seller:1",
        "payable:seller:2",
        "payable:sellers",
        "PAYABLE:seller:3",
        "payable_seller:4",
        "payable:seller%",
    ] {
        open(&mut conn, code, Side::Credit, true);
    }
    let codes = |conn: &mut DbConnection, prefix: &str| -> Vec<String> {
        tx(conn, |c| ledger::accounts_with_prefix(c, prefix)).unwrap().into_iter().map(|a| a.code).collect()
    };
    assert_eq!(codes(&mut conn, "payable:seller:"), vec!["payable:seller:1", "payable:seller:2"]);
    assert_eq!(codes(&mut conn, "payable:seller%"), vec!["payable:seller%"]);
    assert_eq!(codes(&mut conn, "payable_"), vec!["payable_seller:4"]);
    assert_eq!(codes(&mut conn, "").len(), 6);
}

#[test]
fn a_hold_is_posted_or_voided() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    send(&mut conn, &req("paid", BANK, ESCROW, 100_000)).unwrap();

    let hold =
        send(&mut conn, &TransferRequest { pending: true, ..req("hold", ESCROW, PAYABLE, 60_000) }).unwrap();
    assert_eq!(hold.transfer.kind, TransferKind::Pending);
    let escrow = acct(&mut conn, ESCROW);
    assert_eq!((escrow.balance(), escrow.available(), escrow.debits_pending), (100_000, 40_000, 60_000));
    let payable = acct(&mut conn, PAYABLE);
    assert_eq!((payable.balance(), payable.available(), payable.credits_pending), (0, 0, 60_000));
    let holds = tx(&mut conn, |c| ledger::pending_holds(c, ESCROW)).unwrap();
    assert_eq!(holds, vec![hold.transfer.clone()]);
    assert_eq!(tx(&mut conn, |c| ledger::pending_holds(c, PAYABLE)).unwrap().len(), 1);
    assert!(tx(&mut conn, |c| ledger::pending_holds(c, BANK)).unwrap().is_empty());
    // holds are not on a statement
    assert_eq!(tx(&mut conn, |c| ledger::statement(c, ESCROW, 10)).unwrap().len(), 1);

    let posted =
        tx(&mut conn, |c| ledger::post_pending(c, "post", &hold.transfer.id, None, "giao hàng")).unwrap();
    assert_eq!(posted.transfer.kind, TransferKind::PostPending);
    assert_eq!(posted.transfer.amount_vnd, 60_000);
    assert_eq!(posted.transfer.pending_id.as_deref(), Some(hold.transfer.id.as_str()));
    assert_eq!((posted.transfer.debit.as_str(), posted.transfer.credit.as_str()), (ESCROW, PAYABLE));
    assert_eq!(posted.transfer.reference.as_deref(), Some("order:1"));
    let escrow = acct(&mut conn, ESCROW);
    assert_eq!((escrow.balance(), escrow.available(), escrow.debits_pending), (40_000, 40_000, 0));
    let payable = acct(&mut conn, PAYABLE);
    assert_eq!((payable.balance(), payable.credits_pending), (60_000, 0));
    assert!(tx(&mut conn, |c| ledger::pending_holds(c, ESCROW)).unwrap().is_empty());
    let lines = tx(&mut conn, |c| ledger::statement(c, PAYABLE, 10)).unwrap();
    assert_eq!((lines.len(), lines[0].amount_vnd, lines[0].balance_vnd), (1, 60_000, 60_000));

    let hold2 =
        send(&mut conn, &TransferRequest { pending: true, ..req("hold2", ESCROW, PAYABLE, 40_000) }).unwrap();
    assert_eq!(acct(&mut conn, ESCROW).available(), 0);
    let voided = tx(&mut conn, |c| ledger::void_pending(c, "void2", &hold2.transfer.id, "huỷ")).unwrap();
    assert_eq!((voided.transfer.kind, voided.transfer.amount_vnd), (TransferKind::VoidPending, 40_000));
    let escrow = acct(&mut conn, ESCROW);
    assert_eq!((escrow.balance(), escrow.available(), escrow.debits_pending), (40_000, 40_000, 0));
    assert_eq!(acct(&mut conn, PAYABLE).credits_pending, 0);
    balances(&mut conn);
}

#[test]
fn a_partial_post_releases_the_rest() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    send(&mut conn, &req("paid", BANK, ESCROW, 100_000)).unwrap();
    let hold =
        send(&mut conn, &TransferRequest { pending: true, ..req("hold", ESCROW, PAYABLE, 80_000) }).unwrap();
    let id = hold.transfer.id.clone();
    match tx(&mut conn, |c| ledger::post_pending(c, "post", &id, Some(80_001), "")) {
        Err(LedgerError::ExceedsHold { held, asked }) => assert_eq!((held, asked), (80_000, 80_001)),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        tx(&mut conn, |c| ledger::post_pending(c, "post", &id, Some(0), "")),
        Err(LedgerError::InvalidAmount)
    ));
    let posted = tx(&mut conn, |c| ledger::post_pending(c, "post", &id, Some(30_000), "")).unwrap();
    assert_eq!(posted.transfer.amount_vnd, 30_000);
    let escrow = acct(&mut conn, ESCROW);
    assert_eq!((escrow.balance(), escrow.available(), escrow.debits_pending), (70_000, 70_000, 0));
    let payable = acct(&mut conn, PAYABLE);
    assert_eq!((payable.balance(), payable.credits_pending), (30_000, 0));
    balances(&mut conn);
}

#[test]
fn a_hold_resolves_exactly_once() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    let paid = send(&mut conn, &req("paid", BANK, ESCROW, 100_000)).unwrap();
    let hold =
        send(&mut conn, &TransferRequest { pending: true, ..req("hold", ESCROW, PAYABLE, 50_000) }).unwrap();
    let id = hold.transfer.id.clone();
    let first = tx(&mut conn, |c| ledger::post_pending(c, "post", &id, None, "")).unwrap();
    let before = balances(&mut conn);

    // the same request again is a replay
    let again = tx(&mut conn, |c| ledger::post_pending(c, "post", &id, None, "")).unwrap();
    assert!(again.replayed);
    assert_eq!(again.transfer, first.transfer);
    // a new key cannot resolve it again, either way
    for r in [
        tx(&mut conn, |c| ledger::post_pending(c, "post-again", &id, None, "")),
        tx(&mut conn, |c| ledger::void_pending(c, "void", &id, "")),
    ] {
        assert!(matches!(r, Err(LedgerError::AlreadyResolved(p)) if p == id));
    }
    // the first key with another request is a conflict
    let r = tx(&mut conn, |c| ledger::post_pending(c, "post", &id, Some(1), ""));
    assert!(matches!(r, Err(LedgerError::KeyConflict { key }) if key == "post"));
    // only holds can be resolved
    for not_a_hold in [paid.transfer.id.as_str(), first.transfer.id.as_str(), "no-such-transfer"] {
        let r = tx(&mut conn, |c| ledger::void_pending(c, "v", not_a_hold, ""));
        assert!(matches!(r, Err(LedgerError::PendingNotFound(p)) if p == not_a_hold));
    }
    assert_eq!(balances(&mut conn), before);
}

#[test]
fn a_replay_returns_the_first_transfer_and_changes_nothing() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    let r = TransferRequest { memo: "Thanh toán", ..req("o1:paid", BANK, ESCROW, 150_000) };
    let first = send(&mut conn, &r).unwrap();
    let before = balances(&mut conn);
    for _ in 0..3 {
        let again = send(&mut conn, &r).unwrap();
        assert!(again.replayed);
        assert_eq!(again.transfer, first.transfer);
    }
    assert_eq!(balances(&mut conn), before);
    // a replay is answered even when the request could not be made now
    send(&mut conn, &req("drain", ESCROW, PAYABLE, 150_000)).unwrap();
    let hold = send(&mut conn, &TransferRequest { pending: true, ..req("h", BANK, FEES, 5) }).unwrap();
    tx(&mut conn, |c| ledger::void_pending(c, "v", &hold.transfer.id, "")).unwrap();
    assert!(send(&mut conn, &req("drain", ESCROW, PAYABLE, 150_000)).unwrap().replayed);
    assert!(tx(&mut conn, |c| ledger::void_pending(c, "v", &hold.transfer.id, "")).unwrap().replayed);
}

#[test]
fn a_key_used_for_another_request_is_refused() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    let r = req("o1:paid", BANK, ESCROW, 150_000);
    send(&mut conn, &r).unwrap();
    let before = balances(&mut conn);
    for other in [
        TransferRequest { amount_vnd: 150_001, ..r },
        TransferRequest { credit: PAYABLE, ..r },
        TransferRequest { memo: "khác", ..r },
        TransferRequest { reference: None, ..r },
        TransferRequest { pending: true, ..r },
    ] {
        assert!(matches!(send(&mut conn, &other), Err(LedgerError::KeyConflict { key }) if key == "o1:paid"));
    }
    // nor may a resolution reuse a transfer's key
    let hold = send(&mut conn, &TransferRequest { pending: true, ..req("hold", BANK, FEES, 5) }).unwrap();
    let r = tx(&mut conn, |c| ledger::void_pending(c, "o1:paid", &hold.transfer.id, ""));
    assert!(matches!(r, Err(LedgerError::KeyConflict { .. })));
    let after = balances(&mut conn);
    assert_eq!(after.iter().find(|a| a.code == ESCROW), before.iter().find(|a| a.code == ESCROW));
}

#[test]
fn insufficient_funds_are_refused_and_nothing_changes() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    send(&mut conn, &req("paid", BANK, ESCROW, 100)).unwrap();
    let before = balances(&mut conn);
    match send(&mut conn, &req("too-much", ESCROW, PAYABLE, 101)) {
        Err(LedgerError::InsufficientFunds { account, available }) => {
            assert_eq!((account.as_str(), available), (ESCROW, 100))
        }
        other => panic!("{other:?}"),
    }
    assert!(tx(&mut conn, |c| ledger::find_by_key(c, "too-much")).unwrap().is_none());
    assert_eq!(balances(&mut conn), before);

    // a hold counts against what is available
    send(&mut conn, &TransferRequest { pending: true, ..req("hold", ESCROW, PAYABLE, 60) }).unwrap();
    match send(&mut conn, &req("more", ESCROW, FEES, 41)) {
        Err(LedgerError::InsufficientFunds { available, .. }) => assert_eq!(available, 40),
        other => panic!("{other:?}"),
    }
    let r = send(&mut conn, &TransferRequest { pending: true, ..req("hold2", ESCROW, FEES, 41) });
    assert!(matches!(r, Err(LedgerError::InsufficientFunds { .. })));
    send(&mut conn, &req("more", ESCROW, FEES, 40)).unwrap();
    assert_eq!(acct(&mut conn, ESCROW).available(), 0);

    // a debit-normal limited account cannot be credited below zero
    open(&mut conn, "cash:courier:1", Side::Debit, true);
    let r = send(&mut conn, &req("cod", FEES, "cash:courier:1", 1));
    assert!(
        matches!(r, Err(LedgerError::InsufficientFunds { account, available: 0 }) if account == "cash:courier:1")
    );
    // the key of a refused request is free for a new try
    send(&mut conn, &req("topup", BANK, ESCROW, 1)).unwrap();
    assert!(!send(&mut conn, &req("too-much", ESCROW, PAYABLE, 1)).unwrap().replayed);
    balances(&mut conn);
}

#[test]
fn a_reversal_corrects_a_mistake() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    let wrong = send(&mut conn, &req("paid", BANK, PAYABLE, 100)).unwrap();
    let memo = format!("reverses {}", wrong.transfer.id);
    send(&mut conn, &TransferRequest { memo: &memo, ..req("paid:reversal", PAYABLE, BANK, 100) }).unwrap();
    send(&mut conn, &req("paid:corrected", BANK, ESCROW, 100)).unwrap();
    assert_eq!(acct(&mut conn, PAYABLE).balance(), 0);
    assert_eq!(acct(&mut conn, ESCROW).balance(), 100);
    assert_eq!(tx(&mut conn, |c| ledger::statement(c, PAYABLE, 10)).unwrap().len(), 2);
}

#[test]
fn transfers_are_append_only() {
    let (_db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    send(&mut conn, &req("paid", BANK, ESCROW, 100)).unwrap();
    assert!(conn.batch_execute("UPDATE ledger_transfers SET amount_vnd = 1").is_err());
    assert!(conn.batch_execute("UPDATE ledger_transfers SET memo = 'x'").is_err());
    assert!(conn.batch_execute("DELETE FROM ledger_transfers").is_err());
    if matches!(conn, DbConnection::Postgres(_)) {
        assert!(conn.batch_execute("TRUNCATE ledger_transfers CASCADE").is_err());
    }
    let t = tx(&mut conn, |c| ledger::find_by_key(c, "paid")).unwrap().unwrap();
    assert_eq!((t.amount_vnd, t.memo.as_str()), (100, ""));
    // and the schema's CHECK backs up the non-negative rule
    assert!(conn
        .batch_execute("UPDATE ledger_accounts SET debits_posted = 101 WHERE code = 'escrow:order:1'")
        .is_err());
    assert!(conn
        .batch_execute("UPDATE ledger_accounts SET debits_pending = 101 WHERE code = 'escrow:order:1'")
        .is_err());
    assert_eq!(acct(&mut conn, ESCROW).balance(), 100);
}

/// Threads with their own connections race to spend one limited account,
/// in both directions between two limited accounts (deadlock bait), on
/// one idempotency key, and to resolve one hold.
#[test]
fn concurrent_transfers_never_overdraw_and_a_key_yields_one_transfer() {
    const THREADS: usize = 8;
    const TRIES: usize = 6;
    const FUNDS: i64 = 10_000;
    const EACH: i64 = 700;
    let (db, mut conn) = fresh();
    escrow_accounts(&mut conn);
    open(&mut conn, "escrow:order:2", Side::Credit, true);
    send(&mut conn, &req("fund", BANK, ESCROW, FUNDS)).unwrap();
    send(&mut conn, &req("fund2", BANK, "escrow:order:2", FUNDS)).unwrap();
    let hold = send(&mut conn, &TransferRequest { pending: true, ..req("hold", BANK, FEES, 9) }).unwrap();
    let url = db.database_url().unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|i| {
            let (url, barrier, hold_id) = (url.clone(), barrier.clone(), hold.transfer.id.clone());
            std::thread::spawn(move || {
                let mut conn = DbConnection::open(&url).unwrap();
                barrier.wait();
                let mut spent = 0;
                for j in 0..TRIES {
                    let key = format!("spend:{i}:{j}");
                    match send(&mut conn, &req(&key, ESCROW, PAYABLE, EACH)) {
                        Ok(r) => {
                            assert!(!r.replayed);
                            spent += EACH;
                        }
                        Err(LedgerError::InsufficientFunds { .. }) => {}
                        Err(e) => panic!("{e}"),
                    }
                    // between the two escrows, both ways: no deadlock
                    let key = format!("swap:{i}:{j}");
                    let (from, to) = if (i + j) & 1 == 0 {
                        (ESCROW, "escrow:order:2")
                    } else {
                        ("escrow:order:2", ESCROW)
                    };
                    match send(&mut conn, &req(&key, from, to, 1)) {
                        Ok(_) | Err(LedgerError::InsufficientFunds { .. }) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
                barrier.wait();
                let same = send(&mut conn, &req("same-key", BANK, FEES, 123)).unwrap();
                barrier.wait();
                let resolved =
                    tx(&mut conn, |c| ledger::post_pending(c, &format!("post:{i}"), &hold_id, None, ""));
                let resolved = match resolved {
                    Ok(r) => Some(r.transfer.id),
                    Err(LedgerError::AlreadyResolved(_)) => None,
                    Err(e) => panic!("{e}"),
                };
                (spent, same, resolved)
            })
        })
        .collect();
    let results: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();

    let spent: i64 = results.iter().map(|r| r.0).sum();
    let escrow = acct(&mut conn, ESCROW);
    let escrow2 = acct(&mut conn, "escrow:order:2");
    assert!(escrow.balance() >= 0 && escrow2.balance() >= 0, "{escrow:?} {escrow2:?}");
    assert_eq!(acct(&mut conn, PAYABLE).balance(), spent, "the total equals exactly what succeeded");
    assert_eq!(escrow.balance() + escrow2.balance() + spent, 2 * FUNDS);
    // at most the funds and what the swaps brought in
    assert!(spent <= FUNDS + (THREADS * TRIES) as i64, "{spent}");
    assert!(spent > 0);

    let firsts: Vec<&Recorded> = results.iter().map(|r| &r.1).filter(|r| !r.replayed).collect();
    assert_eq!(firsts.len(), 1, "one transfer for one key");
    assert!(results.iter().all(|r| r.1.transfer == firsts[0].transfer));
    assert_eq!(acct(&mut conn, FEES).balance(), 123 + 9);
    let resolved: Vec<&String> = results.iter().filter_map(|r| r.2.as_ref()).collect();
    assert_eq!(resolved.len(), 1, "a hold resolves once");
    balances(&mut conn);
}
