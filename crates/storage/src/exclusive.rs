//! Work that must not run on two servers at once when several share one
//! PostgreSQL database: start-up (migrations, reference data, the operator's
//! key) and the periodic release of unpaid orders. A PostgreSQL advisory
//! lock, held by the connection's session for the length of the work,
//! says whose turn it is. SQLite serves one server only, so there it is a
//! no-op.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use crate::DbConnection;

/// The jobs that take turns; each has its own lock, so a long start-up
/// never holds up a release on a server already running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Migrations and the start-up writes that follow them.
    StartUp,
    /// Cancelling bank-transfer orders whose payment did not arrive.
    ReleaseUnpaidOrders,
}

impl Job {
    /// A fixed key per job, in a range of its own ("nongsan" in ASCII,
    /// then the job) so that it cannot collide with another application's
    /// locks on a shared server by accident.
    fn key(self) -> i64 {
        const BASE: i64 = 0x6e6f_6e67_7361_6e00;
        match self {
            Job::StartUp => BASE + 1,
            Job::ReleaseUnpaidOrders => BASE + 2,
        }
    }
}

#[derive(QueryableByName)]
struct Answer {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Waits until no other server runs `job`, then runs `work` holding it.
pub fn one_at_a_time<T, E, F>(conn: &mut DbConnection, job: Job, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(_) => work(conn),
        DbConnection::Postgres(pg) => {
            // `SELECT` of a void function: nothing to read, it returns
            // once the lock is ours.
            pg.batch_execute(&format!("SELECT pg_advisory_lock({})", job.key()))?;
            holding(conn, job, work)
        }
    }
}

/// Runs `work` unless another server is running `job` right now; `None`
/// then (the other server does the work).
pub fn unless_running_elsewhere<T, E, F>(conn: &mut DbConnection, job: Job, work: F) -> Result<Option<T>, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(_) => work(conn).map(Some),
        DbConnection::Postgres(pg) => {
            if !try_lock(pg, job)? {
                return Ok(None);
            }
            holding(conn, job, work).map(Some)
        }
    }
}

fn try_lock(pg: &mut PgConnection, job: Job) -> QueryResult<bool> {
    Ok(diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<BigInt, _>(job.key())
        .get_result::<Answer>(pg)?
        .locked)
}

/// Runs `work` with the lock taken and gives it back afterwards, even when
/// `work` fails or panics: a pooled connection goes back to the pool, and
/// a lock left on its session would stop the job on every server until
/// that connection closed.
fn holding<T, E, F>(conn: &mut DbConnection, job: Job, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&mut *conn)));
    let unlocked = match conn {
        DbConnection::Postgres(pg) => diesel::sql_query("SELECT pg_advisory_unlock($1) AS locked")
            .bind::<BigInt, _>(job.key())
            .get_result::<Answer>(pg)
            .map(|a| a.locked),
        DbConnection::Sqlite(_) => Ok(true),
    };
    match outcome {
        Err(panic) => std::panic::resume_unwind(panic),
        Ok(Err(e)) => Err(e),
        Ok(Ok(value)) => match unlocked {
            Ok(true) => Ok(value),
            // Only a broken connection fails here, and its session's end
            // frees the lock; the work itself was done.
            Ok(false) | Err(_) => {
                tracing::error!(?job, error = ?unlocked.err(), "giving back an advisory lock failed");
                Ok(value)
            }
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "exclusive_tests.rs"]
mod tests;
