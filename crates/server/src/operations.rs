//! What operators watch: `GET /metrics` (Prometheus), one log line and one
//! measurement per request, and the photo store's failures counted where
//! the server hands the store to the routes.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::{web, HttpRequest, HttpResponse};
use common::{ApiError, ErrorCode};

/// Who may read `/metrics`: whoever presents this token as
/// `Authorization: Bearer …`. Without a token the route does not exist.
#[derive(Clone)]
pub struct MetricsAccess {
    pub token: Option<String>,
}

/// The counters and histograms of this process, as OpenMetrics text (which
/// Prometheus reads). They say how the server is doing, never who did what,
/// but are still kept off the public internet: served only when
/// `NONGSAN_METRICS_TOKEN` is set and presented as a bearer token.
#[utoipa::path(get, path = "/metrics", tag = "system",
    security(("metrics_token" = [])),
    responses(
        (status = 200, description = "OpenMetrics text: requests by route pattern and status with latency \
            histograms, database pool waits, bank notification outcomes, ledger transfers, photo store errors",
            content_type = "application/openmetrics-text", body = String),
        (status = 401, description = "wrong or missing `Authorization: Bearer` metrics token", body = accounts::ErrorBody),
        (status = 404, description = "metrics are off: `NONGSAN_METRICS_TOKEN` is not set", body = accounts::ErrorBody)))]
pub async fn metrics(req: HttpRequest, access: web::Data<MetricsAccess>) -> Result<HttpResponse, ApiError> {
    let Some(token) = access.token.as_deref() else {
        return Err(ApiError::not_found("page"));
    };
    let presented = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Constant time, so that the answer's timing says nothing of how much
    // of a guess was right.
    let same = presented.len() == token.len()
        && bool::from(subtle::ConstantTimeEq::ct_eq(presented.as_bytes(), token.as_bytes()));
    if !same {
        return Err(ApiError::new(
            ErrorCode::Unauthorized,
            "wrong or missing `Authorization: Bearer` metrics token",
        ));
    }
    let text = telemetry::encode().map_err(|e| ApiError::internal(format!("encoding metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(telemetry::CONTENT_TYPE)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(text))
}

/// Measures every request and logs one line for it (method, route pattern,
/// path, status, duration, and the `X-Request-Id` a load balancer set, if
/// any). The route is the pattern the request matched, so the number of
/// series stays bounded whatever paths are asked.
pub fn observe<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<B>, actix_web::Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_string();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 128)
        .map(str::to_string);
    let fut = srv.call(req);
    async move {
        let res = fut.await?;
        let took = started.elapsed();
        let status = res.status().as_u16();
        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_string());
        telemetry::http_request(method.as_str(), &route, status, took);
        if route != "/healthz" {
            tracing::info!(
                target: "nongsan::http",
                method = %method,
                route = %route,
                path = %path,
                status,
                duration_ms = took.as_secs_f64() * 1000.0,
                request_id = request_id.as_deref(),
                "request"
            );
        }
        Ok(res)
    }
}

/// The photo store as the routes see it: every failure counted.
pub struct CountedStore {
    pub inner: Arc<dyn media::BlobStore>,
}

impl media::BlobStore for CountedStore {
    fn put(&self, bytes: &[u8], content_type: &str) -> Result<media::BlobKey, media::MediaError> {
        self.inner.put(bytes, content_type).inspect_err(|_| telemetry::photo_store_error("put"))
    }

    fn get(&self, key: &media::BlobKey) -> Result<Option<media::Blob>, media::MediaError> {
        self.inner.get(key).inspect_err(|_| telemetry::photo_store_error("get"))
    }

    fn delete(&self, key: &media::BlobKey) -> Result<(), media::MediaError> {
        self.inner.delete(key).inspect_err(|_| telemetry::photo_store_error("delete"))
    }

    fn modified(&self, key: &media::BlobKey) -> Result<Option<std::time::SystemTime>, media::MediaError> {
        self.inner.modified(key).inspect_err(|_| telemetry::photo_store_error("modified"))
    }

    fn list(
        &self,
        visit: &mut dyn FnMut(Vec<media::StoredBlob>) -> Result<(), media::MediaError>,
    ) -> Result<(), media::MediaError> {
        self.inner.list(visit).inspect_err(|_| telemetry::photo_store_error("list"))
    }
}
