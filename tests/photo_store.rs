//! Listing photos in a folder or an S3-compatible store: a store that is
//! down refuses uploads with a 503 and leaves no listing pointing at a
//! missing photo; photos no listing shows are swept from either store; two
//! servers on one S3 store show each other's photos.
//!
//! The S3 tests need a real S3 server. `.ci/run` starts Garage and sets
//! `NONGSAN_TEST_S3_ENDPOINT`, `NONGSAN_TEST_S3_BUCKET`,
//! `NONGSAN_TEST_S3_ACCESS_KEY_ID` and `NONGSAN_TEST_S3_SECRET_ACCESS_KEY`
//! (`bash scripts/garage.sh` does the same by hand); without them those
//! tests say so loudly and do nothing.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use server::config::PhotoStoreUrl;

use crate::support::{error_code, TestServer};

fn produce(title: &str) -> Value {
    json!({
        "title": title, "category": "rau", "unit": "kg", "price_vnd": 30_000, "quantity": 5,
        "description": "Rau sạch hái buổi sáng"
    })
}

/// A small JPEG whose pixels (and so whose stored blob) depend on `shade`.
fn photo(shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([(x * 6) as u8, (y * 8) as u8, shade]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    jpeg
}

/// Uploads one photo and returns the listing's photos after it.
async fn add_photo(s: &TestServer, token: &str, listing: &str, bytes: Vec<u8>) -> Vec<Value> {
    let r = s.upload_photos(token, listing, vec![("IMG_0001.jpg", bytes)]).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["photos"].as_array().unwrap().clone()
}

async fn sweep(s: &TestServer, grace: Duration) -> market::listings::photo_sweep::SweepReport {
    let state = s.state.clone();
    tokio::task::spawn_blocking(move || {
        market::listings::photo_sweep::sweep_orphans(&state.pool, state.photos.as_ref(), grace)
    })
    .await
    .unwrap()
    .unwrap()
}

/// Every key in the server's photo store.
async fn stored_keys(s: &TestServer) -> Vec<String> {
    let photos = s.state.photos.clone();
    tokio::task::spawn_blocking(move || {
        let mut keys = Vec::new();
        photos
            .list(&mut |batch| {
                keys.extend(batch.into_iter().map(|b| b.key.as_str().to_owned()));
                Ok(())
            })
            .unwrap();
        keys.sort();
        keys
    })
    .await
    .unwrap()
}

async fn status_of(s: &TestServer, base: &str, path: &str) -> StatusCode {
    s.client.get(format!("{base}{path}")).send().await.unwrap().status()
}

/// The S3 store of the CI's Garage under a prefix of this test's own, or
/// `None` (said loudly) when no S3 server was given.
fn test_s3_store() -> Option<PhotoStoreUrl> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(endpoint) = var("NONGSAN_TEST_S3_ENDPOINT") else {
        eprintln!(
            "\n*** NONGSAN_TEST_S3_ENDPOINT is not set: the S3 photo store tests did NOT run. ***\n\
             *** `.ci/run` starts Garage and sets it; `bash scripts/garage.sh` prints the variables. ***\n"
        );
        return None;
    };
    let bucket = var("NONGSAN_TEST_S3_BUCKET").expect("NONGSAN_TEST_S3_BUCKET with NONGSAN_TEST_S3_ENDPOINT");
    let settings = [
        ("aws_endpoint", endpoint),
        ("aws_allow_http", "true".into()),
        ("aws_region", var("NONGSAN_TEST_S3_REGION").unwrap_or_else(|| "garage".into())),
        ("aws_access_key_id", var("NONGSAN_TEST_S3_ACCESS_KEY_ID").expect("NONGSAN_TEST_S3_ACCESS_KEY_ID")),
        (
            "aws_secret_access_key",
            var("NONGSAN_TEST_S3_SECRET_ACCESS_KEY").expect("NONGSAN_TEST_S3_SECRET_ACCESS_KEY"),
        ),
    ];
    Some(PhotoStoreUrl::S3 {
        // Tests run in parallel in one bucket: each sweeps only its own prefix.
        url: format!("s3://{bucket}/test-{}", storage::new_id().to_lowercase()),
        settings: settings.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    })
}

#[tokio::test]
async fn a_photo_store_that_is_down_refuses_uploads_and_leaves_no_dangling_photo() {
    // A port nothing listens on: connections are refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let s = TestServer::start_with(|c| {
        c.photo_store = Some(PhotoStoreUrl::S3 {
            url: "s3://nongsan-down".into(),
            settings: [
                ("aws_endpoint", format!("http://127.0.0.1:{port}")),
                ("aws_allow_http", "true".into()),
                ("aws_region", "garage".into()),
                ("aws_access_key_id", "GK0123456789abcdef01234567".into()),
                ("aws_secret_access_key", "00".repeat(32)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        })
    })
    .await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s.listing(&farmer, &produce("Rau cải ngọt")).await;
    let lid = listing["id"].as_str().unwrap();

    let started = std::time::Instant::now();
    let r = s.upload_photos(&farmer, lid, vec![("IMG_0001.jpg", photo(10))]).await;
    assert_eq!(error_code(r, StatusCode::SERVICE_UNAVAILABLE).await, "photo_store_unavailable");
    assert!(started.elapsed() < Duration::from_secs(30), "a store that is down must fail fast");

    let view: Value = s.get(&format!("/api/v1/listings/{lid}"), None).await.json().await.unwrap();
    assert_eq!(view["photos"], json!([]), "no listing may point at a photo that was not stored");
    // the rest of the server works on
    assert_eq!(s.get("/healthz", None).await.status(), StatusCode::OK);
}

/// Photos taken off a listing, or on a deleted listing, leave the store
/// once nothing names them; shared and recent ones stay.
async fn sweep_removes_what_no_listing_shows(s: &TestServer) {
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let mut ids = Vec::new();
    for title in ["Rau cải ngọt", "Rau muống", "Rau ngót"] {
        ids.push(s.listing(&farmer, &produce(title)).await["id"].as_str().unwrap().to_owned());
    }
    let shared = add_photo(s, &farmer, &ids[0], photo(10)).await[0].clone();
    let again = add_photo(s, &farmer, &ids[2], photo(10)).await[0].clone();
    assert_eq!(shared["url"], again["url"], "the same photo is stored once");
    let other = add_photo(s, &farmer, &ids[1], photo(200)).await[0].clone();
    let urls =
        |p: &Value| [p["url"].as_str().unwrap().to_owned(), p["thumbnail_url"].as_str().unwrap().to_owned()];
    assert_eq!(stored_keys(s).await.len(), 4, "two photos, each large and thumbnail");

    // Taken off one listing, still on another: stays.
    let path = format!("/api/v1/listings/{}/photos/{}", ids[0], shared["id"].as_str().unwrap());
    let r = s.send(reqwest::Method::DELETE, &path, Some(&farmer), None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let report = sweep(s, Duration::ZERO).await;
    assert_eq!((report.examined, report.removed), (4, 0), "{report:?}");

    // The last listing showing it deleted: gone, but not before the grace.
    let r =
        s.send(reqwest::Method::DELETE, &format!("/api/v1/listings/{}", ids[2]), Some(&farmer), None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let report = sweep(s, Duration::from_secs(3600)).await;
    assert_eq!((report.removed, report.kept_recent), (0, 2), "recent blobs stay: {report:?}");
    for url in urls(&shared) {
        assert_eq!(status_of(s, &s.url, &url).await, StatusCode::OK);
    }
    let report = sweep(s, Duration::ZERO).await;
    assert_eq!((report.examined, report.removed), (4, 2), "{report:?}");
    for url in urls(&shared) {
        assert_eq!(status_of(s, &s.url, &url).await, StatusCode::NOT_FOUND, "{url}");
    }
    for url in urls(&other) {
        assert_eq!(status_of(s, &s.url, &url).await, StatusCode::OK, "{url} is still shown");
    }
    assert_eq!(stored_keys(s).await.len(), 2);

    // Put back after the sweep: stored again, shown again.
    let back = add_photo(s, &farmer, &ids[0], photo(10)).await[0].clone();
    for url in urls(&back) {
        assert_eq!(status_of(s, &s.url, &url).await, StatusCode::OK);
    }
}

#[tokio::test]
async fn photos_no_listing_shows_are_swept_from_the_folder_store() {
    let s = TestServer::start().await;
    assert!(matches!(s.state.config.photo_store(), PhotoStoreUrl::Folder(_)), "the default is a folder");
    sweep_removes_what_no_listing_shows(&s).await;
}

#[tokio::test]
async fn photos_no_listing_shows_are_swept_from_an_s3_store() {
    let Some(store) = test_s3_store() else { return };
    let s = TestServer::start_with(|c| c.photo_store = Some(store)).await;
    sweep_removes_what_no_listing_shows(&s).await;
}

#[tokio::test]
async fn two_servers_on_one_s3_store_show_each_others_photos() {
    let Some(store) = test_s3_store() else { return };
    let a = TestServer::start_with(|c| c.photo_store = Some(store)).await;
    let b = a.second_server().await;
    let (_, farmer) = a.farmer("0912000101", "008080001234").await;
    let lid = a.listing(&farmer, &produce("Rau cải ngọt")).await["id"].as_str().unwrap().to_owned();
    let photos = add_photo(&a, &farmer, &lid, photo(77)).await;
    let url = photos[0]["url"].as_str().unwrap();

    let from_a = a.client.get(a.at(url)).send().await.unwrap();
    assert_eq!(from_a.status(), StatusCode::OK);
    let from_a = from_a.bytes().await.unwrap();
    let from_b = a.client.get(format!("{b}{url}")).send().await.unwrap();
    assert_eq!(from_b.status(), StatusCode::OK, "uploaded through one server, shown by the other");
    assert_eq!(from_b.headers()["content-type"], "image/jpeg");
    assert_eq!(from_b.bytes().await.unwrap(), from_a);

    // the listing as the other server shows it names the same photo
    let view: Value =
        a.client.get(format!("{b}/api/v1/listings/{lid}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(view["photos"][0]["url"], url);
}
