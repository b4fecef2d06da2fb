//! Cash on delivery's decisions, from plain data: which post office an
//! actor speaks for, how much a remittance may cover, and the ledger steps
//! that resolve one.

use accounts::access::{seller_scope, SellerScope};
use accounts::Actor;

use super::Remittance;
use crate::chart;
use crate::escrow::Step;
use common::{ApiError, ErrorCode, NotificationId, RemittanceId};

/// The post office `actor` speaks for, by the one visibility rule
/// ([`accounts::access`]): staff their own (whose sellers they act for),
/// admin the one named; a farmer acts for itself, not for a post office.
pub fn post_office_for(actor: &Actor, named: Option<&str>) -> Result<String, ApiError> {
    match seller_scope(actor)? {
        SellerScope::Organisation(own) => {
            let own = own.map(String::from).unwrap_or_else(|| "none".into());
            match named {
                Some(n) if n != own => Err(ApiError::not_found("post office")),
                _ => Ok(own),
            }
        }
        SellerScope::All => named.map(str::to_string).ok_or_else(|| {
            ApiError::field(ErrorCode::Required, "post_office", "name the post office (organisation id)")
        }),
        SellerScope::Farmer(_) => Err(ApiError::forbidden()),
    }
}

/// What a new remittance covers: `asked`, or all that is `remittable`
/// when `None`; never more than is remittable.
pub fn amount_to_remit(asked: Option<i64>, remittable: i64) -> Result<i64, ApiError> {
    let amount = asked.unwrap_or(remittable);
    if amount <= 0 {
        return Err(if asked.is_some() {
            ApiError::field(ErrorCode::OutOfRange, "amount_vnd", "a positive number of đồng").param("min", 1)
        } else {
            ApiError::new(ErrorCode::NothingToRemit, "this post office owes no cash on delivery")
        });
    }
    if amount > remittable {
        return Err(ApiError::new(
            ErrorCode::ExceedsRemittable,
            format!("the post office owes {remittable} đồng not yet remitted; it cannot remit {amount}"),
        )
        .param("remittable", remittable)
        .param("amount", amount));
    }
    Ok(amount)
}

/// The ledger steps that resolve `remittance` (`id`): `received` or not,
/// and when received, `matched` names the bank notification it arrived as
/// and that transfer's amount, which must be the remittance's.
pub fn resolution_steps(
    id: &RemittanceId,
    remittance: &Remittance,
    received: bool,
    matched: Option<(&NotificationId, i64)>,
) -> Result<Vec<Step>, ApiError> {
    Ok(match (received, matched) {
        (true, Some((nid, amount))) => {
            if amount != remittance.amount_vnd {
                return Err(ApiError::new(
                    ErrorCode::AmountMismatch,
                    format!("the transfer is {amount} đồng, the remittance {} đồng", remittance.amount_vnd),
                )
                .param("transfer_vnd", amount)
                .param("remittance_vnd", remittance.amount_vnd));
            }
            vec![
                Step::VoidHold {
                    key: format!("remit:{id}:matched"),
                    hold_key: format!("remit:{id}"),
                    memo: format!("arrived as bank transfer {nid}"),
                },
                Step::Transfer {
                    key: format!("remit:{id}:from-suspense"),
                    debit: chart::SUSPENSE.into(),
                    credit: chart::cod_code(Some(&remittance.post_office)),
                    amount_vnd: amount,
                    pending: false,
                    memo: format!("cash on delivery remitted by bank transfer {nid}"),
                },
            ]
        }
        (true, None) => vec![Step::PostHold {
            key: format!("remit:{id}:received"),
            hold_key: format!("remit:{id}"),
            memo: "cash on delivery received in the collection account".into(),
        }],
        (false, _) => vec![Step::VoidHold {
            key: format!("remit:{id}:cancelled"),
            hold_key: format!("remit:{id}"),
            memo: "remittance never arrived".into(),
        }],
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn r1() -> RemittanceId {
        RemittanceId::parse("r1").unwrap()
    }

    fn remittance(amount_vnd: i64) -> Remittance {
        Remittance {
            id: r1(),
            post_office: "po1".into(),
            amount_vnd,
            status: "pending".into(),
            reference: None,
            created_at: String::new(),
            resolved_at: None,
        }
    }

    #[test]
    fn a_remittance_covers_at_most_what_is_owed() {
        assert_eq!(amount_to_remit(None, 500).unwrap(), 500);
        assert_eq!(amount_to_remit(Some(200), 500).unwrap(), 200);
        let code = |r: Result<i64, ApiError>| r.err().map(|e| e.code());
        assert_eq!(code(amount_to_remit(Some(0), 500)), Some(ErrorCode::OutOfRange));
        assert_eq!(code(amount_to_remit(None, 0)), Some(ErrorCode::NothingToRemit));
        let too_much = amount_to_remit(Some(501), 500).err();
        assert_eq!(too_much.as_ref().map(ApiError::code), Some(ErrorCode::ExceedsRemittable));
        assert_eq!(too_much.map(|e| e.params()["remittable"].clone()), Some(500.into()));
    }

    #[test]
    fn a_matched_transfer_must_be_the_remittance_amount() {
        let (r, id) = (remittance(300), r1());
        let n1 = NotificationId::parse("n1").unwrap();
        let steps = resolution_steps(&id, &r, true, Some((&n1, 300))).unwrap();
        assert!(matches!(&steps[..], [Step::VoidHold { .. }, Step::Transfer { amount_vnd: 300, .. }]));
        assert_eq!(
            resolution_steps(&id, &r, true, Some((&n1, 299))).err().map(|e| e.code()),
            Some(ErrorCode::AmountMismatch)
        );
        assert!(matches!(&resolution_steps(&id, &r, true, None).unwrap()[..], [Step::PostHold { .. }]));
        assert!(matches!(&resolution_steps(&id, &r, false, None).unwrap()[..], [Step::VoidHold { .. }]));
    }
}
