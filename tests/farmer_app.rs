//! What the farmer's app stands on: its page, modules and service worker
//! served at `/farmer`, the QR of its address staff print at onboarding,
//! and `GET /api/v1/sellers/me`, how the app learns whose it is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{error_code, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn a_farmer_learns_its_own_seller() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer_in("0912000111", "008080001111", "02260").await;
    let r = s.get("/api/v1/sellers/me", Some(&farmer)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["id"], seller.as_str());
    assert_eq!(me["commune_code"], "02260");
    assert_eq!(me["phone"], "0912000111");
    // another farmer gets its own, not the first one's
    let (other, other_token) = s.farmer_in("0912000112", "008080001112", "02260").await;
    let r = s.get("/api/v1/sellers/me", Some(&other_token)).await;
    assert_eq!(r.json::<Value>().await.unwrap()["id"], other.as_str());
    // staff are not sellers: 403, and without a session 401
    error_code(s.get("/api/v1/sellers/me", Some(&s.staff_token)).await, StatusCode::FORBIDDEN).await;
    error_code(s.get("/api/v1/sellers/me", None).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn the_app_is_served_with_a_worker_allowed_to_control_it() {
    let s = TestServer::start().await;
    let page = s.get("/farmer", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.unwrap();
    assert!(html.contains("/farmer/main.js") && html.contains("/farmer/manifest.webmanifest"), "{html}");

    // the worker lives in /farmer/ but controls /farmer itself too
    let sw = s.get("/farmer/sw.js", None).await;
    assert_eq!(sw.status(), StatusCode::OK);
    assert_eq!(sw.headers()["service-worker-allowed"], "/farmer");
    let tag = sw.headers()["etag"].to_str().unwrap().to_string();
    let again = s.client.get(s.at("/farmer/sw.js")).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["service-worker-allowed"], "/farmer");
    // other files get no such permission
    let main = s.get("/farmer/main.js", None).await;
    assert_eq!(main.status(), StatusCode::OK);
    assert!(main.headers().get("service-worker-allowed").is_none());

    // installable: a manifest that starts at /farmer, with both icon sizes served
    let r = s.get("/farmer/manifest.webmanifest", None).await;
    assert_eq!(r.headers()["content-type"], "application/manifest+json");
    let manifest: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(manifest["start_url"], "/farmer");
    assert_eq!(manifest["display"], "standalone");
    for size in ["192x192", "512x512"] {
        let icon = manifest["icons"].as_array().unwrap().iter().find(|i| i["sizes"] == size).expect(size);
        let r = s.get(icon["src"].as_str().unwrap(), None).await;
        assert_eq!(r.status(), StatusCode::OK, "{icon}");
        let png = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(format!("{}x{}", png.width(), png.height()), size);
    }
}

#[tokio::test]
async fn the_qr_staff_print_opens_the_app() {
    let s = TestServer::start().await;
    let r = s.get("/farmer/qr.png", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, decoded) = grids[0].decode().unwrap();
    assert_eq!(decoded, format!("{}/farmer", s.url.trim_end_matches('/')));
}
