//! Parcels: what the post office charges to carry one seller's part of an
//! order. Pure decisions from plain data, so they are unit-tested without a
//! server or a database:
//!
//! - [`zones`]: how far a parcel travels, from the seller's and the buyer's
//!   communes: the same commune, the same province, a neighbouring province
//!   (a fixed table of the 34 provinces of 2025), or far.
//! - [`tariff`]: the operator's price list by zone and weight band, with a
//!   surcharge for cash on delivery; checked whole (no gap, no overlap, no
//!   cheaper band above a dearer one) before it replaces the one in force.
//!
//! Money is whole đồng and weights whole grams, as everywhere in nongsan.

pub mod tariff;
pub mod zones;

pub use tariff::{Band, Postage, Tariff, ZoneTariff};
pub use zones::{zone_between, Place, Zone};
