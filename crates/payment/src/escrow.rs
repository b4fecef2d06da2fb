//! Escrow: what the books record when orders are paid, confirmed,
//! delivered or cancelled.
//!
//! - A bank transfer for an order: bank → escrow of the order, up to what
//!   the order still owes; the rest bank → refund of the order (owed back).
//! - A seller confirms a paid part: a hold (pending transfer) escrow →
//!   seller payable for the part's value, so the money is set aside for
//!   that seller and cannot be refunded or promised twice.
//! - Delivered: the hold is posted; then the platform fee moves from the
//!   seller's payable to platform revenue. Cash on delivery first records
//!   the cash: post office → escrow, then escrow → payable.
//! - Cancelled (by anyone, or a failed delivery): an open hold is voided,
//!   and whatever escrow holds beyond what the order's remaining unheld
//!   parts need moves to the order's refund account.
//!
//! Every ledger operation's idempotency key is derived from the event
//! (`hold:{part}`, `release:{part}`…), so a step can never be booked twice.
//! [`plan`] decides the steps from the order alone (pure, unit-tested);
//! [`EscrowBooks`] writes them inside the transaction that changes the order.

use std::collections::BTreeMap;

use market::orders::lifecycle::{PartStatus, PaymentMethod};
use market::orders::{OrderMoney, PartsChange};
use market::MarketError;
use storage::DbConnection;

use crate::chart;
use crate::fee::FeeRate;
use crate::ledger::{self, LedgerError, TransferRequest};

/// One thing to write in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A transfer, posted or held (`pending`).
    Transfer { key: String, debit: String, credit: String, amount_vnd: i64, pending: bool, memo: String },
    /// Posts the whole hold made under `hold_key`.
    PostHold { key: String, hold_key: String, memo: String },
    /// Releases the hold made under `hold_key`.
    VoidHold { key: String, hold_key: String, memo: String },
}

/// What the books hold for an order before a change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EscrowState {
    /// Escrow not set aside by a hold.
    pub available_vnd: i64,
    /// Open holds by part id: the amount set aside for that part's seller.
    pub open_holds: BTreeMap<String, i64>,
}

pub fn hold_key(part_id: &str) -> String {
    format!("hold:{part_id}")
}

/// The ledger steps for a change of an order's parts.
pub fn plan(change: &PartsChange, state: &EscrowState, fee: FeeRate) -> Vec<Step> {
    let escrow = chart::escrow_code(&change.order_id);
    let mut steps = Vec::new();
    let mut available = state.available_vnd;
    let mut any_cancelled = false;
    for (part_id, _from, to) in &change.changed {
        let Some(part) = change.parts.iter().find(|p| &p.id == part_id) else { continue };
        let payable = chart::payable_code(&part.seller_id);
        let held = state.open_holds.get(part_id).copied();
        match to {
            PartStatus::Confirmed if change.method == PaymentMethod::Vietqr && held.is_none() => {
                steps.push(Step::Transfer {
                    key: hold_key(part_id),
                    debit: escrow.clone(),
                    credit: payable,
                    amount_vnd: part.subtotal_vnd,
                    pending: true,
                    memo: format!("order {}: set aside for the seller on confirmation", change.order_code),
                });
                available -= part.subtotal_vnd;
            }
            PartStatus::Delivered => {
                let release_memo = format!("order {}: delivered", change.order_code);
                if change.method == PaymentMethod::Cod {
                    steps.push(Step::Transfer {
                        key: format!("cod:{part_id}"),
                        debit: chart::cod_code(part.seller_organisation.as_deref()),
                        credit: escrow.clone(),
                        amount_vnd: part.subtotal_vnd,
                        pending: false,
                        memo: format!("order {}: cash collected on delivery", change.order_code),
                    });
                    available += part.subtotal_vnd;
                }
                if held.is_some() {
                    steps.push(Step::PostHold {
                        key: format!("release:{part_id}"),
                        hold_key: hold_key(part_id),
                        memo: release_memo,
                    });
                } else {
                    steps.push(Step::Transfer {
                        key: format!("release:{part_id}"),
                        debit: escrow.clone(),
                        credit: payable.clone(),
                        amount_vnd: part.subtotal_vnd,
                        pending: false,
                        memo: release_memo,
                    });
                    available -= part.subtotal_vnd;
                }
                let fee_vnd = fee.fee_for(part.subtotal_vnd);
                if fee_vnd > 0 {
                    steps.push(Step::Transfer {
                        key: format!("fee:{part_id}"),
                        debit: payable,
                        credit: chart::FEES.to_string(),
                        amount_vnd: fee_vnd,
                        pending: false,
                        memo: format!("order {}: platform fee {fee}", change.order_code),
                    });
                }
            }
            PartStatus::Cancelled => {
                any_cancelled = true;
                if let Some(amount) = held {
                    steps.push(Step::VoidHold {
                        key: format!("void:{part_id}"),
                        hold_key: hold_key(part_id),
                        memo: format!("order {}: part cancelled", change.order_code),
                    });
                    available += amount;
                }
            }
            _ => {}
        }
    }
    if any_cancelled && change.method == PaymentMethod::Vietqr {
        // Parts still waiting (not yet confirmed, so not held) keep what
        // they need; the rest of the escrow goes back to the buyer.
        let still_needed: i64 = change
            .parts
            .iter()
            .filter(|p| p.status == PartStatus::Pending && !state.open_holds.contains_key(&p.id))
            .map(|p| p.subtotal_vnd)
            .sum();
        let refund = available - still_needed;
        if refund > 0 {
            let first_cancelled = change
                .changed
                .iter()
                .find(|(.., to)| *to == PartStatus::Cancelled)
                .map(|(id, ..)| id.as_str())
                .unwrap_or(&change.order_id);
            steps.push(Step::Transfer {
                key: format!("refund:{first_cancelled}"),
                debit: escrow,
                credit: chart::refund_code(&change.order_id),
                amount_vnd: refund,
                pending: false,
                memo: format!("order {}: cancelled, owed back to the buyer", change.order_code),
            });
        }
    }
    steps
}

/// The escrow's state for an order, read from the ledger.
pub fn escrow_state(conn: &mut DbConnection, order_id: &str) -> Result<EscrowState, LedgerError> {
    let code = chart::escrow_code(order_id);
    let Some(account) = ledger::account(conn, &code)? else {
        return Ok(EscrowState::default());
    };
    let open_holds = ledger::pending_holds(conn, &code)?
        .into_iter()
        .filter(|t| t.debit == code)
        .filter_map(|t| t.key.strip_prefix("hold:").map(|part| (part.to_string(), t.amount_vnd)))
        .collect();
    Ok(EscrowState { available_vnd: account.available(), open_holds })
}

/// Opens the accounts a step touches, if they are new.
fn open_accounts(conn: &mut DbConnection, codes: &[&str]) -> Result<(), LedgerError> {
    for code in codes {
        let spec = spec_for(code);
        ledger::open_account(conn, &spec)?;
    }
    Ok(())
}

/// The kind of an account follows from its code (see [`chart`]).
pub(crate) fn spec_for(code: &str) -> ledger::AccountSpec<'_> {
    if code == chart::BANK || code.starts_with(chart::COD_PREFIX) {
        chart::asset(code)
    } else {
        chart::liability(code)
    }
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

/// The market's orders write their money here (the server plugs it in).
#[derive(Debug, Clone, Copy)]
pub struct EscrowBooks {
    pub fee: FeeRate,
}

impl OrderMoney for EscrowBooks {
    fn parts_changed(&self, conn: &mut DbConnection, change: &PartsChange) -> Result<(), MarketError> {
        let state = escrow_state(conn, &change.order_id).map_err(ledger_to_market)?;
        let steps = plan(change, &state, self.fee);
        apply(conn, &steps, &change.order_id).map_err(ledger_to_market)
    }
}

/// A ledger refusal inside an order change is a bug in the books (the
/// order rules should have prevented it), except a storage error, which
/// keeps its kind so that a serialisation failure is reported as such.
fn ledger_to_market(e: LedgerError) -> MarketError {
    match e {
        LedgerError::Storage(d) => MarketError::from(d),
        other => MarketError::Internal(format!("escrow books: {other}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use market::orders::PartMoney;

    use super::*;

    fn part(id: &str, seller: &str, subtotal: i64, status: PartStatus) -> PartMoney {
        PartMoney {
            id: id.into(),
            seller_id: seller.into(),
            seller_organisation: Some("po1".into()),
            subtotal_vnd: subtotal,
            status,
        }
    }

    fn change(
        method: PaymentMethod,
        parts: Vec<PartMoney>,
        changed: &[(&str, PartStatus, PartStatus)],
    ) -> PartsChange {
        PartsChange {
            order_id: "o1".into(),
            order_code: "NS00000001".into(),
            method,
            paid_vnd: 0,
            parts,
            changed: changed.iter().map(|(id, f, t)| (id.to_string(), *f, *t)).collect(),
        }
    }

    fn fee(bp: u32) -> FeeRate {
        FeeRate::from_basis_points(bp).unwrap()
    }

    fn transfers(steps: &[Step]) -> Vec<(String, String, String, i64, bool)> {
        steps
            .iter()
            .filter_map(|s| match s {
                Step::Transfer { key, debit, credit, amount_vnd, pending, .. } => {
                    Some((key.clone(), debit.clone(), credit.clone(), *amount_vnd, *pending))
                }
                _ => None,
            })
            .collect()
    }

    use PartStatus::*;

    #[test]
    fn confirming_a_paid_part_holds_its_value_for_the_seller() {
        let c = change(
            Vietqr,
            vec![part("a", "s1", 100, Confirmed), part("b", "s2", 200, Pending)],
            &[("a", Pending, Confirmed)],
        );
        let state = EscrowState { available_vnd: 300, ..Default::default() };
        let steps = plan(&c, &state, fee(300));
        assert_eq!(
            transfers(&steps),
            vec![("hold:a".into(), "escrow:order:o1".into(), "payable:seller:s1".into(), 100, true)]
        );
    }

    use PaymentMethod::*;

    #[test]
    fn delivery_posts_the_hold_and_takes_the_fee_rounded_down() {
        let c = change(Vietqr, vec![part("a", "s1", 33_333, Delivered)], &[("a", HandedOver, Delivered)]);
        let state = EscrowState { available_vnd: 0, open_holds: [("a".to_string(), 33_333)].into() };
        let steps = plan(&c, &state, fee(250));
        assert_eq!(
            steps[0],
            Step::PostHold {
                key: "release:a".into(),
                hold_key: "hold:a".into(),
                memo: "order NS00000001: delivered".into()
            }
        );
        // 2.5 % of 33 333 is 833.325: the seller keeps the fraction.
        assert_eq!(
            transfers(&steps),
            vec![("fee:a".into(), "payable:seller:s1".into(), "revenue:platform-fees".into(), 833, false)]
        );
    }

    #[test]
    fn cash_on_delivery_is_owed_by_the_post_office_then_paid_to_the_seller() {
        let c = change(Cod, vec![part("a", "s1", 50_000, Delivered)], &[("a", HandedOver, Delivered)]);
        let steps = plan(&c, &EscrowState::default(), fee(0));
        assert_eq!(
            transfers(&steps),
            vec![
                ("cod:a".into(), "cod:post-office:po1".into(), "escrow:order:o1".into(), 50_000, false),
                ("release:a".into(), "escrow:order:o1".into(), "payable:seller:s1".into(), 50_000, false),
            ]
        );
    }

    #[test]
    fn cancelling_a_held_part_voids_the_hold_and_refunds_what_no_part_needs() {
        // paid 300: a (100) held, b (200) pending; a is cancelled
        let c = change(
            Vietqr,
            vec![part("a", "s1", 100, Cancelled), part("b", "s2", 200, Pending)],
            &[("a", Confirmed, Cancelled)],
        );
        let state = EscrowState { available_vnd: 200, open_holds: [("a".to_string(), 100)].into() };
        let steps = plan(&c, &state, fee(300));
        assert!(matches!(&steps[0], Step::VoidHold { key, .. } if key == "void:a"));
        assert_eq!(
            transfers(&steps),
            vec![("refund:a".into(), "escrow:order:o1".into(), "refund:order:o1".into(), 100, false)]
        );
    }

    #[test]
    fn a_partly_paid_order_keeps_its_money_for_the_parts_left() {
        // paid 150 of 300; a (100) cancelled: b still needs 200 > 150
        let c = change(
            Vietqr,
            vec![part("a", "s1", 100, Cancelled), part("b", "s2", 200, Pending)],
            &[("a", Pending, Cancelled)],
        );
        let state = EscrowState { available_vnd: 150, ..Default::default() };
        assert!(plan(&c, &state, fee(300)).is_empty());
        // … and when b goes too, all 150 are owed back
        let c = change(
            Vietqr,
            vec![part("a", "s1", 100, Cancelled), part("b", "s2", 200, Cancelled)],
            &[("b", Pending, Cancelled)],
        );
        assert_eq!(transfers(&plan(&c, &state, fee(300)))[0].3, 150);
    }

    #[test]
    fn cancelling_cash_on_delivery_moves_no_money() {
        let c = change(Cod, vec![part("a", "s1", 100, Cancelled)], &[("a", Confirmed, Cancelled)]);
        assert!(plan(&c, &EscrowState::default(), fee(300)).is_empty());
    }

    #[test]
    fn hand_over_moves_no_money() {
        let c = change(Vietqr, vec![part("a", "s1", 100, HandedOver)], &[("a", Confirmed, HandedOver)]);
        let state = EscrowState { available_vnd: 0, open_holds: [("a".to_string(), 100)].into() };
        assert!(plan(&c, &state, fee(300)).is_empty());
    }
}
