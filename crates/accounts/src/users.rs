//! User rows and the queries on them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use storage::schema::{activation_codes, users};
use storage::DbConnection;
use subtle::ConstantTimeEq;

use common::{OrganisationId, UserId};

use crate::{ApiError, ErrorCode, Phone, Role};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub role: String,
    pub phone: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub organisation_id: Option<OrganisationId>,
    pub created_at: NaiveDateTime,
}

impl UserRow {
    pub fn role(&self) -> Result<Role, ApiError> {
        Role::parse(&self.role).ok_or_else(|| ApiError::internal(format!("unknown role {}", self.role)))
    }
}

pub struct NewUser<'a> {
    pub role: Role,
    pub phone: &'a Phone,
    pub name: &'a str,
    pub password_hash: Option<String>,
    pub organisation_id: Option<&'a OrganisationId>,
}

pub fn check_name(name: &str) -> Result<String, ApiError> {
    crate::clean_text("name", name, 100)
}

pub fn insert_user(conn: &mut DbConnection, new: NewUser<'_>) -> Result<UserRow, ApiError> {
    if find_by_phone(conn, new.phone)?.is_some() {
        return Err(phone_taken(new.phone.as_str()));
    }
    let row = UserRow {
        id: UserId::new(),
        role: new.role.as_str().to_string(),
        phone: new.phone.as_str().to_string(),
        name: check_name(new.name)?,
        password_hash: new.password_hash,
        organisation_id: new.organisation_id.cloned(),
        created_at: storage::now(),
    };
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&row.id),
            users::role.eq(&row.role),
            users::phone.eq(&row.phone),
            users::name.eq(&row.name),
            users::password_hash.eq(&row.password_hash),
            users::organisation_id.eq(&row.organisation_id),
            users::created_at.eq(row.created_at),
        ))
        .execute(conn)
        .map_err(|e| match e {
            // a concurrent registration of the same phone
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                phone_taken(&row.phone)
            }
            other => other.into(),
        })?;
    Ok(row)
}

/// The phone number already has an account (409 `already_taken`).
fn phone_taken(phone: &str) -> ApiError {
    ApiError::new(ErrorCode::AlreadyTaken, format!("phone {phone} already has an account")).at("phone")
}

pub fn find_by_phone(conn: &mut DbConnection, phone: &Phone) -> Result<Option<UserRow>, ApiError> {
    Ok(users::table
        .filter(users::phone.eq(phone.as_str()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Which of these phone numbers (national form) already have an account
/// that onboarding cannot join (any but a buyer's, see
/// [`joins_as_farmer`]), in one query: a bulk import checks a whole file
/// at once.
pub fn registered_phones(
    conn: &mut DbConnection,
    phones: &[String],
) -> Result<std::collections::HashSet<String>, ApiError> {
    let found: Vec<String> = users::table
        .filter(users::phone.eq_any(phones))
        .filter(users::role.ne(Role::Buyer.as_str()))
        .select(users::phone)
        .load(conn)?;
    Ok(found.into_iter().collect())
}

/// Whether onboarding a farmer with this phone joins the account it already
/// has rather than refusing the phone: a buyer's account may become the
/// farmer's (at activation, see [`join_own_seller`]); one person buys and
/// sells with one phone.
pub fn joins_as_farmer(user: &UserRow) -> bool {
    user.role == Role::Buyer.as_str()
}

/// The password a buyer account that is joining its seller already has:
/// activation must then be sent that password, not a new one.
pub fn joining_buyer_password(user: &UserRow) -> Option<String> {
    user.password_hash.clone().filter(|_| joins_as_farmer(user))
}

/// At activation: a buyer account that staff onboarded as a seller becomes
/// that seller's farmer account, in the seller's post office. Other
/// accounts are returned unchanged.
pub fn join_own_seller(conn: &mut DbConnection, user: UserRow) -> Result<UserRow, ApiError> {
    use storage::schema::sellers;
    if !joins_as_farmer(&user) {
        return Ok(user);
    }
    let seller: Option<Option<OrganisationId>> = sellers::table
        .filter(sellers::user_id.eq(&user.id))
        .select(sellers::organisation_id)
        .first(conn)
        .optional()?;
    let Some(organisation_id) = seller else { return Ok(user) };
    diesel::update(users::table.find(&user.id))
        .set((users::role.eq(Role::Farmer.as_str()), users::organisation_id.eq(&organisation_id)))
        .execute(conn)?;
    Ok(UserRow { role: Role::Farmer.as_str().to_string(), organisation_id, ..user })
}

pub fn find_by_id(conn: &mut DbConnection, id: &UserId) -> Result<Option<UserRow>, ApiError> {
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn).optional()?)
}

/// Sets a new password and ends every session of the user: whoever held
/// the old password (or a lost phone's token) is logged out.
pub fn set_password_hash(conn: &mut DbConnection, user_id: &UserId, hash: &str) -> Result<(), ApiError> {
    diesel::update(users::table.find(user_id)).set(users::password_hash.eq(hash)).execute(conn)?;
    diesel::delete(storage::schema::sessions::table.filter(storage::schema::sessions::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}

/// Wrong guesses allowed before an activation code is dead.
pub const ACTIVATION_ATTEMPTS: i32 = 5;

fn activation_hash(user_id: &UserId, code: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(format!("{user_id}:{code}").as_bytes()))
}

/// Issues a new single-use 8-digit code (easy to read out at the counter
/// and type on a phone), replacing any earlier one.
pub fn issue_activation_code(
    conn: &mut DbConnection,
    user_id: &UserId,
    ttl: chrono::Duration,
) -> Result<String, ApiError> {
    use rand::Rng;
    let code = format!("{:08}", rand::rngs::OsRng.gen_range(0..100_000_000u32));
    diesel::delete(activation_codes::table.find(user_id)).execute(conn)?;
    diesel::insert_into(activation_codes::table)
        .values((
            activation_codes::user_id.eq(user_id),
            activation_codes::code_hash.eq(activation_hash(user_id, &code)),
            activation_codes::expires_at.eq(storage::now() + ttl),
            activation_codes::used_at.eq(None::<NaiveDateTime>),
            activation_codes::attempts.eq(0),
        ))
        .execute(conn)?;
    Ok(code)
}

/// Checks a code. A wrong guess is counted (and must be committed by the
/// caller even though the request fails); a right one is spent.
pub fn redeem_activation_code(
    conn: &mut DbConnection,
    user_id: &UserId,
    code: &str,
) -> Result<bool, ApiError> {
    let now = storage::now();
    // Spend one attempt first, atomically: parallel guesses cannot all read
    // the same count and together exceed the limit.
    let spent = diesel::update(
        activation_codes::table
            .find(user_id)
            .filter(activation_codes::used_at.is_null())
            .filter(activation_codes::expires_at.gt(now))
            .filter(activation_codes::attempts.lt(ACTIVATION_ATTEMPTS)),
    )
    .set(activation_codes::attempts.eq(activation_codes::attempts + 1))
    .execute(conn)?;
    if spent == 0 {
        return Ok(false);
    }
    let hash: String =
        activation_codes::table.find(user_id).select(activation_codes::code_hash).first(conn)?;
    let given = activation_hash(user_id, code.trim());
    if bool::from(given.as_bytes().ct_eq(hash.as_bytes())) {
        diesel::update(activation_codes::table.find(user_id))
            .set(activation_codes::used_at.eq(Some(now)))
            .execute(conn)?;
        Ok(true)
    } else {
        Ok(false)
    }
}

/// Whether the user has set a password yet (activation codes are for
/// accounts that have not).
pub fn has_password(conn: &mut DbConnection, user_id: &UserId) -> Result<bool, ApiError> {
    let hash: Option<Option<String>> =
        users::table.find(user_id).select(users::password_hash).first(conn).optional()?;
    Ok(matches!(hash, Some(Some(_))))
}
