//! What operators watch: `GET /metrics` answers only to its token, parses
//! as Prometheus (OpenMetrics) text, and its counters move with requests
//! (by route pattern, never by raw path), database waits, bank
//! notifications, ledger transfers and photo store failures.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_code, notification, place, TestServer, METRICS_TOKEN};

/// Samples by `name{label="value",…}` (labels sorted).
type Samples = BTreeMap<String, f64>;

/// Reads OpenMetrics text the way a scraper does, refusing what a scraper
/// would refuse: a sample outside a declared family or with a suffix its
/// type does not have, a malformed label set or value, a missing `# EOF`.
fn parse(text: &str) -> Samples {
    let mut samples = Samples::new();
    let mut family: Option<(String, String)> = None;
    let mut ended = false;
    for line in text.lines() {
        assert!(!ended, "text after # EOF: {line}");
        if line == "# EOF" {
            ended = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut words = rest.splitn(3, ' ');
            let (keyword, name) = (words.next().unwrap(), words.next().expect(line));
            assert!(valid_name(name), "bad metric name: {line}");
            match keyword {
                "TYPE" => {
                    let kind = words.next().expect(line);
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "unknown", "info", "stateset"]
                            .contains(&kind),
                        "unknown type: {line}"
                    );
                    family = Some((name.to_string(), kind.to_string()));
                }
                "HELP" | "UNIT" => {}
                _ => panic!("unknown comment: {line}"),
            }
            continue;
        }
        let (name, labels, value) = sample(line);
        let (family_name, kind) =
            family.as_ref().unwrap_or_else(|| panic!("a sample before any # TYPE: {line}"));
        let suffix =
            name.strip_prefix(family_name.as_str()).unwrap_or_else(|| panic!("{name} outside {family_name}"));
        let allowed: &[&str] = match kind.as_str() {
            "counter" => &["_total", "_created"],
            "histogram" => &["_bucket", "_count", "_sum", "_created"],
            _ => &[""],
        };
        assert!(allowed.contains(&suffix), "{name}: a {kind} has no `{suffix}` sample");
        if suffix == "_bucket" {
            assert!(labels.iter().any(|(k, _)| k == "le"), "a bucket without `le`: {line}");
        }
        let mut labels = labels;
        labels.sort();
        let key = if labels.is_empty() {
            name
        } else {
            let inside: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
            format!("{name}{{{}}}", inside.join(","))
        };
        assert!(samples.insert(key.clone(), value).is_none(), "{key} twice");
    }
    assert!(ended, "no # EOF at the end");
    samples
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `name{k="v",…} value`, labels unescaped.
fn sample(line: &str) -> (String, Vec<(String, String)>, f64) {
    let name_end = line.find(['{', ' ']).unwrap_or_else(|| panic!("no value: {line}"));
    let name = &line[..name_end];
    assert!(valid_name(name), "bad sample name: {line}");
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c == '}' {
                end = Some(i);
                break;
            }
            let key_start = i;
            let mut key_end = i;
            for (j, c) in chars.by_ref() {
                if c == '=' {
                    key_end = j;
                    break;
                }
            }
            let key = &inner[key_start..key_end];
            assert!(valid_name(key), "bad label name `{key}`: {line}");
            assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "unquoted label value: {line}");
            let mut value = String::new();
            loop {
                match chars.next().unwrap_or_else(|| panic!("unterminated label value: {line}")).1 {
                    '"' => break,
                    '\\' => match chars.next().map(|(_, c)| c) {
                        Some('n') => value.push('\n'),
                        Some(c @ ('\\' | '"')) => value.push(c),
                        other => panic!("bad escape {other:?}: {line}"),
                    },
                    c => value.push(c),
                }
            }
            labels.push((key.to_string(), value));
            if chars.peek().map(|(_, c)| *c) == Some(',') {
                chars.next();
            }
        }
        let end = end.unwrap_or_else(|| panic!("unterminated label set: {line}"));
        rest = &inner[end + 1..];
    }
    let value = rest.strip_prefix(' ').unwrap_or_else(|| panic!("no space before the value: {line}"));
    let value = value.split(' ').next().unwrap();
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        v => v.parse().unwrap_or_else(|_| panic!("bad value `{v}`: {line}")),
    };
    (name.to_string(), labels, value)
}

async fn scrape(s: &TestServer) -> (String, Samples) {
    let r = s.get("/metrics", Some(METRICS_TOKEN)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let kind = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    let text = r.text().await.unwrap();
    let samples = parse(&text);
    (text, samples)
}

fn value(samples: &Samples, key: &str) -> f64 {
    samples.get(key).copied().unwrap_or(0.0)
}

/// The sum of every sample of `name` (all label sets).
fn total(samples: &Samples, name: &str) -> f64 {
    samples.iter().filter(|(k, _)| *k == name || k.starts_with(&format!("{name}{{"))).map(|(_, v)| v).sum()
}

fn small_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 90]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    jpeg
}

#[tokio::test]
async fn metrics_answer_only_to_their_token() {
    let s = TestServer::start().await;
    let c = error_code(s.get("/metrics", None).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(c, "unauthorized");
    error_code(s.get("/metrics", Some("wrong-token")).await, StatusCode::UNAUTHORIZED).await;
    // a session, even admin's, is not the metrics token
    error_code(s.get("/metrics", Some(&s.admin_token)).await, StatusCode::UNAUTHORIZED).await;
    scrape(&s).await;

    // without a token configured there is nothing to find
    let off = TestServer::start_with(|c| c.metrics_token = None).await;
    error_code(off.get("/metrics", Some(METRICS_TOKEN)).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn counters_move_with_what_the_server_does() {
    let s = TestServer::start().await;
    let (_, farmer) = s.farmer("0912000101", "008080001234").await;
    let listing = s
        .listing(
            &farmer,
            &json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": 120000, "quantity": 10}),
        )
        .await;
    let lid = listing["id"].as_str().unwrap().to_string();
    let buyer = s.buyer("0987000001").await;
    let order = place(&s, &buyer, &[(&lid, 1)], "vietqr").await;
    let (_, before) = scrape(&s).await;

    for _ in 0..3 {
        assert_eq!(s.get(&format!("/api/v1/listings/{lid}"), None).await.status(), StatusCode::OK);
    }
    let missing = format!("/no/such/page/{}", common::new_id());
    assert_eq!(s.get(&missing, None).await.status(), StatusCode::NOT_FOUND);
    // paid, then the same notification again, then one with a wrong key
    let code = order["code"].as_str().unwrap();
    let due = order["amount_due_vnd"].as_i64().unwrap();
    let paid = notification("91000001", &format!("{code} thanh toan"), due);
    for _ in 0..2 {
        let r = s.notify(&paid).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = s
        .client
        .post(s.at("/api/v1/payments/bank-webhook"))
        .header("Authorization", "Apikey wrong")
        .json(&paid)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // the photo store breaks: its folder is a file
    std::fs::write(s.state.config.data_dir.join("photos"), b"not a folder").unwrap();
    let form = reqwest::multipart::Form::new()
        .part("photo", reqwest::multipart::Part::bytes(small_jpeg()).file_name("p.jpg"));
    let r = s
        .client
        .post(s.at(&format!("/api/v1/listings/{lid}/photos")))
        .bearer_auth(&farmer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_server_error(), "a broken store fails the upload: {}", r.status());

    let (text, after) = scrape(&s).await;
    let moved = |key: &str| value(&after, key) - value(&before, key);
    let listing_reads =
        "nongsan_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/listings/{id}\",status=\"200\"}";
    assert!(moved(listing_reads) >= 3.0, "{listing_reads} moved by {}:\n{text}", moved(listing_reads));
    let inf = listing_reads.replace("_count{", "_bucket{le=\"+Inf\",");
    assert_eq!(value(&after, &inf), value(&after, listing_reads), "the +Inf bucket holds every request");
    assert!(!text.contains(&lid) && !text.contains(&missing), "raw paths never become labels:\n{text}");
    for outcome in ["paid", "duplicate", "refused_key"] {
        let key = format!("nongsan_bank_notifications_total{{outcome=\"{outcome}\"}}");
        assert!(moved(&key) >= 1.0, "{key}:\n{text}");
    }
    let ledger =
        total(&after, "nongsan_ledger_transfers_total") - total(&before, "nongsan_ledger_transfers_total");
    assert!(ledger >= 1.0, "the payment was written to the ledger:\n{text}");
    assert!(moved("nongsan_photo_store_errors_total{operation=\"put\"}") >= 1.0, "{text}");
    assert!(moved("nongsan_db_pool_wait_seconds_count") >= 3.0, "{text}");
    let o: Value = s
        .get(&format!("/api/v1/orders/{}", order["id"].as_str().unwrap()), Some(&buyer))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(o["status"], "paid", "{o}");
}

#[test]
fn the_parser_refuses_what_a_scraper_would() {
    let good = "# TYPE a counter\na_total{x=\"1\"} 2\n# EOF\n";
    assert_eq!(parse(good)["a_total{x=\"1\"}"], 2.0);
    for bad in [
        "# TYPE a counter\na_total 2\n",             // no # EOF
        "# TYPE a counter\na 2\n# EOF\n",            // a counter's sample is a_total
        "a_total 2\n# EOF\n",                        // no family
        "# TYPE a counter\na_total{x=1} 2\n# EOF\n", // unquoted
        "# TYPE a counter\na_total two\n# EOF\n",    // not a number
        "# TYPE a histogram\na_bucket 2\n# EOF\n",   // a bucket without le
    ] {
        assert!(std::panic::catch_unwind(|| parse(bad)).is_err(), "accepted: {bad}");
    }
}
