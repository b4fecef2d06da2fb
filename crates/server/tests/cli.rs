//! The command line: `verify` works offline on a saved record and exits
//! 0 for valid, 1 for invalid; `user add` reads the password from stdin;
//! `seed-listings` fills only an empty market unless told to add; `tariff`
//! shows and replaces the postage tariff, refusing a broken one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};

fn nongsan() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nongsan"))
}

/// Runs `nongsan --database DB ARGS` in `dir` with `password` on stdin.
fn with_password(db: &str, dir: &std::path::Path, args: &[&str], password: &str) -> std::process::Output {
    let mut child = nongsan()
        .args(["--database", db])
        .args(args)
        .env("NONGSAN_DATA_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// The prepared server state on an existing SQLite file.
fn state_of(db: &str, dir: &std::path::Path) -> server::State {
    let mut config = server::Config::from_env();
    config.database_url = db.to_string();
    config.data_dir = dir.to_path_buf();
    server::prepare(&config).unwrap()
}

/// A real record, signed by a server prepared on a temporary SQLite file.
fn signed_record(dir: &std::path::Path) -> (serde_json::Value, serde_json::Value) {
    let mut config = server::Config::from_env();
    config.database_url = format!("sqlite://{}", dir.join("db.sqlite").display());
    config.data_dir = dir.to_path_buf();
    config.master_key_hex = None;
    let state = server::prepare(&config).unwrap();
    let summary = server::demo::seed(&state.pool, &state.master, &config, "https://nongsan.example").unwrap();
    assert!(summary.contains("Scan page"));
    let mut conn = state.pool.get().unwrap();
    use diesel::prelude::*;
    let lot_id: common::ids::LotId = storage::schema::lots::table
        .filter(storage::schema::lots::lot_code.eq("HT-2510-001"))
        .select(storage::schema::lots::id)
        .first(&mut conn)
        .unwrap();
    let record = traceability::records::record(&mut conn, &lot_id, None).unwrap();
    let list = serde_json::json!({"items": traceability::keys::trust_list(&mut conn).unwrap()});
    // Then the lot is recalled: its newest record says so.
    let admin = accounts::users::find_by_phone(&mut conn, &accounts::Phone::parse("0900000001").unwrap())
        .unwrap()
        .unwrap();
    let actor = accounts::Actor::acting_as(&admin.id, accounts::Role::Admin, &admin.name, None);
    let settings = traceability::lots::TraceSettings {
        public_url: "https://nongsan.example".into(),
        gtin_company_prefix: config.gtin_company_prefix.clone(),
    };
    let reason =
        traceability::lots::RecallRequest { reason: "dư lượng thuốc bảo vệ thực vật".into() };
    traceability::lots::recall(
        &mut conn,
        &state.master,
        &settings,
        &actor,
        &lot_id,
        &reason,
        state.recall_follow_up.as_ref(),
    )
    .unwrap();
    let recalled = traceability::records::record(&mut conn, &lot_id, None).unwrap();
    std::fs::write(dir.join("recalled.json"), recalled.to_string()).unwrap();
    (record, list)
}

#[test]
fn verify_accepts_a_genuine_record_and_rejects_a_tampered_one() {
    let dir = tempfile::tempdir().unwrap();
    let (record, trust) = signed_record(dir.path());
    let good = dir.path().join("good.json");
    std::fs::write(&good, record.to_string()).unwrap();
    let trust_file = dir.path().join("trust.json");
    std::fs::write(&trust_file, trust.to_string()).unwrap();

    // offline, with nothing to tell whether the issuer is trusted: not valid
    let elsewhere = tempfile::tempdir().unwrap();
    let out = nongsan()
        .arg("verify")
        .arg(&good)
        .env("NONGSAN_DATA_DIR", elsewhere.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("UNKNOWN"));
    let out = nongsan().arg("verify").arg("--signature-only").arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    // on the operator's machine the local database supplies the trust list
    let db = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let out = nongsan().args(["--database", &db, "verify"]).arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let out = nongsan().arg("verify").arg(&good).arg("--trust-list").arg(&trust_file).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("issuer trusted: yes"));

    let mut tampered = record.clone();
    tampered["credentialSubject"]["origin"]["commune_name"] = "Xã Khác".into();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, tampered.to_string()).unwrap();
    let out = nongsan().arg("verify").arg(&bad).arg("--trust-list").arg(&trust_file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("INVALID"));
    assert!(printed.contains("issuer trusted: NO"), "a broken signature proves no issuer: {printed}");

    // a recalled lot's record is genuine (exit 0) and says RECALLED loudly
    let recalled = dir.path().join("recalled.json");
    let out = nongsan().arg("verify").arg(&recalled).arg("--trust-list").arg(&trust_file).output().unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{printed}");
    assert!(printed.contains("RECALLED"), "{printed}");
    let out = nongsan().arg("verify").arg(&good).arg("--trust-list").arg(&trust_file).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("RECALLED"));

    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{not json").unwrap();
    assert_eq!(nongsan().arg("verify").arg(&junk).output().unwrap().status.code(), Some(1));

    // a duplicated property is refused, whatever the signature says
    let text = record.to_string();
    let dup =
        text.replacen("\"credentialSubject\":{", "\"credentialSubject\":{\"product_name\":\"Khác\",", 1);
    assert_ne!(dup, text);
    let dup_file = dir.path().join("dup.json");
    std::fs::write(&dup_file, dup).unwrap();
    let out = nongsan().arg("verify").arg(&dup_file).arg("--trust-list").arg(&trust_file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn user_add_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let args = ["user", "add", "--role", "staff", "--phone", "0911222333", "--name", "Chị Hằng"];
    let out = with_password(&db, dir.path(), &args, "a long enough password");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let state = state_of(&db, dir.path());
    let mut conn = state.pool.get().unwrap();
    let user = accounts::users::find_by_phone(&mut conn, &accounts::Phone::parse("0911222333").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(user.role, "staff");
    assert!(accounts::passwords::verify_password(
        user.password_hash.as_deref().unwrap(),
        "a long enough password"
    ));

    let out = nongsan().args(["--database", "mysql://nope", "migrate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
    assert!(!out.status.success(), "an unknown URL scheme is an error");
}

#[test]
fn a_post_office_gets_its_own_key_and_staff() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let run = |args: &[&str]| {
        nongsan().args(["--database", &db]).args(args).env("NONGSAN_DATA_DIR", dir.path()).output().unwrap()
    };
    let out =
        run(&["org", "add", "--kind", "post_office", "--name", "Bưu điện xã Tú Lệ", "--commune", "04630"]);
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{printed}{}", String::from_utf8_lossy(&out.stderr));
    let org = printed.split_whitespace().nth(2).unwrap().to_string();
    assert!(printed.contains("did:key:z6Mk"), "{printed}");
    let listed = String::from_utf8_lossy(&run(&["org", "list"]).stdout).to_string();
    assert!(listed.contains(&org) && listed.contains("Bưu điện xã Tú Lệ"), "{listed}");
    let keys = String::from_utf8_lossy(&run(&["keys", "list"]).stdout).to_string();
    assert!(keys.contains(&org), "keys list names the organisation id: {keys}");

    // unknown communes, kinds and organisations are refused with a clear message
    let out = run(&["org", "add", "--kind", "post_office", "--name", "X", "--commune", "99999"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("99999"));
    for args in [
        &["keys", "rotate", "--organisation", "nope"][..],
        &["user", "add", "--role", "staff", "--phone", "0911222444", "--name", "A", "--organisation", "nope"],
    ] {
        let out = with_password(&db, dir.path(), args, "a long enough password");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains("organisation nope"), "{args:?}: {err}");
    }

    // staff of that post office belong to it
    let args = [
        "user",
        "add",
        "--role",
        "staff",
        "--phone",
        "0911222555",
        "--name",
        "Anh Sùng",
        "--organisation",
        &org,
    ];
    assert!(with_password(&db, dir.path(), &args, "a long enough password").status.success());
    let state = state_of(&db, dir.path());
    let mut conn = state.pool.get().unwrap();
    let user = accounts::users::find_by_phone(&mut conn, &accounts::Phone::parse("0911222555").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(user.organisation_id.as_ref().map(|o| o.as_str()), Some(org.as_str()));
}

#[test]
fn the_demo_has_a_market_to_browse() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = server::Config::from_env();
    config.database_url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    config.data_dir = dir.path().to_path_buf();
    let state = server::prepare(&config).unwrap();
    let summary = server::demo::seed(&state.pool, &state.master, &config, "https://nongsan.example").unwrap();
    assert!(summary.contains("officer 0900000004"), "{summary}");
    let mut conn = state.pool.get().unwrap();
    let query = market::listings::rules::SearchQuery::parse(&market::listings::rules::RawSearch {
        q: Some("che shan tuyet"),
        ..Default::default()
    })
    .unwrap();
    let page = market::listings::search::search(&mut conn, &query).unwrap();
    use diesel::prelude::*;
    let first: String = storage::schema::listings::table
        .find(&page.ids[0])
        .select(storage::schema::listings::title)
        .first(&mut conn)
        .unwrap();
    assert_eq!(first, "Chè Shan tuyết Hồng Thái túi 200 g", "found first, as people type it");
    let listings: i64 = storage::schema::listings::table.count().get_result(&mut conn).unwrap();
    let orders: i64 = storage::schema::orders::table.count().get_result(&mut conn).unwrap();
    assert_eq!((listings, orders), (5, 1));
    // seeding twice adds nothing
    let again = server::demo::seed(&state.pool, &state.master, &config, "https://nongsan.example").unwrap();
    assert!(again.contains("nothing added"));
}

#[test]
fn seed_listings_fills_an_empty_market_and_adds_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let run = |args: &[&str]| {
        nongsan().args(["--database", &db]).args(args).env("NONGSAN_DATA_DIR", dir.path()).output().unwrap()
    };
    let out = run(&["seed-listings", "--count", "400"]);
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{printed}{}", String::from_utf8_lossy(&out.stderr));
    assert!(printed.contains("added 400 listings"), "{printed}");

    let out = run(&["seed-listings", "--count", "400"]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("already has 400 listings") && err.contains("--append"), "{err}");

    let out = run(&["seed-listings", "--count", "100", "--seed", "43", "--append"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut conn = state_of(&db, dir.path()).pool.get().unwrap();
    use diesel::prelude::*;
    let n: i64 = storage::schema::listings::table.count().get_result(&mut conn).unwrap();
    assert_eq!(n, 500);
}

#[test]
fn tariff_set_puts_a_checked_tariff_in_force_and_refuses_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let run = |args: &[&str]| {
        nongsan().args(["--database", &db]).args(args).env("NONGSAN_DATA_DIR", dir.path()).output().unwrap()
    };
    let out = run(&["tariff", "show"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["id"], "standard");

    // a gap between two bands of the far zone: refused, nothing changes
    let mut tariff = shown["tariff"].clone();
    tariff["zones"]["far"]["bands"][1]["from_g"] = serde_json::json!(700);
    let file = dir.path().join("broken.json");
    std::fs::write(&file, tariff.to_string()).unwrap();
    let out = run(&["tariff", "set", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("zones.far.bands[1].from_g") && err.contains("gap"), "{err}");
    let out = run(&["tariff", "show"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["id"], "standard");

    // cheaper parcels in the same commune
    let mut tariff = shown["tariff"].clone();
    tariff["zones"]["same_commune"]["bands"][0]["price_vnd"] = serde_json::json!(12_000);
    let file = dir.path().join("tariff.json");
    std::fs::write(&file, tariff.to_string()).unwrap();
    let out = run(&["tariff", "set", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["tariff", "show"]);
    let now: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(now["id"], "standard");
    assert_eq!(now["tariff"]["zones"]["same_commune"]["bands"][0]["price_vnd"], 12_000);
    // a file that is not a tariff is an error of its own
    std::fs::write(&file, "{\"zones\": 1}").unwrap();
    assert_eq!(run(&["tariff", "set", file.to_str().unwrap()]).status.code(), Some(2));
}
