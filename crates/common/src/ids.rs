//! Typed ids. On the wire every id is an opaque string; inside, each kind of
//! thing has its own type, so a lot id cannot be passed where an order id is
//! expected, and an id is checked once, where it enters (a path segment, a
//! body field), not in every function that receives it.
//!
//! An id that could not name a row (empty, too long, characters no id of
//! ours has, such as a NUL byte, which PostgreSQL cannot even compare) does
//! not parse: in a path that is the same 404 as an id that names nothing.
//! Ids made here are UUID v4 text; they are made in Rust so that no insert
//! needs RETURNING, which the two backends spell differently.

use std::fmt;

/// The shape of the ids we make (UUIDs) and of the few we were given
/// before (demo and test fixtures use short readable ids): 1 to 64 ASCII
/// letters, digits and hyphens.
pub fn plausible_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Bank-notification ids are the bank service's own: 1 to 100 printable
/// ASCII characters.
pub fn plausible_notification_id(id: &str) -> bool {
    (1..=100).contains(&id.len()) && id.bytes().all(|b| (0x20..=0x7E).contains(&b))
}

/// A parcel's code as printed on its label and typed by a scanner: the
/// order's code, a dash and the part's number (`NS7K2M9QXB-1`), in either
/// case; 1 to 40 ASCII letters, digits and dashes.
pub fn plausible_parcel_code(code: &str) -> bool {
    (1..=40).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A new opaque id (UUID v4 text).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        typed_id!($(#[$doc])* $name, plausible_id);
    };
    ($(#[$doc:meta])* $name:ident, $plausible:path) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $name(String);

        impl $name {
            /// A fresh id for a new row.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                $name(new_id())
            }

            /// The id named by text from outside, or `None` when the text
            /// could not be an id of this kind.
            pub fn parse(text: &str) -> Option<Self> {
                $plausible(text).then(|| $name(text.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.0 == *other
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(text: &str) -> Result<Self, InvalidId> {
                $name::parse(text).ok_or(InvalidId { kind: stringify!($name) })
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&text)
                    .ok_or_else(|| serde::de::Error::custom(InvalidId { kind: stringify!($name) }))
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.0.as_str(), out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                // What we stored was an id when we stored it; no re-check.
                Ok($name(String::from_sql(bytes)?))
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <String as utoipa::PartialSchema>::schema()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

typed_id!(
    /// A person's account (farmer, buyer, staff, officer, admin).
    UserId
);
impl UserId {
    /// The actor of work no person asks for (unpaid orders expiring), as
    /// the audit log names it.
    pub fn system() -> Self {
        UserId("system".to_string())
    }
}

typed_id!(
    /// The operator, a post office or a cooperative.
    OrganisationId
);
typed_id!(
    /// A farmer onboarded as a seller (not the same as the farmer's user id).
    SellerId
);
typed_id!(
    /// One harvest batch of one product from one seller.
    LotId
);
typed_id!(
    /// One event in a lot's hash-chained history.
    EventId
);
typed_id!(
    /// An issuer signing key of an organisation.
    IssuerKeyId
);
typed_id!(
    /// Produce offered for sale.
    ListingId
);
typed_id!(
    /// A photo of a listing.
    PhotoId
);
typed_id!(
    /// A buyer's order (all its parts).
    OrderId
);
typed_id!(
    /// The part of an order one seller fulfils (one parcel).
    PartId
);
typed_id!(
    /// A parcel's code on its label (one order part): how the counter's
    /// scanner names it.
    ParcelCode,
    plausible_parcel_code
);
typed_id!(
    /// A post office's remittance of cash collected on delivery.
    RemittanceId
);
typed_id!(
    /// A run paying sellers what they are owed.
    PayoutId
);
typed_id!(
    /// A bank-transfer notification, named by the bank service's own id.
    NotificationId,
    plausible_notification_id
);

/// Text that cannot be an id of the kind asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId {
    pub kind: &'static str,
}

impl fmt::Display for InvalidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a valid {} (1 to 64 letters, digits and hyphens)", self.kind)
    }
}

impl std::error::Error for InvalidId {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn made_ids_parse_back() {
        let id = LotId::new();
        assert_eq!(LotId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(id.as_str().len(), 36);
    }

    #[test]
    fn implausible_text_is_not_an_id() {
        for bad in ["", "a b", "x\0", "lot/1", "é", &"a".repeat(65)] {
            assert_eq!(OrderId::parse(bad), None, "{bad:?}");
            assert!(serde_json::from_value::<OrderId>(serde_json::json!(bad)).is_err());
        }
        assert!(serde_json::from_value::<OrderId>(serde_json::json!(5)).is_err());
    }

    #[test]
    fn notification_ids_are_the_banks() {
        assert!(NotificationId::parse("FT 26334.123_456").is_some());
        assert!(NotificationId::parse("x\u{7f}").is_none());
        assert!(NotificationId::parse(&"1".repeat(101)).is_none());
    }

    #[test]
    fn wire_form_is_the_bare_string() {
        let id: SellerId =
            serde_json::from_value(serde_json::json!("abc-123")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(serde_json::to_value(&id).ok(), Some(serde_json::json!("abc-123")));
        assert_eq!(id.to_string(), "abc-123");
    }

    proptest! {
        #[test]
        fn parse_agrees_with_the_rule(text in "\\PC{0,70}") {
            prop_assert_eq!(ListingId::parse(&text).is_some(), plausible_id(&text));
        }
    }
}
