//! Every migration applies, reverts and re-applies cleanly, on both backends:
//! a broken down.sql is caught here before an operator meets it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::prelude::*;
use storage::testing::{postgres_server_url, Backend, TestDatabase};
use storage::DbConnection;

fn table_names(conn: &mut DbConnection) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name"
        }
        DbConnection::Postgres(_) => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' ORDER BY table_name"
        }
    };
    diesel::sql_query(sql).load::<Name>(conn).unwrap().into_iter().map(|n| n.name).collect()
}

/// The migration versions, which must be the same in `migrations/sqlite`
/// and `migrations/postgres` (the two are twins).
fn twin_versions() -> Vec<String> {
    let versions = |backend: &str| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(backend);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().replace('-', ""))
            .map(|name| name.split('_').next().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(versions("sqlite"), versions("postgres"), "the migration folders are not twins");
    versions("sqlite")
}

fn round_trip(backend: Backend) {
    let db = TestDatabase::on(backend).unwrap();
    let mut conn = DbConnection::open(&db.database_url().unwrap()).unwrap();
    let applied = conn.run_pending_migrations().unwrap();
    assert_eq!(applied, twin_versions(), "every migration applies, on both backends alike");
    let tables = table_names(&mut conn);
    assert!(tables.contains(&"lots".to_string()), "{tables:?}");

    let reverted = conn.revert_all_migrations().unwrap();
    assert_eq!(reverted.len(), applied.len());
    assert!(table_names(&mut conn).is_empty(), "down.sql left tables behind");

    let reapplied = conn.run_pending_migrations().unwrap();
    assert_eq!(reapplied, applied);
    assert_eq!(table_names(&mut conn), tables);
    history_is_append_only(&mut conn);
}

/// The database refuses to rewrite history, even for a buggy caller.
fn history_is_append_only(conn: &mut DbConnection) {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(
        "INSERT INTO provinces VALUES ('08', 'Tỉnh Tuyên Quang', 'Tuyên Quang');
         INSERT INTO communes VALUES ('02260', '08', 'Xã Hồng Thái', 'Hồng Thái', 'Xã', 'xa hong thai', NULL, NULL);
         INSERT INTO organisations VALUES ('o', 'operator', 'op', NULL, '2025-01-01 00:00:00');
         INSERT INTO users VALUES ('u', 'staff', '0900000002', 'S', NULL, 'o', '2025-01-01 00:00:00');
         INSERT INTO sellers VALUES ('s', 'u', 'F', '0900000002', 'x', 'lookup', '234', '02260', 'a', NULL,
             '970405', '1234', 'F', 'v1', 'paper_form', 'u', '2025-01-01 00:00:00', 'o', '2025-01-01 00:00:00');
         INSERT INTO lots VALUES ('l', 's', 'L1', '02000000000015', 'Chè', '1', 'kg', 1000, '2025-01-01', '02260',
             'farm', 'active', 'g', 'u', '2025-01-01 00:00:00');
         INSERT INTO lot_events VALUES ('e', 'l', 1, 'harvest', '2025-01-01 00:00:00', '2025-01-01 00:00:00',
             '{}', 'g', 'h', 'u', NULL);",
    )
    .unwrap();
    assert!(conn.batch_execute("UPDATE lot_events SET details = '{\"note\":\"x\"}'").is_err());
    assert!(conn.batch_execute("DELETE FROM lot_events").is_err());
    let n: i64 = diesel::dsl::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT COUNT(*) FROM lot_events WHERE details = '{}')",
    ))
    .get_result(conn)
    .unwrap();
    assert_eq!(n, 1, "the event is unchanged");
}

#[test]
fn migrations_round_trip_on_sqlite() {
    round_trip(Backend::Sqlite);
}

#[test]
fn migrations_round_trip_on_postgres() {
    if postgres_server_url().is_none() {
        return; // said loudly by postgres_server_url
    }
    round_trip(Backend::Postgres);
}

#[test]
fn unknown_url_scheme_is_an_error() {
    assert!(storage::DatabaseUrl::parse("mysql://x").is_err());
    assert!(storage::DatabaseUrl::parse("./data/nongsan.db").is_err());
    assert!(matches!(
        storage::DatabaseUrl::parse("sqlite://./data/nongsan.db").unwrap(),
        storage::DatabaseUrl::Sqlite(_)
    ));
}
