//! What an onboarding may hold, and the checks of a sellers file: pure
//! rules, no SQL. A file's rows are checked with the rules of single
//! onboarding, and no phone or national ID may appear twice in it; what only
//! the database knows (communes in the list, phones and national IDs
//! already registered) is the store's part.

use std::collections::{HashMap, HashSet};

use accounts::Phone;

use super::spreadsheet::{self, Column, CsvError, CsvSeller, RowError};
use super::{BankAccountInput, ConsentInput, ConsentMethod, OnboardSeller};
use crate::reference::banks;
use crate::reference::rules::check_commune_code;
use crate::text;
use common::{ApiError, ErrorCode};

/// A CCCD: 12 digits; the first three are the province of birth registration
/// (001–096 in the pre-2025 numbering that CCCDs keep).
pub fn validate_national_id(input: &str) -> Result<String, ApiError> {
    let id: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::field(
            ErrorCode::InvalidFormat,
            "national_id",
            "must be the 12 digits of a CCCD",
        )
        .param("expected", "12 digits"));
    }
    let province: u32 = id[..3].parse().unwrap_or(0);
    if !(1..=96).contains(&province) {
        return Err(ApiError::invalid("national_id", "the first 3 digits are not a province code"));
    }
    Ok(id)
}

pub fn mask_national_id(last3: &str) -> String {
    format!("*********{last3}")
}

fn text_field(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    accounts::clean_text(field, value, max)
}

/// Bank systems hold the holder's name upper-case without diacritics; the
/// payout file must match it.
pub fn normalise_account_name(name: &str) -> Result<String, ApiError> {
    let folded = text::fold(name).to_uppercase();
    if folded.is_empty()
        || folded.len() > 70
        || !folded.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ')
    {
        return Err(ApiError::field(
            ErrorCode::InvalidFormat,
            "bank.account_name",
            "letters and spaces, at most 70",
        )
        .param("expected", "letters and spaces")
        .param("max", 70));
    }
    Ok(folded)
}

pub fn validate_account_number(n: &str) -> Result<String, ApiError> {
    let n = n.trim();
    if !(4..=19).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::field(
            ErrorCode::InvalidFormat,
            "bank.account_number",
            "4 to 19 letters or digits",
        )
        .param("expected", "letters or digits")
        .param("min", 4)
        .param("max", 19));
    }
    Ok(n.to_string())
}

/// Validated onboarding input, ready to store.
pub(crate) struct ValidSeller {
    pub(crate) full_name: String,
    pub(crate) phone: Phone,
    pub(crate) national_id: String,
    pub(crate) commune_code: String,
    pub(crate) address: String,
    pub(crate) farm_name: Option<String>,
    pub(crate) bank_bin: String,
    pub(crate) account_number: String,
    pub(crate) account_name: String,
    pub(crate) terms_version: String,
    pub(crate) consent_method: ConsentMethod,
}

/// One problem with one field of an onboarding input, as the JSON body
/// names the field (`phone`, `bank.bin`, `consent.terms_version`).
pub(crate) use common::FieldError;

/// Field checks answer `field: message`; the field is kept apart here, so
/// the prefix goes.
fn field_error(field: &str, e: ApiError) -> FieldError {
    let field = e.field_name().unwrap_or(field).to_string();
    let message = e.message();
    let message = message.strip_prefix(&format!("{field}: ")).unwrap_or(message).to_string();
    FieldError { field, code: e.code(), message, params: e.params().clone() }
}

/// Keeps the value of a field check, or notes its problem.
fn check<T>(errors: &mut Vec<FieldError>, field: &str, result: Result<T, ApiError>) -> Option<T> {
    result.map_err(|e| errors.push(field_error(field, e))).ok()
}

/// Checks every field (no database needed) and reports every problem, in
/// the order single onboarding has always reported the first of them.
pub(crate) fn validate(input: &OnboardSeller) -> Result<ValidSeller, Vec<FieldError>> {
    let mut errors = Vec::new();
    let bank = &input.bank;
    if banks::find(bank.bin.trim()).is_none() {
        errors.push(FieldError::new(
            "bank.bin",
            ErrorCode::UnknownValue,
            format!("`{}` is not a known bank BIN", bank.bin),
        ));
    }
    let e = &mut errors;
    let full_name = check(e, "full_name", text_field("full_name", &input.full_name, 100));
    let phone = check(e, "phone", Phone::parse(&input.phone));
    let national_id = check(e, "national_id", validate_national_id(&input.national_id));
    let commune_code = check(e, "commune_code", check_commune_code("commune_code", &input.commune_code));
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

// A sellers file: every row with the rules above, and across the rows.

/// Every code a row problem may carry (`RowError::code`); the pages have
/// Vietnamese for each (a test reads `web/shared/vi.js`).
pub const ROW_CODES: &[ErrorCode] = &[
    ErrorCode::Required,
    ErrorCode::TooLong,
    ErrorCode::ControlCharacters,
    ErrorCode::InvalidFormat,
    ErrorCode::InvalidInput,
    ErrorCode::UnknownValue,
    ErrorCode::AlreadyTaken,
];

/// Problems listed in one answer; more would only bury the first ones.
pub const MAX_REPORTED: usize = 200;

impl From<CsvError> for ApiError {
    fn from(e: CsvError) -> Self {
        match e {
            CsvError::TooManyRows { .. } => ApiError::new(ErrorCode::PayloadTooLarge, e.to_string()),
            other => ApiError::new(ErrorCode::InvalidFile, other.to_string()),
        }
    }
}

/// A file whose rows have been checked as far as possible without the
/// database.
pub struct CheckedFile {
    pub(super) valid: Vec<(usize, ValidSeller)>,
    /// What the database must be asked about, for every row whose values
    /// parse, valid or not: staff then fix everything in one go.
    pub(super) keys: Vec<RowKeys>,
    pub(super) problems: Vec<RowError>,
    pub(super) rows: usize,
}

pub(super) struct RowKeys {
    pub(super) row: usize,
    pub(super) commune_code: Option<String>,
    pub(super) phone: Option<Phone>,
    pub(super) national_id: Option<String>,
}

pub(super) fn problem(row: usize, column: Column, code: ErrorCode, message: impl Into<String>) -> RowError {
    RowError::new(row, Some(column.name()), code, message)
}

/// The same phone or national ID as an earlier row of the file.
fn same_as(row: usize, column: Column, what: &str, first: usize) -> RowError {
    problem(row, column, ErrorCode::AlreadyTaken, format!("same {what} as row {first}"))
        .param("same_as_row", first)
}

/// The row as the JSON body of single onboarding would carry it, and what
/// only the file can get wrong (an unknown consent method).
fn input_of(row: &CsvSeller) -> (OnboardSeller, Vec<RowError>) {
    let v = |c: Column| row.value(c).to_string();
    let mut problems = Vec::new();
    let method = row.value(Column::ConsentMethod);
    let consent_method = ConsentMethod::parse(method).unwrap_or_else(|| {
        if method.is_empty() {
            // reported with the other empty cells
            return ConsentMethod::PaperForm;
        }
        let names: Vec<&str> = ConsentMethod::ALL.iter().map(|m| m.as_str()).collect();
        problems.push(
            problem(
                row.row,
                Column::ConsentMethod,
                ErrorCode::UnknownValue,
                format!("`{method}` is not one of {}", names.join(", ")),
            )
            .param("value", method)
            .param("expected", names.join(", ")),
        );
        // Any method will do: the row is refused, its other fields are still
        // checked so that staff see every problem at once.
        ConsentMethod::PaperForm
    });
    let farm_name = Some(v(Column::FarmName)).filter(|f| !f.is_empty());
    let input = OnboardSeller {
        full_name: v(Column::FullName),
        phone: v(Column::Phone),
        national_id: v(Column::NationalId),
        commune_code: v(Column::CommuneCode),
        address: v(Column::Address),
        farm_name,
        bank: BankAccountInput {
            bin: v(Column::BankBin),
            account_number: v(Column::BankAccountNumber),
            account_name: v(Column::BankAccountName),
        },
        consent: ConsentInput { terms_version: v(Column::ConsentTermsVersion), method: consent_method },
    };
    (input, problems)
}

/// Checks every row of the file with the rules of single onboarding, and
/// that no phone or national ID appears twice in it. Pure: no database.
pub fn check_file(bytes: &[u8]) -> Result<CheckedFile, ApiError> {
    let parsed = spreadsheet::parse(bytes)?;
    let mut problems = parsed.problems;
    let mut valid = Vec::new();
    let mut phones: HashMap<String, usize> = HashMap::new();
    let mut national_ids: HashMap<String, usize> = HashMap::new();
    let mut all_keys = Vec::with_capacity(parsed.rows.len());
    for row in &parsed.rows {
        let before = problems.len();
        let (input, file_problems) = input_of(row);
        problems.extend(file_problems);
        let blank: Vec<Column> =
            Column::ALL.into_iter().filter(|c| c.required() && row.value(*c).is_empty()).collect();
        for column in &blank {
            problems.push(problem(row.row, *column, ErrorCode::Required, "required, but the cell is empty"));
        }
        let checked = validate(&input);
        if let Err(errors) = &checked {
            for e in errors {
                // `bank.bin` in JSON is the `bank_bin` column here.
                let name = e.field.replace('.', "_");
                let Some(column) = Column::from_name(&name) else {
                    problems.push(
                        RowError::new(row.row, Some(&name), e.code, e.message.clone()).params(&e.params),
                    );
                    continue;
                };
                if blank.contains(&column) {
                    continue;
                }
                let value = row.value(column);
                problems.push(match spreadsheet::excel_hint(column, value) {
                    Some((damage, message)) => problem(row.row, column, e.code, message)
                        .params(&e.params)
                        .param("excel", damage.as_str())
                        .param("value", value),
                    None => problem(row.row, column, e.code, e.message.clone()).params(&e.params),
                });
            }
        }
        // Twice in one file: checked even when other fields of the row are
        // wrong, so the second fix does not reveal a third problem.
        let keys = RowKeys {
            row: row.row,
            commune_code: check_commune_code("commune_code", row.value(Column::CommuneCode)).ok(),
            phone: Phone::parse(row.value(Column::Phone)).ok(),
            national_id: validate_national_id(row.value(Column::NationalId)).ok(),
        };
        if let Some(phone) = &keys.phone {
            if let Some(first) = phones.get(phone.as_str()) {
                problems.push(same_as(row.row, Column::Phone, "phone", *first));
            } else {
                phones.insert(phone.as_str().to_string(), row.row);
            }
        }
        if let Some(id) = &keys.national_id {
            if let Some(first) = national_ids.get(id) {
                problems.push(same_as(row.row, Column::NationalId, "national ID", *first));
            } else {
                national_ids.insert(id.clone(), row.row);
            }
        }
        all_keys.push(keys);
        if let (Ok(seller), true) = (checked, problems.len() == before) {
            valid.push((row.row, seller));
        }
    }
    Ok(CheckedFile { valid, keys: all_keys, problems, rows: parsed.rows.len() })
}

/// Every problem, in row and column order, the list capped.
pub(super) fn rows_error(mut problems: Vec<RowError>, rows: usize) -> ApiError {
    problems.sort_by_key(|p| (p.row, Column::order_of(p.field.as_deref())));
    let bad_rows = problems.iter().map(|p| p.row).collect::<HashSet<_>>().len();
    let mut message = format!(
        "{bad_rows} of {rows} rows have problems and nothing was imported: fix them and upload the whole file again"
    );
    if problems.len() > MAX_REPORTED {
        message.push_str(&format!(" (the first {MAX_REPORTED} of {} problems are listed)", problems.len()));
        problems.truncate(MAX_REPORTED);
    }
    crate::error::invalid_rows(message, &problems)
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
