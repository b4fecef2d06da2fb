//! Delivery zones: how far a parcel travels between the seller's commune and
//! the buyer's.
//!
//! The national post prices domestic parcels by how far they go (within a
//! province, to a nearby region, across the country), not by kilometres.
//! nongsan keeps that shape with four zones decided from the 2025 two-level
//! units alone: the same commune, the same province, a neighbouring province,
//! or anywhere else. Two provinces are neighbours when they share a land
//! border after the 2025 mergers; the table below is that list, written out
//! once (the commune list has no borders) and checked in tests to be
//! symmetric and to name only the 34 province codes.

use serde::{Deserialize, Serialize};

/// How far a parcel travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    SameCommune,
    SameProvince,
    /// A province sharing a border with the sender's.
    Neighbouring,
    Far,
}

impl Zone {
    pub const ALL: [Zone; 4] = [Zone::SameCommune, Zone::SameProvince, Zone::Neighbouring, Zone::Far];

    pub fn as_str(self) -> &'static str {
        match self {
            Zone::SameCommune => "same_commune",
            Zone::SameProvince => "same_province",
            Zone::Neighbouring => "neighbouring",
            Zone::Far => "far",
        }
    }
}

/// Where a parcel starts or ends: a commune code and its province's code,
/// from the 2025 list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub commune_code: &'a str,
    pub province_code: &'a str,
}

/// The zone of a parcel from `from` to `to`, or `None` when a province code
/// is not one of the 34 (a commune pair with no zone is refused, never
/// priced as if it were near).
pub fn zone_between(from: Place<'_>, to: Place<'_>) -> Option<Zone> {
    let known = |p: &str| NEIGHBOURS.iter().any(|(code, _)| *code == p);
    if !known(from.province_code) || !known(to.province_code) {
        return None;
    }
    Some(if from.commune_code == to.commune_code && from.province_code == to.province_code {
        Zone::SameCommune
    } else if from.province_code == to.province_code {
        Zone::SameProvince
    } else if neighbours(from.province_code).contains(&to.province_code) {
        Zone::Neighbouring
    } else {
        Zone::Far
    })
}

/// The provinces bordering `province` (empty for an unknown code).
pub fn neighbours(province: &str) -> &'static [&'static str] {
    NEIGHBOURS.iter().find(|(code, _)| *code == province).map_or(&[], |(_, n)| n)
}

/// The 34 provinces and cities of 2025 by code, each with the codes of the
/// provinces it shares a land border with (inside Vietnam).
const NEIGHBOURS: [(&str, &[&str]); 34] = [
    ("01", &["19", "24", "25", "33", "37"]),             // Hà Nội
    ("04", &["08", "19", "20"]),                         // Cao Bằng
    ("08", &["04", "15", "19", "25"]),                   // Tuyên Quang
    ("11", &["12", "14"]),                               // Điện Biên
    ("12", &["11", "14", "15"]),                         // Lai Châu
    ("14", &["11", "12", "15", "25", "38"]),             // Sơn La
    ("15", &["08", "12", "14", "25"]),                   // Lào Cai
    ("19", &["01", "04", "08", "20", "24", "25"]),       // Thái Nguyên
    ("20", &["04", "19", "22", "24"]),                   // Lạng Sơn
    ("22", &["20", "24", "31"]),                         // Quảng Ninh
    ("24", &["01", "19", "20", "22", "31", "33"]),       // Bắc Ninh
    ("25", &["01", "08", "14", "15", "19", "37", "38"]), // Phú Thọ
    ("31", &["22", "24", "33"]),                         // Hải Phòng
    ("33", &["01", "24", "31", "37"]),                   // Hưng Yên
    ("37", &["01", "25", "33", "38"]),                   // Ninh Bình
    ("38", &["14", "25", "37", "40"]),                   // Thanh Hóa
    ("40", &["38", "42"]),                               // Nghệ An
    ("42", &["40", "44"]),                               // Hà Tĩnh
    ("44", &["42", "46"]),                               // Quảng Trị
    ("46", &["44", "48"]),                               // Huế
    ("48", &["46", "51"]),                               // Đà Nẵng
    ("51", &["48", "52"]),                               // Quảng Ngãi
    ("52", &["51", "66"]),                               // Gia Lai
    ("56", &["66", "68"]),                               // Khánh Hòa
    ("66", &["52", "56", "68"]),                         // Đắk Lắk
    ("68", &["56", "66", "75", "79"]),                   // Lâm Đồng
    ("75", &["68", "79", "80"]),                         // Đồng Nai
    ("79", &["68", "75", "80", "82"]),                   // Hồ Chí Minh
    ("80", &["75", "79", "82"]),                         // Tây Ninh
    ("82", &["79", "80", "86", "91", "92"]),             // Đồng Tháp
    ("86", &["82", "92"]),                               // Vĩnh Long
    ("91", &["82", "92", "96"]),                         // An Giang
    ("92", &["82", "86", "91", "96"]),                   // Cần Thơ
    ("96", &["91", "92"]),                               // Cà Mau
];

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(commune_code: &'a str, province_code: &'a str) -> Place<'a> {
        Place { commune_code, province_code }
    }

    #[test]
    fn the_border_table_is_symmetric_and_names_only_known_provinces() {
        for (province, around) in NEIGHBOURS {
            for other in around {
                assert_ne!(province, *other);
                assert!(
                    neighbours(other).contains(&province),
                    "{province} lists {other} but {other} does not list {province}"
                );
            }
        }
        let mut codes: Vec<&str> = NEIGHBOURS.iter().map(|(c, _)| *c).collect();
        codes.dedup();
        assert_eq!(codes.len(), 34);
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted, so each code appears once");
    }

    /// The table against the communes' coordinates in the shipped 2025 list:
    /// provinces listed as neighbours have communes within 20 km of each
    /// other, and no two provinces that close are missing from it.
    #[test]
    fn the_border_table_agrees_with_where_the_communes_are() {
        const CSV: &str = include_str!("../../market/data/communes-2025.csv");
        let mut by_province: std::collections::BTreeMap<&str, Vec<(f64, f64)>> = Default::default();
        for line in CSV.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let (Ok(lat), Ok(lon)) = (f[7].parse::<f64>(), f[8].parse::<f64>()) else { continue };
            by_province.entry(f[0]).or_default().push((lat, lon));
        }
        assert_eq!(by_province.len(), 34);
        // kilometres, flat-earth: fine at these distances and latitudes
        let km = |a: (f64, f64), b: (f64, f64)| {
            let dy = (a.0 - b.0) * 111.2;
            let dx = (a.1 - b.1) * 111.2 * a.0.to_radians().cos();
            (dx * dx + dy * dy).sqrt()
        };
        let provinces: Vec<&str> = by_province.keys().copied().collect();
        for (i, a) in provinces.iter().enumerate() {
            for b in &provinces[i + 1..] {
                let nearest = by_province[a]
                    .iter()
                    .flat_map(|p| by_province[b].iter().map(move |q| km(*p, *q)))
                    .fold(f64::MAX, f64::min);
                if neighbours(a).contains(b) {
                    assert!(nearest < 20.0, "{a} and {b} are listed as neighbours but {nearest:.0} km apart");
                } else {
                    assert!(
                        nearest > 12.0,
                        "{a} and {b} are {nearest:.0} km apart but not listed as neighbours"
                    );
                }
            }
        }
    }

    #[test]
    fn zones_go_from_the_same_commune_to_far() {
        // Hồng Thái (Tuyên Quang) to itself, to another commune of the
        // province, to Thái Nguyên next door, to Hà Nội (no shared border)
        assert_eq!(zone_between(at("02260", "08"), at("02260", "08")), Some(Zone::SameCommune));
        assert_eq!(zone_between(at("02260", "08"), at("02263", "08")), Some(Zone::SameProvince));
        assert_eq!(zone_between(at("02260", "08"), at("05500", "19")), Some(Zone::Neighbouring));
        assert_eq!(zone_between(at("02260", "08"), at("00004", "01")), Some(Zone::Far));
        assert_eq!(zone_between(at("00004", "01"), at("31000", "96")), Some(Zone::Far));
    }

    #[test]
    fn an_unknown_province_has_no_zone() {
        assert_eq!(zone_between(at("02260", "08"), at("99999", "99")), None);
        assert_eq!(
            zone_between(at("x", "02"), at("x", "02")),
            None,
            "codes of the old 63 provinces are gone"
        );
        assert!(neighbours("99").is_empty());
    }
}
