//! HTTP routes of the reference data.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{banks, catalog, store, Commune, Province};
use common::{ApiError, ErrorCode};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/categories", web::get().to(list_categories))
        .route("/api/v1/units", web::get().to(list_units))
        .route("/api/v1/banks", web::get().to(list_banks))
        .route("/api/v1/provinces", web::get().to(list_provinces))
        .route("/api/v1/communes", web::get().to(search_communes))
        .route("/api/v1/communes/{code}", web::get().to(get_commune));
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
    items: Vec<Province>,
}

#[utoipa::path(get, path = "/api/v1/provinces", tag = "reference",
    responses((status = 200, body = ProvinceList)))]
pub async fn list_provinces(pool: web::Data<storage::Pool>) -> Result<HttpResponse, ApiError> {
    let items = pool.run(store::provinces).await?;
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
    items: Vec<Commune>,
    dataset_version: &'static str,
}

#[utoipa::path(get, path = "/api/v1/communes", tag = "reference", params(CommuneQuery),
    responses((status = 200, body = CommuneList), (status = 400, body = accounts::ErrorBody),
              (status = 422, description = "`limit` out of range", body = accounts::ErrorBody)))]
pub async fn search_communes(
    pool: web::Data<storage::Pool>,
    query: web::Query<CommuneQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::out_of_range("limit", 1, 100));
    }
    if q.q.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(ApiError::field(ErrorCode::TooLong, "q", "at most 100 characters").param("max", 100));
    }
    if q.province.as_ref().is_some_and(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(ApiError::field(ErrorCode::InvalidFormat, "province", "a 2-digit province code")
            .param("expected", "2 digits"));
    }
    let items = pool.run(move |c| store::search(c, q.q.as_deref(), q.province.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(CommuneList { items, dataset_version: super::DATASET_VERSION }))
}

#[utoipa::path(get, path = "/api/v1/communes/{code}", tag = "reference",
    params(("code" = String, Path, description = "commune code")),
    responses((status = 200, body = Commune), (status = 404, body = accounts::ErrorBody)))]
pub async fn get_commune(
    pool: web::Data<storage::Pool>,
    code: web::Path<super::CommuneCode>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let commune = pool.run(move |c| store::find(c, code.as_str())).await?;
    commune.map(|c| HttpResponse::Ok().json(c)).ok_or_else(|| ApiError::not_found("commune"))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_categories, list_units, list_banks, list_provinces, search_communes, get_commune))]
pub struct ReferenceApi;
