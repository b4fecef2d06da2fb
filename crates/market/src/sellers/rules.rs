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

    const HEADER: &str = "full_name,phone,national_id,commune_code,address,bank_bin,\
                          bank_account_number,bank_account_name,consent_terms_version,consent_method";

    fn file(rows: &[&str]) -> Vec<u8> {
        format!("{HEADER}\n{}\n", rows.join("\n")).into_bytes()
    }

    const GOOD: &str =
        "Lò Thị Mai,0912000001,008080001234,02260,Thôn A,970405,123456,Lò Thị Mai,v1,paper_form";

    fn problems(bytes: &[u8]) -> Vec<(usize, String)> {
        let checked = check_file(bytes).unwrap();
        checked.problems.iter().map(|p| (p.row, p.field.clone().unwrap_or_default())).collect()
    }

    #[test]
    fn good_rows_pass_with_the_single_onboarding_rules() {
        let checked = check_file(&file(&[GOOD])).unwrap();
        assert!(checked.problems.is_empty(), "{:?}", checked.problems);
        assert_eq!(checked.valid.len(), 1);
        assert_eq!(checked.valid[0].1.phone.as_str(), "0912000001");
    }

    #[test]
    fn every_problem_of_every_row_is_reported_under_its_column() {
        let bad = "Hà Văn Páo,12,123,2260,Thôn B,123456,1,???,v1,by_phone";
        let found = problems(&file(&[GOOD, bad]));
        let fields: Vec<&str> = found.iter().map(|(_, f)| f.as_str()).collect();
        assert!(found.iter().all(|(row, _)| *row == 3), "{found:?}");
        for field in [
            "phone",
            "national_id",
            "commune_code",
            "bank_bin",
            "bank_account_number",
            "bank_account_name",
            "consent_method",
        ] {
            assert!(fields.contains(&field), "{field} missing from {fields:?}");
        }
    }

    #[test]
    fn empty_cells_say_so_once() {
        let found = problems(&file(&["Lò Thị Mai,,008080001234,02260,Thôn A,970405,123456,X,v1,"]));
        assert_eq!(found, vec![(2, "phone".to_string()), (2, "consent_method".to_string())]);
    }

    #[test]
    fn the_same_phone_or_national_id_twice_in_a_file_is_refused() {
        let twin = "Hà Văn Páo,+84 912 000 001,008 080 001 234,02260,Thôn B,970405,654321,X,v1,electronic";
        let checked = check_file(&file(&[GOOD, twin])).unwrap();
        let messages: Vec<(usize, &str, &str)> = checked
            .problems
            .iter()
            .map(|p| (p.row, p.field.as_deref().unwrap_or(""), p.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            vec![(3, "phone", "same phone as row 2"), (3, "national_id", "same national ID as row 2")]
        );
        for p in &checked.problems {
            assert_eq!(p.code, ErrorCode::AlreadyTaken);
            assert_eq!(p.params.as_ref().unwrap()["same_as_row"], 2);
        }
        assert_eq!(checked.valid.len(), 1);
    }

    #[test]
    fn numbers_excel_mangled_get_the_explanation() {
        let checked =
            check_file(&file(&["Lò Thị Mai,912000001,8080001234,2260,Thôn A,970405,123456,X,v1,paper_form"]))
                .unwrap();
        assert_eq!(checked.problems.len(), 3);
        assert!(
            checked.problems.iter().all(|p| p.message.contains("leading zero")
                && p.code == ErrorCode::InvalidFormat
                && p.params.as_ref().is_some_and(|q| q["excel"] == "leading_zero")),
            "{:?}",
            checked.problems
        );
    }

    /// One row of every kind of problem: (row, column, code, what `params`
    /// add for the page: `excel`, `same_as_row` or `column`).
    fn kinds(checked: &CheckedFile) -> Vec<(usize, String, ErrorCode, String)> {
        let mut problems = checked.problems.clone();
        problems.sort_by_key(|p| (p.row, Column::order_of(p.field.as_deref())));
        problems
            .iter()
            .map(|p| {
                let params = p.params.clone().unwrap_or_default();
                let kind = ["excel", "same_as_row", "column"]
                    .iter()
                    .find_map(|k| {
                        params
                            .get(*k)
                            .map(|v| format!("{k}={}", v.as_str().map_or(v.to_string(), str::to_string)))
                    })
                    .unwrap_or_default();
                (p.row, p.field.clone().unwrap_or_default(), p.code, kind)
            })
            .collect()
    }

    fn every_kind_of_problem() -> CheckedFile {
        let long_name = "A".repeat(101);
        check_file(&file(&[
            GOOD,
            "Hà Văn Páo,0912000001,008080001234,02260,Thôn B,970405,654321,X,v1,by_phone",
            "Lò Văn Piềng,912000003,8.08E+09,2260,Thôn C,111111,12,,v1,paper_form,Xóm 3",
            &format!("{long_name},0912000004,000190001234,02260,Thôn\tD,970405,123456,X,v1,electronic"),
        ]))
        .unwrap()
    }

    #[test]
    fn every_problem_has_a_code_and_what_its_wording_needs() {
        use ErrorCode::*;
        let checked = every_kind_of_problem();
        let s = |s: &str| s.to_string();
        assert_eq!(
            kinds(&checked),
            vec![
                (3, s("phone"), AlreadyTaken, s("same_as_row=2")),
                (3, s("national_id"), AlreadyTaken, s("same_as_row=2")),
                (3, s("consent_method"), UnknownValue, s("")),
                (4, s("phone"), InvalidFormat, s("excel=leading_zero")),
                (4, s("national_id"), InvalidFormat, s("excel=scientific")),
                (4, s("commune_code"), InvalidFormat, s("excel=leading_zero")),
                (4, s("bank_bin"), UnknownValue, s("")),
                (4, s("bank_account_number"), InvalidFormat, s("")),
                (4, s("bank_account_name"), Required, s("")),
                (4, s(""), InvalidFormat, s("column=11")),
                (5, s("full_name"), TooLong, s("")),
                (5, s("national_id"), InvalidInput, s("")),
                (5, s("address"), ControlCharacters, s("")),
            ]
        );
        let params = |row: usize, field: &str| {
            let p =
                checked.problems.iter().find(|p| p.row == row && p.field.as_deref().unwrap_or("") == field);
            p.unwrap().params.clone().unwrap_or_default()
        };
        assert_eq!(params(4, "national_id")["value"], "8.08E+09", "the value as Excel wrote it");
        assert_eq!(params(4, "")["value"], "Xóm 3");
        assert_eq!(params(5, "full_name")["max"], 100, "the rule's limits");
        assert_eq!(params(3, "consent_method")["value"], "by_phone");
        for p in &checked.problems {
            assert!(ROW_CODES.contains(&p.code), "{p:?}");
            assert!(!p.message.is_empty(), "the English stays for API clients: {p:?}");
        }
        let first =
            checked.problems.iter().find(|p| p.row == 3 && p.field.as_deref() == Some("phone")).unwrap();
        let json = serde_json::to_value(first).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"row": 3, "field": "phone", "code": "already_taken",
                "message": "same phone as row 2", "params": {"same_as_row": 2}})
        );
    }

    /// The pages word a row problem by its code and params alone: each one
    /// the server can send has Vietnamese in `web/shared/vi.js`.
    #[test]
    fn every_row_problem_has_vietnamese_text() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/shared/vi.js");
        let vi = std::fs::read_to_string(path).unwrap();
        let table = |name: &str| {
            let start =
                vi.find(&format!("export const {name} = {{")).unwrap_or_else(|| panic!("{name} in vi.js"));
            let end = start + vi[start..].find("\n};").unwrap();
            vi[start..end].to_string()
        };
        let (errors, rows) = (table("ERRORS"), table("ROW_PROBLEMS"));
        let missing: Vec<&str> = ROW_CODES
            .iter()
            .map(|c| c.as_str())
            .filter(|c| !errors.contains(&format!("\n  {c}: ")))
            .collect();
        assert!(missing.is_empty(), "vi.js ERRORS has no Vietnamese for: {missing:?}");
        let kinds = spreadsheet::ExcelDamage::ALL.map(|d| d.as_str());
        let missing: Vec<&str> = kinds
            .iter()
            .copied()
            .chain(["same_as_row", "column", "required"])
            .filter(|k| !rows.contains(&format!("\n  {k}: ")))
            .collect();
        assert!(missing.is_empty(), "vi.js ROW_PROBLEMS has no Vietnamese for: {missing:?}");
    }

    #[test]
    fn the_error_lists_rows_in_order_and_is_capped() {
        let many: Vec<RowError> = (0..250)
            .rev()
            .map(|i| RowError::new(i + 2, Some("phone"), ErrorCode::InvalidFormat, "x"))
            .collect();
        let e = rows_error(many, 250);
        assert_eq!(e.code(), ErrorCode::InvalidRows);
        let body = serde_json::to_value(e.body()).unwrap();
        let rows = body["error"]["rows"].as_array().unwrap();
        let message = e.message();
        assert_eq!(rows.len(), MAX_REPORTED);
        assert_eq!(rows[0]["row"], 2);
        assert!(message.contains("250 of 250 rows"), "{message}");
        assert!(message.contains("first 200 of 250 problems"), "{message}");
    }
}
