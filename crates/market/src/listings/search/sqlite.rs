//! SQLite: the FTS5 table `listing_search` (rowid = search_id) holds the
//! orderable listings' words; `listings` and its partial indexes (which
//! hold only orderable rows) everything else. FTS5 returns matches in
//! rowid order, so "newest first" walks it backwards and stops.

use super::*;

/// The FTS5 query for `words`. A column filter applies to a bracketed
/// expression, and `NOT` is FTS5's binary "and not".
pub(super) fn fts5_query(q: &SearchQuery, words: Words) -> String {
    let all = q.fts5_match();
    match words {
        Words::Anywhere => all,
        Words::InTitle => format!("{{title}} : ({all})"),
        Words::NotAllInTitle => format!("({all}) NOT {{title}} : ({all})"),
    }
}

fn from_words(sql: &mut Sql, q: &SearchQuery, words: Words, join: bool) {
    let by_price = matches!(q.sort, SortOrder::PriceAsc | SortOrder::PriceDesc);
    // Reads more than the page's own rows of `listings`: filters, or
    // the price of every match.
    let wide = join && (has_filters(q) || by_price);
    sql.push(" FROM listing_search");
    if wide && !has_filters(q) {
        // Left to itself, SQLite joins through the unique key and reads
        // each match's row for its price; this index holds the price.
        sql.push(" JOIN listings l INDEXED BY listings_searchable_idx ON l.search_id = listing_search.rowid");
    } else if join {
        sql.push(" JOIN listings l ON l.search_id = listing_search.rowid");
    }
    sql.push(" WHERE listing_search MATCH ").bind(Bind::Text(fts5_query(q, words)));
    if wide {
        // Always true of indexed listings; said so that the partial
        // indexes, which hold the filter columns and the price, serve
        // the join without reading listing rows.
        sql.push(" AND l.status = 'active' AND l.quantity > 0");
    }
    filters(sql, q, "l");
}

fn from_listings(sql: &mut Sql, q: &SearchQuery) {
    sql.push(
        " FROM listings l WHERE l.status = 'active' AND l.quantity > 0 \
         AND (l.lot_id IS NULL OR l.lot_id NOT IN (SELECT id FROM lots WHERE status = 'recalled'))",
    );
    filters(sql, q, "l");
}

pub(super) fn page(q: &SearchQuery) -> Sql {
    let mut sql = Sql::new(false);
    if q.words.is_empty() {
        sql.push("SELECT l.id AS id");
        from_listings(&mut sql, q);
        sql.push(&format!(" ORDER BY {}l.search_id DESC", price_order(q, "l", "")));
    } else if q.sort != SortOrder::Relevance {
        sql.push("SELECT l.id AS id");
        from_words(&mut sql, q, Words::Anywhere, true);
        sql.push(&format!(" ORDER BY {}listing_search.rowid DESC", price_order(q, "l", "")));
    } else {
        // Title matches, then the others: each part walks the index
        // newest first and stops after what the page can need of it.
        let enough = q.offset + q.limit;
        for (tier, words) in TIERS {
            if tier > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push("SELECT id, tier, sid FROM (SELECT l.id AS id, ")
                .push(&tier.to_string())
                .push(" AS tier, listing_search.rowid AS sid");
            from_words(&mut sql, q, words, true);
            sql.push(" ORDER BY listing_search.rowid DESC LIMIT ").bind(Bind::Int(enough)).push(")");
        }
        sql.push(" ORDER BY tier, sid DESC");
    }
    sql.push(" LIMIT ").bind(Bind::Int(q.limit)).push(" OFFSET ").bind(Bind::Int(q.offset));
    sql
}

pub(super) fn count(q: &SearchQuery) -> Sql {
    bounded_count(false, q.count_bound(), |sql| {
        if q.words.is_empty() {
            from_listings(sql, q);
        } else {
            // Words alone are counted on the full-text index alone.
            from_words(sql, q, Words::Anywhere, has_filters(q));
        }
    })
}
