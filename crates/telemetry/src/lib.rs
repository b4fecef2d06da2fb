//! What a running server counts, and the Prometheus text of it (`GET
//! /metrics`). One set per process, like the process's log: a slice
//! records with a plain function call wherever the thing happens (the
//! pool's queue, the bank webhook, the ledger), without a handle threaded
//! through every signature. Label values come from short fixed lists or
//! from route patterns, never from user input, so the number of series
//! stays bounded.

use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::{Family, MetricConstructor};
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// What `GET /metrics` answers with: OpenMetrics text, the format
/// Prometheus asks for first and reads natively.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route's pattern (`/api/v1/orders/{id}`), never the path asked.
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

/// Buckets from 0.5 ms doubling to ~16 s: page loads and API answers
/// take milliseconds, a slow search or a large upload seconds.
#[derive(Clone)]
struct LatencyBuckets;

impl MetricConstructor<Histogram> for LatencyBuckets {
    fn new_metric(&self) -> Histogram {
        Histogram::new(exponential_buckets(0.0005, 2.0, 16))
    }
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Histogram, LatencyBuckets>,
    pool_waits: Histogram,
    pool_failures: Counter,
    notifications: Family<OutcomeLabels, Counter>,
    ledger_transfers: Family<KindLabels, Counter>,
    photo_store_errors: Family<OperationLabels, Counter>,
    released_orders: Counter,
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("nongsan");
        let requests = Family::new_with_constructor(LatencyBuckets);
        registry.register(
            "http_request_duration_seconds",
            "HTTP requests answered, by method, route pattern and status, and how long the answer took \
             (its _count is the number of requests)",
            requests.clone(),
        );
        // Waits are usually microseconds; a full pool makes them grow.
        let pool_waits = Histogram::new(exponential_buckets(0.0001, 2.0, 18));
        registry.register(
            "db_pool_wait_seconds",
            "Time a database task waited for its turn and a connection",
            pool_waits.clone(),
        );
        let pool_failures = Counter::default();
        registry.register(
            "db_pool_failures",
            "Database tasks that got no connection (the database down or every connection stuck)",
            pool_failures.clone(),
        );
        let notifications = Family::default();
        registry.register(
            "bank_notifications",
            "Bank notifications received, by outcome (paid, duplicate, unmatched, refused_key, …)",
            notifications.clone(),
        );
        let ledger_transfers = Family::default();
        registry.register(
            "ledger_transfers",
            "Ledger transfers written, by kind (posted, pending, post_pending, void_pending); one in a \
             transaction rolled back afterwards still counts, so the ledger itself is the exact figure",
            ledger_transfers.clone(),
        );
        let photo_store_errors = Family::default();
        registry.register(
            "photo_store_errors",
            "Failures of the photo store, by operation (put, get)",
            photo_store_errors.clone(),
        );
        let released_orders = Counter::default();
        registry.register(
            "unpaid_orders_released",
            "Bank-transfer orders cancelled by this server because the payment did not arrive in time",
            released_orders.clone(),
        );
        Metrics {
            registry,
            requests,
            pool_waits,
            pool_failures,
            notifications,
            ledger_transfers,
            photo_store_errors,
            released_orders,
        }
    })
}

/// An HTTP request answered. `route` is the matched pattern, or a fixed
/// word for requests no route took.
pub fn http_request(method: &str, route: &str, status: u16, took: Duration) {
    let labels =
        RequestLabels { method: method.to_string(), route: route.to_string(), status: status.to_string() };
    metrics().requests.get_or_create(&labels).observe(took.as_secs_f64());
}

/// A database task got its connection after waiting `waited`.
pub fn database_wait(waited: Duration) {
    metrics().pool_waits.observe(waited.as_secs_f64());
}

/// A database task got no connection.
pub fn database_pool_failure() {
    metrics().pool_failures.inc();
}

/// A bank notification was answered with `outcome`.
pub fn bank_notification(outcome: &str) {
    metrics().notifications.get_or_create(&OutcomeLabels { outcome: outcome.to_string() }).inc();
}

/// A ledger transfer of `kind` was written.
pub fn ledger_transfer(kind: &str) {
    metrics().ledger_transfers.get_or_create(&KindLabels { kind: kind.to_string() }).inc();
}

/// The photo store failed at `operation`.
pub fn photo_store_error(operation: &str) {
    metrics().photo_store_errors.get_or_create(&OperationLabels { operation: operation.to_string() }).inc();
}

/// `n` unpaid orders were released.
pub fn unpaid_orders_released(n: u64) {
    metrics().released_orders.inc_by(n);
}

/// Everything counted so far, as OpenMetrics text.
pub fn encode() -> Result<String, std::fmt::Error> {
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &metrics().registry)?;
    Ok(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn what_is_recorded_shows_in_the_text() {
        http_request("GET", "/api/v1/orders/{id}", 200, Duration::from_millis(3));
        bank_notification("duplicate");
        ledger_transfer("posted");
        photo_store_error("put");
        database_wait(Duration::from_micros(40));
        let text = encode().unwrap();
        assert!(text.contains(
            "nongsan_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/orders/{id}\",status=\"200\"}"
        ), "{text}");
        assert!(text.contains("nongsan_bank_notifications_total{outcome=\"duplicate\"}"), "{text}");
        assert!(text.contains("nongsan_ledger_transfers_total{kind=\"posted\"}"), "{text}");
        assert!(text.contains("nongsan_photo_store_errors_total{operation=\"put\"}"), "{text}");
        assert!(text.contains("nongsan_db_pool_wait_seconds_count 1"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
