//! Who may see and act for which seller: the one rule that lots, listings,
//! orders, money and exports all ask.
//!
//! - An admin acts for every seller.
//! - Post-office staff act for the sellers of their own post office (the
//!   organisation that onboarded them), and for no other.
//! - A farmer acts for itself only.
//! - Buyers and commune officers act for no seller: buyers see what is
//!   public (listings, signed records) and their own orders; officers read
//!   statistics, which name no seller.
//!
//! [`rules`] decides it from plain values (unit-tested); [`store`] applies
//! the same decision to a diesel query that joins `sellers`, so a list
//! shows exactly the sellers [`SellerScope::includes`] allows.

pub mod rules;
pub mod store;

pub use rules::{may_act_for, seller_scope, SellerOwner, SellerScope};
