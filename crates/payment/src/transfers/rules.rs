//! What a transfer comes to, decided from plain data: which order its text
//! names, and what the payment made of that order.

use market::orders::lifecycle::{OrderStatus, PaymentMethod};
use market::orders::{PayableOrder, PaymentApplied};

use super::Outcome;
use accounts::access::{SellerOwner, SellerScope};
use common::{ApiError, ErrorCode};

/// Whether someone acting in `scope` may see a transfer, and assign it:
/// admin sees every transfer; staff see a transfer only when an order it
/// points at has a seller of their own post office. A transfer points at
/// the order it paid, or, while in suspense, at the orders its text named
/// (a cash-on-delivery order, several orders); `points_at` holds the
/// sellers of those orders. A transfer whose text names no order we know
/// points at nobody: only admin sees it, since anything else in its text
/// is a stranger's words, not a post office's business.
pub fn may_see(scope: &SellerScope, points_at: &[SellerOwner<'_>]) -> bool {
    matches!(scope, SellerScope::All) || points_at.iter().any(|seller| scope.includes(*seller))
}

/// The order a transfer pays, or why a person must sort it out.
pub enum Found {
    One(PayableOrder),
    None(Unmatched),
}

/// Why a transfer went to suspense: a code pages translate, and the order
/// codes it is about. Kept in the transfer's `note` as `{reason} {codes…}`
/// until a person sorts it out and writes their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub reason: UnmatchedReason,
    pub orders: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmatchedReason {
    /// The text names no order we know.
    NoOrderCode,
    /// The one order it names is paid in cash on delivery.
    CashOnDelivery,
    /// It names several orders: which one is for a person to ask.
    SeveralOrders,
}

impl UnmatchedReason {
    pub const ALL: [UnmatchedReason; 3] =
        [UnmatchedReason::NoOrderCode, UnmatchedReason::CashOnDelivery, UnmatchedReason::SeveralOrders];

    pub fn as_str(self) -> &'static str {
        match self {
            UnmatchedReason::NoOrderCode => "no_order_code",
            UnmatchedReason::CashOnDelivery => "cash_on_delivery",
            UnmatchedReason::SeveralOrders => "several_orders",
        }
    }
}

impl Unmatched {
    /// No order found, and why; the codes the text held.
    fn found(reason: UnmatchedReason, orders: &[PayableOrder]) -> Found {
        Found::None(Unmatched { reason, orders: orders.iter().map(|o| o.code.clone()).collect() })
    }

    /// As kept in the note: `several_orders NS00000001 NS00000002`.
    pub fn to_note(&self) -> String {
        std::iter::once(self.reason.as_str())
            .chain(self.orders.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Read back from a note; `None` for a note a person wrote.
    pub fn from_note(note: &str) -> Option<Unmatched> {
        let mut words = note.split(' ');
        let first = words.next()?;
        let reason = UnmatchedReason::ALL.into_iter().find(|r| r.as_str() == first)?;
        let orders: Vec<String> = words.map(str::to_string).collect();
        orders.iter().all(|c| crate::is_order_code(c)).then_some(Unmatched { reason, orders })
    }
}

/// The one bank-transfer order among those the text names (each once).
/// Zero or several candidates, or a cash-on-delivery order, is for a
/// person to sort out.
pub fn pick_order(mut found: Vec<PayableOrder>) -> Found {
    match found.len() {
        0 => Unmatched::found(UnmatchedReason::NoOrderCode, &[]),
        1 if found[0].method == PaymentMethod::Cod => {
            Unmatched::found(UnmatchedReason::CashOnDelivery, &found)
        }
        1 => Found::One(found.remove(0)),
        _ => Unmatched::found(UnmatchedReason::SeveralOrders, &found),
    }
}

/// What a transfer credited to an order came to; staff assigning one from
/// suspense is always [`Outcome::Assigned`].
pub fn outcome(assigned: bool, applied: &PaymentApplied) -> Outcome {
    if assigned {
        Outcome::Assigned
    } else if applied.applied_vnd == 0 {
        Outcome::OwedBack
    } else if applied.excess_vnd > 0 {
        Outcome::Overpaid
    } else if applied.status == OrderStatus::Placed {
        Outcome::PartlyPaid
    } else {
        Outcome::Paid
    }
}

/// The order code staff typed, in its canonical form.
pub fn order_code(typed: &str) -> Result<String, ApiError> {
    let code = typed.trim().to_ascii_uppercase();
    if !crate::is_order_code(&code) {
        return Err(ApiError::field(
            ErrorCode::InvalidFormat,
            "order_code",
            "an order code is NS and 8 letters or digits",
        )
        .param("expected", "NS + 8 letters or digits"));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn order(code: &str, method: PaymentMethod) -> PayableOrder {
        PayableOrder { id: code.to_lowercase(), code: code.into(), method }
    }

    fn applied(applied_vnd: i64, excess_vnd: i64, status: OrderStatus) -> PaymentApplied {
        PaymentApplied { applied_vnd, excess_vnd, paid_vnd: applied_vnd, status }
    }

    #[test]
    fn only_one_bank_transfer_order_is_paid() {
        assert!(matches!(pick_order(vec![]), Found::None(_)));
        assert!(matches!(pick_order(vec![order("NS00000001", PaymentMethod::Vietqr)]), Found::One(_)));
        assert!(matches!(pick_order(vec![order("NS00000001", PaymentMethod::Cod)]), Found::None(_)));
        let two =
            vec![order("NS00000001", PaymentMethod::Vietqr), order("NS00000002", PaymentMethod::Vietqr)];
        let Found::None(why) = pick_order(two) else { panic!("several orders is for a person") };
        assert_eq!(why.reason, UnmatchedReason::SeveralOrders);
        assert_eq!(why.to_note(), "several_orders NS00000001 NS00000002");
        assert_eq!(Unmatched::from_note(&why.to_note()), Some(why));
        assert_eq!(
            Unmatched::from_note("no_order_code").map(|u| u.reason),
            Some(UnmatchedReason::NoOrderCode)
        );
        // what a person wrote is not a reason
        assert_eq!(Unmatched::from_note("no_order_code but called the buyer"), None);
        assert_eq!(Unmatched::from_note("refunded by hand"), None);
    }

    #[test]
    fn what_a_payment_came_to() {
        use OrderStatus::*;
        assert_eq!(outcome(false, &applied(100, 0, Paid)), Outcome::Paid);
        assert_eq!(outcome(false, &applied(50, 0, Placed)), Outcome::PartlyPaid);
        assert_eq!(outcome(false, &applied(100, 5, Paid)), Outcome::Overpaid);
        assert_eq!(outcome(false, &applied(0, 100, Cancelled)), Outcome::OwedBack);
        assert_eq!(outcome(true, &applied(0, 100, Cancelled)), Outcome::Assigned);
    }

    #[test]
    fn staff_see_only_transfers_that_point_at_their_own_post_office() {
        use common::OrganisationId;
        let office = |o: &str| SellerScope::Organisation(OrganisationId::parse(o));
        let mine = SellerOwner { user_id: "farmer-1", organisation_id: Some("po-1") };
        let theirs = SellerOwner { user_id: "farmer-2", organisation_id: Some("po-2") };
        assert!(may_see(&office("po-1"), &[mine]));
        assert!(!may_see(&office("po-1"), &[theirs]));
        // several orders named: each office whose seller is among them
        assert!(may_see(&office("po-1"), &[theirs, mine]));
        // a text naming no order: admin only
        assert!(!may_see(&office("po-1"), &[]));
        assert!(may_see(&SellerScope::All, &[]));
        assert!(may_see(&SellerScope::All, &[theirs]));
    }

    #[test]
    fn typed_order_codes_are_canonicalised() {
        assert_eq!(order_code(" ns7k2m9qxa ").unwrap(), "NS7K2M9QXA");
        assert!(order_code("NS7K2M9QX").is_err());
    }
}
