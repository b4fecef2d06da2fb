//! The ledger's rules, from plain data: balances and the non-negative
//! rule, what a transfer does to its accounts, validation, request
//! fingerprints, trial balances and statements.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{
    Account, Change, LedgerError, Request, Side, StatementLine, Transfer, TransferKind, TransferRequest,
    TrialBalance, MAX_AMOUNT_VND, MAX_KEY_LEN, MAX_MEMO_CHARS, MAX_REFERENCE_CHARS,
};

impl Account {
    /// The posted balance, positive on the account's normal side.
    pub fn balance(&self) -> i64 {
        match self.normal {
            Side::Debit => self.debits_posted - self.credits_posted,
            Side::Credit => self.credits_posted - self.debits_posted,
        }
    }

    /// The balance less what pending holds would take from it if they were
    /// posted (holds that would add to it do not count until posted).
    pub fn available(&self) -> i64 {
        match self.normal {
            Side::Debit => self.debits_posted - self.credits_posted - self.credits_pending,
            Side::Credit => self.credits_posted - self.debits_posted - self.debits_pending,
        }
    }

    /// The non-negative rule: a limited account never has less than nothing
    /// available. [`store`](super::store) enforces the same rule in its conditional
    /// updates, and the schema's CHECK constraint once more.
    pub fn within_limits(&self) -> bool {
        !self.non_negative || self.available() >= 0
    }

    /// The account after `change` on `side` (`None` when a total would
    /// overflow).
    pub fn after(&self, side: Side, change: Change) -> Option<Account> {
        let mut next = self.clone();
        let (posted, pending) = match side {
            Side::Debit => (&mut next.debits_posted, &mut next.debits_pending),
            Side::Credit => (&mut next.credits_posted, &mut next.credits_pending),
        };
        *posted = posted.checked_add(change.posted)?;
        *pending = pending.checked_add(change.pending)?;
        Some(next)
    }
}

impl Change {
    /// `amount_vnd` is what the transfer records; `held` is the amount of
    /// the hold it resolves (post_pending and void_pending only).
    pub fn of(kind: TransferKind, amount_vnd: i64, held: i64) -> Change {
        match kind {
            TransferKind::Posted => Change { posted: amount_vnd, pending: 0 },
            TransferKind::Pending => Change { posted: 0, pending: amount_vnd },
            TransferKind::PostPending => Change { posted: amount_vnd, pending: -held },
            TransferKind::VoidPending => Change { posted: 0, pending: -held },
        }
    }
}

impl TransferRequest<'_> {
    /// Everything that can be checked without the database.
    pub fn validate(&self) -> Result<(), LedgerError> {
        check_key(self.key)?;
        check_amount(self.amount_vnd)?;
        check_account_code(self.debit)?;
        check_account_code(self.credit)?;
        if self.debit == self.credit {
            return Err(LedgerError::SameAccount);
        }
        check_memo(self.memo)?;
        if let Some(reference) = self.reference {
            check_reference(reference)?;
        }
        Ok(())
    }

    pub fn kind(&self) -> TransferKind {
        if self.pending {
            TransferKind::Pending
        } else {
            TransferKind::Posted
        }
    }
}

/// The canonical form of a request: the operation and every field, in a
/// fixed order, absent fields as `null`.
#[derive(Serialize)]
struct Canonical<'a> {
    version: u8,
    operation: &'static str,
    key: &'a str,
    debit: Option<&'a str>,
    credit: Option<&'a str>,
    amount_vnd: Option<i64>,
    pending: Option<bool>,
    pending_id: Option<&'a str>,
    memo: &'a str,
    reference: Option<&'a str>,
}

impl Request<'_> {
    /// sha256 (hex) of the canonical JSON of the request. Two requests with
    /// the same key are the same request when their fingerprints are equal.
    pub fn fingerprint(&self) -> String {
        let canonical = match *self {
            Request::Transfer(r) => Canonical {
                version: 1,
                operation: "transfer",
                key: r.key,
                debit: Some(r.debit),
                credit: Some(r.credit),
                amount_vnd: Some(r.amount_vnd),
                pending: Some(r.pending),
                pending_id: None,
                memo: r.memo,
                reference: r.reference,
            },
            Request::PostPending { key, pending_id, amount_vnd, memo } => Canonical {
                version: 1,
                operation: "post_pending",
                key,
                debit: None,
                credit: None,
                amount_vnd,
                pending: None,
                pending_id: Some(pending_id),
                memo,
                reference: None,
            },
            Request::VoidPending { key, pending_id, memo } => Canonical {
                version: 1,
                operation: "void_pending",
                key,
                debit: None,
                credit: None,
                amount_vnd: None,
                pending: None,
                pending_id: Some(pending_id),
                memo,
                reference: None,
            },
        };
        // A struct of strings, numbers, booleans and nulls always
        // serialises; the fallback only keeps the function total.
        let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }
}

impl TrialBalance {
    pub fn of(accounts: Vec<Account>) -> TrialBalance {
        let sum = |f: fn(&Account) -> i64| accounts.iter().map(f).fold(0_i64, i64::saturating_add);
        TrialBalance {
            debits_posted: sum(|a| a.debits_posted),
            credits_posted: sum(|a| a.credits_posted),
            debits_pending: sum(|a| a.debits_pending),
            credits_pending: sum(|a| a.credits_pending),
            accounts,
        }
    }

    /// Every transfer debits one account and credits another by the same
    /// amount, so posted debits equal posted credits and held debits equal
    /// held credits.
    pub fn is_balanced(&self) -> bool {
        self.debits_posted == self.credits_posted && self.debits_pending == self.credits_pending
    }
}

/// The posted effects of `transfers` (oldest first) on `account`, with the
/// running balance, ending at `closing_balance`. Pending holds and voids
/// are left out: they never change a posted balance.
pub fn statement_lines(
    account: &Account,
    transfers: &[Transfer],
    closing_balance: i64,
) -> Vec<StatementLine> {
    let posted: Vec<(&Transfer, i64, &str)> = transfers
        .iter()
        .filter(|t| matches!(t.kind, TransferKind::Posted | TransferKind::PostPending))
        .filter_map(|t| {
            if t.debit == account.code {
                Some((t, t.amount_vnd * Side::Debit.sign_for(account.normal), t.credit.as_str()))
            } else if t.credit == account.code {
                Some((t, t.amount_vnd * Side::Credit.sign_for(account.normal), t.debit.as_str()))
            } else {
                None
            }
        })
        .collect();
    let mut balance = closing_balance - posted.iter().map(|(_, amount, _)| amount).sum::<i64>();
    posted
        .into_iter()
        .map(|(t, amount, counterparty)| {
            balance += amount;
            StatementLine {
                transfer_id: t.id.clone(),
                key: t.key.clone(),
                at: t.created_at,
                memo: t.memo.clone(),
                reference: t.reference.clone(),
                amount_vnd: amount,
                balance_vnd: balance,
                counterparty: counterparty.to_string(),
            }
        })
        .collect()
}

fn printable_ascii(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

pub fn check_key(key: &str) -> Result<(), LedgerError> {
    if printable_ascii(key, MAX_KEY_LEN) {
        Ok(())
    } else {
        Err(LedgerError::InvalidKey)
    }
}

pub fn check_account_code(code: &str) -> Result<(), LedgerError> {
    if printable_ascii(code, MAX_KEY_LEN) {
        Ok(())
    } else {
        Err(LedgerError::InvalidAccountCode(code.chars().take(MAX_KEY_LEN).collect()))
    }
}

pub fn check_amount(amount_vnd: i64) -> Result<(), LedgerError> {
    if (1..=MAX_AMOUNT_VND).contains(&amount_vnd) {
        Ok(())
    } else {
        Err(LedgerError::InvalidAmount)
    }
}

pub fn check_memo(memo: &str) -> Result<(), LedgerError> {
    if memo.chars().count() <= MAX_MEMO_CHARS && !memo.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(LedgerError::InvalidMemo)
    }
}

pub fn check_reference(reference: &str) -> Result<(), LedgerError> {
    let n = reference.chars().count();
    if (1..=MAX_REFERENCE_CHARS).contains(&n) && !reference.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(LedgerError::InvalidReference)
    }
}

/// The part of a hold of `held` đồng that a post_pending asking for
/// `asked` posts (`None`: all of it).
pub fn amount_to_post(held: i64, asked: Option<i64>) -> Result<i64, LedgerError> {
    match asked {
        None => Ok(held),
        Some(a) if a <= 0 => Err(LedgerError::InvalidAmount),
        Some(a) if a > held => Err(LedgerError::ExceedsHold { held, asked: a }),
        Some(a) => Ok(a),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn account(normal: Side, non_negative: bool, dp: i64, cp: i64, dq: i64, cq: i64) -> Account {
        Account {
            code: "a".into(),
            normal,
            non_negative,
            debits_posted: dp,
            credits_posted: cp,
            debits_pending: dq,
            credits_pending: cq,
        }
    }

    fn request() -> TransferRequest<'static> {
        TransferRequest {
            key: "order:1:paid",
            debit: "bank:collection",
            credit: "escrow:order:1",
            amount_vnd: 150_000,
            pending: false,
            memo: "Thanh toán đơn NS1",
            reference: Some("order:1"),
        }
    }

    #[test]
    fn balance_is_posted_on_the_normal_side() {
        assert_eq!(account(Side::Credit, true, 30, 100, 0, 0).balance(), 70);
        assert_eq!(account(Side::Debit, false, 30, 100, 0, 0).balance(), -70);
        assert_eq!(account(Side::Debit, false, 100, 30, 5, 7).balance(), 70);
    }

    #[test]
    fn available_counts_only_holds_that_reduce_the_balance() {
        // credit-normal: pending debits reduce it, pending credits do not count yet
        let a = account(Side::Credit, true, 10, 100, 20, 1000);
        assert_eq!(a.available(), 70);
        let d = account(Side::Debit, true, 100, 10, 1000, 20);
        assert_eq!(d.available(), 70);
    }

    #[test]
    fn the_non_negative_rule_applies_to_limited_accounts_only() {
        assert!(account(Side::Credit, true, 0, 100, 100, 0).within_limits());
        assert!(!account(Side::Credit, true, 0, 100, 101, 0).within_limits());
        assert!(!account(Side::Debit, true, 0, 1, 0, 0).within_limits());
        assert!(account(Side::Debit, false, 0, 1, 0, 0).within_limits());
    }

    #[test]
    fn changes_move_pending_to_posted() {
        let a = account(Side::Credit, true, 0, 100, 0, 0);
        let held = a.after(Side::Debit, Change::of(TransferKind::Pending, 60, 0)).unwrap();
        assert_eq!((held.balance(), held.available()), (100, 40));
        let posted = held.after(Side::Debit, Change::of(TransferKind::PostPending, 45, 60)).unwrap();
        assert_eq!((posted.balance(), posted.available(), posted.debits_pending), (55, 55, 0));
        let voided = held.after(Side::Debit, Change::of(TransferKind::VoidPending, 60, 60)).unwrap();
        assert_eq!(voided, a);
        assert!(a.after(Side::Credit, Change { posted: i64::MAX, pending: 0 }).is_none());
    }

    #[test]
    fn validation() {
        assert!(request().validate().is_ok());
        let bad = |f: fn(&mut TransferRequest<'static>)| {
            let mut r = request();
            f(&mut r);
            r.validate().unwrap_err()
        };
        assert!(matches!(bad(|r| r.amount_vnd = 0), LedgerError::InvalidAmount));
        assert!(matches!(bad(|r| r.amount_vnd = -5), LedgerError::InvalidAmount));
        assert!(matches!(bad(|r| r.amount_vnd = MAX_AMOUNT_VND + 1), LedgerError::InvalidAmount));
        assert!(matches!(bad(|r| r.credit = "bank:collection"), LedgerError::SameAccount));
        assert!(matches!(bad(|r| r.key = ""), LedgerError::InvalidKey));
        assert!(matches!(bad(|r| r.key = "khóa"), LedgerError::InvalidKey));
        assert!(matches!(bad(|r| r.key = "a\nb"), LedgerError::InvalidKey));
        assert!(matches!(bad(|r| r.debit = ""), LedgerError::InvalidAccountCode(_)));
        assert!(matches!(bad(|r| r.reference = Some("")), LedgerError::InvalidReference));
        let (k200, k201) = ("k".repeat(200), "k".repeat(201));
        assert!(TransferRequest { key: &k200, ..request() }.validate().is_ok());
        assert!(matches!(
            TransferRequest { key: &k201, ..request() }.validate(),
            Err(LedgerError::InvalidKey)
        ));
        // 500 characters of Vietnamese are more than 500 bytes, and fine
        let (m500, m501) = ("đ".repeat(500), "đ".repeat(501));
        assert!(TransferRequest { memo: &m500, ..request() }.validate().is_ok());
        assert!(matches!(
            TransferRequest { memo: &m501, ..request() }.validate(),
            Err(LedgerError::InvalidMemo)
        ));
        assert!(matches!(
            TransferRequest { memo: "a\u{7}", ..request() }.validate(),
            Err(LedgerError::InvalidMemo)
        ));
        assert!(check_amount(MAX_AMOUNT_VND).is_ok());
    }

    #[test]
    fn the_part_of_a_hold_to_post() {
        assert_eq!(amount_to_post(100, None).unwrap(), 100);
        assert_eq!(amount_to_post(100, Some(100)).unwrap(), 100);
        assert_eq!(amount_to_post(100, Some(1)).unwrap(), 1);
        assert!(matches!(amount_to_post(100, Some(0)), Err(LedgerError::InvalidAmount)));
        assert!(matches!(
            amount_to_post(100, Some(101)),
            Err(LedgerError::ExceedsHold { held: 100, asked: 101 })
        ));
    }

    #[test]
    fn fingerprints_differ_for_different_requests() {
        let base = request();
        let fp = |r: &TransferRequest| Request::Transfer(r).fingerprint();
        assert_eq!(fp(&base), fp(&request()), "deterministic");
        assert_eq!(fp(&base).len(), 64);
        let variants = [
            TransferRequest { key: "order:1:paid2", ..base },
            TransferRequest { debit: "bank:other", ..base },
            TransferRequest { credit: "escrow:order:2", ..base },
            TransferRequest { amount_vnd: 150_001, ..base },
            TransferRequest { pending: true, ..base },
            TransferRequest { memo: "Thanh toan don NS1", ..base },
            TransferRequest { reference: None, ..base },
            TransferRequest { reference: Some("order:2"), ..base },
        ];
        let mut seen = std::collections::HashSet::new();
        seen.insert(fp(&base));
        for v in &variants {
            assert!(seen.insert(fp(v)), "{v:?}");
        }
        // fields cannot run into each other
        let a = TransferRequest { debit: "a:b", credit: "c", ..base };
        let b = TransferRequest { debit: "a", credit: "b:c", ..base };
        assert_ne!(fp(&a), fp(&b));
        let resolutions = [
            Request::PostPending { key: "k", pending_id: "p", amount_vnd: None, memo: "" },
            Request::PostPending { key: "k", pending_id: "p", amount_vnd: Some(5), memo: "" },
            Request::PostPending { key: "k", pending_id: "q", amount_vnd: None, memo: "" },
            Request::VoidPending { key: "k", pending_id: "p", memo: "" },
            Request::VoidPending { key: "k", pending_id: "p", memo: "x" },
        ];
        for r in &resolutions {
            assert!(seen.insert(r.fingerprint()), "{r:?}");
        }
    }

    #[test]
    fn a_statement_runs_to_the_closing_balance() {
        let t = |id: &str, kind, debit: &str, credit: &str, amount| Transfer {
            id: id.into(),
            key: id.into(),
            kind,
            debit: debit.into(),
            credit: credit.into(),
            amount_vnd: amount,
            pending_id: None,
            memo: String::new(),
            reference: None,
            created_at: chrono::NaiveDateTime::default(),
        };
        let escrow = Account { code: "escrow".into(), ..account(Side::Credit, true, 0, 0, 0, 0) };
        let lines = statement_lines(
            &escrow,
            &[
                t("1", TransferKind::Posted, "bank", "escrow", 100),
                t("2", TransferKind::Pending, "escrow", "payable", 70),
                t("3", TransferKind::PostPending, "escrow", "payable", 60),
                t("4", TransferKind::Posted, "bank", "escrow", 5),
            ],
            145,
        );
        let got: Vec<(i64, i64, &str)> =
            lines.iter().map(|l| (l.amount_vnd, l.balance_vnd, l.counterparty.as_str())).collect();
        assert_eq!(got, vec![(100, 200, "bank"), (-60, 140, "payable"), (5, 145, "bank")]);
    }
}
