//! The escrow's decisions, from plain data: the ledger steps an order
//! change makes, the kind of each chart account, and a refund's details.

use market::orders::lifecycle::{PartStatus, PaymentMethod};
use market::orders::PartsChange;

use super::{EscrowState, Step};
use crate::fee::FeeRate;
use crate::{chart, ledger};
use common::{ApiError, ErrorCode};

pub fn hold_key(part_id: &str) -> String {
    format!("hold:{part_id}")
}

/// The hold of a part's postage for the post office that carries it.
pub fn postage_hold_key(part_id: &str) -> String {
    format!("postage-hold:{part_id}")
}

/// The ledger steps for a change of an order's parts. A part's goods go to
/// its seller (less the platform fee), its postage to the post office that
/// carries it (no fee); both are held on confirmation and posted on
/// delivery, voided on cancellation.
pub fn plan(change: &PartsChange, state: &EscrowState, fee: FeeRate) -> Vec<Step> {
    let escrow = chart::escrow_code(&change.order_id);
    let mut steps = Vec::new();
    let mut available = state.available_vnd;
    let mut any_cancelled = false;
    let code = &change.order_code;
    for (part_id, _from, to) in &change.changed {
        let Some(part) = change.parts.iter().find(|p| &p.id == part_id) else { continue };
        let payable = chart::payable_code(&part.seller_id);
        let carrier = chart::carrier_code(part.seller_organisation.as_deref());
        let held = state.open_holds.get(part_id).copied();
        let postage_held = state.open_postage_holds.get(part_id).copied();
        match to {
            PartStatus::Confirmed if change.method == PaymentMethod::Vietqr && held.is_none() => {
                steps.push(Step::Transfer {
                    key: hold_key(part_id),
                    debit: escrow.clone(),
                    credit: payable,
                    amount_vnd: part.subtotal_vnd,
                    pending: true,
                    memo: format!("order {code}: set aside for the seller on confirmation"),
                });
                available -= part.subtotal_vnd;
                if part.postage_vnd > 0 && postage_held.is_none() {
                    steps.push(Step::Transfer {
                        key: postage_hold_key(part_id),
                        debit: escrow.clone(),
                        credit: carrier,
                        amount_vnd: part.postage_vnd,
                        pending: true,
                        memo: format!("order {code}: postage set aside for the post office"),
                    });
                    available -= part.postage_vnd;
                }
            }
            PartStatus::Delivered => {
                if change.method == PaymentMethod::Cod {
                    steps.push(Step::Transfer {
                        key: format!("cod:{part_id}"),
                        debit: chart::cod_code(part.seller_organisation.as_deref()),
                        credit: escrow.clone(),
                        amount_vnd: part.subtotal_vnd + part.postage_vnd,
                        pending: false,
                        memo: format!("order {code}: cash collected on delivery, goods and postage"),
                    });
                    available += part.subtotal_vnd + part.postage_vnd;
                }
                let release_memo = format!("order {code}: delivered");
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
                let postage_memo = format!("order {code}: delivered, postage earned by the post office");
                if postage_held.is_some() {
                    steps.push(Step::PostHold {
                        key: format!("postage:{part_id}"),
                        hold_key: postage_hold_key(part_id),
                        memo: postage_memo,
                    });
                } else if part.postage_vnd > 0 {
                    steps.push(Step::Transfer {
                        key: format!("postage:{part_id}"),
                        debit: escrow.clone(),
                        credit: carrier,
                        amount_vnd: part.postage_vnd,
                        pending: false,
                        memo: postage_memo,
                    });
                    available -= part.postage_vnd;
                }
                let fee_vnd = fee.fee_for(part.subtotal_vnd);
                if fee_vnd > 0 {
                    steps.push(Step::Transfer {
                        key: format!("fee:{part_id}"),
                        debit: payable,
                        credit: chart::FEES.to_string(),
                        amount_vnd: fee_vnd,
                        pending: false,
                        memo: format!("order {code}: platform fee {fee}"),
                    });
                }
            }
            PartStatus::Cancelled => {
                any_cancelled = true;
                if let Some(amount) = held {
                    steps.push(Step::VoidHold {
                        key: format!("void:{part_id}"),
                        hold_key: hold_key(part_id),
                        memo: format!("order {code}: part cancelled"),
                    });
                    available += amount;
                }
                if let Some(amount) = postage_held {
                    steps.push(Step::VoidHold {
                        key: format!("void-postage:{part_id}"),
                        hold_key: postage_hold_key(part_id),
                        memo: format!("order {code}: part cancelled, postage not earned"),
                    });
                    available += amount;
                }
            }
            _ => {}
        }
    }
    if any_cancelled && change.method == PaymentMethod::Vietqr {
        // Parts still waiting (not yet confirmed, so not held) keep what
        // they need, goods and postage; the rest of the escrow goes back
        // to the buyer.
        let still_needed: i64 = change
            .parts
            .iter()
            .filter(|p| p.status == PartStatus::Pending && !state.open_holds.contains_key(&p.id))
            .map(|p| p.subtotal_vnd + p.postage_vnd)
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
                memo: format!("order {code}: cancelled, owed back to the buyer"),
            });
        }
    }
    steps
}

/// The kind of an account follows from its code (see [`chart`]).
pub(crate) fn spec_for(code: &str) -> ledger::AccountSpec<'_> {
    if code == chart::BANK || code.starts_with(chart::COD_PREFIX) {
        chart::asset(code)
    } else {
        chart::liability(code)
    }
}

/// Money the operator sent from the collection account (a refund to a
/// buyer, postage to a post office) as admin recorded it: the cleaned bank
/// reference, or why the record is refused.
pub fn money_sent(amount_vnd: i64, reference: &str) -> Result<String, ApiError> {
    let reference = accounts::clean_text("reference", reference, 100)?;
    // it becomes part of the ledger's idempotency key, which is ASCII
    if !reference.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Err(ApiError::field(
            ErrorCode::InvalidFormat,
            "reference",
            "the bank's reference: letters, digits and punctuation without diacritics",
        ));
    }
    if amount_vnd <= 0 || amount_vnd > crate::MAX_NOTIFIED_AMOUNT_VND {
        return Err(ApiError::field(ErrorCode::OutOfRange, "amount_vnd", "a positive whole number of đồng")
            .param("min", 1)
            .param("max", crate::MAX_NOTIFIED_AMOUNT_VND));
    }
    Ok(reference)
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
            postage_vnd: 0,
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
        let state = EscrowState {
            available_vnd: 0,
            open_holds: [("a".to_string(), 33_333)].into(),
            ..Default::default()
        };
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
        let state = EscrowState {
            available_vnd: 200,
            open_holds: [("a".to_string(), 100)].into(),
            ..Default::default()
        };
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
        let state = EscrowState {
            available_vnd: 0,
            open_holds: [("a".to_string(), 100)].into(),
            ..Default::default()
        };
        assert!(plan(&c, &state, fee(300)).is_empty());
    }

    fn parcel(id: &str, subtotal: i64, postage: i64, status: PartStatus) -> PartMoney {
        PartMoney { postage_vnd: postage, ..part(id, "s1", subtotal, status) }
    }

    #[test]
    fn confirming_holds_the_goods_for_the_seller_and_the_postage_for_the_post_office() {
        let c = change(Vietqr, vec![parcel("a", 100_000, 32_000, Confirmed)], &[("a", Pending, Confirmed)]);
        let state = EscrowState { available_vnd: 132_000, ..Default::default() };
        assert_eq!(
            transfers(&plan(&c, &state, fee(200))),
            vec![
                ("hold:a".into(), "escrow:order:o1".into(), "payable:seller:s1".into(), 100_000, true),
                (
                    "postage-hold:a".into(),
                    "escrow:order:o1".into(),
                    "payable:post-office:po1".into(),
                    32_000,
                    true
                ),
            ]
        );
    }

    #[test]
    fn delivery_pays_the_postage_to_the_post_office_without_a_platform_fee() {
        let c =
            change(Vietqr, vec![parcel("a", 100_000, 32_000, Delivered)], &[("a", HandedOver, Delivered)]);
        let state = EscrowState {
            open_holds: [("a".to_string(), 100_000)].into(),
            open_postage_holds: [("a".to_string(), 32_000)].into(),
            ..Default::default()
        };
        let steps = plan(&c, &state, fee(200));
        assert!(matches!(&steps[1], Step::PostHold { hold_key, .. } if hold_key == "postage-hold:a"));
        // 2 % of the goods only: 2,000, not 2,640
        assert_eq!(
            transfers(&steps),
            vec![("fee:a".into(), "payable:seller:s1".into(), "revenue:platform-fees".into(), 2_000, false)]
        );
    }

    #[test]
    fn cash_on_delivery_collects_goods_and_postage_and_splits_them() {
        let c = change(Cod, vec![parcel("a", 50_000, 35_000, Delivered)], &[("a", HandedOver, Delivered)]);
        assert_eq!(
            transfers(&plan(&c, &EscrowState::default(), fee(0))),
            vec![
                ("cod:a".into(), "cod:post-office:po1".into(), "escrow:order:o1".into(), 85_000, false),
                ("release:a".into(), "escrow:order:o1".into(), "payable:seller:s1".into(), 50_000, false),
                (
                    "postage:a".into(),
                    "escrow:order:o1".into(),
                    "payable:post-office:po1".into(),
                    35_000,
                    false
                ),
            ]
        );
    }

    #[test]
    fn a_cancelled_part_gives_back_its_postage_and_the_waiting_part_keeps_its_own() {
        // paid 250: a (100 + 30) held, b (100 + 20) waiting; a is cancelled
        let c = change(
            Vietqr,
            vec![parcel("a", 100, 30, Cancelled), parcel("b", 100, 20, Pending)],
            &[("a", Confirmed, Cancelled)],
        );
        let state = EscrowState {
            available_vnd: 120,
            open_holds: [("a".to_string(), 100)].into(),
            open_postage_holds: [("a".to_string(), 30)].into(),
        };
        let steps = plan(&c, &state, fee(200));
        assert!(matches!(&steps[1], Step::VoidHold { key, .. } if key == "void-postage:a"));
        assert_eq!(
            transfers(&steps),
            vec![("refund:a".into(), "escrow:order:o1".into(), "refund:order:o1".into(), 130, false)]
        );
    }
}
