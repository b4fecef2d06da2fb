#![allow(clippy::unwrap_used)]
use super::*;

fn at(secs: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap().naive_utc()
}

/// Attempts in a row at one instant until the first refusal: how many got through.
fn allowed_in_a_burst(limit: &Limit) -> i32 {
    let mut counter = None;
    for n in 0.. {
        match decide(limit, counter.as_ref(), at(0)) {
            Decision::Allow(c) => counter = Some(c),
            Decision::Refuse { .. } => return n,
        }
    }
    unreachable!()
}

#[test]
fn delays_grow_after_the_free_attempts_and_are_capped() {
    assert_eq!(block_for(&LOGIN_PAIR, 4), None);
    assert_eq!(block_for(&LOGIN_PAIR, 5), Some(Duration::seconds(2)));
    assert_eq!(block_for(&LOGIN_PAIR, 6), Some(Duration::seconds(4)));
    assert_eq!(block_for(&LOGIN_PAIR, 40), Some(Duration::seconds(15 * 60)));
}

#[test]
fn a_burst_gets_exactly_the_free_attempts() {
    assert_eq!(allowed_in_a_burst(&LOGIN_PAIR), 5);
    assert_eq!(allowed_in_a_burst(&LOGIN_ADDRESS), 30);
    assert_eq!(allowed_in_a_burst(&LOGIN_PHONE), 100);
    assert_eq!(allowed_in_a_burst(&REGISTER_ADDRESS), 10);
}

#[test]
fn retry_after_is_the_time_left_rounded_up() {
    let blocked = Counter { attempts: 5, blocked_until: Some(at(2)), last_at: at(0) };
    let half = at(0) + Duration::milliseconds(500);
    assert_eq!(decide(&LOGIN_PAIR, Some(&blocked), half), Decision::Refuse { retry_after_secs: 2 });
    assert_eq!(decide(&LOGIN_PAIR, Some(&blocked), at(1)), Decision::Refuse { retry_after_secs: 1 });
    // once the wait is over, one more attempt, and a longer wait after it
    let Decision::Allow(next) = decide(&LOGIN_PAIR, Some(&blocked), at(2)) else { panic!() };
    assert_eq!((next.attempts, next.blocked_until), (6, Some(at(6))));
}

#[test]
fn a_key_left_alone_starts_over() {
    let old = Counter { attempts: 9, blocked_until: Some(at(10)), last_at: at(0) };
    let Decision::Allow(c) = decide(&LOGIN_PAIR, Some(&old), at(HOUR)) else { panic!() };
    assert_eq!((c.attempts, c.blocked_until), (1, None));
}
