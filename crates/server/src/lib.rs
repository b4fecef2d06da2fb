//! The nongsan server: configuration, the command line, app assembly, the
//! OpenAPI document and the demo data. Domain work lives in the slices
//! (`accounts`, `market`, `traceability`); this crate only wires them.

pub mod app;
pub mod assets;
pub mod backup;
pub mod cli;
pub mod config;
pub mod connections;
pub mod demo;
pub mod http_errors;
pub mod idempotency;
pub mod openapi;
pub mod operations;
pub mod payments;

pub use app::{prepare, Application, State};
pub use config::Config;
