//! The scan page end to end (issue 15): what a buyer's phone gets from a
//! lot's Digital Link on a real database (SQLite or PostgreSQL, per
//! `NONGSAN_TEST_BACKEND`): the "Mua sản phẩm này" button to the cheapest
//! orderable listing of the lot (none when nothing can be ordered), and the
//! small module that checks the signature on the phone, served same-origin,
//! with the page and the script under 30 KB together. The check itself runs
//! in Chromium: tests/browser/scan_page.py.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn tea(price: i64, quantity: i64, lot: &Value) -> Value {
    json!({
        "title": "Chè Shan tuyết cổ thụ", "category": "che", "unit": "kg",
        "price_vnd": price, "quantity": quantity, "lot_id": lot["id"]
    })
}

/// The scan page of `lot`, as a phone's browser asks for it.
async fn page(s: &TestServer, lot: &Value) -> String {
    let r = s
        .client
        .get(lot["digital_link"].as_str().unwrap())
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

/// The buy button's target, if the page has one (and never two).
fn buy_link(html: &str) -> Option<String> {
    assert!(html.matches("Mua sản phẩm này").count() <= 1);
    let at = html.find("<a class=\"btn buy\" href=\"")?;
    let rest = &html[at + "<a class=\"btn buy\" href=\"".len()..];
    Some(rest[..rest.find('"').unwrap()].to_string())
}

#[tokio::test]
async fn buy_button_leads_to_the_cheapest_orderable_listing_of_the_lot() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let other_lot = s.lot(&seller).await;

    // Nothing on sale yet, or only what cannot be ordered: no button.
    assert_eq!(buy_link(&page(&s, &lot).await), None);
    s.listing(&farmer, &tea(90_000, 0, &lot)).await; // sold out
    let paused = s.listing(&farmer, &tea(80_000, 5, &lot)).await;
    let r = s
        .send(
            Method::PATCH,
            &format!("/api/v1/listings/{}", paused["id"].as_str().unwrap()),
            Some(&farmer),
            Some(&json!({"status": "paused"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    s.listing(&farmer, &tea(70_000, 5, &other_lot)).await; // another lot's
    let mut unlinked = tea(60_000, 5, &lot);
    unlinked["lot_id"] = Value::Null;
    s.listing(&farmer, &unlinked).await; // no lot at all
    assert_eq!(buy_link(&page(&s, &lot).await), None);

    // One orderable listing: the button goes to it on the market.
    let dear = s.listing(&farmer, &tea(350_000, 40, &lot)).await;
    let url = |l: &Value| format!("{}/#/sp/{}", s.url, l["id"].as_str().unwrap());
    assert_eq!(buy_link(&page(&s, &lot).await), Some(url(&dear)));
    // Several: the cheapest.
    let cheap = s.listing(&farmer, &tea(300_000, 10, &lot)).await;
    let html = page(&s, &lot).await;
    assert_eq!(buy_link(&html), Some(url(&cheap)));
    assert!(html.find("id=\"verdict\"").unwrap() < html.find("Mua sản phẩm này").unwrap());
    // The market answers for the listing the button names.
    let listing: Value = s
        .get(&format!("/api/v1/listings/{}", cheap["id"].as_str().unwrap()), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listing["available"], true);
    assert_eq!(listing["lot"]["lot_code"], lot["lot_code"]);

    // Recalled: no button, whatever is still listed.
    let r = s
        .post_json(
            &format!("/api/v1/lots/{}/recall", lot["id"].as_str().unwrap()),
            Some(&s.staff_token),
            &json!({"reason": "dư lượng thuốc bảo vệ thực vật vượt ngưỡng"}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let html = page(&s, &lot).await;
    assert!(html.contains("THU HỒI"));
    assert_eq!(buy_link(&html), None);
}

#[tokio::test]
async fn the_page_brings_its_check_module_and_stays_under_30_kb() {
    let s = TestServer::start().await;
    let (seller, _) = s.farmer("0912000101", "008080001234").await;
    let lot = s.lot(&seller).await;
    let html = page(&s, &lot).await;
    assert!(html.contains("<header id=\"verdict\" class=\"ban\" role=\"status\">"));
    // The server never claims the phone's check; the module sets it.
    assert!(!html.contains("data-local-check"));
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("<script type=\"module\" src=\"/scan/check.js\"></script>"));
    // The developer parts are folded, closed, in one <details>.
    assert_eq!(html.matches("<details").count(), 1);
    assert!(html.contains("<details class=\"card foot\">"));
    assert!(html.contains(&format!(
        "id=\"rec\" class=\"btn\" href=\"{}/api/v1/lots/{}/record\"",
        s.url,
        lot["id"].as_str().unwrap()
    )));

    let r = s.get("/scan/check.js", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert_eq!(r.headers()["cache-control"], "no-cache");
    // No policy forbids a same-origin module (none is sent at all; if one
    // ever is, it must allow 'self').
    if let Some(csp) = r.headers().get("content-security-policy") {
        assert!(csp.to_str().unwrap().contains("'self'"));
    }
    let script = r.text().await.unwrap();
    assert!(script.contains("export async function verify"));
    assert!(html.len() + script.len() < 30 * 1024, "page {} + script {} bytes", html.len(), script.len());

    // The page answers fresh (it shows a live verdict and the buy button).
    let r = s
        .client
        .get(lot["digital_link"].as_str().unwrap())
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert!(r
        .headers()
        .get("content-security-policy")
        .is_none_or(|c| c.to_str().unwrap().contains("'self'")));
}
