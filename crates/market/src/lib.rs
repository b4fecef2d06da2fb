//! Market: reference data (communes, banks, categories, units), seller
//! onboarding, listings and their search, orders, and statistics.
//!
//! One folder per resource, each cut the same way, so that a path says
//! what a file may touch:
//!
//! - `mod.rs`: the resource's public API types (what the JSON says);
//! - `rules.rs`: pure decisions and validation: no actix-web, no diesel,
//!   no storage;
//! - `store.rs`: its diesel queries, taking a connection;
//! - `routes.rs`: its handlers with their OpenAPI paths, behind one
//!   `configure`, and the `…Api` that lists those paths.
//!
//! A resource has only the files it needs:
//!
//! - [`reference`]: the 2025 communes and provinces (`store`), with the
//!   data tables `banks` and `catalog` (categories, units);
//! - [`sellers`]: onboarding one by one or from a CSV file; `spreadsheet`
//!   reads the file (pure);
//! - [`listings`]: listings and their photos (`photos`: records of the
//!   stored images); `search` runs full-text search on each backend,
//!   `search/sqlite.rs` and `search/postgres.rs` building its SQL;
//! - [`orders`]: `lifecycle` is the part and order state machine (pure);
//!   `store/` holds one file per thing done to orders (placing, views,
//!   transitions and expiry, payments);
//! - [`postage`]: the postage tariff in force (`store` keeps the ones the
//!   operator loaded) and parcels priced by zone and weight with the pure
//!   rules of the `parcels` crate, for orders and quotes;
//! - [`stats`]: monthly figures of an area, for officers.
//!
//! Beside them: `error` (the codes of the market's own errors in the API's
//! one error table, `common::ApiError`), `body` (reading request bodies by hand, for the routes),
//! `text` (pure folding of Vietnamese text for search).
//!
//! The listing generator (`nongsan seed-listings`, the search bench) is
//! its own crate, `listing-generator`, built on this one.

pub mod body;
pub mod error;
pub mod listings;
pub mod orders;
pub mod postage;
pub mod reference;
pub mod sellers;
pub mod stats;
pub mod text;

pub use error::{RowErrorBody, RowErrorDetail};
