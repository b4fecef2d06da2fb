//! PostgreSQL: the narrow table `listing_search` holds one row per
//! orderable listing with its filter columns and words; searches never
//! read `listings`.

use super::*;

/// How many of the newest indexed listings a part of a relevance page
/// reads first (see [`part`]).
fn window(enough: i64) -> i64 {
    (4 * enough).clamp(4_000, 40_000)
}

/// ` AND …` for `words`. Only the first, rare, words (see
/// [`rarest_first`]) are matched with `@@`, which the GIN index on
/// `all_words` serves; every word is checked with `ts_match_vq`, the same
/// match spelled as a function, which no index serves. A prefix's index
/// entries are gathered into one bitmap before any row is read, so letting
/// the planner intersect `che:*` (half the market) with `tuyet:*` would
/// cost as much as every listing about tea. The title is a subset,
/// checked on the candidates.
fn matches(sql: &mut Sql, q: &SearchQuery, words: Words) {
    let indexed = q.indexed_words.clamp(1, q.words.len());
    let first = SearchQuery { words: q.words[..indexed].to_vec(), ..SearchQuery::default() };
    sql.push(" AND s.all_words @@ to_tsquery('simple', ").bind(Bind::Text(first.tsquery())).push(")");
    if q.words.len() > indexed {
        sql.push(" AND ts_match_vq(s.all_words, to_tsquery('simple', ")
            .bind(Bind::Text(q.tsquery()))
            .push("))");
    }
    let title = match words {
        Words::Anywhere => return,
        Words::InTitle => " AND s.title_words @@ to_tsquery('simple', ",
        Words::NotAllInTitle => " AND NOT s.title_words @@ to_tsquery('simple', ",
    };
    sql.push(title).bind(Bind::Text(q.tsquery())).push(")");
}

#[derive(diesel::QueryableByName)]
struct Frequencies {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Array<Text>>)]
    words: Option<Vec<String>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Array<diesel::sql_types::Float4>>)]
    freqs: Option<Vec<f32>>,
}

/// A word in fewer than this share of listings is rare enough to be
/// found through the index together with the rarest.
const RARE: f32 = 0.1;

/// `q` with its rarest word first, by the planner's statistics of the
/// commonest words (a word it does not list is rarer than those it does;
/// a prefix is as common as the words it begins together).
pub(super) fn rarest_first(conn: &mut DbConnection, q: &SearchQuery) -> Result<SearchQuery, ApiError> {
    let mut q = q.clone();
    if q.words.len() < 2 {
        return Ok(q);
    }
    let stats: Vec<Frequencies> = match conn {
        DbConnection::Postgres(pg) => {
            use diesel::RunQueryDsl;
            diesel::sql_query(
                "SELECT most_common_elems::text::text[] AS words, most_common_elem_freqs AS freqs \
                 FROM pg_stats WHERE tablename = 'listing_search' AND attname = 'all_words'",
            )
            .load(pg)?
        }
        DbConnection::Sqlite(_) => return Ok(q),
    };
    let (words, freqs) = match stats.into_iter().next() {
        Some(Frequencies { words: Some(w), freqs: Some(f) }) => (w, f),
        _ => return Ok(q),
    };
    let share = |prefix: &str| -> f32 {
        words.iter().zip(&freqs).filter(|(w, _)| w.starts_with(prefix)).map(|(_, f)| *f).sum()
    };
    // Rarest first; the index intersects the words it knows to be rare.
    let mut sorted: Vec<(f32, String)> = q.words.iter().map(|w| (share(w), w.clone())).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    q.indexed_words = sorted.iter().filter(|(s, _)| *s < RARE).count().max(1);
    q.words = sorted.into_iter().map(|(_, w)| w).collect();
    Ok(q)
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
        many(&mut sql, q, &TIERS, q.offset + q.limit);
    }
    sql.push(" LIMIT ").bind(Bind::Int(q.limit)).push(" OFFSET ").bind(Bind::Int(q.offset));
    sql
}

/// The parts `tiers` of a page of many matches, the first `enough` of
/// them as `id, tier, sid`, best first.
fn many(sql: &mut Sql, q: &SearchQuery, tiers: &[(i64, Words)], enough: i64) {
    sql.push("WITH ");
    for (i, &(tier, words)) in tiers.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        recent(sql, q, tier, words, enough);
    }
    sql.push(" SELECT id, tier, sid FROM (");
    for (i, &(tier, words)) in tiers.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        part(sql, q, tier, words, enough);
    }
    sql.push(") AS page ORDER BY tier, sid DESC");
}

/// One part of a page of many matches: its first `enough`, best first.
/// Title matches fill most pages alone, and then the other part, which
/// may be rare among the newest listings, is never looked for.
pub(super) fn many_part(q: &SearchQuery, tier: (i64, Words), enough: i64) -> Sql {
    let mut sql = Sql::new(true);
    many(&mut sql, q, &[tier], enough);
    sql.push(" LIMIT ").bind(Bind::Int(enough));
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
