#![allow(clippy::unwrap_used)]
use super::*;

const HEADER: &str = "full_name,phone,national_id,commune_code,address,farm_name,bank_bin,\
                          bank_account_number,bank_account_name,consent_terms_version,consent_method";

fn row(name: &str, phone: &str) -> String {
    format!(
        "{name},{phone},008080001234,02260,Thôn Khuổi Bốc,,970405,8800205123456,{name},2025-07,paper_form"
    )
}

#[test]
fn reads_a_plain_file_with_a_bom_and_crlf() {
    let file = format!(
        "\u{feff}{HEADER}\r\n{}\r\n{}\r\n",
        row("Lò Thị Mai", "0912000001"),
        row("Hà Văn Páo", "0912000002")
    );
    let parsed = parse(file.as_bytes()).unwrap();
    assert_eq!(parsed.rows.len(), 2);
    assert!(parsed.problems.is_empty());
    let first = &parsed.rows[0];
    assert_eq!((first.row, first.value(Column::FullName)), (2, "Lò Thị Mai"));
    assert_eq!(first.value(Column::Phone), "0912000001");
    assert_eq!(first.value(Column::FarmName), "");
    assert_eq!(parsed.rows[1].row, 3);
    assert_eq!(parsed.rows[1].value(Column::ConsentMethod), "paper_form");
}

#[test]
fn quoted_values_keep_commas_quotes_and_line_breaks() {
    let file = format!(
        "{HEADER}\n\"Lò Thị Mai\",0912000001,008080001234,02260,\"Thôn Khuổi Bốc,\nxã Hồng Thái\",\
             \"Trại \"\"Chè Shan\"\"\",970405,8800205123456,LO THI MAI,2025-07,paper_form\n{}\n",
        row("Hà Văn Páo", "0912000002")
    );
    let parsed = parse(file.as_bytes()).unwrap();
    let first = &parsed.rows[0];
    assert_eq!(first.value(Column::Address), "Thôn Khuổi Bốc, xã Hồng Thái");
    assert_eq!(first.value(Column::FarmName), "Trại \"Chè Shan\"");
    // the quoted line break is inside row 2; Excel shows the next record as row 3
    assert_eq!((first.row, parsed.rows[1].row), (2, 3));
}

#[test]
fn line_breaks_inside_values_become_separators() {
    assert_eq!(clean_value(" Thôn A\r\n  xã B "), "Thôn A, xã B");
    assert_eq!(clean_value("Thôn A,\nxã B\n\n"), "Thôn A, xã B");
    assert_eq!(clean_value("  Lò Thị Mai "), "Lò Thị Mai");
}

#[test]
fn columns_may_come_in_any_order_and_any_case() {
    let file = "Phone , consent_method,full_name,national_id,commune_code,address,bank_bin,\
                    bank_account_number,bank_account_name,consent_terms_version\n\
                    0912000001,verbal_at_counter,  Lò Thị Mai  ,008080001234,02260,Thôn A,970405,123456,LO THI MAI,v1\n";
    let parsed = parse(file.as_bytes()).unwrap();
    let r = &parsed.rows[0];
    assert_eq!(r.value(Column::Phone), "0912000001");
    assert_eq!(r.value(Column::FullName), "Lò Thị Mai");
    assert_eq!(r.value(Column::ConsentMethod), "verbal_at_counter");
    assert_eq!(r.value(Column::FarmName), "", "farm_name may be left out");
}

#[test]
fn semicolons_from_vietnamese_regional_settings_work_too() {
    let file =
        format!("{}\n{}\n", HEADER.replace(',', ";"), row("Lò Thị Mai", "0912000001").replace(',', ";"));
    let parsed = parse(file.as_bytes()).unwrap();
    assert_eq!(parsed.rows[0].value(Column::NationalId), "008080001234");
}

#[test]
fn missing_unknown_and_repeated_columns_are_one_error() {
    let file = format!("{},email,phone\n{}\n", HEADER.replace("national_id,", ""), row("A", "0912000001"));
    let err = parse(file.as_bytes()).unwrap_err();
    assert_eq!(
        err,
        CsvError::Columns {
            missing: vec!["national_id"],
            unknown: vec!["email".into()],
            repeated: vec!["phone".into()]
        }
    );
    let message = err.to_string();
    assert!(message.contains("missing `national_id`"), "{message}");
    assert!(message.contains("unknown `email`"), "{message}");
    assert!(message.contains("consent_method"), "the expected columns are listed: {message}");
}

#[test]
fn blank_lines_are_skipped_but_counted_as_excel_shows_them() {
    let file = format!(
        "\n{HEADER}\n\n{}\n   \n,,,,,,,,,,\n{}\n\n",
        row("Lò Thị Mai", "0912000001"),
        row("Hà Văn Páo", "0912000002")
    );
    let parsed = parse(file.as_bytes()).unwrap();
    let rows: Vec<usize> = parsed.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![4, 7]);
}

#[test]
fn row_numbers_follow_excel_with_crlf_and_line_breaks_in_values() {
    let file = format!(
            "{HEADER}\r\n\"Lò\r\nThị\r\nMai\",0912000001,008080001234,02260,A,,970405,123456,X,v,paper_form\r\n\r\n{}\r\n",
            row("Hà Văn Páo", "0912000002")
        );
    let parsed = parse(file.as_bytes()).unwrap();
    let rows: Vec<usize> = parsed.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![2, 4]);
    assert_eq!(parsed.rows[0].value(Column::FullName), "Lò, Thị, Mai");
}

#[test]
fn a_stray_cr_in_a_crlf_file_ends_a_row_as_excel_shows_it() {
    // Found by fuzzing (fuzz/, target sellers_csv): the reader ended a record
    // at the lone CR but counted lines by LF only, so two records were row 3.
    let file = format!(
        "{HEADER}\r\n{}\r\nLò Thị\rMai\r\n{}\r\n\"A\",0912000003,008080001234,02260,\"Thôn A\rxã B\",,970405,1,A,v,paper_form\r\n",
        row("A", "0912000001"),
        row("B", "0912000002")
    );
    let parsed = parse(file.as_bytes()).unwrap();
    let rows: Vec<usize> = parsed.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![2, 3, 4, 5, 6]);
    assert_eq!(parsed.rows[1].value(Column::FullName), "Lò Thị");
    assert_eq!(parsed.rows[4].value(Column::Address), "Thôn A, xã B");
}

#[test]
fn values_beyond_the_header_are_reported_on_their_row() {
    let file = format!("{HEADER}\n{},surprise\n{},,\n", row("A", "0912000001"), row("B", "0912000002"));
    let parsed = parse(file.as_bytes()).unwrap();
    assert_eq!(parsed.rows.len(), 2);
    assert_eq!(parsed.problems.len(), 1, "empty trailing cells are fine");
    let p = &parsed.problems[0];
    assert_eq!((p.row, p.field.as_deref(), p.code), (2, None, ErrorCode::InvalidFormat));
    assert!(p.message.contains("surprise"));
    let params = p.params.as_ref().unwrap();
    assert_eq!((&params["column"], &params["value"]), (&Value::from(12), &Value::from("surprise")));
}

#[test]
fn other_encodings_and_workbooks_are_refused_with_what_to_do() {
    // "Nguyễn" as Excel's plain CSV writes it on Vietnamese Windows (CP1258)
    let mut cp1258 = format!("{HEADER}\n").into_bytes();
    cp1258.extend_from_slice(b"Nguy\xEAn V\xE3n A,0912000001\n");
    let err = parse(&cp1258).unwrap_err();
    assert_eq!(err, CsvError::NotUtf8 { line: 2 });
    assert!(err.to_string().contains("CSV UTF-8"));
    assert_eq!(parse(b"\xFF\xFEf\0u\0").unwrap_err(), CsvError::Utf16);
    assert_eq!(parse(b"PK\x03\x04rest of a zip").unwrap_err(), CsvError::Workbook);
}

#[test]
fn empty_and_header_only_files_say_so() {
    assert_eq!(parse(b"").unwrap_err(), CsvError::Empty);
    assert_eq!(parse(b"\xEF\xBB\xBF\r\n\r\n").unwrap_err(), CsvError::Empty);
    assert_eq!(parse(format!("{HEADER}\r\n\r\n").as_bytes()).unwrap_err(), CsvError::NoRows);
}

#[test]
fn too_many_rows_are_counted_and_refused() {
    let mut file = format!("{HEADER}\n");
    for i in 0..=MAX_ROWS {
        file.push_str(&row("A", &format!("09120{i:05}")));
        file.push('\n');
    }
    assert_eq!(parse(file.as_bytes()).unwrap_err(), CsvError::TooManyRows { found: MAX_ROWS + 1 });
}

#[test]
fn an_unclosed_quote_is_found() {
    let file = format!("{HEADER}\n\"Lò Thị Mai,0912000001\n{}\n", row("B", "0912000002"));
    assert_eq!(parse(file.as_bytes()).unwrap_err(), CsvError::UnclosedQuote { row: 2 });
}

#[test]
fn numbers_excel_mangled_are_explained_not_repaired() {
    let (damage, message) = excel_hint(Column::Phone, "912345678").unwrap();
    assert_eq!(damage, ExcelDamage::LeadingZero);
    assert!(message.contains("leading zero"));
    assert!(excel_hint(Column::NationalId, "8080001234").unwrap().1.contains("12 digits"));
    assert!(excel_hint(Column::NationalId, "8190001234").is_some());
    assert_eq!(excel_hint(Column::CommuneCode, "2260").unwrap().0, ExcelDamage::LeadingZero);
    let (damage, message) = excel_hint(Column::NationalId, "8.08E+09").unwrap();
    assert_eq!(damage, ExcelDamage::Scientific);
    assert!(message.contains("scientific"));
    assert_eq!(excel_hint(Column::BankAccountNumber, "8,8002E+12").unwrap().0, ExcelDamage::Scientific);
    // not what Excel does: no hint, the ordinary message stands
    assert!(excel_hint(Column::Phone, "12345").is_none());
    assert!(excel_hint(Column::NationalId, "99999999999").is_none());
    assert!(excel_hint(Column::FullName, "912345678").is_none());
}
