//! The generated listings: titles and descriptions as sellers write them,
//! prices of the trade, stock, some paused, deleted, sold out or selling
//! from a lot; made in creation order (so search ids follow it, as when
//! farmers list one by one) and inserted in batches through the real
//! table, so the full-text index is kept as for a listing made through the
//! API.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use storage::schema::listings;
use storage::DbConnection;

use crate::places::{Commune, Office};
use crate::rng::Rng;
use crate::sellers::Seller;
use crate::vocabulary::{self, Product, PRODUCTS};
use crate::SeedPlan;
use common::ApiError;
use market::listings::rules::{self, ListingStatus, Place};
use market::reference::catalog;
use market::text;

/// Log-uniform between the trade's low and high price, with the seller's
/// own markup, rounded the way prices are written.
fn price(rng: &mut Rng, product: &Product, factor: f64) -> i64 {
    let (lo, hi) = (product.price.0 as f64, product.price.1 as f64);
    let raw = (lo.ln() + rng.unit() * (hi.ln() - lo.ln())).exp() * factor;
    let step = match raw {
        r if r < 20_000.0 => 500.0,
        r if r < 1_000_000.0 => 1_000.0,
        r if r < 10_000_000.0 => 10_000.0,
        _ => 1_000_000.0,
    };
    ((raw / step).round() * step).clamp(1.0, rules::MAX_PRICE_VND as f64) as i64
}

fn quantity(rng: &mut Rng, unit: &str) -> i64 {
    let (median, max) = match unit {
        "kg" => (40.0, 2_000.0),
        "g" => (1_000.0, 50_000.0),
        "tan" => (3.0, 50.0),
        "l" => (20.0, 500.0),
        "qua" => (200.0, 5_000.0),
        _ => (50.0, 1_000.0),
    };
    ((median * (0.9 * rng.normal()).exp()).round().clamp(1.0, max)) as i64
}

/// What one unit weighs packed: the unit's own mass for units of mass
/// (none for a tonne, which no parcel carries), otherwise a plausible
/// packed weight for the kind of unit, rounded to 10 g.
fn unit_weight(rng: &mut Rng, unit: &str) -> Option<i64> {
    let (lo, hi) = match unit {
        "kg" => return Some(1_000),
        "g" => return Some(1),
        "tan" => return None,
        "l" => (1_000, 1_150),
        "qua" => (150, 2_500),
        "bo" => (200, 900),
        "hop" => (250, 2_000),
        "goi" => (100, 1_000),
        "chai" => (400, 1_600),
        "tui" => (300, 5_000),
        "con" => (1_200, 4_000),
        _ => (200, 2_000),
    };
    Some((lo + (rng.unit() * (hi - lo) as f64) as i64) / 10 * 10)
}

fn title(rng: &mut Rng, product: &Product, place: &Commune) -> String {
    let mut title = product.name.to_string();
    if rng.chance(0.55) {
        title = format!("{title} {}", rng.pick(product.kinds));
    }
    let origin = match rng.below(10) {
        0..=3 => Some(*rng.pick(product.origins)),
        4..=6 => Some(place.short_name.as_str()),
        _ => None,
    };
    if let Some(origin) = origin.filter(|o| !title.contains(o)) {
        title = format!("{title} {origin}");
    }
    if rng.chance(0.35) {
        title = format!("{title} {}", rng.pick(vocabulary::GRADES));
    }
    if rng.chance(0.2) {
        title = format!("{title} - {}", rng.pick(vocabulary::PACKINGS));
    }
    title
}

fn description(rng: &mut Rng, product: &Product, seller: &Seller, place: &Commune) -> Option<String> {
    if rng.chance(0.15) {
        return None;
    }
    let who = seller.farm_name.clone().unwrap_or_else(|| format!("nhà {}", seller.full_name));
    let mut text = format!(
        "{} của {who}, {}, {}. {}",
        product.name,
        place.name,
        place.province_short,
        rng.pick(vocabulary::notes(product.category))
    );
    if rng.chance(0.5) {
        text = format!("{text} {}", rng.pick(vocabulary::CLOSINGS));
    }
    Some(text)
}

/// One listing, as the batch insert takes it.
struct Row {
    id: String,
    seller_id: String,
    title: String,
    category: &'static str,
    unit: &'static str,
    price_vnd: i64,
    quantity: i64,
    unit_weight_g: Option<i64>,
    description: Option<String>,
    lot_id: Option<String>,
    status: &'static str,
    commune_code: String,
    province_code: String,
    search_title: String,
    search_body: String,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

const BATCH: usize = 1_000;

pub(crate) fn insert_listings(
    conn: &mut DbConnection,
    rng: &mut Rng,
    plan: &SeedPlan,
    sellers: &[Seller],
    places: &[Commune],
    offices: &BTreeMap<String, Office>,
    progress: &mut dyn FnMut(&str),
) -> Result<usize, ApiError> {
    let all_weights: Vec<f64> = PRODUCTS.iter().map(|p| f64::from(p.weight)).collect();
    // When each listing was made, then the listings in that order, so that
    // search ids follow creation as they do when farmers list one by one.
    // Recent months are busier than old ones.
    let mut made: Vec<(NaiveDateTime, usize)> = Vec::with_capacity(plan.listings);
    for (index, seller) in sellers.iter().enumerate() {
        let span = (plan.until - seller.created_at).num_seconds().max(1) as f64;
        for _ in 0..seller.listings {
            made.push((plan.until - Duration::seconds((span * rng.unit().powf(1.6)) as i64), index));
        }
    }
    made.sort();
    let own: Vec<Vec<f64>> =
        sellers.iter().map(|s| (0..s.products.len()).map(|i| 1.0 / (i + 1) as f64).collect()).collect();
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
    let (mut done, mut available, mut reported) = (0, 0, 0);
    for (created_at, index) in made {
        let seller = &sellers[index];
        let place = &places[seller.commune];
        let staff = offices.get(&place.province_code).map(|o| o.staff_user_id.as_str());
        let own = &own[index];
        // Mostly the seller's own trade, sometimes a neighbour's honey
        // or eggs.
        let (product, own_index) = if rng.chance(0.8) {
            let i = rng.weighted(own);
            (seller.products[i], Some(i))
        } else {
            (&PRODUCTS[rng.weighted(&all_weights)], None)
        };
        let category = catalog::find_category(product.category)
            .ok_or_else(|| ApiError::internal(format!("unknown category {}", product.category)))?;
        let title = title(rng, product, place);
        let description = description(rng, product, seller, place);
        let status = match rng.below(100) {
            0..=4 => ListingStatus::Deleted,
            5..=11 => ListingStatus::Paused,
            _ => ListingStatus::Active,
        };
        let quantity = if rng.chance(0.09) { 0 } else { quantity(rng, product.unit) };
        let lots: Vec<&(usize, String, bool)> =
            seller.lots.iter().filter(|(i, _, _)| Some(*i) == own_index).collect();
        let lot = if !lots.is_empty() && rng.chance(0.6) { Some(*rng.pick(&lots)) } else { None };
        if status == ListingStatus::Active && quantity > 0 && !lot.is_some_and(|l| l.2) {
            available += 1;
        }
        let updated_at = (created_at + Duration::seconds(rng.below(60 * 86_400) as i64)).min(plan.until);
        let body = rules::search_body(
            description.as_deref(),
            seller.farm_name.as_deref().unwrap_or(&seller.full_name),
            &Place { commune_name: &place.name, province_name: &place.province_name },
            category,
        );
        batch.push(Row {
            id: rng.uuid(),
            seller_id: seller.id.clone(),
            search_title: text::fold(&title),
            title,
            category: category.code,
            unit: product.unit,
            price_vnd: price(rng, product, seller.price_factor),
            quantity,
            unit_weight_g: unit_weight(rng, product.unit),
            description,
            lot_id: lot.map(|l| l.1.clone()),
            status: status.as_str(),
            commune_code: place.code.clone(),
            province_code: place.province_code.clone(),
            search_body: body,
            created_by: match staff {
                Some(staff) if rng.chance(0.35) => staff.to_string(),
                _ => seller.user_id.clone(),
            },
            created_at,
            updated_at,
        });
        if batch.len() == BATCH {
            done += write_batch(conn, &mut batch)?;
        }
        if done >= reported + 20_000 {
            reported = done;
            progress(&format!("{done} listings"));
        }
    }
    write_batch(conn, &mut batch)?;
    Ok(available)
}

fn write_batch(conn: &mut DbConnection, batch: &mut Vec<Row>) -> Result<usize, ApiError> {
    if batch.is_empty() {
        return Ok(0);
    }
    let rows = std::mem::take(batch);
    storage::write_transaction(conn, |conn| {
        let first = market::listings::store::reserve_search_ids(conn, rows.len() as i64)?;
        let values: Vec<_> = rows
            .iter()
            .zip(first..)
            .map(|(r, search_id)| {
                (
                    listings::id.eq(&r.id),
                    listings::search_id.eq(search_id),
                    listings::seller_id.eq(&r.seller_id),
                    listings::title.eq(&r.title),
                    listings::category.eq(r.category),
                    listings::unit.eq(r.unit),
                    listings::price_vnd.eq(r.price_vnd),
                    listings::quantity.eq(r.quantity),
                    listings::unit_weight_g.eq(r.unit_weight_g),
                    listings::description.eq(&r.description),
                    listings::lot_id.eq(&r.lot_id),
                    listings::status.eq(r.status),
                    listings::commune_code.eq(&r.commune_code),
                    listings::province_code.eq(&r.province_code),
                    listings::search_title.eq(&r.search_title),
                    listings::search_body.eq(&r.search_body),
                    listings::created_by.eq(&r.created_by),
                    listings::created_at.eq(r.created_at),
                    listings::updated_at.eq(r.updated_at),
                )
            })
            .collect();
        storage::per_backend!(&mut *conn, |c| diesel::insert_into(listings::table)
            .values(&values)
            .execute(c))?;
        Ok(rows.len())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_vocabulary_fits_the_rules() {
        let mut rng = Rng::new(1);
        let place = Commune {
            code: "02260".into(),
            province_code: "08".into(),
            name: "Xã Hồng Thái".into(),
            short_name: "Hồng Thái".into(),
            province_name: "Tỉnh Tuyên Quang".into(),
            province_short: "Tuyên Quang".into(),
            weight: 1.0,
        };
        for product in PRODUCTS {
            assert!(catalog::find_category(product.category).is_some(), "{}", product.name);
            assert!(rules::unit(product.unit).is_ok(), "{}", product.name);
            if let Some(w) = unit_weight(&mut rng, product.unit) {
                assert!(rules::unit_weight(Some(&w.into()), rules::unit(product.unit).unwrap()).is_ok());
            }
            assert!(!product.kinds.is_empty() && !product.origins.is_empty(), "{}", product.name);
            for _ in 0..20 {
                let t = title(&mut rng, product, &place);
                assert_eq!(rules::title(&t).unwrap(), t);
                let p = price(&mut rng, product, 1.2);
                assert!((1..=rules::MAX_PRICE_VND).contains(&p), "{t}: {p}");
                assert!(rules::quantity(&quantity(&mut rng, product.unit).into()).is_ok());
            }
        }
        for (code, _) in vocabulary::CATEGORY_WEIGHTS {
            assert!(PRODUCTS.iter().any(|p| p.category == *code), "{code} has no products");
        }
    }
}
