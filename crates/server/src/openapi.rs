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
    paths(crate::app::healthz),
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
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Root::openapi();
    doc.merge(accounts::routes::AccountsApi::openapi());
    doc.merge(market::routes::MarketApi::openapi());
    doc.merge(traceability::routes::TraceabilityApi::openapi());
    doc
}
