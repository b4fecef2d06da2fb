//! HTTP routes of the traceability slice, including the GS1 Digital Link
//! resolver that printed labels point at.

use accounts::Actor;
use actix_web::http::header::{self, ContentType};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use crate::digital_link::DigitalLink;
use crate::lots::{self, EventView, LotView, NewEvent, NewLot, RecallRequest, RecordVersion, TraceSettings};
use crate::verify::{self, VerifyReport};
use crate::{epcis, keys, EventType, LotEvent, TraceError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/lots", web::post().to(create_lot))
        .route("/api/v1/lots", web::get().to(list_lots))
        .route("/api/v1/lots/{id}", web::get().to(get_lot))
        .route("/api/v1/lots/{id}/events", web::post().to(add_event))
        .route("/api/v1/lots/{id}/events", web::get().to(list_events))
        .route("/api/v1/lots/{id}/recall", web::post().to(recall_lot))
        .route("/api/v1/lots/{id}/record", web::get().to(get_record))
        .route("/api/v1/lots/{id}/records", web::get().to(list_records))
        .route("/api/v1/lots/{id}/label.png", web::get().to(label_png))
        .route("/api/v1/lots/{id}/label.svg", web::get().to(label_svg))
        .route("/api/v1/lots/{id}/epcis", web::get().to(get_epcis))
        .route("/api/v1/exports/fsma204.csv", web::get().to(fsma_export))
        .route("/api/v1/labels/sheet.svg", web::get().to(label_sheet_svg))
        .route("/api/v1/labels/sheet.html", web::get().to(label_sheet_html))
        .route("/api/v1/verify", web::post().to(verify_record))
        .route("/api/v1/trust-list", web::get().to(trust_list))
        .route("/01/{tail:.*}", web::get().to(resolve_digital_link))
        .route("/01/{tail:.*}", web::method(actix_web::http::Method::OPTIONS).to(resolver_preflight))
        .route("/.well-known/gs1resolver", web::get().to(resolver_description));
}

type Pool = web::Data<storage::Pool>;
type Master = web::Data<vault::MasterKey>;
type Settings = web::Data<TraceSettings>;
type Trust = web::Data<keys::TrustListCache>;
type Statuses = web::Data<verify::LotStatusCache>;

async fn with_conn<T, F>(pool: Pool, f: F) -> Result<T, TraceError>
where
    F: FnOnce(&mut storage::DbConnection) -> Result<T, TraceError> + Send + 'static,
    T: Send + 'static,
{
    pool.run(f).await
}

#[utoipa::path(post, path = "/api/v1/lots", tag = "lots", security(("bearer" = [])), request_body = NewLot,
    responses((status = 201, description = "the lot, its Digital Link and its first signed record", body = LotView),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "lot code already used", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn create_lot(
    pool: Pool,
    master: Master,
    settings: Settings,
    actor: Actor,
    body: web::Json<NewLot>,
) -> Result<HttpResponse, TraceError> {
    let lot = with_conn(pool, move |c| lots::create_lot(c, &master, &settings, &actor, &body)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/lots/{}", lot.id)))
        .json(lot))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LotQuery {
    /// Staff and admin: only this seller's lots.
    seller_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LotList {
    items: Vec<LotView>,
}

#[utoipa::path(get, path = "/api/v1/lots", tag = "lots", security(("bearer" = [])), params(LotQuery),
    responses((status = 200, body = LotList), (status = 401, body = accounts::ErrorBody)))]
pub async fn list_lots(
    pool: Pool,
    settings: Settings,
    actor: Actor,
    query: web::Query<LotQuery>,
) -> Result<HttpResponse, TraceError> {
    let seller = query.into_inner().seller_id;
    let items = with_conn(pool, move |c| lots::list_lots(c, &settings, &actor, seller.as_deref())).await?;
    Ok(HttpResponse::Ok().json(LotList { items }))
}

#[utoipa::path(get, path = "/api/v1/lots/{id}", tag = "lots", params(("id" = String, Path)),
    responses((status = 200, body = LotView), (status = 404, body = accounts::ErrorBody)))]
pub async fn get_lot(
    pool: Pool,
    settings: Settings,
    id: web::Path<String>,
) -> Result<HttpResponse, TraceError> {
    let id = id.into_inner();
    let lot = with_conn(pool, move |c| lots::get_lot(c, &settings, &id)).await?;
    Ok(HttpResponse::Ok().json(lot))
}

#[utoipa::path(post, path = "/api/v1/lots/{id}/events", tag = "lots", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewEvent,
    responses((status = 201, description = "recorded; a new signed record version was issued", body = EventView),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "the lot is recalled", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn add_event(
    pool: Pool,
    statuses: Statuses,
    master: Master,
    settings: Settings,
    actor: Actor,
    id: web::Path<String>,
    body: web::Json<NewEvent>,
) -> Result<HttpResponse, TraceError> {
    let id = id.into_inner();
    let lot_id = id.clone();
    let event = with_conn(pool, move |c| lots::add_event(c, &master, &settings, &actor, &id, &body)).await?;
    statuses.invalidate(&lot_id);
    Ok(HttpResponse::Created().json(event))
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    items: Vec<EventView>,
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/events", tag = "lots", params(("id" = String, Path)),
    responses((status = 200, body = EventList), (status = 404, body = accounts::ErrorBody)))]
pub async fn list_events(pool: Pool, id: web::Path<String>) -> Result<HttpResponse, TraceError> {
    let id = id.into_inner();
    let items = with_conn(pool, move |c| lots::list_events(c, &id)).await?;
    Ok(HttpResponse::Ok().json(EventList { items }))
}

#[utoipa::path(post, path = "/api/v1/lots/{id}/recall", tag = "lots", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RecallRequest,
    responses((status = 200, description = "recalled; a new signed record version says so", body = LotView),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 409, body = accounts::ErrorBody)))]
pub async fn recall_lot(
    pool: Pool,
    statuses: Statuses,
    master: Master,
    settings: Settings,
    actor: Actor,
    id: web::Path<String>,
    body: web::Json<RecallRequest>,
) -> Result<HttpResponse, TraceError> {
    let id = id.into_inner();
    let lot_id = id.clone();
    let lot = with_conn(pool, move |c| lots::recall(c, &master, &settings, &actor, &id, &body)).await?;
    statuses.invalidate(&lot_id);
    Ok(HttpResponse::Ok().json(lot))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    /// A past version; the newest when absent.
    version: Option<i64>,
}

/// The signed record exactly as stored: its bytes are what was signed
/// (canonicalised), so nothing is re-encoded on the way out.
fn credential_response(record_text: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/vc+ld+json"))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(record_text)
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/record", tag = "records", params(("id" = String, Path), RecordQuery),
    responses((status = 200, description = "the signed W3C Verifiable Credential (eddsa-jcs-2022)",
               content_type = "application/vc+ld+json", body = Object),
              (status = 404, body = accounts::ErrorBody)))]
pub async fn get_record(
    pool: Pool,
    id: web::Path<String>,
    query: web::Query<RecordQuery>,
) -> Result<HttpResponse, TraceError> {
    let id = id.into_inner();
    let version = query.version;
    let record = with_conn(pool, move |c| lots::record_text(c, &id, version)).await?;
    Ok(credential_response(record))
}

#[derive(Serialize, ToSchema)]
pub struct RecordVersionList {
    items: Vec<RecordVersion>,
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/records", tag = "records", params(("id" = String, Path)),
    responses((status = 200, body = RecordVersionList), (status = 404, body = accounts::ErrorBody)))]
pub async fn list_records(pool: Pool, id: web::Path<String>) -> Result<HttpResponse, TraceError> {
    let id = id.into_inner();
    let items = with_conn(pool, move |c| lots::record_versions(c, &id)).await?;
    Ok(HttpResponse::Ok().json(RecordVersionList { items }))
}

fn vn_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.into())
}

fn label_text(lot: &LotView) -> labels::LabelText {
    labels::LabelText {
        title: lot.product_name.clone(),
        lines: vec![
            format!("Lô: {}", lot.lot_code),
            format!("Xuất xứ: {}, {}", lot.commune_name, lot.province_name),
            format!("Thu hoạch: {}", vn_date(&lot.harvested_on)),
            format!("Người trồng: {}", lot.producer_name),
        ],
    }
}

async fn lot_for_label(pool: Pool, settings: Settings, id: String) -> Result<LotView, TraceError> {
    printable(with_conn(pool, move |c| lots::get_lot(c, &settings, &id)).await?)
}

/// A recalled lot gets no new labels: they would put it back on shelves.
fn printable(lot: LotView) -> Result<LotView, TraceError> {
    if lot.status == "recalled" {
        return Err(TraceError::Conflict(format!(
            "lot {} has been recalled; its labels are no longer printed",
            lot.lot_code
        )));
    }
    Ok(lot)
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/label.png", tag = "labels", params(("id" = String, Path)),
    responses((status = 200, description = "70x35 mm label at 300 dpi", content_type = "image/png"),
              (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "the lot was recalled", body = accounts::ErrorBody)))]
pub async fn label_png(
    pool: Pool,
    settings: Settings,
    id: web::Path<String>,
) -> Result<HttpResponse, TraceError> {
    let lot = lot_for_label(pool, settings, id.into_inner()).await?;
    let png = web::block(move || labels::label_png(&lot.digital_link, &label_text(&lot))).await??;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(png))
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/label.svg", tag = "labels", params(("id" = String, Path)),
    responses((status = 200, description = "70x35 mm label", content_type = "image/svg+xml"),
              (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "the lot was recalled", body = accounts::ErrorBody)))]
pub async fn label_svg(
    pool: Pool,
    settings: Settings,
    id: web::Path<String>,
) -> Result<HttpResponse, TraceError> {
    let lot = lot_for_label(pool, settings, id.into_inner()).await?;
    let svg = labels::label_svg(&lot.digital_link, &label_text(&lot))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(svg))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    /// Comma-separated lot ids, at most 240 (ten pages).
    lots: String,
    /// Repeat each lot's label this many times (1–240), default 1.
    copies: Option<usize>,
    /// sheet.svg only: which page, from 1.
    page: Option<usize>,
}

async fn sheet_pages(pool: Pool, settings: Settings, q: SheetQuery) -> Result<Vec<String>, TraceError> {
    let ids: Vec<String> =
        q.lots.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    let copies = q.copies.unwrap_or(1);
    if ids.is_empty() || !(1..=240).contains(&copies) || ids.len() * copies > 240 {
        return Err(TraceError::invalid("lots", "1 to 240 labels in all (lots × copies)"));
    }
    let views: Vec<LotView> =
        with_conn(pool, move |c| ids.iter().map(|id| lots::get_lot(c, &settings, id)).collect()).await?;
    let views = views.into_iter().map(printable).collect::<Result<Vec<_>, _>>()?;
    let labels_list: Vec<(String, labels::LabelText)> = views
        .iter()
        .flat_map(|lot: &LotView| std::iter::repeat_n((lot.digital_link.clone(), label_text(lot)), copies))
        .collect();
    Ok(web::block(move || labels::a4_sheet_svg(&labels_list)).await??)
}

#[utoipa::path(get, path = "/api/v1/labels/sheet.svg", tag = "labels", params(SheetQuery),
    responses((status = 200, description = "one A4 page of labels", content_type = "image/svg+xml"),
              (status = 404, body = accounts::ErrorBody), (status = 409, body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn label_sheet_svg(
    pool: Pool,
    settings: Settings,
    q: web::Query<SheetQuery>,
) -> Result<HttpResponse, TraceError> {
    let q = q.into_inner();
    let page = q.page.unwrap_or(1);
    let pages = sheet_pages(pool, settings, q).await?;
    let svg = page
        .checked_sub(1)
        .and_then(|i| pages.get(i))
        .ok_or_else(|| TraceError::invalid("page", format!("1 to {}", pages.len())))?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg.clone()))
}

#[utoipa::path(get, path = "/api/v1/labels/sheet.html", tag = "labels", params(SheetQuery),
    responses((status = 200, description = "printable A4 pages of labels (print at 100 %)", content_type = "text/html"),
              (status = 404, body = accounts::ErrorBody), (status = 409, body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn label_sheet_html(
    pool: Pool,
    settings: Settings,
    q: web::Query<SheetQuery>,
) -> Result<HttpResponse, TraceError> {
    let q = q.into_inner();
    if q.page.is_some_and(|p| p != 1) {
        // The HTML sheet holds every page; `page` is for the SVG, one page each.
        return Err(TraceError::invalid(
            "page",
            "the HTML sheet holds every page; use sheet.svg for one page",
        ));
    }
    let pages = sheet_pages(pool, settings, q).await?;
    let mut html = String::from(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Tem QR — in khổ A4</title>\
         <style>@page{size:A4;margin:0}body{margin:0}.page{width:210mm;height:297mm;page-break-after:always}\
         .page svg{width:210mm;height:297mm;display:block}@media screen{body{background:#ccc}\
         .page{background:#fff;margin:8mm auto;box-shadow:0 0 4px #888}}</style></head><body>",
    );
    for p in &pages {
        html.push_str("<div class=\"page\">");
        html.push_str(p);
        html.push_str("</div>");
    }
    html.push_str("</body></html>");
    Ok(HttpResponse::Ok().content_type(ContentType::html()).body(html))
}

fn epcis_lot<'a>(lot: &'a LotView, link: &'a DigitalLink, public_url: &'a str) -> epcis::EpcisLot<'a> {
    epcis::EpcisLot {
        link,
        product_name: &lot.product_name,
        quantity_g: lot.quantity_g,
        origin_commune_code: &lot.commune_code,
        farm_name: &lot.farm_name,
        seller_id: &lot.seller_id,
        public_url,
        gtin_is_internal: lot.gtin_is_internal,
    }
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/epcis", tag = "records", params(("id" = String, Path)),
    responses((status = 200, description = "GS1 EPCIS 2.0 EPCISDocument (JSON-LD)", content_type = "application/ld+json", body = Object),
              (status = 404, body = accounts::ErrorBody)))]
pub async fn get_epcis(
    pool: Pool,
    settings: Settings,
    id: web::Path<String>,
) -> Result<HttpResponse, TraceError> {
    let id = id.into_inner();
    let s = settings.clone();
    let (lot, events) =
        with_conn(pool, move |c| Ok((lots::get_lot(c, &s, &id)?, lots::events_of(c, &id)?))).await?;
    let link = DigitalLink::parse_path(&format!("/01/{}/10/{}", lot.gtin, lot.lot_code))?;
    let doc =
        epcis::epcis_document(&epcis_lot(&lot, &link, &settings.public_url), &events, chrono::Utc::now());
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/ld+json"))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(doc.to_string()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FsmaQuery {
    /// First day, `YYYY-MM-DD` (Vietnamese calendar day, UTC+7).
    #[param(value_type = String, format = Date)]
    from: chrono::NaiveDate,
    /// Last day, included.
    #[param(value_type = String, format = Date)]
    to: chrono::NaiveDate,
}

#[utoipa::path(get, path = "/api/v1/exports/fsma204.csv", tag = "records", security(("bearer" = [])),
    params(FsmaQuery),
    responses((status = 200, description = "FSMA 204 sortable spreadsheet: one row per critical tracking event \
        of the lots the caller may see (admin: all; staff: their post office's sellers; farmer: own)",
        content_type = "text/csv"),
              (status = 400, body = accounts::ErrorBody), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 422, body = accounts::ErrorBody)))]
pub async fn fsma_export(
    pool: Pool,
    settings: Settings,
    actor: Actor,
    query: web::Query<FsmaQuery>,
) -> Result<HttpResponse, TraceError> {
    let FsmaQuery { from, to } = query.into_inner();
    let rows = with_conn(pool, move |c| lots::fsma_rows(c, &settings, &actor, from, to)).await?;
    let csv = web::block(move || crate::fsma::to_csv(&rows)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"nongsan-fsma204-{from}-{to}.csv\""),
        ))
        .body(csv))
}

#[utoipa::path(post, path = "/api/v1/verify", tag = "records",
    request_body(content = Object, description = "a signed record (W3C VC with a DataIntegrityProof)"),
    responses((status = 200, body = VerifyReport), (status = 400, description = "not JSON", body = accounts::ErrorBody),
              (status = 422, description = "JSON, but not an object", body = accounts::ErrorBody)))]
pub async fn verify_record(
    pool: Pool,
    trust: Trust,
    statuses: Statuses,
    body: web::Json<Box<serde_json::value::RawValue>>,
) -> Result<HttpResponse, TraceError> {
    // Re-read the raw text strictly: a record with a duplicated property
    // could show one value to people and have another checked here.
    let record = crate::jcs::parse_strict(body.get()).map_err(|e| TraceError::NotIJson(e.to_string()))?;
    if !record.is_object() {
        return Err(TraceError::invalid("body", "a record is a JSON object (a W3C verifiable credential)"));
    }
    // The cryptography (~0.1 ms) runs right here; the database is asked
    // only when the trust list or the lot's status is not fresh in memory.
    let off = verify::offline(&record);
    let lot_id = off.facts.lot_id.clone();
    let list = trust.peek();
    let status = match &lot_id {
        Some(id) => statuses.peek(id),
        None => Some(None),
    };
    let (list, status) = match (list, status, lot_id) {
        (Some(list), Some(status), _) => (list, status),
        (list, status, lot_id) => {
            let statuses = statuses.clone();
            with_conn(pool, move |c| {
                let list = match list {
                    Some(list) => list,
                    None => trust.get(c)?,
                };
                let status = match (status, lot_id) {
                    (Some(status), _) => status,
                    (None, Some(id)) => {
                        let status = lots::lot_status(c, &id)?;
                        statuses.put(&id, status);
                        status
                    }
                    (None, None) => None,
                };
                Ok((list, status))
            })
            .await?
        }
    };
    let report = verify::judge(off, &list, status);
    Ok(HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(report))
}

#[derive(Serialize, ToSchema)]
pub struct TrustList {
    items: Vec<keys::TrustedIssuer>,
}

#[utoipa::path(get, path = "/api/v1/trust-list", tag = "records",
    responses((status = 200, description = "issuer DIDs this server trusts, with validity periods; save it for `nongsan verify --trust-list`", body = TrustList)))]
pub async fn trust_list(pool: Pool) -> Result<HttpResponse, TraceError> {
    let items = with_conn(pool, keys::trust_list).await?;
    Ok(HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(TrustList { items }))
}

// ---- GS1 Digital Link resolver -------------------------------------------

/// What a client asked the resolver for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Page,
    Record,
    Linkset,
    Epcis,
    /// Where to POST a record for checking.
    Verification,
}

/// Decides from `?linkType=` first, then `Accept`. Machines asking for JSON
/// get the signed record (SPEC), `application/linkset+json` the linkset.
pub fn negotiate(link_type: Option<&str>, accept: &str) -> Option<Wanted> {
    if let Some(t) = link_type {
        return match t {
            "linkset" | "all" => Some(Wanted::Linkset),
            "gs1:pip" | "gs1:defaultLink" => Some(Wanted::Page),
            "gs1:traceability" | "gs1:certificationInfo" => Some(Wanted::Record),
            "gs1:epcis" => Some(Wanted::Epcis),
            "gs1:verificationService" => Some(Wanted::Verification),
            _ => None,
        };
    }
    let accept = accept.to_ascii_lowercase();
    let has = |m: &str| accept.split(',').any(|part| part.split(';').next().is_some_and(|x| x.trim() == m));
    if has("application/linkset+json") {
        Some(Wanted::Linkset)
    } else if has("application/json")
        || has("application/ld+json")
        || has("application/vc")
        || has("application/vc+ld+json")
    {
        Some(Wanted::Record)
    } else {
        Some(Wanted::Page)
    }
}

pub fn linkset(uri: &str, lot: &LotView, public_url: &str) -> Value {
    let link = |href: String, title: &str, media: &str| json!([{ "href": href, "title": title, "type": media, "hreflang": ["vi"] }]);
    let record = format!("{public_url}/api/v1/lots/{}/record", lot.id);
    json!({
        "linkset": [{
            "anchor": uri,
            "https://gs1.org/voc/defaultLink": link(uri.to_string(), &format!("{} — nguồn gốc", lot.product_name), "text/html"),
            "https://gs1.org/voc/pip": link(uri.to_string(), "Trang nguồn gốc sản phẩm", "text/html"),
            "https://gs1.org/voc/traceability": link(record.clone(), "Bản ghi nguồn gốc có chữ ký (W3C VC, eddsa-jcs-2022)", "application/vc+ld+json"),
            "https://gs1.org/voc/certificationInfo": link(record, "Bản ghi có chữ ký số", "application/vc+ld+json"),
            "https://gs1.org/voc/epcis": link(format!("{public_url}/api/v1/lots/{}/epcis", lot.id), "Sự kiện EPCIS 2.0", "application/ld+json"),
            "https://gs1.org/voc/verificationService": link(format!("{public_url}/api/v1/verify"), "Kiểm tra bản ghi (POST)", "application/json"),
        }]
    })
}

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

/// The request's query string without `linkType`, for a redirect (GS1
/// resolvers pass the query on), with its `?`; empty when nothing is left.
fn passed_on_query(req: &HttpRequest) -> String {
    let kept: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("linkType"))
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
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
) -> Result<HttpResponse, TraceError> {
    let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let wanted = negotiate(query.link_type.as_deref(), &accept);
    // Errors as a page for people (browsers always ask for text/html),
    // JSON for everything else, including curl's `*/*`.
    let for_people =
        wanted.is_none_or(|w| w == Wanted::Page) && accept.to_ascii_lowercase().contains("text/html");
    let link = match DigitalLink::parse_path(req.path()) {
        Ok(l) => l,
        Err(e) if for_people => {
            return Ok(html_error(
                actix_web::http::StatusCode::BAD_REQUEST,
                "Mã QR không hợp lệ",
                &format!(
                    "Địa chỉ trên tem không đúng dạng mã truy xuất nguồn gốc. Hãy quét lại tem; nếu vẫn \
                     lỗi, tem có thể bị in sai hoặc là tem giả. (Chi tiết kỹ thuật: {e})"
                ),
            ))
        }
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
        return Err(TraceError::NotFound("link type".into()));
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
            Some(id) => lots::record_text(c, &id, None).map(Some),
            None => Ok(None),
        })
        .await?
        .ok_or_else(|| TraceError::NotFound("lot".into()))?;
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
                let record = lots::record(c, &lot.id, None)?;
                let events = lots::events_of(c, &lot.id)?;
                let report = verify::verify_in_db(c, &trust, &record)?;
                Some((record, events, Some(report)))
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
        return Err(TraceError::NotFound("lot".into()));
    };
    let mut response = match wanted {
        Wanted::Record => return Err(TraceError::Internal("records are served above".into())),
        Wanted::Linkset => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "application/linkset+json"))
            .body(linkset(&uri, &lot, &settings.public_url).to_string()),
        Wanted::Epcis => HttpResponse::TemporaryRedirect()
            .insert_header((
                header::LOCATION,
                format!("{}/api/v1/lots/{}/epcis{}", settings.public_url, lot.id, passed_on_query(&req)),
            ))
            .finish(),
        Wanted::Verification => HttpResponse::TemporaryRedirect()
            .insert_header((header::LOCATION, format!("{}/api/v1/verify", settings.public_url)))
            .finish(),
        Wanted::Page => {
            let Some((record, events, Some(report))) = &loaded else {
                return Err(TraceError::Internal("page data not loaded".into()));
            };
            let html = pages::render_scan_page(&scan_view(&lot, record, events, report, &settings))
                .map_err(|e| TraceError::Internal(e.to_string()))?;
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

const VN_OFFSET_SECS: i32 = 7 * 3600;

fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    // Vietnam has one time zone and no daylight saving.
    match FixedOffset::east_opt(VN_OFFSET_SECS) {
        Some(tz) => t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string(),
        None => t.format("%d/%m/%Y %H:%M UTC").to_string(),
    }
}

fn detail_rows(e: &LotEvent) -> Vec<(String, String)> {
    let d = &e.details;
    let mut rows = vec![];
    let mut push = |label: &str, v: Option<String>| {
        if let Some(v) = v {
            rows.push((label.to_string(), v));
        }
    };
    push("Giống", d.variety.clone());
    push("Sản phẩm", d.product.clone());
    push("Liều lượng", d.dose.clone());
    push("Cách ly trước thu hoạch", d.pre_harvest_interval_days.map(|n| format!("{n} ngày")));
    push("Khối lượng", d.quantity_g.map(format_grams));
    push("Bao bì", d.package.clone());
    push("Nhiệt độ", d.temperature_c.map(|t| format!("{t} °C")));
    push("Từ", d.from.clone());
    push("Đến", d.to.clone());
    push("Chế biến", d.process.clone());
    push("Nơi", d.location.clone());
    push("Thửa ruộng", d.field.clone());
    push("Chứng từ", d.reference_document.clone());
    push("Lý do", d.reason.clone());
    push("Ghi chú", d.note.clone());
    rows
}

fn format_grams(g: i64) -> String {
    if g >= 1000 && g % 10 == 0 {
        let kg = g / 1000;
        let rest = g % 1000;
        if rest == 0 {
            format!("{kg} kg")
        } else {
            format!("{kg},{} kg", format!("{rest:03}").trim_end_matches('0'))
        }
    } else {
        format!("{g} g")
    }
}

fn scan_view(
    lot: &LotView,
    record: &Value,
    events: &[LotEvent],
    report: &VerifyReport,
    settings: &TraceSettings,
) -> pages::ScanView {
    let recall = events.iter().rev().find(|e| e.event_type == EventType::Recall);
    let banner = if report.status.recalled {
        pages::Banner::Recalled {
            reason: recall.and_then(|e| e.details.reason.clone()).unwrap_or_default(),
            recalled_on: recall.map(|e| local(e.recorded_at)).unwrap_or_default(),
        }
    } else if !report.verified {
        pages::Banner::Untrusted { reasons: report.errors.clone() }
    } else if !report.status.latest_version {
        pages::Banner::Superseded
    } else {
        pages::Banner::Verified
    };
    let unit_name = crate::quantity::Unit::parse(&lot.unit).map(|u| u.name_vi).unwrap_or(&lot.unit);
    let base = &settings.public_url;
    pages::ScanView {
        product_name: lot.product_name.clone(),
        lot_code: lot.lot_code.clone(),
        gtin: lot.gtin.clone(),
        gtin_is_internal: lot.gtin_is_internal,
        quantity: format!("{} {}", lot.quantity.replace('.', ","), unit_name),
        harvested_on: vn_date(&lot.harvested_on),
        producer_name: lot.producer_name.clone(),
        farm_name: lot.farm_name.clone(),
        commune_name: lot.commune_name.clone(),
        province_name: lot.province_name.clone(),
        banner,
        issuer_name: report.issuer_name.clone().unwrap_or_default(),
        issuer_did: report.issuer.clone().unwrap_or_default(),
        record_version: report.record_version.unwrap_or(lot.record_version),
        signed_at: record
            .get("proof")
            .and_then(|p| p.get("created"))
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| local(t.with_timezone(&chrono::Utc)))
            .unwrap_or_default(),
        events: events
            .iter()
            .map(|e| pages::ScanEvent {
                type_label: e.event_type.label_vi().to_string(),
                type_code: e.event_type.as_str().to_string(),
                occurred_at: local(e.occurred_at),
                details: detail_rows(e),
            })
            .collect(),
        record_url: format!("{base}/api/v1/lots/{}/record", lot.id),
        epcis_url: format!("{base}/api/v1/lots/{}/epcis", lot.id),
        trust_list_url: format!("{base}/api/v1/trust-list"),
        label_url: format!("{base}/api/v1/lots/{}/label.png", lot.id),
        digital_link: lot.digital_link.clone(),
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_lot,
    list_lots,
    get_lot,
    add_event,
    list_events,
    recall_lot,
    get_record,
    list_records,
    label_png,
    label_svg,
    label_sheet_svg,
    label_sheet_html,
    get_epcis,
    fsma_export,
    verify_record,
    trust_list
))]
pub struct TraceabilityApi;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_negotiation_follows_spec_and_gs1() {
        assert_eq!(negotiate(None, "text/html,application/xhtml+xml"), Some(Wanted::Page));
        assert_eq!(negotiate(None, ""), Some(Wanted::Page));
        assert_eq!(negotiate(None, "application/json"), Some(Wanted::Record));
        assert_eq!(negotiate(None, "application/ld+json;q=0.9"), Some(Wanted::Record));
        assert_eq!(negotiate(None, "application/vc"), Some(Wanted::Record));
        assert_eq!(negotiate(None, "application/linkset+json"), Some(Wanted::Linkset));
        assert_eq!(negotiate(Some("linkset"), "text/html"), Some(Wanted::Linkset));
        assert_eq!(negotiate(Some("all"), ""), Some(Wanted::Linkset));
        assert_eq!(negotiate(Some("gs1:epcis"), ""), Some(Wanted::Epcis));
        assert_eq!(negotiate(Some("gs1:nonsense"), ""), None);
    }

    #[test]
    fn grams_read_naturally() {
        assert_eq!(format_grams(12_500), "12,5 kg");
        assert_eq!(format_grams(2_000), "2 kg");
        assert_eq!(format_grams(750), "750 g");
    }
}
