//! Realistic listings in bulk, the same for the same seed: for the search
//! benchmark and for anyone who wants a full market to click through
//! (`nongsan seed-listings`).
//!
//! Sellers live in a few hundred communes of every province, some communes
//! much busier than others; each sells a few products of its trade under
//! titles sellers really write, at the prices of the trade. Some listings
//! are paused, deleted or sold out; some sell from a signed lot, a few of
//! them recalled.
//!
//! Users, sellers and listings are inserted in batches inside transactions,
//! through the real tables, so the SQLite full-text triggers and
//! PostgreSQL's generated tsvector are kept exactly as for one listing made
//! through the API. Lots go through the traceability slice one by one
//! (each is signed), and so do their recalls.
//!
//! `places` picks the communes and their post offices, `sellers` makes the
//! sellers, `lots` their signed lots, `listings` the listings; `rng` is the
//! fixed random-number generator behind all of them and `vocabulary` the
//! words they are made of. The market's own rules (titles, prices, search
//! text) are used as they are, from the `market` crate.

mod listings;
mod lots;
mod places;
mod rng;
mod sellers;
mod vocabulary;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::DbConnection;
use traceability::lots::TraceSettings;

use common::ApiError;
use listings::insert_listings;
use lots::make_lots;
use places::{pick_communes, post_offices};
use rng::Rng;
use sellers::{insert_sellers, plan_sellers};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub listings: usize,
    pub seed: u64,
    pub sellers: usize,
    pub communes: usize,
    /// The newest timestamp; sellers joined and listed in the three years
    /// before it. Everything but timestamps is the same for the same seed.
    pub until: NaiveDateTime,
    /// Add to a market that already has listings (with another seed).
    pub append: bool,
}

impl SeedPlan {
    /// About 50 listings per seller and 4 sellers per commune: 100,000
    /// listings come from 2,000 sellers in 500 communes.
    pub fn new(listings: usize, seed: u64, until: NaiveDateTime) -> SeedPlan {
        let sellers = (listings / 50).clamp(1, 2_000);
        let communes = (sellers / 4).clamp(1, 500);
        SeedPlan { listings, seed, sellers, communes, until, append: false }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub listings: usize,
    pub sellers: usize,
    pub communes: usize,
    pub provinces: usize,
    pub lots: usize,
    pub recalled_lots: usize,
    /// Listings a buyer can order now: active, in stock, lot not recalled.
    pub available: usize,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} listings ({} available to buy) from {} sellers in {} communes of {} provinces; \
             {} lots, {} recalled",
            self.listings,
            self.available,
            self.sellers,
            self.communes,
            self.provinces,
            self.lots,
            self.recalled_lots
        )
    }
}

/// Generates `plan` into the database behind `conn`, reporting progress
/// in a few lines through `progress`.
pub fn seed(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    plan: &SeedPlan,
    progress: &mut dyn FnMut(&str),
) -> Result<SeedReport, ApiError> {
    let existing: i64 = storage::schema::listings::table.count().get_result(conn)?;
    if existing > 0 && !plan.append {
        return Err(ApiError::conflict(format!(
            "the database already has {existing} listings; seed an empty market, \
             or add to it on purpose (--append, with another --seed)"
        )));
    }
    let mut rng = Rng::new(plan.seed);
    let places = pick_communes(conn, &mut rng, plan.communes)?;
    let offices = post_offices(conn, master, &mut rng, &places)?;
    let mut sellers = plan_sellers(conn, &mut rng, plan, &places)?;
    insert_sellers(conn, master, &sellers, &places, &offices)?;
    progress(&format!(
        "{} sellers in {} communes of {} provinces",
        sellers.len(),
        places.len(),
        offices.len()
    ));
    let (lots, recalled) =
        make_lots(conn, master, settings, &mut rng, plan, &mut sellers, &places, &offices)?;
    progress(&format!("{lots} signed lots, {recalled} of them recalled"));
    let available = insert_listings(conn, &mut rng, plan, &sellers, &places, &offices, progress)?;
    refresh_statistics(conn)?;
    Ok(SeedReport {
        listings: plan.listings,
        sellers: sellers.len(),
        communes: places.len(),
        provinces: offices.len(),
        lots,
        recalled_lots: recalled,
        available,
    })
}

/// After a bulk load the planner's statistics describe an empty market;
/// refresh them as an operator would after any large import.
fn refresh_statistics(conn: &mut DbConnection) -> Result<(), ApiError> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Postgres(c) => {
            c.batch_execute("VACUUM (ANALYZE) listings, listing_search, lots, sellers, users")?
        }
        DbConnection::Sqlite(c) => c.batch_execute("ANALYZE")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use market::listings::rules;
    use storage::schema::listings;

    /// A small market on the backend under test.
    fn seeded(
        listings: usize,
        seed: u64,
    ) -> (storage::testing::TestDatabase, SeedReport, Vec<(String, String, i64)>) {
        let db = storage::testing::TestDatabase::new().unwrap();
        let pool = storage::connect_and_migrate(&db.database_url().unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        market::reference::store::load_reference_data(&mut conn).unwrap();
        let master = vault::MasterKey::generate();
        traceability::keys::ensure_operator(&mut conn, &master, "test").unwrap();
        let settings = TraceSettings { public_url: "http://x".into(), gtin_company_prefix: "200000".into() };
        let until = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        let plan = SeedPlan::new(listings, seed, until);
        let report = super::seed(&mut conn, &master, &settings, &plan, &mut |_| {}).unwrap();
        let rows = listings::table
            .order(listings::id)
            .select((listings::id, listings::title, listings::price_vnd))
            .load(&mut conn)
            .unwrap();
        let again = super::seed(&mut conn, &master, &settings, &plan, &mut |_| {});
        assert!(
            matches!(again, Err(ref e) if e.code() == common::ErrorCode::Conflict),
            "a second run must be asked for"
        );
        // What the generator counts as buyable is what the search finds.
        let everything = market::listings::search::search(
            &mut conn,
            &rules::SearchQuery::parse(&rules::RawSearch::default()).unwrap(),
        )
        .unwrap();
        assert_eq!(everything.total, report.available as i64);
        drop(conn);
        (db, report, rows)
    }

    #[test]
    fn a_seed_makes_the_same_market_every_time() {
        let (_a, report, first) = seeded(600, 7);
        assert_eq!((report.listings, report.sellers, first.len()), (600, 12, 600));
        assert!(report.available > 400 && report.available < 600, "{report:?}");
        let (_b, _, second) = seeded(600, 7);
        assert_eq!(first, second);
        let (_c, _, other) = seeded(600, 8);
        assert_ne!(first, other);
    }
}
