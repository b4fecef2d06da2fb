//! What an order must be before it is placed, pure: its lines and the
//! shipping address checked, its code drawn; and when its sellers may start.

use std::collections::BTreeMap;

use accounts::Phone;

use super::lifecycle::PaymentMethod;
use super::{NewOrder, Shipping, MAX_ITEMS};
use crate::listings::rules::{self as listing_rules, MAX_QUANTITY};
use crate::reference::rules::check_commune_code;
use common::{ApiError, ErrorCode};

/// A random order code: `NS` and 8 Crockford base32 characters (no I, L, O,
/// U), ASCII so that every bank app carries it intact in a transfer.
pub(super) fn new_order_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::rngs::OsRng;
    let suffix: String = (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("NS{suffix}")
}

/// A checked order, ready to place.
pub(super) struct ValidOrder {
    /// listing id → quantity, sorted by id so that concurrent orders lock
    /// listings in the same order and cannot deadlock.
    pub(super) items: BTreeMap<String, i64>,
    pub(super) shipping: Shipping,
    pub(super) method: PaymentMethod,
}

pub(super) fn validate(input: &NewOrder) -> Result<ValidOrder, ApiError> {
    if input.items.is_empty() {
        return Err(ApiError::field(ErrorCode::Required, "items", "an order needs at least one item"));
    }
    if input.items.len() > MAX_ITEMS {
        return Err(ApiError::field(
            ErrorCode::TooLong,
            "items",
            format!("at most {MAX_ITEMS} items in one order"),
        )
        .param("max", MAX_ITEMS));
    }
    let mut items = BTreeMap::new();
    for (i, item) in input.items.iter().enumerate() {
        let field = format!("items[{i}].quantity");
        let quantity = listing_rules::whole_number(&field, &item.quantity, 1, MAX_QUANTITY, "units")?;
        if !common::ids::plausible_id(&item.listing_id) {
            return Err(ApiError::field(
                ErrorCode::UnknownReference,
                format!("items[{i}].listing_id"),
                "not a listing id",
            ));
        }
        // the same listing twice is one line with both quantities
        let total: &mut i64 = items.entry(item.listing_id.clone()).or_insert(0);
        *total = total.saturating_add(quantity).min(MAX_QUANTITY + 1);
        if *total > MAX_QUANTITY {
            return Err(ApiError::field(
                ErrorCode::OutOfRange,
                &field,
                format!("at most {} units", MAX_QUANTITY),
            )
            .param("min", 1)
            .param("max", MAX_QUANTITY));
        }
    }
    let s = &input.shipping;
    let shipping = Shipping {
        name: accounts::clean_text("shipping.name", &s.name, 100)?,
        phone: Phone::parse(&s.phone)
            .map_err(|_| {
                ApiError::field(ErrorCode::InvalidFormat, "shipping.phone", "not a Vietnamese phone number")
                    .param("expected", "phone")
            })?
            .as_str()
            .to_string(),
        address: accounts::clean_text("shipping.address", &s.address, 300)?,
        commune_code: check_commune_code("shipping.commune_code", &s.commune_code)?,
    };
    Ok(ValidOrder { items, shipping, method: input.payment_method })
}

/// Whether the sellers may start: cash on delivery, or the transfer
/// covers what is still due.
pub(super) fn settled(method: PaymentMethod, paid_vnd: i64, due_vnd: i64) -> bool {
    method == PaymentMethod::Cod || (due_vnd > 0 && paid_vnd >= due_vnd)
}
