//! `Actor`: the signed-in user a handler acts as, read from
//! `Authorization: Bearer TOKEN`.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};

use common::{OrganisationId, UserId};

use crate::{sessions, users, ApiError, Role};

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
    pub name: String,
    pub organisation_id: Option<OrganisationId>,
    /// The bearer token itself, needed only to log out.
    pub(crate) token: String,
}

impl Actor {
    /// An actor for work done outside a request (command line, demo data).
    pub fn acting_as(
        user_id: &UserId,
        role: Role,
        name: &str,
        organisation_id: Option<&OrganisationId>,
    ) -> Actor {
        Actor {
            user_id: user_id.clone(),
            role,
            name: name.to_string(),
            organisation_id: organisation_id.cloned(),
            token: String::new(),
        }
    }

    /// Refuses unless the actor has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    pub fn is_staff_or_admin(&self) -> bool {
        matches!(self.role, Role::Staff | Role::Admin)
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 128)
        .then(|| token.to_string())
}

async fn load_actor(req: HttpRequest) -> Result<Option<Actor>, ApiError> {
    let Some(token) = bearer_token(&req) else {
        return Ok(None);
    };
    let pool = req
        .app_data::<web::Data<storage::Pool>>()
        .ok_or_else(|| ApiError::internal("no database pool configured"))?
        .clone();
    pool.run(move |conn: &mut storage::DbConnection| -> Result<Option<Actor>, ApiError> {
        let Some(user_id) = sessions::user_for_token(conn, &token)? else {
            return Ok(None);
        };
        let Some(user) = users::find_by_id(conn, &user_id)? else {
            return Ok(None);
        };
        Ok(Some(Actor {
            role: user.role()?,
            user_id: user.id,
            name: user.name,
            organisation_id: user.organisation_id,
            token,
        }))
    })
    .await
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { load_actor(req).await?.ok_or_else(ApiError::unauthenticated) })
    }
}

/// For routes anyone may call but that show more to signed-in users.
/// A present but invalid token is still refused, so mistakes are noticed.
pub struct OptionalActor(pub Option<Actor>);

impl FromRequest for OptionalActor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let has_token = bearer_token(&req).is_some();
            match load_actor(req).await? {
                Some(a) => Ok(OptionalActor(Some(a))),
                None if has_token => Err(ApiError::unauthenticated()),
                None => Ok(OptionalActor(None)),
            }
        })
    }
}
