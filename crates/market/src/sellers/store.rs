//! Sellers in the database: onboarding one (its user account, the seller
//! row with the national ID sealed, an activation code, the audit record),
//! a whole checked file in one transaction, activation codes again, and the
//! seller records staff and farmers may see.

use std::collections::HashSet;

use accounts::{access, users, Actor, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::sellers;
use storage::DbConnection;

use super::rules::{self, CheckedFile, RowKeys, ValidSeller};
use super::spreadsheet::{Column, RowError};
use super::{
    DryRunReport, ImportOutcome, ImportReport, ImportedSeller, OnboardSeller, OnboardedSeller, SellerView,
};
use crate::reference::{self, banks};
use common::rfc3339;
use common::{ApiError, ErrorCode, SellerId};

/// The keyed hash a national ID is found by (the number itself is sealed).
pub(crate) fn national_id_lookup(key: &vault::MasterKey, national_id: &str) -> String {
    key.lookup_hash("national_id", national_id)
}

/// Which of these national ID lookups already belong to a seller.
pub(crate) fn taken_national_ids(
    conn: &mut DbConnection,
    lookups: &[String],
) -> Result<std::collections::HashSet<String>, ApiError> {
    let taken: Vec<String> = sellers::table
        .filter(sellers::national_id_lookup.eq_any(lookups))
        .select(sellers::national_id_lookup)
        .load(conn)?;
    Ok(taken.into_iter().collect())
}

pub fn onboard(
    conn: &mut DbConnection,
    key: &vault::MasterKey,
    actor: &Actor,
    input: &OnboardSeller,
    activation_ttl: chrono::Duration,
) -> Result<OnboardedSeller, ApiError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let v = rules::validate(input).map_err(|errors| match errors.into_iter().next() {
        Some(first) => ApiError::from(first),
        None => ApiError::internal("validation failed without a reason"),
    })?;
    storage::write_transaction(conn, |conn| {
        if reference::store::find(conn, &v.commune_code)?.is_none() {
            return Err(ApiError::field(
                ErrorCode::UnknownValue,
                "commune_code",
                rules::commune_not_listed(&v.commune_code),
            ));
        }
        let lookup = national_id_lookup(key, &v.national_id);
        if !taken_national_ids(conn, std::slice::from_ref(&lookup))?.is_empty() {
            return Err(ApiError::field(ErrorCode::AlreadyTaken, "national_id", rules::NATIONAL_ID_TAKEN));
        }
        insert_valid(conn, key, actor, &v, activation_ttl, "seller.onboard")
    })
}

/// Stores one validated seller: the farmer's user account (a buyer's
/// account with the phone is joined, any other refuses it), the seller row with the national ID sealed,
/// an activation code and the audit record `action`. Call it inside a write
/// transaction whose caller has checked the commune and national ID.
pub(crate) fn insert_valid(
    conn: &mut DbConnection,
    key: &vault::MasterKey,
    actor: &Actor,
    v: &ValidSeller,
    activation_ttl: chrono::Duration,
    action: &str,
) -> Result<OnboardedSeller, ApiError> {
    let user = match users::find_by_phone(conn, &v.phone)? {
        // the buyer becomes this farmer when the code is used (activation)
        Some(buyer) if users::joins_as_farmer(&buyer) => buyer,
        _ => users::insert_user(
            conn,
            users::NewUser {
                role: Role::Farmer,
                phone: &v.phone,
                name: &v.full_name,
                password_hash: None,
                organisation_id: actor.organisation_id.as_ref(),
            },
        )?,
    };
    let id = storage::new_id();
    let now = storage::now();
    let sealed = key.seal(&format!("seller:{id}:national_id"), v.national_id.as_bytes());
    diesel::insert_into(sellers::table)
        .values((
            sellers::id.eq(&id),
            sellers::user_id.eq(&user.id),
            sellers::full_name.eq(&v.full_name),
            sellers::phone.eq(v.phone.as_str()),
            sellers::national_id_ciphertext.eq(&sealed),
            sellers::national_id_lookup.eq(national_id_lookup(key, &v.national_id)),
            sellers::national_id_last3.eq(&v.national_id[9..]),
            sellers::commune_code.eq(&v.commune_code),
            sellers::address.eq(&v.address),
            sellers::farm_name.eq(&v.farm_name),
            sellers::bank_bin.eq(&v.bank_bin),
            sellers::bank_account_number.eq(&v.account_number),
            sellers::bank_account_name.eq(&v.account_name),
            sellers::consent_terms_version.eq(&v.terms_version),
            sellers::consent_method.eq(v.consent_method.as_str()),
            sellers::consent_recorded_by.eq(&actor.user_id),
            sellers::consent_at.eq(now),
            sellers::organisation_id.eq(&actor.organisation_id),
            sellers::created_at.eq(now),
        ))
        .execute(conn)?;
    let code = users::issue_activation_code(conn, &user.id, activation_ttl)?;
    accounts::audit::record(conn, actor, Some(user.id.as_str()), action, "seller", &id)?;
    Ok(OnboardedSeller {
        id,
        user_id: user.id.into_string(),
        activation_code: code,
        activation_expires_at: rfc3339(now + activation_ttl),
    })
}

pub fn reissue_activation(
    conn: &mut DbConnection,
    actor: &Actor,
    seller_id: &SellerId,
    ttl: chrono::Duration,
) -> Result<(String, String), ApiError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    storage::write_transaction(conn, |conn| {
        let (user_id, organisation): (common::UserId, Option<String>) = sellers::table
            .find(seller_id)
            .select((sellers::user_id, sellers::organisation_id))
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::not_found("seller"))?;
        let owner =
            access::SellerOwner { user_id: user_id.as_str(), organisation_id: organisation.as_deref() };
        if !access::may_act_for(actor, owner) {
            return Err(ApiError::not_found("seller"));
        }
        // A code sets a new password: for staff only while the farmer has
        // none yet, so a counter cannot take over an active account.
        // A buyer account joining its seller is safe: its activation asks
        // for the buyer's own password as well.
        let joining = users::find_by_id(conn, &user_id)?.is_some_and(|u| users::joins_as_farmer(&u));
        if actor.role != Role::Admin && !joining && users::has_password(conn, &user_id)? {
            return Err(ApiError::new(
                ErrorCode::AlreadyActivated,
                "the farmer has already set a password; an admin must reset it",
            ));
        }
        let code = users::issue_activation_code(conn, &user_id, ttl)?;
        accounts::audit::record(
            conn,
            actor,
            Some(user_id.as_str()),
            "seller.activation_code",
            "seller",
            seller_id.as_str(),
        )?;
        Ok((code, rfc3339(storage::now() + ttl)))
    })
}

type SellerRow = (
    (String, String, String, String, String, String, String, Option<String>),
    (String, String, String, String, String, String, NaiveDateTime, NaiveDateTime),
    (String, String),
);

fn load(
    conn: &mut DbConnection,
    filter_id: Option<&str>,
    commune: Option<&str>,
    organisation: Option<Option<&str>>,
) -> Result<Vec<SellerView>, ApiError> {
    use storage::schema::{communes as c, provinces as p};
    let mut q = sellers::table
        .inner_join(c::table.inner_join(p::table))
        .select((
            (
                sellers::id,
                sellers::user_id,
                sellers::full_name,
                sellers::phone,
                sellers::national_id_last3,
                sellers::commune_code,
                sellers::address,
                sellers::farm_name,
            ),
            (
                sellers::bank_bin,
                sellers::bank_account_number,
                sellers::bank_account_name,
                sellers::consent_terms_version,
                sellers::consent_method,
                sellers::consent_recorded_by,
                sellers::consent_at,
                sellers::created_at,
            ),
            (c::name, p::name),
        ))
        .into_boxed();
    if let Some(id) = filter_id {
        q = q.filter(sellers::id.eq(id.to_string()));
    }
    if let Some(code) = commune {
        q = q.filter(sellers::commune_code.eq(code.to_string()));
    }
    match organisation {
        Some(Some(org)) => q = q.filter(sellers::organisation_id.eq(org.to_string())),
        Some(None) => q = q.filter(sellers::organisation_id.is_null()),
        None => {}
    }
    let rows: Vec<SellerRow> = q.order(sellers::created_at.desc()).limit(500).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(a, b, (commune_name, province_name))| SellerView {
            id: a.0,
            user_id: a.1,
            full_name: a.2,
            phone: a.3,
            national_id_masked: rules::mask_national_id(&a.4),
            commune_code: a.5,
            commune_name,
            province_name,
            address: a.6,
            farm_name: a.7,
            bank_name: banks::find(&b.0).map(|b| b.short_name.to_string()).unwrap_or_default(),
            bank_bin: b.0,
            bank_account_number: b.1,
            bank_account_name: b.2,
            consent_terms_version: b.3,
            consent_method: b.4,
            consent_recorded_by: b.5,
            consent_at: rfc3339(b.6),
            created_at: rfc3339(b.7),
        })
        .collect())
}

/// The post office whose sellers a list is limited to: `None` for all
/// (admin), from the one visibility rule.
fn visible_organisation(scope: &access::SellerScope) -> Option<Option<&str>> {
    match scope {
        access::SellerScope::Organisation(org) => Some(org.as_ref().map(common::OrganisationId::as_str)),
        access::SellerScope::All | access::SellerScope::Farmer(_) => None,
    }
}

/// Admin sees any seller, staff those of their own organisation, a farmer
/// only itself (`accounts::access`); buyers and officers none.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &SellerId) -> Result<SellerView, ApiError> {
    let not_found = || ApiError::not_found("seller");
    let scope = access::seller_scope(actor)?;
    let post_office = visible_organisation(&scope);
    let seller = load(conn, Some(id.as_str()), None, post_office)?.pop().ok_or_else(not_found)?;
    // the load kept only the scope's post office, so that is the seller's
    let owner = access::SellerOwner { user_id: &seller.user_id, organisation_id: post_office.flatten() };
    if scope.includes(owner) {
        Ok(seller)
    } else {
        Err(not_found())
    }
}

/// The farmer's own seller: how its app learns its seller id, commune and
/// farm. 404 when the account has no seller (onboarding not finished).
pub fn mine(conn: &mut DbConnection, actor: &Actor) -> Result<SellerView, ApiError> {
    actor.require(&[Role::Farmer])?;
    let id: Option<String> = sellers::table
        .filter(sellers::user_id.eq(actor.user_id.as_str()))
        .select(sellers::id)
        .first(conn)
        .optional()?;
    let id = id.and_then(|id| SellerId::parse(&id)).ok_or_else(|| ApiError::not_found("seller"))?;
    get(conn, actor, &id)
}

/// The sellers staff (their post office's) and admin (all) may list.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    commune: Option<&str>,
) -> Result<Vec<SellerView>, ApiError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let scope = access::seller_scope(actor)?;
    load(conn, None, commune, visible_organisation(&scope))
}

/// The seller record of a farmer account, if any.
pub fn seller_id_for_user(conn: &mut DbConnection, user_id: &str) -> Result<Option<String>, ApiError> {
    Ok(sellers::table.filter(sellers::user_id.eq(user_id)).select(sellers::id).first(conn).optional()?)
}

// A sellers file, imported whole.

/// The audit action of a seller created from a file (single onboarding
/// records `seller.onboard`).
const AUDIT_ACTION: &str = "seller.import";

/// What only the database knows: communes that are not in the 2025 list,
/// phones and national IDs already registered.
fn database_problems(
    conn: &mut DbConnection,
    key: &vault::MasterKey,
    rows: &[RowKeys],
) -> Result<Vec<RowError>, ApiError> {
    let codes: Vec<String> =
        rows.iter().filter_map(|r| r.commune_code.clone()).collect::<HashSet<_>>().into_iter().collect();
    let known = reference::store::existing_codes(conn, &codes)?;
    let phones: Vec<String> =
        rows.iter().filter_map(|r| r.phone.as_ref()).map(|p| p.as_str().to_string()).collect();
    let registered = users::registered_phones(conn, &phones)?;
    let lookups: Vec<Option<String>> =
        rows.iter().map(|r| r.national_id.as_ref().map(|id| national_id_lookup(key, id))).collect();
    let taken = taken_national_ids(conn, &lookups.iter().flatten().cloned().collect::<Vec<_>>())?;
    let mut problems = Vec::new();
    for (r, lookup) in rows.iter().zip(&lookups) {
        if let Some(code) = r.commune_code.as_ref().filter(|c| !known.contains(*c)) {
            problems.push(rules::problem(
                r.row,
                Column::CommuneCode,
                ErrorCode::UnknownValue,
                rules::commune_not_listed(code),
            ));
        }
        if let Some(phone) = r.phone.as_ref().filter(|p| registered.contains(p.as_str())) {
            problems.push(rules::problem(
                r.row,
                Column::Phone,
                ErrorCode::AlreadyTaken,
                format!("phone {} already has an account", phone.as_str()),
            ));
        }
        if lookup.as_ref().is_some_and(|l| taken.contains(l)) {
            problems.push(rules::problem(
                r.row,
                Column::NationalId,
                ErrorCode::AlreadyTaken,
                rules::NATIONAL_ID_TAKEN,
            ));
        }
    }
    Ok(problems)
}

/// A phone or national ID taken by a concurrent request between the check
/// and the insert: the whole import is rolled back, and the row named.
fn conflict_in_row(row: usize, e: ApiError) -> ApiError {
    if e.status() == actix_web::http::StatusCode::CONFLICT {
        let conflict =
            ApiError::conflict(format!("row {row}: {}; nothing was imported", e.message())).param("row", row);
        match e.field_name() {
            Some(field) => conflict.at(field),
            None => conflict,
        }
    } else {
        e
    }
}

/// Imports a checked file into the actor's organisation, or with `dry_run`
/// only says whether it would import. All or nothing: one transaction, and
/// any problem in any row means no seller is created.
pub fn import(
    conn: &mut DbConnection,
    key: &vault::MasterKey,
    actor: &Actor,
    file: CheckedFile,
    activation_ttl: chrono::Duration,
    dry_run: bool,
) -> Result<ImportOutcome, ApiError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let CheckedFile { valid, keys, mut problems, rows } = file;
    if dry_run || !problems.is_empty() {
        // Reads only: nothing is written, so no write lock is taken.
        problems.extend(database_problems(conn, key, &keys)?);
        return if problems.is_empty() {
            Ok(ImportOutcome::Checked(DryRunReport { valid: true, rows }))
        } else {
            Err(rules::rows_error(problems, rows))
        };
    }
    let report = storage::write_transaction(conn, |conn| {
        let problems = database_problems(conn, key, &keys)?;
        if !problems.is_empty() {
            return Err(rules::rows_error(problems, rows));
        }
        let mut imported = Vec::with_capacity(valid.len());
        for (row, v) in &valid {
            let created = insert_valid(conn, key, actor, v, activation_ttl, AUDIT_ACTION)
                .map_err(|e| conflict_in_row(*row, e))?;
            imported.push(ImportedSeller {
                row: *row,
                id: created.id,
                user_id: created.user_id,
                full_name: v.full_name.clone(),
                phone: v.phone.as_str().to_string(),
                activation_code: created.activation_code,
                activation_expires_at: created.activation_expires_at,
            });
        }
        Ok(ImportReport { imported: imported.len(), sellers: imported })
    })?;
    tracing::info!(actor = %actor.user_id, imported = report.imported, "sellers imported from a file");
    Ok(ImportOutcome::Imported(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clash_during_the_import_names_its_row_and_field() {
        let e = conflict_in_row(7, ApiError::field(ErrorCode::AlreadyTaken, "phone", "already registered"));
        assert_eq!((e.code(), e.field_name()), (ErrorCode::Conflict, Some("phone")));
        assert_eq!(e.params()["row"], 7);
        assert!(e.message().starts_with("row 7: "), "{}", e.message());
        let other = conflict_in_row(7, ApiError::forbidden());
        assert_eq!((other.code(), other.params().get("row")), (ErrorCode::Forbidden, None));
    }
}
