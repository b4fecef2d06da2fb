//! What every slice shares, and nothing else:
//!
//! - [`ids`]: typed ids (`LotId`, `OrderId`, …), opaque strings on the wire,
//!   parsed once at the edge, stored through diesel as text. A lot id cannot
//!   be passed where an order id is expected.
//! - [`error`]: the one error rule. Every code the API can answer with sits
//!   in one table ([`ErrorCode`]) beside its HTTP status; every handler
//!   returns [`ApiError`]; diesel's errors become API errors in one place;
//!   an unexpected failure is logged with its cause chain and the client
//!   sees a bare 500.
//! - [`time`]: the one RFC 3339 format of every timestamp we write.
//!
//! It sits below every slice (storage, accounts, traceability, market,
//! payment all depend on it) and depends on none of them.

pub mod error;
pub mod files;
pub mod ids;
pub mod time;

pub use error::{ApiError, ErrorBody, ErrorCode, FieldError};
pub use ids::*;
pub use time::rfc3339;
