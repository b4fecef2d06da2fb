//! `/api/v1/auth/*`: login, logout, buyer registration, farmer activation.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::throttle::{self, ClientAddr};
use crate::{passwords, sessions, users, Actor, ApiError, ErrorCode, Phone, Role};

/// Session and activation lifetimes, set by the server's configuration.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub session_ttl: chrono::Duration,
    pub activation_ttl: chrono::Duration,
    /// New buyer accounts one address may open before each further one
    /// waits (`NONGSAN_REGISTRATIONS_PER_ADDRESS`).
    pub registrations_per_address: i32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            session_ttl: chrono::Duration::days(30),
            activation_ttl: chrono::Duration::days(14),
            registrations_per_address: throttle::rules::REGISTER_ADDRESS.free,
        }
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

/// Checks a password with argon2 on a blocking thread, holding no database
/// connection: tens of milliseconds of CPU must not keep others from the
/// pool.
async fn verify_off_the_pool(hash: Option<String>, password: String) -> Result<bool, ApiError> {
    Ok(web::block(move || match hash {
        Some(hash) => passwords::verify_password(&hash, &password),
        None => {
            passwords::verify_against_dummy(&password);
            false
        }
    })
    .await?)
}

/// A login attempt is counted (per phone at the caller's address, per
/// phone, per address; see the `throttle` module) before the password is
/// checked, and taken back when it proves right.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::ErrorBody),
              (status = 422, description = "a field missing, of the wrong type, or unknown", body = crate::ErrorBody),
              (status = 429, description = "too many attempts from this address or on this phone; see Retry-After", body = crate::ErrorBody)))]
pub async fn login(
    pool: web::Data<storage::Pool>,
    cfg: Option<web::Data<AuthSettings>>,
    client: ClientAddr,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let ttl = settings(cfg).session_ttl;
    let body = body.into_inner();
    let phone = Phone::parse(&body.phone).map_err(|_| wrong_credentials())?;
    let keys = throttle::store::login_keys(phone.as_str(), client.0);
    let (user, hash) = {
        let (phone, keys) = (phone.clone(), keys.clone());
        pool.run(move |conn: &mut storage::DbConnection| -> Result<_, ApiError> {
            storage::write_transaction(conn, |conn| throttle::store::reserve(conn, &keys))?;
            let user = users::find_by_phone(conn, &phone)?;
            let hash = user.as_ref().and_then(|u| u.password_hash.clone());
            Ok((user, hash))
        })
        .await?
    };
    if !verify_off_the_pool(hash, body.password).await? {
        return Err(wrong_credentials());
    }
    let Some(user) = user else { return Err(wrong_credentials()) };
    let response = pool
        .run(move |conn: &mut storage::DbConnection| -> Result<LoginResponse, ApiError> {
            storage::write_transaction(conn, |conn| {
                throttle::store::release(conn, &keys)?;
                let (token, expires_at) = sessions::create_session(conn, &user.id, ttl)?;
                login_response(&user, token, expires_at)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(response))
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
              (status = 422, body = crate::ErrorBody),
              (status = 429, description = "too many new accounts from this address; see Retry-After", body = crate::ErrorBody)))]
pub async fn register(
    pool: web::Data<storage::Pool>,
    cfg: Option<web::Data<AuthSettings>>,
    client: ClientAddr,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let settings = settings(cfg);
    let ttl = settings.session_ttl;
    let body = body.into_inner();
    let phone = Phone::parse(&body.phone)?;
    let name = users::check_name(&body.name)?;
    passwords::check_new_password(&body.password)?;
    // every registration from an address counts, before any work is done
    let keys = throttle::store::register_keys(client.0, settings.registrations_per_address);
    pool.run(move |conn: &mut storage::DbConnection| {
        storage::write_transaction(conn, |conn| throttle::store::reserve(conn, &keys))
    })
    .await?;
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

/// A farmer sets a password with the code staff gave at the counter. When
/// the phone already had a buyer account, that account becomes the
/// farmer's: the code proves the phone, and the buyer's own password (sent
/// as `password`, and kept) proves the account, so a code alone never
/// takes over an account whose password the holder does not know.
#[utoipa::path(post, path = "/api/v1/auth/activate", tag = "auth", request_body = ActivateRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::ErrorBody),
              (status = 422, body = crate::ErrorBody),
              (status = 429, description = "too many attempts from this address or on this phone; see Retry-After", body = crate::ErrorBody)))]
pub async fn activate(
    pool: web::Data<storage::Pool>,
    cfg: Option<web::Data<AuthSettings>>,
    client: ClientAddr,
    body: web::Json<ActivateRequest>,
) -> Result<HttpResponse, ApiError> {
    let ttl = settings(cfg).session_ttl;
    let body = body.into_inner();
    let phone = Phone::parse(&body.phone)?;
    passwords::check_new_password(&body.password)?;
    let keys = throttle::store::login_keys(phone.as_str(), client.0);
    let user = {
        let (phone, keys) = (phone.clone(), keys.clone());
        pool.run(move |conn: &mut storage::DbConnection| -> Result<_, ApiError> {
            storage::write_transaction(conn, |conn| throttle::store::reserve(conn, &keys))?;
            users::find_by_phone(conn, &phone)
        })
        .await?
    };
    let wrong = || ApiError::new(ErrorCode::BadActivationCode, "activation code is wrong, used or expired");
    let Some(user) = user else { return Err(wrong()) };
    // argon2 on a blocking thread, no connection held
    let existing = users::joining_buyer_password(&user);
    let new_hash = match existing {
        Some(hash) => {
            if !verify_off_the_pool(Some(hash), body.password.clone()).await? {
                return Err(wrong());
            }
            None
        }
        None => {
            let password = body.password.clone();
            Some(web::block(move || passwords::hash_password(&password)).await??)
        }
    };
    let outcome = pool
        .run(move |conn: &mut storage::DbConnection| -> Result<Option<LoginResponse>, ApiError> {
            storage::write_transaction(conn, |conn| {
                // a wrong code is counted on the code and committed
                if !users::redeem_activation_code(conn, &user.id, &body.activation_code)? {
                    return Ok(None);
                }
                if let Some(hash) = &new_hash {
                    users::set_password_hash(conn, &user.id, hash)?;
                }
                let user = users::join_own_seller(conn, user)?;
                throttle::store::release(conn, &keys)?;
                let (token, expires_at) = sessions::create_session(conn, &user.id, ttl)?;
                Ok(Some(login_response(&user, token, expires_at)?))
            })
        })
        .await?;
    outcome.map(|r| HttpResponse::Ok().json(r)).ok_or_else(wrong)
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = crate::ErrorBody)))]
pub async fn me(actor: Actor) -> HttpResponse {
    HttpResponse::Ok().json(UserView { id: actor.user_id, role: actor.role, name: actor.name })
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(login, logout, register, activate, me))]
pub struct AccountsApi;
