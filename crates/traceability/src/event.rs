//! Lot events: the append-only history of one harvest lot.
//!
//! Every event carries only strings and integers (never floats) so that the
//! signed record can never be broken by number formatting, and every event
//! commits to the hash of the previous one (see [`crate::chain`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use common::{ApiError, ErrorCode};

/// The kinds of event a lot can record. The wire names are stable: they are
/// inside signed records that live for years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    Planting,
    InputApplication,
    Harvest,
    Packing,
    Cooling,
    Shipping,
    Receiving,
    Processing,
    Recall,
}

impl EventType {
    pub const ALL: [EventType; 9] = [
        EventType::Planting,
        EventType::InputApplication,
        EventType::Harvest,
        EventType::Packing,
        EventType::Cooling,
        EventType::Shipping,
        EventType::Receiving,
        EventType::Processing,
        EventType::Recall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Planting => "planting",
            EventType::InputApplication => "input_application",
            EventType::Harvest => "harvest",
            EventType::Packing => "packing",
            EventType::Cooling => "cooling",
            EventType::Shipping => "shipping",
            EventType::Receiving => "receiving",
            EventType::Processing => "processing",
            EventType::Recall => "recall",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ApiError> {
        EventType::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            ApiError::field(ErrorCode::UnknownValue, "type", format!("unknown event type `{s}`"))
        })
    }

    /// Vietnamese label for the scan page.
    pub fn label_vi(self) -> &'static str {
        match self {
            EventType::Planting => "Gieo trồng",
            EventType::InputApplication => "Bón phân / phun thuốc",
            EventType::Harvest => "Thu hoạch",
            EventType::Packing => "Đóng gói",
            EventType::Cooling => "Làm lạnh",
            EventType::Shipping => "Gửi hàng",
            EventType::Receiving => "Nhận hàng",
            EventType::Processing => "Chế biến",
            EventType::Recall => "Thu hồi",
        }
    }

    /// A recall is recorded by staff through the recall route, never as an
    /// ordinary event.
    pub fn is_user_recordable(self) -> bool {
        self != EventType::Recall
    }
}

/// What happened, per event type. Fields are strings or integers only.
/// Quantities are integer grams (`*_g`) so the signed JSON has no floats.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDetails {
    /// Free-text note from the farmer or staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where it happened (farm, field, packhouse, post office…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Field or growing-area name (FSMA 204 harvest KDE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Variety, e.g. "Shan tuyết".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variety: Option<String>,
    /// Input application: the product applied (fertiliser, pesticide…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Input application: the dose as written on the label, e.g. "2 kg/sào".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<String>,
    /// Input application: days to wait before harvest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_harvest_interval_days: Option<i64>,
    /// Quantity handled, in grams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_g: Option<i64>,
    /// Packing: package description, e.g. "túi 500 g".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Cooling: temperature in whole degrees Celsius.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature_c: Option<i64>,
    /// Shipping/receiving: the other party or place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Processing: what was done, e.g. "sao chè" (tea roasting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// Reference document (invoice, bill of lading) number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_document: Option<String>,
    /// Recall: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

const MAX_TEXT: usize = 500;
pub const MAX_GRAMS: i64 = 1_000_000_000_000;

impl EventDetails {
    /// Checks the fields each type needs and rejects absurd values.
    pub fn validate_for(&self, event_type: EventType) -> Result<(), ApiError> {
        let texts = [
            ("note", &self.note),
            ("location", &self.location),
            ("field", &self.field),
            ("variety", &self.variety),
            ("product", &self.product),
            ("dose", &self.dose),
            ("package", &self.package),
            ("from", &self.from),
            ("to", &self.to),
            ("process", &self.process),
            ("reference_document", &self.reference_document),
            ("reason", &self.reason),
        ];
        for (name, value) in texts {
            if let Some(v) = value {
                if v.trim().is_empty() {
                    return Err(ApiError::field(ErrorCode::Required, name, "must not be empty when given"));
                }
                if v.chars().count() > MAX_TEXT {
                    return Err(ApiError::field(ErrorCode::TooLong, name, "is longer than 500 characters")
                        .param("max", MAX_TEXT));
                }
                if v.chars().any(|c| c.is_control() && c != '\n') {
                    return Err(ApiError::field(
                        ErrorCode::ControlCharacters,
                        name,
                        "control characters are not allowed",
                    ));
                }
            }
        }
        if let Some(q) = self.quantity_g {
            // A million tonnes is beyond any lot; the bound also keeps every
            // signed integer exact in IEEE doubles (RFC 8785, JavaScript).
            if !(1..=MAX_GRAMS).contains(&q) {
                return Err(ApiError::field(
                    ErrorCode::OutOfRange,
                    "quantity_g",
                    "must be a positive integer up to 10^12",
                )
                .param("min", 1)
                .param("max", MAX_GRAMS));
            }
        }
        if let Some(d) = self.pre_harvest_interval_days {
            if !(0..=3650).contains(&d) {
                return Err(ApiError::field(
                    ErrorCode::OutOfRange,
                    "pre_harvest_interval_days",
                    "must be 0 to 3650",
                )
                .param("min", 0)
                .param("max", 3650));
            }
        }
        if let Some(t) = self.temperature_c {
            if !(-80..=100).contains(&t) {
                return Err(ApiError::field(ErrorCode::OutOfRange, "temperature_c", "must be -80 to 100")
                    .param("min", -80)
                    .param("max", 100));
            }
        }
        let require = |name: &str, v: &Option<String>| {
            if v.is_none() {
                Err(ApiError::field(
                    ErrorCode::Required,
                    name,
                    format!("is required for a {} event", event_type.as_str()),
                ))
            } else {
                Ok(())
            }
        };
        match event_type {
            EventType::InputApplication => {
                require("product", &self.product)?;
                require("dose", &self.dose)?;
            }
            EventType::Shipping => require("to", &self.to)?,
            EventType::Receiving => require("from", &self.from)?,
            EventType::Processing => require("process", &self.process)?,
            EventType::Recall => require("reason", &self.reason)?,
            _ => {}
        }
        Ok(())
    }
}

/// One recorded event, as it is stored and signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotEvent {
    pub id: String,
    /// 1-based position in the lot's history.
    pub seq: i64,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When it happened (UTC, RFC 3339, seconds precision).
    pub occurred_at: DateTime<Utc>,
    /// When the server recorded it.
    pub recorded_at: DateTime<Utc>,
    pub details: EventDetails,
    /// Hash of the previous event (or of the lot's genesis), hex SHA-256.
    pub prev_hash: String,
    /// Hash committing to this event and `prev_hash`, hex SHA-256.
    pub hash: String,
}
