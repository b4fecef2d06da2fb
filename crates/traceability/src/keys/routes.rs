//! The trust list over HTTP.

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

use super::{store, TrustedIssuer};
use crate::routes::{with_conn, Pool};
use common::ApiError;

#[derive(Serialize, ToSchema)]
pub struct TrustList {
    items: Vec<TrustedIssuer>,
}

#[utoipa::path(get, path = "/api/v1/trust-list", tag = "records",
    responses((status = 200, description = "issuer DIDs this server trusts, with validity periods; save it for `nongsan verify --trust-list`", body = TrustList)))]
pub async fn trust_list(pool: Pool) -> Result<HttpResponse, ApiError> {
    let items = with_conn(pool, store::trust_list).await?;
    Ok(HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(TrustList { items }))
}
