//! Payments for orders: finding the order a transfer names, and crediting
//! what arrived.

use diesel::prelude::*;
use storage::schema::orders;
use storage::DbConnection;

use super::{amount_due, load_parts, lock_order, refresh_status, PartRow};
use crate::orders::lifecycle::PaymentMethod;
use crate::orders::{PayableOrder, PaymentApplied};
use common::{ApiError, ErrorCode};

/// The order with this code (exact, upper case), if any.
pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<PayableOrder>, ApiError> {
    let row: Option<(String, String, String)> = orders::table
        .filter(orders::code.eq(code))
        .select((orders::id, orders::code, orders::payment_method))
        .first(conn)
        .optional()?;
    row.map(|(id, code, method)| {
        let method = PaymentMethod::parse(&method)
            .ok_or_else(|| ApiError::internal(format!("order {id} has an unknown payment method")))?;
        Ok(PayableOrder { id, code, method })
    })
    .transpose()
}

/// Credits `amount_vnd` received for an order: up to what is still due goes
/// to the order, the rest is excess (an order cancelled or already paid owes
/// all of it back). Must run inside the caller's write transaction, which
/// also records the money in the books.
pub fn apply_payment(
    conn: &mut DbConnection,
    order_id: &str,
    amount_vnd: i64,
) -> Result<PaymentApplied, ApiError> {
    if amount_vnd <= 0 {
        return Err(ApiError::field(
            ErrorCode::OutOfRange,
            "amount_vnd",
            "a payment is a positive number of đồng",
        )
        .param("min", 1));
    }
    let order = lock_order(conn, order_id)?;
    let method = PaymentMethod::parse(&order.payment_method)
        .ok_or_else(|| ApiError::internal(format!("order {} has an unknown payment method", order.id)))?;
    let parts = load_parts(conn, std::slice::from_ref(&order.id))?;
    let all: Vec<&PartRow> = parts.iter().collect();
    let still_due = (amount_due(&all) - order.paid_vnd).max(0);
    let applied = if method == PaymentMethod::Vietqr { amount_vnd.min(still_due) } else { 0 };
    let paid_vnd = order.paid_vnd + applied;
    let now = storage::now();
    if applied > 0 {
        diesel::update(orders::table.find(&order.id)).set(orders::paid_vnd.eq(paid_vnd)).execute(conn)?;
    }
    let status = refresh_status(conn, &order.id, method, paid_vnd, now)?;
    Ok(PaymentApplied { applied_vnd: applied, excess_vnd: amount_vnd - applied, paid_vnd, status })
}
