//! Organisations and issuer keys in the database, and the trust list with
//! its short-lived in-memory copy.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ed25519_dalek::SigningKey;
use storage::schema::{issuer_keys, organisations};
use storage::DbConnection;
use zeroize::Zeroizing;

use super::{rules, Organisation, SigningIdentity, TrustedIssuer, ORG_OPERATOR};
use crate::remembered::Remembered;
use common::{ApiError, ErrorCode};

use crate::did_key;
use crate::proof::ProofError;

fn seal_context(key_id: &str) -> String {
    format!("issuer_key:{key_id}")
}

pub fn create_organisation(
    conn: &mut DbConnection,
    kind: &str,
    name: &str,
    commune_code: Option<&str>,
) -> Result<String, ApiError> {
    let id = storage::new_id();
    diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(&id),
            organisations::kind.eq(kind),
            organisations::name.eq(name),
            organisations::commune_code.eq(commune_code),
            organisations::created_at.eq(storage::now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A post office or cooperative with its first issuer key: the records of
/// the farmers its staff onboard are signed in its name.
pub fn add_signing_organisation(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    kind: &str,
    name: &str,
    commune_code: Option<&str>,
) -> Result<(String, String), ApiError> {
    let name = rules::signing_organisation_name(kind, name)?;
    storage::write_transaction(conn, |conn| {
        if let Some(code) = commune_code {
            let known: i64 = storage::schema::communes::table
                .filter(storage::schema::communes::code.eq(code))
                .count()
                .get_result(conn)?;
            if known == 0 {
                return Err(ApiError::field(
                    ErrorCode::UnknownValue,
                    "commune_code",
                    format!("no commune {code} in the 2025 list"),
                ));
            }
        }
        let id = create_organisation(conn, kind, name, commune_code)?;
        let did = new_key(conn, master, &id)?;
        Ok((id, did))
    })
}

pub fn list_organisations(conn: &mut DbConnection) -> Result<Vec<Organisation>, ApiError> {
    let rows: Vec<(String, String, String, Option<String>)> = organisations::table
        .order(organisations::created_at)
        .select((organisations::id, organisations::kind, organisations::name, organisations::commune_code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, name, commune_code)| Organisation { id, kind, name, commune_code })
        .collect())
}

/// Fails with a clear 404 when `org` is not an organisation here.
pub fn require_organisation(conn: &mut DbConnection, org: &str) -> Result<(), ApiError> {
    let found: i64 = organisations::table.filter(organisations::id.eq(org)).count().get_result(conn)?;
    if found == 0 {
        return Err(ApiError::not_found(format!("organisation {org} (see `nongsan org list`)")));
    }
    Ok(())
}

pub fn operator_organisation(conn: &mut DbConnection) -> Result<Option<String>, ApiError> {
    Ok(organisations::table
        .filter(organisations::kind.eq(ORG_OPERATOR))
        .order(organisations::created_at)
        .select(organisations::id)
        .first(conn)
        .optional()?)
}

/// Makes sure the operator organisation exists and has an active key.
pub fn ensure_operator(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    operator_name: &str,
) -> Result<String, ApiError> {
    storage::write_transaction(conn, |conn| {
        let org = match operator_organisation(conn)? {
            Some(id) => id,
            None => create_organisation(conn, ORG_OPERATOR, operator_name, None)?,
        };
        if active_key_of(conn, &org)?.is_none() {
            new_key(conn, master, &org)?;
        }
        Ok(org)
    })
}

fn active_key_of(conn: &mut DbConnection, org: &str) -> Result<Option<(String, String, Vec<u8>)>, ApiError> {
    let row = issuer_keys::table
        .filter(issuer_keys::organisation_id.eq(org))
        .filter(issuer_keys::status.eq("active"))
        .filter(issuer_keys::secret_key_sealed.is_not_null())
        .order(issuer_keys::valid_from.desc())
        .select((issuer_keys::id, issuer_keys::did, issuer_keys::secret_key_sealed))
        .first::<(String, String, Option<Vec<u8>>)>(conn)
        .optional()?;
    Ok(row.and_then(|(id, did, sealed)| sealed.map(|s| (id, did, s))))
}

/// Generates a key for `org`, sealed under the master key; returns its DID.
pub fn new_key(conn: &mut DbConnection, master: &vault::MasterKey, org: &str) -> Result<String, ApiError> {
    let signing = SigningKey::generate(&mut rand::rngs::OsRng);
    let did = did_key::did_from_public_key(&signing.verifying_key());
    let id = storage::new_id();
    let seed = Zeroizing::new(signing.to_bytes());
    let sealed = master.seal(&seal_context(&id), seed.as_ref());
    let now = storage::now();
    diesel::insert_into(issuer_keys::table)
        .values((
            issuer_keys::id.eq(&id),
            issuer_keys::organisation_id.eq(org),
            issuer_keys::did.eq(&did),
            issuer_keys::secret_key_sealed.eq(Some(sealed)),
            issuer_keys::status.eq("active"),
            issuer_keys::valid_from.eq(now),
            issuer_keys::valid_until.eq(None::<NaiveDateTime>),
            issuer_keys::revoked_at.eq(None::<NaiveDateTime>),
            issuer_keys::revocation_reason.eq(None::<String>),
            issuer_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    tracing::info!(%did, organisation = org, "issuer key created");
    Ok(did)
}

/// The key that signs records for a seller's organisation, falling back to
/// the operator's.
pub fn signing_identity(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    organisation: Option<&str>,
) -> Result<SigningIdentity, ApiError> {
    let mut candidates = Vec::new();
    if let Some(org) = organisation {
        candidates.push(org.to_string());
    }
    if let Some(op) = operator_organisation(conn)? {
        candidates.push(op);
    }
    for org in candidates {
        if let Some((key_id, did, sealed)) = active_key_of(conn, &org)? {
            let seed = master
                .open(&seal_context(&key_id), &sealed)
                .map_err(|e| ApiError::from(ProofError::Proof(format!("issuer key {did}: {e}"))))?;
            let bytes: [u8; 32] = seed
                .as_slice()
                .try_into()
                .map_err(|_| ApiError::from(ProofError::Proof(format!("issuer key {did} is damaged"))))?;
            let organisation_name: String =
                organisations::table.find(&org).select(organisations::name).first(conn)?;
            return Ok(SigningIdentity {
                key_id,
                did,
                organisation_name,
                signing_key: SigningKey::from_bytes(&bytes),
            });
        }
    }
    Err(ApiError::from(ProofError::Proof("no active issuer key: run `nongsan keys rotate`".into())))
}

/// Retires the organisation's active key (its period ends now; what it
/// signed stays valid) and creates a new one. Returns the new DID.
pub fn rotate(conn: &mut DbConnection, master: &vault::MasterKey, org: &str) -> Result<String, ApiError> {
    storage::write_transaction(conn, |conn| {
        require_organisation(conn, org)?;
        let now = storage::now();
        diesel::update(
            issuer_keys::table
                .filter(issuer_keys::organisation_id.eq(org))
                .filter(issuer_keys::status.eq("active")),
        )
        .set((issuer_keys::status.eq("retired"), issuer_keys::valid_until.eq(Some(now))))
        .execute(conn)?;
        new_key(conn, master, org)
    })
}

/// Marks a key as revoked: nothing it signed is trusted any more.
pub fn revoke(conn: &mut DbConnection, did: &str, reason: &str) -> Result<(), ApiError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::field(ErrorCode::Required, "reason", "say why the key is revoked"));
    }
    let n = diesel::update(
        issuer_keys::table.filter(issuer_keys::did.eq(did)).filter(issuer_keys::revoked_at.is_null()),
    )
    .set((
        issuer_keys::status.eq("revoked"),
        issuer_keys::revoked_at.eq(Some(storage::now())),
        issuer_keys::revocation_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(ApiError::not_found(format!("unrevoked issuer key {did}")));
    }
    tracing::warn!(%did, reason, "issuer key revoked");
    Ok(())
}

pub fn trust_list(conn: &mut DbConnection) -> Result<Vec<TrustedIssuer>, ApiError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        Option<String>,
    );
    let rows: Vec<Row> = issuer_keys::table
        .inner_join(organisations::table)
        .order(issuer_keys::valid_from)
        .select((
            issuer_keys::did,
            organisations::id,
            organisations::name,
            organisations::kind,
            issuer_keys::status,
            issuer_keys::valid_from,
            issuer_keys::valid_until,
            issuer_keys::revoked_at,
            issuer_keys::revocation_reason,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| TrustedIssuer {
            did: r.0,
            organisation_id: r.1,
            organisation_name: r.2,
            organisation_kind: r.3,
            status: r.4,
            valid_from: common::rfc3339(r.5),
            valid_until: r.6.map(common::rfc3339),
            revoked_at: r.7.map(common::rfc3339),
            revocation_reason: r.8,
        })
        .collect())
}

/// The trust list, kept in memory for a few seconds: every verification
/// needs it, and it changes only when a key is rotated or revoked (possibly
/// by the command line, in another process, hence a time limit rather than
/// explicit invalidation alone).
pub struct TrustListCache {
    ttl: std::time::Duration,
    slot: std::sync::Mutex<Option<Remembered<std::sync::Arc<Vec<TrustedIssuer>>>>>,
}

impl TrustListCache {
    pub fn new(ttl: std::time::Duration) -> Self {
        TrustListCache { ttl, slot: std::sync::Mutex::new(None) }
    }

    /// The list, read from the database when it is not fresh in memory.
    pub fn get(&self, conn: &mut DbConnection) -> Result<std::sync::Arc<Vec<TrustedIssuer>>, ApiError> {
        if let Some(list) = self.slot.lock().ok().and_then(|slot| slot.as_ref()?.fresh(self.ttl)) {
            return Ok(list);
        }
        let list = std::sync::Arc::new(trust_list(conn)?);
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some(Remembered::new(list.clone()));
        }
        Ok(list)
    }

    /// The list without touching the database, or `None` when this caller
    /// should read it again with [`TrustListCache::get`]. A stale list is
    /// still answered while another caller refreshes it.
    pub fn peek(&self) -> Option<std::sync::Arc<Vec<TrustedIssuer>>> {
        self.slot.lock().ok()?.as_mut()?.consult(self.ttl)
    }

    pub fn invalidate(&self) {
        if let Ok(mut slot) = self.slot.lock() {
            *slot = None;
        }
    }
}
