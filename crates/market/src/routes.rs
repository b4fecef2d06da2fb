//! HTTP routes of the market slice.

use accounts::Actor;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{banks, catalog, communes, sellers, MarketError};

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
        .route("/api/v1/sellers/{id}", web::get().to(get_seller))
        .route("/api/v1/sellers/{id}/activation-code", web::post().to(reissue_activation_code));
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

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_categories,
    list_units,
    list_banks,
    list_provinces,
    search_communes,
    get_commune,
    onboard_seller,
    list_sellers,
    get_seller,
    reissue_activation_code
))]
pub struct MarketApi;
