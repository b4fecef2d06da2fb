//! What the browser gets from `web/`: the pages (`index.html` at `/`,
//! `staff.html` at `/staff`) and the ES modules they import
//! (`web/shared/*.js` at `/shared/…`, a page's own modules at
//! `/{page}/…`).
//!
//! - Embedded in the release binary (rust-embed); a debug build reads the
//!   files from `web/` on disk, and `NONGSAN_WEB_DIR` points any build at a
//!   `web` folder, so a page edit needs no rebuild.
//! - Precompressed once per process and version of a file (brotli and gzip,
//!   chosen by `Accept-Encoding`), not on every response; the Compress
//!   middleware leaves an answer that already has a `Content-Encoding`.
//! - A strong `ETag` (the SHA-256 of the file; one per encoding, as the
//!   bytes differ) with `Cache-Control: no-cache`: a warm reload revalidates
//!   each file and gets a 304 with no body. Module URLs are not
//!   content-hashed (no build step renames them), so revalidation is what
//!   keeps a phone from running an old module with a new page.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use common::ApiError;

#[derive(rust_embed::Embed)]
#[folder = "../../web/"]
// server-side templates (the `pages` crate compiles them in); not served
#[exclude = "templates/*"]
struct Web;

/// The folders of page modules served at `/{folder}/{file}`.
pub const MODULE_FOLDERS: &[&str] = &["shared", "market", "staff", "farmer", "officer", "scan"];

/// Service workers and the scope each may control. A worker's scope is at
/// most its own folder (`/farmer/`) unless the server allows more, and the
/// farmer's app starts at `/farmer`, outside that folder.
const SERVICE_WORKERS: &[(&str, &str)] = &[("farmer/sw.js", "/farmer")];

/// One version of one file, in every encoding worth sending.
struct Asset {
    hash: [u8; 32],
    content_type: &'static str,
    identity: Bytes,
    gzip: Option<Bytes>,
    brotli: Option<Bytes>,
}

impl Asset {
    fn new(path: &str, bytes: Vec<u8>, hash: [u8; 32]) -> Asset {
        let content_type = content_type(path);
        let gzip = gzip(&bytes).filter(|z| z.len() < bytes.len()).map(Bytes::from);
        let brotli = brotli(&bytes).filter(|z| z.len() < bytes.len()).map(Bytes::from);
        Asset { hash, content_type, identity: Bytes::from(bytes), gzip, brotli }
    }

    /// The strong ETag of this file sent in `encoding`.
    fn etag(&self, encoding: Encoding) -> String {
        let hash = &hex::encode(self.hash)[..32];
        match encoding {
            Encoding::Identity => format!("\"{hash}\""),
            Encoding::Gzip => format!("\"{hash}-gz\""),
            Encoding::Brotli => format!("\"{hash}-br\""),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes).ok()?;
    z.finish().ok()
}

fn brotli(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).ok()?;
    Some(out)
}

/// The compressed versions made so far, by path; a changed file (its hash)
/// is compressed again.
fn cache() -> &'static Mutex<HashMap<String, Arc<Asset>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Asset>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The file at `web/{path}` now: from `NONGSAN_WEB_DIR`, else embedded (in
/// a debug build rust-embed reads it from the source tree).
fn read(path: &str) -> Option<(Cow<'static, [u8]>, [u8; 32])> {
    if path.split('/').any(|part| part.is_empty() || part.starts_with('.')) {
        return None;
    }
    if let Some(dir) = std::env::var_os("NONGSAN_WEB_DIR") {
        if let Ok(bytes) = std::fs::read(std::path::Path::new(&dir).join(path)) {
            let hash: [u8; 32] = Sha256::digest(&bytes).into();
            return Some((Cow::Owned(bytes), hash));
        }
    }
    let file = Web::get(path)?;
    Some((file.data, file.metadata.sha256_hash()))
}

fn asset(path: &str) -> Option<Arc<Asset>> {
    let (bytes, hash) = read(path)?;
    if let Some(known) = cache().lock().ok()?.get(path).filter(|a| a.hash == hash) {
        return Some(known.clone());
    }
    // compressed outside the lock: two first requests may both do it, once
    let made = Arc::new(Asset::new(path, bytes.into_owned(), hash));
    cache().lock().ok()?.insert(path.to_string(), made.clone());
    Some(made)
}

/// Compresses every embedded file now (on a thread of its own at start-up)
/// so that no visitor waits for brotli.
pub fn precompress_all() {
    for path in Web::iter() {
        let _ = asset(&path);
    }
}

/// The best encoding the client accepts that we have.
fn encoding(req: &HttpRequest, asset: &Asset) -> Encoding {
    let accepts = |name: &str| {
        req.headers().get_all(ACCEPT_ENCODING).filter_map(|v| v.to_str().ok()).any(|v| {
            v.split(',').any(|item| {
                let mut bits = item.split(';');
                let coding = bits.next().unwrap_or_default().trim();
                let refused = bits.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
                coding.eq_ignore_ascii_case(name) && !refused
            })
        })
    };
    if asset.brotli.is_some() && accepts("br") {
        Encoding::Brotli
    } else if asset.gzip.is_some() && accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// `web/{path}`, or a bare 304 when the client holds this version.
fn serve(req: &HttpRequest, path: &str) -> Result<HttpResponse, ApiError> {
    let Some(asset) = asset(path) else { return Err(ApiError::not_found("file")) };
    let chosen = encoding(req, &asset);
    let tags = [Encoding::Identity, Encoding::Gzip, Encoding::Brotli].map(|e| asset.etag(e));
    let fresh = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == "*" || tags.contains(&t.trim().to_string())));
    let mut answer = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    answer
        .insert_header((ETAG, asset.etag(chosen)))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header((VARY, "Accept-Encoding"));
    if let Some((_, scope)) = SERVICE_WORKERS.iter().find(|(worker, _)| *worker == path) {
        answer.insert_header(("Service-Worker-Allowed", *scope));
    }
    if fresh {
        return Ok(answer.finish());
    }
    answer.insert_header((CONTENT_TYPE, asset.content_type));
    let body = match chosen {
        Encoding::Identity => {
            // tells the Compress middleware to leave it as it is
            answer.insert_header((CONTENT_ENCODING, "identity"));
            asset.identity.clone()
        }
        Encoding::Gzip => {
            answer.insert_header((CONTENT_ENCODING, "gzip"));
            asset.gzip.clone().unwrap_or_default()
        }
        Encoding::Brotli => {
            answer.insert_header((CONTENT_ENCODING, "br"));
            asset.brotli.clone().unwrap_or_default()
        }
    };
    Ok(answer.body(body))
}

/// A page: `web/{file}`.
pub fn page(req: &HttpRequest, file: &str) -> Result<HttpResponse, ApiError> {
    serve(req, file)
}

/// A module: `/{folder}/{file}` is `web/{folder}/{file}` (the routes are
/// one per folder of [`MODULE_FOLDERS`]).
pub async fn module(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = req.path().trim_start_matches('/').to_string();
    match path.split_once('/') {
        Some((folder, file)) if MODULE_FOLDERS.contains(&folder) && !file.contains('/') => serve(&req, &path),
        _ => Err(ApiError::not_found("file")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    /// Every error code the API can answer with has Vietnamese text: the
    /// pages show it, never the English message.
    #[test]
    fn every_error_code_has_vietnamese_text() {
        let (bytes, _) = super::read("shared/vi.js").unwrap();
        let vi = String::from_utf8(bytes.into_owned()).unwrap();
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

    #[test]
    fn paths_outside_web_are_refused() {
        for path in
            ["../Cargo.toml", "shared/../../Cargo.toml", "/etc/passwd", "shared//vi.js", ".git/config"]
        {
            assert!(super::read(path).is_none(), "{path}");
        }
        assert!(super::read("shared/vi.js").is_some());
    }

    #[test]
    fn every_module_is_compressed_smaller_and_back_to_the_same_bytes() {
        use std::io::Read;
        for path in super::Web::iter().filter(|p| p.ends_with(".js") || p.ends_with(".html")) {
            let asset = super::asset(&path).unwrap();
            let gz = asset.gzip.clone().unwrap();
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut back).unwrap();
            assert_eq!(back, asset.identity, "{path} gzip");
            let br = asset.brotli.clone().unwrap();
            let mut back = Vec::new();
            brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
            assert_eq!(back, asset.identity, "{path} brotli");
            assert!(br.len() <= gz.len(), "{path}: brotli {} > gzip {}", br.len(), gz.len());
        }
    }
}
