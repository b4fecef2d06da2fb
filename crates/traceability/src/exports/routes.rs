//! EPCIS and FSMA 204 export handlers.

use accounts::Actor;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{epcis, fsma, store};
use crate::digital_link::DigitalLink;
use crate::lots::{self, LotView};
use crate::routes::{with_conn, Pool, Settings};
use common::ids::LotId;
use common::ApiError;

fn epcis_lot<'a>(lot: &'a LotView, link: &'a DigitalLink, public_url: &'a str) -> epcis::EpcisLot<'a> {
    epcis::EpcisLot {
        link,
        product_name: &lot.product_name,
        quantity_g: lot.quantity_g,
        origin_commune_code: &lot.commune_code,
        farm_name: &lot.farm_name,
        seller_id: lot.seller_id.as_str(),
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
    id: web::Path<LotId>,
) -> Result<HttpResponse, ApiError> {
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
) -> Result<HttpResponse, ApiError> {
    let FsmaQuery { from, to } = query.into_inner();
    let rows = with_conn(pool, move |c| store::fsma_rows(c, &settings, &actor, from, to)).await?;
    let csv = web::block(move || fsma::to_csv(&rows)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"nongsan-fsma204-{from}-{to}.csv\""),
        ))
        .body(csv))
}
