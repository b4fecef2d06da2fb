//! Issuer keys and the trust list.
//!
//! Keys belong to organisations (the operator, a post-office branch, a
//! cooperative). A secret key is sealed under the master key and never
//! leaves the server. The trust list is every key with its validity period:
//! rotation closes the old key's period (records it signed stay valid);
//! revocation marks a key as not to be trusted at all (it may be stolen, so
//! even its old signatures are suspect).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use ed25519_dalek::SigningKey;
use serde::Serialize;
use storage::schema::{issuer_keys, organisations};
use storage::DbConnection;
use utoipa::ToSchema;
use zeroize::Zeroizing;

use crate::remembered::Remembered;
use crate::{did_key, TraceError};

pub const ORG_OPERATOR: &str = "operator";
pub const ORG_POST_OFFICE: &str = "post_office";
pub const ORG_COOPERATIVE: &str = "cooperative";

pub struct SigningIdentity {
    pub key_id: String,
    pub did: String,
    pub organisation_name: String,
    pub signing_key: SigningKey,
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity").field("did", &self.did).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct TrustedIssuer {
    pub did: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub organisation_kind: String,
    /// `active`, `retired` (rotated out; its records stay valid) or `revoked`.
    pub status: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub revoked_at: Option<String>,
    pub revocation_reason: Option<String>,
}

fn seal_context(key_id: &str) -> String {
    format!("issuer_key:{key_id}")
}

fn ts(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn create_organisation(
    conn: &mut DbConnection,
    kind: &str,
    name: &str,
    commune_code: Option<&str>,
) -> Result<String, TraceError> {
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

/// An organisation as listed by `nongsan org list`.
#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub commune_code: Option<String>,
}

/// A post office or cooperative with its first issuer key: the records of
/// the farmers its staff onboard are signed in its name.
pub fn add_signing_organisation(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    kind: &str,
    name: &str,
    commune_code: Option<&str>,
) -> Result<(String, String), TraceError> {
    if ![ORG_POST_OFFICE, ORG_COOPERATIVE].contains(&kind) {
        return Err(TraceError::invalid("kind", "must be post_office or cooperative"));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(TraceError::invalid("name", "1 to 200 characters, no control characters"));
    }
    storage::write_transaction(conn, |conn| {
        if let Some(code) = commune_code {
            let known: i64 = storage::schema::communes::table
                .filter(storage::schema::communes::code.eq(code))
                .count()
                .get_result(conn)?;
            if known == 0 {
                return Err(TraceError::invalid(
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

pub fn list_organisations(conn: &mut DbConnection) -> Result<Vec<Organisation>, TraceError> {
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
pub fn require_organisation(conn: &mut DbConnection, org: &str) -> Result<(), TraceError> {
    let found: i64 = organisations::table.filter(organisations::id.eq(org)).count().get_result(conn)?;
    if found == 0 {
        return Err(TraceError::NotFound(format!("organisation {org} (see `nongsan org list`)")));
    }
    Ok(())
}

pub fn operator_organisation(conn: &mut DbConnection) -> Result<Option<String>, TraceError> {
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
) -> Result<String, TraceError> {
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

fn active_key_of(
    conn: &mut DbConnection,
    org: &str,
) -> Result<Option<(String, String, Vec<u8>)>, TraceError> {
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
pub fn new_key(conn: &mut DbConnection, master: &vault::MasterKey, org: &str) -> Result<String, TraceError> {
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
) -> Result<SigningIdentity, TraceError> {
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
                .map_err(|e| TraceError::Proof(format!("issuer key {did}: {e}")))?;
            let bytes: [u8; 32] = seed
                .as_slice()
                .try_into()
                .map_err(|_| TraceError::Proof(format!("issuer key {did} is damaged")))?;
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
    Err(TraceError::Proof("no active issuer key: run `nongsan keys rotate`".into()))
}

/// Retires the organisation's active key (its period ends now; what it
/// signed stays valid) and creates a new one. Returns the new DID.
pub fn rotate(conn: &mut DbConnection, master: &vault::MasterKey, org: &str) -> Result<String, TraceError> {
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
pub fn revoke(conn: &mut DbConnection, did: &str, reason: &str) -> Result<(), TraceError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(TraceError::invalid("reason", "say why the key is revoked"));
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
        return Err(TraceError::NotFound(format!("unrevoked issuer key {did}")));
    }
    tracing::warn!(%did, reason, "issuer key revoked");
    Ok(())
}

pub fn trust_list(conn: &mut DbConnection) -> Result<Vec<TrustedIssuer>, TraceError> {
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
            valid_from: ts(r.5),
            valid_until: r.6.map(ts),
            revoked_at: r.7.map(ts),
            revocation_reason: r.8,
        })
        .collect())
}

/// The trust checks of a record signed by `did` at `signed_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustDecision {
    pub issuer_trusted: bool,
    pub key_not_revoked: bool,
    pub issuer_name: Option<String>,
    pub reasons: Vec<String>,
}

/// Pure: decides trust from a trust list (also used offline by
/// `nongsan verify --trust-list FILE`).
pub fn decide_trust(list: &[TrustedIssuer], did: &str, signed_at: Option<DateTime<Utc>>) -> TrustDecision {
    let Some(entry) = list.iter().find(|e| e.did == did) else {
        return TrustDecision {
            issuer_trusted: false,
            key_not_revoked: true,
            issuer_name: None,
            reasons: vec![format!("issuer {did} is not on the trust list")],
        };
    };
    let mut reasons = vec![];
    let parse = |s: &str| DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc));
    let key_not_revoked = entry.revoked_at.is_none();
    if !key_not_revoked {
        reasons.push(format!(
            "issuer key was revoked ({})",
            entry.revocation_reason.clone().unwrap_or_else(|| "no reason given".into())
        ));
    }
    let mut in_period = true;
    match signed_at {
        None => {
            in_period = false;
            reasons.push("the proof has no `created` time to check against the key's validity".into());
        }
        Some(t) => {
            // A small allowance for clocks: records are signed by this server.
            let slack = chrono::Duration::seconds(5);
            if parse(&entry.valid_from).is_some_and(|from| t + slack < from) {
                in_period = false;
                reasons.push("signed before the key's validity period began".into());
            }
            if entry.valid_until.as_deref().and_then(parse).is_some_and(|until| t > until + slack) {
                in_period = false;
                reasons.push("signed after the key was rotated out".into());
            }
        }
    }
    TrustDecision {
        issuer_trusted: in_period && key_not_revoked,
        key_not_revoked,
        issuer_name: Some(entry.organisation_name.clone()),
        reasons,
    }
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
    pub fn get(&self, conn: &mut DbConnection) -> Result<std::sync::Arc<Vec<TrustedIssuer>>, TraceError> {
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
