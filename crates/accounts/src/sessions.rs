//! Bearer sessions (throttling is [`crate::throttle`]).
//!
//! A token is 32 random bytes shown to the client once; the database keeps
//! only its SHA-256, so a leaked table grants nothing.

use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};
use storage::schema::sessions;
use storage::DbConnection;

use crate::ApiError;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 64);
    }
}
