//! The remembered answers on the database: claiming a key, storing or
//! forgetting its answer, removing old ones.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::idempotency_keys;
use storage::DbConnection;

use common::ApiError;

/// What a key holds when a request arrives with it.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// New: this request acts, and its answer will be kept.
    Mine,
    /// The first request with the key is still running.
    Running,
    /// The first request's answer, to replay.
    Answered { status: u16, content_type: Option<String>, body: Vec<u8> },
    /// The key was used for another request.
    OtherRequest,
}

/// Claims `key` for `caller` and this request, or says what holds it. A
/// claim older than `stale_before` with no answer was left by a server that
/// stopped mid-request, and one older than `expired_before` is forgotten:
/// both are taken over.
pub fn claim(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    fingerprint: &str,
    now: NaiveDateTime,
    stale_before: NaiveDateTime,
    expired_before: NaiveDateTime,
) -> Result<Claim, ApiError> {
    // the insert is its own statement, outside any transaction, so a
    // concurrent duplicate sees the claim at once and waits for the answer
    let inserted = storage::per_backend!(conn, |c| diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::caller.eq(caller),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted == 1 {
        return Ok(Claim::Mine);
    }
    type Row = (String, Option<i32>, Option<String>, Option<Vec<u8>>, NaiveDateTime);
    let held: Option<Row> = idempotency_keys::table
        .find((caller, key))
        .select((
            idempotency_keys::fingerprint,
            idempotency_keys::status,
            idempotency_keys::content_type,
            idempotency_keys::body,
            idempotency_keys::created_at,
        ))
        .first(conn)
        .optional()?;
    let Some((held_fingerprint, status, content_type, body, created_at)) = held else {
        // forgotten meanwhile (the first request failed): try again
        return Ok(Claim::Running);
    };
    let abandoned = status.is_none() && created_at < stale_before;
    if created_at < expired_before || abandoned {
        diesel::delete(
            idempotency_keys::table.find((caller, key)).filter(idempotency_keys::created_at.eq(created_at)),
        )
        .execute(conn)?;
        return Ok(Claim::Running);
    }
    if held_fingerprint != fingerprint {
        return Ok(Claim::OtherRequest);
    }
    Ok(match status {
        None => Claim::Running,
        Some(status) => Claim::Answered {
            status: u16::try_from(status).unwrap_or(200),
            content_type,
            body: body.unwrap_or_default(),
        },
    })
}

/// Keeps the answer of the request that claimed the key.
pub fn answer(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), ApiError> {
    diesel::update(idempotency_keys::table.find((caller, key)))
        .set((
            idempotency_keys::status.eq(Some(i32::from(status))),
            idempotency_keys::content_type.eq(content_type),
            idempotency_keys::body.eq(Some(body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives the key up after the request failed on our side (a 5xx): nothing
/// was done, so a retry must act.
pub fn forget(conn: &mut DbConnection, caller: &str, key: &str) -> Result<(), ApiError> {
    diesel::delete(idempotency_keys::table.find((caller, key)).filter(idempotency_keys::status.is_null()))
        .execute(conn)?;
    Ok(())
}

/// Removes keys created before `before`; returns how many.
pub fn remove_older_than(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, ApiError> {
    Ok(diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
        .execute(conn)?)
}
