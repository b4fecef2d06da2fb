//! Bearer sessions and login throttling.
//!
//! A token is 32 random bytes shown to the client once; the database keeps
//! only its SHA-256, so a leaked table grants nothing.

use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};
use storage::schema::{login_throttle, sessions};
use storage::DbConnection;

use crate::{ApiError, ErrorCode};

/// Failures allowed before each further attempt is delayed.
pub const FREE_FAILURES: i32 = 5;
/// The longest a phone number is blocked after many failures.
pub const MAX_BLOCK_SECS: i64 = 15 * 60;

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a session and returns the token and its expiry.
pub fn create_session(
    conn: &mut DbConnection,
    user_id: &common::UserId,
    ttl: Duration,
) -> Result<(String, NaiveDateTime), ApiError> {
    let token = new_token();
    let now = storage::now();
    let expires_at = now + ttl;
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash(&token)),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok((token, expires_at))
}

/// The user id behind a live token.
pub fn user_for_token(conn: &mut DbConnection, token: &str) -> Result<Option<common::UserId>, ApiError> {
    let found = sessions::table
        .filter(sessions::token_hash.eq(token_hash(token)))
        .filter(sessions::expires_at.gt(storage::now()))
        .select(sessions::user_id)
        .first::<common::UserId>(conn)
        .optional()?;
    Ok(found)
}

pub fn delete_session(conn: &mut DbConnection, token: &str) -> Result<(), ApiError> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash(token)))).execute(conn)?;
    Ok(())
}

/// How long a phone must wait after `failures` failed attempts.
pub fn block_for(failures: i32) -> Option<Duration> {
    if failures < FREE_FAILURES {
        return None;
    }
    let exp = (failures - FREE_FAILURES).min(20) as u32;
    let secs = (2_i64.pow(exp)).saturating_mul(2).min(MAX_BLOCK_SECS);
    Some(Duration::seconds(secs))
}

/// Refuses at once while the phone is blocked.
pub fn check_not_blocked(conn: &mut DbConnection, phone: &str) -> Result<(), ApiError> {
    let blocked_until = login_throttle::table
        .find(phone)
        .select(login_throttle::blocked_until)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten();
    if let Some(until) = blocked_until {
        let now = storage::now();
        if until > now {
            let retry_after_secs = (until - now).num_seconds().max(1);
            return Err(ApiError::new(
                ErrorCode::TooManyAttempts,
                format!("too many failed attempts; try again in {retry_after_secs} s"),
            )
            .param("retry_after_secs", retry_after_secs)
            .retry_after(retry_after_secs.max(0).unsigned_abs()));
        }
    }
    Ok(())
}

pub fn record_failure(conn: &mut DbConnection, phone: &str) -> Result<(), ApiError> {
    // Increment in the database, not read-modify-write, so that parallel
    // failures are all counted.
    let updated = diesel::update(login_throttle::table.find(phone))
        .set(login_throttle::failures.eq(login_throttle::failures + 1))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::phone.eq(phone),
                login_throttle::failures.eq(1),
                login_throttle::blocked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    let failures: i32 = login_throttle::table.find(phone).select(login_throttle::failures).first(conn)?;
    if let Some(d) = block_for(failures) {
        diesel::update(login_throttle::table.find(phone))
            .set(login_throttle::blocked_until.eq(Some(storage::now() + d)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn clear_failures(conn: &mut DbConnection, phone: &str) -> Result<(), ApiError> {
    diesel::delete(login_throttle::table.find(phone)).execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_failures_and_are_capped() {
        assert_eq!(block_for(4), None);
        assert_eq!(block_for(5), Some(Duration::seconds(2)));
        assert_eq!(block_for(6), Some(Duration::seconds(4)));
        assert_eq!(block_for(40), Some(Duration::seconds(MAX_BLOCK_SECS)));
    }

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 64);
    }
}
