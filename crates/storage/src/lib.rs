//! Storage: the database connection for SQLite and PostgreSQL from one
//! codebase, the connection pool, the single diesel schema and the migration
//! runner. Domain crates own their queries; this crate owns the plumbing.

use std::path::PathBuf;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub mod exclusive;
pub mod schema;
#[cfg(feature = "testing")]
pub mod testing;

pub use diesel;
pub use exclusive::{one_at_a_time, unless_running_elsewhere, Job};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// The one error type of this crate.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("cannot prepare the data directory: {0}")]
    Io(#[from] std::io::Error),
    /// The thread running a database task died (a panic in the task).
    #[error("database task failed: {0}")]
    Task(String),
}

/// A parsed `DATABASE_URL`. An unknown scheme is an error rather than a
/// surprise SQLite file named `postgres:…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, StorageError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StorageError::UnsupportedUrl(url.to_string()));
            }
            Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_string()))
        } else {
            Err(StorageError::UnsupportedUrl(url.to_string()))
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }
}

/// One connection to either backend. Queries written against it compile for
/// both, so a query that only one backend understands fails at build time.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Creates an empty SQLite file owner-only when there is none yet.
fn create_private_file(path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

impl DbConnection {
    pub fn open(url: &DatabaseUrl) -> Result<Self, StorageError> {
        match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(parent) = path.parent() {
                    if !parent.as_os_str().is_empty() && !parent.exists() {
                        common::files::create_private_dir_all(parent)?;
                    }
                }
                // Owner-only (0600) before SQLite first opens it: SQLite gives
                // the WAL and shared-memory files the database file's mode.
                create_private_file(path)?;
                let path_str = path.to_string_lossy();
                let mut conn = SqliteConnection::establish(&path_str)
                    .map_err(|e| StorageError::Connect(e.to_string()))?;
                // WAL lets readers run beside the writer; busy_timeout makes a
                // second writer wait instead of failing at once.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let conn = PgConnection::establish(url).map_err(|e| StorageError::Connect(e.to_string()))?;
                Ok(DbConnection::Postgres(conn))
            }
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DbConnection::Sqlite(_) => "sqlite",
            DbConnection::Postgres(_) => "postgres",
        }
    }

    /// Applies every pending migration; returns the versions applied.
    pub fn run_pending_migrations(&mut self) -> Result<Vec<String>, StorageError> {
        let applied = match self {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| StorageError::Migration(e.to_string()))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    }

    /// Reverts every applied migration, newest first (used by the migration
    /// round-trip test and `nongsan migrate --revert-all`).
    pub fn revert_all_migrations(&mut self) -> Result<Vec<String>, StorageError> {
        let reverted = match self {
            DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
            DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| StorageError::Migration(e.to_string()))?;
        Ok(reverted.iter().map(|v| v.to_string()).collect())
    }
}

/// Runs `f` in a transaction that may write. On SQLite it begins with
/// `BEGIN IMMEDIATE`: a deferred transaction that reads first and writes later
/// fails at once with SQLITE_BUSY when another writer got in between, while an
/// immediate one waits for the lock (busy_timeout). PostgreSQL needs nothing
/// special.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Postgres(_) => conn.transaction(f),
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            let result = f(conn);
            let DbConnection::Sqlite(inner) = conn else {
                // `f` cannot swap the backend of a connection it borrows.
                return result;
            };
            match result {
                Ok(value) => {
                    <AnsiTransactionManager as TransactionManager<SqliteConnection>>::commit_transaction(
                        inner,
                    )?;
                    Ok(value)
                }
                Err(e) => {
                    <AnsiTransactionManager as TransactionManager<SqliteConnection>>::rollback_transaction(
                        inner,
                    )?;
                    Err(e)
                }
            }
        }
    }
}

/// Opens connections for the pool.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        DbConnection::open(&self.url).map_err(|e| match e {
            StorageError::Query(q) => diesel::r2d2::Error::QueryError(q),
            other => diesel::r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(
                other.to_string(),
            )),
        })
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// The connection pool, with a fair queue in front of it.
///
/// Request handlers go through [`Pool::run`]: they wait for their turn in
/// a first-come-first-served queue as long as all connections are busy, and
/// only then take a thread and a connection. Left to itself, r2d2 hands a
/// freed connection to whichever thread grabs it first, so under load
/// some requests waited for seconds while later ones went through.
#[derive(Clone)]
pub struct Pool {
    connections: r2d2::Pool<ConnectionManager>,
    turns: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Pool {
    /// A connection for synchronous code (start-up, the command line,
    /// tests). Handlers use [`Pool::run`].
    pub fn get(&self) -> Result<PooledConnection, StorageError> {
        Ok(self.connections.get()?)
    }

    /// Runs `work` with a connection on a thread where blocking is allowed,
    /// after waiting for its turn.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let asked = std::time::Instant::now();
        // The semaphore is never closed, so acquiring cannot fail.
        let turn = self.turns.clone().acquire_owned().await.map_err(|e| StorageError::Task(e.to_string()))?;
        let connections = self.connections.clone();
        tokio::task::spawn_blocking(move || {
            // Held until the work ends, even when the request was dropped.
            let _turn = turn;
            let mut conn = connections.get().map_err(|e| {
                telemetry::database_pool_failure();
                StorageError::from(e)
            })?;
            // the queue, the wait for a blocking thread and for a connection
            telemetry::database_wait(asked.elapsed());
            work(&mut conn)
        })
        .await
        .map_err(|e| StorageError::Task(e.to_string()))?
    }
}

pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// How long opening a pooled connection may take before the request gives
/// up with 503 `database_unavailable`.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens the pool and brings the schema up to date (pending migrations run at
/// start, as SPEC requires). Servers starting together on one PostgreSQL
/// database take turns, so each migration runs once.
pub fn connect_and_migrate(url: &DatabaseUrl, max_size: u32) -> Result<Pool, StorageError> {
    let mut first = DbConnection::open(url)?;
    let applied = one_at_a_time(&mut first, Job::StartUp, |conn| conn.run_pending_migrations())?;
    if !applied.is_empty() {
        tracing::info!(backend = url.backend_name(), ?applied, "applied migrations");
    }
    drop(first);
    let connections = r2d2::Pool::builder()
        .max_size(max_size)
        // A connection is asked for only after a turn in the queue, so a
        // free one exists or can be opened: waiting longer than this means
        // the database is unreachable, and the caller gets a 503 sooner.
        .connection_timeout(CONNECT_TIMEOUT)
        .build(ConnectionManager { url: url.clone() })?;
    let turns = std::sync::Arc::new(tokio::sync::Semaphore::new(max_size as usize));
    Ok(Pool { connections, turns })
}

/// A new opaque identifier (UUID v4 text), for rows whose id has no type of
/// its own (ledger transfers, audit entries); see `common::ids`.
pub fn new_id() -> String {
    common::new_id()
}

/// The current time in UTC, truncated to microseconds so that what is
/// written equals what is read back on both backends.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DateTime::from_timestamp_micros(now.and_utc().timestamp_micros())
        .map(|t| t.naive_utc())
        .unwrap_or(now)
}

/// Runs the same diesel expression on the concrete connection of either
/// backend, for the few statements `MultiConnection` cannot express (batch
/// inserts, upserts). The body is compiled once per backend.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConnection::Sqlite($c) => $body,
            $crate::DbConnection::Postgres($c) => $body,
        }
    };
}

impl From<StorageError> for common::ApiError {
    /// Storage failures are never the client's doing: a bare 500 with the
    /// cause in the log, except a unique-key race (409), a missing row
    /// (404) and a lost connection (503), which diesel's own conversion
    /// decides, and no connection to be had (503).
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Query(q) => q.into(),
            // r2d2 could not open a connection within its timeout
            e @ (StorageError::Pool(_) | StorageError::Connect(_)) => {
                common::ApiError::database_unavailable(e)
            }
            other => common::ApiError::internal(other),
        }
    }
}
