//! What an order must be before it is placed, pure: its lines and the
//! shipping address checked, its code drawn; and when its sellers may start.

use std::collections::BTreeMap;

use accounts::Phone;

use super::lifecycle::PaymentMethod;
use super::{NewOrder, NewOrderItem, Shipping, MAX_ITEMS};
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

/// A part's code: its order's code and its number in the order from 1,
/// `NS7K2M9QXB-1`. Printed as the parcel label's barcode, so ASCII only.
pub(crate) fn part_code(order_code: &str, index: usize) -> String {
    format!("{order_code}-{}", index + 1)
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
    let items = order_lines(&input.items)?;
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

/// An order's lines checked: listing id → quantity, sorted by id so that
/// concurrent orders lock listings in the same order and cannot deadlock;
/// the same listing twice is one line with both quantities.
pub(crate) fn order_lines(input: &[NewOrderItem]) -> Result<BTreeMap<String, i64>, ApiError> {
    if input.is_empty() {
        return Err(ApiError::field(ErrorCode::Required, "items", "an order needs at least one item"));
    }
    if input.len() > MAX_ITEMS {
        return Err(ApiError::field(
            ErrorCode::TooLong,
            "items",
            format!("at most {MAX_ITEMS} items in one order"),
        )
        .param("max", MAX_ITEMS));
    }
    let mut items = BTreeMap::new();
    for (i, item) in input.iter().enumerate() {
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
    Ok(items)
}

/// What one seller's goods weigh, from each line's listing id, packed
/// weight of one unit and quantity. A listing without a weight (sold by
/// the tonne) cannot go by post. At most 30,000 g × 10⁶ units × 20 lines:
/// fits an i64.
pub(crate) fn goods_weight(lines: &[(&str, Option<i64>, i64)]) -> Result<i64, ApiError> {
    let mut grams = 0;
    for (listing_id, unit_weight_g, quantity) in lines {
        let Some(w) = unit_weight_g else {
            return Err(crate::error::listing_unavailable(format!(
                "listing `{listing_id}` does not say what one unit weighs, so it cannot be sent by post"
            )));
        };
        grams += w * quantity;
    }
    Ok(grams)
}

/// A carrier's tracking number as staff typed or scanned it: letters and
/// digits (dashes allowed), 6 to 40 of them, kept upper-case so that a
/// scanner and a keyboard give the same number.
pub(crate) fn tracking_number(value: &str) -> Result<String, ApiError> {
    let n = value.trim().to_ascii_uppercase();
    if !(6..=40).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(ApiError::field(
            ErrorCode::InvalidFormat,
            "tracking_number",
            "the carrier's tracking number: 6 to 40 letters, digits or dashes",
        )
        .param("expected", "tracking number"));
    }
    // the parcel's own label scanned by mistake: NS, 8 characters, a dash
    // and the part's number
    let ours = n.len() > 11
        && n.starts_with("NS")
        && n.as_bytes()[10] == b'-'
        && n[11..].bytes().all(|b| b.is_ascii_digit());
    if ours {
        return Err(ApiError::field(
            ErrorCode::InvalidInput,
            "tracking_number",
            "this is the parcel's own code from its label, not the carrier's tracking number",
        ));
    }
    Ok(n)
}

/// Whether the sellers may start: cash on delivery, or the transfer
/// covers what is still due.
pub(super) fn settled(method: PaymentMethod, paid_vnd: i64, due_vnd: i64) -> bool {
    method == PaymentMethod::Cod || (due_vnd > 0 && paid_vnd >= due_vnd)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_parcel_weighs_its_lines_and_a_line_without_a_weight_cannot_go() {
        assert_eq!(goods_weight(&[("a", Some(1_000), 3), ("b", Some(350), 2)]).unwrap(), 3_700);
        let e = goods_weight(&[("a", Some(1_000), 1), ("t", None, 1)]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ListingUnavailable);
    }

    #[test]
    fn tracking_numbers_are_kept_as_a_scanner_types_them() {
        assert_eq!(tracking_number(" ee123456789vn ").unwrap(), "EE123456789VN");
        assert_eq!(tracking_number("NS7K2M9QXB-1").unwrap_err().code(), ErrorCode::InvalidInput);
        assert!(tracking_number("NS7K2M9QXB").is_ok(), "a carrier's number may start with NS");
        for bad in ["", "12345", "EE 1234 5678", "EE12345\t6789VN", "Đ12345678", &"9".repeat(41)] {
            assert!(tracking_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn part_codes_number_the_parts_from_one() {
        assert_eq!(part_code("NS7K2M9QXB", 0), "NS7K2M9QXB-1");
        assert_eq!(part_code("NS7K2M9QXB", 1), "NS7K2M9QXB-2");
    }
}
