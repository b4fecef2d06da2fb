//! HTTP routes of the statistics.

use accounts::Actor;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ranking, rules, store, CommuneRanking, Stats};
use common::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/stats", web::get().to(get_stats))
        .route("/api/v1/stats/communes", web::get().to(get_commune_ranking));
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// 2-digit province code; absent for the whole country (for an officer
    /// of a commune's organisation: their province).
    province: Option<String>,
    /// 5-digit commune code (instead of a province).
    commune: Option<String>,
    /// First month, `YYYY-MM`; default 11 months before `to`.
    from: Option<String>,
    /// Last month, `YYYY-MM`; default this month. Months are Vietnam's (UTC+7).
    to: Option<String>,
}

/// Who may read statistics, and the area and months asked: the same for
/// every statistics route.
fn asked(actor: &Actor, q: StatsQuery) -> Result<(rules::Area, Vec<rules::Month>), ApiError> {
    actor.require(&[accounts::Role::Officer, accounts::Role::Admin, accounts::Role::Staff])?;
    let area = rules::area(q.province.as_deref(), q.commune.as_deref())?;
    let months = rules::months(q.from.as_deref(), q.to.as_deref())?;
    Ok((area, months))
}

/// Per month in an area: sellers onboarded, listings created, orders
/// placed and how they were paid, parts delivered and their value, lots
/// recalled; what is online now; the area's names. For officers, staff and
/// admin; an officer whose organisation is in a commune reads its province
/// only (403 elsewhere).
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = Stats), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 422, body = accounts::ErrorBody)))]
pub async fn get_stats(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (area, months) = asked(&actor, query.into_inner())?;
    let stats = pool.run(move |c| store::stats(c, &actor, area, &months)).await?;
    Ok(HttpResponse::Ok().json(stats))
}

/// The communes of a province side by side, best first (sellers selling
/// online, products online, value delivered, orders): those with sellers
/// and the officer's own. A commune asked stands for its province; the
/// whole country when neither is given (an officer of a commune's
/// organisation: their province). Same readers as `/api/v1/stats`.
#[utoipa::path(get, path = "/api/v1/stats/communes", tag = "stats", security(("bearer" = [])),
    params(StatsQuery),
    responses((status = 200, body = CommuneRanking), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody), (status = 404, body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn get_commune_ranking(
    pool: web::Data<storage::Pool>,
    actor: Actor,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (area, months) = asked(&actor, query.into_inner())?;
    let ranking = pool.run(move |c| ranking::communes(c, &actor, area, &months)).await?;
    Ok(HttpResponse::Ok().json(ranking))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(get_stats, get_commune_ranking))]
pub struct StatsApi;
