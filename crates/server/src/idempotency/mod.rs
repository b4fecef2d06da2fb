//! `Idempotency-Key` on POST: a client that lost the answer (a phone on a
//! network that drops) retries with the same key and gets the first answer
//! again (status and body) without the server acting twice; the same key
//! with another request is 409 `idempotency_key_reused`.
//!
//! How: the request's body is read whole and fingerprinted (SHA-256 over
//! method, path and query, content type and body); the key is claimed for
//! the caller (the signed-in user, or anonymous) in the database with an
//! insert that only one request can win, so it holds across restarts and
//! servers; the winner acts and its answer is stored, any duplicate waits
//! for that answer and replays it. An answer that is our fault (5xx) is not
//! kept: nothing was done, the retry acts. Keys are kept 24 hours
//! ([`KEEP`]); the server's periodic task removes older ones. Without the
//! header a request acts as before. The bank webhook has its own
//! idempotency (the notification id) and GETs need none.

pub mod store;

use std::future::{ready, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use actix_web::http::{Method, StatusCode};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{web, HttpMessage, HttpResponse};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use common::{ApiError, ErrorCode};
use store::Claim;

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// How long a key and its answer are kept.
pub const KEEP: chrono::Duration = chrono::Duration::hours(24);
/// A claim this old without an answer was left by a server that stopped.
const ABANDONED_AFTER: chrono::Duration = chrono::Duration::minutes(2);
/// How long a duplicate waits for the first request's answer.
const WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(50);
/// Bodies are read whole to fingerprint them: the largest any route takes
/// (a photo) and some room.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A key as SPEC gives it: 1 to 128 visible ASCII characters.
pub fn check_key(value: &HeaderValue) -> Result<String, ApiError> {
    let bytes = value.as_bytes();
    if (1..=128).contains(&bytes.len()) && bytes.iter().all(|b| (0x21..=0x7E).contains(b)) {
        Ok(String::from_utf8_lossy(bytes).into_owned())
    } else {
        Err(ApiError::field(
            ErrorCode::InvalidHeader,
            "Idempotency-Key",
            "1 to 128 visible ASCII characters (a UUID is a good key)",
        )
        .param("max", 128))
    }
}

/// What makes two requests the same request. A multipart body (a photo,
/// a CSV file) is the same without its boundary: a browser picks a new
/// random one for every send, so a retry of the same upload would
/// otherwise look like another request.
pub fn fingerprint(method: &str, path_and_query: &str, content_type: &str, body: &[u8]) -> String {
    let (content_type, body) = match multipart_boundary(content_type) {
        Some(boundary) => ("multipart/form-data".to_string(), without(body, boundary.as_bytes())),
        None => (content_type.to_string(), body.to_vec()),
    };
    let mut h = Sha256::new();
    for part in [method.as_bytes(), path_and_query.as_bytes(), content_type.as_bytes()] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.update(&body);
    hex::encode(h.finalize())
}

/// The boundary of a `multipart/form-data` content type, unquoted.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';');
    if !parts.next()?.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parts.find_map(|p| {
        let (name, value) = p.trim().split_once('=')?;
        let value = value.trim().trim_matches('"');
        (name.trim().eq_ignore_ascii_case("boundary") && !value.is_empty()).then(|| value.to_string())
    })
}

/// `body` with every occurrence of `cut` removed.
fn without(body: &[u8], cut: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(cut) {
            i += cut.len();
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

/// The middleware; wrap the app with it inside the body-idle guard.
pub struct Idempotency;

impl<S, B> Transform<S, ServiceRequest> for Idempotency
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type InitError = ();
    type Transform = IdempotencyService<S>;
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(IdempotencyService { service: Rc::new(service) }))
    }
}

pub struct IdempotencyService<S> {
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for IdempotencyService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let keyed = req.method() == Method::POST
            && req.headers().contains_key(HEADER)
            && req.path() != "/api/v1/payments/bank-webhook";
        if !keyed {
            return Box::pin(async move { Ok(service.call(req).await?.map_into_boxed_body()) });
        }
        Box::pin(keyed_call(service, req))
    }
}

/// The request's caller: the signed-in user's id, '' for anyone else (an
/// invalid token is refused by the route itself).
async fn caller(pool: &storage::Pool, req: &ServiceRequest) -> Result<String, ApiError> {
    let token = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string())
        .filter(|t| !t.is_empty() && t.len() <= 128);
    let Some(token) = token else { return Ok(String::new()) };
    pool.run(move |c| {
        Ok(accounts::sessions::user_for_token(c, &token)?.map(|u| u.to_string()).unwrap_or_default())
    })
    .await
}

async fn read_body(req: &mut ServiceRequest) -> Result<Result<Bytes, ApiError>, actix_web::Error> {
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > MAX_BODY {
            return Ok(Err(ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Ok(body.freeze()))
}

fn replay(status: u16, content_type: Option<String>, body: Vec<u8>) -> HttpResponse {
    let mut r = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    if let Some(ct) = content_type {
        r.insert_header((CONTENT_TYPE, ct));
    }
    r.insert_header(("Idempotency-Replayed", "true")).body(body)
}

async fn keyed_call<S, B>(
    service: Rc<S>,
    mut req: ServiceRequest,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    let key = match req.headers().get(HEADER).map(check_key) {
        Some(Ok(key)) => key,
        Some(Err(e)) => return Ok(req.error_response(e)),
        None => return Ok(service.call(req).await?.map_into_boxed_body()),
    };
    let Some(pool) = req.app_data::<web::Data<storage::Pool>>().map(|p| p.get_ref().clone()) else {
        return Ok(req.error_response(ApiError::internal("no database pool configured")));
    };
    let body = match read_body(&mut req).await? {
        Ok(body) => body,
        Err(e) => return Ok(req.error_response(e)),
    };
    let content_type =
        req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let target = req.uri().path_and_query().map_or(req.path(), |p| p.as_str()).to_string();
    let print = fingerprint(req.method().as_str(), &target, &content_type, &body);
    let who = match caller(&pool, &req).await {
        Ok(who) => who,
        Err(e) => return Ok(req.error_response(e)),
    };
    let started = Instant::now();
    loop {
        let (c, k, p) = (who.clone(), key.clone(), print.clone());
        let claimed = pool
            .run(move |conn| {
                let now = storage::now();
                store::claim(conn, &c, &k, &p, now, now - ABANDONED_AFTER, now - KEEP)
            })
            .await;
        match claimed {
            Err(e) => return Ok(req.error_response(e)),
            Ok(Claim::Mine) => break,
            Ok(Claim::Answered { status, content_type, body }) => {
                return Ok(req.into_response(replay(status, content_type, body)))
            }
            Ok(Claim::OtherRequest) => {
                return Ok(req.error_response(ApiError::new(
                    ErrorCode::IdempotencyKeyReused,
                    "this Idempotency-Key was used for another request; use a new key for a new action",
                )))
            }
            Ok(Claim::Running) if started.elapsed() > WAIT => {
                return Ok(req.error_response(
                    ApiError::new(
                        ErrorCode::RequestInProgress,
                        "the first request with this Idempotency-Key is still running; try again shortly",
                    )
                    .retry_after(5),
                ))
            }
            Ok(Claim::Running) => actix_web::rt::time::sleep(POLL).await,
        }
    }
    // the handler reads the body we took
    type Chunk = Result<Bytes, actix_web::error::PayloadError>;
    let again: Pin<Box<dyn futures_util::Stream<Item = Chunk>>> =
        Box::pin(futures_util::stream::once(async move { Ok(body) }));
    req.set_payload(Payload::from(again));
    let forget = |pool: storage::Pool, who: String, key: String| async move {
        if let Err(e) = pool.run(move |c| store::forget(c, &who, &key)).await {
            tracing::error!(error = %e, "could not release an idempotency key");
        }
    };
    let res = match service.call(req).await {
        Ok(res) => res,
        Err(e) => {
            forget(pool, who, key).await;
            return Err(e);
        }
    };
    if res.status().is_server_error() {
        forget(pool, who, key).await;
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, res) = res.into_parts();
    let status = res.status();
    let content_type = res.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (head, body) = res.into_parts();
    let bytes = match actix_web::body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            forget(pool, who, key).await;
            let e = ApiError::internal("the answer could not be read to keep it");
            return Ok(ServiceResponse::new(http_req, HttpResponse::from_error(e)));
        }
    };
    let kept = bytes.clone();
    let stored = pool
        .run(move |c| store::answer(c, &who, &key, status.as_u16(), content_type.as_deref(), &kept))
        .await;
    if let Err(e) = stored {
        // the action happened; a retry will wait, then find the claim
        // abandoned and act again: say so loudly
        tracing::error!(error = %e, "could not keep the answer of an idempotent request");
    }
    Ok(ServiceResponse::new(http_req, head.set_body(BoxBody::new(bytes))))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_128() {
        assert!(check_key(&HeaderValue::from_static("6f1c2b1e-0c1a-4c55-9b1e-2a2f7b3c9d10")).is_ok());
        assert!(check_key(&HeaderValue::from_static("")).is_err());
        assert!(check_key(&HeaderValue::from_static("a b")).is_err());
        assert!(check_key(&HeaderValue::from_str(&"k".repeat(129)).unwrap()).is_err());
        assert!(check_key(&HeaderValue::from_str(&"k".repeat(128)).unwrap()).is_ok());
    }

    #[test]
    fn a_fingerprint_tells_requests_apart_however_their_parts_are_cut() {
        let a = fingerprint("POST", "/api/v1/orders", "application/json", b"{}");
        assert_eq!(a, fingerprint("POST", "/api/v1/orders", "application/json", b"{}"));
        assert_ne!(a, fingerprint("POST", "/api/v1/orders", "application/json", b"{ }"));
        assert_ne!(a, fingerprint("POST", "/api/v1/lots", "application/json", b"{}"));
        // a multipart upload sent again with a new boundary is the same request
        let upload = |b: &str| {
            let body =
                format!("--{b}\r\nContent-Disposition: form-data; name=\"photo\"\r\n\r\nJPEG\r\n--{b}--\r\n");
            fingerprint("POST", "/p", &format!("multipart/form-data; boundary={b}"), body.as_bytes())
        };
        assert_eq!(upload("XyZ1"), upload("abc987"));
        let other = fingerprint("POST", "/p", "multipart/form-data; boundary=XyZ1", b"--XyZ1\r\nPNG--XyZ1--");
        assert_ne!(upload("XyZ1"), other);
        // the boundary between parts counts
        assert_ne!(fingerprint("POST", "/a", "bc", b""), fingerprint("POST", "/ab", "c", b""));
    }
}
