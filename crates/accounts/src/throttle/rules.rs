//! The throttling rule on plain values.
//!
//! Login is limited three ways, so a stranger cannot lock an owner out and
//! a guesser gains little from many phones or many addresses:
//! - per phone *at one address* ([`LOGIN_PAIR`]): 5 free attempts, then a
//!   doubling delay: the guesser is slowed, the owner at home is not;
//! - per address, whatever the phone ([`LOGIN_ADDRESS`]): 30 free, so one
//!   address cannot try a password on a hundred phones;
//! - per phone, whatever the address ([`LOGIN_PHONE`]): a ceiling of 100
//!   free attempts, against guessing spread over many addresses. Reaching
//!   it takes twenty addresses used up on that phone, and even then the
//!   owner is delayed (at most 15 minutes a turn), never locked for good.
//!
//! An attempt that proves right takes its count back, and a key left alone
//! for an hour starts over.

use chrono::{Duration, NaiveDateTime};

/// How many attempts a key gets free, and how the delay after them grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed before each further one waits.
    pub free: i32,
    /// The longest wait.
    pub max_block_secs: i64,
    /// A key with no attempt for this long starts over.
    pub forget_after_secs: i64,
}

const HOUR: i64 = 60 * 60;

pub const LOGIN_PAIR: Limit = Limit { free: 5, max_block_secs: 15 * 60, forget_after_secs: HOUR };
pub const LOGIN_ADDRESS: Limit = Limit { free: 30, max_block_secs: 15 * 60, forget_after_secs: HOUR };
pub const LOGIN_PHONE: Limit = Limit { free: 100, max_block_secs: 15 * 60, forget_after_secs: HOUR };
/// New accounts from one address: 10 free (a family, a post office
/// counter), then a doubling wait.
pub const REGISTER_ADDRESS: Limit = Limit { free: 10, max_block_secs: HOUR, forget_after_secs: HOUR };

/// A key's counter as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub attempts: i32,
    pub blocked_until: Option<NaiveDateTime>,
    pub last_at: NaiveDateTime,
}

/// What to do with one more attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; store this counter.
    Allow(Counter),
    /// Wait this many seconds (what `Retry-After` says).
    Refuse { retry_after_secs: u64 },
}

/// How long a key waits after its `attempts`-th attempt.
pub fn block_for(limit: &Limit, attempts: i32) -> Option<Duration> {
    if attempts < limit.free {
        return None;
    }
    let exp = (attempts - limit.free).min(20) as u32;
    let secs = 2_i64.pow(exp).saturating_mul(2).min(limit.max_block_secs);
    Some(Duration::seconds(secs))
}

/// One more attempt on a key whose counter is `counter` (none yet: `None`).
/// The attempt is counted now, and the wait it brings starts now, before
/// anyone knows whether it was right.
pub fn decide(limit: &Limit, counter: Option<&Counter>, now: NaiveDateTime) -> Decision {
    if let Some(until) = counter.and_then(|c| c.blocked_until).filter(|until| *until > now) {
        // whole seconds, rounded up: a client that waits exactly this long is let in
        let millis = (until - now).num_milliseconds().max(1).unsigned_abs();
        return Decision::Refuse { retry_after_secs: millis.div_ceil(1000) };
    }
    let remembered = counter.filter(|c| (now - c.last_at).num_seconds() < limit.forget_after_secs);
    let attempts = remembered.map_or(0, |c| c.attempts).saturating_add(1);
    Decision::Allow(Counter {
        attempts,
        blocked_until: block_for(limit, attempts).map(|d| now + d),
        last_at: now,
    })
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
