//! The search's pages against a reference that reads every orderable
//! listing and sorts in memory: the obvious search, as slow as the market
//! is large. Bounded counts, index orders, rare words through the index and
//! parts looked for one after the other must give the same first pages and
//! the same totals up to the bound, with the same folding, recall and stock
//! rules.
#![allow(clippy::unwrap_used)]

use diesel::prelude::*;
use storage::schema::{listings, lots};

use super::tests::seeded_market;
use super::*;
use crate::listings::rules::{RawSearch, COUNT_BOUND};

struct Row {
    id: String,
    search_id: i64,
    price: i64,
    title: Vec<String>,
    all: Vec<String>,
    province: String,
    commune: String,
    category: String,
}

/// Every listing a buyer can order: active, in stock, lot not recalled.
fn orderable(conn: &mut DbConnection) -> Vec<Row> {
    let recalled: Vec<String> =
        lots::table.filter(lots::status.eq("recalled")).select(lots::id).load(conn).unwrap();
    type Listing = (String, i64, i64, String, String, Option<String>, String, String, String);
    let rows: Vec<Listing> = listings::table
        .filter(listings::status.eq("active").and(listings::quantity.gt(0)))
        .select((
            listings::id,
            listings::search_id,
            listings::price_vnd,
            listings::search_title,
            listings::search_body,
            listings::lot_id,
            listings::province_code,
            listings::commune_code,
            listings::category,
        ))
        .load(conn)
        .unwrap();
    let words = |t: &str| t.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect::<Vec<_>>();
    rows.into_iter()
        .filter(|r| r.5.as_ref().is_none_or(|lot| !recalled.contains(lot)))
        .map(|(id, search_id, price, title, body, _, province, commune, category)| Row {
            id,
            search_id,
            price,
            all: words(&format!("{title} {body}")),
            title: words(&title),
            province,
            commune,
            category,
        })
        .collect()
}

/// Every word of `q` begins a word of `text`.
fn has_all(text: &[String], q: &SearchQuery) -> bool {
    q.words.iter().all(|w| text.iter().any(|t| t.starts_with(w.as_str())))
}

/// The page and the exact total, as the reference finds them.
fn reference(rows: &[Row], q: &SearchQuery) -> (Vec<String>, i64) {
    let mut found: Vec<&Row> = rows
        .iter()
        .filter(|r| has_all(&r.all, q))
        .filter(|r| q.province.as_ref().is_none_or(|p| *p == r.province))
        .filter(|r| q.commune.as_ref().is_none_or(|c| *c == r.commune))
        .filter(|r| q.category.as_ref().is_none_or(|c| *c == r.category))
        .filter(|r| q.min_price.is_none_or(|p| r.price >= p) && q.max_price.is_none_or(|p| r.price <= p))
        .collect();
    found.sort_by_key(|r| {
        let key = match q.sort {
            SortOrder::Relevance if !q.words.is_empty() => i64::from(!has_all(&r.title, q)),
            SortOrder::PriceAsc => r.price,
            SortOrder::PriceDesc => -r.price,
            _ => 0,
        };
        (key, -r.search_id)
    });
    let page = found.iter().skip(q.offset as usize).take(q.limit as usize).map(|r| r.id.clone()).collect();
    (page, found.len() as i64)
}

#[test]
fn first_pages_are_those_of_the_reference() {
    let (_db, pool) = seeded_market(3_000, 42);
    let mut conn = pool.get().unwrap();
    let conn: &mut DbConnection = &mut conn;
    let rows = orderable(conn);
    let busiest = |f: fn(&Row) -> &String| {
        let mut counts: std::collections::BTreeMap<&String, usize> = Default::default();
        for r in &rows {
            *counts.entry(f(r)).or_default() += 1;
        }
        counts.into_iter().max_by_key(|(_, n)| *n).unwrap().0.clone()
    };
    let (province, commune) = (busiest(|r| &r.province), busiest(|r| &r.commune));
    let words = [
        None,
        Some("che"),
        Some("ch"),
        Some("ca p"),
        Some("mat ong"),
        Some("gao st25"),
        Some("nấm hương sa pa"),
        Some("Chè Shan"),
        Some("sushi"),
    ];
    let sorts = [SortOrder::Relevance, SortOrder::Newest, SortOrder::PriceAsc, SortOrder::PriceDesc];
    let mut checked = 0;
    for q in words {
        for sort in sorts {
            for (offset, limit) in [(0, 20), (40, 20), (0, 100)] {
                let filters: [RawSearch<'_>; 4] = [
                    RawSearch::default(),
                    RawSearch { province: Some(&province), ..Default::default() },
                    RawSearch { commune: Some(&commune), max_price: Some(300_000), ..Default::default() },
                    RawSearch { category: Some("che"), min_price: Some(100_000), ..Default::default() },
                ];
                for f in filters {
                    let raw =
                        RawSearch { q, sort: Some(sort), offset: Some(offset), limit: Some(limit), ..f };
                    let query = SearchQuery::parse(&raw).unwrap();
                    let (ids, total) = reference(&rows, &query);
                    let got = search(conn, &query).unwrap();
                    assert_eq!(got.ids, ids, "{raw:?}");
                    let bound = query.count_bound();
                    assert_eq!(
                        (got.total, got.total_is_lower_bound),
                        (total.min(bound), total > bound),
                        "{raw:?}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(rows.len() > 2 * COUNT_BOUND as usize, "{}", rows.len());
    assert_eq!(checked, 9 * 4 * 3 * 4);
}
