//! The fixed lists of categories and units, with Vietnamese and English
//! names. Codes are stable: listings and signed records store them.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Category {
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
}

const fn category(code: &'static str, name_vi: &'static str, name_en: &'static str) -> Category {
    Category { code, name_vi, name_en }
}

pub const CATEGORIES: &[Category] = &[
    category("rau", "Rau", "Vegetables"),
    category("qua", "Quả", "Fruit"),
    category("gao", "Gạo và ngũ cốc", "Rice and grains"),
    category("che", "Chè", "Tea"),
    category("ca-phe", "Cà phê", "Coffee"),
    category("thit", "Thịt", "Meat"),
    category("thuy-san", "Thủy sản", "Fish and seafood"),
    category("trung", "Trứng", "Eggs"),
    category("nam", "Nấm", "Mushrooms"),
    category("gia-vi", "Gia vị", "Spices"),
    category("mat-ong", "Mật ong", "Honey"),
    category("duoc-lieu", "Dược liệu", "Medicinal herbs"),
    category("khac", "Khác", "Other"),
];

/// A unit as the API lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitView {
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
}

pub fn units() -> Vec<UnitView> {
    traceability::quantity::UNITS
        .iter()
        .map(|u| UnitView { code: u.code, name_vi: u.name_vi, name_en: u.name_en })
        .collect()
}

pub fn find_category(code: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.code == code)
}
