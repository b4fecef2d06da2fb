//! HTTP routes of the market slice.

use accounts::Actor;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{banks, catalog, communes, seller_csv, seller_import, sellers, MarketError};

/// Lifetimes the server configures.
#[derive(Debug, Clone)]
pub struct MarketSettings {
    pub activation_ttl: chrono::Duration,
}

impl Default for MarketSettings {
    fn default() -> Self {
        MarketSettings { activation_ttl: chrono::Duration::days(14) }
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/categories", web::get().to(list_categories))
        .route("/api/v1/units", web::get().to(list_units))
        .route("/api/v1/banks", web::get().to(list_banks))
        .route("/api/v1/provinces", web::get().to(list_provinces))
        .route("/api/v1/communes", web::get().to(search_communes))
        .route("/api/v1/communes/{code}", web::get().to(get_commune))
        .route("/api/v1/sellers", web::post().to(onboard_seller))
        .route("/api/v1/sellers", web::get().to(list_sellers))
        .route("/api/v1/sellers/import", web::post().to(import_sellers))
        .route("/api/v1/sellers/{id}", web::get().to(get_seller))
        .route("/api/v1/sellers/{id}/activation-code", web::post().to(reissue_activation_code))
        .route("/api/v1/stats", web::get().to(get_stats));
}

async fn with_conn<T, F>(pool: web::Data<storage::Pool>, f: F) -> Result<T, MarketError>
where
    F: FnOnce(&mut storage::DbConnection) -> Result<T, MarketError> + Send + 'static,
    T: Send + 'static,
{
    pool.run(f).await
}

#[derive(Serialize, ToSchema)]
pub struct CategoryList {
    items: Vec<catalog::Category>,
}

#[utoipa::path(get, path = "/api/v1/categories", tag = "reference",
    responses((status = 200, body = CategoryList)))]
pub async fn list_categories() -> HttpResponse {
    HttpResponse::Ok().json(CategoryList { items: catalog::CATEGORIES.to_vec() })
}

#[derive(Serialize, ToSchema)]
pub struct UnitList {
    items: Vec<catalog::UnitView>,
}

#[utoipa::path(get, path = "/api/v1/units", tag = "reference", responses((status = 200, body = UnitList)))]
pub async fn list_units() -> HttpResponse {
    HttpResponse::Ok().json(UnitList { items: catalog::units() })
}

#[derive(Serialize, ToSchema)]
pub struct BankList {
    items: Vec<banks::Bank>,
}

#[utoipa::path(get, path = "/api/v1/banks", tag = "reference", responses((status = 200, body = BankList)))]
pub async fn list_banks() -> HttpResponse {
    HttpResponse::Ok().json(BankList { items: banks::BANKS.to_vec() })
}

#[derive(Serialize, ToSchema)]
pub struct ProvinceList {
    items: Vec<communes::Province>,
}

#[utoipa::path(get, path = "/api/v1/provinces", tag = "reference",
    responses((status = 200, body = ProvinceList)))]
pub async fn list_provinces(pool: web::Data<storage::Pool>) -> Result<HttpResponse, MarketError> {
    let items = with_conn(pool, communes::provinces).await?;
    Ok(HttpResponse::Ok().json(ProvinceList { items }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommuneQuery {
    /// Words of the name; diacritics and case are ignored (`hong thai`).
    q: Option<String>,
    /// Province code, e.g. `08`.
    province: Option<String>,
    /// 1 to 100, default 20.
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CommuneList {
    items: Vec<communes::Commune>,
    dataset_version: &'static str,
}

#[utoipa::path(get, path = "/api/v1/communes", tag = "reference", params(CommuneQuery),
    responses((status = 200, body = CommuneList), (status = 400, body = accounts::ErrorBody)))]
pub async fn search_communes(
    pool: web::Data<storage::Pool>,
    query: web::Query<CommuneQuery>,
) -> Result<HttpResponse, MarketError> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(MarketError::invalid("limit", "1 to 100"));
    }
    if q.q.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(MarketError::invalid("q", "at most 100 characters"));
    }
    if q.province.as_ref().is_some_and(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(MarketError::invalid("province", "a 2-digit province code"));
    }
    let items =
        with_conn(pool, move |c| communes::search(c, q.q.as_deref(), q.province.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(CommuneList { items, dataset_version: communes::DATASET_VERSION }))
}

#[utoipa::path(get, path = "/api/v1/communes/{code}", tag = "reference",
    params(("code" = String, Path, description = "commune code")),
    responses((status = 200, body = communes::Commune), (status = 404, body = accounts::ErrorBody)))]
pub async fn get_commune(
    pool: web::Data<storage::Pool>,
    code: web::Path<String>,
) -> Result<HttpResponse, MarketError> {
    let code = code.into_inner();
    let commune = with_conn(pool, move |c| communes::find(c, &code)).await?;
    commune.map(|c| HttpResponse::Ok().json(c)).ok_or_else(|| MarketError::NotFound("commune".into()))
}

#[utoipa::path(post, path = "/api/v1/sellers", tag = "sellers", security(("bearer" = [])),
    request_body = sellers::OnboardSeller,
    responses((status = 201, body = sellers::OnboardedSeller),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "phone or national ID already registered", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn onboard_seller(
    pool: web::Data<storage::Pool>,
    key: web::Data<vault::MasterKey>,
    settings: Option<web::Data<MarketSettings>>,
    actor: Actor,
    body: web::Json<sellers::OnboardSeller>,
) -> Result<HttpResponse, MarketError> {
    actor.require(&[accounts::Role::Staff, accounts::Role::Admin])?;
    let ttl = settings.map(|s| s.activation_ttl).unwrap_or_else(|| MarketSettings::default().activation_ttl);
    let key = key.into_inner();
    let created =
        with_conn(pool, move |c| sellers::onboard(c, &key, &actor, &body.into_inner(), ttl)).await?;
    Ok(HttpResponse::Created().json(created))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: check the whole file (database included) and import nothing.
    dry_run: Option<bool>,
}

/// What browsers and tools label a CSV file with: Windows labels `.csv`
/// `application/vnd.ms-excel` when Excel is installed.
const CSV_TYPES: [&str; 5] =
    ["text/csv", "application/csv", "text/x-csv", "application/vnd.ms-excel", "text/plain"];

fn check_csv_content_type(req: &HttpRequest) -> Result<(), MarketError> {
    let declared =
        req.headers().get(actix_web::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = declared.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if CSV_TYPES.contains(&essence.as_str()) {
        return Ok(());
    }
    let message = if essence.contains("spreadsheetml") {
        "this is an Excel workbook: in Excel choose File › Save As › \"CSV UTF-8 (Comma delimited) (*.csv)\" \
         and upload that file"
            .to_string()
    } else if essence == "multipart/form-data" {
        "send the CSV file itself as the request body with Content-Type: text/csv, not a form".to_string()
    } else {
        format!("send the CSV file as the request body with Content-Type: text/csv (got `{declared}`)")
    };
    Err(MarketError::UnsupportedMediaType(message))
}

fn too_large() -> MarketError {
    MarketError::PayloadTooLarge(format!(
        "the file is larger than {} MB; at most {} sellers fit in one file: split it into several files",
        seller_import::MAX_BYTES / (1024 * 1024),
        seller_csv::MAX_ROWS
    ))
}

/// The body, at most `MAX_BYTES`; a body that stalls or breaks off is the
/// client's problem (408 or 400), not a 500.
async fn read_csv_body(req: &HttpRequest, body: web::Payload) -> Result<web::Bytes, MarketError> {
    crate::body::read_limited(req, body, seller_import::MAX_BYTES, too_large).await
}

/// Onboards many sellers at once from a spreadsheet saved as CSV.
///
/// The body is the file itself (`Content-Type: text/csv`), at most 2 MB and
/// 1,000 sellers. Save it from Excel as **CSV UTF-8 (Comma delimited)**;
/// a byte-order mark, `,` or `;` between values, CRLF or LF, and quoted
/// values (with commas, doubled quotes or line breaks) are all understood.
///
/// The first row names the columns, in any order:
/// `full_name`, `phone`, `national_id` (CCCD, 12 digits), `commune_code`
/// (5 digits, 2025 list), `address`, `farm_name` (optional column, may be
/// empty), `bank_bin`, `bank_account_number`, `bank_account_name`,
/// `consent_terms_version`, `consent_method` (`paper_form`,
/// `verbal_at_counter` or `electronic`). Blank rows are skipped; spaces
/// around values are trimmed; line breaks inside a value become `, `.
///
/// Format the phone, national ID, commune code and account number columns
/// as **Text** before typing: Excel drops leading zeros of numbers and
/// rounds long ones. A value that looks like that happened is refused with
/// an explanation, never repaired by guessing (a leading zero dropped from
/// an account number cannot be seen, so check those).
///
/// Each row follows the rules of `POST /api/v1/sellers`; a phone or national
/// ID must not appear twice in the file nor belong to an existing account.
/// All or nothing: any problem in any row imports nothing, and the 422 lists
/// every problem (up to 200) with its row number as Excel shows it (the
/// header is row 1). The sellers join the uploader's organisation; the
/// uploader is recorded as the staff member who took each consent.
#[utoipa::path(post, path = "/api/v1/sellers/import", tag = "sellers", security(("bearer" = [])),
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv",
        description = "the CSV file; see the operation description for its columns"),
    responses((status = 201, description = "every row imported", body = seller_import::ImportReport),
              (status = 200, description = "dry run: the file would import", body = seller_import::DryRunReport),
              (status = 400, description = "the body broke off before its end", body = accounts::ErrorBody),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "a phone or national ID was registered by another request \
                during the import; nothing was imported", body = accounts::ErrorBody),
              (status = 413, description = "more than 2 MB or more than 1,000 sellers", body = accounts::ErrorBody),
              (status = 415, description = "not sent as text/csv", body = accounts::ErrorBody),
              (status = 422, description = "`invalid_rows` with every problem in `rows`, or \
                `invalid_file` when the file as a whole cannot be read (encoding, header, empty)",
                body = crate::RowErrorBody)))]
pub async fn import_sellers(
    req: HttpRequest,
    pool: web::Data<storage::Pool>,
    key: web::Data<vault::MasterKey>,
    settings: Option<web::Data<MarketSettings>>,
    actor: Actor,
    query: web::Query<ImportQuery>,
    body: web::Payload,
) -> Result<HttpResponse, MarketError> {
    actor.require(&[accounts::Role::Staff, accounts::Role::Admin])?;
    check_csv_content_type(&req)?;
    let bytes = read_csv_body(&req, body).await?;
    let dry_run = query.into_inner().dry_run.unwrap_or(false);
    let ttl = settings.map(|s| s.activation_ttl).unwrap_or_else(|| MarketSettings::default().activation_ttl);
    // Parsing and checking up to 1,000 rows is CPU work: off the worker
    // thread, and before a database connection is taken.
    let checked = web::block(move || seller_import::check_file(&bytes)).await??;
    let key = key.into_inner();
    let outcome =
        with_conn(pool, move |c| seller_import::import(c, &key, &actor, checked, ttl, dry_run)).await?;
    Ok(match outcome {
        seller_import::ImportOutcome::Imported(report) => HttpResponse::Created().json(report),
        seller_import::ImportOutcome::Checked(report) => HttpResponse::Ok().json(report),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SellerQuery {
    commune: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SellerList {
    items: Vec<sellers::SellerView>,
}

#[utoipa::path(get, path = "/api/v1/sellers", tag = "sellers", security(("bearer" = [])), params(SellerQuery),
    responses((status = 200, body = SellerList), (status = 403, body = accounts::ErrorBody)))]
pub async fn list_sellers(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<SellerQuery>,
) -> Result<HttpResponse, MarketError> {
    let commune = query.into_inner().commune.map(|c| crate::check_commune_code("commune", &c)).transpose()?;
    let items = with_conn(pool, move |c| sellers::list(c, &actor, commune.as_deref())).await?;
    Ok(HttpResponse::Ok().json(SellerList { items }))
}

#[utoipa::path(get, path = "/api/v1/sellers/{id}", tag = "sellers", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = sellers::SellerView), (status = 404, body = accounts::ErrorBody)))]
pub async fn get_seller(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, MarketError> {
    let id = id.into_inner();
    let seller = with_conn(pool, move |c| sellers::get(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(seller))
}

#[derive(Serialize, ToSchema)]
pub struct ActivationCode {
    activation_code: String,
    expires_at: String,
}

#[utoipa::path(post, path = "/api/v1/sellers/{id}/activation-code", tag = "sellers", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 201, body = ActivationCode), (status = 403, body = accounts::ErrorBody),
              (status = 404, body = accounts::ErrorBody)))]
pub async fn reissue_activation_code(
    pool: web::Data<storage::Pool>,
    settings: Option<web::Data<MarketSettings>>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, MarketError> {
    let ttl = settings.map(|s| s.activation_ttl).unwrap_or_else(|| MarketSettings::default().activation_ttl);
    let id = id.into_inner();
    let (activation_code, expires_at) =
        with_conn(pool, move |c| sellers::reissue_activation(c, &actor, &id, ttl)).await?;
    Ok(HttpResponse::Created().json(ActivationCode { activation_code, expires_at }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// 2-digit province code; absent for the whole country.
    province: Option<String>,
    /// 5-digit commune code (instead of a province).
    commune: Option<String>,
    /// First month, `YYYY-MM`; default 11 months before `to`.
    from: Option<String>,
    /// Last month, `YYYY-MM`; default this month. Months are Vietnam's (UTC+7).
    to: Option<String>,
}

/// Per month in an area: sellers onboarded, listings created, orders
/// placed, parts delivered and their value, lots recalled; and what is
/// online now. For officers, staff and admin.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = crate::stats::Stats), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 422, body = accounts::ErrorBody)))]
pub async fn get_stats(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, MarketError> {
    use crate::stats::{month_range, Area, Month};
    actor.require(&[accounts::Role::Officer, accounts::Role::Admin, accounts::Role::Staff])?;
    let q = query.into_inner();
    let area = match (q.province.as_deref().map(str::trim), q.commune.as_deref().map(str::trim)) {
        (Some(_), Some(_)) => {
            return Err(MarketError::invalid("commune", "give a province or a commune, not both"))
        }
        (None, Some(c)) => Area::Commune(crate::check_commune_code("commune", c)?),
        (Some(p), None) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Area::Province(p.to_string())
        }
        (Some(_), None) => return Err(MarketError::invalid("province", "a 2-digit province code")),
        (None, None) => Area::Country,
    };
    let to = match q.to.as_deref() {
        Some(t) => Month::parse("to", t)?,
        None => crate::stats::this_month(),
    };
    let from = match q.from.as_deref() {
        Some(f) => Month::parse("from", f)?,
        None => Month { year: to.year - 1, month: to.month }.next(),
    };
    let months = month_range(from, to)?;
    let stats = with_conn(pool, move |c| crate::stats::stats(c, &actor, &area, &months)).await?;
    Ok(HttpResponse::Ok().json(stats))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_categories,
    list_units,
    list_banks,
    list_provinces,
    search_communes,
    get_commune,
    onboard_seller,
    import_sellers,
    list_sellers,
    get_seller,
    reissue_activation_code,
    get_stats
))]
pub struct MarketApi;
