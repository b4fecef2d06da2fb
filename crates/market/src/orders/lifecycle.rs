//! The order state machine, pure: who may move one seller's part of an
//! order from which state to which, and what the whole order's status is.
//!
//! An order holds one part per seller. Each part goes
//! `pending → confirmed → handed_over → delivered`, or to `cancelled`.
//! The order's status summarises its parts: it has reached a stage when
//! every part still alive has (`placed`/`paid`/`cod` while some part waits
//! for its seller), and is `cancelled` when every part is.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Bank transfer by scanning a VietQR code.
    Vietqr,
    /// Cash on delivery, collected by the post office.
    Cod,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Vietqr => "vietqr",
            PaymentMethod::Cod => "cod",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentMethod> {
        [PaymentMethod::Vietqr, PaymentMethod::Cod].into_iter().find(|m| m.as_str() == s)
    }
}

/// The whole order's status, as buyers and SPEC name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Waiting for the bank transfer.
    Placed,
    /// Paid by bank transfer; waiting for the sellers.
    Paid,
    /// To be paid in cash on delivery; waiting for the sellers.
    Cod,
    /// Every seller confirmed.
    Confirmed,
    /// Every parcel is with the post office.
    HandedOver,
    Delivered,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Paid => "paid",
            OrderStatus::Cod => "cod",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::HandedOver => "handed_over",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

/// One seller's part of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartStatus {
    /// Waiting for payment (bank transfer) or for the seller to confirm.
    Pending,
    Confirmed,
    /// The post office has the parcel.
    HandedOver,
    Delivered,
    Cancelled,
}

impl PartStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PartStatus::Pending => "pending",
            PartStatus::Confirmed => "confirmed",
            PartStatus::HandedOver => "handed_over",
            PartStatus::Delivered => "delivered",
            PartStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<PartStatus> {
        [
            PartStatus::Pending,
            PartStatus::Confirmed,
            PartStatus::HandedOver,
            PartStatus::Delivered,
            PartStatus::Cancelled,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    /// Goods not yet with the post office go back on sale when cancelled.
    pub fn stock_returns_on_cancel(self) -> bool {
        matches!(self, PartStatus::Pending | PartStatus::Confirmed)
    }
}

/// What someone asks to happen to a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Confirm,
    HandOver,
    Deliver,
    Cancel,
    /// The parcel came back to the post office undelivered (stopped by a
    /// recall, or the buyer could not be reached): the part ends cancelled.
    Return,
}

impl Action {
    /// The status the action leads to.
    pub fn target(self) -> PartStatus {
        match self {
            Action::Confirm => PartStatus::Confirmed,
            Action::HandOver => PartStatus::HandedOver,
            Action::Deliver => PartStatus::Delivered,
            Action::Cancel | Action::Return => PartStatus::Cancelled,
        }
    }

    /// Whether the action takes the goods a step closer to the buyer:
    /// refused for a part holding a recalled lot, whoever asks.
    pub fn moves_goods(self) -> bool {
        matches!(self, Action::Confirm | Action::HandOver | Action::Deliver)
    }

    /// Whether a part in `from` is already where the action would take it,
    /// or beyond: a request for a whole order passes over such parts (the
    /// buyer cancelling after one seller already cancelled its part).
    pub fn already_done(self, from: PartStatus) -> bool {
        matches!(from, PartStatus::Delivered | PartStatus::Cancelled) || from >= self.target()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Confirm => "confirm",
            Action::HandOver => "hand_over",
            Action::Deliver => "deliver",
            Action::Cancel => "cancel",
            Action::Return => "return",
        }
    }
}

/// How the one acting stands to the part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Buyer,
    /// The farmer whose part it is.
    Seller,
    /// Post-office staff of the seller's organisation.
    Staff,
    Admin,
    /// The server itself: unpaid orders expire.
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{party} may not {action} an order")]
    NotAllowed { party: &'static str, action: &'static str },
    #[error("cannot {action} a part that is {from}")]
    Invalid { action: &'static str, from: &'static str },
    #[error("the order is not paid yet")]
    NotPaid,
}

fn party_name(p: Party) -> &'static str {
    match p {
        Party::Buyer => "the buyer",
        Party::Seller => "the seller",
        Party::Staff => "post-office staff",
        Party::Admin => "an admin",
        Party::System => "the system",
    }
}

/// The part's next status, or why not. `settled` is whether the seller may
/// start: the transfer has arrived, or the buyer pays cash on delivery.
pub fn next_part_status(
    from: PartStatus,
    action: Action,
    party: Party,
    settled: bool,
) -> Result<PartStatus, TransitionError> {
    use Action::*;
    use PartStatus::*;
    let allowed = match action {
        Confirm => matches!(party, Party::Seller | Party::Staff | Party::Admin),
        HandOver | Deliver | Return => matches!(party, Party::Staff | Party::Admin),
        Cancel => true,
    };
    if !allowed {
        return Err(TransitionError::NotAllowed { party: party_name(party), action: action.as_str() });
    }
    let invalid = || TransitionError::Invalid { action: action.as_str(), from: from.as_str() };
    match (action, from) {
        (Confirm, Pending) if !settled => Err(TransitionError::NotPaid),
        (Confirm, Pending) => Ok(Confirmed),
        (HandOver, Confirmed) => Ok(HandedOver),
        (Deliver, HandedOver) => Ok(Delivered),
        (Cancel, Pending) => match party {
            // an unpaid order expires; a paid or COD one waits for people
            Party::System if settled => Err(invalid()),
            _ => Ok(Cancelled),
        },
        // once the seller confirmed, the buyer can no longer back out alone
        (Cancel, Confirmed) if matches!(party, Party::Seller | Party::Staff | Party::Admin) => Ok(Cancelled),
        // a failed delivery: the parcel comes back
        (Cancel | Return, HandedOver) if matches!(party, Party::Staff | Party::Admin) => Ok(Cancelled),
        _ => Err(invalid()),
    }
}

/// What a recall did to a part holding the recalled lot, as its buyer and
/// the post office are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecallOutcome {
    /// It had not left the seller: cancelled; a bank transfer is owed back
    /// in full, cash on delivery is never collected.
    Cancelled,
    /// It is with the postman: delivery is refused; the post office stops
    /// it and records the return.
    Returning,
    /// It came back to the post office: cancelled and owed back.
    Returned,
    /// It reached the buyer before the recall: they are told not to use it.
    Delivered,
}

impl RecallOutcome {
    /// The outcome for a part the recall reached, from where it is now.
    /// (The recall cancels waiting and confirmed parts in its own
    /// transaction, so they are only seen here as `Cancelled`.)
    pub fn of(status: PartStatus, handed_over: bool) -> RecallOutcome {
        match status {
            PartStatus::Pending | PartStatus::Confirmed => RecallOutcome::Cancelled,
            PartStatus::HandedOver => RecallOutcome::Returning,
            PartStatus::Delivered => RecallOutcome::Delivered,
            PartStatus::Cancelled if handed_over => RecallOutcome::Returned,
            PartStatus::Cancelled => RecallOutcome::Cancelled,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RecallOutcome::Cancelled => "cancelled",
            RecallOutcome::Returning => "returning",
            RecallOutcome::Returned => "returned",
            RecallOutcome::Delivered => "delivered",
        }
    }
}

/// Whether the buyer owes for a part: not when it is cancelled, nor when a
/// recall stopped it on its way (it will be returned, never delivered); a
/// part delivered before the recall was received, and is owed.
pub fn owed(status: PartStatus, recalled: bool) -> bool {
    match status {
        PartStatus::Cancelled => false,
        PartStatus::Delivered => true,
        _ => !recalled,
    }
}

/// What a recall does to a part holding the lot, from its status: parts
/// that have not left the seller are cancelled (their stock is not put
/// back on sale); parcels with the postman and delivered parts stay as
/// they are, marked (the first to be stopped, the second for the buyer to
/// be told); parts already cancelled are not the recall's business.
pub fn recall_cancels(from: PartStatus) -> bool {
    matches!(from, PartStatus::Pending | PartStatus::Confirmed)
}

/// The order's status from its parts.
pub fn summarise(method: PaymentMethod, paid: bool, parts: &[PartStatus]) -> OrderStatus {
    let alive = parts.iter().copied().filter(|p| *p != PartStatus::Cancelled);
    match alive.min() {
        None => OrderStatus::Cancelled,
        Some(PartStatus::Pending) => match method {
            PaymentMethod::Cod => OrderStatus::Cod,
            PaymentMethod::Vietqr if paid => OrderStatus::Paid,
            PaymentMethod::Vietqr => OrderStatus::Placed,
        },
        Some(PartStatus::Confirmed) => OrderStatus::Confirmed,
        Some(PartStatus::HandedOver) => OrderStatus::HandedOver,
        Some(PartStatus::Delivered) => OrderStatus::Delivered,
        Some(PartStatus::Cancelled) => OrderStatus::Cancelled,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use Action::*;
    use PartStatus::*;

    const PARTIES: [Party; 5] = [Party::Buyer, Party::Seller, Party::Staff, Party::Admin, Party::System];
    const STATUSES: [PartStatus; 5] = [Pending, Confirmed, HandedOver, Delivered, Cancelled];
    const ACTIONS: [Action; 5] = [Confirm, HandOver, Deliver, Cancel, Return];

    #[test]
    fn the_happy_path_needs_the_right_people() {
        assert_eq!(next_part_status(Pending, Confirm, Party::Seller, true), Ok(Confirmed));
        assert_eq!(next_part_status(Confirmed, HandOver, Party::Staff, true), Ok(HandedOver));
        assert_eq!(next_part_status(HandedOver, Deliver, Party::Staff, true), Ok(Delivered));
        assert!(matches!(
            next_part_status(Pending, Confirm, Party::Buyer, true),
            Err(TransitionError::NotAllowed { .. })
        ));
        assert!(matches!(
            next_part_status(Confirmed, HandOver, Party::Seller, true),
            Err(TransitionError::NotAllowed { .. })
        ));
        assert_eq!(next_part_status(Pending, Confirm, Party::Seller, false), Err(TransitionError::NotPaid));
    }

    #[test]
    fn cancelling_depends_on_how_far_it_got() {
        assert_eq!(next_part_status(Pending, Cancel, Party::Buyer, true), Ok(Cancelled));
        assert!(next_part_status(Confirmed, Cancel, Party::Buyer, true).is_err());
        assert_eq!(next_part_status(Confirmed, Cancel, Party::Seller, true), Ok(Cancelled));
        assert!(next_part_status(HandedOver, Cancel, Party::Seller, true).is_err());
        assert_eq!(next_part_status(HandedOver, Cancel, Party::Staff, true), Ok(Cancelled));
        assert_eq!(next_part_status(Pending, Cancel, Party::System, false), Ok(Cancelled));
        assert!(next_part_status(Pending, Cancel, Party::System, true).is_err(), "paid orders never expire");
        assert!(Pending.stock_returns_on_cancel() && Confirmed.stock_returns_on_cancel());
        assert!(!HandedOver.stock_returns_on_cancel());
    }

    #[test]
    fn only_the_post_office_records_a_parcel_coming_back() {
        assert_eq!(next_part_status(HandedOver, Return, Party::Staff, true), Ok(Cancelled));
        assert_eq!(next_part_status(HandedOver, Return, Party::Admin, true), Ok(Cancelled));
        for party in [Party::Buyer, Party::Seller, Party::System] {
            assert!(matches!(
                next_part_status(HandedOver, Return, party, true),
                Err(TransitionError::NotAllowed { .. })
            ));
        }
        // nothing comes back that never left
        for from in [Pending, Confirmed, Delivered, Cancelled] {
            assert!(next_part_status(from, Return, Party::Staff, true).is_err(), "{from:?}");
        }
        assert!(!Return.moves_goods() && !Cancel.moves_goods());
        assert!(Confirm.moves_goods() && HandOver.moves_goods() && Deliver.moves_goods());
    }

    #[test]
    fn a_recall_cancels_what_has_not_left_and_marks_the_rest() {
        assert!(recall_cancels(Pending) && recall_cancels(Confirmed));
        for from in [HandedOver, Delivered, Cancelled] {
            assert!(!recall_cancels(from), "{from:?}");
        }
        assert_eq!(RecallOutcome::of(Cancelled, false), RecallOutcome::Cancelled);
        assert_eq!(RecallOutcome::of(HandedOver, true), RecallOutcome::Returning);
        assert_eq!(RecallOutcome::of(Cancelled, true), RecallOutcome::Returned);
        assert_eq!(RecallOutcome::of(Delivered, true), RecallOutcome::Delivered);
        // a stopped parcel is no longer owed; what was delivered still is
        assert!(!owed(HandedOver, true) && owed(HandedOver, false));
        assert!(owed(Delivered, true) && !owed(Cancelled, false));
    }

    #[test]
    fn whole_order_requests_pass_over_parts_already_done() {
        assert!(Cancel.already_done(Cancelled));
        assert!(Cancel.already_done(Delivered));
        assert!(!Cancel.already_done(HandedOver));
        assert!(Confirm.already_done(Confirmed) && Confirm.already_done(HandedOver));
        assert!(!Confirm.already_done(Pending));
        assert!(!Deliver.already_done(HandedOver));
        assert!(Deliver.already_done(Cancelled));
    }

    #[test]
    fn delivered_and_cancelled_are_final_for_everyone() {
        for party in PARTIES {
            for action in ACTIONS {
                for from in [Delivered, Cancelled] {
                    assert!(
                        next_part_status(from, action, party, true).is_err(),
                        "{party:?} {action:?} {from:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_transition_moves_forward_or_cancels() {
        for party in PARTIES {
            for action in ACTIONS {
                for from in STATUSES {
                    for settled in [false, true] {
                        if let Ok(to) = next_part_status(from, action, party, settled) {
                            assert!(to > from, "{from:?} -> {to:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_order_status_is_the_least_advanced_live_part() {
        use PaymentMethod::*;
        assert_eq!(summarise(Vietqr, false, &[Pending, Pending]), OrderStatus::Placed);
        assert_eq!(summarise(Vietqr, true, &[Pending, Confirmed]), OrderStatus::Paid);
        assert_eq!(summarise(Cod, false, &[Pending]), OrderStatus::Cod);
        assert_eq!(summarise(Cod, false, &[Confirmed, HandedOver]), OrderStatus::Confirmed);
        assert_eq!(summarise(Cod, false, &[Cancelled, HandedOver]), OrderStatus::HandedOver);
        assert_eq!(summarise(Vietqr, true, &[Delivered, Cancelled]), OrderStatus::Delivered);
        assert_eq!(summarise(Vietqr, true, &[Cancelled, Cancelled]), OrderStatus::Cancelled);
        assert_eq!(summarise(Cod, false, &[]), OrderStatus::Cancelled);
    }
}
