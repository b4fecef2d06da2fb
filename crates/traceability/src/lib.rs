//! Traceability: lots, their hash-chained events, signed provenance records
//! (W3C VC 2.0 with `eddsa-jcs-2022`), GS1 Digital Link and EPCIS 2.0.
//!
//! One folder per resource, each cut the same way: `mod.rs` (its API
//! types), `rules.rs` (pure: no actix-web, no diesel, no storage), `store.rs`
//! (diesel queries, taking a connection), `routes.rs` (handlers with their
//! OpenAPI paths). A resource lacks the files it does not need.
//!
//! - `lots/`: lots and their events: create, append, recall, list, read.
//! - `records/`: signed record versions: issuing (signing) after every
//!   change, reading them, re-signing after a key is revoked.
//! - `keys/`: organisations, their issuer keys and the trust list
//!   (`rules`: the trust decision).
//! - `verify/`: checking a record (`rules`: the offline checks and the
//!   verdict; `store`: the lot's status and its in-memory copy).
//! - `labels/`: printed labels and A4 label sheets.
//! - `resolver/`: the GS1 Digital Link resolver (`rules`: content
//!   negotiation and the linkset; `scan_page`: the scan page's view model).
//! - `exports/`: EPCIS 2.0 and FSMA 204 (`epcis` and `fsma` build the
//!   documents, pure).
//!
//! Pure building blocks, flat, tested in plain unit and property tests:
//! `jcs` (RFC 8785), `did_key`, `proof` (Data Integrity), `chain` (the
//! events' hash chain), `credential` (the record's shape), `gtin`,
//! `digital_link`, `event`, `quantity`, and `remembered` (a value kept in
//! memory for a moment). `error` holds [`ApiError`] and its HTTP mapping.
//!
//! `routes::configure` registers every route and `routes::TraceabilityApi`
//! lists every documented handler (the server calls both); `routes` also
//! holds what the handlers share (`with_conn`, the app data they take).
//! A resource's `mod.rs` re-exports the operations other crates call
//! (`lots::create_lot`, `records::record`, `keys::rotate`, `verify::offline`…).

pub mod chain;
pub mod credential;
pub mod did_key;
pub mod digital_link;
pub mod event;
pub mod exports;
pub mod gtin;
pub mod jcs;
pub mod keys;
pub mod labels;
pub mod lots;
pub mod proof;
pub mod quantity;
pub mod records;
pub mod remembered;
pub mod resolver;
pub mod routes;
pub mod verify;

pub use event::{EventDetails, EventType, LotEvent};
