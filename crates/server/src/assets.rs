//! The pages (`web/*.html`) and the modules they import (`web/shared/`),
//! embedded in the binary and served with a strong `ETag` and
//! `Cache-Control: no-cache`: a warm reload revalidates and gets a 304 with
//! no body. The Compress middleware gzips them. Set `NONGSAN_WEB_DIR` to
//! the `web` folder to serve them from disk while working on the pages (no
//! rebuild).

use std::borrow::Cow;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use common::ApiError;

/// Every shared module, by file name.
const SHARED: &[(&str, &str)] = &[("vi.js", include_str!("../../../web/shared/vi.js"))];

fn etag(text: &str) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(text.as_bytes()))[..32])
}

/// `embedded`, or the file at `web/{path}` under `NONGSAN_WEB_DIR`.
fn current(path: &str, embedded: &'static str) -> Cow<'static, str> {
    match std::env::var_os("NONGSAN_WEB_DIR") {
        Some(dir) => std::fs::read_to_string(std::path::Path::new(&dir).join(path))
            .map(Cow::Owned)
            .unwrap_or(Cow::Borrowed(embedded)),
        None => Cow::Borrowed(embedded),
    }
}

/// A page: `web/{name}`.
pub fn page(req: &HttpRequest, name: &str, embedded: &'static str) -> HttpResponse {
    revalidated(req, &current(name, embedded), "text/html; charset=utf-8")
}

pub async fn shared(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let name = req.match_info().get("file").unwrap_or_default();
    let embedded = SHARED.iter().find(|(n, _)| *n == name).map(|(_, text)| *text);
    let Some(embedded) = embedded else { return Err(ApiError::not_found("file")) };
    Ok(revalidated(&req, &current(&format!("shared/{name}"), embedded), "text/javascript; charset=utf-8"))
}

/// `text` with its ETag, or a bare 304 when the client has this version.
fn revalidated(req: &HttpRequest, text: &str, content_type: &str) -> HttpResponse {
    let tag = etag(text);
    let fresh = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut answer = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    answer.insert_header((ETAG, tag)).insert_header((CACHE_CONTROL, "no-cache"));
    if fresh {
        return answer.finish();
    }
    answer.insert_header((CONTENT_TYPE, content_type)).body(text.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    /// Every error code the API can answer with has Vietnamese text: the
    /// pages show it, never the English message.
    #[test]
    fn every_error_code_has_vietnamese_text() {
        let vi = super::SHARED.iter().find(|(n, _)| *n == "vi.js").unwrap().1;
        let start = vi.find("export const ERRORS = {").unwrap();
        let end = start + vi[start..].find("\n};").unwrap();
        let table = &vi[start..end];
        let missing: Vec<&str> = common::ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .filter(|c| !table.contains(&format!("\n  {c}: ")))
            .collect();
        assert!(missing.is_empty(), "web/shared/vi.js has no Vietnamese for: {missing:?}");
    }
}
