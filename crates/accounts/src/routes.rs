//! `/api/v1/auth/*`: login, logout, buyer registration, farmer activation.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{passwords, sessions, users, Actor, ApiError, ErrorCode, Phone, Role};

/// Session and activation lifetimes, set by the server's configuration.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub session_ttl: chrono::Duration,
    pub activation_ttl: chrono::Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings { session_ttl: chrono::Duration::days(30), activation_ttl: chrono::Duration::days(14) }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "0912345678")]
    pub phone: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub phone: String,
    pub password: String,
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    pub phone: String,
    pub activation_code: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    #[schema(value_type = String)]
    pub id: common::UserId,
    pub role: Role,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
    pub user: UserView,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/auth/login", web::post().to(login))
        .route("/api/v1/auth/logout", web::post().to(logout))
        .route("/api/v1/auth/register", web::post().to(register))
        .route("/api/v1/auth/activate", web::post().to(activate))
        .route("/api/v1/auth/me", web::get().to(me));
}

fn settings(s: Option<web::Data<AuthSettings>>) -> AuthSettings {
    s.map(|d| d.get_ref().clone()).unwrap_or_default()
}

fn login_response(
    user: &users::UserRow,
    token: String,
    expires_at: chrono::NaiveDateTime,
) -> Result<LoginResponse, ApiError> {
    Ok(LoginResponse {
        token,
        expires_at: common::rfc3339(expires_at),
        user: UserView { id: user.id.clone(), role: user.role()?, name: user.name.clone() },
    })
}

fn wrong_credentials() -> ApiError {
    ApiError::new(ErrorCode::WrongCredentials, "wrong phone or password")
}

/// Outcome of a credential check; failures are committed before they become
/// an error response, so a wrong guess is always counted.
enum Checked {
    Ok(LoginResponse),
    Wrong,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::ErrorBody),
              (status = 422, description = "a field missing, of the wrong type, or unknown", body = crate::ErrorBody),
              (status = 429, description = "too many failed attempts; see Retry-After", body = crate::ErrorBody)))]
pub async fn login(
    pool: web::Data<storage::Pool>,
    cfg: Option<web::Data<AuthSettings>>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let ttl = settings(cfg).session_ttl;
    let body = body.into_inner();
    let phone = Phone::parse(&body.phone).map_err(|_| wrong_credentials())?;
    let outcome = pool
        .run(move |conn: &mut storage::DbConnection| -> Result<Checked, ApiError> {
            sessions::check_not_blocked(conn, phone.as_str())?;
            let user = users::find_by_phone(conn, &phone)?;
            let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
                Some(hash) => passwords::verify_password(hash, &body.password),
                None => {
                    passwords::verify_against_dummy(&body.password);
                    false
                }
            };
            storage::write_transaction(conn, |conn| match (ok, user) {
                (true, Some(user)) => {
                    sessions::clear_failures(conn, phone.as_str())?;
                    let (token, expires_at) = sessions::create_session(conn, &user.id, ttl)?;
                    Ok(Checked::Ok(login_response(&user, token, expires_at)?))
                }
                _ => {
                    sessions::record_failure(conn, phone.as_str())?;
                    Ok(Checked::Wrong)
                }
            })
        })
        .await?;
    match outcome {
        Checked::Ok(r) => Ok(HttpResponse::Ok().json(r)),
        Checked::Wrong => Err(wrong_credentials()),
    }
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "the token no longer works"), (status = 401, body = crate::ErrorBody)))]
pub async fn logout(pool: web::Data<storage::Pool>, actor: Actor) -> Result<HttpResponse, ApiError> {
    pool.run(move |conn: &mut storage::DbConnection| -> Result<(), ApiError> {
        sessions::delete_session(conn, &actor.token)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = LoginResponse), (status = 409, body = crate::ErrorBody),
              (status = 422, body = crate::ErrorBody)))]
pub async fn register(
    pool: web::Data<storage::Pool>,
    cfg: Option<web::Data<AuthSettings>>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let ttl = settings(cfg).session_ttl;
    let body = body.into_inner();
    let phone = Phone::parse(&body.phone)?;
    let name = users::check_name(&body.name)?;
    passwords::check_new_password(&body.password)?;
    // argon2 takes tens of milliseconds of CPU: not on the request thread.
    let password = body.password.clone();
    let hash = web::block(move || passwords::hash_password(&password)).await??;
    let response = pool
        .run(move |conn: &mut storage::DbConnection| -> Result<LoginResponse, ApiError> {
            storage::write_transaction(conn, |conn| {
                let user = users::insert_user(
                    conn,
                    users::NewUser {
                        role: Role::Buyer,
                        phone: &phone,
                        name: &name,
                        password_hash: Some(hash),
                        organisation_id: None,
                    },
                )?;
                let (token, expires_at) = sessions::create_session(conn, &user.id, ttl)?;
                login_response(&user, token, expires_at)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(response))
}

#[utoipa::path(post, path = "/api/v1/auth/activate", tag = "auth", request_body = ActivateRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::ErrorBody),
              (status = 422, body = crate::ErrorBody),
              (status = 429, description = "too many failed attempts; see Retry-After", body = crate::ErrorBody)))]
pub async fn activate(
    pool: web::Data<storage::Pool>,
    cfg: Option<web::Data<AuthSettings>>,
    body: web::Json<ActivateRequest>,
) -> Result<HttpResponse, ApiError> {
    let ttl = settings(cfg).session_ttl;
    let body = body.into_inner();
    let phone = Phone::parse(&body.phone)?;
    passwords::check_new_password(&body.password)?;
    // argon2 takes tens of milliseconds of CPU: not on the request thread.
    let password = body.password.clone();
    let hash = web::block(move || passwords::hash_password(&password)).await??;
    let outcome = pool
        .run(move |conn: &mut storage::DbConnection| -> Result<Checked, ApiError> {
            sessions::check_not_blocked(conn, phone.as_str())?;
            storage::write_transaction(conn, |conn| {
                let Some(user) = users::find_by_phone(conn, &phone)? else {
                    sessions::record_failure(conn, phone.as_str())?;
                    return Ok(Checked::Wrong);
                };
                if !users::redeem_activation_code(conn, &user.id, &body.activation_code)? {
                    sessions::record_failure(conn, phone.as_str())?;
                    return Ok(Checked::Wrong);
                }
                users::set_password_hash(conn, &user.id, &hash)?;
                sessions::clear_failures(conn, phone.as_str())?;
                let (token, expires_at) = sessions::create_session(conn, &user.id, ttl)?;
                Ok(Checked::Ok(login_response(&user, token, expires_at)?))
            })
        })
        .await?;
    match outcome {
        Checked::Ok(r) => Ok(HttpResponse::Ok().json(r)),
        Checked::Wrong => {
            Err(ApiError::new(ErrorCode::BadActivationCode, "activation code is wrong, used or expired"))
        }
    }
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = crate::ErrorBody)))]
pub async fn me(actor: Actor) -> HttpResponse {
    HttpResponse::Ok().json(UserView { id: actor.user_id, role: actor.role, name: actor.name })
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(login, logout, register, activate, me))]
pub struct AccountsApi;
