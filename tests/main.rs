//! The end-to-end tests: the real nongsan server over HTTP, a module per
//! area, all in one test binary so the whole server is linked once (not
//! once per area). `support` starts a server on a fresh database (SQLite or
//! PostgreSQL, per `NONGSAN_TEST_BACKEND`) and holds the shared helpers.
//!
//! ```text
//! cargo test -p e2e                 # every area
//! cargo test -p e2e payments::      # one area
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod books_model;
mod bulk_onboarding;
mod buying_farmers;
mod database_outage;
mod farmer_app;
mod foundation;
mod fuzz_findings;
mod hardening;
mod idempotency;
mod market;
mod officer_stats;
mod operations;
mod parcels;
mod payments;
mod photo_store;
mod recalls;
mod roles;
mod scan_page;
mod security;
mod several_servers;
