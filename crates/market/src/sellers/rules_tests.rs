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

const GOOD: &str = "Lò Thị Mai,0912000001,008080001234,02260,Thôn A,970405,123456,Lò Thị Mai,v1,paper_form";

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
        let p = checked.problems.iter().find(|p| p.row == row && p.field.as_deref().unwrap_or("") == field);
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
    let first = checked.problems.iter().find(|p| p.row == 3 && p.field.as_deref() == Some("phone")).unwrap();
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
    let missing: Vec<&str> =
        ROW_CODES.iter().map(|c| c.as_str()).filter(|c| !errors.contains(&format!("\n  {c}: "))).collect();
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
    let many: Vec<RowError> =
        (0..250).rev().map(|i| RowError::new(i + 2, Some("phone"), ErrorCode::InvalidFormat, "x")).collect();
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
