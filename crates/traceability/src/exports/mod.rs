//! Exports for other systems: a lot's events as a GS1 EPCIS 2.0 document,
//! and the FSMA 204 sortable spreadsheet of critical tracking events.
//!
//! `epcis` and `fsma` build the documents (pure), `store` gathers the FSMA
//! rows from the database, `routes` serves both.

pub mod epcis;
pub mod fsma;
pub mod routes;
pub mod store;
