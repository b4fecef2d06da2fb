//! Seller onboarding by post-office staff: identity, commune, payout bank
//! and a consent record; the farmer gets an activation code to set a
//! password.

use accounts::{users, Actor, Phone, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use storage::schema::sellers;
use storage::DbConnection;
use utoipa::ToSchema;

use crate::{banks, communes, text, MarketError};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnboardSeller {
    pub full_name: String,
    #[schema(example = "0912345678")]
    pub phone: String,
    /// CCCD, 12 digits. Stored encrypted; only the last 3 digits are ever shown.
    #[schema(example = "008190001234")]
    pub national_id: String,
    /// Commune code from the 2025 list (GET /api/v1/communes).
    #[schema(example = "02467")]
    pub commune_code: String,
    pub address: String,
    pub farm_name: Option<String>,
    pub bank: BankAccountInput,
    pub consent: ConsentInput,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccountInput {
    /// 6-digit NAPAS BIN (GET /api/v1/banks).
    pub bin: String,
    pub account_number: String,
    pub account_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    pub terms_version: String,
    pub method: ConsentMethod,
}

/// How the farmer gave consent.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// Signed a paper form at the counter (kept by the post office).
    PaperForm,
    /// Agreed aloud at the counter, witnessed by the staff member.
    VerbalAtCounter,
    /// Agreed in the app.
    Electronic,
}

impl ConsentMethod {
    pub const ALL: [ConsentMethod; 3] =
        [ConsentMethod::PaperForm, ConsentMethod::VerbalAtCounter, ConsentMethod::Electronic];

    /// The snake-case name, as JSON and the CSV import write it.
    pub fn parse(s: &str) -> Option<ConsentMethod> {
        ConsentMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::PaperForm => "paper_form",
            ConsentMethod::VerbalAtCounter => "verbal_at_counter",
            ConsentMethod::Electronic => "electronic",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnboardedSeller {
    pub id: String,
    pub user_id: String,
    /// Single use; give it to the farmer to set a password.
    pub activation_code: String,
    pub activation_expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SellerView {
    pub id: String,
    pub user_id: String,
    pub full_name: String,
    pub phone: String,
    /// e.g. `*********234`
    pub national_id_masked: String,
    pub commune_code: String,
    pub commune_name: String,
    pub province_name: String,
    pub address: String,
    pub farm_name: Option<String>,
    pub bank_bin: String,
    pub bank_name: String,
    pub bank_account_number: String,
    pub bank_account_name: String,
    pub consent_terms_version: String,
    pub consent_method: String,
    pub consent_recorded_by: String,
    pub consent_at: String,
    pub created_at: String,
}

/// A CCCD: 12 digits; the first three are the province of birth registration
/// (001–096 in the pre-2025 numbering that CCCDs keep).
pub fn validate_national_id(input: &str) -> Result<String, MarketError> {
    let id: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MarketError::invalid("national_id", "must be the 12 digits of a CCCD"));
    }
    let province: u32 = id[..3].parse().unwrap_or(0);
    if !(1..=96).contains(&province) {
        return Err(MarketError::invalid("national_id", "the first 3 digits are not a province code"));
    }
    Ok(id)
}

pub fn mask_national_id(last3: &str) -> String {
    format!("*********{last3}")
}

fn text_field(field: &str, value: &str, max: usize) -> Result<String, MarketError> {
    accounts::clean_text(field, value, max).map_err(MarketError::from)
}

/// Bank systems hold the holder's name upper-case without diacritics; the
/// payout file must match it.
pub fn normalise_account_name(name: &str) -> Result<String, MarketError> {
    let folded = text::fold(name).to_uppercase();
    if folded.is_empty()
        || folded.len() > 70
        || !folded.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ')
    {
        return Err(MarketError::invalid("bank.account_name", "letters and spaces, at most 70"));
    }
    Ok(folded)
}

pub fn validate_account_number(n: &str) -> Result<String, MarketError> {
    let n = n.trim();
    if !(4..=19).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(MarketError::invalid("bank.account_number", "4 to 19 letters or digits"));
    }
    Ok(n.to_string())
}

fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Validated onboarding input, ready to store.
pub(crate) struct ValidSeller {
    pub(crate) full_name: String,
    pub(crate) phone: Phone,
    pub(crate) national_id: String,
    pub(crate) commune_code: String,
    address: String,
    farm_name: Option<String>,
    bank_bin: String,
    account_number: String,
    account_name: String,
    terms_version: String,
    consent_method: ConsentMethod,
}

/// One problem with one field of an onboarding input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    /// As the JSON body names it: `phone`, `bank.bin`, `consent.terms_version`.
    pub(crate) field: String,
    pub(crate) message: String,
}

impl FieldError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError { field: field.to_string(), message: message.into() }
    }

    /// Field checks from the accounts crate write `field: message`; the
    /// field is kept apart here, so the prefix goes.
    fn from_error(field: &str, e: MarketError) -> Self {
        match e {
            MarketError::Invalid { field, message } => FieldError { field, message },
            other => {
                let text = other.to_string();
                let message = text.strip_prefix(&format!("{field}: ")).map(str::to_string).unwrap_or(text);
                FieldError::new(field, message)
            }
        }
    }

    pub(crate) fn into_error(self) -> MarketError {
        MarketError::Invalid { field: self.field, message: self.message }
    }
}

/// Keeps the value of a field check, or notes its problem.
fn check<T>(errors: &mut Vec<FieldError>, field: &str, result: Result<T, MarketError>) -> Option<T> {
    result.map_err(|e| errors.push(FieldError::from_error(field, e))).ok()
}

/// Checks every field (no database needed) and reports every problem, in
/// the order single onboarding has always reported the first of them.
pub(crate) fn validate(input: &OnboardSeller) -> Result<ValidSeller, Vec<FieldError>> {
    let mut errors = Vec::new();
    let bank = &input.bank;
    if banks::find(bank.bin.trim()).is_none() {
        errors.push(FieldError::new("bank.bin", format!("`{}` is not a known bank BIN", bank.bin)));
    }
    let e = &mut errors;
    let full_name = check(e, "full_name", text_field("full_name", &input.full_name, 100));
    let phone = check(e, "phone", Phone::parse(&input.phone).map_err(MarketError::from));
    let national_id = check(e, "national_id", validate_national_id(&input.national_id));
    let commune_code =
        check(e, "commune_code", crate::check_commune_code("commune_code", &input.commune_code));
    let address = check(e, "address", text_field("address", &input.address, 300));
    let farm_name = check(
        e,
        "farm_name",
        input.farm_name.as_deref().map(|f| text_field("farm_name", f, 100)).transpose(),
    );
    let account_number = check(e, "bank.account_number", validate_account_number(&bank.account_number));
    let account_name = check(e, "bank.account_name", normalise_account_name(&bank.account_name));
    let terms_version = check(
        e,
        "consent.terms_version",
        text_field("consent.terms_version", &input.consent.terms_version, 32),
    );
    let (
        Some(full_name),
        Some(phone),
        Some(national_id),
        Some(commune_code),
        Some(address),
        Some(farm_name),
        Some(account_number),
        Some(account_name),
        Some(terms_version),
        true,
    ) = (
        full_name,
        phone,
        national_id,
        commune_code,
        address,
        farm_name,
        account_number,
        account_name,
        terms_version,
        errors.is_empty(),
    )
    else {
        return Err(errors);
    };
    Ok(ValidSeller {
        full_name,
        phone,
        national_id,
        commune_code,
        address,
        farm_name,
        bank_bin: bank.bin.trim().to_string(),
        account_number,
        account_name,
        terms_version,
        consent_method: input.consent.method,
    })
}

pub(crate) fn commune_not_listed(code: &str) -> String {
    format!("`{code}` is not in the 2025 commune list")
}

pub(crate) const NATIONAL_ID_TAKEN: &str = "a seller with this national ID is already onboarded";

/// The keyed hash a national ID is found by (the number itself is sealed).
pub(crate) fn national_id_lookup(key: &vault::MasterKey, national_id: &str) -> String {
    key.lookup_hash("national_id", national_id)
}

/// Which of these national ID lookups already belong to a seller.
pub(crate) fn taken_national_ids(
    conn: &mut DbConnection,
    lookups: &[String],
) -> Result<std::collections::HashSet<String>, MarketError> {
    let taken: Vec<String> = sellers::table
        .filter(sellers::national_id_lookup.eq_any(lookups))
        .select(sellers::national_id_lookup)
        .load(conn)?;
    Ok(taken.into_iter().collect())
}

pub fn onboard(
    conn: &mut DbConnection,
    key: &vault::MasterKey,
    actor: &Actor,
    input: &OnboardSeller,
    activation_ttl: chrono::Duration,
) -> Result<OnboardedSeller, MarketError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let v = validate(input).map_err(|errors| match errors.into_iter().next() {
        Some(first) => first.into_error(),
        None => MarketError::Internal("validation failed without a reason".into()),
    })?;
    storage::write_transaction(conn, |conn| {
        if communes::find(conn, &v.commune_code)?.is_none() {
            return Err(MarketError::invalid("commune_code", commune_not_listed(&v.commune_code)));
        }
        let lookup = national_id_lookup(key, &v.national_id);
        if !taken_national_ids(conn, std::slice::from_ref(&lookup))?.is_empty() {
            return Err(MarketError::Conflict(NATIONAL_ID_TAKEN.into()));
        }
        insert_valid(conn, key, actor, &v, activation_ttl, "seller.onboard")
    })
}

/// Stores one validated seller: the farmer's user account (which refuses a
/// phone already registered), the seller row with the national ID sealed,
/// an activation code and the audit record `action`. Call it inside a write
/// transaction whose caller has checked the commune and national ID.
pub(crate) fn insert_valid(
    conn: &mut DbConnection,
    key: &vault::MasterKey,
    actor: &Actor,
    v: &ValidSeller,
    activation_ttl: chrono::Duration,
    action: &str,
) -> Result<OnboardedSeller, MarketError> {
    let user = users::insert_user(
        conn,
        users::NewUser {
            role: Role::Farmer,
            phone: &v.phone,
            name: &v.full_name,
            password_hash: None,
            organisation_id: actor.organisation_id.as_deref(),
        },
    )?;
    let id = storage::new_id();
    let now = storage::now();
    let sealed = key.seal(&format!("seller:{id}:national_id"), v.national_id.as_bytes());
    diesel::insert_into(sellers::table)
        .values((
            sellers::id.eq(&id),
            sellers::user_id.eq(&user.id),
            sellers::full_name.eq(&v.full_name),
            sellers::phone.eq(v.phone.as_str()),
            sellers::national_id_ciphertext.eq(&sealed),
            sellers::national_id_lookup.eq(national_id_lookup(key, &v.national_id)),
            sellers::national_id_last3.eq(&v.national_id[9..]),
            sellers::commune_code.eq(&v.commune_code),
            sellers::address.eq(&v.address),
            sellers::farm_name.eq(&v.farm_name),
            sellers::bank_bin.eq(&v.bank_bin),
            sellers::bank_account_number.eq(&v.account_number),
            sellers::bank_account_name.eq(&v.account_name),
            sellers::consent_terms_version.eq(&v.terms_version),
            sellers::consent_method.eq(v.consent_method.as_str()),
            sellers::consent_recorded_by.eq(&actor.user_id),
            sellers::consent_at.eq(now),
            sellers::organisation_id.eq(&actor.organisation_id),
            sellers::created_at.eq(now),
        ))
        .execute(conn)?;
    let code = users::issue_activation_code(conn, &user.id, activation_ttl)?;
    accounts::audit::record(conn, actor, Some(&user.id), action, "seller", &id)?;
    Ok(OnboardedSeller {
        id,
        user_id: user.id,
        activation_code: code,
        activation_expires_at: rfc3339(now + activation_ttl),
    })
}

pub fn reissue_activation(
    conn: &mut DbConnection,
    actor: &Actor,
    seller_id: &str,
    ttl: chrono::Duration,
) -> Result<(String, String), MarketError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    storage::write_transaction(conn, |conn| {
        let (user_id, organisation): (String, Option<String>) = sellers::table
            .find(seller_id)
            .select((sellers::user_id, sellers::organisation_id))
            .first(conn)
            .optional()?
            .ok_or_else(|| MarketError::NotFound("seller".into()))?;
        if !actor.may_act_for_organisation(organisation.as_deref()) {
            return Err(MarketError::NotFound("seller".into()));
        }
        // A code sets a new password: for staff only while the farmer has
        // none yet, so a counter cannot take over an active account.
        if actor.role != Role::Admin && users::has_password(conn, &user_id)? {
            return Err(MarketError::Conflict(
                "the farmer has already set a password; an admin must reset it".into(),
            ));
        }
        let code = users::issue_activation_code(conn, &user_id, ttl)?;
        accounts::audit::record(conn, actor, Some(&user_id), "seller.activation_code", "seller", seller_id)?;
        Ok((code, rfc3339(storage::now() + ttl)))
    })
}

type SellerRow = (
    (String, String, String, String, String, String, String, Option<String>),
    (String, String, String, String, String, String, NaiveDateTime, NaiveDateTime),
    (String, String),
);

fn load(
    conn: &mut DbConnection,
    filter_id: Option<&str>,
    commune: Option<&str>,
    organisation: Option<Option<&str>>,
) -> Result<Vec<SellerView>, MarketError> {
    use storage::schema::{communes as c, provinces as p};
    let mut q = sellers::table
        .inner_join(c::table.inner_join(p::table))
        .select((
            (
                sellers::id,
                sellers::user_id,
                sellers::full_name,
                sellers::phone,
                sellers::national_id_last3,
                sellers::commune_code,
                sellers::address,
                sellers::farm_name,
            ),
            (
                sellers::bank_bin,
                sellers::bank_account_number,
                sellers::bank_account_name,
                sellers::consent_terms_version,
                sellers::consent_method,
                sellers::consent_recorded_by,
                sellers::consent_at,
                sellers::created_at,
            ),
            (c::name, p::name),
        ))
        .into_boxed();
    if let Some(id) = filter_id {
        q = q.filter(sellers::id.eq(id.to_string()));
    }
    if let Some(code) = commune {
        q = q.filter(sellers::commune_code.eq(code.to_string()));
    }
    match organisation {
        Some(Some(org)) => q = q.filter(sellers::organisation_id.eq(org.to_string())),
        Some(None) => q = q.filter(sellers::organisation_id.is_null()),
        None => {}
    }
    let rows: Vec<SellerRow> = q.order(sellers::created_at.desc()).limit(500).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(a, b, (commune_name, province_name))| SellerView {
            id: a.0,
            user_id: a.1,
            full_name: a.2,
            phone: a.3,
            national_id_masked: mask_national_id(&a.4),
            commune_code: a.5,
            commune_name,
            province_name,
            address: a.6,
            farm_name: a.7,
            bank_name: banks::find(&b.0).map(|b| b.short_name.to_string()).unwrap_or_default(),
            bank_bin: b.0,
            bank_account_number: b.1,
            bank_account_name: b.2,
            consent_terms_version: b.3,
            consent_method: b.4,
            consent_recorded_by: b.5,
            consent_at: rfc3339(b.6),
            created_at: rfc3339(b.7),
        })
        .collect())
}

/// The organisations whose sellers an actor may see: `None` for all (admin).
fn visible_organisation(actor: &Actor) -> Option<Option<&str>> {
    match actor.role {
        Role::Admin => None,
        _ => Some(actor.organisation_id.as_deref()),
    }
}

/// Admin sees any seller, staff those of their own organisation, a farmer
/// only itself.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<SellerView, MarketError> {
    let not_found = || MarketError::NotFound("seller".into());
    if actor.role == Role::Farmer {
        let seller = load(conn, Some(id), None, None)?.pop().ok_or_else(not_found)?;
        return if seller.user_id == actor.user_id { Ok(seller) } else { Err(not_found()) };
    }
    // buyers and officers never see seller records
    actor.require(&[Role::Staff, Role::Admin])?;
    load(conn, Some(id), None, visible_organisation(actor))?.pop().ok_or_else(not_found)
}

pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    commune: Option<&str>,
) -> Result<Vec<SellerView>, MarketError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    load(conn, None, commune, visible_organisation(actor))
}

/// The seller record of a farmer account, if any.
pub fn seller_id_for_user(conn: &mut DbConnection, user_id: &str) -> Result<Option<String>, MarketError> {
    Ok(sellers::table.filter(sellers::user_id.eq(user_id)).select(sellers::id).first(conn).optional()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn national_ids_are_twelve_digits_with_a_province() {
        assert_eq!(validate_national_id("008 190 001 234").unwrap(), "008190001234");
        for bad in ["", "12345678901", "0081900012345", "00819000123a", "000190001234", "097190001234"] {
            assert!(validate_national_id(bad).is_err(), "{bad}");
        }
        assert_eq!(mask_national_id("234"), "*********234");
    }

    #[test]
    fn account_names_match_what_banks_hold() {
        assert_eq!(normalise_account_name("Nguyễn Thị Đào").unwrap(), "NGUYEN THI DAO");
        assert!(normalise_account_name("   ").is_err());
        assert!(validate_account_number("0123 456").is_err());
        assert_eq!(validate_account_number("123456789").unwrap(), "123456789");
    }
}
