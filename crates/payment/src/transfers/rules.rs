//! What a transfer comes to, decided from plain data: which order its text
//! names, and what the payment made of that order.

use market::orders::lifecycle::{OrderStatus, PaymentMethod};
use market::orders::{PayableOrder, PaymentApplied};

use super::Outcome;
use common::{ApiError, ErrorCode};

/// The order a transfer pays, or why a person must sort it out.
pub enum Found {
    One(PayableOrder),
    None(String),
}

/// The one bank-transfer order among those the text names (each once).
/// Zero or several candidates, or a cash-on-delivery order, is for a
/// person to sort out.
pub fn pick_order(mut found: Vec<PayableOrder>) -> Found {
    match found.len() {
        0 => Found::None("no order code found in the transfer text".into()),
        1 => {
            let order = found.remove(0);
            if order.method == PaymentMethod::Cod {
                Found::None(format!("order {} is cash on delivery", order.code))
            } else {
                Found::One(order)
            }
        }
        _ => Found::None(format!(
            "the text names several orders: {}",
            found.iter().map(|o| o.code.as_str()).collect::<Vec<_>>().join(", ")
        )),
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
        assert!(matches!(pick_order(two), Found::None(why) if why.contains("NS00000001, NS00000002")));
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
    fn typed_order_codes_are_canonicalised() {
        assert_eq!(order_code(" ns7k2m9qxa ").unwrap(), "NS7K2M9QXA");
        assert!(order_code("NS7K2M9QX").is_err());
    }
}
