//! Where the generated market is: communes of every province, some much
//! busier than others, and the post office of each province with a staff
//! member (made on the first run, found again when adding to a market).

use std::collections::{BTreeMap, HashSet};

use accounts::Role;
use diesel::prelude::*;
use storage::schema::{communes, organisations, provinces, users};
use storage::DbConnection;

use crate::rng::Rng;
use crate::sellers::{new_phone, person_name};
use common::{ApiError, OrganisationId, UserId};

/// A commune where sellers live, with how busy it is.
pub(crate) struct Commune {
    pub(crate) code: String,
    pub(crate) province_code: String,
    pub(crate) name: String,
    pub(crate) short_name: String,
    pub(crate) province_name: String,
    pub(crate) province_short: String,
    pub(crate) weight: f64,
}

/// The post office of a province: it onboards the sellers there, signs
/// their lots, and its staff list for some of them.
pub(crate) struct Office {
    pub(crate) organisation_id: OrganisationId,
    pub(crate) staff_user_id: UserId,
    pub(crate) staff_name: String,
}

/// `count` communes spread over every province, weighted so that a few
/// are busy and most are quiet (Zipf-like, as markets are).
pub(crate) fn pick_communes(
    conn: &mut DbConnection,
    rng: &mut Rng,
    count: usize,
) -> Result<Vec<Commune>, ApiError> {
    type Row = (String, String, String, String, String, String);
    let rows: Vec<Row> = communes::table
        .inner_join(provinces::table)
        .select((
            communes::code,
            communes::province_code,
            communes::name,
            communes::short_name,
            provinces::name,
            provinces::short_name,
        ))
        .order(communes::code)
        .load(conn)?;
    if rows.is_empty() {
        return Err(ApiError::internal("no communes: load the reference data first"));
    }
    let mut by_province: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for row in rows {
        by_province.entry(row.1.clone()).or_default().push(row);
    }
    for list in by_province.values_mut() {
        rng.shuffle(list);
    }
    // One commune from each province in turn, so every province has some.
    let mut chosen: Vec<Row> = Vec::with_capacity(count);
    let mut round = 0;
    while chosen.len() < count {
        let before = chosen.len();
        for list in by_province.values() {
            if let Some(row) = list.get(round) {
                if chosen.len() < count {
                    chosen.push(row.clone());
                }
            }
        }
        if chosen.len() == before {
            break;
        }
        round += 1;
    }
    rng.shuffle(&mut chosen);
    Ok(chosen
        .into_iter()
        .enumerate()
        .map(|(rank, (code, province_code, name, short_name, province_name, province_short))| Commune {
            code,
            province_code,
            name,
            short_name,
            province_name,
            province_short,
            weight: 1.0 / ((rank + 1) as f64).powf(0.7),
        })
        .collect())
}

pub(crate) fn post_offices(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    rng: &mut Rng,
    places: &[Commune],
) -> Result<BTreeMap<String, Office>, ApiError> {
    let trace = |e: ApiError| ApiError::internal(format!("post office: {e}"));
    let mut phones: HashSet<String> =
        users::table.select(users::phone).load::<String>(conn)?.into_iter().collect();
    let mut offices = BTreeMap::new();
    for place in places {
        if offices.contains_key(&place.province_code) {
            continue;
        }
        let name = format!("Bưu điện {}", place.province_short);
        // The post offices of an earlier run, when adding to a market.
        let found: Option<OrganisationId> = organisations::table
            .filter(organisations::kind.eq(traceability::keys::ORG_POST_OFFICE))
            .filter(organisations::name.eq(&name))
            .select(organisations::id)
            .first(conn)
            .optional()?;
        let organisation_id = match found {
            Some(id) => id,
            None => {
                let made = traceability::keys::add_signing_organisation(
                    conn,
                    master,
                    traceability::keys::ORG_POST_OFFICE,
                    &name,
                    Some(&place.code),
                )
                .map_err(trace)?
                .0;
                OrganisationId::parse(&made)
                    .ok_or_else(|| ApiError::internal(format!("organisation id {made:?}")))?
            }
        };
        let staff: Option<(UserId, String)> = users::table
            .filter(users::organisation_id.eq(&organisation_id))
            .filter(users::role.eq(Role::Staff.as_str()))
            .select((users::id, users::name))
            .first(conn)
            .optional()?;
        let (staff_user_id, staff_name) = match staff {
            Some(s) => s,
            None => {
                let name = format!("{} ({name})", person_name(rng, &place.province_code));
                let phone = accounts::Phone::parse(&new_phone(rng, &mut phones))?;
                let user = accounts::users::insert_user(
                    conn,
                    accounts::users::NewUser {
                        role: Role::Staff,
                        phone: &phone,
                        name: &name,
                        password_hash: None,
                        organisation_id: Some(&organisation_id),
                    },
                )?;
                (user.id, name)
            }
        };
        offices.insert(place.province_code.clone(), Office { organisation_id, staff_user_id, staff_name });
    }
    Ok(offices)
}
