//! What a listing may hold, what a search asks for, and which version of a
//! listing a change was made against: pure rules, no SQL.

use serde_json::Number;

use super::ListingView;
use crate::reference::catalog;
use crate::reference::rules::check_commune_code;
use crate::text;
use common::{ApiError, ErrorCode};

/// Highest price per unit we accept: one billion đồng. Far above any farm
/// product, low enough that price × quantity never overflows an i64.
pub const MAX_PRICE_VND: i64 = 1_000_000_000;
/// Highest stock of one listing.
pub const MAX_QUANTITY: i64 = 1_000_000;
pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// A whole number from JSON, refusing fractions and negatives with a
/// message a farmer understands (serde's own "invalid type: floating point"
/// would not be).
pub fn whole_number(field: &str, value: &Number, min: i64, max: i64, what: &str) -> Result<i64, ApiError> {
    let n = match value.as_i64() {
        Some(n) => n,
        None if value.is_f64() => {
            return Err(ApiError::field(
                ErrorCode::InvalidFormat,
                field,
                format!("must be a whole number of {what}, not {value}"),
            )
            .param("expected", "whole number"))
        }
        None => return Err(out_of_range(field, format!("must be at most {max}"), min, max)),
    };
    if n < min {
        return Err(out_of_range(field, format!("must be at least {min}"), min, max));
    }
    if n > max {
        return Err(out_of_range(field, format!("must be at most {max}"), min, max));
    }
    Ok(n)
}

fn out_of_range(field: &str, message: String, min: i64, max: i64) -> ApiError {
    ApiError::field(ErrorCode::OutOfRange, field, message).param("min", min).param("max", max)
}

pub fn price(value: &Number) -> Result<i64, ApiError> {
    whole_number("price_vnd", value, 1, MAX_PRICE_VND, "đồng")
}

pub fn quantity(value: &Number) -> Result<i64, ApiError> {
    whole_number("quantity", value, 0, MAX_QUANTITY, "units")
}

/// What one unit weighs packed, in grams: as given (1 g to one parcel's
/// limit), or, when not given, the unit's own mass for units of mass that
/// fit a parcel. A unit of mass heavier than a parcel (`tan`) without a
/// given weight is `None`: listed, but not sent by post. Other units must
/// say it: a bunch or a box weighs what the seller knows it weighs.
pub fn unit_weight(
    value: Option<&Number>,
    unit: &traceability::quantity::Unit,
) -> Result<Option<i64>, ApiError> {
    const FIELD: &str = "unit_weight_g";
    match (value, unit.grams) {
        (Some(v), _) => whole_number(FIELD, v, 1, parcels::tariff::MAX_PARCEL_G, "grams").map(Some),
        (None, Some(grams)) => Ok((grams <= parcels::tariff::MAX_PARCEL_G).then_some(grams)),
        (None, None) => Err(ApiError::field(
            ErrorCode::Required,
            FIELD,
            format!("say what one {} weighs packed, in grams", unit.name_en),
        )),
    }
}

pub fn title(value: &str) -> Result<String, ApiError> {
    let t = accounts::clean_text("title", value, MAX_TITLE_CHARS)?;
    if text::fold(&t).is_empty() {
        return Err(ApiError::invalid("title", "must contain letters or digits"));
    }
    Ok(t)
}

/// An empty description is no description.
pub fn description(value: Option<&str>) -> Result<Option<String>, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) => {
            if d.chars().count() > MAX_DESCRIPTION_CHARS {
                return Err(ApiError::field(
                    ErrorCode::TooLong,
                    "description",
                    format!("at most {MAX_DESCRIPTION_CHARS} characters"),
                )
                .param("max", MAX_DESCRIPTION_CHARS));
            }
            // Line breaks and tabs are fine in a description; other control
            // characters are not (PostgreSQL cannot even store U+0000).
            if d.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
                return Err(ApiError::field(
                    ErrorCode::ControlCharacters,
                    "description",
                    "control characters are not allowed",
                ));
            }
            Ok(Some(d.to_string()))
        }
    }
}

pub fn category(code: &str) -> Result<&'static catalog::Category, ApiError> {
    catalog::find_category(code.trim()).ok_or_else(|| {
        ApiError::field(
            ErrorCode::UnknownValue,
            "category",
            format!("unknown category `{code}`; see GET /api/v1/categories"),
        )
    })
}

pub fn unit(code: &str) -> Result<&'static traceability::quantity::Unit, ApiError> {
    traceability::quantity::UNITS.iter().find(|u| u.code == code.trim()).ok_or_else(|| {
        ApiError::field(
            ErrorCode::UnknownValue,
            "unit",
            format!("unknown unit `{code}`; see GET /api/v1/units"),
        )
    })
}

/// Where a listing is, by name, for the search text.
pub struct Place<'a> {
    pub commune_name: &'a str,
    pub province_name: &'a str,
}

/// The folded text a search matches besides the title: the description,
/// the farm and farmer, the place, and the category in both languages (so
/// `tea` and `che` both find tea).
pub fn search_body(
    description: Option<&str>,
    farm_or_farmer: &str,
    place: &Place<'_>,
    category: &catalog::Category,
) -> String {
    let parts = [
        description.unwrap_or(""),
        farm_or_farmer,
        place.commune_name,
        place.province_name,
        category.name_vi,
        category.name_en,
    ];
    text::fold(&parts.join(" "))
}

/// Listing states. `deleted` is soft: orders keep pointing at the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    Active,
    Paused,
    Deleted,
}

impl ListingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ListingStatus::Active => "active",
            ListingStatus::Paused => "paused",
            ListingStatus::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<ListingStatus> {
        [ListingStatus::Active, ListingStatus::Paused, ListingStatus::Deleted]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// How search results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Listings with every word in the title first, then those with the
    /// words elsewhere (description, farm, place, category); newest first
    /// within each, and newest first when there are no words.
    #[default]
    Relevance,
    Newest,
    PriceAsc,
    PriceDesc,
}

/// A checked search: folded words and filters, nothing left to validate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Folded words, all of which must match (as whole words or their
    /// beginnings, so `tuy` finds `tuyết` while typing).
    pub words: Vec<String>,
    pub province: Option<String>,
    pub commune: Option<String>,
    pub category: Option<String>,
    pub seller: Option<String>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub sort: SortOrder,
    pub limit: i64,
    pub offset: i64,
    /// How many of the first words a full-text index should find (at
    /// least one); the others are checked on the rows it finds. Set by
    /// a backend that knows which words are rare (PostgreSQL), 0 otherwise.
    pub indexed_words: usize,
}

pub const MAX_WORDS: usize = 8;
pub const MAX_OFFSET: i64 = 10_000;
/// Matches are counted exactly up to this many (or up to the end of the
/// page asked for, when that is further); past it a search answers "more
/// than" this many. Counting every match of a common word at a million
/// listings costs more than the page itself, and nobody reads 548,213.
pub const COUNT_BOUND: i64 = 1_000;

/// Raw search parameters as they come from the query string.
#[derive(Debug, Default)]
pub struct RawSearch<'a> {
    pub q: Option<&'a str>,
    pub province: Option<&'a str>,
    pub commune: Option<&'a str>,
    pub category: Option<&'a str>,
    pub seller: Option<&'a str>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub sort: Option<SortOrder>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl SearchQuery {
    pub fn parse(raw: &RawSearch<'_>) -> Result<SearchQuery, ApiError> {
        let q = raw.q.unwrap_or("");
        if q.chars().count() > 200 {
            return Err(ApiError::field(ErrorCode::TooLong, "q", "at most 200 characters").param("max", 200));
        }
        let mut words: Vec<String> = Vec::new();
        for w in text::fold(q).split(' ').filter(|w| !w.is_empty()) {
            // A word longer than any real one is someone testing limits.
            let w: String = w.chars().take(40).collect();
            if !words.contains(&w) {
                words.push(w);
            }
        }
        if words.len() > MAX_WORDS {
            return Err(ApiError::field(ErrorCode::TooLong, "q", format!("at most {MAX_WORDS} words"))
                .param("max", MAX_WORDS));
        }
        let province = raw.province.map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
        if province.as_ref().is_some_and(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(ApiError::field(ErrorCode::InvalidFormat, "province", "a 2-digit province code")
                .param("expected", "2 digits"));
        }
        let commune = raw
            .commune
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| check_commune_code("commune", c))
            .transpose()?;
        let category = raw
            .category
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| category(c).map(|c| c.code.to_string()))
            .transpose()?;
        let seller = raw.seller.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if seller.as_deref().is_some_and(|s| !common::ids::plausible_id(s)) {
            return Err(ApiError::field(ErrorCode::UnknownReference, "seller", "not a seller id"));
        }
        for (field, value) in [("min_price", raw.min_price), ("max_price", raw.max_price)] {
            if value.is_some_and(|v| !(0..=MAX_PRICE_VND).contains(&v)) {
                return Err(ApiError::field(
                    ErrorCode::OutOfRange,
                    field,
                    format!("0 to {MAX_PRICE_VND} đồng"),
                )
                .param("min", 0)
                .param("max", MAX_PRICE_VND));
            }
        }
        if let (Some(lo), Some(hi)) = (raw.min_price, raw.max_price) {
            if lo > hi {
                return Err(ApiError::invalid("min_price", "must not be above max_price"));
            }
        }
        let limit = raw.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::out_of_range("limit", 1, 100));
        }
        let offset = raw.offset.unwrap_or(0);
        if !(0..=MAX_OFFSET).contains(&offset) {
            return Err(ApiError::field(ErrorCode::OutOfRange, "offset", format!("0 to {MAX_OFFSET}"))
                .param("min", 0)
                .param("max", MAX_OFFSET));
        }
        Ok(SearchQuery {
            words,
            province,
            commune,
            category,
            seller,
            min_price: raw.min_price,
            max_price: raw.max_price,
            sort: raw.sort.unwrap_or_default(),
            limit,
            offset,
            indexed_words: 0,
        })
    }

    /// How far matches are counted: [`COUNT_BOUND`], or to the end of the
    /// page when it lies further, so that a total always says whether
    /// there is a page after this one.
    pub fn count_bound(&self) -> i64 {
        COUNT_BOUND.max(self.offset + self.limit)
    }

    /// The words as an SQLite FTS5 query: every word, each as a prefix.
    /// Folded words hold only letters and digits, so quoting is all the
    /// escaping they need.
    pub fn fts5_match(&self) -> String {
        self.words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" AND ")
    }

    /// The words as a PostgreSQL tsquery: every word, each as a prefix.
    pub fn tsquery(&self) -> String {
        self.words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ")
    }
}

/// A tag of what a listing shows now (HTTP `ETag`): it changes with every
/// edit, photo and sale, so a client that sends it back in `If-Match` never
/// overwrites the stock with a number read before buyers took some.
pub fn etag(view: &ListingView) -> String {
    use sha2::Digest;
    let mut view = view.clone();
    // verification is worked out when read, not stored
    if let Some(lot) = view.lot.as_mut() {
        lot.verified = None;
    }
    let json = serde_json::to_vec(&view).unwrap_or_default();
    format!("\"{}\"", hex::encode(&sha2::Sha256::digest(&json)[..12]))
}

/// Whether an `If-Match` value lets a change through.
pub fn if_match_holds(if_match: &str, current: &str) -> bool {
    if_match.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == current)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn num(json: &str) -> Number {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn prices_and_quantities_are_whole_and_not_negative() {
        assert_eq!(price(&num("35000")).unwrap(), 35_000);
        assert!(price(&num("0")).is_err());
        assert!(price(&num("-5")).is_err());
        let e = price(&num("35000.5")).unwrap_err().to_string();
        assert!(e.contains("whole number of đồng"), "{e}");
        assert!(price(&num("1e3")).is_err(), "1e3 is a float in JSON");
        assert!(price(&num("18446744073709551615")).is_err());
        assert_eq!(quantity(&num("0")).unwrap(), 0);
        assert!(quantity(&num("2.5")).is_err());
        assert!(quantity(&num("-1")).is_err());
        assert!(quantity(&num("1000001")).is_err());
    }

    #[test]
    fn a_unit_weighs_what_its_seller_says_or_its_own_mass() {
        let kg = unit("kg").unwrap();
        let bunch = unit("bo").unwrap();
        let tonne = unit("tan").unwrap();
        assert_eq!(unit_weight(None, kg).unwrap(), Some(1_000));
        assert_eq!(unit_weight(Some(&num("1050")), kg).unwrap(), Some(1_050));
        assert_eq!(unit_weight(Some(&num("350")), bunch).unwrap(), Some(350));
        assert_eq!(unit_weight(None, bunch).unwrap_err().field_name(), Some("unit_weight_g"));
        // a tonne is listed but never fits a parcel
        assert_eq!(unit_weight(None, tonne).unwrap(), None);
        for bad in ["0", "-5", "2.5", "30001", "99999999999"] {
            let e = unit_weight(Some(&num(bad)), bunch).unwrap_err();
            assert_eq!(e.field_name(), Some("unit_weight_g"), "{bad}");
        }
    }

    #[test]
    fn titles_and_descriptions() {
        assert_eq!(title("  Chè Shan tuyết  ").unwrap(), "Chè Shan tuyết");
        assert!(title("").is_err());
        assert!(title("!!!").is_err());
        assert!(title(&"a".repeat(121)).is_err());
        assert_eq!(description(Some("  ")).unwrap(), None);
        assert_eq!(description(Some("dòng 1\ndòng 2")).unwrap().unwrap(), "dòng 1\ndòng 2");
        assert!(description(Some("a\u{0}b")).is_err());
    }

    #[test]
    fn codes_come_from_the_fixed_lists() {
        assert_eq!(category("che").unwrap().code, "che");
        assert!(category("tea").is_err());
        assert_eq!(unit("kg").unwrap().code, "kg");
        assert!(unit("kilo").is_err());
    }

    #[test]
    fn search_words_are_folded_and_deduplicated() {
        let q =
            SearchQuery::parse(&RawSearch { q: Some("Chè  SHAN tuyết chè"), ..Default::default() }).unwrap();
        assert_eq!(q.words, ["che", "shan", "tuyet"]);
        assert_eq!(q.fts5_match(), "\"che\"* AND \"shan\"* AND \"tuyet\"*");
        assert_eq!(q.tsquery(), "che:* & shan:* & tuyet:*");
        let q = SearchQuery::parse(&RawSearch { q: Some("đậu ĐỎ"), ..Default::default() }).unwrap();
        assert_eq!(q.words, ["dau", "do"]);
        // punctuation cannot reach the query languages
        let q =
            SearchQuery::parse(&RawSearch { q: Some("\"a\" OR b* & !c:*"), ..Default::default() }).unwrap();
        assert_eq!(q.words, ["a", "or", "b", "c"]);
        assert!(SearchQuery::parse(&RawSearch { q: Some("  "), ..Default::default() })
            .unwrap()
            .words
            .is_empty());
    }

    #[test]
    fn search_filters_are_checked() {
        let bad = [
            RawSearch { province: Some("8"), ..Default::default() },
            RawSearch { commune: Some("abc"), ..Default::default() },
            RawSearch { category: Some("tea"), ..Default::default() },
            RawSearch { seller: Some("x'; drop"), ..Default::default() },
            RawSearch { min_price: Some(-1), ..Default::default() },
            RawSearch { min_price: Some(10), max_price: Some(5), ..Default::default() },
            RawSearch { limit: Some(0), ..Default::default() },
            RawSearch { limit: Some(101), ..Default::default() },
            RawSearch { offset: Some(-1), ..Default::default() },
            RawSearch { q: Some("a b c d e f g h i"), ..Default::default() },
        ];
        for raw in &bad {
            assert!(SearchQuery::parse(raw).is_err(), "{raw:?}");
        }
        let ok = SearchQuery::parse(&RawSearch {
            province: Some("08"),
            commune: Some(" 02260 "),
            category: Some("che"),
            min_price: Some(0),
            max_price: Some(100_000),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.commune.as_deref(), Some("02260"));
        assert_eq!((ok.limit, ok.offset), (20, 0));
    }

    #[test]
    fn the_search_body_knows_place_farm_and_category_in_both_languages() {
        let body = search_body(
            Some("Búp chè cổ thụ"),
            "HTX Chè Hồng Thái",
            &Place { commune_name: "Xã Hồng Thái", province_name: "Tỉnh Tuyên Quang" },
            catalog::find_category("che").unwrap(),
        );
        assert_eq!(body, "bup che co thu htx che hong thai xa hong thai tinh tuyen quang che tea");
    }
}
