//! Printed labels: one 70x35 mm label (PNG or SVG) per lot, and A4 sheets
//! of many. The QR code holds the lot's GS1 Digital Link. Drawing is the
//! `labels` crate's (written `::labels` here); this module chooses the
//! text (`rules`) and serves it (`routes`).

pub mod routes;
pub mod rules;
