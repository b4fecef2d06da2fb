//! The GS1 Digital Link resolver that printed labels point at:
//! `GET /01/{gtin}/10/{lot}` answers people with the scan page, machines
//! with the signed record, resolvers with a linkset.
//!
//! `rules` holds content negotiation and the linkset (pure), `scan_page`
//! the scan page's view model (pure), `store` what the page reads besides
//! the lot (the listing to buy it from), `routes` the handlers.

pub mod routes;
pub mod rules;
pub mod scan_page;
pub mod store;
