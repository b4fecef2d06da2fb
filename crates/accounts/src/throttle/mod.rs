//! Slowing down guessing: login and activation attempts, and
//! registrations, counted per key (a phone at an address, a phone, an
//! address) with delays that double once a key's free attempts are used.
//!
//! An attempt is counted *before* the password is checked and taken back
//! when it proves right, so parallel guesses cannot slip past the count:
//! each one reserves its turn in one write transaction that locks the
//! key's row. [`rules`] decides from plain values; [`store`] keeps the
//! counters; [`client`] tells which address a request came from.

pub mod client;
pub mod rules;
pub mod store;

pub use client::{ClientAddr, TrustedProxies};
pub use rules::Limit;
