//! Fresh databases for tests: one per test, so tests run in parallel.
//!
//! `NONGSAN_TEST_BACKEND` picks `sqlite` (default) or `postgres`;
//! PostgreSQL tests take the server from `NONGSAN_TEST_POSTGRES_URL`
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`), create their own
//! database there and drop it afterwards.

use std::io::Write;
use std::sync::Once;

use diesel::connection::SimpleConnection;
use rand::Rng;

use crate::{DatabaseUrl, DbConnection, StorageError};

pub const BACKEND_VAR: &str = "NONGSAN_TEST_BACKEND";
pub const POSTGRES_URL_VAR: &str = "NONGSAN_TEST_POSTGRES_URL";

static WARN_ONCE: Once = Once::new();

/// Written straight to the process's stderr, past the test harness's
/// capture, so nobody mistakes a SQLite-only run for full coverage.
fn say_loudly(message: &str) {
    let _ = writeln!(std::io::stderr(), "\n!!!!!!!! {message} !!!!!!!!\n");
}

pub fn postgres_server_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            WARN_ONCE.call_once(|| {
                say_loudly(&format!(
                    "{POSTGRES_URL_VAR} is not set: PostgreSQL is NOT being tested in this run \
                     (.ci/run sets it; e.g. postgres://postgres@127.0.0.1:5432/postgres)"
                ))
            });
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backend this test run targets.
pub fn selected_backend() -> Backend {
    match std::env::var(BACKEND_VAR).as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => {
            postgres_server_url();
            Backend::Sqlite
        }
        Ok(other) => panic!("{BACKEND_VAR}={other}: expected `sqlite` or `postgres`"),
    }
}

/// A database that exists for as long as this value lives.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A fresh, empty (unmigrated) database on the selected backend.
    pub fn new() -> Result<Self, StorageError> {
        Self::on(selected_backend())
    }

    pub fn on(backend: Backend) -> Result<Self, StorageError> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::Builder::new().prefix("nongsan-test-").tempdir()?;
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Ok(TestDatabase { url, cleanup: Cleanup::Sqlite(dir) })
            }
            Backend::Postgres => {
                let Some(admin_url) = postgres_server_url() else {
                    panic!(
                        "{BACKEND_VAR}=postgres but {POSTGRES_URL_VAR} is not set: \
                         cannot run PostgreSQL tests"
                    );
                };
                Self::postgres_on(&admin_url)
            }
        }
    }

    /// A fresh database on the PostgreSQL server at `admin_url` (any
    /// database there that we may connect to), dropped with this value.
    pub fn postgres_on(admin_url: &str) -> Result<Self, StorageError> {
        let admin_url = &without_tls_by_default(admin_url);
        let name = format!("nongsan_test_{:016x}", rand::thread_rng().gen::<u64>());
        let mut admin = DbConnection::open(&DatabaseUrl::parse(admin_url)?)?;
        admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
        let url = replace_database_name(admin_url, &name);
        Ok(TestDatabase { url, cleanup: Cleanup::Postgres { admin_url: admin_url.to_string(), name } })
    }

    pub fn database_url(&self) -> Result<DatabaseUrl, StorageError> {
        DatabaseUrl::parse(&self.url)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let dropped =
                DatabaseUrl::parse(admin_url).and_then(|u| DbConnection::open(&u)).and_then(|mut c| {
                    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .map_err(StorageError::from)
                });
            if let Err(e) = dropped {
                say_loudly(&format!("could not drop test database {name}: {e}"));
            }
        }
    }
}

/// The URL with `sslmode=disable` unless it says otherwise. Test servers
/// are local, so TLS protects nothing there, and it costs a crash: libpq's
/// OpenSSL 3 runs `OPENSSL_cleanup` at process exit, which now and then
/// crashes (SIGSEGV, "double free") in a test binary whose many threads
/// opened TLS connections; seen under load in CI, never without TLS.
fn without_tls_by_default(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// `postgres://u@h:5432/postgres?x=y` with the database part replaced.
fn replace_database_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_connections_skip_tls_unless_asked() {
        assert_eq!(without_tls_by_default("postgres://u@h/db"), "postgres://u@h/db?sslmode=disable");
        assert_eq!(without_tls_by_default("postgres://u@h/db?x=1"), "postgres://u@h/db?x=1&sslmode=disable");
        assert_eq!(
            without_tls_by_default("postgres://u@h/db?sslmode=require"),
            "postgres://u@h/db?sslmode=require"
        );
    }

    #[test]
    fn replaces_the_database_part_of_a_url() {
        assert_eq!(replace_database_name("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(replace_database_name("postgres://u@h:5432", "x"), "postgres://u@h:5432/x");
        assert_eq!(
            replace_database_name("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
