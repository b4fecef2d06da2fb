//! Pure rules about lots: input checks, who may change a lot, which lots an
//! actor may list, lot codes, and the event view. No SQL, no HTTP.

use accounts::access::rules::may_act_for;
use accounts::access::SellerOwner;
use accounts::Actor;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use common::ids::LotId;

use super::{EventView, NewEvent, NewLot};
use crate::digital_link::LotCode;
use crate::gtin::Gtin;
use crate::quantity::{Quantity, Unit};
use crate::{EventType, LotEvent};
use common::{rfc3339, ApiError, ErrorCode};

pub(crate) fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

pub(crate) fn text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    accounts::clean_text(field, value, max)
}

/// Crockford base32: no I, L, O or U, so a code read aloud or copied by
/// hand from a label is not misread.
pub(crate) fn generate_lot_code(harvested_on: NaiveDate) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::rngs::OsRng;
    let suffix: String = (0..6).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{}-{suffix}", harvested_on.format("%y%m%d"))
}

/// A new lot's input, checked as far as it can be without the database.
pub(crate) struct CheckedLot {
    pub product_name: String,
    pub unit: &'static Unit,
    pub quantity: Quantity,
    pub harvested_on: NaiveDate,
    pub given_gtin: Option<Gtin>,
    pub given_code: Option<LotCode>,
    pub farm_name: Option<String>,
    pub commune_code: String,
}

pub(crate) fn check_new_lot(input: &NewLot) -> Result<CheckedLot, ApiError> {
    let product_name = text("product_name", &input.product_name, 100)?;
    let unit = Unit::parse(&input.unit)?;
    let quantity = Quantity::from_json(&input.quantity)?;
    let harvested_on = NaiveDate::parse_from_str(input.harvested_on.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::field(ErrorCode::InvalidFormat, "harvested_on", "a date as YYYY-MM-DD")
            .param("expected", "YYYY-MM-DD")
    })?;
    let today = Utc::now().date_naive();
    if harvested_on > today + chrono::Duration::days(1) || harvested_on.year_ce().1 < 2000 {
        return Err(ApiError::field(
            ErrorCode::OutOfRange,
            "harvested_on",
            "not in the future, not before 2000",
        )
        .param("min", "2000-01-01"));
    }
    let given_gtin = input.gtin.as_deref().map(Gtin::parse).transpose()?;
    let given_code = input.lot_code.as_deref().map(LotCode::parse).transpose()?;
    let farm_name = input.farm_name.as_deref().map(|f| text("farm_name", f, 100)).transpose()?;
    let commune_code = input.commune_code.trim().to_string();
    if commune_code.len() != 5 || !commune_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::field(
            ErrorCode::InvalidFormat,
            "commune_code",
            "5 digits from the 2025 commune list",
        )
        .param("expected", "5 digits"));
    }
    Ok(CheckedLot {
        product_name,
        unit,
        quantity,
        harvested_on,
        given_gtin,
        given_code,
        farm_name,
        commune_code,
    })
}

/// A new event's type and time, checked; its details checked for its type.
pub(crate) fn check_new_event(input: &NewEvent) -> Result<(EventType, DateTime<Utc>), ApiError> {
    let event_type = EventType::parse(&input.event_type)?;
    if !event_type.is_user_recordable() {
        return Err(ApiError::invalid("type", "a recall is made with POST /api/v1/lots/{id}/recall"));
    }
    let occurred_at = parse_occurred_at(&input.occurred_at)?;
    input.details.validate_for(event_type)?;
    Ok((event_type, occurred_at))
}

/// May this actor record events on (or otherwise change) a lot of the
/// seller with this user and organisation? The one visibility rule decides.
pub(crate) fn may_change(
    actor: &Actor,
    seller_user_id: &str,
    seller_organisation: Option<&str>,
) -> Result<(), ApiError> {
    let seller = SellerOwner { user_id: seller_user_id, organisation_id: seller_organisation };
    if may_act_for(actor, seller) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

pub fn parse_occurred_at(text: &str) -> Result<DateTime<Utc>, ApiError> {
    let t = DateTime::parse_from_rfc3339(text.trim())
        .map_err(|_| {
            ApiError::field(
                ErrorCode::InvalidFormat,
                "occurred_at",
                "RFC 3339 with an offset, e.g. 2025-11-02T07:30:00+07:00",
            )
            .param("expected", "RFC 3339")
        })?
        .with_timezone(&Utc);
    if t > Utc::now() + chrono::Duration::hours(24) {
        return Err(ApiError::field(ErrorCode::OutOfRange, "occurred_at", "is in the future"));
    }
    if t.year_ce().1 < 2000 {
        return Err(ApiError::field(ErrorCode::OutOfRange, "occurred_at", "is before 2000")
            .param("min", "2000-01-01"));
    }
    Ok(whole_seconds(t))
}

pub(crate) fn event_view(lot_id: &LotId, e: LotEvent, record_version: i64) -> EventView {
    EventView {
        id: e.id,
        lot_id: lot_id.clone(),
        seq: e.seq,
        event_type: e.event_type.as_str().to_string(),
        occurred_at: rfc3339(e.occurred_at),
        recorded_at: rfc3339(e.recorded_at),
        details: e.details,
        prev_hash: e.prev_hash,
        hash: e.hash,
        record_version,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use accounts::Role;

    fn new_lot() -> NewLot {
        NewLot {
            product_name: "  Chè Shan tuyết ".into(),
            quantity: serde_json::json!("12.5"),
            unit: "kg".into(),
            harvested_on: "2025-11-02".into(),
            commune_code: " 02467 ".into(),
            gtin: None,
            seller_id: None,
            lot_code: Some("A-1".into()),
            farm_name: None,
        }
    }

    #[test]
    fn a_new_lot_is_checked_without_the_database() {
        let lot = check_new_lot(&new_lot()).unwrap();
        assert_eq!(lot.commune_code, "02467");
        assert_eq!(lot.given_code.unwrap().as_str(), "A-1");
        let field = |input: NewLot| match check_new_lot(&input) {
            Err(e) => e.field_name().map(str::to_string).unwrap_or_default(),
            other => panic!("expected a refusal, got {:?}", other.map(|l| l.product_name)),
        };
        assert_eq!(field(NewLot { harvested_on: "1999-12-31".into(), ..new_lot() }), "harvested_on");
        assert_eq!(field(NewLot { commune_code: "2467".into(), ..new_lot() }), "commune_code");
    }

    #[test]
    fn only_staff_admin_and_the_farmer_may_change_a_lot() {
        let user = |id: &str| common::UserId::parse(id).unwrap_or_else(|| panic!("{id}"));
        let post_office = common::OrganisationId::parse("po1");
        let farmer = Actor::acting_as(&user("u1"), Role::Farmer, "A", None);
        let staff = Actor::acting_as(&user("u2"), Role::Staff, "B", post_office.as_ref());
        assert!(may_change(&farmer, "u1", None).is_ok());
        assert!(may_change(&farmer, "u9", None).is_err());
        assert!(may_change(&staff, "u1", Some("po1")).is_ok());
        assert!(may_change(&staff, "u1", Some("po2")).is_err());
    }

    #[test]
    fn generated_lot_codes_are_dated_and_unambiguous() {
        let day = NaiveDate::from_ymd_opt(2025, 11, 2).unwrap();
        let code = generate_lot_code(day);
        assert!(code.starts_with("251102-"));
        assert_eq!(code.len(), 13);
        assert!(!code[7..].contains(['I', 'L', 'O', 'U']));
        assert!(LotCode::parse(&code).is_ok());
    }
}
