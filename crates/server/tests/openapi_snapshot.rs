//! Every API change shows up in review: the OpenAPI document is compared
//! with the committed snapshot. After an intended change, run
//! `INSTA_UPDATE=always cargo test -p server --test openapi_snapshot` and
//! commit the new snapshot with the change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn openapi_document_matches_the_snapshot() {
    let doc = serde_json::to_value(server::openapi::document()).unwrap();
    insta::assert_json_snapshot!("openapi", doc);
}

#[test]
fn every_api_route_is_documented() {
    let doc = serde_json::to_value(server::openapi::document()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/healthz",
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/auth/activate",
        "/api/v1/sellers",
        "/api/v1/communes",
        "/api/v1/lots",
        "/api/v1/lots/{id}/events",
        "/api/v1/lots/{id}/record",
        "/api/v1/lots/{id}/label.png",
        "/api/v1/lots/{id}/label.svg",
        "/api/v1/lots/{id}/epcis",
        "/api/v1/verify",
    ] {
        assert!(paths.contains_key(p), "{p} is not in the OpenAPI document");
    }
}

/// The error codes the document lists are exactly the server's table of
/// codes, so a client can rely on the list (the end-to-end tests check that
/// every error the server answers has a listed code and its status).
#[test]
fn the_document_lists_every_error_code() {
    let doc = serde_json::to_value(server::openapi::document()).unwrap_or_default();
    let listed: Vec<String> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .map(|codes| codes.iter().filter_map(|c| c.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let table: Vec<String> = common::ErrorCode::ALL.iter().map(|c| c.as_str().to_string()).collect();
    assert_eq!(listed, table);
}
