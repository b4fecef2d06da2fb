//! The command line: `serve`, `migrate`, `user add`, `keys`, `verify`,
//! `seed-listings`, `tariff`, `backup`.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Parser)]
#[command(name = "nongsan", version, about = "Farm-produce marketplace with signed traceability")]
struct Cli {
    /// Database URL: sqlite://PATH (default ./data/nongsan.db) or postgres://…
    #[arg(long, global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (pending migrations run first).
    Serve {
        /// Address to listen on [env NONGSAN_BIND; default 127.0.0.1:8080]
        #[arg(long)]
        bind: Option<String>,
        /// Fill an empty database with a realistic demo and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage post offices and cooperatives (organisations that sign records).
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Manage issuer keys and the trust list.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Fill an empty market with realistic generated listings, for load
    /// tests and for trying the market at scale.
    ///
    /// Sellers (without passwords) in communes of every province, their
    /// post offices, signed lots (a few recalled) and listings. The same
    /// seed gives the same market; only timestamps follow today's date.
    SeedListings {
        /// How many listings.
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Add to a market that already has listings (use another --seed:
        /// the same one would make the same sellers again).
        #[arg(long)]
        append: bool,
    },
    /// Show or replace the postage tariff.
    Tariff {
        #[command(subcommand)]
        command: TariffCommand,
    },
    /// Verify a saved record file offline (exit 0 valid, 1 invalid).
    ///
    /// The signature and history need only the file (did:key carries the
    /// public key). Whether the issuer is trusted comes from --trust-list, or
    /// else from the local database when there is one; a record whose
    /// issuer cannot be checked is not reported valid unless you pass
    /// --signature-only.
    Verify {
        file: PathBuf,
        /// A trust list saved from GET /api/v1/trust-list.
        #[arg(long)]
        trust_list: Option<PathBuf>,
        /// Check only the signature and history, not who signed.
        #[arg(long, conflicts_with = "trust_list")]
        signature_only: bool,
    },
    /// Copy a SQLite database, consistent even while the server runs, and
    /// check the copy (PostgreSQL: use pg_dump, as the command says).
    Backup {
        /// The new file to write; never overwritten.
        #[arg(long)]
        to: PathBuf,
    },
    /// Remove photos no listing shows from the photo store (servers also
    /// do this every 6 hours). Safe while servers run.
    SweepPhotos {
        /// Keep every photo stored within this many minutes: an upload
        /// stores its photos a moment before its listing names them.
        #[arg(long, default_value_t = 24 * 60)]
        grace_minutes: u64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an admin, staff or officer account (an officer reads commune
    /// statistics only); the password is read from standard input.
    Add {
        #[arg(long, value_parser = ["admin", "staff", "officer"])]
        role: String,
        #[arg(long)]
        phone: String,
        #[arg(long)]
        name: String,
        /// Post office or cooperative the staff member works for (see `nongsan
        /// org list`); the operator when absent. Records of the farmers they
        /// onboard are signed with that organisation's key.
        #[arg(long)]
        organisation: Option<String>,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Add a post office or cooperative, with its own issuer key.
    Add {
        #[arg(long, value_parser = ["post_office", "cooperative"])]
        kind: String,
        #[arg(long)]
        name: String,
        /// Its commune's 2025 code, e.g. 02260.
        #[arg(long)]
        commune: Option<String>,
    },
    /// List organisations and their ids.
    List,
}

#[derive(Subcommand)]
enum TariffCommand {
    /// Print the tariff in force as JSON (the standard one until replaced).
    Show,
    /// Put the tariff in a JSON file in force, the same body as
    /// PUT /api/v1/postage/tariff. It is checked whole (no gap or overlap
    /// between weight bands, every zone priced) and refused with the fault
    /// otherwise; orders already placed keep their postage.
    Set { file: PathBuf },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// List every issuer key with its validity period.
    List,
    /// Retire the organisation's active key (its records stay valid) and make a new one.
    Rotate {
        /// Organisation id; the operator when absent.
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Revoke a key: nothing it signed is trusted any more.
    Revoke {
        did: String,
        #[arg(long)]
        reason: String,
    },
}

pub fn main() -> ExitCode {
    private_umask();
    let cli = Cli::parse();
    if let Err(e) = init_logging(matches!(cli.command, Command::Serve { .. })) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let mut config = Config::from_env();
    if let Some(db) = &cli.database {
        config.database_url = db.clone();
    }
    let result = match cli.command {
        Command::Serve { bind, demo } => {
            if let Some(b) = bind {
                config.bind = b;
            }
            serve(config, demo)
        }
        Command::Migrate => crate::prepare(&config).map(|_| {
            println!("database is up to date");
            ExitCode::SUCCESS
        }),
        Command::User { command: UserCommand::Add { role, phone, name, organisation } } => {
            add_user(&config, &role, &phone, &name, organisation.as_deref())
        }
        Command::Org { command } => org(&config, command),
        Command::Keys { command } => keys(&config, command),
        Command::Tariff { command } => tariff(&config, command),
        Command::SeedListings { count, seed, append } => seed_listings(&config, count, seed, append),
        Command::Verify { file, trust_list, signature_only } => {
            verify_file(&config, &file, trust_list.as_deref(), signature_only)
        }
        Command::SweepPhotos { grace_minutes } => crate::prepare(&config).and_then(|state| {
            let grace = std::time::Duration::from_secs(grace_minutes.saturating_mul(60));
            let report =
                market::listings::photo_sweep::sweep_orphans(&state.pool, state.photos.as_ref(), grace)?;
            println!(
                "{} photos examined in {}: {} removed, {} kept (stored within {grace_minutes} minutes)",
                report.examined,
                config.photo_store(),
                report.removed,
                report.kept_recent
            );
            Ok(ExitCode::SUCCESS)
        }),
        Command::Backup { to } => crate::backup::run(&config, &to).map(|b| {
            println!("backed up to {} ({} bytes, integrity check ok)", b.path.display(), b.bytes);
            println!("keep beside it:");
            for what in &b.keep_also {
                println!("  {what}");
            }
            ExitCode::SUCCESS
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Everything the process creates is owner-only (0700 folders, 0600 files),
/// whatever the shell's umask: the database, its WAL, photos, backups and
/// keys hold sellers' personal data. Set before any file is made.
pub fn private_umask() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Logs to standard error: text, or with `NONGSAN_LOG_FORMAT=json` one JSON
/// object per line (`timestamp`, `level`, `target`, `message` and the
/// event's fields at the top level) for a log collector.
fn init_logging(serving: bool) -> Result<(), String> {
    let default = if serving { "info,actix_web=info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("NONGSAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let format = std::env::var("NONGSAN_LOG_FORMAT").unwrap_or_default();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format.trim() {
        "json" => builder.json().flatten_event(true).with_current_span(false).try_init(),
        // Colours only on a terminal: log files and journald get plain text.
        "" | "text" => builder.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).try_init(),
        other => return Err(format!("NONGSAN_LOG_FORMAT={other}: expected `text` or `json`")),
    };
    Ok(())
}

fn serve(mut config: Config, demo: bool) -> anyhow::Result<ExitCode> {
    if demo && config.collection_account.is_none() {
        // so that bank-transfer orders can be tried; the account is made up
        config.collection_account = Some(crate::config::CollectionAccount::demo());
    }
    if demo && config.bank_webhook_key.is_none() {
        // so that a payment can be simulated with curl (the README shows how)
        config.bank_webhook_key = Some(crate::config::DEMO_WEBHOOK_KEY.into());
    }
    if config.collection_account.is_none() {
        tracing::warn!("no NONGSAN_COLLECTION_BANK_BIN/ACCOUNT: orders take cash on delivery only");
    }
    let state = crate::prepare(&config)?;
    let system = actix_web::rt::System::new();
    system.block_on(async move {
        let app = crate::Application::build(state.clone())?;
        app.stop_on_signals()?;
        if demo {
            let url = app.public_url.clone();
            let pool = state.pool.clone();
            let master = state.master.clone();
            let cfg = state.config.clone();
            let summary =
                actix_web::web::block(move || crate::demo::seed(&pool, &master, &cfg, &url)).await??;
            println!("{summary}");
        }
        println!("nongsan listening on {} (database: {})", app.public_url, redact(&config.database_url));
        app.run_until_stopped().await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// A database URL without its password, for printing.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn add_user(
    config: &Config,
    role: &str,
    phone: &str,
    name: &str,
    organisation: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let role = accounts::Role::parse(role).context("role must be admin, staff or officer")?;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']).to_string();
    accounts::passwords::check_new_password(&password)?;
    let phone = accounts::Phone::parse(phone)?;
    let state = crate::prepare(config)?;
    let mut conn = state.pool.get()?;
    let organisation = match organisation {
        Some(org) => {
            traceability::keys::require_organisation(&mut conn, org)?;
            Some(org.to_string())
        }
        None => traceability::keys::operator_organisation(&mut conn)?,
    };
    let user = accounts::users::insert_user(
        &mut conn,
        accounts::users::NewUser {
            role,
            phone: &phone,
            name,
            password_hash: Some(accounts::passwords::hash_password(&password)?),
            organisation_id: organisation
                .as_deref()
                .map(|o| common::OrganisationId::parse(o).context("organisation id"))
                .transpose()?
                .as_ref(),
        },
    )?;
    println!("created {} {} ({})", role.as_str(), user.phone, user.id);
    Ok(ExitCode::SUCCESS)
}

fn tariff(config: &Config, command: TariffCommand) -> anyhow::Result<ExitCode> {
    let state = crate::prepare(config)?;
    let mut conn = state.pool.get()?;
    let view = match command {
        TariffCommand::Show => market::postage::store::current(&mut conn)?,
        TariffCommand::Set { file } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let tariff: parcels::Tariff =
                serde_json::from_str(&text).with_context(|| format!("{} is not a tariff", file.display()))?;
            match market::postage::store::replace(&mut conn, None, &tariff) {
                Ok(view) => view,
                Err(e) => {
                    eprintln!("refused: {}: {}", e.field_name().unwrap_or("tariff"), e.message());
                    return Ok(ExitCode::from(1));
                }
            }
        }
    };
    println!("{}", serde_json::to_string_pretty(&view)?);
    Ok(ExitCode::SUCCESS)
}

fn org(config: &Config, command: OrgCommand) -> anyhow::Result<ExitCode> {
    let state = crate::prepare(config)?;
    let mut conn = state.pool.get()?;
    match command {
        OrgCommand::Add { kind, name, commune } => {
            let (id, did) = traceability::keys::add_signing_organisation(
                &mut conn,
                &state.master,
                &kind,
                &name,
                commune.as_deref(),
            )?;
            println!("created {kind} {id} with issuer key {did}");
            println!(
                "add its staff with: nongsan user add --role staff --organisation {id} --phone … --name …"
            );
        }
        OrgCommand::List => {
            for o in traceability::keys::list_organisations(&mut conn)? {
                println!("{}\t{}\t{}\t{}", o.id, o.kind, o.name, o.commune_code.unwrap_or_default());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn keys(config: &Config, command: KeysCommand) -> anyhow::Result<ExitCode> {
    let state = crate::prepare(config)?;
    let mut conn = state.pool.get()?;
    match command {
        KeysCommand::List => {
            for k in traceability::keys::trust_list(&mut conn)? {
                println!(
                    "{}\t{}\t{}\t{} ({})\tfrom {}{}{}",
                    k.status,
                    k.did,
                    k.organisation_id,
                    k.organisation_name,
                    k.organisation_kind,
                    k.valid_from,
                    k.valid_until.map(|u| format!(" until {u}")).unwrap_or_default(),
                    k.revoked_at.map(|r| format!(" REVOKED {r}")).unwrap_or_default(),
                );
            }
        }
        KeysCommand::Rotate { organisation } => {
            let org = match organisation {
                Some(o) => o,
                None => traceability::keys::operator_organisation(&mut conn)?
                    .context("no operator organisation")?,
            };
            let did = traceability::keys::rotate(&mut conn, &state.master, &org)?;
            println!("new active key {did}; the previous key is retired and its records stay valid");
        }
        KeysCommand::Revoke { did, reason } => {
            traceability::keys::revoke(&mut conn, &did, &reason)?;
            println!("revoked {did}");
            let settings = traceability::lots::TraceSettings {
                public_url: config.effective_public_url(&config.bind),
                gtin_company_prefix: config.gtin_company_prefix.clone(),
            };
            let n =
                traceability::records::resign_after_revocation(&mut conn, &state.master, &settings, &did)?;
            println!("re-signed the newest record of {n} lot(s) with the active key");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn seed_listings(config: &Config, count: usize, seed: u64, append: bool) -> anyhow::Result<ExitCode> {
    use listing_generator as generator;
    anyhow::ensure!(count > 0, "--count must be at least 1");
    let state = crate::prepare(config)?;
    let mut conn = state.pool.get()?;
    let settings = traceability::lots::TraceSettings {
        public_url: config.effective_public_url(&config.bind),
        gtin_company_prefix: config.gtin_company_prefix.clone(),
    };
    let today = chrono::Utc::now().date_naive().and_hms_opt(0, 0, 0).context("midnight")?;
    let mut plan = generator::SeedPlan::new(count, seed, today);
    plan.append = append;
    let started = std::time::Instant::now();
    let report = generator::seed(&mut conn, &state.master, &settings, &plan, &mut |line| println!("{line}"))?;
    println!("added {report} in {:.1} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// The trust list from the local database, when one exists (an operator's
/// machine). Never creates a database.
fn local_trust_list(config: &Config) -> Option<Vec<traceability::keys::TrustedIssuer>> {
    let url = storage::DatabaseUrl::parse(&config.database_url).ok()?;
    if let storage::DatabaseUrl::Sqlite(path) = &url {
        if !path.exists() {
            return None;
        }
    }
    let mut conn = storage::DbConnection::open(&url).ok()?;
    traceability::keys::trust_list(&mut conn).ok()
}

fn verify_file(
    config: &Config,
    file: &std::path::Path,
    trust_list: Option<&std::path::Path>,
    signature_only: bool,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    // Strict I-JSON: a duplicated property could show people one value
    // while another is checked.
    let record = match traceability::jcs::parse_strict(&text) {
        Ok(v) => v,
        Err(e) => {
            println!("INVALID: not a JSON record ({e})");
            return Ok(ExitCode::from(1));
        }
    };
    let offline = traceability::verify::offline(&record);
    println!("signature:      {}", if offline.signature_valid { "valid" } else { "INVALID" });
    println!("history chain:  {}", if offline.history_intact { "intact" } else { "BROKEN" });
    println!("issuer:         {}", offline.issuer_did.as_deref().unwrap_or("-"));
    let mut ok = offline.signature_valid && offline.history_intact;
    let list = match trust_list {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let value: serde_json::Value = serde_json::from_str(&text).context("trust list is not JSON")?;
            Some(
                serde_json::from_value::<Vec<traceability::keys::TrustedIssuer>>(
                    value.get("items").cloned().unwrap_or(value),
                )
                .context("trust list shape")?,
            )
        }
        None if signature_only => None,
        None => local_trust_list(config),
    };
    match (list, &offline.issuer_did) {
        (Some(_), None) => {
            println!("issuer trusted: NO (the record names no issuer)");
            ok = false;
        }
        (Some(list), Some(did)) => {
            let decision = traceability::keys::decide_trust(&list, did, offline.signed_at);
            // As the server judges it: without a valid signature the issuer
            // named in the record is only a claim.
            let trusted = decision.issuer_trusted && offline.signature_valid;
            println!(
                "issuer trusted: {}",
                match (trusted, decision.issuer_trusted) {
                    (true, _) => format!("yes ({})", decision.issuer_name.unwrap_or_default()),
                    (false, true) => "NO (the signature does not hold, so the issuer is unproven)".into(),
                    (false, false) => "NO".into(),
                }
            );
            for r in &decision.reasons {
                println!("  - {r}");
            }
            ok &= trusted;
        }
        (None, _) if signature_only => println!("issuer trusted: not checked (--signature-only)"),
        (None, _) => {
            println!("issuer trusted: UNKNOWN — anyone can sign with a key of their own;");
            println!("  pass --trust-list FILE (saved from /api/v1/trust-list) or --signature-only");
            ok = false;
        }
    }
    for e in &offline.errors {
        println!("  - {e}");
    }
    if let Some(version) = offline.facts.record_version {
        println!("record version: {version} (a newer one may exist: the scan page shows the newest)");
    }
    if offline.facts.recalled {
        // Genuine but recalled: the exit code says the record is authentic,
        // the message says the lot must not be used.
        println!("status:         RECALLED — this lot has been recalled; do not use or sell it");
    }
    println!("{}", if ok { "VALID" } else { "INVALID" });
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_terminal() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("sqlite://./data/x.db"), "sqlite://./data/x.db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
