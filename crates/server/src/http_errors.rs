//! JSON errors for what actix-web rejects before a handler runs
//! (malformed JSON, bad query strings, unknown routes), in the one shape
//! every route uses.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

fn as_error(response: HttpResponse, cause: String) -> actix_web::Error {
    actix_web::error::InternalError::from_response(cause, response).into()
}

pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let (status, code, message) = match &err {
        JsonPayloadError::Overflow { limit } | JsonPayloadError::OverflowKnownLength { limit, .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than {limit} bytes"),
        ),
        JsonPayloadError::ContentType => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send application/json".to_string(),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", e.to_string())
        }
        JsonPayloadError::Deserialize(e) => (StatusCode::BAD_REQUEST, "malformed_json", e.to_string()),
        other => (StatusCode::BAD_REQUEST, "malformed_json", other.to_string()),
    };
    as_error(accounts::json_error(status, code, &message), err.to_string())
}

pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    as_error(accounts::json_error(StatusCode::BAD_REQUEST, "invalid_query", &message), message)
}

pub fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    as_error(accounts::json_error(StatusCode::NOT_FOUND, "not_found", &message), message)
}

/// Unknown routes: JSON under `/api` and for clients that ask for JSON
/// rather than HTML, a page for people elsewhere.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let accept =
        req.headers().get(actix_web::http::header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let wants_json = accept.contains("json") && !accept.contains("text/html");
    if req.path().starts_with("/api") || wants_json {
        accounts::json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no route {} {}", req.method(), req.path()),
        )
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
        Some(accounts::json_error(StatusCode::BAD_REQUEST, "invalid_url", "the URL contains a NUL byte"))
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
