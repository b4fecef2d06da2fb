//! PostgreSQL: the narrow table `listing_search` holds one row per
//! orderable listing with its filter columns and words; searches never
//! read `listings`.

use super::*;

/// How many of the newest indexed listings a part of a relevance page
/// reads first (see [`part`]).
fn window(enough: i64) -> i64 {
    (4 * enough).clamp(4_000, 40_000)
}

/// ` AND …` for `words`. Every part matches `all_words`, the column
/// with the GIN index, so that the index can find the candidates; the
/// title is a subset, checked on them.
fn matches(sql: &mut Sql, q: &SearchQuery, words: Words) {
    sql.push(" AND s.all_words @@ to_tsquery('simple', ").bind(Bind::Text(q.tsquery())).push(")");
    let title = match words {
        Words::Anywhere => return,
        Words::InTitle => " AND s.title_words @@ to_tsquery('simple', ",
        Words::NotAllInTitle => " AND NOT s.title_words @@ to_tsquery('simple', ",
    };
    sql.push(title).bind(Bind::Text(q.tsquery())).push(")");
}

/// One part of a page of many matches, newest first: the `enough`
/// newest listings that match `words` and the filters.
///
/// The planner cannot know whether these are dense among recent
/// listings (walk the primary key backwards and stop after `enough`)
/// or rare (collect them through GIN and sort): guessing wrong reads
/// the whole table. So the part first looks among the newest
/// [`window`] listings (`recent{tier}`), a bounded walk, and if it
/// finds `enough` there they are the newest of all. Only if it does
/// not (words common in descriptions but rare in titles, say) does it
/// collect every match, and then there are few of this part; `+ 0`
/// keeps the planner off the key order there.
fn part(sql: &mut Sql, q: &SearchQuery, tier: i64, words: Words, enough: i64) {
    let recent = format!("recent{tier}");
    sql.push(&format!(
        "SELECT id, {tier} AS tier, sid FROM {recent} WHERE (SELECT COUNT(*) FROM {recent}) >= "
    ))
    .bind(Bind::Int(enough))
    .push(&format!(" UNION ALL (SELECT s.listing_id, {tier}, s.search_id FROM listing_search s WHERE TRUE"));
    matches(sql, q, words);
    filters(sql, q, "s");
    sql.push(&format!(" AND (SELECT COUNT(*) FROM {recent}) < "))
        .bind(Bind::Int(enough))
        .push(" ORDER BY s.search_id + 0 DESC LIMIT ")
        .bind(Bind::Int(enough))
        .push(")");
}

fn recent(sql: &mut Sql, q: &SearchQuery, tier: i64, words: Words, enough: i64) {
    sql.push(&format!("recent{tier} AS (SELECT s.listing_id AS id, s.search_id AS sid FROM "))
        .push("(SELECT * FROM listing_search ORDER BY search_id DESC LIMIT ")
        .bind(Bind::Int(window(enough)))
        .push(") s WHERE TRUE");
    matches(sql, q, words);
    filters(sql, q, "s");
    sql.push(" ORDER BY s.search_id DESC LIMIT ").bind(Bind::Int(enough)).push(")");
}

/// Matches up to this many are collected and sorted rather than
/// looked for among the newest listings.
pub(super) const FEW: i64 = 5_000;

pub(super) fn page(q: &SearchQuery, total: i64) -> Sql {
    let mut sql = Sql::new(true);
    if q.words.is_empty() || q.sort != SortOrder::Relevance {
        sql.push("SELECT s.listing_id AS id FROM listing_search s WHERE TRUE");
        if !q.words.is_empty() {
            matches(&mut sql, q, Words::Anywhere);
        }
        filters(&mut sql, q, "s");
        // Few matches are collected through GIN and sorted, not looked
        // for along an index order (see `part`).
        let plus = if !q.words.is_empty() && total <= FEW { " + 0" } else { "" };
        sql.push(&format!(" ORDER BY {}s.search_id{plus} DESC", price_order(q, "s", plus)));
    } else if total <= FEW {
        // Few matches: collected through GIN in one pass, title
        // matches first.
        sql.push("SELECT s.listing_id AS id FROM listing_search s WHERE TRUE");
        matches(&mut sql, q, Words::Anywhere);
        filters(&mut sql, q, "s");
        sql.push(" ORDER BY s.title_words @@ to_tsquery('simple', ")
            .bind(Bind::Text(q.tsquery()))
            .push(") DESC, s.search_id DESC");
    } else {
        // Many matches: title matches, then the others, each part
        // newest first and no further than the page needs.
        let enough = q.offset + q.limit;
        sql.push("WITH ");
        for (tier, words) in TIERS {
            if tier > 0 {
                sql.push(", ");
            }
            recent(&mut sql, q, tier, words, enough);
        }
        sql.push(" SELECT id, tier, sid FROM (");
        for (tier, words) in TIERS {
            if tier > 0 {
                sql.push(" UNION ALL ");
            }
            part(&mut sql, q, tier, words, enough);
        }
        sql.push(") AS page ORDER BY tier, sid DESC");
    }
    sql.push(" LIMIT ").bind(Bind::Int(q.limit)).push(" OFFSET ").bind(Bind::Int(q.offset));
    sql
}

pub(super) fn count(q: &SearchQuery) -> Sql {
    bounded_count(true, q.count_bound(), |sql| {
        sql.push(" FROM listing_search s WHERE TRUE");
        if !q.words.is_empty() {
            matches(sql, q, Words::Anywhere);
        }
        filters(sql, q, "s");
    })
}
