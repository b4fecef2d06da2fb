//! HTTP routes of sellers: onboarding one, importing a file, reading them,
//! and activation codes.

use accounts::Actor;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{rules, spreadsheet, store};
use super::{DryRunReport, ImportOutcome, ImportReport, OnboardSeller, OnboardedSeller, SellerView};
use crate::reference::rules::check_commune_code;
use common::{ApiError, ErrorCode, SellerId};

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
    cfg.route("/api/v1/sellers", web::post().to(onboard_seller))
        .route("/api/v1/sellers", web::get().to(list_sellers))
        .route("/api/v1/sellers/import", web::post().to(import_sellers))
        // before `{id}`, which would take `me` for an id
        .route("/api/v1/sellers/me", web::get().to(my_seller))
        .route("/api/v1/sellers/{id}", web::get().to(get_seller))
        .route("/api/v1/sellers/{id}/activation-code", web::post().to(reissue_activation_code));
}

#[utoipa::path(post, path = "/api/v1/sellers", tag = "sellers", security(("bearer" = [])),
    request_body = OnboardSeller,
    responses((status = 201, body = OnboardedSeller),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "phone or national ID already registered", body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn onboard_seller(
    pool: web::Data<storage::Pool>,
    key: web::Data<vault::MasterKey>,
    settings: Option<web::Data<MarketSettings>>,
    actor: Actor,
    body: web::Json<OnboardSeller>,
) -> Result<HttpResponse, ApiError> {
    actor.require(&[accounts::Role::Staff, accounts::Role::Admin])?;
    let ttl = settings.map(|s| s.activation_ttl).unwrap_or_else(|| MarketSettings::default().activation_ttl);
    let key = key.into_inner();
    let created = pool.run(move |c| store::onboard(c, &key, &actor, &body.into_inner(), ttl)).await?;
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

fn check_csv_content_type(req: &HttpRequest) -> Result<(), ApiError> {
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
    Err(ApiError::new(ErrorCode::UnsupportedMediaType, message))
}

fn too_large() -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!(
            "the file is larger than {} MB; at most {} sellers fit in one file: split it into several files",
            super::MAX_BYTES / (1024 * 1024),
            spreadsheet::MAX_ROWS
        ),
    )
}

/// The body, at most `MAX_BYTES`; a body that stalls or breaks off is the
/// client's problem (408 or 400), not a 500.
async fn read_csv_body(req: &HttpRequest, body: web::Payload) -> Result<web::Bytes, ApiError> {
    crate::body::read_limited(req, body, super::MAX_BYTES, too_large).await
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
/// header is row 1), its column, a `code` from the error table and the
/// `params` a translation needs (`same_as_row` for a phone or national ID
/// twice in the file, `excel` for a number Excel mangled). The sellers
/// join the uploader's organisation; the uploader is recorded as the staff
/// member who took each consent.
#[utoipa::path(post, path = "/api/v1/sellers/import", tag = "sellers", security(("bearer" = [])),
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv",
        description = "the CSV file; see the operation description for its columns"),
    responses((status = 201, description = "every row imported", body = ImportReport),
              (status = 200, description = "dry run: the file would import", body = DryRunReport),
              (status = 400, description = "the body broke off before its end", body = accounts::ErrorBody),
              (status = 401, body = accounts::ErrorBody), (status = 403, body = accounts::ErrorBody),
              (status = 409, description = "a phone or national ID was registered by another request \
                during the import (`params.row` names the row); nothing was imported", body = accounts::ErrorBody),
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
) -> Result<HttpResponse, ApiError> {
    actor.require(&[accounts::Role::Staff, accounts::Role::Admin])?;
    check_csv_content_type(&req)?;
    let bytes = read_csv_body(&req, body).await?;
    let dry_run = query.into_inner().dry_run.unwrap_or(false);
    let ttl = settings.map(|s| s.activation_ttl).unwrap_or_else(|| MarketSettings::default().activation_ttl);
    // Parsing and checking up to 1,000 rows is CPU work: off the worker
    // thread, and before a database connection is taken.
    let checked = web::block(move || rules::check_file(&bytes)).await??;
    let key = key.into_inner();
    let outcome = pool.run(move |c| store::import(c, &key, &actor, checked, ttl, dry_run)).await?;
    Ok(match outcome {
        ImportOutcome::Imported(report) => HttpResponse::Created().json(report),
        ImportOutcome::Checked(report) => HttpResponse::Ok().json(report),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SellerQuery {
    commune: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SellerList {
    items: Vec<SellerView>,
}

#[utoipa::path(get, path = "/api/v1/sellers", tag = "sellers", security(("bearer" = [])), params(SellerQuery),
    responses((status = 200, body = SellerList), (status = 403, body = accounts::ErrorBody),
              (status = 422, description = "`commune` is not a commune code", body = accounts::ErrorBody)))]
pub async fn list_sellers(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<SellerQuery>,
) -> Result<HttpResponse, ApiError> {
    let commune = query.into_inner().commune.map(|c| check_commune_code("commune", &c)).transpose()?;
    let items = pool.run(move |c| store::list(c, &actor, commune.as_deref())).await?;
    Ok(HttpResponse::Ok().json(SellerList { items }))
}

#[utoipa::path(get, path = "/api/v1/sellers/{id}", tag = "sellers", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = SellerView), (status = 403, body = accounts::ErrorBody),
              (status = 404, body = accounts::ErrorBody)))]
pub async fn get_seller(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    id: web::Path<SellerId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let seller = pool.run(move |c| store::get(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(seller))
}

#[utoipa::path(get, path = "/api/v1/sellers/me", tag = "sellers", security(("bearer" = [])),
    responses((status = 200, body = SellerView), (status = 403, body = accounts::ErrorBody),
              (status = 404, body = accounts::ErrorBody)))]
pub async fn my_seller(pool: web::Data<storage::Pool>, actor: Actor) -> Result<HttpResponse, ApiError> {
    let seller = pool.run(move |c| store::mine(c, &actor)).await?;
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
    id: web::Path<SellerId>,
) -> Result<HttpResponse, ApiError> {
    let ttl = settings.map(|s| s.activation_ttl).unwrap_or_else(|| MarketSettings::default().activation_ttl);
    let id = id.into_inner();
    let (activation_code, expires_at) =
        pool.run(move |c| store::reissue_activation(c, &actor, &id, ttl)).await?;
    Ok(HttpResponse::Created().json(ActivationCode { activation_code, expires_at }))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    onboard_seller,
    import_sellers,
    list_sellers,
    my_seller,
    get_seller,
    reissue_activation_code
))]
pub struct SellersApi;
