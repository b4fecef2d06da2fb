//! `nongsan backup --to PATH`: a consistent copy of a SQLite database,
//! taken while the server runs.
//!
//! `VACUUM INTO` reads the whole database inside one read transaction, so
//! the copy is the database as of one moment (the write-ahead log
//! included) while the server goes on writing; copying the file with `cp`
//! could catch a page half-written or miss what the log still holds. The
//! copy is then opened and checked with `PRAGMA integrity_check` before
//! the command says it is good. PostgreSQL has its own tool for this
//! (`pg_dump`), so the command refuses and says which.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use crate::config::Config;

/// What a backup wrote, and what else an operator must keep beside it.
#[derive(Debug)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    /// Files the database does not hold: the listing photos' folder, and
    /// the master key file when the key is not given in the environment.
    pub keep_also: Vec<String>,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// Copies the SQLite database at `source` to `to`, which must not exist.
pub fn sqlite_copy(source: &Path, to: &Path) -> anyhow::Result<u64> {
    if !source.exists() {
        bail!("no database at {}", source.display());
    }
    if to.exists() {
        bail!("{} exists already: choose a new file name (a backup never overwrites)", to.display());
    }
    let target = to.to_str().context("the backup path is not valid UTF-8")?;
    let mut conn = SqliteConnection::establish(&source.to_string_lossy())
        .with_context(|| format!("opening {}", source.display()))?;
    // a writer holding the database for a moment makes the copy wait, not fail
    diesel::sql_query("PRAGMA busy_timeout = 10000").execute(&mut conn)?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target)
        .execute(&mut conn)
        .with_context(|| format!("copying to {}", to.display()))?;
    drop(conn);
    let mut copy = SqliteConnection::establish(target).with_context(|| format!("opening {target}"))?;
    let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check").load(&mut copy)?;
    if lines.len() != 1 || lines[0].integrity_check != "ok" {
        let found: Vec<String> = lines.into_iter().map(|l| l.integrity_check).take(5).collect();
        bail!("the copy at {} fails its integrity check: {}", to.display(), found.join("; "));
    }
    Ok(std::fs::metadata(to)?.len())
}

/// Backs up the database `config` names.
pub fn run(config: &Config, to: &Path) -> anyhow::Result<Backup> {
    match storage::DatabaseUrl::parse(&config.database_url)? {
        storage::DatabaseUrl::Postgres(_) => bail!(
            "this database is PostgreSQL: back it up with `pg_dump --format=custom --file=nongsan.dump \"$DATABASE_URL\"` \
             (restore with `pg_restore --dbname=… nongsan.dump`); keep the photos and the master key too"
        ),
        storage::DatabaseUrl::Sqlite(source) => {
            let bytes = sqlite_copy(&source, to)?;
            let mut keep_also = vec![format!("the listing photos: {}", config.photo_store())];
            if config.master_key_hex.is_none() {
                keep_also.push(format!(
                    "the master key: {} (without it the issuers' signing keys in the copy cannot be used; \
                     keep it apart from the database copy)",
                    config.data_dir.join("master.key").display()
                ));
            } else {
                keep_also.push("the master key given in NONGSAN_MASTER_KEY (keep it apart from the database copy)".into());
            }
            Ok(Backup { path: to.to_path_buf(), bytes, keep_also })
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_copy_never_overwrites_and_needs_a_source() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("a.db");
        assert!(sqlite_copy(&source, &dir.path().join("b.db")).is_err(), "no source");
        let mut conn = SqliteConnection::establish(&source.to_string_lossy()).unwrap();
        diesel::sql_query("CREATE TABLE t (x INTEGER)").execute(&mut conn).unwrap();
        diesel::sql_query("INSERT INTO t VALUES (1), (2)").execute(&mut conn).unwrap();
        let to = dir.path().join("b.db");
        assert!(sqlite_copy(&source, &to).unwrap() > 0);
        assert!(sqlite_copy(&source, &to).is_err(), "the second copy to the same path is refused");
    }
}
