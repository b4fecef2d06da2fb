//! HTTP entry point of the traceability slice: every route in one
//! `configure`, every documented handler in one OpenAPI derive. The
//! handlers live in each resource's `routes` module.

use actix_web::web;

use crate::lots::TraceSettings;
use crate::{exports, keys, labels, lots, records, resolver, verify};
use common::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/lots", web::post().to(lots::routes::create_lot))
        .route("/api/v1/lots", web::get().to(lots::routes::list_lots))
        .route("/api/v1/lots/{id}", web::get().to(lots::routes::get_lot))
        .route("/api/v1/lots/{id}/events", web::post().to(lots::routes::add_event))
        .route("/api/v1/lots/{id}/events", web::get().to(lots::routes::list_events))
        .route("/api/v1/lots/{id}/recall", web::post().to(lots::routes::recall_lot))
        .route("/api/v1/lots/{id}/record", web::get().to(records::routes::get_record))
        .route("/api/v1/lots/{id}/records", web::get().to(records::routes::list_records))
        .route("/api/v1/lots/{id}/label.png", web::get().to(labels::routes::label_png))
        .route("/api/v1/lots/{id}/label.svg", web::get().to(labels::routes::label_svg))
        .route("/api/v1/lots/{id}/epcis", web::get().to(exports::routes::get_epcis))
        .route("/api/v1/exports/fsma204.csv", web::get().to(exports::routes::fsma_export))
        .route("/api/v1/labels/sheet.svg", web::get().to(labels::routes::label_sheet_svg))
        .route("/api/v1/labels/sheet.html", web::get().to(labels::routes::label_sheet_html))
        .route("/api/v1/verify", web::post().to(verify::routes::verify_record))
        .route("/api/v1/trust-list", web::get().to(keys::routes::trust_list))
        .route("/01/{tail:.*}", web::get().to(resolver::routes::resolve_digital_link))
        .route(
            "/01/{tail:.*}",
            web::method(actix_web::http::Method::OPTIONS).to(resolver::routes::resolver_preflight),
        )
        .route("/.well-known/gs1resolver", web::get().to(resolver::routes::resolver_description));
}

// What handlers take from the app.
pub(crate) type Pool = web::Data<storage::Pool>;
pub(crate) type Master = web::Data<vault::MasterKey>;
pub(crate) type Settings = web::Data<TraceSettings>;
pub(crate) type Trust = web::Data<keys::TrustListCache>;
pub(crate) type Statuses = web::Data<verify::LotStatusCache>;

/// Runs diesel work on a pooled connection, off the actix worker threads.
pub(crate) async fn with_conn<T, F>(pool: Pool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut storage::DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    pool.run(f).await
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    lots::routes::create_lot,
    lots::routes::list_lots,
    lots::routes::get_lot,
    lots::routes::add_event,
    lots::routes::list_events,
    lots::routes::recall_lot,
    records::routes::get_record,
    records::routes::list_records,
    labels::routes::label_png,
    labels::routes::label_svg,
    labels::routes::label_sheet_svg,
    labels::routes::label_sheet_html,
    exports::routes::get_epcis,
    exports::routes::fsma_export,
    verify::routes::verify_record,
    keys::routes::trust_list
))]
pub struct TraceabilityApi;
