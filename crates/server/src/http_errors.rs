//! JSON errors for what actix-web rejects before a handler runs
//! (malformed JSON, bad query strings, unknown routes), in the one shape
//! every route uses.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use common::error::error_response;
use common::{ApiError, ErrorCode};

fn as_error(response: HttpResponse, cause: String) -> actix_web::Error {
    actix_web::error::InternalError::from_response(cause, response).into()
}

pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let error = match &err {
        JsonPayloadError::Payload(actix_web::error::PayloadError::Io(e))
            if e.kind() == std::io::ErrorKind::TimedOut =>
        {
            ApiError::new(ErrorCode::RequestTimeout, e.to_string())
        }
        JsonPayloadError::Overflow { limit } | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::new(ErrorCode::PayloadTooLarge, format!("the body is larger than {limit} bytes"))
                .param("limit", *limit)
        }
        JsonPayloadError::ContentType => {
            ApiError::new(ErrorCode::UnsupportedMediaType, "send application/json")
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::new(ErrorCode::InvalidInput, e.to_string())
        }
        JsonPayloadError::Deserialize(e) => ApiError::new(ErrorCode::MalformedJson, e.to_string()),
        other => ApiError::new(ErrorCode::MalformedJson, other.to_string()),
    };
    as_error(error.error_response(), err.to_string())
}

pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    as_error(error_response(ErrorCode::InvalidQuery, message.clone()), message)
}

pub fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    as_error(error_response(ErrorCode::NotFound, message.clone()), message)
}

/// Which methods each route answers, for the `Allow` header of a 405: the
/// OpenAPI document's paths (every `/api` route is in it, a test makes
/// sure) and the few pages outside it.
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
}

impl AllowedMethods {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut routes: Vec<(Vec<String>, Vec<&'static str>)> = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let mut methods = Vec::new();
                for (method, op) in [("GET", &item.get), ("POST", &item.post), ("PUT", &item.put)] {
                    if op.is_some() {
                        methods.push(method);
                    }
                }
                for (method, op) in [("DELETE", &item.delete), ("PATCH", &item.patch)] {
                    if op.is_some() {
                        methods.push(method);
                    }
                }
                (segments(template), methods)
            })
            .collect();
        for page in ["/", "/staff", "/farmer", "/farmer/qr.png", "/officer"] {
            routes.push((segments(page), vec!["GET"]));
        }
        AllowedMethods { routes }
    }

    /// The methods of the route `path` belongs to, or `None` when no route
    /// has that path (a 404, then).
    pub fn for_path(&self, path: &str) -> Option<String> {
        if path.starts_with("/01/") {
            return Some("GET, HEAD, OPTIONS".into());
        }
        let wanted = segments(path);
        let matches = |template: &[String]| {
            template.len() == wanted.len()
                && template.iter().zip(&wanted).all(|(t, w)| t.starts_with('{') || t == w)
        };
        // Literal segments win over parameters (`/lots/{id}` vs a fixed name).
        self.routes
            .iter()
            .filter(|(template, _)| matches(template))
            .max_by_key(|(template, _)| template.iter().filter(|t| !t.starts_with('{')).count())
            .map(|(_, methods)| methods.join(", "))
    }
}

fn segments(path: &str) -> Vec<String> {
    path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Unknown routes: JSON under `/api` and for clients that ask for JSON
/// rather than HTML, a page for people elsewhere. A known route asked with
/// a method it does not answer is a 405 with `Allow`.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let allowed = req.app_data::<actix_web::web::Data<AllowedMethods>>().and_then(|a| a.for_path(req.path()));
    if let Some(allow) = allowed {
        let mut response = error_response(
            ErrorCode::MethodNotAllowed,
            format!("{} is not allowed on {}; use {allow}", req.method(), req.path()),
        );
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
            response.headers_mut().insert(actix_web::http::header::ALLOW, value);
        }
        return response;
    }
    let accept =
        req.headers().get(actix_web::http::header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let wants_json = accept.contains("json") && !accept.contains("text/html");
    if req.path().starts_with("/api") || wants_json {
        error_response(ErrorCode::NotFound, format!("no route {} {}", req.method(), req.path()))
    } else {
        match pages::render_message_page("Không tìm thấy trang", "Địa chỉ này không có trên nongsan.")
        {
            Ok(html) => HttpResponse::NotFound().content_type("text/html; charset=utf-8").body(html),
            Err(_) => HttpResponse::NotFound().finish(),
        }
    }
}

/// A NUL byte has no business in a URL, and PostgreSQL cannot even compare
/// text with one: refuse it at the door with a 400 rather than let it turn
/// into a database error (a 500) somewhere inside.
pub fn refuse_nul_bytes<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<BoxBody>, actix_web::Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    let uri = req.uri().to_string().to_ascii_lowercase();
    let refused = uri.contains("%00") || uri.contains('\0');
    let fut = if refused { None } else { Some(srv.call(req)) };
    let early = if refused {
        Some(error_response(ErrorCode::InvalidUrl, "the URL contains a NUL byte"))
    } else {
        None
    };
    async move {
        match (fut, early) {
            (Some(f), _) => f.await.map(|r| r.map_into_boxed_body()),
            (None, Some(resp)) => {
                Err(actix_web::error::InternalError::from_response("NUL in URL", resp).into())
            }
            (None, None) => Err(actix_web::error::ErrorBadRequest("NUL in URL")),
        }
    }
}

/// Wraps every request body so that a pause longer than `idle_limit`, or a
/// body still arriving `deadline` after it began, ends with a timed-out
/// error, which extractors turn into a 408. Slow phones on 3G keep sending;
/// a client that sends nothing more, or one byte just inside each pause,
/// would otherwise hold its connection (and a read buffer) for ever.
/// (Request headers have their own, shorter limit in `HttpServer`.)
pub fn limit_body_time<S, B>(
    mut req: ServiceRequest,
    srv: &S,
    idle_limit: std::time::Duration,
    deadline: std::time::Duration,
) -> S::Future
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
    use actix_web::HttpMessage;
    use futures_util::StreamExt;
    // Most requests (scans, GETs) carry no body: nothing to guard, and no
    // timer or allocation on the hot path.
    let headers = req.headers();
    let declared =
        headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared == Some(0) || (declared.is_none() && !headers.contains_key(TRANSFER_ENCODING)) {
        return srv.call(req);
    }
    let payload = req.take_payload();
    let ends_at = actix_web::rt::time::Instant::now() + deadline;
    let guarded = futures_util::stream::unfold(Some(payload), move |state| async move {
        let mut payload = state?;
        let now = actix_web::rt::time::Instant::now();
        let stop = (now + idle_limit).min(ends_at);
        match actix_web::rt::time::timeout(stop.saturating_duration_since(now), payload.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(payload))),
            Ok(None) => None,
            Err(_) => {
                let why = if stop == ends_at {
                    format!("the request body took longer than {} s", deadline.as_secs())
                } else {
                    format!("the request body stopped arriving for {} s", idle_limit.as_secs())
                };
                let stalled = std::io::Error::new(std::io::ErrorKind::TimedOut, why);
                Some((Err(actix_web::error::PayloadError::Io(stalled)), None))
            }
        }
    })
    // Some readers (multipart) poll once more after the end; a fused
    // stream answers `None` again instead of panicking.
    .fuse();
    type Chunk = Result<actix_web::web::Bytes, actix_web::error::PayloadError>;
    let boxed: std::pin::Pin<Box<dyn futures_util::Stream<Item = Chunk>>> = Box::pin(guarded);
    req.set_payload(actix_web::dev::Payload::from(boxed));
    srv.call(req)
}

/// HEAD answers like GET without the body, on every route (RFC 9110 asks
/// servers to support HEAD wherever they support GET).
pub fn head_as_get<S, B>(
    mut req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<EitherBody<B, ()>>, actix_web::Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    let head = req.method() == actix_web::http::Method::HEAD;
    if head {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let fut = srv.call(req);
    async move {
        let response = fut.await?;
        Ok(if head {
            response.map_body(|_, _| EitherBody::right(()))
        } else {
            response.map_body(|_, body| EitherBody::left(body))
        })
    }
}
