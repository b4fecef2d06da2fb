//! HTTP routes of the statistics.

use accounts::Actor;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{rules, store, Stats};
use common::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/stats", web::get().to(get_stats));
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
    responses((status = 200, body = Stats), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 422, body = accounts::ErrorBody)))]
pub async fn get_stats(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    actor.require(&[accounts::Role::Officer, accounts::Role::Admin, accounts::Role::Staff])?;
    let q = query.into_inner();
    let area = rules::area(q.province.as_deref(), q.commune.as_deref())?;
    let months = rules::months(q.from.as_deref(), q.to.as_deref())?;
    let stats = pool.run(move |c| store::stats(c, &actor, &area, &months)).await?;
    Ok(HttpResponse::Ok().json(stats))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(get_stats))]
pub struct StatsApi;
