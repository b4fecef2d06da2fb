//! Configuration: defaults, overridden by `NONGSAN_*` environment variables,
//! overridden by command-line flags.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub bind: String,
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// Base of every Digital Link URI printed on labels.
    pub public_url: String,
    /// Where the SQLite file (by default), the master key file and uploads live.
    pub data_dir: PathBuf,
    /// 64 hex digits; when absent, `data_dir/master.key` (created on first start).
    pub master_key_hex: Option<String>,
    /// GS1 company prefix for GTINs assigned to lots that have none.
    pub gtin_company_prefix: String,
    /// Name of the operating organisation, the default record issuer.
    pub operator_name: String,
    pub session_ttl: chrono::Duration,
    pub activation_ttl: chrono::Duration,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// A request body that stops arriving for this long gets a 408.
    pub body_idle_timeout: std::time::Duration,
    /// A request body still arriving this long after it began gets a 408
    /// (`NONGSAN_BODY_DEADLINE_SECS`, 60 s by default: a 10 MB photo over
    /// slow 3G fits).
    pub body_deadline: std::time::Duration,
    /// Connections one client address may hold open at once
    /// (`NONGSAN_CONNECTIONS_PER_ADDRESS`, 64 by default); requests on more
    /// get a 429 and the connection is closed.
    pub connections_per_address: usize,
    /// The operator's bank account buyers pay bank transfers into (held in
    /// escrow until delivery). Without one, orders take cash on delivery only.
    pub collection_account: Option<CollectionAccount>,
    /// How long a bank-transfer order waits for its payment.
    pub payment_window: chrono::Duration,
    /// `NONGSAN_RELEASE_INTERVAL_SECS`: how often unpaid orders past their
    /// window are released (30 s by default; the stock of an order stays
    /// held for at most this long after its window closes).
    pub release_interval: std::time::Duration,
    /// `NONGSAN_BANK_WEBHOOK_KEY`: the key bank notifications must carry
    /// (`Authorization: Apikey …`). Without one the webhook refuses all.
    pub bank_webhook_key: Option<String>,
    /// `NONGSAN_BANK_WEBHOOK_SECRET`: when set, notifications must also be
    /// signed (HMAC-SHA256 with a timestamp).
    pub bank_webhook_secret: Option<String>,
    /// `NONGSAN_PLATFORM_FEE_BASIS_POINTS`: the platform's share of each
    /// delivered part, in hundredths of a percent (200 = 2 %), rounded
    /// down to the đồng in the seller's favour.
    pub platform_fee: payment::FeeRate,
    /// `NONGSAN_PHOTO_STORE`: where listing photos are kept; `None` means
    /// `photos/` in the data folder (see [`Config::photo_store`]).
    pub photo_store: Option<PhotoStoreUrl>,
    /// `NONGSAN_METRICS_TOKEN`: `GET /metrics` answers only to
    /// `Authorization: Bearer` this token; without one it is a 404.
    pub metrics_token: Option<String>,
    /// `NONGSAN_SHUTDOWN_SECS`: on SIGTERM or SIGINT, how long requests in
    /// flight may take to finish before the server stops anyway.
    pub shutdown_timeout: std::time::Duration,
    /// `NONGSAN_TRUSTED_PROXIES`: the load balancers (comma-separated IPs)
    /// whose `X-Forwarded-For` names the client; without them the client
    /// is the TCP peer.
    pub trusted_proxies: accounts::throttle::TrustedProxies,
    /// `NONGSAN_REGISTRATIONS_PER_ADDRESS`: new buyer accounts one client
    /// address may open (in an hour) before each further one waits.
    pub registrations_per_address: i32,
}

/// Where listing photos are kept: `file://DIR` (the default is `photos/` in
/// the data folder) or `s3://BUCKET[/PREFIX]`, an S3-compatible store
/// reached with the standard `AWS_*` variables, which several servers share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoStoreUrl {
    Folder(PathBuf),
    S3 {
        url: String,
        /// Settings that win over the `AWS_*` variables (`aws_endpoint`…),
        /// so that tests can point servers at a store without changing the
        /// process's environment. Empty when configured by environment.
        settings: Vec<(String, String)>,
    },
}

impl PhotoStoreUrl {
    pub fn parse(text: &str) -> Result<PhotoStoreUrl, String> {
        if let Some(dir) = text.strip_prefix("file://") {
            if dir.is_empty() {
                return Err("file:// needs a folder, e.g. file:///srv/nongsan/photos".into());
            }
            Ok(PhotoStoreUrl::Folder(PathBuf::from(dir)))
        } else if text.starts_with("s3://") {
            media::parse_s3_url(text)?;
            Ok(PhotoStoreUrl::S3 { url: text.to_owned(), settings: Vec::new() })
        } else {
            Err(format!("`{text}` is neither file://FOLDER nor s3://BUCKET"))
        }
    }
}

impl std::fmt::Display for PhotoStoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhotoStoreUrl::Folder(dir) => write!(f, "file://{}", dir.display()),
            PhotoStoreUrl::S3 { url, .. } => f.write_str(url),
        }
    }
}

/// 2 %, when `NONGSAN_PLATFORM_FEE_BASIS_POINTS` is not set.
pub const DEFAULT_FEE_BASIS_POINTS: u32 = 200;

/// A bank account as VietQR names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionAccount {
    /// 6-digit NAPAS BIN of the bank.
    pub bank_bin: String,
    pub account_number: String,
    /// Holder's name as the bank holds it (upper case, no diacritics).
    pub account_name: String,
}

impl CollectionAccount {
    /// A made-up account for `serve --demo`: payments to it go nowhere.
    pub fn demo() -> CollectionAccount {
        CollectionAccount {
            bank_bin: "970405".into(),
            account_number: "1900000000001".into(),
            account_name: "NONGSAN DEMO".into(),
        }
    }
}

/// The webhook key of `serve --demo` when none is configured.
pub const DEMO_WEBHOOK_KEY: &str = "demo-webhook-key";

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Defaults and environment; flags are applied by the caller.
    pub fn from_env() -> Config {
        let data_dir = PathBuf::from(env("NONGSAN_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let bind = env("NONGSAN_BIND").unwrap_or_else(|| DEFAULT_BIND.into());
        let photo_store = match env("NONGSAN_PHOTO_STORE").map(|v| PhotoStoreUrl::parse(v.trim())) {
            None => None,
            Some(Ok(store)) => Some(store),
            Some(Err(e)) => {
                // Photos written to the wrong place would be lost to the other servers.
                eprintln!("NONGSAN_PHOTO_STORE: {e}");
                std::process::exit(2);
            }
        };
        Config {
            database_url: env("DATABASE_URL")
                .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("nongsan.db").display())),
            public_url: env("NONGSAN_PUBLIC_URL").unwrap_or_default(),
            bind,
            data_dir,
            master_key_hex: env("NONGSAN_MASTER_KEY"),
            gtin_company_prefix: env("NONGSAN_GTIN_PREFIX").unwrap_or_else(|| "200000".into()),
            operator_name: env("NONGSAN_OPERATOR_NAME").unwrap_or_else(|| "Nông sản số (nongsan)".into()),
            session_ttl: chrono::Duration::days(
                env("NONGSAN_SESSION_DAYS").and_then(|d| d.parse().ok()).unwrap_or(30),
            ),
            activation_ttl: chrono::Duration::days(14),
            workers: env("NONGSAN_WORKERS").and_then(|w| w.parse().ok()).unwrap_or(0),
            body_idle_timeout: std::time::Duration::from_secs(
                env("NONGSAN_BODY_IDLE_SECS").and_then(|s| s.parse().ok()).filter(|&s| s > 0).unwrap_or(30),
            ),
            body_deadline: std::time::Duration::from_secs(
                env("NONGSAN_BODY_DEADLINE_SECS")
                    .and_then(|s| s.parse().ok())
                    .filter(|&s| s > 0)
                    .unwrap_or(60),
            ),
            connections_per_address: env("NONGSAN_CONNECTIONS_PER_ADDRESS")
                .and_then(|s| s.parse().ok())
                .filter(|&n| n > 0)
                .unwrap_or(64),
            collection_account: match (env("NONGSAN_COLLECTION_BANK_BIN"), env("NONGSAN_COLLECTION_ACCOUNT"))
            {
                (Some(bank_bin), Some(account_number)) => Some(CollectionAccount {
                    bank_bin,
                    account_number,
                    account_name: env("NONGSAN_COLLECTION_ACCOUNT_NAME").unwrap_or_default(),
                }),
                _ => None,
            },
            payment_window: chrono::Duration::minutes(
                env("NONGSAN_PAYMENT_WINDOW_MINUTES")
                    .and_then(|m| m.parse().ok())
                    .filter(|&m| m > 0)
                    .unwrap_or(60),
            ),
            release_interval: std::time::Duration::from_secs(
                env("NONGSAN_RELEASE_INTERVAL_SECS")
                    .and_then(|s| s.parse().ok())
                    .filter(|&s| s > 0)
                    .unwrap_or(30),
            ),
            bank_webhook_key: env("NONGSAN_BANK_WEBHOOK_KEY"),
            bank_webhook_secret: env("NONGSAN_BANK_WEBHOOK_SECRET"),
            platform_fee: match env("NONGSAN_PLATFORM_FEE_BASIS_POINTS")
                .map(|v| v.trim().parse::<payment::FeeRate>())
            {
                None => payment::FeeRate::from_basis_points(DEFAULT_FEE_BASIS_POINTS)
                    .unwrap_or(payment::FeeRate::ZERO),
                Some(Ok(rate)) => rate,
                Some(Err(e)) => {
                    // Refusing to start is better than charging a fee nobody chose.
                    eprintln!("NONGSAN_PLATFORM_FEE_BASIS_POINTS: {e}");
                    std::process::exit(2);
                }
            },
            photo_store,
            metrics_token: env("NONGSAN_METRICS_TOKEN"),
            shutdown_timeout: std::time::Duration::from_secs(
                env("NONGSAN_SHUTDOWN_SECS").and_then(|s| s.parse().ok()).unwrap_or(30),
            ),
            trusted_proxies: match accounts::throttle::TrustedProxies::parse(
                &env("NONGSAN_TRUSTED_PROXIES").unwrap_or_default(),
            ) {
                Ok(proxies) => proxies,
                Err(e) => {
                    // a typo here would throttle every client as one
                    eprintln!("NONGSAN_TRUSTED_PROXIES: {e}");
                    std::process::exit(2);
                }
            },
            registrations_per_address: env("NONGSAN_REGISTRATIONS_PER_ADDRESS")
                .and_then(|n| n.parse().ok())
                .filter(|&n| n > 0)
                .unwrap_or(accounts::throttle::rules::REGISTER_ADDRESS.free),
        }
    }

    /// Where listing photos are kept: `NONGSAN_PHOTO_STORE`, or `photos/`
    /// in the data folder.
    pub fn photo_store(&self) -> PhotoStoreUrl {
        self.photo_store.clone().unwrap_or_else(|| PhotoStoreUrl::Folder(self.data_dir.join("photos")))
    }

    /// `NONGSAN_PUBLIC_URL`, or `http://` + the bind address.
    pub fn effective_public_url(&self, bound: &str) -> String {
        let url =
            if self.public_url.is_empty() { format!("http://{bound}") } else { self.public_url.clone() };
        url.trim_end_matches('/').to_string()
    }
}
