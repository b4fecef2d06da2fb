//! A value read from the database and kept in memory for a short time.
//!
//! When it goes stale, exactly one caller is asked to read it again while
//! the others keep answering with the old value for the moment that takes.
//! Without this, every request in flight when the time runs out would go
//! to the database at once; on PostgreSQL under load those bursts queued
//! for the pool and put a tail of hundreds of milliseconds on `/verify`.

use std::time::{Duration, Instant};

/// How long one caller may take to refresh before another is asked.
const REFRESH_CLAIM_LIMIT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct Remembered<T> {
    read_at: Instant,
    value: T,
    refresh_claimed_at: Option<Instant>,
}

impl<T: Clone> Remembered<T> {
    pub fn new(value: T) -> Self {
        Self::read_at(value, Instant::now())
    }

    fn read_at(value: T, read_at: Instant) -> Self {
        Remembered { read_at, value, refresh_claimed_at: None }
    }

    /// The value to answer with, or `None` when the caller must read it
    /// again (and then store it with [`Remembered::new`]).
    pub fn consult(&mut self, ttl: Duration) -> Option<T> {
        self.consult_at(ttl, Instant::now())
    }

    fn consult_at(&mut self, ttl: Duration, now: Instant) -> Option<T> {
        if now.saturating_duration_since(self.read_at) < ttl {
            return Some(self.value.clone());
        }
        match self.refresh_claimed_at {
            Some(claimed) if now.saturating_duration_since(claimed) < REFRESH_CLAIM_LIMIT => {
                Some(self.value.clone())
            }
            _ => {
                self.refresh_claimed_at = Some(now);
                None
            }
        }
    }

    /// The value only while it is fresh; never claims a refresh.
    pub fn fresh(&self, ttl: Duration) -> Option<T> {
        (self.read_at.elapsed() < ttl).then(|| self.value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(1);

    #[test]
    fn fresh_values_are_answered() {
        let start = Instant::now();
        let mut r = Remembered::read_at(7, start);
        assert_eq!(r.consult_at(TTL, start + Duration::from_millis(999)), Some(7));
    }

    #[test]
    fn a_stale_value_sends_exactly_one_caller_to_refresh() {
        let start = Instant::now();
        let mut r = Remembered::read_at(7, start);
        let later = start + Duration::from_millis(1500);
        assert_eq!(r.consult_at(TTL, later), None, "the first caller refreshes");
        assert_eq!(r.consult_at(TTL, later), Some(7), "the others keep the old value");
        assert_eq!(r.consult_at(TTL, later + Duration::from_millis(100)), Some(7));
    }

    #[test]
    fn a_refresh_that_never_came_back_is_handed_to_another_caller() {
        let start = Instant::now();
        let mut r = Remembered::read_at(7, start);
        let stale = start + Duration::from_secs(2);
        assert_eq!(r.consult_at(TTL, stale), None);
        assert_eq!(r.consult_at(TTL, stale + REFRESH_CLAIM_LIMIT), None);
    }

    #[test]
    fn fresh_does_not_claim() {
        let r = Remembered::read_at(7, Instant::now() - Duration::from_secs(5));
        assert_eq!(r.fresh(TTL), None);
        let mut r = r;
        assert_eq!(r.consult(TTL), None, "still unclaimed, so this caller refreshes");
    }
}
