//! Assembling and starting the server: storage, keys, slices, routes.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpResponse, HttpServer};
use anyhow::Context;
use traceability::lots::TraceSettings;

use crate::config::Config;
use crate::{http_errors, openapi};

/// Largest JSON body accepted (a record with hundreds of events fits).
const JSON_LIMIT: usize = 1024 * 1024;

/// Everything handlers share, ready before the first request.
#[derive(Clone)]
pub struct State {
    pub pool: storage::Pool,
    pub trust_cache: std::sync::Arc<traceability::keys::TrustListCache>,
    pub lot_status_cache: std::sync::Arc<traceability::verify::LotStatusCache>,
    pub master: vault::MasterKey,
    pub payments: std::sync::Arc<dyn market::orders::PaymentRequests>,
    /// The escrow books order changes write to.
    pub money: std::sync::Arc<dyn market::orders::OrderMoney>,
    /// What a recall stops: the market's orders in flight, with their money.
    pub recall_follow_up: std::sync::Arc<dyn traceability::lots::RecallFollowUp>,
    /// Listing photos, content-addressed, in a folder or an S3 bucket.
    pub photos: std::sync::Arc<dyn media::BlobStore>,
    pub config: Config,
}

/// Opens the database (running pending migrations), loads reference data,
/// reads or creates the master key, and makes sure there is an issuer key.
pub fn prepare(config: &Config) -> anyhow::Result<State> {
    common::files::create_private_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    let url = storage::DatabaseUrl::parse(&config.database_url)?;
    let pool_size = match url {
        storage::DatabaseUrl::Sqlite(_) => 8,
        storage::DatabaseUrl::Postgres(_) => 16,
    };
    let pool = storage::connect_and_migrate(&url, pool_size)
        .with_context(|| format!("opening the {} database", url.backend_name()))?;
    let master = match &config.master_key_hex {
        Some(hex) => vault::MasterKey::from_hex(hex).context("NONGSAN_MASTER_KEY")?,
        None => vault::MasterKey::load_or_create(&config.data_dir.join("master.key"))?,
    };
    let mut conn = pool.get()?;
    // Servers starting together on one PostgreSQL database take turns, so
    // the reference data and the operator's key are written once.
    storage::one_at_a_time(&mut conn, storage::Job::StartUp, |conn| start_up_writes(conn, config, &master))?;
    // Key changes (rotate, revoke) reach running servers within 5 seconds.
    let trust_cache =
        std::sync::Arc::new(traceability::keys::TrustListCache::new(std::time::Duration::from_secs(5)));
    // A recall made elsewhere (another process) shows within a second.
    let lot_status_cache =
        std::sync::Arc::new(traceability::verify::LotStatusCache::new(std::time::Duration::from_secs(1)));
    let payments: std::sync::Arc<dyn market::orders::PaymentRequests> =
        std::sync::Arc::new(crate::payments::VietQrPayments { account: config.collection_account.clone() });
    let photos = open_photo_store(&config.photo_store())?;
    let money: std::sync::Arc<dyn market::orders::OrderMoney> =
        std::sync::Arc::new(payment::escrow::EscrowBooks { fee: config.platform_fee });
    // Lots recalled by an earlier version left their orders in flight.
    let caught_up = storage::one_at_a_time(&mut conn, storage::Job::StartUp, |conn| {
        market::orders::store::catch_up_recalls(conn, money.as_ref())
    })?;
    if caught_up > 0 {
        tracing::warn!(lots = caught_up, "stopped the orders of lots recalled before this version");
    }
    let recall_follow_up: std::sync::Arc<dyn traceability::lots::RecallFollowUp> =
        std::sync::Arc::new(market::orders::store::RecallOrders { money: money.clone() });
    Ok(State {
        pool,
        trust_cache,
        lot_status_cache,
        master,
        payments,
        money,
        recall_follow_up,
        photos,
        config: config.clone(),
    })
}

/// The photo store `NONGSAN_PHOTO_STORE` names. An S3 store that does not
/// answer at start is only a warning: the server serves everything else,
/// and uploads answer 503 until the store is back.
pub fn open_photo_store(
    url: &crate::config::PhotoStoreUrl,
) -> anyhow::Result<std::sync::Arc<dyn media::BlobStore>> {
    Ok(match url {
        crate::config::PhotoStoreUrl::Folder(dir) => std::sync::Arc::new(media::FileStore::new(dir)),
        crate::config::PhotoStoreUrl::S3 { url, settings } => {
            let store =
                media::S3Store::open(url, settings).with_context(|| format!("NONGSAN_PHOTO_STORE={url}"))?;
            match store.check() {
                Ok(()) => tracing::info!(store = %url, "photos are kept in an S3 store"),
                Err(e) => tracing::warn!(store = %url, error = %e, "the photo store does not answer yet"),
            }
            std::sync::Arc::new(store)
        }
    })
}

/// How often each server sweeps photos no listing shows; every run is
/// idempotent, so several servers sweeping the same store do no harm.
const PHOTO_SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

async fn sweep_photos(pool: storage::Pool, photos: std::sync::Arc<dyn media::BlobStore>) {
    let mut ticks =
        tokio::time::interval_at(tokio::time::Instant::now() + PHOTO_SWEEP_EVERY, PHOTO_SWEEP_EVERY);
    loop {
        ticks.tick().await;
        let (pool, photos) = (pool.clone(), photos.clone());
        let swept = tokio::task::spawn_blocking(move || {
            market::listings::photo_sweep::sweep_orphans(
                &pool,
                photos.as_ref(),
                market::listings::photo_sweep::DEFAULT_GRACE,
            )
        })
        .await;
        match swept {
            Ok(Ok(report)) => tracing::info!(?report, "swept photos no listing shows"),
            Ok(Err(e)) => tracing::error!(error = %e, "sweeping photos failed"),
            Err(e) => tracing::error!(error = %e, "the photo sweep stopped"),
        }
    }
}

/// What start-up writes once per database: the commune list, the operator
/// and its issuer key; and the check that the master key opens that key.
fn start_up_writes(
    conn: &mut storage::DbConnection,
    config: &Config,
    master: &vault::MasterKey,
) -> anyhow::Result<()> {
    let loaded = market::reference::store::load_reference_data(conn)?;
    if loaded > 0 {
        tracing::info!(communes = loaded, "loaded the 2025 commune list");
    }
    traceability::keys::ensure_operator(conn, master, &config.operator_name)?;
    // Fail now, not at the first lot, when the master key is not the one the
    // issuer keys were sealed with.
    traceability::keys::signing_identity(conn, master, None)
        .context("opening the operator's issuer key (is NONGSAN_MASTER_KEY the one used before?)")?;
    Ok(())
}

#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "the database answers"), (status = 503, description = "it does not")))]
pub async fn healthz(pool: web::Data<storage::Pool>) -> HttpResponse {
    let answered = pool
        .run(|conn| -> Result<&'static str, storage::StorageError> {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")?;
            Ok(conn.backend_name())
        })
        .await;
    match answered {
        Ok(backend) => HttpResponse::Ok().json(serde_json::json!({"status": "ok", "database": backend})),
        _ => HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "unavailable"})),
    }
}

async fn openapi_json(doc: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.get_ref().clone())
}

/// The market (buyers): one static page that drives the JSON API.
async fn home(req: actix_web::HttpRequest) -> Result<HttpResponse, common::ApiError> {
    crate::assets::page(&req, "index.html")
}

/// The post-office console: a page and its modules that drive the JSON API.
async fn staff_console(req: actix_web::HttpRequest) -> Result<HttpResponse, common::ApiError> {
    crate::assets::page(&req, "staff.html")
}

/// The farmer's app: an offline-first page, its modules and service worker.
async fn farmer_app(req: actix_web::HttpRequest) -> Result<HttpResponse, common::ApiError> {
    crate::assets::page(&req, "farmer.html")
}

/// The commune officers' dashboard: statistics as charts and tables; reads only.
async fn officer_dashboard(req: actix_web::HttpRequest) -> Result<HttpResponse, common::ApiError> {
    crate::assets::page(&req, "officer.html")
}

/// A QR code of the farmer's app address, for staff to show or print at
/// onboarding so the farmer opens it by scanning rather than typing.
async fn farmer_app_qr(settings: web::Data<TraceSettings>) -> Result<HttpResponse, common::ApiError> {
    let address = format!("{}/farmer", settings.public_url.trim_end_matches('/'));
    let png = labels::qr_png(&address, 8).map_err(|e| common::ApiError::internal(format!("app QR: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "public, max-age=3600"))
        .body(png))
}

/// Registers every route and shared value; used by the server and by tests.
pub fn configure_app(cfg: &mut web::ServiceConfig, state: &State, public_url: &str) {
    let api = openapi::document();
    let allowed = http_errors::AllowedMethods::from_openapi(&api);
    let doc = serde_json::to_string_pretty(&api).unwrap_or_else(|_| "{}".into());
    cfg.app_data(web::Data::new(allowed))
        .app_data(web::Data::new(state.pool.clone()))
        .app_data(web::Data::new(state.master.clone()))
        .app_data(web::Data::from(state.trust_cache.clone()))
        .app_data(web::Data::from(state.lot_status_cache.clone()))
        .app_data(web::Data::new(TraceSettings {
            public_url: public_url.to_string(),
            gtin_company_prefix: state.config.gtin_company_prefix.clone(),
        }))
        .app_data(web::Data::new(accounts::routes::AuthSettings {
            session_ttl: state.config.session_ttl,
            activation_ttl: state.config.activation_ttl,
            registrations_per_address: state.config.registrations_per_address,
        }))
        .app_data(web::Data::new(state.config.trusted_proxies.clone()))
        .app_data(web::Data::new(market::sellers::routes::MarketSettings {
            activation_ttl: state.config.activation_ttl,
        }))
        .app_data(web::Data::new(market::orders::routes::OrderSettings {
            payment_window: state.config.payment_window,
        }))
        .app_data(web::Data::from(state.payments.clone()))
        .app_data(web::Data::from(state.money.clone()))
        .app_data(web::Data::from(state.recall_follow_up.clone()))
        .app_data(web::Data::new(payment::webhook::WebhookSettings {
            api_key: state.config.bank_webhook_key.clone(),
            signing_secret: state.config.bank_webhook_secret.as_ref().map(|s| s.as_bytes().to_vec()),
            collection_account: state.config.collection_account.as_ref().map(|a| a.account_number.clone()),
        }))
        // every failure of the photo store counted (`GET /metrics`)
        .app_data(web::Data::from(std::sync::Arc::new(crate::operations::CountedStore {
            inner: state.photos.clone(),
        }) as std::sync::Arc<dyn media::BlobStore>))
        .app_data(web::Data::new(crate::operations::MetricsAccess {
            token: state.config.metrics_token.clone(),
        }))
        .app_data(web::Data::new(doc))
        .app_data(
            web::JsonConfig::default()
                .limit(JSON_LIMIT)
                .content_type_required(false)
                .error_handler(http_errors::json_error),
        )
        .app_data(web::QueryConfig::default().error_handler(http_errors::query_error))
        .app_data(web::PathConfig::default().error_handler(http_errors::path_error))
        .route("/", web::get().to(home))
        .route("/staff", web::get().to(staff_console))
        .route("/farmer", web::get().to(farmer_app))
        .route("/officer", web::get().to(officer_dashboard))
        // before the module folders, whose `/farmer/{file}` would take it
        .route("/farmer/qr.png", web::get().to(farmer_app_qr))
        .configure(|cfg| {
            for folder in crate::assets::MODULE_FOLDERS {
                cfg.route(&format!("/{folder}/{{file}}"), web::get().to(crate::assets::module));
            }
        })
        .route("/healthz", web::get().to(healthz))
        .route("/metrics", web::get().to(crate::operations::metrics))
        .route("/api/openapi.json", web::get().to(openapi_json))
        .configure(accounts::routes::configure)
        .configure(market::reference::routes::configure)
        .configure(market::sellers::routes::configure)
        .configure(market::stats::routes::configure)
        .configure(market::listings::routes::configure)
        .configure(market::orders::routes::configure)
        .configure(market::postage::routes::configure)
        .configure(payment::routes::configure)
        .configure(traceability::routes::configure)
        .default_service(web::to(http_errors::not_found));
}

/// The pages' Content-Security-Policy. Scripts come only from our own
/// module files (no inline script, no handler attributes, no eval), so an
/// injected `<script>` or `onerror=` does nothing. Styles may be inline
/// (`style=` attributes and `<style>` blocks are in every page; they cannot
/// run code). Images may be `data:` and `blob:` (a photo shrunk on the phone
/// before upload, a label being printed), frames only ours or `blob:` (the
/// parcel label the staff console prints). No page may be framed by any
/// other (`frame-ancestors 'none'`): the label sheet prints itself.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-src 'self' blob:; \
    connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'";

/// Headers every answer carries unless it sets its own: no MIME sniffing (an
/// uploaded photo is never run as a script), the policy above (and
/// `X-Frame-Options: DENY` for browsers that predate it), and links to
/// other sites do not learn the page's path.
fn security_headers() -> middleware::DefaultHeaders {
    middleware::DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
}

pub struct Application {
    pub port: u16,
    pub public_url: String,
    server: Server,
    pool: storage::Pool,
    release_interval: std::time::Duration,
    photos: std::sync::Arc<dyn media::BlobStore>,
}

async fn release_unpaid_orders(
    pool: storage::Pool,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    // The first run waits a whole interval: nothing is due at start-up, and
    // a server started and stopped at once (tests) touches nothing.
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        // Told to stop between runs; a run under way is awaited to its end
        // (each order is its own transaction either way).
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => return,
        }
        let released = pool.run(|conn| market::orders::store::release_expired(conn, storage::now())).await;
        // answers kept for Idempotency-Key retries live a day
        let forgotten = pool
            .run(|conn| {
                crate::idempotency::store::remove_older_than(conn, storage::now() - crate::idempotency::KEEP)
            })
            .await;
        if let Err(e) = forgotten {
            tracing::error!(error = %e, "removing old idempotency keys failed");
        }
        match released {
            Ok(0) => {}
            Ok(n) => {
                telemetry::unpaid_orders_released(n as u64);
                tracing::info!(orders = n, "released the stock of unpaid orders")
            }
            // logged and retried at the next tick: a passing database error
            // must not stop the releases for good
            Err(e) => tracing::error!(error = %e, "releasing unpaid orders failed"),
        }
    }
}

impl Application {
    /// Binds (port 0 picks a free port, as tests do) and builds the server.
    pub fn build(state: State) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&state.config.bind)
            .with_context(|| format!("binding {}", state.config.bind))?;
        let addr = listener.local_addr()?;
        let public_url = state.config.effective_public_url(&addr.to_string());
        let workers = state.config.workers;
        let url = public_url.clone();
        let idle = state.config.body_idle_timeout;
        let deadline = state.config.body_deadline;
        let pool = state.pool.clone();
        let release_interval = state.config.release_interval;
        let photos = state.photos.clone();
        let state_shutdown_secs = state.config.shutdown_timeout.as_secs();
        let connections = crate::connections::ConnectionCounter::new(
            state.config.connections_per_address,
            state.config.trusted_proxies.clone(),
        );
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(crate::idempotency::Idempotency)
                .wrap_fn(move |req, srv| http_errors::limit_body_time(req, srv, idle, deadline))
                .wrap_fn(http_errors::head_as_get)
                .wrap_fn(http_errors::refuse_nul_bytes)
                .wrap(middleware::Compress::default())
                .wrap(security_headers())
                .wrap_fn(crate::operations::observe)
                .wrap_fn(crate::connections::refuse_extra_connections)
                .configure(|cfg| configure_app(cfg, &state, &url))
        })
        .on_connect(connections.on_connect())
        .listen(listener)?;
        if workers > 0 {
            server = server.workers(workers);
        }
        // On a graceful stop (SIGTERM, see `stop_on_signals`): stop
        // accepting, let requests in flight finish for up to this long.
        // actix-web's own signal handling is off: it starts only once the
        // server is first polled, so a SIGTERM just after "listening" killed
        // the process outright.
        server = server.shutdown_timeout(state_shutdown_secs).disable_signals();
        Ok(Application {
            port: addr.port(),
            public_url,
            server: server.run(),
            pool,
            release_interval,
            photos,
        })
    }

    /// Stops the server on SIGTERM once the requests in flight are answered
    /// (within `NONGSAN_SHUTDOWN_SECS`), and at once on SIGINT (Ctrl-C) or
    /// SIGQUIT. The handlers are in place when this returns. Only the
    /// `nongsan serve` process asks for this, not tests sharing a process.
    pub fn stop_on_signals(&self) -> std::io::Result<()> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut quit = signal(SignalKind::quit())?;
        let server = self.server.handle();
        tokio::spawn(async move {
            let graceful = tokio::select! {
                _ = term.recv() => true,
                _ = interrupt.recv() => false,
                _ = quit.recv() => false,
            };
            tracing::info!(graceful, "stopping: asked by a signal");
            server.stop(graceful).await;
        });
        Ok(())
    }

    /// Serves until stopped (SIGTERM: once the requests in flight are
    /// answered); meanwhile releases the stock of bank-transfer orders
    /// whose payment did not arrive in time.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let releaser = tokio::spawn(release_unpaid_orders(self.pool.clone(), self.release_interval, stopped));
        // Idempotent and hours apart: simply dropped when the server stops.
        let sweeper = tokio::spawn(sweep_photos(self.pool.clone(), self.photos.clone()));
        // a second or so of brotli, off the request path
        std::thread::spawn(crate::assets::precompress_all);
        let result = self.server.await;
        let _ = stop.send(true);
        sweeper.abort();
        if let Err(e) = releaser.await {
            tracing::error!(error = %e, "the unpaid-order releaser ended badly");
        }
        tracing::info!("stopped");
        result
    }
}
