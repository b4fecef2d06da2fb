//! Issuing, reading and re-signing record versions in the database.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;
use storage::schema::provenance_records;
use storage::DbConnection;

use super::RecordVersion;
use crate::credential::{self, Issuer, LotSnapshot, Origin, QuantityFacts};
use crate::lots::rules::whole_seconds;
use crate::lots::store::{digital_link, genesis_of, load_context, load_events, lock_lot, LotFilter};
use crate::lots::TraceSettings;
use crate::proof::{self, ProofOptions};
use crate::{did_key, keys};
use common::ids::LotId;
use common::ApiError;

/// The newest record version of a lot, 0 when it has none.
pub(crate) fn latest_version(conn: &mut DbConnection, lot_id: &LotId) -> Result<i64, ApiError> {
    let v: Option<i64> = provenance_records::table
        .filter(provenance_records::lot_id.eq(lot_id))
        .select(diesel::dsl::max(provenance_records::version))
        .first(conn)?;
    Ok(v.unwrap_or(0))
}

/// Signs and stores the next version of the lot's record.
pub(crate) fn issue_record(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    lot_id: &LotId,
) -> Result<i64, ApiError> {
    let ctx = load_context(conn, LotFilter::Id(lot_id))?.ok_or_else(|| ApiError::not_found("lot"))?;
    let events = load_events(conn, lot_id)?;
    let snapshot = LotSnapshot {
        genesis: genesis_of(&ctx),
        genesis_hash: ctx.lot.genesis_hash.clone(),
        digital_link: digital_link(settings, &ctx.lot)?,
        quantity: QuantityFacts {
            value: ctx.lot.quantity.clone(),
            unit: ctx.lot.unit.clone(),
            grams: ctx.lot.quantity_g,
        },
        origin: Origin {
            country: "VN".into(),
            commune_code: ctx.lot.commune_code.clone(),
            commune_name: ctx.commune_name.clone(),
            province_code: ctx.province_code.clone(),
            province_name: ctx.province_name.clone(),
            farm_name: ctx.lot.farm_name.clone(),
        },
        producer_name: ctx.seller_name.clone(),
        recalled: ctx.lot.status == "recalled",
        events,
    };
    let identity = keys::signing_identity(conn, master, ctx.seller_organisation.as_deref())?;
    let version = latest_version(conn, lot_id)? + 1;
    let record_id = storage::new_id();
    let now = whole_seconds(Utc::now());
    let unsigned = credential::unsigned_record(
        &snapshot,
        version,
        &record_id,
        &Issuer { did: &identity.did, name: &identity.organisation_name },
        now,
    );
    let options = ProofOptions {
        verification_method: did_key::verification_method(&identity.did),
        proof_purpose: "assertionMethod".into(),
        created: Some(now),
    };
    let signed = proof::add_proof(&unsigned, &options, &identity.signing_key)?;
    diesel::insert_into(provenance_records::table)
        .values((
            provenance_records::id.eq(&record_id),
            provenance_records::lot_id.eq(lot_id),
            provenance_records::version.eq(version),
            provenance_records::credential.eq(signed.to_string()),
            provenance_records::issuer_key_id.eq(&identity.key_id),
            provenance_records::created_at.eq(storage::now()),
        ))
        .execute(conn)?;
    Ok(version)
}

/// The signed record: the newest, or a given version.
pub fn record(conn: &mut DbConnection, lot_id: &LotId, version: Option<i64>) -> Result<Value, ApiError> {
    let text = record_text(conn, lot_id, version)?;
    serde_json::from_str(&text).map_err(|e| ApiError::internal(format!("stored record is unreadable: {e}")))
}

/// The signed record exactly as stored, for serving without re-encoding.
pub fn record_text(
    conn: &mut DbConnection,
    lot_id: &LotId,
    version: Option<i64>,
) -> Result<String, ApiError> {
    let mut q = provenance_records::table
        .filter(provenance_records::lot_id.eq(lot_id))
        .select(provenance_records::credential)
        .into_boxed();
    if let Some(v) = version {
        q = q.filter(provenance_records::version.eq(v));
    }
    q.order(provenance_records::version.desc())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("record"))
}

pub fn record_versions(conn: &mut DbConnection, lot_id: &LotId) -> Result<Vec<RecordVersion>, ApiError> {
    let rows: Vec<(i64, NaiveDateTime)> = provenance_records::table
        .filter(provenance_records::lot_id.eq(lot_id))
        .order(provenance_records::version)
        .select((provenance_records::version, provenance_records::created_at))
        .load(conn)?;
    if rows.is_empty() {
        return Err(ApiError::not_found("lot"));
    }
    Ok(rows
        .into_iter()
        .map(|(version, at)| RecordVersion {
            version,
            created_at: common::rfc3339(at),
            url: format!("/api/v1/lots/{lot_id}/record?version={version}"),
        })
        .collect())
}

/// After a key is revoked, nothing it signed is trusted: re-sign the newest
/// version of every lot whose newest record it signed, with the current
/// key, so scan pages show a trusted record again. Returns how many.
pub fn resign_after_revocation(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    revoked_did: &str,
) -> Result<usize, ApiError> {
    use storage::schema::issuer_keys;
    let key_id: String = issuer_keys::table
        .filter(issuer_keys::did.eq(revoked_did))
        .select(issuer_keys::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("issuer key {revoked_did}")))?;
    let lot_ids: Vec<LotId> = provenance_records::table
        .filter(provenance_records::issuer_key_id.eq(&key_id))
        .select(provenance_records::lot_id)
        .distinct()
        .load(conn)?;
    let mut resigned = 0;
    for lot_id in lot_ids {
        storage::write_transaction(conn, |conn| {
            lock_lot(conn, &lot_id)?;
            let newest_by: String = provenance_records::table
                .filter(provenance_records::lot_id.eq(&lot_id))
                .order(provenance_records::version.desc())
                .select(provenance_records::issuer_key_id)
                .first(conn)?;
            if newest_by == key_id {
                issue_record(conn, master, settings, &lot_id)?;
                resigned += 1;
            }
            Ok::<_, ApiError>(())
        })?;
    }
    Ok(resigned)
}
