//! The postage tariff: what carrying one parcel costs, by zone and weight.
//!
//! Its shape follows the national post's published domestic parcel tariff:
//! for each zone, a price per weight band up to a few kilograms, then a price
//! for every further step (say each extra 500 g), and a surcharge when the
//! postman collects cash on delivery. The operator replaces the numbers with
//! their own contract's; [`Tariff::check`] refuses a tariff with a gap or an
//! overlap between bands, a dearer band below a cheaper one, or a zone left
//! out, so a weight can never fall outside it or be priced by chance.
//!
//! A parcel weighs the goods (each listing's `unit_weight_g` × quantity) plus
//! the operator's packaging allowance.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::zones::Zone;
use common::{ApiError, ErrorCode};

/// The heaviest parcel the post office takes: 30 kg, as for domestic
/// parcels.
pub const MAX_PARCEL_G: i64 = 30_000;
/// The most one step of the tariff may cost: a typing slip of a few zeros
/// must not put a million đồng on a bag of tea.
pub const MAX_PRICE_VND: i64 = 10_000_000;

/// The price list in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    /// Added to the goods' weight of every parcel: box, bag, padding.
    pub packaging_g: i64,
    /// Cash on delivery costs this share of the cash collected, in basis
    /// points (100 = 1 %), and at least `cod_min_vnd`.
    pub cod_basis_points: i64,
    pub cod_min_vnd: i64,
    /// One price list per zone; every zone must be there.
    pub zones: BTreeMap<Zone, ZoneTariff>,
}

/// One zone's prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneTariff {
    /// Weight bands from 0 g upwards, each starting where the last ended.
    pub bands: Vec<Band>,
    /// Above the last band: each further `extra_step_g` (or part of it)
    /// costs `extra_step_vnd`.
    pub extra_step_g: i64,
    pub extra_step_vnd: i64,
}

/// Parcels heavier than `from_g` and up to `to_g` cost `price_vnd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub from_g: i64,
    pub to_g: i64,
    pub price_vnd: i64,
}

/// What one parcel costs, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Postage {
    pub zone: Zone,
    /// Goods and packaging.
    pub weight_g: i64,
    /// Carrying, by zone and weight.
    pub carriage_vnd: i64,
    /// For collecting cash on delivery (0 when paid by transfer).
    pub cod_vnd: i64,
    pub postage_vnd: i64,
}

impl Tariff {
    /// The tariff nongsan starts with: the national post's structure
    /// (bands to 2 kg, then per 500 g; four zones; a COD surcharge of 1 %,
    /// at least 10,000 ₫), with round prices of the same order as its 2025
    /// domestic parcel list. Operators load their own contract's figures.
    pub fn standard() -> Tariff {
        let zone = |p500: i64, p1000: i64, p2000: i64, extra: i64| ZoneTariff {
            bands: vec![
                Band { from_g: 0, to_g: 500, price_vnd: p500 },
                Band { from_g: 500, to_g: 1_000, price_vnd: p1000 },
                Band { from_g: 1_000, to_g: 2_000, price_vnd: p2000 },
            ],
            extra_step_g: 500,
            extra_step_vnd: extra,
        };
        Tariff {
            packaging_g: 100,
            cod_basis_points: 100,
            cod_min_vnd: 10_000,
            zones: BTreeMap::from([
                (Zone::SameCommune, zone(15_000, 18_000, 22_000, 2_500)),
                (Zone::SameProvince, zone(18_000, 22_000, 27_000, 3_000)),
                (Zone::Neighbouring, zone(25_000, 30_000, 38_000, 5_000)),
                (Zone::Far, zone(32_000, 40_000, 52_000, 8_000)),
            ]),
        }
    }

    /// Checks the whole tariff; the first fault found, with its field.
    pub fn check(&self) -> Result<(), ApiError> {
        whole("packaging_g", self.packaging_g, 0, 5_000)?;
        whole("cod_basis_points", self.cod_basis_points, 0, 10_000)?;
        whole("cod_min_vnd", self.cod_min_vnd, 0, MAX_PRICE_VND)?;
        for zone in Zone::ALL {
            let Some(z) = self.zones.get(&zone) else {
                return Err(ApiError::field(
                    ErrorCode::Required,
                    format!("zones.{}", zone.as_str()),
                    "every zone needs its prices",
                ));
            };
            let at = |rest: String| format!("zones.{}.{rest}", zone.as_str());
            if z.bands.is_empty() {
                return Err(ApiError::field(
                    ErrorCode::Required,
                    at("bands".into()),
                    "at least one weight band",
                ));
            }
            let mut from = 0;
            let mut price = 0;
            for (i, band) in z.bands.iter().enumerate() {
                let here = |f: &str| at(format!("bands[{i}].{f}"));
                if band.from_g != from {
                    let what = if band.from_g > from { "a gap" } else { "an overlap" };
                    return Err(ApiError::field(
                        ErrorCode::InvalidInput,
                        here("from_g"),
                        format!("{what}: this band must start at {from} g, where the one before ends"),
                    )
                    .param("expected", from));
                }
                whole(&here("to_g"), band.to_g, band.from_g + 1, MAX_PARCEL_G)?;
                whole(&here("price_vnd"), band.price_vnd, price.max(1), MAX_PRICE_VND).map_err(|e| {
                    if band.price_vnd < price {
                        ApiError::field(
                            ErrorCode::InvalidInput,
                            here("price_vnd"),
                            "a heavier band cannot cost less than a lighter one",
                        )
                    } else {
                        e
                    }
                })?;
                from = band.to_g;
                price = band.price_vnd;
            }
            if from < MAX_PARCEL_G {
                whole(&at("extra_step_g".into()), z.extra_step_g, 1, MAX_PARCEL_G)?;
                whole(&at("extra_step_vnd".into()), z.extra_step_vnd, 1, MAX_PRICE_VND)?;
            }
        }
        Ok(())
    }

    /// The postage of one parcel of goods weighing `goods_g` in `zone`;
    /// `cod_goods_vnd` is the cash the postman collects for the goods when
    /// the buyer pays on delivery (`None` when paid by transfer).
    pub fn price(&self, zone: Zone, goods_g: i64, cod_goods_vnd: Option<i64>) -> Result<Postage, ApiError> {
        let weight_g = goods_g.saturating_add(self.packaging_g);
        if goods_g <= 0 {
            return Err(ApiError::new(ErrorCode::OutOfRange, "a parcel must hold something").param("min", 1));
        }
        if weight_g > MAX_PARCEL_G {
            return Err(ApiError::new(
                ErrorCode::ParcelTooHeavy,
                format!(
                    "a parcel weighs at most {} kg with its packaging; this one {weight_g} g",
                    MAX_PARCEL_G / 1000
                ),
            )
            .param("max", MAX_PARCEL_G)
            .with_extra("weight_g", weight_g));
        }
        let z = self.zones.get(&zone).ok_or_else(|| {
            ApiError::internal(format!("the tariff has no prices for zone {}", zone.as_str()))
        })?;
        let carriage_vnd = match z.bands.iter().find(|b| b.from_g < weight_g && weight_g <= b.to_g) {
            Some(band) => band.price_vnd,
            None => {
                let last = z.bands.last().ok_or_else(|| ApiError::internal("a zone without bands"))?;
                let over = weight_g - last.to_g;
                let steps = (over + z.extra_step_g - 1) / z.extra_step_g.max(1);
                last.price_vnd + steps * z.extra_step_vnd
            }
        };
        let cod_vnd = match cod_goods_vnd {
            Some(goods) => (goods * self.cod_basis_points / 10_000).max(self.cod_min_vnd),
            None => 0,
        };
        Ok(Postage { zone, weight_g, carriage_vnd, cod_vnd, postage_vnd: carriage_vnd + cod_vnd })
    }
}

/// `value` must lie in `min..=max`.
fn whole(field: &str, value: i64, min: i64, max: i64) -> Result<(), ApiError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ApiError::field(ErrorCode::OutOfRange, field, format!("between {min} and {max}"))
            .param("min", min)
            .param("max", max))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn field_of(e: &ApiError) -> String {
        serde_json::to_value(e.body()).unwrap()["error"]["field"].as_str().unwrap_or_default().to_string()
    }

    #[test]
    fn the_standard_tariff_is_whole_and_prices_by_band_then_by_step() {
        let t = Tariff::standard();
        t.check().unwrap();
        // 3 × 120 g of tea + 100 g packaging = 460 g: the first band
        let p = t.price(Zone::Far, 360, None).unwrap();
        assert_eq!((p.weight_g, p.carriage_vnd, p.cod_vnd, p.postage_vnd), (460, 32_000, 0, 32_000));
        // exactly on a band's upper edge stays in it
        assert_eq!(t.price(Zone::Far, 400, None).unwrap().carriage_vnd, 32_000);
        assert_eq!(t.price(Zone::Far, 401, None).unwrap().carriage_vnd, 40_000);
        // 5 kg of rice + 100 g = 5,100 g: 2 kg band, then 7 started steps of 500 g
        assert_eq!(t.price(Zone::Neighbouring, 5_000, None).unwrap().carriage_vnd, 38_000 + 7 * 5_000);
        // nearer is never dearer
        let prices: Vec<i64> =
            Zone::ALL.iter().map(|z| t.price(*z, 1_500, None).unwrap().carriage_vnd).collect();
        assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    }

    #[test]
    fn cash_on_delivery_costs_a_share_of_the_cash_with_a_floor() {
        let t = Tariff::standard();
        assert_eq!(
            t.price(Zone::Far, 360, Some(135_000)).unwrap().cod_vnd,
            10_000,
            "1 % is 1,350: the floor"
        );
        let p = t.price(Zone::Far, 360, Some(2_500_000)).unwrap();
        assert_eq!((p.cod_vnd, p.postage_vnd), (25_000, 57_000));
    }

    #[test]
    fn weights_outside_what_the_post_takes_are_refused() {
        let t = Tariff::standard();
        for goods in [MAX_PARCEL_G, i64::MAX] {
            let e = t.price(Zone::Far, goods, None).unwrap_err();
            assert_eq!(e.code(), ErrorCode::ParcelTooHeavy, "{goods}");
        }
        for goods in [0, -5] {
            assert_eq!(t.price(Zone::Far, goods, None).unwrap_err().code(), ErrorCode::OutOfRange);
        }
        assert!(t.price(Zone::Far, MAX_PARCEL_G - 100, None).is_ok(), "30 kg with its packaging");
    }

    #[test]
    fn a_tariff_with_a_gap_an_overlap_or_a_missing_zone_is_refused_where_it_is_wrong() {
        let mut gap = Tariff::standard();
        gap.zones.get_mut(&Zone::Far).unwrap().bands[1].from_g = 600;
        let e = gap.check().unwrap_err();
        assert_eq!(field_of(&e), "zones.far.bands[1].from_g");
        assert!(e.to_string().contains("a gap"), "{e}");

        let mut overlap = Tariff::standard();
        overlap.zones.get_mut(&Zone::SameProvince).unwrap().bands[2].from_g = 900;
        let e = overlap.check().unwrap_err();
        assert_eq!(field_of(&e), "zones.same_province.bands[2].from_g");
        assert!(e.to_string().contains("an overlap"), "{e}");

        let mut cheaper = Tariff::standard();
        cheaper.zones.get_mut(&Zone::Far).unwrap().bands[2].price_vnd = 1_000;
        assert_eq!(field_of(&cheaper.check().unwrap_err()), "zones.far.bands[2].price_vnd");

        let mut missing = Tariff::standard();
        missing.zones.remove(&Zone::Neighbouring);
        let e = missing.check().unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (ErrorCode::Required, "zones.neighbouring".to_string()));

        let mut no_step = Tariff::standard();
        no_step.zones.get_mut(&Zone::Far).unwrap().extra_step_g = 0;
        assert_eq!(field_of(&no_step.check().unwrap_err()), "zones.far.extra_step_g");

        let mut empty_band = Tariff::standard();
        empty_band.zones.get_mut(&Zone::Far).unwrap().bands[0].to_g = 0;
        assert_eq!(field_of(&empty_band.check().unwrap_err()), "zones.far.bands[0].to_g");
    }

    #[test]
    fn the_tariff_reads_from_and_writes_to_json_the_same() {
        let t = Tariff::standard();
        let text = serde_json::to_string(&t).unwrap();
        assert!(text.contains("\"same_commune\""), "{text}");
        assert_eq!(serde_json::from_str::<Tariff>(&text).unwrap(), t);
        // an unknown zone name or field is an error, not silently dropped
        assert!(serde_json::from_str::<Tariff>(&text.replace("same_commune", "nearby")).is_err());
        assert!(serde_json::from_str::<Tariff>(&text.replace("packaging_g", "packing_g")).is_err());
    }
}
