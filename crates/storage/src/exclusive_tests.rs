use super::*;
use crate::testing::{postgres_server_url, Backend, TestDatabase};

fn two_sessions(backend: Backend) -> Option<(TestDatabase, DbConnection, DbConnection)> {
    if backend == Backend::Postgres && postgres_server_url().is_none() {
        return None;
    }
    let db = TestDatabase::on(backend).unwrap();
    let url = db.database_url().unwrap();
    let a = DbConnection::open(&url).unwrap();
    let b = DbConnection::open(&url).unwrap();
    Some((db, a, b))
}

type Outcome = Result<Option<u8>, diesel::result::Error>;

fn elsewhere(conn: &mut DbConnection, job: Job) -> Outcome {
    unless_running_elsewhere(conn, job, |_| Ok::<_, diesel::result::Error>(7))
}

#[test]
fn a_job_running_on_one_session_is_skipped_by_another_on_postgres() {
    let Some((_db, mut a, mut b)) = two_sessions(Backend::Postgres) else { return };
    let seen = one_at_a_time(&mut a, Job::ReleaseUnpaidOrders, |_| {
        Ok::<_, diesel::result::Error>((
            elsewhere(&mut b, Job::ReleaseUnpaidOrders).unwrap(),
            // another job's lock is another lock
            elsewhere(&mut b, Job::StartUp).unwrap(),
        ))
    })
    .unwrap();
    assert_eq!(seen, (None, Some(7)));
    assert_eq!(elsewhere(&mut b, Job::ReleaseUnpaidOrders).unwrap(), Some(7), "given back after the work");
}

#[test]
fn the_lock_is_given_back_when_the_work_fails_or_panics() {
    let Some((_db, mut a, mut b)) = two_sessions(Backend::Postgres) else { return };
    let failed: Result<(), _> =
        one_at_a_time(&mut a, Job::StartUp, |_| Err(diesel::result::Error::RollbackTransaction));
    assert!(failed.is_err());
    assert_eq!(elsewhere(&mut b, Job::StartUp).unwrap(), Some(7), "given back after an error");
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = unless_running_elsewhere(&mut a, Job::StartUp, |_| -> Result<(), diesel::result::Error> {
            panic!("work panicked")
        });
    }));
    assert!(panicked.is_err());
    assert_eq!(elsewhere(&mut b, Job::StartUp).unwrap(), Some(7), "given back after a panic");
}

#[test]
fn one_at_a_time_waits_for_the_other_session() {
    let Some((_db, mut a, mut b)) = two_sessions(Backend::Postgres) else { return };
    let (took, taken) = std::sync::mpsc::channel();
    let waited = one_at_a_time(&mut a, Job::StartUp, |_| {
        let other = std::thread::spawn(move || {
            one_at_a_time(&mut b, Job::StartUp, |_| {
                took.send(std::time::Instant::now()).unwrap();
                Ok::<_, diesel::result::Error>(())
            })
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        Ok::<_, diesel::result::Error>((std::time::Instant::now(), other))
    })
    .unwrap();
    let (released_at, other) = waited;
    other.join().unwrap().unwrap();
    assert!(taken.recv().unwrap() >= released_at, "the second session ran only after the first was done");
}

#[test]
fn sqlite_runs_every_job_at_once() {
    let Some((_db, mut a, mut b)) = two_sessions(Backend::Sqlite) else { return };
    let inner = one_at_a_time(&mut a, Job::ReleaseUnpaidOrders, |_| {
        Ok::<_, diesel::result::Error>(elsewhere(&mut b, Job::ReleaseUnpaidOrders).unwrap())
    })
    .unwrap();
    assert_eq!(inner, Some(7));
}
