//! Record handlers: the newest or a given version, and the list of
//! versions.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{store, RecordVersion};
use crate::routes::{with_conn, Pool};
use common::ids::LotId;
use common::ApiError;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    /// A past version; the newest when absent.
    version: Option<i64>,
}

/// The signed record exactly as stored: its bytes are what was signed
/// (canonicalised), so nothing is re-encoded on the way out.
pub(crate) fn credential_response(record_text: String) -> HttpResponse {
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
    id: web::Path<LotId>,
    query: web::Query<RecordQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let version = query.version;
    let record = with_conn(pool, move |c| store::record_text(c, &id, version)).await?;
    Ok(credential_response(record))
}

#[derive(Serialize, ToSchema)]
pub struct RecordVersionList {
    items: Vec<RecordVersion>,
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/records", tag = "records", params(("id" = String, Path)),
    responses((status = 200, body = RecordVersionList), (status = 404, body = accounts::ErrorBody)))]
pub async fn list_records(pool: Pool, id: web::Path<LotId>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = with_conn(pool, move |c| store::record_versions(c, &id)).await?;
    Ok(HttpResponse::Ok().json(RecordVersionList { items }))
}
