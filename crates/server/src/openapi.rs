//! The OpenAPI document, assembled from the handlers' own annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "nongsan",
        description = "Farm-produce marketplace with signed traceability: W3C Verifiable Credentials \
                       (eddsa-jcs-2022), GS1 Digital Link, GS1 EPCIS 2.0. Errors are always \
                       `{\"error\":{\"code\",\"message\"}}` with a 4xx status for bad input.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(crate::app::healthz, crate::operations::metrics),
    modifiers(&BearerAuth)
)]
struct Root;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // `GET /metrics`: the operator's NONGSAN_METRICS_TOKEN, not a session
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("the value of NONGSAN_METRICS_TOKEN"))
                    .build(),
            ),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Root::openapi();
    doc.merge(accounts::routes::AccountsApi::openapi());
    doc.merge(market::reference::routes::ReferenceApi::openapi());
    doc.merge(market::sellers::routes::SellersApi::openapi());
    doc.merge(market::stats::routes::StatsApi::openapi());
    doc.merge(market::listings::routes::ListingsApi::openapi());
    doc.merge(market::orders::routes::OrdersApi::openapi());
    doc.merge(market::postage::routes::PostageApi::openapi());
    doc.merge(payment::routes::PaymentsApi::openapi());
    doc.merge(traceability::routes::TraceabilityApi::openapi());
    add_common_errors(&mut doc);
    add_idempotency_key(&mut doc);
    doc
}

/// Every POST but the bank webhook (idempotent by its notification id)
/// takes an optional `Idempotency-Key` (see `crate::idempotency`).
fn add_idempotency_key(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    for (path, item) in doc.paths.paths.iter_mut() {
        let Some(op) = item.post.as_mut() else { continue };
        if path == "/api/v1/payments/bank-webhook" {
            continue;
        }
        let key = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "1–128 visible ASCII characters, one per user action (a UUID): the same key from the \
                 same caller with the same request replays the first answer (status and body, header \
                 `Idempotency-Replayed: true`) without acting again; with a different request → 409 \
                 `idempotency_key_reused`. Kept 24 hours. Without it the request acts as before.",
            ))
            .schema(Some(
                ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(128)),
            ))
            .build();
        op.parameters.get_or_insert_with(Vec::new).push(key);
        for (status, description) in
            [("400", "`invalid_header`: a malformed Idempotency-Key"), ("409", "`idempotency_key_reused`")]
        {
            op.responses.responses.entry(status.to_string()).or_insert_with(|| {
                let content = utoipa::openapi::ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                    .build();
                utoipa::openapi::RefOr::T(
                    utoipa::openapi::ResponseBuilder::new()
                        .description(description)
                        .content("application/json", content)
                        .build(),
                )
            });
        }
    }
}

/// The errors any route can answer, whatever its own annotation lists: a
/// body that is not JSON (400), JSON of the wrong shape (422: the JSON
/// extractor's data errors, `invalid_input`), too large (413) or stalled
/// (408); a query
/// string that does not parse (400); a missing or expired token (401); the
/// database out of reach (503). Added
/// here once so that every operation documents them alike.
fn add_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let error = |description: &str| -> RefOr<utoipa::openapi::Response> {
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
        RefOr::T(ResponseBuilder::new().description(description).content("application/json", content).build())
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for op in operations.into_iter().flatten() {
            let mut add = |status: &str, description: &str| {
                op.responses.responses.entry(status.to_string()).or_insert_with(|| error(description));
            };
            let has_body = op.request_body.is_some();
            let has_query = op
                .parameters
                .as_ref()
                .is_some_and(|ps| ps.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query)));
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            if has_body {
                add("400", "malformed JSON");
                add("422", "the JSON does not fit the operation's schema");
                add("408", "the body stopped arriving");
                add("413", "the body is too large");
            } else if has_query {
                add("400", "a query parameter does not parse");
            }
            if secured {
                add("401", "no valid bearer token");
            }
            add("503", "`database_unavailable`: the database is out of reach; try again after `Retry-After`");
        }
    }
}
