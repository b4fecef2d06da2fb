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
