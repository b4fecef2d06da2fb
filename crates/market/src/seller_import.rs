//! Bulk onboarding: a sellers file from the post office, every row checked
//! with the rules of single onboarding, then imported whole in one
//! transaction, or not at all.

use std::collections::{HashMap, HashSet};

use accounts::{users, Actor, Phone, Role};
use serde::Serialize;
use storage::DbConnection;
use utoipa::ToSchema;

use crate::seller_csv::{self, Column, CsvError, CsvSeller, RowError};
use crate::sellers::{self, BankAccountInput, ConsentInput, ConsentMethod, OnboardSeller, ValidSeller};
use crate::{communes, MarketError};

/// Largest file accepted: 1,000 rows of long Vietnamese addresses fit
/// several times over.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// Problems listed in one answer; more would only bury the first ones.
pub const MAX_REPORTED: usize = 200;

/// The audit action of a seller created from a file (single onboarding
/// records `seller.onboard`).
const AUDIT_ACTION: &str = "seller.import";

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedSeller {
    /// The row of the file this seller came from.
    pub row: usize,
    pub id: String,
    pub user_id: String,
    pub full_name: String,
    pub phone: String,
    /// Single use; give it to the farmer to set a password.
    pub activation_code: String,
    pub activation_expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    /// In the order of the file.
    pub sellers: Vec<ImportedSeller>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DryRunReport {
    /// Always `true`: a file with problems is answered with a 422.
    pub valid: bool,
    /// Sellers the file would import.
    pub rows: usize,
}

#[derive(Debug)]
pub enum ImportOutcome {
    Imported(ImportReport),
    Checked(DryRunReport),
}

impl From<CsvError> for MarketError {
    fn from(e: CsvError) -> Self {
        match e {
            CsvError::TooManyRows { .. } => MarketError::PayloadTooLarge(e.to_string()),
            other => MarketError::InvalidFile(other.to_string()),
        }
    }
}

/// A file whose rows have been checked as far as possible without the
/// database.
pub struct CheckedFile {
    valid: Vec<(usize, ValidSeller)>,
    /// What the database must be asked about, for every row whose values
    /// parse, valid or not: staff then fix everything in one go.
    keys: Vec<RowKeys>,
    problems: Vec<RowError>,
    rows: usize,
}

struct RowKeys {
    row: usize,
    commune_code: Option<String>,
    phone: Option<Phone>,
    national_id: Option<String>,
}

fn problem(row: usize, column: Column, message: impl Into<String>) -> RowError {
    RowError { row, field: Some(column.name().to_string()), message: message.into() }
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
        problems.push(problem(
            row.row,
            Column::ConsentMethod,
            format!("`{method}` is not one of {}", names.join(", ")),
        ));
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
pub fn check_file(bytes: &[u8]) -> Result<CheckedFile, MarketError> {
    let parsed = seller_csv::parse(bytes)?;
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
            problems.push(problem(row.row, *column, "required, but the cell is empty"));
        }
        let checked = sellers::validate(&input);
        if let Err(errors) = &checked {
            for e in errors {
                // `bank.bin` in JSON is the `bank_bin` column here.
                let name = e.field.replace('.', "_");
                let Some(column) = Column::from_name(&name) else {
                    problems.push(RowError { row: row.row, field: Some(name), message: e.message.clone() });
                    continue;
                };
                if blank.contains(&column) {
                    continue;
                }
                let message =
                    seller_csv::excel_hint(column, row.value(column)).unwrap_or_else(|| e.message.clone());
                problems.push(problem(row.row, column, message));
            }
        }
        // Twice in one file: checked even when other fields of the row are
        // wrong, so the second fix does not reveal a third problem.
        let keys = RowKeys {
            row: row.row,
            commune_code: crate::check_commune_code("commune_code", row.value(Column::CommuneCode)).ok(),
            phone: Phone::parse(row.value(Column::Phone)).ok(),
            national_id: sellers::validate_national_id(row.value(Column::NationalId)).ok(),
        };
        if let Some(phone) = &keys.phone {
            if let Some(first) = phones.get(phone.as_str()) {
                problems.push(problem(row.row, Column::Phone, format!("same phone as row {first}")));
            } else {
                phones.insert(phone.as_str().to_string(), row.row);
            }
        }
        if let Some(id) = &keys.national_id {
            if let Some(first) = national_ids.get(id) {
                problems.push(problem(
                    row.row,
                    Column::NationalId,
                    format!("same national ID as row {first}"),
                ));
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

/// What only the database knows: communes that are not in the 2025 list,
/// phones and national IDs already registered.
fn database_problems(
    conn: &mut DbConnection,
    key: &vault::MasterKey,
    rows: &[RowKeys],
) -> Result<Vec<RowError>, MarketError> {
    let codes: Vec<String> =
        rows.iter().filter_map(|r| r.commune_code.clone()).collect::<HashSet<_>>().into_iter().collect();
    let known = communes::existing_codes(conn, &codes)?;
    let phones: Vec<String> =
        rows.iter().filter_map(|r| r.phone.as_ref()).map(|p| p.as_str().to_string()).collect();
    let registered = users::registered_phones(conn, &phones)?;
    let lookups: Vec<Option<String>> =
        rows.iter().map(|r| r.national_id.as_ref().map(|id| sellers::national_id_lookup(key, id))).collect();
    let taken = sellers::taken_national_ids(conn, &lookups.iter().flatten().cloned().collect::<Vec<_>>())?;
    let mut problems = Vec::new();
    for (r, lookup) in rows.iter().zip(&lookups) {
        if let Some(code) = r.commune_code.as_ref().filter(|c| !known.contains(*c)) {
            problems.push(problem(r.row, Column::CommuneCode, sellers::commune_not_listed(code)));
        }
        if let Some(phone) = r.phone.as_ref().filter(|p| registered.contains(p.as_str())) {
            problems.push(problem(
                r.row,
                Column::Phone,
                format!("phone {} already has an account", phone.as_str()),
            ));
        }
        if lookup.as_ref().is_some_and(|l| taken.contains(l)) {
            problems.push(problem(r.row, Column::NationalId, sellers::NATIONAL_ID_TAKEN));
        }
    }
    Ok(problems)
}

/// Every problem, in row and column order, the list capped.
fn rows_error(mut problems: Vec<RowError>, rows: usize) -> MarketError {
    problems.sort_by_key(|p| (p.row, Column::order_of(p.field.as_deref())));
    let bad_rows = problems.iter().map(|p| p.row).collect::<HashSet<_>>().len();
    let mut message = format!(
        "{bad_rows} of {rows} rows have problems and nothing was imported: fix them and upload the whole file again"
    );
    if problems.len() > MAX_REPORTED {
        message.push_str(&format!(" (the first {MAX_REPORTED} of {} problems are listed)", problems.len()));
        problems.truncate(MAX_REPORTED);
    }
    MarketError::InvalidRows { message, rows: problems }
}

/// A phone or national ID taken by a concurrent request between the check
/// and the insert: the whole import is rolled back, and the row named.
fn conflict_in_row(row: usize, e: MarketError) -> MarketError {
    match e {
        MarketError::Conflict(m) => MarketError::Conflict(format!("row {row}: {m}; nothing was imported")),
        MarketError::Api(e) if e.status() == actix_web::http::StatusCode::CONFLICT => {
            MarketError::Conflict(format!("row {row}: {}; nothing was imported", e.message()))
        }
        other => other,
    }
}

/// Imports a checked file into the actor's organisation, or with `dry_run`
/// only says whether it would import. All or nothing: one transaction, and
/// any problem in any row means no seller is created.
pub fn import(
    conn: &mut DbConnection,
    key: &vault::MasterKey,
    actor: &Actor,
    file: CheckedFile,
    activation_ttl: chrono::Duration,
    dry_run: bool,
) -> Result<ImportOutcome, MarketError> {
    actor.require(&[Role::Staff, Role::Admin])?;
    let CheckedFile { valid, keys, mut problems, rows } = file;
    if dry_run || !problems.is_empty() {
        // Reads only: nothing is written, so no write lock is taken.
        problems.extend(database_problems(conn, key, &keys)?);
        return if problems.is_empty() {
            Ok(ImportOutcome::Checked(DryRunReport { valid: true, rows }))
        } else {
            Err(rows_error(problems, rows))
        };
    }
    let report = storage::write_transaction(conn, |conn| {
        let problems = database_problems(conn, key, &keys)?;
        if !problems.is_empty() {
            return Err(rows_error(problems, rows));
        }
        let mut imported = Vec::with_capacity(valid.len());
        for (row, v) in &valid {
            let created = sellers::insert_valid(conn, key, actor, v, activation_ttl, AUDIT_ACTION)
                .map_err(|e| conflict_in_row(*row, e))?;
            imported.push(ImportedSeller {
                row: *row,
                id: created.id,
                user_id: created.user_id,
                full_name: v.full_name.clone(),
                phone: v.phone.as_str().to_string(),
                activation_code: created.activation_code,
                activation_expires_at: created.activation_expires_at,
            });
        }
        Ok(ImportReport { imported: imported.len(), sellers: imported })
    })?;
    tracing::info!(actor = %actor.user_id, imported = report.imported, "sellers imported from a file");
    Ok(ImportOutcome::Imported(report))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
        assert_eq!(checked.valid.len(), 1);
    }

    #[test]
    fn numbers_excel_mangled_get_the_explanation() {
        let checked =
            check_file(&file(&["Lò Thị Mai,912000001,8080001234,2260,Thôn A,970405,123456,X,v1,paper_form"]))
                .unwrap();
        assert_eq!(checked.problems.len(), 3);
        assert!(
            checked.problems.iter().all(|p| p.message.contains("leading zero")),
            "{:?}",
            checked.problems
        );
    }

    #[test]
    fn the_error_lists_rows_in_order_and_is_capped() {
        let many: Vec<RowError> = (0..250)
            .rev()
            .map(|i| RowError { row: i + 2, field: Some("phone".into()), message: "x".into() })
            .collect();
        let MarketError::InvalidRows { message, rows } = rows_error(many, 250) else { panic!() };
        assert_eq!(rows.len(), MAX_REPORTED);
        assert_eq!(rows[0].row, 2);
        assert!(message.contains("250 of 250 rows"), "{message}");
        assert!(message.contains("first 200 of 250 problems"), "{message}");
    }
}
