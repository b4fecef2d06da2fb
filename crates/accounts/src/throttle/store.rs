//! The counters behind [`super::rules`], one row per key.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;
use storage::schema::throttle;
use storage::DbConnection;

use super::rules::{self, Counter, Decision, Limit};
use crate::{ApiError, ErrorCode};

/// Counts one attempt on every key, or refuses them all when one of them
/// must wait (then nothing is counted). Run it in a write transaction:
/// each key's row is locked by an upsert before it is read, so parallel
/// attempts on a key are counted one after another, never from the same
/// reading.
pub fn reserve(conn: &mut DbConnection, keys: &[(String, Limit)]) -> Result<(), ApiError> {
    let now = storage::now();
    let mut sorted: Vec<&(String, Limit)> = keys.iter().collect();
    // one order for every request, so two cannot wait on each other's rows
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut decided = Vec::with_capacity(sorted.len());
    let mut wait = 0_u64;
    for (key, limit) in sorted {
        let counter = lock(conn, key, now)?;
        match rules::decide(limit, counter.as_ref(), now) {
            Decision::Allow(next) => decided.push((key, next)),
            Decision::Refuse { retry_after_secs } => wait = wait.max(retry_after_secs),
        }
    }
    if wait > 0 {
        return Err(ApiError::new(
            ErrorCode::TooManyAttempts,
            format!("too many attempts; try again in {wait} s"),
        )
        .param("retry_after_secs", wait)
        .retry_after(wait));
    }
    for (key, next) in decided {
        diesel::update(throttle::table.find(key))
            .set((
                throttle::attempts.eq(next.attempts),
                throttle::blocked_until.eq(next.blocked_until),
                throttle::last_at.eq(next.last_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Takes back an attempt that proved right: the count drops by one (and
/// the wait it brought, when that leaves the key within its free attempts).
pub fn release(conn: &mut DbConnection, keys: &[(String, Limit)]) -> Result<(), ApiError> {
    for (key, limit) in keys {
        diesel::update(throttle::table.find(key).filter(throttle::attempts.gt(0)))
            .set(throttle::attempts.eq(throttle::attempts - 1))
            .execute(conn)?;
        diesel::update(throttle::table.find(key).filter(throttle::attempts.lt(limit.free)))
            .set(throttle::blocked_until.eq(None::<NaiveDateTime>))
            .execute(conn)?;
    }
    Ok(())
}

/// The key's counter, its row created (or touched, which locks it) first.
fn lock(conn: &mut DbConnection, key: &str, now: NaiveDateTime) -> Result<Option<Counter>, ApiError> {
    storage::per_backend!(conn, |c| {
        diesel::insert_into(throttle::table)
            .values((
                throttle::key.eq(key),
                throttle::attempts.eq(0),
                throttle::blocked_until.eq(None::<NaiveDateTime>),
                throttle::last_at.eq(now),
            ))
            .on_conflict(throttle::key)
            .do_update()
            .set(throttle::key.eq(excluded(throttle::key)))
            .execute(c)
    })?;
    let row: (i32, Option<NaiveDateTime>, NaiveDateTime) = throttle::table
        .find(key)
        .select((throttle::attempts, throttle::blocked_until, throttle::last_at))
        .first(conn)?;
    // a row just made holds no attempt yet
    Ok((row.0 > 0 || row.1.is_some()).then_some(Counter {
        attempts: row.0,
        blocked_until: row.1,
        last_at: row.2,
    }))
}

/// The keys a login or activation attempt counts against.
pub fn login_keys(phone: &str, address: std::net::IpAddr) -> Vec<(String, Limit)> {
    vec![
        (format!("login:{phone}@{address}"), rules::LOGIN_PAIR),
        (format!("login:{phone}"), rules::LOGIN_PHONE),
        (format!("login@{address}"), rules::LOGIN_ADDRESS),
    ]
}

/// The key a registration counts against; `free` new accounts an hour.
pub fn register_keys(address: std::net::IpAddr, free: i32) -> Vec<(String, Limit)> {
    vec![(format!("register@{address}"), Limit { free, ..rules::REGISTER_ADDRESS })]
}
