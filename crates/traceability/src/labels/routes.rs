//! Label and label-sheet handlers.

use actix_web::http::header::ContentType;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::rules::{label_text, printable, sheet_html, sheet_request};
use crate::lots::{self, LotView};
use crate::routes::{with_conn, Pool, Settings};
use common::ids::LotId;
use common::{ApiError, ErrorCode};

async fn lot_for_label(pool: Pool, settings: Settings, id: LotId) -> Result<LotView, ApiError> {
    printable(with_conn(pool, move |c| lots::get_lot(c, &settings, &id)).await?)
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/label.png", tag = "labels", params(("id" = String, Path)),
    responses((status = 200, description = "70x35 mm label at 300 dpi", content_type = "image/png"),
              (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "the lot was recalled", body = accounts::ErrorBody)))]
pub async fn label_png(
    pool: Pool,
    settings: Settings,
    id: web::Path<LotId>,
) -> Result<HttpResponse, ApiError> {
    let lot = lot_for_label(pool, settings, id.into_inner()).await?;
    let png = web::block(move || ::labels::label_png(&lot.digital_link, &label_text(&lot))).await??;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(png))
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/label.svg", tag = "labels", params(("id" = String, Path)),
    responses((status = 200, description = "70x35 mm label", content_type = "image/svg+xml"),
              (status = 404, body = accounts::ErrorBody),
              (status = 409, description = "the lot was recalled", body = accounts::ErrorBody)))]
pub async fn label_svg(
    pool: Pool,
    settings: Settings,
    id: web::Path<LotId>,
) -> Result<HttpResponse, ApiError> {
    let lot = lot_for_label(pool, settings, id.into_inner()).await?;
    let svg = ::labels::label_svg(&lot.digital_link, &label_text(&lot))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(svg))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    /// Comma-separated lot ids, at most 240 (ten pages).
    lots: String,
    /// Repeat each lot's label this many times (1–240), default 1.
    copies: Option<usize>,
    /// sheet.svg only: which page, from 1.
    page: Option<usize>,
}

async fn sheet_pages(pool: Pool, settings: Settings, q: SheetQuery) -> Result<Vec<String>, ApiError> {
    let (ids, copies) = sheet_request(&q.lots, q.copies)?;
    let views: Vec<LotView> =
        with_conn(pool, move |c| ids.iter().map(|id| lots::get_lot(c, &settings, id)).collect()).await?;
    let views = views.into_iter().map(printable).collect::<Result<Vec<_>, _>>()?;
    let labels_list: Vec<(String, ::labels::LabelText)> = views
        .iter()
        .flat_map(|lot: &LotView| std::iter::repeat_n((lot.digital_link.clone(), label_text(lot)), copies))
        .collect();
    Ok(web::block(move || ::labels::a4_sheet_svg(&labels_list)).await??)
}

#[utoipa::path(get, path = "/api/v1/labels/sheet.svg", tag = "labels", params(SheetQuery),
    responses((status = 200, description = "one A4 page of labels", content_type = "image/svg+xml"),
              (status = 404, body = accounts::ErrorBody), (status = 409, body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn label_sheet_svg(
    pool: Pool,
    settings: Settings,
    q: web::Query<SheetQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let page = q.page.unwrap_or(1);
    let pages = sheet_pages(pool, settings, q).await?;
    let svg = page.checked_sub(1).and_then(|i| pages.get(i)).ok_or_else(|| {
        ApiError::field(ErrorCode::OutOfRange, "page", format!("1 to {}", pages.len()))
            .param("min", 1)
            .param("max", pages.len())
    })?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg.clone()))
}

#[utoipa::path(get, path = "/api/v1/labels/sheet.html", tag = "labels", params(SheetQuery),
    responses((status = 200, description = "printable A4 pages of labels (print at 100 %)", content_type = "text/html"),
              (status = 404, body = accounts::ErrorBody), (status = 409, body = accounts::ErrorBody),
              (status = 422, body = accounts::ErrorBody)))]
pub async fn label_sheet_html(
    pool: Pool,
    settings: Settings,
    q: web::Query<SheetQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    if q.page.is_some_and(|p| p != 1) {
        // The HTML sheet holds every page; `page` is for the SVG, one page each.
        return Err(ApiError::invalid("page", "the HTML sheet holds every page; use sheet.svg for one page"));
    }
    let pages = sheet_pages(pool, settings, q).await?;
    Ok(HttpResponse::Ok().content_type(ContentType::html()).body(sheet_html(&pages)))
}
