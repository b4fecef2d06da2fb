//! Resolver handlers: `/01/...`, its CORS preflight and
//! `/.well-known/gs1resolver`.

use actix_web::http::header::{self, ContentType};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::rules::{linkset, negotiate, passed_on_query, Wanted};
use super::scan_page::scan_view;
use super::store;
use crate::digital_link::DigitalLink;
use crate::records::{self, routes::credential_response};
use crate::routes::{with_conn, Pool, Settings, Trust};
use crate::{lots, verify};
use common::ApiError;

fn html_error(status: actix_web::http::StatusCode, title: &str, message: &str) -> HttpResponse {
    match pages::render_message_page(title, message) {
        Ok(html) => HttpResponse::build(status).content_type(ContentType::html()).body(html),
        Err(e) => actix_web::ResponseError::error_response(&common::ApiError::internal(e.to_string())),
    }
}

#[derive(Debug, Deserialize)]
pub struct ResolverQuery {
    #[serde(rename = "linkType")]
    link_type: Option<String>,
}

/// `GET /01/{gtin}/10/{lot}`: the page for people, the signed record for
/// machines, the linkset for resolvers. Printed labels point here for years.
/// Every answer, errors included, carries CORS headers so browser apps
/// can read it.
pub async fn resolve_digital_link(
    req: HttpRequest,
    pool: Pool,
    settings: Settings,
    trust: Trust,
    query: web::Query<ResolverQuery>,
) -> HttpResponse {
    match resolve(req, pool, settings, trust, query).await {
        Ok(response) => response,
        Err(e) => {
            let mut response = actix_web::ResponseError::error_response(&e);
            let headers = response.headers_mut();
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
            headers.insert(header::VARY, header::HeaderValue::from_static("Accept"));
            response
        }
    }
}

async fn resolve(
    req: HttpRequest,
    pool: Pool,
    settings: Settings,
    trust: Trust,
    query: web::Query<ResolverQuery>,
) -> Result<HttpResponse, ApiError> {
    let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let wanted = negotiate(query.link_type.as_deref(), &accept);
    // Errors as a page for people (browsers always ask for text/html),
    // JSON for everything else, including curl's `*/*`.
    let for_people =
        wanted.is_none_or(|w| w == Wanted::Page) && accept.to_ascii_lowercase().contains("text/html");
    let link =
        match DigitalLink::parse_path(req.path()) {
            Ok(l) => l,
            // In Vietnamese only: the parser's (English) reason is for
            // machines, which get it as JSON below.
            Err(_) if for_people => return Ok(html_error(
                actix_web::http::StatusCode::BAD_REQUEST,
                "Mã QR không hợp lệ",
                "Địa chỉ trên tem không đúng dạng mã truy xuất nguồn gốc. Hãy quét lại tem; nếu vẫn lỗi, \
                 tem có thể bị in sai hoặc là tem giả.",
            )),
            Err(e) => return Err(e),
        };
    let Some(wanted) = wanted else {
        if for_people {
            return Ok(html_error(
                actix_web::http::StatusCode::NOT_FOUND,
                "Không có liên kết này",
                "Lô hàng không có liên kết loại này. Hãy mở trang nguồn gốc của lô.",
            ));
        }
        return Err(ApiError::not_found("link type"));
    };
    let uri = link.uri(&settings.public_url);
    let s = settings.clone();
    let l = link.clone();
    // Load only what the chosen representation needs: machines asking for
    // the record do not pay for the page's events and verification.
    // Machines asking for the record (most scans by apps) get the stored
    // text after one indexed lookup.
    if wanted == Wanted::Record {
        let l = link.clone();
        let text = with_conn(pool, move |c| match lots::id_by_link(c, &l)? {
            Some(id) => records::record_text(c, &id, None).map(Some),
            None => Ok(None),
        })
        .await?
        .ok_or_else(|| ApiError::not_found("lot"))?;
        let mut response = credential_response(text);
        add_resolver_headers(&mut response, &uri);
        return Ok(response);
    }
    let found = with_conn(pool, move |c| {
        let Some(lot) = lots::find_by_link(c, &s, &l)? else {
            return Ok(None);
        };
        let loaded = match wanted {
            Wanted::Record => None,
            Wanted::Page => {
                let record = records::record(c, &lot.id, None)?;
                let events = lots::events_of(c, &lot.id)?;
                let report = verify::verify_in_db(c, &trust, &record)?;
                let listing = store::orderable_listing(c, &lot.id)?;
                Some((record, events, Some(report), listing))
            }
            Wanted::Linkset | Wanted::Epcis | Wanted::Verification => None,
        };
        Ok(Some((lot, loaded)))
    })
    .await?;
    let Some((lot, loaded)) = found else {
        if wanted == Wanted::Page {
            return Ok(html_error(
                actix_web::http::StatusCode::NOT_FOUND,
                "Không tìm thấy lô hàng",
                "Mã này không có trong hệ thống. Hãy hỏi người bán hoặc bưu điện.",
            ));
        }
        return Err(ApiError::not_found("lot"));
    };
    let mut response = match wanted {
        Wanted::Record => return Err(ApiError::internal("records are served above")),
        Wanted::Linkset => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "application/linkset+json"))
            .body(linkset(&uri, &lot, &settings.public_url).to_string()),
        Wanted::Epcis => HttpResponse::TemporaryRedirect()
            .insert_header((
                header::LOCATION,
                format!(
                    "{}/api/v1/lots/{}/epcis{}",
                    settings.public_url,
                    lot.id,
                    passed_on_query(req.query_string())
                ),
            ))
            .finish(),
        Wanted::Verification => HttpResponse::TemporaryRedirect()
            .insert_header((header::LOCATION, format!("{}/api/v1/verify", settings.public_url)))
            .finish(),
        Wanted::Page => {
            let Some((record, events, Some(report), listing)) = &loaded else {
                return Err(ApiError::internal("page data not loaded"));
            };
            let view = scan_view(&lot, record, events, report, &settings, listing.as_deref());
            let html = pages::render_scan_page(&view).map_err(|e| ApiError::internal(e.to_string()))?;
            HttpResponse::Ok()
                .content_type(ContentType::html())
                .insert_header(("Cache-Control", "no-cache"))
                .body(html)
        }
    };
    add_resolver_headers(&mut response, &uri);
    Ok(response)
}

/// CORS preflight: GS1 resolvers answer OPTIONS so browser apps can query them.
pub async fn resolver_preflight() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::ALLOW, "GET, HEAD, OPTIONS"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, "Accept"))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"))
        .finish()
}

/// Headers every resolver answer carries: where the linkset is, CORS, and
/// that the answer depends on `Accept`.
fn add_resolver_headers(response: &mut HttpResponse, uri: &str) {
    let linkset = format!("<{uri}?linkType=linkset>; rel=\"linkset\"; type=\"application/linkset+json\"");
    let headers = response.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(&linkset) {
        headers.insert(header::LINK, v);
    }
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
    headers.insert(header::VARY, header::HeaderValue::from_static("Accept"));
}

/// `/.well-known/gs1resolver`: tells GS1 tools what this resolver serves.
pub async fn resolver_description(settings: Settings) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "name": "nongsan",
        "resolverRoot": settings.public_url,
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": ["gs1:defaultLink", "gs1:pip", "gs1:traceability", "gs1:certificationInfo", "gs1:epcis", "gs1:verificationService"],
        "linkTypeDefaultCanBeLinkset": false,
        "supportedContextValuesEnumerated": []
    }))
}
